import Foundation
import PierCrypto
import PierHTTP
import Synchronization
import Testing

@testable import PierOkta

/// Signing keys shared by the OIDC tests (2048-bit generation is slow in debug builds).
enum OIDCTestKeys {
    static let first: RSAPrivateKey = make()
    static let second: RSAPrivateKey = make()
    static let attacker: RSAPrivateKey = make()

    private static func make() -> RSAPrivateKey {
        do { return try RSAPrivateKey.generate() } catch { fatalError("RSA key generation failed: \(error)") }
    }
}

/// Builds signed (or deliberately broken) ID tokens, like Okta's org authorization server would.
struct TestTokenIssuer {
    var issuer = "https://acme.okta.com"
    var clientID = "0oafxqCAJWWGELFTYASJ"

    /// `BASE64URL(header).BASE64URL(payload).BASE64URL(signature)` signed with `key`.
    static func sign(header: [String: Any], claims: [String: Any], key: RSAPrivateKey) throws -> String {
        let input = try encode(header) + "." + encode(claims)
        return input + "." + Base64URL.encode(try key.signRS256(Data(input.utf8)))
    }

    static func encode(_ object: [String: Any]) throws -> String {
        Base64URL.encode(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    /// Okta-shaped claims for a sign-in at `authTime`, issued at `issuedAt`.
    func claims(nonce: String, issuedAt: Date, authTime: Date) -> [String: Any] {
        [
            "sub": "00u1abcdEFGHijklm0h7", "name": "Jane Doe", "email": "jane@acme.example", "ver": 1, "iss": issuer,
            "aud": clientID, "iat": Int(issuedAt.timeIntervalSince1970), "exp": Int(issuedAt.timeIntervalSince1970) + 3600,
            "jti": "ID.radCQMOQUmyvcTBmmIL0J6BaS60apUEiC7", "amr": ["pwd"], "idp": "00o1n8sbwArJ7OQRw406", "nonce": nonce,
            "preferred_username": "jane@acme.example", "auth_time": Int(authTime.timeIntervalSince1970),
        ]
    }
}

/// A settable clock for `now: @Sendable () -> Date`.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ date: Date = Date(timeIntervalSince1970: 1_700_000_000)) { current = Mutex(date) }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var function: @Sendable () -> Date { { self.now } }
}

/// A JWKS served by a ``ScriptedHTTPClient`` whose published keys can change.
final class ScriptedJWKS: Sendable {
    private let published: Mutex<[(kid: String, key: RSAPrivateKey)]>
    init(_ keys: [(kid: String, key: RSAPrivateKey)]) { published = Mutex(keys) }
    func publish(_ keys: [(kid: String, key: RSAPrivateKey)]) { published.withLock { $0 = keys } }

    var document: Data {
        let keys = published.withLock { $0 }
        let jwks = keys.map { try! $0.key.publicJWK(keyID: $0.kid) }
        return try! JSONEncoder().encode(["keys": jwks])
    }

    func client() -> ScriptedHTTPClient {
        ScriptedHTTPClient { _, _ in Reply.json(200, self.document) }
    }
}

struct OIDCVerificationTests {
    let issuer = TestTokenIssuer()
    let clock = TestClock()
    let nonce = "n-0S6_WzA2Mj"

    /// An attempt that started 30 s before the clock's now.
    var attempt: OIDCAuthorizationAttempt {
        OIDCAuthorizationAttempt(
            state: "af0ifjsldkj", nonce: nonce, codeVerifier: "dBjftJeZ4CVP-mJ92ZBjbXmAE7OVnUBDs7IbdKSFFi4",
            createdAt: clock.now.addingTimeInterval(-30), redirectURI: "https://mdm.acme.example/oauth/okta/callback")
    }

    func makeVerifier(jwks: ScriptedJWKS = ScriptedJWKS([("k1", OIDCTestKeys.first)]), skew: TimeInterval = 120)
        -> (IDTokenVerifier, ScriptedHTTPClient)
    {
        let client = jwks.client()
        let keySet = OIDCKeySet(jwksURI: "https://acme.okta.com/oauth2/v1/keys", httpClient: client, now: clock.function)
        return (IDTokenVerifier(issuer: issuer.issuer, clientID: issuer.clientID, keySet: keySet, clockSkew: skew, now: clock.function), client)
    }

