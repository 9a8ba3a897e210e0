public import Foundation
public import PierLogging
public import PierStorage
import PierCore
import PierSQLite

/// Opens the configured database and brings its schema up to date under DESIGN.md §9's rules; shared by
/// `pier serve` and `pier migrate`.
public struct DatabaseBootstrap: Sendable {
    public let location: DatabaseLocation
    let logger: Logger
    let now: @Sendable () -> Date

    public init(location: DatabaseLocation, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.location = location
        self.logger = logger
        self.now = now
    }

    /// What ``migrate(_:)`` did.
    public struct MigrationReport: Sendable {
        public var applied: [String]
        public var backupPath: String?
        public var alreadyApplied: Int
    }

    /// Opens the database (creating an empty SQLite file if needed).
    ///
    /// - Throws: ``StorageError`` with the path and a hint when the file cannot be opened.
    public func open() async throws -> any DatabaseWriter {
        switch location {
        case .sqlite(let path):
            return try await SQLiteDatabase.open(path: path, logger: logger.withLabel("pier.sqlite"))
        }
    }

    func migrator() -> Migrator {
        switch location {
        case .sqlite:
            Migrator(migrations: SQLiteMigrations.all, pierVersion: PierVersion.current, logger: logger.withLabel("pier.migrate"), now: now)
        }
    }

    /// The migrations this binary would apply; verifies the applied ones (checksums, newer schema).
    public func pendingMigrations(_ database: any DatabaseWriter) async throws -> [Migration] {
        try await migrator().pendingMigrations(in: database)
    }

    /// Applies pending migrations, first writing a backup of a database that already has a schema
    /// (SQLite: `VACUUM INTO <path>.backup-<UTC time>`), so a failed upgrade can be undone by copying
    /// the backup back.
    public func migrate(_ database: any DatabaseWriter) async throws -> MigrationReport {
        let migrator = migrator()
        let pending = try await migrator.pendingMigrations(in: database)
        let applied = try await migrator.appliedMigrations(in: database)
        guard !pending.isEmpty else {
            return MigrationReport(applied: [], backupPath: nil, alreadyApplied: applied.count)
        }
        var backupPath: String?
        if !applied.isEmpty, case .sqlite(let path) = location, let sqlite = database as? SQLiteDatabase {
            let stamp = now().formatted(Date.VerbatimFormatStyle(
                format: "\(year: .defaultDigits)\(month: .twoDigits)\(day: .twoDigits)T\(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased))\(minute: .twoDigits)\(second: .twoDigits)Z",
                timeZone: .gmt, calendar: Calendar(identifier: .gregorian)))
            let destination = "\(path).backup-\(stamp)"
            try await sqlite.backup(to: destination)
            logger.notice("Database backed up before migrating", metadata: ["db.backup": destination])
            backupPath = destination
        }
        let ids = try await migrator.migrate(database)
        return MigrationReport(applied: ids, backupPath: backupPath, alreadyApplied: applied.count)
    }
}
