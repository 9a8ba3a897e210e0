import Foundation
import PierCrypto
import PierHTTP
import Testing

@testable import PierOkta

/// Discovery, authorization request, callback and token exchange against scripted responses.
struct OIDCFlowTests {
    static let issuer = "https://acme.okta.com"

    static func discoveryDocument(issuer: String = issuer, host: String = issuer, extra: String = "") -> String {
        """
        {"issuer":"\(issuer)","authorization_endpoint":"\(host)/oauth2/v1/authorize","token_endpoint":"\(host)/oauth2/v1/token",
        "userinfo_endpoint":"\(host)/oauth2/v1/userinfo","jwks_uri":"\(host)/oauth2/v1/keys",
        "response_types_supported":["code"],"subject_types_supported":["public"],"id_token_signing_alg_values_supported":["RS256"],
        "code_challenge_methods_supported":["S256"]\(extra)}
        """
    }

    static var metadata: OIDCProviderMetadata {
        OIDCProviderMetadata(
            issuer: issuer, authorizationEndpoint: issuer + "/oauth2/v1/authorize", tokenEndpoint: issuer + "/oauth2/v1/token",
            jwksURI: issuer + "/oauth2/v1/keys", userinfoEndpoint: issuer + "/oauth2/v1/userinfo")
    }

    static var configuration: OIDCClientConfiguration {
        OIDCClientConfiguration(
            clientID: "0oafxqCAJWWGELFTYASJ", clientSecret: OIDCClientSecret("s3cr3t+/=&value"),
            redirectURI: "https://mdm.acme.example/oauth/okta/callback")
    }

    static let attempt = OIDCAuthorizationAttempt(
        state: "af0ifjsldkj", nonce: "n-0S6_WzA2Mj", codeVerifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
        createdAt: Date(timeIntervalSince1970: 1_700_000_000), redirectURI: "https://mdm.acme.example/oauth/okta/callback")

    // MARK: PKCE and the authorization request

    @Test func pkceS256MatchesRFC7636AppendixB() throws {
        #expect(PKCE.challengeS256(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        let verifier = try PKCE.makeVerifier()
        #expect(verifier.count == 43)
        #expect(verifier.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        #expect(try PKCE.makeVerifier() != verifier)
    }

