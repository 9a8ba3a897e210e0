import Foundation
import Synchronization

/// Per-bucket request windows, the org-wide concurrency cap and request counters (REFERENCE §6, DESIGN.md §11).
final class RateLimiter: Sendable {
    struct Decision: Sendable {
        var allowed: Bool
        var limit: Int
        var remaining: Int
        var reset: Int64
        var concurrencyExceeded = false
    }

    private struct Window {
        var start: Int64
        var used: Int
    }

    struct Settings: Sendable {
        var profile: OktaSimulator.RateLimitProfile
        var windowSeconds: Int
        var overrides: [String: Int] = [:]
        var concurrency: Int?
        var membersShareGroupBucket: Bool
    }

    private struct State {
        var settings: Settings
        var windows: [String: Window] = [:]
        var requests: [String: Int] = [:]
        var rateLimited: [String: Int] = [:]
        var peak: [String: Double] = [:]
        var inFlight = 0
    }

    private let state: Mutex<State>
    /// What `none` reports as the limit: large enough that no client paces.
    static let unlimited = 1_000_000

    init(settings: Settings) { state = Mutex(State(settings: settings)) }

    /// The bucket of a route template: Okta keys limits by endpoint family (DESIGN.md §11).
    static func bucket(method: String, template: String, membersShareGroupBucket: Bool) -> (name: String, oktaDefault: Int) {
        let s = template.split(separator: "/").map { $0.hasPrefix("{") ? "{id}" : String($0) }
        if s.starts(with: ["oauth2"]) { return ("/oauth2/v1", 600) }
        guard s.count >= 3, s[0] == "api", s[1] == "v1" else { return ("/api/v1", 600) }
        switch s[2] {
        case "users":
            return s.count == 3 ? ("/api/v1/users", 600) : ("/api/v1/users/{id}", 600)
        case "groups":
            if s.count == 3 { return ("/api/v1/groups", 600) }
            if s.count >= 5, s[4] == "users", !membersShareGroupBucket { return ("/api/v1/groups/{id}/users", 600) }
            return ("/api/v1/groups/{id}", 600)
        case "apps":
            if s.count == 4 { return ("/api/v1/apps/{id}", 600) }
            return ("/api/v1/apps", 100)
        case "logs": return ("/api/v1/logs", 50)
        default: return ("/api/v1", 600)
        }
    }

    /// Counts a request against its bucket and the concurrency cap; call ``finish()`` when it is answered.
    func admit(method: String, template: String, now: Int64) -> Decision {
        state.withLock { state in
            state.requests[template, default: 0] += 1
            state.inFlight += 1
            let settings = state.settings
            if let cap = settings.concurrency ?? (settings.profile == .oktaDefault ? 15 : nil), state.inFlight > cap {
                state.rateLimited[template, default: 0] += 1
                // Okta reports the concurrency limit as Limit 0 / Remaining 0 (REFERENCE §6.1).
                return Decision(allowed: false, limit: 0, remaining: 0, reset: now + 1, concurrencyExceeded: true)
            }
            let (bucket, defaultLimit) = Self.bucket(method: method, template: template, membersShareGroupBucket: settings.membersShareGroupBucket)
            let limit = settings.overrides[bucket] ?? (settings.profile == .oktaDefault ? defaultLimit : Self.unlimited)
            let w = Int64(max(settings.windowSeconds, 1))
            let start = now - ((now % w) + w) % w
            var window = state.windows[bucket] ?? Window(start: start, used: 0)
            if window.start != start { window = Window(start: start, used: 0) }
            let reset = start + w
            guard window.used < limit else {
                state.rateLimited[template, default: 0] += 1
                state.windows[bucket] = window
                return Decision(allowed: false, limit: limit, remaining: 0, reset: reset)
            }
            window.used += 1
            state.windows[bucket] = window
            state.peak[bucket] = max(state.peak[bucket] ?? 0, Double(window.used) / Double(limit))
            return Decision(allowed: true, limit: limit, remaining: limit - window.used, reset: reset)
        }
    }

    func finish() { state.withLock { $0.inFlight -= 1 } }

    func configure(_ update: (inout Settings) -> Void) {
        state.withLock { state in
            update(&state.settings)
            state.windows = [:]
        }
    }

    func reset(settings: Settings) {
        state.withLock { state in
            let inFlight = state.inFlight
            state = State(settings: settings)
            state.inFlight = inFlight
        }
    }

    /// `GET /__sim/stats`.
    var stats: JSON {
        state.withLock { state in
            func object(_ d: [String: Int]) -> JSON {
                var o = JSONObject()
                for key in d.keys.sorted() { o[key] = .int(d[key]!) }
                return .object(o)
            }
            var peak = JSONObject()
            for key in state.peak.keys.sorted() { peak[key] = .double((state.peak[key]! * 1000).rounded() / 1000) }
            return .object(JSONObject([
                "requests": object(state.requests), "rateLimited": object(state.rateLimited), "peakWindowUse": .object(peak),
                "inFlight": .int(state.inFlight),
            ]))
        }
    }
}
