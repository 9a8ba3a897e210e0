import Foundation

/// `pier domains show`: one domain with its schedule and latest run.
struct DomainsShowCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        path: ["domains", "show"],
        abstract: "Show one Okta domain",
        options: [.value("id", "ID", help: "The domain id (see 'pier domains list')", required: true, environment: .none)]
            + ClientSettings.options
    )

    let settings: ClientSettings
    let id: String

    init(options: ParsedOptions) throws {
        id = options.value("id")!
        settings = try ClientSettings(options)
    }

    func run(api: APIClient, context: CLIContext) async throws -> Int32 {
        let domain = try await api.get("/api/v1/domains/\(APIClient.segment(id))")
        switch settings.output {
        case .json: context.printJSON(domain)
        case .table: context.print(lines: ResourceText.domainDetails(domain))
        }
        return ExitStatus.success
    }
}
