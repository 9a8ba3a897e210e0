import Foundation
import PierLogging
import PierSQLite
import PierStorage
import PierTestSupport
import Testing

/// Behaviour specific to the SQLite backend.
struct SQLiteDatabaseTests {
    @Test func openingInAMissingDirectoryIsAClearError() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.appendingPathComponent("missing/pier.db").path
            let error = try await #require(throws: StorageError.self) {
                _ = try await SQLiteDatabase.open(path: path, logger: .disabled())
            }
            #expect(error.code == .unavailable)
            #expect(error.message.contains("cannot open database at \(path)"))
            #expect(error.message.contains("check that the directory exists and is writable"))
        }
    }

    @Test func openingUnderAFileIsAClearError() async throws {
        try await TemporaryDirectory.with { directory in
            let file = directory.appendingPathComponent("not-a-directory")
            try Data("x".utf8).write(to: file)
            let path = file.appendingPathComponent("pier.db").path
            let error = try await #require(throws: StorageError.self) {
                _ = try await SQLiteDatabase.open(path: path, logger: .disabled())
            }
            #expect(error.code == .unavailable)
            #expect(error.message.contains(path))
        }
    }

    @Test(.enabled(if: getuid() != 0, "root can write anywhere"))
    func openingInAnUnwritableDirectoryIsAClearError() async throws {
        try await TemporaryDirectory.with { directory in
            let locked = directory.appendingPathComponent("locked")
            try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o500])
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: locked.path) }
            let error = try await #require(throws: StorageError.self) {
                _ = try await SQLiteDatabase.open(path: locked.appendingPathComponent("pier.db").path, logger: .disabled())
            }
            #expect(error.code == .unavailable)
            #expect(error.message.contains("check that the directory exists and is writable"))
        }
    }

    @Test func aFileThatIsNotADatabaseIsRefused() async throws {
        try await TemporaryDirectory.with { directory in
            let file = directory.appendingPathComponent("garbage.db")
            try Data(repeating: 0x41, count: 4096).write(to: file)
            let error = try await #require(throws: StorageError.self) {
                _ = try await SQLiteDatabase.open(path: file.path, logger: .disabled())
            }
            #expect(error.code == .io)
        }
    }

    @Test func theDatabaseFileIsCreatedWithMode0600InWALMode() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.appendingPathComponent("pier.db").path
            let database = try await SQLiteDatabase.open(path: path, logger: .disabled())
            try await Migrator(migrations: SQLiteMigrations.all, logger: .disabled()).migrate(database)
            let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(permissions == 0o600)
            let walPermissions = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.posixPermissions] as? Int
            #expect(walPermissions == 0o600)
            let pragmas = try await database.read { db in
                (try db.fetchValue("PRAGMA journal_mode", as: String.self), try db.fetchValue("PRAGMA foreign_keys", as: Int.self))
            }
            #expect(pragmas.0 == "wal")
            #expect(pragmas.1 == 1)
            await database.close()
        }
    }

    @Test func backupWritesAReadableCopy() async throws {
        try await TemporaryDirectory.with { directory in
            let database = try await SQLiteDatabase.open(path: directory.appendingPathComponent("pier.db").path, logger: .disabled())
            try await Migrator(migrations: SQLiteMigrations.all, logger: .disabled()).migrate(database)
            let store = SQLStore(database: database)
            try await store.setSetting(.portalName, to: "Acme")

            let backupPath = directory.appendingPathComponent("pier-backup.db").path
            try await database.backup(to: backupPath)
            let permissions = try FileManager.default.attributesOfItem(atPath: backupPath)[.posixPermissions] as? Int
            #expect(permissions == 0o600)
            let again = try await #require(throws: StorageError.self) { try await database.backup(to: backupPath) }
            #expect(again.code == .conflict)
            await database.close()

            let copy = try await SQLiteDatabase.open(path: backupPath, logger: .disabled())
            #expect(try await SQLStore(database: copy).setting(.portalName) == "Acme")
            #expect(try await Migrator(migrations: SQLiteMigrations.all, logger: .disabled()).pendingMigrations(in: copy).isEmpty)
            await copy.close()
        }
    }

    @Test func readersCannotWrite() async throws {
        _ = try await StorageBackend.sqlite.withDatabase { database in
            await #expect(throws: StorageError.self) {
                try await database.read { db in
                    _ = try db.fetchAll("INSERT INTO settings (key, value) VALUES ('x', 'y') RETURNING key")
                }
            }
        }
    }

    @Test func aClosedDatabaseRefusesWork() async throws {
        let (database, cleanup) = try await StorageBackend.sqlite.makeDatabase()
        await database.close()
        let error = try await #require(throws: StorageError.self) { try await database.read { db in try db.fetchAll("SELECT 1") } }
        #expect(error.code == .closed)
        await cleanup()
    }

    @Test func manyUpsertsInOneTransactionAreFast() async throws {
        try await StorageBackend.sqlite.withDatabase { database in
            let clock = ContinuousClock()
            let elapsed = try await clock.measure {
                try await database.write { db in
                    for index in 0..<20_000 {
                        try db.execute("""
                            INSERT INTO settings (key, value) VALUES (\("k\(index)"), \("v\(index)"))
                            ON CONFLICT (key) DO UPDATE SET value = excluded.value
                            """)
                    }
                }
            }
            let count = try await database.read { db in try db.fetchValue("SELECT count(*) FROM settings", as: Int.self) }
            #expect(count == 20_000)
            // Generous bound for a shared debug build; the statement cache keeps it far below.
            #expect(elapsed < .seconds(20))
        }
    }
}
