/// The one error type of the storage layer, with a stable ``Code`` to classify by.
///
/// It carries the SQL text of the failing statement (useful in logs) but never the values bound to it:
/// bound values may be tokens, e-mail addresses or ciphertexts. Classify with `error.code` or with the
/// `~=` pattern (`catch StorageError.conflict`), never by ``message``.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// A stable classification of a storage failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The snake_case name of the code; stable.
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// A row the caller asked for does not exist.
        public static let notFound = Code("not_found")
        /// A uniqueness rule (primary key, UNIQUE index) refused the change.
        public static let conflict = Code("conflict")
        /// Another integrity rule (foreign key, CHECK, NOT NULL) refused the change.
        public static let constraint = Code("constraint")
        /// The database cannot be opened or reached.
        public static let unavailable = Code("unavailable")
        /// A migration failed, or an applied migration no longer matches its checksum.
        public static let migrationFailed = Code("migration_failed")
        /// The database was migrated by a newer Pier than this binary.
        public static let schemaTooNew = Code("schema_too_new")
        /// The database stayed locked by another connection longer than the busy timeout.
        public static let busy = Code("busy")
        /// An I/O error, a full disk or a corrupt file.
        public static let io = Code("io")
        /// The SQL was rejected (syntax error, unknown table or column): a programming error or a
        /// schema mismatch.
        public static let invalidSQL = Code("invalid_sql")
        /// A stored value could not be decoded into the requested Swift type.
        public static let decoding = Code("decoding")
        /// The connection or database was used after it was closed.
        public static let closed = Code("closed")
        /// Anything else the backend reported.
        public static let other = Code("other")

        public var description: String { rawValue }
    }

    /// The classification; stable.
    public var code: Code
    /// Human-readable detail for logs and operators. Never contains bound values.
    public var message: String
    /// The SQL text (with placeholders) of the statement that failed, if any.
    public var sql: String?
    /// The backend's own code, e.g. `SQLITE_CONSTRAINT_UNIQUE (2067)` or a PostgreSQL SQLSTATE.
    public var backendCode: String?
    /// The error that caused this one (e.g. the failure inside a migration).
    public var underlying: (any Error & Sendable)?

    /// Creates a storage error.
    public init(
        _ code: Code,
        _ message: String,
        sql: String? = nil,
        backendCode: String? = nil,
        underlying: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.sql = sql
        self.backendCode = backendCode
        self.underlying = underlying
    }

    public var description: String {
        var text = "StorageError(\(code)): \(message)"
        if let backendCode { text += " [\(backendCode)]" }
        if let sql { text += " — SQL: \(sql)" }
        if let underlying { text += " — caused by: \(underlying)" }
        return text
    }

    /// The code of the innermost storage error in the ``underlying`` chain (the cause of a failed
    /// migration, for instance).
    public var rootCode: Code {
        var current = self
        while let next = current.underlying as? StorageError { current = next }
        return current.code
    }
}

extension StorageError.Code {
    /// Matches an error against a code: `catch StorageError.conflict { … }`.
    public static func ~= (code: StorageError.Code, error: any Error) -> Bool {
        (error as? StorageError)?.code == code
    }
}

extension StorageError {
    public static let notFound = Code.notFound
    public static let conflict = Code.conflict
    public static let constraint = Code.constraint
    public static let unavailable = Code.unavailable
    public static let migrationFailed = Code.migrationFailed
    public static let schemaTooNew = Code.schemaTooNew
    public static let busy = Code.busy
    public static let io = Code.io
}
