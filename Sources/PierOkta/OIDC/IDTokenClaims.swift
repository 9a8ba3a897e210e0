public import Foundation

/// The verified claims of an Okta ID token (REFERENCE §8.6).
public struct IDTokenClaims: Sendable, Hashable {
    /// `iss`: the org URL.
    public var issuer: String
    /// `sub`: the Okta user id (`00u…`); map it to the synced user.
    public var subject: String
    /// `aud`, always as a list.
    public var audience: [String]
    /// `azp`, when present.
    public var authorizedParty: String?
    /// `exp`.
    public var expiresAt: Date
    /// `iat`.
    public var issuedAt: Date
    /// `auth_time`: when the user last authenticated at Okta.
    public var authTime: Date?
    /// `nonce`.
    public var nonce: String?
    /// `email` (profile/email scopes).
    public var email: String?
    /// `email_verified`, when sent (Okta's code flow usually omits it; ask userinfo).
    public var emailVerified: Bool?
    /// `preferred_username`: the Okta login.
    public var preferredUsername: String?
    /// `name`.
    public var name: String?
    /// `amr`, e.g. `["pwd", "mfa"]`.
    public var authenticationMethods: [String]
    /// `idp`: the org id for Okta-mastered users, or the identity provider's id.
    public var identityProvider: String?
    /// `jti`.
    public var tokenID: String?

    /// Creates claims (tests; verification builds them from the token).
    public init(
        issuer: String, subject: String, audience: [String], authorizedParty: String? = nil, expiresAt: Date, issuedAt: Date,
        authTime: Date? = nil, nonce: String? = nil, email: String? = nil, emailVerified: Bool? = nil,
        preferredUsername: String? = nil, name: String? = nil, authenticationMethods: [String] = [],
        identityProvider: String? = nil, tokenID: String? = nil
    ) {
        self.issuer = issuer
        self.subject = subject
        self.audience = audience
        self.authorizedParty = authorizedParty
        self.expiresAt = expiresAt
        self.issuedAt = issuedAt
        self.authTime = authTime
        self.nonce = nonce
        self.email = email
        self.emailVerified = emailVerified
        self.preferredUsername = preferredUsername
        self.name = name
        self.authenticationMethods = authenticationMethods
        self.identityProvider = identityProvider
        self.tokenID = tokenID
    }
}

/// The JSON shape of the payload; unknown claims are ignored.
struct IDTokenPayload: Decodable {
    /// `aud` is a string or an array of strings (OIDC Core §2).
    enum Audience: Decodable {
        case one(String)
        case many([String])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let one = try? container.decode(String.self) {
                self = .one(one)
            } else {
                self = .many(try container.decode([String].self))
            }
        }

        var values: [String] {
            switch self {
            case .one(let value): [value]
            case .many(let values): values
            }
        }

        var isArray: Bool {
            if case .many = self { return true }
            return false
        }
    }

    var iss: String
    var sub: String
    var aud: Audience
    var azp: String?
    var exp: Double
    var iat: Double
    var auth_time: Double?
    var nonce: String?
    var email: String?
    var email_verified: Bool?
    var preferred_username: String?
    var name: String?
    var amr: [String]?
    var idp: String?
    var jti: String?
}
