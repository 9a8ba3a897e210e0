public import Foundation

/// One outgoing HTTP request.
///
/// Header values may carry credentials (`Authorization: SSWS …`): `description` and reflection show the
/// method, the URL without its query and the header *names* only, so a request can be logged or dumped
/// safely.
public struct HTTPClientRequest: Sendable, CustomStringConvertible, CustomReflectable {
    /// An HTTP method token.
    public struct Method: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public var description: String { rawValue }

        public static let get: Method = "GET"
        public static let head: Method = "HEAD"
        public static let post: Method = "POST"
        public static let put: Method = "PUT"
        public static let patch: Method = "PATCH"
        public static let delete: Method = "DELETE"
    }

    /// The method.
    public var method: Method
    /// The absolute `http` or `https` URL.
    public var url: String
    /// Header lines in order; a name may repeat.
    public var headers: [(name: String, value: String)]
    /// The body, or `nil` for none.
    public var body: Data?
    /// How long establishing the connection (TCP and TLS) may take.
    public var connectTimeout: Duration
    /// How long the whole exchange may take, connection included.
    public var totalTimeout: Duration

    /// Creates a request.
    ///
    /// - Parameters:
    ///   - method: Defaults to GET.
    ///   - url: An absolute `http`/`https` URL.
    ///   - headers: Header lines; values must not contain CR, LF or NUL.
    ///   - body: Bytes to send, if any.
    ///   - connectTimeout: Defaults to 10 seconds.
    ///   - totalTimeout: Defaults to 30 seconds.
    public init(
        method: Method = .get,
        url: String,
        headers: [(name: String, value: String)] = [],
        body: Data? = nil,
        connectTimeout: Duration = .seconds(10),
        totalTimeout: Duration = .seconds(30)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
    }

    /// Creates a request from a `URL`.
    public init(
        method: Method = .get,
        url: URL,
        headers: [(name: String, value: String)] = [],
        body: Data? = nil,
        connectTimeout: Duration = .seconds(10),
        totalTimeout: Duration = .seconds(30)
    ) {
        self.init(
            method: method, url: url.absoluteString, headers: headers, body: body,
            connectTimeout: connectTimeout, totalTimeout: totalTimeout)
    }

    /// The URL without query or fragment, for logs.
    var redactedURL: String {
        let end = url.firstIndex { $0 == "?" || $0 == "#" } ?? url.endIndex
        return String(url[..<end])
    }

    public var description: String {
        let names = headers.map(\.name).joined(separator: ", ")
        return "\(method) \(redactedURL) headers: [\(names)] body: \(body?.count ?? 0) bytes"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["method": method.rawValue, "url": redactedURL, "headerNames": headers.map(\.name)],
               displayStyle: .struct)
    }
}
