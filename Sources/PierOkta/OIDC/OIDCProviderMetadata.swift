import Foundation
public import PierHTTP

/// The parts of an OpenID Provider's discovery document (`/.well-known/openid-configuration`) the
/// relying party uses. Every endpoint comes from here, never from hard-coded paths (REFERENCE §8.1).
public struct OIDCProviderMetadata: Sendable, Hashable, Codable {
    /// The issuer; equal to the base URL discovery was fetched from (DESIGN.md §7).
    public var issuer: String
    /// Where the browser is sent to sign in.
    public var authorizationEndpoint: String
    /// Where the code is exchanged (server to server, with the client secret).
    public var tokenEndpoint: String
    /// The signing keys of ID tokens.
    public var jwksURI: String
    /// Profile claims for an access token, when the provider offers it.
    public var userinfoEndpoint: String?
    /// Advertised ID token algorithms (Okta's org server: `["RS256"]`).
    public var idTokenSigningAlgValuesSupported: [String]?
    /// Advertised PKCE methods (Okta: `["S256"]`).
    public var codeChallengeMethodsSupported: [String]?

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case userinfoEndpoint = "userinfo_endpoint"
        case idTokenSigningAlgValuesSupported = "id_token_signing_alg_values_supported"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
    }

    /// Creates metadata (tests, or a configuration stored after discovery).
    public init(
        issuer: String, authorizationEndpoint: String, tokenEndpoint: String, jwksURI: String,
        userinfoEndpoint: String? = nil, idTokenSigningAlgValuesSupported: [String]? = ["RS256"],
        codeChallengeMethodsSupported: [String]? = ["S256"]
    ) {
        self.issuer = issuer
        self.authorizationEndpoint = authorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.jwksURI = jwksURI
        self.userinfoEndpoint = userinfoEndpoint
        self.idTokenSigningAlgValuesSupported = idTokenSigningAlgValuesSupported
        self.codeChallengeMethodsSupported = codeChallengeMethodsSupported
    }

    /// The discovery URL of a base URL: `{base}/.well-known/openid-configuration`.
    public static func discoveryURL(baseURL: String) -> String {
        baseURL + "/.well-known/openid-configuration"
    }

    /// Fetches and checks the discovery document of an org (its HTTPS host, or the development endpoint).
    ///
    /// Refuses a document whose `issuer` is not exactly `endpoint.baseURL` (no trailing slash, not the
    /// `-admin` host, not a custom authorization server), whose endpoints are on another origin (the
    /// client secret and codes only go to the org host, DESIGN.md §7), or that advertises neither RS256
    /// nor S256 where it lists algorithms.
    ///
    /// - Throws: ``OktaError`` — ``OktaError/Code/oidcDiscovery`` for a bad document or issuer mismatch;
    ///   the transport and HTTP classes (timeout, server, not an Okta org, rate limited) otherwise.
    public static func discover(endpoint: OktaEndpoint, httpClient: any HTTPClient, timeout: Duration = .seconds(15)) async throws
        -> OIDCProviderMetadata
    {
        let baseURL = endpoint.baseURL
        let response = try await OIDCTransport.send(
            HTTPClientRequest(url: discoveryURL(baseURL: baseURL), headers: [("Accept", "application/json")], totalTimeout: timeout),
            using: httpClient)
        try OIDCTransport.requireJSONSuccess(response)
        let metadata: OIDCProviderMetadata
        do {
            metadata = try JSONDecoder().decode(OIDCProviderMetadata.self, from: response.body)
        } catch {
            throw OktaError(.oidcDiscovery, detail: "discovery document lacks issuer or an endpoint", status: response.status)
        }
        try metadata.validate(baseURL: baseURL)
        return metadata
    }

    /// Checks the rules of ``discover(endpoint:httpClient:timeout:)`` against the base URL used.
    public func validate(baseURL: String) throws {
        guard issuer == baseURL else {
            throw OktaError(.oidcDiscovery, detail: "issuer \(issuer) is not the base URL \(baseURL)")
        }
        guard let base = OIDCOrigin(baseURL) else {
            throw OktaError(.oidcDiscovery, detail: "base URL \(baseURL) is not an absolute http(s) URL")
        }
        let endpoints = [("authorization_endpoint", authorizationEndpoint), ("token_endpoint", tokenEndpoint), ("jwks_uri", jwksURI)]
            + (userinfoEndpoint.map { [("userinfo_endpoint", $0)] } ?? [])
        for (name, url) in endpoints where OIDCOrigin(url) != base {
            throw OktaError(.oidcDiscovery, detail: "\(name) is not on \(baseURL)")
        }
        if let algorithms = idTokenSigningAlgValuesSupported, !algorithms.contains("RS256") {
            throw OktaError(.oidcDiscovery, detail: "provider does not sign ID tokens with RS256")
        }
        if let methods = codeChallengeMethodsSupported, !methods.contains("S256") {
            throw OktaError(.oidcDiscovery, detail: "provider does not support PKCE S256")
        }
    }
}

/// Scheme, host and port of an absolute URL, for same-origin checks.
struct OIDCOrigin: Hashable {
    var scheme: String
    var host: String
    var port: Int

    init?(_ text: String) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "https" || scheme == "http", let host = components.host?.lowercased(), !host.isEmpty,
            components.user == nil, components.password == nil
        else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = components.port ?? (scheme == "https" ? 443 : 80)
    }
}
