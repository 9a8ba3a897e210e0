import Foundation
import PierHTTP
import PierLogging
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Live tests: the libmicrohttpd server on 127.0.0.1, port 0, driven by ``RawHTTPConnection``.
@Suite(.serialized)
struct ServerTests {
    struct Greeting: Codable, Sendable { var message: String }

    func withServer(
        _ configuration: HTTPServer.Configuration = HTTPServer.Configuration(shutdownGracePeriod: .seconds(3)),
        logger: Logger = .disabled(),
        routes: (Router) -> Void,
        _ body: (HTTPServer, Int) async throws -> Void
    ) async throws {
        let router = Router()
        router.add(middleware: RequestIDMiddleware()).add(middleware: AccessLogMiddleware()).add(middleware: ErrorMiddleware())
        routes(router)
        let server = HTTPServer(configuration: configuration, responder: router.makeResponder(), logger: logger)
        let port = try server.start()
        do {
            try await body(server, port)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    @Test func keepAliveServesHundredRequestsOnOneConnection() async throws {
        try await withServer(routes: { router in
            router.get("/ping") { request, _ in try .json(Greeting(message: "pong \(request.queryValue("n") ?? "")")) }
        }) { server, port in
            let replies = try await onThread {
                let connection = try RawHTTPConnection(port: port)
                return try (0..<100).map { try connection.request("GET", "/ping?n=\($0)") }
            }
            #expect(replies.count == 100)
            #expect(replies.allSatisfy { $0.status == 200 })
            #expect(replies.allSatisfy { $0.header("Connection")?.lowercased() != "close" })
            #expect(replies[42].text == #"{"message":"pong 42"}"#)
            #expect(server.acceptedConnectionCount == 1)
        }
    }

    @Test func keepAliveAlsoHoldsForPostBodiesAndSyncRoutes() async throws {
        try await withServer(routes: { router in
            router.post("/echo") { request, _ in Response(body: request.body) }
            router.getSync("/sync") { _, _ in .text("fast") }
        }) { server, port in
            let replies = try await onThread {
                let connection = try RawHTTPConnection(port: port)
                var replies: [RawHTTPConnection.Reply] = []
                for index in 0..<20 {
                    replies.append(try connection.request("POST", "/echo", body: Data("body \(index)".utf8)))
                    replies.append(try connection.request("GET", "/sync"))
                }
                return replies
            }
            #expect(replies.allSatisfy { $0.status == 200 })
            #expect(replies[2].text == "body 1")
            #expect(replies[3].text == "fast")
            #expect(server.acceptedConnectionCount == 1)
        }
    }

    @Test func requestCarriesQueryHeadersParametersAndRemoteAddress() async throws {
        struct Seen: Codable, Sendable {
            var id: String
            var tags: [String]
            var flag: Bool
            var accept: [String]
            var remote: String?
            var route: String?
        }
        try await withServer(routes: { router in
            router.group("/api/v1").get("/things/{id}") { request, context in
                try .json(Seen(
                    id: try context.parameters.require("id"), tags: request.queryValues("tag"),
                    flag: request.query.contains { $0.name == "flag" && $0.value == nil }, accept: request.headers.values(for: "x-multi"),
                    remote: request.remoteAddress, route: context.routeTemplate
                ))
            }
        }) { _, port in
            let reply = try await onThread {
                try RawHTTPConnection(port: port).request(
                    "GET", "/api/v1/things/abc?tag=a%20b&tag=c%2Bd&flag", headers: [("X-Multi", "one"), ("x-multi", "two")]
                )
            }
            #expect(reply.status == 200)
            let seen = try JSONDecoder().decode(Seen.self, from: reply.body)
            #expect(seen.id == "abc")
            #expect(seen.tags == ["a b", "c+d"])
            #expect(seen.flag)
            #expect(seen.accept == ["one", "two"])
            #expect(seen.remote == "127.0.0.1")
            #expect(seen.route == "/api/v1/things/{id}")
        }
    }

    /// An escaped NUL cannot cut a path or a value short (libmicrohttpd hands them over as C strings):
    /// `/things/%00` is the item `%00`, not the collection `/things/`; other escapes decode as before.
    @Test func escapedNulStaysLiteralInPathAndQuery() async throws {
        try await withServer(routes: { router in
            router.get("/things") { _, _ in .text("collection") }
            router.get("/things/{id}") { request, context in
                .text("item \(try context.parameters.require("id")) q=\(request.queryValue("q") ?? "-")")
            }
        }) { _, port in
            let replies = try await onThread {
                let connection = try RawHTTPConnection(port: port)
                return try ["/things/%00", "/things/a%00b?q=x%00y", "/things/%41%7E%2B?q=%e2%82%ac+1", "/things/50%25?q=%zz%4", "/things/"]
                    .map { try connection.request("GET", $0).text }
            }
            #expect(replies == ["item %00 q=-", "item a%00b q=x%00y", "item A~+ q=€ 1", "item 50% q=%zz%4", "collection"])
        }
    }

    @Test func declaredOversizedBodyIsRefusedWithoutBuffering() async throws {
        try await withServer(routes: { router in
            router.post("/upload") { request, _ in .text("got \(request.body.count)") }
        }) { _, port in
            let reply = try await onThread {
                let connection = try RawHTTPConnection(port: port)
                let total = 10 * 1024 * 1024
                try connection.write("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: \(total)\r\n\r\n")
                // Send the body like a client would, but stop as soon as the answer arrives.
                let chunk = [UInt8](repeating: 0x61, count: 64 * 1024)
                var sent = 0
                while sent < total, !connection.readable() {
                    if connection.writable(timeoutMilliseconds: 50) {
                        guard (try? connection.write(chunk)) != nil else { break }
                        sent += chunk.count
                    }
                }
                return try connection.readResponse()
            }
            #expect(reply.status == 413)
            let error = try #require(try reply.json()["error"] as? [String: Any])
            #expect(error["code"] as? String == "payload_too_large")
        }
    }

    @Test func chunkedOversizedBodyIsDiscardedAndAnswered413() async throws {
        try await withServer(routes: { router in
            router.post("/upload") { request, _ in .text("got \(request.body.count)") }
        }) { _, port in
            let reply = try await onThread {
                let connection = try RawHTTPConnection(port: port, timeoutSeconds: 10)
                try connection.write("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
                let payload = [UInt8](repeating: 0x62, count: 64 * 1024)
                let chunk = Array("\(String(payload.count, radix: 16))\r\n".utf8) + payload + Array("\r\n".utf8)
                for _ in 0..<160 { try connection.write(chunk) }   // 10 MiB
                try connection.write("0\r\n\r\n")
                return try connection.readResponse()
            }
            #expect(reply.status == 413)
            #expect(reply.text.contains("payload_too_large"))
        }
    }

    @Test func routeBodyLimitOverridesTheDefault() async throws {
        try await withServer(routes: { router in
            router.post("/small", maxBodyBytes: 1000) { request, _ in .text("\(request.body.count)") }
            router.post("/big", maxBodyBytes: 3_000_000) { request, _ in .text("\(request.body.count)") }
        }) { _, port in
            let (small, tooBig, big) = try await onThread {
                let connection = try RawHTTPConnection(port: port)
                let small = try connection.request("POST", "/small", body: Data(count: 1000))
                let big = try RawHTTPConnection(port: port).request("POST", "/big", body: Data(count: 2_000_000))
                let tooBig = try RawHTTPConnection(port: port).request("POST", "/small", body: Data(count: 1001))
                return (small, tooBig, big)
            }
            #expect(small.status == 200 && small.text == "1000")
            #expect(big.status == 200 && big.text == "2000000")
            #expect(tooBig.status == 413)
        }
    }

    @Test func oversizedHeadIsRejectedByLibmicrohttpd() async throws {
        try await withServer(HTTPServer.Configuration(maxHeaderBytes: 8 * 1024), routes: { router in
            router.get("/x") { _, _ in .text("x") }
        }) { _, port in
            let reply = try await onThread {
                try RawHTTPConnection(port: port).request("GET", "/x", headers: [("X-Big", String(repeating: "a", count: 16 * 1024))])
            }
            #expect(reply.status == 431)
        }
    }

    @Test func gracefulShutdownFinishesSlowRequestAndRefusesNewConnections() async throws {
        let router = Router()
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        router.get("/slow") { _, _ in
            startedContinuation.yield()
            try await Task.sleep(for: .milliseconds(500))
            return .text("done")
        }
        let server = HTTPServer(
            configuration: .init(shutdownGracePeriod: .seconds(5)), responder: router.makeResponder(), logger: .disabled()
        )
        let port = try server.start()
        async let slow = onThread { try RawHTTPConnection(port: port).request("GET", "/slow") }
        var iterator = started.makeAsyncIterator()
        _ = await iterator.next()

        server.quiesce()
        let refused = try await onThread { () -> Int32 in
            do {
                _ = try RawHTTPConnection(port: port)
                return 0
            } catch let failure as RawHTTPConnection.Failure {
                return failure.errno
            }
        }
        #expect(refused == ECONNREFUSED)
        #expect(server.inFlightRequestCount == 1)

        let clock = ContinuousClock()
        let start = clock.now
        await server.shutdown()
        let reply = try await slow
        #expect(reply.status == 200)
        #expect(reply.text == "done")
        #expect(reply.header("Connection")?.lowercased() == "close")
        #expect(server.inFlightRequestCount == 0)
        #expect(clock.now - start < .seconds(3))
    }

    @Test func shutdownAnswers503WhenGracePeriodEnds() async throws {
        let router = Router()
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        router.get("/stuck") { _, _ in
            startedContinuation.yield()
            try? await Task.sleep(for: .seconds(3))
            return .text("late")
        }
        let server = HTTPServer(
            configuration: .init(shutdownGracePeriod: .milliseconds(200)), responder: router.makeResponder(), logger: .disabled()
        )
        let port = try server.start()
        async let stuck = onThread { try RawHTTPConnection(port: port).request("GET", "/stuck") }
        var iterator = started.makeAsyncIterator()
        _ = await iterator.next()
        await server.shutdown()
        let reply = try await stuck
        #expect(reply.status == 503)
    }

    @Test func portInUseThrowsAClearError() async throws {
        try await withServer(routes: { _ in }) { _, port in
            let second = HTTPServer(
                configuration: .init(host: "127.0.0.1", port: port), responder: Router().makeResponder(), logger: .disabled()
            )
            let error = try #require(throws: HTTPServerError.self) { try second.start() }
            #expect(error.code == .addressInUse)
            #expect(error.message == "cannot listen on 127.0.0.1:\(port): address already in use")
        }
    }

    @Test func invalidHostThrowsAClearError() throws {
        let server = HTTPServer(configuration: .init(host: "not-an-ip"), responder: Router().makeResponder(), logger: .disabled())
        let error = try #require(throws: HTTPServerError.self) { try server.start() }
        #expect(error.code == .invalidAddress)
        #expect(error.message.hasPrefix("cannot listen on not-an-ip:0"))
    }

    @Test func ipv6LoopbackWorks() async throws {
        let router = Router()
        router.get("/v6") { request, _ in .text(request.remoteAddress ?? "?") }
        let server = HTTPServer(configuration: .init(host: "::1"), responder: router.makeResponder(), logger: .disabled())
        let port: Int
        do {
            port = try server.start()
        } catch let error as HTTPServerError where error.code == .invalidAddress {
            return  // no IPv6 on this host
        }
        #expect(port > 0)
        await server.shutdown()
    }

    @Test func errorsMapToJSONOverTheWire() async throws {
        struct Secret: Error { let password = "hunter2" }
        let logs = InMemoryLogHandler()
        try await withServer(logger: Logger(label: "test", handler: logs), routes: { router in
            router.get("/conflict") { _, _ in
                throw HTTPError(.conflict, code: "conflict", message: "Already exists.", details: ["name": "taken"])
            }
            router.get("/boom") { _, _ in throw Secret() }
        }) { _, port in
            let (conflict, boom, missing, wrongMethod) = try await onThread {
                let connection = try RawHTTPConnection(port: port)
                return (
                    try connection.request("GET", "/conflict"), try connection.request("GET", "/boom", headers: [("X-Request-Id", "abc-123")]),
                    try connection.request("GET", "/nope"), try connection.request("DELETE", "/conflict")
                )
            }
            #expect(conflict.status == 409)
            #expect(conflict.header("Content-Type") == "application/json")
            let body = try #require(try conflict.json()["error"] as? [String: Any])
            #expect(body["code"] as? String == "conflict")
            #expect(body["message"] as? String == "Already exists.")
            #expect(body["details"] as? [String: String] == ["name": "taken"])

            #expect(boom.status == 500)
            #expect(boom.header("X-Request-Id") == "abc-123")
            let internalError = try #require(try boom.json()["error"] as? [String: Any])
            #expect(internalError["code"] as? String == "internal")
            let message = try #require(internalError["message"] as? String)
            #expect(message.hasPrefix("An internal error occurred. Reference: "))
            #expect(!boom.text.contains("hunter2") && !boom.text.contains("Secret"))
            let reference = String(message.split(separator: " ").last!)
            let logged = logs.records.first { $0.metadata["error.id"] == reference }
            #expect(logged?.metadata["request.id"] == "abc-123")

            #expect(missing.status == 404)
            #expect(missing.text.contains("not_found"))
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.header("Allow") == "GET, HEAD")
        }
    }

    @Test func concurrentAsyncHandlersOverlap() async throws {
        // Twenty handlers park on a gate that opens only after a plain request was answered: if the
        // plain request had to wait for them, it would time out instead (no timing assumptions).
        let (gate, openGate) = AsyncStream<Void>.makeStream()
        let released = Gate(gate)
        try await withServer(HTTPServer.Configuration(threadCount: 2), routes: { router in
            router.get("/wait") { _, _ in
                await released.wait()
                return .text("ok")
            }
            router.getSync("/quick") { _, _ in .text("quick") }
        }) { server, port in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await onThread { try RawHTTPConnection(port: port, timeoutSeconds: 10).request("GET", "/wait").status } }
                }
                let deadline = ContinuousClock.now + .seconds(10)
                while server.inFlightRequestCount < 20, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
                #expect(server.inFlightRequestCount == 20)
                let quick = try await onThread { try RawHTTPConnection(port: port, timeoutSeconds: 5).request("GET", "/quick") }
                #expect(quick.status == 200)
                openGate.finish()
                for try await status in group { #expect(status == 200) }
            }
        }
    }
}

