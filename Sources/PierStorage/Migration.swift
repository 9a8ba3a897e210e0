/// One named, immutable schema change, written in SQL for one backend.
///
/// A migration that has shipped is never edited: its SHA-256 checksum is recorded when it is applied
/// and verified at every start (docs/STORAGE.md, "Adding a migration").
public struct Migration: Sendable, Hashable {
    /// A unique, ordered name: `0001-initial-schema`, `0002-…`.
    public let id: String
    /// The statements, separated by `;`. No bound parameters.
    public let sql: String
    /// Whether foreign keys are suspended for this migration and verified as a whole before commit,
    /// as a table rebuild needs (``ForeignKeyEnforcement/checkedBeforeCommit``).
    public let disablesForeignKeys: Bool

    /// Creates a migration.
    public init(id: String, sql: String, disablesForeignKeys: Bool = false) {
        precondition(!id.isEmpty, "a migration needs an id")
        self.id = id
        self.sql = sql
        self.disablesForeignKeys = disablesForeignKeys
    }

    /// The lowercase hex SHA-256 of ``sql``'s UTF-8 bytes.
    public var checksum: String { SHA256.hexDigest(sql) }
}

/// A row of `schema_migrations`: a migration applied to a database.
public struct AppliedMigration: Sendable, Hashable {
    /// The migration's id.
    public var id: String
    /// The checksum recorded when it was applied.
    public var checksum: String
    /// When it was applied.
    public var appliedAt: String
    /// The Pier version that applied it.
    public var pierVersion: String
}
