import Foundation
import PierCore
import PierLogging
import PierStorage
import PierSync
import PierTestSupport
import Testing

/// Staging writes on every backend (the rest of staging is exercised through whole syncs).
struct StagingStoreTests {
    /// A members walk stages small groups' pages in batches: one write holds pages of several groups,
    /// marks complete only the groups whose last page it holds, keeps each pair once (a page repeating an
    /// id, or a walk restarted after an invalid cursor re-sending a page), and takes the COPY path on
    /// PostgreSQL from 400 rows as the INSERT path below it.
    @Test(arguments: StorageBackend.available, [3, 600])
    func aBatchOfMemberPagesStagesEveryGroupAndMarksOnlyCompletedOnes(_ backend: StorageBackend, perGroup: Int) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await SyncEngineTests.makeDirectory(store)
            let now = Date(timeIntervalSince1970: 1_790_000_000)
            try await SyncRunRetentionTests.insertRun(database, "run", directory: directory, state: .running, age: 60, now: now)
            let run = SyncRunID("run")
            try await store.stageGroups(["00gA", "00gB", "00gC"].map {
                (DirectoryGroupRecord(oktaID: OktaGroupID($0), name: $0, type: "OKTA_GROUP"), perGroup)
            }, run: run)
            let members = (0..<perGroup).map { OktaUserID("00u\($0)") }
            let half = perGroup / 2

            try await store.stageMembers([
                StagedMemberPage(group: OktaGroupID("00gA"), members: Array(members[..<(half + 1)]) + [members[0]], complete: false),
                StagedMemberPage(group: OktaGroupID("00gA"), members: Array(members[half...]), complete: true),
                StagedMemberPage(group: OktaGroupID("00gB"), members: members, complete: true),
                StagedMemberPage(group: OktaGroupID("00gC"), members: Array(members[..<half]), complete: false),
            ], run: run)

            let staged: [String: Int] = try await database.read { db in
                Dictionary(uniqueKeysWithValues: try db.fetchAll("""
                    SELECT group_okta_id, count(*) AS n FROM sync_staging_members WHERE run_id = 'run' GROUP BY group_okta_id
                    """).map { (try $0.decode("group_okta_id") as String, try $0.decode("n") as Int) })
            }
            #expect(staged == ["00gA": perGroup, "00gB": perGroup, "00gC": half])
            let complete: [String] = try await database.read { db in
                try db.fetchAll("SELECT okta_id FROM sync_staging_groups WHERE run_id = 'run' AND members_complete = 1 ORDER BY okta_id")
                    .map { try $0.decode("okta_id") }
            }
            #expect(complete == ["00gA", "00gB"])
        }
    }

    /// The members walk batches pages across groups; a batch may end inside a group's walk (its last page
    /// in a later batch) and empty groups add pages without members. Whatever the batch size, a full sync
    /// imports the same memberships as page-by-page staging.
    @Test(arguments: StorageBackend.available)
    func batchedMemberStagingImportsTheSameMembershipsAsPageByPage(_ backend: StorageBackend) async throws {
        func source() -> FakeDirectorySource {
            let source = FakeDirectorySource()
            source.update { s in
                s.pageSize = 2
                s.users = (0..<12).map { FakeDirectorySource.user(String(format: "00u%02d", $0)) }
                s.groups = [FakeDirectorySource.group("00g00", "Everyone", .builtIn)]
                    + (1...40).map { FakeDirectorySource.group(String(format: "00g%02d", $0), "Group \($0)") }
                for index in 1...40 where index % 3 != 0 {  // every third group is empty
                    s.members[OktaGroupID(String(format: "00g%02d", index))] = (0..<(index % 7)).map {
                        OktaUserID(String(format: "00u%02d", ($0 * 5 + index) % 12))
                    }
                }
            }
            return source
        }
        func memberships(batch: Int) async throws -> [String] {
            try await backend.withDatabase { database in
                let store = SQLStore(database: database)
                let directory = try await SyncEngineTests.makeDirectory(store)
                var configuration = SyncEngine<ContinuousClock>.Configuration(owner: "instance-a")
                configuration.memberStagingBatch = batch
                let engine = SyncEngine(stores: store, clock: ContinuousClock(), now: { Date() }, logger: .disabled(), configuration: configuration)
                let record = try await engine.runFullSync(directory: directory, source: source(), trigger: .initial)
                #expect(record.state == .succeeded)
                return try await database.read { db in
                    try db.fetchAll("""
                        SELECT g.okta_id AS g, u.okta_id AS u FROM group_members m JOIN groups g ON g.id = m.group_id
                        JOIN users u ON u.id = m.user_id ORDER BY g.okta_id, u.okta_id
                        """).map { "\(try $0.decode("g") as String) \(try $0.decode("u") as String)" }
                }
            }
        }
        let pageByPage = try await memberships(batch: 1)
        #expect(pageByPage.count > 12 + 40)  // Everyone's 12 and more than one per group on average
        #expect(try await memberships(batch: 3) == pageByPage)
        #expect(try await memberships(batch: 2_000) == pageByPage)
    }
}
