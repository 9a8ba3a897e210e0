import Foundation
import PierCore
import PierServer
import PierStorage

/// `pier admin token revoke`: a revoked token authenticates nothing from the next request on.
struct AdminTokenRevokeCommand: Command {
    static let configuration = CommandConfiguration(
        path: ["admin", "token", "revoke"],
        abstract: "Revoke an API token by id (see 'pier admin token list')",
        options: [
            .value("id", "ID", help: "The token's id", required: true, environment: .none),
            AdminDatabase.option,
        ]
    )

    let id: APITokenID
    let database: DatabaseLocation

    init(options: ParsedOptions) throws {
        id = APITokenID(rawValue: options.value("id")!)
        database = try AdminDatabase.location(options)
    }

    func run(context: CLIContext) async throws -> Int32 {
        do {
            try await AdminDatabase.withStore(database) { store in
                try await store.revokeAPIToken(id, at: Date())
                try await store.append(AuditEntry(at: Date(), actor: "cli", action: "api_token.revoke", target: id.rawValue))
            }
        } catch let error as StorageError where error.code == .notFound {
            throw AdminError("no API token with id '\(id)'")
        }
        context.print("Revoked API token \(id).")
        return ExitStatus.success
    }
}
