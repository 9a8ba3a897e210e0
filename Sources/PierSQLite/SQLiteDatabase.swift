import Foundation
public import PierStorage
public import PierLogging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Pier's embedded database: one SQLite file in WAL mode, one writer and a small pool of readers.
///
/// ```swift
/// let database = try await SQLiteDatabase.open(path: "/var/lib/pier/pier.db", logger: logger)
/// let migrator = Migrator(migrations: SQLiteMigrations.all, logger: logger)
/// if try await !migrator.pendingMigrations(in: database).isEmpty { … }
/// try await migrator.migrate(database)
/// let stores = SQLStore(database: database)
/// …
/// await database.close()
/// ```
///
/// Every connection lives on its own serial `DispatchQueue`: blocking `sqlite3_step` never runs on the
/// Swift cooperative pool. Writes are serialized on the writer; reads take any free reader and, thanks
/// to WAL, run concurrently with each other and with an open write transaction, seeing the last
/// committed state. Connection settings: `journal_mode=WAL`, `synchronous=NORMAL`, `foreign_keys=ON`,
/// a busy timeout, and `query_only` on readers. "Connect to any database file only once": open one
/// `SQLiteDatabase` per file per process.
public final class SQLiteDatabase: DatabaseWriter {
    /// Tunables, with defaults for a server.
    public struct Configuration: Sendable {
        /// How long a connection waits for another process's lock before failing with `.busy`.
        public var busyTimeout: Duration = .seconds(5)
        /// How many reader connections run concurrently.
        public var readerCount: Int = 4

        /// The defaults.
        public init() {}
    }

    /// The database file's path.
    public let path: String
    public var dialect: SQLDialect { .sqlite }

    private let writer: Slot
    private let readers: ReaderPool
    private let logger: Logger
    private let closed = Mutex(false)

    /// A connection and the serial queue it is confined to.
    final class Slot: Sendable {
        let connection: SQLiteConnection
        let queue: DispatchQueue

        init(connection: SQLiteConnection, queue: DispatchQueue) {
            self.connection = connection
            self.queue = queue
        }

        /// Runs `work` on this slot's queue and returns its result to the awaiting task.
        func run<T: Sendable>(_ work: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
            try await withCheckedThrowingContinuation { continuation in
                queue.async {
                    continuation.resume(with: Result { try work(self.connection) })
                }
            }
        }
    }

    private init(path: String, writer: Slot, readers: [Slot], logger: Logger) {
        self.path = path
        self.writer = writer
        self.readers = ReaderPool(slots: readers)
        self.logger = logger
    }

    /// Opens (creating if needed) the database at `path`.
    ///
    /// A new file is created with mode 0600 (it holds encrypted secrets and hashes). The directory must
    /// already exist.
    ///
    /// - Throws: ``StorageError`` `.unavailable` naming the path when the file cannot be opened or
    ///   created (missing or unwritable directory), `.io` when it is not a database.
    public static func open(
        path: String,
        configuration: Configuration = Configuration(),
        logger: Logger
    ) async throws -> SQLiteDatabase {
        precondition(configuration.readerCount >= 1, "at least one reader connection is needed")
        let busyMs = Int32(clamping: configuration.busyTimeout.components.seconds * 1000
            + configuration.busyTimeout.components.attoseconds / 1_000_000_000_000_000)
        let writerQueue = DispatchQueue(label: "pier.sqlite.writer")
        let writerConnection: SQLiteConnection = try await withCheckedThrowingContinuation { continuation in
            writerQueue.async {
                continuation.resume(with: Result { try openWriter(path: path, busyMs: busyMs) })
            }
        }
        var readerSlots: [Slot] = []
        do {
            for index in 0..<configuration.readerCount {
                let queue = DispatchQueue(label: "pier.sqlite.reader.\(index)")
                let connection: SQLiteConnection = try await withCheckedThrowingContinuation { continuation in
                    queue.async {
                        continuation.resume(with: Result { try openReader(path: path, busyMs: busyMs) })
                    }
                }
                readerSlots.append(Slot(connection: connection, queue: queue))
            }
        } catch {
            let writer = Slot(connection: writerConnection, queue: writerQueue)
            await withCheckedContinuation { continuation in
                writer.queue.async { writer.connection.close(); continuation.resume() }
            }
            for slot in readerSlots {
                await withCheckedContinuation { continuation in
                    slot.queue.async { slot.connection.close(); continuation.resume() }
                }
            }
            throw error
        }
        logger.info("Database opened", metadata: ["db.path": path, "db.backend": "sqlite"])
        return SQLiteDatabase(
            path: path,
            writer: Slot(connection: writerConnection, queue: writerQueue),
            readers: readerSlots,
            logger: logger
        )
    }

