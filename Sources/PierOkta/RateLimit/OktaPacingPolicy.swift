/// How much of Okta's rate limits Pier may use (DESIGN.md §11).
public struct OktaPacingPolicy: Sendable, Hashable {
    /// The share of each bucket's per-window limit Pier may consume, counting other clients' use that
    /// the headers report (default 50 %).
    public var share: Double
    /// Requests in flight at once per org (default 4; Okta's org-wide concurrency limit is shared with
    /// every other integration).
    public var maxInFlight: Int

    /// Creates a policy.
    public init(share: Double = 0.5, maxInFlight: Int = 4) {
        precondition(share > 0 && share <= 1, "share must be in (0, 1]")
        precondition(maxInFlight >= 1, "at least one request must be allowed in flight")
        self.share = share
        self.maxInFlight = maxInFlight
    }
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
