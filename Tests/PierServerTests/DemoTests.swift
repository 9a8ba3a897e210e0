import Foundation
import PierHTTP
import PierTestSupport
import Testing

/// `pier demo` as a newcomer runs it (README): it seeds, adds, syncs and prints the lines DESIGN.md §5
/// promises; its console URL answers a signed-in browser with the synced domain, the printed API token
/// works, and Ctrl-C (SIGINT) stops it cleanly.
@Suite(.serialized)
struct DemoTests {
    @Test func theDemoPrintsWorkingURLsAndATokenAndStopsOnCtrlC() async throws {
        let (process, stdout, _) = try PierBinary.start(["demo", "--listen", "127.0.0.1:0", "--users", "80", "--groups", "6"])
        defer { if process.isRunning { process.interrupt(); process.waitUntilExit() } }
        let lines = LineReader(stdout.fileHandleForReading)
        #expect(lines.waitFor("Press Ctrl-C to stop.", timeout: .seconds(120)) != nil)
        let synced = try #require(lines.waitFor("First sync ", timeout: .seconds(1)))
        #expect(synced.hasPrefix("First sync succeeded: "), "\(synced)")
        let console = try #require(lines.waitFor("Console: ", timeout: .seconds(1))?.replacingOccurrences(of: "Console: ", with: ""))
        let apiURL = try #require(lines.waitFor("API: ", timeout: .seconds(1))?.replacingOccurrences(of: "API: ", with: ""))
        let token = try #require(lines.waitFor("API token: ", timeout: .seconds(1))?.replacingOccurrences(of: "API token: ", with: ""))
        let export = try #require(lines.waitFor("  export PIER_SERVER=", timeout: .seconds(1)))
        let usersCommand = try #require(lines.waitFor(" users list --status suspended", timeout: .seconds(1)))
        let syncCommand = try #require(lines.waitFor(" sync now ", timeout: .seconds(1)))
        #expect(console.hasPrefix("http://127.0.0.1:") && console.hasSuffix("/"))
        #expect(apiURL == console + "api/v1")
        #expect(token.hasPrefix("pier_"))

        // The console URL: a browser is asked to sign in, then sees the synced domain.
        let challenged = try await get(console)
        #expect(challenged.status == 401)
        #expect(challenged.headers.first { $0.name.lowercased() == "www-authenticate" }?.value.hasPrefix("Basic") == true)
        let signedIn = try await client.execute(HTTPClientRequest(
            method: .get, url: console,
            headers: [(name: "Authorization", value: "Basic " + Data("admin:\(token)".utf8).base64EncodedString())]))
        #expect(signedIn.status == 200)
        let html = String(decoding: signedIn.body, as: UTF8.self)
        #expect(html.contains("<h1>Pier demo</h1>"))
        #expect(html.contains("<strong>demo.okta.com</strong>"))
        #expect(html.contains("class=\"state-succeeded\">succeeded</span> · full, initial"))

        // The printed token works on the printed API URL.
        let domains = try await client.execute(HTTPClientRequest(
            method: .get, url: apiURL + "/domains", headers: [(name: "Authorization", value: "Bearer \(token)")]))
        #expect(domains.status == 200)
        #expect(String(decoding: domains.body, as: UTF8.self).contains("\"orgHost\":\"demo.okta.com\""))

        // The printed client commands work as printed: this binary by its absolute path (the test's PATH
        // does not hold it), the server and token from the exported variables.
        var environment: [String: String] = [:]
        for assignment in export.trimmingCharacters(in: .whitespaces).dropFirst("export ".count).split(separator: " ") {
            let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
            environment[parts[0]] = parts[1]
        }
        #expect(environment == ["PIER_SERVER": String(console.dropLast()), "PIER_TOKEN": token])
        for command in [usersCommand, syncCommand] {
            let words = command.trimmingCharacters(in: .whitespaces).split(separator: " ").map(String.init)
            #expect(words[0] == (try PierBinary.url).resolvingSymlinksInPath().path)
            let outcome = try await PierBinary.run(Array(words.dropFirst()), environment: environment)
            #expect(outcome.status == 0, "\(command): \(outcome.standardError)")
            if words[1] == "users" { #expect(outcome.standardOutput.contains("suspended"), "\(outcome.standardOutput)") }
        }

        process.interrupt()  // Ctrl-C
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        #expect(lines.waitFor("Pier demo stopped; its temporary data was removed.", timeout: .seconds(5)) != nil)
    }
}