    /// Claims for a sign-in 10 s ago, token issued 5 s ago.
    func goodClaims() -> [String: Any] {
        issuer.claims(nonce: nonce, issuedAt: clock.now.addingTimeInterval(-5), authTime: clock.now.addingTimeInterval(-10))
    }

    func token(_ claims: [String: Any], kid: String = "k1", alg: String = "RS256", key: RSAPrivateKey = OIDCTestKeys.first) throws -> String {
        try TestTokenIssuer.sign(header: ["kid": kid, "alg": alg], claims: claims, key: key)
    }

    func rejection(_ token: String, verifier: IDTokenVerifier? = nil) async -> OktaError.IDTokenRejection? {
        let verifier = verifier ?? makeVerifier().0
        let error = await oktaError { _ = try await verifier.verify(token, for: attempt) }
        if let error { #expect(error.code == .idTokenRejected) }
        return error?.idTokenRejection
    }

    func with(_ claims: [String: Any], _ changes: [String: Any?]) -> [String: Any] {
        var copy = claims
        for (name, value) in changes { copy[name] = value }
        return copy
    }

    @Test func acceptsAValidTokenAndReturnsTypedClaims() async throws {
        let (verifier, client) = makeVerifier()
        let claims = try await verifier.verify(try token(goodClaims()), for: attempt)
        #expect(claims.subject == "00u1abcdEFGHijklm0h7")
        #expect(claims.email == "jane@acme.example")
        #expect(claims.preferredUsername == "jane@acme.example")
        #expect(claims.name == "Jane Doe")
        #expect(claims.audience == [issuer.clientID])
        #expect(claims.authTime == Date(timeIntervalSince1970: clock.now.timeIntervalSince1970 - 10))
        #expect(claims.authenticationMethods == ["pwd"])
        #expect(claims.identityProvider == "00o1n8sbwArJ7OQRw406")
        #expect(client.requests.count == 1)
        // The second verification uses the cached keys.
        _ = try await verifier.verify(try token(goodClaims()), for: attempt)
        #expect(client.requests.count == 1)
    }

    @Test func rejectsAlgorithmsOtherThanRS256() async throws {
        let payload = try TestTokenIssuer.encode(goodClaims())
        // alg none, unsigned.
        let none = try TestTokenIssuer.encode(["alg": "none", "kid": "k1"]) + "." + payload + "."
        #expect(await rejection(none) == .unsupportedAlgorithm)
        // HS256 keyed with the public modulus (the classic key-confusion attack).
        let hsHeader = try TestTokenIssuer.encode(["alg": "HS256", "kid": "k1"])
        let modulus = Data(try OIDCTestKeys.first.publicJWK(keyID: "k1").n.utf8)
        let mac = HMACSHA256.authenticationCode(key: modulus, message: Data((hsHeader + "." + payload).utf8))
        #expect(await rejection(hsHeader + "." + payload + "." + Base64URL.encode(mac)) == .unsupportedAlgorithm)
        #expect(await rejection(try token(goodClaims(), alg: "RS512")) == .unsupportedAlgorithm)
        #expect(await rejection(try token(goodClaims(), alg: "rs256")) == .unsupportedAlgorithm)
    }

    @Test func rejectsMalformedTokens() async throws {
        #expect(await rejection("abc") == .malformed)
        #expect(await rejection("a.b") == .malformed)
        #expect(await rejection("!!.e30.") == .malformed)
        let valid = try token(goodClaims())
        #expect(await rejection(valid + ".x") == .malformed)
        // A signed payload missing `sub` is malformed (after the signature checks out).
        #expect(await rejection(try token(with(goodClaims(), ["sub": nil]))) == .malformed)
        // A critical header extension is refused.
        let crit = try TestTokenIssuer.sign(header: ["alg": "RS256", "kid": "k1", "crit": ["exp"]], claims: goodClaims(), key: OIDCTestKeys.first)
        #expect(await rejection(crit) == .malformed)
    }

    @Test func rejectsWrongOrTamperedSignatures() async throws {
        // Signed by another key under a published kid.
        #expect(await rejection(try token(goodClaims(), key: OIDCTestKeys.attacker)) == .badSignature)
        // Payload changed after signing.
        let parts = try token(goodClaims()).split(separator: ".").map(String.init)
        let forged = try TestTokenIssuer.encode(with(goodClaims(), ["sub": "00uADMIN"]))
        #expect(await rejection(parts[0] + "." + forged + "." + parts[2]) == .badSignature)
        // A flipped signature bit.
        var signature = try Base64URL.decode(parts[2])
        signature[10] ^= 0x80
        #expect(await rejection(parts[0] + "." + parts[1] + "." + Base64URL.encode(signature)) == .badSignature)
        // No signature at all.
        #expect(await rejection(parts[0] + "." + parts[1] + ".") == .badSignature)
    }

    @Test func unknownKidIsRejectedThenRotationSucceeds() async throws {
        let jwks = ScriptedJWKS([("k1", OIDCTestKeys.first)])
        let (verifier, client) = makeVerifier(jwks: jwks)
        _ = try await verifier.verify(try token(goodClaims()), for: attempt)
        #expect(client.requests.count == 1)

        // A token under a kid nobody published, inside the refetch interval: rejected without a fetch.
        #expect(await rejection(try token(goodClaims(), kid: "k2", key: OIDCTestKeys.second), verifier: verifier) == .unknownKey)
        #expect(client.requests.count == 1)

        // Okta rotates: k2 appears, k1 stays for a while. After the refetch interval the unknown kid
        // triggers one refetch and verifies.
        jwks.publish([("k2", OIDCTestKeys.second), ("k1", OIDCTestKeys.first)])
        clock.advance(61)
        let claims = try await verifier.verify(try token(goodClaims(), kid: "k2", key: OIDCTestKeys.second), for: attempt)
        #expect(claims.subject == "00u1abcdEFGHijklm0h7")
        #expect(client.requests.count == 2)
        #expect(await verifier.keySet.cachedKeyIDs == ["k1", "k2"])

        // A forged kid right after: rejected at once, no third fetch (rate limit).
        #expect(await rejection(try token(goodClaims(), kid: "evil", key: OIDCTestKeys.attacker), verifier: verifier) == .unknownKey)
        #expect(client.requests.count == 2)
        // Later, a still-unknown kid refetches once and is rejected.
        clock.advance(61)
        #expect(await rejection(try token(goodClaims(), kid: "evil", key: OIDCTestKeys.attacker), verifier: verifier) == .unknownKey)
        #expect(client.requests.count == 3)
        // A token without kid is refused.
        #expect(await rejection(try TestTokenIssuer.sign(header: ["alg": "RS256"], claims: goodClaims(), key: OIDCTestKeys.first)) == .unknownKey)
    }

    @Test func concurrentLookupsShareOneFetch() async throws {
        let (verifier, client) = makeVerifier()
        let token = try token(goodClaims())
        let attempt = attempt
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { _ = try await verifier.verify(token, for: attempt) } }
            try await group.waitForAll()
        }
        #expect(client.requests.count == 1)
    }

