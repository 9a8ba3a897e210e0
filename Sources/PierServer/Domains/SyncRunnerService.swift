import Foundation
public import PierCore
public import PierLogging
import PierStorage
import PierSync
import Synchronization

/// Runs syncs requested outside the schedule (the initial sync after a domain is added, Sync Now) as a
/// ``Service``: requests queue on a stream, each runs as a child task of ``run()``, so nothing outlives
/// the service group. On graceful shutdown the queue closes and running syncs are cancelled, which the
/// engine records as `interrupted` (the directory stays as it was).
public final class SyncRunnerService: Service {
    /// One requested run.
    struct Job: Sendable {
        var directory: DirectoryID
        var trigger: SyncTrigger
        var kind: SyncKind
    }

    private let jobs: AsyncStream<Job>
    private let sink: AsyncStream<Job>.Continuation
    private let inFlight = Mutex<Set<DirectoryID>>([])
    let perform: @Sendable (Job) async -> Void
    let logger: Logger

    init(logger: Logger, perform: @escaping @Sendable (Job) async -> Void) {
        (jobs, sink) = AsyncStream<Job>.makeStream()
        self.perform = perform
        self.logger = logger
    }

    /// Queues a run unless one requested here is already queued or running for the domain.
    ///
    /// - Returns: false when a run of the domain was already requested (the caller joins it).
    func submit(_ job: Job) -> Bool {
        let inserted = inFlight.withLock { $0.insert(job.directory).inserted }
        guard inserted else { return false }
        if case .terminated = sink.yield(job) {
            inFlight.withLock { _ = $0.remove(job.directory) }
            return false
        }
        return true
    }

    /// Whether a run requested here for the domain has not finished yet.
    func isInFlight(_ directory: DirectoryID) -> Bool {
        inFlight.withLock { $0.contains(directory) }
    }

    public func run() async {
        let sink = self.sink
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                for await job in jobs {
                    group.addTask {
                        await self.perform(job)
                        _ = self.inFlight.withLock { $0.remove(job.directory) }
                    }
                }
            } onGracefulShutdown: {
                sink.finish()
            }
            group.cancelAll()
        }
        logger.debug("sync runner stopped")
    }
}

/// Runs the ``SyncScheduler`` until the service group shuts down (cancelling it interrupts running
/// scheduled syncs between pages).
struct SyncSchedulerService: Service {
    let scheduler: SyncScheduler<ContinuousClock>

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await scheduler.run() }
            await waitForGracefulShutdown()
            group.cancelAll()
        }
    }
}
