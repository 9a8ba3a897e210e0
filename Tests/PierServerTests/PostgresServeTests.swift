import Foundation
import PierHTTP
import PierLogging
import PierPostgres
import PierServer
import PierStorage
import PierTestSupport
import Testing

/// `pier serve` and `pier migrate` on PostgreSQL (issue 7): the composition in-process, and the
/// executable end to end. Runs when `PIER_TEST_POSTGRES_URL` is set (`scripts/test` always sets it);
/// every test works in its own fresh schema on that server.
@Suite(.enabled(if: StorageBackend.postgresURL != nil, "PIER_TEST_POSTGRES_URL is not set"))
struct PostgresServeTests {
    /// The role `scripts/postgres-test-server` creates as the one that needs a password.
    static let passwordUser = "pier_password_test"
    static let password = "pier-test-password"

    /// A fresh schema, optionally usable by ``passwordUser``; dropped afterwards.
    func withSchema<T>(grantToPasswordUser: Bool = false, _ body: (String) async throws -> T) async throws -> T {
        let schema = try await StorageBackend.createPostgresSchema()
        do {
            if grantToPasswordUser {
                let admin = try await PostgresDatabase.open(StorageBackend.postgresConfiguration(), logger: .disabled())
                do {
                    // `schema` is generated from hex digits: safe to splice as an identifier.
                    try await admin.write { db in try db.executeScript("GRANT USAGE, CREATE ON SCHEMA \(schema) TO \(Self.passwordUser)") }
                    await admin.close()
                } catch {
                    await admin.close()
                    throw error
                }
            }
            let result = try await body(schema)
            await StorageBackend.dropPostgresSchema(schema)
            return result
        } catch {
            await StorageBackend.dropPostgresSchema(schema)
            throw error
        }
    }

    static func randomKey() -> String {
        Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
    }

    func configuration(
        _ harness: ServerHarness, schema: String, key: String, migrate: Bool = true,
        adjust: (inout PostgresConfiguration) -> Void = { _ in }
    ) throws -> ServerConfiguration {
        var postgres = try StorageBackend.postgresConfiguration(schema: schema)
        adjust(&postgres)
        var configuration = harness.configuration(migrate: migrate, key: .inline(base64: key))
        configuration.database = .postgres(postgres)
        return configuration
    }

    // MARK: - In process

