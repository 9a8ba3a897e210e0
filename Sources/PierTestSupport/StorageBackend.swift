public import Foundation
public import PierStorage
import PierSQLite
public import PierPostgres
import PierLogging

/// A storage backend the shared behaviour suite runs against.
///
/// ```swift
/// @Test(arguments: StorageBackend.available)
/// func settingsRoundTrip(_ backend: StorageBackend) async throws {
///     try await backend.withDatabase { database in … }
/// }
/// ```
///
/// SQLite is always available. A PostgreSQL case joins when `PIER_TEST_POSTGRES_URL` is set
/// (`postgres://user@host:port/db`, password from `PGPASSWORD`; `scripts/test` starts a throwaway
/// server and sets it): each test then gets its own fresh schema in that database, dropped afterwards.
public enum StorageBackend: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    /// The backends usable in this environment.
    public static var available: [StorageBackend] {
        allCases.filter(\.isAvailable)
    }

    /// Whether this backend can run here.
    public var isAvailable: Bool {
        switch self {
        case .sqlite: true
        case .postgres: Self.postgresURL != nil
        }
    }

    public var description: String { rawValue }

    /// The backend's production migrations.
    public var migrations: [Migration] {
        switch self {
        case .sqlite: SQLiteMigrations.all
        case .postgres: PostgresMigrations.all
        }
    }

    /// A fresh, empty database in its own temporary location, optionally migrated.
    ///
    /// - Returns: the database and a cleanup closure that closes it and removes its files.
    public func makeDatabase(migrated: Bool = true) async throws -> (database: any DatabaseWriter, cleanup: @Sendable () async -> Void) {
        switch self {
        case .sqlite:
            let directory = try TemporaryDirectory.make(prefix: "pier-storage")
            let database: SQLiteDatabase
            do {
                database = try await SQLiteDatabase.open(path: directory.appendingPathComponent("pier.db").path, logger: .disabled())
            } catch {
                try? FileManager.default.removeItem(at: directory)
                throw error
            }
            let cleanup: @Sendable () async -> Void = {
                await database.close()
                try? FileManager.default.removeItem(at: directory)
            }
            if migrated {
                do {
                    try await Migrator(migrations: migrations, logger: .disabled()).migrate(database)
                } catch {
                    await cleanup()
                    throw error
                }
            }
            return (database, cleanup)
        case .postgres:
            let schema = try await Self.createPostgresSchema()
            let database: PostgresDatabase
            do {
                database = try await PostgresDatabase.open(try Self.postgresConfiguration(schema: schema), logger: .disabled())
            } catch {
                await Self.dropPostgresSchema(schema)
                throw error
            }
            let cleanup: @Sendable () async -> Void = {
                await database.close()
                await Self.dropPostgresSchema(schema)
            }
            if migrated {
                do {
                    try await database.migrate(with: Migrator(migrations: migrations, logger: .disabled()))
                } catch {
                    await cleanup()
                    throw error
                }
            }
            return (database, cleanup)
        }
    }

    // MARK: - PostgreSQL

    /// `PIER_TEST_POSTGRES_URL`, when set and not empty.
    public static var postgresURL: String? {
        guard let url = ProcessInfo.processInfo.environment["PIER_TEST_POSTGRES_URL"], !url.isEmpty else { return nil }
        return url
    }

    /// The test server's configuration, optionally confined to `schema`; small pools (tests run in
    /// parallel against one server).
    public static func postgresConfiguration(schema: String? = nil) throws -> PostgresConfiguration {
        guard let url = postgresURL else {
            throw StorageError(.unavailable, "PIER_TEST_POSTGRES_URL is not set; run scripts/postgres-test-server start")
        }
        var configuration = try PostgresConfiguration(url: url)
        configuration.password = ProcessInfo.processInfo.environment["PGPASSWORD"]
        configuration.schema = schema
        configuration.readerCount = 2
        return configuration
    }

    /// Creates a new, empty schema with a unique name and returns the name.
    public static func createPostgresSchema() async throws -> String {
        let schema = "pier_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await withAdminDatabase { admin in
            // The name is generated above from hex digits: safe to splice as an identifier.
            try await admin.write { db in try db.executeScript("CREATE SCHEMA \(schema)") }
        }
        return schema
    }

    /// Drops a schema made by ``createPostgresSchema()`` and everything in it.
    public static func dropPostgresSchema(_ schema: String) async {
        precondition(schema.hasPrefix("pier_test_") && schema.utf8.allSatisfy { $0 == 0x5f || (0x30...0x39).contains($0) || (0x61...0x7a).contains($0) })
        try? await withAdminDatabase { admin in
            try await admin.write { db in try db.executeScript("DROP SCHEMA IF EXISTS \(schema) CASCADE") }
        }
    }

    /// Creates a new, empty database with a unique name (`pier_test_db_<hex>`) on the test server and
    /// returns a configuration for it (tests that run several `pier serve` processes on one database).
    public static func createPostgresDatabase() async throws -> PostgresConfiguration {
        let name = "pier_test_db_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        var configuration = try postgresConfiguration()
        // The name is generated above from hex digits: safe to splice as an identifier.
        try await PostgresDatabase.executeOutsideTransaction("CREATE DATABASE \(name)", configuration: configuration)
        configuration.database = name
        return configuration
    }

    /// Drops a database made by ``createPostgresDatabase()``, closing any connection still open to it.
    public static func dropPostgresDatabase(_ name: String) async {
        precondition(name.hasPrefix("pier_test_db_") && name.utf8.allSatisfy { $0 == 0x5f || (0x30...0x39).contains($0) || (0x61...0x7a).contains($0) })
        guard let configuration = try? postgresConfiguration() else { return }
        try? await PostgresDatabase.executeOutsideTransaction("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", configuration: configuration)
    }

    private static func withAdminDatabase(_ body: (PostgresDatabase) async throws -> Void) async throws {
        var configuration = try postgresConfiguration()
        configuration.readerCount = 1
        let admin = try await PostgresDatabase.open(configuration, logger: .disabled())
        do {
            try await body(admin)
            await admin.close()
        } catch {
            await admin.close()
            throw error
        }
    }

    /// Runs `body` with a fresh database and always cleans up, also when `body` throws.
    public func withDatabase<T>(
        migrated: Bool = true,
        _ body: (any DatabaseWriter) async throws -> T
    ) async throws -> T {
        let (database, cleanup) = try await makeDatabase(migrated: migrated)
        do {
            let result = try await body(database)
            await cleanup()
            return result
        } catch {
            await cleanup()
            throw error
        }
    }
}

/// Per-test temporary directories.
public enum TemporaryDirectory {
    /// Creates a new, empty directory under the system's temporary directory.
    public static func make(prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString.lowercased())", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `body` with a new directory, removed afterwards.
    public static func with<T>(prefix: String = "pier-test", _ body: (URL) async throws -> T) async throws -> T {
        let url = try make(prefix: prefix)
        defer { try? FileManager.default.removeItem(at: url) }
        return try await body(url)
    }
}
