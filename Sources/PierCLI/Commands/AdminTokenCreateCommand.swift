import Foundation
import PierCore
import PierServer
import PierStorage

/// `pier admin token create`: creates an API token and prints it, alone, once.
struct AdminTokenCreateCommand: Command {
    static let configuration = CommandConfiguration(
        path: ["admin", "token", "create"],
        abstract: "Create an API token (printed once; only its hash is stored)",
        discussion: "The token is printed alone on standard output and cannot be shown again; store it now.",
        options: [
            .value("name", "NAME", help: "What the token is for (ci, backup script)", required: true, environment: .none),
            AdminDatabase.option,
        ]
    )

    let name: String
    let database: DatabaseLocation

    init(options: ParsedOptions) throws {
        let name = options.value("name")!.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 100 else { throw UsageError("--name must be 1 to 100 characters") }
        self.name = name
        database = try AdminDatabase.location(options)
    }

    func run(context: CLIContext) async throws -> Int32 {
        let issued = try await AdminDatabase.withStore(database) { store in
            try await APITokenIssuer(store: store).create(name: name)
        }
        context.print(issued.token)
        context.printError("Created API token '\(issued.record.name)' (id \(issued.record.id)). It is not shown again.")
        return ExitStatus.success
    }
}
