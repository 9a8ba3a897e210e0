import Foundation

/// Paces requests of one org (DESIGN.md §11): per bucket (path template) Pier's own requests stay within
/// the policy's share of each window, spread evenly over the window rather than sent in a burst at its
/// start, and never take the bucket's `X-Rate-Limit-Remaining` below the policy's headroom (other clients
/// share the bucket); at most `maxInFlight` requests are in flight per org.
///
/// Everything is learned from the `X-Rate-Limit-*` headers of earlier responses, so a changed limit or
/// window applies from the next response. Server times are converted to the injected clock with the
/// response's own `Date` (`reset − Date`), never the local wall clock, so clock skew does not matter
/// (REFERENCE §6.3).
///
/// A window Pier first hears of part-way (a run starting 15 s before a reset) gives it that part of the
/// share (a quarter), so any window's length of time holds about one share, not one at its end and
/// another at the next start. The window length is Okta's minute until consecutive resets show less.
///
/// Spreading: the window's first requests (the policy's burst, 10 % of the share) go at once; after them,
/// with `allowance` requests left in the window and `timeLeft` until its reset, the next
/// request may go `timeLeft ÷ allowance` after this one. Recomputed at every send, this places the rest
/// of the window's share evenly up to the reset and catches up when the caller was slower. The first
/// request of a new window of a known bucket goes alone (one probe in flight) until its response
/// announces the window's reset; a bucket never seen (or answering without headers) is not paced.
actor RateLimitPacer<C: Clock> where C.Duration == Duration {
    /// What the headers said about the bucket's current window.
    private struct Window {
        /// `X-Rate-Limit-Reset` of the window (server time).
        var serverReset: Date
        /// The earliest local instant at which the window may have ended: the minimum over its responses
        /// of arrival + `reset − Date`. `Date` has whole seconds, so each estimate is late by up to 1 s
        /// (never early); the minimum closes in on the true reset.
        var resetAt: C.Instant
        /// The lowest `X-Rate-Limit-Remaining` answered in the window (responses may arrive out of order).
        var remaining: Int
        /// Pier's requests the server counted in this window (their responses carried its reset).
        var sent: Int
        /// The part of the window left when Pier first heard of it (time to reset ÷ window length, ≤ 1):
        /// a run that starts 15 s before a reset gets a quarter of the share there, not all of it.
        var part: Double
        /// When the next request may go (even spreading); nil = now.
        var nextSendAt: C.Instant?
    }

    private struct Bucket {
        var limit: Int
        /// The latest window announced; nil once its reset has passed, until a response announces the next.
        var window: Window?
        /// The reset of the latest window announced (also after it passed), to ignore late answers.
        var lastServerReset: Date
    }

    private enum Decision {
        case send
        case sleep(until: C.Instant)
        case awaitResponse
    }

    private let policy: OktaPacingPolicy
    private let clock: C
    private let now: @Sendable () -> Date
    private var buckets: [String: Bucket] = [:]
    /// The org's window length: the policy's (Okta's minute) until two consecutive resets of a bucket show
    /// a shorter one.
    private var windowLength: Duration
    private var reserved: [String: Int] = [:]
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(policy: OktaPacingPolicy, clock: C, now: @escaping @Sendable () -> Date) {
        self.policy = policy
        self.windowLength = policy.window
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
            switch decide(bucket) {
            case .sleep(let wakeUp):
                try await clock.sleep(until: wakeUp, tolerance: nil)
            case .awaitResponse:
                await withCheckedContinuation { waiters.append($0) }
            case .send where inFlight >= policy.maxInFlight:
                await withCheckedContinuation { waiters.append($0) }
            case .send:
                reserve(bucket)
                return start.duration(to: clock.now)
            }
        }
    }

    /// Releases a reservation and learns from the response's headers.
    func release(_ bucket: String, rateLimit: OktaRateLimitStatus?, serverDate: Date?) {
        inFlight -= 1
        reserved[bucket, default: 1] -= 1
        defer {
            // Every waiter re-decides: a slot is free, or a probe answered, or the window changed.
            let woken = waiters
            waiters.removeAll()
            for waiter in woken { waiter.resume() }
        }
        guard let rateLimit, !rateLimit.isConcurrencyLimit, rateLimit.limit > 0 else { return }
        let secondsToReset = max(0, rateLimit.reset.timeIntervalSince(serverDate ?? now()))
        let timeToReset = Duration.milliseconds(Int64((secondsToReset * 1000).rounded()))
        let resetAt = clock.now.advanced(by: timeToReset)
        guard var state = buckets[bucket] else {
            buckets[bucket] = Bucket(
                limit: rateLimit.limit, window: newWindow(rateLimit, resetAt: resetAt, timeToReset: timeToReset),
                lastServerReset: rateLimit.reset)
            return
        }
        if rateLimit.reset > state.lastServerReset {
            let gap = rateLimit.reset.timeIntervalSince(state.lastServerReset)
            if gap >= 1, Duration.seconds(gap) < windowLength { windowLength = .seconds(gap) }
            state.window = newWindow(rateLimit, resetAt: resetAt, timeToReset: timeToReset)
            state.lastServerReset = rateLimit.reset
            state.limit = rateLimit.limit
        } else if rateLimit.reset == state.lastServerReset, var window = state.window {
            window.remaining = min(window.remaining, rateLimit.remaining)
            window.resetAt = min(window.resetAt, resetAt)
            window.sent += 1
            state.window = window
            state.limit = rateLimit.limit
        }
        // Older windows (late answers) teach nothing about the current one.
        buckets[bucket] = state
    }

    private func newWindow(_ rateLimit: OktaRateLimitStatus, resetAt: C.Instant, timeToReset: Duration) -> Window {
        Window(
            serverReset: rateLimit.reset, resetAt: resetAt, remaining: rateLimit.remaining, sent: 1,
            part: min(1, timeToReset / windowLength), nextSendAt: nil)
    }

    /// Whether a request to `bucket` may go now (slots aside), and if not, what to wait for.
    private func decide(_ bucket: String) -> Decision {
        guard var state = buckets[bucket] else { return .send }
        let current = clock.now
        if let window = state.window, current >= window.resetAt {
            state.window = nil
            buckets[bucket] = state
        }
        guard let window = state.window else {
            // A new window whose reset is not known yet: one probe at a time.
            return reserved[bucket, default: 0] > 0 ? .awaitResponse : .send
        }
        guard allowanceLeft(bucket, state: state, window: window) > 0 else { return .sleep(until: window.resetAt) }
        if let next = window.nextSendAt, current < next { return .sleep(until: next) }
        return .send
    }

    /// Requests Pier may still send in the window: its share minus what it sent, no further than the
    /// headroom other clients leave, minus what is in flight.
    private func allowanceLeft(_ bucket: String, state: Bucket, window: Window) -> Int {
        let ownLeft = policy.allowance(limit: state.limit, part: window.part) - window.sent
        let bucketLeft = window.remaining - policy.reserve(limit: state.limit)
        return min(ownLeft, bucketLeft) - reserved[bucket, default: 0]
    }

    private func reserve(_ bucket: String) {
        if var state = buckets[bucket], var window = state.window, case let left = allowanceLeft(bucket, state: state, window: window),
            left > 0
        {
            let sentWithThisOne = window.sent + reserved[bucket, default: 0] + 1
            if sentWithThisOne >= policy.burstCount(allowance: policy.allowance(limit: state.limit, part: window.part)) {
                let current = clock.now
                window.nextSendAt = current.advanced(by: current.duration(to: window.resetAt) / left)
                state.window = window
                buckets[bucket] = state
            }
        }
        inFlight += 1
        reserved[bucket, default: 0] += 1
    }
}
