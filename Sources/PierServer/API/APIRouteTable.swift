public import PierHTTP

/// A route the API mounted: what the OpenAPI completeness test compares with the document.
public struct RegisteredRoute: Hashable, Sendable, CustomStringConvertible {
    public var method: HTTPMethod
    /// The full template, e.g. `/api/v1/users/{id}`.
    public var template: String

    public var description: String { "\(method.rawValue) \(template)" }
}

/// Registers routes on a router group and remembers each one (method and full template), so a test
/// can prove every mounted route is documented in `/openapi.json`. Used only while building the router.
final class APIRouteTable {
    private let group: RouterGroup
    private let prefix: String
    private let log: RouteLog

    final class RouteLog {
        var routes: [RegisteredRoute] = []
    }

    init(group: RouterGroup, prefix: String, log: RouteLog) {
        self.group = group
        self.prefix = prefix
        self.log = log
    }

    /// Registers an async handler for `method` at `path` (relative to the table's prefix).
    func on(_ method: HTTPMethod, _ path: String, maxBodyBytes: Int? = nil, use handler: @escaping Handler) {
        group.on(method, path, maxBodyBytes: maxBodyBytes, use: handler)
        let template = (prefix + path).split(separator: "/").joined(separator: "/")
        log.routes.append(RegisteredRoute(method: method, template: "/" + template))
    }
}
