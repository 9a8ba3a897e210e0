public import Foundation
public import PierLogging

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

/// A database URL: `sqlite:///absolute/path.db` (or, later, `postgres://user@host:port/db`).
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)

    /// Parses a database URL.
    ///
    /// - Throws: ``ConfigurationError`` with the accepted forms.
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
            throw ConfigurationError(
                "PostgreSQL is not available in this build of Pier yet; use sqlite:///path/to/pier.db")
        } else {
            throw ConfigurationError(
                "database URL '\(text)' is not supported; use sqlite:///absolute/path/pier.db")
        }
    }

    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite://\(path)"
        }
    }
}

/// A configuration value that cannot be used; the message says what to change.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
