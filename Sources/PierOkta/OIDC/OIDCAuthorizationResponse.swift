import Foundation
import PierCrypto

/// The parameters Okta redirects back with (`?code=…&state=…` or `?error=…&state=…`, plus `iss` when
/// the provider sends RFC 9207's issuer identification).
///
/// ```swift
/// let response = OIDCAuthorizationResponse(query: request.rawQuery)
/// guard let state = response.state, let attempt = try store.takeAttempt(state) else { … }   // single use
/// let code = try response.authorizationCode(for: attempt, issuer: metadata.issuer)
/// ```
public struct OIDCAuthorizationResponse: Sendable, Hashable {
    /// `code`, on success.
    public var code: String?
    /// `state`: look the attempt up by it.
    public var state: String?
    /// `error` (e.g. `access_denied`), on failure.
    public var error: String?
    /// `error_description`, free text from the URL (untrusted: never render it as HTML).
    public var errorDescription: String?
    /// `iss`, when present.
    public var issuer: String?

    /// Creates a response from decoded parameters.
    public init(parameters: [String: String]) {
        code = parameters["code"]
        state = parameters["state"]
        error = parameters["error"]
        errorDescription = parameters["error_description"]
        issuer = parameters["iss"]
    }

    /// Parses a raw (still percent-encoded) query string, with or without the leading `?`.
    public init(query: String) {
        self.init(parameters: OIDCTransport.formDecode(query.hasPrefix("?") ? query.dropFirst() : Substring(query)))
    }

    /// Checks the response against its attempt and returns the authorization code.
    ///
    /// Order: `state` must equal the attempt's; `iss`, when present, must equal the issuer (checked
    /// before anything else is believed, RFC 9207); an `error` becomes
    /// ``OktaError/Code/oidcAuthorizationDenied`` with the OAuth code in ``OktaError/errorCode``; a
    /// missing `code` is ``OktaError/Code/oidcInvalidResponse``.
    public func authorizationCode(for attempt: OIDCAuthorizationAttempt, issuer expectedIssuer: String) throws -> String {
        guard let state, ConstantTime.equals(Data(state.utf8), Data(attempt.state.utf8)) else {
            throw OktaError(.oidcInvalidResponse, detail: state == nil ? "callback without state" : "callback state does not match the attempt")
        }
        if let issuer, issuer != expectedIssuer {
            throw OktaError(.oidcInvalidResponse, detail: "callback iss does not match the issuer \(expectedIssuer)")
        }
        if let error {
            // The OAuth error code is an ASCII token; anything else is kept out of errorCode.
            let token = error.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } ? String(error.prefix(64)) : "invalid"
            let description = errorDescription.map { String($0.prefix(200)) } ?? ""
            throw OktaError(.oidcAuthorizationDenied, detail: "authorization error \(token): \(description)", errorCode: token)
        }
        guard let code, !code.isEmpty else {
            throw OktaError(.oidcInvalidResponse, detail: "callback without code")
        }
        return code
    }
}
