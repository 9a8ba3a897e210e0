import Foundation
import PierCore
import Testing
@testable import PierOkta

struct ModelDecodingTests {
    static let userLists = [
        "users-list-default-page.json", "users-filter-status-active.json", "users-filter-status-suspended.json",
        "users-search-nickname.json", "group-members-list.json", "group-members-list-empty.json",
        "spec-examples/users-list-filter-locked-out.json",
    ]
    static let singleUsers = [
        "user-get-by-id.json", "user-get-by-login.json", "user-profile-update-put.json", "users-create-activated.json",
        "users-create-staged.json", "spec-examples/user-get-full.json",
    ]
    static let groupLists = [
        "groups-list-default-page.json", "groups-search-q.json", "spec-examples/groups-list-okta-and-app-group.json",
    ]
    static let singleGroups = ["group-get.json", "group-update-put.json", "groups-create.json"]

    @Test(arguments: userLists)
    func decodesUserLists(_ name: String) throws {
        let users = try OktaDirectorySource.decode([OktaUser].self, from: try Fixture.data(name))
        let raw = try JSONSerialization.jsonObject(with: try Fixture.data(name)) as! [[String: Any]]
        #expect(users.count == raw.count)
        for (user, object) in zip(users, raw) {
            #expect(user.id.rawValue == object["id"] as? String)
            #expect(user.status.oktaValue == object["status"] as? String)
            #expect(user.directoryUser.login == (object["profile"] as? [String: Any])?["login"] as? String)
        }
    }

    @Test(arguments: singleUsers)
    func decodesSingleUsers(_ name: String) throws {
        let user = try OktaDirectorySource.decode(OktaUser.self, from: try Fixture.data(name))
        #expect(user.id.rawValue.hasPrefix("00u"))
        #expect(!user.directoryUser.login.isEmpty)
    }

