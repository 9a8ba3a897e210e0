public import Foundation
public import PierCore

extension SQLStore: DirectoryConfigurationStore, DirectoryReader {
    // MARK: - DirectoryConfigurationStore

    public func createDirectory(_ directory: DirectoryRecord) async throws {
        let schedule = try Self.json(directory.schedule)
        let thresholds = try Self.json(directory.guardThresholds)
        try await database.write { db in
            try db.execute("""
                INSERT INTO directories (id, domain, org_id, org_host, endpoint, note, api_token_ciphertext, api_token_hint,
                    self_enroll, schedule, guard_thresholds, watermark, last_full_sync_at, created_at, updated_at)
                VALUES (\(directory.id.rawValue), \(directory.domain), \(directory.orgID), \(directory.orgHost),
                    \(directory.endpoint), \(directory.note), \(directory.apiTokenCiphertext), \(directory.apiTokenHint),
                    \(directory.selfEnroll ? 1 : 0), \(schedule), \(thresholds), \(directory.watermark),
                    \(directory.lastFullSyncAt), \(directory.createdAt), \(directory.updatedAt))
                """)
        }
    }

    public func directory(_ id: DirectoryID) async throws -> DirectoryRecord? {
        try await database.read { db in
            try db.fetchOne("\(Self.directoryColumns) WHERE id = \(id.rawValue)").map(Self.directory(from:))
        }
    }

    public func directories() async throws -> [DirectoryRecord] {
        try await database.read { db in
            try db.fetchAll("\(Self.directoryColumns) ORDER BY created_at, id").map(Self.directory(from:))
        }
    }

    public func updateDirectory(_ id: DirectoryID, _ update: DirectoryUpdate, at date: Date) async throws -> DirectoryRecord {
        let schedule = try update.schedule.map(Self.json)
        let thresholds = try update.guardThresholds.map(Self.json)
        return try await database.write { db in
            var assignments: SQL = "updated_at = \(date)"
            if let selfEnroll = update.selfEnroll { assignments.append(", self_enroll = \(selfEnroll ? 1 : 0)") }
            if let schedule { assignments.append(", schedule = \(schedule)") }
            if let thresholds { assignments.append(", guard_thresholds = \(thresholds)") }
            if let ciphertext = update.apiTokenCiphertext {
                assignments.append(", api_token_ciphertext = \(ciphertext), api_token_hint = \(update.apiTokenHint ?? "")")
            }
            guard try db.execute("UPDATE directories SET \(assignments) WHERE id = \(id.rawValue)") == 1,
                  let row = try db.fetchOne("\(Self.directoryColumns) WHERE id = \(id.rawValue)") else {
                throw StorageError(.notFound, "no domain with id \(id)")
            }
            return try Self.directory(from: row)
        }
    }

    public func deleteDirectory(_ id: DirectoryID) async throws {
        try await database.write { db in
            // Memberships, users, groups, runs and tombstones go by ON DELETE CASCADE; a user who still
            // owns a device stops the delete (devices.owner_user_id is RESTRICT). Staging rows do not
            // reference their run (migration 0004) and go explicitly.
            try Self.dropStaging(ofRunsIn: id, except: nil, in: db)
            guard try db.execute("DELETE FROM directories WHERE id = \(id.rawValue)") == 1 else {
                throw StorageError(.notFound, "no domain with id \(id)")
            }
            try db.execute("DELETE FROM leases WHERE name = \(Self.syncLeaseName(id))")
        }
    }

