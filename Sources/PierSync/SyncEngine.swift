public import Foundation
public import PierCore
public import PierLogging
public import PierStorage
import Synchronization

/// The stores a sync engine uses.
public typealias SyncEngineStores = SyncRunStore & SyncQueueStore & SyncStagingStore & LeaseStore & SyncApprovalStore

/// Runs syncs of Okta domains (DESIGN.md §6): it reads a ``DirectorySource`` page by page into per-run
/// staging, plans with ``SyncPlanner``, confirms removals by direct reads, applies the mass-removal guard
/// and applies everything in one transaction under the domain's lease, with the new watermark.
///
/// ```swift
/// let engine = SyncEngine(stores: SQLStore(database: database), clock: ContinuousClock(), now: { Date() },
///                         logger: logger, configuration: .init(owner: instanceID))
/// let run = try await engine.runFullSync(directory: id, source: oktaSource, trigger: .manual)
/// ```
///
/// A run that fails, is cancelled or loses its lease leaves the live directory unchanged: nothing but
/// staging and the run record is written before the apply transaction.
public struct SyncEngine<C: Clock<Duration>>: Sendable {
    /// Timings and identity.
    public struct Configuration: Sendable {
        /// This instance: it owns scheduler slots, and leases as `<owner>/<tag of the acquisition>`.
        public var owner: String
        /// Lease time to live (DESIGN.md §8: 30 s).
        public var leaseTTL: Duration = .seconds(30)
        /// How often the lease is renewed (10 s).
        public var leaseRenewal: Duration = .seconds(10)
        /// Progress is persisted at least this often while pages arrive (2 s).
        public var progressInterval: TimeInterval = 2
        /// How long a tombstone keeps an id revivable (30 days).
        public var tombstoneLifetime: TimeInterval = 30 * 86_400
        /// Members per staging write of the members walk: most groups fit one page, so their pages are
        /// staged in batches of about this many members (one write per batch instead of one per group).
        /// 1 stages every page on its own.
        public var memberStagingBatch: Int = 2_000

        public init(owner: String) {
            self.owner = owner
        }
    }

    let stores: any SyncEngineStores
    let clock: C
    let now: @Sendable () -> Date
    let logger: Logger
    let configuration: Configuration

    /// Creates an engine.
    ///
    /// - Parameters:
    ///   - stores: Runs, staging/apply and leases.
    ///   - clock: Waits (lease renewal) run on this clock.
    ///   - now: Timestamps for records.
    public init(stores: any SyncEngineStores, clock: C, now: @escaping @Sendable () -> Date, logger: Logger, configuration: Configuration) {
        self.stores = stores
        self.clock = clock
        self.now = now
        self.logger = logger
        self.configuration = configuration
    }

    /// Runs one full sync of a domain and returns its record (succeeded, awaiting approval, failed or
    /// interrupted). Failures of the run itself are recorded, not thrown.
    ///
    /// - Throws: ``SyncEngineError/alreadyRunning`` when another holder has the domain's lease;
    ///   storage errors that prevented recording the run.
    public func runFullSync(directory: DirectoryID, source: any DirectorySource, trigger: SyncTrigger) async throws -> SyncRunRecord {
        try await runSync(directory: directory, source: source, trigger: trigger, kind: .full)
    }

    /// Runs one incremental sync (DESIGN.md §6): `lastUpdated ge` listings and the System Log since the
    /// domain's watermark, changed objects re-read by id. A domain without a watermark gets a full run.
    ///
    /// - Throws: as ``runFullSync(directory:source:trigger:)``.
    public func runIncrementalSync(directory: DirectoryID, source: any DirectorySource, trigger: SyncTrigger) async throws -> SyncRunRecord {
        try await runSync(directory: directory, source: source, trigger: trigger, kind: .incremental)
    }

