import Foundation
import PierCore
import PierHTTP
import PierLogging
import PierServer
import PierStorage
import Testing

/// The domain and sync routes over HTTP against the in-process Okta simulator: token-check errors,
/// add, duplicate org, first sync, Sync Now, users, update, deletion — and no secret anywhere.
@Suite(.serialized)
struct DomainAPITests {
    @Test func domainLifecycleAgainstTheSimulator() async throws {
        try await DomainFixture.run(users: 40, groups: 6) { fixture in
            let api = fixture.api

            // Token-check failures, one specific code each; nothing is stored.
            let bad = try await fixture.addDomain("acme.okta.com", token: "00aWrongToken-Recognisable-1234")
            #expect(bad.status == 422)
            #expect(bad.errorCode == "okta_token_invalid")
            #expect(bad.errorDetails["apiToken"] != nil)
            let partial = try await fixture.addDomain("acme.okta.com", token: DomainFixture.partialToken)
            #expect(partial.status == 422)
            #expect(partial.errorCode == "okta_token_partial_view")
            let missing = try await api.call(.post, "/api/v1/domains", headers: DomainFixture.jsonHeaders, body: try DomainFixture.json(["domain": ""]))
            #expect(missing.status == 422)
            #expect(Set(missing.errorDetails.keys) == ["domain", "apiToken"])
            let badSchedule = try await fixture.addDomain("acme.okta.com", token: DomainFixture.goodToken, schedule: ["frequency": "daily", "time": "25:00"])
            #expect(badSchedule.status == 422)
            #expect(badSchedule.errorDetails["schedule.time"] != nil)
            #expect(try await api.call(.get, "/api/v1/domains").items.isEmpty)

            // Added properly: the -admin host is corrected with a note; the token shows only its last four.
            let added = try await fixture.addDomain(
                "https://ACME-admin.okta.com/", token: DomainFixture.goodToken, schedule: ["frequency": "daily", "time": "03:00"], selfEnroll: true)
            #expect(added.status == 201)
            let domain = added.json
            let id = try #require(domain["id"] as? String)
            #expect(domain["orgHost"] as? String == "acme.okta.com")
            #expect((domain["orgId"] as? String)?.hasPrefix("00o") == true)
            #expect((domain["note"] as? String)?.contains("acme-admin.okta.com") == true)
            #expect(domain["apiTokenHint"] as? String == String(DomainFixture.goodToken.suffix(4)))
            #expect((domain["selfEnrollBlockedReason"] as? String)?.hasPrefix("Self-enrollment needs Pier's identity app") == true)
            #expect((domain["schedule"] as? [String: Any])?["time"] as? String == "03:00")

            // The same org again, under another name: refused.
            let duplicate = try await fixture.addDomain("acme.okta.com", token: DomainFixture.goodToken)
            #expect(duplicate.status == 409)
            #expect(duplicate.errorCode == "domain_duplicate_org")

            // The first sync (trigger initial) runs in the background and imports the org.
            let initial = try await fixture.waitForLatestRun(domain: id)
            #expect(initial["trigger"] as? String == "initial")
            #expect(initial["state"] as? String == "succeeded", "\(initial)")

            // Sync Now: a new run (202), polled to success.
            let now = try await api.call(.post, "/api/v1/domains/\(id)/sync", template: "/api/v1/domains/{id}/sync",
                                         headers: DomainFixture.jsonHeaders, body: try DomainFixture.json(["kind": "full"]))
            #expect(now.status == 202)
            #expect(now.json["trigger"] as? String == "manual")
            let runID = try #require(now.json["id"] as? String)
            let finished = try await fixture.waitForRun(runID)
            #expect(finished["state"] as? String == "succeeded", "\(finished)")
            #expect(finished["kind"] as? String == "full")
            #expect((finished["oktaRequests"] as? Int ?? 0) > 0)
            #expect(finished["objects"] is [Any])

            let users = try await api.call(.get, "/api/v1/users?domain=\(id)&limit=200")
            #expect(users.status == 200)
            // Every user the first sync imported (a few seeded users are skipped with a reason).
            let imported = ((initial["counts"] as? [String: Any])?["users"] as? [String: Any])?["created"] as? Int
            #expect(users.items.count == imported)
            #expect(users.items.count >= 30)
            let groups = try await api.call(.get, "/api/v1/groups?domain=\(id)&limit=200")
            #expect(groups.items.count == 6)

            let runs = try await api.call(.get, "/api/v1/domains/\(id)/sync-runs", template: "/api/v1/domains/{id}/sync-runs")
            #expect(runs.items.count == 2)
            let shown = try await api.call(.get, "/api/v1/domains/\(id)", template: "/api/v1/domains/{id}")
            #expect((shown.json["lastRun"] as? [String: Any])?["id"] as? String == runID)

            // Update: schedule; a bad replacement token is refused with the token check's code.
            let patched = try await api.call(.patch, "/api/v1/domains/\(id)", template: "/api/v1/domains/{id}", headers: DomainFixture.jsonHeaders,
                                             body: try DomainFixture.json(["schedule": ["frequency": "hourly", "everyHours": 4], "selfEnroll": false]))
            #expect(patched.status == 200)
            #expect((patched.json["schedule"] as? [String: Any])?["everyHours"] as? Int == 4)
            #expect(patched.json["selfEnrollBlockedReason"] is NSNull)
            let badToken = try await api.call(.patch, "/api/v1/domains/\(id)", template: "/api/v1/domains/{id}", headers: DomainFixture.jsonHeaders,
                                              body: try DomainFixture.json(["apiToken": "00aAnotherWrongToken-0000"]))
            #expect(badToken.errorCode == "okta_token_invalid")
            let domainChange = try await api.call(.patch, "/api/v1/domains/\(id)", template: "/api/v1/domains/{id}", headers: DomainFixture.jsonHeaders,
                                                  body: try DomainFixture.json(["domain": "other.okta.com"]))
            #expect(domainChange.status == 422)
            let sameToken = try await api.call(.patch, "/api/v1/domains/\(id)", template: "/api/v1/domains/{id}", headers: DomainFixture.jsonHeaders,
                                               body: try DomainFixture.json(["apiToken": DomainFixture.goodToken]))
            #expect(sameToken.status == 200)

            // Deletion: preview, confirmation, cascade.
            let preview = try await api.call(.get, "/api/v1/domains/\(id)/deletion-preview", template: "/api/v1/domains/{id}/deletion-preview")
            #expect(preview.json["users"] as? Int == users.items.count)
            #expect(preview.json["confirm"] as? String == "acme.okta.com")
            let unconfirmed = try await api.call(.delete, "/api/v1/domains/\(id)", template: "/api/v1/domains/{id}")
            #expect(unconfirmed.status == 422)
            #expect(unconfirmed.errorDetails["confirm"] != nil)
            let deleted = try await api.call(.delete, "/api/v1/domains/\(id)?confirm=acme.okta.com", template: "/api/v1/domains/{id}")
            #expect(deleted.status == 200)
            #expect(deleted.json["users"] as? Int == users.items.count)
            #expect(try await api.call(.get, "/api/v1/domains/\(id)", template: "/api/v1/domains/{id}").status == 404)
            #expect(try await api.call(.get, "/api/v1/users?domain=\(id)").items.isEmpty)
            #expect(try await api.call(.get, "/api/v1/sync-runs/\(runID)", template: "/api/v1/sync-runs/{id}").status == 404)

            // No secret in any response, in the log (trace level) or in the database files.
            let secrets = DomainFixture.secrets + ["00aWrongToken-Recognisable-1234", "00aAnotherWrongToken-0000"]
            for exchange in api.recorder.exchanges {
                let body = String(decoding: exchange.body, as: UTF8.self)
                for secret in secrets { #expect(!body.contains(secret), "\(exchange.method) \(exchange.template) leaks a token") }
            }
            let log = fixture.harness.logs.renderedText
            #expect(!log.isEmpty)
            for secret in secrets { #expect(!log.contains(secret), "the log leaks a token") }
            for suffix in ["", "-wal", "-shm"] {
                let path = fixture.harness.databasePath + suffix
                guard let bytes = FileManager.default.contents(atPath: path) else { continue }
                for secret in secrets {
                    #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(path) holds a token in clear")
                }
            }
        }
    }

    @Test func domainsAndRunsPageWithCursors() async throws {
        try await DomainFixture.run(users: 20, groups: 3) { fixture in
            let api = fixture.api
            let added = try await fixture.addDomain("gamma.okta.com", token: DomainFixture.goodToken)
            let id = try #require(added.json["id"] as? String)
            // Two more domains straight in the database (one simulated org cannot be added twice);
            // listing does not decrypt their tokens.
            let created = try #require(try await api.store.directory(DirectoryID(id))).createdAt
            for (index, host) in ["delta.okta.com", "epsilon.okta.com"].enumerated() {
                try await api.store.createDirectory(DirectoryRecord(
                    id: DirectoryID("dom-\(index)"), domain: host, orgID: "00oPaging\(index)", orgHost: host,
                    apiTokenCiphertext: [1, 2, 3], apiTokenHint: "abcd",
                    createdAt: created.addingTimeInterval(Double(index + 1)), updatedAt: created))
            }
            let first = try await api.call(.get, "/api/v1/domains?limit=2")
            #expect(first.itemValues("domain") == ["gamma.okta.com", "delta.okta.com"])
            let cursor = try #require(first.nextCursor)
            let second = try await api.call(.get, "/api/v1/domains?limit=2&cursor=\(cursor)")
            #expect(second.itemValues("domain") == ["epsilon.okta.com"])
            #expect(second.json["nextCursor"] is NSNull)
            #expect(try await api.call(.get, "/api/v1/domains").items.count == 3)
            // A domains cursor means nothing to another listing.
            let foreign = try await api.call(.get, "/api/v1/users?cursor=\(cursor)")
            #expect(foreign.status == 422 && foreign.errorDetails["cursor"] != nil)
            #expect(try await api.call(.get, "/api/v1/domains?limit=0").errorDetails["limit"] != nil)

            // Runs: the initial run, then a Sync Now; newest first, one per page.
            let initial = try await fixture.waitForLatestRun(domain: id)
            let now = try await api.call(.post, "/api/v1/domains/\(id)/sync", template: "/api/v1/domains/{id}/sync",
                                         headers: DomainFixture.jsonHeaders, body: try DomainFixture.json(["kind": "full"]))
            let manual = try await fixture.waitForRun(try #require(now.json["id"] as? String))
            let template = "/api/v1/domains/{id}/sync-runs"
            let page1 = try await api.call(.get, "/api/v1/domains/\(id)/sync-runs?limit=1", template: template)
            #expect(page1.itemValues("id") == [try #require(manual["id"] as? String)])
            let runCursor = try #require(page1.nextCursor)
            let page2 = try await api.call(.get, "/api/v1/domains/\(id)/sync-runs?limit=1&cursor=\(runCursor)", template: template)
            #expect(page2.itemValues("id") == [try #require(initial["id"] as? String)])
            #expect(page2.json["nextCursor"] is NSNull)
            // A runs cursor is bound to its domain.
            let otherDomain = try await api.call(.get, "/api/v1/domains/dom-0/sync-runs?cursor=\(runCursor)", template: template)
            #expect(otherDomain.status == 422 && otherDomain.errorDetails["cursor"] != nil)
        }
    }

    @Test func unknownIdsAnswer404AndSyncNowJoinsARunningRun() async throws {
        try await DomainFixture.run(users: 20, groups: 3) { fixture in
            let api = fixture.api
            #expect(try await api.call(.get, "/api/v1/domains/nope", template: "/api/v1/domains/{id}").errorCode == "not_found")
            #expect(try await api.call(.post, "/api/v1/domains/nope/sync", template: "/api/v1/domains/{id}/sync").status == 404)
            #expect(try await api.call(.get, "/api/v1/sync-runs/nope", template: "/api/v1/sync-runs/{id}").status == 404)
            #expect(try await api.call(.post, "/api/v1/sync-runs/nope/approve", template: "/api/v1/sync-runs/{id}/approve").status == 404)

            let added = try await fixture.addDomain("beta.okta.com", token: DomainFixture.goodToken)
            let id = try #require(added.json["id"] as? String)
            // Right after the add the initial run is queued or running: Sync Now joins it (200) or, if
            // it already ended, starts a new one (202).
            let now = try await api.call(.post, "/api/v1/domains/\(id)/sync", template: "/api/v1/domains/{id}/sync")
            #expect([200, 202].contains(now.status))
            if now.status == 200 { #expect(now.json["trigger"] as? String == "initial") }
            let run = try await fixture.waitForRun(try #require(now.json["id"] as? String))
            #expect(run["state"] as? String == "succeeded")
            // Nothing awaits approval.
            let approve = try await api.call(.post, "/api/v1/sync-runs/\(run["id"] as! String)/approve", template: "/api/v1/sync-runs/{id}/approve")
            #expect(approve.status == 409)
            let discard = try await api.call(.post, "/api/v1/sync-runs/\(run["id"] as! String)/discard", template: "/api/v1/sync-runs/{id}/discard")
            #expect(discard.status == 409)
        }
    }
}
