public import Foundation
public import PierCore

/// A group as Okta returns it (REFERENCE §4.2), with `_embedded.stats` when listed with `expand=stats`.
public struct OktaGroup: Decodable, Sendable, Hashable {
    /// `_embedded.stats` (every key but `usersCount` optional; Okta misspells `hasAdminPrivlege`).
    public struct Stats: Decodable, Sendable, Hashable {
        public var usersCount: Int?
        public var appsCount: Int?
        public var groupPushMappingsCount: Int?
        public var hasAdminPrivlege: Bool?
    }

    struct Embedded: Decodable, Sendable, Hashable {
        var stats: Stats?
    }

    public var id: OktaGroupID
    public var created: Date?
    public var lastUpdated: Date?
    public var lastMembershipUpdated: Date?
    public var objectClass: [String]
    public var type: DirectoryGroupType
    public var profile: [String: DirectoryAttributeValue]
    /// `_embedded.stats`, when expanded.
    public var stats: Stats?

    /// The domain view of this group.
    public var directoryGroup: DirectoryGroup {
        DirectoryGroup(
            id: id, type: type, name: profile["name"]?.stringValue ?? "", description: profile["description"]?.stringValue,
            lastUpdated: lastUpdated, lastMembershipUpdated: lastMembershipUpdated, memberCount: stats?.usersCount,
            profile: profile)
    }

    enum CodingKeys: String, CodingKey {
        case id, created, lastUpdated, lastMembershipUpdated, objectClass, type, profile
        case embedded = "_embedded"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(OktaGroupID.self, forKey: .id)
        created = try c.decodeIfPresent(Date.self, forKey: .created)
        lastUpdated = try c.decodeIfPresent(Date.self, forKey: .lastUpdated)
        lastMembershipUpdated = try c.decodeIfPresent(Date.self, forKey: .lastMembershipUpdated)
        objectClass = try c.decodeIfPresent([String].self, forKey: .objectClass) ?? []
        type = try c.decodeIfPresent(DirectoryGroupType.self, forKey: .type) ?? .other("")
        profile = try c.decodeIfPresent([String: DirectoryAttributeValue].self, forKey: .profile) ?? [:]
        stats = try c.decodeIfPresent(Embedded.self, forKey: .embedded)?.stats
    }
}
