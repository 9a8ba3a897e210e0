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

        process.interrupt()  // Ctrl-C
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        #expect(lines.waitFor("Pier demo stopped; its temporary data was removed.", timeout: .seconds(5)) != nil)
    }
}
