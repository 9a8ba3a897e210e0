/// A set of routes under a path prefix, with its own middleware.
///
/// ```swift
/// let api = router.group("/api/v1").add(middleware: AuthMiddleware())
/// api.get("/domains/{id}") { request, context in
///     let id = try context.parameters.require("id")
///     return try .json(Domain(id: id))
/// }
/// api.post("/domains", maxBodyBytes: 64 * 1024) { request, context in … }
/// ```
///
/// Registration is not thread-safe: build the routes, then call ``Router/makeResponder()``.
public class RouterGroup {
    let prefix: [String]
    let parent: RouterGroup?
    private(set) var middlewares: [any Middleware] = []
    private let registry: RouteRegistry

    init(prefix: [String], parent: RouterGroup?, registry: RouteRegistry) {
        self.prefix = prefix
        self.parent = parent
        self.registry = registry
    }

    /// A child group whose routes live under `prefix` (relative to this group's prefix).
    public func group(_ prefix: String) -> RouterGroup {
        RouterGroup(prefix: self.prefix + RouteTemplate.segments(of: prefix), parent: self, registry: registry)
    }

    /// Adds middleware that runs for this group's routes (added before or after), after outer middleware.
    @discardableResult
    public func add(middleware: any Middleware) -> Self {
        middlewares.append(middleware)
        return self
    }

    /// Registers an async handler.
    ///
    /// - Parameters:
    ///   - method: The method.
    ///   - path: The template below the group prefix; `{name}` segments capture parameters.
    ///   - maxBodyBytes: A body limit for this route, overriding the server default.
    ///   - handler: The handler.
    @discardableResult
    public func on(_ method: HTTPMethod, _ path: String, maxBodyBytes: Int? = nil, use handler: @escaping Handler) -> Self {
        registry.add(RouteDefinition(
            method: method, segments: prefix + RouteTemplate.segments(of: path), maxBodyBytes: maxBodyBytes,
            handler: .asynchronous(handler), group: self
        ))
        return self
    }

    /// Registers a synchronous handler, served on the I/O thread when its whole middleware chain is
    /// synchronous (see ``SynchronousMiddleware``). It must not block.
    @discardableResult
    ///
    /// A distinct name (not an overload of ``on(_:_:maxBodyBytes:use:)``) on purpose: Swift resolves a trailing
    /// closure without `await` to a synchronous overload, which would silently move async routes onto the I/O thread.
    public func onSync(_ method: HTTPMethod, _ path: String, maxBodyBytes: Int? = nil, _ handler: @escaping SynchronousHandler) -> Self {
        registry.add(RouteDefinition(
            method: method, segments: prefix + RouteTemplate.segments(of: path), maxBodyBytes: maxBodyBytes,
            handler: .synchronous(handler), group: self
        ))
        return self
    }

    /// Registers an async GET handler (HEAD is answered by it too).
    @discardableResult
    public func get(_ path: String, maxBodyBytes: Int? = nil, use handler: @escaping Handler) -> Self {
        on(.get, path, maxBodyBytes: maxBodyBytes, use: handler)
    }

    /// Registers a synchronous GET handler.
    @discardableResult
    public func getSync(_ path: String, maxBodyBytes: Int? = nil, _ handler: @escaping SynchronousHandler) -> Self {
        onSync(.get, path, maxBodyBytes: maxBodyBytes, handler)
    }

    /// Registers an async POST handler.
    @discardableResult
    public func post(_ path: String, maxBodyBytes: Int? = nil, use handler: @escaping Handler) -> Self {
        on(.post, path, maxBodyBytes: maxBodyBytes, use: handler)
    }

    /// Registers an async PUT handler.
    @discardableResult
    public func put(_ path: String, maxBodyBytes: Int? = nil, use handler: @escaping Handler) -> Self {
        on(.put, path, maxBodyBytes: maxBodyBytes, use: handler)
    }

    /// Registers an async PATCH handler.
    @discardableResult
    public func patch(_ path: String, maxBodyBytes: Int? = nil, use handler: @escaping Handler) -> Self {
        on(.patch, path, maxBodyBytes: maxBodyBytes, use: handler)
    }

    /// Registers an async DELETE handler.
    @discardableResult
    public func delete(_ path: String, maxBodyBytes: Int? = nil, use handler: @escaping Handler) -> Self {
        on(.delete, path, maxBodyBytes: maxBodyBytes, use: handler)
    }

    /// Middleware from the outermost group down to this one.
    var chain: [any Middleware] { (parent?.chain ?? []) + middlewares }
}

enum RouteTemplate {
    /// Path segments, empty ones dropped ("/a//b/" → ["a", "b"]).
    static func segments(of path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    static func isParameter(_ segment: String) -> Bool {
        segment.count > 2 && segment.hasPrefix("{") && segment.hasSuffix("}")
    }

    static func render(_ segments: [String]) -> String { "/" + segments.joined(separator: "/") }
}

struct RouteDefinition {
    enum Kind {
        case synchronous(SynchronousHandler)
        case asynchronous(Handler)
    }

    let method: HTTPMethod
    let segments: [String]
    let maxBodyBytes: Int?
    let handler: Kind
    let group: RouterGroup
}

final class RouteRegistry {
    var routes: [RouteDefinition] = []

    func add(_ route: RouteDefinition) {
        precondition(
            !routes.contains { $0.method == route.method && $0.segments.map(Self.shape) == route.segments.map(Self.shape) },
            "duplicate route \(route.method) \(RouteTemplate.render(route.segments))"
        )
        routes.append(route)
    }

    private static func shape(_ segment: String) -> String { RouteTemplate.isParameter(segment) ? "{}" : segment }
}
