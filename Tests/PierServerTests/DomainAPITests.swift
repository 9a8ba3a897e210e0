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

            // Pier's own API token first: a wrong one is refused with the one error shape.
            let stranger = try await api.call(.get, "/api/v1/domains", token: "pier_NotAToken")
            #expect(stranger.status == 401)
            #expect(stranger.errorCode == "unauthorized")

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

            // The org changes through Okta's own API; a Sync Now (incremental: a full run is recent) brings
            // every change in, as the API then shows: a new user in a renamed group, a suspension, a leaver.
            let oktaGroup = try #require(groups.items.first { $0["type"] as? String == "OKTA_GROUP" })
            let groupOktaID = try #require(oktaGroup["oktaId"] as? String)
            let groupID = try #require(oktaGroup["id"] as? String)
            let activeUsers = users.items.filter { $0["status"] as? String == "active" }.compactMap { $0["oktaId"] as? String }
            #expect(activeUsers.count >= 2)
            let suspendedOktaID = activeUsers[0]
            let leaverOktaID = activeUsers[1]
            let created = try await fixture.okta(.post, "/api/v1/users?activate=true", [
                "profile": ["firstName": "Flow", "lastName": "Newcomer", "email": "flow.newcomer@example.com", "login": "flow.newcomer@example.com"],
                "credentials": ["password": ["value": "Xy9!passw0rd-long"]],
            ])
            let newcomerOktaID = try #require(created["id"] as? String)
            try await fixture.okta(.put, "/api/v1/groups/\(groupOktaID)/users/\(newcomerOktaID)")
            try await fixture.okta(.put, "/api/v1/groups/\(groupOktaID)", ["profile": ["name": "Flow renamed group", "description": "renamed in Okta"]])
            try await fixture.okta(.post, "/api/v1/users/\(suspendedOktaID)/lifecycle/suspend")
            try await fixture.okta(.post, "/api/v1/users/\(leaverOktaID)/lifecycle/deactivate")
            let again = try await api.call(.post, "/api/v1/domains/\(id)/sync", template: "/api/v1/domains/{id}/sync")
            #expect(again.status == 202)
            let second = try await fixture.waitForRun(try #require(again.json["id"] as? String))
            #expect(second["state"] as? String == "succeeded", "\(second)")
            #expect(second["kind"] as? String == "incremental")
            let userCounts = (second["counts"] as? [String: Any])?["users"] as? [String: Any]
            #expect(userCounts?["created"] as? Int == 1)
            #expect(userCounts?["deactivated"] as? Int == 1)
            let newcomer = try await api.call(.get, "/api/v1/users?domain=\(id)&q=flow.newcomer")
            #expect(newcomer.itemValues("oktaId") == [newcomerOktaID])
            #expect(newcomer.items.first?["status"] as? String == "active")
            let newcomerID = try #require(newcomer.items.first?["id"] as? String)
            let newcomerShown = try await api.call(.get, "/api/v1/users/\(newcomerID)", template: "/api/v1/users/{id}")
            #expect((newcomerShown.json["groups"] as? [[String: Any]])?.compactMap { $0["name"] as? String }.contains("Flow renamed group") == true)
            let renamed = try await api.call(.get, "/api/v1/groups/\(groupID)", template: "/api/v1/groups/{id}")
            #expect(renamed.json["name"] as? String == "Flow renamed group")
            #expect(renamed.json["description"] as? String == "renamed in Okta")
            let members = try await api.call(.get, "/api/v1/groups/\(groupID)/members?limit=200", template: "/api/v1/groups/{id}/members")
            #expect(members.itemValues("oktaId").contains(newcomerOktaID))
            let suspended = try await api.call(.get, "/api/v1/users?domain=\(id)&status=suspended&limit=200")
            #expect(suspended.itemValues("oktaId").contains(suspendedOktaID))
            let deactivated = try await api.call(.get, "/api/v1/users?domain=\(id)&status=deactivated&limit=200")
            #expect(deactivated.itemValues("oktaId").contains(leaverOktaID))
            let userCount = users.items.count + 1

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
            #expect(preview.json["users"] as? Int == userCount)
            #expect(preview.json["confirm"] as? String == "acme.okta.com")
            let unconfirmed = try await api.call(.delete, "/api/v1/domains/\(id)", template: "/api/v1/domains/{id}")
            #expect(unconfirmed.status == 422)
            #expect(unconfirmed.errorDetails["confirm"] != nil)
            let deleted = try await api.call(.delete, "/api/v1/domains/\(id)?confirm=acme.okta.com", template: "/api/v1/domains/{id}")
            #expect(deleted.status == 200)
            #expect(deleted.json["users"] as? Int == userCount)
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

    /// `GET /`: the read-only status page. Not public: a browser is challenged with Basic and signs in with
    /// an API token as the password; the page shows the domain, its counts and its latest run, escapes what
    /// administrators typed, and holds no secret.
    @Test func statusPageShowsDomainsAndRunsToASignedInAdministrator() async throws {
        try await DomainFixture.run(users: 40, groups: 6) { fixture in
            let api = fixture.api
            func page(_ authorization: String?) async throws -> HTTPClientResponse {
                let headers: [(name: String, value: String)] = authorization.map { [(name: "Authorization", value: $0)] } ?? []
                return try await client.execute(HTTPClientRequest(method: .get, url: api.baseURL + "/", headers: headers))
            }
            func basic(_ user: String, _ password: String) -> String {
                "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
            }
            func header(_ response: HTTPClientResponse, _ name: String) -> String? {
                response.headers.first { $0.name.lowercased() == name.lowercased() }?.value
            }

            for refused in [try await page(nil), try await page(basic("admin", "pier_wrong")), try await page(basic("admin", ""))] {
                #expect(refused.status == 401)
                #expect(header(refused, "WWW-Authenticate")?.hasPrefix("Basic realm=\"pier\"") == true)
                let error = (try JSONSerialization.jsonObject(with: refused.body) as? [String: Any])?["error"] as? [String: Any]
                #expect(error?["code"] as? String == "unauthorized")
                #expect(!String(decoding: refused.body, as: UTF8.self).contains("<"))
            }

            let empty = try await page(basic("admin", api.token))
            #expect(empty.status == 200)
            #expect(header(empty, "Content-Type") == "text/html; charset=utf-8")
            #expect(header(empty, "Content-Security-Policy")?.contains("default-src 'none'") == true)
            #expect(String(decoding: empty.body, as: UTF8.self).contains("No Okta domain is configured yet"))

            // A portal name with markup, and a domain with a finished first sync.
            let renamed = try await api.call(.put, "/api/v1/portal", headers: DomainFixture.jsonHeaders,
                                             body: try DomainFixture.json(["name": "<script>alert('x')</script> & Co", "timeZone": "UTC"]))
            #expect(renamed.status == 200)
            let added = try await fixture.addDomain("acme.okta.com", token: DomainFixture.goodToken, schedule: ["frequency": "daily", "time": "03:00"])
            let id = try #require(added.json["id"] as? String)
            let initial = try await fixture.waitForLatestRun(domain: id)
            let created = ((initial["counts"] as? [String: Any])?["users"] as? [String: Any])?["created"] as? Int ?? -1
            let users = try await api.call(.get, "/api/v1/users?domain=\(id)&limit=200").items
            let active = users.filter { $0["status"] as? String == "active" }.count

            for authorization in [basic("admin", api.token), basic(api.token, ""), "Bearer \(api.token)"] {
                let shown = try await page(authorization)
                #expect(shown.status == 200)
                let html = String(decoding: shown.body, as: UTF8.self)
                #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"))
                #expect(!html.contains("<script"))
                #expect(html.contains("<strong>acme.okta.com</strong>"))
                #expect(html.contains("daily at 03:00"))
                #expect(html.contains("<td>\(users.count)<br><span class=\"muted\">\(active) active"))
                #expect(html.contains("<td>6</td>"))
                #expect(html.contains("class=\"state-succeeded\">succeeded</span> · full, initial"))
                #expect(html.contains("users: \(created) created"))
                for secret in DomainFixture.secrets + [api.token, String(DomainFixture.goodToken.suffix(4))] {
                    #expect(!html.contains(secret), "the status page shows a secret")
                }
            }
        }
    }

    /// DELETE of a domain whose users own devices (DESIGN.md §1.3, §5): 409 `devices_need_decision` without
    /// a choice, 422 for a bad reassignment target, then `reassign` (devices move to a local user) and
    /// `disenroll` (devices disenrolled, unowned, their secret revoked, pending commands cancelled), each in
    /// the delete's transaction and audited.
    @Test func deletingADomainWhoseUsersOwnDevicesNeedsADecision() async throws {
        try await DomainFixture.run(users: 30, groups: 4) { fixture in
            let api = fixture.api
            let database = api.store.database
            let now = Date()
            try await database.write { db in
                try db.execute("""
                    INSERT INTO users (id, source, login, status, created_at, updated_at)
                    VALUES ('local-admin', 'local', 'it@example.com', 'active', \(now), \(now)),
                           ('local-leaver', 'local', 'gone@example.com', 'deactivated', \(now), \(now))
                    """)
            }
            func addAndSync() async throws -> (id: String, owners: [String]) {
                let added = try await fixture.addDomain("acme.okta.com", token: DomainFixture.goodToken)
                #expect(added.status == 201)
                let id = try #require(added.json["id"] as? String)
                #expect(try await fixture.waitForLatestRun(domain: id)["state"] as? String == "succeeded")
                let users = try await api.call(.get, "/api/v1/users?domain=\(id)&status=active&limit=2")
                let owners = users.items.compactMap { $0["id"] as? String }
                #expect(owners.count == 2)
                try await database.write { db in
                    for (index, owner) in owners.enumerated() {
                        let device = "device-\(id)-\(index)"
                        try db.execute("""
                            INSERT INTO devices (id, platform, state, owner_user_id, enrolled_via, directory_id, secret_hash, enrolled_at, created_at, updated_at)
                            VALUES (\(device), 'ios', 'enrolled', \(owner), 'okta', \(id), \("hash-" + device), \(now), \(now), \(now))
                            """)
                        try db.execute("""
                            INSERT INTO device_commands (id, device_id, request_type, status, created_at, updated_at)
                            VALUES (\("command-" + device), \(device), 'DeviceInformation', 'queued', \(now), \(now))
                            """)
                    }
                }
                return (id, owners)
            }
            func delete(_ id: String, _ query: String) async throws -> APIReply {
                try await api.call(.delete, "/api/v1/domains/\(id)?confirm=acme.okta.com\(query)", template: "/api/v1/domains/{id}")
            }
            func devices(_ id: String) async throws -> [[String: String?]] {
                try await database.read { db in
                    try db.fetchAll("""
                        SELECT d.id, d.state, d.owner_user_id, d.directory_id, d.secret_hash, c.status AS command
                        FROM devices d JOIN device_commands c ON c.device_id = d.id WHERE d.id LIKE \("device-\(id)-%") ORDER BY d.id
                        """).map { row in
                        Dictionary(uniqueKeysWithValues: try ["id", "state", "owner_user_id", "directory_id", "secret_hash", "command"].map {
                            ($0, try row.decode($0, as: String?.self))
                        })
                    }
                }
            }

            let first = try await addAndSync()
            let preview = try await api.call(.get, "/api/v1/domains/\(first.id)/deletion-preview", template: "/api/v1/domains/{id}/deletion-preview")
            #expect(preview.json["devices"] as? Int == 2)
            #expect(preview.json["devicesNeedDecision"] as? Bool == true)
            let undecided = try await delete(first.id, "")
            #expect(undecided.status == 409)
            #expect(undecided.errorCode == "devices_need_decision")
            for (target, reason) in [(first.owners[0], "belongs to the domain"), ("nobody", "no user"), ("local-leaver", "deactivated")] {
                let refused = try await delete(first.id, "&devices=reassign&reassignTo=\(target)")
                #expect(refused.status == 422)
                #expect(refused.errorDetails["reassignTo"]?.contains(reason) == true, "\(refused.errorDetails)")
            }
            let stray = try await delete(first.id, "&devices=disenroll&reassignTo=local-admin")
            #expect(stray.status == 422)
            #expect(stray.errorDetails["reassignTo"] == "goes with devices=reassign")
            #expect(try await api.call(.get, "/api/v1/domains/\(first.id)", template: "/api/v1/domains/{id}").status == 200)
            #expect(try await devices(first.id).allSatisfy { $0["state"] == "enrolled" && $0["owner_user_id"] != nil })

            let reassigned = try await delete(first.id, "&devices=reassign&reassignTo=local-admin")
            #expect(reassigned.status == 200)
            #expect(reassigned.json["devices"] as? Int == 2)
            #expect(try await api.call(.get, "/api/v1/domains/\(first.id)", template: "/api/v1/domains/{id}").status == 404)
            for device in try await devices(first.id) {
                #expect(device["state"] == "enrolled")
                #expect(device["owner_user_id"] == "local-admin")
                #expect(device["directory_id"] == .some(nil))
                #expect(device["secret_hash"] != .some(nil))
                #expect(device["command"] == "queued")
            }

            // The same org added again, its devices disenrolled with the delete.
            let second = try await addAndSync()
            let disenrolled = try await delete(second.id, "&devices=disenroll")
            #expect(disenrolled.status == 200)
            for device in try await devices(second.id) {
                #expect(device["state"] == "disenrolled")
                #expect(device["owner_user_id"] == .some(nil))
                #expect(device["secret_hash"] == .some(nil))
                #expect(device["command"] == "cancelled")
            }
            let audits = try await database.read { db in
                try db.fetchAll("SELECT details FROM audit_log WHERE action = 'domain.delete' ORDER BY id").map { try $0.decode("details", as: String.self) }
            }
            #expect(audits.count == 2)
            #expect(audits.first?.contains(#""devicesDecision":"reassign""#) == true && audits.first?.contains(#""reassignTo":"local-admin""#) == true)
            #expect(audits.last?.contains(#""devices":2,"devicesDecision":"disenroll""#) == true)
        }
    }

    /// DESIGN.md §1.3: a running sync does not survive its domain's deletion. The delete answers at once;
    /// the run, held on a slow members page, loses its run row and lease with the domain and writes
    /// nothing afterwards; the same org can be added again and syncs normally.
    @Test func deletingADomainWhileItSyncsStopsTheRunAndLeavesNothing() async throws {
        try await DomainFixture.run(users: 30, groups: 5) { fixture in
            let api = fixture.api
            let added = try await fixture.addDomain("acme.okta.com", token: DomainFixture.goodToken)
            let id = try #require(added.json["id"] as? String)
            #expect(try await fixture.waitForLatestRun(domain: id)["state"] as? String == "succeeded")

            try await fixture.okta(.post, "/__sim/faults", [
                "path": "/api/v1/groups/{id}/users", "method": "GET", "fault": "delay", "delayMs": 2500, "skip": 1, "count": 2,
            ], control: true)
            let sync = try await api.call(.post, "/api/v1/domains/\(id)/sync", template: "/api/v1/domains/{id}/sync",
                                          headers: DomainFixture.jsonHeaders, body: try DomainFixture.json(["kind": "full"]))
            #expect(sync.status == 202)
            let runID = try #require(sync.json["id"] as? String)
            var phase = ""
            let deadline = ContinuousClock.now + .seconds(30)
            while phase != "members", ContinuousClock.now < deadline {
                let run = try await api.call(.get, "/api/v1/sync-runs/\(runID)", template: "/api/v1/sync-runs/{id}")
                phase = (run.json["progress"] as? [String: Any])?["phase"] as? String ?? ""
                if phase != "members" { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(phase == "members")

            let deleted = try await api.call(.delete, "/api/v1/domains/\(id)?confirm=acme.okta.com", template: "/api/v1/domains/{id}")
            #expect(deleted.status == 200)
            // Past the delayed pages: the run would have staged, applied and finished by now.
            try await Task.sleep(for: .seconds(4))
            let left = try await api.store.database.read { db in
                try ["users", "groups", "sync_runs", "sync_staging_users", "sync_staging_members", "leases"].map { table in
                    let column = table.hasPrefix("sync_staging") ? "run_id" : table == "leases" ? "name" : table == "sync_runs" ? "id" : "directory_id"
                    let value = table.hasPrefix("sync_staging") || table == "sync_runs" ? runID : table == "leases" ? "sync:\(id)" : id
                    return try db.fetchValue(SQL(verbatim: "SELECT count(*) FROM \(table) WHERE \(column) = '\(value)'"), as: Int.self) ?? -1
                }
            }
            #expect(left == [0, 0, 0, 0, 0, 0])
            #expect(try await api.call(.get, "/api/v1/sync-runs/\(runID)", template: "/api/v1/sync-runs/{id}").status == 404)

            let again = try await fixture.addDomain("acme.okta.com", token: DomainFixture.goodToken)
            #expect(again.status == 201)
            let newID = try #require(again.json["id"] as? String)
            #expect(try await fixture.waitForLatestRun(domain: newID)["state"] as? String == "succeeded")
            #expect(try await api.call(.get, "/api/v1/users?domain=\(newID)&limit=200").items.count >= 25)
        }
    }

    /// A failure nobody planned for (here a run row whose counts no longer decode) answers 500 `internal`
    /// in the one error shape with only a reference; the log holds the reference with the real error.
    @Test func anUnexpectedFailureAnswers500WithALogReferenceOnly() async throws {
        try await DomainFixture.run(users: 10, groups: 2) { fixture in
            let api = fixture.api
            let added = try await fixture.addDomain("acme.okta.com", token: DomainFixture.goodToken)
            let id = try #require(added.json["id"] as? String)
            let run = try await fixture.waitForLatestRun(domain: id)
            let runID = try #require(run["id"] as? String)
            try await api.store.database.write { db in
                try db.execute("UPDATE sync_runs SET counts = '{\"users\": \"many\"}' WHERE id = \(runID)")
            }
            let broken = try await api.call(.get, "/api/v1/sync-runs/\(runID)", template: "/api/v1/sync-runs/{id}")
            #expect(broken.status == 500)
            #expect(broken.errorCode == "internal")
            let error = try #require(broken.json["error"] as? [String: Any])
            #expect(Set(error.keys).isSubset(of: ["code", "message", "details"]))
            let message = try #require(error["message"] as? String)
            let body = String(decoding: broken.body, as: UTF8.self)
            for detail in ["SyncCounts", "decod", "many", "sync_runs", "Storage"] {
                #expect(!body.contains(detail), "the 500 leaks '\(detail)': \(body)")
            }
            let reference = try #require(message.split(separator: " ").last.map { String($0).trimmingCharacters(in: .punctuationCharacters) })
            let logged = fixture.harness.logs.renderedText.split(separator: "\n").filter { $0.contains(reference) }
            #expect(logged.contains { $0.contains("SyncCounts") }, "the log lacks the error behind \(reference)")
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
