public import Foundation

/// The OIDC client secret of Pier's identity app. Its `description` is `"<redacted>"`.
public struct OIDCClientSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret; read it only to build the token request's `Authorization` header.
    public let value: String

    /// Wraps a secret, trimming surrounding whitespace.
    public init(_ value: String) {
        self.value = value.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// How Pier signs users in with one Okta org's identity app.
public struct OIDCClientConfiguration: Sendable {
    /// The app's `client_id`.
    public var clientID: String
    /// The app's `client_secret` (sent with `client_secret_basic`).
    public var clientSecret: OIDCClientSecret
    /// The callback URL registered on the app; sent at `/authorize` and again at `/token`.
    public var redirectURI: String
    /// Requested scopes; `openid` is required.
    public var scopes: [String]
    /// The `prompt` parameter; `login` by default (DESIGN.md §7) so an old Okta session in a shared
    /// browser cannot enroll a device to the wrong person. `nil` sends none.
    public var prompt: String?
    /// The `max_age` parameter in seconds, if any; the ID token's `auth_time` is then checked against it.
    public var maxAge: Int?
    /// Allowed clock difference for `exp`, `iat` and `auth_time`.
    public var clockSkew: TimeInterval
    /// How long a sign-in attempt stays usable (DESIGN.md §7: at most 10 minutes).
    public var attemptLifetime: TimeInterval
    /// Timeout of each call to the provider.
    public var timeout: Duration

    /// Creates a configuration.
    public init(
        clientID: String, clientSecret: OIDCClientSecret, redirectURI: String, scopes: [String] = ["openid", "profile", "email"],
        prompt: String? = "login", maxAge: Int? = nil, clockSkew: TimeInterval = 120, attemptLifetime: TimeInterval = 600,
        timeout: Duration = .seconds(15)
    ) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.prompt = prompt
        self.maxAge = maxAge
        self.clockSkew = clockSkew
        self.attemptLifetime = attemptLifetime
        self.timeout = timeout
    }
}
