import Foundation
import PierStorage
internal import CLibPQ

/// The one owner of a `PGconn*` handle.
///
/// Not thread-safe: every call happens on the serial queue of the pool slot that owns it (libpq
/// calls block on the network, so they never run on the Swift cooperative pool). Statements are sent
/// with `PQexecParams`: every value is a separate parameter, never spliced into the text.
///
/// `@unchecked Sendable` because the instance is handed to its queue's work items; the invariant is
/// that it is used only from that one serial queue.
final class PostgresConnection: @unchecked Sendable {
    let configuration: PostgresConfiguration
    private var handle: OpaquePointer?

    /// Connects (blocking) and prepares the session: UTC, ISO dates, the configured schema.
    ///
    /// - Throws: `.unavailable` with a message naming host, port, database and user (never the
    ///   password) when the server cannot be reached or refuses the login.
    init(configuration: PostgresConfiguration) throws(StorageError) {
        self.configuration = configuration
        var pairs: [(String, String)] = [
            ("host", configuration.host),
            ("port", String(configuration.port)),
            ("user", configuration.user),
            ("dbname", configuration.database),
            ("application_name", configuration.applicationName),
            ("connect_timeout", String(max(1, configuration.connectTimeout.components.seconds))),
            ("client_encoding", "UTF8"),
        ]
        if let password = configuration.password { pairs.append(("password", password)) }
        // "If expand_dbname is non-zero and dbname contains an = sign or has a valid connection URI
        // prefix, it is taken as a conninfo string" — we pass 0, so a database name is only a name.
        // https://www.postgresql.org/docs/15/libpq-connect.html#LIBPQ-PQCONNECTDBPARAMS
        let connection: OpaquePointer? = Self.withCStrings(pairs.map(\.0)) { keywords in
            Self.withCStrings(pairs.map(\.1)) { values in
                PQconnectdbParams(keywords, values, 0)
            }
        }
        guard let connection else {
            throw StorageError(.unavailable, "cannot connect to PostgreSQL at \(configuration.target): out of memory")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let detail = Self.trimmed(PQerrorMessage(connection))
            var hint = "check that the server runs and accepts TCP connections from this host"
            if PQconnectionNeedsPassword(connection) == 1 {
                hint = "the server asks for a password: set PGPASSWORD or --database-password-file"
            } else if PQconnectionUsedPassword(connection) == 1 {
                hint = "check the user and password (PGPASSWORD or --database-password-file)"
            }
            // "Note that when PQconnectdb returns a non-null pointer, you must call PQfinish when you
            // are finished with it, in order to dispose of the structure" — also after a failure.
            PQfinish(connection)
            throw StorageError(.unavailable, "cannot connect to PostgreSQL at \(configuration.target): \(detail) (\(hint))")
        }
        handle = connection
        // Keep NOTICEs (e.g. "relation already exists, skipping") out of stderr.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        var setup = "SET TIME ZONE 'UTC'; SET DateStyle = 'ISO';"
        if let schema = configuration.schema {
            setup += " SET search_path TO \(Self.quoteIdentifier(schema));"
        }
        do {
            try executeScript(setup)
        } catch {
            close()
            throw error
        }
    }

    deinit {
        assert(handle == nil, "PostgresConnection to \(configuration) was not closed")
    }

    /// Closes the connection (`PQfinish`). Idempotent.
    func close() {
        guard let handle else { return }
        PQfinish(handle)
        self.handle = nil
    }

    /// Whether the connection is open and healthy; a broken connection is discarded by the pool.
    var isUsable: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// Whether the session is outside any transaction (nothing to roll back).
    var isIdle: Bool {
        guard let handle else { return false }
        return PQtransactionStatus(handle) == PQTRANS_IDLE
    }

    private func openHandle() throws(StorageError) -> OpaquePointer {
        guard let handle else { throw StorageError(.closed, "the connection to PostgreSQL at \(configuration.target) is closed") }
        return handle
    }

