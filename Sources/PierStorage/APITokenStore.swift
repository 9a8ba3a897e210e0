public import Foundation
public import PierCore

/// A stored API token: its id, name and hash, never the token itself.
public struct APITokenRecord: Sendable, Hashable {
    /// The record's id.
    public var id: APITokenID
    /// The administrator-chosen name (`ci`, `backup script`).
    public var name: String
    /// The token's hash (lowercase hex SHA-256, computed by the caller); unique.
    public var tokenHash: String
    /// When it was created.
    public var createdAt: Date
    /// When it last authenticated a request.
    public var lastUsedAt: Date?
    /// When it was revoked; a revoked token authenticates nothing.
    public var revokedAt: Date?

    /// Creates a record.
    public init(id: APITokenID, name: String, tokenHash: String, createdAt: Date, lastUsedAt: Date? = nil, revokedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// Whether the token may still authenticate.
    public var isActive: Bool { revokedAt == nil }
}

/// Stores hashed API tokens (DESIGN.md §7: tokens are stored hashed and shown once).
public protocol APITokenStore: Sendable {
    /// Stores a new token record.
    ///
    /// - Throws: `.conflict` when the id or hash already exists.
    func createAPIToken(_ record: APITokenRecord) async throws

    /// The record with this hash, revoked or not; nil when unknown. Callers check ``APITokenRecord/isActive``.
    func apiToken(hash: String) async throws -> APITokenRecord?

    /// All records, oldest first.
    func apiTokens() async throws -> [APITokenRecord]

    /// Records a successful use.
    func markAPITokenUsed(_ id: APITokenID, at date: Date) async throws

    /// Revokes a token; revoking a revoked token keeps the first revocation time.
    ///
    /// - Throws: `.notFound` when there is no such token.
    func revokeAPIToken(_ id: APITokenID, at date: Date) async throws
}
