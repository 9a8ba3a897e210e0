import Foundation
import PierLogging
import PierPostgres
import PierSQLite
import PierStorage
import PierTestSupport
import Synchronization
import Testing

/// Behaviour specific to the PostgreSQL backend; runs when `PIER_TEST_POSTGRES_URL` is set
/// (`scripts/test` always sets it).
@Suite(.enabled(if: StorageBackend.postgresURL != nil, "PIER_TEST_POSTGRES_URL is not set"))
struct PostgresDatabaseTests {
    /// Opens `count` independent databases (as separate Pier instances would) on one fresh schema.
    private func withInstances(
        _ count: Int,
        _ body: ([PostgresDatabase], String) async throws -> Void
    ) async throws {
        let schema = try await StorageBackend.createPostgresSchema()
        var instances: [PostgresDatabase] = []
        do {
            for _ in 0..<count {
                instances.append(try await PostgresDatabase.open(StorageBackend.postgresConfiguration(schema: schema), logger: .disabled()))
            }
            try await body(instances, schema)
        } catch {
            for instance in instances { await instance.close() }
            await StorageBackend.dropPostgresSchema(schema)
            throw error
        }
        for instance in instances { await instance.close() }
        await StorageBackend.dropPostgresSchema(schema)
    }

    // MARK: - Configuration and connecting

    @Test func urlsParseAndNeverCarryAPassword() throws {
        let configuration = try PostgresConfiguration(url: "postgres://pier@db.internal:6543/pier_prod")
        #expect(configuration.host == "db.internal")
        #expect(configuration.port == 6543)
        #expect(configuration.user == "pier")
        #expect(configuration.database == "pier_prod")
        #expect(try PostgresConfiguration(url: "postgresql://pier@[::1]/pier").port == 5432)
        #expect(try PostgresConfiguration(url: "postgresql://pier@[::1]/pier").host == "::1")

        let withPassword = try #require(throws: StorageError.self) {
            try PostgresConfiguration(url: "postgres://pier:hunter2@db:5432/pier")
        }
        #expect(!withPassword.message.contains("hunter2"))
        #expect(withPassword.message.contains("PGPASSWORD"))
        #expect(throws: StorageError.self) { try PostgresConfiguration(url: "postgres://db:5432/pier") }
        #expect(throws: StorageError.self) { try PostgresConfiguration(url: "postgres://pier@db:99999/pier") }

