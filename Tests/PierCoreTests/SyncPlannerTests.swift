import Foundation
import PierCore
import Testing

struct SyncPlannerTests {
    static func user(_ id: String, _ status: DirectoryUserStatus = .active, login: String? = nil, title: String? = nil) -> DirectoryUserRecord {
        DirectoryUserRecord(oktaID: OktaUserID(id), oktaStatus: status.oktaValue, login: login ?? "\(id)@example.com", title: title)
    }

    static func local(_ id: String, _ okta: DirectoryUserStatus, _ pier: PierUserStatus, title: String? = nil) -> LocalDirectoryUser {
        LocalDirectoryUser(record: user(id, okta, title: title), status: pier)
    }

    struct UserRow: Sendable, CustomStringConvertible {
        var name: String
        var remote: DirectoryUserRecord
        var local: LocalDirectoryUser?
        var tombstoned = false
        var holding = false
        var expected: UserAction
        var description: String { name }
    }

    static let userTable: [UserRow] = [
        UserRow(name: "new active", remote: user("u1"), expected: .create(.active)),
        UserRow(name: "new locked out", remote: user("u1", .lockedOut), expected: .create(.active)),
        UserRow(name: "new suspended", remote: user("u1", .suspended), expected: .create(.suspended)),
        UserRow(name: "first sync imports DEPROVISIONED as deactivated", remote: user("u1", .deprovisioned), expected: .create(.deactivated)),
        UserRow(name: "new STAGED skipped", remote: user("u1", .staged), expected: .skip(.notActivated)),
        UserRow(name: "new PROVISIONED skipped", remote: user("u1", .provisioned), expected: .skip(.notActivated)),
        UserRow(name: "new unknown status skipped", remote: user("u1", .other("X")), expected: .skip(.unknownStatus)),
        UserRow(name: "tombstoned reappears", remote: user("u1"), tombstoned: true, expected: .revive(.active)),
        UserRow(name: "tombstoned but STAGED stays out", remote: user("u1", .staged), tombstoned: true, expected: .skip(.notActivated)),
        UserRow(name: "unchanged", remote: user("u1"), local: local("u1", .active, .active), expected: .unchanged),
        UserRow(name: "lastUpdated alone is no change",
                remote: { var r = user("u1"); r.oktaLastUpdated = Date(timeIntervalSince1970: 5); return r }(),
                local: local("u1", .active, .active), expected: .unchanged),
        UserRow(name: "profile change", remote: user("u1", title: "CTO"), local: local("u1", .active, .active), expected: .update(.active)),
        UserRow(name: "ACTIVE→LOCKED_OUT updates raw status only", remote: user("u1", .lockedOut), local: local("u1", .active, .active), expected: .update(.active)),
        UserRow(name: "suspension", remote: user("u1", .suspended), local: local("u1", .active, .active), expected: .update(.suspended)),
        UserRow(name: "unsuspension", remote: user("u1"), local: local("u1", .suspended, .suspended), expected: .update(.active)),
        UserRow(name: "deprovisioning", remote: user("u1", .deprovisioned), local: local("u1", .active, .active), expected: .deactivate),
        UserRow(name: "known user back to STAGED is deactivated", remote: user("u1", .staged), local: local("u1", .active, .active), expected: .deactivate),
        UserRow(name: "known user PROVISIONED is deactivated", remote: user("u1", .provisioned), local: local("u1", .suspended, .suspended), expected: .deactivate),
        UserRow(name: "reactivation", remote: user("u1"), local: local("u1", .deprovisioned, .deactivated), expected: .update(.active)),
        UserRow(name: "already deactivated stays", remote: user("u1", .deprovisioned), local: local("u1", .deprovisioned, .deactivated), expected: .unchanged),
        UserRow(name: "DEPROVISIONED→STAGED updates raw status", remote: user("u1", .staged), local: local("u1", .deprovisioned, .deactivated), expected: .update(.deactivated)),
        UserRow(name: "held deactivation", remote: user("u1", .deprovisioned), local: local("u1", .active, .active), holding: true, expected: .holdDeactivation),
        UserRow(name: "holding does not affect updates", remote: user("u1", .suspended), local: local("u1", .active, .active), holding: true, expected: .update(.suspended)),
        UserRow(name: "known user with unknown status untouched", remote: user("u1", .other("X")), local: local("u1", .active, .active), expected: .skip(.unknownStatus)),
    ]

    @Test(arguments: userTable)
    func userActions(_ row: UserRow) {
        #expect(SyncPlanner.userAction(remote: row.remote, local: row.local, tombstoned: row.tombstoned, holdingDeactivations: row.holding) == row.expected)
    }

