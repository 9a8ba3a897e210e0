import Foundation
public import PierLogging
import PierCore
import PierCrypto
import PierHTTP
public import PierStorage

/// The composition root of `pier serve`: database, key, settings, routes and services.
public enum PierServerApp {
    /// Prepares everything and serves until SIGTERM/SIGINT, then shuts down gracefully.
    ///
    /// - Throws: ``StartupError``, ``KeyError``, `StorageError` or `HTTPServerError` with a message
    ///   that says what to fix; nothing is left half-started.
    ///
    /// - Parameters:
    ///   - signals: the signals that start a graceful shutdown (tests use one of their own).
    ///   - onListening: called with the bound port once the server accepts connections.
    public static func serve(
        configuration: ServerConfiguration, logger: Logger,
        signals: [Int32] = ServiceGroup.Configuration.terminationSignals,
        onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws {
        let prepared = try await prepare(configuration: configuration, logger: logger, onListening: onListening)
        let group = ServiceGroup(
            services: prepared.services,
            configuration: .init(signals: signals, maximumGracefulShutdownDuration: configuration.shutdownGracePeriod + .seconds(5)),
            logger: logger.withLabel("pier.services")
        )
        do {
            try await group.run()
        } catch {
            await prepared.database.close()
            throw error
        }
        await prepared.database.close()
        logger.info("Pier stopped")
    }

    /// A server ready to run: for tests that drive the services themselves.
    public struct Prepared: Sendable {
        public let database: any DatabaseWriter
        public let httpService: HTTPServerService
        public let keyID: String
        /// Domains and their syncs (also used by `pier demo` to add its domain).
        public let domains: DomainService
        /// Everything to run, in dependency order: the runner of queued syncs, the scheduler, then HTTP
        /// (which queues Sync Now runs, so it drains first on shutdown).
        public let services: [any Service]
    }

    /// Opens and migrates the database, loads the key, stores initial settings and builds the routes.
    public static func prepare(
        configuration: ServerConfiguration, logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws -> Prepared {
        let syncTimings = try configuration.syncTimings.overridden(by: ProcessInfo.processInfo.environment)
        let bootstrap = DatabaseBootstrap(location: configuration.database, logger: logger)
        let database = try await bootstrap.open()
        do {
            let pending = try await bootstrap.pendingMigrations(database)
            if !pending.isEmpty {
                guard configuration.migrateOnStart else {
                    let backup: String
                    switch configuration.database {
                    case .sqlite: backup = "it backs the database up first"
                    case .postgres: backup = "after a pg_dump backup; Pier takes none on PostgreSQL"
                    }
                    throw StartupError(
                        "the database \(configuration.database) has \(pending.count) pending migration(s) "
                            + "(\(pending.map(\.id).joined(separator: ", "))); run `pier migrate --database "
                            + "\(configuration.database)` (\(backup)) or start with --migrate")
                }
                let report = try await bootstrap.migrate(database)
                logger.notice("Database migrated", metadata: [
                    "db.migrations.applied": report.applied.joined(separator: ","),
                    "db.backup": report.backupPath ?? "none (new database)",
                ])
            }

            let store = SQLStore(database: database)
            let loaded = try await EncryptionKeyLoader(settings: store) {
                try await database.read { db in
                    try db.fetchValue("SELECT EXISTS (SELECT 1 FROM directories)", as: Bool.self) ?? false
                }
            }.load(from: configuration.key)
            if loaded.generated, case .file(let path) = configuration.key {
                logger.notice("Created a new encryption key file; back it up with the database",
                              metadata: ["key.file": path, "key.id": loaded.keyID])
            }

            _ = try await store.insertSettingIfAbsent(.portalName, value: configuration.initialPortalName ?? "Pier")
            _ = try await store.insertSettingIfAbsent(.timeZone, value: configuration.initialTimeZone?.identifier ?? "UTC")
            _ = try await store.insertSettingIfAbsent(.installationID, value: UUID().uuidString.lowercased())

            let metrics = HTTPMetrics()
            let router = OperationsRoutes(health: store, metrics: metrics).makeRouter()
            let domains = DomainService(
                store: store, key: loaded.key, httpClient: CurlHTTPClient(logger: logger.withLabel("pier.http.client")),
                allowEndpointOverride: configuration.allowOktaEndpointOverride,
                owner: "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8).lowercased())",
                timings: syncTimings, logger: logger)
            APIRoutes(store: store, domains: domains).addRoutes(to: router)
            let server = HTTPServer(
                configuration: .init(
                    host: configuration.listen.host, port: configuration.listen.port,
                    shutdownGracePeriod: configuration.shutdownGracePeriod),
                responder: router.makeResponder(),
                logger: logger.withLabel("pier.http")
            )
            let service = HTTPServerService(
                server: server, publicURL: configuration.publicURL, logger: logger.withLabel("pier.http"),
                onListening: onListening)
            return Prepared(
                database: database, httpService: service, keyID: loaded.keyID, domains: domains,
                services: [domains.runner, domains.makeSchedulerService(), service])
        } catch {
            await database.close()
            throw error
        }
    }
}

/// A start-up precondition that is not met; the message says what to do.
public struct StartupError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
