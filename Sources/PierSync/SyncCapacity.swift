import Synchronization

/// The cap on concurrent syncs of one instance (DESIGN.md §8, default 2), shared by the scheduler and the
/// runner of queued runs so that together they never exceed it.
public final class SyncCapacity: Sendable {
    /// The most syncs this instance runs at once.
    public let limit: Int
    private let inUse = Mutex(0)

    public init(limit: Int = 2) {
        precondition(limit > 0, "a sync capacity of at least one")
        self.limit = limit
    }

    /// Takes one place; false when all are taken (the caller tries again later).
    func reserve() -> Bool {
        inUse.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    /// Gives back a place taken by ``reserve()``.
    func release() {
        inUse.withLock { count in
            precondition(count > 0, "release without reserve")
            count -= 1
        }
    }

    /// Places taken now.
    public var running: Int { inUse.withLock { $0 } }
}
