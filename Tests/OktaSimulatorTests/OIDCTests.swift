import Foundation
import OktaSimulator
import PierCrypto
import PierHTTP
import Synchronization
import Testing

/// The org authorization server driven with raw HTTP and checked with PierCrypto (the relying party of
/// PierOkta against the simulator is the integration tests' job).
@Suite struct OIDCTests {
    static let redirect = "http://127.0.0.1:9/callback"

    struct Flow {
        let sim: SimulatorHarness
        let clientID: String
        let secret: String
        let member: String
        let memberLogin: String
        let outsider: String
    }

    /// An ACTIVE app with one assigned group; a member and a non-member, both ACTIVE.
    static func setUp(configure: (inout OktaSimulator.Configuration) -> Void = { _ in }) async throws -> Flow {
        let sim = try SimulatorHarness(users: 300, groups: 8, configure: configure)
        let body = #"{"name":"oidc_client","label":"Pier","signOnMode":"OPENID_CONNECT","credentials":{"oauthClient":{"token_endpoint_auth_method":"client_secret_basic","pkce_required":true}},"settings":{"oauthClient":{"application_type":"web","redirect_uris":["\#(redirect)"],"response_types":["code"],"grant_types":["authorization_code"]}}}"#
        let app = try SimulatorHarness.json(try await sim.request(.post, "/api/v1/apps", body: body)) as! [String: Any]
        let client = (app["credentials"] as! [String: Any])["oauthClient"] as! [String: Any]
        let group = sim.server.groupIDs.first { sim.server.groupTypes[$0] == "OKTA_GROUP" }!
        #expect(try await sim.request(.put, "/api/v1/apps/\(app["id"] as! String)/groups/\(group)", body: "{}").status == 200)
        let statuses = sim.server.userStatuses
        let members = Set(sim.server.memberIDs(of: group))
        let member = sim.server.userIDs.first { members.contains($0) && statuses[$0] == "ACTIVE" }!
        let outsider = sim.server.userIDs.first { !members.contains($0) && statuses[$0] == "ACTIVE" }!
        return Flow(
            sim: sim, clientID: client["client_id"] as! String, secret: client["client_secret"] as! String, member: member,
            memberLogin: sim.server.userLogin(member), outsider: outsider
        )
    }

