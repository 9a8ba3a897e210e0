import Foundation

/// `pier groups show`: one group and its imported members.
struct GroupsShowCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        path: ["groups", "show"],
        abstract: "Show one group and its members",
        discussion: """
            Members are listed a page at a time like 'pier users list' (--limit, --cursor, --all). With \
            --output json the group's JSON carries them under "members" ({"items", "nextCursor"}).
            """,
        options: [.value("id", "ID", help: "Pier's group id (see 'pier groups list')", required: true, environment: .none)]
            + ListPaging.options + ClientSettings.options
    )

    let settings: ClientSettings
    let id: String
    let paging: ListPaging

    init(options: ParsedOptions) throws {
        id = options.value("id")!
        paging = try ListPaging(options)
        settings = try ClientSettings(options)
    }

    func run(api: APIClient, context: CLIContext) async throws -> Int32 {
        let path = "/api/v1/groups/\(APIClient.segment(id))"
        let group = try await api.get(path)
        let members = try await paging.fetch(api, path + "/members")
        switch settings.output {
        case .json:
            var document = group.object ?? [:]
            document["members"] = members.document
            context.printJSON(.object(document))
        case .table:
            let names = await DomainNames.fetch(api)
            context.print(lines: ResourceText.groupDetails(group, domainNames: names))
            context.print("")
            context.print("Members (\(members.items.count)\(members.nextCursor == nil ? "" : " on this page")):")
            if !members.items.isEmpty {
                context.print(lines: ResourceText.userTable(members.items, domainNames: names).lines.map { "  " + $0 })
            }
            if let next = members.nextCursor {
                context.printError("More members: add --cursor \(next) for the next page, or --all for every page.")
            }
        }
        return ExitStatus.success
    }
}
