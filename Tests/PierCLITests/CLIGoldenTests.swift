import Foundation
import PierCLI
import PierTestSupport
import Testing

/// Golden tests of what `pier` prints and the status it exits with (argument-parser's
/// AssertExecuteCommand). A change here is a change operators' scripts see: update deliberately.
struct CLIGoldenTests {
    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    func pier(_ arguments: [String], environment: [String: String] = [:]) async -> Run {
        let output = TextSink.Capture()
        let errors = TextSink.Capture()
        let context = CLIContext(environment: environment, standardOutput: output.sink, standardError: errors.sink, isTerminal: false)
        let status = await PierCommandLine.main(arguments: arguments, context: context)
        return Run(status: status, output: output.contents, errors: errors.contents)
    }

    static let overview = """
        pier 0.1.0 — device management with Okta directory integration

        Usage: pier <command> [options]

        Commands:
          serve               Run the Pier server
          demo                Try Pier: a temporary server with a simulated Okta org, synced and ready
          migrate             Apply pending database migrations (a SQLite database is backed up first)
          okta-sim            Run a simulated Okta org (Management API, System Log, control API under /__sim/)
          admin token create  Create an API token (printed once; only its hash is stored)
          admin token list    List API tokens (id, name, created, last used, revoked)
          admin token revoke  Revoke an API token by id (see 'pier admin token list')
          domains list        List Okta domains (id, domain, org host, self-enroll, schedule, last run)
          domains add         Add an Okta domain (the server checks the API token, then starts the first sync)
          domains show        Show one Okta domain
          domains update      Change an Okta domain's self-enroll, schedule or API token
          domains delete      Delete an Okta domain with its users and groups (shows what goes; needs --yes)
          sync now            Sync a domain now (joins a sync that is already queued or running)
          sync runs           List a domain's sync runs, newest first
          sync show           Show one sync run: counts, progress, error and the objects whose state changed
          sync approve        Approve the removals of a run held by the mass-removal guard (each is re-confirmed first)
          sync discard        Discard the removals of a run held by the mass-removal guard
          users list          List users (id, login, name, status, domain), ordered by login
          users show          Show one user with its groups
          groups list         List groups (id, name, type, members), ordered by name
          groups show         Show one group and its members

        The client commands (domains, sync, users, groups) talk to a running server's API: give
        --server URL and an API token, or set PIER_SERVER and PIER_TOKEN.

        Options:
          --help       Show help for pier or for a command (pier <command> --help)
          --version    Show the version

        """

    @Test func oktaSimRefusesBadValues() async {
        let run = await pier(["okta-sim", "--token", "t", "--rate-limits", "fast"])
        #expect(run.status == 64)
        #expect(run.errors.hasPrefix("Error: --rate-limits must be one of none, okta-default; got 'fast'\n"))
        let missing = await pier(["okta-sim"])
        #expect(missing.status == 64)
        #expect(missing.errors.hasPrefix("Error: missing required option '--token T' (or set PIER_SIM_TOKEN)\n"))
    }

    @Test func version() async {
        let run = await pier(["--version"])
        #expect(run.status == 0)
        #expect(run.output == "pier 0.1.0\n")
        #expect(run.errors.isEmpty)
    }

    @Test func help() async {
        let run = await pier(["--help"])
        #expect(run.status == 0)
        #expect(run.output == Self.overview)
    }

    @Test func noArgumentsPrintsTheOverviewAndExits64() async {
        let run = await pier([])
        #expect(run.status == 64)
        #expect(run.output == Self.overview)
    }

