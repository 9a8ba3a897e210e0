public import Foundation
public import PierCore
public import PierStorage

/// The stores ``SyncNowService`` uses.
public typealias SyncNowStores = SyncRunStore & SyncQueueStore

/// Sync Now (DESIGN.md §8), coordinated through the database so it works across instances: a request
/// joins the running run when it is of equal or stronger kind, else joins (or upgrades to full) the one
/// queued follow-up, else queues one — a `queued` run row that whichever instance takes the domain's
/// lease first runs (``QueuedSyncRunner``). Without an explicit kind the request is incremental when a
/// full run is more recent than the schedule's `fullEvery`, else full.
///
/// ```swift
/// let ticket = try await service.request(directoryID, kind: nil)
/// // 202 with ticket.run when ticket.isNewRun, else 200 with the run it joined
/// let record = try await ticket.result()
/// ```
public struct SyncNowService<C: Clock<Duration>>: Sendable {
    /// Timings.
    public struct Configuration: Sendable {
        /// How often ``Ticket/result()`` looks at the run.
        public var pollInterval: Duration = .seconds(1)

        public init() {}
    }

    /// How a request was served.
    public typealias Outcome = SyncRequestDisposition

    /// A served request: the run that will satisfy it and a way to wait for that run's end.
    public struct Ticket: Sendable {
        public let outcome: Outcome
        /// The serving run as it was when the request was decided (`queued` or `running`).
        public let run: SyncRunRecord
        let service: SyncNowService<C>

        /// The run serving the request (a queued run has its id before it starts).
        public var runID: SyncRunID { run.id }
        /// The kind of that run, as known when the request was served.
        public var kind: SyncKind { run.kind }
        /// Whether the request created a run (the API's 202) rather than joining one (200).
        public var isNewRun: Bool { outcome.isNewRun }

        /// Waits (polling the database) until the serving run has ended or awaits approval, and returns it.
        public func result() async throws -> SyncRunRecord {
            try await service.waitForEnd(of: run.id)
        }
    }

    let stores: any SyncNowStores
    let clock: C
    let now: @Sendable () -> Date
    let configuration: Configuration
    let onNewRun: @Sendable () -> Void

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - clock: ``Ticket/result()`` polls on it.
    ///   - now: Times the request (queued-at, the default kind).
    ///   - onNewRun: Called after a request queued a run (this instance's runner can start it at once
    ///     instead of at its next poll).
    public init(
        stores: any SyncNowStores, clock: C, now: @escaping @Sendable () -> Date, configuration: Configuration = Configuration(),
        onNewRun: @escaping @Sendable () -> Void = {}
    ) {
        self.stores = stores
        self.clock = clock
        self.now = now
        self.configuration = configuration
        self.onNewRun = onNewRun
    }

    /// Serves a request for a domain.
    ///
    /// - Parameters:
    ///   - kind: The kind asked for; nil for the default (incremental after a recent full run).
    ///   - trigger: `manual` (Sync Now) or `initial` (the first sync of a new domain).
    /// - Throws: `StorageError` `.notFound` for an unknown domain; storage errors.
    public func request(_ directory: DirectoryID, kind: SyncKind? = nil, trigger: SyncTrigger = .manual) async throws -> Ticket {
        let id = SyncRunID(UUID().uuidString.lowercased())
        let (run, outcome) = try await stores.requestSync(directory, kind: kind, trigger: trigger, id: id, at: now())
        if outcome.isNewRun { onNewRun() }
        return Ticket(outcome: outcome, run: run, service: self)
    }

    func waitForEnd(of id: SyncRunID) async throws -> SyncRunRecord {
        while true {
            guard let record = try await stores.run(id) else { throw SyncEngineError.runNotFound }
            if record.state != .queued && record.state != .running { return record }
            try await clock.sleep(for: configuration.pollInterval)
        }
    }
}