    /// Runs a sync of the given kind (an incremental request without a watermark runs full).
    ///
    /// - Parameter runID: The new run's id; a fresh one by default.
    public func runSync(
        directory: DirectoryID, source: any DirectorySource, trigger: SyncTrigger, kind requested: SyncKind,
        runID: SyncRunID = SyncRunID(UUID().uuidString.lowercased())
    ) async throws -> SyncRunRecord {
        let record = try await underLease(directory: directory, source: source) { lease, hasWatermark in
            try await stores.startRun(
                id: runID, directory: directory, trigger: trigger, kind: hasWatermark ? requested : .full, lease: lease, at: now())
        }
        guard let record else { preconditionFailure("startRun records a new run or throws") }
        return record
    }

    /// Runs a queued run (Sync Now, an initial sync; ``SyncQueueStore``): takes the domain's lease, turns the
    /// run `running` with the kind it has by then (a request may have upgraded it to full; without a
    /// watermark it runs full) and runs it.
    ///
    /// - Returns: the run's record, or nil when the run was no longer queued (another instance ran it).
    /// - Throws: ``SyncEngineError/alreadyRunning`` when another holder has the domain's lease; storage
    ///   errors that prevented recording the run.
    public func runQueued(_ runID: SyncRunID, directory: DirectoryID, source: any DirectorySource) async throws -> SyncRunRecord? {
        try await underLease(directory: directory, source: source) { lease, hasWatermark in
            try await stores.startQueuedRun(runID, lease: lease, requireFull: !hasWatermark, at: now())
        }
    }

    /// Takes the domain's lease, records the run with `start` (nil: nothing to run, the lease is released),
    /// runs it with lease renewal and progress flushing, and records how it ended.
    private func underLease(
        directory: DirectoryID, source: any DirectorySource,
        start: (_ lease: Lease, _ hasWatermark: Bool) async throws -> SyncRunRecord?
    ) async throws -> SyncRunRecord? {
        guard let lease = try await acquireDomainLease(directory) else { throw SyncEngineError.alreadyRunning }
        let started: SyncRunRecord
        let watermark: Date?
        do {
            // Read under the lease: only a run holding it moves the watermark.
            if let configurations = stores as? any DirectoryConfigurationStore {
                watermark = try await configurations.directory(directory)?.watermark
            } else {
                watermark = nil
            }
            guard let record = try await start(lease, watermark != nil) else {
                try? await stores.releaseLease(lease)
                return nil
            }
            started = record
        } catch {
            try? await stores.releaseLease(lease)
            throw error
        }
        let runID = started.id
        var log = logger
        log.metadata["sync.run.id"] = runID.rawValue
        log.metadata["directory.id"] = directory.rawValue
        log.info("sync run started", metadata: ["sync.kind": started.kind.rawValue, "sync.trigger": started.trigger.rawValue])
        let run = SyncRun(engine: self, runID: runID, directory: directory, source: source, lease: lease, logger: log)
        let record: SyncRunRecord
        do {
            let incrementalSince = started.kind == .incremental ? watermark : nil
            record = try await withLeaseRenewal(lease, progress: run) {
                if let incrementalSince { try await run.executeIncremental(since: incrementalSince) } else { try await run.execute() }
            }
        } catch {
            let ending = Self.ending(for: error, source: source)
            log.notice("sync run ended without applying", metadata: ["sync.state": ending.state.rawValue, "error.code": ending.error?.code ?? ""])
            try? await stores.endRun(runID, ending, at: now())
            try? await stores.releaseLease(lease)
            guard let stored = try await stores.run(runID) else { throw error }
            return stored
        }
        try? await stores.releaseLease(lease)
        log.info("sync run finished", metadata: ["sync.state": record.state.rawValue])
        return record
    }

    /// Takes a domain's sync lease for one run or approval, or nil when it is held. The owner is this
    /// instance plus a tag of the acquisition: two runs of one instance (a scheduled fire and a queued run
    /// of the same domain) then exclude each other like runs of two instances, where the same owner would
    /// only renew the lease.
    func acquireDomainLease(_ directory: DirectoryID) async throws -> Lease? {
        let owner = "\(configuration.owner)/\(UUID().uuidString.prefix(8).lowercased())"
        return try await stores.acquireLease(SQLStore.syncLeaseName(directory), owner: owner, ttl: configuration.leaseTTL)
    }

