public import Foundation
public import PierCore
public import PierLogging
public import PierStorage
import Synchronization

/// The stores ``QueuedSyncRunner`` reads.
public typealias QueuedSyncStores = SyncQueueStore & DirectoryConfigurationStore

/// Runs queued runs (Sync Now, initial syncs; ``SyncNowService``) of every domain on the database. Each
/// instance has one; whichever takes a domain's lease first runs the domain's queued run, so a request
/// made on one instance may run on another.
///
/// Every ``Configuration/pollInterval`` (and at once after ``wake()`` or when one of its runs ends) it
/// marks runs whose lease expired `interrupted` (their process died), then starts the queued runs of
/// domains whose lease is free, within the instance's ``SyncCapacity``. Cancelling ``run()`` stops its runs
/// between pages; they are recorded `interrupted` and the queued runs stay for the next instance.
public final class QueuedSyncRunner<C: Clock<Duration>>: Sendable {
    /// Timings.
    public struct Configuration: Sendable {
        /// How often the database is looked at for queued runs (queued elsewhere, or behind a run).
        public var pollInterval: Duration = .seconds(1)

        public init() {}
    }

    let engine: SyncEngine<C>
    let stores: any QueuedSyncStores
    let makeSource: @Sendable (DirectoryRecord) async throws -> any DirectorySource
    let clock: C
    let now: @Sendable () -> Date
    let capacity: SyncCapacity
    let logger: Logger
    let configuration: Configuration
    private let wakeup = Wakeup()
    /// Domains with a run of this runner in flight.
    private let active = Mutex<Set<DirectoryID>>([])

    /// Creates a runner.
    ///
    /// - Parameters:
    ///   - makeSource: A fresh directory source for a domain (decrypts its token).
    ///   - capacity: The instance's cap, shared with the scheduler.
    public init(
        engine: SyncEngine<C>, stores: any QueuedSyncStores,
        makeSource: @escaping @Sendable (DirectoryRecord) async throws -> any DirectorySource,
        clock: C, now: @escaping @Sendable () -> Date, capacity: SyncCapacity, logger: Logger,
        configuration: Configuration = Configuration()
    ) {
        self.engine = engine
        self.stores = stores
        self.makeSource = makeSource
        self.clock = clock
        self.now = now
        self.capacity = capacity
        self.logger = logger
        self.configuration = configuration
    }

    /// Looks at the queue now instead of at the next poll (a request on this instance queued a run).
    public func wake() {
        wakeup.signal()
    }

    /// Runs queued runs until cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                for queued in await claimRunnable() {
                    group.addTask { _ = await self.execute(queued) }
                }
                await wakeup.wait(upTo: configuration.pollInterval, on: clock)
            }
            group.cancelAll()
        }
    }

    /// One look at the queue that waits for the runs it started (tests).
    @discardableResult
    public func runOnce() async -> [SyncRunRecord] {
        let claimed = await claimRunnable()
        return await withTaskGroup(of: SyncRunRecord?.self) { group in
            for queued in claimed { group.addTask { await self.execute(queued) } }
            var records: [SyncRunRecord] = []
            for await record in group { if let record { records.append(record) } }
            return records
        }
    }

    /// Marks abandoned runs, then takes capacity for the queued runs this instance may start.
    func claimRunnable() async -> [SyncRunRecord] {
        do {
            let interrupted = try await stores.interruptAbandonedRuns(at: now())
            for run in interrupted {
                logger.notice("sync run interrupted: its lease expired", metadata: ["sync.run.id": run.rawValue])
            }
            var claimed: [SyncRunRecord] = []
            for queued in try await stores.runnableQueuedRuns() {
                let isNew = active.withLock { $0.insert(queued.directoryID).inserted }
                guard isNew else { continue }
                guard capacity.reserve() else {
                    _ = active.withLock { $0.remove(queued.directoryID) }
                    break
                }
                claimed.append(queued)
            }
            return claimed
        } catch {
            logger.warning("looking for queued sync runs failed", metadata: ["error.type": "\(type(of: error))", "error": "\(error)"])
            return []
        }
    }

    /// Runs one claimed queued run; nil when it did not run here (another instance has the lease or ran it).
    func execute(_ queued: SyncRunRecord) async -> SyncRunRecord? {
        var ended = false
        defer {
            capacity.release()
            _ = active.withLock { $0.remove(queued.directoryID) }
            // A follow-up may be queued behind the run that just ended. Not after a failure to start: the
            // next look would retry at once, a busy loop; the next poll retries instead.
            if ended { wakeup.signal() }
        }
        do {
            guard let directory = try await stores.directory(queued.directoryID) else { return nil }
            let source: any DirectorySource
            do {
                source = try await makeSource(directory)
            } catch {
                // Making a source is local (decrypt the token, parse the endpoint): what fails now fails on
                // every retry. End the run with the reason instead of leaving it queued forever. The errors
                // of making a source (a failed decryption, an endpoint that does not parse) never hold the token.
                let failure = SyncRunError.domainSettingsUnusable(error)
                logger.error("queued sync could not start", metadata: [
                    "sync.run.id": queued.id.rawValue, "directory.id": queued.directoryID.rawValue, "error.type": "\(type(of: error))",
                ])
                let failed = try await stores.failQueuedRun(queued.id, error: failure, at: now())
                ended = true
                return failed
            }
            let record = try await engine.runQueued(queued.id, directory: queued.directoryID, source: source)
            ended = true
            return record
        } catch SyncEngineError.alreadyRunning {
            return nil
        } catch {
            logger.warning("queued sync could not start", metadata: [
                "sync.run.id": queued.id.rawValue, "directory.id": queued.directoryID.rawValue, "error.type": "\(type(of: error))",
            ])
            return nil
        }
    }
}

extension SyncRunError {
    /// A run that could not start because its domain's stored settings cannot make an Okta connection
    /// (the token does not decrypt, the endpoint does not parse). Making a source is local, so what fails
    /// once fails on every retry. The errors of making a source never hold the token.
    static func domainSettingsUnusable(_ error: any Error) -> SyncRunError {
        SyncRunError(
            code: "domain_settings_unusable",
            message: "The sync could not start: Pier could not prepare this domain's Okta connection from its stored "
                + "settings (\(error)). Set the API token again (pier domains update --api-token-file), then sync again.")
    }
}
