import Foundation
import PierStorage
private import CSQLite

/// The one owner of a `sqlite3*` connection handle.
///
/// Not thread-safe: every call happens on the serial queue of the ``SQLiteDatabase`` slot that owns
/// it. Statements are prepared once per SQL text and cached (`SQLITE_PREPARE_PERSISTENT`).
///
/// `@unchecked Sendable` because the instance is handed to its queue's work items; the invariant is
/// that it is used only from that one serial queue.
final class SQLiteConnection: @unchecked Sendable {
    let path: String
    private var handle: OpaquePointer?
    private var statementCache: [String: Statement] = [:]
    private static let statementCacheLimit = 128

    /// Opens a connection. The file must exist or be creatable.
    ///
    /// - Throws: `.unavailable` with a message that names the path and the likely fix.
    init(path: String, busyTimeoutMilliseconds: Int32) throws(StorageError) {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            // > Whether or not an error occurs when it is opened, resources associated with the
            // > database connection handle should be released by passing it to sqlite3_close() when
            // > it is no longer required. — https://sqlite.org/c3ref/open.html
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            _ = sqlite3_close_v2(db)
            throw StorageError(
                code & 0xff == SQLITE_CANTOPEN ? .unavailable : Self.errorCode(for: code),
                "cannot open database at \(path): \(message) (check that the directory exists and is writable)",
                backendCode: Self.backendCode(code)
            )
        }
        handle = db
        // Extended codes tell UNIQUE (a conflict) from other constraint failures.
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
    }

    deinit {
        assert(handle == nil, "SQLiteConnection for \(path) was not closed")
    }

    /// Finalizes cached statements and closes the handle. Idempotent.
    func close() {
        statementCache.removeAll()
        guard let handle else { return }
        // sqlite3_close_v2: "If sqlite3_close_v2() is called with unfinalized prepared statements …
        // the database connection becomes an unusable 'zombie' which will automatically be
        // deallocated when the last prepared statement is finalized". — https://sqlite.org/c3ref/close.html
        _ = sqlite3_close_v2(handle)
        self.handle = nil
    }

    var isOpen: Bool { handle != nil }

    // MARK: - Statements

    /// A prepared statement for one SQL text (with `?` placeholders), from the cache when possible.
    func statement(_ sql: String) throws(StorageError) -> Statement {
        if let cached = statementCache[sql] { return cached }
        let statement = try Statement(connection: self, handle: openHandle(), sql: sql)
        if statementCache.count >= Self.statementCacheLimit { statementCache.removeAll() }
        statementCache[sql] = statement
        return statement
    }

    /// Runs every `;`-separated statement of `script`; for migrations and pragmas. No parameters.
    func executeScript(_ script: String) throws(StorageError) {
        let db = try openHandle()
        var failure: StorageError?
        script.withCString { start in
            var cursor: UnsafePointer<CChar>? = start
            while let current = cursor, current.pointee != 0 {
                var statement: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let code = sqlite3_prepare_v2(db, current, -1, &statement, &tail)
                let text = Self.text(from: current, to: tail)
                guard code == SQLITE_OK else {
                    failure = error(code, sql: text)
                    return
                }
                defer { sqlite3_finalize(statement) }
                cursor = tail
                guard let statement else { continue }  // whitespace or a comment
                var stepCode: Int32
                repeat { stepCode = sqlite3_step(statement) } while stepCode == SQLITE_ROW
                guard stepCode == SQLITE_DONE else {
                    failure = error(stepCode, sql: text)
                    return
                }
            }
        }
        if let failure { throw failure }
    }

    private static func text(from start: UnsafePointer<CChar>, to end: UnsafePointer<CChar>?) -> String {
        guard let end, end > start else { return String(cString: start) }
        let buffer = UnsafeBufferPointer(start: UnsafeRawPointer(start).assumingMemoryBound(to: UInt8.self), count: end - start)
        return String(decoding: buffer, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The number of rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int {
        handle.map { Int(sqlite3_changes64($0)) } ?? 0
    }

    func openHandle() throws(StorageError) -> OpaquePointer {
        guard let handle else { throw StorageError(.closed, "the database at \(path) is closed") }
        return handle
    }

    // MARK: - Errors

    /// Throws the ``StorageError`` for a result code unless it is a success code.
    func check(_ code: Int32, sql: String?) throws(StorageError) {
        switch code {
        case SQLITE_OK, SQLITE_ROW, SQLITE_DONE: return
        default: throw error(code, sql: sql)
        }
    }

    /// The ``StorageError`` for a failed call. The message is SQLite's (`UNIQUE constraint failed:
    /// users.login`), which names tables and columns but never bound values.
    func error(_ code: Int32, sql: String?) -> StorageError {
        let extended = handle.map { sqlite3_extended_errcode($0) } ?? code
        var message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
        let storageCode = Self.errorCode(for: extended)
        if storageCode == .unavailable, extended & 0xff == SQLITE_CANTOPEN {
            message = "cannot open database at \(path): \(message) (check that the directory exists and is writable)"
        } else if storageCode == .busy {
            message += " (another connection held the lock longer than the busy timeout)"
        }
        return StorageError(storageCode, message, sql: sql, backendCode: Self.backendCode(extended))
    }

    static func backendCode(_ code: Int32) -> String {
        "SQLITE \(code): \(String(cString: sqlite3_errstr(code)))"
    }

    static func errorCode(for code: Int32) -> StorageError.Code {
        switch code {
        case PIER_SQLITE_CONSTRAINT_UNIQUE, PIER_SQLITE_CONSTRAINT_PRIMARYKEY, PIER_SQLITE_CONSTRAINT_ROWID:
            return .conflict
        default:
            break
        }
        switch code & 0xff {
        case SQLITE_CONSTRAINT: return .constraint
        case SQLITE_BUSY, SQLITE_LOCKED: return .busy
        case SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_PERM, SQLITE_AUTH: return .unavailable
        case SQLITE_IOERR, SQLITE_FULL, SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_NOLFS, SQLITE_PROTOCOL: return .io
        case SQLITE_ERROR, SQLITE_RANGE, SQLITE_TOOBIG, SQLITE_MISMATCH: return .invalidSQL
        default: return .other
        }
    }
}
