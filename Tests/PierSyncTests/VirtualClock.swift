import Foundation
import Synchronization

/// A clock whose sleeps return at once after moving its time forward to the deadline, plus the matching
/// wall-clock `date` for the simulator's `now`. Given to `RetryingOktaClient` (retry and pacing waits) and
/// to the simulator (rate-limit windows, `Date` headers), a run that waits minutes on rate limits takes
/// no real time, and the simulator's windows still reset as Okta's would.
final class VirtualClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    let start: Date
    private let elapsed = Mutex(Duration.zero)
    private let slept = Mutex(Duration.zero)

    init(start: Date) { self.start = start }

    var now: Instant { Instant(offset: elapsed.withLock { $0 }) }
    var minimumResolution: Duration { .nanoseconds(1) }

    /// The wall-clock time this clock stands at.
    var date: Date {
        let parts = elapsed.withLock { $0 }.components
        return start.addingTimeInterval(Double(parts.seconds) + Double(parts.attoseconds) / 1e18)
    }

    /// Total time moved forward by sleeps.
    var totalSlept: Duration { slept.withLock { $0 } }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        let moved = elapsed.withLock { value -> Duration in
            guard deadline.offset > value else { return .zero }
            let moved = deadline.offset - value
            value = deadline.offset
            return moved
        }
        slept.withLock { $0 += moved }
        await Task.yield()
    }

    /// Moves the time forward without a sleeper (e.g. to let a test's own changes land after a watermark).
    func advance(by duration: Duration) {
        elapsed.withLock { $0 += duration }
    }
}
