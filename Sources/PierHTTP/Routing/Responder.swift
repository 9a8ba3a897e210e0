public import PierLogging

/// An async request handler.
public typealias Handler = @Sendable (Request, RequestContext) async throws -> Response
/// A synchronous request handler, run on the server's I/O thread without suspending the connection.
/// It must not block (no I/O, no locks held long): it exists for cheap routes such as health checks.
public typealias SynchronousHandler = @Sendable (Request, RequestContext) throws -> Response

/// What to run for one request, chosen from its method and path before the body arrives.
public struct HTTPEndpoint: Sendable {
    /// How the endpoint runs.
    public enum Run: Sendable {
        /// On the I/O thread, without suspension.
        case synchronous(SynchronousHandler)
        /// In a task, with the connection suspended meanwhile.
        case asynchronous(Handler)
    }

    /// The body limit for this endpoint; nil uses the server's ``HTTPServer/Configuration/maxBodyBytes``.
    public var maxBodyBytes: Int?
    /// The matched route template, or nil.
    public var routeTemplate: String?
    /// The captured path parameters.
    public var parameters: RouteParameters
    /// The handler.
    public var run: Run

    /// Creates an endpoint.
    public init(maxBodyBytes: Int? = nil, routeTemplate: String? = nil, parameters: RouteParameters = RouteParameters(), run: Run) {
        self.maxBodyBytes = maxBodyBytes
        self.routeTemplate = routeTemplate
        self.parameters = parameters
        self.run = run
    }

    /// Runs the endpoint's handler (either kind) and returns its response.
    public func respond(to request: Request, context: RequestContext) async throws -> Response {
        switch run {
        case .synchronous(let handler): return try handler(request, context)
        case .asynchronous(let handler): return try await handler(request, context)
        }
    }
}

/// What the server asks to answer requests. ``Router/makeResponder()`` builds one; a closure works too.
public protocol HTTPResponder: Sendable {
    /// The endpoint for a request with this method and path.
    func endpoint(method: HTTPMethod, path: String) -> HTTPEndpoint
}

extension HTTPResponder {
    /// Answers a request in-process, without sockets (tests, the `TestClient` shape).
    ///
    /// Routing fills `request.parameters`, `request.routeTemplate` and `request.id`; a thrown error is
    /// mapped with ``Response/error(_:logger:)``. The body limit is not applied here.
    ///
    /// - Parameters:
    ///   - request: The request.
    ///   - logger: The base logger for the context.
    /// - Returns: The response.
    public func respond(to request: Request, logger: Logger = .disabled()) async -> Response {
        let endpoint = endpoint(method: request.method, path: request.path)
        var request = request
        if request.id.isEmpty { request.id = RequestIDGenerator.shared.next() }
        request.parameters = endpoint.parameters
        request.routeTemplate = endpoint.routeTemplate
        let context = RequestContext(
            requestID: request.id, logger: logger, parameters: endpoint.parameters, routeTemplate: endpoint.routeTemplate
        )
        do {
            return try await endpoint.respond(to: request, context: context)
        } catch {
            return Response.error(error, logger: context.logger)
        }
    }
}

/// A responder that sends every request to one async closure.
public struct ClosureResponder: HTTPResponder {
    let handler: Handler
    let maxBodyBytes: Int?

    /// Creates a responder from a handler.
    public init(maxBodyBytes: Int? = nil, _ handler: @escaping Handler) {
        self.handler = handler
        self.maxBodyBytes = maxBodyBytes
    }

    public func endpoint(method: HTTPMethod, path: String) -> HTTPEndpoint {
        HTTPEndpoint(maxBodyBytes: maxBodyBytes, run: .asynchronous(handler))
    }
}
