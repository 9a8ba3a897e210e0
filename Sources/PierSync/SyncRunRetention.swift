public import Foundation
public import PierLogging
public import PierStorage

/// Keeps run details for 90 days (DESIGN.md §6): run records and their per-object outcomes that finished
/// longer ago are deleted, except each domain's latest finished run and any run still queued, running or
/// awaiting approval (``SyncRunRetentionStore``). ``run()`` purges at start and then every
/// ``Configuration/interval``; every instance on one database may run it (a purge deletes only what is
/// still there, so two instances purging at once delete each run once).
public struct SyncRunRetention<C: Clock<Duration>>: Sendable {
    public struct Configuration: Sendable {
        /// How long a finished run's details are kept (90 days).
        public var keep: TimeInterval = 90 * 86_400
        /// How often ``run()`` purges (every 6 hours: a run is deleted at most 6 h after it is due).
        public var interval: Duration = .seconds(6 * 3600)
        /// Runs deleted per transaction.
        public var batchSize = 100

        public init() {}
    }

    let store: any SyncRunRetentionStore
    let clock: C
    let now: @Sendable () -> Date
    let logger: Logger
    let configuration: Configuration

    /// - Parameters:
    ///   - clock: Paces ``run()``.
    ///   - now: The wall-clock time that ages runs (injected in tests).
    public init(
        store: any SyncRunRetentionStore, clock: C, now: @escaping @Sendable () -> Date, logger: Logger,
        configuration: Configuration = Configuration()
    ) {
        self.store = store
        self.clock = clock
        self.now = now
        self.logger = logger
        self.configuration = configuration
    }

    /// Deletes the runs whose details have expired.
    ///
    /// - Returns: How many runs were deleted.
    @discardableResult
    public func purge() async throws -> Int {
        let cutoff = now().addingTimeInterval(-configuration.keep)
        let deleted = try await store.purgeRuns(finishedBefore: cutoff, batchSize: configuration.batchSize)
        if deleted > 0 {
            logger.info("Deleted expired sync run details", metadata: [
                "sync.runs.deleted": "\(deleted)", "sync.runs.finished_before": "\(Timestamp.format(cutoff))",
            ])
        }
        return deleted
    }

    /// Purges now and then every ``Configuration/interval`` until cancelled. A failed purge is logged and
    /// tried again at the next interval.
    public func run() async {
        while !Task.isCancelled {
            do {
                try await purge()
            } catch {
                logger.warning("Deleting expired sync run details failed", metadata: ["error": "\(error)"])
            }
            do { try await clock.sleep(for: configuration.interval) } catch { break }
        }
    }
}
