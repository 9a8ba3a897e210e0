import Foundation
import PierCrypto
import PierHTTP
import PierLogging
import PierServer
import PierStorage
import PierTestSupport
import Testing

@Suite("pier serve")
struct ServeTests {
    @Test func operationsEndpointsAnswer() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.withRunningServer { base in
            let health = try await get("\(base)/healthz")
            #expect(health.status == 200)
            #expect(String(decoding: health.body, as: UTF8.self) == #"{"status":"ok"}"#)

            let ready = try await get("\(base)/readyz")
            #expect(ready.status == 200)
            #expect(String(decoding: ready.body, as: UTF8.self).contains(#""status":"ready""#))

            let missing = try await get("\(base)/no/such/route")
            #expect(missing.status == 404)
            let error = try JSONSerialization.jsonObject(with: missing.body) as? [String: [String: Any]]
            #expect(error?["error"]?["code"] as? String == "not_found")

            let metrics = try await get("\(base)/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.header(named: "Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = String(decoding: metrics.body, as: UTF8.self)
            #expect(text.contains(#"http_requests_total{method="GET",route="/healthz",status="200"} 1"#))
            #expect(text.contains(#"http_requests_total{method="GET",route="/readyz",status="200"} 1"#))
            #expect(text.contains("http_request_duration_seconds_bucket{"))
            #expect(text.contains("process_resident_memory_bytes "))
        }
    }

    @Test func readinessFailsWhenTheDatabaseIsGone() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        let prepared = try await PierServerApp.prepare(configuration: harness.configuration(), logger: harness.logger)
        await prepared.database.close()
        // The composition's own router answers /readyz by pinging the (now closed) database.
        let (ports, sink) = AsyncStream<Int>.makeStream()
        let service = HTTPServerService(
            server: prepared.httpService.server, publicURL: URL(string: "http://127.0.0.1")!, logger: .disabled(),
            onListening: { sink.yield($0) })
        let group = ServiceGroup(services: [service], configuration: .init(signals: []), logger: .disabled())
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let ready = try await get("http://127.0.0.1:\(port)/readyz")
        #expect(ready.status == 503)
        #expect(String(decoding: ready.body, as: UTF8.self).contains("database unreachable"))
        group.triggerGracefulShutdown()
        try await running.value
    }

    @Test func pendingMigrationsRefuseToStartWithoutMigrate() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        let error = await #expect(throws: StartupError.self) {
            _ = try await PierServerApp.prepare(configuration: harness.configuration(migrate: false), logger: harness.logger)
        }
        #expect(error?.message.contains("pending migration") == true)
        #expect(error?.message.contains("pier migrate --database sqlite://\(harness.databasePath)") == true)
        #expect(!FileManager.default.fileExists(atPath: harness.keyPath), "nothing is initialised before migrating")
    }

    @Test func unwritableDatabaseLocationIsAClearError() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        var configuration = harness.configuration()
        configuration.database = .sqlite(path: harness.directory.appendingPathComponent("missing/dir/pier.db").path)
        let error = await #expect(throws: StorageError.self) {
            _ = try await PierServerApp.prepare(configuration: configuration, logger: harness.logger)
        }
        #expect(error?.code == .unavailable)
        #expect("\(error!)".contains("missing/dir/pier.db"))
    }

    @Test func portInUseIsAClearError() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.withRunningServer { base in
            let port = Int(base.split(separator: ":").last!)!
            var configuration = harness.configuration()
            configuration.listen = ListenAddress(host: "127.0.0.1", port: port)
            let second = try ServerHarness()
            defer { second.remove() }
            configuration.database = .sqlite(path: second.databasePath)
            configuration.key = .file(path: second.keyPath)
            let error = await #expect(throws: HTTPServerError.self) {
                try await PierServerApp.serve(configuration: configuration, logger: .disabled(), signals: [])
            }
            #expect("\(error!)".contains("127.0.0.1:\(port)"))
            #expect("\(error!)".lowercased().contains("in use"))
        }
    }

    @Test func initialSettingsAreStoredOnceAndKeptAfterwards() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        var configuration = harness.configuration()
        configuration.initialTimeZone = TimeZone(identifier: "Europe/Berlin")
        let first = try await PierServerApp.prepare(configuration: configuration, logger: harness.logger)
        await first.database.close()
        configuration.initialPortalName = "Renamed"
        configuration.initialTimeZone = TimeZone(identifier: "America/New_York")
        let second = try await PierServerApp.prepare(configuration: configuration, logger: harness.logger)
        let store = SQLStore(database: second.database)
        #expect(try await store.setting(.portalName) == "Harness")
        #expect(try await store.setting(.timeZone) == "Europe/Berlin")
        #expect(try await store.setting(.installationID)?.count == 36)
        await second.database.close()
    }
}
