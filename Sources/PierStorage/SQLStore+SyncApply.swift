import Foundation
public import PierCore

extension SQLStore: SyncStagingStore {
    // MARK: - Staging

    /// Rows per multi-row `INSERT` (SQLite allows 32,766 parameters, PostgreSQL 65,535).
    static let stagingBatch = 500
    /// From this many rows a PostgreSQL write uses ``BulkWriting`` (COPY) instead of `INSERT`s.
    static let bulkThreshold = 400

    public func stageUsers(_ users: [DirectoryUserRecord], run: SyncRunID) async throws {
        guard !users.isEmpty else { return }
        // One row per id (a statement may not update a row twice): the most recently updated read wins,
        // a later read on a tie.
        var latest: [OktaUserID: Int] = [:]
        var unique: [DirectoryUserRecord] = []
        for user in users {
            if let index = latest[user.oktaID] {
                let kept = unique[index]
                if let old = kept.oktaLastUpdated, let new = user.oktaLastUpdated, new < old { continue }
                unique[index] = user
            } else {
                latest[user.oktaID] = unique.count
                unique.append(user)
            }
        }
        let rows = unique
        try await database.write { db in
            try Self.checkRunning(run, in: db)
            for start in stride(from: 0, to: rows.count, by: Self.stagingBatch) {
                let chunk = rows[start..<min(rows.count, start + Self.stagingBatch)]
                var values: SQL = ""
                for (index, user) in chunk.enumerated() {
                    if index > 0 { values.append(", ") }
                    values.append("""
                        (\(run.rawValue), \(user.oktaID.rawValue), \(user.oktaStatus), \(user.login), \(user.email),
                        \(user.firstName), \(user.lastName), \(user.phone), \(user.department), \(user.title), \(user.profile),
                        \(user.oktaLastUpdated))
                        """)
                }
                try db.execute("""
                    INSERT INTO sync_staging_users (run_id, okta_id, okta_status, login, email, first_name, last_name, phone,
                        department, title, profile, okta_last_updated)
                    VALUES \(values)
                    ON CONFLICT (run_id, okta_id) DO UPDATE SET okta_status = excluded.okta_status, login = excluded.login,
                        email = excluded.email, first_name = excluded.first_name, last_name = excluded.last_name,
                        phone = excluded.phone, department = excluded.department, title = excluded.title,
                        profile = excluded.profile, okta_last_updated = excluded.okta_last_updated
                    WHERE sync_staging_users.okta_last_updated IS NULL OR excluded.okta_last_updated IS NULL
                        OR excluded.okta_last_updated >= sync_staging_users.okta_last_updated
                    """)
            }
        }
    }

    /// Staging rows do not reference their run (migration 0004: the foreign key cost a check per row),
    /// so each staging write checks once that the run still exists and is running. On PostgreSQL the
    /// check also locks the run row against deletion until the write commits (FOR KEY SHARE, what the
    /// foreign key did per row), so a domain deleted meanwhile waits and then drops these rows too.
    static func checkRunning(_ run: SyncRunID, in db: any DatabaseConnection) throws {
        let lock: SQL = db.dialect == .postgres ? " FOR KEY SHARE" : ""
        guard try db.fetchOne("SELECT 1 FROM sync_runs WHERE id = \(run.rawValue) AND state = 'running'\(lock)") != nil else {
            throw StorageError(.conflict, "run \(run) is no longer running")
        }
    }

    public func stageGroups(_ groups: [(record: DirectoryGroupRecord, memberCount: Int?)], run: SyncRunID) async throws {
        guard !groups.isEmpty else { return }
        var latest: [OktaGroupID: Int] = [:]
        var unique: [(DirectoryGroupRecord, Int?)] = []
        for (group, count) in groups {
            if let index = latest[group.oktaID] {
                unique[index] = (group, count)
            } else {
                latest[group.oktaID] = unique.count
                unique.append((group, count))
            }
        }
        let rows = unique
        try await database.write { db in
            try Self.checkRunning(run, in: db)
            for start in stride(from: 0, to: rows.count, by: Self.stagingBatch) {
                let chunk = rows[start..<min(rows.count, start + Self.stagingBatch)]
                var values: SQL = ""
                for (index, (group, memberCount)) in chunk.enumerated() {
                    if index > 0 { values.append(", ") }
                    values.append("""
                        (\(run.rawValue), \(group.oktaID.rawValue), \(group.name), \(group.description), \(group.type),
                        \(memberCount), \(group.oktaLastUpdated))
                        """)
                }
                try db.execute("""
                    INSERT INTO sync_staging_groups (run_id, okta_id, name, description, type, member_count, okta_last_updated)
                    VALUES \(values)
                    ON CONFLICT (run_id, okta_id) DO UPDATE SET name = excluded.name, description = excluded.description,
                        type = excluded.type, member_count = excluded.member_count, okta_last_updated = excluded.okta_last_updated
                    """)
            }
        }
    }

