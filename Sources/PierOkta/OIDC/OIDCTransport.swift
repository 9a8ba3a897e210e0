import Foundation
import PierHTTP

/// The HTTP plumbing shared by discovery, JWKS, token and userinfo calls.
enum OIDCTransport {
    /// Sends a request, mapping transport failures to classified ``OktaError``s.
    static func send(_ request: HTTPClientRequest, using client: any HTTPClient) async throws -> HTTPClientResponse {
        do {
            return try await client.execute(request)
        } catch {
            throw OktaError.transport(error)
        }
    }

    /// Throws the classified error unless the response is a 2xx with a JSON body.
    static func requireJSONSuccess(_ response: HTTPClientResponse) throws {
        guard (200...299).contains(response.status) else {
            throw OktaError.classify(status: response.status, headers: response.headers, body: response.body)
        }
        guard OktaError.isJSONContentType(response.headers) else {
            throw OktaError(.notAnOktaOrg, detail: "HTTP \(response.status) without a JSON body", status: response.status)
        }
    }

    /// `application/x-www-form-urlencoded` encoding (every byte outside the RFC 3986 unreserved set is
    /// percent-encoded, so `+`, `&`, `=` and spaces survive).
    static func formEncode(_ fields: [(String, String)]) -> String {
        fields.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
    }

    static func percentEncode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    /// Decodes an `application/x-www-form-urlencoded` string (a query): `+` is a space. The first value
    /// of a repeated name wins; names without `=` get an empty value.
    static func formDecode(_ text: some StringProtocol) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decodeComponent(parts[0])
            let value = parts.count > 1 ? decodeComponent(parts[1]) : ""
            if result[name] == nil { result[name] = value }
        }
        return result
    }

    private static func decodeComponent(_ text: some StringProtocol) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
