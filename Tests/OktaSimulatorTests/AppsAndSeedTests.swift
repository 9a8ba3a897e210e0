import Foundation
@testable import OktaSimulator
import PierHTTP
import Synchronization
import Testing

@Suite struct SeedProportionTests {
    /// DESIGN.md §10 proportions at a small scale: memberships outside Everyone ≥ 2 × users, largest ≥ 20 %.
    @Test func seedHasSkewedGroupsWithDesignProportions() async throws {
        let a = try SimulatorHarness(users: 3_000, groups: 60)
        let b = try SimulatorHarness(users: 3_000, groups: 60)
        let summary = a.server.summary
        #expect(summary.users == 3_000 && summary.groups == 60)
        #expect(summary.memberships >= 2 * 3_000, "memberships \(summary.memberships)")
        #expect(summary.largestGroup >= 600, "largest \(summary.largestGroup)")
        // Skewed: a few huge groups, many small ones.
        let sizes = a.server.groupIDs.filter { a.server.groupTypes[$0] != "BUILT_IN" }.map { a.server.memberIDs(of: $0).count }.sorted()
        #expect(sizes[sizes.count / 2] * 5 < summary.largestGroup, "median \(sizes[sizes.count / 2]) vs largest \(summary.largestGroup)")
        // Deterministic by seed: same members in the same groups.
        #expect(b.server.summary.memberships == summary.memberships)
        for id in a.server.groupIDs { #expect(a.server.memberIDs(of: id) == b.server.memberIDs(of: id)) }
        await a.stop()
        await b.stop()
    }

    /// Pre-encoded list bytes are exactly the JSON tree's encoding, for every status and provider.
    @Test func directListEncodingEqualsTheJSONTree() {
        let state = OrgState.seeded(
            userCount: 500, groupCount: 5, seed: 11, base: "http://127.0.0.1:1", password: "p", behaviour: .init()
        )
        for user in state.users.values {
            #expect(user.listBytes == user.json(base: state.base, full: false).encoded, "\(user.id)")
        }
        #expect(Set(state.users.values.map(\.providerType)) == ["OKTA", "ACTIVE_DIRECTORY"])
    }

    /// The size law at the benchmark scale (100k users, 2,000 groups) without seeding it in a debug build.
    @Test func sizeLawMeetsDesignAtBenchmarkScale() {
        let sizes = SeedData.groupSizes(users: 100_000, groups: 1_999)
        #expect(sizes.count == 1_999)
        #expect(sizes.reduce(0, +) >= 200_000)
        #expect(sizes.max()! >= 20_000)
        #expect(sizes.min()! >= 1)
        #expect(sizes.filter { $0 < 100 }.count > 1_000, "many small groups")
        #expect(SeedData.groupSizes(users: 100_000, groups: 1_999) == sizes)
    }
}

@Suite struct AppsAPITests {
    static let createBody = #"""
    {"name":"oidc_client","label":"Acme MDM Enrollment","signOnMode":"OPENID_CONNECT",
     "credentials":{"oauthClient":{"token_endpoint_auth_method":"client_secret_basic","pkce_required":true}},
     "settings":{"oauthClient":{"application_type":"web","redirect_uris":["https://mdm.acme.example/oauth/okta/callback"],
       "post_logout_redirect_uris":["https://mdm.acme.example/"],"response_types":["code"],"grant_types":["authorization_code"],
       "consent_method":"TRUSTED","issuer_mode":"ORG_URL"}},
     "profile":{"label":"pier"}}
    """#

    static func spec(_ name: String) throws -> Any { try Fixtures.load("spec-examples/\(name)") }
    static func docs(_ name: String) throws -> Any { try Fixtures.load("docs-examples/\(name)") }

    @Test func oidcAppLifecycleAssignmentsAndSystemLog() async throws {
        let clock = Mutex(Date(timeIntervalSince1970: 1_750_000_000))
        let sim = try SimulatorHarness(users: 200, groups: 8) { $0.now = { clock.withLock { $0 } } }

        // Create: client_id = app id, a generated secret, the spec example's key set.
        let createdResponse = try await sim.request(.post, "/api/v1/apps?activate=true", body: Self.createBody)
        #expect(createdResponse.status == 200)
        let created = try SimulatorHarness.json(createdResponse) as! [String: Any]
        let id = created["id"] as! String
        #expect(id.hasPrefix("0oa") && id.count == 20)
        #expect(created["status"] as? String == "ACTIVE")
        let client = ((created["credentials"] as! [String: Any])["oauthClient"] as! [String: Any])
        #expect(client["client_id"] as? String == id)
        let secret = try #require(client["client_secret"] as? String)
        #expect(secret.count >= 14 && secret.count <= 100)
        #expect(client["pkce_required"] as? Bool == true)

        // Validation and read-only tokens.
        let invalid = try await sim.request(.post, "/api/v1/apps", body: #"{"name":"oidc_client","signOnMode":"OPENID_CONNECT"}"#)
        #expect(invalid.status == 400)
        #expect((try SimulatorHarness.json(invalid) as! [String: Any])["errorCode"] as? String == "E0000001")
        #expect(try await sim.request(.post, "/api/v1/apps", token: SimulatorHarness.readOnlyToken, body: Self.createBody).status == 403)

        // Get (no secret), list with q prefix on label or name, paging.
        let fetched = try SimulatorHarness.json(try await sim.request(.get, "/api/v1/apps/\(id)")) as! [String: Any]
        #expect(((fetched["credentials"] as! [String: Any])["oauthClient"] as! [String: Any])["client_secret"] == nil)
        #expect(try await sim.request(.get, "/api/v1/apps/0oamissingmissing000").status == 404)
        // The spec's own create request gives the spec's response key set.
        let specRequest = String(decoding: try JSONSerialization.data(withJSONObject: try Self.spec("app-oidc-create-request.json")), as: UTF8.self)
        let second = try SimulatorHarness.json(try await sim.request(.post, "/api/v1/apps", body: specRequest)) as! [String: Any]
        let createDifferences = Fixtures.differences(fixture: try Self.spec("app-oidc-create-response.json"), simulated: second)
        #expect(createDifferences == [], "\(createDifferences)")
        #expect(try await sim.request(.post, "/api/v1/apps/\(second["id"] as! String)/lifecycle/deactivate").status == 200)
        let byLabel = try SimulatorHarness.json(try await sim.request(.get, "/api/v1/apps?q=acme%20mdm")) as! [[String: Any]]
        #expect(byLabel.map { $0["id"] as! String } == [id])
        let byName = try SimulatorHarness.json(try await sim.request(.get, "/api/v1/apps?q=oidc")) as! [[String: Any]]
        #expect(byName.count == 2)
        let paged = try await sim.walk("/api/v1/apps?limit=1")
        #expect(paged.pages == 2 && paged.items.map { $0["id"] as! String } == [id, second["id"] as! String])
        let inactive = try SimulatorHarness.json(try await sim.request(.get, "/api/v1/apps?filter=status%20eq%20%22INACTIVE%22")) as! [[String: Any]]
        #expect(inactive.map { $0["id"] as! String } == [second["id"] as! String])

        // PUT replaces: a second redirect URI, same id, client_id and secret.
        clock.withLock { $0 += 10 }
        let replaced = try SimulatorHarness.json(try await sim.request(.put, "/api/v1/apps/\(id)", body: Self.createBody.replacingOccurrences(
            of: #""redirect_uris":["https://mdm.acme.example/oauth/okta/callback"]"#,
            with: #""redirect_uris":["https://mdm.acme.example/oauth/okta/callback","https://mdm.acme.example/cb2"]"#))) as! [String: Any]
        let replacedClient = (replaced["credentials"] as! [String: Any])["oauthClient"] as! [String: Any]
        #expect(replacedClient["client_id"] as? String == id && replacedClient["client_secret"] as? String == secret)
        #expect(((replaced["settings"] as! [String: Any])["oauthClient"] as! [String: Any])["redirect_uris"] as? [String] == [
            "https://mdm.acme.example/oauth/okta/callback", "https://mdm.acme.example/cb2",
        ])
        #expect(replaced["lastUpdated"] as? String == "2025-06-15T15:06:50.000Z")

        // Group assignment: the spec example's shape; members become GROUP-scoped app users.
        let group = sim.server.groupIDs.first { sim.server.groupTypes[$0] == "OKTA_GROUP" }!
        let assignment = try await sim.request(.put, "/api/v1/apps/\(id)/groups/\(group)", body: "{}")
        #expect(assignment.status == 200)
        #expect(Fixtures.differences(
            fixture: try Self.spec("app-group-assignment-put-response.json"), simulated: try SimulatorHarness.json(assignment)
        ) == [])
        let assignments = try SimulatorHarness.json(try await sim.request(.get, "/api/v1/apps/\(id)/groups")) as! [[String: Any]]
        #expect(assignments.map { $0["id"] as! String } == [group])
        #expect(try await sim.request(.get, "/api/v1/apps/\(id)/groups/\(group)").status == 200)
        let statuses = sim.server.userStatuses
        let members = sim.server.memberIDs(of: group).filter { statuses[$0] != "DEPROVISIONED" }
        let appUsers = try await sim.walk("/api/v1/apps/\(id)/users?limit=7")
        #expect(appUsers.items.map { $0["id"] as! String } == members)
        #expect(appUsers.items.allSatisfy { $0["scope"] as? String == "GROUP" })
        let appUser = try SimulatorHarness.json(try await sim.request(.get, "/api/v1/apps/\(id)/users/\(members[0])")) as! [String: Any]
        var expectedKeys = Set((try Self.spec("app-user-assign-response.json") as! [String: Any]).keys)
        #expect(Set(appUser.keys) == expectedKeys)

        // A direct assignment of someone outside the group, then removal (204); a group-granted one is refused.
        let outsider = sim.server.userIDs.first { !members.contains($0) && statuses[$0] == "ACTIVE" }!
        let direct = try await sim.request(.post, "/api/v1/apps/\(id)/users", body: #"{"id":"\#(outsider)","scope":"USER","credentials":{"userName":"x@acme.example"}}"#)
        #expect(direct.status == 200)
        let directBody = try SimulatorHarness.json(direct) as! [String: Any]
        expectedKeys = Set((try Self.spec("app-user-assign-response.json") as! [String: Any]).keys)
        #expect(Set(directBody.keys) == expectedKeys && directBody["scope"] as? String == "USER")
        #expect(try await sim.request(.delete, "/api/v1/apps/\(id)/users/\(outsider)").status == 204)
        #expect(try await sim.request(.get, "/api/v1/apps/\(id)/users/\(outsider)").status == 404)
        let refused = try await sim.request(.delete, "/api/v1/apps/\(id)/users/\(members[0])")
        #expect(refused.status == 403)
        var refusedBody = try SimulatorHarness.json(refused) as! [String: Any]
        var recorded = try Self.docs("app-user-unassign-group-granted-403.json") as! [String: Any]
        refusedBody["errorId"] = nil
        recorded["errorId"] = nil
        #expect(NSDictionary(dictionary: refusedBody).isEqual(to: recorded))
        #expect(try await sim.request(.get, "/api/v1/apps/\(id)/users/\(members[0])").status == 200)

        // Unassign the group; then lifecycle: delete refused while ACTIVE, allowed when INACTIVE.
        #expect(try await sim.request(.delete, "/api/v1/apps/\(id)/groups/\(group)").status == 204)
        #expect((try SimulatorHarness.json(try await sim.request(.get, "/api/v1/apps/\(id)/users")) as! [Any]).isEmpty)
        let activeDelete = try await sim.request(.delete, "/api/v1/apps/\(id)")
        #expect(activeDelete.status == 403)
        #expect((try SimulatorHarness.json(activeDelete) as! [String: Any])["errorCode"] as? String == "E0000056")
        let deactivate = try await sim.request(.post, "/api/v1/apps/\(id)/lifecycle/deactivate")
        #expect(deactivate.status == 200 && String(decoding: deactivate.body, as: UTF8.self) == "{}")
        #expect((try SimulatorHarness.json(try await sim.request(.get, "/api/v1/apps/\(id)")) as! [String: Any])["status"] as? String == "INACTIVE")
        #expect(try await sim.request(.post, "/api/v1/apps/\(id)/lifecycle/activate").status == 200)
        #expect(try await sim.request(.post, "/api/v1/apps/\(id)/lifecycle/deactivate").status == 200)
        #expect(try await sim.request(.delete, "/api/v1/apps/\(id)").status == 204)
        #expect(try await sim.request(.get, "/api/v1/apps/\(id)").status == 404)

        let events = try SimulatorHarness.json(try await sim.request(.get, "/api/v1/logs?since=2025-06-15T00:00:00.000Z&limit=1000")) as! [[String: Any]]
        #expect(events.map { $0["eventType"] as! String } == [
            "application.lifecycle.create", "application.lifecycle.activate", "application.lifecycle.create",
            "application.lifecycle.activate", "application.lifecycle.deactivate",
            "application.lifecycle.update", "group.application_assignment.add", "application.user_membership.add",
            "application.user_membership.remove", "group.application_assignment.remove", "application.lifecycle.deactivate",
            "application.lifecycle.activate", "application.lifecycle.deactivate", "application.lifecycle.delete",
        ])
        await sim.stop()
    }

    /// The `filter` attributes Okta's spec lists for `GET /api/v1/apps` (`id`, `status`, `credentials.signing.kid`,
    /// `settings.slo.enabled`, `name`) plus `user.id` (REFERENCE §5.2). schemathesis found the spec's own
    /// explicit example (`filter=credentials.signing.kid eq "…"`) answered with 400 E0000031.
    @Test func appListAcceptsEveryFilterOfTheSpec() async throws {
        let sim = try SimulatorHarness(users: 200, groups: 8)
        let first = try SimulatorHarness.json(try await sim.request(.post, "/api/v1/apps?activate=true", body: Self.createBody)) as! [String: Any]
        let second = try SimulatorHarness.json(try await sim.request(
            .post, "/api/v1/apps?activate=false", body: Self.createBody.replacingOccurrences(of: "Acme MDM Enrollment", with: "Acme MDM Staging")
        )) as! [String: Any]
        let firstID = first["id"] as! String, secondID = second["id"] as! String
        let statuses = sim.server.userStatuses
        let group = sim.server.groupIDs.first { sim.server.groupTypes[$0] == "OKTA_GROUP" }!
        let member = sim.server.memberIDs(of: group).first { statuses[$0] == "ACTIVE" }!
        let outsider = sim.server.userIDs.first { !sim.server.memberIDs(of: group).contains($0) && statuses[$0] == "ACTIVE" }!
        #expect(try await sim.request(.put, "/api/v1/apps/\(firstID)/groups/\(group)", body: "{}").status == 200)
        #expect(try await sim.request(.post, "/api/v1/apps/\(secondID)/users", body: #"{"id":"\#(outsider)","scope":"USER"}"#).status == 200)

        func ids(_ filter: String, extra: String = "") async throws -> [String] {
            let encoded = filter.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let response = try await sim.request(.get, "/api/v1/apps?filter=\(encoded)\(extra)")
            #expect(response.status == 200, "\(filter): \(String(decoding: response.body, as: UTF8.self))")
            return (try SimulatorHarness.json(response) as? [[String: Any]] ?? []).map { $0["id"] as! String }
        }
        let kid = ((first["credentials"] as! [String: Any])["signing"] as! [String: Any])["kid"] as! String
        #expect(try await ids(#"credentials.signing.kid eq "\#(kid)""#) == [firstID, secondID])
        // The spec's explicit example, as schemathesis sends it: a key the org does not have, so no app.
        #expect(try await ids(
            #"credentials.signing.kid eq "SIMcCQNY3uwXoW3y0vf6VxiBb5n9pf8L2fK8d-F1bm4""#,
            extra: "&q=Okta&after=16278919418571&expand=user%2F0oa1gjh63g214q0Hq0g4"
        ) == [])
        // Single logout is a SAML setting: OIDC apps match neither value.
        #expect(try await ids("settings.slo.enabled eq true") == [])
        #expect(try await ids("settings.slo.enabled eq false") == [])
        // user.id: through a group assignment or a direct one.
        #expect(try await ids(#"user.id eq "\#(member)""#) == [firstID])
        #expect(try await ids(#"user.id eq "\#(outsider)""#) == [secondID])
        #expect(try await ids(#"user.id eq "\#(member)" or user.id eq "\#(outsider)""#) == [firstID, secondID])
        #expect(try await ids(#"status eq "ACTIVE" and name eq "oidc_client""#) == [firstID])
        // Operators the attribute does not take are still refused, as Okta does (E0000031).
        let refused = try await sim.request(.get, "/api/v1/apps?filter=credentials.signing.kid%20sw%20%22sim%22")
        #expect(refused.status == 400)
        #expect((try SimulatorHarness.json(refused) as! [String: Any])["errorCode"] as? String == "E0000031")
        await sim.stop()
    }
}
