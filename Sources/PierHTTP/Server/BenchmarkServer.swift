import Dispatch
import Foundation
public import PierLogging
#if canImport(Glibc)
import Glibc
#endif

/// The server behind `bench/http/run`: GET /bench/json (a small JSON document encoded once) and
/// GET /bench/json-encode (the same through `JSONEncoder` per request) through the normal router and
/// middleware (request id, metrics, access log, error mapping), plus POST /bench/upload with the
/// default body limit; until SIGTERM or SIGINT.
///
/// The CLI exposes it as the hidden `pier bench-http-server --listen HOST:PORT`.
public enum BenchmarkServer {
    struct Status: Encodable {
        let status: String
        let service: String
        let version: String
    }

    /// Builds the benchmark router (exposed for tests).
    ///
    /// - Parameter synchronous: Serve the route on the I/O thread (true) or through suspend/resume (false).
    static func makeRouter(synchronous: Bool, metrics: HTTPMetrics) -> Router {
        let router = Router()
        router.add(middleware: RequestIDMiddleware())
            .add(middleware: MetricsMiddleware(metrics: metrics))
            .add(middleware: AccessLogMiddleware())
            .add(middleware: ErrorMiddleware())
        let status = Status(status: "ok", service: "pier", version: "0.1.0")
        // /bench/json: a JSON document encoded once, as a health or discovery route serves it;
        // /bench/json-encode: the same document through JSONEncoder on every request.
        let encoded = (try? JSONEncoder().encode(status)) ?? Data()
        let cached = Response(status: .ok, headers: ["Content-Type": "application/json"], body: encoded)
        // /bench/upload: the default 1 MiB body limit, for measuring memory under oversized uploads
        // in a separate process (tests read this process's RSS).
        router.post("/bench/upload") { request, _ in .text("\(request.body.count)") }
        if synchronous {
            router.getSync("/bench/json") { _, _ in cached }
            router.getSync("/bench/json-encode") { _, _ in try .json(status) }
        } else {
            router.get("/bench/json") { _, _ in cached }
            router.get("/bench/json-encode") { _, _ in try .json(status) }
        }
        return router
    }

    /// Serves until SIGTERM/SIGINT, then shuts down gracefully.
    ///
    /// Prints `listening on HOST:PORT` on standard output once bound. The environment variable
    /// `PIER_BENCH_HTTP_MODE=async` serves the route through the async (suspend/resume) path instead of
    /// the synchronous fast path.
    ///
    /// - Parameters:
    ///   - host: The address to bind.
    ///   - port: The port (0 picks one).
    ///   - logger: Server log; access records are logged at info.
    /// - Throws: ``HTTPServerError`` when it cannot listen.
    public static func run(host: String, port: Int, logger: Logger = .disabled()) async throws {
        let synchronous = ProcessInfo.processInfo.environment["PIER_BENCH_HTTP_MODE"] != "async"
        let router = makeRouter(synchronous: synchronous, metrics: HTTPMetrics())
        let server = HTTPServer(
            configuration: .init(
                host: host, port: port,
                threadCount: ProcessInfo.processInfo.environment["PIER_BENCH_HTTP_THREADS"].flatMap(Int.init)
                    ?? HTTPServer.Configuration.defaultThreadCount,
                maxConnections: 4096, shutdownGracePeriod: .seconds(2)),
            responder: router.makeResponder(), logger: logger
        )
        let bound = try server.start()
        print("listening on \(host):\(bound) (\(synchronous ? "sync" : "async") handler)")
        fflush(nil)
        await waitForTermination()
        await server.shutdown()
    }

    private static func waitForTermination() async {
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let queue = DispatchQueue(label: "pier.bench.signals")
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        let sources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield() }
            source.resume()
            return source
        }
        var iterator = stream.makeAsyncIterator()
        _ = await iterator.next()
        sources.forEach { $0.cancel() }
    }
}
