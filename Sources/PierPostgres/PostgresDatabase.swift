public import PierLogging
public import PierStorage
import Foundation
import Synchronization

/// Pier's database on a PostgreSQL server, for several Pier instances sharing one database.
///
/// ```swift
/// var configuration = try PostgresConfiguration(url: "postgres://pier@db:5432/pier")
/// configuration.password = try PostgresConfiguration.password(environment: env, passwordFile: file)
/// let database = try await PostgresDatabase.open(configuration, logger: logger)
/// try await database.migrate(with: Migrator(migrations: PostgresMigrations.all, logger: logger))
/// let stores = SQLStore(database: database)
/// …
/// await database.close()
/// ```
///
/// Transactions keep the ``DatabaseWriter`` contract (docs/STORAGE.md), with these PostgreSQL facts:
///
/// - **Reads** run `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY` on one of a bounded pool of
///   reader connections: one snapshot per closure, concurrent with each other and with writes.
/// - **Writes** run on this instance's one writer connection, so they are serialized within the
///   process, as on SQLite. Across instances they run `SERIALIZABLE`: the server guarantees the
///   outcome of some serial order, and reports a transaction that cannot fit one with SQLSTATE
///   40001 (or 40P01 for a deadlock). **The runner then re-runs the whole closure** (up to
///   ``PostgresConfiguration/maxWriteAttempts`` times, with a short jittered pause), so a write
///   closure must touch only the database: no network calls, no counters outside it, no side
///   effects that must not happen twice. When the attempts run out, the error is `.busy`.
/// - A statement that fails aborts the transaction (see ``PostgresTransaction``).
/// - ``ForeignKeyEnforcement/checkedBeforeCommit`` runs `SET CONSTRAINTS ALL DEFERRED`: deferrable
///   constraints are checked at `COMMIT`; PostgreSQL migrations change tables with `ALTER TABLE`
///   and need no SQLite-style rebuild.
///
/// Every libpq call blocks on a connection's own serial `DispatchQueue`, never on the Swift
/// cooperative pool.
public final class PostgresDatabase: DatabaseWriter {
    /// Where this database connects (never includes the password).
    public let configuration: PostgresConfiguration
    public var dialect: SQLDialect { .postgres }

    private let writer: ConnectionPool
    private let readers: ConnectionPool
    private let logger: Logger
    private let closed = Mutex(false)

    private init(configuration: PostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.writer = ConnectionPool(name: "writer", capacity: 1, configuration: configuration)
        self.readers = ConnectionPool(name: "reader", capacity: max(1, configuration.readerCount), configuration: configuration)
        self.logger = logger
    }

    /// Connects to the server (the writer connection at once; readers on first use).
    ///
    /// - Throws: ``StorageError`` `.unavailable` naming host, port, database and user when the server
    ///   cannot be reached, the database does not exist or the login is refused. The password is
    ///   never part of the message.
    public static func open(_ configuration: PostgresConfiguration, logger: Logger) async throws -> PostgresDatabase {
        let database = PostgresDatabase(configuration: configuration, logger: logger)
        do {
            try await database.writer.slots[0].warmUp()
        } catch {
            await database.writer.close()
            throw error
        }
        logger.info("Database opened", metadata: ["db.backend": "postgres", "db.url": configuration.description])
        return database
    }

    // MARK: - DatabaseWriter

