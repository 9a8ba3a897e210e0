public import Foundation

/// A held lease: proof, for a while, of being the only holder of `name` across instances.
public struct Lease: Sendable, Hashable {
    /// What is leased, e.g. `sync:<directory id>`.
    public var name: String
    /// The holder, e.g. an instance id.
    public var owner: String
    /// Increases with every new acquisition; writes made under the lease check it
    /// (``SQLStore/checkFence(_:in:)``), so a holder that lost the lease cannot commit.
    public var fence: Int64
    /// When the lease lapses unless renewed (database clock).
    public var expiresAt: Date
}

/// Leases in the database, timed by the database's clock (DESIGN.md §8).
public protocol LeaseStore: Sendable {
    /// Acquires `name` for `owner` if it is free, expired, or already held by `owner` (then this is a
    /// renewal and the fence stays). A new acquisition gets a higher fence than any before.
    ///
    /// - Returns: the lease, or nil when another owner holds it.
    func acquireLease(_ name: String, owner: String, ttl: Duration) async throws -> Lease?

    /// Extends a lease still held; nil when it was lost (expired and taken, or released).
    func renewLease(_ lease: Lease, ttl: Duration) async throws -> Lease?

    /// Releases a lease now (keeps the row so the fence never goes back). No-op when already lost.
    func releaseLease(_ lease: Lease) async throws
}

extension SQLStore: LeaseStore {
    public func acquireLease(_ name: String, owner: String, ttl: Duration) async throws -> Lease? {
        try await database.write { db in
            let now = try Self.databaseNow(db)
            let expiresAt = now.addingTimeInterval(Self.seconds(ttl))
            guard let row = try db.fetchOne("SELECT owner, fence, expires_at FROM leases WHERE name = \(name)") else {
                try db.execute("""
                    INSERT INTO leases (name, owner, fence, acquired_at, expires_at)
                    VALUES (\(name), \(owner), 1, \(now), \(expiresAt))
                    """)
                return Lease(name: name, owner: owner, fence: 1, expiresAt: expiresAt)
            }
            let holder: String = try row.decode("owner")
            let fence: Int64 = try row.decode("fence")
            let currentExpiry: Date = try row.decode("expires_at")
            let isLive = currentExpiry > now
            if isLive && holder != owner { return nil }
            let newFence = isLive ? fence : fence + 1
            try db.execute("""
                UPDATE leases SET owner = \(owner), fence = \(newFence), expires_at = \(expiresAt),
                    acquired_at = CASE WHEN fence = \(newFence) THEN acquired_at ELSE \(now) END
                WHERE name = \(name)
                """)
            return Lease(name: name, owner: owner, fence: newFence, expiresAt: expiresAt)
        }
    }

    public func renewLease(_ lease: Lease, ttl: Duration) async throws -> Lease? {
        try await database.write { db in
            let now = try Self.databaseNow(db)
            let expiresAt = now.addingTimeInterval(Self.seconds(ttl))
            let changed = try db.execute("""
                UPDATE leases SET expires_at = \(expiresAt)
                WHERE name = \(lease.name) AND owner = \(lease.owner) AND fence = \(lease.fence) AND expires_at > \(now)
                """)
            guard changed == 1 else { return nil }
            var renewed = lease
            renewed.expiresAt = expiresAt
            return renewed
        }
    }

    public func releaseLease(_ lease: Lease) async throws {
        try await database.write { db in
            let now = try Self.databaseNow(db)
            try db.execute("""
                UPDATE leases SET expires_at = \(now)
                WHERE name = \(lease.name) AND owner = \(lease.owner) AND fence = \(lease.fence) AND expires_at > \(now)
                """)
        }
    }

    /// Verifies, inside a caller's write transaction, that `lease` is still held; call it in every
    /// apply transaction made under a lease.
    ///
    /// - Throws: `.conflict` when the lease expired or another holder took it (a higher fence).
    public static func checkFence(_ lease: Lease, in db: any DatabaseConnection) throws {
        let now = try databaseNow(db)
        let held = try db.fetchOne("""
            SELECT 1 FROM leases
            WHERE name = \(lease.name) AND owner = \(lease.owner) AND fence = \(lease.fence) AND expires_at > \(now)
            """)
        if held == nil {
            throw StorageError(.conflict, "lease \(lease.name) (fence \(lease.fence)) is no longer held")
        }
    }

    /// The database server's current time, so every instance agrees on lease expiry.
    static func databaseNow(_ db: any DatabaseReadConnection) throws -> Date {
        let sql: SQL
        switch db.dialect {
        case .sqlite: sql = "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
        default: sql = #"SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"#
        }
        guard let text = try db.fetchValue(sql, as: String.self), let date = Timestamp.parse(text) else {
            throw StorageError(.decoding, "the database clock answered an unexpected format")
        }
        return date
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
