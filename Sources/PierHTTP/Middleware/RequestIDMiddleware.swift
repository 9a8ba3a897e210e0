import PierLogging
import Synchronization

/// Adopts a sane incoming `X-Request-Id` (1–128 characters of `[A-Za-z0-9._:-]`) or keeps the server's
/// generated id; puts it in the context, the logger metadata (`request.id`) and the response header.
public struct RequestIDMiddleware: SynchronousMiddleware {
    /// The header name.
    public static let headerName = "X-Request-Id"

    /// Creates the middleware.
    public init() {}

    public func handle(_ request: Request, context: RequestContext, next: Handler) async throws -> Response {
        let (request, context) = prepare(request, context)
        do {
            return finish(try await next(request, context), id: context.requestID)
        } catch {
            // Map here so the id still reaches the client; the logger carries the id.
            return finish(Response.error(error, logger: context.logger), id: context.requestID)
        }
    }

    public func handleSynchronously(_ request: Request, context: RequestContext, next: SynchronousHandler) throws -> Response {
        let (request, context) = prepare(request, context)
        do {
            return finish(try next(request, context), id: context.requestID)
        } catch {
            return finish(Response.error(error, logger: context.logger), id: context.requestID)
        }
    }

    private func prepare(_ request: Request, _ context: RequestContext) -> (Request, RequestContext) {
        var request = request
        var context = context
        if let incoming = request.headers[Self.headerName], Self.isSane(incoming) {
            context.requestID = incoming
        }
        request.id = context.requestID
        context.logger.metadata["request.id"] = context.requestID
        return (request, context)
    }

    private func finish(_ response: Response, id: String) -> Response {
        var response = response
        response.headers[Self.headerName] = id
        return response
    }

    /// Whether a client-supplied id is safe to adopt and echo.
    static func isSane(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard (1...128).contains(utf8.count) else { return false }
        return utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x3A || byte == 0x2D
        }
    }
}

/// Cheap unique request ids: a random per-process prefix and a counter.
final class RequestIDGenerator: Sendable {
    static let shared = RequestIDGenerator()

    private let prefix: String
    private let counter = Atomic<UInt64>(0)

    init() {
        var generator = SystemRandomNumberGenerator()
        let random = generator.next() as UInt64
        let hex = String(random >> 16, radix: 16)
        prefix = String(repeating: "0", count: 12 - hex.count) + hex
    }

    func next() -> String {
        let value = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return prefix + "-" + String(value, radix: 16)
    }
}
