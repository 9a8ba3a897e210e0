public import Foundation

/// A complete HTTP request as handlers see it: the head, the whole body and what routing found.
public struct Request: Sendable {
    /// One query item, percent-decoded; `value` is nil for a bare key (`?flag`).
    public struct QueryItem: Sendable, Equatable {
        /// The decoded name.
        public var name: String
        /// The decoded value, or nil when the item had no `=`.
        public var value: String?

        /// Creates a query item.
        public init(name: String, value: String?) {
            self.name = name
            self.value = value
        }
    }

    /// The method.
    public var method: HTTPMethod
    /// The path, without the query string (as the server decoded it).
    public var path: String
    /// The query items in order, repeats kept.
    public var query: [QueryItem]
    /// The header fields.
    public var headers: HTTPFields
    /// The body (empty when none); never larger than the route's body limit.
    public var body: Data
    /// The peer address ("127.0.0.1", "::1"), when known.
    public var remoteAddress: String?
    /// Values for the `{name}` segments of the matched route.
    public var parameters: RouteParameters
    /// The matched route template (e.g. "/api/v1/domains/{id}"), nil when no route matched.
    public var routeTemplate: String?
    /// The request id (see ``RequestIDMiddleware``).
    public var id: String

    /// Creates a request; the server and tests build these.
    public init(
        method: HTTPMethod,
        path: String,
        query: [QueryItem] = [],
        headers: HTTPFields = HTTPFields(),
        body: Data = Data(),
        remoteAddress: String? = nil,
        parameters: RouteParameters = RouteParameters(),
        routeTemplate: String? = nil,
        id: String = ""
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.parameters = parameters
        self.routeTemplate = routeTemplate
        self.id = id
    }

    /// The first value of the query item `name`, or nil.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    /// Every value of the query item `name`, in order.
    public func queryValues(_ name: String) -> [String] {
        query.filter { $0.name == name }.compactMap(\.value)
    }

    /// Parses a raw query string (`a=1&b=x%20y`), percent-decoding names and values and `+` as space.
    public static func parseQuery(_ raw: Substring) -> [QueryItem] {
        raw.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let eq = pair.firstIndex(of: "=") {
                return QueryItem(name: decode(pair[..<eq]), value: decode(pair[pair.index(after: eq)...]))
            }
            return QueryItem(name: decode(pair), value: nil)
        }
    }

    private static func decode(_ s: Substring) -> String {
        let spaced = s.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
