import Foundation

/// `pier users list`: users of every domain (and local users), ordered by login.
struct UsersListCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        path: ["users", "list"],
        abstract: "List users (id, login, name, status, domain), ordered by login",
        options: [
            .value("domain", "ID", help: "Only users of this domain id", environment: .none),
            .value("status", "STATUS", help: "Only users with this status: active, suspended or deactivated", environment: .none),
            .value("search", "TEXT", help: "Only users with TEXT in their login, e-mail address or name", environment: .none),
        ] + ListPaging.options + ClientSettings.options
    )

    let settings: ClientSettings
    let paging: ListPaging
    let query: [(String, String?)]

    init(options: ParsedOptions) throws {
        let status = options.value("status")
        if let status, !["active", "suspended", "deactivated"].contains(status) {
            throw UsageError("--status must be one of active, suspended, deactivated; got '\(status)'")
        }
        query = [("domain", options.value("domain")), ("status", status), ("q", options.value("search"))]
        paging = try ListPaging(options)
        settings = try ClientSettings(options)
    }

    func run(api: APIClient, context: CLIContext) async throws -> Int32 {
        let listing = try await paging.fetch(api, "/api/v1/users", query: query)
        let names = settings.output == .table && !listing.items.isEmpty ? await DomainNames.fetch(api) : [:]
        ListPaging.print(
            listing, table: ResourceText.userTable(listing.items, domainNames: names), empty: "No users match.",
            output: settings.output, context: context)
        return ExitStatus.success
    }
}
