import Foundation

/// A command that talks to a running server over the REST API (STYLE.md §11.8: the CLI reaches the
/// server's data only through the API). It gets a client built from the shared options.
protocol ClientCommand: Command {
    var settings: ClientSettings { get }

    /// Runs the command against the API and returns its exit status.
    func run(api: APIClient, context: CLIContext) async throws -> Int32
}

extension ClientCommand {
    func run(context: CLIContext) async throws -> Int32 {
        try await run(api: settings.makeClient(), context: context)
    }
}

extension CLIContext {
    /// Prints a document as the API sent it: pretty, keys sorted.
    func printJSON(_ json: JSON) {
        print(json.prettyText)
    }

    func print(lines: [String]) {
        for line in lines { print(line) }
    }
}

/// Domain id → host name, to show users and groups with the name of their domain. One request, and
/// an empty map when it fails: the names are a convenience, the ids stay correct.
enum DomainNames {
    static func fetch(_ api: APIClient) async -> [String: String] {
        guard let page = try? await api.get("/api/v1/domains", query: [("limit", "200")]) else { return [:] }
        var names: [String: String] = [:]
        for domain in page["items"]?.array ?? [] {
            if let id = domain["id"]?.string { names[id] = domain["orgHost"]?.string ?? domain["domain"]?.string }
        }
        return names
    }
}
