public import Foundation

/// A group as the directory source reports it.
public struct DirectoryGroup: Hashable, Sendable, Codable {
    /// The immutable Okta id.
    public var id: OktaGroupID
    /// `OKTA_GROUP`, `APP_GROUP` or `BUILT_IN`.
    public var type: DirectoryGroupType
    /// `profile.name` (can change; never an identity).
    public var name: String
    /// `profile.description` (`null` when not given).
    public var description: String?
    /// When the group's profile last changed.
    public var lastUpdated: Date?
    /// When the group's membership last changed.
    public var lastMembershipUpdated: Date?
    /// `_embedded.stats.usersCount` when the listing was expanded with stats.
    public var memberCount: Int?
    /// Every profile attribute, as read (AD groups carry `dn`, `samAccountName`, …).
    public var profile: [String: DirectoryAttributeValue]

    /// Creates a group.
    public init(
        id: OktaGroupID, type: DirectoryGroupType, name: String, description: String? = nil,
        lastUpdated: Date? = nil, lastMembershipUpdated: Date? = nil, memberCount: Int? = nil,
        profile: [String: DirectoryAttributeValue] = [:]
    ) {
        self.id = id
        self.type = type
        self.name = name
        self.description = description
        self.lastUpdated = lastUpdated
        self.lastMembershipUpdated = lastMembershipUpdated
        self.memberCount = memberCount
        self.profile = profile
    }

    /// Whether this is the built-in `Everyone` group.
    public var isEveryone: Bool { type == .builtIn }
}