    public func stageMembers(_ pages: [StagedMemberPage], run: SyncRunID) async throws {
        // Each page's members once (a page may repeat an id); the same pair in two pages of a batch (a walk
        // restarted after an invalid cursor) is harmless: both paths below do nothing on a conflict.
        var unique: [[DatabaseValue]] = []
        unique.reserveCapacity(pages.reduce(0) { $0 + $1.members.count })
        for page in pages {
            var seen = Set<OktaUserID>()
            for member in page.members where seen.insert(member).inserted {
                unique.append([.text(run.rawValue), .text(page.group.rawValue), .text(member.rawValue)])
            }
        }
        let rows = unique
        let completed = pages.filter(\.complete).map(\.group.rawValue)
        try await database.write { db in
            try Self.checkRunning(run, in: db)
            if rows.count >= Self.bulkThreshold, let bulk = db as? any BulkWriting {
                try bulk.bulkUpsert(
                    table: "sync_staging_members", columns: ["run_id", "group_okta_id", "user_okta_id"],
                    conflictColumns: ["run_id", "group_okta_id", "user_okta_id"], updateColumns: [], rows: rows)
            } else {
                for start in stride(from: 0, to: rows.count, by: Self.stagingBatch * 2) {
                    var values: SQL = ""
                    for (index, row) in rows[start..<min(rows.count, start + Self.stagingBatch * 2)].enumerated() {
                        values.append(index == 0 ? "(\(row[0]), \(row[1]), \(row[2]))" : ", (\(row[0]), \(row[1]), \(row[2]))")
                    }
                    try db.execute("""
                        INSERT INTO sync_staging_members (run_id, group_okta_id, user_okta_id) VALUES \(values)
                        ON CONFLICT (run_id, group_okta_id, user_okta_id) DO NOTHING
                        """)
                }
            }
            if !completed.isEmpty {
                try db.execute("""
                    UPDATE sync_staging_groups SET members_complete = 1 WHERE run_id = \(run.rawValue) AND okta_id IN (\(list: completed))
                    """)
            }
        }
    }

    public func groupsNeedingMembers(run: SyncRunID) async throws -> [OktaGroupID] {
        try await database.read { db in
            try db.fetchAll("""
                SELECT okta_id FROM sync_staging_groups
                WHERE run_id = \(run.rawValue) AND type IN ('OKTA_GROUP', 'APP_GROUP') ORDER BY okta_id
                """).map { OktaGroupID(try $0.decode("okta_id", as: String.self)) }
        }
    }

    /// The staging tables, for ``walkFinished(run:)``.
    static let stagingTables: SQL = "sync_staging_users, sync_staging_groups, sync_staging_members"

    public func walkFinished(run: SyncRunID) async throws {
        // SQLite's planner needs no statistics for these queries (its index choice does not depend on
        // row counts here). PostgreSQL's ANALYZE samples a bounded number of rows (30,000 by default) and
        // takes a lock that does not block other runs' staging writes; it commits at once, so the lock
        // is not held through the apply (an ANALYZE inside the apply would serialise two domains' applies).
        guard database.dialect == .postgres else { return }
        try await database.write { db in try db.execute("ANALYZE \(Self.stagingTables)") }
    }

    // MARK: - Plan inputs

    /// Okta statuses that deactivate a known user (derived from ``UserStatusMapping``, never restated).
    static var deactivatingStatuses: [String] {
        UserStatusMapping.knownStatuses
            .filter { UserStatusMapping.decide($0, isKnown: true) == .status(.deactivated) }
            .map(\.oktaValue)
    }

    public func removalSummary(run: SyncRunID, directory: DirectoryID) async throws -> RemovalGuard.Input {
        try await database.read { db in
            let d = directory.rawValue
            let r = run.rawValue
            func count(_ sql: SQL) throws -> Int { try db.fetchValue(sql, as: Int.self) ?? 0 }
            let largest = try db.fetchValue("""
                SELECT count(*) AS n FROM group_members m JOIN groups g ON g.id = m.group_id
                WHERE g.directory_id = \(d)
                    AND NOT EXISTS (SELECT 1 FROM sync_staging_groups s WHERE s.run_id = \(r) AND s.okta_id = g.okta_id)
                GROUP BY g.id ORDER BY n DESC LIMIT 1
                """, as: Int.self) ?? 0
            return RemovalGuard.Input(
                domainUsers: try count("SELECT count(*) FROM users WHERE directory_id = \(d)"),
                userRemovals: try count("""
                    SELECT count(*) FROM users u WHERE u.directory_id = \(d)
                        AND NOT EXISTS (SELECT 1 FROM sync_staging_users s WHERE s.run_id = \(r) AND s.okta_id = u.okta_id)
                    """),
                userDeactivations: try count("""
                    SELECT count(*) FROM users u JOIN sync_staging_users s ON s.run_id = \(r) AND s.okta_id = u.okta_id
                    WHERE u.directory_id = \(d) AND u.status <> 'deactivated' AND s.okta_status IN (\(list: Self.deactivatingStatuses))
                    """),
                walkedUsers: try count("SELECT count(*) FROM sync_staging_users WHERE run_id = \(r)"),
                domainGroups: try count("SELECT count(*) FROM groups WHERE directory_id = \(d)"),
                groupRemovals: try count("""
                    SELECT count(*) FROM groups g WHERE g.directory_id = \(d)
                        AND NOT EXISTS (SELECT 1 FROM sync_staging_groups s WHERE s.run_id = \(r) AND s.okta_id = g.okta_id)
                    """),
                largestRemovedGroupMembers: largest
            )
        }
    }

