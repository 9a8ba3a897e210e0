import Foundation
import PierCore
import PierHTTP
import Synchronization
import Testing
@testable import PierOkta

/// The pacer through ``RetryingOktaClient`` against an Okta-like server with fixed windows (aligned to
/// multiples of the window on the server's clock, as `pier okta-sim` and Okta do), all on a
/// ``JumpingClock``: the figures are the server's view of every request.
struct RateLimitPacerTests {
    /// Seconds since 1970 divisible by 60 and 30: windows start at offsets 0, 60, 120 …
    static let epoch = Date(timeIntervalSince1970: 1_700_000_040)
    static let endpoint = OktaEndpoint.https("acme.okta.com")

    /// A bucket's server: fixed windows, a limit that may change, other clients' use, 429s when empty.
    final class WindowedServer: Sendable {
        struct Config: Sendable {
            /// (from offset, limit, window seconds): the server's settings from that offset on.
            var phases: [(from: Double, limit: Int, windowSeconds: Int)]
            /// Requests of other clients counted at the start of every window …
            var othersPerWindow = 0
            /// … that starts before this offset.
            var othersBefore = Double.infinity
        }

        struct Record: Sendable {
            var offset: Double
            var windowStart: Int
            var status: Int
            var remainingAfter: Int
        }

        let clock: JumpingClock
        let config: Config
        private let state = Mutex((windows: [Int: Int](), records: [Record]()))

        init(clock: JumpingClock, config: Config) {
            self.clock = clock
            self.config = config
        }

        var records: [Record] { state.withLock { $0.records } }

        /// Pier's successful requests per window, in window order.
        var perWindow: [Int] {
            let ok = records.filter { $0.status == 200 }
            return Dictionary(grouping: ok, by: \.windowStart).sorted { $0.key < $1.key }.map { $0.value.count }
        }

        func answer() -> HTTPClientResponse {
            let date = clock.date
            let offset = clock.now.offset.secondsValue
            let phase = config.phases.last { offset >= $0.from }!
            let seconds = Int(date.timeIntervalSince1970.rounded(.down))
            let start = seconds - seconds % phase.windowSeconds
            let reset = start + phase.windowSeconds
            let (status, remaining) = state.withLock { state -> (Int, Int) in
                let others = Double(start) - Self.epochSeconds < config.othersBefore ? config.othersPerWindow : 0
                var used = state.windows[start] ?? others
                let status: Int
                if used < phase.limit {
                    used += 1
                    status = 200
                } else {
                    status = 429
                }
                state.windows[start] = used
                let windowStart = start - Int(Self.epochSeconds)
                state.records.append(Record(offset: offset, windowStart: windowStart, status: status, remainingAfter: phase.limit - used))
                return (status, phase.limit - used)
            }
            let headers: [(name: String, value: String)] = [
                ("Date", HTTPDate.format(date)), ("X-Rate-Limit-Limit", "\(phase.limit)"),
                ("X-Rate-Limit-Remaining", "\(remaining)"), ("X-Rate-Limit-Reset", "\(reset)"),
            ]
            return status == 200 ? Reply.json(200, "{}", extra: headers) : Reply.error(429, "E0000047", extra: headers)
        }

        static let epochSeconds = RateLimitPacerTests.epoch.timeIntervalSince1970
    }

    static func client(_ server: WindowedServer, clock: JumpingClock, pacing: OktaPacingPolicy = .init()) -> RetryingOktaClient<JumpingClock> {
        let http = ScriptedHTTPClient { _, _ in server.answer() }
        let transport = HTTPOktaClient(endpoint: endpoint, token: OktaAPIToken("tok"), httpClient: http)
        return RetryingOktaClient(next: transport, clock: clock, now: { clock.date }, pacing: pacing, jitter: { 0 })
    }

    /// The most requests in any interval of `seconds` (the server's arrival offsets).
    static func densest(_ offsets: [Double], within seconds: Double) -> Int {
        let sorted = offsets.sorted()
        var best = 0
        for (i, first) in sorted.enumerated() {
            best = max(best, sorted[i...].prefix { $0 < first + seconds - 1e-9 }.count)
        }
        return best
    }

