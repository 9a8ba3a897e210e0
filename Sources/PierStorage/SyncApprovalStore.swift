public import Foundation
public import PierCore

/// One removal or deactivation a held run waits to apply (`sync_run_objects` with outcome `held`).
public struct HeldSyncObject: Hashable, Sendable {
    public var kind: SyncRunObject.Kind
    public var oktaID: String
    /// `removal` or `deactivation`.
    public var reason: String
}

/// What an approval applies after re-confirming each held object (DESIGN.md §6).
public struct SyncApproval: Sendable {
    public var run: SyncRunID
    public var directory: DirectoryID
    /// The domain's sync lease, held for the approval; its fence is checked in the transaction.
    public var lease: Lease
    public var at: Date
    /// Who approved (`admin:alice`), for the audit entry.
    public var actor: String
    /// Users whose direct read answered 404 again.
    public var removeUsers: [OktaUserID]
    /// Users whose fresh read still maps to deactivated.
    public var deactivateUsers: [OktaUserID]
    /// Groups whose direct read answered 404 again.
    public var removeGroups: [OktaGroupID]
    /// Held objects the re-confirmation found back (left as they are, recorded as `skipped`, reason `found_on_reconfirmation`).
    public var kept: [HeldSyncObject]
    public var tombstoneLifetime: TimeInterval

    public init(
        run: SyncRunID, directory: DirectoryID, lease: Lease, at: Date, actor: String, removeUsers: [OktaUserID],
        deactivateUsers: [OktaUserID], removeGroups: [OktaGroupID], kept: [HeldSyncObject], tombstoneLifetime: TimeInterval
    ) {
        self.run = run
        self.directory = directory
        self.lease = lease
        self.at = at
        self.actor = actor
        self.removeUsers = removeUsers
        self.deactivateUsers = deactivateUsers
        self.removeGroups = removeGroups
        self.kept = kept
        self.tombstoneLifetime = tombstoneLifetime
    }
}

/// Approve or discard a run held by the mass-removal guard (one pending approval per domain).
public protocol SyncApprovalStore: Sendable {
    /// The held objects of a run, in write order.
    func heldObjects(run: SyncRunID) async throws -> [HeldSyncObject]

    /// Applies an approval in one transaction (fence checked, run `awaiting_approval` → `succeeded`,
    /// counts and outcome rows added, audit entry `sync.approve`).
    ///
    /// - Throws: `StorageError.conflict` when the lease was lost or the run no longer awaits approval.
    func applyApproval(_ approval: SyncApproval) async throws -> SyncRunRecord

    /// Discards a held run (`awaiting_approval` → `discarded`, audit entry `sync.discard`).
    ///
    /// - Throws: `StorageError.conflict` when the run does not await approval; `.notFound`.
    func discardHeldRun(_ run: SyncRunID, actor: String, at date: Date) async throws -> SyncRunRecord
}
