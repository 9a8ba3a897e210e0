public import Foundation
public import PierCore

/// How a sync request was served (DESIGN.md §8).
public enum SyncRequestDisposition: String, Hashable, Sendable {
    /// Nothing was running or queued: a new run was queued and starts as soon as an instance takes the
    /// domain's lease (normally at once).
    case started
    /// A run of a kind that does not cover the request is running: one follow-up was queued behind it.
    case queued
    /// Joined the running run (it covers the request).
    case joinedRunning
    /// Joined the queued run (upgraded to full when the request was full).
    case joinedQueued

    /// Whether the request created a run (the API's 202) rather than joining one (200).
    public var isNewRun: Bool { self == .started || self == .queued }
}

/// Sync requests as run rows, so every instance on the database sees and serves them (DESIGN.md §8).
///
/// A requested run is a `sync_runs` row in state `queued`; whichever instance first takes the domain's
/// lease turns it `running` (``startQueuedRun(_:lease:requireFull:at:)``) and runs it. The partial unique
/// index `sync_runs_one_active_per_state` allows one queued and one running run per domain, so two
/// concurrent requests on two instances cannot both queue: one inserts, the other joins.
public protocol SyncQueueStore: Sendable {
    /// Serves a request in one transaction: first interrupts the domain's running run if its lease
    /// expired, then joins the running run when it covers `kind`, else joins (or upgrades) the queued run,
    /// else queues a new run with id `id` (``SyncRequestResolution``).
    ///
    /// - Parameter kind: nil for the default (``SyncKind/defaultKind(lastFullSuccess:hasWatermark:now:fullEvery:)``
    ///   with the domain's schedule's `fullEvery`).
    /// - Throws: `StorageError.notFound` for an unknown domain.
    func requestSync(
        _ directory: DirectoryID, kind: SyncKind?, trigger: SyncTrigger, id: SyncRunID, at date: Date
    ) async throws -> (run: SyncRunRecord, disposition: SyncRequestDisposition)

    /// Turns a queued run `running` under `lease` (the domain's; the fence is checked), after marking a
    /// running run of the domain whose holder lost the lease `interrupted`. A queued incremental run becomes
    /// full when `requireFull` (the domain has no watermark).
    ///
    /// - Returns: the running run, or nil when the run is no longer queued (another instance ran it).
    /// - Throws: `StorageError.conflict` when the lease is not held.
    func startQueuedRun(_ id: SyncRunID, lease: Lease, requireFull: Bool, at date: Date) async throws -> SyncRunRecord?

    /// Queued runs, oldest first, of domains whose sync lease is free (no run is going on).
    func runnableQueuedRuns() async throws -> [SyncRunRecord]

    /// Ends a queued run that cannot start (its domain's stored settings cannot make an Okta connection)
    /// as `failed` with `error`, so it neither blocks the queue nor is retried on every poll.
    ///
    /// - Returns: the failed run, or nil when it was no longer queued (another instance started it).
    func failQueuedRun(_ id: SyncRunID, error: SyncRunError, at date: Date) async throws -> SyncRunRecord?

    /// Marks `interrupted` every `running` run whose lease expired or passed to another holder (its
    /// process died or lost the lease; it cannot commit any more), and drops its staging.
    ///
    /// - Returns: the runs marked.
    @discardableResult
    func interruptAbandonedRuns(at date: Date) async throws -> [SyncRunID]
}

extension SQLStore: SyncQueueStore {
    /// The `error` of a run whose lease expired before it finished.
    static let leaseExpiredError = #"{"code":"interrupted","message":"The run stopped before it finished (its lease expired); nothing was changed."}"#

