import Foundation
import OktaSimulator
import PierHTTP
import Synchronization
import Testing

@Suite struct OktaSimulatorTests {
    @Test func seedingIsDeterministicWithEveryStatusAndGroupType() async throws {
        let a = try SimulatorHarness(users: 300, groups: 20)
        let b = try SimulatorHarness(users: 300, groups: 20)
        #expect(a.server.userIDs == b.server.userIDs)
        #expect(a.server.groupIDs == b.server.groupIDs)
        #expect(Set(a.server.userStatuses.values) == ["STAGED", "PROVISIONED", "ACTIVE", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT", "SUSPENDED", "DEPROVISIONED"])
        #expect(Set(a.server.groupTypes.values) == ["BUILT_IN", "OKTA_GROUP", "APP_GROUP"])
        #expect(a.server.groupTypes.values.filter { $0 == "BUILT_IN" }.count == 1)
        for id in a.server.userIDs + a.server.groupIDs { #expect(id.count == 20) }
        #expect(a.server.userIDs.allSatisfy { $0.hasPrefix("00u") })
        let summary = a.server.summary
        #expect(summary.memberships >= 250)
        #expect(summary.largestGroup >= 60)
        await a.stop()
        await b.stop()
    }

    @Test func shapesMatchRecordedFixtures() async throws {
        let sim = try SimulatorHarness()
        let statuses = sim.server.userStatuses
        // Every STAGED user, not one picked by dictionary order (which changes between processes).
        let stagedUsers = statuses.filter { $0.value == "STAGED" }.keys.sorted()
        #expect(!stagedUsers.isEmpty)
        let active = sim.server.adminUserID
        var oktaMastered = 0
        for staged in stagedUsers {
            let stagedBody = try SimulatorHarness.json(try await sim.request(.get, "/api/v1/users/\(staged)"))
            let credentials = (stagedBody as? [String: Any])?["credentials"] as? [String: Any]
            let provider = (credentials?["provider"] as? [String: Any])?["type"] as? String
            if provider == "OKTA" {
                // The recording is of an Okta-mastered user.
                oktaMastered += 1
                #expect(Fixtures.differences(fixture: try Fixtures.load("user-get-by-id.json"), simulated: stagedBody) == [], "user \(staged)")
            } else {
                // Directory-mastered users (AD, LDAP) have no Okta password credential.
                #expect(provider == "ACTIVE_DIRECTORY" || provider == "LDAP", "user \(staged): provider \(provider ?? "nil")")
                #expect(credentials?["password"] == nil, "user \(staged)")
            }
        }
        #expect(oktaMastered > 0)
        let activeBody = try SimulatorHarness.json(try await sim.request(.get, "/api/v1/users/\(active)"))
        #expect(Fixtures.differences(fixture: try Fixtures.load("users-create-activated.json"), simulated: activeBody) == [])
        // Recorded key order of users (REFERENCE §3.3).
        let raw = String(decoding: try await sim.request(.get, "/api/v1/users/\(active)").body, as: UTF8.self)
        let order = ["\"id\"", "\"status\"", "\"created\"", "\"activated\"", "\"statusChanged\"", "\"lastLogin\"", "\"lastUpdated\"", "\"passwordChanged\"", "\"profile\"", "\"credentials\"", "\"_links\""]
        let positions = order.map { raw.range(of: $0)!.lowerBound }
        #expect(positions == positions.sorted())
        #expect(raw.contains(#""lastLogin":null"#) || raw.contains(#""lastLogin":"20"#))

        let list = try await sim.request(.get, "/api/v1/users?limit=5")
        #expect(list.header(named: "Content-Type") == "application/json;charset=UTF-8")
        let listed = try SimulatorHarness.json(list) as! [[String: Any]]
        let okta = listed.first { ($0["credentials"] as! [String: Any])["password"] != nil }!
        let recorded = (try Fixtures.load("users-list-default-page.json") as! [[String: Any]]).first { ($0["credentials"] as! [String: Any])["password"] != nil && ($0["credentials"] as! [String: Any])["recovery_question"] == nil }!
        #expect(Fixtures.differences(fixture: recorded, simulated: okta) == [])

        let groupID = sim.server.groupIDs.first { sim.server.groupTypes[$0] == "OKTA_GROUP" }!
        let group = try SimulatorHarness.json(try await sim.request(.get, "/api/v1/groups/\(groupID)"))
        #expect(Fixtures.differences(fixture: try Fixtures.load("group-get.json"), simulated: group) == [])
        let members = try SimulatorHarness.json(try await sim.request(.get, "/api/v1/groups/\(groupID)/users?limit=1"))
        #expect(Fixtures.differences(fixture: try Fixtures.load("group-members-list.json"), simulated: members) == [])

        let missing = try await sim.request(.get, "/api/v1/users/nobody@example.com")
        #expect(missing.status == 404)
        #expect(missing.header(named: "Content-Type") == "application/json")
        let missingBody = try SimulatorHarness.json(missing) as! [String: Any]
        #expect(Fixtures.differences(fixture: try Fixtures.load("user-get-not-found-404.json"), simulated: missingBody) == [])
        #expect(missingBody["errorSummary"] as? String == "Not found: Resource not found: nobody@example.com (User)")
        let missingGroup = try SimulatorHarness.json(try await sim.request(.get, "/api/v1/groups/00gmissingmissing000")) as! [String: Any]
        #expect(missingGroup["errorSummary"] as? String == "Not found: Resource not found: 00gmissingmissing000 (UserGroup)")

        let created = try await sim.request(.post, "/api/v1/groups", body: #"{"profile":{"name":"Group-Member API Test Group"}}"#)
        #expect(Fixtures.differences(fixture: try Fixtures.load("groups-create.json"), simulated: try SimulatorHarness.json(created)) == [])
        let activation = try await sim.request(.post, "/api/v1/users/\(stagedUsers[0])/lifecycle/activate?sendEmail=false")
        #expect(Fixtures.differences(fixture: try Fixtures.load("user-lifecycle-activate-sendEmail-false.json"), simulated: try SimulatorHarness.json(activation)) == [])
        await sim.stop()
    }

    @Test func paginationWalksEveryUserGroupAndMember() async throws {
        let sim = try SimulatorHarness(users: 450)
        let statuses = sim.server.userStatuses
        let first = try await sim.request(.get, "/api/v1/users?limit=500")
        let links = first.headers(named: "Link")
        #expect(links.count == 2)
        #expect(links[0] == "<\(sim.base)/api/v1/users?limit=200>; rel=\"self\"")
        #expect(links[1].hasSuffix("rel=\"next\"") && links[1].contains("after="))
        #expect((try SimulatorHarness.json(first) as! [Any]).count == 200)

        let users = try await sim.walk("/api/v1/users?limit=200")
        let expected = statuses.filter { $0.value != "DEPROVISIONED" }.count
        #expect(users.items.count == expected)
        #expect(Set(users.items.map { $0["id"] as! String }).count == expected)
        #expect(users.pages == (expected + 199) / 200)
        let everyone = try await sim.walk("/api/v1/users?filter=status+eq+%22DEPROVISIONED%22+or+status+eq+%22ACTIVE%22&limit=37")
        #expect(everyone.items.count == statuses.filter { $0.value == "DEPROVISIONED" || $0.value == "ACTIVE" }.count)

        let groups = try await sim.walk("/api/v1/groups?limit=5")
        #expect(groups.items.map { $0["id"] as! String } == sim.server.groupIDs)
        let names = groups.items.map { (($0["profile"] as! [String: Any])["name"] as! String).lowercased() }
        #expect(names == names.sorted())

        let largest = sim.server.groupIDs.filter { sim.server.groupTypes[$0] != "BUILT_IN" }.max { sim.server.memberIDs(of: $0).count < sim.server.memberIDs(of: $1).count }!
        let members = try await sim.walk("/api/v1/groups/\(largest)/users?limit=13")
        #expect(members.items.map { $0["id"] as! String } == sim.server.memberIDs(of: largest))
        let memberPage = try await sim.request(.get, "/api/v1/groups/\(largest)/users?limit=5000")
        #expect(memberPage.headers(named: "Link").first?.contains("limit=1000") == true)
        await sim.stop()
    }

    @Test func authenticationAndPermissions() async throws {
        let sim = try SimulatorHarness()
        func code(_ r: HTTPClientResponse) throws -> String? { (try SimulatorHarness.json(r) as? [String: Any])?["errorCode"] as? String }
        let none = try await sim.request(.get, "/api/v1/users", token: nil)
        #expect(none.status == 403)
        #expect(try code(none) == "E0000005")
        let bearer = try await sim.request(.get, "/api/v1/users", authorization: "Bearer \(SimulatorHarness.token)")
        #expect(bearer.status == 403)
        #expect(try code(bearer) == "E0000005")
        let wrong = try await sim.request(.get, "/api/v1/users", token: "nope")
        #expect(wrong.status == 401)
        #expect(try code(wrong) == "E0000011")
        let noSpace = try await sim.request(.get, "/api/v1/users?limit=1", authorization: "SSWS\(SimulatorHarness.token)")
        #expect(noSpace.status == 200)
        #expect(noSpace.header(named: "X-Rate-Limit-Limit") != nil && noSpace.header(named: "Date") != nil)
        #expect(noSpace.header(named: "X-Okta-Request-Id") != nil)
        let readOnlyGet = try await sim.request(.get, "/api/v1/groups", token: SimulatorHarness.readOnlyToken)
        #expect(readOnlyGet.status == 200)
        let readOnlyWrite = try await sim.request(.post, "/api/v1/groups", token: SimulatorHarness.readOnlyToken, body: #"{"profile":{"name":"x"}}"#)
        #expect(readOnlyWrite.status == 403)
        #expect(try code(readOnlyWrite) == "E0000006")
        let me = try SimulatorHarness.json(try await sim.request(.get, "/api/v1/users/me")) as! [String: Any]
        #expect(me["id"] as? String == sim.server.adminUserID)
        let org = try SimulatorHarness.json(try await sim.request(.get, "/.well-known/okta-organization", token: nil)) as! [String: Any]
        #expect((org["id"] as? String)?.hasPrefix("00o") == true)

        // A group admin sees a partial directory: fewer users, no Everyone.
        let scopedUsers = try await sim.walk("/api/v1/users", token: SimulatorHarness.scopedToken)
        let allUsers = try await sim.walk("/api/v1/users")
        #expect(scopedUsers.items.count > 0 && scopedUsers.items.count < allUsers.items.count)
        let scopedGroups = try await sim.walk("/api/v1/groups", token: SimulatorHarness.scopedToken)
        #expect(scopedGroups.items.count == 2)
        #expect(!scopedGroups.items.contains { $0["type"] as? String == "BUILT_IN" })

        try await sim.control(.post, "/__sim/tokens/revoke", body: #"{"token":"\#(SimulatorHarness.readOnlyToken)"}"#).status.expect(200)
        let revoked = try await sim.request(.get, "/api/v1/groups", token: SimulatorHarness.readOnlyToken)
        #expect(revoked.status == 401)
        await sim.stop()
    }

    @Test func filtersSearchAndQ() async throws {
        let sim = try SimulatorHarness()
        let statuses = sim.server.userStatuses
        let deprovisioned = try await sim.walk("/api/v1/users?filter=status%20eq%20%22DEPROVISIONED%22")
        #expect(deprovisioned.items.count == statuses.values.filter { $0 == "DEPROVISIONED" }.count)
        let searched = try await sim.walk("/api/v1/users?search=profile.login%20sw%20%22admin%22")
        #expect(searched.items.count == 1)
        let byEmail = try await sim.walk("/api/v1/users?search=profile.email%20eq%20%22ADMIN@acme.example%22")
        #expect(byEmail.items.count == 1)
        let recent = try await sim.walk("/api/v1/users?filter=lastUpdated%20gt%20%222023-01-01T00:00:00.000Z%22")
        #expect(recent.items.count > 0 && recent.items.count < statuses.count)
        let both = try await sim.request(.get, "/api/v1/users?filter=status%20eq%20%22ACTIVE%22&search=status%20eq%20%22ACTIVE%22")
        #expect(both.status == 400)
        #expect((try SimulatorHarness.json(both) as! [String: Any])["errorCode"] as? String == "E0000033")
        let badDate = try await sim.request(.get, "/api/v1/users?filter=lastUpdated%20gt%20%22yesterday%22")
        #expect((try SimulatorHarness.json(badDate) as! [String: Any])["errorCode"] as? String == "E0000030")
        let badFilter = try await sim.request(.get, "/api/v1/users?filter=profile.department%20eq%20%22IT%22")
        #expect((try SimulatorHarness.json(badFilter) as! [String: Any])["errorCode"] as? String == "E0000031")
        let q = try await sim.request(.get, "/api/v1/users?q=sim")
        #expect(q.headers(named: "Link").isEmpty)
        #expect((try SimulatorHarness.json(q) as! [Any]).count == 1)
        let okta = try await sim.walk("/api/v1/groups?filter=type%20eq%20%22OKTA_GROUP%22")
        #expect(okta.items.count == sim.server.groupTypes.values.filter { $0 == "OKTA_GROUP" }.count)
        let stats = try SimulatorHarness.json(try await sim.request(.get, "/api/v1/groups?expand=stats&limit=1")) as! [[String: Any]]
        #expect(((stats[0]["_embedded"] as? [String: Any])?["stats"] as? [String: Any])?["usersCount"] != nil)
        await sim.stop()
    }

    @Test func writesFollowOktaLifecycleAndFeedTheSystemLog() async throws {
        let clock = Mutex(Date(timeIntervalSince1970: 1_750_000_000))
        let sim = try SimulatorHarness { $0.now = { clock.withLock { $0 } } }
        let body = #"{"profile":{"firstName":"Rae","lastName":"Cloud","email":"rae@acme.example","login":"rae@acme.example"},"credentials":{"password":{"value":"Abcd1234"}}}"#
        let created = try SimulatorHarness.json(try await sim.request(.post, "/api/v1/users?activate=false", body: body)) as! [String: Any]
        #expect(created["status"] as? String == "STAGED")
        #expect(created["lastUpdated"] as? String == "2025-06-15T15:06:40.000Z")
        let id = created["id"] as! String
        let duplicate = try await sim.request(.post, "/api/v1/users", body: body)
        #expect(duplicate.status == 400)
        clock.withLock { $0 += 5 }
        #expect(try await sim.request(.post, "/api/v1/users/\(id)/lifecycle/activate?sendEmail=false").status == 200)
        #expect(try await sim.request(.post, "/api/v1/users/\(id)/lifecycle/suspend").status == 200)
        #expect(try await sim.request(.post, "/api/v1/users/\(id)/lifecycle/unsuspend").status == 200)
        let profileUpdate = try await sim.request(.post, "/api/v1/users/\(id)", body: #"{"profile":{"title":"Pilot"}}"#)
        let updated = try SimulatorHarness.json(profileUpdate) as! [String: Any]
        #expect((updated["profile"] as! [String: Any])["title"] as? String == "Pilot")
        #expect(updated["lastUpdated"] as? String == "2025-06-15T15:06:45.000Z")

        let group = try SimulatorHarness.json(try await sim.request(.post, "/api/v1/groups", body: #"{"profile":{"name":"Pilots","description":"iOS pilot"}}"#)) as! [String: Any]
        let gid = group["id"] as! String
        clock.withLock { $0 += 5 }
        #expect(try await sim.request(.put, "/api/v1/groups/\(gid)/users/\(id)").status == 204)
        let afterAdd = try SimulatorHarness.json(try await sim.request(.get, "/api/v1/groups/\(gid)")) as! [String: Any]
        #expect(afterAdd["lastMembershipUpdated"] as? String == "2025-06-15T15:06:50.000Z")
        #expect(afterAdd["lastUpdated"] as? String == "2025-06-15T15:06:45.000Z")
        let members = try await sim.walk("/api/v1/groups/\(gid)/users")
        #expect(members.items.map { $0["id"] as! String } == [id])
        #expect(try await sim.request(.delete, "/api/v1/groups/\(gid)/users/\(id)").status == 204)
        let everyone = sim.server.groupIDs.first { sim.server.groupTypes[$0] == "BUILT_IN" }!
        #expect(try await sim.request(.put, "/api/v1/groups/\(everyone)/users/\(id)").status == 403)

        #expect(try await sim.request(.delete, "/api/v1/users/\(id)").status == 204)
        let deactivated = try SimulatorHarness.json(try await sim.request(.get, "/api/v1/users/\(id)")) as! [String: Any]
        #expect(deactivated["status"] as? String == "DEPROVISIONED")
        #expect(try await sim.request(.delete, "/api/v1/users/\(id)").status == 204)
        #expect(try await sim.request(.get, "/api/v1/users/\(id)").status == 404)
        #expect(try await sim.request(.delete, "/api/v1/groups/\(gid)").status == 204)

        let logs = try await sim.request(.get, "/api/v1/logs?since=2025-06-15T00:00:00.000Z&limit=1000")
        let events = try SimulatorHarness.json(logs) as! [[String: Any]]
        let types = events.map { $0["eventType"] as! String }
        #expect(types == [
            "user.lifecycle.create", "user.lifecycle.activate", "user.lifecycle.suspend", "user.lifecycle.unsuspend",
            "user.account.update_profile", "group.lifecycle.create", "group.user_membership.add", "group.user_membership.remove",
            "user.lifecycle.deactivate", "user.lifecycle.delete.initiated", "user.lifecycle.delete.completed", "group.lifecycle.delete",
        ])
        // Polling (no `until`) always returns `next`; following it later yields only new events.
        let next = try #require(SimulatorHarness.nextLink(logs.headers(named: "Link")))
        let empty = try await sim.request(.get, next)
        #expect((try SimulatorHarness.json(empty) as! [Any]).isEmpty)
        let stillNext = try #require(SimulatorHarness.nextLink(empty.headers(named: "Link")))
        _ = try await sim.request(.post, "/api/v1/groups", body: #"{"profile":{"name":"Later"}}"#)
        let later = try SimulatorHarness.json(try await sim.request(.get, stillNext)) as! [[String: Any]]
        #expect(later.map { $0["eventType"] as! String } == ["group.lifecycle.create"])
        let bounded = try await sim.request(.get, "/api/v1/logs?since=2025-06-15T00:00:00.000Z&until=2025-06-16T00:00:00.000Z&limit=5")
        #expect(SimulatorHarness.nextLink(bounded.headers(named: "Link")) != nil)
        let boundedAll = try await sim.walk("/api/v1/logs?since=2025-06-15T00:00:00.000Z&until=2025-06-16T00:00:00.000Z&limit=5")
        #expect(boundedAll.items.count == 13)
        await sim.stop()
    }

    @Test func rateLimitAccountingAndWindowReset() async throws {
        let clock = Mutex(Date(timeIntervalSince1970: 1_750_000_020))
        let sim = try SimulatorHarness(profile: .oktaDefault) { $0.now = { clock.withLock { $0 } } }
        let first = try await sim.request(.get, "/api/v1/users?limit=1")
        #expect(first.header(named: "X-Rate-Limit-Limit") == "600")
        #expect(first.header(named: "X-Rate-Limit-Remaining") == "599")
        #expect(first.header(named: "X-Rate-Limit-Reset") == "1750000080")  // window aligned to the minute
        #expect(try await sim.control(.put, "/__sim/rate-limits", body: #"{"profile":"okta-default","windowSeconds":60,"buckets":{"/api/v1/users":3}}"#).status == 200)
        var remaining: [String] = []
        for _ in 0..<3 { remaining.append(try await sim.request(.get, "/api/v1/users?limit=1").header(named: "X-Rate-Limit-Remaining") ?? "") }
        #expect(remaining == ["2", "1", "0"])
        let limited = try await sim.request(.get, "/api/v1/users?limit=1")
        #expect(limited.status == 429)
        #expect((try SimulatorHarness.json(limited) as! [String: Any])["errorCode"] as? String == "E0000047")
        #expect(limited.header(named: "X-Rate-Limit-Reset") == "1750000080")
        #expect(limited.header(named: "Date") == "Sun, 15 Jun 2025 15:07:00 GMT")
        // Other buckets are unaffected.
        #expect(try await sim.request(.get, "/api/v1/groups?limit=1").status == 200)
        clock.withLock { $0 += 60 }
        let reset = try await sim.request(.get, "/api/v1/users?limit=1")
        #expect(reset.status == 200 && reset.header(named: "X-Rate-Limit-Remaining") == "2")
        let stats = try SimulatorHarness.json(try await sim.control(.get, "/__sim/stats")) as! [String: Any]
        #expect((stats["rateLimited"] as! [String: Any])["/api/v1/users"] as? Int == 1)
        #expect((stats["peakWindowUse"] as! [String: Any])["/api/v1/users"] as? Double == 1.0)
        #expect((stats["requests"] as! [String: Any])["/api/v1/users"] as? Int == 6)
        #expect(try await sim.request(.get, "/__sim/stats", token: nil).status == 401)
        await sim.stop()
    }

    @Test func faultsApplyToTheNextMatchingRequests() async throws {
        let sim = try SimulatorHarness()
        let fault = #"{"path":"/api/v1/groups/{id}/users","method":"GET","fault":"500","skip":1,"count":2}"#
        #expect(try await sim.control(.post, "/__sim/faults", body: fault).status == 200)
        let gid = sim.server.groupIDs[1]
        var codes: [Int] = []
        for _ in 0..<4 { codes.append(try await sim.request(.get, "/api/v1/groups/\(gid)/users").status) }
        #expect(codes == [200, 500, 500, 200])
        // reset: the connection drops without a reply (libcurl retries once on a fresh connection, so two);
        // the next request is served normally.
        _ = try await sim.control(.post, "/__sim/faults", body: #"{"path":"/api/v1/users","fault":"reset","count":2}"#)
        await #expect(throws: (any Error).self) { try await sim.request(.get, "/api/v1/users?limit=3") }
        #expect(try await sim.request(.get, "/api/v1/users?limit=3").status == 200)
        _ = try await sim.control(.post, "/__sim/faults", body: #"{"path":"/api/v1/users","fault":"truncate"}"#)
        let truncated = try await sim.request(.get, "/api/v1/users?limit=3")
        #expect((try? JSONSerialization.jsonObject(with: truncated.body)) == nil)
        _ = try await sim.control(.post, "/__sim/faults", body: #"{"path":"/api/v1/users","fault":"html"}"#)
        let html = try await sim.request(.get, "/api/v1/users?limit=3")
        #expect(html.header(named: "Content-Type")?.hasPrefix("text/html") == true)
        _ = try await sim.control(.post, "/__sim/faults", body: #"{"path":"/api/v1/users","fault":"429"}"#)
        let storm = try await sim.request(.get, "/api/v1/users?limit=3")
        #expect(storm.status == 429 && storm.header(named: "X-Rate-Limit-Reset") != nil)
        _ = try await sim.control(.post, "/__sim/faults", body: #"{"path":"/api/v1/users","fault":"delay","delayMs":200}"#)
        let started = ContinuousClock.now
        #expect(try await sim.request(.get, "/api/v1/users?limit=3").status == 200)
        #expect(ContinuousClock.now - started >= .milliseconds(200))

        // A user deleted between two pages.
        let page1 = try await sim.request(.get, "/api/v1/users?limit=100")
        let ids = (try SimulatorHarness.json(page1) as! [[String: Any]]).map { $0["id"] as! String }
        let victim = sim.server.userIDs.last!
        _ = try await sim.control(.post, "/__sim/faults", body: #"{"path":"/api/v1/users","fault":"mutate","mutate":{"op":"delete-user","target":"\#(victim)"}}"#)
        let rest = try await sim.walk(SimulatorHarness.nextLink(page1.headers(named: "Link"))!)
        #expect(!rest.items.contains { $0["id"] as? String == victim })
        #expect(!ids.contains(victim))
        #expect(try await sim.request(.get, "/api/v1/users/\(victim)").status == 404)
        #expect(try await sim.control(.post, "/__sim/reset").status == 200)
        #expect(try await sim.request(.get, "/api/v1/users/\(victim)").status == 200)
        await sim.stop()
    }
}

extension Int {
    func expect(_ value: Int) { #expect(self == value) }
}
