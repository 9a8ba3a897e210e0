import Synchronization

/// Cancellation state shared between the awaiting task and the worker thread running the transfer.
///
/// The task's cancellation handler resumes the caller at once with `.cancelled` and raises the flag;
/// the progress callback sees the flag and aborts `curl_easy_perform`, freeing the worker thread.
final class CurlCancellation: Sendable {
    private struct State {
        var cancelled = false
        var continuation: CheckedContinuation<HTTPClientResponse, any Error>?
    }

    private let state = Mutex(State())

    var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Registers the continuation to resume. Returns `false` if cancellation already happened (the
    /// continuation has then been resumed with `.cancelled`).
    func register(_ continuation: CheckedContinuation<HTTPClientResponse, any Error>) -> Bool {
        let alreadyCancelled = state.withLock { state -> Bool in
            if state.cancelled { return true }
            state.continuation = continuation
            return false
        }
        if alreadyCancelled { continuation.resume(throwing: Self.cancelledError) }
        return !alreadyCancelled
    }

    /// Marks the transfer cancelled and resumes the caller, if it is still waiting.
    func cancel() {
        let continuation = state.withLock { state in
            state.cancelled = true
            return state.continuation.take()
        }
        continuation?.resume(throwing: Self.cancelledError)
    }

    /// Delivers the transfer's outcome unless cancellation already resumed the caller.
    func finish(_ result: Result<HTTPClientResponse, HTTPClientError>) {
        let continuation = state.withLock { $0.continuation.take() }
        continuation?.resume(with: result.mapError { $0 as any Error })
    }

    static let cancelledError = HTTPClientError(.cancelled, "the request was cancelled")
}