    @Test func neverExceedsTheShareOfAWindowAndSpreadsItEvenly() async throws {
        let clock = JumpingClock(epoch: Self.epoch)
        let server = WindowedServer(clock: clock, config: .init(phases: [(0, 20, 60)]))
        let client = Self.client(server, clock: clock)
        for i in 0..<40 { _ = try await client.send(OktaRequest(path: "/api/v1/groups/00g\(i)/users")) }

        // 50 % of 20 = 10 a window, four windows for 40 requests: the ideal time, no 429.
        #expect(server.perWindow == [10, 10, 10, 10])
        #expect(server.records.allSatisfy { $0.status == 200 })
        #expect(client.counters.rateLimited == 0)
        let offsets = server.records.map(\.offset)
        #expect(offsets.last! < 240)
        // Spread: one every 6⅔ s after a probe, never the share at once at the start of a window (the
        // old pacer sent all 10 at offset 0, 60, 120, 180).
        #expect(Self.densest(offsets, within: 10) <= 3)
        for start in stride(from: 0.0, to: 240, by: 60) {
            let inWindow = offsets.filter { $0 >= start && $0 < start + 60 }
            #expect(inWindow.filter { $0 < start + 30 }.count <= 6, "window at \(start): \(inWindow)")
            #expect(inWindow.max()! >= start + 50, "window at \(start) ends early: \(inWindow)")
        }
    }

    @Test func aWindowStartsWithASmallBurstThenSpreadsTheRest() async throws {
        let clock = JumpingClock(epoch: Self.epoch)
        let server = WindowedServer(clock: clock, config: .init(phases: [(0, 600, 60)]))
        let client = Self.client(server, clock: clock)
        for i in 0..<40 { _ = try await client.send(OktaRequest(path: "/api/v1/users/00u\(i)")) }
        let offsets = server.records.map(\.offset)
        // 10 % of the 300 share go at once (a small run is not slowed), then one every 60 s ÷ 271.
        #expect(offsets.prefix(30).allSatisfy { $0 == 0 })
        #expect(offsets[30] > 0.2)
        #expect(offsets.last! > 2 && offsets.last! < 2.5)
        #expect(client.counters.rateLimited == 0)
    }

    @Test func aRunStartingLateInAWindowGetsThatPartOfTheShare() async throws {
        // 15 s before a reset: a quarter of the window, so 2 of the 10 (the old pacer and a pure "share
        // until the reset" both sent 10 in those 15 s and 10 more right after: 20 within 16 s).
        let clock = JumpingClock(epoch: Self.epoch.addingTimeInterval(45))
        let server = WindowedServer(clock: clock, config: .init(phases: [(0, 20, 60)]))
        let client = Self.client(server, clock: clock)
        for i in 0..<14 { _ = try await client.send(OktaRequest(path: "/api/v1/users/00u\(i)")) }
        #expect(server.perWindow == [2, 10, 2])
        #expect(Self.densest(server.records.map(\.offset), within: 60) <= 11)
    }

    @Test func adaptsToTheLimitAndWindowTheHeadersAnnounce() async throws {
        let clock = JumpingClock(epoch: Self.epoch)
        // 20 per 60 s, then from offset 60 on 8 per 30 s: the 30 s windows are learned from consecutive
        // resets (assumed 60 s, they would get half of the share: 2).
        let server = WindowedServer(clock: clock, config: .init(phases: [(0, 20, 60), (60, 8, 30)]))
        let client = Self.client(server, clock: clock)
        for i in 0..<18 { _ = try await client.send(OktaRequest(path: "/api/v1/groups/00g\(i)/users")) }

        #expect(server.perWindow == [10, 4, 4])
        #expect(client.counters.rateLimited == 0)
        let offsets = server.records.map(\.offset)
        // The 30 s windows are spread over 30 s (60, 60, 70, 80 and 90, 90, 100, 110), not sent at once.
        let second = offsets.filter { $0 >= 60 && $0 < 90 }
        #expect(second.count == 4)
        #expect(second.max()! >= 75)
        #expect(offsets.last! < 120)
    }