    @discardableResult
    public func read<T: Sendable>(_ body: @escaping @Sendable (any DatabaseReadConnection) throws -> T) async throws -> T {
        try checkNotClosed()
        return try await readers.run { connection in
            try Self.inTransaction(connection, begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", readOnly: true) { try body($0) }
        }
    }

    @discardableResult
    public func write<T: Sendable>(
        foreignKeys: ForeignKeyEnforcement,
        _ body: @escaping @Sendable (any DatabaseConnection) throws -> T
    ) async throws -> T {
        try checkNotClosed()
        let begin = foreignKeys == .checkedBeforeCommit
            ? "BEGIN ISOLATION LEVEL SERIALIZABLE; SET CONSTRAINTS ALL DEFERRED"
            : "BEGIN ISOLATION LEVEL SERIALIZABLE"
        let attempts = max(1, configuration.maxWriteAttempts)
        var attempt = 1
        while true {
            do {
                return try await writer.run { connection in
                    try Self.inTransaction(connection, begin: begin, readOnly: false) { try body($0) }
                }
            } catch let error as StorageError where PostgresConnection.isRetryable(error) {
                guard attempt < attempts else {
                    throw StorageError(
                        .busy,
                        "the write transaction conflicted with concurrent transactions \(attempts) times in a row",
                        sql: error.sql, backendCode: error.backendCode, underlying: error
                    )
                }
                logger.debug("Write transaction retried", metadata: ["db.attempt": "\(attempt)", "db.sqlstate": error.backendCode ?? ""])
                attempt += 1
                // A short, jittered pause so two instances that collided do not collide again.
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(5 * attempt))))
            }
        }
    }

    /// Runs `body` between `begin` and `COMMIT`; on a throw, rolls back and rethrows the first error.
    private static func inTransaction<T>(
        _ connection: PostgresConnection,
        begin: String,
        readOnly: Bool,
        _ body: (PostgresTransaction) throws -> T
    ) throws -> T {
        if !connection.isIdle {
            // A previous closure's transaction was interrupted by a broken connection; start clean.
            try? connection.executeScript("ROLLBACK")
        }
        try connection.executeScript(begin)
        let transaction = PostgresTransaction(connection: connection, readOnly: readOnly)
        defer { transaction.invalidate() }
        let result: T
        do {
            result = try body(transaction)
        } catch {
            try? connection.executeScript("ROLLBACK")
            throw error
        }
        if let swallowed = transaction.firstError {
            // The closure caught a statement error and returned. PostgreSQL has aborted the
            // transaction (a COMMIT would silently roll back), so report the error instead.
            try? connection.executeScript("ROLLBACK")
            throw swallowed
        }
        do {
            try connection.executeScript("COMMIT")
        } catch {
            try? connection.executeScript("ROLLBACK")
            throw error
        }
        return result
    }

    // MARK: - Migrations

    /// Applies pending migrations while holding a PostgreSQL advisory lock, so instances that start
    /// together migrate one after the other: the first applies, the others find nothing pending.
    ///
    /// The lock is a session lock (`pg_advisory_lock`) on a dedicated connection, held for the whole
    /// run (checks and every migration), released by `pg_advisory_unlock` or when the connection ends
    /// (also when the process dies). Its key depends on the schema, so per-schema test databases do
    /// not wait for each other.
    ///
    /// - Returns: the ids this call applied.
    @discardableResult
    public func migrate(with migrator: Migrator) async throws -> [String] {
        try await withMigrationLock { try await migrator.migrate(self) }
    }

    /// Runs `body` while holding the migration advisory lock (see ``migrate(with:)``); for callers
    /// that also check pending migrations or take a backup under the same lock.
    public func withMigrationLock<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try checkNotClosed()
        let key = Self.migrationLockKey(schema: configuration.schema)
        let holder = ConnectionPool.Slot(label: "pier.postgres.migration-lock", configuration: configuration)
        defer { _ = holder }
        do {
            try await holder.run { connection in
                _ = try connection.execute("SELECT pg_advisory_lock($1)", [.integer(key)])
            }
        } catch {
            await holder.close()
            throw error
        }
        logger.debug("Migration lock held", metadata: ["db.lock": "\(key)"])
        do {
            let result = try await body()
            _ = try? await holder.run { connection in _ = try connection.execute("SELECT pg_advisory_unlock($1)", [.integer(key)]) }
            await holder.close()
            return result
        } catch {
            _ = try? await holder.run { connection in _ = try connection.execute("SELECT pg_advisory_unlock($1)", [.integer(key)]) }
            await holder.close()
            throw error
        }
    }

    /// "PIERMIGR" as a 64-bit number, mixed with an FNV-1a hash of the schema name.
    static func migrationLockKey(schema: String?) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (schema ?? "").utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int64(bitPattern: 0x5049_4552_4d49_4752 ^ hash)
    }

    // MARK: - Closing

    public func close() async {
        let wasClosed = closed.withLock { closed in
            defer { closed = true }
            return closed
        }
        guard !wasClosed else { return }
        await writer.close()
        await readers.close()
        logger.info("Database closed", metadata: ["db.url": configuration.description])
    }

    private func checkNotClosed() throws {
        if closed.withLock({ $0 }) { throw StorageError(.closed, "the PostgreSQL database \(configuration) is closed") }
    }
}
