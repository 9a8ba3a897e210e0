import PierCore

extension SQLStore: DirectoryBrowser {
    public func users(matching query: UserQuery) async throws -> ListingPage<UserListing> {
        var filter: SQL = "WHERE 1 = 1"
        if let directory = query.directoryID { filter.append(" AND u.directory_id = \(directory.rawValue)") }
        if let status = query.status { filter.append(" AND u.status = \(status.rawValue)") }
        if let text = query.text, !text.isEmpty {
            let pattern = Self.likePattern(text)
            filter.append("""
                 AND (lower(u.login) LIKE \(pattern) ESCAPE '\\' OR lower(COALESCE(u.email, '')) LIKE \(pattern) ESCAPE '\\'
                      OR lower(COALESCE(u.first_name, '') || ' ' || COALESCE(u.last_name, '')) LIKE \(pattern) ESCAPE '\\')
                """)
        }
        if let after = query.after {
            // A row comparison, not `login > x OR (login = x AND id > y)`: both backends turn it into
            // one range of the (directory_id, login, id) index.
            filter.append(" AND (u.login, u.id) > (\(after.sortKey), \(after.id))")
        }
        let limit = max(1, query.limit)
        let sql: SQL = "\(Self.userListingColumns) \(filter) ORDER BY u.login, u.id LIMIT \(limit + 1)"
        let users = try await database.read { db in try db.fetchAll(sql).map(Self.userListing(from:)) }
        return Self.page(users, limit: limit) { ListingPosition(sortKey: $0.login, id: $0.id) }
    }

    public func user(id: String) async throws -> UserListing? {
        try await database.read { db in
            try db.fetchOne("\(Self.userListingColumns) WHERE u.id = \(id)").map(Self.userListing(from:))
        }
    }

    public func groups(ofUser id: String) async throws -> [StoredDirectoryGroup] {
        try await database.read { db in
            try db.fetchAll("""
                \(Self.groupColumns) JOIN group_members gm ON gm.group_id = g.id
                WHERE gm.user_id = \(id) ORDER BY g.name, g.id
                """).map(Self.storedGroup(from:))
        }
    }

    public func groups(matching query: GroupQuery) async throws -> ListingPage<StoredDirectoryGroup> {
        var filter: SQL = "WHERE 1 = 1"
        if let directory = query.directoryID { filter.append(" AND g.directory_id = \(directory.rawValue)") }
        if let type = query.type { filter.append(" AND g.type = \(type)") }
        if let text = query.text, !text.isEmpty {
            let pattern = Self.likePattern(text)
            filter.append("""
                 AND (lower(g.name) LIKE \(pattern) ESCAPE '\\' OR lower(COALESCE(g.description, '')) LIKE \(pattern) ESCAPE '\\')
                """)
        }
        if let after = query.after {
            filter.append(" AND (g.name, g.id) > (\(after.sortKey), \(after.id))")
        }
        let limit = max(1, query.limit)
        let sql: SQL = "\(Self.groupColumns) \(filter) ORDER BY g.name, g.id LIMIT \(limit + 1)"
        let groups = try await database.read { db in try db.fetchAll(sql).map(Self.storedGroup(from:)) }
        return Self.page(groups, limit: limit) { ListingPosition(sortKey: $0.record.name, id: $0.id) }
    }

    public func group(id: String) async throws -> StoredDirectoryGroup? {
        try await database.read { db in
            try db.fetchOne("\(Self.groupColumns) WHERE g.id = \(id)").map(Self.storedGroup(from:))
        }
    }

    public func members(ofGroup id: String, after: ListingPosition?, limit: Int) async throws -> ListingPage<UserListing> {
        let limit = max(1, limit)
        var filter: SQL = "JOIN group_members gm ON gm.user_id = u.id WHERE gm.group_id = \(id)"
        if let after {
            filter.append(" AND (u.login, u.id) > (\(after.sortKey), \(after.id))")
        }
        let sql: SQL = "\(Self.userListingColumns) \(filter) ORDER BY u.login, u.id LIMIT \(limit + 1)"
        let users = try await database.read { db in try db.fetchAll(sql).map(Self.userListing(from:)) }
        return Self.page(users, limit: limit) { ListingPosition(sortKey: $0.login, id: $0.id) }
    }

    // MARK: - Helpers

    private static let userListingColumns: SQL = """
        SELECT u.id, u.directory_id, u.okta_id, u.login, u.email, u.first_name, u.last_name, u.status, u.okta_status,
            u.department, u.title FROM users u
        """

    private static let groupColumns: SQL = """
        SELECT g.id, g.directory_id, g.okta_id, g.name, g.description, g.type, g.okta_last_updated,
            (SELECT count(*) FROM group_members m WHERE m.group_id = g.id) AS member_count
        FROM groups g
        """

    private static func userListing(from row: Row) throws -> UserListing {
        UserListing(
            id: try row.decode("id"),
            directoryID: (try row.decode("directory_id", as: String?.self)).map(DirectoryID.init(_:)),
            oktaID: (try row.decode("okta_id", as: String?.self)).map(OktaUserID.init(_:)),
            login: try row.decode("login"), email: try row.decode("email"),
            firstName: try row.decode("first_name"), lastName: try row.decode("last_name"),
            status: try pierStatus(from: row), oktaStatus: try row.decode("okta_status"),
            department: try row.decode("department"), title: try row.decode("title")
        )
    }

    private static func storedGroup(from row: Row) throws -> StoredDirectoryGroup {
        StoredDirectoryGroup(
            id: try row.decode("id"), directoryID: DirectoryID(try row.decode("directory_id", as: String.self)),
            record: try groupRecord(from: row), memberCount: try row.decode("member_count")
        )
    }

    /// `%text%`, lower-cased, with LIKE's wildcards and the escape character escaped.
    static func likePattern(_ text: String) -> String {
        var escaped = ""
        for character in text.lowercased() {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%\(escaped)%"
    }

    /// Cuts the extra row fetched to learn whether another page exists.
    private static func page<Item>(_ rows: [Item], limit: Int, position: (Item) -> ListingPosition) -> ListingPage<Item> {
        guard rows.count > limit else { return ListingPage(items: rows, next: nil) }
        let items = Array(rows.prefix(limit))
        return ListingPage(items: items, next: items.last.map(position))
    }
}
