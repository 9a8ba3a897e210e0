import Foundation

/// A membership change an incremental run applies (from a System Log event or a first-time user's
/// `groups(ofUser:)` read).
public struct SyncMembershipChange: Hashable, Sendable {
    public var group: OktaGroupID
    public var user: OktaUserID
    /// `true` adds the membership, `false` removes it.
    public var isAddition: Bool

    public init(group: OktaGroupID, user: OktaUserID, isAddition: Bool) {
        self.group = group
        self.user = user
        self.isAddition = isAddition
    }
}

/// What an incremental run must still do after its `lastUpdated ge` listings, derived from the change
/// feed (DESIGN.md §6). Pure, so the rules are tested without a source.
///
/// - Users and groups named by lifecycle or profile events that the listings did not return are re-read
///   by id (a deleted object is gone from the listings; its read answers 404, which confirms the removal).
/// - Membership events become ordered changes: for one (group, user) pair the last event wins.
/// - Users created inside the window get their memberships from the feed; other first-time users need
///   `groups(ofUser:)`.
public struct IncrementalChanges: Hashable, Sendable {
    /// Users to read by id.
    public var usersToRead: [OktaUserID] = []
    /// Groups to read by id.
    public var groupsToRead: [OktaGroupID] = []
    /// Users whose creation event lies inside the window.
    public var createdInWindow: Set<OktaUserID> = []
    /// Membership changes, at most one per pair (the last event), in event order.
    public var membershipChanges: [SyncMembershipChange] = []
    /// Distinct events considered.
    public var eventCount = 0

    public init() {}

    /// Derives the work from the events of the window and what the listings returned.
    ///
    /// - Parameters:
    ///   - events: The window's events, in any order, possibly repeated (de-duplicated by id, then
    ///     ordered by `published`, stable).
    ///   - listedUsers: Users returned by `users(updatedSince:)` (already read fresh).
    ///   - listedGroups: Groups returned by `groups(updatedSince:)`.
    public static func derive(events: [DirectoryChangeEvent], listedUsers: Set<OktaUserID>, listedGroups: Set<OktaGroupID>) -> IncrementalChanges {
        var seen = Set<String>()
        let unique = events.filter { seen.insert($0.id).inserted }
        let ordered = unique.enumerated().sorted { ($0.element.published, $0.offset) < ($1.element.published, $1.offset) }.map(\.element)
        var result = IncrementalChanges()
        result.eventCount = ordered.count
        var usersToRead: [OktaUserID] = []
        var userSet = Set<OktaUserID>()
        var groupsToRead: [OktaGroupID] = []
        var groupSet = Set<OktaGroupID>()
        struct Pair: Hashable { var group: OktaGroupID; var user: OktaUserID }
        var lastChange: [Pair: (index: Int, change: SyncMembershipChange)] = [:]
        for (index, event) in ordered.enumerated() {
            switch event.kind {
            case .userLifecycle, .userProfile:
                if event.eventType == "user.lifecycle.create" { result.createdInWindow.formUnion(event.userIDs) }
                for user in event.userIDs where !listedUsers.contains(user) && userSet.insert(user).inserted {
                    usersToRead.append(user)
                }
            case .membershipAdded, .membershipRemoved:
                for group in event.groupIDs {
                    for user in event.userIDs {
                        let change = SyncMembershipChange(group: group, user: user, isAddition: event.kind == .membershipAdded)
                        lastChange[Pair(group: group, user: user)] = (index, change)
                    }
                }
            case .groupLifecycle, .groupProfile:
                for group in event.groupIDs where !listedGroups.contains(group) && groupSet.insert(group).inserted {
                    groupsToRead.append(group)
                }
            case .other:
                break
            }
        }
        result.usersToRead = usersToRead
        result.groupsToRead = groupsToRead
        result.membershipChanges = lastChange.values.sorted { $0.index < $1.index }.map(\.change)
        return result
    }
}
