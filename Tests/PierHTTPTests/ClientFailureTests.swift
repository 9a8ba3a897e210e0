import Foundation
import PierHTTP
import Testing

struct ClientFailureTests {
    private func code(_ expected: HTTPClientError.Code) -> @Sendable (any Error) -> Bool {
        { ($0 as? HTTPClientError)?.code == expected }
    }

    @Test func connectionRefusedIsClassified() async throws {
        let port = ClientTestServer.closedPort()
        await #expect(performing: {
            try await CurlHTTPClient().execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/"))
        }, throws: code(.connectionRefused))
    }

    @Test func unresolvableHostIsClassified() async throws {
        // `.invalid` never resolves (RFC 6761 §6.4), so this needs no network.
        await #expect(performing: {
            try await CurlHTTPClient().execute(HTTPClientRequest(url: "http://pier-test.invalid/", totalTimeout: .seconds(10)))
        }, throws: code(.couldNotResolve))
    }

    @Test func headerInjectionIsRejectedBeforeSending() async throws {
        let client = CurlHTTPClient()
        await #expect(performing: {
            try await client.execute(HTTPClientRequest(
                url: "http://127.0.0.1:1/", headers: [("X-Note", "a\r\nX-Injected: 1")]))
        }, throws: code(.invalidRequest))
        await #expect(performing: {
            try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:1/", headers: [("Bad Name", "v")]))
        }, throws: code(.invalidRequest))
        await #expect(performing: {
            try await client.execute(HTTPClientRequest(method: "GET /x", url: "http://127.0.0.1:1/"))
        }, throws: code(.invalidRequest))
    }

    @Test func nonHTTPSchemesAreRefused() async throws {
        await #expect(performing: {
            try await CurlHTTPClient().execute(HTTPClientRequest(url: "file:///etc/passwd"))
        }, throws: code(.invalidRequest))
    }

    @Test func oversizedBodyIsRejected() async throws {
        let server = try ClientTestServer { _ in ClientTestServer.Response(body: String(repeating: "x", count: 10_000)) }
        defer { server.stop() }
        let client = CurlHTTPClient(configuration: .init(maxResponseBodyBytes: 1_000))
        await #expect(performing: {
            try await client.execute(HTTPClientRequest(url: server.baseURL + "/big"))
        }, throws: code(.responseTooLarge))
    }

    @Test func errorCodesMatchByPattern() async throws {
        do {
            _ = try await CurlHTTPClient().execute(HTTPClientRequest(url: "http://127.0.0.1:\(ClientTestServer.closedPort())/"))
            Issue.record("expected a failure")
        } catch HTTPClientError.Code.connectionRefused {
            // `~=` on the code.
        }
    }
}
