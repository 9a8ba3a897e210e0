import Foundation

/// Okta's error envelope (REFERENCE §1.3); OAuth errors use `error`/`error_description` instead.
struct OktaErrorBody: Decodable, Sendable {
    struct Cause: Decodable, Sendable {
        var errorSummary: String?
    }

    var errorCode: String?
    var errorSummary: String?
    var errorId: String?
    var errorCauses: [Cause]?
    /// OAuth 2.0 error code (`invalid_grant`, …).
    var error: String?
}
