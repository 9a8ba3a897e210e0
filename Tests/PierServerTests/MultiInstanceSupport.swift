import Foundation
import OktaSimulator
import PierHTTP
import PierLogging
import PierPostgres
import PierServer
import PierStorage
import PierTestSupport
import Synchronization
import Testing

/// A `pier serve` process of the test: its stderr (JSON log lines) collected on a thread of its own, its
/// port once it listens, and SIGKILL/SIGTERM.
final class ServeProcess: @unchecked Sendable {
    // `Process` is not Sendable; it is only started here and then signalled or waited for.
    private let process: Process
    let name: String
    private let output = Mutex<[String]>([])
    private let port = Mutex<Int?>(nil)

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var baseURL: String {
        get throws {
            guard let port = port.withLock({ $0 }) else { throw MultiInstanceError.notListening(name) }
            return "http://127.0.0.1:\(port)"
        }
    }

    /// Starts `pier serve --migrate --allow-okta-endpoint-override` on `database`.
    init(name: String, database: PostgresConfiguration, key: String, environment: [String: String]) throws {
        self.name = name
        var variables = ["PIER_KEY": key]
        variables.merge(environment) { _, new in new }
        let (process, _, stderr) = try PierBinary.start(
            ["serve", "--listen", "127.0.0.1:0", "--database", database.description, "--migrate", "--allow-okta-endpoint-override"],
            environment: variables)
        self.process = process
        let handle = stderr.fileHandleForReading
        let thread = Thread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    self.output.withLock { $0.append(line) }
                }
            }
        }
        thread.start()
    }

    /// Every log line so far.
    var lines: [String] { output.withLock { $0 } }

    /// Waits until the server listens (or exits, or `timeout` passes) and records its port.
    func waitUntilListening(timeout: Duration = .seconds(90)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = lines.first(where: { $0.contains("Pier is listening") }),
               let port = line.firstMatch(of: /"http.listen":"127\.0\.0\.1:(\d+)"/).flatMap({ Int($0.output.1) }) {
                self.port.withLock { $0 = port }
                return
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw MultiInstanceError.notListening("\(name): \(lines.suffix(5).joined(separator: "\n"))")
    }

    /// SIGKILL: no shutdown, no lease release, no run record written.
    func kill() async {
        Foundation.kill(process.processIdentifier, SIGKILL)
        _ = await waitForExit()
    }

    /// SIGTERM (graceful shutdown), SIGKILL after 20 s; the exit status.
    @discardableResult
    func stop() async -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        return await waitForExit()
    }

    private func waitForExit() async -> Int32 {
        let process = self.process
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }
        }
    }
}

enum MultiInstanceError: Error { case notListening(String), timeout(String) }

/// A fresh PostgreSQL database of its own, an in-process Okta simulator, two `pier serve` processes on
/// that database (started together, so they also race their migrations) and an API token valid on both.
struct PierCluster: Sendable {
    static let oktaToken = "00aClusterSimToken-Recognisable-4xQ"
    static let controlToken = "sim-control"
    /// Short timings so a killed instance's lease expires in seconds and schedules tick every second.
    static let timings = ["PIER_SYNC_LEASE_TTL_SECONDS": "3", "PIER_SYNC_TICK_SECONDS": "1", "PIER_SYNC_JITTER_SECONDS": "0"]

    let database: PostgresConfiguration
    let store: SQLStore
    let instances: [ServeProcess]
    let simulatorURL: String
    let token: String
    let recorder = ResponseRecorder()

    /// An API client for instance `index` (all share the recorder, validated against `/openapi.json`).
    func api(_ index: Int) throws -> APIFixture {
        APIFixture(baseURL: try instances[index].baseURL, store: store, token: token, recorder: recorder)
    }

    static func run(users: Int = 200, groups: Int = 12, _ body: @Sendable (PierCluster) async throws -> Void) async throws {
        var simulatorConfiguration = OktaSimulator.Configuration()
        simulatorConfiguration.users = users
        simulatorConfiguration.groups = groups
        simulatorConfiguration.tokens = [oktaToken]
        simulatorConfiguration.controlToken = controlToken
        simulatorConfiguration.threadCount = 4
        let simulator = OktaSimulatorServer(configuration: simulatorConfiguration, logger: .disabled())
        let simulatorPort = try simulator.start()
        let database = try await StorageBackend.createPostgresDatabase()
        let key = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        var instances: [ServeProcess] = []
        var opened: PostgresDatabase?
        do {
            instances = try ["a", "b"].map { try ServeProcess(name: $0, database: database, key: key, environment: timings) }
            for instance in instances { try await instance.waitUntilListening() }
            let connection = try await PostgresDatabase.open(database, logger: .disabled())
            opened = connection
            let store = SQLStore(database: connection)
            let issued = try await APITokenIssuer(store: store).create(name: "cluster-test")
            let cluster = PierCluster(
                database: database, store: store, instances: instances, simulatorURL: "http://127.0.0.1:\(simulatorPort)", token: issued.token)
            try await body(cluster)
            guard let live = instances.first(where: { $0.isRunning }) else { throw MultiInstanceError.notListening("no instance left for /openapi.json") }
            let document = try await get(try live.baseURL + "/openapi.json")
            try SchemaValidation.validate(cluster.recorder.exchanges, document: document.body)
        } catch {
            // What the instances said last, to tell a test's mistake from a crashed server.
            for instance in instances {
                let state = instance.isRunning ? "running" : "exited"
                Issue.record("pier serve \(instance.name) (\(state)), last log lines:\n\(instance.lines.suffix(8).joined(separator: "\n"))")
            }
            await Self.tearDown(instances, opened, database, simulator)
            throw error
        }
        await Self.tearDown(instances, opened, database, simulator)
    }

