import Foundation
import OktaSimulator
import PierCLI
import PierLogging
import PierServer
import PierSQLite
import PierStorage
import PierTestSupport
import Testing

/// A real Pier server (every service of `pier serve`: API, sync runner, scheduler; SQLite in a temporary
/// directory, loopback port 0, endpoint override allowed) next to an in-process Okta simulator, and an
/// API token for it. Client commands run as the built `pier` binary against it.
struct ClientFixture: Sendable {
    /// Okta tokens the simulator accepts; recognisable so a leak is easy to find.
    static let oktaToken = "00aCliGoodOktaToken-Recognisable-4k2Q"
    static let wrongOktaToken = "00aCliWrongOktaToken-Recognisable-9x1Z"

    let server: String
    let simulatorURL: String
    let apiToken: String
    let directory: URL

    /// Every secret of the test: none may appear in what the CLI prints.
    var secrets: [String] { [apiToken, Self.oktaToken, Self.wrongOktaToken] }

    static func run(users: Int = 40, groups: Int = 6, _ body: @Sendable (ClientFixture) async throws -> Void) async throws {
        var simulatorConfiguration = OktaSimulator.Configuration()
        simulatorConfiguration.users = users
        simulatorConfiguration.groups = groups
        simulatorConfiguration.tokens = [oktaToken]
        simulatorConfiguration.threadCount = 2
        let simulator = OktaSimulatorServer(configuration: simulatorConfiguration, logger: .disabled())
        let simulatorPort = try simulator.start()

        let directory = try TemporaryDirectory.make(prefix: "pier-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let databasePath = directory.appendingPathComponent("pier.db").path
        let configuration = ServerConfiguration(
            listen: ListenAddress(host: "127.0.0.1", port: 0), database: .sqlite(path: databasePath),
            publicURL: URL(string: "http://127.0.0.1")!, key: .file(path: directory.appendingPathComponent("pier.key").path),
            initialPortalName: "CLI tests", migrateOnStart: true, allowOktaEndpointOverride: true,
            shutdownGracePeriod: .seconds(5))
        let logger = Logger(label: "pier", level: .warning, handler: InMemoryLogHandler())
        do {
            let (ports, portSink) = AsyncStream<Int>.makeStream()
            let prepared = try await PierServerApp.prepare(
                configuration: configuration, logger: logger, onListening: { portSink.yield($0); portSink.finish() })
            let group = ServiceGroup(services: prepared.services, configuration: .init(signals: []), logger: logger)
            let running = Task { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await running.value
                throw FixtureError.serverDidNotListen
            }
            do {
                let token = try await APITokenIssuer(store: SQLStore(database: prepared.database)).create(name: "cli-tests").token
                try await body(ClientFixture(
                    server: "http://127.0.0.1:\(port)", simulatorURL: "http://127.0.0.1:\(simulatorPort)", apiToken: token,
                    directory: directory))
                group.triggerGracefulShutdown()
                try await running.value
                await prepared.database.close()
            } catch {
                group.triggerGracefulShutdown()
                _ = try? await running.value
                await prepared.database.close()
                throw error
            }
            await simulator.shutdown()
        } catch {
            await simulator.shutdown()
            throw error
        }
    }

    enum FixtureError: Error { case serverDidNotListen }

    /// What one `pier` run printed.
    struct Run: Sendable {
        var status: Int32
        var output: String
        var errors: String
        var all: String { output + errors }
        /// The standard output as JSON (for `--output json`).
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] ?? [:]
        }
        var items: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }
    }

    /// Runs the `pier` binary with `PIER_SERVER` and `PIER_TOKEN` set for this server (overridable).
    func pier(_ arguments: [String], environment: [String: String] = [:], standardInput: String? = nil) async throws -> Run {
        var variables = ["PIER_SERVER": server, "PIER_TOKEN": apiToken]
        variables.merge(environment) { _, new in new }
        let outcome = try await PierBinary.run(arguments, environment: variables, standardInput: standardInput.map { Data($0.utf8) })
        let run = Run(status: outcome.status, output: outcome.standardOutput, errors: outcome.standardError)
        for secret in secrets {
            #expect(!run.all.contains(secret), "pier \(arguments.joined(separator: " ")) printed a secret")
        }
        return run
    }

    /// Runs the CLI in this process, with a chosen terminal setting (the binary's stderr is a pipe).
    func pierInProcess(_ arguments: [String], standardErrorIsTerminal: Bool) async -> Run {
        let output = TextSink.Capture()
        let errors = TextSink.Capture()
        let context = CLIContext(
            environment: ["PIER_SERVER": server, "PIER_TOKEN": apiToken], standardOutput: output.sink, standardError: errors.sink,
            isTerminal: false, standardErrorIsTerminal: standardErrorIsTerminal)
        let status = await PierCommandLine.main(arguments: arguments, context: context)
        return Run(status: status, output: output.contents, errors: errors.contents)
    }

    /// Writes a secret file with the given mode; returns its path.
    func secretFile(_ name: String, _ content: String, mode: Int = 0o600) throws -> String {
        let path = directory.appendingPathComponent(name).path
        guard FileManager.default.createFile(atPath: path, contents: Data(content.utf8), attributes: [.posixPermissions: mode]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        return path
    }
}
