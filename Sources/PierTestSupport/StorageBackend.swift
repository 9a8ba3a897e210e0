public import Foundation
public import PierStorage
import PierSQLite
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
/// SQLite is always available. A PostgreSQL case joins when `PIER_TEST_POSTGRES_URL` is set.
public enum StorageBackend: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite

    /// The backends usable in this environment.
    public static var available: [StorageBackend] {
        allCases.filter(\.isAvailable)
    }

    /// Whether this backend can run here.
    public var isAvailable: Bool {
        switch self {
        case .sqlite: true
        }
    }

    public var description: String { rawValue }

    /// The backend's production migrations.
    public var migrations: [Migration] {
        switch self {
        case .sqlite: SQLiteMigrations.all
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
