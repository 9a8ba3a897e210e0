public import Foundation
import PierCrypto

/// Verifies Okta ID tokens for one client (REFERENCE §8.6, DESIGN.md §7).
///
/// Checks, in order: JWS compact form; header `alg` is `RS256` (never `none`, `HS*` or anything else,
/// whatever the key set holds) and no `crit`; the key named by `kid` (refetching the JWKS on rotation);
/// the signature; then `iss` equals the issuer exactly; `aud` contains the client id; `azp`, when
/// present or when `aud` is an array, equals the client id; `exp` is in the future and `iat` not in the
/// future (both with ``clockSkew``); `nonce` equals the attempt's; with `prompt=login`, `auth_time` is
/// present and not before the attempt started; with `max_age`, `auth_time` is recent enough.
/// Each failure is ``OktaError/Code/idTokenRejected`` with its ``OktaError/IDTokenRejection``.
public struct IDTokenVerifier: Sendable {
    /// The expected `iss` (the discovered issuer).
    public let issuer: String
    /// The expected audience.
    public let clientID: String
    /// Where the verifying keys come from.
    public let keySet: OIDCKeySet
    /// Allowed clock difference for `exp`, `iat` and `auth_time`.
    public let clockSkew: TimeInterval
    private let now: @Sendable () -> Date

    /// Creates a verifier.
    public init(issuer: String, clientID: String, keySet: OIDCKeySet, clockSkew: TimeInterval = 120, now: @escaping @Sendable () -> Date = { Date() }) {
        self.issuer = issuer
        self.clientID = clientID
        self.keySet = keySet
        self.clockSkew = clockSkew
        self.now = now
    }

    /// Verifies `token` for the sign-in attempt it answers.
    public func verify(_ token: String, for attempt: OIDCAuthorizationAttempt) async throws -> IDTokenClaims {
        try await verify(
            token, nonce: attempt.nonce, authenticatedNotBefore: attempt.requiresFreshAuthentication ? attempt.createdAt : nil,
            maxAge: attempt.maxAge)
    }

    /// Verifies `token` against explicit expectations.
    ///
    /// - Parameters:
    ///   - token: The JWS compact serialisation.
    ///   - nonce: The expected `nonce`, or `nil` when none was sent (then any `nonce` is ignored).
    ///   - authenticatedNotBefore: When set, `auth_time` must be present and not earlier (minus skew).
    ///   - maxAge: When set, `auth_time` must be present and within `maxAge` seconds of now (plus skew).
    public func verify(_ token: String, nonce: String?, authenticatedNotBefore: Date?, maxAge: Int? = nil) async throws -> IDTokenClaims {
        let jws = try CompactJWS(token)
        guard jws.header.alg == "RS256" else {
            throw OktaError.idToken(.unsupportedAlgorithm, "alg \(jws.header.alg.prefix(16)) is not RS256")
        }
        guard jws.header.crit == nil else { throw OktaError.idToken(.malformed, "crit header is not supported") }
        guard let kid = jws.header.kid, !kid.isEmpty else { throw OktaError.idToken(.unknownKey, "token has no kid") }
        let key = try await keySet.key(for: kid)
        guard key.verifyRS256(signature: jws.signature, message: Data(jws.signingInput.utf8)) else {
            throw OktaError.idToken(.badSignature, "signature does not verify with kid \(kid)")
        }
        let payload: IDTokenPayload
        do {
            payload = try JSONDecoder().decode(IDTokenPayload.self, from: jws.payload)
        } catch {
            throw OktaError.idToken(.malformed, "payload lacks a required claim or has a wrong type")
        }
        return try check(payload, nonce: nonce, authenticatedNotBefore: authenticatedNotBefore, maxAge: maxAge)
    }

    private func check(_ payload: IDTokenPayload, nonce: String?, authenticatedNotBefore: Date?, maxAge: Int?) throws -> IDTokenClaims {
        guard payload.iss == issuer else {
            throw OktaError.idToken(.wrongIssuer, "iss \(payload.iss) is not \(issuer)")
        }
        let audience = payload.aud.values
        guard audience.contains(clientID) else {
            throw OktaError.idToken(.wrongAudience, "aud does not contain the client id")
        }
        if payload.azp != nil || payload.aud.isArray {
            guard payload.azp == clientID else {
                throw OktaError.idToken(.wrongAuthorizedParty, payload.azp == nil ? "aud is an array but azp is missing" : "azp is not the client id")
            }
        }
        let current = now()
        let expiresAt = Date(timeIntervalSince1970: payload.exp)
        let issuedAt = Date(timeIntervalSince1970: payload.iat)
        guard current < expiresAt.addingTimeInterval(clockSkew) else {
            throw OktaError.idToken(.expired, "exp \(Int(payload.exp)) has passed")
        }
        guard issuedAt <= current.addingTimeInterval(clockSkew) else {
            throw OktaError.idToken(.issuedInFuture, "iat \(Int(payload.iat)) is in the future")
        }
        if let nonce {
            guard let received = payload.nonce, ConstantTime.equals(Data(received.utf8), Data(nonce.utf8)) else {
                throw OktaError.idToken(.wrongNonce, payload.nonce == nil ? "nonce missing" : "nonce does not match the attempt")
            }
        }
        let authTime = payload.auth_time.map { Date(timeIntervalSince1970: $0) }
        if let notBefore = authenticatedNotBefore {
            guard let authTime else { throw OktaError.idToken(.staleAuthentication, "auth_time missing (prompt=login)") }
            guard authTime >= notBefore.addingTimeInterval(-clockSkew) else {
                throw OktaError.idToken(.staleAuthentication, "auth_time is before the sign-in attempt started")
            }
        }
        if let maxAge {
            guard let authTime else { throw OktaError.idToken(.staleAuthentication, "auth_time missing (max_age)") }
            guard authTime >= current.addingTimeInterval(-TimeInterval(maxAge) - clockSkew) else {
                throw OktaError.idToken(.staleAuthentication, "auth_time is older than max_age")
            }
        }
        return IDTokenClaims(
            issuer: payload.iss, subject: payload.sub, audience: audience, authorizedParty: payload.azp, expiresAt: expiresAt,
            issuedAt: issuedAt, authTime: authTime, nonce: payload.nonce, email: payload.email, emailVerified: payload.email_verified,
            preferredUsername: payload.preferred_username, name: payload.name, authenticationMethods: payload.amr ?? [],
            identityProvider: payload.idp, tokenID: payload.jti)
    }
}

/// A JWS in compact serialisation, split and decoded (not verified).
struct CompactJWS {
    struct Header: Decodable {
        var alg: String
        var kid: String?
        var typ: String?
        var crit: [String]?
    }

    var header: Header
    var payload: Data
    var signature: Data
    /// `BASE64URL(header) . BASE64URL(payload)`, the signed bytes.
    var signingInput: String

    init(_ token: String) throws {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw OktaError.idToken(.malformed, "not a JWS compact serialisation (\(parts.count) parts)") }
        guard let headerData = try? Base64URL.decode(parts[0]), let header = try? JSONDecoder().decode(Header.self, from: headerData) else {
            throw OktaError.idToken(.malformed, "header is not base64url JSON with alg")
        }
        guard let payload = try? Base64URL.decode(parts[1]), let signature = try? Base64URL.decode(parts[2]) else {
            throw OktaError.idToken(.malformed, "payload or signature is not base64url")
        }
        self.header = header
        self.payload = payload
        self.signature = signature
        self.signingInput = parts[0] + "." + parts[1]
    }
}
