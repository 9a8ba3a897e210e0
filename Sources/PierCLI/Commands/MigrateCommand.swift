import PierLogging
import PierStorage
import PierServer

/// `pier migrate`: applies pending migrations after backing a SQLite database up; on PostgreSQL under
/// the migration advisory lock (the operator backs it up with pg_dump).
struct MigrateCommand: Command {
    static let configuration = CommandConfiguration(
        path: ["migrate"],
        abstract: "Apply pending database migrations (a SQLite database is backed up first)",
        discussion: """
            A SQLite database that already has a schema is copied to <path>.backup-<UTC time> first. Pier \
            takes no backup of a PostgreSQL database: back it up with pg_dump before upgrading. On PostgreSQL, \
            migrations hold an advisory lock, so instances starting at the same time migrate only once.
            """,
        options: [
            .value("database", "URL", help: "Database URL, sqlite:///path/pier.db or postgres://USER@HOST:PORT/DB", default: "sqlite:///var/lib/pier/pier.db"),
            .value("database-password-file", "PATH", help: "PostgreSQL password file, mode 0600 (default: PGPASSWORD)"),
            .value("log-level", "LEVEL", help: "trace, debug, info, notice, warning, error or critical", default: "warning"),
        ]
    )

    let database: DatabaseLocation
    let logLevel: Logger.Level

    init(options: ParsedOptions) throws {
        do {
            database = try ServeCommand.databaseLocation(from: options)
        } catch let error as ConfigurationError {
            throw UsageError(error.message)
        }
        guard let level = Logger.Level(name: options.value("log-level")!) else {
            throw UsageError("--log-level '\(options.value("log-level")!)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        logLevel = level
    }

    func run(context: CLIContext) async throws -> Int32 {
        let logger = Logger(label: "pier", level: logLevel, handler: JSONLinesLogHandler())
        let bootstrap = DatabaseBootstrap(location: database, logger: logger)
        let db = try await bootstrap.open()
        do {
            let report = try await bootstrap.migrate(db)
            await db.close()
            if let backup = report.backupPath { context.print("Backup written to \(backup)") }
            if let note = report.backupNote { context.print("\(note).") }
            if report.applied.isEmpty {
                context.print("Database \(database) is up to date (\(report.alreadyApplied) migrations applied).")
            } else {
                for id in report.applied { context.print("Applied \(id)") }
                context.print("Database \(database) is up to date (\(report.alreadyApplied + report.applied.count) migrations applied).")
            }
            return ExitStatus.success
        } catch {
            await db.close()
            throw error
        }
    }
}
