public import Foundation
public import PierCore

/// The small stores (settings, health, API tokens, audit log) over any ``DatabaseWriter``.
///
/// Their SQL is the common subset of SQLite and PostgreSQL (`INSERT … ON CONFLICT`, `RETURNING`),
/// with placeholders rendered by the backend, so every backend shares this implementation and the
/// behaviour suite proves it. A store whose SQL must differ switches on ``DatabaseWriter/dialect``.
public struct SQLStore: SettingsStore, HealthCheck, APITokenStore, AuditLog {
    /// The database the stores read and write.
    public let database: any DatabaseWriter

    /// Creates the stores over a migrated database.
    public init(database: any DatabaseWriter) {
        self.database = database
    }

    // MARK: - HealthCheck

    public func ping() async throws {
        let one = try await database.read { db in try db.fetchValue("SELECT 1", as: Int.self) }
        guard one == 1 else { throw StorageError(.other, "health check query returned an unexpected result") }
    }

    // MARK: - SettingsStore

    public func setting(_ key: SettingKey) async throws -> String? {
        try await database.read { db in
            try db.fetchValue("SELECT value FROM settings WHERE key = \(key.rawValue)", as: String.self)
        }
    }

    public func setSetting(_ key: SettingKey, to value: String?) async throws {
        try await database.write { db in
            if let value {
                try db.execute("""
                    INSERT INTO settings (key, value) VALUES (\(key.rawValue), \(value))
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value
                    """)
            } else {
                try db.execute("DELETE FROM settings WHERE key = \(key.rawValue)")
            }
        }
    }

    public func insertSettingIfAbsent(_ key: SettingKey, value: String) async throws -> String {
        try await database.write { db in
            try db.execute("INSERT INTO settings (key, value) VALUES (\(key.rawValue), \(value)) ON CONFLICT (key) DO NOTHING")
            guard let stored = try db.fetchValue("SELECT value FROM settings WHERE key = \(key.rawValue)", as: String.self) else {
                throw StorageError(.notFound, "setting \(key) vanished inside its own transaction")
            }
            return stored
        }
    }

    // MARK: - APITokenStore

    public func createAPIToken(_ record: APITokenRecord) async throws {
        try await database.write { db in
            try db.execute("""
                INSERT INTO api_tokens (id, name, token_hash, created_at, last_used_at, revoked_at)
                VALUES (\(record.id.rawValue), \(record.name), \(record.tokenHash), \(record.createdAt),
                        \(record.lastUsedAt), \(record.revokedAt))
                """)
        }
    }

    public func apiToken(hash: String) async throws -> APITokenRecord? {
        try await database.read { db in
            try db.fetchOne("\(Self.apiTokenColumns) WHERE token_hash = \(hash)").map(Self.apiToken(from:))
        }
    }

    public func apiTokens() async throws -> [APITokenRecord] {
        try await database.read { db in
            try db.fetchAll("\(Self.apiTokenColumns) ORDER BY created_at, id").map(Self.apiToken(from:))
        }
    }

    public func markAPITokenUsed(_ id: APITokenID, at date: Date) async throws {
        try await database.write { db in
            try db.execute("UPDATE api_tokens SET last_used_at = \(date) WHERE id = \(id.rawValue)")
        }
    }

    public func revokeAPIToken(_ id: APITokenID, at date: Date) async throws {
        try await database.write { db in
            let changed = try db.execute("""
                UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, \(date)) WHERE id = \(id.rawValue)
                """)
            if changed == 0 { throw StorageError(.notFound, "no API token with id \(id)") }
        }
    }

    private static let apiTokenColumns: SQL = "SELECT id, name, token_hash, created_at, last_used_at, revoked_at FROM api_tokens"

    private static func apiToken(from row: Row) throws -> APITokenRecord {
        APITokenRecord(
            id: APITokenID(rawValue: try row.decode("id")),
            name: try row.decode("name"),
            tokenHash: try row.decode("token_hash"),
            createdAt: try row.decode("created_at"),
            lastUsedAt: try row.decode("last_used_at"),
            revokedAt: try row.decode("revoked_at")
        )
    }

    // MARK: - AuditLog

    @discardableResult
    public func append(_ entry: AuditEntry) async throws -> AuditEntry {
        try await database.write { db in try Self.append(entry, in: db) }
    }

    /// Appends an audit entry inside a caller's transaction, so the entry commits (or rolls back)
    /// with the change it records.
    @discardableResult
    public static func append(_ entry: AuditEntry, in db: any DatabaseConnection) throws -> AuditEntry {
        let row = try db.fetchOne("""
            INSERT INTO audit_log (at, actor, action, target, details)
            VALUES (\(entry.at), \(entry.actor), \(entry.action), \(entry.target), \(entry.details))
            RETURNING id
            """)
        var stored = entry
        stored.id = try row?.decode("id", as: Int64.self)
        return stored
    }

    public func auditEntries(limit: Int, before: Int64?) async throws -> [AuditEntry] {
        try await database.read { db in
            let filter: SQL = before.map { "WHERE id < \($0)" } ?? ""
            return try db.fetchAll("""
                SELECT id, at, actor, action, target, details FROM audit_log \(filter)
                ORDER BY id DESC LIMIT \(max(0, limit))
                """).map { row in
                AuditEntry(
                    id: try row.decode("id"),
                    at: try row.decode("at"),
                    actor: try row.decode("actor"),
                    action: try row.decode("action"),
                    target: try row.decode("target"),
                    details: try row.decode("details")
                )
            }
        }
    }
}
