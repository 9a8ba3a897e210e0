import Foundation
import PierCrypto
import PierHTTP
import PierLogging
import Synchronization
import Testing

@testable import PierOkta

/// A small scripted OpenID Provider on PierHTTP's server (127.0.0.1, port 0): discovery, JWKS,
/// a headless `/authorize` that redirects straight back with a code (or `access_denied` for an
/// unassigned user), and a token endpoint that checks client_secret_basic, the redirect URI, single use
/// and PKCE, then issues an ID token signed with ``RSAPrivateKey``.
final class ScriptedOpenIDProvider: Sendable {
    struct Grant {
        var clientID: String
        var redirectURI: String
        var challenge: String
        var nonce: String?
        var login: String
    }

    struct State {
        var baseURL = ""
        var keys: [(kid: String, key: RSAPrivateKey)] = []
        var activeKid = ""
        var grants: [String: Grant] = [:]
        var tokenRequests = 0
        var keyRequests = 0
    }

    let clientID: String
    let clientSecret: String
    let redirectURI: String
    let clock: TestClock
    private let state = Mutex(State())

    init(clientID: String, clientSecret: String, redirectURI: String, clock: TestClock, firstKey: RSAPrivateKey) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURI = redirectURI
        self.clock = clock
        state.withLock {
            $0.keys = [("key-1", firstKey)]
            $0.activeKid = "key-1"
        }
    }

    var baseURL: String {
        get { state.withLock { $0.baseURL } }
        set { state.withLock { $0.baseURL = newValue } }
    }

    var keyRequests: Int { state.withLock { $0.keyRequests } }
    var tokenRequests: Int { state.withLock { $0.tokenRequests } }

    /// Okta-style rotation: the new key signs from now on, the old one stays published for a while.
    func rotate(to kid: String, key: RSAPrivateKey) {
        state.withLock {
            $0.keys.insert((kid, key), at: 0)
            $0.activeKid = kid
        }
    }

    func routes(_ router: Router) {
        router.getSync("/.well-known/openid-configuration") { _, _ in
            let base = self.baseURL
            let document: [String: Any] = [
                "issuer": base, "authorization_endpoint": base + "/oauth2/v1/authorize", "token_endpoint": base + "/oauth2/v1/token",
                "jwks_uri": base + "/oauth2/v1/keys", "userinfo_endpoint": base + "/oauth2/v1/userinfo",
                "response_types_supported": ["code"], "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"], "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            ]
            return try Self.json(document)
        }
        router.getSync("/oauth2/v1/keys") { _, _ in
            let keys = self.state.withLock { state in
                state.keyRequests += 1
                return state.keys
            }
            var response = try Self.json(["keys": try keys.map { try JSONSerialization.jsonObject(with: JSONEncoder().encode($0.key.publicJWK(keyID: $0.kid))) }])
            response.headers.append(name: "Cache-Control", value: "max-age=3600, must-revalidate")
            return response
        }
        router.getSync("/oauth2/v1/authorize") { request, _ in
            guard request.queryValue("client_id") == self.clientID, request.queryValue("redirect_uri") == self.redirectURI else {
                return Response(status: HTTPStatus(code: 400), headers: ["Content-Type": "text/html"], body: Data("<html>bad client</html>".utf8))
            }
            let state = request.queryValue("state") ?? ""
            let login = request.queryValue("login_hint") ?? "jane@acme.example"
            var location = self.redirectURI + "?"
            if login.hasPrefix("unassigned") {
                location += "error=access_denied&error_description=User+is+not+assigned+to+the+client+application.&state=\(state)"
            } else {
                guard request.queryValue("response_type") == "code", request.queryValue("code_challenge_method") == "S256",
                    let challenge = request.queryValue("code_challenge")
                else { return Response(status: HTTPStatus(code: 400)) }
                let code = try SecureRandom.urlSafeToken(byteCount: 16)
                self.state.withLock {
                    $0.grants[code] = Grant(
                        clientID: self.clientID, redirectURI: self.redirectURI, challenge: challenge, nonce: request.queryValue("nonce"),
                        login: login)
                }
                location += "code=\(code)&state=\(state)"
            }
            location += "&iss=" + OIDCTransport.percentEncode(self.baseURL)
            return Response(status: .found, headers: ["Location": location])
        }
        router.onSync(.post, "/oauth2/v1/token") { request, _ in
            self.state.withLock { $0.tokenRequests += 1 }
            let expected = "Basic " + Data("\(self.clientID):\(self.clientSecret)".utf8).base64EncodedString()
            guard request.headers["Authorization"] == expected else {
                return try Self.json(["error": "invalid_client", "error_description": "Client authentication failed."], status: 401)
            }
            let form = OIDCTransport.formDecode(String(decoding: request.body, as: UTF8.self))
            guard form["grant_type"] == "authorization_code" else { return try Self.json(["error": "unsupported_grant_type"], status: 400) }
            // Single use: the code is removed whatever happens next.
            let grant = self.state.withLock { $0.grants.removeValue(forKey: form["code"] ?? "") }
            guard let grant, grant.redirectURI == form["redirect_uri"] else {
                return try Self.json(["error": "invalid_grant", "error_description": "The authorization code is invalid or has expired."], status: 400)
            }
            guard let verifier = form["code_verifier"], PKCE.challengeS256(verifier: verifier) == grant.challenge else {
                return try Self.json(["error": "invalid_grant", "error_description": "PKCE verification failed."], status: 400)
            }
            let (kid, key) = self.state.withLock { state in (state.activeKid, state.keys.first { $0.kid == state.activeKid }!.key) }
            let now = Int(self.clock.now.timeIntervalSince1970)
            var claims: [String: Any] = [
                "sub": "00u1abcdEFGHijklm0h7", "name": "Jane Doe", "email": grant.login, "preferred_username": grant.login, "ver": 1,
                "iss": self.baseURL, "aud": grant.clientID, "iat": now, "exp": now + 3600, "auth_time": now - 2, "amr": ["pwd"],
                "jti": "ID." + (try SecureRandom.urlSafeToken(byteCount: 16)),
            ]
            if let nonce = grant.nonce { claims["nonce"] = nonce }
            let idToken = try TestTokenIssuer.sign(header: ["kid": kid, "alg": "RS256"], claims: claims, key: key)
            return try Self.json([
                "token_type": "Bearer", "expires_in": 3600, "access_token": "opaque-access", "scope": "openid profile email", "id_token": idToken,
            ])
        }
    }

    static func json(_ object: Any, status: Int = 200) throws -> Response {
        Response(
            status: HTTPStatus(code: status), headers: ["Content-Type": "application/json;charset=UTF-8"],
            body: try JSONSerialization.data(withJSONObject: object))
    }
}

