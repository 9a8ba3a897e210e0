/// An Okta user status (`UserStatus`), kept verbatim; unknown future values survive as ``other(_:)``.
public enum DirectoryUserStatus: Hashable, Sendable, OktaVocabulary {
    case staged
    case provisioned
    case active
    case recovery
    case passwordExpired
    case lockedOut
    case suspended
    case deprovisioned
    /// A status this version of Pier does not know.
    case other(String)

    /// Parses Okta's spelling (`"PASSWORD_EXPIRED"`).
    public init(oktaValue: String) {
        switch oktaValue {
        case "STAGED": self = .staged
        case "PROVISIONED": self = .provisioned
        case "ACTIVE": self = .active
        case "RECOVERY": self = .recovery
        case "PASSWORD_EXPIRED": self = .passwordExpired
        case "LOCKED_OUT": self = .lockedOut
        case "SUSPENDED": self = .suspended
        case "DEPROVISIONED": self = .deprovisioned
        default: self = .other(oktaValue)
        }
    }

    /// Okta's spelling.
    public var oktaValue: String {
        switch self {
        case .staged: "STAGED"
        case .provisioned: "PROVISIONED"
        case .active: "ACTIVE"
        case .recovery: "RECOVERY"
        case .passwordExpired: "PASSWORD_EXPIRED"
        case .lockedOut: "LOCKED_OUT"
        case .suspended: "SUSPENDED"
        case .deprovisioned: "DEPROVISIONED"
        case .other(let value): value
        }
    }
}
