import Foundation
import PierLogging
import PierPostgres
import PierSQLite
import PierStorage
import PierTestSupport
import Testing

/// A small measurement, not a benchmark gate: 100,000 directory users upserted on SQLite (one
/// prepared `INSERT … ON CONFLICT` per row in one transaction) and on PostgreSQL (COPY into a
/// temporary table, then one `INSERT … SELECT … ON CONFLICT`), first as inserts, then with every row
/// changed. Prints both figures and the ratio; checks only correctness and a generous bound.
@Suite(.serialized, .enabled(if: StorageBackend.postgresURL != nil, "PIER_TEST_POSTGRES_URL is not set"))
struct BulkUpsertMeasurementTests {
    static let userCount = 100_000
    static let columns = ["id", "source", "directory_id", "okta_id", "login", "email", "first_name", "last_name",
                          "department", "title", "status", "okta_status", "profile", "okta_last_updated",
                          "created_at", "updated_at"]

    static func rows(pass: Int) -> [[DatabaseValue]] {
        let now = Timestamp.format(Date(timeIntervalSince1970: 1_772_352_930 + Double(pass)))
        return (0..<userCount).map { index in
            [
                .text("00000000-0000-4000-8000-\(String(index, radix: 16).leftPadded(to: 12))"),
                .text("directory"), .text("d1"), .text("00u\(index)"), .text("user\(index)@acme.example"),
                .text("user\(index)@acme.example"), .text("First\(index)"), .text("Last\(index)"),
                .text("Dept \(index % 40)"), .text(pass == 0 ? "Engineer" : "Senior Engineer"),
                .text("active"), .text("ACTIVE"), .text(#"{"costCenter":"\#(index % 97)","pass":\#(pass)}"#), .text(now),
                .text(now), .text(now),
            ]
        }
    }

    static let directorySQL: SQL = """
        INSERT INTO directories (id, domain, org_id, org_host, api_token_ciphertext, api_token_hint, schedule, created_at, updated_at)
        VALUES ('d1', 'acme.okta.com', '00o1', 'acme.okta.com', \(Data([1])), 'abcd', '{}', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')
        """

    /// SQLite's path: one prepared statement (cached by SQL text), executed per row.
    static func sqliteUpsert(_ db: any DatabaseConnection, _ rows: [[DatabaseValue]]) throws {
        let updates = columns.filter { $0 != "directory_id" && $0 != "okta_id" && $0 != "id" && $0 != "created_at" }
            .map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        for row in rows {
            var sql = SQL(verbatim: "INSERT INTO users (\(columns.joined(separator: ", "))) VALUES (")
            for (index, value) in row.enumerated() {
                sql.append(index == 0 ? "\(value)" : ", \(value)")
            }
            sql.append(SQL(verbatim: ") ON CONFLICT (directory_id, okta_id) DO UPDATE SET \(updates)"))
            try db.execute(sql)
        }
    }

    static let spec = BulkUpsert(
        table: "users", columns: columns, conflictColumns: ["directory_id", "okta_id"],
        updateColumns: columns.filter { $0 != "directory_id" && $0 != "okta_id" && $0 != "id" && $0 != "created_at" }
    )

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    @Test func hundredThousandUserUpsertOnBothBackends() async throws {
        let clock = ContinuousClock()
        let insertRows = Self.rows(pass: 0)
        let updateRows = Self.rows(pass: 1)
        var figures: [String: (insert: Double, update: Double)] = [:]

        try await StorageBackend.sqlite.withDatabase { database in
            try await database.write { db in try db.execute(Self.directorySQL) }
            let insert = try await clock.measure {
                try await database.write { db in try Self.sqliteUpsert(db, insertRows) }
            }
            let update = try await clock.measure {
                try await database.write { db in try Self.sqliteUpsert(db, updateRows) }
            }
            let count = try await database.read { db in try db.fetchValue("SELECT count(*) FROM users WHERE title = 'Senior Engineer'", as: Int.self) }
            #expect(count == Self.userCount)
            figures["sqlite"] = (seconds(insert), seconds(update))
        }

        try await StorageBackend.postgres.withDatabase { database in
            try await database.write { db in try db.execute(Self.directorySQL) }
            var changed = [0, 0]
            let insert = try await clock.measure {
                changed[0] = try await database.write { db in try #require(db as? PostgresTransaction).upsert(Self.spec, rows: insertRows) }
            }
            let update = try await clock.measure {
                changed[1] = try await database.write { db in try #require(db as? PostgresTransaction).upsert(Self.spec, rows: updateRows) }
            }
            #expect(changed == [Self.userCount, Self.userCount])
            let count = try await database.read { db in try db.fetchValue("SELECT count(*) FROM users WHERE title = 'Senior Engineer'", as: Int.self) }
            #expect(count == Self.userCount)
            figures["postgres"] = (seconds(insert), seconds(update))
        }

        let sqlite = try #require(figures["sqlite"])
        let postgres = try #require(figures["postgres"])
        func format(_ value: Double) -> String { String(format: "%.2f s", value) }
        print("""
            bulk upsert, \(Self.userCount) users (this build's configuration):
              sqlite   insert \(format(sqlite.insert))  update \(format(sqlite.update))
              postgres insert \(format(postgres.insert))  update \(format(postgres.update))  (COPY + INSERT … ON CONFLICT)
              ratio postgres/sqlite: insert \(String(format: "%.2f", postgres.insert / sqlite.insert))×  update \(String(format: "%.2f", postgres.update / sqlite.update))×
            """)
        // Generous: a gate against a pathological regression (row-by-row round trips), not a benchmark.
        #expect(postgres.insert < max(5 * sqlite.insert, 10))
        #expect(postgres.update < max(5 * sqlite.update, 10))
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
