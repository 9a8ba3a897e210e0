import Foundation
import PierHTTP
import Testing

struct ClientConnectionTests {
    @Test func sequentialRequestsReuseOneConnection() async throws {
        let server = try ClientTestServer { request in ClientTestServer.Response(body: request.target) }
        defer { server.stop() }
        let client = CurlHTTPClient()
        for index in 0..<20 {
            let response = try await client.execute(HTTPClientRequest(url: server.baseURL + "/page/\(index)"))
            #expect(String(decoding: response.body, as: UTF8.self) == "/page/\(index)")
        }
        #expect(server.requests.count == 20)
        #expect(server.acceptedConnections == 1)
        #expect(client.connectionsOpened == 1)
    }

    @Test func totalTimeoutFires() async throws {
        // The answer would take 60 s; the call must end with .timeout long before (the bound is loose
        // because the whole suite shares two cores with other tests).
        let server = try ClientTestServer { _ in ClientTestServer.Response(body: "late", delay: .seconds(60)) }
        defer { server.stop() }
        let start = ContinuousClock.now
        await #expect(performing: {
            try await CurlHTTPClient().execute(HTTPClientRequest(url: server.baseURL + "/slow", totalTimeout: .milliseconds(300)))
        }, throws: { ($0 as? HTTPClientError)?.code == .timeout })
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(250) && elapsed < .seconds(30))
    }

    @Test func cancellationEndsTheCallPromptly() async throws {
        let server = try ClientTestServer { _ in ClientTestServer.Response(body: "late", delay: .seconds(60)) }
        defer { server.stop() }
        let client = CurlHTTPClient(configuration: .init(threadCount: 1))
        let task = Task {
            try await client.execute(HTTPClientRequest(url: server.baseURL + "/slow"))
        }
        // Wait until the request reached the server, so the transfer is really in flight.
        while server.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        let start = ContinuousClock.now
        task.cancel()
        await #expect(performing: { try await task.value }, throws: { ($0 as? HTTPClientError)?.code == .cancelled })
        // The answer would take 60 s; ending well before proves the cancellation (the bound is loose
        // because the whole suite shares two cores with other tests: 516 ms was seen under load).
        #expect(ContinuousClock.now - start < .seconds(10))

        // The single worker thread is freed (the transfer was aborted), so the client still works.
        let quick = try ClientTestServer { _ in ClientTestServer.Response(body: "ok") }
        defer { quick.stop() }
        let response = try await client.execute(HTTPClientRequest(url: quick.baseURL + "/", totalTimeout: .seconds(5)))
        #expect(response.body == Data("ok".utf8))
    }

    @Test func alreadyCancelledTaskSendsNothing() async throws {
        let server = try ClientTestServer { _ in ClientTestServer.Response(body: "ok") }
        defer { server.stop() }
        let client = CurlHTTPClient()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.execute(HTTPClientRequest(url: server.baseURL + "/"))
        }
        await #expect(performing: { try await task.value }, throws: { ($0 as? HTTPClientError)?.code == .cancelled })
        #expect(server.requests.isEmpty)
    }
}