    @Test func authorizationRequestCarriesEveryParameter() throws {
        let clock = TestClock()
        var configuration = Self.configuration
        configuration.maxAge = 600
        let request = try OIDCAuthorizationRequest.make(
            metadata: Self.metadata, configuration: configuration, loginHint: "jane@acme.example", now: clock.function)
        let components = try #require(URLComponents(url: request.url, resolvingAgainstBaseURL: false))
        #expect(components.scheme == "https" && components.host == "acme.okta.com" && components.path == "/oauth2/v1/authorize")
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value }
        #expect(query["response_type"] == "code")
        #expect(query["client_id"] == "0oafxqCAJWWGELFTYASJ")
        #expect(query["redirect_uri"] == "https://mdm.acme.example/oauth/okta/callback")
        #expect(query["scope"] == "openid profile email")
        #expect(query["prompt"] == "login")
        #expect(query["max_age"] == "600")
        #expect(query["login_hint"] == "jane@acme.example")
        #expect(query["code_challenge_method"] == "S256")
        let attempt = request.attempt
        #expect(query["state"] == attempt.state)
        #expect(query["nonce"] == attempt.nonce)
        #expect(query["code_challenge"] == PKCE.challengeS256(verifier: attempt.codeVerifier))
        #expect(query["code_verifier"] == nil)
        #expect(attempt.createdAt == clock.now)
        #expect(attempt.requiresFreshAuthentication)
        #expect(attempt.maxAge == 600)
        // Okta's state alphabet: letters, digits, comma, period, underscore, hyphen.
        #expect(attempt.state.count == 43 && attempt.nonce.count == 43)
        #expect(attempt.state.allSatisfy { $0.isLetter || $0.isNumber || "-_.,".contains($0) })
        // Fresh values each time; the description does not reveal them.
        let other = try OIDCAuthorizationRequest.make(metadata: Self.metadata, configuration: configuration)
        #expect(other.attempt.state != attempt.state && other.attempt.nonce != attempt.nonce)
        #expect(other.attempt.codeVerifier != attempt.codeVerifier)
        #expect(!attempt.description.contains(attempt.nonce) && !attempt.description.contains(attempt.codeVerifier))
        // The attempt round-trips through storage encoding.
        let stored = try JSONDecoder().decode(OIDCAuthorizationAttempt.self, from: try JSONEncoder().encode(attempt))
        #expect(stored == attempt)
    }

    @Test func noPromptWhenConfiguredOff() throws {
        var configuration = Self.configuration
        configuration.prompt = nil
        let request = try OIDCAuthorizationRequest.make(metadata: Self.metadata, configuration: configuration)
        #expect(queryValue(request.url.absoluteString, "prompt") == nil)
        #expect(!request.attempt.requiresFreshAuthentication)
    }

    // MARK: Discovery

    @Test func discoveryReadsTheDocumentOfTheOrgHost() async throws {
        let client = ScriptedHTTPClient { _, _ in Reply.json(200, Self.discoveryDocument()) }
        let metadata = try await OIDCProviderMetadata.discover(endpoint: .https("acme.okta.com"), httpClient: client)
        #expect(client.requests.map(\.url) == ["https://acme.okta.com/.well-known/openid-configuration"])
        #expect(metadata == Self.metadata)
    }

    @Test func discoveryReadsOktasPublishedExample() async throws {
        // The published example uses a placeholder host.
        let text = String(decoding: try Fixture.data("spec-examples/oidc-openid-configuration-org-as.json"), as: UTF8.self)
        let document = Data(text.replacingOccurrences(of: "{yourOktaDomain}", with: "acme.okta.com").utf8)
        let client = ScriptedHTTPClient { _, _ in Reply.json(200, document) }
        let metadata = try await OIDCProviderMetadata.discover(endpoint: .https("acme.okta.com"), httpClient: client)
        #expect(metadata.jwksURI == "https://acme.okta.com/oauth2/v1/keys")
    }

    @Test func keySetReadsOktasPublishedJWKS() async throws {
        let document = try Fixture.data("spec-examples/oidc-keys-jwks.json")
        let client = ScriptedHTTPClient { _, _ in Reply.json(200, document, extra: [("Cache-Control", "max-age=3832304, must-revalidate")]) }
        let keySet = OIDCKeySet(jwksURI: "https://acme.okta.com/oauth2/v1/keys", httpClient: client)
        let key = try await keySet.key(for: "U5R8cHbGw445Qbq8zVO1PcCpXL8yG6IcovVa3laCoxM")
        #expect(key.modulusBitCount == 2048)
        #expect(await keySet.cachedKeyIDs.count >= 2)
    }

    @Test func discoveryRefusesAnIssuerOtherThanTheBaseURL() async throws {
        for issuer in ["https://acme.okta.com/", "https://acme-admin.okta.com", "https://acme.okta.com/oauth2/default", "https://evil.example"] {
            let client = ScriptedHTTPClient { _, _ in Reply.json(200, Self.discoveryDocument(issuer: issuer)) }
            let error = await oktaError { _ = try await OIDCProviderMetadata.discover(endpoint: .https("acme.okta.com"), httpClient: client) }
            #expect(error?.code == .oidcDiscovery, "issuer \(issuer)")
        }
    }

    @Test func discoveryRefusesEndpointsOnAnotherHostAndBadDocuments() async throws {
        let foreign = ScriptedHTTPClient { _, _ in Reply.json(200, Self.discoveryDocument(host: "https://collector.example")) }
        #expect(await oktaError { _ = try await OIDCProviderMetadata.discover(endpoint: .https("acme.okta.com"), httpClient: foreign) }?.code == .oidcDiscovery)
        let noJWKS = ScriptedHTTPClient { _, _ in Reply.json(200, #"{"issuer":"https://acme.okta.com"}"#) }
        #expect(await oktaError { _ = try await OIDCProviderMetadata.discover(endpoint: .https("acme.okta.com"), httpClient: noJWKS) }?.code == .oidcDiscovery)
        let hsOnly = ScriptedHTTPClient { _, _ in
            Reply.json(200, Self.discoveryDocument().replacingOccurrences(of: #"["RS256"]"#, with: #"["HS256"]"#))
        }
        #expect(await oktaError { _ = try await OIDCProviderMetadata.discover(endpoint: .https("acme.okta.com"), httpClient: hsOnly) }?.code == .oidcDiscovery)
        let html = ScriptedHTTPClient { _, _ in HTTPClientResponse(status: 404, headers: [("Content-Type", "text/html")], body: Data("<html>".utf8)) }
        #expect(await oktaError { _ = try await OIDCProviderMetadata.discover(endpoint: .https("acme.okta.com"), httpClient: html) }?.code == .notAnOktaOrg)
        let down = ScriptedHTTPClient { _, _ in Reply.error(503, "E0000010") }
        #expect(await oktaError { _ = try await OIDCProviderMetadata.discover(endpoint: .https("acme.okta.com"), httpClient: down) }?.code == .server)
    }

    @Test func developmentEndpointDiscoversOverLoopback() async throws {
        let base = "http://127.0.0.1:8443"
        let client = ScriptedHTTPClient { _, _ in Reply.json(200, Self.discoveryDocument(issuer: base, host: base)) }
        let endpoint = OktaEndpoint(scheme: "http", host: "127.0.0.1", port: 8443)
        let metadata = try await OIDCProviderMetadata.discover(endpoint: endpoint, httpClient: client)
        #expect(client.requests.first?.url == "http://127.0.0.1:8443/.well-known/openid-configuration")
        #expect(metadata.issuer == base)
    }

    // MARK: Callback

    @Test func callbackReturnsTheCode() throws {
        let response = OIDCAuthorizationResponse(query: "?code=QnowT-aeawtOJKp-MtkH&state=af0ifjsldkj&iss=https%3A%2F%2Facme.okta.com")
        #expect(response.state == "af0ifjsldkj")
        #expect(try response.authorizationCode(for: Self.attempt, issuer: Self.issuer) == "QnowT-aeawtOJKp-MtkH")
        // Without iss (Okta's org server does not always send it) the code is still accepted.
        let plain = OIDCAuthorizationResponse(query: "code=abc&state=af0ifjsldkj")
        #expect(try plain.authorizationCode(for: Self.attempt, issuer: Self.issuer) == "abc")
    }

    @Test func callbackIssuerMismatchIsRefused() throws {
        for iss in ["https%3A%2F%2Fevil.example", "https%3A%2F%2Facme.okta.com%2F", ""] {
            let response = OIDCAuthorizationResponse(query: "code=abc&state=af0ifjsldkj&iss=\(iss)")
            let error = oktaError { _ = try response.authorizationCode(for: Self.attempt, issuer: Self.issuer) }
            #expect(error?.code == .oidcInvalidResponse, "iss \(iss)")
        }
        // The iss check comes first: a mix-up attacker's error response is not believed either.
        let error = oktaError {
            _ = try OIDCAuthorizationResponse(query: "error=access_denied&state=af0ifjsldkj&iss=https%3A%2F%2Fevil.example")
                .authorizationCode(for: Self.attempt, issuer: Self.issuer)
        }
        #expect(error?.code == .oidcInvalidResponse)
    }

    @Test func callbackStateMustMatch() throws {
        for query in ["code=abc&state=other", "code=abc"] {
            let error = oktaError { _ = try OIDCAuthorizationResponse(query: query).authorizationCode(for: Self.attempt, issuer: Self.issuer) }
            #expect(error?.code == .oidcInvalidResponse)
        }
    }

    @Test func accessDeniedBecomesATypedErrorWithFriendlyText() throws {
        let query = "error=access_denied&error_description=User+is+not+assigned+to+the+client+application.&state=af0ifjsldkj"
        let response = OIDCAuthorizationResponse(query: query)
        #expect(response.errorDescription == "User is not assigned to the client application.")
        let error = try #require(oktaError { _ = try response.authorizationCode(for: Self.attempt, issuer: Self.issuer) })
        #expect(error.code == .oidcAuthorizationDenied)
        #expect(error.errorCode == "access_denied")
        #expect(error.explanation.contains("assign"))
        #expect(error.signInMessage.contains("not assigned"))
        #expect(error.signInMessage.contains("open enrollment"))
        // Other OAuth errors keep their code; junk codes are not echoed.
        let scope = oktaError { _ = try OIDCAuthorizationResponse(query: "error=invalid_scope&state=af0ifjsldkj").authorizationCode(for: Self.attempt, issuer: Self.issuer) }
        #expect(scope?.code == .oidcAuthorizationDenied && scope?.errorCode == "invalid_scope")
        let junk = oktaError { _ = try OIDCAuthorizationResponse(query: "error=%3Cscript%3E&state=af0ifjsldkj").authorizationCode(for: Self.attempt, issuer: Self.issuer) }
        #expect(junk?.errorCode == "invalid")
    }

    @Test func missingCodeIsRefused() throws {
        let error = oktaError { _ = try OIDCAuthorizationResponse(query: "state=af0ifjsldkj").authorizationCode(for: Self.attempt, issuer: Self.issuer) }
        #expect(error?.code == .oidcInvalidResponse)
    }

    // MARK: Token exchange

    @Test func tokenExchangeUsesClientSecretBasicAndTheVerifier() async throws {
        let client = ScriptedHTTPClient { _, _ in
            Reply.json(200, #"{"token_type":"Bearer","expires_in":3600,"access_token":"at-123","scope":"openid profile email","id_token":"a.b.c"}"#)
        }
        let party = OIDCRelyingParty(metadata: Self.metadata, configuration: Self.configuration, httpClient: client)
        let tokens = try await party.exchange(code: "QnowT-aeawtOJKp-MtkH", attempt: Self.attempt)
        #expect(tokens.idToken == "a.b.c")
        #expect(tokens.accessToken?.value == "at-123")
        #expect(!"\(tokens)".contains("at-123") && !"\(tokens.accessToken!)".contains("at-123"))
        let request = try #require(client.requests.first)
        #expect(request.method == .post)
        #expect(request.url == "https://acme.okta.com/oauth2/v1/token")
        let headers = Dictionary(request.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(headers["accept"] == "application/json")
        // RFC 6749 §2.3.1: form-encoded id and secret, then base64.
        let basic = try #require(headers["authorization"])
        let decoded = String(decoding: try #require(Data(base64Encoded: String(basic.dropFirst("Basic ".count)))), as: UTF8.self)
        #expect(basic.hasPrefix("Basic "))
        #expect(decoded == "0oafxqCAJWWGELFTYASJ:s3cr3t%2B%2F%3D%26value")
        let form = OIDCTransport.formDecode(String(decoding: request.body ?? Data(), as: UTF8.self))
        #expect(form == [
            "grant_type": "authorization_code", "code": "QnowT-aeawtOJKp-MtkH",
            "redirect_uri": "https://mdm.acme.example/oauth/okta/callback", "code_verifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
        ])
        #expect(form["client_secret"] == nil)
        #expect(!request.description.contains("s3cr3t"))
    }

    @Test func tokenErrorsAreClassified() async throws {
        let cases: [(HTTPClientResponse, OktaError.Code, String?)] = [
            (Reply.json(400, #"{"error":"invalid_grant","error_description":"The authorization code is invalid or has expired."}"#), .oidcTokenExchange, "invalid_grant"),
            (Reply.json(400, #"{"error":"invalid_grant","error_description":"PKCE verification failed."}"#), .oidcTokenExchange, "invalid_grant"),
            (Reply.json(401, #"{"error":"invalid_client","error_description":"Client authentication failed."}"#), .oidcTokenExchange, "invalid_client"),
            (Reply.json(400, #"{"error":"unsupported_grant_type"}"#), .oidcTokenExchange, "unsupported_grant_type"),
            (Reply.error(429, "E0000047"), .rateLimited, "E0000047"),
            (Reply.error(500, "E0000009"), .server, "E0000009"),
            (HTTPClientResponse(status: 200, headers: [("Content-Type", "text/html")], body: Data("<html>".utf8)), .notAnOktaOrg, nil),
            (Reply.json(200, #"{"token_type":"Bearer","access_token":"x"}"#), .oidcInvalidResponse, nil),
            (Reply.json(200, #"{"token_type":"MAC","id_token":"a.b.c"}"#), .oidcInvalidResponse, nil),
        ]
        for (reply, code, errorCode) in cases {
            let client = ScriptedHTTPClient { _, _ in reply }
            let party = OIDCRelyingParty(metadata: Self.metadata, configuration: Self.configuration, httpClient: client)
            let error = await oktaError { _ = try await party.exchange(code: "c", attempt: Self.attempt) }
            #expect(error?.code == code, "status \(reply.status)")
            #expect(error?.errorCode == errorCode, "status \(reply.status)")
            #expect(client.requests.count == 1, "never retried")
            #expect(!(error?.description.contains("s3cr3t") ?? true))
        }
        let invalidClient = OktaError(.oidcTokenExchange, errorCode: "invalid_client")
        #expect(invalidClient.explanation.contains("client secret"))
    }

    @Test func staleAttemptIsRefusedBeforeAnyExchange() async throws {
        let clock = TestClock(Self.attempt.createdAt.addingTimeInterval(601))
        let client = ScriptedHTTPClient { _, _ in Reply.json(200, "{}") }
        let party = OIDCRelyingParty(metadata: Self.metadata, configuration: Self.configuration, httpClient: client, now: clock.function)
        let error = await oktaError {
            _ = try await party.completeSignIn(response: OIDCAuthorizationResponse(query: "code=c&state=af0ifjsldkj"), attempt: Self.attempt)
        }
        #expect(error?.code == .oidcInvalidResponse)
        #expect(client.requests.isEmpty)
    }

    @Test func userInfoChecksTheSubject() async throws {
        let body = #"{"sub":"00uid4BxXw6I6TV4m0g3","name":"John Doe","given_name":"John","family_name":"Doe","preferred_username":"john.doe@example.com","email":"john.doe@example.com","email_verified":true,"locale":"en-US","zoneinfo":"America/Los_Angeles","updated_at":1311280970}"#
        let client = ScriptedHTTPClient { _, _ in Reply.json(200, body) }
        let party = OIDCRelyingParty(metadata: Self.metadata, configuration: Self.configuration, httpClient: client)
        let info = try await party.userInfo(accessToken: OIDCAccessToken("at"), subject: "00uid4BxXw6I6TV4m0g3")
        #expect(info.givenName == "John" && info.emailVerified == true)
        #expect(client.requests.first?.headers.contains { $0.name == "Authorization" && $0.value == "Bearer at" } == true)
        let mismatch = await oktaError { _ = try await party.userInfo(accessToken: OIDCAccessToken("at"), subject: "00uOTHER") }
        #expect(mismatch?.code == .oidcInvalidResponse)
        let refused = ScriptedHTTPClient { _, _ in
            HTTPClientResponse(status: 401, headers: [("WWW-Authenticate", #"Bearer error="invalid_token", error_description="The access token is invalid""#)])
        }
        let party2 = OIDCRelyingParty(metadata: Self.metadata, configuration: Self.configuration, httpClient: refused)
        let error = await oktaError { _ = try await party2.userInfo(accessToken: OIDCAccessToken("at"), subject: "x") }
        #expect(error?.code == .oidcInvalidResponse && error?.errorCode == "invalid_token")
    }

    @Test func formEncodingRoundTrips() {
        let fields = [("a b", "c+d&e=f"), ("ü", "%41"), ("empty", "")]
        let encoded = OIDCTransport.formEncode(fields)
        #expect(encoded == "a%20b=c%2Bd%26e%3Df&%C3%BC=%2541&empty=")
        #expect(OIDCTransport.formDecode(encoded) == ["a b": "c+d&e=f", "ü": "%41", "empty": ""])
        #expect(OIDCTransport.formDecode("x=1+2&x=3") == ["x": "1 2"])
        #expect(OIDCKeySet.maxAge("max-age=3600, must-revalidate") == 3600)
        #expect(OIDCKeySet.maxAge("no-cache") == nil)
        #expect(OIDCKeySet.maxAge("max-age=99999999") == 86_400)
    }
}
