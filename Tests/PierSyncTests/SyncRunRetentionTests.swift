import Foundation
import PierCore
import PierLogging
import PierStorage
import PierSync
import PierTestSupport
import Testing

/// Run details are kept 90 days (DESIGN.md §6), on every backend, aged by an injected clock.
struct SyncRunRetentionTests {
    static let day: TimeInterval = 86_400

    /// Inserts a run row (and `objects` per-object outcome rows) as the engine leaves them: `age` is how
    /// long before `now` it was queued; a finished run finished a minute after it was queued.
    static func insertRun(
        _ database: any DatabaseWriter, _ id: String, directory: DirectoryID, state: SyncRunState, age: TimeInterval,
        now: Date, objects: Int = 0
    ) async throws {
        let queued = now.addingTimeInterval(-age)
        let started: Date? = state == .queued ? nil : queued
        let finished: Date? = [.queued, .running, .awaitingApproval].contains(state) ? nil : queued.addingTimeInterval(60)
        let counts = String(decoding: try JSONEncoder().encode(SyncCounts()), as: UTF8.self)
        try await database.write { db in
            try db.execute("""
                INSERT INTO sync_runs (id, directory_id, trigger, kind, state, queued_at, started_at, finished_at, counts)
                VALUES (\(id), \(directory.rawValue), 'schedule', 'full', \(state.rawValue), \(queued), \(started), \(finished), \(counts))
                """)
            for index in 0..<objects {
                try db.execute("""
                    INSERT INTO sync_run_objects (run_id, object_kind, okta_id, outcome, reason, at)
                    VALUES (\(id), 'user', \("00u\(id)\(index)"), 'skipped', 'not_activated', \(queued))
                    """)
            }
        }
    }

    static func runIDs(_ database: any DatabaseWriter) async throws -> Set<String> {
        try await database.read { db in Set(try db.fetchAll("SELECT id FROM sync_runs").map { try $0.decode("id") }) }
    }

    static func objectRuns(_ database: any DatabaseWriter) async throws -> [String: Int] {
        try await database.read { db in
            Dictionary(uniqueKeysWithValues: try db.fetchAll("SELECT run_id, count(*) AS n FROM sync_run_objects GROUP BY run_id").map {
                (try $0.decode("run_id") as String, try $0.decode("n") as Int)
            })
        }
    }

