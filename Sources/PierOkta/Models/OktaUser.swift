public import Foundation
public import PierCore

/// A user as Okta's management API returns it (REFERENCE §3.3). Unknown fields are ignored, `null`
/// timestamps are `nil`, and the profile is an open dictionary so custom attributes survive.
public struct OktaUser: Decodable, Sendable, Hashable {
    /// `type` of a user.
    public struct UserType: Decodable, Sendable, Hashable {
        public var id: String?
    }

    /// `credentials.provider`.
    public struct Provider: Decodable, Sendable, Hashable {
        public var type: String?
        public var name: String?
    }

    /// `credentials` (only the provider is kept).
    public struct Credentials: Decodable, Sendable, Hashable {
        public var provider: Provider?
    }

    public var id: OktaUserID
    public var status: DirectoryUserStatus
    public var transitioningToStatus: String?
    public var created: Date?
    public var activated: Date?
    public var statusChanged: Date?
    public var lastLogin: Date?
    public var lastUpdated: Date?
    public var passwordChanged: Date?
    public var type: UserType?
    public var profile: [String: DirectoryAttributeValue]
    public var credentials: Credentials?

    /// The domain view of this user.
    public var directoryUser: DirectoryUser {
        DirectoryUser(
            id: id, status: status, login: profile["login"]?.stringValue ?? "",
            email: profile["email"]?.stringValue, firstName: profile["firstName"]?.stringValue,
            lastName: profile["lastName"]?.stringValue, displayName: profile["displayName"]?.stringValue,
            created: created, lastUpdated: lastUpdated, statusChanged: statusChanged, profile: profile)
    }

    enum CodingKeys: String, CodingKey {
        case id, status, transitioningToStatus, created, activated, statusChanged, lastLogin, lastUpdated
        case passwordChanged, type, profile, credentials
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(OktaUserID.self, forKey: .id)
        status = try c.decode(DirectoryUserStatus.self, forKey: .status)
        transitioningToStatus = try c.decodeIfPresent(String.self, forKey: .transitioningToStatus)
        created = try c.decodeIfPresent(Date.self, forKey: .created)
        activated = try c.decodeIfPresent(Date.self, forKey: .activated)
        statusChanged = try c.decodeIfPresent(Date.self, forKey: .statusChanged)
        lastLogin = try c.decodeIfPresent(Date.self, forKey: .lastLogin)
        lastUpdated = try c.decodeIfPresent(Date.self, forKey: .lastUpdated)
        passwordChanged = try c.decodeIfPresent(Date.self, forKey: .passwordChanged)
        type = try c.decodeIfPresent(UserType.self, forKey: .type)
        profile = try c.decodeIfPresent([String: DirectoryAttributeValue].self, forKey: .profile) ?? [:]
        credentials = try c.decodeIfPresent(Credentials.self, forKey: .credentials)
    }
}
