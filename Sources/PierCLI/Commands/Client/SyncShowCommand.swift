import Foundation

/// `pier sync show`: one run with its counts, live progress and per-object outcomes.
struct SyncShowCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        path: ["sync", "show"],
        abstract: "Show one sync run: counts, progress, error and the objects whose state changed",
        options: [.value("run", "ID", help: "The run id (see 'pier sync runs')", required: true, environment: .none)]
            + ClientSettings.options
    )

    let settings: ClientSettings
    let runID: String

    init(options: ParsedOptions) throws {
        runID = options.value("run")!
        settings = try ClientSettings(options)
    }

    func run(api: APIClient, context: CLIContext) async throws -> Int32 {
        let run = try await api.get("/api/v1/sync-runs/\(APIClient.segment(runID))")
        switch settings.output {
        case .json: context.printJSON(run)
        case .table: context.print(lines: ResourceText.runDetails(run))
        }
        return ExitStatus.success
    }
}
