public import Foundation

/// A full walk or an incremental run from the change feed.
public enum SyncKind: String, Hashable, Sendable, Codable, CaseIterable {
    case full
    case incremental

    /// Whether a run of this kind covers a request for `other` (full covers both).
    public func covers(_ other: SyncKind) -> Bool { self == .full || other == .incremental }

    /// The kind of a scheduled run or of a Sync Now without an explicit kind (DESIGN.md §8): incremental
    /// unless there is no watermark or the last successful full run is older than `fullEvery`.
    public static func defaultKind(lastFullSuccess: Date?, hasWatermark: Bool, now: Date, fullEvery: TimeInterval) -> SyncKind {
        guard hasWatermark, let lastFullSuccess else { return .full }
        return now.timeIntervalSince(lastFullSuccess) >= fullEvery ? .full : .incremental
    }
}

/// What started a run.
public enum SyncTrigger: String, Hashable, Sendable, Codable, CaseIterable {
    case schedule
    case manual
    case initial
}

/// What a sync request (Sync Now, a schedule slot) does given the runs already in flight (DESIGN.md §8):
/// it joins a running run of equal or stronger kind, else joins or upgrades the one queued follow-up,
/// else queues one, or starts right away when nothing runs.
public enum SyncRequestResolution: Hashable, Sendable {
    /// Nothing runs: start a run of this kind.
    case start(SyncKind)
    /// Join the running run.
    case joinRunning
    /// Join the queued follow-up; `upgradeTo` is set when it must become a full run.
    case joinQueued(upgradeTo: SyncKind?)
    /// Queue one follow-up of this kind.
    case queue(SyncKind)

    /// Resolves a request.
    public static func resolve(requested: SyncKind, running: SyncKind?, queued: SyncKind?) -> SyncRequestResolution {
        guard let running else {
            if let queued { return .joinQueued(upgradeTo: queued.covers(requested) ? nil : requested) }
            return .start(requested)
        }
        if running.covers(requested) { return .joinRunning }
        if let queued { return .joinQueued(upgradeTo: queued.covers(requested) ? nil : requested) }
        return .queue(requested)
    }
}
