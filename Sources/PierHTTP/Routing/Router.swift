/// Routes requests by method and path template to handlers, through middleware.
///
/// ```swift
/// let metrics = HTTPMetrics()
/// let router = Router()
/// router.add(middleware: RequestIDMiddleware())
///       .add(middleware: MetricsMiddleware(metrics: metrics))
///       .add(middleware: AccessLogMiddleware())
///       .add(middleware: ErrorMiddleware())
/// router.getSync("/healthz") { _, _ in .text("ok") }
/// let api = router.group("/api/v1").add(middleware: AuthMiddleware())
/// api.get("/domains/{id}") { request, context in … }
/// let server = HTTPServer(configuration: .init(port: 8080), responder: router.makeResponder(), logger: logger)
/// ```
///
/// Unknown paths answer 404 `not_found`; a known path with another method answers 405
/// `method_not_allowed` with an `Allow` header. Static segments win over `{parameter}` segments.
/// HEAD is served by the GET route when no HEAD route exists. Empty segments are ignored, so
/// `/a/` matches `/a`.
public final class Router: RouterGroup {
    private let registry: RouteRegistry

    /// Creates an empty router.
    public init() {
        let registry = RouteRegistry()
        self.registry = registry
        super.init(prefix: [], parent: nil, registry: registry)
    }

    /// Freezes the current routes and middleware into an immutable responder for ``HTTPServer``.
    public func makeResponder() -> RouterResponder {
        let root = RouteNode()
        var exact: [String: RouteNode] = [:]
        for route in registry.routes {
            var node = root
            for segment in route.segments {
                if RouteTemplate.isParameter(segment) {
                    let name = String(segment.dropFirst().dropLast())
                    if node.parameterChild == nil { node.parameterChild = (name, RouteNode()) }
                    node = node.parameterChild!.node
                } else {
                    let key = Substring(segment)
                    if node.staticChildren[key] == nil { node.staticChildren[key] = RouteNode() }
                    node = node.staticChildren[key]!
                }
            }
            let chain = route.group.chain
            let template = RouteTemplate.render(route.segments)
            let run: HTTPEndpoint.Run
            switch route.handler {
            case .asynchronous(let handler):
                run = .asynchronous(MiddlewareChain.build(chain, around: handler))
            case .synchronous(let handler):
                if let sync = MiddlewareChain.buildSynchronous(chain, around: handler) {
                    run = .synchronous(sync)
                } else {
                    run = .asynchronous(MiddlewareChain.build(chain, around: { request, context in try handler(request, context) }))
                }
            }
            node.endpoints[route.method] = RouteNode.Entry(template: template, maxBodyBytes: route.maxBodyBytes, run: run)
            if !route.segments.contains(where: RouteTemplate.isParameter) { exact[template] = node }
        }
        return RouterResponder(root: root, exact: exact, rootMiddleware: middlewares)
    }
}

/// The immutable routing table built by ``Router/makeResponder()``.
public struct RouterResponder: HTTPResponder {
    let root: RouteNode
    /// Routes without parameters by their canonical path ("/healthz"): one hash lookup serves the
    /// common case; anything else (parameters, "//", a trailing "/") walks the trie.
    let exact: [String: RouteNode]
    let notFound: Handler

    init(root: RouteNode, exact: [String: RouteNode], rootMiddleware: [any Middleware]) {
        self.root = root
        self.exact = exact
        self.rootMiddleware = rootMiddleware
        notFound = MiddlewareChain.build(rootMiddleware) { _, _ in throw HTTPError.notFound() }
    }

    let rootMiddleware: [any Middleware]

    public func endpoint(method: HTTPMethod, path: String) -> HTTPEndpoint {
        var parameters = RouteParameters()
        guard let node = exact[path] ?? Self.match(root, path[...], &parameters), !node.endpoints.isEmpty else {
            return HTTPEndpoint(run: .asynchronous(notFound))
        }
        if let entry = node.endpoints[method] ?? (method == .head ? node.endpoints[.get] : nil) {
            return HTTPEndpoint(maxBodyBytes: entry.maxBodyBytes, routeTemplate: entry.template, parameters: parameters, run: entry.run)
        }
        var allowed = Set(node.endpoints.keys)
        if allowed.contains(.get) { allowed.insert(.head) }
        let error = HTTPError.methodNotAllowed(method, allowed: allowed.sorted())
        let handler = MiddlewareChain.build(rootMiddleware) { _, _ in throw error }
        return HTTPEndpoint(routeTemplate: RouteTemplate.render(node.template), parameters: parameters, run: .asynchronous(handler))
    }

    /// Matches the rest of a path below `node`, one segment at a time, skipping empty segments.
    ///
    /// Walks the path in place (substrings of it, looked up as `Substring` keys) rather than splitting
    /// it into an array: routing runs on every request, and the split's allocations showed in profiles.
    static func match(_ node: RouteNode, _ path: Substring, _ parameters: inout RouteParameters) -> RouteNode? {
        let slash = UInt8(ascii: "/")
        let utf8 = path.utf8
        guard let start = utf8.firstIndex(where: { $0 != slash }) else { return node }
        let end = utf8[start...].firstIndex(of: slash) ?? path.endIndex
        let segment = path[start..<end]
        let rest = path[end...]
        if let child = node.staticChildren[segment], let found = match(child, rest, &parameters), !found.endpoints.isEmpty {
            return found
        }
        if let (name, child) = node.parameterChild {
            var attempt = parameters
            attempt.append(name: name, value: String(segment))
            if let found = match(child, rest, &attempt), !found.endpoints.isEmpty {
                parameters = attempt
                return found
            }
        }
        return nil
    }
}

/// A trie node. Mutated only inside ``Router/makeResponder()``, before the responder is shared;
/// read-only afterwards, hence `@unchecked Sendable`.
final class RouteNode: @unchecked Sendable {
    struct Entry {
        let template: String
        let maxBodyBytes: Int?
        let run: HTTPEndpoint.Run
    }

    /// Keyed by `Substring` so a segment of the request path is looked up without copying it.
    var staticChildren: [Substring: RouteNode] = [:]
    var parameterChild: (name: String, node: RouteNode)?
    var endpoints: [HTTPMethod: Entry] = [:]

    /// The template of any endpoint here (all share one shape), for 405 labelling.
    var template: [String] {
        endpoints.values.first.map { RouteTemplate.segments(of: $0.template) } ?? []
    }
}
