public import Foundation
public import PierCore

/// Everything the one apply transaction of a full run needs (DESIGN.md §6 apply rule).
public struct FullSyncApply: Sendable {
    public var run: SyncRunID
    public var directory: DirectoryID
    /// The lease the run holds; the transaction checks its fence and changes nothing when it was lost.
    public var lease: Lease
    /// The run's decision time: timestamps of the rows it writes (outcomes, creations, tombstones).
    public var at: Date
    /// Read at the end of the apply transaction for the run's `finished_at`: a 100k-user apply takes
    /// seconds, and a run is finished when its writes are, not when they began. `nil`: ``at``.
    public var finishedAt: (@Sendable () -> Date)?
    /// Set when the mass-removal guard holds the run: removals and deactivations wait for approval.
    public var held: [RemovalGuard.Reason]
    /// Users absent from the walk whose direct read answered "not found" (ignored when held).
    public var confirmedUserRemovals: [OktaUserID]
    /// Groups absent from the walk whose direct read answered "not found" (ignored when held).
    public var confirmedGroupRemovals: [OktaGroupID]
    /// The new incremental watermark (server time of the run's first request − 2 s).
    public var watermark: Date?
    public var oktaRequests: Int
    public var rateLimitWaitSeconds: Double
    /// How long a tombstone revives a reappearing id (DESIGN.md §1.2: 30 days).
    public var tombstoneLifetime: TimeInterval
    /// `.incremental`: only staged objects are applied, removals (or held removals) are exactly the
    /// confirmed ids, memberships come from ``membershipChanges``, and `last_full_sync_at` stays.
    public var kind: SyncKind = .full
    /// Incremental runs: membership changes in event order (one per pair). Everyone stays derived.
    public var membershipChanges: [SyncMembershipChange] = []

    public init(
        run: SyncRunID, directory: DirectoryID, lease: Lease, at: Date, held: [RemovalGuard.Reason] = [],
        confirmedUserRemovals: [OktaUserID] = [], confirmedGroupRemovals: [OktaGroupID] = [], watermark: Date?,
        oktaRequests: Int = 0, rateLimitWaitSeconds: Double = 0, tombstoneLifetime: TimeInterval = 30 * 86_400
    ) {
        self.run = run
        self.directory = directory
        self.lease = lease
        self.at = at
        self.held = held
        self.confirmedUserRemovals = confirmedUserRemovals
        self.confirmedGroupRemovals = confirmedGroupRemovals
        self.watermark = watermark
        self.oktaRequests = oktaRequests
        self.rateLimitWaitSeconds = rateLimitWaitSeconds
        self.tombstoneLifetime = tombstoneLifetime
    }
}

/// One page of a group's members as a walk read it.
public struct StagedMemberPage: Sendable, Hashable {
    public var group: OktaGroupID
    public var members: [OktaUserID]
    /// The last page of the group's walk.
    public var complete: Bool

    public init(group: OktaGroupID, members: [OktaUserID], complete: Bool) {
        self.group = group
        self.members = members
        self.complete = complete
    }
}

extension SyncStagingStore {
    /// Stages one page of a group's members.
    public func stageMembers(_ members: [OktaUserID], of group: OktaGroupID, complete: Bool, run: SyncRunID) async throws {
        try await stageMembers([StagedMemberPage(group: group, members: members, complete: complete)], run: run)
    }
}

/// The staging side of a run: what a run read goes to per-run staging tables in short writes (memory
/// stays bounded by a page), and the one apply transaction turns it into the live directory.
public protocol SyncStagingStore: Sendable {
    /// Stages users (an upsert: a walk restarted after an invalid cursor, or a user seen by both walks,
    /// keeps the most recently updated version).
    func stageUsers(_ users: [DirectoryUserRecord], run: SyncRunID) async throws

    /// Stages groups with their member counts (`expand=stats`).
    func stageGroups(_ groups: [(record: DirectoryGroupRecord, memberCount: Int?)], run: SyncRunID) async throws

    /// Stages member pages, of one group or several (a walk batches small groups' pages into one write);
    /// a page's `complete` marks the end of its group's walk.
    func stageMembers(_ pages: [StagedMemberPage], run: SyncRunID) async throws

    /// Staged groups whose members must be walked (every known type except Everyone), ordered by id.
    func groupsNeedingMembers(run: SyncRunID) async throws -> [OktaGroupID]

    /// The run's walk is over: what follows reads staging against the live directory (the plan queries
    /// and the apply). PostgreSQL gathers planner statistics on the staging tables here: rows written
    /// since its last (auto)analyze are invisible to the planner, which then sorted the whole staging set
    /// for every chunk of the apply (docs/STORAGE.md, "Planner statistics").
    func walkFinished(run: SyncRunID) async throws

    /// Counts for the partial-view check and the mass-removal guard.
    func removalSummary(run: SyncRunID, directory: DirectoryID) async throws -> RemovalGuard.Input

    /// Live users absent from the run's walk.
    func userRemovalCandidates(run: SyncRunID, directory: DirectoryID) async throws -> [OktaUserID]

    /// Live groups absent from the run's walk.
    func groupRemovalCandidates(run: SyncRunID, directory: DirectoryID) async throws -> [OktaGroupID]

    /// Applies a full run in one transaction: the diff of staging against the live directory (via
    /// ``SyncPlanner``), confirmed removals with tombstones (or held ones), memberships (Everyone derived),
    /// the watermark, per-object outcomes and the run's final record; staging rows are dropped.
    ///
    /// - Returns: the run as recorded.
    /// - Throws: `StorageError.conflict` when the lease was lost: nothing is changed.
    func applyFullSync(_ apply: FullSyncApply) async throws -> SyncRunRecord

    /// Staged users without a live row in the domain (first-time imports of an incremental run), with
    /// their Okta status, ordered by id.
    func stagedNewUsers(run: SyncRunID, directory: DirectoryID) async throws -> [(id: OktaUserID, oktaStatus: String)]

    /// The guard's input for an incremental run: live counts, deactivations among staged users, the
    /// confirmed removals that are live, and the largest of the confirmed groups.
    func incrementalGuardInput(
        run: SyncRunID, directory: DirectoryID, userRemovals: [OktaUserID], groupRemovals: [OktaGroupID]
    ) async throws -> RemovalGuard.Input
}
