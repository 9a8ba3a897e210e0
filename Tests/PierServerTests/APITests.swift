import Foundation
import PierCore
import PierHTTP
import PierServer
import PierStorage
import Testing

/// The REST API over HTTP against a real server (SQLite, port 0). Every response is validated against
/// `/openapi.json` at the end of each test (see ``APIFixture``).
struct APITests {
    @Test func apiRoutesNeedAValidBearerToken() async throws {
        try await APIFixture.run { api in
            let missing = try await api.call(.get, "/api/v1/users", token: .some(nil))
            #expect(missing.status == 401)
            #expect(missing.errorCode == "unauthorized")
            #expect(missing.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)

            let wrongScheme = try await api.call(.get, "/api/v1/users", token: .some(nil), headers: [(name: "Authorization", value: "Basic dXNlcjpwYXNz")])
            #expect(wrongScheme.status == 401)
            #expect(wrongScheme.errorCode == "unauthorized")

            let unknown = try await api.call(.get, "/api/v1/portal", token: "pier_" + String(repeating: "A", count: 43))
            #expect(unknown.status == 401)
            #expect(unknown.header("WWW-Authenticate") == #"Bearer realm="pier", error="invalid_token""#)
            let garbage = try await api.call(.get, "/api/v1/portal", token: "not-a-token")
            #expect(garbage.status == 401)

            let ok = try await api.call(.get, "/api/v1/portal")
            #expect(ok.status == 200)

            // Last use is recorded (at most once a minute; the first use always).
            let record = try #require(try await api.store.apiToken(hash: APITokenIssuer.hash(api.token)))
            #expect(record.lastUsedAt != nil)

            try await api.store.revokeAPIToken(record.id, at: Date())
            let revoked = try await api.call(.get, "/api/v1/portal")
            #expect(revoked.status == 401)
            #expect(revoked.errorCode == "unauthorized")
            #expect((revoked.json["error"] as? [String: Any])?["message"] as? String == "The API token has been revoked.")
        }
    }

