/// The life of a sync run (DESIGN.md §5 `run.state`).
public enum SyncRunState: String, Hashable, Sendable, Codable, CaseIterable {
    case queued
    case running
    /// Creates and updates applied; removals held for an administrator.
    case awaitingApproval = "awaiting_approval"
    case succeeded
    case failed
    /// Held removals dropped by an administrator or replaced by a later run.
    case discarded
    /// Stopped by shutdown, or its lease expired.
    case interrupted

    /// Whether the run is over.
    public var isFinished: Bool {
        switch self {
        case .queued, .running, .awaitingApproval: false
        case .succeeded, .failed, .discarded, .interrupted: true
        }
    }
}
