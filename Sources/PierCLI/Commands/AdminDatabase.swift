import Foundation
import PierLogging
import PierServer
import PierStorage

/// Opens the database for `pier admin …` commands: the one place where the CLI touches storage
/// directly besides `migrate` (STYLE.md §11.8), because creating the first API token cannot go
/// through an API that needs one.
enum AdminDatabase {
    static let option = OptionSpec.value("database", "URL", help: "Database URL, sqlite:///path/pier.db", required: true)

    static func location(_ options: ParsedOptions) throws -> DatabaseLocation {
        do {
            return try DatabaseLocation(parsing: options.value("database")!)
        } catch let error as ConfigurationError {
            throw UsageError(error.message)
        }
    }

    /// Opens a migrated database, runs `body` with its store, and closes it.
    ///
    /// - Throws: ``AdminError`` when the schema is not up to date (the server would refuse it too).
    static func withStore<T: Sendable>(_ location: DatabaseLocation, _ body: (SQLStore) async throws -> T) async throws -> T {
        let logger = Logger(label: "pier", level: .error, handler: JSONLinesLogHandler())
        let bootstrap = DatabaseBootstrap(location: location, logger: logger)
        let database = try await bootstrap.open()
        do {
            let pending = try await bootstrap.pendingMigrations(database)
            guard pending.isEmpty else {
                throw AdminError("the database \(location) has \(pending.count) pending migration(s); run `pier migrate --database \(location)` first")
            }
            let result = try await body(SQLStore(database: database))
            await database.close()
            return result
        } catch {
            await database.close()
            throw error
        }
    }
}

/// A failure of an admin command, printed as `Error: …` with exit status 1.
struct AdminError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
