public import Foundation
public import PierHTTP

/// Pier as an OpenID Connect relying party of one Okta org (authorization code + PKCE on the org
/// authorization server; DESIGN.md §1.4 and §7).
///
/// ```swift
/// let party = try await OIDCRelyingParty.discover(endpoint: domain.endpoint, configuration: config, httpClient: http)
/// // Start: persist `request.attempt` under its state (single use, ≤ 10 min), redirect to `request.url`.
/// let request = try party.makeAuthorizationRequest()
/// // Callback: look the attempt up by `response.state`, delete it, then:
/// let result = try await party.completeSignIn(response: OIDCAuthorizationResponse(query: rawQuery), attempt: attempt)
/// result.claims.subject   // Okta user id
/// ```
///
/// Keep one instance per domain: its ``keySet`` caches the JWKS across sign-ins.
public struct OIDCRelyingParty: Sendable {
    /// The provider's checked metadata.
    public let metadata: OIDCProviderMetadata
    /// The client configuration.
    public let configuration: OIDCClientConfiguration
    /// The JWKS cache.
    public let keySet: OIDCKeySet
    /// The ID token verifier.
    public let verifier: IDTokenVerifier
    private let httpClient: any HTTPClient
    private let now: @Sendable () -> Date

    /// Creates a relying party from metadata already discovered (and checked with
    /// ``OIDCProviderMetadata/validate(baseURL:)``).
    ///
    /// - Parameters:
    ///   - keySet: A shared JWKS cache; by default a new one on `metadata.jwksURI`.
    ///   - now: The clock for attempt start, token times and JWKS caching.
    public init(
        metadata: OIDCProviderMetadata, configuration: OIDCClientConfiguration, httpClient: any HTTPClient, keySet: OIDCKeySet? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.metadata = metadata
        self.configuration = configuration
        self.httpClient = httpClient
        self.now = now
        let keys = keySet ?? OIDCKeySet(jwksURI: metadata.jwksURI, httpClient: httpClient, timeout: configuration.timeout, now: now)
        self.keySet = keys
        self.verifier = IDTokenVerifier(
            issuer: metadata.issuer, clientID: configuration.clientID, keySet: keys, clockSkew: configuration.clockSkew, now: now)
    }

