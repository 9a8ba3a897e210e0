public import Foundation
public import PierHTTP

/// One management-API request, relative to the org's base URL.
public struct OktaRequest: Sendable, Hashable {
    /// The method.
    public var method: HTTPClientRequest.Method
    /// Path and query, already encoded: `/api/v1/users?limit=200`.
    public var pathAndQuery: String
    /// A JSON body, if any.
    public var body: Data?
    /// Whether to send the API token (`false` for `/.well-known/okta-organization`).
    public var authenticated: Bool
    /// Whether the caller expects a JSON body (a non-JSON 2xx then means "not an Okta org").
    public var expectsJSON: Bool

    /// Creates a request from an encoded path and query.
    public init(
        method: HTTPClientRequest.Method = .get, pathAndQuery: String, body: Data? = nil,
        authenticated: Bool = true, expectsJSON: Bool = true
    ) {
        self.method = method
        self.pathAndQuery = pathAndQuery
        self.body = body
        self.authenticated = authenticated
        self.expectsJSON = expectsJSON
    }

    /// Creates a request from a path and unencoded query items (encoded strictly: `%20` for spaces).
    public init(
        method: HTTPClientRequest.Method = .get, path: String, query: [(String, String)] = [], body: Data? = nil,
        authenticated: Bool = true, expectsJSON: Bool = true
    ) {
        let encodedQuery = query.map { "\(Self.percentEncode($0.0))=\(Self.percentEncode($0.1))" }.joined(separator: "&")
        self.init(
            method: method, pathAndQuery: encodedQuery.isEmpty ? path : "\(path)?\(encodedQuery)", body: body,
            authenticated: authenticated, expectsJSON: expectsJSON)
    }

    /// The path without the query.
    public var path: String {
        String(pathAndQuery[..<(pathAndQuery.firstIndex(of: "?") ?? pathAndQuery.endIndex)])
    }

    /// Whether repeating the request cannot change anything on the server. Only such requests are
    /// retried after a 5xx or a timeout: a POST (create app, lifecycle call) may have been applied even
    /// though no answer arrived, and sending it again could create a second app or act twice.
    public var isIdempotent: Bool { method == .get || method == .head }

    /// The rate-limit bucket key: the path with ids replaced by `{id}` (`/api/v1/groups/{id}/users`),
    /// because Okta's buckets are per endpoint family, not per object (REFERENCE §6.4).
    public var bucket: String { Self.pathTemplate(path) }

    /// Replaces id segments of an `/api/v1/…` or `/oauth2/…` path by `{id}`.
    public static func pathTemplate(_ path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard segments.count >= 4, segments[0] == "api" else { return "/" + segments.joined(separator: "/") }
        var result = segments
        // /api/v1/{resource}/{id}/{sub}/{id}/…: ids sit at odd depths after the resource, except after
        // `lifecycle` or `credentials`, whose next segment is an action name.
        var index = 3
        while index < result.count {
            let previous = result[index - 1]
            if previous != "lifecycle" && result[index] != "lifecycle" && result[index] != "me" {
                result[index] = "{id}"
            }
            index += 2
        }
        return "/" + result.joined(separator: "/")
    }

    /// RFC 3986 unreserved characters only.
    static func percentEncode(_ text: String) -> String {
        var allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        allowed.remove(charactersIn: "")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    public static func == (lhs: OktaRequest, rhs: OktaRequest) -> Bool {
        lhs.method == rhs.method && lhs.pathAndQuery == rhs.pathAndQuery && lhs.body == rhs.body
            && lhs.authenticated == rhs.authenticated && lhs.expectsJSON == rhs.expectsJSON
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(pathAndQuery)
        hasher.combine(body)
    }
}