    public func userRemovalCandidates(run: SyncRunID, directory: DirectoryID) async throws -> [OktaUserID] {
        try await database.read { db in
            try db.fetchAll("""
                SELECT u.okta_id FROM users u WHERE u.directory_id = \(directory.rawValue)
                    AND NOT EXISTS (SELECT 1 FROM sync_staging_users s WHERE s.run_id = \(run.rawValue) AND s.okta_id = u.okta_id)
                ORDER BY u.okta_id
                """).map { OktaUserID(try $0.decode("okta_id", as: String.self)) }
        }
    }

    public func groupRemovalCandidates(run: SyncRunID, directory: DirectoryID) async throws -> [OktaGroupID] {
        try await database.read { db in
            try db.fetchAll("""
                SELECT g.okta_id FROM groups g WHERE g.directory_id = \(directory.rawValue)
                    AND NOT EXISTS (SELECT 1 FROM sync_staging_groups s WHERE s.run_id = \(run.rawValue) AND s.okta_id = g.okta_id)
                ORDER BY g.okta_id
                """).map { OktaGroupID(try $0.decode("okta_id", as: String.self)) }
        }
    }

    // MARK: - Apply

    public func applyFullSync(_ apply: FullSyncApply) async throws -> SyncRunRecord {
        try await database.write { db in try Self.applyFullSync(apply, in: db) }
    }

    /// The columns of a user the apply creates, in the order of its rows.
    static let newUserColumns = [
        "id", "source", "directory_id", "okta_id", "login", "email", "first_name", "last_name", "phone", "department",
        "title", "status", "okta_status", "profile", "okta_last_updated", "created_at", "updated_at",
    ]

    /// The columns of an outcome row the apply writes, in the order of its rows.
    static let outcomeColumns = ["run_id", "object_kind", "okta_id", "pier_id", "outcome", "reason", "at"]

    /// Inserts rows of the apply in one round trip: PostgreSQL's COPY (no parsing and binding of 8,500
    /// parameters per 500 users; rows keep their order, so outcome ids keep write order), or one multi-row
    /// `INSERT`. A constraint violation fails either way.
    static func insertRows(into table: String, columns: [String], _ rows: [[DatabaseValue]], in db: any DatabaseConnection) throws {
        if let bulk = db as? any BulkWriting {
            try bulk.bulkInsert(table: table, columns: columns, rows: rows)
            return
        }
        var values: SQL = ""
        for (rowIndex, row) in rows.enumerated() {
            values.append(rowIndex == 0 ? "(" : ", (")
            for (index, value) in row.enumerated() {
                if index > 0 { values.append(", ") }
                values.append("\(value)")
            }
            values.append(")")
        }
        try db.execute("INSERT INTO \(SQL(verbatim: table)) (\(SQL(verbatim: columns.joined(separator: ", ")))) VALUES \(values)")
    }

    /// Rows read per keyset chunk while applying (bounds memory inside the transaction).
    static let applyChunk = 500

