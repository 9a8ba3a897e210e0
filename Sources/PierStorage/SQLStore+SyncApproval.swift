public import Foundation
public import PierCore

extension SQLStore: SyncApprovalStore {
    public func heldObjects(run: SyncRunID) async throws -> [HeldSyncObject] {
        try await database.read { db in
            try db.fetchAll("""
                SELECT object_kind, okta_id, reason FROM sync_run_objects
                WHERE run_id = \(run.rawValue) AND outcome = 'held' ORDER BY id
                """).map { row in
                HeldSyncObject(
                    kind: SyncRunObject.Kind(rawValue: try row.decode("object_kind")) ?? .user, oktaID: try row.decode("okta_id"),
                    reason: try row.decode("reason", as: String?.self) ?? "removal")
            }
        }
    }

    public func applyApproval(_ approval: SyncApproval) async throws -> SyncRunRecord {
        try await database.write { db in
            try Self.lockFence(approval.lease, in: db)
            let d = approval.directory.rawValue
            let r = approval.run.rawValue
            let now = approval.at
            guard let row = try db.fetchOne("\(Self.runColumns) WHERE id = \(r) AND directory_id = \(d) AND state = 'awaiting_approval'") else {
                throw StorageError(.conflict, "run \(r) does not await approval")
            }
            var counts = try Self.run(from: row).counts
            func record(_ kind: String, _ oktaID: String, _ pierID: String?, _ outcome: String, _ reason: String?) throws {
                try db.execute("""
                    INSERT INTO sync_run_objects (run_id, object_kind, okta_id, pier_id, outcome, reason, at)
                    VALUES (\(r), \(kind), \(oktaID), \(pierID), \(outcome), \(reason), \(now))
                    """)
            }
            let expires = now.addingTimeInterval(approval.tombstoneLifetime)
            for oktaID in approval.removeUsers {
                guard let user = try db.fetchOne("SELECT id, status FROM users WHERE directory_id = \(d) AND okta_id = \(oktaID.rawValue)") else { continue }
                let id: String = try user.decode("id")
                if try db.fetchOne("SELECT 1 FROM devices WHERE owner_user_id = \(id) LIMIT 1") != nil {
                    if try Self.pierStatus(from: user) != .deactivated {
                        try db.execute("UPDATE users SET status = 'deactivated', updated_at = \(now) WHERE id = \(id)")
                        counts.users.deactivated += 1
                        try record("user", oktaID.rawValue, id, "deactivated", "deleted_in_okta_owns_devices")
                    }
                    continue
                }
                try db.execute("DELETE FROM users WHERE id = \(id)")
                try Self.tombstone(kind: "user", oktaID: oktaID.rawValue, pierID: id, directory: d, run: r, at: now, expires: expires, in: db)
                counts.users.removed += 1
                try record("user", oktaID.rawValue, id, "removed", "approved")
            }
            for oktaID in approval.deactivateUsers {
                guard let id = try db.fetchValue("""
                    SELECT id FROM users WHERE directory_id = \(d) AND okta_id = \(oktaID.rawValue) AND status <> 'deactivated'
                    """, as: String.self) else { continue }
                try db.execute("UPDATE users SET status = 'deactivated', updated_at = \(now) WHERE id = \(id)")
                counts.users.deactivated += 1
                try record("user", oktaID.rawValue, id, "deactivated", "approved")
            }
            for oktaID in approval.removeGroups {
                guard let id = try db.fetchValue("SELECT id FROM groups WHERE directory_id = \(d) AND okta_id = \(oktaID.rawValue)", as: String.self) else { continue }
                try db.execute("DELETE FROM groups WHERE id = \(id)")
                try Self.tombstone(kind: "group", oktaID: oktaID.rawValue, pierID: id, directory: d, run: r, at: now, expires: expires, in: db)
                counts.groups.removed += 1
                try record("group", oktaID.rawValue, id, "removed", "approved")
            }
            for object in approval.kept {
                try record(object.kind.rawValue, object.oktaID, nil, "skipped", "found_on_reconfirmation")
            }
            try db.execute("""
                UPDATE sync_runs SET state = 'succeeded', counts = \(try Self.json(counts)), finished_at = \(now) WHERE id = \(r)
                """)
            let details = try Self.json([
                "run": r, "removed_users": "\(approval.removeUsers.count)", "deactivated_users": "\(approval.deactivateUsers.count)",
                "removed_groups": "\(approval.removeGroups.count)", "kept": "\(approval.kept.count)",
            ])
            try Self.append(AuditEntry(at: now, actor: approval.actor, action: "sync.approve", target: d, details: details), in: db)
            guard let stored = try db.fetchOne("\(Self.runColumns) WHERE id = \(r)") else {
                throw StorageError(.notFound, "run \(r) vanished inside its own transaction")
            }
            return try Self.run(from: stored)
        }
    }

    public func discardHeldRun(_ run: SyncRunID, actor: String, at date: Date) async throws -> SyncRunRecord {
        try await database.write { db in
            let r = run.rawValue
            guard let row = try db.fetchOne("\(Self.runColumns) WHERE id = \(r)") else { throw StorageError(.notFound, "run \(r) not found") }
            let current = try Self.run(from: row)
            guard current.state == .awaitingApproval else { throw StorageError(.conflict, "run \(r) does not await approval") }
            try db.execute("UPDATE sync_runs SET state = 'discarded', finished_at = \(date) WHERE id = \(r) AND state = 'awaiting_approval'")
            let details = try Self.json(["run": r, "held_users": "\(current.held?.users ?? 0)", "held_groups": "\(current.held?.groups ?? 0)"])
            try Self.append(AuditEntry(at: date, actor: actor, action: "sync.discard", target: current.directoryID.rawValue, details: details), in: db)
            guard let stored = try db.fetchOne("\(Self.runColumns) WHERE id = \(r)") else { throw StorageError(.notFound, "run \(r) vanished") }
            return try Self.run(from: stored)
        }
    }
}
