/// The SQL dialect of a connection, for the few statements that differ between backends.
///
/// Stores that share one SQL text across backends use ``SQL`` (placeholders are rendered by the
/// backend); a store that needs backend-specific SQL switches on ``name``.
public struct SQLDialect: Hashable, Sendable, CustomStringConvertible {
    /// A short, stable name: `sqlite` or `postgres`.
    public let name: String

    /// Creates a dialect; backends use the static members.
    public init(name: String) { self.name = name }

    /// SQLite 3.
    public static let sqlite = SQLDialect(name: "sqlite")
    /// PostgreSQL.
    public static let postgres = SQLDialect(name: "postgres")

    public var description: String { name }
}

/// A connection inside a read transaction, valid only inside the closure that received it.
///
/// All reads in one closure see one consistent snapshot of the database.
public protocol DatabaseReadConnection {
    /// The backend's SQL dialect.
    var dialect: SQLDialect { get }

    /// Runs a query and returns every row.
    ///
    /// - Throws: ``StorageError``.
    func fetchAll(_ sql: SQL) throws -> [Row]

    /// Runs a query and calls `body` for each row, without collecting them (for large results).
    ///
    /// Return `false` from `body` to stop early.
    func forEachRow(_ sql: SQL, _ body: (Row) throws -> Bool) throws
}

extension DatabaseReadConnection {
    /// Runs a query and returns its first row, or nil.
    public func fetchOne(_ sql: SQL) throws -> Row? {
        var first: Row?
        try forEachRow(sql) { row in
            first = row
            return false
        }
        return first
    }

    /// Runs a query and decodes the first column of the first row, or returns nil when there is no
    /// row (`SELECT count(*) FROM …`, `SELECT value FROM settings WHERE …`).
    public func fetchValue<T: DatabaseValueConvertible>(_ sql: SQL, as type: T.Type = T.self) throws -> T? {
        try fetchOne(sql).map { try $0.decodeFirst(as: T.self) }
    }

    /// Default: collects ``forEachRow(_:_:)``.
    public func fetchAll(_ sql: SQL) throws -> [Row] {
        var rows: [Row] = []
        try forEachRow(sql) { row in
            rows.append(row)
            return true
        }
        return rows
    }
}

/// A connection inside a write transaction, valid only inside the closure that received it.
public protocol DatabaseConnection: DatabaseReadConnection {
    /// Runs one statement with bound parameters and returns the number of rows it changed.
    ///
    /// A statement with `RETURNING` should go through ``DatabaseReadConnection/fetchAll(_:)`` instead.
    /// - Throws: ``StorageError``; `.conflict` for a uniqueness violation, `.constraint` for a
    ///   foreign key, CHECK or NOT NULL violation.
    @discardableResult
    func execute(_ sql: SQL) throws -> Int

    /// Runs several `;`-separated statements without parameters (a migration).
    func executeScript(_ sql: String) throws
}

/// How foreign keys are enforced during a write transaction.
public enum ForeignKeyEnforcement: Sendable, Hashable {
    /// Every statement is checked (the normal case).
    case immediate
    /// Checks are suspended for the transaction and the whole database is verified before commit;
    /// any violation rolls the transaction back with `.constraint`. For table rebuilds in
    /// migrations (on SQLite: `PRAGMA foreign_keys = OFF` before `BEGIN`,
    /// `PRAGMA foreign_key_check` before `COMMIT`).
    case checkedBeforeCommit
}

/// A database that runs scoped transactions: the one entry point of application code to storage.
///
/// ```swift
/// let count = try await database.write { db in
///     try db.execute("INSERT INTO audit_log (at, actor, action) VALUES (\(now), \(actor), 'login')")
///     return try db.fetchValue("SELECT count(*) FROM audit_log", as: Int.self) ?? 0
/// }
/// ```
///
/// Rules (docs/STORAGE.md): the connection is valid only inside the closure; a closure that
/// returns commits, one that throws rolls back and its error is rethrown (if the rollback also fails,
/// the first error still wins); closures run on the backend's own executor, never on the Swift
/// cooperative pool, so they must not `await` and should stay short. Writes are serialized; reads run
/// concurrently with each other and with the writer, each on a consistent snapshot.
public protocol DatabaseWriter: Sendable {
    /// The backend's SQL dialect.
    var dialect: SQLDialect { get }

    /// Runs `body` in a read-only transaction.
    ///
    /// - Returns: what `body` returns.
    /// - Throws: the first error thrown by `body`, or a ``StorageError``.
    @discardableResult
    func read<T: Sendable>(_ body: @escaping @Sendable (any DatabaseReadConnection) throws -> T) async throws -> T

    /// Runs `body` in a write transaction with the given foreign key enforcement.
    ///
    /// - Returns: what `body` returns, after the transaction committed.
    /// - Throws: the first error thrown by `body` (the transaction is rolled back), or a
    ///   ``StorageError`` from commit.
    @discardableResult
    func write<T: Sendable>(
        foreignKeys: ForeignKeyEnforcement,
        _ body: @escaping @Sendable (any DatabaseConnection) throws -> T
    ) async throws -> T

    /// Closes every connection. Further calls fail with `.closed`.
    func close() async
}

extension DatabaseWriter {
    /// Runs `body` in a write transaction with immediate foreign key checks.
    @discardableResult
    public func write<T: Sendable>(_ body: @escaping @Sendable (any DatabaseConnection) throws -> T) async throws -> T {
        try await write(foreignKeys: .immediate, body)
    }
}
