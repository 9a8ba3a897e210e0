public import PierStorage

/// The handle given to a PostgreSQL transaction closure; valid only while the closure runs.
///
/// Besides ``DatabaseConnection``, it offers PostgreSQL's bulk path, ``upsert(_:rows:)`` (COPY into a
/// temporary table, then one `INSERT … ON CONFLICT`). Code that works on every backend reaches it
/// with `if let postgres = db as? PostgresTransaction { … }`.
///
/// Unlike SQLite, PostgreSQL aborts the whole transaction when one statement fails: catching a
/// ``StorageError`` inside the closure and carrying on is not possible. Further statements fail, and
/// a closure that swallows the error and returns still does not commit: the first error is thrown.
public final class PostgresTransaction: DatabaseConnection {
    private let connection: PostgresConnection
    private var isOpen = true
    private let isReadOnly: Bool
    /// The first statement error, remembered in case the closure swallows it.
    private(set) var firstError: StorageError?
    private var temporaryTableCounter = 0

    init(connection: PostgresConnection, readOnly: Bool) {
        self.connection = connection
        self.isReadOnly = readOnly
    }

    /// Ends the handle's life; any later use traps.
    func invalidate() { isOpen = false }

    public var dialect: SQLDialect { .postgres }

    private func checkOpen() {
        precondition(isOpen, "a database connection was used outside of its transaction closure")
    }

    private func run(_ sql: SQL) throws -> PostgresResult {
        checkOpen()
        let (text, arguments) = sql.render { "$\($0)" }
        do {
            return try connection.execute(text, arguments)
        } catch {
            if firstError == nil { firstError = error }
            throw error
        }
    }

    public func forEachRow(_ sql: SQL, _ body: (Row) throws -> Bool) throws {
        let result = try run(sql)
        let columns = result.columnNames()
        let kinds = result.columnKinds()
        for index in 0..<result.rowCount {
            guard try body(result.row(index, columns: columns, kinds: kinds)) else { break }
        }
    }

    public func fetchAll(_ sql: SQL) throws -> [Row] {
        let result = try run(sql)
        let columns = result.columnNames()
        let kinds = result.columnKinds()
        return (0..<result.rowCount).map { result.row($0, columns: columns, kinds: kinds) }
    }

    @discardableResult
    public func execute(_ sql: SQL) throws -> Int {
        try run(sql).affectedRows
    }

    public func executeScript(_ sql: String) throws {
        checkOpen()
        do {
            try connection.executeScript(sql)
        } catch {
            if firstError == nil { firstError = error }
            throw error
        }
    }

    // MARK: - Bulk upsert

    /// Inserts or updates many rows at once: `COPY` into a temporary table, then one
    /// `INSERT INTO table … SELECT … ON CONFLICT (…) DO UPDATE`, skipping rows that would not change.
    ///
    /// ```swift
    /// let spec = BulkUpsert(table: "users", columns: ["id", "login", …], conflictColumns: ["id"])
    /// try await database.write { db in
    ///     guard let postgres = db as? PostgresTransaction else { … }
    ///     try postgres.upsert(spec, rows: users.map { [.text($0.id), .text($0.login), …] })
    /// }
    /// ```
    ///
    /// - Returns: how many rows were inserted or changed (unchanged rows are not counted).
    /// - Throws: ``StorageError`` as a single statement would (`.constraint` for a CHECK or foreign key,
    ///   `.invalidSQL` for a value of the wrong type), with the COPY or INSERT text as `sql`.
    @discardableResult
    public func upsert(_ spec: BulkUpsert, rows: some Sequence<[DatabaseValue]>) throws -> Int {
        checkOpen()
        precondition(!isReadOnly, "upsert needs a write transaction")
        temporaryTableCounter += 1
        let staging = "pier_bulk_\(temporaryTableCounter)"
        let columnList = spec.columns.map(BulkUpsert.quote).joined(separator: ", ")
        do {
            try connection.executeScript("""
                CREATE TEMPORARY TABLE \(staging) ON COMMIT DROP AS
                SELECT \(columnList) FROM \(BulkUpsert.quote(spec.table)) WITH NO DATA
                """)
            var iterator = rows.makeIterator()
            let width = spec.columns.count
            _ = try connection.copyIn("COPY \(staging) (\(columnList)) FROM STDIN") { buffer in
                while buffer.count < 1 << 16 {
                    guard let row = iterator.next() else { return false }
                    precondition(row.count == width, "each row needs one value per column (\(width))")
                    CopyText.append(row, to: &buffer)
                }
                return true
            }
            let result = try connection.execute(spec.insertSQL(from: staging), [])
            try connection.executeScript("DROP TABLE \(staging)")
            return result.affectedRows
        } catch {
            if firstError == nil { firstError = (error as? StorageError) ?? StorageError(.other, "bulk upsert failed: \(error)") }
            throw error
        }
    }

