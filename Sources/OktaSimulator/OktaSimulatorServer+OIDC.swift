import Foundation
import PierCrypto
import PierHTTP
import Synchronization

/// The org authorization server's state: signing keys, sessions, codes and access tokens.
struct OIDCState: Sendable {
    struct SigningKey: Sendable {
        var kid: String
        var key: RSAPrivateKey
        var jwk: RSAPublicJWK
    }

    struct Grant: Sendable {
        var clientID: String
        var redirectURI: String
        var userID: String
        var scopes: [String]
        var nonce: String?
        var codeChallenge: String?
        var authTime: Int64
        var expires: Int64
    }

    struct AccessToken: Sendable {
        var userID: String
        var scopes: [String]
        var expires: Int64
    }

    /// Newest last; the JWKS publishes the current key and the one before it (rotation overlap).
    var keys: [SigningKey] = []
    var sessions: [String: (userID: String, authTime: Int64)] = [:]
    var codes: [String: Grant] = [:]
    var accessTokens: [String: AccessToken] = [:]

    mutating func rotate() throws -> SigningKey {
        let key = try RSAPrivateKey.generate(bits: 2048)
        let provisional = try key.publicJWK(keyID: "")
        // kid: base64url SHA-256 of the modulus (43 characters, like Okta's).
        let kid = Base64URL.encode(SHA256.hash(Data(provisional.n.utf8)))
        let signing = SigningKey(kid: kid, key: key, jwk: try key.publicJWK(keyID: kid))
        keys.append(signing)
        if keys.count > 2 { keys.removeFirst(keys.count - 2) }
        return signing
    }

    mutating func currentKey() throws -> SigningKey {
        if let key = keys.last { return key }
        return try rotate()
    }
}

/// OAuth 2.0 / OIDC errors in Okta's `error` / `error_description` body.
struct OAuthError: Error, Sendable {
    var status: Int
    var error: String
    var description: String

    static let noCredentials = OAuthError(status: 401, error: "invalid_client", description: "No client credentials found")
    static let badSecret = OAuthError(
        status: 401, error: "invalid_client", description: "The client secret supplied for a confidential client is invalid."
    )
    static let unknownClient = OAuthError(status: 401, error: "invalid_client", description: "Invalid value for 'client_id' parameter.")
    static let multipleCredentials = OAuthError(
        status: 400, error: "invalid_request",
        description: "Can't supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a `client_assertion` in the post body."
    )
    static let unsupportedGrant = OAuthError(
        status: 400, error: "unsupported_grant_type", description: "The grant type in the request isn't supported."
    )
    static let invalidCode = OAuthError(status: 400, error: "invalid_grant", description: "The authorization code is invalid or has expired.")
    static let mismatchedClient = OAuthError(
        status: 400, error: "invalid_grant",
        description: "The grant was issued to another client. Ensure that the `client_id` matches the one used at the authorize request."
    )
    static let redirectMismatch = OAuthError(
        status: 400, error: "invalid_grant", description: "The 'redirect_uri' does not match the redirection URI used in the authorization request."
    )
    static let pkceFailed = OAuthError(status: 400, error: "invalid_grant", description: "PKCE verification failed.")
    static let verifierMissing = OAuthError(status: 400, error: "invalid_grant", description: "PKCE verification failed.")

    var json: JSON { .object(JSONObject(["error": .string(error), "error_description": .string(description)])) }
}

