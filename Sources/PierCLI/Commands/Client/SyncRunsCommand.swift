import Foundation

/// `pier sync runs`: a domain's sync runs, newest first.
struct SyncRunsCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        path: ["sync", "runs"],
        abstract: "List a domain's sync runs, newest first",
        discussion: """
            COUNTS shows users and groups created (+), updated (~) and deactivated or removed (-), and \
            memberships added (+) and removed (-). 'pier sync show --run ID' has the details.
            """,
        options: [.value("domain", "ID", help: "The domain id (see 'pier domains list')", required: true, environment: .none)]
            + ListPaging.options + ClientSettings.options
    )

    let settings: ClientSettings
    let domain: String
    let paging: ListPaging

    init(options: ParsedOptions) throws {
        domain = options.value("domain")!
        paging = try ListPaging(options)
        settings = try ClientSettings(options)
    }

    func run(api: APIClient, context: CLIContext) async throws -> Int32 {
        let listing = try await paging.fetch(api, "/api/v1/domains/\(APIClient.segment(domain))/sync-runs")
        ListPaging.print(
            listing, table: ResourceText.runTable(listing.items),
            empty: "No sync runs for this domain yet; start one with `pier sync now --domain \(domain)`.",
            output: settings.output, context: context)
        return ExitStatus.success
    }
}
