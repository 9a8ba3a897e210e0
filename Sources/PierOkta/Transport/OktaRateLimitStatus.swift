public import Foundation

/// The `X-Rate-Limit-*` headers of one response (REFERENCE §6.1).
public struct OktaRateLimitStatus: Hashable, Sendable {
    /// Ceiling of the bucket per window.
    public var limit: Int
    /// Requests left in the current window.
    public var remaining: Int
    /// When the window resets (UTC, whole seconds).
    public var reset: Date

    /// Creates a status.
    public init(limit: Int, remaining: Int, reset: Date) {
        self.limit = limit
        self.remaining = remaining
        self.reset = reset
    }

    /// `Limit: 0, Remaining: 0`: the headers describe the org's concurrency limit, not a per-minute
    /// bucket (Okta's Python SDK reads it the same way).
    public var isConcurrencyLimit: Bool { limit == 0 && remaining == 0 }

    /// Reads the headers; repeated values take the minimum (as Okta's SDKs do). `nil` when any is
    /// missing or not an integer.
    public init?(headers: [(name: String, value: String)]) {
        func values(_ name: String) -> [Int] {
            headers.filter { $0.name.lowercased() == name }.compactMap {
                Int($0.value.trimmingCharacters(in: .whitespaces))
            }
        }
        guard let limit = values("x-rate-limit-limit").min(),
            let remaining = values("x-rate-limit-remaining").min(),
            let reset = values("x-rate-limit-reset").min()
        else { return nil }
        self.init(limit: limit, remaining: remaining, reset: Date(timeIntervalSince1970: TimeInterval(reset)))
    }
}
