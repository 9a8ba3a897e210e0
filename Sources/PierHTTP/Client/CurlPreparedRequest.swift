import Foundation

/// A request checked and converted for libcurl before it reaches a worker thread.
struct CurlPreparedRequest: Sendable {
    let method: String
    let url: String
    let redactedURL: String
    let headerLines: [String]
    let body: Data?
    let connectTimeoutMilliseconds: Int
    let totalTimeoutMilliseconds: Int

    init(_ request: HTTPClientRequest) throws {
        let method = request.method.rawValue
        guard !method.isEmpty, method.utf8.allSatisfy(Self.isTokenByte) else {
            throw HTTPClientError(.invalidRequest, "invalid method")
        }
        guard !request.url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw HTTPClientError(.invalidRequest, "URL contains whitespace or control characters")
        }
        var lines: [String] = []
        for header in request.headers {
            guard !header.name.isEmpty, header.name.utf8.allSatisfy(Self.isTokenByte) else {
                throw HTTPClientError(.invalidRequest, "invalid header name \"\(header.name)\"")
            }
            // CR/LF/NUL in a value would let it smuggle extra headers or a second request.
            // The value itself is not echoed: it may be a credential.
            guard !header.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                throw HTTPClientError(.invalidRequest, "header \"\(header.name)\" has a control character in its value")
            }
            // libcurl reads "Name:" as "remove this header" and "Name;" as "send it empty".
            lines.append(header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)")
        }
        // Unless asked for, suppress `Expect: 100-continue`, which costs a round trip (or a 1 s stall
        // against servers that ignore it) on larger bodies.
        if !request.headers.contains(where: { $0.name.lowercased() == "expect" }) { lines.append("Expect:") }
        self.method = method
        self.url = request.url
        self.redactedURL = request.redactedURL
        self.headerLines = lines
        self.body = request.body
        self.connectTimeoutMilliseconds = try Self.milliseconds(request.connectTimeout)
        self.totalTimeoutMilliseconds = try Self.milliseconds(request.totalTimeout)
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        // RFC 9110 §5.6.2 tchar.
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    private static func milliseconds(_ duration: Duration) throws -> Int {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        // 0 means "no timeout" to libcurl; refuse it rather than wait forever.
        guard milliseconds >= 1, milliseconds <= Int64(Int32.max) else {
            throw HTTPClientError(.invalidRequest, "timeouts must be between 1 ms and 24 days")
        }
        return Int(milliseconds)
    }
}
