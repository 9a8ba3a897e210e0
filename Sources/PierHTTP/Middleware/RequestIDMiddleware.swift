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
        context.logsRequestID = true
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

/// Cheap unique request ids: a random per-process prefix of 6 base-32 digits (30 bits), a dash and a
/// base-32 counter, e.g. `k3v9qa-1f`.
///
/// Up to 2^40 requests per process the id is at most 15 bytes, which Swift stores inline in the
/// `String` (no heap allocation): the id is made on every request, and this was one of the costs that
/// kept the server behind nginx. Ids stay unique within a process; across processes the prefix makes a
/// clash unlikely, which is all log correlation needs.
final class RequestIDGenerator: Sendable {
    static let shared = RequestIDGenerator()

    private static let digits = Array("0123456789abcdefghijklmnopqrstuv".utf8)
    private let prefix: UInt32
    private let counter = Atomic<UInt64>(0)

    init() {
        var generator = SystemRandomNumberGenerator()
        prefix = UInt32(truncatingIfNeeded: generator.next() as UInt64) & (1 << 30 - 1)
    }

    func next() -> String {
        let value = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var count = 0
            for shift in stride(from: 25, through: 0, by: -5) {
                buffer[count] = Self.digits[Int(prefix >> UInt32(shift)) & 31]
                count += 1
            }
            buffer[count] = UInt8(ascii: "-")
            count += 1
            var width = 1
            while width < 13, value >> (5 * UInt64(width)) != 0 { width += 1 }
            for position in stride(from: width - 1, through: 0, by: -1) {
                buffer[count] = Self.digits[Int(value >> (5 * UInt64(position))) & 31]
                count += 1
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
    }
}
