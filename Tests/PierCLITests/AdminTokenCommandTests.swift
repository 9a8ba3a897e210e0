import Foundation
import PierCLI
import PierLogging
import PierServer
import PierSQLite
import PierStorage
import PierTestSupport
import Testing

/// `pier admin token create|list|revoke`: golden help and errors, and what reaches the database.
struct AdminTokenCommandTests {
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

    /// A migrated SQLite database in a fresh directory.
    func migratedDatabase() async throws -> (url: String, path: String, directory: URL) {
        let directory = try TemporaryDirectory.make(prefix: "pier-admin")
        let path = directory.appendingPathComponent("pier.db").path
        let migrate = await pier(["migrate", "--database", "sqlite://\(path)"])
        #expect(migrate.status == 0, "\(migrate.errors)")
        return ("sqlite://\(path)", path, directory)
    }

    @Test func createHelp() async {
        let run = await pier(["admin", "token", "create", "--help"])
        #expect(run.status == 0)
        #expect(run.output == """
            Usage: pier admin token create --name NAME --database URL [options]

            Create an API token (printed once; only its hash is stored)

            The token is printed alone on standard output and cannot be shown again; store it now.

            Options:
              --name NAME     What the token is for (ci, backup script)
              --database URL  Database URL, sqlite:///path/pier.db [env: PIER_DATABASE]
              --help          Show this help

            """)
    }

    @Test func createWithoutNameIsAUsageError() async {
        let run = await pier(["admin", "token", "create", "--database", "sqlite:///tmp/x.db"])
        #expect(run.status == 64)
        #expect(run.errors == """
            Error: missing required option '--name NAME'
            Usage: pier admin token create --name NAME --database URL [options]
              See 'pier admin token create --help'.

            """)
        let blank = await pier(["admin", "token", "create", "--name", "  ", "--database", "sqlite:///tmp/x.db"])
        #expect(blank.status == 64)
        #expect(blank.errors.hasPrefix("Error: --name must be 1 to 100 characters\n"))
    }

    @Test func createPrintsTheTokenOnceAndStoresOnlyItsHash() async throws {
        let database = try await migratedDatabase()
        defer { try? FileManager.default.removeItem(at: database.directory) }

        let run = await pier(["admin", "token", "create", "--name", "ci"], environment: ["PIER_DATABASE": database.url])
        #expect(run.status == 0, "\(run.errors)")
        let token = String(run.output.dropLast())
        #expect(run.output.hasSuffix("\n") && !token.contains("\n"))
        #expect(APITokenIssuer.isWellFormed(token), "\(token)")
        #expect(run.errors.contains("It is not shown again."))
        #expect(!run.errors.contains(token))

        let db = try await SQLiteDatabase.open(path: database.path, logger: .disabled())
        let store = SQLStore(database: db)
        let records = try await store.apiTokens()
        await db.close()
        #expect(records.map(\.name) == ["ci"])
        #expect(records.first?.tokenHash == APITokenIssuer.hash(token))
        let file = try Data(contentsOf: URL(fileURLWithPath: database.path))
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: database.path + "-wal"))) ?? Data()
        #expect(file.range(of: Data(token.utf8)) == nil && wal.range(of: Data(token.utf8)) == nil)

        let second = await pier(["admin", "token", "create", "--name", "ci", "--database", database.url])
        #expect(second.status == 0)
        #expect(second.output != run.output)
    }

    @Test func listAndRevoke() async throws {
        let database = try await migratedDatabase()
        defer { try? FileManager.default.removeItem(at: database.directory) }
        _ = await pier(["admin", "token", "create", "--name", "backup script", "--database", database.url])

        let list = await pier(["admin", "token", "list", "--database", database.url])
        #expect(list.status == 0)
        let lines = list.output.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("ID") == true)
        let row = try #require(lines.last)
        #expect(row.contains("backup script"))
        #expect(row.hasSuffix("-"))  // not revoked
        let id = String(row.prefix { $0 != " " })

        let revoke = await pier(["admin", "token", "revoke", "--id", id, "--database", database.url])
        #expect(revoke.status == 0)
        #expect(revoke.output == "Revoked API token \(id).\n")
        let after = await pier(["admin", "token", "list", "--database", database.url])
        #expect(after.output.split(separator: "\n").last?.hasSuffix("-") == false)

        let unknown = await pier(["admin", "token", "revoke", "--id", "nope", "--database", database.url])
        #expect(unknown.status == 1)
        #expect(unknown.errors == "Error: no API token with id 'nope'\n")
    }

    @Test func anUnmigratedDatabaseIsRefused() async throws {
        let directory = try TemporaryDirectory.make(prefix: "pier-admin")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = "sqlite://" + directory.appendingPathComponent("pier.db").path
        let run = await pier(["admin", "token", "create", "--name", "ci", "--database", url])
        #expect(run.status == 1)
        #expect(run.errors.contains("pending migration"))
        #expect(run.output.isEmpty)
    }
}
