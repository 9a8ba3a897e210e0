public import Foundation

/// The stored projection of a directory user: what Pier keeps of an Okta user and compares between
/// syncs. Both the live `users` rows and a run's staging rows are read as this type, so "changed" means
/// exactly "a stored column would change".
public struct DirectoryUserRecord: Hashable, Sendable {
    public var oktaID: OktaUserID
    /// Okta's status, verbatim (`"ACTIVE"`).
    public var oktaStatus: String
    public var login: String
    public var email: String?
    public var firstName: String?
    public var lastName: String?
    public var phone: String?
    public var department: String?
    public var title: String?
    /// The whole profile as canonical JSON (sorted keys), or nil.
    public var profile: String?
    public var oktaLastUpdated: Date?

    /// Creates a record.
    public init(
        oktaID: OktaUserID, oktaStatus: String, login: String, email: String? = nil, firstName: String? = nil,
        lastName: String? = nil, phone: String? = nil, department: String? = nil, title: String? = nil,
        profile: String? = nil, oktaLastUpdated: Date? = nil
    ) {
        self.oktaID = oktaID
        self.oktaStatus = oktaStatus
        self.login = login
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.phone = phone
        self.department = department
        self.title = title
        self.profile = profile
        self.oktaLastUpdated = oktaLastUpdated
    }

    /// Projects a user read from the directory source (phone: `mobilePhone`, else `primaryPhone`).
    public init(_ user: DirectoryUser) {
        self.init(
            oktaID: user.id, oktaStatus: user.status.oktaValue, login: user.login, email: user.email,
            firstName: user.firstName, lastName: user.lastName,
            phone: user.profile["mobilePhone"]?.stringValue ?? user.profile["primaryPhone"]?.stringValue,
            department: user.profile["department"]?.stringValue, title: user.profile["title"]?.stringValue,
            profile: Self.canonicalJSON(user.profile), oktaLastUpdated: user.lastUpdated
        )
    }

    /// The status as a ``DirectoryUserStatus``.
    public var status: DirectoryUserStatus { DirectoryUserStatus(oktaValue: oktaStatus) }

    /// Whether the stored fields differ (the Okta `lastUpdated` alone does not count as a change).
    public func differs(from other: DirectoryUserRecord) -> Bool {
        var left = self
        var right = other
        left.oktaLastUpdated = nil
        right.oktaLastUpdated = nil
        return left != right
    }

    /// Sorted-keys JSON of a profile, nil when empty, so equal profiles compare equal as text.
    public static func canonicalJSON(_ profile: [String: DirectoryAttributeValue]) -> String? {
        guard !profile.isEmpty else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(profile) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A live directory user as the planner sees it: the stored record plus Pier's status.
public struct LocalDirectoryUser: Hashable, Sendable {
    public var record: DirectoryUserRecord
    public var status: PierUserStatus

    public init(record: DirectoryUserRecord, status: PierUserStatus) {
        self.record = record
        self.status = status
    }
}

/// The stored projection of a directory group.
public struct DirectoryGroupRecord: Hashable, Sendable {
    public var oktaID: OktaGroupID
    public var name: String
    public var description: String?
    /// Okta's type, verbatim (`"OKTA_GROUP"`).
    public var type: String
    public var oktaLastUpdated: Date?

    public init(oktaID: OktaGroupID, name: String, description: String? = nil, type: String, oktaLastUpdated: Date? = nil) {
        self.oktaID = oktaID
        self.name = name
        self.description = description
        self.type = type
        self.oktaLastUpdated = oktaLastUpdated
    }

    /// Projects a group read from the directory source.
    public init(_ group: DirectoryGroup) {
        self.init(oktaID: group.id, name: group.name, description: group.description, type: group.type.oktaValue,
                  oktaLastUpdated: group.lastUpdated)
    }

    /// Whether this is the built-in Everyone group.
    public var isEveryone: Bool { type == DirectoryGroupType.builtIn.oktaValue }

    /// Whether Pier stores groups of this type.
    public var hasKnownType: Bool {
        if case .other = DirectoryGroupType(oktaValue: type) { return false }
        return true
    }

    /// Whether the stored fields differ (the Okta `lastUpdated` alone does not count).
    public func differs(from other: DirectoryGroupRecord) -> Bool {
        name != other.name || description != other.description || type != other.type
    }
}
