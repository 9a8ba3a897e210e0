import Synchronization

/// Per-service graceful-shutdown signal, reached through a task local so that nested code can register
/// handlers without the service group passing anything down.
final class GracefulShutdownSignal: Sendable {
    private struct State {
        var triggered = false
        var nextID = 0
        var handlers: [Int: @Sendable () -> Void] = [:]
    }

    private let state = Mutex(State())

    @TaskLocal static var current: GracefulShutdownSignal?

    var isTriggered: Bool { state.withLock { $0.triggered } }

    /// Runs every registered handler once; later registrations run immediately.
    func trigger() {
        let handlers: [@Sendable () -> Void] = state.withLock { state in
            guard !state.triggered else { return [] }
            state.triggered = true
            defer { state.handlers.removeAll() }
            return state.handlers.sorted { $0.key < $1.key }.map(\.value)
        }
        for handler in handlers { handler() }
    }

    /// Registers `handler`; returns nil (after running it) when shutdown has already begun.
    func register(_ handler: @escaping @Sendable () -> Void) -> Int? {
        let id: Int? = state.withLock { state in
            guard !state.triggered else { return nil }
            defer { state.nextID += 1 }
            state.handlers[state.nextID] = handler
            return state.nextID
        }
        if id == nil { handler() }
        return id
    }

    func unregister(_ id: Int) {
        _ = state.withLock { $0.handlers.removeValue(forKey: id) }
    }
}

/// Runs `operation`; if the enclosing service is asked to shut down gracefully meanwhile, calls
/// `onGracefulShutdown` (once, from another task) so the operation can finish its in-flight work.
///
/// Outside a ``ServiceGroup`` the handler is never called.
public func withGracefulShutdownHandler<T>(
    operation: () async throws -> T,
    onGracefulShutdown handler: @escaping @Sendable () -> Void
) async rethrows -> T {
    guard let signal = GracefulShutdownSignal.current else { return try await operation() }
    guard let id = signal.register(handler) else { return try await operation() }
    defer { signal.unregister(id) }
    return try await operation()
}

/// Whether the current service has been asked to shut down gracefully.
public var isShuttingDownGracefully: Bool {
    GracefulShutdownSignal.current?.isTriggered ?? false
}

/// Suspends until the current service is asked to shut down gracefully, or the task is cancelled.
public func waitForGracefulShutdown() async {
    let (stream, continuation) = AsyncStream<Void>.makeStream()
    await withTaskCancellationHandler {
        await withGracefulShutdownHandler {
            for await _ in stream { break }
        } onGracefulShutdown: {
            continuation.finish()
        }
    } onCancel: {
        continuation.finish()
    }
}
