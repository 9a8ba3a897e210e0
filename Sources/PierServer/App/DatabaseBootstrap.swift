public import Foundation
public import PierLogging
public import PierStorage
import PierCore
import PierSQLite
import PierPostgres

/// Opens the configured database and brings its schema up to date under DESIGN.md §9's rules; shared by
/// `pier serve` and `pier migrate`.
public struct DatabaseBootstrap: Sendable {
    public let location: DatabaseLocation
    let logger: Logger
    let now: @Sendable () -> Date
    let migrations: [Migration]

    /// - Parameter migrations: the backend's own list unless a test supplies another.
    public init(
        location: DatabaseLocation, logger: Logger, migrations: [Migration]? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.location = location
        self.logger = logger
        self.now = now
        switch location {
        case .sqlite: self.migrations = migrations ?? SQLiteMigrations.all
        case .postgres: self.migrations = migrations ?? PostgresMigrations.all
        }
    }

    /// What ``migrate(_:)`` did.
    public struct MigrationReport: Sendable {
        public var applied: [String]
        /// The SQLite backup written before migrating; nil for a new database and on PostgreSQL.
        public var backupPath: String?
        public var alreadyApplied: Int
        /// Set when migrations changed an existing PostgreSQL schema without a backup by Pier: the
        /// operator's `pg_dump` is the backup.
        public var backupNote: String?
    }

    /// What an operator reads about backups on PostgreSQL (Pier cannot copy a server's database).
    public static let postgresBackupNote =
        "Pier takes no backup of a PostgreSQL database; back it up with pg_dump before upgrading"

    /// Opens the database (creating an empty SQLite file if needed; connecting to PostgreSQL).
    ///
    /// - Throws: ``StorageError`` with the path and a hint when the file cannot be opened, or naming
    ///   host, port, database and user (never the password) when PostgreSQL cannot be reached or
    ///   refuses the login.
    public func open() async throws -> any DatabaseWriter {
        switch location {
        case .sqlite(let path):
            return try await SQLiteDatabase.open(path: path, logger: logger.withLabel("pier.sqlite"))
        case .postgres(let configuration):
            return try await PostgresDatabase.open(configuration, logger: logger.withLabel("pier.postgres"))
        }
    }

    func migrator() -> Migrator {
        Migrator(migrations: migrations, pierVersion: PierVersion.current, logger: logger.withLabel("pier.migrate"), now: now)
    }

    /// The migrations this binary would apply; verifies the applied ones (checksums, newer schema).
    public func pendingMigrations(_ database: any DatabaseWriter) async throws -> [Migration] {
        try await migrator().pendingMigrations(in: database)
    }

    /// Applies pending migrations.
    ///
    /// - SQLite: first writes a backup of a database that already has a schema
    ///   (`VACUUM INTO <path>.backup-<UTC time>`), so a failed upgrade can be undone by copying the
    ///   backup back.
    /// - PostgreSQL: holds the migration advisory lock for the whole run (checks included), so
    ///   instances starting together migrate once: the first applies, the others find nothing
    ///   pending. No backup is taken (``postgresBackupNote``); the report's `backupNote` says so.
    public func migrate(_ database: any DatabaseWriter) async throws -> MigrationReport {
        if let postgres = database as? PostgresDatabase {
            return try await postgres.withMigrationLock { try await migrateHoldingLock(database) }
        }
        return try await migrateHoldingLock(database)
    }

    private func migrateHoldingLock(_ database: any DatabaseWriter) async throws -> MigrationReport {
        let migrator = migrator()
        let pending = try await migrator.pendingMigrations(in: database)
        let applied = try await migrator.appliedMigrations(in: database)
        guard !pending.isEmpty else {
            return MigrationReport(applied: [], backupPath: nil, alreadyApplied: applied.count)
        }
        var backupPath: String?
        var backupNote: String?
        if !applied.isEmpty, case .sqlite(let path) = location, let sqlite = database as? SQLiteDatabase {
            let stamp = now().formatted(Date.VerbatimFormatStyle(
                format: "\(year: .defaultDigits)\(month: .twoDigits)\(day: .twoDigits)T\(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased))\(minute: .twoDigits)\(second: .twoDigits)Z",
                timeZone: .gmt, calendar: Calendar(identifier: .gregorian)))
            let destination = "\(path).backup-\(stamp)"
            try await sqlite.backup(to: destination)
            logger.notice("Database backed up before migrating", metadata: ["db.backup": destination])
            backupPath = destination
        } else if !applied.isEmpty, case .postgres = location {
            logger.notice(Self.postgresBackupNote, metadata: ["db.url": location.description])
            backupNote = Self.postgresBackupNote
        }
        let ids = try await migrator.migrate(database)
        return MigrationReport(applied: ids, backupPath: backupPath, alreadyApplied: applied.count, backupNote: backupNote)
    }
}