    public func requestSync(
        _ directory: DirectoryID, kind: SyncKind?, trigger: SyncTrigger, id: SyncRunID, at date: Date
    ) async throws -> (run: SyncRunRecord, disposition: SyncRequestDisposition) {
        // Within an instance writes are serialized; across PostgreSQL instances SERIALIZABLE makes one of
        // two racing requests fail (usually 40001, re-run by the writer; else the unique index's
        // `conflict`). Either way the request is decided again on what the other committed.
        var attempt = 0
        while true {
            do {
                return try await database.write { db in try Self.requestSync(directory, kind: kind, trigger: trigger, id: id, at: date, in: db) }
            } catch StorageError.conflict where attempt < 3 {
                attempt += 1
            }
        }
    }

    static func requestSync(
        _ directory: DirectoryID, kind: SyncKind?, trigger: SyncTrigger, id: SyncRunID, at date: Date, in db: any DatabaseConnection
    ) throws -> (run: SyncRunRecord, disposition: SyncRequestDisposition) {
        let d = directory.rawValue
        guard let domain = try db.fetchOne("SELECT schedule, watermark, last_full_sync_at FROM directories WHERE id = \(d)") else {
            throw StorageError(.notFound, "no domain with id \(directory)")
        }
        _ = try interruptAbandonedRuns(of: directory, at: date, in: db)
        let requested = try kind ?? SyncKind.defaultKind(
            lastFullSuccess: domain.decode("last_full_sync_at", as: Date?.self),
            hasWatermark: domain.decode("watermark", as: Date?.self) != nil, now: date,
            fullEvery: decodeJSON(SyncSchedule.self, domain.decode("schedule")).fullEvery)
        let running = try db.fetchOne("\(runColumns) WHERE directory_id = \(d) AND state = 'running'").map(run(from:))
        let queued = try db.fetchOne("\(runColumns) WHERE directory_id = \(d) AND state = 'queued'").map(run(from:))

        switch SyncRequestResolution.resolve(requested: requested, running: running?.kind, queued: queued?.kind) {
        case .joinRunning:
            return (running!, .joinedRunning)
        case .joinQueued(let upgrade):
            var joined = queued!
            if let upgrade {
                try db.execute("UPDATE sync_runs SET kind = \(upgrade.rawValue) WHERE id = \(joined.id.rawValue) AND state = 'queued'")
                joined.kind = upgrade
            }
            return (joined, .joinedQueued)
        case .start(let kind), .queue(let kind):
            try db.execute("""
                INSERT INTO sync_runs (id, directory_id, trigger, kind, state, queued_at, counts)
                VALUES (\(id.rawValue), \(d), \(trigger.rawValue), \(kind.rawValue), 'queued', \(date), \(try json(SyncCounts())))
                """)
            guard let row = try db.fetchOne("\(runColumns) WHERE id = \(id.rawValue)") else {
                throw StorageError(.notFound, "run \(id) vanished inside its own transaction")
            }
            return (try run(from: row), running == nil ? .started : .queued)
        }
    }

    public func startQueuedRun(_ id: SyncRunID, lease: Lease, requireFull: Bool, at date: Date) async throws -> SyncRunRecord? {
        try await database.write { db in
            try Self.checkFence(lease, in: db)
            guard let row = try db.fetchOne("SELECT directory_id, kind FROM sync_runs WHERE id = \(id.rawValue) AND state = 'queued'") else {
                return nil
            }
            let directory = DirectoryID(try row.decode("directory_id", as: String.self))
            let kind = requireFull ? SyncKind.full.rawValue : try row.decode("kind", as: String.self)
            precondition(lease.name == Self.syncLeaseName(directory), "a queued run starts under its own domain's lease")
            // Whoever left a run `running` no longer holds the lease (we do): that run was interrupted.
            try db.execute("""
                UPDATE sync_runs SET state = 'interrupted', finished_at = \(date), error = \(Self.leaseExpiredError)
                WHERE directory_id = \(directory.rawValue) AND state = 'running'
                """)
            try Self.dropStaging(ofRunsIn: directory, except: id, in: db)
            try db.execute("""
                UPDATE sync_runs SET state = 'running', started_at = \(date), fence = \(lease.fence), lease_owner = \(lease.owner),
                    progress = \(try Self.json(SyncProgress(phase: "starting"))), progress_updated_at = \(date), kind = \(kind)
                WHERE id = \(id.rawValue) AND state = 'queued'
                """)
            guard let started = try db.fetchOne("\(Self.runColumns) WHERE id = \(id.rawValue)") else {
                throw StorageError(.notFound, "run \(id) vanished inside its own transaction")
            }
            return try Self.run(from: started)
        }
    }