    static func applyFullSync(_ apply: FullSyncApply, in db: any DatabaseConnection) throws -> SyncRunRecord {
        try lockFence(apply.lease, in: db)
        let d = apply.directory.rawValue
        let r = apply.run.rawValue
        let now = apply.at
        // `now` as stored (what binding the `Date` writes), formatted once: the rows below bind it
        // ~300,000 times in a 100k sync.
        let nowText = Timestamp.format(now)
        let holding = !apply.held.isEmpty
        var counts = SyncCounts()
        var heldUsers = 0
        var heldGroups = 0

        // Outcome rows and new users are written in multi-row statements (one round trip per chunk, not
        // per object); outcomes are flushed before anything else writes outcome rows, so ids keep write order.
        var pendingOutcomes: [[DatabaseValue]] = []
        var pendingUsers: [[DatabaseValue]] = []
        func flushOutcomes() throws {
            guard !pendingOutcomes.isEmpty else { return }
            try insertRows(into: "sync_run_objects", columns: outcomeColumns, pendingOutcomes, in: db)
            pendingOutcomes.removeAll(keepingCapacity: true)
        }
        func flushUsers() throws {
            guard !pendingUsers.isEmpty else { return }
            try insertRows(into: "users", columns: newUserColumns, pendingUsers, in: db)
            pendingUsers.removeAll(keepingCapacity: true)
        }
        func record(_ kind: String, _ oktaID: String, _ pierID: String?, _ outcome: String, _ reason: String? = nil) throws {
            pendingOutcomes.append([.text(r), .text(kind), .text(oktaID), pierID.databaseValue, .text(outcome), reason.databaseValue, .text(nowText)])
            if pendingOutcomes.count >= applyChunk { try flushOutcomes() }
        }
        /// The latest outcome of each id among the domain's runs, in one statement for a whole chunk: skip
        /// rows are written only when an object's outcome changes (DESIGN.md §6), and a lookup per skipped
        /// object cost a round trip each (on PostgreSQL a scan of this run's fresh, unanalysed outcome
        /// rows each: ~6,000 skipped users of a 100k org took 38 s). The statement names only the ids, so
        /// their index leads: with the domain's runs joined in (or in an `EXISTS`), both backends drove the
        /// lookup from `sync_runs` and scanned every outcome row of the run being applied (12–25 ms a
        /// chunk, 2–2.5 s of a 100k sync). Rows of other domains' runs are dropped here; rows come in write
        /// order, so an id's last row is its latest outcome.
        var domainRuns: Set<String>?
        func latestOutcomes(_ kind: String, _ oktaIDs: [String]) throws -> [String: (outcome: String, reason: String?)] {
            guard !oktaIDs.isEmpty else { return [:] }
            if domainRuns == nil {
                domainRuns = Set(try db.fetchAll("SELECT id FROM sync_runs WHERE directory_id = \(d)").map { try $0.decode("id", as: String.self) })
            }
            var latest: [String: (outcome: String, reason: String?)] = [:]
            for row in try db.fetchAll("""
                SELECT o.run_id, o.okta_id, o.outcome, o.reason FROM sync_run_objects o
                WHERE o.object_kind = \(kind) AND o.okta_id IN (\(list: oktaIDs))
                ORDER BY o.id
                """) where domainRuns!.contains(try row.decode("run_id", as: String.self)) {
                latest[try row.decode("okta_id")] = (try row.decode("outcome"), try row.decode("reason"))
            }
            return latest
        }
        func recordSkip(
            _ kind: String, _ oktaID: String, _ pierID: String?, _ reason: SkipReason,
            latest: [String: (outcome: String, reason: String?)]
        ) throws {
            if let last = latest[oktaID], last.outcome == "skipped", last.reason == reason.rawValue { return }
            try record(kind, oktaID, pierID, "skipped", reason.rawValue)
        }

        // MARK: Users
        var lastUser = ""
        while true {
            // A chunk is the key range (lastUser, upper], and the users side is bounded by it too: unbounded,
            // PostgreSQL (no statistics yet for the rows this transaction inserts) merge-joined every user of
            // the domain, sorted, for each chunk — quadratic, 2.6 s of a 100k first sync.
            let upper = try db.fetchValue("""
                SELECT okta_id FROM sync_staging_users WHERE run_id = \(r) AND okta_id > \(lastUser)
                ORDER BY okta_id LIMIT 1 OFFSET \(applyChunk - 1)
                """, as: String.self)
            let stagedUpTo: SQL = upper.map { (bound: String) -> SQL in "AND s.okta_id <= \(bound)" } ?? ""
            let usersUpTo: SQL = upper.map { (bound: String) -> SQL in "AND u.okta_id <= \(bound)" } ?? ""
            let rows = try db.fetchAll("""
                SELECT \(userRecordColumns("s")), u.id AS u_id, u.status AS u_status,
                    u.okta_id AS u_okta_id, u.okta_status AS u_okta_status, u.login AS u_login, u.email AS u_email,
                    u.first_name AS u_first_name, u.last_name AS u_last_name, u.phone AS u_phone, u.department AS u_department,
                    u.title AS u_title, u.profile AS u_profile, u.okta_last_updated AS u_okta_last_updated, t.pier_id AS t_pier_id
                FROM sync_staging_users s
                LEFT JOIN users u ON u.directory_id = \(d) AND u.okta_id = s.okta_id AND u.okta_id > \(lastUser) \(usersUpTo)
                LEFT JOIN tombstones t ON t.directory_id = \(d) AND t.kind = 'user' AND t.okta_id = s.okta_id AND t.expires_at > \(now)
                WHERE s.run_id = \(r) AND s.okta_id > \(lastUser) \(stagedUpTo)
                ORDER BY s.okta_id LIMIT \(applyChunk)
                """)
            guard let last = rows.last else { break }
            lastUser = try last.decode("okta_id")
            // Decide the whole chunk first, so its skipped users' earlier outcomes are read in one statement.
            var decided: [(remote: DirectoryUserRecord, localID: String?, local: LocalDirectoryUser?, tombstone: String?,
                           action: UserAction)] = []
            decided.reserveCapacity(rows.count)
            for row in rows {
                let remote = try userRecord(from: row)
                let localID: String? = try row.decode("u_id")
                let local = try localID.map { _ in
                    LocalDirectoryUser(record: try userRecord(from: row, prefix: "u_"), status: try pierStatus(from: row, column: "u_status"))
                }
                let tombstone: String? = try row.decode("t_pier_id")
                let action = SyncPlanner.userAction(remote: remote, local: local, tombstoned: tombstone != nil, holdingDeactivations: holding)
                decided.append((remote, localID, local, tombstone, action))
            }
            let skipped = decided.compactMap { if case .skip = $0.action { $0.remote.oktaID.rawValue } else { nil } }
            let earlierOutcomes = try latestOutcomes("user", skipped)
            for (remote, localID, local, tombstone, action) in decided {
                switch action {
                case .create(let status), .revive(let status):
                    let id = tombstone ?? UUID().uuidString.lowercased()
                    pendingUsers.append([
                        .text(id), .text("directory"), .text(d), .text(remote.oktaID.rawValue), .text(remote.login),
                        remote.email.databaseValue, remote.firstName.databaseValue, remote.lastName.databaseValue,
                        remote.phone.databaseValue, remote.department.databaseValue, remote.title.databaseValue,
                        .text(status.rawValue), .text(remote.oktaStatus), remote.profile.databaseValue,
                        remote.oktaLastUpdated.databaseValue, .text(nowText), .text(nowText),
                    ])
                    if tombstone != nil {
                        try db.execute("DELETE FROM tombstones WHERE directory_id = \(d) AND kind = 'user' AND okta_id = \(remote.oktaID.rawValue)")
                    }
                    counts.users.created += 1
                    try record("user", remote.oktaID.rawValue, id, tombstone != nil ? "revived" : "created")
                case .update(let status):
                    try updateUser(localID!, remote, status: status, at: now, in: db)
                    counts.users.updated += 1
                    try record("user", remote.oktaID.rawValue, localID, "updated")
                case .deactivate:
                    try updateUser(localID!, remote, status: .deactivated, at: now, in: db)
                    counts.users.deactivated += 1
                    try record("user", remote.oktaID.rawValue, localID, "deactivated", remote.oktaStatus)
                case .holdDeactivation:
                    try updateUser(localID!, remote, status: local!.status, at: now, in: db)
                    heldUsers += 1
                    try record("user", remote.oktaID.rawValue, localID, "held", "deactivation")
                case .unchanged:
                    break
                case .skip(let reason):
                    counts.users.skipped[reason.rawValue, default: 0] += 1
                    try recordSkip("user", remote.oktaID.rawValue, localID, reason, latest: earlierOutcomes)
                }
            }
            try flushUsers()
            try flushOutcomes()
        }

        // MARK: Groups
        var lastGroup = ""
        while true {
            let rows = try db.fetchAll("""
                SELECT s.okta_id, s.name, s.description, s.type, s.okta_last_updated, g.id AS g_id, g.okta_id AS g_okta_id,
                    g.name AS g_name, g.description AS g_description, g.type AS g_type, g.okta_last_updated AS g_okta_last_updated,
                    t.pier_id AS t_pier_id
                FROM sync_staging_groups s
                LEFT JOIN groups g ON g.directory_id = \(d) AND g.okta_id = s.okta_id
                LEFT JOIN tombstones t ON t.directory_id = \(d) AND t.kind = 'group' AND t.okta_id = s.okta_id AND t.expires_at > \(now)
                WHERE s.run_id = \(r) AND s.okta_id > \(lastGroup)
                ORDER BY s.okta_id LIMIT \(applyChunk)
                """)
            guard let last = rows.last else { break }
            lastGroup = try last.decode("okta_id")
            var decided: [(remote: DirectoryGroupRecord, localID: String?, tombstone: String?, action: GroupAction)] = []
            decided.reserveCapacity(rows.count)
            for row in rows {
                let remote = try groupRecord(from: row)
                let localID: String? = try row.decode("g_id")
                let local = try localID.map { _ in try groupRecord(from: row, prefix: "g_") }
                let tombstone: String? = try row.decode("t_pier_id")
                decided.append((remote, localID, tombstone, SyncPlanner.groupAction(remote: remote, local: local, tombstoned: tombstone != nil)))
            }
            let skipped = decided.compactMap { if case .skip = $0.action { $0.remote.oktaID.rawValue } else { nil } }
            let earlierOutcomes = try latestOutcomes("group", skipped)
            for (remote, localID, tombstone, action) in decided {
                switch action {
                case .create, .revive:
                    let id = tombstone ?? UUID().uuidString.lowercased()
                    try db.execute("""
                        INSERT INTO groups (id, directory_id, okta_id, name, description, type, okta_last_updated, created_at, updated_at)
                        VALUES (\(id), \(d), \(remote.oktaID.rawValue), \(remote.name), \(remote.description), \(remote.type),
                            \(remote.oktaLastUpdated), \(now), \(now))
                        """)
                    if tombstone != nil {
                        try db.execute("DELETE FROM tombstones WHERE directory_id = \(d) AND kind = 'group' AND okta_id = \(remote.oktaID.rawValue)")
                    }
                    counts.groups.created += 1
                    try record("group", remote.oktaID.rawValue, id, tombstone != nil ? "revived" : "created")
                case .update:
                    try db.execute("""
                        UPDATE groups SET name = \(remote.name), description = \(remote.description), type = \(remote.type),
                            okta_last_updated = \(remote.oktaLastUpdated), updated_at = \(now)
                        WHERE id = \(localID!)
                        """)
                    counts.groups.updated += 1
                    try record("group", remote.oktaID.rawValue, localID, "updated")
                case .unchanged:
                    break
                case .skip(let reason):
                    try recordSkip("group", remote.oktaID.rawValue, localID, reason, latest: earlierOutcomes)
                }
            }
        }

        try flushOutcomes()
        // MARK: Removals (confirmed, or held)
        let expires = now.addingTimeInterval(apply.tombstoneLifetime)
        if holding && apply.kind == .incremental {
            for oktaID in apply.confirmedUserRemovals {
                heldUsers += try db.execute("""
                    INSERT INTO sync_run_objects (run_id, object_kind, okta_id, pier_id, outcome, reason, at)
                    SELECT \(r), 'user', u.okta_id, u.id, 'held', 'removal', \(now) FROM users u
                    WHERE u.directory_id = \(d) AND u.okta_id = \(oktaID.rawValue)
                    """)
            }
            for oktaID in apply.confirmedGroupRemovals {
                heldGroups += try db.execute("""
                    INSERT INTO sync_run_objects (run_id, object_kind, okta_id, pier_id, outcome, reason, at)
                    SELECT \(r), 'group', g.okta_id, g.id, 'held', 'removal', \(now) FROM groups g
                    WHERE g.directory_id = \(d) AND g.okta_id = \(oktaID.rawValue)
                    """)
            }
        } else if holding {
            heldUsers += try db.execute("""
                INSERT INTO sync_run_objects (run_id, object_kind, okta_id, pier_id, outcome, reason, at)
                SELECT \(r), 'user', u.okta_id, u.id, 'held', 'removal', \(now) FROM users u
                WHERE u.directory_id = \(d)
                    AND NOT EXISTS (SELECT 1 FROM sync_staging_users s WHERE s.run_id = \(r) AND s.okta_id = u.okta_id)
                """)
            heldGroups += try db.execute("""
                INSERT INTO sync_run_objects (run_id, object_kind, okta_id, pier_id, outcome, reason, at)
                SELECT \(r), 'group', g.okta_id, g.id, 'held', 'removal', \(now) FROM groups g
                WHERE g.directory_id = \(d)
                    AND NOT EXISTS (SELECT 1 FROM sync_staging_groups s WHERE s.run_id = \(r) AND s.okta_id = g.okta_id)
                """)
        } else {
            for oktaID in apply.confirmedUserRemovals {
                // Only ids the walk did not see: a staged id is never removed, whatever the caller passed.
                guard let row = try db.fetchOne("""
                    SELECT u.id, u.status FROM users u WHERE u.directory_id = \(d) AND u.okta_id = \(oktaID.rawValue)
                        AND NOT EXISTS (SELECT 1 FROM sync_staging_users s WHERE s.run_id = \(r) AND s.okta_id = u.okta_id)
                    """) else { continue }
                let id: String = try row.decode("id")
                if try db.fetchOne("SELECT 1 FROM devices WHERE owner_user_id = \(id) LIMIT 1") != nil {
                    // Devices are RESTRICT: a deleted user who still owns devices is kept, deactivated, for the
                    // leaver policy and an administrator's decision.
                    if try pierStatus(from: row) != .deactivated {
                        try db.execute("UPDATE users SET status = 'deactivated', updated_at = \(now) WHERE id = \(id)")
                        counts.users.deactivated += 1
                        try record("user", oktaID.rawValue, id, "deactivated", "deleted_in_okta_owns_devices")
                    }
                    continue
                }
                try db.execute("DELETE FROM users WHERE id = \(id)")
                try tombstone(kind: "user", oktaID: oktaID.rawValue, pierID: id, directory: d, run: r, at: now, expires: expires, in: db)
                counts.users.removed += 1
                try record("user", oktaID.rawValue, id, "removed")
            }
            for oktaID in apply.confirmedGroupRemovals {
                guard let id = try db.fetchValue("""
                    SELECT g.id FROM groups g WHERE g.directory_id = \(d) AND g.okta_id = \(oktaID.rawValue)
                        AND NOT EXISTS (SELECT 1 FROM sync_staging_groups s WHERE s.run_id = \(r) AND s.okta_id = g.okta_id)
                    """, as: String.self) else { continue }
                try db.execute("DELETE FROM groups WHERE id = \(id)")
                try tombstone(kind: "group", oktaID: oktaID.rawValue, pierID: id, directory: d, run: r, at: now, expires: expires, in: db)
                counts.groups.removed += 1
                try record("group", oktaID.rawValue, id, "removed")
            }
        }

        try flushOutcomes()
        try refreshStatisticsAfterBulkCreate(counts, in: db)
        // MARK: Memberships (incremental: the feed's changes; full: groups whose member walk completed;
        // Everyone derived either way)
        for change in apply.membershipChanges {
            let group: SQL = "SELECT id FROM groups WHERE directory_id = \(d) AND okta_id = \(change.group.rawValue) AND type <> 'BUILT_IN'"
            let user: SQL = "SELECT id FROM users WHERE directory_id = \(d) AND okta_id = \(change.user.rawValue)"
            if change.isAddition {
                counts.memberships.added += try db.execute("""
                    INSERT INTO group_members (group_id, user_id)
                    SELECT g.id, u.id FROM groups g JOIN users u ON u.id IN (\(user))
                    WHERE g.id IN (\(group)) AND NOT EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id AND m.user_id = u.id)
                    """)
            } else {
                counts.memberships.removed += try db.execute("""
                    DELETE FROM group_members WHERE group_id IN (\(group)) AND user_id IN (\(user))
                    """)
            }
        }
        let walkedGroups: SQL = """
            SELECT g.id FROM groups g JOIN sync_staging_groups sg ON sg.run_id = \(r) AND sg.okta_id = g.okta_id
            WHERE g.directory_id = \(d) AND g.type <> 'BUILT_IN' AND sg.members_complete = 1
            """
        counts.memberships.removed += try db.execute("""
            DELETE FROM group_members WHERE group_id IN (\(walkedGroups))
                AND NOT EXISTS (
                    SELECT 1 FROM groups g JOIN users u ON u.id = group_members.user_id
                    JOIN sync_staging_members sm ON sm.run_id = \(r) AND sm.group_okta_id = g.okta_id AND sm.user_okta_id = u.okta_id
                    WHERE g.id = group_members.group_id)
            """)
        // The walked groups joined directly (not `g.id IN (walkedGroups)`): PostgreSQL then estimates the
        // join as large and hashes it, instead of 235k index probes into `users` for a 100k first sync.
        counts.memberships.added += try db.execute("""
            INSERT INTO group_members (group_id, user_id)
            SELECT g.id, u.id FROM sync_staging_members sm
            JOIN sync_staging_groups sg ON sg.run_id = \(r) AND sg.okta_id = sm.group_okta_id AND sg.members_complete = 1
            JOIN groups g ON g.directory_id = \(d) AND g.okta_id = sm.group_okta_id AND g.type <> 'BUILT_IN'
            JOIN users u ON u.directory_id = \(d) AND u.okta_id = sm.user_okta_id
            WHERE sm.run_id = \(r)
                AND NOT EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id AND m.user_id = u.id)
            """)
        let everyone: SQL = "SELECT id FROM groups WHERE directory_id = \(d) AND type = 'BUILT_IN'"
        counts.memberships.removed += try db.execute("""
            DELETE FROM group_members WHERE group_id IN (\(everyone))
                AND user_id NOT IN (SELECT id FROM users WHERE directory_id = \(d))
            """)
        counts.memberships.added += try db.execute("""
            INSERT INTO group_members (group_id, user_id)
            SELECT e.id, u.id FROM groups e JOIN users u ON u.directory_id = \(d)
            WHERE e.directory_id = \(d) AND e.type = 'BUILT_IN'
                AND NOT EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = e.id AND m.user_id = u.id)
            """)

        // MARK: Watermark, run record, cleanup
        try db.execute("""
            UPDATE directories SET watermark = COALESCE(\(apply.watermark), watermark),
                last_full_sync_at = COALESCE(\(apply.kind == .full ? now : nil as Date?), last_full_sync_at)
            WHERE id = \(d)
            """)
        // One pending approval per domain: a later full run replaces it.
        try db.execute("""
            UPDATE sync_runs SET state = 'discarded', finished_at = \(now)
            WHERE directory_id = \(d) AND state = 'awaiting_approval' AND id <> \(r)
            """)
        let held = holding ? try json(SyncHeld(users: heldUsers, groups: heldGroups, reasons: apply.held)) : nil
        let finished = apply.finishedAt?() ?? now
        let changed = try db.execute("""
            UPDATE sync_runs SET state = \(holding ? SyncRunState.awaitingApproval.rawValue : SyncRunState.succeeded.rawValue),
                finished_at = \(finished), counts = \(try json(counts)), held = \(held), okta_requests = \(apply.oktaRequests),
                rate_limit_wait_seconds = \(apply.rateLimitWaitSeconds), error = NULL,
                progress = \(try json(SyncProgress(phase: "done"))), progress_updated_at = \(finished)
            WHERE id = \(r) AND state = 'running'
            """)
        guard changed == 1 else { throw StorageError(.conflict, "run \(r) is no longer running") }
        try dropStaging(of: apply.run, in: db)
        try db.execute("DELETE FROM tombstones WHERE expires_at <= \(now)")
        guard let row = try db.fetchOne("\(runColumns) WHERE id = \(r)") else {
            throw StorageError(.notFound, "run \(r) vanished inside its own transaction")
        }
        return try run(from: row)
    }