    /// Runs `body` while child tasks renew the lease and persist the run's progress; losing the lease
    /// cancels `body`.
    private func withLeaseRenewal<T: Sendable>(
        _ lease: Lease, progress run: SyncRun<C>, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                var current = lease
                while true {
                    try await clock.sleep(for: configuration.leaseRenewal)
                    guard let renewed = try await stores.renewLease(current, ttl: configuration.leaseTTL) else {
                        throw SyncEngineError.leaseLost
                    }
                    current = renewed
                }
            }
            group.addTask {
                // Progress also reaches the database while a page takes long (a slow Okta, rate-limit waits),
                // so every instance shows it (DESIGN.md §8: at least every 2 s). The task looks four times per
                // interval and writes once the last write is ¾ of it old, so no gap exceeds the interval
                // (looking once per interval let a gap grow to almost twice it).
                let tick = max(Duration.milliseconds(25), .milliseconds(Int(configuration.progressInterval * 250)))
                while true {
                    try await clock.sleep(for: tick)
                    await run.persistProgressIfDue()
                }
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let value = result { return value }
            }
            throw CancellationError()
        }
    }

    /// How a run that threw ends.
    static func ending(for error: any Error, source: any DirectorySource) -> SyncRunEnding {
        let counters = source.counters()
        func ending(_ state: SyncRunState, _ runError: SyncRunError?) -> SyncRunEnding {
            SyncRunEnding(state: state, error: runError, oktaRequests: counters.requests, rateLimitWaitSeconds: counters.secondsWaited)
        }
        switch error {
        case is CancellationError:
            return ending(.interrupted, SyncRunError(code: "interrupted", message: "The run was stopped before it finished; nothing was changed."))
        case let error as SyncRunError:
            return ending(.failed, error)
        case let error as SyncEngineError:
            return ending(.failed, error.runError)
        case let error as any DirectorySourceError:
            return ending(.failed, SyncRunError(code: Self.code(for: error.failure), message: error.explanation + " Nothing was changed."))
        case StorageError.conflict:
            return ending(.failed, SyncEngineError.leaseLost.runError)
        default:
            return ending(.failed, SyncRunError(code: "internal", message: "The run failed because of an internal error; nothing was changed."))
        }
    }

    /// The run error code of a directory source failure (DESIGN.md §5 codes where one exists).
    static func code(for failure: DirectorySourceFailure) -> String {
        switch failure {
        case .invalidToken: "okta_token_invalid"
        case .insufficientPermissions: "okta_token_insufficient"
        case .rateLimited: "okta_rate_limited"
        case .transport: "okta_unreachable"
        case .notAnOktaOrg: "okta_not_an_org"
        default: "okta_\(failure.rawValue)"
        }
    }
}

/// Failures of the engine itself.
public enum SyncEngineError: Error, Hashable, Sendable {
    /// Another run of the domain holds its lease.
    case alreadyRunning
    /// The lease could not be renewed (another instance took it); the run stops without applying.
    case leaseLost
    /// No such run.
    case runNotFound
    /// Approve/discard of a run that is not `awaiting_approval`.
    case notAwaitingApproval

    var runError: SyncRunError {
        switch self {
        case .alreadyRunning: SyncRunError(code: "conflict", message: "Another sync of this domain is running.")
        case .leaseLost: SyncRunError(code: "lease_lost", message: "This instance lost the domain's sync lease; nothing was changed.")
        case .runNotFound: SyncRunError(code: "not_found", message: "No such sync run.")
        case .notAwaitingApproval: SyncRunError(code: "conflict", message: "The run does not await approval (a later run may have replaced it).")
        }
    }
}
