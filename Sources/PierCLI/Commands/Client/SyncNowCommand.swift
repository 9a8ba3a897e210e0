import Foundation

/// `pier sync now`: Sync Now for a domain, optionally waiting for the run to end.
struct SyncNowCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        path: ["sync", "now"],
        abstract: "Sync a domain now (joins a sync that is already queued or running)",
        discussion: """
            Without --kind the server picks: incremental when a recent full sync exists, else full. With \
            --wait the command follows the run until it ends: a progress bar on standard error when that is \
            a terminal, else one line per change. It exits 0 when the run succeeded, and 1 when it failed, \
            was interrupted, or is held for approval (its removals wait for 'pier sync approve'). Ctrl-C \
            stops waiting; the run goes on.
            """,
        options: [
            .value("domain", "ID", help: "The domain id (see 'pier domains list')", required: true, environment: .none),
            .value("kind", "KIND", help: "full or incremental (default: the server's choice)", environment: .none),
            .flag("wait", help: "Follow the run until it ends", environment: .none),
        ] + ClientSettings.options
    )

    let settings: ClientSettings
    let domain: String
    let kind: String?
    let wait: Bool
    /// How often `--wait` asks for progress; the server persists progress at least every 2 s.
    var pollInterval: Duration = .milliseconds(500)

    init(options: ParsedOptions) throws {
        domain = options.value("domain")!
        kind = options.value("kind")
        if let kind, !["full", "incremental"].contains(kind) {
            throw UsageError("--kind must be full or incremental; got '\(kind)'")
        }
        wait = options.flag("wait")
        settings = try ClientSettings(options)
    }

    func run(api: APIClient, context: CLIContext) async throws -> Int32 {
        let domainPath = "/api/v1/domains/\(APIClient.segment(domain))"
        let answer = try await api.call(.post, domainPath + "/sync", body: kind.map { .object(["kind": .string($0)]) })
        var run = answer.body
        let runID = run["id"].cellText
        if settings.output == .table {
            let what = "\(run["kind"].cellText) sync, trigger \(run["trigger"].cellText)"
            context.print(answer.status == 200 ? "Joined run \(runID) (\(what)), already \(run["state"].cellText)." : "Started run \(runID) (\(what)).")
        }
        guard wait else {
            if settings.output == .json { context.printJSON(run) }
            return ExitStatus.success
        }

        var display = SyncProgressDisplay(sink: context.standardError, isTerminal: context.standardErrorIsTerminal)
        while Self.isActive(run) {
            display.update(run)
            try await Task.sleep(for: pollInterval)
            run = try await current(runID, domainPath: domainPath, api: api)
        }
        display.finish(run)
        switch settings.output {
        case .json: context.printJSON(run)
        case .table: context.print(lines: ResourceText.runDetails(run))
        }
        return Self.report(run, context: context)
    }

    static func isActive(_ run: JSON) -> Bool {
        ["queued", "running"].contains(run["state"]?.string ?? "")
    }

    /// The run as it is now. The domain's newest run is read from its run list, which leaves out the
    /// per-object outcomes (thousands of rows in a first sync); once another run is newer, the run
    /// itself is read.
    func current(_ runID: String, domainPath: String, api: APIClient) async throws -> JSON {
        let newest = try await api.get(domainPath + "/sync-runs", query: [("limit", "1")])["items"]?.array?.first
        if let newest, newest["id"]?.string == runID { return newest }
        var run = try await api.get("/api/v1/sync-runs/\(APIClient.segment(runID))")
        if case .object(var members) = run {
            members["objects"] = nil
            run = .object(members)
        }
        return run
    }

    /// Exit status for a finished run, with what to do next on standard error when it did not succeed.
    static func report(_ run: JSON, context: CLIContext) -> Int32 {
        let id = run["id"].cellText
        switch run["state"]?.string {
        case "succeeded":
            return ExitStatus.success
        case "awaiting_approval":
            let held = run["held"]
            context.printError("Error: run \(id) is held for approval: it would remove \(held?["users"].cellText ?? "-") users "
                + "and \(held?["groups"].cellText ?? "-") groups. Review it with `pier sync show --run \(id)`, then "
                + "`pier sync approve --run \(id)` or `pier sync discard --run \(id)`.")
        default:
            var message = "Error: run \(id) \(run["state"].cellText)"
            if let error = run["error"], error != .null { message += ": \(error["code"].cellText): \(error["message"].cellText)" }
            context.printError(message)
        }
        return ExitStatus.failure
    }
}
