import PierStorage
private import CSQLite

/// The one owner of a `sqlite3_stmt*`; finalized in `deinit`.
///
/// Confined, like its ``SQLiteConnection``, to the connection's serial queue.
final class Statement {
    private let handle: OpaquePointer
    /// The SQL text with `?` placeholders (never bound values); for errors.
    let sql: String
    private unowned let connection: SQLiteConnection
    private lazy var columnNames: [String] = (0..<sqlite3_column_count(handle)).map { index in
        String(cString: sqlite3_column_name(handle, index))
    }

    init(connection: SQLiteConnection, handle db: OpaquePointer, sql: String) throws(StorageError) {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw connection.error(code, sql: sql)
        }
        self.handle = statement
        self.sql = sql
        self.connection = connection
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Resets the statement and binds `arguments` to its `?` placeholders, in order.
    func bind(_ arguments: [DatabaseValue]) throws(StorageError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard expected == arguments.count else {
            throw StorageError(.invalidSQL, "statement expects \(expected) parameters, got \(arguments.count)", sql: sql)
        }
        for (offset, value) in arguments.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null:
                code = sqlite3_bind_null(handle, index)
            case .integer(let int):
                code = sqlite3_bind_int64(handle, index, int)
            case .real(let double):
                code = sqlite3_bind_double(handle, index, double)
            case .text(let text):
                // A non-nil pointer even for "" (a nil pointer would bind NULL); explicit byte count so
                // text with an embedded NUL is kept whole.
                let byteCount = Int32(text.utf8.count)
                code = text.withCString { chars in
                    pier_sqlite3_bind_text_transient(handle, index, chars, byteCount)
                }
            case .blob(let bytes):
                if bytes.isEmpty {
                    // A zero-length blob bound from a nil pointer would read back as NULL.
                    code = sqlite3_bind_zeroblob(handle, index, 0)
                } else {
                    code = bytes.withUnsafeBytes { raw in
                        pier_sqlite3_bind_blob_transient(handle, index, raw.baseAddress, Int32(raw.count))
                    }
                }
            }
            try connection.check(code, sql: sql)
        }
    }

    /// Advances; returns true when a row is available.
    func step() throws(StorageError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = connection.error(code, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Releases the statement's read snapshot and bound values (keeps it prepared).
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// The current row.
    func row() -> Row {
        var values: [DatabaseValue] = []
        values.reserveCapacity(columnNames.count)
        for index in 0..<Int32(columnNames.count) {
            switch sqlite3_column_type(handle, index) {
            case SQLITE_INTEGER:
                values.append(.integer(sqlite3_column_int64(handle, index)))
            case SQLITE_FLOAT:
                values.append(.real(sqlite3_column_double(handle, index)))
            case SQLITE_TEXT:
                // "call sqlite3_column_text() first … then sqlite3_column_bytes()" — https://sqlite.org/c3ref/column_blob.html
                let text = sqlite3_column_text(handle, index)
                let count = Int(sqlite3_column_bytes(handle, index))
                values.append(.text(text.map { String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self) } ?? ""))
            case SQLITE_BLOB:
                let blob = sqlite3_column_blob(handle, index)
                let count = Int(sqlite3_column_bytes(handle, index))
                values.append(.blob(blob.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []))
            default:
                values.append(.null)
            }
        }
        return Row(columns: columnNames, values: values)
    }
}
