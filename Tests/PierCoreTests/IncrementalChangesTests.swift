import Foundation
import PierCore
import Testing

struct IncrementalChangesTests {
    static func event(_ id: String, _ second: Double, _ type: String, users: [String] = [], groups: [String] = []) -> DirectoryChangeEvent {
        DirectoryChangeEvent(id: id, published: Date(timeIntervalSince1970: 1_780_000_000 + second), eventType: type,
                             userIDs: users.map { OktaUserID($0) }, groupIDs: groups.map { OktaGroupID($0) })
    }

    @Test func readsWhatTheListingsMissedAndKeepsTheLastMembershipEvent() {
        let events = [
            Self.event("e3", 3, "group.user_membership.remove", users: ["00u1"], groups: ["00g1"]),
            Self.event("e1", 1, "group.user_membership.add", users: ["00u1"], groups: ["00g1"]),
            Self.event("e1", 1, "group.user_membership.add", users: ["00u1"], groups: ["00g1"]),  // repeated by the feed
            Self.event("e2", 2, "user.lifecycle.delete.initiated", users: ["00u9"]),
            Self.event("e4", 4, "user.lifecycle.create", users: ["00u5"]),
            Self.event("e5", 5, "user.account.update_profile", users: ["00u6"]),
            Self.event("e6", 6, "group.lifecycle.delete", groups: ["00g7"]),
            Self.event("e7", 7, "group.profile_updated", groups: ["00g8"]),
            Self.event("e8", 8, "group.user_membership.add", users: ["00u5"], groups: ["00g2"]),
            Self.event("e9", 9, "user.session.start", users: ["00u1"]),
        ]
        let work = IncrementalChanges.derive(events: events, listedUsers: [OktaUserID("00u5")], listedGroups: [OktaGroupID("00g8")])
        #expect(work.eventCount == 9)
        #expect(work.usersToRead == [OktaUserID("00u9"), OktaUserID("00u6")])
        #expect(work.groupsToRead == [OktaGroupID("00g7")])
        #expect(work.createdInWindow == [OktaUserID("00u5")])
        #expect(work.membershipChanges == [
            SyncMembershipChange(group: OktaGroupID("00g1"), user: OktaUserID("00u1"), isAddition: false),
            SyncMembershipChange(group: OktaGroupID("00g2"), user: OktaUserID("00u5"), isAddition: true),
        ])
    }

    @Test func noEventsNoWork() {
        let work = IncrementalChanges.derive(events: [], listedUsers: [], listedGroups: [])
        #expect(work == IncrementalChanges())
    }
}
