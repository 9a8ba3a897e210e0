import Foundation
import PierHTTP
import PierLogging
import PierServer
import PierTestSupport
import Synchronization
import Testing

/// Graceful shutdown by a real signal. SIGUSR2 stands in for SIGTERM inside the test process (the
/// group treats any configured signal alike; SIGTERM itself is covered by the process test below).
@Suite("Graceful shutdown", .serialized)
struct SignalShutdownTests {
    @Test func aSignalDuringASlowRequestLetsItFinishThenStops() async throws {
        let router = Router()
        router.add(middleware: ErrorMiddleware())
        router.get("/slow") { _, _ in
            try await Task.sleep(for: .milliseconds(600))
            return .text("finished")
        }
        let server = HTTPServer(configuration: .init(shutdownGracePeriod: .seconds(5)), responder: router.makeResponder(), logger: .disabled())
        let (ports, sink) = AsyncStream<Int>.makeStream()
        let service = HTTPServerService(server: server, publicURL: URL(string: "http://127.0.0.1")!, logger: .disabled(), onListening: { sink.yield($0) })
        let group = ServiceGroup(services: [service], configuration: .init(signals: [SIGUSR2]), logger: .disabled())
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())

        let slow = Task { try await get("http://127.0.0.1:\(port)/slow") }
        // Deterministic trigger point: the request is inside its handler.
        let deadline = ContinuousClock.now + .seconds(5)
        while server.inFlightRequestCount == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(server.inFlightRequestCount == 1)
        kill(getpid(), SIGUSR2)

        let response = try await slow.value
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "finished")
        try await running.value
        // Stopped: new connections are refused.
        await #expect(throws: HTTPClientError.self) { _ = try await get("http://127.0.0.1:\(port)/slow") }
    }

    @Test func sigtermStopsThePierProcessCleanly() async throws {
        try await TemporaryDirectory.with { directory in
            let (process, _, stderr) = try PierBinary.start([
                "serve", "--listen", "127.0.0.1:0", "--database", "sqlite://\(directory.path)/pier.db", "--migrate",
            ])
            let lines = LineReader(stderr.fileHandleForReading)
            let listening = try #require(lines.waitFor("Pier is listening", timeout: .seconds(20)))
            let port = try #require(listening.firstMatch(of: /"http.listen":"127\.0\.0\.1:(\d+)"/)?.output.1)
            #expect(try await get("http://127.0.0.1:\(port)/healthz").status == 200)

            process.terminate()  // SIGTERM
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            #expect(lines.waitFor("Pier stopped", timeout: .seconds(5)) != nil)
        }
    }
}

/// Reads a pipe line by line on its own thread.
final class LineReader: Sendable {
    private let lines = Mutex<[String]>([])
    private let done = Atomic<Bool>(false)

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    lines.withLock { $0.append(line) }
                }
            }
            done.store(true, ordering: .releasing)
        }
        thread.start()
    }

    /// The first line containing `text`, waiting up to `timeout`.
    func waitFor(_ text: String, timeout: Duration) -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = lines.withLock({ $0.first { $0.contains(text) } }) { return line }
            if done.load(ordering: .acquiring) { return lines.withLock { $0.first { $0.contains(text) } } }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return nil
    }
}
