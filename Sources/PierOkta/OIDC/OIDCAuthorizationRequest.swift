public import Foundation
import PierCrypto

/// What to persist for one sign-in attempt, keyed by ``state`` (DESIGN.md §7: one row per attempt,
/// single-use, at most 10 minutes). Everything here is needed again at the callback.
///
/// ``codeVerifier`` and ``nonce`` are secrets of the attempt: store them like any credential and never
/// log them (`description` shows only the state's first characters and the creation time).
public struct OIDCAuthorizationAttempt: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The `state` sent to Okta; the storage key.
    public var state: String
    /// The `nonce` sent to Okta; the ID token must echo it.
    public var nonce: String
    /// The PKCE `code_verifier`, sent at the token exchange.
    public var codeVerifier: String
    /// When the attempt started; `auth_time` must not be earlier (with `prompt=login`).
    public var createdAt: Date
    /// The `redirect_uri` used (the token exchange must repeat it).
    public var redirectURI: String
    /// The `prompt` sent, if any.
    public var prompt: String?
    /// The `max_age` sent, if any.
    public var maxAge: Int?

    /// Creates an attempt (for storage round trips and tests).
    public init(state: String, nonce: String, codeVerifier: String, createdAt: Date, redirectURI: String, prompt: String? = "login", maxAge: Int? = nil) {
        self.state = state
        self.nonce = nonce
        self.codeVerifier = codeVerifier
        self.createdAt = createdAt
        self.redirectURI = redirectURI
        self.prompt = prompt
        self.maxAge = maxAge
    }

    /// Whether the ID token must carry an `auth_time` not before ``createdAt``.
    public var requiresFreshAuthentication: Bool {
        prompt?.split(separator: " ").contains("login") ?? false
    }

    public var description: String {
        "OIDCAuthorizationAttempt(state \(state.prefix(6))…, created \(createdAt))"
    }
}

/// A ready authorization request: redirect the browser to ``url`` and persist ``attempt``.
public struct OIDCAuthorizationRequest: Sendable {
    /// The `/authorize` URL with every parameter.
    public var url: URL
    /// The data to persist under ``OIDCAuthorizationAttempt/state``.
    public var attempt: OIDCAuthorizationAttempt

    /// Builds a request: `response_type=code`, `client_id`, `redirect_uri`, `scope`, fresh `state` and
    /// `nonce` (256 bits each from the system random generator), PKCE S256, and `prompt`/`max_age`
    /// from the configuration.
    ///
    /// - Parameters:
    ///   - metadata: The provider's discovered metadata (supplies `authorization_endpoint`).
    ///   - configuration: The client configuration.
    ///   - loginHint: Optional `login_hint` (the user's login, to prefill Okta's page).
    ///   - now: The clock; its value becomes ``OIDCAuthorizationAttempt/createdAt``.
    /// - Throws: ``OktaError/Code/oidcDiscovery`` when the authorization endpoint is not a URL; a
    ///   `CryptoError` when the random generator fails.
    public static func make(
        metadata: OIDCProviderMetadata, configuration: OIDCClientConfiguration, loginHint: String? = nil,
        now: @Sendable () -> Date = { Date() }
    ) throws -> OIDCAuthorizationRequest {
        let attempt = OIDCAuthorizationAttempt(
            state: try SecureRandom.urlSafeToken(byteCount: 32), nonce: try SecureRandom.urlSafeToken(byteCount: 32),
            codeVerifier: try PKCE.makeVerifier(), createdAt: now(), redirectURI: configuration.redirectURI,
            prompt: configuration.prompt, maxAge: configuration.maxAge)
        var fields: [(String, String)] = [
            ("client_id", configuration.clientID),
            ("response_type", "code"),
            ("scope", configuration.scopes.joined(separator: " ")),
            ("redirect_uri", configuration.redirectURI),
            ("state", attempt.state),
            ("nonce", attempt.nonce),
            ("code_challenge", PKCE.challengeS256(verifier: attempt.codeVerifier)),
            ("code_challenge_method", "S256"),
        ]
        if let prompt = configuration.prompt { fields.append(("prompt", prompt)) }
        if let maxAge = configuration.maxAge { fields.append(("max_age", String(maxAge))) }
        if let loginHint, !loginHint.isEmpty { fields.append(("login_hint", loginHint)) }
        let endpoint = metadata.authorizationEndpoint
        let separator = endpoint.contains("?") ? "&" : "?"
        guard let url = URL(string: endpoint + separator + OIDCTransport.formEncode(fields)) else {
            throw OktaError(.oidcDiscovery, detail: "authorization_endpoint is not a URL")
        }
        return OIDCAuthorizationRequest(url: url, attempt: attempt)
    }
}
