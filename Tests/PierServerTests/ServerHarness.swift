import Foundation
import PierHTTP
import PierLogging
import PierServer
import PierStorage
import PierTestSupport
import Testing

/// Runs a real `pier serve` composition (SQLite in a temp directory, port 0) inside the test process
/// and talks HTTP to it with Pier's libcurl client.
struct ServerHarness {
    let directory: URL
    let logs = InMemoryLogHandler()

    init() throws {
        directory = try TemporaryDirectory.make(prefix: "pier-server")
    }

    var databasePath: String { directory.appendingPathComponent("pier.db").path }
    var keyPath: String { directory.appendingPathComponent("pier.key").path }

    func configuration(migrate: Bool = true, key: KeySource? = nil) -> ServerConfiguration {
        ServerConfiguration(
            listen: ListenAddress(host: "127.0.0.1", port: 0),
            database: .sqlite(path: databasePath),
            publicURL: URL(string: "http://127.0.0.1")!,
            key: key ?? .file(path: keyPath),
            initialPortalName: "Harness", migrateOnStart: migrate,
            shutdownGracePeriod: .seconds(5)
        )
    }

    var logger: Logger { Logger(label: "pier", level: .trace, handler: logs) }

    /// Prepares the server, runs it in a service group, hands the base URL to `body`, then shuts it
    /// down gracefully and waits for the group to finish.
    func withRunningServer<T: Sendable>(
        _ configuration: ServerConfiguration? = nil,
        _ body: @Sendable (String) async throws -> T
    ) async throws -> T {
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let prepared = try await PierServerApp.prepare(
            configuration: configuration ?? self.configuration(), logger: logger,
            onListening: { portSink.yield($0); portSink.finish() })
        let group = ServiceGroup(services: [prepared.httpService], configuration: .init(signals: []), logger: logger)
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await running.value
            throw HarnessError.didNotListen
        }
        do {
            let result = try await body("http://127.0.0.1:\(port)")
            group.triggerGracefulShutdown()
            try await running.value
            await prepared.database.close()
            return result
        } catch {
            group.triggerGracefulShutdown()
            _ = try? await running.value
            await prepared.database.close()
            throw error
        }
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    enum HarnessError: Error { case didNotListen }
}

let client = CurlHTTPClient(logger: .disabled())

func get(_ url: String) async throws -> HTTPClientResponse {
    try await client.execute(HTTPClientRequest(method: .get, url: url))
}
