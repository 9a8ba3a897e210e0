import Foundation
import PierStorage

/// Where and how to connect to PostgreSQL: `postgres://user@host:port/db`, plus a password that never
/// comes from the URL.
///
/// ```swift
/// var configuration = try PostgresConfiguration(url: "postgres://pier@db.internal:5432/pier")
/// configuration.password = try PostgresConfiguration.password(environment: ProcessInfo.processInfo.environment,
///                                                              passwordFile: "/run/secrets/pier-db")
/// let database = try await PostgresDatabase.open(configuration, logger: logger)
/// ```
///
/// The password is deliberately not part of the URL (DESIGN.md §5: secrets never come from a
/// command-line argument) and never appears in ``description``, log records or error messages.
public struct PostgresConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// The server's host name or IP address.
    public var host: String
    /// The server's TCP port.
    public var port: Int
    /// The role to log in as.
    public var user: String
    /// The database name.
    public var database: String
    /// The password, if the server asks for one; from `PGPASSWORD` or a password file.
    public var password: String?
    /// The schema every connection works in (`SET search_path`); nil uses the server's default
    /// (`public`). Tests use one schema per test.
    public var schema: String?
    /// How long to wait for a connection to be established.
    public var connectTimeout: Duration = .seconds(10)
    /// How many connections serve read transactions concurrently (the bounded read pool).
    public var readerCount: Int = 4
    /// How many times a write transaction runs when the server reports a serialization failure
    /// (SQLSTATE 40001) or a deadlock (40P01).
    public var maxWriteAttempts: Int = 10
    /// `application_name`, visible in `pg_stat_activity`.
    public var applicationName: String = "pier"

    /// Creates a configuration from parts.
    public init(host: String, port: Int = 5432, user: String, database: String, password: String? = nil, schema: String? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.password = password
        self.schema = schema
    }

    /// Parses `postgres://user@host:port/db` (also `postgresql://`; port defaults to 5432).
    ///
    /// A password in the URL is refused: it would sit in shell history and `ps` output.
    /// - Throws: ``StorageError`` `.unavailable` naming what is wrong (without echoing any password).
    public init(url text: String) throws {
        let scheme: String
        if text.hasPrefix("postgres://") {
            scheme = "postgres://"
        } else if text.hasPrefix("postgresql://") {
            scheme = "postgresql://"
        } else {
            throw StorageError(.unavailable, "a PostgreSQL URL starts with postgres://, e.g. postgres://pier@127.0.0.1:5432/pier")
        }
        let rest = text.dropFirst(scheme.count)
        guard let at = rest.lastIndex(of: "@") else {
            throw StorageError(.unavailable, "the PostgreSQL URL needs a user: postgres://USER@HOST:PORT/DATABASE")
        }
        let userPart = rest[..<at]
        if userPart.contains(":") {
            throw StorageError(
                .unavailable,
                "the PostgreSQL URL must not contain a password; use PGPASSWORD or a password file (--database-password-file)"
            )
        }
        let afterUser = rest[rest.index(after: at)...]
        guard let slash = afterUser.firstIndex(of: "/") else {
            throw StorageError(.unavailable, "the PostgreSQL URL needs a database name: postgres://USER@HOST:PORT/DATABASE")
        }
        let hostPort = afterUser[..<slash]
        var databasePart = afterUser[afterUser.index(after: slash)...]
        if let query = databasePart.firstIndex(of: "?") { databasePart = databasePart[..<query] }
        var hostText = Substring(hostPort)
        var port = 5432
        if hostText.hasPrefix("[") {
            guard let close = hostText.firstIndex(of: "]") else {
                throw StorageError(.unavailable, "the PostgreSQL URL has an unterminated IPv6 host")
            }
            let tail = hostText[hostText.index(after: close)...]
            if tail.hasPrefix(":") {
                guard let parsed = Int(tail.dropFirst()), (1...65535).contains(parsed) else {
                    throw StorageError(.unavailable, "the PostgreSQL URL has an invalid port")
                }
                port = parsed
            }
            hostText = hostText[hostText.index(after: hostText.startIndex)..<close]
        } else if let colon = hostText.lastIndex(of: ":") {
            guard let parsed = Int(hostText[hostText.index(after: colon)...]), (1...65535).contains(parsed) else {
                throw StorageError(.unavailable, "the PostgreSQL URL has an invalid port")
            }
            port = parsed
            hostText = hostText[..<colon]
        }
        let user = String(userPart).removingPercentEncoding ?? String(userPart)
        let database = String(databasePart).removingPercentEncoding ?? String(databasePart)
        guard !user.isEmpty, !hostText.isEmpty, !database.isEmpty else {
            throw StorageError(.unavailable, "the PostgreSQL URL needs user, host and database: postgres://USER@HOST:PORT/DATABASE")
        }
        self.init(host: String(hostText), port: port, user: user, database: database)
    }

    /// The password from a password file, else from `PGPASSWORD`, else nil.
    ///
    /// A password file holds the password alone; one trailing newline is ignored.
    /// - Throws: ``StorageError`` `.unavailable` naming the file (never its content) when it cannot be read.
    public static func password(environment: [String: String], passwordFile: String?) throws -> String? {
        if let passwordFile {
            guard let data = FileManager.default.contents(atPath: passwordFile) else {
                throw StorageError(.unavailable, "cannot read the database password file \(passwordFile)")
            }
            var text = String(decoding: data, as: UTF8.self)
            if text.hasSuffix("\r\n") { text.removeLast(2) } else if text.hasSuffix("\n") { text.removeLast() }
            return text
        }
        return environment["PGPASSWORD"]
    }

    /// `postgres://user@host:port/database`; never the password.
    public var description: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(hostText):\(port)/\(database)"
    }

    /// The server, database and user, for error messages: `127.0.0.1:5432, database pier, user pier`.
    var target: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        return "\(hostText):\(port), database \(database), user \(user)"
    }
}
