public import Foundation

/// Deletes old run details (DESIGN.md §6: run details are kept 90 days).
public protocol SyncRunRetentionStore: Sendable {
    /// Deletes the runs that finished before `cutoff`, with their per-object outcomes, a batch of at most
    /// `batchSize` runs per transaction (a purge never holds the write lock for long).
    ///
    /// Never deleted: a run that is queued, running or awaiting approval (no `finished_at`, or an
    /// approval that is still pending), and the latest finished run of each domain (the domain's last
    /// outcome stays visible however long it has been idle). A scheduler slot that named a deleted run
    /// keeps its claim; its run link becomes null. Staging rows of runs that are not running are
    /// swept too.
    ///
    /// - Returns: How many runs were deleted.
    func purgeRuns(finishedBefore cutoff: Date, batchSize: Int) async throws -> Int
}

extension SQLStore: SyncRunRetentionStore {
    public func purgeRuns(finishedBefore cutoff: Date, batchSize: Int) async throws -> Int {
        precondition(batchSize > 0, "a purge batch holds at least one run")
        var deleted = 0
        while true {
            let batch = try await database.write { db -> Int in
                // A newer finished run of the same domain (queued time, then id: the order of the run
                // listing) is what makes a run deletable; the domain's latest finished run has none.
                let ids: [String] = try db.fetchAll("""
                    SELECT r.id FROM sync_runs r
                    WHERE r.state IN ('succeeded', 'failed', 'discarded', 'interrupted') AND r.finished_at < \(cutoff)
                      AND EXISTS (
                        SELECT 1 FROM sync_runs newer
                        WHERE newer.directory_id = r.directory_id
                          AND newer.state IN ('succeeded', 'failed', 'discarded', 'interrupted')
                          AND (newer.queued_at > r.queued_at OR (newer.queued_at = r.queued_at AND newer.id > r.id)))
                    ORDER BY r.finished_at, r.id
                    LIMIT \(batchSize)
                    """).map { try $0.decode("id") }
                guard !ids.isEmpty else { return 0 }
                // Outcome rows and staging go explicitly rather than through ON DELETE CASCADE alone, so
                // the purge does not depend on a connection's foreign-key setting.
                try db.execute("DELETE FROM sync_run_objects WHERE run_id IN (\(list: ids))")
                try db.execute("DELETE FROM sync_staging_members WHERE run_id IN (\(list: ids))")
                try db.execute("DELETE FROM sync_staging_groups WHERE run_id IN (\(list: ids))")
                try db.execute("DELETE FROM sync_staging_users WHERE run_id IN (\(list: ids))")
                try db.execute("UPDATE scheduler_slots SET run_id = NULL WHERE run_id IN (\(list: ids))")
                return try db.execute("DELETE FROM sync_runs WHERE id IN (\(list: ids))")
            }
            deleted += batch
            if batch < batchSize { break }
        }
        // Staging rows of runs that are not running (staging does not reference its run, migration
        // 0004): left by a domain deleted while its run was staging on another instance. Such a run can
        // never apply them.
        try await database.write { db in
            for table in ["sync_staging_members", "sync_staging_groups", "sync_staging_users"] as [SQL] {
                try db.execute("DELETE FROM \(table) WHERE run_id NOT IN (SELECT id FROM sync_runs WHERE state = 'running')")
            }
        }
        return deleted
    }
}
