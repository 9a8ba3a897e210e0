/// An Okta group type; unknown future values survive as ``other(_:)``.
public enum DirectoryGroupType: Hashable, Sendable, OktaVocabulary {
    /// Created in Okta; membership writable.
    case oktaGroup
    /// Imported from an app or directory (AD, LDAP, Google Workspace).
    case appGroup
    /// The one `Everyone` group.
    case builtIn
    /// A type this version of Pier does not know.
    case other(String)

    /// Parses Okta's spelling (`"OKTA_GROUP"`).
    public init(oktaValue: String) {
        switch oktaValue {
        case "OKTA_GROUP": self = .oktaGroup
        case "APP_GROUP": self = .appGroup
        case "BUILT_IN": self = .builtIn
        default: self = .other(oktaValue)
        }
    }

    /// Okta's spelling.
    public var oktaValue: String {
        switch self {
        case .oktaGroup: "OKTA_GROUP"
        case .appGroup: "APP_GROUP"
        case .builtIn: "BUILT_IN"
        case .other(let value): value
        }
    }
}
