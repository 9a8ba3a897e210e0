import Foundation
import PierHTTP

/// A token the relying party holds but never shows: `description` is `"<redacted>"`.
public struct OIDCAccessToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The token; read it only to build a `Bearer` header.
    public let value: String

    /// Wraps a token.
    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// The token endpoint's answer to an authorization-code exchange.
public struct OIDCTokenResponse: Sendable, CustomStringConvertible {
    /// The ID token (JWS compact form), not yet verified.
    public var idToken: String
    /// The access token (opaque to Pier; used only for userinfo).
    public var accessToken: OIDCAccessToken?
    /// `token_type`, `Bearer`.
    public var tokenType: String?
    /// `expires_in` seconds of the access token.
    public var expiresIn: Int?
    /// Granted scopes.
    public var scope: String?

    public var description: String {
        "OIDCTokenResponse(tokenType: \(tokenType ?? "-"), expiresIn: \(expiresIn.map(String.init) ?? "-"), scope: \(scope ?? "-"))"
    }

    private struct Body: Decodable {
        var id_token: String?
        var access_token: String?
        var token_type: String?
        var expires_in: Int?
        var scope: String?
    }

    private struct ErrorBody: Decodable {
        var error: String?
    }

    /// Exchanges `code` at the token endpoint with `client_secret_basic` and the attempt's PKCE verifier.
    ///
    /// Errors: a 4xx with an OAuth `error` (`invalid_grant`: code expired, reused or PKCE failed;
    /// `invalid_client`: wrong secret) is ``OktaError/Code/oidcTokenExchange`` with the OAuth code in
    /// ``OktaError/errorCode``; 429, 5xx, HTML and transport failures keep their usual classes; a 200
    /// without an `id_token` is ``OktaError/Code/oidcInvalidResponse``. This POST is never retried: the
    /// code is single-use, so a blind retry after an unknown outcome can only fail with `invalid_grant`.
    static func exchange(
        code: String, attempt: OIDCAuthorizationAttempt, tokenEndpoint: String, configuration: OIDCClientConfiguration,
        httpClient: any HTTPClient
    ) async throws -> OIDCTokenResponse {
        let form = OIDCTransport.formEncode([
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", attempt.redirectURI),
            ("code_verifier", attempt.codeVerifier),
        ])
        // RFC 6749 §2.3.1: id and secret are form-encoded before joining and base64.
        let credentials = OIDCTransport.percentEncode(configuration.clientID) + ":"
            + OIDCTransport.percentEncode(configuration.clientSecret.value)
        let request = HTTPClientRequest(
            method: .post, url: tokenEndpoint,
            headers: [
                ("Accept", "application/json"), ("Content-Type", "application/x-www-form-urlencoded"),
                ("Authorization", "Basic " + Data(credentials.utf8).base64EncodedString()),
            ],
            body: Data(form.utf8), totalTimeout: configuration.timeout)
        let response = try await OIDCTransport.send(request, using: httpClient)
        if (400...499).contains(response.status), response.status != 429, OktaError.isJSONContentType(response.headers),
            let error = (try? JSONDecoder().decode(ErrorBody.self, from: response.body))?.error
        {
            throw OktaError(.oidcTokenExchange, detail: "token endpoint refused the code (\(error))", status: response.status, errorCode: error)
        }
        try OIDCTransport.requireJSONSuccess(response)
        guard let body = try? JSONDecoder().decode(Body.self, from: response.body), let idToken = body.id_token, !idToken.isEmpty else {
            throw OktaError(.oidcInvalidResponse, detail: "token response without id_token", status: response.status)
        }
        if let type = body.token_type, type.lowercased() != "bearer" {
            throw OktaError(.oidcInvalidResponse, detail: "token_type \(type) is not Bearer", status: response.status)
        }
        return OIDCTokenResponse(
            idToken: idToken, accessToken: body.access_token.map(OIDCAccessToken.init), tokenType: body.token_type,
            expiresIn: body.expires_in, scope: body.scope)
    }
}
