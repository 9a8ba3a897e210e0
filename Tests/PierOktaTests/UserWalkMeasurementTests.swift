import Foundation
import OktaSimulator
import PierCore
import PierHTTP
import PierLogging
import PierOkta
import Testing

/// A paginated walk of every user through the whole client stack (`OktaDirectorySource` →
/// `RetryingOktaClient` → `HTTPOktaClient` → libcurl) against the simulator: checks that every user
/// arrives exactly once and prints requests/s and users/s. 3,000 users in the test run;
/// `bench/okta-walk/run` sets `PIER_BENCH_WALK_USERS=100000` on a release build for the figures.
@Suite(.serialized) struct UserWalkMeasurementTests {
    static let userCount = ProcessInfo.processInfo.environment["PIER_BENCH_WALK_USERS"].flatMap(Int.init) ?? 3_000

    @Test func everyUserArrivesOnceAndTheRateIsPrinted() async throws {
        var configuration = OktaSimulator.Configuration()
        configuration.users = Self.userCount
        configuration.groups = max(10, Self.userCount / 50)
        configuration.tokens = ["walk-token"]
        let server = OktaSimulatorServer(configuration: configuration, logger: .disabled())
        let port = try server.start()
        let endpoint = OktaEndpoint(scheme: "http", host: "127.0.0.1", port: port)
        let api = HTTPOktaClient(endpoint: endpoint, token: OktaAPIToken("walk-token"), httpClient: CurlHTTPClient())
        let source = OktaDirectorySource(client: RetryingOktaClient(next: api, clock: ContinuousClock()), endpoint: endpoint)

        let expected = Set(server.userStatuses.filter { $0.value != "DEPROVISIONED" }.keys)
        let clock = ContinuousClock()
        let start = clock.now
        var seen = Set<String>()
        var duplicates = 0
        var pages = 0
        var sawLast = false
        for try await page in source.users() {
            pages += 1
            for user in page.items where !seen.insert(user.id.rawValue).inserted { duplicates += 1 }
            sawLast = page.isLast
        }
        let elapsed = clock.now - start
        await server.shutdown()

        #expect(sawLast)
        #expect(duplicates == 0)
        #expect(seen == expected)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let requests = source.counters().requests
        print(String(
            format: "okta users walk: %d users, %d pages, %d requests in %.2f s = %.0f requests/s, %.0f users/s",
            seen.count, pages, requests, seconds, Double(requests) / seconds, Double(seen.count) / seconds))
    }
}
