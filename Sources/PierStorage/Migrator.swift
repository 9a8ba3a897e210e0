public import Foundation
public import PierCore
public import PierLogging

/// Applies a backend's ordered ``Migration`` list and keeps `schema_migrations` honest.
///
/// ```swift
/// let migrator = Migrator(migrations: SQLiteMigrations.all, logger: logger)
/// let pending = try await migrator.pendingMigrations(in: database)   // verifies, applies nothing
/// try await migrator.migrate(database)                               // verifies, then applies
/// ```
///
/// Before doing anything, both calls verify the database: every applied migration must be known to
/// this binary (otherwise `.schemaTooNew`: the database was migrated by a newer Pier) and must still
/// have its recorded checksum (otherwise `.migrationFailed` naming the id). Each pending migration
/// then runs in its own transaction together with its `schema_migrations` row, so a failure leaves
/// no trace of it.
public struct Migrator: Sendable {
    /// The migrations, in the order they apply.
    public let migrations: [Migration]
    /// Recorded with each applied migration.
    public let pierVersion: String
    private let logger: Logger
    private let now: @Sendable () -> Date

    /// Creates a migrator.
    ///
    /// - Parameters:
    ///   - migrations: the backend's migrations in order; ids must be unique.
    ///   - pierVersion: recorded with each migration this migrator applies.
    ///   - logger: receives one record per applied migration.
    ///   - now: the clock for `applied_at`.
    public init(
        migrations: [Migration],
        pierVersion: String = PierVersion.current,
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        precondition(Set(migrations.map(\.id)).count == migrations.count, "migration ids must be unique")
        self.migrations = migrations
        self.pierVersion = pierVersion
        self.logger = logger
        self.now = now
    }

    /// The `schema_migrations` table; the same text on every backend.
    static let bookkeepingSQL = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            id TEXT PRIMARY KEY NOT NULL,
            checksum TEXT NOT NULL,
            applied_at TEXT NOT NULL,
            pier_version TEXT NOT NULL
        )
        """

    /// The migrations not yet applied, in order, after verifying the applied ones. Changes nothing.
    ///
    /// - Throws: `.schemaTooNew` or `.migrationFailed` (see the type's documentation).
    public func pendingMigrations(in database: any DatabaseWriter) async throws -> [Migration] {
        let applied = try await appliedMigrations(in: database)
        try verify(applied)
        let appliedIDs = Set(applied.map(\.id))
        return migrations.filter { !appliedIDs.contains($0.id) }
    }

    /// The rows of `schema_migrations`, empty for a new database.
    public func appliedMigrations(in database: any DatabaseWriter) async throws -> [AppliedMigration] {
        try await database.read { db in
            guard try Self.bookkeepingTableExists(db) else { return [] }
            return try db.fetchAll("SELECT id, checksum, applied_at, pier_version FROM schema_migrations ORDER BY id")
                .map { row in
                    AppliedMigration(
                        id: try row.decode("id"),
                        checksum: try row.decode("checksum"),
                        appliedAt: try row.decode("applied_at"),
                        pierVersion: try row.decode("pier_version")
                    )
                }
        }
    }

    /// Verifies the applied migrations, then applies the pending ones, each in its own transaction.
    ///
    /// - Returns: the ids applied by this call.
    /// - Throws: `.schemaTooNew`, or `.migrationFailed` naming the migration, with the backend's error
    ///   as `underlying`.
    @discardableResult
    public func migrate(_ database: any DatabaseWriter) async throws -> [String] {
        try await database.write { db in try db.executeScript(Self.bookkeepingSQL) }
        let pending = try await pendingMigrations(in: database)
        var appliedNow: [String] = []
        for migration in pending {
            let appliedAt = now()
            let version = pierVersion
            do {
                let applied = try await database.write(
                    foreignKeys: migration.disablesForeignKeys ? .checkedBeforeCommit : .immediate
                ) { db -> Bool in
                    // Another process may have applied it since we looked; its row is the proof.
                    if try db.fetchOne("SELECT id FROM schema_migrations WHERE id = \(migration.id)") != nil {
                        return false
                    }
                    try db.executeScript(migration.sql)
                    try db.execute("""
                        INSERT INTO schema_migrations (id, checksum, applied_at, pier_version)
                        VALUES (\(migration.id), \(migration.checksum), \(appliedAt), \(version))
                        """)
                    return true
                }
                if applied {
                    appliedNow.append(migration.id)
                    logger.info("Migration applied", metadata: ["db.migration": migration.id])
                }
            } catch {
                logger.error("Migration failed", metadata: ["db.migration": migration.id, "error": "\(error)"])
                throw StorageError(
                    .migrationFailed,
                    "migration \(migration.id) failed and was rolled back",
                    underlying: error as? StorageError
                )
            }
        }
        return appliedNow
    }

    private func verify(_ applied: [AppliedMigration]) throws {
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.id, $0) })
        let unknown = applied.filter { known[$0.id] == nil }
        if let newest = unknown.last {
            throw StorageError(
                .schemaTooNew,
                "the database was migrated by a newer Pier (\(newest.pierVersion)): migration \(unknown.map(\.id).joined(separator: ", ")) is unknown to Pier \(pierVersion); upgrade Pier"
            )
        }
        for record in applied {
            guard let migration = known[record.id] else { continue }
            if migration.checksum != record.checksum {
                throw StorageError(
                    .migrationFailed,
                    "migration \(record.id) was changed after it was applied (checksum \(record.checksum) recorded, \(migration.checksum) now); shipped migrations must not be edited"
                )
            }
        }
    }

    private static func bookkeepingTableExists(_ db: any DatabaseReadConnection) throws -> Bool {
        switch db.dialect {
        case .sqlite:
            return try db.fetchOne("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'") != nil
        default:
            // information_schema is standard SQL (PostgreSQL and others).
            return try db.fetchOne("""
                SELECT 1 FROM information_schema.tables
                WHERE table_name = 'schema_migrations' AND table_schema = current_schema()
                """) != nil
        }
    }
}