    public func runnableQueuedRuns() async throws -> [SyncRunRecord] {
        try await database.read { db in
            let now = try Self.databaseNow(db)
            return try db.fetchAll("""
                \(Self.runColumns) WHERE state = 'queued' AND NOT EXISTS (
                    SELECT 1 FROM leases l WHERE l.name = \(Self.syncLeasePrefix) || sync_runs.directory_id AND l.expires_at > \(now))
                ORDER BY queued_at, id
                """).map(Self.run(from:))
        }
    }

    public func failQueuedRun(_ id: SyncRunID, error: SyncRunError, at date: Date) async throws -> SyncRunRecord? {
        let error = try Self.json(error)
        return try await database.write { db in
            let changed = try db.execute("""
                UPDATE sync_runs SET state = 'failed', started_at = \(date), finished_at = \(date), error = \(error)
                WHERE id = \(id.rawValue) AND state = 'queued'
                """)
            guard changed > 0 else { return nil }
            return try db.fetchOne("\(Self.runColumns) WHERE id = \(id.rawValue)").map(Self.run(from:))
        }
    }

    public func interruptAbandonedRuns(at date: Date) async throws -> [SyncRunID] {
        // Look first (a read), write only when there is something to mark: every instance polls this.
        let candidates = try await database.read { db in
            try db.fetchAll(Self.abandonedRuns(directory: nil, now: try Self.databaseNow(db)))
                .map { DirectoryID(try $0.decode("directory_id", as: String.self)) }
        }
        guard !candidates.isEmpty else { return [] }
        return try await database.write { db in
            var marked: [SyncRunID] = []
            for directory in Set(candidates) { marked += try Self.interruptAbandonedRuns(of: directory, at: date, in: db) }
            return marked
        }
    }

    /// Marks the domain's abandoned running run (if any) `interrupted` and drops its staging.
    static func interruptAbandonedRuns(of directory: DirectoryID, at date: Date, in db: any DatabaseConnection) throws -> [SyncRunID] {
        let abandoned = try db.fetchAll(abandonedRuns(directory: directory, now: try databaseNow(db)))
            .map { SyncRunID(try $0.decode("id", as: String.self)) }
        for run in abandoned {
            try db.execute("""
                UPDATE sync_runs SET state = 'interrupted', finished_at = \(date), error = \(leaseExpiredError)
                WHERE id = \(run.rawValue) AND state = 'running'
                """)
            try dropStaging(of: run, in: db)
        }
        return abandoned
    }

    /// Running runs whose lease (same name, owner and fence) is no longer live by the database's clock.
    private static func abandonedRuns(directory: DirectoryID?, now: Date) -> SQL {
        let scope: SQL = directory.map { "AND r.directory_id = \($0.rawValue)" } ?? ""
        return """
            SELECT r.id, r.directory_id FROM sync_runs r
            WHERE r.state = 'running' \(scope) AND NOT EXISTS (
                SELECT 1 FROM leases l
                WHERE l.name = \(syncLeasePrefix) || r.directory_id AND l.owner = r.lease_owner AND l.fence = r.fence
                    AND l.expires_at > \(now))
            """
    }

    /// ``syncLeaseName(_:)`` without the id, for SQL that names every domain's lease.
    static var syncLeasePrefix: String { syncLeaseName(DirectoryID("")) }
}
