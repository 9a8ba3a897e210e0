import Foundation
import PierHTTP
import PierLogging
import Testing

struct ClientRoundTripTests {
    @Test func statusBodyAndHeadersRoundTrip() async throws {
        let server = try ClientTestServer { request in
            ClientTestServer.Response(
                status: 201, reason: "Created",
                headers: [("Content-Type", "application/json"), ("X-Rate-Limit-Remaining", "99")],
                body: #"{"path":"\#(request.target)"}"#)
        }
        defer { server.stop() }
        let client = CurlHTTPClient()
        let response = try await client.execute(HTTPClientRequest(
            url: server.baseURL + "/api/v1/users?limit=2",
            headers: [("Authorization", "SSWS 00secret"), ("Accept", "application/json")]))

        #expect(response.status == 201)
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"path":"/api/v1/users?limit=2"}"#)
        #expect(response.header(named: "content-type") == "application/json")
        #expect(response.headers(named: "X-RATE-LIMIT-REMAINING") == ["99"])
        #expect(response.headers(named: "missing").isEmpty)
        let received = try #require(server.requests.first)
        #expect(received.method == "GET")
        #expect(received.header("Authorization") == "SSWS 00secret")
        #expect(received.header("Accept") == "application/json")
        #expect(received.header("Expect") == nil)
    }

    @Test func repeatedLinkHeadersAreKeptInOrder() async throws {
        let server = try ClientTestServer { _ in
            ClientTestServer.Response(headers: [
                ("Link", #"<http://x/api/v1/users?limit=2>; rel="self""#),
                ("X-Between", "1"),
                ("link", #"<http://x/api/v1/users?after=00u2&limit=2>; rel="next""#),
            ], body: "[]")
        }
        defer { server.stop() }
        let response = try await CurlHTTPClient().execute(HTTPClientRequest(url: server.baseURL + "/api/v1/users"))
        #expect(response.headers(named: "Link") == [
            #"<http://x/api/v1/users?limit=2>; rel="self""#,
            #"<http://x/api/v1/users?after=00u2&limit=2>; rel="next""#,
        ])
        // Every line is kept, in order, including the ones in between.
        #expect(response.headers.map(\.name).prefix(3) == ["Link", "X-Between", "link"])
    }

    @Test func postBodyIsSent() async throws {
        let server = try ClientTestServer { request in ClientTestServer.Response(body: request.method) }
        defer { server.stop() }
        let client = CurlHTTPClient()
        let payload = Data(#"{"profile":{"login":"a@example.com"}}"#.utf8)
        let response = try await client.execute(HTTPClientRequest(
            method: .post, url: server.baseURL + "/api/v1/users",
            headers: [("Content-Type", "application/json")], body: payload))
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "POST")
        let received = try #require(server.requests.first)
        #expect(received.method == "POST")
        #expect(received.body == payload)
        #expect(received.header("Content-Type") == "application/json")

        // Other methods with and without bodies; a large body goes in one request without Expect.
        let large = Data(repeating: 0x61, count: 300_000)
        _ = try await client.execute(HTTPClientRequest(method: .put, url: server.baseURL + "/put", body: large))
        _ = try await client.execute(HTTPClientRequest(method: .delete, url: server.baseURL + "/delete"))
        _ = try await client.execute(HTTPClientRequest(method: .post, url: server.baseURL + "/empty"))
        let head = try await client.execute(HTTPClientRequest(method: .head, url: server.baseURL + "/head"))
        #expect(head.status == 200 && head.body.isEmpty)
        let rest = server.requests.dropFirst().map { ($0.method, $0.target, $0.body.count) }
        #expect(rest.map(\.0) == ["PUT", "DELETE", "POST", "HEAD"])
        #expect(rest.map(\.2) == [300_000, 0, 0, 0])
    }

    @Test func interimResponseHeadersAreDiscarded() async throws {
        let server = try ClientTestServer { _ in
            var response = ClientTestServer.Response(status: 202, reason: "Accepted", headers: [("X-Final", "yes")], body: "done")
            response.interim = (100, [("X-Interim", "should-not-appear")])
            return response
        }
        defer { server.stop() }
        let response = try await CurlHTTPClient().execute(HTTPClientRequest(
            method: .post, url: server.baseURL + "/upload",
            headers: [("Expect", "100-continue")], body: Data("payload".utf8)))
        #expect(response.status == 202)
        #expect(response.headers(named: "X-Interim").isEmpty)
        #expect(response.headers(named: "X-Final") == ["yes"])
        #expect(server.requests.first?.body == Data("payload".utf8))
    }

    @Test func redirectsAreNotFollowedByDefault() async throws {
        let server = try ClientTestServer { request in
            request.target == "/start"
                ? ClientTestServer.Response(status: 302, reason: "Found", headers: [("Location", "/elsewhere")])
                : ClientTestServer.Response(body: "followed")
        }
        defer { server.stop() }
        let response = try await CurlHTTPClient().execute(HTTPClientRequest(url: server.baseURL + "/start"))
        #expect(response.status == 302)
        #expect(response.header(named: "Location") == "/elsewhere")
        #expect(server.requests.count == 1)
    }

    @Test func requestHeadersNeverReachLogsOrDescriptions() async throws {
        let server = try ClientTestServer { _ in ClientTestServer.Response(body: "ok") }
        defer { server.stop() }
        let handler = InMemoryLogHandler()
        let client = CurlHTTPClient(logger: Logger(label: "test", level: .trace, handler: handler))
        let request = HTTPClientRequest(
            url: server.baseURL + "/api/v1/users?after=cursor", headers: [("Authorization", "SSWS 00TOPSECRET")])
        _ = try await client.execute(request)

        #expect(!handler.records.isEmpty)
        #expect(!handler.renderedText.contains("00TOPSECRET"))
        #expect(!handler.renderedText.contains("cursor"))
        #expect(handler.records.first?.metadata["http.client.status"] == "200")
        #expect(!"\(request)".contains("00TOPSECRET"))
        var dumped = ""
        dump(request, to: &dumped)
        #expect(!dumped.contains("00TOPSECRET"))
        #expect("\(request)".contains("Authorization"))
    }

    @Test func concurrentRequestsAllComplete() async throws {
        let server = try ClientTestServer { request in ClientTestServer.Response(body: request.target) }
        defer { server.stop() }
        let client = CurlHTTPClient(configuration: .init(threadCount: 3))
        let bodies = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<30 {
                group.addTask {
                    let response = try await client.execute(HTTPClientRequest(url: server.baseURL + "/n/\(index)"))
                    return String(decoding: response.body, as: UTF8.self)
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(bodies == Set((0..<30).map { "/n/\($0)" }))
        #expect(server.acceptedConnections <= 3)
    }
}
