import Foundation

/// Paces requests of one org: per bucket (path template) it keeps the window's use under the policy's
/// share, using the `X-Rate-Limit-*` headers of earlier responses (which include other clients' use),
/// and it keeps at most `maxInFlight` requests in flight.
///
/// Server times are converted to the injected clock with the response's own `Date`
/// (`reset − Date`), never with the local wall clock, so clock skew does not matter (REFERENCE §6.3).
actor RateLimitPacer<C: Clock> where C.Duration == Duration {
    private struct Bucket {
        var limit: Int
        var remaining: Int
        var serverReset: Date
        var resetAt: C.Instant
    }

    private let policy: OktaPacingPolicy
    private let clock: C
    private let now: @Sendable () -> Date
    private var buckets: [String: Bucket] = [:]
    private var reserved: [String: Int] = [:]
    private var inFlight = 0
    private var slotWaiters: [CheckedContinuation<Void, Never>] = []

    init(policy: OktaPacingPolicy, clock: C, now: @escaping @Sendable () -> Date) {
        self.policy = policy
        self.clock = clock
        self.now = now
    }

    /// Waits until a request to `bucket` may be sent and reserves it.
    ///
    /// - Returns: How long it waited.
    func acquire(_ bucket: String) async throws -> Duration {
        let start = clock.now
        while true {
            try Task.checkCancellation()
            if let wakeUp = pacingDeadline(bucket) {
                try await clock.sleep(until: wakeUp, tolerance: nil)
                continue
            }
            if inFlight < policy.maxInFlight {
                inFlight += 1
                reserved[bucket, default: 0] += 1
                return start.duration(to: clock.now)
            }
            await withCheckedContinuation { slotWaiters.append($0) }
        }
    }

    /// Releases a reservation and learns from the response's headers.
    func release(_ bucket: String, rateLimit: OktaRateLimitStatus?, serverDate: Date?) {
        inFlight -= 1
        reserved[bucket, default: 1] -= 1
        if !slotWaiters.isEmpty { slotWaiters.removeFirst().resume() }
        guard let rateLimit, !rateLimit.isConcurrencyLimit, rateLimit.limit > 0 else { return }
        let secondsToReset = max(0, rateLimit.reset.timeIntervalSince(serverDate ?? now()))
        let resetAt = clock.now.advanced(by: .milliseconds(Int64((secondsToReset * 1000).rounded())))
        if var existing = buckets[bucket], existing.serverReset == rateLimit.reset {
            // Same window: responses can arrive out of order, so the lowest `remaining` is the truth.
            existing.remaining = min(existing.remaining, rateLimit.remaining)
            existing.limit = rateLimit.limit
            buckets[bucket] = existing
        } else if buckets[bucket].map({ rateLimit.reset > $0.serverReset }) ?? true {
            buckets[bucket] = Bucket(
                limit: rateLimit.limit, remaining: rateLimit.remaining, serverReset: rateLimit.reset, resetAt: resetAt)
        }
    }

    /// When the bucket's window resets, if the share is used up; `nil` when a request may go now.
    private func pacingDeadline(_ bucket: String) -> C.Instant? {
        guard let state = buckets[bucket] else { return nil }
        if clock.now >= state.resetAt {
            buckets[bucket] = nil
            return nil
        }
        let used = state.limit - state.remaining + reserved[bucket, default: 0]
        let allowed = max(1, Int((policy.share * Double(state.limit)).rounded(.down)))
        return used < allowed ? nil : state.resetAt
    }
}