        var secret = configuration
        secret.password = "hunter2"
        #expect("\(secret)" == "postgres://pier@db.internal:6543/pier_prod")
        #expect(!String(reflecting: secret).contains("hunter2"))
    }

    @Test func passwordComesFromTheFileBeforePGPASSWORD() async throws {
        try await TemporaryDirectory.with { directory in
            let file = directory.appendingPathComponent("password")
            try Data("from-file\n".utf8).write(to: file)
            #expect(try PostgresConfiguration.password(environment: ["PGPASSWORD": "from-env"], passwordFile: file.path) == "from-file")
            #expect(try PostgresConfiguration.password(environment: ["PGPASSWORD": "from-env"], passwordFile: nil) == "from-env")
            #expect(try PostgresConfiguration.password(environment: [:], passwordFile: nil) == nil)
            let missing = try #require(throws: StorageError.self) {
                try PostgresConfiguration.password(environment: [:], passwordFile: directory.appendingPathComponent("nope").path)
            }
            #expect(missing.code == .unavailable)
        }
    }

    @Test func anUnreachableServerIsAClearError() async throws {
        // Port 9 (discard) on loopback: nothing listens there.
        var configuration = PostgresConfiguration(host: "127.0.0.1", port: 9, user: "pier", database: "pier_unreachable")
        configuration.password = "never-shown-1"
        let error = try await #require(throws: StorageError.self) {
            _ = try await PostgresDatabase.open(configuration, logger: .disabled())
        }
        #expect(error.code == .unavailable)
        #expect(error.message.contains("127.0.0.1:9"))
        #expect(error.message.contains("pier_unreachable"))
        #expect(!"\(error)".contains("never-shown-1"))
    }

    @Test func badCredentialsAreAClearErrorThatNeverShowsThePassword() async throws {
        // scripts/postgres-test-server makes `pier_password_test` the one role that needs a password.
        var configuration = try StorageBackend.postgresConfiguration()
        configuration.user = "pier_password_test"
        configuration.password = "wrong-password-42"
        let wrong = try await #require(throws: StorageError.self) {
            _ = try await PostgresDatabase.open(configuration, logger: .disabled())
        }
        #expect(wrong.code == .unavailable)
        #expect(wrong.message.contains("\(configuration.host):\(configuration.port)"))
        #expect(wrong.message.contains("database \(configuration.database)"))
        #expect(wrong.message.contains("pier_password_test"))
        #expect(!"\(wrong)".contains("wrong-password-42"))

        configuration.password = nil
        let none = try await #require(throws: StorageError.self) {
            _ = try await PostgresDatabase.open(configuration, logger: .disabled())
        }
        #expect(none.code == .unavailable)
        #expect(none.message.contains("password"))

        configuration.password = "pier-test-password"
        let database = try await PostgresDatabase.open(configuration, logger: .disabled())
        #expect(try await database.read { db in try db.fetchValue("SELECT 1", as: Int.self) } == 1)
        await database.close()
    }

    @Test func anUnknownDatabaseIsAClearError() async throws {
        var configuration = try StorageBackend.postgresConfiguration()
        configuration.database = "pier_no_such_database"
        let error = try await #require(throws: StorageError.self) {
            _ = try await PostgresDatabase.open(configuration, logger: .disabled())
        }
        #expect(error.code == .unavailable)
        #expect(error.message.contains("pier_no_such_database"))
    }

    // MARK: - Transactions

    @Test func migrationsRacingAtStartApplyOnce() async throws {
        try await withInstances(2) { instances, _ in
            let logs = [InMemoryLogHandler(), InMemoryLogHandler()]
            let applied = try await withThrowingTaskGroup(of: [String].self) { group in
                for (index, instance) in instances.enumerated() {
                    group.addTask {
                        let logger = Logger(label: "migrate.\(index)", handler: logs[index])
                        return try await instance.migrate(with: Migrator(migrations: PostgresMigrations.all, logger: logger))
                    }
                }
                return try await group.reduce(into: [[String]]()) { $0.append($1) }
            }
            // One instance applied everything, the other found nothing pending.
            #expect(applied.sorted { $0.count > $1.count } == [PostgresMigrations.all.map(\.id), []])
            for instance in instances {
                #expect(try await Migrator(migrations: PostgresMigrations.all, logger: .disabled()).pendingMigrations(in: instance).isEmpty)
            }
        }
    }

    @Test func concurrentWritesFromTwoInstancesAreRetriedNotLost() async throws {
        try await withInstances(2) { instances, _ in
            try await instances[0].migrate(with: Migrator(migrations: PostgresMigrations.all, logger: .disabled()))
            try await instances[0].write { db in try db.execute("INSERT INTO settings (key, value) VALUES ('counter', '0')") }
            let attempts = AttemptCounter()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<30 {
                    let database = instances[index % 2]
                    group.addTask {
                        try await database.write { db in
                            attempts.increment()  // test-only bookkeeping of re-runs
                            let value = try db.fetchValue("SELECT value FROM settings WHERE key = 'counter'", as: String.self) ?? "0"
                            try db.execute("UPDATE settings SET value = \(String(Int(value)! + 1)) WHERE key = 'counter'")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let value = try await instances[1].read { db in try db.fetchValue("SELECT value FROM settings WHERE key = 'counter'", as: String.self) }
            #expect(value == "30")
            // Two instances interleave: SERIALIZABLE refuses some commits and the runner re-runs them.
            #expect(attempts.value >= 30)
        }
    }

    @Test func aSwallowedStatementErrorDoesNotCommit() async throws {
        try await StorageBackend.postgres.withDatabase { database in
            try await database.write { db in try db.execute("INSERT INTO settings (key, value) VALUES ('dup', 'x')") }
            let error = try await #require(throws: StorageError.self) {
                try await database.write { db in
                    try db.execute("INSERT INTO settings (key, value) VALUES ('other', 'y')")
                    _ = try? db.execute("INSERT INTO settings (key, value) VALUES ('dup', 'z')")
                }
            }
            #expect(error.code == .conflict)
            #expect(try await database.read { db in try db.fetchValue("SELECT count(*) FROM settings", as: Int.self) } == 1)
        }
    }

    @Test func readTransactionsAreReadOnly() async throws {
        try await StorageBackend.postgres.withDatabase { database in
            let error = try await #require(throws: StorageError.self) {
                try await database.read { db in
                    _ = try db.fetchAll("INSERT INTO settings (key, value) VALUES ('a', 'b') RETURNING key")
                }
            }
            #expect(error.backendCode == "SQLSTATE 25006")
        }
    }

    // MARK: - Bulk upsert

    @Test func bulkUpsertInsertsUpdatesAndSkipsUnchangedRows() async throws {
        try await StorageBackend.postgres.withDatabase { database in
            let spec = BulkUpsert(table: "settings", columns: ["key", "value"], conflictColumns: ["key"])
            let awkward = "tab\there, newline\nthere, back\\slash, \\N, quote' \"dq\", ünïcödé, \r"
            let first = try await database.write { db in
                try #require(db as? PostgresTransaction).upsert(spec, rows: (0..<1000).map { [.text("k\($0)"), .text($0 == 7 ? awkward : "v\($0)")] })
            }
            #expect(first == 1000)
            let second = try await database.write { db in
                // 10 changed, 990 unchanged, 5 new.
                try #require(db as? PostgresTransaction).upsert(spec, rows: (0..<1005).map { index -> [DatabaseValue] in
                    [.text("k\(index)"), .text(index == 7 ? awkward : index < 10 && index != 7 ? "changed" : "v\(index)")]
                })
            }
            #expect(second == 9 + 5)
            let values = try await database.read { db in
                [try db.fetchValue("SELECT count(*)::text FROM settings", as: String.self),
                 try db.fetchValue("SELECT value FROM settings WHERE key = 'k7'", as: String.self),
                 try db.fetchValue("SELECT value FROM settings WHERE key = 'k3'", as: String.self),
                 try db.fetchValue("SELECT value FROM settings WHERE key = 'k1004'", as: String.self)]
            }
            #expect(values == ["1005", awkward, "changed", "v1004"])
        }
    }

    /// `bulkInsert` is a COPY straight into the table: rows arrive in order (an identity column numbers
    /// them so), text with COPY's special characters survives, and a duplicate key fails the whole call.
    @Test func bulkInsertKeepsOrderAndFailsWholeOnAViolation() async throws {
        try await StorageBackend.postgres.withDatabase { database in
            let values = ["plain", "tab\there", "back\\slash", "new\nline", "\\N", "ünïcødé"]
            let inserted = try await database.write { db in
                try #require(db as? any BulkWriting).bulkInsert(
                    table: "audit_log", columns: ["at", "actor", "action"],
                    rows: values.map { [.text("2026-12-04T00:00:00.000Z"), .text("test"), .text($0)] })
            }
            #expect(inserted == values.count)
            let stored: [String] = try await database.read { db in
                try db.fetchAll("SELECT action FROM audit_log ORDER BY id").map { try $0.decode("action") }
            }
            #expect(stored == values)

            let error = try await #require(throws: StorageError.self) {
                try await database.write { db in
                    try #require(db as? any BulkWriting).bulkInsert(
                        table: "settings", columns: ["key", "value"], rows: [[.text("a"), .text("1")], [.text("a"), .text("2")]])
                }
            }
            #expect(error.code == .conflict)
            #expect(try await database.read { db in try db.fetchValue("SELECT count(*) FROM settings WHERE key = 'a'", as: Int.self) } == 0)
        }
    }

    @Test func bulkUpsertRoundTripsEveryTypeAndReportsConstraints() async throws {
        try await StorageBackend.postgres.withDatabase { database in
            let now = Timestamp.format(Date(timeIntervalSince1970: 1_772_352_930.25))
            let spec = BulkUpsert(
                table: "directories",
                columns: ["id", "domain", "org_id", "org_host", "api_token_ciphertext", "api_token_hint", "self_enroll",
                          "schedule", "endpoint", "created_at", "updated_at"],
                conflictColumns: ["id"]
            )
            let blob: [UInt8] = [0, 1, 2, 0x5c, 9, 10, 255]
            try await database.write { db in
                try #require(db as? PostgresTransaction).upsert(spec, rows: [
                    [.text("d1"), .text("acme.okta.com"), .text("00o1"), .text("acme.okta.com"), .blob(blob), .text("abcd"),
                     .integer(1), .text(#"{"frequency":"daily"}"#), .null, .text(now), .text(now)],
                ])
            }
            let row = try #require(try await database.read { db in try db.fetchOne("SELECT * FROM directories") })
            #expect(try row.decode("api_token_ciphertext", as: [UInt8].self) == blob)
            #expect(try row.decode("self_enroll", as: Bool.self))
            #expect(try row.decode("endpoint", as: String?.self) == nil)
            #expect(try row.decode("created_at", as: String.self) == now)

            // Invalid JSON fails the CHECK (SQLSTATE 22P02 since migration 0003): the whole batch fails with
            // .constraint and leaves nothing.
            let error = try await #require(throws: StorageError.self) {
                try await database.write { db in
                    try #require(db as? PostgresTransaction).upsert(spec, rows: [
                        [.text("d2"), .text("b.okta.com"), .text("00o2"), .text("b.okta.com"), .blob([1]), .text("x"),
                         .integer(0), .text("{not json"), .null, .text(now), .text(now)],
                    ])
                }
            }
            #expect(error.code == .constraint)
            #expect(try await database.read { db in try db.fetchValue("SELECT count(*) FROM directories", as: Int.self) } == 1)
        }
    }
}

/// Counts closure runs across tasks (test-only).
private final class AttemptCounter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