    /// Inserts many rows with one `COPY` straight into `table`: no temporary table, rows in order, any
    /// violation fails the call. Names must be plain lowercase identifiers from the program.
    ///
    /// - Returns: how many rows were inserted.
    @discardableResult
    public func insert(into table: String, columns: [String], rows: some Sequence<[DatabaseValue]>) throws -> Int {
        checkOpen()
        precondition(!isReadOnly, "insert needs a write transaction")
        for name in [table] + columns {
            precondition(BulkUpsert.isPlainIdentifier(name), "'\(name)' is not a plain lowercase identifier")
        }
        precondition(!columns.isEmpty, "an insert needs columns")
        let columnList = columns.map(BulkUpsert.quote).joined(separator: ", ")
        do {
            var iterator = rows.makeIterator()
            let width = columns.count
            return try connection.copyIn("COPY \(BulkUpsert.quote(table)) (\(columnList)) FROM STDIN") { buffer in
                while buffer.count < 1 << 16 {
                    guard let row = iterator.next() else { return false }
                    precondition(row.count == width, "each row needs one value per column (\(width))")
                    CopyText.append(row, to: &buffer)
                }
                return true
            }
        } catch {
            if firstError == nil { firstError = (error as? StorageError) ?? StorageError(.other, "bulk insert failed: \(error)") }
            throw error
        }
    }
}

/// What ``PostgresTransaction/upsert(_:rows:)`` writes: a table, its columns, the conflict target.
///
/// Names must be plain lowercase SQL identifiers from the program (an allow-list), never input.
public struct BulkUpsert: Sendable, Hashable {
    /// The target table.
    public var table: String
    /// The columns each row supplies, in order.
    public var columns: [String]
    /// The unique key that decides insert or update (`ON CONFLICT (…)`).
    public var conflictColumns: [String]
    /// The columns an existing row takes from the new one; by default every non-key column. Empty
    /// means `DO NOTHING`.
    public var updateColumns: [String]

    /// Creates a specification.
    public init(table: String, columns: [String], conflictColumns: [String], updateColumns: [String]? = nil) {
        for name in [table] + columns + conflictColumns + (updateColumns ?? []) {
            precondition(Self.isPlainIdentifier(name), "'\(name)' is not a plain lowercase identifier")
        }
        precondition(!columns.isEmpty && !conflictColumns.isEmpty, "an upsert needs columns and a conflict target")
        self.table = table
        self.columns = columns
        self.conflictColumns = conflictColumns
        self.updateColumns = updateColumns ?? columns.filter { !conflictColumns.contains($0) }
    }

    static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || (0x61...0x7a).contains(first) else { return false }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) }
    }

    static func quote(_ name: String) -> String { "\"\(name)\"" }

    func insertSQL(from staging: String) -> String {
        let columnList = columns.map(Self.quote).joined(separator: ", ")
        var sql = "INSERT INTO \(Self.quote(table)) AS t (\(columnList)) SELECT \(columnList) FROM \(staging) "
        sql += "ON CONFLICT (\(conflictColumns.map(Self.quote).joined(separator: ", "))) "
        if updateColumns.isEmpty {
            sql += "DO NOTHING"
        } else {
            let assignments = updateColumns.map { "\(Self.quote($0)) = excluded.\(Self.quote($0))" }.joined(separator: ", ")
            let current = updateColumns.map { "t.\(Self.quote($0))" }.joined(separator: ", ")
            let incoming = updateColumns.map { "excluded.\(Self.quote($0))" }.joined(separator: ", ")
            // ROW(…) so a single column compares as a row too; unchanged rows are not rewritten.
            sql += "DO UPDATE SET \(assignments) WHERE ROW(\(current)) IS DISTINCT FROM ROW(\(incoming))"
        }
        return sql
    }
}

/// COPY's text format: tab-separated columns, `\N` for NULL, backslash escapes.
/// https://www.postgresql.org/docs/15/sql-copy.html#id-1.9.3.55.9.2
enum CopyText {
    static func append(_ row: [DatabaseValue], to buffer: inout [UInt8]) {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: "\t")) }
            switch value {
            case .null:
                buffer.append(UInt8(ascii: "\\"))
                buffer.append(UInt8(ascii: "N"))
            case .integer(let int):
                buffer.append(contentsOf: String(int).utf8)
            case .real(let double):
                buffer.append(contentsOf: "\(double)".utf8)
            case .text(let text):
                for byte in text.utf8 {
                    switch byte {
                    case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "\\"))
                    case UInt8(ascii: "\t"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "t"))
                    case UInt8(ascii: "\n"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "n"))
                    case UInt8(ascii: "\r"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "r"))
                    default: buffer.append(byte)
                    }
                }
            case .blob(let bytes):
                // bytea hex input `\x…`, with COPY's own backslash escaped.
                buffer.append(UInt8(ascii: "\\"))
                buffer.append(contentsOf: PostgresConnection.byteaHex(bytes).utf8)
            }
        }
        buffer.append(UInt8(ascii: "\n"))
    }
}