    @Test func keepsNullsAndCustomAttributes() throws {
        let users = try OktaDirectorySource.decode([OktaUser].self, from: try Fixture.data("users-list-default-page.json"))
        let staged = try #require(users.first { $0.status == .staged })
        #expect(staged.activated == nil)
        #expect(staged.profile["secondEmail"] == .null)
        #expect(staged.lastUpdated != nil)
        #expect(Set(users.map(\.status)).contains(.deprovisioned) == false)
        let full = try OktaDirectorySource.decode(OktaUser.self, from: try Fixture.data("spec-examples/user-get-full.json"))
        #expect(full.profile.count > 4)
        let custom = Data(#"{"id":"00u1","status":"ACTIVE","lastLogin":null,"unknownTop":{"x":[1,2]},"profile":{"login":"a@b.c","costCenter":7,"vip":true,"tags":["x","y"],"nested":{"a":null}},"created":"2024-01-02T03:04:05Z"}"#.utf8)
        let user = try OktaDirectorySource.decode(OktaUser.self, from: custom)
        #expect(user.profile["costCenter"] == .number(7))
        #expect(user.profile["vip"] == .bool(true))
        #expect(user.profile["tags"] == .array([.string("x"), .string("y")]))
        #expect(user.profile["nested"] == .object(["a": .null]))
        #expect(user.created == OktaTimestamp.parse("2024-01-02T03:04:05.000Z"))
    }

    @Test func unknownStatusSurvives() throws {
        let data = Data(#"{"id":"00u1","status":"FUTURE_STATUS","profile":{"login":"x"}}"#.utf8)
        #expect(try OktaDirectorySource.decode(OktaUser.self, from: data).status == .other("FUTURE_STATUS"))
    }

    @Test(arguments: groupLists)
    func decodesGroupLists(_ name: String) throws {
        let groups = try OktaDirectorySource.decodeGroups(try Fixture.data(name))
        #expect(!groups.isEmpty)
        #expect(groups.allSatisfy { $0.id.rawValue.hasPrefix("00g") && !$0.name.isEmpty })
    }

    @Test func groupTypesAndEveryone() throws {
        let groups = try OktaDirectorySource.decodeGroups(try Fixture.data("groups-list-default-page.json"))
        #expect(groups.count == 154)
        #expect(groups.filter(\.isEveryone).map(\.name) == ["Everyone"])
        #expect(groups.contains { $0.type == .appGroup })
        #expect(groups.contains { $0.type == .oktaGroup })
    }

    @Test(arguments: singleGroups)
    func decodesSingleGroups(_ name: String) throws {
        let group = try OktaDirectorySource.decode(OktaGroup.self, from: try Fixture.data(name))
        #expect(group.type == .oktaGroup)
    }

    @Test func groupStats() throws {
        let data = Data(#"[{"id":"00g1","type":"BUILT_IN","profile":{"name":"Everyone","description":null},"_embedded":{"stats":{"usersCount":42,"appsCount":1,"hasAdminPrivlege":false}}}]"#.utf8)
        let group = try #require(try OktaDirectorySource.decodeGroups(data).first)
        #expect(group.memberCount == 42)
        #expect(group.description == nil)
    }

    @Test func decodesApps() throws {
        let app = try OktaDirectorySource.decode(OktaApp.self, from: try Fixture.data("spec-examples/app-oidc-create-response.json"))
        #expect(app.name == "oidc_client")
        #expect(app.credentials?.oauthClient?.clientSecret != nil)
        #expect(app.settings?.oauthClient?.redirectURIs?.isEmpty == false)
        let assignment = try OktaDirectorySource.decode(
            OktaAppGroupAssignment.self, from: try Fixture.data("spec-examples/app-group-assignment-put-response.json"))
        #expect(assignment.id.rawValue.hasPrefix("00g"))
        let assignments = try OktaDirectorySource.decode(
            [OktaAppGroupAssignment].self, from: try Fixture.data("spec-examples/app-groups-list.json"))
        #expect(!assignments.isEmpty)
        let appUser = try OktaDirectorySource.decode(OktaAppUser.self, from: try Fixture.data("spec-examples/app-user-assign-response.json"))
        #expect(appUser.scope != nil)
        let appUsers = try OktaDirectorySource.decode([OktaAppUser].self, from: try Fixture.data("spec-examples/app-users-list-expand-user.json"))
        #expect(!appUsers.isEmpty)
    }

    @Test func decodesLogEvents() throws {
        let events = try OktaDirectorySource.decode([OktaLogEvent].self, from: try Fixture.data("spec-examples/logs-list.json"))
        #expect(!events.isEmpty)
        #expect(events[0].eventType == "user.session.start")
        #expect(events[0].changeEvent.kind == .other)
        let membership = Data(#"[{"uuid":"u1","published":"2023-10-27T16:22:53.770Z","eventType":"group.user_membership.add","target":[{"id":"00u1","type":"User"},{"id":"00g1","type":"UserGroup"}]}]"#.utf8)
        let event = try #require(try OktaDirectorySource.decode([OktaLogEvent].self, from: membership).first?.changeEvent)
        #expect(event.kind == .membershipAdded)
        #expect(event.userIDs == [OktaUserID("00u1")])
        #expect(event.groupIDs == [OktaGroupID("00g1")])
    }

    @Test(arguments: [
        ("2017-07-13T22:08:09.000Z", 1_499_983_689.0),
        ("2017-07-13T22:08:09Z", 1_499_983_689.0),
        ("2013-07-02T21:36:25.344Z", 1_372_800_985.344),
        ("2024-02-29T00:00:00.5Z", 1_709_164_800.5),
        ("1969-12-31T23:59:59.000Z", -1.0),
    ])
    func parsesTimestamps(_ text: String, _ seconds: Double) throws {
        let date = try #require(OktaTimestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.0005)
    }

    @Test func formatsTimestampsForFilters() {
        #expect(OktaTimestamp.format(Date(timeIntervalSince1970: 1_372_800_985.344)) == "2013-07-02T21:36:25.344Z")
        #expect(OktaTimestamp.parse("2017-13-01T00:00:00Z") == nil)
        #expect(OktaTimestamp.parse("yesterday") == nil)
        #expect(HTTPDate.parse("Thu, 13 Jul 2017 22:08:09 GMT") == Date(timeIntervalSince1970: 1_499_983_689))
        #expect(HTTPDate.format(Date(timeIntervalSince1970: 1_499_983_689)) == "Thu, 13 Jul 2017 22:08:09 GMT")
    }
}
