public import Foundation
public import PierCore

extension SQLStore: SyncRunStore {
    public func startRun(
        id: SyncRunID, directory: DirectoryID, trigger: SyncTrigger, kind: SyncKind, lease: Lease, at date: Date
    ) async throws -> SyncRunRecord {
        try await database.write { db in
            try Self.checkFence(lease, in: db)
            // Whoever left a run `running` no longer holds the lease (we do): that run was interrupted.
            try db.execute("""
                UPDATE sync_runs SET state = 'interrupted', finished_at = \(date),
                    error = \(#"{"code":"interrupted","message":"The run stopped before it finished (its lease expired)."}"#)
                WHERE directory_id = \(directory.rawValue) AND state = 'running'
                """)
            try Self.dropStaging(ofRunsIn: directory, except: nil, in: db)
            try db.execute("""
                INSERT INTO sync_runs (id, directory_id, trigger, kind, state, queued_at, started_at, fence, lease_owner, progress, counts)
                VALUES (\(id.rawValue), \(directory.rawValue), \(trigger.rawValue), \(kind.rawValue), 'running', \(date), \(date),
                    \(lease.fence), \(lease.owner), \(try Self.json(SyncProgress(phase: "starting"))), \(try Self.json(SyncCounts())))
                """)
            guard let row = try db.fetchOne("\(Self.runColumns) WHERE id = \(id.rawValue)") else {
                throw StorageError(.notFound, "run \(id) vanished inside its own transaction")
            }
            return try Self.run(from: row)
        }
    }

    public func run(_ id: SyncRunID) async throws -> SyncRunRecord? {
        try await database.read { db in try db.fetchOne("\(Self.runColumns) WHERE id = \(id.rawValue)").map(Self.run(from:)) }
    }

    public func runs(of directory: DirectoryID, limit: Int) async throws -> [SyncRunRecord] {
        try await database.read { db in
            try db.fetchAll("""
                \(Self.runColumns) WHERE directory_id = \(directory.rawValue) ORDER BY queued_at DESC, id DESC LIMIT \(max(0, limit))
                """).map(Self.run(from:))
        }
    }

    /// A page of a domain's runs, newest first (queued time, then id, both descending), for the API's
    /// cursor paging. Not part of ``SyncRunStore``: only the API pages through history.
    ///
    /// - Parameters:
    ///   - after: The position of the last run of the previous page (its queued time and id), or nil.
    ///   - limit: The page size (at least 1).
    /// - Returns: The page and, when more runs exist, the position to continue after.
    public func runs(of directory: DirectoryID, after: ListingPosition?, limit: Int) async throws -> ListingPage<SyncRunRecord> {
        var filter: SQL = "WHERE directory_id = \(directory.rawValue)"
        if let after {
            // Timestamps are fixed-width UTC text (Timestamp), so text order is time order on every backend.
            filter.append(" AND (queued_at < \(after.sortKey) OR (queued_at = \(after.sortKey) AND id < \(after.id)))")
        }
        let limit = max(1, limit)
        let sql: SQL = "\(Self.runColumns) \(filter) ORDER BY queued_at DESC, id DESC LIMIT \(limit + 1)"
        let rows = try await database.read { db in try db.fetchAll(sql).map(Self.run(from:)) }
        guard rows.count > limit else { return ListingPage(items: rows, next: nil) }
        let items = Array(rows.prefix(limit))
        return ListingPage(items: items, next: items.last.map { ListingPosition(sortKey: Timestamp.format($0.queuedAt), id: $0.id.rawValue) })
    }

    public func updateProgress(_ id: SyncRunID, _ progress: SyncProgress, oktaRequests: Int, rateLimitWaitSeconds: Double, at date: Date) async throws {
        let json = try Self.json(progress)
        try await database.write { db in
            try db.execute("""
                UPDATE sync_runs SET progress = \(json), progress_updated_at = \(date), okta_requests = \(oktaRequests),
                    rate_limit_wait_seconds = \(rateLimitWaitSeconds)
                WHERE id = \(id.rawValue) AND state = 'running'
                """)
        }
    }

