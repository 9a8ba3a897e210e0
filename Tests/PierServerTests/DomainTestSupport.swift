import Foundation
import OktaSimulator
import PierHTTP
import PierLogging
import PierServer
import PierSQLite
import PierStorage
import Testing

/// A server with every service running (sync runner and scheduler included), started with
/// `allowOktaEndpointOverride`, next to an in-process Okta simulator; plus a second connection to the
/// database and a recorder of every API response for validation against `/openapi.json`.
struct DomainFixture: Sendable {
    static let goodToken = "00aGoodSimToken-Recognisable-7f3Q"
    static let partialToken = "00aPartialSimToken-Recognisable-9kZt"
    static let controlToken = "sim-control"

    let api: APIFixture
    let simulatorURL: String
    let harness: ServerHarness

    /// Every secret the test uses: none may appear in logs, responses or the database files.
    static let secrets = [goodToken, partialToken]

    static func run(users: Int = 40, groups: Int = 6, _ body: @Sendable (DomainFixture) async throws -> Void) async throws {
        var simulatorConfiguration = OktaSimulator.Configuration()
        simulatorConfiguration.users = users
        simulatorConfiguration.groups = groups
        simulatorConfiguration.tokens = [goodToken]
        simulatorConfiguration.groupAdminTokens = [.init(token: partialToken, groups: ["count:1"])]
        simulatorConfiguration.controlToken = controlToken
        simulatorConfiguration.threadCount = 2
        let simulator = OktaSimulatorServer(configuration: simulatorConfiguration, logger: .disabled())
        let port = try simulator.start()

        let harness = try ServerHarness()
        defer { harness.remove() }
        var configuration = harness.configuration()
        configuration.allowOktaEndpointOverride = true
        do {
            try await runServer(harness: harness, configuration: configuration) { baseURL in
                let database = try await SQLiteDatabase.open(path: harness.databasePath, logger: .disabled())
                do {
                    let store = SQLStore(database: database)
                    let issued = try await APITokenIssuer(store: store).create(name: "test")
                    let api = APIFixture(baseURL: baseURL, store: store, token: issued.token, recorder: ResponseRecorder())
                    try await body(DomainFixture(api: api, simulatorURL: "http://127.0.0.1:\(port)", harness: harness))
                    let document = try await get(baseURL + "/openapi.json")
                    try SchemaValidation.validate(api.recorder.exchanges, document: document.body)
                    await database.close()
                } catch {
                    await database.close()
                    throw error
                }
            }
            await simulator.shutdown()
        } catch {
            await simulator.shutdown()
            throw error
        }
    }

    /// Like ``ServerHarness/withRunningServer(_:_:)`` but with all of `Prepared.services`.
    static func runServer(
        harness: ServerHarness, configuration: ServerConfiguration, _ body: @Sendable (String) async throws -> Void
    ) async throws {
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let prepared = try await PierServerApp.prepare(
            configuration: configuration, logger: harness.logger, onListening: { portSink.yield($0); portSink.finish() })
        let group = ServiceGroup(services: prepared.services, configuration: .init(signals: []), logger: harness.logger)
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await running.value
            throw ServerHarness.HarnessError.didNotListen
        }
        do {
            try await body("http://127.0.0.1:\(port)")
            group.triggerGracefulShutdown()
            try await running.value
            await prepared.database.close()
        } catch {
            group.triggerGracefulShutdown()
            _ = try? await running.value
            await prepared.database.close()
            throw error
        }
    }

    /// A JSON body.
    static func json(_ object: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: object)
    }

    static let jsonHeaders: [(name: String, value: String)] = [(name: "Content-Type", value: "application/json")]

    /// `POST /api/v1/domains`.
    func addDomain(_ domain: String, token: String, schedule: [String: Any]? = nil, selfEnroll: Bool = false) async throws -> APIReply {
        var body: [String: Any] = ["domain": domain, "apiToken": token, "selfEnroll": selfEnroll, "endpoint": simulatorURL]
        if let schedule { body["schedule"] = schedule }
        return try await api.call(.post, "/api/v1/domains", headers: Self.jsonHeaders, body: try Self.json(body))
    }

    /// A request to the simulator's Okta Management API as an Okta administrator would send it (SSWS with
    /// the good token): how the tests change the org between syncs; with `control`, to its `/__sim/` control
    /// API. Fails unless the simulator answers 2xx.
    @discardableResult
    func okta(_ method: HTTPClientRequest.Method, _ path: String, _ body: [String: Any]? = nil, control: Bool = false) async throws -> [String: Any] {
        let authorization = control ? "Bearer \(Self.controlToken)" : "SSWS \(Self.goodToken)"
        var headers: [(name: String, value: String)] = [("Accept", "application/json"), ("Authorization", authorization)]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let response = try await client.execute(HTTPClientRequest(
            method: method, url: simulatorURL + path, headers: headers, body: try body.map(Self.json)))
        guard (200..<300).contains(response.status) else {
            throw DomainFixtureError.okta("\(method.rawValue) \(path): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        }
        return response.body.isEmpty ? [:] : (try JSONSerialization.jsonObject(with: response.body) as? [String: Any] ?? [:])
    }

    /// Polls a run until it is finished (or awaits approval).
    func waitForRun(_ id: String, timeout: Duration = .seconds(60)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let reply = try await api.call(.get, "/api/v1/sync-runs/\(id)", template: "/api/v1/sync-runs/{id}")
            let state = reply.json["state"] as? String ?? ""
            if !["queued", "running"].contains(state) { return reply.json }
            guard ContinuousClock.now < deadline else { throw DomainFixtureError.timeout("run \(id) still \(state)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Polls until the domain's newest run is finished; returns it.
    func waitForLatestRun(domain id: String) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let reply = try await api.call(.get, "/api/v1/domains/\(id)/sync-runs", template: "/api/v1/domains/{id}/sync-runs")
            if let latest = reply.items.first, let runID = latest["id"] as? String { return try await waitForRun(runID) }
            guard ContinuousClock.now < deadline else { throw DomainFixtureError.timeout("no run for domain \(id)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

enum DomainFixtureError: Error { case timeout(String), okta(String) }
