public import Foundation

/// A user as the directory source reports it: identity, status, the standard profile fields Pier shows,
/// and every profile attribute (custom ones included) kept as read.
public struct DirectoryUser: Hashable, Sendable, Codable {
    /// The immutable Okta id.
    public var id: OktaUserID
    /// The Okta status.
    public var status: DirectoryUserStatus
    /// `profile.login` (usually an e-mail address; unique in the org, but it can change).
    public var login: String
    /// `profile.email`.
    public var email: String?
    /// `profile.firstName`.
    public var firstName: String?
    /// `profile.lastName`.
    public var lastName: String?
    /// `profile.displayName`.
    public var displayName: String?
    /// When the user was created in Okta.
    public var created: Date?
    /// When Okta last changed the user (profile or status).
    public var lastUpdated: Date?
    /// When the status last changed (`null` until it first does).
    public var statusChanged: Date?
    /// Every profile attribute, standard and custom, as read.
    public var profile: [String: DirectoryAttributeValue]

    /// Creates a user.
    public init(
        id: OktaUserID, status: DirectoryUserStatus, login: String, email: String? = nil,
        firstName: String? = nil, lastName: String? = nil, displayName: String? = nil,
        created: Date? = nil, lastUpdated: Date? = nil, statusChanged: Date? = nil,
        profile: [String: DirectoryAttributeValue] = [:]
    ) {
        self.id = id
        self.status = status
        self.login = login
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.displayName = displayName
        self.created = created
        self.lastUpdated = lastUpdated
        self.statusChanged = statusChanged
        self.profile = profile
    }
}