    // MARK: - Statements

    /// Runs one statement with text parameters (`$1`, `$2`, …) and returns its result.
    ///
    /// Parameters are sent in text format; blobs as `bytea` hex text (`\x0102`), integers typed
    /// `int8`, doubles `float8`, text and NULL untyped so the server infers the column's type.
    /// https://www.postgresql.org/docs/15/libpq-exec.html#LIBPQ-PQEXECPARAMS
    func execute(_ sql: String, _ arguments: [DatabaseValue]) throws(StorageError) -> PostgresResult {
        let db = try openHandle()
        var types: [UInt32] = []
        var texts: [String?] = []
        types.reserveCapacity(arguments.count)
        texts.reserveCapacity(arguments.count)
        for argument in arguments {
            switch argument {
            case .null:
                types.append(0)
                texts.append(nil)
            case .integer(let value):
                types.append(Self.int8OID)
                texts.append(String(value))
            case .real(let value):
                types.append(Self.float8OID)
                texts.append(value.isNaN ? "NaN" : value.isInfinite ? (value > 0 ? "Infinity" : "-Infinity") : "\(value)")
            case .text(let value):
                types.append(0)
                texts.append(value)
            case .blob(let bytes):
                types.append(Self.byteaOID)
                texts.append(Self.byteaHex(bytes))
            }
        }
        let raw: OpaquePointer? = Self.withOptionalCStrings(texts) { values in
            PQexecParams(db, sql, Int32(arguments.count), types, values, nil, nil, 0)
        }
        let result = PostgresResult(raw)
        try check(result, sql: sql)
        return result
    }

    /// Runs `;`-separated statements without parameters (simple query protocol): migrations, `BEGIN`.
    func executeScript(_ script: String) throws(StorageError) {
        let db = try openHandle()
        // "If the query string contains multiple SQL commands … PQexec returns only the last result;
        // if one fails, processing stops there" — https://www.postgresql.org/docs/15/libpq-exec.html
        let result = PostgresResult(PQexec(db, script))
        try check(result, sql: script)
    }

    /// Streams rows into `COPY … FROM STDIN` (text format), then returns the command's result.
    ///
    /// - Parameter produce: called repeatedly with a buffer to fill with COPY text; return false when
    ///   done. Each filled buffer is sent with `PQputCopyData`.
    func copyIn(_ sql: String, produce: (inout [UInt8]) throws -> Bool) throws -> Int {
        let db = try openHandle()
        let start = PostgresResult(PQexec(db, sql))
        guard start.status == PGRES_COPY_IN else {
            try check(start, sql: sql)
            throw StorageError(.other, "the server did not enter COPY IN mode", sql: sql)
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 17)
        var failure: (any Error)?
        do {
            while true {
                buffer.removeAll(keepingCapacity: true)
                let more = try produce(&buffer)
                if !buffer.isEmpty {
                    let sent = buffer.withUnsafeBufferPointer { bytes in
                        bytes.withMemoryRebound(to: CChar.self) { chars in
                            PQputCopyData(db, chars.baseAddress, Int32(chars.count))
                        }
                    }
                    guard sent == 1 else { throw connectionError("COPY data could not be sent", sql: sql) }
                }
                if !more { break }
            }
        } catch {
            failure = error
        }
        // On a failure, "PQputCopyEnd with a non-null errormsg forces the COPY to fail".
        let ended = failure == nil ? PQputCopyEnd(db, nil) : PQputCopyEnd(db, "aborted by the client")
        guard ended == 1 else { throw connectionError("COPY could not be finished", sql: sql) }
        var lastError: StorageError?
        var count = 0
        while let raw = PQgetResult(db) {
            let result = PostgresResult(raw)
            do {
                try check(result, sql: sql)
                count = result.affectedRows
            } catch {
                lastError = lastError ?? error
            }
        }
        if let failure { throw failure }
        if let lastError { throw lastError }
        return count
    }

    // MARK: - Errors

