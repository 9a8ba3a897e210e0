import Foundation
import OktaSimulator
import PierCore
import PierHTTP
import PierLogging
import PierOkta
import PierStorage
import PierSync
import PierTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real process killed with SIGKILL in the middle of a sync, on every backend (DESIGN.md §6: a run that
/// is killed leaves the directory exactly as it was), at two points:
///
/// - `walk`: while it stages members (a `delay` fault holds its fourth members page for 8 s);
/// - `apply`: inside the apply transaction, after every write of it and before its COMMIT (the child's
///   database wrapper parks the transaction that turns its run `succeeded` and drops a marker file).
///
/// The child is this test bundle again, running only ``childSyncs()`` (enabled by `PIER_SYNC_CHILD_DB`,
/// the shared database's locator): it opens the same database (the SQLite file, or the PostgreSQL schema)
/// and runs a full sync against the simulator served by this process. The parent kills it at the chosen
/// point and checks what it left, then that the next run completes.
@Suite(.serialized)
struct SigkillTests {
    static let childFilter = "SigkillTests/childSyncs"

    enum KillPoint: String, CaseIterable, Sendable { case walk, apply }

    @Test(arguments: StorageBackend.available, KillPoint.allCases)
    func aSyncKilledWithSIGKILLLeavesTheDirectoryAsItWasAndTheNextRunCompletes(_ backend: StorageBackend, _ point: KillPoint) async throws {
        try await TemporaryDirectory.with(prefix: "pier-sigkill") { folder in
            let (database, locator, cleanup) = try await backend.makeSharedDatabase(in: folder)
            do {
                try await SimulatedOrg.with(users: 1200, groups: 12) { org in
                    try await Self.killAndRecover(org, database: database, locator: locator, point: point, folder: folder)
                }
                await cleanup()
            } catch {
                await cleanup()
                throw error
            }
        }
    }

    static func killAndRecover(_ org: SimulatedOrg, database: any DatabaseWriter, locator: String, point: KillPoint, folder: URL) async throws {
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

        let marker = folder.appendingPathComponent("inside-apply")
        if point == .walk {
            // The child's fourth members page hangs.
            try await org.expectOK(.post, "/__sim/faults",
                                   #"{"path":"/api/v1/groups/{id}/users","method":"GET","fault":"delay","delayMs":8000,"skip":3,"count":1}"#, control: true)
        }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["--testing-library", "swift-testing", "--filter", childFilter]
        var environment = ProcessInfo.processInfo.environment
        environment["PIER_SYNC_CHILD_DB"] = locator
        environment["PIER_SYNC_CHILD_PORT"] = String(org.port)
        environment["PIER_SYNC_CHILD_DIRECTORY"] = directory.rawValue
        environment["PIER_SYNC_CHILD_PAUSE_IN_APPLY"] = point == .apply ? marker.path : nil
        child.environment = environment
        let log = folder.appendingPathComponent("child.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        child.standardOutput = output
        child.standardError = output
        try child.run()

        // Wait until the child is at the kill point.
        var reached = false
        for _ in 0..<1200 where !reached && child.isRunning {
            try await Task.sleep(for: .milliseconds(50))
            switch point {
            case .walk:
                // Its run is `running` and members pages are staged.
                let running = try await store.runs(of: directory, limit: 1).first?.state == .running
                let staged = try await database.read { db in
                    try db.fetchValue(SQL(verbatim: "SELECT count(DISTINCT group_okta_id) FROM sync_staging_members"), as: Int.self) ?? 0
                }
                reached = running && staged >= 2
            case .apply:
                reached = FileManager.default.fileExists(atPath: marker.path)
            }
        }
        #expect(reached, "the child never reached the \(point) point: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        try? output.close()
        #expect(child.terminationReason == .uncaughtSignal && child.terminationStatus == SIGKILL)
        if point == .walk { try await org.expectOK(.delete, "/__sim/faults", control: true) }

        // What the kill left: the directory exactly as before, a `running` run, staging rows.
        #expect(try await SyncEngineTests.dump(database) == before)
        let dead = try #require(try await store.runs(of: directory, limit: 1).first)
        #expect(dead.state == .running)
        #expect(try await SyncEngineTests.stagingRows(database) > 0)

        // The next run waits for the child's lease (2 s TTL) to expire, then completes.
        let engine = SyncEngineTests.engine(store, owner: "parent")
        let started = ContinuousClock.now
        var recovered: SyncRunRecord?
        while recovered == nil, started.duration(to: .now) < .seconds(30) {
            do {
                recovered = try await engine.runFullSync(directory: directory, source: org.source(), trigger: .schedule)
            } catch SyncEngineError.alreadyRunning {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        let run = try #require(recovered)
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
        let locator = try #require(environment["PIER_SYNC_CHILD_DB"])
        let port = try #require(environment["PIER_SYNC_CHILD_PORT"].flatMap(Int.init))
        let directory = DirectoryID(try #require(environment["PIER_SYNC_CHILD_DIRECTORY"]))
        var database = try await StorageBackend.openShared(locator)
        if let marker = environment["PIER_SYNC_CHILD_PAUSE_IN_APPLY"] {
            database = ApplyParkingDatabase(inner: database, marker: marker)
        }
        let endpoint = OktaEndpoint(scheme: "http", host: "127.0.0.1", port: port)
        let api = HTTPOktaClient(endpoint: endpoint, token: OktaAPIToken(SimulatedOrg.token), httpClient: CurlHTTPClient())
        let source = OktaDirectorySource(client: RetryingOktaClient(next: api, clock: ContinuousClock()), endpoint: endpoint)
        var configuration = SyncEngine<ContinuousClock>.Configuration(owner: "child")
        configuration.leaseTTL = .seconds(2)
        configuration.leaseRenewal = .milliseconds(500)
        // The `walk` kill point waits for staged member pages ahead of the held 4th page: stage each page.
        configuration.memberStagingBatch = 1
        let engine = SyncEngine(stores: SQLStore(database: database), clock: ContinuousClock(), now: { Date() }, logger: .disabled(), configuration: configuration)
        _ = try await engine.runFullSync(directory: directory, source: source, trigger: .manual)
        Issue.record("the child was not killed")
    }
}

/// The child's database in the `apply` case: every write transaction runs as usual, except the one that
/// finishes a run of this child (`lease_owner` `child/…` turning `succeeded` or `awaiting_approval`: the
/// apply). That one, after all its writes and before its COMMIT, drops the marker file and blocks its
/// connection's thread until the process is killed.
struct ApplyParkingDatabase: DatabaseWriter {
    let inner: any DatabaseWriter
    let marker: String

    var dialect: SQLDialect { inner.dialect }

    func read<T: Sendable>(_ body: @escaping @Sendable (any DatabaseReadConnection) throws -> T) async throws -> T {
        try await inner.read(body)
    }

    func write<T: Sendable>(foreignKeys: ForeignKeyEnforcement, _ body: @escaping @Sendable (any DatabaseConnection) throws -> T) async throws -> T {
        let marker = self.marker
        return try await inner.write(foreignKeys: foreignKeys) { db in
            let result = try body(db)
            let applied = try db.fetchValue("""
                SELECT count(*) FROM sync_runs WHERE lease_owner LIKE 'child/%' AND state IN ('succeeded', 'awaiting_approval')
                """, as: Int.self) ?? 0
            if applied > 0 {
                _ = FileManager.default.createFile(atPath: marker, contents: Data("parked".utf8))
                while true { Thread.sleep(forTimeInterval: 1) }
            }
            return result
        }
    }

    func close() async { await inner.close() }
}