@Suite(.serialized)
struct OIDCLoopbackTests {
    let clock = TestClock(Date())
    let redirectURI = "https://mdm.acme.example/oauth/okta/callback"

    func withProvider(_ body: (ScriptedOpenIDProvider, OktaEndpoint) async throws -> Void) async throws {
        let provider = ScriptedOpenIDProvider(
            clientID: "0oaLOOPBACK", clientSecret: "loopback-secret", redirectURI: redirectURI, clock: clock, firstKey: OIDCTestKeys.first)
        let router = Router()
        provider.routes(router)
        let server = HTTPServer(
            configuration: HTTPServer.Configuration(shutdownGracePeriod: .seconds(2)), responder: router.makeResponder(), logger: .disabled())
        let port = try server.start()
        provider.baseURL = "http://127.0.0.1:\(port)"
        do {
            try await body(provider, OktaEndpoint(scheme: "http", host: "127.0.0.1", port: port))
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    var configuration: OIDCClientConfiguration {
        OIDCClientConfiguration(clientID: "0oaLOOPBACK", clientSecret: OIDCClientSecret("loopback-secret"), redirectURI: redirectURI)
    }

    /// Plays the browser: follows the authorization URL once and returns the callback query.
    func browse(_ url: URL, using http: CurlHTTPClient) async throws -> String {
        let response = try await http.execute(HTTPClientRequest(url: url))
        #expect(response.status == 302)
        let location = try #require(response.header(named: "Location"))
        #expect(location.hasPrefix(redirectURI + "?"))
        return String(location.drop { $0 != "?" })
    }

    @Test func fullCodeFlowWithKeyRotation() async throws {
        try await withProvider { provider, endpoint in
            let http = CurlHTTPClient()
            let party = try await OIDCRelyingParty.discover(endpoint: endpoint, configuration: configuration, httpClient: http, now: clock.function)
            #expect(party.metadata.issuer == endpoint.baseURL)

            // First sign-in.
            let first = try party.makeAuthorizationRequest(loginHint: "jane@acme.example")
            let callback = try await browse(first.url, using: http)
            let response = OIDCAuthorizationResponse(query: callback)
            #expect(response.state == first.attempt.state)
            #expect(response.issuer == endpoint.baseURL)
            let result = try await party.completeSignIn(response: response, attempt: first.attempt)
            #expect(result.claims.subject == "00u1abcdEFGHijklm0h7")
            #expect(result.claims.email == "jane@acme.example")
            #expect(result.claims.nonce == first.attempt.nonce)
            #expect(result.tokens.accessToken?.value == "opaque-access")
            #expect(provider.keyRequests == 1)

            // The code is single-use: replaying it is invalid_grant.
            let replay = await oktaError { _ = try await party.completeSignIn(response: response, attempt: first.attempt) }
            #expect(replay?.code == .oidcTokenExchange && replay?.errorCode == "invalid_grant" && replay?.status == 400)

            // Okta rotates its signing key; a minute later the next sign-in's token names the new kid.
            provider.rotate(to: "key-2", key: OIDCTestKeys.second)
            clock.advance(90)
            let second = try party.makeAuthorizationRequest()
            let rotated = try await party.completeSignIn(
                response: OIDCAuthorizationResponse(query: try await browse(second.url, using: http)), attempt: second.attempt)
            #expect(rotated.claims.subject == "00u1abcdEFGHijklm0h7")
            #expect(provider.keyRequests == 2)
            #expect(await party.keySet.cachedKeyIDs == ["key-1", "key-2"])

            // Another sign-in with the cached key: no further JWKS fetch.
            clock.advance(5)
            let third = try party.makeAuthorizationRequest()
            _ = try await party.completeSignIn(response: OIDCAuthorizationResponse(query: try await browse(third.url, using: http)), attempt: third.attempt)
            #expect(provider.keyRequests == 2)
        }
    }

    @Test func refusalsOverTheWire() async throws {
        try await withProvider { provider, endpoint in
            let http = CurlHTTPClient()
            let party = try await OIDCRelyingParty.discover(endpoint: endpoint, configuration: configuration, httpClient: http, now: clock.function)

            // An unassigned user: Okta redirects back with access_denied.
            let denied = try party.makeAuthorizationRequest(loginHint: "unassigned@acme.example")
            let deniedError = await oktaError {
                _ = try await party.completeSignIn(
                    response: OIDCAuthorizationResponse(query: try await browse(denied.url, using: http)), attempt: denied.attempt)
            }
            #expect(deniedError?.code == .oidcAuthorizationDenied && deniedError?.errorCode == "access_denied")
            #expect(provider.tokenRequests == 0)

            // A callback answered with another attempt's verifier: PKCE fails at the token endpoint.
            let request = try party.makeAuthorizationRequest()
            let callback = OIDCAuthorizationResponse(query: try await browse(request.url, using: http))
            var wrongVerifier = request.attempt
            wrongVerifier.codeVerifier = try PKCE.makeVerifier()
            let pkce = await oktaError { _ = try await party.completeSignIn(response: callback, attempt: wrongVerifier) }
            #expect(pkce?.code == .oidcTokenExchange && pkce?.errorCode == "invalid_grant")

            // A wrong client secret: invalid_client with the administrator's explanation.
            var badSecret = configuration
            badSecret.clientSecret = OIDCClientSecret("wrong")
            let misconfigured = OIDCRelyingParty(metadata: party.metadata, configuration: badSecret, httpClient: http, now: clock.function)
            let other = try misconfigured.makeAuthorizationRequest()
            let secretError = await oktaError {
                _ = try await misconfigured.completeSignIn(
                    response: OIDCAuthorizationResponse(query: try await browse(other.url, using: http)), attempt: other.attempt)
            }
            #expect(secretError?.code == .oidcTokenExchange && secretError?.errorCode == "invalid_client" && secretError?.status == 401)

            // Discovery through the development endpoint under another spelling of the host is refused
            // (the issuer is http://127.0.0.1:PORT, not http://localhost:PORT).
            let localhost = OktaEndpoint(scheme: "http", host: "localhost", port: endpoint.port)
            let mismatch = await oktaError { _ = try await OIDCProviderMetadata.discover(endpoint: localhost, httpClient: http) }
            #expect(mismatch?.code == .oidcDiscovery)
        }
    }
}