    @Test func groupActions() {
        let group = DirectoryGroupRecord(oktaID: OktaGroupID("g1"), name: "Eng", type: "OKTA_GROUP")
        var renamed = group
        renamed.name = "Engineering"
        var touched = group
        touched.oktaLastUpdated = Date(timeIntervalSince1970: 9)
        let odd = DirectoryGroupRecord(oktaID: OktaGroupID("g2"), name: "X", type: "FUTURE_TYPE")
        #expect(SyncPlanner.groupAction(remote: group, local: nil) == .create)
        #expect(SyncPlanner.groupAction(remote: group, local: nil, tombstoned: true) == .revive)
        #expect(SyncPlanner.groupAction(remote: renamed, local: group) == .update)
        #expect(SyncPlanner.groupAction(remote: touched, local: group) == .unchanged)
        #expect(SyncPlanner.groupAction(remote: odd, local: nil) == .skip(.unknownGroupType))
    }

    @Test func wholePlan() {
        let eng = DirectoryGroupRecord(oktaID: OktaGroupID("g-eng"), name: "Eng", type: "OKTA_GROUP")
        let everyone = DirectoryGroupRecord(oktaID: OktaGroupID("g-all"), name: "Everyone", type: "BUILT_IN")
        let gone = DirectoryGroupRecord(oktaID: OktaGroupID("g-gone"), name: "Old", type: "APP_GROUP")
        let local = SyncPlanner.Snapshot(
            users: [
                OktaUserID("a"): Self.local("a", .active, .active),
                OktaUserID("b"): Self.local("b", .active, .active),
                OktaUserID("c"): Self.local("c", .active, .active),
            ],
            groups: [eng.oktaID: eng, everyone.oktaID: everyone, gone.oktaID: gone],
            members: [eng.oktaID: [OktaUserID("a"), OktaUserID("b")], everyone.oktaID: [OktaUserID("a"), OktaUserID("b"), OktaUserID("c")]],
            tombstonedUsers: [OktaUserID("r")]
        )
        let remoteUsers = [
            Self.user("a", title: "Boss"), Self.user("b", .deprovisioned), Self.user("d"), Self.user("s", .staged), Self.user("r"),
        ]
        let plan = SyncPlanner.plan(
            local: local, remoteUsers: remoteUsers, remoteGroups: [eng, everyone],
            remoteMembers: [eng.oktaID: [OktaUserID("a"), OktaUserID("d"), OktaUserID("s")]]
        )
        #expect(plan.users == [
            OktaUserID("a"): .update(.active), OktaUserID("b"): .deactivate, OktaUserID("d"): .create(.active),
            OktaUserID("s"): .skip(.notActivated), OktaUserID("r"): .revive(.active),
        ])
        #expect(plan.userRemovalCandidates == [OktaUserID("c")])
        #expect(plan.groupRemovalCandidates == [gone.oktaID])
        #expect(plan.groups == [eng.oktaID: .unchanged, everyone.oktaID: .unchanged])
        // Everyone = every imported user (c stays until confirmed gone; s is not imported).
        #expect(plan.membershipAdds == [
            .init(eng.oktaID, OktaUserID("d")), .init(everyone.oktaID, OktaUserID("d")), .init(everyone.oktaID, OktaUserID("r")),
        ])
        #expect(plan.membershipRemovals == [.init(eng.oktaID, OktaUserID("b"))])
        #expect(plan.deactivationCount == 1)
    }

    @Test func membershipChangesLeaveOutUsersNotImported() {
        let changes = SyncPlanner.membershipChanges(
            local: [OktaUserID("a"), OktaUserID("x")], remote: [OktaUserID("a"), OktaUserID("b"), OktaUserID("x"), OktaUserID("s")],
            imported: { $0 != OktaUserID("s") && $0 != OktaUserID("x") }
        )
        #expect(changes.adds == [OktaUserID("b")])
        #expect(changes.removals == [OktaUserID("x")])
    }

    @Test func recordProjectionIsCanonical() {
        let user = DirectoryUser(id: OktaUserID("u"), status: .active, login: "u@x", profile: [
            "title": .string("Dev"), "mobilePhone": .string("+1"), "department": .string("R&D"), "a": .number(1),
        ])
        let record = DirectoryUserRecord(user)
        #expect(record.phone == "+1")
        #expect(record.department == "R&D")
        #expect(record.title == "Dev")
        #expect(record.profile == #"{"a":1,"department":"R&D","mobilePhone":"+1","title":"Dev"}"#)
    }
}
