/// One entry of a group's member list: only what membership needs, the user's id and status.
public struct DirectoryMember: Hashable, Sendable, Codable {
    /// The member's Okta id.
    public var userID: OktaUserID
    /// The member's status (members of any status are listed; filter client-side).
    public var status: DirectoryUserStatus

    /// Creates an entry.
    public init(userID: OktaUserID, status: DirectoryUserStatus) {
        self.userID = userID
        self.status = status
    }
}
