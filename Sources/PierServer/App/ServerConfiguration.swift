public import Foundation
public import PierLogging
public import PierPostgres
import PierStorage

/// Everything `pier serve` needs, validated. Built by the CLI from flags and `PIER_*` variables.
public struct ServerConfiguration: Sendable {
    public var listen: ListenAddress
    public var database: DatabaseLocation
    /// The URL devices and browsers use to reach Pier (enrollment links, OIDC redirect URIs).
    public var publicURL: URL
    public var key: KeySource
    /// Initial portal name and time zone; stored in the database on first start, then read from there.
    public var initialPortalName: String?
    public var initialTimeZone: TimeZone?
    public var migrateOnStart: Bool
    public var allowOktaEndpointOverride: Bool
    public var logLevel: Logger.Level
    /// How long in-flight requests get to finish after SIGTERM.
    public var shutdownGracePeriod: Duration
    /// Lease, scheduler and queue timings; the hidden `PIER_SYNC_*` variables of the process
    /// environment override them at start (``SyncTimings/overridden(by:)``).
    public var syncTimings: SyncTimings = .standard

    public init(
        listen: ListenAddress, database: DatabaseLocation, publicURL: URL, key: KeySource,
        initialPortalName: String? = nil, initialTimeZone: TimeZone? = nil, migrateOnStart: Bool = false,
        allowOktaEndpointOverride: Bool = false, logLevel: Logger.Level = .info,
        shutdownGracePeriod: Duration = .seconds(30)
    ) {
        self.listen = listen
        self.database = database
        self.publicURL = publicURL
        self.key = key
        self.initialPortalName = initialPortalName
        self.initialTimeZone = initialTimeZone
        self.migrateOnStart = migrateOnStart
        self.allowOktaEndpointOverride = allowOktaEndpointOverride
        self.logLevel = logLevel
        self.shutdownGracePeriod = shutdownGracePeriod
    }
}

/// Where the encryption key for secrets at rest comes from (DESIGN.md §7).
public enum KeySource: Sendable, Equatable {
    /// A file holding the base64 of 32 random bytes, mode 0600; created for an empty database.
    case file(path: String)
    /// The base64 key itself, from `PIER_KEY` (never from a command-line argument).
    case inline(base64: String)
}