    /// Deletes a domain like ``deleteDirectory(_:)``, first applying `devices` to the devices its users own,
    /// all in one transaction. Dropping the domain's lease row makes a sync of it that is still running lose
    /// its lease: it stops at its next renewal and its fenced apply cannot commit.
    ///
    /// - Returns: How many devices the decision moved (0 when the users owned none).
    /// - Throws: ``DomainDeletionRefusal`` (nothing changed); `StorageError.notFound`.
    @discardableResult
    public func deleteDirectory(_ id: DirectoryID, devices decision: DomainDeviceDecision?, at date: Date) async throws -> Int {
        try await database.write { db in
            let d = id.rawValue
            guard try db.fetchOne("SELECT 1 FROM directories WHERE id = \(d)") != nil else {
                throw StorageError(.notFound, "no domain with id \(id)")
            }
            let owned: SQL = "SELECT id FROM users WHERE directory_id = \(d)"
            let deviceIDs: [String] = try db.fetchAll("SELECT id FROM devices WHERE owner_user_id IN (\(owned)) ORDER BY id").map { try $0.decode("id") }
            if !deviceIDs.isEmpty {
                switch decision {
                case nil:
                    throw DomainDeletionRefusal.devicesNeedDecision(devices: deviceIDs.count)
                case .disenroll:
                    try db.execute("""
                        UPDATE devices SET state = 'disenrolled', disenrolled_at = COALESCE(disenrolled_at, \(date)), owner_user_id = NULL,
                            secret_hash = NULL, updated_at = \(date)
                        WHERE id IN (\(list: deviceIDs))
                        """)
                    try db.execute("""
                        UPDATE device_commands SET status = 'cancelled', updated_at = \(date)
                        WHERE device_id IN (\(list: deviceIDs)) AND status IN ('queued', 'sent')
                        """)
                case .reassign(let target):
                    guard let row = try db.fetchOne("SELECT directory_id, status FROM users WHERE id = \(target)") else {
                        throw DomainDeletionRefusal.invalidReassignTarget("no user with id '\(target)'")
                    }
                    let targetDirectory: String? = try row.decode("directory_id")
                    if targetDirectory == d {
                        throw DomainDeletionRefusal.invalidReassignTarget("the user belongs to the domain being deleted")
                    }
                    if try row.decode("status") as String == "deactivated" {
                        throw DomainDeletionRefusal.invalidReassignTarget("the user is deactivated")
                    }
                    try db.execute("""
                        UPDATE devices SET owner_user_id = \(target), directory_id = \(targetDirectory), updated_at = \(date)
                        WHERE id IN (\(list: deviceIDs))
                        """)
                }
            }
            try Self.dropStaging(ofRunsIn: id, except: nil, in: db)
            try db.execute("DELETE FROM directories WHERE id = \(d)")
            try db.execute("DELETE FROM leases WHERE name = \(Self.syncLeaseName(id))")
            return deviceIDs.count
        }
    }

    /// The lease name a domain's sync runs under.
    public static func syncLeaseName(_ directory: DirectoryID) -> String { "sync:\(directory.rawValue)" }

    private static let directoryColumns: SQL = """
        SELECT id, domain, org_id, org_host, endpoint, note, api_token_ciphertext, api_token_hint, self_enroll, schedule,
            guard_thresholds, watermark, last_full_sync_at, created_at, updated_at FROM directories
        """

    private static func directory(from row: Row) throws -> DirectoryRecord {
        DirectoryRecord(
            id: DirectoryID(try row.decode("id", as: String.self)),
            domain: try row.decode("domain"), orgID: try row.decode("org_id"), orgHost: try row.decode("org_host"),
            endpoint: try row.decode("endpoint"), note: try row.decode("note"),
            apiTokenCiphertext: try row.decode("api_token_ciphertext"), apiTokenHint: try row.decode("api_token_hint"),
            selfEnroll: try row.decode("self_enroll"),
            schedule: try decodeJSON(SyncSchedule.self, try row.decode("schedule")),
            guardThresholds: try decodeJSON(RemovalGuard.Thresholds.self, try row.decode("guard_thresholds")),
            watermark: try row.decode("watermark"), lastFullSyncAt: try row.decode("last_full_sync_at"),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at")
        )
    }

    // MARK: - DirectoryReader

