import Foundation
import OktaSimulator
import PierCore
import PierHTTP
import PierLogging
import PierOkta
import PierSQLite
import PierStorage
import PierSync
import PierTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real process killed with SIGKILL in the middle of a sync (SQLite: the database file is shared
/// between this process and the child; PostgreSQL is covered in process by `CrashRecoveryTests`).
///
/// The child is this test bundle again, running only ``childSyncs()`` (enabled by `PIER_SYNC_CHILD_DB`):
/// it opens the same SQLite file and runs a full sync against the simulator served by this process,
/// which holds the child's fourth members page for 8 s. The parent waits until the child has staged
/// members, kills it with SIGKILL, and checks what it left.
@Suite(.serialized)
struct SigkillTests {
    static let childFilter = "SigkillTests/childSyncs"

    @Test
    func aSyncKilledWithSIGKILLLeavesTheDirectoryAsItWasAndTheNextRunCompletes() async throws {
        try await TemporaryDirectory.with(prefix: "pier-sigkill") { folder in
            let path = folder.appendingPathComponent("pier.db").path
            let database = try await SQLiteDatabase.open(path: path, logger: .disabled())
            do {
                try await Migrator(migrations: StorageBackend.sqlite.migrations, logger: .disabled()).migrate(database)
                try await SimulatedOrg.with(users: 1200, groups: 12) { org in
                    try await Self.killAndRecover(org, database: database, path: path, folder: folder)
                }
                await database.close()
            } catch {
                await database.close()
                throw error
            }
        }
    }

    static func killAndRecover(_ org: SimulatedOrg, database: SQLiteDatabase, path: String, folder: URL) async throws {
        let store = SQLStore(database: database)
        let directory = try await SyncEngineTests.makeDirectory(store)
        #expect(try await SyncEngineTests.engine(store).runFullSync(directory: directory, source: org.source(), trigger: .initial).state == .succeeded)
        let known = Set(try await SyncEngineTests.users(store, directory).keys)

        let active = org.server.userStatuses.filter { $0.value == "ACTIVE" }.map(\.key).sorted()
        for id in active.prefix(3) { try await org.expectOK(.post, "/api/v1/users/\(id)/lifecycle/deactivate") }
        try await org.expectOK(.delete, "/api/v1/users/\(active[3])")
        try await org.expectOK(.delete, "/api/v1/users/\(active[3])")
        _ = try await org.createUser("sigkill-new")
        let before = try await SyncEngineTests.dump(database)

        // The child's fourth members page hangs.
        try await org.expectOK(.post, "/__sim/faults",
                               #"{"path":"/api/v1/groups/{id}/users","method":"GET","fault":"delay","delayMs":8000,"skip":3,"count":1}"#, control: true)
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["--testing-library", "swift-testing", "--filter", childFilter]
        var environment = ProcessInfo.processInfo.environment
        environment["PIER_SYNC_CHILD_DB"] = path
        environment["PIER_SYNC_CHILD_PORT"] = String(org.port)
        environment["PIER_SYNC_CHILD_DIRECTORY"] = directory.rawValue
        environment["PIER_TEST_POSTGRES_URL"] = nil
        child.environment = environment
        let log = folder.appendingPathComponent("child.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        child.standardOutput = output
        child.standardError = output
        try child.run()

        // Wait until the child is inside the walk: its run is `running` and members pages are staged.
        var inside = false
        for _ in 0..<600 where !inside && child.isRunning {
            try await Task.sleep(for: .milliseconds(50))
            let running = try await store.runs(of: directory, limit: 1).first?.state == .running
            let staged = try await database.read { db in
                try db.fetchValue(SQL(verbatim: "SELECT count(DISTINCT group_okta_id) FROM sync_staging_members"), as: Int.self) ?? 0
            }
            inside = running && staged >= 2
        }
        #expect(inside, "the child never reached the members walk: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        try? output.close()
        #expect(child.terminationReason == .uncaughtSignal && child.terminationStatus == SIGKILL)
        try await org.expectOK(.delete, "/__sim/faults", control: true)

        // What the kill left: the directory exactly as before, a `running` run, staging rows.
        #expect(try await SyncEngineTests.dump(database) == before)
        let dead = try #require(try await store.runs(of: directory, limit: 1).first)
        #expect(dead.state == .running)
        #expect(try await SyncEngineTests.stagingRows(database) > 0)

        // The next run waits for the child's lease (2 s TTL) to expire, then completes.
        let engine = SyncEngineTests.engine(store, owner: "parent")
        let started = ContinuousClock.now
        var refusals = 0
        var recovered: SyncRunRecord?
        while recovered == nil, started.duration(to: .now) < .seconds(20) {
            do {
                recovered = try await engine.runFullSync(directory: directory, source: org.source(), trigger: .schedule)
            } catch SyncEngineError.alreadyRunning {
                refusals += 1
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        let run = try #require(recovered)
        #expect(refusals > 0)
        #expect(run.state == .succeeded, "\(String(describing: run.error))")
        #expect(run.counts.users.deactivated == 3 && run.counts.users.removed == 1 && run.counts.users.created == 1)
        #expect(try await store.run(dead.id)?.state == .interrupted)
        #expect(try await SyncEngineTests.stagingRows(database) == 0)
        _ = try await org.expectMirrored(store, directory, known: known)
    }

    /// The child's side (skipped unless started by the test above).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["PIER_SYNC_CHILD_DB"] != nil))
    func childSyncs() async throws {
        let environment = ProcessInfo.processInfo.environment
        let path = try #require(environment["PIER_SYNC_CHILD_DB"])
        let port = try #require(environment["PIER_SYNC_CHILD_PORT"].flatMap(Int.init))
        let directory = DirectoryID(try #require(environment["PIER_SYNC_CHILD_DIRECTORY"]))
        let database = try await SQLiteDatabase.open(path: path, logger: .disabled())
        let endpoint = OktaEndpoint(scheme: "http", host: "127.0.0.1", port: port)
        let api = HTTPOktaClient(endpoint: endpoint, token: OktaAPIToken(SimulatedOrg.token), httpClient: CurlHTTPClient())
        let source = OktaDirectorySource(client: RetryingOktaClient(next: api, clock: ContinuousClock()), endpoint: endpoint)
        var configuration = SyncEngine<ContinuousClock>.Configuration(owner: "child")
        configuration.leaseTTL = .seconds(2)
        configuration.leaseRenewal = .milliseconds(500)
        let engine = SyncEngine(stores: SQLStore(database: database), clock: ContinuousClock(), now: { Date() }, logger: .disabled(), configuration: configuration)
        _ = try await engine.runFullSync(directory: directory, source: source, trigger: .manual)
        Issue.record("the child was not killed")
    }
}
