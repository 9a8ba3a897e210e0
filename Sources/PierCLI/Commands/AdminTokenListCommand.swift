import Foundation
import PierCore
import PierServer
import PierStorage

/// `pier admin token list`: the stored tokens (never the tokens themselves, which are not stored).
struct AdminTokenListCommand: Command {
    static let configuration = CommandConfiguration(
        path: ["admin", "token", "list"],
        abstract: "List API tokens (id, name, created, last used, revoked)",
        options: [AdminDatabase.option]
    )

    let database: DatabaseLocation

    init(options: ParsedOptions) throws {
        database = try AdminDatabase.location(options)
    }

    func run(context: CLIContext) async throws -> Int32 {
        let records = try await AdminDatabase.withStore(database) { store in try await store.apiTokens() }
        let rows = [["ID", "NAME", "CREATED", "LAST USED", "REVOKED"]] + records.map { record in
            [record.id.rawValue, record.name, Self.format(record.createdAt), Self.format(record.lastUsedAt), Self.format(record.revokedAt)]
        }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            let cells = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            context.print(cells.joined(separator: "  "))
        }
        return ExitStatus.success
    }

    static func format(_ date: Date?) -> String {
        guard let date else { return "-" }
        return date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon))
    }
}
