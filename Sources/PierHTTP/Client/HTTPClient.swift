/// Something that performs HTTP requests; the Okta client and the OIDC relying party depend only on
/// this protocol, so tests can substitute a scripted implementation.
public protocol HTTPClient: Sendable {
    /// Performs one request and returns the final response (redirects are not followed unless the
    /// implementation is configured to).
    ///
    /// - Parameter request: What to send.
    /// - Returns: The response, whatever its status: a 404 or 500 is a response, not an error.
    /// - Throws: ``HTTPClientError`` when no response arrived: timeout, refused connection, DNS failure,
    ///   TLS failure, cancellation of the calling task, or an invalid request.
    func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse
}