    /// Discovers the org's metadata (issuer must equal `endpoint.baseURL`) and creates the relying party.
    public static func discover(
        endpoint: OktaEndpoint, configuration: OIDCClientConfiguration, httpClient: any HTTPClient,
        now: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> OIDCRelyingParty {
        let metadata = try await OIDCProviderMetadata.discover(endpoint: endpoint, httpClient: httpClient, timeout: configuration.timeout)
        return OIDCRelyingParty(metadata: metadata, configuration: configuration, httpClient: httpClient, now: now)
    }

    /// A new authorization request: the URL to redirect to and the attempt to persist.
    public func makeAuthorizationRequest(loginHint: String? = nil) throws -> OIDCAuthorizationRequest {
        try OIDCAuthorizationRequest.make(metadata: metadata, configuration: configuration, loginHint: loginHint, now: now)
    }

    /// Validates the callback, exchanges the code and verifies the ID token.
    ///
    /// The caller has already looked the attempt up by `response.state` and consumed it (single use).
    ///
    /// - Throws: ``OktaError``: ``OktaError/Code/oidcInvalidResponse`` (state or `iss` mismatch, no code,
    ///   attempt older than ``OIDCClientConfiguration/attemptLifetime``), ``OktaError/Code/oidcAuthorizationDenied``
    ///   (`error=access_denied` …), ``OktaError/Code/oidcTokenExchange``, ``OktaError/Code/idTokenRejected``,
    ///   or a transport/HTTP class.
    public func completeSignIn(response: OIDCAuthorizationResponse, attempt: OIDCAuthorizationAttempt) async throws -> OIDCSignInResult {
        let code = try response.authorizationCode(for: attempt, issuer: metadata.issuer)
        let age = now().timeIntervalSince(attempt.createdAt)
        guard age <= configuration.attemptLifetime else {
            throw OktaError(.oidcInvalidResponse, detail: "sign-in attempt is \(Int(age)) s old (limit \(Int(configuration.attemptLifetime)) s)")
        }
        let tokens = try await exchange(code: code, attempt: attempt)
        let claims = try await verifier.verify(tokens.idToken, for: attempt)
        return OIDCSignInResult(claims: claims, tokens: tokens)
    }

    /// Exchanges an authorization code (`client_secret_basic`, PKCE verifier). Never retried.
    public func exchange(code: String, attempt: OIDCAuthorizationAttempt) async throws -> OIDCTokenResponse {
        try await OIDCTokenResponse.exchange(
            code: code, attempt: attempt, tokenEndpoint: metadata.tokenEndpoint, configuration: configuration, httpClient: httpClient)
    }

    /// Fetches `/userinfo` with the access token and checks its `sub` equals `subject` (OIDC Core §5.3.2).
    ///
    /// - Throws: ``OktaError/Code/oidcDiscovery`` when the provider has no userinfo endpoint,
    ///   ``OktaError/Code/oidcInvalidResponse`` for a 401/403 (`WWW-Authenticate` error in
    ///   ``OktaError/errorCode``) or a `sub` mismatch, and the usual classes otherwise.
    public func userInfo(accessToken: OIDCAccessToken, subject: String) async throws -> OIDCUserInfo {
        guard let endpoint = metadata.userinfoEndpoint else {
            throw OktaError(.oidcDiscovery, detail: "provider has no userinfo_endpoint")
        }
        let response = try await OIDCTransport.send(
            HTTPClientRequest(
                url: endpoint, headers: [("Accept", "application/json"), ("Authorization", "Bearer \(accessToken.value)")],
                totalTimeout: configuration.timeout),
            using: httpClient)
        if response.status == 401 || response.status == 403 {
            let challenge = response.header(named: "WWW-Authenticate") ?? ""
            let error = OIDCUserInfo.bearerError(challenge)
            throw OktaError(.oidcInvalidResponse, detail: "userinfo refused the access token", status: response.status, errorCode: error)
        }
        try OIDCTransport.requireJSONSuccess(response)
        guard let info = try? JSONDecoder().decode(OIDCUserInfo.self, from: response.body) else {
            throw OktaError(.decoding, detail: "userinfo without sub", status: response.status)
        }
        guard info.subject == subject else {
            throw OktaError(.oidcInvalidResponse, detail: "userinfo sub does not match the ID token")
        }
        return info
    }
}

/// The outcome of a successful sign-in.
public struct OIDCSignInResult: Sendable {
    /// The verified ID token claims (`subject` is the Okta user id).
    public var claims: IDTokenClaims
    /// The token response (the access token serves only ``OIDCRelyingParty/userInfo(accessToken:subject:)``).
    public var tokens: OIDCTokenResponse
}

/// `/userinfo` claims (REFERENCE §8.5).
public struct OIDCUserInfo: Sendable, Hashable, Decodable {
    /// `sub`: the Okta user id.
    public var subject: String
    public var name: String?
    public var givenName: String?
    public var familyName: String?
    public var preferredUsername: String?
    public var email: String?
    public var emailVerified: Bool?
    public var locale: String?
    public var zoneinfo: String?

    enum CodingKeys: String, CodingKey {
        case subject = "sub"
        case name
        case givenName = "given_name"
        case familyName = "family_name"
        case preferredUsername = "preferred_username"
        case email
        case emailVerified = "email_verified"
        case locale
        case zoneinfo
    }

    /// The `error="…"` value of a `WWW-Authenticate: Bearer …` challenge.
    static func bearerError(_ challenge: String) -> String? {
        guard let range = challenge.range(of: "error=\"") else { return nil }
        let rest = challenge[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }
}