    @Test func publicRoutesNeedNoToken() async throws {
        try await APIFixture.run { api in
            for path in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
                let reply = try await api.call(.get, path, token: .some(nil))
                #expect(reply.status == 200, "\(path)")
            }
            let document = try await api.call(.get, "/openapi.json", token: .some(nil))
            #expect(document.json["openapi"] as? String == "3.1.0")
        }
    }

    @Test func usersAreListedFilteredSearchedAndPaged() async throws {
        try await APIFixture.run { api in
            try await api.insertDomain("d1", orgID: "00o1")
            try await api.insertDomain("d2", orgID: "00o2")
            try await api.insertUser("u1", domain: "d1", login: "alice@acme.test", email: "alice@acme.test", first: "Alice", last: "Archer")
            try await api.insertUser("u2", domain: "d1", login: "bob@acme.test", first: "Bob", last: "100% Baker", status: "suspended", oktaStatus: "SUSPENDED")
            try await api.insertUser("u3", domain: "d1", login: "carol@acme.test", status: "deactivated", oktaStatus: "DEPROVISIONED")
            try await api.insertUser("u4", domain: "d2", login: "dave@other.test", first: "Dave")
            try await api.insertUser("u5", domain: "d2", login: "erin@other.test")
            try await api.insertGroup("g1", domain: "d1", name: "Engineering", members: ["u1", "u2"])
            try await api.insertGroup("g2", domain: "d1", name: "Everyone", type: "BUILT_IN", members: ["u1", "u2", "u3"])

            // Paging: 5 users in pages of 2, in login order, each page's cursor leading to the next.
            var logins: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let query = "/api/v1/users?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await api.call(.get, query)
                #expect(page.status == 200)
                logins += page.itemValues("login")
                cursor = page.nextCursor
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3)
            #expect(logins == ["alice@acme.test", "bob@acme.test", "carol@acme.test", "dave@other.test", "erin@other.test"])

            let inDomain = try await api.call(.get, "/api/v1/users?domain=d2")
            #expect(inDomain.itemValues("login") == ["dave@other.test", "erin@other.test"])
            #expect(inDomain.json["nextCursor"] is NSNull)
            let suspended = try await api.call(.get, "/api/v1/users?domain=d1&status=suspended")
            #expect(suspended.itemValues("id") == ["u2"])
            let byName = try await api.call(.get, "/api/v1/users?q=ARCHER")
            #expect(byName.itemValues("id") == ["u1"])
            let literalPercent = try await api.call(.get, "/api/v1/users?q=100%25")
            #expect(literalPercent.itemValues("id") == ["u2"])
            let wildcardIsLiteral = try await api.call(.get, "/api/v1/users?q=_")
            #expect(wildcardIsLiteral.items.isEmpty)

            let alice = try #require(try await api.call(.get, "/api/v1/users?q=alice").items.first)
            #expect(alice["domainId"] as? String == "d1")
            #expect(alice["oktaId"] as? String == "00uu1")
            #expect(alice["status"] as? String == "active")
            #expect(alice["oktaStatus"] as? String == "ACTIVE")
            #expect(alice["title"] is NSNull)

            let detail = try await api.call(.get, "/api/v1/users/u1", template: "/api/v1/users/{id}")
            #expect(detail.status == 200)
            #expect(detail.json["login"] as? String == "alice@acme.test")
            #expect((detail.json["groups"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Engineering", "Everyone"])

            let missing = try await api.call(.get, "/api/v1/users/nope", template: "/api/v1/users/{id}")
            #expect(missing.status == 404)
            #expect(missing.errorCode == "not_found")

            // Problems accumulate into one 422.
            let invalid = try await api.call(.get, "/api/v1/users?status=gone&limit=0&cursor=zzz")
            #expect(invalid.status == 422)
            #expect(invalid.errorCode == "validation_failed")
            #expect(Set(invalid.errorDetails.keys) == ["status", "limit", "cursor"])

            // A cursor of another listing is refused.
            let groupsPage = try await api.call(.get, "/api/v1/groups?limit=1")
            let foreign = try #require(groupsPage.nextCursor)
            let replay = try await api.call(.get, "/api/v1/users?cursor=\(foreign)")
            #expect(replay.status == 422)
            #expect(replay.errorDetails["cursor"] != nil)
        }
    }

    @Test func groupsAndMembers() async throws {
        try await APIFixture.run { api in
            try await api.insertDomain("d1", orgID: "00o1")
            try await api.insertDomain("d2", orgID: "00o2")
            try await api.insertUser("u1", domain: "d1", login: "alice@acme.test")
            try await api.insertUser("u2", domain: "d1", login: "bob@acme.test")
            try await api.insertUser("u3", domain: "d1", login: "carol@acme.test")
            try await api.insertGroup("g1", domain: "d1", name: "Engineering", members: ["u1", "u2", "u3"])
            try await api.insertGroup("g2", domain: "d1", name: "Everyone", type: "BUILT_IN", members: ["u1", "u2", "u3"])
            try await api.insertGroup("g3", domain: "d2", name: "Sales (EMEA)", type: "APP_GROUP")

            let all = try await api.call(.get, "/api/v1/groups")
            #expect(all.itemValues("name") == ["Engineering", "Everyone", "Sales (EMEA)"])
            let first = try #require(all.items.first)
            #expect(first["memberCount"] as? Int == 3)
            #expect(first["type"] as? String == "OKTA_GROUP")
            #expect(first["oktaId"] as? String == "00gg1")
            #expect(first["description"] as? String == "About Engineering")

            #expect(try await api.call(.get, "/api/v1/groups?type=APP_GROUP").itemValues("id") == ["g3"])
            #expect(try await api.call(.get, "/api/v1/groups?domain=d1&q=every").itemValues("id") == ["g2"])
            let badType = try await api.call(.get, "/api/v1/groups?type=SECURITY")
            #expect(badType.status == 422)
            #expect(badType.errorDetails["type"] != nil)

            let group = try await api.call(.get, "/api/v1/groups/g3", template: "/api/v1/groups/{id}")
            #expect(group.json["memberCount"] as? Int == 0)

            let template = "/api/v1/groups/{id}/members"
            let page1 = try await api.call(.get, "/api/v1/groups/g1/members?limit=2", template: template)
            #expect(page1.itemValues("login") == ["alice@acme.test", "bob@acme.test"])
            let cursor = try #require(page1.nextCursor)
            let page2 = try await api.call(.get, "/api/v1/groups/g1/members?limit=2&cursor=\(cursor)", template: template)
            #expect(page2.itemValues("login") == ["carol@acme.test"])
            #expect(page2.nextCursor == nil)
            // A members cursor belongs to its group.
            let otherGroup = try await api.call(.get, "/api/v1/groups/g2/members?cursor=\(cursor)", template: template)
            #expect(otherGroup.status == 422)

            let unknown = try await api.call(.get, "/api/v1/groups/nope/members", template: template)
            #expect(unknown.status == 404)
            #expect(unknown.errorCode == "not_found")
        }
    }

    @Test func portalIsReadAndReplacedWithValidation() async throws {
        try await APIFixture.run { api in
            let initial = try await api.call(.get, "/api/v1/portal")
            #expect(initial.json["name"] as? String == "Harness")
            #expect(initial.json["timeZone"] as? String == "UTC")

            let json = [(name: "Content-Type", value: "application/json")]
            let updated = try await api.call(.put, "/api/v1/portal", headers: json, body: Data(#"{"name": " Acme MDM ", "timeZone": "Europe/Berlin"}"#.utf8))
            #expect(updated.status == 200)
            #expect(updated.json["name"] as? String == "Acme MDM")
            let reread = try await api.call(.get, "/api/v1/portal")
            #expect(reread.json["timeZone"] as? String == "Europe/Berlin")
            let audit = try await api.store.auditEntries(limit: 10, before: nil)
            #expect(audit.first?.action == "portal.update")
            #expect(audit.first?.actor.hasPrefix("token:") == true)

            let invalid = try await api.call(.put, "/api/v1/portal", headers: json, body: Data(#"{"name": "", "timeZone": "Mars/Olympus"}"#.utf8))
            #expect(invalid.status == 422)
            #expect(invalid.errorCode == "validation_failed")
            #expect(Set(invalid.errorDetails.keys) == ["name", "timeZone"])
            let missing = try await api.call(.put, "/api/v1/portal", headers: json, body: Data("{}".utf8))
            #expect(missing.errorDetails == ["name": "is required", "timeZone": "is required"])

            let malformed = try await api.call(.put, "/api/v1/portal", headers: json, body: Data("{".utf8))
            #expect(malformed.status == 400)
            #expect(malformed.errorCode == "invalid_request")
            let wrongType = try await api.call(.put, "/api/v1/portal", headers: [(name: "Content-Type", value: "text/plain")], body: Data("x".utf8))
            #expect(wrongType.status == 415)
            #expect(wrongType.errorCode == "unsupported_media_type")
            let huge = try await api.call(.put, "/api/v1/portal", headers: json, body: Data(repeating: 0x20, count: 20_000))
            #expect(huge.status == 413)
            #expect(huge.errorCode == "payload_too_large")

            #expect(try await api.call(.get, "/api/v1/portal").json["name"] as? String == "Acme MDM")
        }
    }
}