/// A `HOST:PORT` to listen on: `127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:80`, port 0 for any free one.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`; IPv6 hosts go in brackets.
    ///
    /// - Throws: ``ConfigurationError`` saying what is wrong and what a valid value looks like.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let hostPart: Substring
        let portPart: Substring
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]"),
                trimmed[trimmed.index(after: close)...].hasPrefix(":")
            else {
                throw ConfigurationError("listen address '\(text)' is not HOST:PORT; IPv6 looks like [::1]:8080")
            }
            hostPart = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
            portPart = trimmed[trimmed.index(close, offsetBy: 2)...]
        } else {
            guard let colon = trimmed.lastIndex(of: ":"), trimmed.filter({ $0 == ":" }).count == 1 else {
                throw ConfigurationError("listen address '\(text)' is not HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080")
            }
            hostPart = trimmed[..<colon]
            portPart = trimmed[trimmed.index(after: colon)...]
        }
        guard !hostPart.isEmpty else {
            throw ConfigurationError("listen address '\(text)' has no host; use 0.0.0.0:PORT for every interface")
        }
        guard let port = Int(portPart), (0...65535).contains(port) else {
            throw ConfigurationError("listen address '\(text)' has an invalid port '\(portPart)'; use 0–65535")
        }
        self.host = String(hostPart)
        self.port = port
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// A database URL: `sqlite:///absolute/path.db` or `postgres://user@host:port/db`.
///
/// A PostgreSQL password never comes from the URL (it would sit in shell history and `ps` output):
/// ``resolvingPassword(file:environment:)`` attaches it from a password file or `PGPASSWORD`.
/// ``description`` never shows it.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    /// A PostgreSQL database shared by every Pier instance that names it (docs/STORAGE.md).
    case postgres(PostgresConfiguration)

    /// The accepted forms, for error messages.
    static let acceptedForms = "sqlite:///absolute/path/pier.db or postgres://USER@HOST:PORT/DATABASE"

    /// Parses a database URL.
    ///
    /// - Throws: ``ConfigurationError`` with the accepted forms. A PostgreSQL URL is never echoed (it
    ///   might hold a password).
    public init(parsing text: String) throws {
        if text.hasPrefix("sqlite://") {
            let path = String(text.dropFirst("sqlite://".count))
            guard path.hasPrefix("/") else {
                throw ConfigurationError(
                    "database URL '\(text)' needs an absolute path: sqlite:///var/lib/pier/pier.db (three slashes)")
            }
            guard !path.hasSuffix("/") else {
                throw ConfigurationError("database URL '\(text)' names a directory; add a file name, e.g. \(text)pier.db")
            }
            self = .sqlite(path: path)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            let configuration: PostgresConfiguration
            do {
                configuration = try PostgresConfiguration(url: text)
            } catch let error as StorageError {
                throw ConfigurationError("database URL: \(error.message)")
            }
            if text.contains("?") {
                throw ConfigurationError(
                    "database URL: options after '?' are not supported; use libpq's environment variables "
                        + "instead (e.g. PGSSLMODE=verify-full, PGSSLROOTCERT)")
            }
            self = .postgres(configuration)
        } else {
            throw ConfigurationError("database URL '\(text)' is not supported; use \(Self.acceptedForms)")
        }
    }

    /// Whether instances share this database over the network (PostgreSQL), so nothing lives beside it.
    public var isShared: Bool {
        if case .postgres = self { true } else { false }
    }

    /// Attaches the PostgreSQL password: the content of `file` if given, else `PGPASSWORD`, else none
    /// (the server may not ask for one). A SQLite location is returned unchanged; a password file
    /// with a SQLite database is refused (it would be silently ignored).
    ///
    /// The file holds the password alone (one trailing newline is ignored) and must not be
    /// accessible by group or others (like the key file).
    ///
    /// - Parameter fileOrigin: how the file was named, for messages (`--database-password-file`).
    /// - Throws: ``ConfigurationError`` naming the file, never its content.
    public func resolvingPassword(
        file: String?, environment: [String: String], fileOrigin: String = "--database-password-file"
    ) throws -> DatabaseLocation {
        switch self {
        case .sqlite:
            if file != nil {
                throw ConfigurationError("\(fileOrigin) applies only to a postgres:// database; a SQLite database has no password")
            }
            return self
        case .postgres(var configuration):
            if let file {
                try Self.checkPasswordFile(file, origin: fileOrigin)
                let password: String?
                do {
                    password = try PostgresConfiguration.password(environment: [:], passwordFile: file)
                } catch let error as StorageError {
                    throw ConfigurationError(error.message)
                }
                guard let password, !password.isEmpty else {
                    throw ConfigurationError("the database password file \(file) is empty")
                }
                configuration.password = password
            } else if let fromEnvironment = environment["PGPASSWORD"], !fromEnvironment.isEmpty {
                configuration.password = fromEnvironment
            }
            return .postgres(configuration)
        }
    }

    /// A regular file, readable, with no permission for group or others.
    static func checkPasswordFile(_ path: String, origin: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ConfigurationError(
                "cannot read the database password file \(path) (\(origin)): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw ConfigurationError("the database password file \(path) (\(origin)) is not a regular file")
        }
        let permissions = info.st_mode & 0o777
        guard permissions & 0o077 == 0 else {
            throw ConfigurationError(
                "the database password file \(path) is accessible by other users (mode \(String(permissions, radix: 8))); "
                    + "run: chmod 600 \(path)")
        }
        guard access(path, R_OK) == 0 else {
            throw ConfigurationError("cannot read the database password file \(path) (\(origin)): permission denied")
        }
    }

    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite://\(path)"
        case .postgres(let configuration): configuration.description
        }
    }
}

/// A configuration value that cannot be used; the message says what to change.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
