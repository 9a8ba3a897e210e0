public import Foundation
public import PierCore
public import PierStorage

/// The stores ``SyncNowService`` reads.
public typealias SyncNowStores = SyncRunStore & DirectoryConfigurationStore & LeaseStore

/// Sync Now (DESIGN.md §8): a request joins a running run of equal or stronger kind, else joins (or
/// upgrades) the one queued follow-up, else queues one; with nothing running it starts a run. Without
/// an explicit kind the request is incremental when a recent full run exists, else full.
///
/// ```swift
/// let ticket = try await service.request(directoryID, kind: nil)
/// // 202 with ticket.runID when ticket.isNewRun, else 200 with the run it joined
/// let record = try await ticket.result()
/// ```
///
/// The queue is this instance's (one follow-up per domain); a run of another instance (or of the
/// scheduler) is found through the domain's latest run record: it is joined when it covers the request,
/// else the follow-up waits for it. A run whose holder died stays `running` in the database until the
/// next run takes the expired lease; a joiner notices the free lease and runs itself (marking the dead
/// run `interrupted`).
public actor SyncNowService<C: Clock<Duration>> {
    /// Timings.
    public struct Configuration: Sendable {
        /// A full run older than this makes a kind-less request full (default one day).
        public var fullEvery: TimeInterval = 86_400
        /// How often a follower looks at another instance's run, or retries a lease held elsewhere.
        public var pollInterval: Duration = .seconds(1)
        /// The lease owner used to probe whether another instance's run still holds the domain's lease.
        public var probeOwner: String

        /// Creates a configuration; `probeOwner` should name this instance.
        public init(probeOwner: String) {
            self.probeOwner = probeOwner
        }
    }

    /// How a request was served.
    public enum Outcome: String, Hashable, Sendable {
        /// Nothing ran: a run started.
        case started
        /// Joined the running run (this instance's or another's).
        case joinedRunning
        /// Joined the queued follow-up (upgraded to full when the request was full).
        case joinedQueued
        /// Queued one follow-up.
        case queued
    }

    /// A served request: the run that will satisfy it and a way to wait for that run's record.
    public struct Ticket: Sendable {
        public let outcome: Outcome
        /// The run serving the request (a queued run has its id before it starts).
        public let runID: SyncRunID
        /// The kind of that run, as known when the request was served.
        public let kind: SyncKind
        let task: Task<SyncRunRecord, any Error>

        /// Whether the request created a run (`started` or `queued`: the API's 202) rather than joining one.
        public var isNewRun: Bool { outcome == .started || outcome == .queued }

        /// Waits for the serving run to end and returns its record.
        public func result() async throws -> SyncRunRecord { try await task.value }
    }

    private struct Slot {
        var id: SyncRunID
        var kind: SyncKind
        var task: Task<SyncRunRecord, any Error>
    }

    private struct DomainState {
        var running: Slot?
        var queued: Slot?
    }

    let engine: SyncEngine<C>
    let stores: any SyncNowStores
    let makeSource: @Sendable (DirectoryRecord) async throws -> any DirectorySource
    let clock: C
    let now: @Sendable () -> Date
    let configuration: Configuration
    private var domains: [DirectoryID: DomainState] = [:]

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - makeSource: A fresh directory source for a domain, per run.
    ///   - clock: Polling waits sleep on it.
    ///   - now: For the default kind.
    public init(
        engine: SyncEngine<C>, stores: any SyncNowStores, makeSource: @escaping @Sendable (DirectoryRecord) async throws -> any DirectorySource,
        clock: C, now: @escaping @Sendable () -> Date, configuration: Configuration
    ) {
        self.engine = engine
        self.stores = stores
        self.makeSource = makeSource
        self.clock = clock
        self.now = now
        self.configuration = configuration
    }

    /// Serves a Sync Now request for a domain.
    ///
    /// - Parameter kind: The kind asked for; `nil` for the default (incremental after a recent full run).
    /// - Throws: `StorageError` `.notFound` for an unknown domain; storage errors.
    public func request(_ directory: DirectoryID, kind: SyncKind? = nil) async throws -> Ticket {
        guard let record = try await stores.directory(directory) else {
            throw StorageError(.notFound, "no domain with id \(directory)")
        }
        let requested = kind ?? SyncKind.defaultKind(
            lastFullSuccess: record.lastFullSyncAt, hasWatermark: record.watermark != nil, now: now(), fullEvery: configuration.fullEvery)
        let latest = try await stores.runs(of: directory, limit: 1).first
        // Decide on the state as it is now (other requests may have run during the awaits above).
        var state = domains[directory] ?? DomainState()
        let remote = state.running == nil && latest?.state == .running ? latest : nil
        let runningKind = state.running?.kind ?? remote?.kind

        switch SyncRequestResolution.resolve(requested: requested, running: runningKind, queued: state.queued?.kind) {
        case .start(let kind):
            let id = Self.newRunID()
            let slot = Slot(id: id, kind: kind, task: Task { try await self.runAndFinish(directory, id: id, kind: kind) })
            state.running = slot
            domains[directory] = state
            return Ticket(outcome: .started, runID: id, kind: kind, task: slot.task)
        case .joinRunning:
            if let slot = state.running {
                return Ticket(outcome: .joinedRunning, runID: slot.id, kind: slot.kind, task: slot.task)
            }
            let other = remote!
            let task = Task { try await self.follow(other.id, directory: directory, kind: other.kind) }
            return Ticket(outcome: .joinedRunning, runID: other.id, kind: other.kind, task: task)
        case .joinQueued(let upgrade):
            var queued = state.queued!
            if let upgrade {
                queued.kind = upgrade
                state.queued = queued
                domains[directory] = state
            }
            return Ticket(outcome: .joinedQueued, runID: queued.id, kind: queued.kind, task: queued.task)
        case .queue(let kind):
            let id = Self.newRunID()
            let ahead = state.running?.task
            let task = Task {
                if let ahead {
                    _ = try? await ahead.value
                } else if let remote {
                    _ = try? await self.follow(remote.id, directory: directory, kind: nil)
                }
                return try await self.startQueued(directory, id: id)
            }
            state.queued = Slot(id: id, kind: kind, task: task)
            domains[directory] = state
            return Ticket(outcome: .queued, runID: id, kind: kind, task: task)
        }
    }

    static func newRunID() -> SyncRunID { SyncRunID(UUID().uuidString.lowercased()) }

    /// The queued follow-up becomes the running run (with its possibly upgraded kind) and runs.
    private func startQueued(_ directory: DirectoryID, id: SyncRunID) async throws -> SyncRunRecord {
        guard var state = domains[directory], let queued = state.queued, queued.id == id else { throw CancellationError() }
        state.running = queued
        state.queued = nil
        domains[directory] = state
        return try await runAndFinish(directory, id: id, kind: queued.kind)
    }

    private func runAndFinish(_ directory: DirectoryID, id: SyncRunID, kind: SyncKind) async throws -> SyncRunRecord {
        do {
            let record = try await run(directory, id: id, kind: kind)
            finish(directory, id: id)
            return record
        } catch {
            finish(directory, id: id)
            throw error
        }
    }

    private func finish(_ directory: DirectoryID, id: SyncRunID) {
        guard var state = domains[directory] else { return }
        if state.running?.id == id { state.running = nil }
        domains[directory] = state.running == nil && state.queued == nil ? nil : state
    }

    /// Runs under the domain's lease; while another instance holds it (it started in between, or its
    /// holder died and the lease has not expired yet) waits and tries again.
    private nonisolated func run(_ directory: DirectoryID, id: SyncRunID, kind: SyncKind) async throws -> SyncRunRecord {
        while true {
            guard let record = try await stores.directory(directory) else {
                throw StorageError(.notFound, "no domain with id \(directory)")
            }
            do {
                return try await engine.runSync(directory: directory, source: try await makeSource(record), trigger: .manual, kind: kind, runID: id)
            } catch SyncEngineError.alreadyRunning {
                try await clock.sleep(for: configuration.pollInterval)
            }
        }
    }

    /// Waits for another instance's run to end and returns its record. When the domain's lease turns out
    /// free while the run is still `running`, its holder died: with `kind`, this request runs itself
    /// (which records the dead run `interrupted`); without, it returns the dead run's record.
    private nonisolated func follow(_ runID: SyncRunID, directory: DirectoryID, kind: SyncKind?) async throws -> SyncRunRecord {
        let leaseName = SQLStore.syncLeaseName(directory)
        while true {
            guard let record = try await stores.run(runID) else { throw SyncEngineError.runNotFound }
            if record.state != .running { return record }
            if let probe = try await stores.acquireLease(leaseName, owner: configuration.probeOwner, ttl: .seconds(5)) {
                try await stores.releaseLease(probe)
                guard let again = try await stores.run(runID) else { throw SyncEngineError.runNotFound }
                if again.state != .running { return again }
                guard let kind else { return again }
                return try await run(directory, id: Self.newRunID(), kind: kind)
            }
            try await clock.sleep(for: configuration.pollInterval)
        }
    }
}
