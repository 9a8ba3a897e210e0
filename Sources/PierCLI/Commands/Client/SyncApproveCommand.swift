import Foundation

/// `pier sync approve`: approve the removals of a run held by the mass-removal guard (each is re-confirmed first).
struct SyncApproveCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        path: ["sync", "approve"],
        abstract: "Approve the removals of a run held by the mass-removal guard (each is re-confirmed first)",
        options: [.value("run", "ID", help: "The held run's id (state awaiting_approval)", required: true, environment: .none)]
            + ClientSettings.options
    )

    let settings: ClientSettings
    let runID: String

    init(options: ParsedOptions) throws {
        runID = options.value("run")!
        settings = try ClientSettings(options)
    }

    func run(api: APIClient, context: CLIContext) async throws -> Int32 {
        let run = try await api.call(.post, "/api/v1/sync-runs/\(APIClient.segment(runID))/approve").body
        switch settings.output {
        case .json:
            context.printJSON(run)
        case .table:
            context.print("Approved the held removals of run \(runID).")
            context.print(lines: ResourceText.runDetails(run))
        }
        return ExitStatus.success
    }
}