    private static func tearDown(_ instances: [ServeProcess], _ connection: PostgresDatabase?, _ database: PostgresConfiguration, _ simulator: OktaSimulatorServer) async {
        for instance in instances { await instance.stop() }
        await connection?.close()
        await StorageBackend.dropPostgresDatabase(database.database)
        await simulator.shutdown()
    }

    static let jsonHeaders: [(name: String, value: String)] = [(name: "Content-Type", value: "application/json")]

    /// Adds the simulator's org as a domain through instance `index`; returns its id.
    func addDomain(through index: Int = 0, schedule: [String: Any] = ["frequency": "manual"]) async throws -> String {
        let body: [String: Any] = ["domain": "acme.okta.com", "apiToken": Self.oktaToken, "endpoint": simulatorURL, "schedule": schedule]
        let reply = try await api(index).call(.post, "/api/v1/domains", headers: Self.jsonHeaders, body: try JSONSerialization.data(withJSONObject: body))
        guard reply.status == 201, let id = reply.json["id"] as? String else {
            throw MultiInstanceError.timeout("adding the domain answered \(reply.status): \(String(decoding: reply.body, as: UTF8.self))")
        }
        return id
    }

    /// `POST /api/v1/domains/{id}/sync` on instance `index`.
    func syncNow(_ domain: String, on index: Int, kind: String? = nil) async throws -> APIReply {
        let body = kind.map { try? JSONSerialization.data(withJSONObject: ["kind": $0]) } ?? nil
        return try await api(index).call(
            .post, "/api/v1/domains/\(domain)/sync", template: "/api/v1/domains/{id}/sync",
            headers: body == nil ? [] : Self.jsonHeaders, body: body)
    }

    /// `GET /api/v1/sync-runs/{id}` on instance `index`.
    func run(_ id: String, on index: Int) async throws -> [String: Any] {
        try await api(index).call(.get, "/api/v1/sync-runs/\(id)", template: "/api/v1/sync-runs/{id}").json
    }

    /// Polls a run on instance `index` until it is neither queued nor running.
    func waitForRun(_ id: String, on index: Int, timeout: Duration = .seconds(120)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let run = try await run(id, on: index)
            let state = run["state"] as? String ?? ""
            if !["queued", "running"].contains(state) { return run }
            guard ContinuousClock.now < deadline else { throw MultiInstanceError.timeout("run \(id) still \(state)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Polls until the domain has a run and its newest run has ended; returns that run.
    func waitForLatestRun(_ domain: String, on index: Int = 0) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(120)
        while true {
            let runs = try await api(index).call(.get, "/api/v1/domains/\(domain)/sync-runs", template: "/api/v1/domains/{id}/sync-runs")
            if let latest = runs.items.first, let id = latest["id"] as? String { return try await waitForRun(id, on: index) }
            guard ContinuousClock.now < deadline else { throw MultiInstanceError.timeout("no run of domain \(domain)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// A control-API call on the simulator (`/__sim/…`).
    func simulatorControl(_ method: HTTPClientRequest.Method, _ path: String, _ json: String? = nil) async throws {
        var headers = [(name: "Authorization", value: "Bearer \(Self.controlToken)")]
        if json != nil { headers.append((name: "Content-Type", value: "application/json")) }
        let response = try await client.execute(HTTPClientRequest(method: method, url: simulatorURL + path, headers: headers, body: json.map { Data($0.utf8) }))
        #expect(response.status == 200, "\(method) \(path): \(String(decoding: response.body, as: UTF8.self))")
    }

    /// The instance whose process holds (or held) a run's lease, from `sync_runs.lease_owner` (`host:pid:…`).
    func holder(of run: String) async throws -> Int? {
        let owner = try await store.database.read { db in
            try db.fetchValue("SELECT lease_owner FROM sync_runs WHERE id = \(run)", as: String.self)
        }
        guard let owner, let pid = owner.split(separator: ":").dropFirst().first.flatMap({ Int32($0) }) else { return nil }
        return instances.firstIndex { $0.pid == pid }
    }
}
