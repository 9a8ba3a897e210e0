import Foundation
public import PierCore

extension SQLStore {
    public func stagedNewUsers(run: SyncRunID, directory: DirectoryID) async throws -> [(id: OktaUserID, oktaStatus: String)] {
        try await database.read { db in
            try db.fetchAll("""
                SELECT s.okta_id, s.okta_status FROM sync_staging_users s
                WHERE s.run_id = \(run.rawValue)
                    AND NOT EXISTS (SELECT 1 FROM users u WHERE u.directory_id = \(directory.rawValue) AND u.okta_id = s.okta_id)
                ORDER BY s.okta_id
                """).map { (OktaUserID(try $0.decode("okta_id", as: String.self)), try $0.decode("okta_status", as: String.self)) }
        }
    }

    public func incrementalGuardInput(
        run: SyncRunID, directory: DirectoryID, userRemovals: [OktaUserID], groupRemovals: [OktaGroupID]
    ) async throws -> RemovalGuard.Input {
        try await database.read { db in
            let d = directory.rawValue
            func count(_ sql: SQL) throws -> Int { try db.fetchValue(sql, as: Int.self) ?? 0 }
            let domainUsers = try count("SELECT count(*) FROM users WHERE directory_id = \(d)")
            return RemovalGuard.Input(
                domainUsers: domainUsers,
                userRemovals: try count("""
                    SELECT count(*) FROM users WHERE directory_id = \(d) AND okta_id IN (\(list: userRemovals.map(\.rawValue)))
                    """),
                userDeactivations: try count("""
                    SELECT count(*) FROM users u JOIN sync_staging_users s ON s.run_id = \(run.rawValue) AND s.okta_id = u.okta_id
                    WHERE u.directory_id = \(d) AND u.status <> 'deactivated' AND s.okta_status IN (\(list: Self.deactivatingStatuses))
                    """),
                // An incremental run does not walk: the empty-walk rule does not apply.
                walkedUsers: domainUsers,
                domainGroups: try count("SELECT count(*) FROM groups WHERE directory_id = \(d)"),
                groupRemovals: try count("""
                    SELECT count(*) FROM groups WHERE directory_id = \(d) AND okta_id IN (\(list: groupRemovals.map(\.rawValue)))
                    """),
                largestRemovedGroupMembers: try db.fetchValue("""
                    SELECT count(*) AS n FROM group_members m JOIN groups g ON g.id = m.group_id
                    WHERE g.directory_id = \(d) AND g.okta_id IN (\(list: groupRemovals.map(\.rawValue)))
                    GROUP BY g.id ORDER BY n DESC LIMIT 1
                    """, as: Int.self) ?? 0
            )
        }
    }
}
