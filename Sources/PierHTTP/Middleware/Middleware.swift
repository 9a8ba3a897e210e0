/// Code that runs around a handler: it may change the request and context, answer itself, or change the response.
///
/// ```swift
/// struct RequireJSONAccept: Middleware {
///     func handle(_ request: Request, context: RequestContext, next: Handler) async throws -> Response {
///         var response = try await next(request, context)
///         response.headers["Cache-Control"] = "no-store"
///         return response
///     }
/// }
/// router.group("/api/v1").add(middleware: RequireJSONAccept())
/// ```
///
/// Middleware added to the router runs for every request (404 and 405 included); middleware added to a
/// group runs for the group's routes only, inside the router's and outer groups' middleware, in the
/// order added. Chains are built once, by ``Router/makeResponder()``.
public protocol Middleware: Sendable {
    /// Handles a request, calling `next` to continue the chain.
    ///
    /// - Parameters:
    ///   - request: The request.
    ///   - context: The request context.
    ///   - next: The rest of the chain.
    /// - Returns: The response.
    func handle(_ request: Request, context: RequestContext, next: Handler) async throws -> Response
}

/// Middleware whose work needs no suspension, so it can also run on the synchronous fast path.
///
/// A synchronous route (`router.getSync(path) { … }`) is served on the I/O thread only if every
/// middleware in its chain conforms; otherwise it is served like an async route. Both methods must do
/// the same thing.
public protocol SynchronousMiddleware: Middleware {
    /// The synchronous twin of ``Middleware/handle(_:context:next:)``.
    func handleSynchronously(_ request: Request, context: RequestContext, next: SynchronousHandler) throws -> Response
}

enum MiddlewareChain {
    /// Wraps `handler` in `middlewares` (the first is outermost).
    static func build(_ middlewares: [any Middleware], around handler: @escaping Handler) -> Handler {
        var current = handler
        for middleware in middlewares.reversed() {
            let next = current
            current = { request, context in try await middleware.handle(request, context: context, next: next) }
        }
        return current
    }

    /// The synchronous chain, or nil when some middleware is async-only.
    static func buildSynchronous(_ middlewares: [any Middleware], around handler: @escaping SynchronousHandler) -> SynchronousHandler? {
        var current = handler
        for middleware in middlewares.reversed() {
            guard let sync = middleware as? any SynchronousMiddleware else { return nil }
            let next = current
            current = { request, context in try sync.handleSynchronously(request, context: context, next: next) }
        }
        return current
    }
}
