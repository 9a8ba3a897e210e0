import Foundation
import OktaSimulator
import PierLogging
import PierServer

/// `pier okta-sim`: a simulated Okta org for development, tests and benchmarks (DESIGN.md §4–5).
struct OktaSimCommand: Command {
    static let configuration = CommandConfiguration(
        path: ["okta-sim"],
        abstract: "Run a simulated Okta org (Management API, System Log, control API under /__sim/)",
        discussion: """
            Seeds a deterministic org (the same --seed gives the same users, groups and ids) and serves it \
            until SIGTERM or SIGINT. Okta's own API changes the org as an Okta admin would; /__sim/ \
            (Authorization: Bearer CONTROL-TOKEN) injects faults, sets rate limits, revokes tokens and resets.
            """,
        options: [
            .value("listen", "HOST:PORT", help: "Address to listen on", default: "127.0.0.1:9090", environment: .custom("PIER_SIM_LISTEN")),
            .value("users", "N", help: "Users to seed", default: "500", environment: .custom("PIER_SIM_USERS")),
            .value("groups", "M", help: "Groups to seed (Everyone included)", default: "30", environment: .custom("PIER_SIM_GROUPS")),
            .value("seed", "S", help: "Seed for deterministic data", default: "7", environment: .custom("PIER_SIM_SEED")),
            .value("token", "T", help: "API token with full admin rights (SSWS)", required: true, environment: .custom("PIER_SIM_TOKEN")),
            .value("token-read-only", "T", help: "API token of a read-only admin", environment: .custom("PIER_SIM_TOKEN_READ_ONLY")),
            .value("control-token", "C", help: "Bearer token for /__sim/ (control API disabled without it)", environment: .custom("PIER_SIM_CONTROL_TOKEN")),
            .value("rate-limits", "PROFILE", help: "none or okta-default", default: "none", environment: .custom("PIER_SIM_RATE_LIMITS")),
            .value("rate-limit-window-seconds", "SECONDS", help: "Length of a rate-limit window", default: "60", environment: .custom("PIER_SIM_RATE_LIMIT_WINDOW_SECONDS")),
            .value("issuer", "URL", help: "Org URL used in links and as OIDC issuer (default: http://LISTEN)", environment: .custom("PIER_SIM_ISSUER")),
            .value("log-level", "LEVEL", help: "trace, debug, info, notice, warning, error or critical", default: "notice", environment: .custom("PIER_SIM_LOG_LEVEL")),
        ]
    )

    let simulator: OktaSimulator.Configuration
    let logLevel: Logger.Level

    init(options: ParsedOptions) throws {
        var configuration = OktaSimulator.Configuration()
        let listen: ListenAddress
        do {
            listen = try ListenAddress(parsing: options.value("listen")!)
        } catch let error as ConfigurationError {
            throw UsageError(error.message)
        }
        configuration.host = listen.host
        configuration.port = listen.port
        func count(_ name: String, minimum: Int) throws -> Int {
            guard let value = Int(options.value(name)!), value >= minimum else {
                throw UsageError("--\(name) must be a whole number ≥ \(minimum); got '\(options.value(name)!)'")
            }
            return value
        }
        configuration.users = try count("users", minimum: 1)
        configuration.groups = try count("groups", minimum: 1)
        configuration.rateLimitWindowSeconds = try count("rate-limit-window-seconds", minimum: 1)
        guard let seed = UInt64(options.value("seed")!) else {
            throw UsageError("--seed must be a non-negative whole number; got '\(options.value("seed")!)'")
        }
        configuration.seed = seed
        configuration.tokens = [options.value("token")!]
        configuration.readOnlyTokens = options.value("token-read-only").map { [$0] } ?? []
        configuration.controlToken = options.value("control-token")
        guard let profile = OktaSimulator.RateLimitProfile(rawValue: options.value("rate-limits")!) else {
            throw UsageError("--rate-limits must be one of \(OktaSimulator.RateLimitProfile.allCases.map(\.rawValue).joined(separator: ", ")); got '\(options.value("rate-limits")!)'")
        }
        configuration.rateLimitProfile = profile
        if let issuer = options.value("issuer") {
            guard let url = URL(string: issuer), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw UsageError("--issuer '\(issuer)' is not an http(s) URL")
            }
            configuration.issuer = issuer
        }
        guard let level = Logger.Level(name: options.value("log-level")!) else {
            throw UsageError("--log-level '\(options.value("log-level")!)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        simulator = configuration
        logLevel = level
    }

    func run(context: CLIContext) async throws -> Int32 {
        let logger = Logger(label: "pier.okta-sim", level: logLevel, handler: JSONLinesLogHandler())
        let server = OktaSimulatorServer(configuration: simulator, logger: logger)
        let service = SimulatorService(server: server) { port in
            let summary = server.summary
            context.print("Okta simulator: \(server.baseURL)")
            context.print("Org: \(summary.orgID), \(summary.users) users, \(summary.groups) groups, \(summary.memberships) memberships (seeded in \(String(format: "%.2f", server.seedSeconds)) s)")
            context.print("Listening on \(simulator.host.contains(":") ? "[\(simulator.host)]" : simulator.host):\(port)")
        }
        try await ServiceGroup(services: [service], logger: logger).run()
        return ExitStatus.success
    }
}

/// Runs the simulator until graceful shutdown.
struct SimulatorService: Service {
    let server: OktaSimulatorServer
    let onListening: @Sendable (Int) -> Void

    func run() async throws {
        let port = try server.start()
        onListening(port)
        await waitForGracefulShutdown()
        await server.shutdown()
    }
}
