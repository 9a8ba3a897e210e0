public import Foundation
public import PierCore

/// Scheduler slots (DESIGN.md §8): an instance claims a unique (domain, scheduled-for) slot before it
/// starts a scheduled run, so several instances never start the same fire twice.
public protocol SchedulerSlotStore: Sendable {
    /// Claims a slot; `false` when another instance (or an earlier tick) already has it.
    func claimSlot(directory: DirectoryID, scheduledFor: Date, owner: String, at date: Date) async throws -> Bool

    /// The latest claimed fire time of a domain (the scheduler's "last checked" across restarts), or nil.
    func latestSlot(directory: DirectoryID) async throws -> Date?

    /// Links a slot to the run it started.
    func attachRun(_ run: SyncRunID, directory: DirectoryID, scheduledFor: Date) async throws

    /// Records a scheduled fire that could not start (its domain's settings cannot make an Okta
    /// connection) as a `failed` run with `error`, linked to its slot, so the domain's run list says why
    /// the scheduled sync did not happen.
    ///
    /// - Returns: the failed run.
    func recordUnstartedFire(
        _ run: SyncRunID, directory: DirectoryID, scheduledFor: Date, kind: SyncKind, error: SyncRunError, at date: Date
    ) async throws -> SyncRunRecord
}

extension SQLStore: SchedulerSlotStore {
    public func claimSlot(directory: DirectoryID, scheduledFor: Date, owner: String, at date: Date) async throws -> Bool {
        try await database.write { db in
            try db.execute("""
                INSERT INTO scheduler_slots (directory_id, scheduled_for, claimed_by, claimed_at)
                VALUES (\(directory.rawValue), \(scheduledFor), \(owner), \(date))
                ON CONFLICT (directory_id, scheduled_for) DO NOTHING
                """) == 1
        }
    }

    public func latestSlot(directory: DirectoryID) async throws -> Date? {
        try await database.read { db in
            try db.fetchOne("""
                SELECT scheduled_for FROM scheduler_slots WHERE directory_id = \(directory.rawValue)
                ORDER BY scheduled_for DESC LIMIT 1
                """).map { try $0.decode("scheduled_for", as: Date.self) }
        }
    }

    public func attachRun(_ run: SyncRunID, directory: DirectoryID, scheduledFor: Date) async throws {
        try await database.write { db in
            try db.execute("""
                UPDATE scheduler_slots SET run_id = \(run.rawValue)
                WHERE directory_id = \(directory.rawValue) AND scheduled_for = \(scheduledFor)
                """)
        }
    }

    public func recordUnstartedFire(
        _ run: SyncRunID, directory: DirectoryID, scheduledFor: Date, kind: SyncKind, error: SyncRunError, at date: Date
    ) async throws -> SyncRunRecord {
        let error = try Self.json(error)
        let counts = try Self.json(SyncCounts())
        return try await database.write { db in
            try db.execute("""
                INSERT INTO sync_runs (id, directory_id, trigger, kind, state, queued_at, started_at, finished_at, counts, error)
                VALUES (\(run.rawValue), \(directory.rawValue), 'schedule', \(kind.rawValue), 'failed', \(date), \(date), \(date),
                    \(counts), \(error))
                """)
            try db.execute("""
                UPDATE scheduler_slots SET run_id = \(run.rawValue)
                WHERE directory_id = \(directory.rawValue) AND scheduled_for = \(scheduledFor)
                """)
            guard let row = try db.fetchOne("\(Self.runColumns) WHERE id = \(run.rawValue)") else {
                throw StorageError(.notFound, "run \(run) vanished inside its own transaction")
            }
            return try Self.run(from: row)
        }
    }
}