    public func endRun(_ id: SyncRunID, _ ending: SyncRunEnding, at date: Date) async throws {
        precondition(ending.state == .failed || ending.state == .interrupted, "endRun is for runs that did not apply")
        let error = try ending.error.map(Self.json)
        try await database.write { db in
            try db.execute("""
                UPDATE sync_runs SET state = \(ending.state.rawValue), finished_at = \(date), error = \(error),
                    okta_requests = \(ending.oktaRequests), rate_limit_wait_seconds = \(ending.rateLimitWaitSeconds)
                WHERE id = \(id.rawValue) AND state = 'running'
                """)
            try Self.dropStaging(of: id, in: db)
        }
    }

    public func runObjects(_ id: SyncRunID) async throws -> [SyncRunObject] {
        try await database.read { db in
            try db.fetchAll("""
                SELECT object_kind, okta_id, pier_id, outcome, reason FROM sync_run_objects WHERE run_id = \(id.rawValue) ORDER BY id
                """).map { row in
                SyncRunObject(
                    kind: SyncRunObject.Kind(rawValue: try row.decode("object_kind")) ?? .user, oktaID: try row.decode("okta_id"),
                    pierID: try row.decode("pier_id"), outcome: try row.decode("outcome"), reason: try row.decode("reason")
                )
            }
        }
    }

    // MARK: - Helpers

    static func dropStaging(of run: SyncRunID, in db: any DatabaseConnection) throws {
        try db.execute("DELETE FROM sync_staging_members WHERE run_id = \(run.rawValue)")
        try db.execute("DELETE FROM sync_staging_groups WHERE run_id = \(run.rawValue)")
        try db.execute("DELETE FROM sync_staging_users WHERE run_id = \(run.rawValue)")
    }

    /// Drops staging rows left by earlier runs of a domain (a killed process leaves them behind).
    static func dropStaging(ofRunsIn directory: DirectoryID, except keep: SyncRunID?, in db: any DatabaseConnection) throws {
        let runs: SQL = "SELECT id FROM sync_runs WHERE directory_id = \(directory.rawValue) AND id <> \(keep?.rawValue ?? "")"
        try db.execute("DELETE FROM sync_staging_members WHERE run_id IN (\(runs))")
        try db.execute("DELETE FROM sync_staging_groups WHERE run_id IN (\(runs))")
        try db.execute("DELETE FROM sync_staging_users WHERE run_id IN (\(runs))")
    }

    static let runColumns: SQL = """
        SELECT id, directory_id, trigger, kind, state, queued_at, started_at, finished_at, counts, held, okta_requests,
            rate_limit_wait_seconds, error, progress, fence FROM sync_runs
        """

    static func run(from row: Row) throws -> SyncRunRecord {
        func enumValue<T: RawRepresentable>(_ column: String, _ type: T.Type) throws -> T where T.RawValue == String {
            guard let value = T(rawValue: try row.decode(column)) else {
                throw StorageError(.decoding, "column '\(column)' holds an unknown \(T.self)")
            }
            return value
        }
        return SyncRunRecord(
            id: SyncRunID(try row.decode("id", as: String.self)),
            directoryID: DirectoryID(try row.decode("directory_id", as: String.self)),
            trigger: try enumValue("trigger", SyncTrigger.self), kind: try enumValue("kind", SyncKind.self),
            state: try enumValue("state", SyncRunState.self),
            queuedAt: try row.decode("queued_at"), startedAt: try row.decode("started_at"), finishedAt: try row.decode("finished_at"),
            counts: try decodeJSON(SyncCounts.self, try row.decode("counts")),
            held: try (row.decode("held", as: String?.self)).map { try decodeJSON(SyncHeld.self, $0) },
            oktaRequests: try row.decode("okta_requests"), rateLimitWaitSeconds: try row.decode("rate_limit_wait_seconds"),
            error: try (row.decode("error", as: String?.self)).map { try decodeJSON(SyncRunError.self, $0) },
            progress: try (row.decode("progress", as: String?.self)).map { try decodeJSON(SyncProgress.self, $0) },
            fence: try row.decode("fence")
        )
    }
}
