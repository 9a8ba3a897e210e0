import Foundation
import PierLogging
import PierServer

/// `pier serve`: runs the server until SIGTERM or SIGINT.
struct ServeCommand: Command {
    static let configuration = CommandConfiguration(
        path: ["serve"],
        abstract: "Run the Pier server",
        discussion: """
            Secrets stored in the database are encrypted with the key in --key-file (created, mode 0600, \
            only when the database is empty) or with the base64 key in PIER_KEY. A database with pending \
            migrations is refused unless --migrate is given. With a postgres:// database, give --key-file \
            or PIER_KEY explicitly (every instance on that database needs the same key) and the password \
            in --database-password-file or PGPASSWORD, never in the URL.
            """,
        options: [
            .value("listen", "HOST:PORT", help: "Address to listen on", default: "127.0.0.1:8080"),
            .value("database", "URL", help: "Database URL, sqlite:///path/pier.db or postgres://USER@HOST:PORT/DB", default: "sqlite:///var/lib/pier/pier.db"),
            .value("database-password-file", "PATH", help: "PostgreSQL password file, mode 0600 (default: PGPASSWORD)"),
            .value("public-url", "URL", help: "URL devices and browsers use to reach Pier (default: http://LISTEN)"),
            .value("key-file", "PATH", help: "Encryption key file, mode 0600 (default: pier.key beside a SQLite database)"),
            .value("portal-name", "NAME", help: "Initial portal name, then kept in the database"),
            .value("time-zone", "ZONE", help: "Initial portal time zone, e.g. Europe/Berlin, then kept in the database"),
            .flag("migrate", help: "Apply pending database migrations before starting"),
            .flag("allow-okta-endpoint-override", help: "Accept a domain's 'endpoint' (development: send Okta traffic to a simulator)"),
            .value("log-level", "LEVEL", help: "trace, debug, info, notice, warning, error or critical", default: "info"),
        ]
    )

    let configuration: ServerConfiguration

    init(options: ParsedOptions) throws {
        configuration = try Self.serverConfiguration(from: options)
    }

    /// Builds and validates the server configuration; shared with `pier demo` later.
    static func serverConfiguration(from options: ParsedOptions) throws -> ServerConfiguration {
        do {
            let listen = try ListenAddress(parsing: options.value("listen")!)
            let database = try Self.databaseLocation(from: options)
            let publicURLText = options.value("public-url") ?? "http://\(listen)"
            guard let publicURL = URL(string: publicURLText), let scheme = publicURL.scheme,
                ["http", "https"].contains(scheme), publicURL.host != nil
            else {
                throw UsageError("--public-url '\(publicURLText)' is not an http(s) URL, e.g. https://pier.example.com")
            }
            let key: KeySource
            if let path = options.value("key-file") {
                key = .file(path: path)
            } else if let inline = options.environment["PIER_KEY"], !inline.isEmpty {
                key = .inline(base64: inline)
            } else {
                switch database {
                case .sqlite(let path):
                    key = .file(path: (URL(fileURLWithPath: path).deletingLastPathComponent().path as NSString)
                        .appendingPathComponent("pier.key"))
                case .postgres:
                    // No data directory sits beside a server's database, and every instance on it
                    // must use the same key: a silently generated local file would split them.
                    throw UsageError(
                        "a postgres:// database needs the encryption key given explicitly: --key-file PATH "
                            + "(the same key file on every instance) or PIER_KEY")
                }
            }
            var timeZone: TimeZone?
            if let zone = options.value("time-zone") {
                guard let parsed = TimeZone(identifier: zone) else {
                    throw UsageError("--time-zone '\(zone)' is not a known time zone; use an IANA name such as Europe/Berlin or UTC")
                }
                timeZone = parsed
            }
            guard let level = Logger.Level(name: options.value("log-level")!) else {
                throw UsageError("--log-level '\(options.value("log-level")!)' is not one of trace, debug, info, notice, warning, error, critical")
            }
            return ServerConfiguration(
                listen: listen, database: database, publicURL: publicURL, key: key,
                initialPortalName: options.value("portal-name"), initialTimeZone: timeZone,
                migrateOnStart: options.flag("migrate"),
                allowOktaEndpointOverride: options.flag("allow-okta-endpoint-override"),
                logLevel: level
            )
        } catch let error as ConfigurationError {
            throw UsageError(error.message)
        }
    }

    /// `--database` with its PostgreSQL password attached (from `--database-password-file` or
    /// `PGPASSWORD`); shared with `pier migrate`.
    static func databaseLocation(from options: ParsedOptions) throws -> DatabaseLocation {
        let location = try DatabaseLocation(parsing: options.value("database")!)
        return try location.resolvingPassword(
            file: options.value("database-password-file"), environment: options.environment,
            fileOrigin: options.source("database-password-file"))
    }

    func run(context: CLIContext) async throws -> Int32 {
        let logger = Logger(label: "pier", level: configuration.logLevel, handler: JSONLinesLogHandler())
        try await PierServerApp.serve(configuration: configuration, logger: logger)
        return ExitStatus.success
    }
}
