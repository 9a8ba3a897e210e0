import Foundation

/// `pier sync approve` and `pier sync discard`: the two decisions on a run held by the mass-removal guard.
/// They differ only in the API action and their words, so they share one implementation.
protocol HeldRunDecisionCommand: ClientCommand {
    /// The action segment of `POST /api/v1/sync-runs/{id}/{action}`, also the subcommand's name.
    static var action: String { get }
    static var abstract: String { get }
    /// The table output's first line, past tense ("Approved").
    static var outcome: String { get }
    var runID: String { get }
}

extension HeldRunDecisionCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            path: ["sync", action],
            abstract: abstract,
            options: [.value("run", "ID", help: "The held run's id (state awaiting_approval)", required: true, environment: .none)]
                + ClientSettings.options
        )
    }

    func run(api: APIClient, context: CLIContext) async throws -> Int32 {
        let run = try await api.call(.post, "/api/v1/sync-runs/\(APIClient.segment(runID))/\(Self.action)").body
        switch settings.output {
        case .json:
            context.printJSON(run)
        case .table:
            context.print("\(Self.outcome) the held removals of run \(runID).")
            context.print(lines: ResourceText.runDetails(run))
        }
        return ExitStatus.success
    }
}

/// `pier sync approve`: approve the removals of a held run (each is re-confirmed first).
struct SyncApproveCommand: HeldRunDecisionCommand {
    static let action = "approve"
    static let abstract = "Approve the removals of a run held by the mass-removal guard (each is re-confirmed first)"
    static let outcome = "Approved"

    let settings: ClientSettings
    let runID: String

    init(options: ParsedOptions) throws {
        runID = options.value("run")!
        settings = try ClientSettings(options)
    }
}

/// `pier sync discard`: discard the removals of a held run.
struct SyncDiscardCommand: HeldRunDecisionCommand {
    static let action = "discard"
    static let abstract = "Discard the removals of a run held by the mass-removal guard"
    static let outcome = "Discarded"

    let settings: ClientSettings
    let runID: String

    init(options: ParsedOptions) throws {
        runID = options.value("run")!
        settings = try ClientSettings(options)
    }
}
