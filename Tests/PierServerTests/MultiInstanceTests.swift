import Foundation
import PierHTTP
import PierPostgres
import PierStorage
import PierTestSupport
import Testing

/// Two real `pier serve` processes on one PostgreSQL database (issue 7, DESIGN.md §8): a schedule fires
/// once, Sync Now on both yields one run whose live progress both show, a killed lease holder's run ends
/// `interrupted` and the other instance runs the next sync, and migrations racing at start apply once.
/// Each test gets a database of its own and an in-process Okta simulator; the instances run with short
/// hidden timings (`PIER_SYNC_LEASE_TTL_SECONDS=3`, ticks every second, no jitter).
@Suite(.serialized, .enabled(
    if: StorageBackend.postgresURL != nil,
    "two pier serve processes need a shared PostgreSQL database: PIER_TEST_POSTGRES_URL is not set (scripts/postgres-test-server start prints one; CI always sets it)"))
struct MultiInstanceTests {
    /// (e) Both processes start with `--migrate` on an empty database at the same moment: both listen,
    /// every migration is applied exactly once (by one of them), and both answer on the shared data.
    @Test func migrationsRacingAtStartApplyOnceAndBothInstancesStart() async throws {
        try await PierCluster.run { cluster in
            let applied = try await cluster.store.database.read { db in
                try db.fetchAll("SELECT id FROM schema_migrations ORDER BY id").map { row -> String in try row.decode("id") }
            }
            #expect(applied == PostgresMigrations.all.map(\.id))
            let logged = cluster.instances.flatMap(\.lines).filter { $0.contains("\"Migration applied\"") }
            #expect(logged.count == PostgresMigrations.all.count, "each migration applied once across both: \(logged)")
            for id in PostgresMigrations.all.map(\.id) {
                #expect(logged.filter { $0.contains("\"db.migration\":\"\(id)\"") }.count == 1, "\(id)")
            }
            for index in 0..<2 {
                #expect(try await get(try cluster.instances[index].baseURL + "/readyz").status == 200)
                #expect(try await cluster.api(index).call(.get, "/api/v1/domains").status == 200, "the token made in the shared database works on both")
            }
        }
    }

    /// (a) An hourly domain whose fire is due: both instances tick every second, one claims the
    /// (domain, fire) slot, and exactly one scheduled run happens.
    @Test func aScheduleFiresOnceNotTwice() async throws {
        try await PierCluster.run { cluster in
            let domain = try await cluster.addDomain(schedule: ["frequency": "hourly", "everyHours": 1])
            let initial = try await cluster.waitForLatestRun(domain)
            #expect(initial["trigger"] as? String == "initial" && initial["state"] as? String == "succeeded", "\(initial)")

            // The domain "was added three hours ago": the latest hourly fire is due on both instances.
            try await cluster.store.database.write { db in
                try db.execute("UPDATE directories SET created_at = \(Date().addingTimeInterval(-3 * 3600)) WHERE id = \(domain)")
            }
            let deadline = ContinuousClock.now + .seconds(60)
            var scheduled: [[String: Any]] = []
            while scheduled.isEmpty {
                guard ContinuousClock.now < deadline else { throw MultiInstanceError.timeout("no scheduled run") }
                try await Task.sleep(for: .milliseconds(200))
                let runs = try await cluster.api(1).call(.get, "/api/v1/domains/\(domain)/sync-runs", template: "/api/v1/domains/{id}/sync-runs")
                scheduled = runs.items.filter { $0["trigger"] as? String == "schedule" }
            }
            let run = try await cluster.waitForRun(try #require(scheduled.first?["id"] as? String), on: 0)
            #expect(run["state"] as? String == "succeeded", "\(run)")
            // Several more ticks on both instances: the fire is not started again.
            try await Task.sleep(for: .seconds(4))
            let runs = try await cluster.api(0).call(.get, "/api/v1/domains/\(domain)/sync-runs", template: "/api/v1/domains/{id}/sync-runs")
            #expect(runs.items.filter { $0["trigger"] as? String == "schedule" }.count == 1)
            #expect(runs.items.count == 2)
            let slots = try await cluster.store.database.read { db in
                try db.fetchAll("SELECT claimed_by, run_id FROM scheduler_slots WHERE directory_id = \(domain)")
                    .map { row -> (String, String?) in (try row.decode("claimed_by"), try row.decode("run_id")) }
            }
            #expect(slots.count == 1)
            #expect(slots.first?.1 == run["id"] as? String, "the slot names its run")
            // Had both instances claimed the fire, the second would have met the first's lease and said so.
            let joined = cluster.instances.flatMap(\.lines).filter { $0.contains("scheduled sync joined a running one") }
            #expect(joined.isEmpty, "\(joined)")
        }
    }

    /// (b) Sync Now sent to both instances at the same moment: one run id (one 202, one 200); while it
    /// runs (the simulator delays every members page), both instances show its progress moving.
    @Test func syncNowOnBothInstancesYieldsOneRunWithLiveProgressOnBoth() async throws {
        try await PierCluster.run(users: 300, groups: 12) { cluster in
            let domain = try await cluster.addDomain()
            #expect(try await cluster.waitForLatestRun(domain)["state"] as? String == "succeeded")
            try await cluster.simulatorControl(.post, "/__sim/faults", """
                {"path":"/api/v1/groups/{id}/users","method":"GET","fault":"delay","delayMs":800,"count":100}
                """)

            async let fromA = cluster.syncNow(domain, on: 0, kind: "full")
            async let fromB = cluster.syncNow(domain, on: 1, kind: "full")
            let replies = try await [fromA, fromB]
            #expect(replies.map(\.status).sorted() == [200, 202], "one creates the run, the other joins it")
            let ids = Set(replies.compactMap { $0.json["id"] as? String })
            #expect(ids.count == 1)
            let id = try #require(ids.first)

            // Both instances poll the run while it goes on; each must see it running with progress that moves.
            let observed = try await withThrowingTaskGroup(of: (Int, Set<Int>).self) { group in
                for index in 0..<2 {
                    group.addTask {
                        var pagesSeen: Set<Int> = []
                        let deadline = ContinuousClock.now + .seconds(120)
                        while ContinuousClock.now < deadline {
                            let run = try await cluster.run(id, on: index)
                            let state = run["state"] as? String
                            if state == "running", let pages = (run["progress"] as? [String: Any])?["pages"] as? Int, pages > 0 {
                                pagesSeen.insert(pages)
                            }
                            if state != "queued" && state != "running" { return (index, pagesSeen) }
                            try await Task.sleep(for: .milliseconds(150))
                        }
                        throw MultiInstanceError.timeout("run \(id) did not end")
                    }
                }
                return try await group.reduce(into: [Int: Set<Int>]()) { $0[$1.0] = $1.1 }
            }
            for index in 0..<2 {
                #expect((observed[index]?.count ?? 0) >= 2, "instance \(index) saw the progress move: \(observed)")
            }
            print("MultiInstanceTests: pages seen while running, per instance: \(observed.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.sorted())" })")
            try await cluster.simulatorControl(.delete, "/__sim/faults")
            for index in 0..<2 {
                let run = try await cluster.run(id, on: index)
                #expect(run["state"] as? String == "succeeded", "\(run)")
            }
            let runs = try await cluster.api(0).call(.get, "/api/v1/domains/\(domain)/sync-runs", template: "/api/v1/domains/{id}/sync-runs")
            #expect(runs.items.filter { $0["trigger"] as? String == "manual" }.count == 1, "one run for both requests")
        }
    }