    @Test func serveAnswersReadinessFromPostgres() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await withSchema { schema in
            let configuration = try configuration(harness, schema: schema, key: Self.randomKey())
            try await harness.withRunningServer(configuration) { base in
                let ready = try await get("\(base)/readyz")
                #expect(ready.status == 200)
                #expect(String(decoding: ready.body, as: UTF8.self).contains(#""status":"ready""#))
            }
            let opened = harness.logs.records.first { $0.message == "Database opened" }
            #expect(opened?.metadata["db.backend"] == "postgres")
            #expect(!FileManager.default.fileExists(atPath: harness.keyPath), "PIER_KEY given: no key file written")
        }
    }

    @Test func twoInstancesStartingTogetherMigrateOnceAndShareOneInstallation() async throws {
        let harnesses = [try ServerHarness(), try ServerHarness()]
        defer { harnesses.forEach { $0.remove() } }
        try await withSchema { schema in
            let key = Self.randomKey()
            let configurations = try harnesses.map { try configuration($0, schema: schema, key: key) }
            let prepared = try await withThrowingTaskGroup(of: (Int, PierServerApp.Prepared).self) { group in
                for index in 0..<2 {
                    group.addTask {
                        (index, try await PierServerApp.prepare(configuration: configurations[index], logger: harnesses[index].logger))
                    }
                }
                return try await group.reduce(into: [Int: PierServerApp.Prepared]()) { $0[$1.0] = $1.1 }
            }
            let first = try #require(prepared[0])
            let second = try #require(prepared[1])

            #expect(first.keyID == second.keyID)
            let installations = [
                try await SQLStore(database: first.database).setting(.installationID),
                try await SQLStore(database: second.database).setting(.installationID),
            ]
            #expect(installations[0] != nil)
            #expect(installations[0] == installations[1])
            // Every migration applied exactly once, by one of the two.
            let rows = try await first.database.read { db in
                try db.fetchAll("SELECT id FROM schema_migrations ORDER BY id").map { row -> String in try row.decode("id") }
            }
            #expect(rows == PostgresMigrations.all.map(\.id))
            let appliedLogs = harnesses.flatMap { $0.logs.records }.filter { $0.message == "Migration applied" }
            #expect(appliedLogs.compactMap { $0.metadata["db.migration"] }.sorted() == PostgresMigrations.all.map(\.id))
            await first.database.close()
            await second.database.close()
        }
    }

    @Test func aSecondInstanceWithADifferentKeyIsRefused() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await withSchema { schema in
            let first = try await PierServerApp.prepare(
                configuration: configuration(harness, schema: schema, key: Self.randomKey()), logger: harness.logger)
            let error = await #expect(throws: KeyError.self) {
                _ = try await PierServerApp.prepare(
                    configuration: configuration(harness, schema: schema, key: Self.randomKey()), logger: harness.logger)
            }
            #expect(error?.message.contains(first.keyID) == true, "names the database's key id: \(error?.message ?? "")")
            await first.database.close()
        }
    }

    @Test func instancesRacingWithDifferentKeysLeaveExactlyOneRunning() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await withSchema { schema in
            let configurations = try (0..<2).map { _ in try configuration(harness, schema: schema, key: Self.randomKey()) }
            let outcomes = await withTaskGroup(of: Result<PierServerApp.Prepared, any Error>.self) { group in
                for configuration in configurations {
                    group.addTask {
                        do { return .success(try await PierServerApp.prepare(configuration: configuration, logger: harness.logger)) }
                        catch { return .failure(error) }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            var running: [PierServerApp.Prepared] = []
            var refused: [any Error] = []
            for outcome in outcomes {
                switch outcome {
                case .success(let prepared): running.append(prepared)
                case .failure(let error): refused.append(error)
                }
            }
            #expect(running.count == 1)
            #expect(refused.count == 1)
            #expect(refused.first is KeyError, "\(refused)")
            for prepared in running { await prepared.database.close() }
        }
    }

    @Test func pendingMigrationsRefuseToStartWithoutMigrate() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await withSchema { schema in
            let error = await #expect(throws: StartupError.self) {
                _ = try await PierServerApp.prepare(
                    configuration: configuration(harness, schema: schema, key: Self.randomKey(), migrate: false), logger: harness.logger)
            }
            #expect(error?.message.contains("pending migration") == true)
            #expect(error?.message.contains("postgres://postgres@127.0.0.1:") == true, "\(error?.message ?? "")")
        }
    }

    @Test func aNewerSchemaIsRefused() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await withSchema { schema in
            let configuration = try configuration(harness, schema: schema, key: Self.randomKey())
            let prepared = try await PierServerApp.prepare(configuration: configuration, logger: harness.logger)
            try await prepared.database.write { db in
                try db.execute("""
                    INSERT INTO schema_migrations (id, checksum, applied_at, pier_version)
                    VALUES ('9999-from-the-future', 'x', '2030-01-01T00:00:00.000Z', '9.9.9')
                    """)
            }
            await prepared.database.close()
            let error = await #expect(throws: StorageError.self) {
                _ = try await PierServerApp.prepare(configuration: configuration, logger: harness.logger)
            }
            #expect(error?.code == .schemaTooNew)
            #expect(error?.message.contains("9999-from-the-future") == true)
        }
    }

    @Test func migratingAnExistingSchemaTakesNoBackupAndSaysSo() async throws {
        let logs = InMemoryLogHandler()
        let logger = Logger(label: "pier", level: .trace, handler: logs)
        try await withSchema { schema in
            let location = DatabaseLocation.postgres(try StorageBackend.postgresConfiguration(schema: schema))
            let extra = Migration(id: "9999-test-add-column", sql: "ALTER TABLE settings ADD COLUMN note TEXT")

            let first = DatabaseBootstrap(location: location, logger: logger)
            var database = try await first.open()
            let initial = try await first.migrate(database)
            await database.close()
            #expect(initial.applied == PostgresMigrations.all.map(\.id))
            #expect(initial.backupPath == nil)
            #expect(initial.backupNote == nil, "a new database needs no backup")

            let second = DatabaseBootstrap(location: location, logger: logger, migrations: PostgresMigrations.all + [extra])
            database = try await second.open()
            #expect(try await second.pendingMigrations(database).map(\.id) == [extra.id])
            let report = try await second.migrate(database)
            #expect(try await second.pendingMigrations(database).isEmpty)
            await database.close()
            #expect(report.applied == [extra.id])
            #expect(report.backupPath == nil)
            #expect(report.backupNote == DatabaseBootstrap.postgresBackupNote)
            #expect(logs.records.contains { $0.message == DatabaseBootstrap.postgresBackupNote && $0.level == .notice })
        }
    }

    @Test func anUnreachableServerIsAClearErrorWithoutThePassword() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        let secret = "never-shown-\(UUID().uuidString)"
        var postgres = PostgresConfiguration(host: "127.0.0.1", port: 9, user: "pier", database: "pier_unreachable")
        postgres.password = secret
        postgres.connectTimeout = .seconds(2)
        var configuration = harness.configuration(key: .inline(base64: Self.randomKey()))
        configuration.database = .postgres(postgres)
        let error = await #expect(throws: StorageError.self) {
            _ = try await PierServerApp.prepare(configuration: configuration, logger: harness.logger)
        }
        #expect(error?.code == .unavailable)
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(text.contains("127.0.0.1:9"))
        #expect(text.contains("pier_unreachable"))
        #expect(!text.contains(secret))
        #expect(!harness.logs.renderedText.contains(secret))
        #expect(!"\(configuration.database)".contains(secret))
    }

    @Test func badCredentialsAreAClearErrorWithoutThePassword() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await withSchema(grantToPasswordUser: true) { schema in
            let secret = "wrong-\(UUID().uuidString)"
            let configuration = try configuration(harness, schema: schema, key: Self.randomKey()) {
                $0.user = Self.passwordUser
                $0.password = secret
            }
            let error = await #expect(throws: StorageError.self) {
                _ = try await PierServerApp.prepare(configuration: configuration, logger: harness.logger)
            }
            #expect(error?.code == .unavailable)
            let text = "\(error.map { "\($0)" } ?? "")"
            let postgres = try StorageBackend.postgresConfiguration()
            #expect(text.contains("\(postgres.host):\(postgres.port)"))
            #expect(text.contains("database \(postgres.database)"))
            #expect(text.contains(Self.passwordUser))
            #expect(!text.contains(secret))
            #expect(!harness.logs.renderedText.contains(secret))

            // The right password works, and is not logged either.
            let right = try self.configuration(harness, schema: schema, key: Self.randomKey()) {
                $0.user = Self.passwordUser
                $0.password = Self.password
            }
            try await harness.withRunningServer(right) { base in
                let ready = try await get("\(base)/readyz")
                #expect(ready.status == 200)
            }
            #expect(!harness.logs.renderedText.contains(Self.password))
        }
    }

    // MARK: - The executable

    /// A password file with mode 0600 in a new temporary directory.
    func withPasswordFile<T>(_ password: String, _ body: (String) async throws -> T) async throws -> T {
        try await TemporaryDirectory.with(prefix: "pier-pg-password") { directory in
            let path = directory.appendingPathComponent("db-password").path
            #expect(FileManager.default.createFile(atPath: path, contents: Data((password + "\n").utf8), attributes: [.posixPermissions: 0o600]))
            return try await body(path)
        }
    }

    /// `postgres://pier_password_test@host:port/db` on the test server.
    func passwordUserURL() throws -> String {
        let postgres = try StorageBackend.postgresConfiguration()
        return "postgres://\(Self.passwordUser)@\(postgres.host):\(postgres.port)/\(postgres.database)"
    }

    @Test func pierServeRunsOnPostgresEndToEnd() async throws {
        try await withSchema(grantToPasswordUser: true) { schema in
            try await withPasswordFile(Self.password) { passwordFile in
                let url = try passwordUserURL()
                let (process, _, stderr) = try PierBinary.start(
                    ["serve", "--listen", "127.0.0.1:0", "--database", url, "--database-password-file", passwordFile, "--migrate"],
                    environment: ["PIER_KEY": Self.randomKey(), "PGOPTIONS": "-c search_path=\(schema)"])
                let lines = LineReader(stderr.fileHandleForReading)
                guard let listening = lines.waitFor("Pier is listening", timeout: .seconds(30)) else {
                    process.terminate()
                    process.waitUntilExit()
                    Issue.record("pier serve did not start: \(lines.waitFor("Error", timeout: .seconds(1)) ?? "no error line")")
                    return
                }
                let port = try #require(listening.firstMatch(of: /"http.listen":"127\.0\.0\.1:(\d+)"/)?.output.1)
                let ready = try await get("http://127.0.0.1:\(port)/readyz")
                #expect(ready.status == 200)
                #expect(lines.waitFor(#""db.backend":"postgres""#, timeout: .seconds(1)) != nil)
                process.terminate()
                process.waitUntilExit()
                #expect(process.terminationStatus == 0)
                #expect(lines.waitFor("Pier stopped", timeout: .seconds(5)) != nil)
                #expect(lines.waitFor(Self.password, timeout: .milliseconds(10)) == nil, "the password is never logged")
            }
        }
    }

    @Test func pierMigrateAppliesOnPostgresThenReportsUpToDate() async throws {
        try await withSchema(grantToPasswordUser: true) { schema in
            try await withPasswordFile(Self.password) { passwordFile in
                let url = try passwordUserURL()
                let environment = ["PGOPTIONS": "-c search_path=\(schema)", "PIER_DATABASE_PASSWORD_FILE": passwordFile]
                let first = try await PierBinary.run(["migrate", "--database", url], environment: environment)
                #expect(first.status == 0, "\(first.standardError)")
                let lines = first.standardOutput.split(separator: "\n")
                #expect(lines.filter { $0.hasPrefix("Applied ") }.map(String.init) == PostgresMigrations.all.map { "Applied \($0.id)" })
                #expect(lines.last == "Database \(url) is up to date (\(PostgresMigrations.all.count) migrations applied).")
                #expect(!first.standardOutput.contains("Backup"), "a new database: nothing to back up")

                let second = try await PierBinary.run(["migrate", "--database", url], environment: environment)
                #expect(second.status == 0, "\(second.standardError)")
                #expect(second.standardOutput == "Database \(url) is up to date (\(PostgresMigrations.all.count) migrations applied).\n")
                #expect(!(first.standardError + second.standardError).contains(Self.password))
            }
        }
    }

    @Test func pierWithAWrongPasswordExits1NamingTheServerNotThePassword() async throws {
        let url = try passwordUserURL()
        let postgres = try StorageBackend.postgresConfiguration()
        let secret = "wrong-\(UUID().uuidString)"
        for arguments in [["migrate", "--database", url], ["serve", "--listen", "127.0.0.1:0", "--database", url, "--migrate"]] {
            let run = try await PierBinary.run(arguments, environment: ["PGPASSWORD": secret, "PIER_KEY": Self.randomKey()])
            #expect(run.status == 1, "\(arguments[0]): \(run.standardError)")
            #expect(run.standardError.contains("\(postgres.host):\(postgres.port), database \(postgres.database), user \(Self.passwordUser)"),
                    "\(arguments[0]): \(run.standardError)")
            #expect(!(run.standardError + run.standardOutput).contains(secret), "\(arguments[0]) never shows the password")
        }
    }
}
