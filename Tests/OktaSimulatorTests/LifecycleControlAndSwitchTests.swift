import Foundation
import OktaSimulator
import PierHTTP
import Synchronization
import Testing

/// Parts of issue 3 the other suites leave out: the remaining lifecycle operations, group filters and
/// limits, a user's groups, the 503 fault and the other two mutations, the concurrency cap, rate-limit
/// headers on errors, and each [U] behaviour switched both ways.
@Suite struct LifecycleControlAndSwitchTests {
    static func object(_ response: HTTPClientResponse) throws -> [String: Any] { try SimulatorHarness.json(response) as! [String: Any] }
    static func list(_ response: HTTPClientResponse) throws -> [[String: Any]] { try SimulatorHarness.json(response) as! [[String: Any]] }

    @Test func unlockExpirePasswordAndReactivateFollowOkta() async throws {
        let clock = Mutex(Date(timeIntervalSince1970: 1_750_000_000))
        let sim = try SimulatorHarness { $0.now = { clock.withLock { $0 } } }
        let statuses = sim.server.userStatuses
        let locked = try #require(statuses.filter { $0.value == "LOCKED_OUT" }.keys.sorted().first)
        let active = try #require(statuses.filter { $0.value == "ACTIVE" && $0.key != sim.server.adminUserID }.keys.sorted().first)
        let provisioned = try #require(statuses.filter { $0.value == "PROVISIONED" }.keys.sorted().first)

        let unlocked = try await sim.request(.post, "/api/v1/users/\(locked)/lifecycle/unlock")
        #expect(unlocked.status == 200 && String(decoding: unlocked.body, as: UTF8.self) == "{}")
        let afterUnlock = try Self.object(try await sim.request(.get, "/api/v1/users/\(locked)"))
        #expect(afterUnlock["status"] as? String == "ACTIVE")
        #expect(afterUnlock["lastUpdated"] as? String == "2025-06-15T15:06:40.000Z")
        let again = try await sim.request(.post, "/api/v1/users/\(locked)/lifecycle/unlock")
        #expect(again.status == 403)
        #expect(try Self.object(again)["errorCode"] as? String == "E0000038")

        clock.withLock { $0 += 5 }
        let expired = try Self.object(try await sim.request(.post, "/api/v1/users/\(active)/lifecycle/expire_password"))
        #expect(expired["id"] as? String == active && expired["status"] as? String == "PASSWORD_EXPIRED")
        #expect(expired["statusChanged"] as? String == "2025-06-15T15:06:45.000Z")
        #expect(try await sim.request(.post, "/api/v1/users/\(provisioned)/lifecycle/expire_password").status == 403)

        let reactivated = try await sim.request(.post, "/api/v1/users/\(provisioned)/lifecycle/reactivate?sendEmail=false")
        #expect(reactivated.status == 200)
        #expect(try await sim.request(.post, "/api/v1/users/\(active)/lifecycle/reactivate").status == 403)

        let events = try Self.list(try await sim.request(.get, "/api/v1/logs?since=2025-06-15T00:00:00.000Z&limit=1000"))
        #expect(events.map { $0["eventType"] as! String } == [
            "user.account.unlock_by_admin", "user.account.expire_password", "user.lifecycle.reactivate",
        ])
        #expect(events.map { ($0["target"] as! [[String: Any]])[0]["id"] as! String } == [locked, active, provisioned])
        await sim.stop()
    }

    @Test func groupFiltersLimitsAndAUsersGroups() async throws {
        let clock = Mutex(Date(timeIntervalSince1970: 1_750_000_000))
        let sim = try SimulatorHarness { $0.now = { clock.withLock { $0 } } }
        let okta = sim.server.groupIDs.filter { sim.server.groupTypes[$0] == "OKTA_GROUP" }
        let user = sim.server.userIDs.first { !sim.server.memberIDs(of: okta[0]).contains($0) }!
        #expect(try await sim.request(.put, "/api/v1/groups/\(okta[0])/users/\(user)").status == 204)
        clock.withLock { $0 += 60 }
        var renamed = try Self.object(try await sim.request(.get, "/api/v1/groups/\(okta[1])"))
        renamed["profile"] = ["name": "Renamed", "description": "later"]
        let body = String(decoding: try JSONSerialization.data(withJSONObject: renamed), as: UTF8.self)
        #expect(try await sim.request(.put, "/api/v1/groups/\(okta[1])", body: body).status == 200)

        func ids(_ query: String) async throws -> [String] {
            try Self.list(try await sim.request(.get, "/api/v1/groups?\(query)")).map { $0["id"] as! String }
        }
        #expect(try await ids("filter=lastMembershipUpdated%20gt%20%222025-06-15T00:00:00.000Z%22") == [okta[0]])
        #expect(try await ids("filter=lastUpdated%20gt%20%222025-06-15T15:06:59.000Z%22") == [okta[1]])
        let both = "filter=lastUpdated%20gt%20%222025-06-15T00:00:00.000Z%22%20or%20lastMembershipUpdated%20gt%20%222025-06-15T00:00:00.000Z%22"
        #expect(Set(try await ids(both)) == [okta[0], okta[1]])
        let typed = "filter=type%20eq%20%22OKTA_GROUP%22%20and%20lastMembershipUpdated%20lt%20%222025-06-15T00:00:00.000Z%22"
        #expect(Set(try await ids(typed)) == Set(okta.dropFirst()))

        // `limit` is clamped to 10,000 for groups (the recorded default page's self link says limit=10000).
        let clamped = try await sim.request(.get, "/api/v1/groups?limit=20000")
        #expect(clamped.headers(named: "Link").first == "<\(sim.base)/api/v1/groups?limit=10000>; rel=\"self\"")
        #expect(try Self.list(clamped).count == sim.server.groupIDs.count)

        // A user's groups: every group that lists the user, Everyone included.
        let expected = Set(sim.server.groupIDs.filter { sim.server.memberIDs(of: $0).contains(user) })
        let groups = try Self.list(try await sim.request(.get, "/api/v1/users/\(user)/groups"))
        #expect(Set(groups.map { $0["id"] as! String }) == expected)
        #expect(expected.contains(okta[0]) && groups.contains { $0["type"] as? String == "BUILT_IN" })
        await sim.stop()
    }

    @Test func fault503AndMutationsBetweenPages() async throws {
        let sim = try SimulatorHarness()
        _ = try await sim.control(.post, "/__sim/faults", body: #"{"path":"/api/v1/groups","fault":"503"}"#)
        let unavailable = try await sim.request(.get, "/api/v1/groups")
        #expect(unavailable.status == 503)
        #expect(try await sim.request(.get, "/api/v1/groups").status == 200)

        // A status changed between two pages: the next page (and the user) shows the new status.
        let page1 = try await sim.request(.get, "/api/v1/users?limit=100")
        let victim = sim.server.userIDs.last { sim.server.userStatuses[$0] == "ACTIVE" }!
        _ = try await sim.control(.post, "/__sim/faults", body: #"{"path":"/api/v1/users","fault":"mutate","mutate":{"op":"set-status","target":"\#(victim)","status":"SUSPENDED"}}"#)
        let rest = try await sim.walk(SimulatorHarness.nextLink(page1.headers(named: "Link"))!)
        let seen = try #require((try Self.list(page1) + rest.items).first { $0["id"] as? String == victim })
        #expect(seen["status"] as? String == "SUSPENDED")

        // A member removed between two pages of a group's members.
        let group = sim.server.groupIDs.filter { sim.server.groupTypes[$0] != "BUILT_IN" }.max { sim.server.memberIDs(of: $0).count < sim.server.memberIDs(of: $1).count }!
        let members = sim.server.memberIDs(of: group)
        #expect(members.count > 20)
        let first = try await sim.request(.get, "/api/v1/groups/\(group)/users?limit=10")
        let leaving = members.last!
        _ = try await sim.control(.post, "/__sim/faults", body: #"{"path":"/api/v1/groups/{id}/users","fault":"mutate","mutate":{"op":"remove-member","target":"\#(leaving)","group":"\#(group)"}}"#)
        let others = try await sim.walk(SimulatorHarness.nextLink(first.headers(named: "Link"))!)
        let walked = try Self.list(first).map { $0["id"] as! String } + others.items.map { $0["id"] as! String }
        #expect(walked == Array(members.dropLast()))
        #expect(!sim.server.memberIDs(of: group).contains(leaving))
        await sim.stop()
    }

    @Test func concurrencyCapAnswers429WithZeroLimitAndRateHeadersComeWithErrors() async throws {
        let sim = try SimulatorHarness()
        #expect(try await sim.control(.put, "/__sim/rate-limits", body: #"{"concurrency":1}"#).status == 200)
        _ = try await sim.control(.post, "/__sim/faults", body: #"{"path":"/api/v1/groups","fault":"delay","delayMs":3000}"#)
        async let slow = sim.request(.get, "/api/v1/groups")
        // Wait until the slow request is admitted (counted) and sleeping, however busy the machine is.
        for _ in 0..<250 {
            let stats = try SimulatorHarness.json(try await sim.control(.get, "/__sim/stats")) as! [String: Any]
            if (stats["requests"] as? [String: Any])?["/api/v1/groups"] as? Int == 1 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        let refused = try await sim.request(.get, "/api/v1/users?limit=1")
        #expect(refused.status == 429)
        #expect((try Self.object(refused))["errorCode"] as? String == "E0000047")
        #expect(refused.header(named: "X-Rate-Limit-Limit") == "0" && refused.header(named: "X-Rate-Limit-Remaining") == "0")
        #expect(try await slow.status == 200)
        #expect(try await sim.request(.get, "/api/v1/users?limit=1").status == 200)

        // Errors carry the rate-limit headers and Date too.
        for response in [
            try await sim.request(.get, "/api/v1/users/nobody@example.com"),
            try await sim.request(.get, "/api/v1/users?filter=nonsense"),
            try await sim.request(.post, "/api/v1/groups", token: SimulatorHarness.readOnlyToken, body: #"{"profile":{"name":"x"}}"#),
        ] {
            #expect(response.status >= 400)
            #expect(response.header(named: "X-Rate-Limit-Limit") != nil && response.header(named: "X-Rate-Limit-Remaining") != nil)
            #expect(response.header(named: "X-Rate-Limit-Reset") != nil && response.header(named: "Date") != nil)
        }
        await sim.stop()
    }

    @Test func unconfirmedBehavioursAreSwitchable() async throws {
        // Defaults.
        let plain = try SimulatorHarness(users: 200, groups: 6, profile: .oktaDefault)
        // Every [U] switch the other way.
        let switched = try SimulatorHarness(users: 200, groups: 6, profile: .oktaDefault) {
            $0.behaviour.nextLinkOnExactlyFullLastPage = true
            $0.behaviour.deprovisionedUsersInMemberLists = false
            $0.behaviour.membersShareGroupBucket = false
            $0.behaviour.membershipChangeTouchesUser = true
            $0.behaviour.deleteActiveAppIsE0000056 = false
        }
        for sim in [plain, switched] {
            let isSwitched = sim === switched
            let everyone = sim.server.groupIDs.first { sim.server.groupTypes[$0] == "BUILT_IN" }!
            let statuses = sim.server.userStatuses

            // A last page exactly full: an extra empty page only when switched.
            let members = sim.server.memberIDs(of: everyone)
            let listed = members.filter { isSwitched ? statuses[$0] != "DEPROVISIONED" : true }
            let walk = try await sim.walk("/api/v1/groups/\(everyone)/users?limit=\(listed.count)")
            #expect(walk.pages == (isSwitched ? 2 : 1))
            // DEPROVISIONED members listed by default, left out when switched.
            #expect(walk.items.map { $0["id"] as! String } == listed)
            #expect(members.contains { statuses[$0] == "DEPROVISIONED" })

            // Members share the group's bucket by default: the second request sees one fewer remaining.
            let group = try await sim.request(.get, "/api/v1/groups/\(everyone)")
            let memberPage = try await sim.request(.get, "/api/v1/groups/\(everyone)/users?limit=1")
            let groupRemaining = Int(group.header(named: "X-Rate-Limit-Remaining") ?? "") ?? -1
            let memberRemaining = Int(memberPage.header(named: "X-Rate-Limit-Remaining") ?? "") ?? -1
            #expect(isSwitched ? memberRemaining != groupRemaining - 1 : memberRemaining == groupRemaining - 1)

            // A membership change moves the member's own lastUpdated only when switched.
            let okta = sim.server.groupIDs.first { sim.server.groupTypes[$0] == "OKTA_GROUP" }!
            let user = sim.server.userIDs.first { statuses[$0] == "ACTIVE" && !sim.server.memberIDs(of: okta).contains($0) }!
            let before = try Self.object(try await sim.request(.get, "/api/v1/users/\(user)"))["lastUpdated"] as! String
            #expect(try await sim.request(.put, "/api/v1/groups/\(okta)/users/\(user)").status == 204)
            let after = try Self.object(try await sim.request(.get, "/api/v1/users/\(user)"))["lastUpdated"] as! String
            #expect(isSwitched ? after != before : after == before)

            // Deleting an ACTIVE app: 403 E0000056 by default, 400 E0000001 when switched.
            let app = try Self.object(try await sim.request(.post, "/api/v1/apps?activate=true", body: AppsAPITests.createBody))
            let refused = try await sim.request(.delete, "/api/v1/apps/\(app["id"] as! String)")
            #expect(refused.status == (isSwitched ? 400 : 403))
            #expect((try Self.object(refused))["errorCode"] as? String == (isSwitched ? "E0000001" : "E0000056"))
        }
        await plain.stop()
        await switched.stop()
    }
}