    /// (c) The instance running a sync is killed with SIGKILL: its lease expires (3 s here), the other
    /// instance marks the run `interrupted`, the directory is as before, and the other instance runs the
    /// next sync to success.
    @Test func aKilledLeaseHoldersRunEndsInterruptedAndTheOtherInstanceRunsTheNextSync() async throws {
        try await PierCluster.run(users: 300, groups: 12) { cluster in
            let domain = try await cluster.addDomain()
            let initial = try await cluster.waitForLatestRun(domain)
            #expect(initial["state"] as? String == "succeeded")
            let usersBefore = try await cluster.api(0).call(.get, "/api/v1/users?domain=\(domain)&limit=500").items.count

            try await cluster.simulatorControl(.post, "/__sim/faults", """
                {"path":"/api/v1/groups/{id}/users","method":"GET","fault":"delay","delayMs":2000,"count":100}
                """)
            let started = try await cluster.syncNow(domain, on: 0, kind: "full")
            #expect(started.status == 202)
            let id = try #require(started.json["id"] as? String)
            // Wait until it is well into the members pages.
            let deadline = ContinuousClock.now + .seconds(60)
            while true {
                let run = try await cluster.run(id, on: 0)
                if run["state"] as? String == "running", (run["progress"] as? [String: Any])?["phase"] as? String == "members" { break }
                guard ContinuousClock.now < deadline else { throw MultiInstanceError.timeout("run \(id) never reached the members: \(run)") }
                try await Task.sleep(for: .milliseconds(100))
            }
            let holder = try #require(try await cluster.holder(of: id))
            let survivor = 1 - holder
            await cluster.instances[holder].kill()
            let killedAt = ContinuousClock.now
            try await cluster.simulatorControl(.delete, "/__sim/faults")

            let ended = try await cluster.waitForRun(id, on: survivor, timeout: .seconds(60))
            let waited = killedAt.duration(to: .now)
            #expect(ended["state"] as? String == "interrupted", "\(ended)")
            #expect((ended["error"] as? [String: Any])?["code"] as? String == "interrupted")
            #expect(waited < .seconds(30), "noticed after the 3 s lease, not a 30 s one: \(waited)")
            print("MultiInstanceTests: the killed holder's run was seen interrupted on the other instance \(waited) after SIGKILL (lease TTL 3 s)")
            #expect(try await cluster.api(survivor).call(.get, "/api/v1/users?domain=\(domain)&limit=500").items.count == usersBefore)

            let next = try await cluster.syncNow(domain, on: survivor, kind: "full")
            #expect(next.status == 202, "the dead run no longer counts: \(next.json)")
            let nextID = try #require(next.json["id"] as? String)
            #expect(nextID != id)
            let finished = try await cluster.waitForRun(nextID, on: survivor)
            #expect(finished["state"] as? String == "succeeded", "\(finished)")
            #expect(try await cluster.holder(of: nextID) == survivor)
            let staged = try await cluster.store.database.read { db in
                try db.fetchValue("SELECT count(*) FROM sync_staging_users WHERE run_id = \(id)", as: Int.self)
            }
            #expect(staged == 0, "the killed run's staging is dropped")
        }
    }
}
