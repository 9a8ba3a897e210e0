import Dispatch
import Foundation
import Synchronization

/// A fixed set of dedicated threads for blocking `curl_easy_perform` calls.
///
/// Blocking C calls must never run on Swift's cooperative pool (STYLE.md §11.6): with two cores it has
/// two threads, and two slow transfers would stall every task in the process. Jobs queue FIFO; a job
/// runs to completion on one thread.
final class CurlWorkerPool: Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var head = 0
        var closed = false
    }

    private let state = Mutex(State())
    private let available = DispatchSemaphore(value: 0)
    private let threadCount: Int

    /// Starts `threadCount` threads named `name-<n>`.
    init(threadCount: Int, name: String) {
        precondition(threadCount > 0, "CurlWorkerPool needs at least one thread")
        self.threadCount = threadCount
        for index in 0..<threadCount {
            let thread = Thread { [self] in self.runLoop() }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    /// Queues a job. Returns `false` (and drops it) after ``shutdown()``.
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        let accepted = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.jobs.append(job)
            return true
        }
        if accepted { available.signal() }
        return accepted
    }

    /// Stops accepting jobs; the threads finish the queued ones, then exit.
    func shutdown() {
        let wasOpen = state.withLock { state -> Bool in
            defer { state.closed = true }
            return !state.closed
        }
        guard wasOpen else { return }
        // One extra wake-up per thread: a thread that finds the queue empty after close exits.
        for _ in 0..<threadCount { available.signal() }
    }

    private func runLoop() {
        while true {
            available.wait()
            let job = state.withLock { state -> (@Sendable () -> Void)? in
                guard state.head < state.jobs.count else { return nil }
                let job = state.jobs[state.head]
                state.head += 1
                if state.head > 64, state.head * 2 > state.jobs.count {
                    state.jobs.removeFirst(state.head)
                    state.head = 0
                }
                return job
            }
            guard let job else { return }
            job()
        }
    }
}
