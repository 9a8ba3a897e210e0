import Foundation
import OktaSimulator
import PierCore
import PierLogging
import PierOkta
import PierServer
import PierStorage

/// `pier demo`: Pier on SQLite in a temporary directory next to an in-process Okta simulator with a
/// realistic org; adds the org as a domain, runs the first sync and prints where to look (DESIGN.md §1.6).
struct DemoCommand: Command {
    static let configuration = CommandConfiguration(
        path: ["demo"],
        abstract: "Try Pier: a temporary server with a simulated Okta org, synced and ready",
        discussion: """
            Starts an Okta simulator seeded with --users users (every status) and --groups groups (every \
            type), then Pier on a SQLite database in a temporary directory, adds the simulated org as a \
            domain and runs its first sync. Prints the console and API URLs, an API token and commands to \
            try. Everything is removed on Ctrl-C.
            """,
        options: [
            .value("listen", "HOST:PORT", help: "Address Pier listens on", default: "127.0.0.1:8080"),
            .value("users", "N", help: "Users in the simulated org", default: "500"),
            .value("groups", "M", help: "Groups in the simulated org (Everyone included)", default: "30"),
            .value("log-level", "LEVEL", help: "trace, debug, info, notice, warning, error or critical", default: "warning"),
        ]
    )

    let listen: ListenAddress
    let users: Int
    let groups: Int
    let logLevel: Logger.Level

    init(options: ParsedOptions) throws {
        do {
            listen = try ListenAddress(parsing: options.value("listen")!)
        } catch let error as ConfigurationError {
            throw UsageError(error.message)
        }
        func count(_ name: String) throws -> Int {
            guard let value = Int(options.value(name)!), (1...200_000).contains(value) else {
                throw UsageError("--\(name) must be a whole number from 1 to 200000; got '\(options.value(name)!)'")
            }
            return value
        }
        users = try count("users")
        groups = try count("groups")
        guard let level = Logger.Level(name: options.value("log-level")!) else {
            throw UsageError("--log-level '\(options.value("log-level")!)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        logLevel = level
    }

    func run(context: CLIContext) async throws -> Int32 {
        let logger = Logger(label: "pier", level: logLevel, handler: JSONLinesLogHandler())
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pier-demo-\(UUID().uuidString.lowercased())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        // The simulated org: its token is random and lives only in this process.
        let oktaToken = "00demo" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        var simulatorConfiguration = OktaSimulator.Configuration()
        simulatorConfiguration.users = users
        simulatorConfiguration.groups = groups
        simulatorConfiguration.tokens = [oktaToken]
        let simulator = OktaSimulatorServer(configuration: simulatorConfiguration, logger: logger.withLabel("pier.okta-sim"))
        _ = try simulator.start()

        let configuration = ServerConfiguration(
            listen: listen, database: .sqlite(path: directory.appendingPathComponent("pier.db").path),
            publicURL: URL(string: "http://\(listen)")!, key: .file(path: directory.appendingPathComponent("pier.key").path),
            initialPortalName: "Pier demo", migrateOnStart: true, allowOktaEndpointOverride: true, logLevel: logLevel)
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        do {
            let prepared = try await PierServerApp.prepare(
                configuration: configuration, logger: logger, onListening: { portSink.yield($0); portSink.finish() })
            let setup = DemoSetupService(
                prepared: prepared, ports: ports, host: listen.host, simulatorURL: simulator.baseURL, oktaToken: oktaToken,
                users: users, groups: groups, context: context)
            let group = ServiceGroup(services: prepared.services + [setup], logger: logger.withLabel("pier.services"))
            do {
                try await group.run()
            } catch {
                await prepared.database.close()
                throw error
            }
            await prepared.database.close()
        } catch {
            await simulator.shutdown()
            throw error
        }
        await simulator.shutdown()
        context.print("Pier demo stopped; its temporary data was removed.")
        return ExitStatus.success
    }
}

/// Adds the simulated org once the server listens, waits for the first sync, prints where to look,
/// then waits for Ctrl-C.
struct DemoSetupService: Service {
    let prepared: PierServerApp.Prepared
    let ports: AsyncStream<Int>
    let host: String
    let simulatorURL: String
    let oktaToken: String
    let users: Int
    let groups: Int
    let context: CLIContext

    func run() async throws {
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { return }
        let base = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        let store = SQLStore(database: prepared.database)
        let apiToken = try await APITokenIssuer(store: store).create(name: "demo").token

        context.print("Seeded a simulated Okta org at \(simulatorURL): \(users) users, \(groups) groups.")
        let view = try await prepared.domains.add(
            NewDomain(
                domain: "demo.okta.com", apiToken: OktaAPIToken(oktaToken), selfEnroll: false,
                schedule: SyncSchedule(frequency: .hourly(everyHours: 1)), endpoint: simulatorURL),
            actor: "demo")
        let id = view.record.id
        context.print("Added the domain demo.okta.com (org \(view.record.orgID)); first sync running…")
        var run: SyncRunRecord?
        while !isShuttingDownGracefully {
            if let latest = try await store.runs(of: id, limit: 1).first, latest.state.isFinished || latest.state == .awaitingApproval {
                run = latest
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        guard let run else { return }
        let counts = run.counts
        if let error = run.error {
            context.print("First sync \(run.state.rawValue): \(error.message)")
        } else {
            context.print("First sync \(run.state.rawValue): \(counts.users.created) users, \(counts.groups.created) groups, "
                + "\(counts.memberships.added) memberships, \(run.oktaRequests) Okta requests.")
        }
        context.print("")
        context.print("Console: \(base)/")
        context.print("API: \(base)/api/v1")
        context.print("API token: \(apiToken)")
        context.print("")
        context.print("The console shows the domain, its counts and its syncs (read-only for now); your browser asks")
        context.print("for a user name (any) and a password (the API token).")
        context.print("")
        // The client commands are what an administrator scripts with; curl shows the API underneath.
        let pier = Self.invocationName()
        context.print("Try, in another terminal (the pier client reads the server and token from the environment):")
        context.print("  export PIER_SERVER=\(base) PIER_TOKEN=\(apiToken)")
        context.print("  \(pier) users list --status suspended")
        context.print("  \(pier) sync now --domain \(id.rawValue) --wait")
        context.print("  curl -s -H \"Authorization: Bearer $PIER_TOKEN\" '\(base)/api/v1/domains'")
        context.print("")
        context.print("Press Ctrl-C to stop.")
        await waitForGracefulShutdown()
    }

    /// How to run this executable from a shell: `pier` when PATH finds this very file, else its
    /// absolute path (`make demo` runs it from the build directory, which is not on PATH).
    static func invocationName() -> String {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return "pier" }
        let name = (executable as NSString).lastPathComponent
        let onPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains { directory in
            URL(fileURLWithPath: "\(directory)/\(name)").resolvingSymlinksInPath().path == executable
        }
        return onPath ? name : executable
    }
}
