import Foundation
import PierCore
import PierHTTP

/// How results are printed: aligned columns for people, or the API's JSON for scripts.
enum OutputFormat: String, Sendable {
    case table, json
}

/// The options every client command shares: which server, which API token, which output format.
struct ClientSettings: Sendable {
    /// `--server`, `--token`, `--token-file`, `--output`, with their environment variables
    /// (`PIER_SERVER`, `PIER_TOKEN`, `PIER_TOKEN_FILE`, `PIER_OUTPUT`).
    static let options: [OptionSpec] = [
        .value("server", "URL", help: "Pier server URL", default: "http://127.0.0.1:8080"),
        .value("token", "TOKEN", help: "API token (prefer PIER_TOKEN or --token-file: arguments show in ps)"),
        .value("token-file", "PATH", help: "File holding the API token (mode 0600)"),
        .value("output", "FORMAT", help: "table or json", default: "table"),
    ]

    var server: String
    var token: String
    var output: OutputFormat

    /// Reads and checks the shared options.
    ///
    /// - Throws: ``UsageError`` for a server that is not an http(s) URL, a missing or unreadable API
    ///   token, or an unknown output format.
    init(_ options: ParsedOptions) throws {
        let serverText = options.value("server")!
        guard let url = URL(string: serverText), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil
        else {
            throw UsageError("\(options.source("server")) '\(serverText)' is not an http(s) URL, e.g. http://127.0.0.1:8080")
        }
        var server = serverText
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server

        // A flag beats an environment variable; the two flags together are ambiguous.
        let tokenSource = options.source("token")
        let fileSource = options.source("token-file")
        let tokenFromFlag = tokenSource.hasPrefix("--")
        let fileFromFlag = fileSource.hasPrefix("--")
        if tokenFromFlag && fileFromFlag { throw UsageError("give --token or --token-file, not both") }
        if let token = options.value("token"), tokenFromFlag || !fileFromFlag {
            self.token = try SecretFile.check(token, what: "API token", origin: tokenSource)
        } else if let path = options.value("token-file") {
            self.token = try SecretFile.read(path, what: "API token", origin: fileSource)
        } else {
            throw UsageError("no API token: set PIER_TOKEN or PIER_TOKEN_FILE, or give --token-file PATH "
                + "(create a token on the server host with `pier admin token create`)")
        }

        let outputText = options.value("output")!
        guard let output = OutputFormat(rawValue: outputText) else {
            throw UsageError("\(options.source("output")) must be table or json; got '\(outputText)'")
        }
        self.output = output
    }

    /// A client for one command run: one connection, reused for every call (paging, polling).
    func makeClient() -> APIClient {
        let http = CurlHTTPClient(configuration: .init(threadCount: 1, maxIdleHandles: 1, userAgent: "pier-cli/\(PierVersion.current)"))
        return APIClient(server: server, token: token, http: http)
    }
}