/// Lets any number of waiters through once its stream finishes.
final class Gate: Sendable {
    private let stream: AsyncStream<Void>
    init(_ stream: AsyncStream<Void>) { self.stream = stream }
    func wait() async { for await _ in stream {} }
}

/// `Response.abortingConnection`: the server drops the connection without a reply; others carry on.
@Suite struct ConnectionAbortTests {
    @Test func abortingResponseClosesTheConnectionWithoutAReply() async throws {
        let router = Router()
        router.getSync("/abort") { _, _ in .abortingConnection }
        router.get("/abort-async") { _, _ in .abortingConnection }
        router.getSync("/ok") { _, _ in .text("ok") }
        let server = HTTPServer(configuration: HTTPServer.Configuration(), responder: router.makeResponder(), logger: .disabled())
        let port = try server.start()
        let outcomes = try await onThread { () -> [String] in
            var outcomes: [String] = []
            for path in ["/abort", "/abort-async"] {
                let connection = try RawHTTPConnection(port: port)
                #expect(try connection.request("GET", "/ok").status == 200)
                do {
                    let reply = try connection.request("GET", path)
                    outcomes.append("answered \(reply.status)")
                } catch {
                    outcomes.append("dropped")
                }
            }
            let fresh = try RawHTTPConnection(port: port)
            outcomes.append("fresh \(try fresh.request("GET", "/ok").status)")
            return outcomes
        }
        #expect(outcomes == ["dropped", "dropped", "fresh 200"])
        await server.shutdown()
    }
}