    static func form(_ items: [(String, String)]) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
    }

    static func query(_ location: String) -> [String: String] {
        var result: [String: String] = [:]
        for item in URLComponents(string: location)?.queryItems ?? [] { result[item.name] = item.value }
        return result
    }

    static func send(
        _ sim: SimulatorHarness, _ method: HTTPClientRequest.Method, _ path: String, headers: [(name: String, value: String)] = [],
        form: String? = nil
    ) async throws -> HTTPClientResponse {
        var all = headers
        if form != nil { all.append(("Content-Type", "application/x-www-form-urlencoded")) }
        return try await sim.client.execute(HTTPClientRequest(method: method, url: sim.base + path, headers: all, body: form.map { Data($0.utf8) }))
    }

    static func authorizeQuery(_ flow: Flow, state: String, nonce: String, challenge: String, extra: [(String, String)] = []) -> String {
        form([
            ("client_id", flow.clientID), ("redirect_uri", redirect), ("response_type", "code"), ("scope", "openid profile email"),
            ("state", state), ("nonce", nonce), ("code_challenge", challenge), ("code_challenge_method", "S256"),
        ] + extra)
    }

    /// Signs in through the form; returns the redirect's query and the session cookie.
    static func signIn(_ flow: Flow, login: String, password: String = "Passw0rd!", state: String, nonce: String, challenge: String) async throws -> (HTTPClientResponse, [String: String]) {
        let fields: [(String, String)] = [
            ("client_id", flow.clientID), ("redirect_uri", redirect), ("response_type", "code"), ("scope", "openid profile email"),
            ("state", state), ("nonce", nonce), ("code_challenge", challenge), ("code_challenge_method", "S256"),
            ("username", login), ("password", password),
        ]
        let response = try await send(flow.sim, .post, "/oauth2/v1/authorize", form: form(fields))
        return (response, query(response.header(named: "Location") ?? ""))
    }

    static func exchange(_ flow: Flow, code: String, verifier: String, basic: Bool = true) async throws -> HTTPClientResponse {
        var fields = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect), ("code_verifier", verifier)]
        var headers: [(name: String, value: String)] = []
        if basic {
            headers.append(("Authorization", "Basic " + Data("\(flow.clientID):\(flow.secret)".utf8).base64EncodedString()))
        } else {
            fields += [("client_id", flow.clientID), ("client_secret", flow.secret)]
        }
        return try await send(flow.sim, .post, "/oauth2/v1/token", headers: headers, form: form(fields))
    }

    /// Verifies an ID token's RS256 signature against the published JWKS; returns header and claims.
    static func verify(_ token: String, sim: SimulatorHarness) async throws -> (kid: String, claims: [String: Any]) {
        let parts = token.split(separator: ".").map(String.init)
        try #require(parts.count == 3)
        let header = try JSONSerialization.jsonObject(with: try Base64URL.decode(parts[0])) as! [String: Any]
        #expect(header["alg"] as? String == "RS256")
        let kid = header["kid"] as! String
        let jwks = try SimulatorHarness.json(try await sim.request(.get, "/oauth2/v1/keys", token: nil)) as! [String: Any]
        let jwk = try #require((jwks["keys"] as! [[String: Any]]).first { $0["kid"] as? String == kid })
        let key = try RSAPublicKey(jwkModulus: jwk["n"] as! String, exponent: jwk["e"] as! String, keyID: kid)
        #expect(key.modulusBitCount == 2048)
        #expect(key.verifyRS256(signature: try Base64URL.decode(parts[2]), message: Data("\(parts[0]).\(parts[1])".utf8)))
        return (kid, try JSONSerialization.jsonObject(with: try Base64URL.decode(parts[1])) as! [String: Any])
    }

    @Test func codeFlowWithPKCESessionAndRotation() async throws {
        let flow = try await Self.setUp()
        let sim = flow.sim

        // Discovery: Okta's document with this org's URLs.
        let discovery = try SimulatorHarness.json(try await sim.request(.get, "/.well-known/openid-configuration", token: nil)) as! [String: Any]
        #expect(Fixtures.differences(fixture: try Fixtures.load("spec-examples/oidc-openid-configuration-org-as.json"), simulated: discovery) == [])
        #expect(discovery["issuer"] as? String == sim.base)
        #expect(discovery["token_endpoint"] as? String == sim.base + "/oauth2/v1/token")
        let jwks = try SimulatorHarness.json(try await sim.request(.get, "/oauth2/v1/keys", token: nil))
        #expect(Fixtures.differences(fixture: try Fixtures.load("spec-examples/oidc-keys-jwks.json"), simulated: jwks) == [])

        // GET shows the sign-in form carrying the request.
        let verifier = try SecureRandom.urlSafeToken(byteCount: 32)
        let challenge = Base64URL.encode(SHA256.hash(Data(verifier.utf8)))
        let page = try await Self.send(sim, .get, "/oauth2/v1/authorize?" + Self.authorizeQuery(flow, state: "st-1", nonce: "n-1", challenge: challenge))
        #expect(page.status == 200)
        #expect(page.header(named: "Content-Type")?.hasPrefix("text/html") == true)
        let html = String(decoding: page.body, as: UTF8.self)
        #expect(html.contains("name=\"password\"") && html.contains("value=\"st-1\""))

        // A wrong password shows the form again; the right one redirects with code, state and iss.
        let (wrong, _) = try await Self.signIn(flow, login: flow.memberLogin, password: "nope", state: "st-1", nonce: "n-1", challenge: challenge)
        #expect(wrong.status == 401 && wrong.header(named: "Location") == nil)
        let (signedIn, redirect) = try await Self.signIn(flow, login: flow.memberLogin, state: "st-1", nonce: "n-1", challenge: challenge)
        #expect(signedIn.status == 302)
        #expect(signedIn.header(named: "Location")?.hasPrefix(Self.redirect + "?") == true)
        #expect(redirect["state"] == "st-1" && redirect["iss"] == sim.base)
        let code = try #require(redirect["code"])
        let cookie = try #require(signedIn.header(named: "Set-Cookie")?.split(separator: ";").first.map(String.init))

        // Token: PKCE checked, ID token RS256 with Okta's claims.
        let tokenResponse = try await Self.exchange(flow, code: code, verifier: verifier)
        #expect(tokenResponse.status == 200)
        #expect(tokenResponse.header(named: "Cache-Control") == "no-store")
        let tokens = try SimulatorHarness.json(tokenResponse) as! [String: Any]
        #expect(tokens["token_type"] as? String == "Bearer" && tokens["expires_in"] as? Int == 3600)
        let (kid, claims) = try await Self.verify(tokens["id_token"] as! String, sim: sim)
        let recorded = try Fixtures.load("docs-examples/oidc-id-token-claims-org-as.json") as! [String: Any]
        #expect(Set(claims.keys) == Set(recorded.keys))
        #expect(claims["iss"] as? String == sim.base && claims["aud"] as? String == flow.clientID)
        #expect(claims["sub"] as? String == flow.member && claims["nonce"] as? String == "n-1")
        #expect(claims["preferred_username"] as? String == flow.memberLogin && claims["email"] as? String == flow.memberLogin)
        let iat = claims["iat"] as! Int, exp = claims["exp"] as! Int, authTime = claims["auth_time"] as! Int
        #expect(exp - iat == 3600 && authTime <= iat && abs(iat - Int(Date().timeIntervalSince1970)) < 60)

        // Codes are single-use (Okta's body).
        let reused = try await Self.exchange(flow, code: code, verifier: verifier)
        #expect(reused.status == 400)
        #expect(NSDictionary(dictionary: try SimulatorHarness.json(reused) as! [String: Any]).isEqual(
            to: try Fixtures.load("spec-examples/oauth-error-400invalidgrant_invalidauthcode.json") as! [String: Any]))

        // userinfo with the access token; a bad token is 401.
        let accessToken = tokens["access_token"] as! String
        let info = try SimulatorHarness.json(try await Self.send(sim, .get, "/oauth2/v1/userinfo", headers: [("Authorization", "Bearer \(accessToken)")])) as! [String: Any]
        #expect(info["sub"] as? String == flow.member && info["email"] as? String == flow.memberLogin)
        #expect(try await Self.send(sim, .get, "/oauth2/v1/userinfo", headers: [("Authorization", "Bearer nope")]).status == 401)

        // The session cookie skips the form, except with prompt=login; client_secret_post works too.
        let again = try await Self.send(sim, .get, "/oauth2/v1/authorize?" + Self.authorizeQuery(flow, state: "st-2", nonce: "n-2", challenge: challenge), headers: [("Cookie", cookie)])
        #expect(again.status == 302)
        let secondCode = try #require(Self.query(again.header(named: "Location") ?? "")["code"])
        let forced = try await Self.send(sim, .get, "/oauth2/v1/authorize?" + Self.authorizeQuery(flow, state: "st-3", nonce: "n-3", challenge: challenge, extra: [("prompt", "login")]), headers: [("Cookie", cookie)])
        #expect(forced.status == 200 && forced.header(named: "Location") == nil)

        // Rotation: the new key signs, both keys are published.
        let rotated = try SimulatorHarness.json(try await sim.control(.post, "/__sim/keys/rotate")) as! [String: Any]
        let newKid = try #require(rotated["kid"] as? String)
        #expect(newKid != kid)
        let keys = (try SimulatorHarness.json(try await sim.request(.get, "/oauth2/v1/keys", token: nil)) as! [String: Any])["keys"] as! [[String: Any]]
        #expect(keys.map { $0["kid"] as! String } == [newKid, kid])
        let secondTokens = try SimulatorHarness.json(try await Self.exchange(flow, code: secondCode, verifier: verifier, basic: false)) as! [String: Any]
        let (secondKid, secondClaims) = try await Self.verify(secondTokens["id_token"] as! String, sim: sim)
        #expect(secondKid == newKid && secondClaims["nonce"] as? String == "n-2" && secondClaims["auth_time"] as? Int == authTime)
        await sim.stop()
    }

    /// Authorization codes are valid 300 s (REFERENCE: single-use codes valid 300 s): at 299 s a code is
    /// exchanged, at 301 s it is refused with Okta's invalid_grant body.
    @Test func codesExpireAfterThreeHundredSeconds() async throws {
        let clock = Mutex(Date(timeIntervalSince1970: 1_750_000_000))
        let flow = try await Self.setUp { $0.now = { clock.withLock { $0 } } }
        let verifier = try SecureRandom.urlSafeToken(byteCount: 32)
        let challenge = Base64URL.encode(SHA256.hash(Data(verifier.utf8)))
        let (_, first) = try await Self.signIn(flow, login: flow.memberLogin, state: "a", nonce: "a", challenge: challenge)
        let (_, second) = try await Self.signIn(flow, login: flow.memberLogin, state: "b", nonce: "b", challenge: challenge)
        clock.withLock { $0 += 299 }
        #expect(try await Self.exchange(flow, code: try #require(first["code"]), verifier: verifier).status == 200)
        clock.withLock { $0 += 2 }
        let late = try await Self.exchange(flow, code: try #require(second["code"]), verifier: verifier)
        #expect(late.status == 400)
        #expect(NSDictionary(dictionary: try SimulatorHarness.json(late) as! [String: Any]).isEqual(
            to: try Fixtures.load("spec-examples/oauth-error-400invalidgrant_invalidauthcode.json") as! [String: Any]))
        await flow.sim.stop()
    }

    @Test func refusalsFollowOkta() async throws {
        let flow = try await Self.setUp()
        let sim = flow.sim
        let verifier = try SecureRandom.urlSafeToken(byteCount: 32)
        let challenge = Base64URL.encode(SHA256.hash(Data(verifier.utf8)))

        // A user not assigned to the app: access_denied with Okta's description, back to the client.
        let (denied, deniedQuery) = try await Self.signIn(flow, login: sim.server.userLogin(flow.outsider), state: "s", nonce: "n", challenge: challenge)
        #expect(denied.status == 302)
        #expect(deniedQuery["error"] == "access_denied" && deniedQuery["state"] == "s")
        #expect(deniedQuery["error_description"] == "User is not assigned to the client application.")
        #expect(deniedQuery["code"] == nil)

        // Suspended and deprovisioned users cannot sign in.
        let statuses = sim.server.userStatuses
        for status in ["SUSPENDED", "DEPROVISIONED"] {
            let user = sim.server.userIDs.first { statuses[$0] == status }!
            let (refused, _) = try await Self.signIn(flow, login: sim.server.userLogin(user), state: "s", nonce: "n", challenge: challenge)
            #expect(refused.status == 401, "\(status)")
        }

        // Unknown redirect_uri or client: an error page, never a redirect. Missing state / PKCE: error redirect.
        let badRedirect = try await Self.send(sim, .get, "/oauth2/v1/authorize?" + Self.authorizeQuery(flow, state: "s", nonce: "n", challenge: challenge).replacingOccurrences(of: "callback", with: "other"))
        #expect(badRedirect.status == 400 && badRedirect.header(named: "Location") == nil)
        let noState = try await Self.send(sim, .get, "/oauth2/v1/authorize?" + Self.authorizeQuery(flow, state: "", nonce: "n", challenge: challenge))
        #expect(noState.status == 302 && Self.query(noState.header(named: "Location") ?? "")["error"] == "invalid_request")
        let plain = try await Self.send(sim, .get, "/oauth2/v1/authorize?" + Self.authorizeQuery(flow, state: "s", nonce: "n", challenge: challenge).replacingOccurrences(of: "S256", with: "plain"))
        #expect(Self.query(plain.header(named: "Location") ?? "")["error"] == "invalid_request")

        // Token endpoint refusals with Okta's bodies.
        let (_, okQuery) = try await Self.signIn(flow, login: flow.memberLogin, state: "s", nonce: "n", challenge: challenge)
        let code = try #require(okQuery["code"])
        let noCredentials = try await Self.send(sim, .post, "/oauth2/v1/token", form: Self.form([("grant_type", "authorization_code"), ("code", code)]))
        #expect(noCredentials.status == 401)
        #expect(NSDictionary(dictionary: try SimulatorHarness.json(noCredentials) as! [String: Any]).isEqual(
            to: try Fixtures.load("spec-examples/oauth-error-401invalidclient_nocreds.json") as! [String: Any]))
        let wrongVerifier = try await Self.exchange(flow, code: code, verifier: verifier + "x")
        let wrongVerifierBody = try SimulatorHarness.json(wrongVerifier) as! [String: Any]
        #expect(wrongVerifier.status == 400 && wrongVerifierBody["error"] as? String == "invalid_grant")
        let basic = "Basic " + Data("\(flow.clientID):\(flow.secret)".utf8).base64EncodedString()
        let unsupported = try await Self.send(sim, .post, "/oauth2/v1/token", headers: [("Authorization", basic)], form: "grant_type=password")
        #expect(NSDictionary(dictionary: try SimulatorHarness.json(unsupported) as! [String: Any]).isEqual(
            to: try Fixtures.load("spec-examples/oauth-error-400unsupportedgranttype.json") as! [String: Any]))
        let both = try await Self.send(sim, .post, "/oauth2/v1/token", headers: [("Authorization", basic)],
                                       form: Self.form([("grant_type", "authorization_code"), ("client_id", flow.clientID), ("client_secret", flow.secret)]))
        #expect(NSDictionary(dictionary: try SimulatorHarness.json(both) as! [String: Any]).isEqual(
            to: try Fixtures.load("spec-examples/oauth-error-400invalidrequest_multipleclientcreds.json") as! [String: Any]))
        #expect(both.status == 400)
        await sim.stop()
    }
}
