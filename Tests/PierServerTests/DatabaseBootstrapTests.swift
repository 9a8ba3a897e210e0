import Foundation
import PierLogging
import PierSQLite
import PierServer
import PierStorage
import PierTestSupport
import Testing

@Suite("Database bootstrap (DESIGN.md §9)")
struct DatabaseBootstrapTests {
    @Test func migratingANewDatabaseWritesNoBackup() async throws {
        try await TemporaryDirectory.with { directory in
            let bootstrap = DatabaseBootstrap(location: .sqlite(path: directory.appendingPathComponent("pier.db").path), logger: .disabled())
            let database = try await bootstrap.open()
            let report = try await bootstrap.migrate(database)
            await database.close()
            #expect(report.applied == SQLiteMigrations.all.map(\.id))
            #expect(report.backupPath == nil)
        }
    }

    @Test func migratingAnExistingDatabaseBacksItUpFirst() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.appendingPathComponent("pier.db").path
            let fixed = Date(timeIntervalSince1970: 1_790_000_000)
            let first = DatabaseBootstrap(location: .sqlite(path: path), logger: .disabled(), now: { fixed })
            var database = try await first.open()
            _ = try await first.migrate(database)
            try await database.write { db in try db.execute("INSERT INTO settings (key, value) VALUES ('probe', 'before')") }
            await database.close()

            let extra = Migration(id: "9999-test-add-column", sql: "ALTER TABLE settings ADD COLUMN note TEXT")
            let second = DatabaseBootstrap(
                location: .sqlite(path: path), logger: .disabled(), migrations: SQLiteMigrations.all + [extra], now: { fixed })
            database = try await second.open()
            #expect(try await second.pendingMigrations(database).map(\.id) == [extra.id])
            let report = try await second.migrate(database)
            await database.close()
            #expect(report.applied == [extra.id])
            let backup = try #require(report.backupPath)
            #expect(backup.hasPrefix(path + ".backup-"))

            // The backup is the database as it was: readable, with the data, without the new column.
            let copy = try await SQLiteDatabase.open(path: backup, logger: .disabled())
            let value = try await copy.read { db in try db.fetchValue("SELECT value FROM settings WHERE key = 'probe'", as: String.self) }
            let columns = try await copy.read { db in try db.fetchAll("PRAGMA table_info(settings)").count }
            await copy.close()
            #expect(value == "before")
            #expect(columns == 2)
        }
    }
}