    @Test func takesItsShareWhileOthersLeaveHeadroomAndNeverTheHeadroom() async throws {
        let clock = JumpingClock(epoch: Self.epoch)
        // Another client uses 12 of 20 at the start of every window: 8 remain; Pier keeps 10 % (2) free.
        let server = WindowedServer(clock: clock, config: .init(phases: [(0, 20, 60)], othersPerWindow: 12))
        let client = Self.client(server, clock: clock)
        for i in 0..<18 { _ = try await client.send(OktaRequest(path: "/api/v1/users/00u\(i)")) }

        // 6 a window (8 − 2 of headroom), so three windows; the pacer that counted other clients' use
        // against Pier's share sent one probe per window and would have needed 18.
        #expect(server.perWindow == [6, 6, 6])
        #expect(server.records.allSatisfy { $0.status == 200 && $0.remainingAfter >= 2 })
        #expect(server.records.last!.offset < 180)
    }

    @Test func ownRequestsStayWithinTheShareEvenWhenTheBucketHasMore() async throws {
        let clock = JumpingClock(epoch: Self.epoch)
        let server = WindowedServer(clock: clock, config: .init(phases: [(0, 100, 60)]))
        let client = Self.client(server, clock: clock, pacing: OktaPacingPolicy(share: 0.25))
        for i in 0..<50 { _ = try await client.send(OktaRequest(path: "/api/v1/users/00u\(i)")) }
        #expect(server.perWindow == [25, 25])
        #expect(server.records.allSatisfy { $0.remainingAfter >= 75 })
    }

    @Test func waitsOutA429ByItsHeadersAndHoldsTheBucketMeanwhile() async throws {
        let clock = JumpingClock(epoch: Self.epoch)
        // Others drained the window that ends at offset 20; Pier's first requests meet 429s.
        let server = WindowedServer(clock: clock, config: .init(phases: [(0, 20, 20)], othersPerWindow: 20, othersBefore: 20))
        let client = Self.client(server, clock: clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<4 { group.addTask { _ = try await client.send(OktaRequest(path: "/api/v1/groups/00g\(i)/users")) } }
            try await group.waitForAll()
        }
        let records = server.records
        let refused = records.filter { $0.status == 429 }
        // Whatever the interleaving, nothing reached the server during the drained window after a 429.
        #expect(!refused.isEmpty)
        #expect(refused.allSatisfy { $0.offset == 0 })
        #expect(records.filter { $0.offset > 0 }.allSatisfy { $0.offset >= 20 && $0.status == 200 })
        #expect(records.filter { $0.status == 200 }.count == 4)
        // reset − Date + 1 s = 21 s.
        #expect(clock.recordedSleeps.contains(.seconds(21)))
        #expect(client.counters.rateLimited == refused.count)
    }

    @Test func aConcurrencyLimitAnswerIsNotTakenForTheBucket() async throws {
        let clock = JumpingClock(epoch: Self.epoch)
        let server = WindowedServer(clock: clock, config: .init(phases: [(0, 600, 60)]))
        let http = ScriptedHTTPClient { _, index in
            if index == 0 {
                // Okta's concurrency answer: Limit 0, Remaining 0, reset ≈ now + 1 s.
                return Reply.error(429, "E0000047", extra: [
                    ("Date", HTTPDate.format(clock.date)), ("X-Rate-Limit-Limit", "0"), ("X-Rate-Limit-Remaining", "0"),
                    ("X-Rate-Limit-Reset", "\(Int(clock.date.timeIntervalSince1970) + 1)"),
                ])
            }
            return server.answer()
        }
        let transport = HTTPOktaClient(endpoint: Self.endpoint, token: OktaAPIToken("tok"), httpClient: http)
        let client = RetryingOktaClient(next: transport, clock: clock, now: { clock.date }, jitter: { 0 })
        for i in 0..<5 { _ = try await client.send(OktaRequest(path: "/api/v1/users/00u\(i)")) }
        // The retry after reset − Date + 1 s = 2 s; then the 600 bucket's share (300/min) paces, a limit
        // of 0 is never read as a bucket that allows nothing.
        #expect(clock.recordedSleeps.first == .seconds(2))
        #expect(client.counters.rateLimited == 1)
        #expect(server.records.count == 5)
        #expect(server.records.last!.offset < 3)
    }
}