    /// The writer connection's page cache in KiB (`PRAGMA cache_size` takes a negative number as KiB).
    static let writerCacheKiB = 32 * 1024

    private static func openWriter(path: String, busyMs: Int32) throws -> SQLiteConnection {
        try createFileIfMissing(path: path)
        let connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: busyMs)
        do {
            // "The WAL journaling mode is persistent; after being set it stays in effect across
            // multiple database connections" — https://sqlite.org/wal.html. The pragma answers the mode
            // now in effect, which is not WAL on filesystems that cannot do it.
            let transaction = SQLiteTransaction(connection: connection)
            defer { transaction.invalidate() }
            let mode = try transaction.fetchValue("PRAGMA journal_mode = WAL", as: String.self)
            guard mode?.lowercased() == "wal" else {
                throw StorageError(.unavailable, "cannot enable WAL mode for the database at \(path) (journal mode is \(mode ?? "unknown"))")
            }
            try connection.executeScript("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
            // The writer's page cache: SQLite's default (2 MB) made a 100k-user sync re-read the same index
            // pages from the OS with pread over and over (half of its CPU time in the kernel, perf). 32 MB
            // holds the hot pages of such a directory; it fills only as pages are used, so a small
            // database stays small, and readers keep the default.
            try connection.executeScript("PRAGMA cache_size = -\(Self.writerCacheKiB)")
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    private static func openReader(path: String, busyMs: Int32) throws -> SQLiteConnection {
        let connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: busyMs)
        do {
            try connection.executeScript("PRAGMA query_only = ON; PRAGMA foreign_keys = ON;")
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    /// Creates the file with mode 0600 before SQLite opens it, so it is never readable by others.
    /// SQLite gives its `-wal` and `-shm` files the same permissions as the database file.
    private static func createFileIfMissing(path: String) throws {
        let fd = Glibc.open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if fd >= 0 {
            _ = Glibc.close(fd)
            return
        }
        let error = errno
        if error == EEXIST { return }
        throw StorageError(
            .unavailable,
            "cannot open database at \(path): \(String(cString: strerror(error))) (check that the directory exists and is writable)"
        )
    }

    // MARK: - DatabaseWriter

    @discardableResult
    public func read<T: Sendable>(_ body: @escaping @Sendable (any DatabaseReadConnection) throws -> T) async throws -> T {
        try checkNotClosed()
        let slot = await readers.acquire()
        defer { readers.release(slot) }
        return try await slot.run { connection in
            try Self.inTransaction(connection, begin: "BEGIN DEFERRED") { transaction in try body(transaction) }
        }
    }

    @discardableResult
    public func write<T: Sendable>(
        foreignKeys: ForeignKeyEnforcement,
        _ body: @escaping @Sendable (any DatabaseConnection) throws -> T
    ) async throws -> T {
        try checkNotClosed()
        return try await writer.run { connection in
            switch foreignKeys {
            case .immediate:
                return try Self.inTransaction(connection, begin: "BEGIN IMMEDIATE") { transaction in try body(transaction) }
            case .checkedBeforeCommit:
                // > This pragma is a no-op within a transaction; foreign key constraint enforcement
                // > may only be enabled or disabled when there is no pending BEGIN or SAVEPOINT.
                // — https://sqlite.org/pragma.html#pragma_foreign_keys
                try connection.executeScript("PRAGMA foreign_keys = OFF")
                defer { try? connection.executeScript("PRAGMA foreign_keys = ON") }
                return try Self.inTransaction(connection, begin: "BEGIN IMMEDIATE") { transaction in
                    let result = try body(transaction)
                    let violations = try transaction.fetchAll("PRAGMA foreign_key_check")
                    if !violations.isEmpty {
                        let described = violations.prefix(5).map { row -> String in
                            let table = (try? row.decode("table", as: String.self)) ?? "?"
                            let parent = (try? row.decode("parent", as: String.self)) ?? "?"
                            return "\(table) → \(parent)"
                        }.joined(separator: ", ")
                        throw StorageError(
                            .constraint,
                            "\(violations.count) foreign key violation(s) after the transaction: \(described)",
                            sql: "PRAGMA foreign_key_check"
                        )
                    }
                    return result
                }
            }
        }
    }

    /// Runs `body` between `begin` and `COMMIT`; on a throw, rolls back and rethrows the first error.
    private static func inTransaction<T>(
        _ connection: SQLiteConnection,
        begin: String,
        _ body: (SQLiteTransaction) throws -> T
    ) throws -> T {
        try connection.executeScript(begin)
        let transaction = SQLiteTransaction(connection: connection)
        defer { transaction.invalidate() }
        let result: T
        do {
            result = try body(transaction)
        } catch {
            // The rollback's own failure (e.g. SQLite already rolled back after a full disk) must not
            // hide the error that caused it.
            try? connection.executeScript("ROLLBACK")
            throw error
        }
        do {
            try connection.executeScript("COMMIT")
        } catch {
            try? connection.executeScript("ROLLBACK")
            throw error
        }
        return result
    }

    /// Writes a consistent copy of the database to `destination` with `VACUUM INTO` (used before
    /// migrating). The copy is created with mode 0600; the file must not exist yet.
    ///
    /// - Throws: `.conflict` if `destination` exists, `.unavailable` if it cannot be created.
    public func backup(to destination: String) async throws {
        try checkNotClosed()
        try await writer.run { connection in
            let fd = Glibc.open(destination, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                let error = errno
                throw StorageError(
                    error == EEXIST ? .conflict : .unavailable,
                    "cannot write backup to \(destination): \(String(cString: strerror(error)))"
                )
            }
            _ = Glibc.close(fd)
            do {
                // "The filename in the INTO clause can be an arbitrary SQL expression that evaluates to
                // a string. The file named by the INTO clause must not previously exist, or else it
                // must be an empty file" — https://sqlite.org/lang_vacuum.html#vacuuminto
                let statement = try connection.statement("VACUUM INTO ?")
                try statement.bind([.text(destination)])
                defer { statement.reset() }
                while try statement.step() {}
            } catch {
                _ = unlink(destination)
                throw error
            }
        }
        logger.info("Database backed up", metadata: ["db.path": path, "db.backup.path": destination])
    }

    public func close() async {
        let wasClosed = closed.withLock { closed in
            defer { closed = true }
            return closed
        }
        guard !wasClosed else { return }
        try? await writer.run { connection in connection.close() }
        for slot in readers.slots {
            try? await slot.run { connection in connection.close() }
        }
        logger.info("Database closed", metadata: ["db.path": path])
    }

    private func checkNotClosed() throws {
        if closed.withLock({ $0 }) { throw StorageError(.closed, "the database at \(path) is closed") }
    }
}

/// Hands out reader slots, one task per slot at a time; waiters queue in order.
final class ReaderPool: Sendable {
    let slots: [SQLiteDatabase.Slot]
    private struct State {
        var free: [Int]
        var waiters: [CheckedContinuation<Int, Never>] = []
    }
    private let state: Mutex<State>

    init(slots: [SQLiteDatabase.Slot]) {
        self.slots = slots
        self.state = Mutex(State(free: Array(slots.indices)))
    }

    func acquire() async -> SQLiteDatabase.Slot {
        let index = await withCheckedContinuation { (continuation: CheckedContinuation<Int, Never>) in
            let immediate: Int? = state.withLock { state in
                if let index = state.free.popLast() { return index }
                state.waiters.append(continuation)
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
        return slots[index]
    }

    func release(_ slot: SQLiteDatabase.Slot) {
        guard let index = slots.firstIndex(where: { $0 === slot }) else { return }
        let waiter: CheckedContinuation<Int, Never>? = state.withLock { state in
            if state.waiters.isEmpty {
                state.free.append(index)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: index)
    }
}
