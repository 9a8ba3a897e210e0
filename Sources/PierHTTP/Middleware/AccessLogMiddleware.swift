import PierLogging

/// Logs one record per request at info level: `http.method`, `http.route` (the template, or
/// "unmatched"), `http.status`, `http.duration_ms` and `request.id` (from the context logger).
///
/// Bodies and header values (Authorization included) are never logged.
public struct AccessLogMiddleware: SynchronousMiddleware {
    /// Creates the middleware.
    public init() {}

    public func handle(_ request: Request, context: RequestContext, next: Handler) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context, status: response.status.code, start: start)
            return response
        } catch {
            log(request, context, status: Self.status(of: error), start: start)
            throw error
        }
    }

    public func handleSynchronously(_ request: Request, context: RequestContext, next: SynchronousHandler) throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try next(request, context)
            log(request, context, status: response.status.code, start: start)
            return response
        } catch {
            log(request, context, status: Self.status(of: error), start: start)
            throw error
        }
    }

    static func status(of error: any Error) -> Int {
        (error as? any HTTPResponseError)?.status.code ?? 500
    }

    private func log(_ request: Request, _ context: RequestContext, status: Int, start: ContinuousClock.Instant) {
        guard context.logLevel <= .info else { return }
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.info("request", metadata: [
            "http.method": request.method.rawValue,
            "http.route": context.routeTemplate ?? "unmatched",
            "http.status": String(status),
            "http.duration_ms": String(format3(ms)),
            "request.id": context.requestID,
        ])
    }

    private func format3(_ value: Double) -> String {
        let scaled = (value * 1000).rounded() / 1000
        return String(scaled)
    }
}
