public import Foundation
public import PierCore
import Synchronization

/// Wraps another ``OktaAPI`` with Okta-aware pacing and retries (DESIGN.md §11, STYLE.md §11.3).
///
/// - Paces every request through the org's pacer (share of each bucket, ≤ `maxInFlight` in flight).
/// - On 429 waits until `X-Rate-Limit-Reset − Date + 1 s` and retries.
/// - Retries idempotent GETs after a 5xx or a timeout with exponential backoff and jitter.
/// - Never retries a write after a 5xx or timeout (see ``OktaRequest/isIdempotent``).
/// - Gives up when the next wait would overrun the per-call budget; the error stays classified.
///
/// Every wait goes through the injected clock, so tests never wait in real time.
public final class RetryingOktaClient<C: Clock>: OktaAPI where C.Duration == Duration {
    /// The wrapped client.
    public let next: any OktaAPI
    private let clock: C
    private let retryPolicy: OktaRetryPolicy
    private let pacer: RateLimitPacer<C>
    private let jitter: @Sendable () -> Double
    private let state = Mutex(DirectoryRequestCounters())

    /// Creates a retrying client.
    ///
    /// - Parameters:
    ///   - next: The client that sends (usually ``HTTPOktaClient``).
    ///   - clock: Every wait sleeps on this clock (`ContinuousClock()` in production).
    ///   - now: Wall-clock time, used only when a response lacks `Date`.
    ///   - pacing: Share and concurrency limits.
    ///   - retry: Attempts, budget and backoff.
    ///   - jitter: A random number in `0..<1` (injectable for deterministic tests).
    public init(
        next: any OktaAPI, clock: C, now: @escaping @Sendable () -> Date = { Date() },
        pacing: OktaPacingPolicy = OktaPacingPolicy(), retry: OktaRetryPolicy = OktaRetryPolicy(),
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.next = next
        self.clock = clock
        self.retryPolicy = retry
        self.pacer = RateLimitPacer(policy: pacing, clock: clock, now: now)
        self.jitter = jitter
    }

    /// Requests, retries, 429s and seconds waited so far.
    public var counters: DirectoryRequestCounters { state.withLock { $0 } }

    public func send(_ request: OktaRequest) async throws -> OktaResponse {
        let bucket = request.bucket
        let deadline = clock.now.advanced(by: retryPolicy.budget)
        var attempt = 0
        while true {
            attempt += 1
            let paced = try await pacer.acquire(bucket)
            state.withLock {
                $0.requests += 1
                if attempt > 1 { $0.retries += 1 }
                $0.secondsWaited += paced.seconds
            }
            let failure: OktaError
            do {
                let response = try await next.send(request)
                await pacer.release(bucket, rateLimit: response.rateLimit, serverDate: response.serverDate)
                return response
            } catch let error as OktaError {
                await pacer.release(bucket, rateLimit: error.rateLimit, serverDate: error.serverDate)
                failure = error
            } catch {
                await pacer.release(bucket, rateLimit: nil, serverDate: nil)
                throw error
            }

            let delay: Duration
            switch failure.code {
            case .rateLimited:
                state.withLock { $0.rateLimited += 1 }
                // A 429 means Okta refused the request before acting on it, so resending is safe even
                // for a write.
                delay = rateLimitDelay(failure, attempt: attempt)
            case .server where request.isIdempotent, .timeout where request.isIdempotent:
                delay = backoff(attempt: attempt)
            default:
                // Not retried: client errors (4xx) will not change by repeating them, and a write that
                // met a 5xx or timeout may already have been applied — resending a POST could create a
                // second app or run a lifecycle action twice. The caller decides (e.g. re-read first).
                throw failure
            }
            guard attempt < retryPolicy.maxAttempts, clock.now.advanced(by: delay) <= deadline else {
                throw failure
            }
            try await clock.sleep(for: delay)
            state.withLock { $0.secondsWaited += delay.seconds }
        }
    }

    /// `reset − Date + 1 s` from the 429's own headers (min 1 s), plus up to 0.5 s of jitter so
    /// concurrent waiters do not all return at the same instant; exponential backoff when the headers
    /// are missing.
    private func rateLimitDelay(_ error: OktaError, attempt: Int) -> Duration {
        guard let reset = error.resetAt ?? error.rateLimit?.reset, let date = error.serverDate else {
            return backoff(attempt: attempt)
        }
        let seconds = max(1, reset.timeIntervalSince(date) + 1)
        return .milliseconds(Int64((seconds * 1000).rounded())) + .milliseconds(Int64(jitter() * 500))
    }

    /// Exponential backoff with equal jitter: half fixed, half random.
    private func backoff(attempt: Int) -> Duration {
        let exponent = min(attempt - 1, 20)
        var base = retryPolicy.initialBackoff * (1 << exponent)
        if base > retryPolicy.maxBackoff { base = retryPolicy.maxBackoff }
        return base / 2 + (base / 2) * jitter()
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
