/// Sends management-API requests to one Okta org. ``HTTPOktaClient`` talks HTTP; ``RetryingOktaClient``
/// wraps another `OktaAPI` with pacing and retries (STYLE.md §11.3).
public protocol OktaAPI: Sendable {
    /// Sends one request.
    ///
    /// - Returns: A 2xx response.
    /// - Throws: ``OktaError``, classified by status and `errorCode`, carrying the rate-limit headers and
    ///   server `Date` of the failed response.
    func send(_ request: OktaRequest) async throws -> OktaResponse
}
