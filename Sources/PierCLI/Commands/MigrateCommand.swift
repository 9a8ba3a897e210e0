import PierLogging
import PierStorage
import PierServer

/// `pier migrate`: applies pending migrations after backing the database up.
struct MigrateCommand: Command {
    static let configuration = CommandConfiguration(
        path: ["migrate"],
        abstract: "Apply pending database migrations (a SQLite database is backed up first)",
        options: [
            .value("database", "URL", help: "Database URL, sqlite:///path/pier.db", default: "sqlite:///var/lib/pier/pier.db"),
            .value("log-level", "LEVEL", help: "trace, debug, info, notice, warning, error or critical", default: "warning"),
        ]
    )

    let database: DatabaseLocation
    let logLevel: Logger.Level

    init(options: ParsedOptions) throws {
        do {
            database = try DatabaseLocation(parsing: options.value("database")!)
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
