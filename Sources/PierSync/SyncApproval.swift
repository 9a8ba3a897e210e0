import Foundation
public import PierCore
public import PierStorage
import PierLogging

extension SyncEngine {
    /// Approves a run held by the mass-removal guard (DESIGN.md §6): under the domain's lease, every
    /// held object is read again — a removal applies only if its direct read still answers 404, a
    /// deactivation only if the fresh status still maps to deactivated (a 404 turns it into a removal).
    /// Objects found back are left as they are. One transaction applies it, with the audit entry.
    ///
    /// - Parameters:
    ///   - run: The held run (the domain's one pending approval).
    ///   - source: The domain's directory source.
    ///   - actor: Who approves, for the audit (`admin:alice`).
    /// - Returns: The run, now `succeeded`.
    /// - Throws: ``SyncEngineError/runNotFound``, ``SyncEngineError/notAwaitingApproval``,
    ///   ``SyncEngineError/alreadyRunning`` (a sync of the domain is running); source errors (nothing changes).
    public func approveHeldRun(_ run: SyncRunID, source: any DirectorySource, actor: String) async throws -> SyncRunRecord {
        guard let record = try await stores.run(run) else { throw SyncEngineError.runNotFound }
        guard record.state == .awaitingApproval else { throw SyncEngineError.notAwaitingApproval }
        guard let lease = try await acquireDomainLease(record.directoryID) else { throw SyncEngineError.alreadyRunning }
        do {
            var removeUsers: [OktaUserID] = []
            var deactivateUsers: [OktaUserID] = []
            var removeGroups: [OktaGroupID] = []
            var kept: [HeldSyncObject] = []
            for object in try await stores.heldObjects(run: run) {
                try Task.checkCancellation()
                switch object.kind {
                case .user:
                    let id = OktaUserID(object.oktaID)
                    guard let user = try await source.user(id) else {
                        removeUsers.append(id)
                        continue
                    }
                    if object.reason == "deactivation",
                       UserStatusMapping.decide(user.status, isKnown: true) == .status(.deactivated) {
                        deactivateUsers.append(id)
                    } else {
                        kept.append(object)
                    }
                case .group:
                    let id = OktaGroupID(object.oktaID)
                    if try await source.group(id) == nil { removeGroups.append(id) } else { kept.append(object) }
                case .membership:
                    continue
                }
            }
            let result = try await stores.applyApproval(SyncApproval(
                run: run, directory: record.directoryID, lease: lease, at: now(), actor: actor, removeUsers: removeUsers,
                deactivateUsers: deactivateUsers, removeGroups: removeGroups, kept: kept,
                tombstoneLifetime: configuration.tombstoneLifetime))
            try? await stores.releaseLease(lease)
            logger.notice("held sync run approved", metadata: [
                "sync.run.id": run.rawValue, "directory.id": record.directoryID.rawValue,
                "sync.removed": "\(removeUsers.count + removeGroups.count)", "sync.kept": "\(kept.count)",
            ])
            return result
        } catch {
            try? await stores.releaseLease(lease)
            if case StorageError.conflict = error { throw SyncEngineError.notAwaitingApproval }
            throw error
        }
    }

    /// Discards a held run: its held removals and deactivations are dropped until a later full run
    /// proposes them again. Audited.
    ///
    /// - Throws: ``SyncEngineError/runNotFound``, ``SyncEngineError/notAwaitingApproval``.
    public func discardHeldRun(_ run: SyncRunID, actor: String) async throws -> SyncRunRecord {
        guard let record = try await stores.run(run) else { throw SyncEngineError.runNotFound }
        guard record.state == .awaitingApproval else { throw SyncEngineError.notAwaitingApproval }
        do {
            return try await stores.discardHeldRun(run, actor: actor, at: now())
        } catch StorageError.conflict {
            throw SyncEngineError.notAwaitingApproval
        }
    }
}
