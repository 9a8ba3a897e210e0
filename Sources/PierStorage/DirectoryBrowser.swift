import Foundation
public import PierCore

/// A user as the API lists it: directory users and (later) local users alike.
///
/// ``StoredDirectoryUser`` cannot carry a local user (no domain, no Okta id), so listings use this
/// projection of a `users` row.
public struct UserListing: Hashable, Sendable {
    /// Pier's id.
    public var id: String
    /// The domain, or nil for a local user.
    public var directoryID: DirectoryID?
    /// The Okta id, or nil for a local user.
    public var oktaID: OktaUserID?
    public var login: String
    public var email: String?
    public var firstName: String?
    public var lastName: String?
    public var status: PierUserStatus
    /// Okta's status verbatim, or nil for a local user.
    public var oktaStatus: String?
    public var department: String?
    public var title: String?

    public init(
        id: String, directoryID: DirectoryID?, oktaID: OktaUserID?, login: String, email: String?, firstName: String?,
        lastName: String?, status: PierUserStatus, oktaStatus: String?, department: String?, title: String?
    ) {
        self.id = id
        self.directoryID = directoryID
        self.oktaID = oktaID
        self.login = login
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.status = status
        self.oktaStatus = oktaStatus
        self.department = department
        self.title = title
    }
}

/// A place in a keyset-ordered listing: the sort key and id of the last item of a page.
///
/// Listings are ordered by (sort key, id), so a position stays valid while rows are inserted or
/// removed (unlike an offset). The API wraps it into an opaque cursor.
public struct ListingPosition: Hashable, Sendable, Codable {
    public var sortKey: String
    public var id: String

    public init(sortKey: String, id: String) {
        self.sortKey = sortKey
        self.id = id
    }
}

/// One page of a listing and where the next one starts (nil on the last page).
public struct ListingPage<Item: Sendable>: Sendable {
    public var items: [Item]
    public var next: ListingPosition?

    public init(items: [Item], next: ListingPosition?) {
        self.items = items
        self.next = next
    }
}

/// Filters of a user listing; users are ordered by login, then id.
public struct UserQuery: Hashable, Sendable {
    public var directoryID: DirectoryID?
    public var status: PierUserStatus?
    /// Case-insensitive substring of the login, the e-mail address or "first last".
    public var text: String?
    public var after: ListingPosition?
    public var limit: Int

    public init(directoryID: DirectoryID? = nil, status: PierUserStatus? = nil, text: String? = nil,
                after: ListingPosition? = nil, limit: Int) {
        self.directoryID = directoryID
        self.status = status
        self.text = text
        self.after = after
        self.limit = limit
    }
}

/// Filters of a group listing; groups are ordered by name, then id.
public struct GroupQuery: Hashable, Sendable {
    public var directoryID: DirectoryID?
    /// Okta's type spelling (`OKTA_GROUP`).
    public var type: String?
    /// Case-insensitive substring of the name or description.
    public var text: String?
    public var after: ListingPosition?
    public var limit: Int

    public init(directoryID: DirectoryID? = nil, type: String? = nil, text: String? = nil,
                after: ListingPosition? = nil, limit: Int) {
        self.directoryID = directoryID
        self.type = type
        self.text = text
        self.after = after
        self.limit = limit
    }
}

/// Paged, filtered reads of users, groups and memberships for the API (DESIGN.md §5).
///
/// ``DirectoryReader`` serves the sync engine (whole domains, Okta-id order); this serves clients
/// (any domain, keyset pages of bounded size, text search).
public protocol DirectoryBrowser: Sendable {
    /// A page of users.
    func users(matching query: UserQuery) async throws -> ListingPage<UserListing>
    /// One user by Pier id, or nil.
    func user(id: String) async throws -> UserListing?
    /// The groups a user belongs to, ordered by name.
    func groups(ofUser id: String) async throws -> [StoredDirectoryGroup]
    /// A page of groups.
    func groups(matching query: GroupQuery) async throws -> ListingPage<StoredDirectoryGroup>
    /// One group by Pier id, or nil.
    func group(id: String) async throws -> StoredDirectoryGroup?
    /// A page of a group's members, ordered by login then id.
    func members(ofGroup id: String, after: ListingPosition?, limit: Int) async throws -> ListingPage<UserListing>
}