    /// From this many users and groups created by one apply, PostgreSQL re-analyses `users` and `groups`
    /// before the membership statements join them.
    static let bulkCreateAnalyzeThreshold = 1_000

    /// PostgreSQL plans the membership statements (and the foreign-key checks of every inserted
    /// membership) from the statistics of `users` and `groups`; after a first sync created 100k users
    /// in this transaction those still describe an empty domain, and a plan made for a few rows can
    /// take minutes instead of seconds. ANALYZE inside the transaction counts the rows it inserted; its
    /// lock (SHARE UPDATE EXCLUSIVE, held to commit) blocks only other ANALYZE/VACUUM/DDL, not reads or
    /// writes, so it is taken only after a bulk create, not by everyday syncs.
    static func refreshStatisticsAfterBulkCreate(_ counts: SyncCounts, in db: any DatabaseConnection) throws {
        guard db.dialect == .postgres,
              counts.users.created + counts.groups.created >= bulkCreateAnalyzeThreshold else { return }
        try db.execute("ANALYZE users, groups")
    }

    private static func updateUser(_ id: String, _ remote: DirectoryUserRecord, status: PierUserStatus, at now: Date, in db: any DatabaseConnection) throws {
        try db.execute("""
            UPDATE users SET login = \(remote.login), email = \(remote.email), first_name = \(remote.firstName),
                last_name = \(remote.lastName), phone = \(remote.phone), department = \(remote.department), title = \(remote.title),
                status = \(status.rawValue), okta_status = \(remote.oktaStatus), profile = \(remote.profile),
                okta_last_updated = \(remote.oktaLastUpdated), updated_at = \(now)
            WHERE id = \(id)
            """)
    }

