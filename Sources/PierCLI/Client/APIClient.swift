import Foundation
import PierHTTP

/// Pier's REST API (`/api/v1`, DESIGN.md §5) as the client commands use it: paths and query items in,
/// a ``JSON`` document out, and every failure a ``ClientError`` that says what to do.
///
/// The API token travels only in the `Authorization` header. ``HTTPClientRequest`` never shows header
/// values, and this type does not expose the token, so it cannot reach output or error messages.
struct APIClient: Sendable {
    /// The server's base URL without a trailing slash, e.g. `http://127.0.0.1:8080`.
    let server: String
    private let token: String
    private let http: any HTTPClient

    /// How long one call may take; adding a domain waits for Okta's answers to the token check.
    static let timeout: Duration = .seconds(60)

    init(server: String, token: String, http: any HTTPClient) {
        self.server = server
        self.token = token
        self.http = http
    }

    /// A successful answer.
    struct Answer: Sendable {
        var status: Int
        var body: JSON
    }

    /// The methods the API uses; commands name them without depending on the HTTP module.
    enum Method: String, Sendable {
        case get = "GET", post = "POST", patch = "PATCH", delete = "DELETE"
    }

    func get(_ path: String, query: [(String, String?)] = []) async throws -> JSON {
        try await call(.get, path, query: query).body
    }

    /// Sends one request and returns the 2xx answer.
    ///
    /// - Parameters:
    ///   - path: Starts with `/api/v1/`; build id segments with ``segment(_:)``.
    ///   - query: Items with a nil value are left out.
    /// - Throws: ``ClientError``: `.api` for Pier's error body, `.unreachable`, `.unexpectedResponse`.
    func call(_ method: Method, _ path: String, query: [(String, String?)] = [], body: JSON? = nil) async throws -> Answer {
        var headers: [(name: String, value: String)] = [("Authorization", "Bearer \(token)"), ("Accept", "application/json")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let request = HTTPClientRequest(
            method: HTTPClientRequest.Method(rawValue: method.rawValue), url: server + path + Self.queryString(query), headers: headers, body: body?.compactData,
            totalTimeout: Self.timeout)
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request)
        } catch let error as HTTPClientError {
            throw unreachable(error)
        }
        let json = JSON.parse(response.body)
        if (200..<300).contains(response.status) {
            guard let json else {
                throw ClientError(.unexpectedResponse, "\(server) answered \(method.rawValue) \(path) with something that is not JSON; "
                    + "is --server (or PIER_SERVER) the URL of a Pier server?")
            }
            return Answer(status: response.status, body: json)
        }
        if let error = json?["error"], error["code"]?.string != nil {
            throw ClientError.api(status: response.status, error: error)
        }
        throw ClientError(.unexpectedResponse, "\(server) answered \(method.rawValue) \(path) with HTTP \(response.status) and no Pier error; "
            + "is --server (or PIER_SERVER) the URL of a Pier server?")
    }

    /// One path segment, percent-encoded: an id typed by a person cannot change the route.
    static func segment(_ value: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#;%")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    static func queryString(_ items: [(String, String?)]) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#%")
        let pairs = items.compactMap { name, value in
            value.map { "\(name)=\($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0)" }
        }
        return pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&")
    }

    /// What a transport failure means for someone at a terminal, and how to fix it.
    private func unreachable(_ error: HTTPClientError) -> ClientError {
        let what: String
        switch error.code {
        case .connectionRefused:
            what = "cannot connect to the Pier server at \(server) (connection refused). Is `pier serve` running there?"
        case .couldNotResolve:
            what = "cannot resolve the host of \(server). Check the server URL."
        case .timeout:
            what = "the Pier server at \(server) did not answer in time (\(error.message))."
        case .tls:
            what = "the TLS connection to \(server) failed (\(error.message)). Check the URL and the server's certificate."
        case .invalidRequest:
            what = "\(server) is not a usable server URL (\(error.message))."
        default:
            what = "the request to \(server) failed (\(error.message))."
        }
        return ClientError(.unreachable, what + " Set the server with --server URL or PIER_SERVER.")
    }
}
