/// Maps thrown errors to responses with ``Response/error(_:logger:)``, the single error→HTTP mapping.
///
/// Put it inside the logging and metrics middleware so they record the mapped status.
public struct ErrorMiddleware: SynchronousMiddleware {
    /// Creates the middleware.
    public init() {}

    public func handle(_ request: Request, context: RequestContext, next: Handler) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Response.error(error, logger: context.logger)
        }
    }

    public func handleSynchronously(_ request: Request, context: RequestContext, next: SynchronousHandler) throws -> Response {
        do {
            return try next(request, context)
        } catch {
            return Response.error(error, logger: context.logger)
        }
    }
}