    static func tombstone(
        kind: String, oktaID: String, pierID: String, directory: String, run: String, at now: Date, expires: Date,
        in db: any DatabaseConnection
    ) throws {
        try db.execute("""
            INSERT INTO tombstones (directory_id, kind, okta_id, pier_id, removed_at, expires_at, run_id)
            VALUES (\(directory), \(kind), \(oktaID), \(pierID), \(now), \(expires), \(run))
            ON CONFLICT (directory_id, kind, okta_id) DO UPDATE SET pier_id = excluded.pier_id,
                removed_at = excluded.removed_at, expires_at = excluded.expires_at, run_id = excluded.run_id
            """)
    }

    /// Checks and locks the lease inside the apply transaction: `UPDATE … WHERE fence = $t` (DESIGN.md §8)
    /// takes the lease row's lock, so on a backend with row locks no one can take the lease before commit.
    ///
    /// - Throws: `.conflict` when the lease expired or another holder took it.
    static func lockFence(_ lease: Lease, in db: any DatabaseConnection) throws {
        let now = try databaseNow(db)
        let changed = try db.execute("""
            UPDATE leases SET fence = fence
            WHERE name = \(lease.name) AND owner = \(lease.owner) AND fence = \(lease.fence) AND expires_at > \(now)
            """)
        if changed != 1 {
            throw StorageError(.conflict, "lease \(lease.name) (fence \(lease.fence)) is no longer held")
        }
    }
}
