/// How much of Okta's rate limits Pier may use (DESIGN.md §11).
public struct OktaPacingPolicy: Sendable, Hashable {
    /// The share of each bucket's per-window limit Pier's own requests may use (default 50 %), spread
    /// evenly over the window. Like Okta's per-token cap, it counts Pier's requests, not other clients'.
    public var share: Double
    /// The part of each bucket Pier never takes, whoever used the rest (default 10 %): when other clients
    /// have brought `X-Rate-Limit-Remaining` down to it, Pier waits for the reset even below its share.
    public var headroom: Double
    /// The part of a window's share that may go at once when the window starts (default 10 %); the rest is
    /// spread evenly up to the window's reset. Small runs (an incremental sync) are then not slowed at all.
    public var burst: Double
    /// The window length assumed until the headers show a shorter one (two consecutive resets closer
    /// together): Okta documents its limits per minute.
    public var window: Duration
    /// Requests in flight at once per org (default 4; Okta's org-wide concurrency limit is shared with
    /// every other integration).
    public var maxInFlight: Int

    /// Creates a policy.
    public init(
        share: Double = 0.5, headroom: Double = 0.1, burst: Double = 0.1, window: Duration = .seconds(60), maxInFlight: Int = 4
    ) {
        precondition(share > 0 && share <= 1, "share must be in (0, 1]")
        precondition(headroom >= 0 && headroom < 1, "headroom must be in [0, 1)")
        precondition(burst >= 0 && burst <= 1, "burst must be in [0, 1]")
        precondition(window > .zero, "window must be positive")
        precondition(maxInFlight >= 1, "at least one request must be allowed in flight")
        self.share = share
        self.headroom = headroom
        self.burst = burst
        self.window = window
        self.maxInFlight = maxInFlight
    }

    /// Pier's own requests allowed in a window of a bucket of `limit` (at least 1), of which Pier can use
    /// `part` (the time left when it first used the window ÷ the window's length).
    func allowance(limit: Int, part: Double = 1) -> Int { max(1, Int((share * Double(limit) * part).rounded(.down))) }

    /// Requests of a window that may go before spreading starts (at least 1).
    func burstCount(allowance: Int) -> Int { max(1, Int((burst * Double(allowance)).rounded(.down))) }

    /// `X-Rate-Limit-Remaining` under which Pier sends nothing more in the window.
    func reserve(limit: Int) -> Int { Int((headroom * Double(limit)).rounded(.up)) }
}

/// When and how often to retry (STYLE.md §11.3).
public struct OktaRetryPolicy: Sendable, Hashable {
    /// Attempts per call, the first included.
    public var maxAttempts: Int
    /// The longest a call may take including every wait; a retry that would end later is not made.
    public var budget: Duration
    /// The first backoff after a 5xx or timeout; doubles per attempt.
    public var initialBackoff: Duration
    /// The backoff ceiling.
    public var maxBackoff: Duration

    /// Creates a policy.
    public init(
        maxAttempts: Int = 6, budget: Duration = .seconds(180), initialBackoff: Duration = .milliseconds(500),
        maxBackoff: Duration = .seconds(30)
    ) {
        self.maxAttempts = maxAttempts
        self.budget = budget
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }
}
