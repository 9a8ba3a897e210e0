import Foundation

/// `pier users show`: one user with its groups.
struct UsersShowCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        path: ["users", "show"],
        abstract: "Show one user with its groups",
        options: [.value("id", "ID", help: "Pier's user id (see 'pier users list')", required: true, environment: .none)]
            + ClientSettings.options
    )

    let settings: ClientSettings
    let id: String

    init(options: ParsedOptions) throws {
        id = options.value("id")!
        settings = try ClientSettings(options)
    }

    func run(api: APIClient, context: CLIContext) async throws -> Int32 {
        let user = try await api.get("/api/v1/users/\(APIClient.segment(id))")
        switch settings.output {
        case .json:
            context.printJSON(user)
        case .table:
            context.print(lines: ResourceText.userDetails(user, domainNames: await DomainNames.fetch(api)))
        }
        return ExitStatus.success
    }
}
