public import PierCore
public import PierHTTP

/// Who made an API request: the API token that authenticated it.
public struct APIIdentity: Sendable, Hashable {
    /// The token record's id.
    public var tokenID: APITokenID
    /// The token's administrator-chosen name.
    public var tokenName: String

    /// The audit log's actor spelling (`token:<id>`, AuditEntry's convention).
    public var auditActor: String { "token:\(tokenID.rawValue)" }
}

/// The request-context key under which ``BearerTokenMiddleware`` stores the proven identity.
public enum APIIdentityKey: RequestContextKey {
    public typealias Value = APIIdentity
}
