import Foundation
import Synchronization

/// Per-request state owned by ``HTTPServer`` between the access handler calls of one request.
///
/// Body fields are touched only on the MHD thread serving the connection (MHD serialises the calls for
/// one connection). `phase` is shared with the task running an async handler and with shutdown, so it
/// sits behind a mutex. Hence `@unchecked Sendable`.
final class RequestState: @unchecked Sendable {
    enum Phase {
        /// Headers and body arriving.
        case receiving
        /// The connection is suspended while a task runs the handler.
        case suspended
        /// A response is stored and the connection was resumed to send it.
        case ready(Response)
        /// MHD reported the request finished; the connection pointer is gone.
        case finished
    }

    let endpoint: HTTPEndpoint
    let bodyLimit: Int
    let method: HTTPMethod
    let path: String
    var body = Data()
    var bodyTooLarge = false
    /// The MHD connection; valid until `phase` becomes `.finished`.
    let connection: OpaquePointer
    let phase = Mutex<Phase>(.receiving)

    init(endpoint: HTTPEndpoint, bodyLimit: Int, method: HTTPMethod, path: String, connection: OpaquePointer) {
        self.endpoint = endpoint
        self.bodyLimit = bodyLimit
        self.method = method
        self.path = path
        self.connection = connection
    }

    /// Appends body bytes unless over the limit; past the limit the body is dropped and the rest discarded.
    func receive(_ bytes: UnsafePointer<CChar>, count: Int) {
        guard !bodyTooLarge else { return }
        if body.count + count > bodyLimit {
            bodyTooLarge = true
            body = Data()
            return
        }
        body.append(UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self), count: count)
    }

    /// Stores the response of a suspended request; returns true if the caller must resume the connection.
    /// Only the first completion counts (a handler finishing after shutdown forced a 503 is ignored).
    func complete(with response: Response) -> Bool {
        phase.withLock { phase in
            guard case .suspended = phase else { return false }
            phase = .ready(response)
            return true
        }
    }
}