    /// Throws the ``StorageError`` for a failed result; the one place SQLSTATEs become codes.
    ///
    /// The message is the server's primary message only. The DETAIL field is never used: it holds
    /// row values (`Key (token_hash)=(…) already exists`, `Failing row contains (…)`).
    func check(_ result: PostgresResult, sql: String?) throws(StorageError) {
        switch result.status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE, PGRES_COPY_IN, PGRES_EMPTY_QUERY:
            return
        default:
            break
        }
        guard let raw = result.handle, let stateText = PQresultErrorField(raw, PIER_PG_DIAG_SQLSTATE) else {
            throw connectionError("the server did not answer", sql: sql)
        }
        let sqlState = String(cString: stateText)
        let primary = PQresultErrorField(raw, PIER_PG_DIAG_MESSAGE_PRIMARY).map { String(cString: $0) } ?? "error \(sqlState)"
        var message = primary
        let code = Self.errorCode(forSQLState: sqlState)
        if code == .unavailable {
            message = "PostgreSQL at \(configuration.target): \(primary)"
        }
        throw StorageError(code, message, sql: sql, backendCode: "SQLSTATE \(sqlState)")
    }

    /// A failure with no SQLSTATE: the connection broke (server gone, network down).
    private func connectionError(_ what: String, sql: String?) -> StorageError {
        let detail = handle.map { Self.trimmed(PQerrorMessage($0)) } ?? "closed"
        return StorageError(.unavailable, "\(what): lost the connection to PostgreSQL at \(configuration.target): \(detail)", sql: sql)
    }

    /// Maps a SQLSTATE to a storage code (https://www.postgresql.org/docs/15/errcodes-appendix.html).
    static func errorCode(forSQLState state: String) -> StorageError.Code {
        switch state {
        case "23505": return .conflict  // unique_violation
        case "23503", "23514", "23502", "23P01", "23001", "23000": return .constraint
        // invalid_text_representation: a value that does not parse as its type, which is how the JSON
        // CHECK (`pier_json_valid`, migration 0003) rejects text that is not JSON; SQLite reports the
        // same row as a CHECK failure.
        case "22P02": return .constraint
        case "40001", "40P01", "55P03", "57014": return .busy  // serialization, deadlock, lock timeout, cancel
        case "3D000", "28000", "28P01", "57P01", "57P02", "57P03", "53300": return .unavailable
        case "25006": return .invalidSQL  // read_only_sql_transaction: a write inside read { }
        default: break
        }
        switch state.prefix(2) {
        case "08": return .unavailable  // connection exceptions
        case "42", "22", "21", "0A", "34", "26", "2B", "2F", "P0": return .invalidSQL
        case "53", "58", "XX": return .io  // insufficient resources, system errors, internal errors
        default: return .other
        }
    }

    /// Whether the transaction runner may re-run a transaction that failed with this error.
    static func isRetryable(_ error: StorageError) -> Bool {
        error.backendCode == "SQLSTATE 40001" || error.backendCode == "SQLSTATE 40P01"
    }

    // MARK: - Helpers

    static let int8OID: UInt32 = 20
    static let float8OID: UInt32 = 701
    static let byteaOID: UInt32 = 17

    /// `\x` followed by lowercase hex: bytea's hex input format.
    static func byteaHex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: 0, count: 2 + bytes.count * 2)
        out[0] = UInt8(ascii: "\\")
        out[1] = UInt8(ascii: "x")
        for (index, byte) in bytes.enumerated() {
            out[2 + index * 2] = digits[Int(byte >> 4)]
            out[3 + index * 2] = digits[Int(byte & 0x0f)]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A double-quoted identifier (for a schema name from the configuration).
    static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func trimmed(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "unknown error" }
        return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "\n", with: " ")
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return body(copies.map { UnsafePointer($0) } + [nil])
    }

    private static func withOptionalCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let copies = strings.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        return body(copies.map { UnsafePointer($0) })
    }
}
