public import Foundation

/// One audit record: who did what to which object, when.
public struct AuditEntry: Sendable, Hashable {
    /// Assigned by the store, increasing; nil before it is appended.
    public var id: Int64?
    /// When it happened.
    public var at: Date
    /// Who: `admin:alice`, `token:<token id>`, `system`, `sync:<run id>`.
    public var actor: String
    /// What, dot-separated: `domain.create`, `sync.approve`, `api_token.revoke`.
    public var action: String
    /// The object acted on, e.g. a domain id; nil when none.
    public var target: String?
    /// Extra facts as a JSON object text; never secrets.
    public var details: String?

    /// Creates an entry.
    public init(id: Int64? = nil, at: Date, actor: String, action: String, target: String? = nil, details: String? = nil) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.details = details
    }
}

/// The append-only audit log.
public protocol AuditLog: Sendable {
    /// Appends an entry and returns it with its id.
    @discardableResult
    func append(_ entry: AuditEntry) async throws -> AuditEntry

    /// Entries newest first, at most `limit`, older than the entry `before` when given (keyset paging).
    func auditEntries(limit: Int, before: Int64?) async throws -> [AuditEntry]
}