    @Test func rejectsWrongIssuer() async throws {
        #expect(await rejection(try token(with(goodClaims(), ["iss": "https://acme.okta.com/"]))) == .wrongIssuer)
        #expect(await rejection(try token(with(goodClaims(), ["iss": "https://acme-admin.okta.com"]))) == .wrongIssuer)
        #expect(await rejection(try token(with(goodClaims(), ["iss": "https://acme.okta.com/oauth2/default"]))) == .wrongIssuer)
    }

    @Test func audienceMustContainTheClientAndAzpMustMatch() async throws {
        let (verifier, _) = makeVerifier()
        #expect(await rejection(try token(with(goodClaims(), ["aud": "0oaOTHER"]))) == .wrongAudience)
        #expect(await rejection(try token(with(goodClaims(), ["aud": ["0oaOTHER", "0oaTHIRD"], "azp": "0oaOTHER"]))) == .wrongAudience)
        // Array audience: azp is required and must be the client.
        #expect(await rejection(try token(with(goodClaims(), ["aud": [issuer.clientID, "0oaOTHER"]]))) == .wrongAuthorizedParty)
        #expect(
            await rejection(try token(with(goodClaims(), ["aud": [issuer.clientID, "0oaOTHER"], "azp": "0oaOTHER"]))) == .wrongAuthorizedParty)
        // azp present with a string aud must also match.
        #expect(await rejection(try token(with(goodClaims(), ["azp": "0oaOTHER"]))) == .wrongAuthorizedParty)
        // Accepted shapes.
        let array = try await verifier.verify(
            try token(with(goodClaims(), ["aud": [issuer.clientID, "0oaOTHER"], "azp": issuer.clientID])), for: attempt)
        #expect(array.audience == [issuer.clientID, "0oaOTHER"])
        #expect(array.authorizedParty == issuer.clientID)
        _ = try await verifier.verify(try token(with(goodClaims(), ["aud": [issuer.clientID], "azp": issuer.clientID])), for: attempt)
    }

    @Test func expiryAndIssuedAtHonourTheSkew() async throws {
        let now = clock.now.timeIntervalSince1970
        #expect(await rejection(try token(with(goodClaims(), ["exp": Int(now) - 121]))) == .expired)
        #expect(await rejection(try token(with(goodClaims(), ["exp": Int(now) - 3600]))) == .expired)
        #expect(await rejection(try token(with(goodClaims(), ["iat": Int(now) + 121]))) == .issuedInFuture)
        #expect(await rejection(try token(with(goodClaims(), ["iat": Int(now) + 3600, "exp": Int(now) + 7200]))) == .issuedInFuture)
        // Inside the skew both pass.
        let (verifier, _) = makeVerifier()
        _ = try await verifier.verify(try token(with(goodClaims(), ["exp": Int(now) - 60, "iat": Int(now) - 3660])), for: attempt)
        _ = try await verifier.verify(try token(with(goodClaims(), ["iat": Int(now) + 60])), for: attempt)
        // A zero skew is strict.
        let (strict, _) = makeVerifier(skew: 0)
        #expect(await rejection(try token(with(goodClaims(), ["iat": Int(now) + 1])), verifier: strict) == .issuedInFuture)
    }

    @Test func nonceMustMatch() async throws {
        #expect(await rejection(try token(with(goodClaims(), ["nonce": "other"]))) == .wrongNonce)
        #expect(await rejection(try token(with(goodClaims(), ["nonce": nil]))) == .wrongNonce)
    }

    @Test func authTimeMustFollowTheAttemptWithPromptLogin() async throws {
        let started = attempt.createdAt.timeIntervalSince1970
        // An old Okta session (signed in an hour before the attempt): refused.
        #expect(await rejection(try token(with(goodClaims(), ["auth_time": Int(started) - 3600]))) == .staleAuthentication)
        #expect(await rejection(try token(with(goodClaims(), ["auth_time": Int(started) - 121]))) == .staleAuthentication)
        #expect(await rejection(try token(with(goodClaims(), ["auth_time": nil]))) == .staleAuthentication)
        // Within the skew of the start: accepted.
        let (verifier, _) = makeVerifier()
        _ = try await verifier.verify(try token(with(goodClaims(), ["auth_time": Int(started) - 60])), for: attempt)
        // Without prompt=login an old session is acceptable.
        var relaxed = attempt
        relaxed.prompt = nil
        _ = try await verifier.verify(try token(with(goodClaims(), ["auth_time": Int(started) - 3600])), for: relaxed)
        // max_age bounds auth_time against now.
        relaxed.maxAge = 300
        let error = await oktaError {
            _ = try await verifier.verify(try token(with(goodClaims(), ["auth_time": Int(started) - 3600])), for: relaxed)
        }
        #expect(error?.idTokenRejection == .staleAuthentication)
    }

    @Test func rejectionsCarryNoTokenMaterial() async throws {
        let bad = try token(with(goodClaims(), ["nonce": "other"]))
        let (verifier, _) = makeVerifier()
        let error = try #require(await oktaError { _ = try await verifier.verify(bad, for: attempt) })
        for text in [error.description, error.explanation, error.signInMessage] {
            #expect(!text.contains(bad.split(separator: ".")[2]))
            #expect(!text.contains(nonce))
        }
    }
}
