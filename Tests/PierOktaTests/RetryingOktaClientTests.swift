import Foundation
import PierCore
import PierHTTP
import PierLogging
import Synchronization
import Testing
@testable import PierOkta

struct RetryingOktaClientTests {
    static let endpoint = OktaEndpoint.https("acme.okta.com")

    static func make(
        _ http: ScriptedHTTPClient, clock: JumpingClock, pacing: OktaPacingPolicy = .init(), retry: OktaRetryPolicy = .init()
    ) -> RetryingOktaClient<JumpingClock> {
        let transport = HTTPOktaClient(endpoint: endpoint, token: OktaAPIToken("tok"), httpClient: http)
        return RetryingOktaClient(next: transport, clock: clock, now: { clock.date }, pacing: pacing, retry: retry, jitter: { 0 })
    }

    static func headers(clock: JumpingClock, limit: Int, remaining: Int, resetIn: Int) -> [(name: String, value: String)] {
        let date = clock.date
        return [
            ("Date", HTTPDate.format(date)), ("X-Rate-Limit-Limit", "\(limit)"), ("X-Rate-Limit-Remaining", "\(remaining)"),
            ("X-Rate-Limit-Reset", "\(Int(date.timeIntervalSince1970) + resetIn)"),
        ]
    }

    @Test func sendsOktaHeadersAndNeverLogsToken() async throws {
        let http = ScriptedHTTPClient { _, _ in Reply.json(200, "{}") }
        let handler = InMemoryLogHandlerBox()
        let client = HTTPOktaClient(
            endpoint: Self.endpoint, token: OktaAPIToken("00SECRET"), httpClient: http, userAgent: "Pier/1.0",
            logger: handler.logger)
        _ = try await client.send(OktaRequest(method: .post, path: "/api/v1/groups", body: Data("{}".utf8)))
        let request = try #require(http.requests.first)
        let names = Dictionary(request.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(names["Authorization"] == "SSWS 00SECRET")
        #expect(names["Accept"] == "application/json")
        #expect(names["Content-Type"] == "application/json")
        #expect(names["User-Agent"] == "Pier/1.0")
        #expect(!handler.text.contains("00SECRET"))
        #expect(handler.text.contains("/api/v1/groups"))
    }

    @Test func rateLimitStormDuringWalkLosesNothing() async throws {
        let clock = JumpingClock()
        let calls = Mutex(0)
        let http = ScriptedHTTPClient { request, _ in
            let n = calls.withLock { $0 += 1; return $0 }
            // Every other request is refused with 429, resetting 30 s later.
            if n % 2 == 1 {
                return Reply.error(429, "E0000047", extra: Self.headers(clock: clock, limit: 600, remaining: 0, resetIn: 30))
            }
            let page = Int(queryValue(request.url, "after") ?? "0")!
            let body = "[{\"id\":\"00u\(page)\",\"status\":\"ACTIVE\",\"profile\":{}}]"
            let links = page < 9 ? ["<https://acme.okta.com/api/v1/users?after=\(page + 1)>; rel=\"next\""] : []
            return Reply.json(200, body, links: links, extra: Self.headers(clock: clock, limit: 600, remaining: 500, resetIn: 30))
        }
        let client = Self.make(http, clock: clock)
        let source = OktaDirectorySource(client: client, endpoint: Self.endpoint)
        var ids: [String] = []
        for try await page in source.users() { ids += page.items.map(\.id.rawValue) }
        #expect(ids == (0..<10).map { "00u\($0)" })
        let counters = source.counters()
        #expect(counters.requests == 20)
        #expect(counters.retries == 10)
        #expect(counters.rateLimited == 10)
        // Each 429 waited reset − Date + 1 s = 31 s on the injected clock.
        #expect(abs(counters.secondsWaited - 310) < 0.001)
        #expect(clock.recordedSleeps.contains(.seconds(31)))
        #expect(source.serverTime() != nil)
    }

    @Test func serverErrorMidWalkIsRetried() async throws {
        let clock = JumpingClock()
        let http = ScriptedHTTPClient { request, index in
            if index == 1 { return Reply.error(503, "E0000010") }
            let page = Int(queryValue(request.url, "after") ?? "0")!
            let links = page < 2 ? ["<https://acme.okta.com/api/v1/users?after=\(page + 1)>; rel=\"next\""] : []
            return Reply.json(200, "[{\"id\":\"00u\(page)\",\"status\":\"ACTIVE\",\"profile\":{}}]", links: links)
        }
        let source = OktaDirectorySource(client: Self.make(http, clock: clock), endpoint: Self.endpoint)
        var ids: [String] = []
        for try await page in source.users() { ids += page.items.map(\.id.rawValue) }
        #expect(ids == ["00u0", "00u1", "00u2"])
        #expect(source.counters().retries == 1)
        #expect(clock.recordedSleeps == [.milliseconds(250)])
    }

    @Test func persistentServerErrorFailsTheWalkNeverShort() async throws {
        let clock = JumpingClock()
        let http = ScriptedHTTPClient { request, index in
            if index >= 1 { return Reply.error(500, "E0000009") }
            return Reply.json(200, "[{\"id\":\"00u0\",\"status\":\"ACTIVE\",\"profile\":{}}]",
                              links: ["<https://acme.okta.com/api/v1/users?after=1>; rel=\"next\""])
        }
        let source = OktaDirectorySource(client: Self.make(http, clock: clock, retry: .init(maxAttempts: 3)), endpoint: Self.endpoint)
        var sawLast = false
        let error = await oktaError { for try await page in source.users() { sawLast = sawLast || page.isLast } }
        #expect(error?.code == .server)
        #expect(!sawLast)
        #expect(http.requests.count == 4)
    }

    @Test func writesAreNotRetriedAfterServerErrorOrTimeout() async {
        let clock = JumpingClock()
        let http = ScriptedHTTPClient { _, _ in Reply.error(500, "E0000009") }
        let client = Self.make(http, clock: clock)
        let error = await oktaError { _ = try await client.send(OktaRequest(method: .post, path: "/api/v1/apps", body: Data("{}".utf8))) }
        #expect(error?.code == .server)
        #expect(http.requests.count == 1)
        let timeouts = ScriptedHTTPClient { _, _ in throw HTTPClientError(.timeout, "timed out") }
        let timeoutClient = Self.make(timeouts, clock: clock)
        let timeoutError = await oktaError {
            _ = try await timeoutClient.send(OktaRequest(method: .post, path: "/api/v1/apps", body: Data("{}".utf8)))
        }
        #expect(timeoutError?.code == .timeout)
        #expect(timeouts.requests.count == 1)
    }

    @Test func getTimeoutsAreRetriedWithExponentialBackoffWithinBudget() async {
        let clock = JumpingClock()
        let http = ScriptedHTTPClient { _, _ in throw HTTPClientError(.timeout, "timed out") }
        let client = Self.make(http, clock: clock, retry: .init(maxAttempts: 10, budget: .seconds(5), initialBackoff: .seconds(1)))
        let error = await oktaError { _ = try await client.send(OktaRequest(path: "/api/v1/users/00u1")) }
        #expect(error?.code == .timeout)
        // Equal jitter at 0: 0.5, 1, 2 s; the next (4 s) would overrun the 5 s budget.
        #expect(clock.recordedSleeps == [.milliseconds(500), .seconds(1), .seconds(2)])
        #expect(http.requests.count == 4)
    }

    @Test func clientErrorsAreNotRetried() async {
        let clock = JumpingClock()
        let http = ScriptedHTTPClient { _, _ in Reply.error(401, "E0000011") }
        let client = Self.make(http, clock: clock)
        let error = await oktaError { _ = try await client.send(OktaRequest(path: "/api/v1/users/me")) }
        #expect(error?.code == .invalidToken)
        #expect(http.requests.count == 1)
    }

    @Test func rateLimitBeyondBudgetSurfacesClassified() async {
        let clock = JumpingClock()
        let http = ScriptedHTTPClient { _, _ in
            Reply.error(429, "E0000047", extra: Self.headers(clock: clock, limit: 50, remaining: 0, resetIn: 600))
        }
        let client = Self.make(http, clock: clock, retry: .init(budget: .seconds(60)))
        let error = await oktaError { _ = try await client.send(OktaRequest(path: "/api/v1/logs")) }
        #expect(error?.code == .rateLimited)
        #expect(error?.resetAt != nil)
        #expect(http.requests.count == 1)
    }

    @Test func pacesToShareOfBucket() async throws {
        let clock = JumpingClock()
        // Limit 10 per window, window resets 60 s after each response's Date; the server counts down.
        let window = Mutex((start: 0, used: 0))
        let http = ScriptedHTTPClient { _, _ in
            let now = Int(clock.date.timeIntervalSince1970)
            let (remaining, reset) = window.withLock { w -> (Int, Int) in
                if w.start == 0 || now >= w.start + 60 { w = (now, 0) }
                w.used += 1
                return (10 - w.used, w.start + 60)
            }
            #expect(remaining >= 0)
            return Reply.json(200, "{}", extra: [
                ("Date", HTTPDate.format(clock.date)), ("X-Rate-Limit-Limit", "10"),
                ("X-Rate-Limit-Remaining", "\(remaining)"), ("X-Rate-Limit-Reset", "\(reset)"),
            ])
        }
        let client = Self.make(http, clock: clock)
        for _ in 0..<12 { _ = try await client.send(OktaRequest(path: "/api/v1/groups/00g1")) }
        // 50 % of 10 = 5 per window: requests 1–5 at t=0, 6–10 after the first reset, 11–12 after the second.
        #expect(clock.now.offset == .seconds(120))
        #expect(client.counters.rateLimited == 0)
        #expect(abs(client.counters.secondsWaited - 120) < 0.001)
    }

    @Test func keepsAtMostFourInFlight() async throws {
        let clock = JumpingClock()
        let gauge = Gauge()
        let inner = CountingAPI(gauge: gauge)
        let client = RetryingOktaClient(next: inner, clock: clock, jitter: { 0 })
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<20 { group.addTask { _ = try await client.send(OktaRequest(path: "/api/v1/groups/00g\(i)/users")) } }
            try await group.waitForAll()
        }
        #expect(gauge.state.withLock { $0.peak } <= 4)
        #expect(gauge.state.withLock { $0.peak } >= 2)
        #expect(client.counters.requests == 20)
    }
}

/// Concurrency gauge.
final class Gauge: Sendable {
    let state = Mutex((now: 0, peak: 0))
}

/// An API that records concurrency.
struct CountingAPI: OktaAPI {
    let gauge: Gauge

    func send(_ request: OktaRequest) async throws -> OktaResponse {
        gauge.state.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
        for _ in 0..<20 { await Task.yield() }
        gauge.state.withLock { $0.now -= 1 }
        return OktaResponse(status: 200, headers: [], body: Data("{}".utf8))
    }
}

/// A logger writing to memory, at debug level.
struct InMemoryLogHandlerBox {
    let handler = InMemoryLogHandler()
    var logger: Logger { Logger(label: "test", level: .trace, handler: handler) }
    var text: String { handler.records.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n") }
}
