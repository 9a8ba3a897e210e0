/// The classes of failure a directory source reports, so the sync engine can react without knowing the
/// adapter (PierOkta's `OktaError` conforms to ``DirectorySourceError``).
public enum DirectorySourceFailure: String, Hashable, Sendable, Codable {
    /// The API token is invalid, revoked or expired.
    case invalidToken = "invalid_token"
    /// The token lacks the permission for this call.
    case insufficientPermissions = "insufficient_permissions"
    /// The object does not exist.
    case notFound = "not_found"
    /// Rate limited and retries ran out.
    case rateLimited = "rate_limited"
    /// The request was refused as invalid.
    case validation = "validation"
    /// A pagination cursor was refused; the walk may be restarted once from the first page.
    case invalidCursor = "invalid_cursor"
    /// The server failed (5xx).
    case server = "server_error"
    /// The host answered, but not as an Okta org (HTML or non-JSON where JSON was expected).
    case notAnOktaOrg = "not_an_okta_org"
    /// No response: timeout, refused connection, DNS or TLS failure.
    case transport = "transport"
    /// The pagination broke its contract: foreign host, repeated cursor, page cap.
    case pagination = "pagination"
    /// A response could not be decoded.
    case decoding = "decoding"
    /// Anything else.
    case other = "other"
}

/// An error from a directory source that says which ``DirectorySourceFailure`` it is and how to explain
/// it to an administrator.
public protocol DirectorySourceError: Error, Sendable {
    /// The class of failure.
    var failure: DirectorySourceFailure { get }
    /// Plain-language text for an administrator: what happened and what to do. Never contains secrets.
    var explanation: String { get }
}
