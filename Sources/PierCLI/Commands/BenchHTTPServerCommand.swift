import PierHTTP
import PierServer

/// `pier bench-http-server` (hidden): the small JSON route that `bench/http/run` measures against nginx.
struct BenchHTTPServerCommand: Command {
    static let configuration = CommandConfiguration(
        path: ["bench-http-server"],
        abstract: "Serve GET /bench/json for bench/http/run until SIGTERM",
        options: [.value("listen", "HOST:PORT", help: "Address to listen on", default: "127.0.0.1:0", environment: .none)],
        isHidden: true
    )

    let listen: ListenAddress

    init(options: ParsedOptions) throws {
        do {
            listen = try ListenAddress(parsing: options.value("listen")!)
        } catch let error as ConfigurationError {
            throw UsageError(error.message)
        }
    }

    func run(context: CLIContext) async throws -> Int32 {
        try await BenchmarkServer.run(host: listen.host, port: listen.port)
        return ExitStatus.success
    }
}
