import Synchronization

/// Lets a polling loop be woken before its interval ends. One loop waits at a time; a signal that comes
/// while it is not waiting is kept (one), so it is never lost between two waits.
final class Wakeup: Sendable {
    private struct State {
        var pending = false
        var waiter: (ticket: UInt64, continuation: CheckedContinuation<Void, Never>)?
        var tickets: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Wakes the waiting loop now, or its next wait.
    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }

    /// Returns after a signal, after `interval` on `clock`, or when the task is cancelled.
    func wait<C: Clock<Duration>>(upTo interval: Duration, on clock: C) async {
        let signalled = state.withLock { state in
            defer { state.pending = false }
            return state.pending
        }
        if signalled { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForSignal() }
            group.addTask { try? await clock.sleep(for: interval) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForSignal() async {
        let ticket = state.withLock { state in
            state.tickets += 1
            return state.tickets
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    if Task.isCancelled { return true }
                    state.waiter = (ticket, continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard let waiter = state.waiter, waiter.ticket == ticket else { return nil }
                state.waiter = nil
                return waiter.continuation
            }
            waiter?.resume()
        }
    }
}
