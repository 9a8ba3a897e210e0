import Foundation
import PierSync

/// Runs the instance's ``QueuedSyncRunner`` (Sync Now and initial syncs, requested on any instance) until
/// the service group shuts down. Shutdown cancels it: running syncs stop between pages and are recorded
/// `interrupted` (the directory stays as it was); runs still queued stay in the database for the next
/// instance.
public struct SyncRunnerService: Service {
    let runner: QueuedSyncRunner<ContinuousClock>

    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await runner.run() }
            await waitForGracefulShutdown()
            group.cancelAll()
        }
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

/// The timings of syncs on one instance (DESIGN.md §8). Tests shorten them through the hidden variables
/// `PIER_SYNC_LEASE_TTL_SECONDS`, `PIER_SYNC_TICK_SECONDS` and `PIER_SYNC_JITTER_SECONDS` (docs/SYNC.md),
/// so a test of a killed instance does not wait 30 s for its lease to expire.
public struct SyncTimings: Sendable, Equatable {
    /// The lease's time to live (30 s); it is renewed every third of it.
    public var leaseTTL: Duration = .seconds(30)
    /// How often the scheduler looks for due fires (30 s).
    public var schedulerTick: Duration = .seconds(30)
    /// The largest jitter before a scheduled start (20 s).
    public var schedulerJitter: Duration = .seconds(20)
    /// How often an instance looks for queued runs requested elsewhere (1 s).
    public var queuePoll: Duration = .seconds(1)

    public init() {}

    /// The production values.
    public static let standard = SyncTimings()

    /// These timings with the hidden test variables of `environment` applied.
    ///
    /// - Throws: ``ConfigurationError`` for a value that is not a number of seconds in range.
    public func overridden(by environment: [String: String]) throws -> SyncTimings {
        var timings = self
        func seconds(_ name: String, minimum: Double) throws -> Duration? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Double(text), value >= minimum, value <= 3600 else {
                throw ConfigurationError("\(name) must be a number of seconds from \(minimum == 0 ? "0" : "0.1") to 3600, not '\(text)'")
            }
            return .milliseconds(Int((value * 1000).rounded()))
        }
        if let ttl = try seconds("PIER_SYNC_LEASE_TTL_SECONDS", minimum: 0.1) { timings.leaseTTL = ttl }
        if let tick = try seconds("PIER_SYNC_TICK_SECONDS", minimum: 0.1) { timings.schedulerTick = tick }
        if let jitter = try seconds("PIER_SYNC_JITTER_SECONDS", minimum: 0) { timings.schedulerJitter = jitter }
        return timings
    }
}
