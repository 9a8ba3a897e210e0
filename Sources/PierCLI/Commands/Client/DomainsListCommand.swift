import Foundation

/// `pier domains list`: the Okta domains, oldest first.
struct DomainsListCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        path: ["domains", "list"],
        abstract: "List Okta domains (id, domain, org host, self-enroll, schedule, last run)",
        options: ListPaging.options + ClientSettings.options
    )

    let settings: ClientSettings
    let paging: ListPaging

    init(options: ParsedOptions) throws {
        paging = try ListPaging(options)
        settings = try ClientSettings(options)
    }

    func run(api: APIClient, context: CLIContext) async throws -> Int32 {
        let listing = try await paging.fetch(api, "/api/v1/domains")
        ListPaging.print(
            listing, table: ResourceText.domainTable(listing.items),
            empty: "No Okta domains yet; add one with `pier domains add --domain acme.okta.com`.",
            output: settings.output, context: context)
        return ExitStatus.success
    }
}
