public import Foundation

/// Where the sync engine reads a directory from (DESIGN.md §6); PierOkta implements it for an Okta org.
///
/// Listings are page streams (``DirectoryPages``) that end with an explicit last-page marker; an error
/// thrown mid-walk means the listing is incomplete and must not cause removals. Errors conform to
/// ``DirectorySourceError``; a ``DirectorySourceFailure/invalidCursor`` failure allows restarting that
/// walk once.
public protocol DirectorySource: Sendable {
    /// Every user except DEPROVISIONED ones (Okta's default listing).
    func users() -> DirectoryPages<DirectoryUser>

    /// DEPROVISIONED users (`filter=status eq "DEPROVISIONED"`; never `search`, which lags).
    func deprovisionedUsers() -> DirectoryPages<DirectoryUser>

    /// Every group, with member counts where the source has them.
    func groups() -> DirectoryPages<DirectoryGroup>

    /// A group's members, ids and statuses only.
    ///
    /// - Parameter group: The group.
    func members(of group: OktaGroupID) -> DirectoryPages<DirectoryMember>

    /// Users whose `lastUpdated` is at or after `since` (any status, DEPROVISIONED included).
    func users(updatedSince since: Date) -> DirectoryPages<DirectoryUser>

    /// Groups whose profile or membership changed at or after `since`.
    func groups(updatedSince since: Date) -> DirectoryPages<DirectoryGroup>

    /// Change events published at or after `since` and before `until`, oldest first.
    func changes(since: Date, until: Date) -> DirectoryPages<DirectoryChangeEvent>

    /// One user by id.
    ///
    /// - Returns: The user, or `nil` only when the source answered "not found" (Okta: 404 E0000007).
    /// - Throws: Every other failure, so "could not ask" is never mistaken for "gone".
    func user(_ id: OktaUserID) async throws -> DirectoryUser?

    /// One group by id.
    ///
    /// - Returns: The group, or `nil` only when the source answered "not found" (Okta: 404 E0000007).
    /// - Throws: Every other failure.
    func group(_ id: OktaGroupID) async throws -> DirectoryGroup?

    /// The groups a user belongs to.
    func groups(ofUser id: OktaUserID) async throws -> [DirectoryGroup]

    /// The org's own count of users (Okta: Everyone's `usersCount`), to detect a partial view.
    ///
    /// - Returns: The count, or `nil` when the source cannot tell (e.g. the token cannot see Everyone).
    func organizationUserCount() async throws -> Int?

    /// The server's clock as of the first response this source received (its `Date` header), or `nil`
    /// before any response.
    func serverTime() -> Date?

    /// Requests, retries and waiting so far.
    func counters() -> DirectoryRequestCounters
}
