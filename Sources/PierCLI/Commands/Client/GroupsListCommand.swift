import Foundation

/// `pier groups list`: groups of every domain, ordered by name.
struct GroupsListCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        path: ["groups", "list"],
        abstract: "List groups (id, name, type, members), ordered by name",
        options: [
            .value("domain", "ID", help: "Only groups of this domain id", environment: .none),
            .value("type", "TYPE", help: "Only groups of this Okta type: OKTA_GROUP, APP_GROUP or BUILT_IN", environment: .none),
            .value("search", "TEXT", help: "Only groups with TEXT in their name or description", environment: .none),
        ] + ListPaging.options + ClientSettings.options
    )

    static let types = ["OKTA_GROUP", "APP_GROUP", "BUILT_IN"]

    let settings: ClientSettings
    let paging: ListPaging
    let query: [(String, String?)]

    init(options: ParsedOptions) throws {
        let type = options.value("type")?.uppercased()
        if let type, !Self.types.contains(type) {
            throw UsageError("--type must be one of \(Self.types.joined(separator: ", ")); got '\(options.value("type")!)'")
        }
        query = [("domain", options.value("domain")), ("type", type), ("q", options.value("search"))]
        paging = try ListPaging(options)
        settings = try ClientSettings(options)
    }

    func run(api: APIClient, context: CLIContext) async throws -> Int32 {
        let listing = try await paging.fetch(api, "/api/v1/groups", query: query)
        ListPaging.print(
            listing, table: ResourceText.groupTable(listing.items), empty: "No groups match.", output: settings.output, context: context)
        return ExitStatus.success
    }
}