    @Test func unknownCommand() async {
        let run = await pier(["frobnicate", "--now"])
        #expect(run.status == 64)
        #expect(run.errors == """
            Error: unknown command 'frobnicate'
            Usage: pier <command> [options]   (see 'pier --help')

            """)
    }

    @Test func serveHelp() async {
        let run = await pier(["serve", "--help"])
        #expect(run.status == 0)
        #expect(run.output == """
            Usage: pier serve [options]

            Run the Pier server

            Secrets stored in the database are encrypted with the key in --key-file (created, mode 0600, only when the database is empty) or with the base64 key in PIER_KEY. A database with pending migrations is refused unless --migrate is given. With a postgres:// database, give --key-file or PIER_KEY explicitly (every instance on that database needs the same key) and the password in --database-password-file or PGPASSWORD, never in the URL.

            Options:
              --listen HOST:PORT              Address to listen on (default: 127.0.0.1:8080) [env: PIER_LISTEN]
              --database URL                  Database URL, sqlite:///path/pier.db or postgres://USER@HOST:PORT/DB (default: sqlite:///var/lib/pier/pier.db) [env: PIER_DATABASE]
              --database-password-file PATH   PostgreSQL password file, mode 0600 (default: PGPASSWORD) [env: PIER_DATABASE_PASSWORD_FILE]
              --public-url URL                URL devices and browsers use to reach Pier (default: http://LISTEN) [env: PIER_PUBLIC_URL]
              --key-file PATH                 Encryption key file, mode 0600 (default: pier.key beside a SQLite database) [env: PIER_KEY_FILE]
              --portal-name NAME              Initial portal name, then kept in the database [env: PIER_PORTAL_NAME]
              --time-zone ZONE                Initial portal time zone, e.g. Europe/Berlin, then kept in the database [env: PIER_TIME_ZONE]
              --migrate                       Apply pending database migrations before starting [env: PIER_MIGRATE]
              --allow-okta-endpoint-override  Accept a domain's 'endpoint' (development: send Okta traffic to a simulator) [env: PIER_ALLOW_OKTA_ENDPOINT_OVERRIDE]
              --log-level LEVEL               trace, debug, info, notice, warning, error or critical (default: info) [env: PIER_LOG_LEVEL]
              --help                          Show this help

            """)
    }

    static let badServeArguments: [([String], [String: String], String)] = [
        (["serve", "--bogus"], [:], "Error: unknown option '--bogus'"),
        (["serve", "--listen"], [:], "Error: option '--listen' needs a value (HOST:PORT)"),
        (["serve", "--listen", "localhost"], [:], "Error: listen address 'localhost' is not HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080"),
        (["serve", "--listen", "127.0.0.1:99999"], [:], "Error: listen address '127.0.0.1:99999' has an invalid port '99999'; use 0–65535"),
        (["serve", "--database", "sqlite://relative.db"], [:], "Error: database URL 'sqlite://relative.db' needs an absolute path: sqlite:///var/lib/pier/pier.db (three slashes)"),
        (["serve", "--database", "mysql://x"], [:], "Error: database URL 'mysql://x' is not supported; use sqlite:///absolute/path/pier.db or postgres://USER@HOST:PORT/DATABASE"),
        // A password in the URL is refused without echoing the URL (or the password).
        (["serve", "--database", "postgres://pier:s3cret@db.internal/pier"], [:], "Error: database URL: the PostgreSQL URL must not contain a password; use PGPASSWORD or a password file (--database-password-file)"),
        (["serve", "--database", "postgresql://db.internal/pier"], [:], "Error: database URL: the PostgreSQL URL needs a user: postgres://USER@HOST:PORT/DATABASE"),
        (["serve", "--database", "postgres://pier@db.internal:5432/pier?sslmode=require", "--key-file", "/etc/pier/pier.key"], [:], "Error: database URL: options after '?' are not supported; use libpq's environment variables instead (e.g. PGSSLMODE=verify-full, PGSSLROOTCERT)"),
        // No data directory beside a PostgreSQL database: the key must be given.
        (["serve", "--database", "postgres://pier@db.internal:5432/pier"], [:], "Error: a postgres:// database needs the encryption key given explicitly: --key-file PATH (the same key file on every instance) or PIER_KEY"),
        (["serve"], ["PIER_DATABASE": "postgres://pier@db.internal/pier", "PGPASSWORD": "s3cret"], "Error: a postgres:// database needs the encryption key given explicitly: --key-file PATH (the same key file on every instance) or PIER_KEY"),
        (["serve", "--database-password-file", "/run/secrets/db"], [:], "Error: --database-password-file applies only to a postgres:// database; a SQLite database has no password"),
        (["serve"], ["PIER_DATABASE_PASSWORD_FILE": "/run/secrets/db"], "Error: PIER_DATABASE_PASSWORD_FILE applies only to a postgres:// database; a SQLite database has no password"),
        (["serve", "--database", "postgres://pier@db.internal/pier", "--database-password-file", "/nonexistent/db-password"], [:], "Error: cannot read the database password file /nonexistent/db-password (--database-password-file): No such file or directory"),
        (["serve", "--time-zone", "Mars/Olympus"], [:], "Error: --time-zone 'Mars/Olympus' is not a known time zone; use an IANA name such as Europe/Berlin or UTC"),
        (["serve", "--public-url", "pier.example.com"], [:], "Error: --public-url 'pier.example.com' is not an http(s) URL, e.g. https://pier.example.com"),
        (["serve", "--log-level", "loud"], [:], "Error: --log-level 'loud' is not one of trace, debug, info, notice, warning, error, critical"),
        (["serve", "stray"], [:], "Error: unexpected argument 'stray'"),
        (["serve"], ["PIER_LISTEN": "nowhere"], "Error: listen address 'nowhere' is not HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080"),
        (["serve"], ["PIER_MIGRATE": "maybe"], "Error: PIER_MIGRATE must be true or false; got 'maybe'"),
    ]

    @Test(arguments: badServeArguments)
    func badArgumentsExit64WithTheUsageLine(_ arguments: [String], _ environment: [String: String], _ message: String) async {
        let run = await pier(arguments, environment: environment)
        #expect(run.status == 64)
        #expect(run.output.isEmpty)
        #expect(run.errors == "\(message)\nUsage: pier serve [options]\n  See 'pier serve --help'.\n")
    }

    @Test func migrateHelp() async {
        let run = await pier(["migrate", "--help"])
        #expect(run.status == 0)
        #expect(run.output == """
            Usage: pier migrate [options]

            Apply pending database migrations (a SQLite database is backed up first)

            A SQLite database that already has a schema is copied to <path>.backup-<UTC time> first. Pier takes no backup of a PostgreSQL database: back it up with pg_dump before upgrading. On PostgreSQL, migrations hold an advisory lock, so instances starting at the same time migrate only once.

            Options:
              --database URL                 Database URL, sqlite:///path/pier.db or postgres://USER@HOST:PORT/DB (default: sqlite:///var/lib/pier/pier.db) [env: PIER_DATABASE]
              --database-password-file PATH  PostgreSQL password file, mode 0600 (default: PGPASSWORD) [env: PIER_DATABASE_PASSWORD_FILE]
              --log-level LEVEL              trace, debug, info, notice, warning, error or critical (default: warning) [env: PIER_LOG_LEVEL]
              --help                         Show this help

            """)
    }

    @Test func aPasswordFileOthersCanReadIsRefusedWithAChmodHint() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.appendingPathComponent("db-password").path
            #expect(FileManager.default.createFile(atPath: path, contents: Data("s3cret\n".utf8), attributes: [.posixPermissions: 0o640]))
            for arguments in [["serve", "--key-file", "/etc/pier/pier.key"], ["migrate"]] {
                let run = await pier(arguments + ["--database", "postgres://pier@db.internal/pier"],
                                     environment: ["PIER_DATABASE_PASSWORD_FILE": path])
                #expect(run.status == 64)
                #expect(run.errors.hasPrefix(
                    "Error: the database password file \(path) is accessible by other users (mode 640); run: chmod 600 \(path)\n"))
                #expect(!run.errors.contains("s3cret"))
            }
            let empty = directory.appendingPathComponent("empty").path
            #expect(FileManager.default.createFile(atPath: empty, contents: Data("\n".utf8), attributes: [.posixPermissions: 0o600]))
            let run = await pier(["migrate", "--database", "postgres://pier@db.internal/pier", "--database-password-file", empty])
            #expect(run.status == 64)
            #expect(run.errors.hasPrefix("Error: the database password file \(empty) is empty\n"))
        }
    }

    @Test func migrateRefusesAPasswordInThePostgresURL() async {
        let run = await pier(["migrate", "--database", "postgres://pier:s3cret@db.internal/pier"])
        #expect(run.status == 64)
        #expect(run.errors.hasPrefix("Error: database URL: the PostgreSQL URL must not contain a password"))
        #expect(!run.errors.contains("s3cret"))
    }

    @Test func migrateAppliesThenReportsUpToDate() async throws {
        try await TemporaryDirectory.with { directory in
            let url = "sqlite://\(directory.path)/pier.db"
            let first = await pier(["migrate", "--database", url])
            #expect(first.status == 0, "\(first.errors)")
            let lines = first.output.split(separator: "\n")
            let applied = lines.filter { $0.hasPrefix("Applied ") }
            #expect(applied.first == "Applied 0001-initial-schema")
            #expect(lines.last == "Database \(url) is up to date (\(applied.count) migrations applied).")
            let second = await pier(["migrate"], environment: ["PIER_DATABASE": url])
            #expect(second.status == 0)
            #expect(second.output == "Database \(url) is up to date (\(applied.count) migrations applied).\n")
        }
    }

    @Test func aFailureExits1WithAnErrorLine() async throws {
        try await TemporaryDirectory.with { directory in
            let run = await pier(["migrate", "--database", "sqlite://\(directory.path)/missing/pier.db"])
            #expect(run.status == 1)
            #expect(run.errors.hasPrefix("Error: "))
            #expect(run.errors.contains("\(directory.path)/missing/pier.db"))
        }
    }

    @Test func theExecutableUsesTheSameEntryPoint() async throws {
        let run = try await PierBinary.run(["serve", "--listen", "bad"])
        #expect(run.status == 64)
        #expect(run.standardError.hasPrefix("Error: listen address 'bad' is not HOST:PORT"))
        let version = try await PierBinary.run(["--version"])
        #expect(version.status == 0)
        #expect(version.standardOutput == "pier 0.1.0\n")
    }
}
