import Foundation
import PierCLI
import PierTestSupport
import Testing

/// The client commands (`pier domains|sync|users|groups …`) as the built binary, against a real server
/// and the in-process Okta simulator: the whole flow an administrator goes through, the errors they
/// see, and no secret in anything printed (``ClientFixture/pier(_:environment:standardInput:)`` checks
/// every run).
@Suite(.serialized)
struct ClientCommandTests {
    @Test func anAdministratorsWholeFlow() async throws {
        try await ClientFixture.run(users: 40, groups: 6) { fixture in
            let endpoint = ["--endpoint", fixture.simulatorURL]

            // Nothing configured yet: an empty table is a note on stderr, not an error.
            let empty = try await fixture.pier(["domains", "list"])
            #expect(empty.status == 0)
            #expect(empty.output.isEmpty)
            #expect(empty.errors.hasPrefix("No Okta domains yet"))

            // A token Okta rejects: exit 1 with the server's specific code, message and field.
            let wrong = try await fixture.pier(
                ["domains", "add", "--domain", "acme.okta.com"] + endpoint, environment: ["PIER_OKTA_TOKEN": ClientFixture.wrongOktaToken])
            #expect(wrong.status == 1)
            #expect(wrong.output.isEmpty)
            #expect(wrong.errors.hasPrefix("Error: okta_token_invalid: "), "\(wrong.errors)")
            #expect(wrong.errors.contains("\n  apiToken: was rejected by Okta\n"))

            // The token as an argument is refused before anything is sent, and not echoed.
            let argument = try await fixture.pier(
                ["domains", "add", "--domain", "acme.okta.com", "--api-token", ClientFixture.oktaToken] + endpoint)
            #expect(argument.status == 64)
            #expect(argument.errors.hasPrefix("Error: the Okta API token is never taken from an argument"))
            #expect(argument.errors.contains("Usage: pier domains add --domain DOMAIN [options]\n"))

            // Added with the token on standard input.
            let added = try await fixture.pier(
                ["domains", "add", "--domain", "acme.okta.com", "--schedule", "hourly", "--every-hours", "6", "--output", "json"] + endpoint,
                standardInput: ClientFixture.oktaToken + "\n")
            #expect(added.status == 0, "\(added.errors)")
            let id = try #require(added.json["id"] as? String)
            #expect(added.json["apiTokenHint"] as? String == String(ClientFixture.oktaToken.suffix(4)))
            #expect((added.json["schedule"] as? [String: Any])?["everyHours"] as? Int == 6)

            let list = try await fixture.pier(["domains", "list"])
            #expect(list.status == 0)
            let rows = list.output.split(separator: "\n")
            #expect(rows.first == "ID                                    DOMAIN         ORG HOST       SELF-ENROLL  SCHEDULE   LAST RUN")
            #expect(rows.count == 2 && rows[1].hasPrefix("\(id)  acme.okta.com  acme.okta.com  off          every 6 h  "))

            let show = try await fixture.pier(["domains", "show", "--id", id])
            #expect(show.status == 0)
            #expect(show.output.contains("\nOrg host:     acme.okta.com\n"))
            #expect(show.output.contains("\nSchedule:     every 6 h (full sync at least every 24h)\n"))
            #expect(show.output.contains("\nAPI token:    …\(ClientFixture.oktaToken.suffix(4))\n"))

            // Sync Now with --wait: joins the first sync or starts one; plain progress lines on a pipe.
            let first = try await fixture.pier(["sync", "now", "--domain", id, "--wait"])
            #expect(first.status == 0, "\(first.errors)")
            let full = try await fixture.pier(["sync", "now", "--domain", id, "--kind", "full", "--wait"])
            #expect(full.status == 0, "\(full.errors)")
            #expect(full.output.hasPrefix("Started run "))
            #expect(full.output.contains("\nKind:             full\n"))
            #expect(full.output.contains("\nState:            succeeded\n"))
            let progress = full.errors.split(separator: "\n")
            #expect(!full.errors.contains("\r"))
            #expect(progress.count >= 2)
            #expect(progress.dropLast().allSatisfy { $0.hasPrefix("running: ") || $0.hasPrefix("queued: ") }, "\(full.errors)")
            #expect(progress.last?.hasPrefix("succeeded: users ") == true)

            // On a terminal the same wait draws one bar, redrawn in place.
            let bar = await fixture.pierInProcess(["sync", "now", "--domain", id, "--kind", "full", "--wait"], standardErrorIsTerminal: true)
            #expect(bar.status == 0, "\(bar.errors)")
            #expect(bar.errors.hasPrefix("\r["))
            #expect(bar.errors.contains("\r[########################] succeeded: users"))
            #expect(bar.errors.hasSuffix("\n") && bar.errors.filter { $0 == "\n" }.count == 1)
            for secret in fixture.secrets { #expect(!bar.all.contains(secret)) }

            // Runs, newest first, a page at a time.
            let runs = try await fixture.pier(["sync", "runs", "--domain", id, "--all", "--output", "json"])
            #expect(runs.status == 0)
            #expect(runs.json["nextCursor"] is NSNull)
            let runIDs = runs.items.compactMap { $0["id"] as? String }
            #expect(runIDs.count >= 3)
            let page = try await fixture.pier(["sync", "runs", "--domain", id, "--limit", "1"])
            #expect(page.output.split(separator: "\n").count == 2)
            #expect(page.output.split(separator: "\n").first?.hasPrefix("ID  ") == true)
            #expect(page.output.contains(runIDs[0]))
            #expect(page.errors.hasPrefix("More results: add --cursor "))
            let cursor = try #require(page.errors.split(separator: " ").dropFirst(4).first.map(String.init))
            let second = try await fixture.pier(["sync", "runs", "--domain", id, "--limit", "1", "--cursor", cursor])
            #expect(second.output.contains(runIDs[1]))

            // The first sync created everything: its objects are listed.
            let initial = try #require(runIDs.last)
            let shown = try await fixture.pier(["sync", "show", "--run", initial])
            #expect(shown.status == 0)
            #expect(shown.output.contains("\nTrigger:          initial\n"))
            #expect(shown.output.contains("\nObjects whose state changed ("))
            let approve = try await fixture.pier(["sync", "approve", "--run", initial])
            #expect(approve.status == 1)
            #expect(approve.errors.hasPrefix("Error: conflict: "), "\(approve.errors)")

            // Users and groups.
            let allUsers = try await fixture.pier(["users", "list", "--domain", id, "--all", "--output", "json"])
            #expect(allUsers.status == 0)
            #expect(allUsers.items.count >= 30)
            let users = try await fixture.pier(["users", "list", "--domain", id, "--limit", "5"])
            let userRows = users.output.split(separator: "\n")
            #expect(userRows.count == 6)
            #expect(userRows.first?.hasPrefix("ID ") == true && userRows.first?.hasSuffix("STATUS       DOMAIN") == true)
            #expect(userRows.dropFirst().allSatisfy { $0.hasSuffix("acme.okta.com") })
            #expect(users.errors.hasPrefix("More results: "))
            let suspended = try await fixture.pier(["users", "list", "--status", "suspended", "--all", "--output", "json"])
            #expect(suspended.items.allSatisfy { $0["status"] as? String == "suspended" })
            let userID = try #require(allUsers.items.first?["id"] as? String)
            let user = try await fixture.pier(["users", "show", "--id", userID])
            #expect(user.status == 0)
            let userLines = user.output.split(separator: "\n")
            #expect(userLines.first?.hasPrefix("ID:") == true && userLines.first?.hasSuffix(" \(userID)") == true)
            #expect(userLines.contains { $0.hasPrefix("Domain:") && $0.hasSuffix(" acme.okta.com") })
            #expect(userLines.contains { $0.hasPrefix("Groups (") })

            let groups = try await fixture.pier(["groups", "list", "--domain", id, "--output", "json"])
            #expect(groups.items.count == 6)
            let everyone = try #require(groups.items.first { $0["type"] as? String == "BUILT_IN" })
            let groupTable = try await fixture.pier(["groups", "list", "--type", "built_in"])
            #expect(groupTable.output.split(separator: "\n").count == 2)
            #expect(groupTable.output.contains("Everyone  BUILT_IN  \(everyone["memberCount"] as? Int ?? -1)\n"))
            let group = try await fixture.pier(["groups", "show", "--id", try #require(everyone["id"] as? String), "--all"])
            #expect(group.status == 0)
            #expect(group.output.split(separator: "\n").contains { $0.hasPrefix("Type:") && $0.hasSuffix(" BUILT_IN") })
            #expect(group.output.contains("\nMembers (\(allUsers.items.count)):\n"))

            // Update: schedule and self-enroll; a replacement token from a file is checked by the server.
            let updated = try await fixture.pier(["domains", "update", "--id", id, "--schedule", "weekly", "--weekday", "mon", "--time", "03:30"])
            #expect(updated.status == 0, "\(updated.errors)")
            #expect(updated.output.contains("\nSchedule:     weekly mon 03:30 (full sync at least every 24h)\n"))
            let badFile = try fixture.secretFile("wrong-okta-token", ClientFixture.wrongOktaToken + "\n")
            let badToken = try await fixture.pier(["domains", "update", "--id", id, "--api-token-file", badFile])
            #expect(badToken.status == 1)
            #expect(badToken.errors.hasPrefix("Error: okta_token_invalid: "))
            let goodToken = try await fixture.pier(
                ["domains", "update", "--id", id, "--api-token-env", "--self-enroll"], environment: ["PIER_OKTA_TOKEN": ClientFixture.oktaToken])
            #expect(goodToken.status == 0, "\(goodToken.errors)")
            #expect(goodToken.output.contains("\nSelf-enroll:  on (blocked: Self-enrollment needs Pier's identity app"))

            // Delete: the preview alone exits 1 and deletes nothing; --yes deletes.
            let preview = try await fixture.pier(["domains", "delete", "--id", id])
            #expect(preview.status == 1)
            #expect(preview.output == "Deleting acme.okta.com (domain \(id)) removes \(allUsers.items.count) users, 6 groups, "
                + "\(preview.output.split(separator: " ")[9]) memberships and 0 devices.\n")
            #expect(preview.errors == "Nothing was deleted; run again with --yes to delete acme.okta.com.\n")
            #expect(try await fixture.pier(["domains", "show", "--id", id]).status == 0)
            let deleted = try await fixture.pier(["domains", "delete", "--id", id, "--yes"])
            #expect(deleted.status == 0, "\(deleted.errors)")
            #expect(deleted.output.hasPrefix("Deleted acme.okta.com (domain \(id)): removed \(allUsers.items.count) users, 6 groups"))
            let gone = try await fixture.pier(["domains", "show", "--id", id])
            #expect(gone.status == 1)
            #expect(gone.errors == "Error: not_found: No domain with id '\(id)'.\n")

            // Added again, the token from a file; a file others can read is refused first.
            let shared = try fixture.secretFile("shared-okta-token", ClientFixture.oktaToken, mode: 0o644)
            let refused = try await fixture.pier(["domains", "add", "--domain", "acme.okta.com", "--api-token-file", shared] + endpoint)
            #expect(refused.status == 64)
            #expect(refused.errors.hasPrefix("Error: the Okta API token file \(shared) is accessible by other users (mode 644); run: chmod 600 \(shared)\n"))
            let file = try fixture.secretFile("okta-token", ClientFixture.oktaToken + "\n")
            let again = try await fixture.pier(["domains", "add", "--domain", "acme.okta.com", "--api-token-file", file, "--self-enroll"] + endpoint)
            #expect(again.status == 0, "\(again.errors)")
            #expect(again.output.hasPrefix("ID:           "))
            #expect(again.errors.hasPrefix("The first sync has started; see it with `pier sync runs --domain "))
        }
    }

    @Test func serverAndTokenProblemsSayWhatToFix() async throws {
        try await ClientFixture.run(users: 5, groups: 2) { fixture in
            let badToken = try await fixture.pier(["users", "list"], environment: ["PIER_TOKEN": "pier_not-a-real-token"])
            #expect(badToken.status == 1)
            #expect(badToken.errors == """
                Error: unauthorized: The API token is not valid.
                Check the API token (--token, --token-file, PIER_TOKEN or PIER_TOKEN_FILE); create one on the server host with `pier admin token create`.

                """)
            #expect(!badToken.errors.contains("pier_not-a-real-token"))

            // The token from a file, and a --token flag beating PIER_TOKEN.
            let tokenFile = try fixture.secretFile("api-token", fixture.apiToken + "\n")
            let fromFile = try await fixture.pier(["groups", "list", "--token-file", tokenFile], environment: ["PIER_TOKEN": "pier_stale"])
            #expect(fromFile.status == 0, "\(fromFile.errors)")

            // Pier's own 404 body for a path that is not the API's.
            let notPier = try await fixture.pier(["domains", "list", "--server", fixture.server + "/elsewhere"])
            #expect(notPier.status == 1)
            #expect(notPier.errors.hasPrefix("Error: not_found: "))

            // Nothing listens: say so, and how to point the CLI elsewhere.
            let unreachable = try await fixture.pier(["domains", "list"], environment: ["PIER_SERVER": "http://127.0.0.1:1"])
            #expect(unreachable.status == 1)
            #expect(unreachable.errors == "Error: cannot connect to the Pier server at http://127.0.0.1:1 (connection refused). "
                + "Is `pier serve` running there? Set the server with --server URL or PIER_SERVER.\n")

            // A server that is not Pier (the simulator answers in Okta's shapes).
            let okta = try await fixture.pier(["domains", "list", "--server", fixture.simulatorURL])
            #expect(okta.status == 1)
            #expect(okta.errors.contains("is --server (or PIER_SERVER) the URL of a Pier server?"), "\(okta.errors)")
        }
    }
}