extension OktaSimulatorServer {
    /// Discovery, authorize (sign-in page), token, keys and userinfo of the org authorization server.
    func addOIDCRoutes(to router: Router) {
        router.getSync("/.well-known/openid-configuration") { [self] _, _ in
            let base = baseURL
            func list(_ items: [String]) -> JSON { .array(items.map(JSON.string)) }
            let methods = ["client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"]
            let document = JSON.object(JSONObject([
                "issuer": .string(base),
                "authorization_endpoint": .string("\(base)/oauth2/v1/authorize"),
                "token_endpoint": .string("\(base)/oauth2/v1/token"),
                "userinfo_endpoint": .string("\(base)/oauth2/v1/userinfo"),
                "registration_endpoint": .string("\(base)/oauth2/v1/clients"),
                "jwks_uri": .string("\(base)/oauth2/v1/keys"),
                "response_types_supported": list(["code", "id_token", "code id_token", "code token", "id_token token", "code id_token token"]),
                "response_modes_supported": list(["query", "fragment", "form_post", "okta_post_message"]),
                "grant_types_supported": list(["authorization_code", "implicit", "refresh_token", "password", "urn:ietf:params:oauth:grant-type:device_code"]),
                "subject_types_supported": list(["public"]),
                "id_token_signing_alg_values_supported": list(["RS256"]),
                "scopes_supported": list(["openid", "email", "profile", "address", "phone", "offline_access", "groups"]),
                "token_endpoint_auth_methods_supported": list(methods),
                "claims_supported": list([
                    "iss", "ver", "sub", "aud", "iat", "exp", "jti", "auth_time", "amr", "idp", "nonce", "name", "nickname",
                    "preferred_username", "given_name", "middle_name", "family_name", "email", "email_verified", "profile",
                    "zoneinfo", "locale", "address", "phone_number", "picture", "website", "gender", "birthdate", "updated_at",
                    "at_hash", "c_hash",
                ]),
                "code_challenge_methods_supported": list(["S256"]),
                "introspection_endpoint": .string("\(base)/oauth2/v1/introspect"),
                "introspection_endpoint_auth_methods_supported": list(methods),
                "revocation_endpoint": .string("\(base)/oauth2/v1/revoke"),
                "revocation_endpoint_auth_methods_supported": list(methods),
                "end_session_endpoint": .string("\(base)/oauth2/v1/logout"),
                "request_parameter_supported": .bool(true),
                "request_object_signing_alg_values_supported": list(["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512"]),
                "device_authorization_endpoint": .string("\(base)/oauth2/v1/device/authorize"),
                "pushed_authorization_request_endpoint": .string("\(base)/oauth2/v1/par"),
            ]))
            return response(.json(document))
        }

        router.getSync("/oauth2/v1/keys") { [self] _, _ in
            let keys = try oidc.withLock { state -> [RSAPublicJWK] in
                _ = try state.currentKey()
                return state.keys.reversed().map(\.jwk)
            }
            let items = keys.map { jwk in
                JSON.object(JSONObject([
                    "kty": .string(jwk.kty), "alg": .string(jwk.alg), "kid": .string(jwk.kid), "use": .string(jwk.use),
                    "e": .string(jwk.e), "n": .string(jwk.n),
                ]))
            }
            var reply = response(.json(.object(JSONObject(["keys": .array(items)]))))
            reply.headers.append(name: "Cache-Control", value: "max-age=3600, must-revalidate")
            return reply
        }

        for method in [HTTPMethod.get, .post] {
            router.onSync(method, "/oauth2/v1/authorize") { [self] request, _ in
                let form = method == .post ? Self.formDecode(request.body) : [:]
                var parameters: [String: String] = [:]
                for item in request.query { if let value = item.value { parameters[item.name] = value } }
                for (name, value) in form { parameters[name] = value }
                return authorize(request, parameters: parameters, submitted: method == .post)
            }
        }

        router.onSync(.post, "/oauth2/v1/token") { [self] request, _ in
            do {
                return try token(request)
            } catch let error as OAuthError {
                var headers: HTTPFields = ["Content-Type": "application/json", "Cache-Control": "no-store", "Pragma": "no-cache"]
                if error.status == 401 { headers.append(name: "WWW-Authenticate", value: "Basic realm=\"okta\"") }
                return Response(status: HTTPStatus(code: error.status), headers: headers, body: error.json.data)
            }
        }

        for method in [HTTPMethod.get, .post] {
            router.onSync(method, "/oauth2/v1/userinfo") { [self] request, _ in
                let header = request.headers["Authorization"] ?? ""
                let token = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
                let t = Int64(configuration.now().timeIntervalSince1970)
                guard let grant = oidc.withLock({ $0.accessTokens[token] }), grant.expires > t,
                      let user = try? withOrg({ $0.users[grant.userID] }) else {
                    return Response(
                        status: .unauthorized,
                        headers: ["WWW-Authenticate": #"Bearer authorization_uri="\#(baseURL)/oauth2/v1/authorize", realm="\#(baseURL)", scope="openid", error="invalid_token", error_description="The access token is invalid.", resource="/oauth2/v1/userinfo""#],
                        body: Data()
                    )
                }
                return response(.json(.object(claims(for: user, scopes: grant.scopes, userinfo: true))))
            }
        }
    }

    // MARK: - Authorize

    private static let authorizeFields = [
        "client_id", "redirect_uri", "response_type", "response_mode", "scope", "state", "nonce", "code_challenge",
        "code_challenge_method", "prompt",
    ]

    func authorize(_ request: Request, parameters p: [String: String], submitted: Bool) -> Response {
        let clientID = p["client_id"] ?? ""
        let app = try? withOrg { $0.apps[clientID] }
        guard let app, app.status == "ACTIVE" else {
            return errorPage(400, "Bad Request", "The client_id is invalid or the app is inactive (invalid_client).")
        }
        guard let redirectURI = p["redirect_uri"], app.redirectURIs.contains(redirectURI) else {
            return errorPage(400, "Bad Request", "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.")
        }
        let state = p["state"]
        func fail(_ error: String, _ description: String) -> Response {
            redirect(redirectURI, [("error", error), ("error_description", description), ("state", state)])
        }
        guard p["response_type"] == "code" else {
            return fail("unsupported_response_type", "The response type is not supported by the authorization server. Configured response types: [code].")
        }
        guard let state, !state.isEmpty else { return fail("invalid_request", "The authorization request is missing the 'state' parameter.") }
        let scopes = (p["scope"] ?? "").split(separator: " ").map(String.init)
        guard scopes.contains("openid") else { return fail("invalid_scope", "The authorization server resource does not have any configured default scopes, 'scope' must be provided.") }
        if let method = p["code_challenge_method"], method != "S256" {
            return fail("invalid_request", "'code_challenge_method' is invalid. Only 'S256' is supported.")
        }
        if p["code_challenge"] == nil, app.pkceRequired {
            return fail("invalid_request", "PKCE code challenge is required by this client.")
        }
        if p["code_challenge"] != nil, p["code_challenge_method"] == nil {
            return fail("invalid_request", "'code_challenge_method' is required when 'code_challenge' is present.")
        }
        let now = Int64(configuration.now().timeIntervalSince1970)

        var userID: String?
        var authTime = now
        var setCookie: String?
        if submitted {
            let login = p["username"] ?? "", password = p["password"] ?? ""
            let user = try? withOrg { $0.user(idOrLogin: login) }
            guard let user, user.password == password, [.active, .passwordExpired].contains(user.status) else {
                return signInPage(p, message: "Unable to sign in", status: 401)
            }
            userID = user.id
            let session = (try? SecureRandom.urlSafeToken(byteCount: 24)) ?? UUID().uuidString
            oidc.withLock { $0.sessions[session] = (user.id, now) }
            setCookie = "sid=\(session); Path=/; HttpOnly; SameSite=None"
        } else if p["prompt"] != "login", let session = Self.cookie("sid", in: request),
                  let existing = oidc.withLock({ $0.sessions[session] }),
                  let user = try? withOrg({ $0.users[existing.userID] }), [.active, .passwordExpired].contains(user.status) {
            userID = user.id
            authTime = existing.authTime
        }
        guard let userID else {
            if p["prompt"] == "none" { return fail("login_required", "The client specified not to prompt, but the user is not logged in.") }
            return signInPage(p, message: nil, status: 200)
        }

        let assigned = (try? withOrg { $0.isAssigned(userID, to: app) }) ?? false
        guard assigned else {
            var response = fail("access_denied", "User is not assigned to the client application.")
            if let setCookie { response.headers.append(name: "Set-Cookie", value: setCookie) }
            return response
        }
        let code = (try? SecureRandom.urlSafeToken(byteCount: 32)) ?? UUID().uuidString
        let grant = OIDCState.Grant(
            clientID: app.id, redirectURI: redirectURI, userID: userID, scopes: scopes, nonce: p["nonce"],
            codeChallenge: p["code_challenge"], authTime: authTime, expires: now + 300
        )
        oidc.withLock { $0.codes[code] = grant }
        var response = redirect(redirectURI, [("code", code), ("state", state), ("iss", baseURL)])
        if let setCookie { response.headers.append(name: "Set-Cookie", value: setCookie) }
        return response
    }

    func redirect(_ uri: String, _ items: [(String, String?)]) -> Response {
        let query = items.compactMap { name, value in value.map { "\(name)=\(Self.percentEncode($0))" } }.joined(separator: "&")
        let location = uri + (uri.contains("?") ? "&" : "?") + query
        return Response(status: HTTPStatus(code: 302), headers: ["Location": location, "Cache-Control": "no-cache, no-store"], body: Data())
    }

    func signInPage(_ p: [String: String], message: String?, status: Int) -> Response {
        var hidden = ""
        for name in Self.authorizeFields {
            if let value = p[name] { hidden += "<input type=\"hidden\" name=\"\(name)\" value=\"\(Self.html(value))\">\n" }
        }
        let error = message.map { "<p class=\"error\" role=\"alert\">\(Self.html($0))</p>\n" } ?? ""
        let page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Sign In</title></head>
            <body><main><h1>Sign In</h1>
            \(error)<form method="post" action="/oauth2/v1/authorize">
            \(hidden)<label>Username <input type="text" name="username" autocomplete="username"></label>
            <label>Password <input type="password" name="password" autocomplete="current-password"></label>
            <button type="submit">Sign In</button>
            </form></main></body></html>
            """
        return Response(status: HTTPStatus(code: status), headers: ["Content-Type": "text/html;charset=utf-8"], body: Data(page.utf8))
    }

    func errorPage(_ status: Int, _ title: String, _ message: String) -> Response {
        let page = "<!DOCTYPE html><html><head><title>\(title)</title></head><body><h1>\(title)</h1><p>\(Self.html(message))</p></body></html>"
        return Response(status: HTTPStatus(code: status), headers: ["Content-Type": "text/html;charset=utf-8"], body: Data(page.utf8))
    }

    // MARK: - Token

    func token(_ request: Request) throws -> Response {
        let form = Self.formDecode(request.body)
        var clientID: String?, secret: String?
        if let header = request.headers["Authorization"], header.lowercased().hasPrefix("basic ") {
            guard let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
                  let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") else {
                throw OAuthError.noCredentials
            }
            if form["client_secret"] != nil || form["client_assertion"] != nil { throw OAuthError.multipleCredentials }
            clientID = Self.percentDecode(String(text[..<colon]))
            secret = Self.percentDecode(String(text[text.index(after: colon)...]))
        } else if let id = form["client_id"] {
            clientID = id
            secret = form["client_secret"]
        }
        guard let clientID else { throw OAuthError.noCredentials }
        guard let app = try? withOrg({ $0.apps[clientID] }), app.status == "ACTIVE" else { throw OAuthError.unknownClient }
        if let expected = app.clientSecret {
            guard let secret else { throw OAuthError.noCredentials }
            guard ConstantTime.equals(Data(secret.utf8), Data(expected.utf8)) else { throw OAuthError.badSecret }
        }
        guard form["grant_type"] == "authorization_code" else { throw OAuthError.unsupportedGrant }
        let now = Int64(configuration.now().timeIntervalSince1970)
        // Codes are single-use: taken out before any check.
        guard let code = form["code"], let grant = oidc.withLock({ $0.codes.removeValue(forKey: code) }), grant.expires > now else {
            throw OAuthError.invalidCode
        }
        guard grant.clientID == app.id else { throw OAuthError.mismatchedClient }
        guard form["redirect_uri"] == grant.redirectURI else { throw OAuthError.redirectMismatch }
        if let challenge = grant.codeChallenge {
            guard let verifier = form["code_verifier"] else { throw OAuthError.verifierMissing }
            guard Base64URL.encode(SHA256.hash(Data(verifier.utf8))) == challenge else { throw OAuthError.pkceFailed }
        }
        guard let user = try? withOrg({ $0.users[grant.userID] }) else { throw OAuthError.invalidCode }
        let orgID = (try? withOrg { $0.orgID }) ?? ""

        let accessToken = try SecureRandom.urlSafeToken(byteCount: 32)
        let atHash = Base64URL.encode(SHA256.hash(Data(accessToken.utf8)).prefix(16))
        var payload = JSONObject()
        payload["sub"] = .string(user.id)
        for (key, value) in claims(for: user, scopes: grant.scopes, userinfo: false).pairs where key != "sub" { payload[key] = value }
        payload["ver"] = .int(1)
        payload["iss"] = .string(baseURL)
        payload["aud"] = .string(app.id)
        payload["iat"] = .int(Int(now))
        payload["exp"] = .int(Int(now + 3600))
        payload["jti"] = .string("ID." + (try SecureRandom.urlSafeToken(byteCount: 32)))
        payload["amr"] = .array([.string("pwd")])
        payload["idp"] = .string(orgID)
        if let nonce = grant.nonce { payload["nonce"] = .string(nonce) }
        payload["auth_time"] = .int(Int(grant.authTime))
        payload["at_hash"] = .string(atHash)
        let idToken = try oidc.withLock { state -> String in
            let key = try state.currentKey()
            let header = JSON.object(JSONObject(["kid": .string(key.kid), "alg": .string("RS256")]))
            let signingInput = Base64URL.encode(header.encoded) + "." + Base64URL.encode(JSON.object(payload).encoded)
            let signature = try key.key.signRS256(Data(signingInput.utf8))
            state.accessTokens[accessToken] = OIDCState.AccessToken(userID: user.id, scopes: grant.scopes, expires: now + 3600)
            return signingInput + "." + Base64URL.encode(signature)
        }
        let body = JSON.object(JSONObject([
            "token_type": .string("Bearer"),
            "expires_in": .int(3600),
            "access_token": .string(accessToken),
            "scope": .string(grant.scopes.joined(separator: " ")),
            "id_token": .string(idToken),
        ]))
        return Response(
            status: .ok, headers: ["Content-Type": "application/json;charset=UTF-8", "Cache-Control": "no-store", "Pragma": "no-cache"],
            body: body.data
        )
    }

    /// Profile claims by scope, as Okta's org authorization server gives them.
    func claims(for user: UserRecord, scopes: [String], userinfo: Bool) -> JSONObject {
        var claims = JSONObject(["sub": .string(user.id)])
        let first = user.profile["firstName"]?.stringValue ?? "", last = user.profile["lastName"]?.stringValue ?? ""
        if scopes.contains("profile") {
            claims["name"] = .string("\(first) \(last)")
            if userinfo {
                claims["locale"] = .string("en_US")
                claims["preferred_username"] = .string(user.login)
                claims["given_name"] = .string(first)
                claims["family_name"] = .string(last)
                claims["zoneinfo"] = .string("America/Los_Angeles")
                claims["updated_at"] = .int(Int(user.lastUpdated.seconds))
            }
        }
        if scopes.contains("email") {
            claims["email"] = .string(user.email)
            if userinfo { claims["email_verified"] = .bool(true) }
        }
        if !userinfo, scopes.contains("profile") { claims["preferred_username"] = .string(user.login) }
        return claims
    }

    /// `POST /__sim/keys/rotate`: a new signing key; the previous one stays published.
    func rotateSigningKey() throws -> String {
        try oidc.withLock { state in
            _ = try state.currentKey()
            return try state.rotate().kid
        }
    }

    // MARK: - Encoding helpers

    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers.values(for: "Cookie") {
            for part in header.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces)
                if pair.hasPrefix(name + "=") { return String(pair.dropFirst(name.count + 1)) }
            }
        }
        return nil
    }

    static func formDecode(_ data: Data) -> [String: String] {
        var result: [String: String] = [:]
        for pair in String(decoding: data, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = percentDecode(String(parts[0]).replacingOccurrences(of: "+", with: " "))
            let value = parts.count > 1 ? percentDecode(String(parts[1]).replacingOccurrences(of: "+", with: " ")) : ""
            if result[name] == nil { result[name] = value }
        }
        return result
    }

    static func percentDecode(_ s: String) -> String { s.removingPercentEncoding ?? s }

    static func percentEncode(_ s: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    static func html(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }
}