    public func directoryUsers(_ directory: DirectoryID) async throws -> [StoredDirectoryUser] {
        try await database.read { db in
            try db.fetchAll("""
                SELECT id, directory_id, \(Self.userRecordColumns("users")), status FROM users
                WHERE directory_id = \(directory.rawValue) ORDER BY okta_id
                """).map { row in
                StoredDirectoryUser(
                    id: try row.decode("id"), directoryID: directory, record: try Self.userRecord(from: row),
                    status: try Self.pierStatus(from: row)
                )
            }
        }
    }

    public func directoryGroups(_ directory: DirectoryID) async throws -> [StoredDirectoryGroup] {
        try await database.read { db in
            try db.fetchAll("""
                SELECT g.id, g.okta_id, g.name, g.description, g.type, g.okta_last_updated,
                    (SELECT count(*) FROM group_members m WHERE m.group_id = g.id) AS member_count
                FROM groups g WHERE g.directory_id = \(directory.rawValue) ORDER BY g.okta_id
                """).map { row in
                StoredDirectoryGroup(
                    id: try row.decode("id"), directoryID: directory, record: try Self.groupRecord(from: row),
                    memberCount: try row.decode("member_count")
                )
            }
        }
    }

    public func members(of group: OktaGroupID, in directory: DirectoryID) async throws -> [OktaUserID] {
        try await database.read { db in
            try db.fetchAll("""
                SELECT u.okta_id FROM group_members m
                JOIN groups g ON g.id = m.group_id
                JOIN users u ON u.id = m.user_id
                WHERE g.directory_id = \(directory.rawValue) AND g.okta_id = \(group.rawValue)
                ORDER BY u.okta_id
                """).map { OktaUserID(try $0.decode("okta_id", as: String.self)) }
        }
    }

    // MARK: - Shared row mapping

    /// The columns of a ``DirectoryUserRecord`` in `users` and `sync_staging_users` (same names), with a
    /// table alias.
    static func userRecordColumns(_ alias: String) -> SQL {
        SQL(verbatim: ["okta_id", "okta_status", "login", "email", "first_name", "last_name", "phone", "department", "title",
                       "profile", "okta_last_updated"].map { "\(alias).\($0)" }.joined(separator: ", "))
    }

    static func userRecord(from row: Row, prefix: String = "") throws -> DirectoryUserRecord {
        DirectoryUserRecord(
            oktaID: OktaUserID(try row.decode(prefix + "okta_id", as: String.self)),
            oktaStatus: try row.decode(prefix + "okta_status"), login: try row.decode(prefix + "login"),
            email: try row.decode(prefix + "email"), firstName: try row.decode(prefix + "first_name"),
            lastName: try row.decode(prefix + "last_name"), phone: try row.decode(prefix + "phone"),
            department: try row.decode(prefix + "department"), title: try row.decode(prefix + "title"),
            profile: try row.decode(prefix + "profile"), oktaLastUpdated: try row.decode(prefix + "okta_last_updated")
        )
    }

    static func groupRecord(from row: Row, prefix: String = "") throws -> DirectoryGroupRecord {
        DirectoryGroupRecord(
            oktaID: OktaGroupID(try row.decode(prefix + "okta_id", as: String.self)), name: try row.decode(prefix + "name"),
            description: try row.decode(prefix + "description"), type: try row.decode(prefix + "type"),
            oktaLastUpdated: try row.decode(prefix + "okta_last_updated")
        )
    }

    static func pierStatus(from row: Row, column: String = "status") throws -> PierUserStatus {
        let text: String = try row.decode(column)
        guard let status = PierUserStatus(rawValue: text) else {
            throw StorageError(.decoding, "column '\(column)' holds an unknown user status")
        }
        return status
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw StorageError(.other, "could not encode \(type(of: value)) as JSON", underlying: error)
        }
    }

    static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw StorageError(.decoding, "stored JSON does not decode as \(T.self)", underlying: error)
        }
    }
}