    @Test(arguments: StorageBackend.available)
    func runDetailsOlderThan90DaysGoExceptTheLatestAndUnfinishedRuns(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let a = try await SyncEngineTests.makeDirectory(store, id: "dir-a", org: "00oA")
            let b = try await SyncEngineTests.makeDirectory(store, id: "dir-b", org: "00oB")
            let c = try await SyncEngineTests.makeDirectory(store, id: "dir-c", org: "00oC")
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            let clock = VirtualClock(start: start)
            let day = Self.day

            // Domain A: two expired runs, one kept a little longer, the latest, and an old pending approval.
            try await Self.insertRun(database, "a-old-succeeded", directory: a, state: .succeeded, age: 100 * day, now: start, objects: 3)
            try await Self.insertRun(database, "a-old-failed", directory: a, state: .failed, age: 95 * day, now: start, objects: 2)
            try await Self.insertRun(database, "a-boundary", directory: a, state: .succeeded, age: 90 * day - 60, now: start, objects: 1)
            try await Self.insertRun(database, "a-young", directory: a, state: .succeeded, age: 10 * day, now: start, objects: 1)
            try await Self.insertRun(database, "a-latest", directory: a, state: .discarded, age: 1 * day, now: start)
            try await Self.insertRun(database, "a-held", directory: a, state: .awaitingApproval, age: 120 * day, now: start, objects: 4)
            // Domain B: its only finished run is 200 days old (kept: the latest), a run queued long ago.
            try await Self.insertRun(database, "b-only", directory: b, state: .succeeded, age: 200 * day, now: start, objects: 2)
            try await Self.insertRun(database, "b-queued", directory: b, state: .queued, age: 100 * day, now: start)
            // Domain C: an expired run, an old interrupted one that is its latest finished, a running one.
            try await Self.insertRun(database, "c-oldest", directory: c, state: .succeeded, age: 300 * day, now: start, objects: 1)
            try await Self.insertRun(database, "c-interrupted", directory: c, state: .interrupted, age: 150 * day, now: start)
            try await Self.insertRun(database, "c-running", directory: c, state: .running, age: 91 * day, now: start)
            // A scheduler slot claimed for an expired run keeps its claim (its fire must not run again).
            try await database.write { db in
                try db.execute("""
                    INSERT INTO scheduler_slots (directory_id, scheduled_for, claimed_by, claimed_at, run_id)
                    VALUES (\(c.rawValue), \(start.addingTimeInterval(-300 * day)), 'instance-a', \(start.addingTimeInterval(-300 * day)), 'c-oldest')
                    """)
            }

            var configuration = SyncRunRetention<VirtualClock>.Configuration()
            configuration.batchSize = 1  // several batches, each its own transaction
            let retention = SyncRunRetention(store: store, clock: clock, now: { clock.date }, logger: .disabled(), configuration: configuration)
            #expect(try await retention.purge() == 3)
            #expect(try await Self.runIDs(database) == [
                "a-boundary", "a-young", "a-latest", "a-held", "b-only", "b-queued", "c-interrupted", "c-running",
            ])
            #expect(try await Self.objectRuns(database) == ["a-boundary": 1, "a-young": 1, "a-held": 4, "b-only": 2])
            let slot = try await database.read { db in try db.fetchOne("SELECT claimed_by, run_id FROM scheduler_slots") }
            #expect(try slot?.decode("claimed_by") == "instance-a")
            #expect(try slot?.decode("run_id", as: String?.self) == nil)
            #expect(try await retention.purge() == 0)

            // 81 days later (the injected clock moves): the boundary and young runs of A have expired; A's
            // latest run (82 days old) and everything unfinished stay.
            try await clock.sleep(for: .seconds(81 * day))
            #expect(try await retention.purge() == 2)
            #expect(try await Self.runIDs(database) == ["a-latest", "a-held", "b-only", "b-queued", "c-interrupted", "c-running"])
            #expect(try await Self.objectRuns(database) == ["a-held": 4, "b-only": 2])
            // The domains themselves and the API's view of their last run are untouched.
            #expect(try await store.runs(of: a, limit: 10).map(\.id.rawValue) == ["a-latest", "a-held"])
            #expect(try await store.runs(of: b, limit: 1).first?.id.rawValue == "b-queued")
        }
    }

    @Test(arguments: StorageBackend.available)
    func theRetentionLoopPurgesOnItsIntervalUntilCancelled(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let a = try await SyncEngineTests.makeDirectory(store)
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            let clock = VirtualClock(start: start)
            try await Self.insertRun(database, "expires-later", directory: a, state: .succeeded, age: 89 * Self.day, now: start, objects: 2)
            try await Self.insertRun(database, "latest", directory: a, state: .succeeded, age: 0, now: start)
            let retention = SyncRunRetention(store: store, clock: clock, now: { clock.date }, logger: .disabled())
            // The loop's 6-hour sleeps pass at once on the virtual clock; it must delete the run once it
            // is older than 90 days (after the fifth interval, 90.25 days) and keep running until cancelled.
            let loop = Task { await retention.run() }
            var gone = false
            for _ in 0..<2000 where !gone {
                gone = try await !Self.runIDs(database).contains("expires-later")
                if !gone { try await Task.sleep(for: .milliseconds(5)) }
            }
            loop.cancel()
            await loop.value
            #expect(gone)
            #expect(clock.date.timeIntervalSince(start) >= Self.day)
            #expect(try await Self.runIDs(database) == ["latest"])
            #expect(try await Self.objectRuns(database).isEmpty)
        }
    }

    /// Staging rows do not reference their run (migration 0004): a staging write checks its run instead,
    /// and the purge sweeps rows of runs that are not running (left by a domain deleted mid-run on
    /// another instance), keeping a running run's.
    @Test(arguments: StorageBackend.available)
    func stagingNeedsARunningRunAndThePurgeSweepsStagingOfRunsNotRunning(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let a = try await SyncEngineTests.makeDirectory(store, id: "dir-a", org: "00oA")
            let now = Date(timeIntervalSince1970: 1_790_000_000)
            try await Self.insertRun(database, "a-running", directory: a, state: .running, age: 60, now: now)
            try await Self.insertRun(database, "a-failed", directory: a, state: .failed, age: 30, now: now)
            let user = DirectoryUserRecord(oktaID: OktaUserID("00u1"), oktaStatus: "ACTIVE", login: "a@example.com")

            try await store.stageUsers([user], run: SyncRunID("a-running"))
            try await store.stageMembers([OktaUserID("00u1")], of: OktaGroupID("00g1"), complete: true, run: SyncRunID("a-running"))
            for run in ["a-failed", "no-such-run"] {
                let error = try await #require(throws: StorageError.self) {
                    try await store.stageUsers([user], run: SyncRunID(run))
                }
                #expect(error.code == .conflict, "staging into \(run)")
                await #expect(throws: StorageError.self) {
                    try await store.stageGroups([(DirectoryGroupRecord(oktaID: OktaGroupID("00g1"), name: "G", description: nil, type: "OKTA_GROUP"), 1)], run: SyncRunID(run))
                }
                await #expect(throws: StorageError.self) {
                    try await store.stageMembers([OktaUserID("00u1")], of: OktaGroupID("00g1"), complete: true, run: SyncRunID(run))
                }
            }
            // Rows left behind as if by a run deleted while it staged.
            try await database.write { db in
                try db.execute("INSERT INTO sync_staging_users (run_id, okta_id, okta_status, login) VALUES ('gone', '00u2', 'ACTIVE', 'b@example.com')")
                try db.execute("INSERT INTO sync_staging_members (run_id, group_okta_id, user_okta_id) VALUES ('a-failed', '00g1', '00u2')")
            }

            _ = try await store.purgeRuns(finishedBefore: now.addingTimeInterval(-90 * Self.day), batchSize: 10)
            let staged: [String] = try await database.read { db in
                try db.fetchAll("""
                    SELECT run_id FROM sync_staging_users UNION ALL SELECT run_id FROM sync_staging_groups
                    UNION ALL SELECT run_id FROM sync_staging_members
                    """).map { try $0.decode("run_id") }
            }
            #expect(staged.sorted() == ["a-running", "a-running"])
        }
    }
}
