public import Foundation
public import PierCore

/// A sync run as stored (`sync_runs`).
public struct SyncRunRecord: Hashable, Sendable {
    public var id: SyncRunID
    public var directoryID: DirectoryID
    public var trigger: SyncTrigger
    public var kind: SyncKind
    public var state: SyncRunState
    public var queuedAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var counts: SyncCounts
    public var held: SyncHeld?
    public var oktaRequests: Int
    public var rateLimitWaitSeconds: Double
    public var error: SyncRunError?
    public var progress: SyncProgress?
    /// The fence of the lease the run holds (or held).
    public var fence: Int64?
}

/// One per-object outcome row of a run (`sync_run_objects`).
public struct SyncRunObject: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable { case user, group, membership }
    public var kind: Kind
    public var oktaID: String
    public var pierID: String?
    /// `created`, `updated`, `deactivated`, `removed`, `revived`, `skipped`, `held`.
    public var outcome: String
    public var reason: String?
}

/// How a run ends when it does not reach the apply (failed, interrupted).
public struct SyncRunEnding: Sendable {
    public var state: SyncRunState
    public var error: SyncRunError?
    public var oktaRequests: Int
    public var rateLimitWaitSeconds: Double

    public init(state: SyncRunState, error: SyncRunError?, oktaRequests: Int, rateLimitWaitSeconds: Double) {
        self.state = state
        self.error = error
        self.oktaRequests = oktaRequests
        self.rateLimitWaitSeconds = rateLimitWaitSeconds
    }
}

/// Run records (DESIGN.md §5 run resource, §8 one run per domain).
public protocol SyncRunStore: Sendable {
    /// Records a new running run under a lease. A `running` row left by a holder whose lease is gone is
    /// first marked `interrupted` (the caller holds the lease now, so that holder cannot commit).
    ///
    /// - Throws: `StorageError.conflict` when the lease is not held (fence check).
    func startRun(
        id: SyncRunID, directory: DirectoryID, trigger: SyncTrigger, kind: SyncKind, lease: Lease, at date: Date
    ) async throws -> SyncRunRecord

    /// One run, or nil.
    func run(_ id: SyncRunID) async throws -> SyncRunRecord?

    /// A domain's runs, newest first.
    func runs(of directory: DirectoryID, limit: Int) async throws -> [SyncRunRecord]

    /// Persists live progress and the request counters.
    func updateProgress(_ id: SyncRunID, _ progress: SyncProgress, oktaRequests: Int, rateLimitWaitSeconds: Double, at date: Date) async throws

    /// Ends a run that did not apply (failed or interrupted) and drops its staging rows. Live directory
    /// tables are not touched.
    func endRun(_ id: SyncRunID, _ ending: SyncRunEnding, at date: Date) async throws

    /// A run's per-object outcomes, in write order.
    func runObjects(_ id: SyncRunID) async throws -> [SyncRunObject]
}
