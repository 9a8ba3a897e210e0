import Foundation
import PierCore
import PierHTTP
import Testing
@testable import PierOkta

struct PaginationTests {
    static let endpoint = OktaEndpoint.https("acme.okta.com")

    @Test func parsesSeparateLinesAndCommaJoinedValues() {
        let separate = [
            "<https://acme.okta.com/api/v1/users?limit=200>; rel=\"self\"",
            "<https://acme.okta.com/api/v1/users?after=00u2&limit=200>; rel=\"next\"",
        ]
        #expect(LinkHeader.next(in: separate) == "https://acme.okta.com/api/v1/users?after=00u2&limit=200")
        let joined = [separate.joined(separator: ", ")]
        #expect(LinkHeader.next(in: joined) == "https://acme.okta.com/api/v1/users?after=00u2&limit=200")
        let reversedNoSpace = ["<https://a/x?after=1>;rel=next,<https://a/x>; rel=\"self\""]
        #expect(LinkHeader.next(in: reversedNoSpace) == "https://a/x?after=1")
        // A comma inside the URL (fields=id,status) does not split the link.
        let comma = ["<https://a/x?fields=id,status>; rel=\"self\", <https://a/x?fields=id,status&after=9>; rel=\"next\""]
        #expect(LinkHeader.next(in: comma) == "https://a/x?fields=id,status&after=9")
        #expect(LinkHeader.next(in: ["<https://a/x>; rel=\"self\""]) == nil)
        #expect(LinkHeader.next(in: []) == nil)
        #expect(LinkHeader.parse(["<https://a/x>; rel=\"next self\""]).first?.relations == ["next", "self"])
    }

    @Test(arguments: [
        ("https://acme.okta.com/api/v1/users?after=00u2&limit=200", "/api/v1/users?after=00u2&limit=200"),
        ("https://ACME.okta.com/api/v1/users?after=x%20y", "/api/v1/users?after=x%20y"),
        ("/api/v1/users?after=3", "/api/v1/users?after=3"),
        ("https://proxy-rewritten.acme.example/api/v1/users?after=4", "/api/v1/users?after=4"),
    ])
    func rebasesOntoConfiguredHost(_ link: String, _ expected: String) throws {
        let endpoint = Self.endpoint.accepting(linkHosts: ["proxy-rewritten.acme.example"])
        #expect(try LinkPagination.rebase(link, onto: endpoint, expectedPath: "/api/v1/users") == expected)
    }

    @Test(arguments: [
        ("https://evil.example/api/v1/users?after=1", OktaError.Code.foreignLinkHost),
        ("https://acme.okta.com.evil.example/api/v1/users?after=1", .foreignLinkHost),
        ("//evil.example/api/v1/users", .invalidLink),
        ("https://acme.okta.com/api/v1/groups?after=1", .invalidLink),
        ("https://user:pw@acme.okta.com/api/v1/users", .invalidLink),
        ("not a url", .invalidLink),
    ])
    func refusesForeignOrOddLinks(_ link: String, _ code: OktaError.Code) {
        #expect(oktaError { _ = try LinkPagination.rebase(link, onto: Self.endpoint, expectedPath: "/api/v1/users") }?.code == code)
    }

    /// A client serving `pages` of users with `next` links in the chosen form.
    static func pagedClient(pages: Int, joined: Bool, nextHost: String = "acme.okta.com") -> ScriptedHTTPClient {
        ScriptedHTTPClient { request, _ in
            let page = Int(queryValue(request.url, "after") ?? "0")!
            let body = "[" + (0..<3).map { "{\"id\":\"00u\(page)-\($0)\",\"status\":\"ACTIVE\",\"profile\":{\"login\":\"u\(page)-\($0)\"}}" }
                .joined(separator: ",") + "]"
            var links = ["<https://\(nextHost)/api/v1/users?limit=200>; rel=\"self\""]
            if page + 1 < pages { links.append("<https://\(nextHost)/api/v1/users?after=\(page + 1)&limit=200>; rel=\"next\"") }
            return Reply.json(200, body, links: joined ? [links.joined(separator: ", ")] : links)
        }
    }

    static func source(_ http: any HTTPClient, cap: Int = 100) -> OktaDirectorySource {
        let api = HTTPOktaClient(endpoint: endpoint, token: OktaAPIToken("tok"), httpClient: http)
        return OktaDirectorySource(api: api, endpoint: endpoint, configuration: .init(pageCap: cap))
    }

    @Test(arguments: [false, true])
    func walksAllPagesInBothLinkForms(_ joined: Bool) async throws {
        let http = Self.pagedClient(pages: 4, joined: joined)
        var ids: [String] = []
        var lastSeen = false
        for try await page in Self.source(http).users() {
            #expect(!lastSeen)
            ids += page.items.map(\.id.rawValue)
            lastSeen = page.isLast
        }
        #expect(lastSeen)
        #expect(ids.count == 12)
        #expect(Set(ids).count == 12)
        #expect(http.requests.map(\.url).allSatisfy { $0.hasPrefix("https://acme.okta.com/api/v1/users?") })
    }

    @Test func foreignNextHostIsRefusedAndTokenNeverLeaves() async {
        let http = Self.pagedClient(pages: 3, joined: false, nextHost: "evil.example")
        let error = await oktaError { for try await _ in Self.source(http).users() {} }
        #expect(error?.code == .foreignLinkHost)
        #expect(error?.failure == .pagination)
        #expect(http.requests.count == 1)
        #expect(http.requests.allSatisfy { $0.url.hasPrefix("https://acme.okta.com/") })
    }

    @Test func loopGuardStopsRepeatedCursor() async {
        let http = ScriptedHTTPClient { request, _ in
            Reply.json(200, "[{\"id\":\"00u1\",\"status\":\"ACTIVE\",\"profile\":{}}]",
                       links: ["<https://acme.okta.com/api/v1/users?after=A&limit=200>; rel=\"next\""])
        }
        let error = await oktaError { for try await _ in Self.source(http).users() {} }
        #expect(error?.code == .paginationLoop)
        #expect(http.requests.count == 2)
    }

    @Test func pageCapFailsTheWalk() async {
        let http = Self.pagedClient(pages: 50, joined: false)
        var pages = 0
        let error = await oktaError { for try await _ in Self.source(http, cap: 5).users() { pages += 1 } }
        #expect(error?.code == .pageCapReached)
        #expect(pages == 5)
    }

    @Test func emptyFinalPageAndEachIterationRestarts() async throws {
        let http = ScriptedHTTPClient { request, _ in
            if queryValue(request.url, "after") == nil {
                return Reply.json(200, "[{\"id\":\"00u1\",\"status\":\"ACTIVE\",\"profile\":{}}]",
                                  links: ["<https://acme.okta.com/api/v1/users?after=1>; rel=\"next\""])
            }
            return Reply.json(200, "[]", links: ["<https://acme.okta.com/api/v1/users?after=1>; rel=\"self\""])
        }
        let pages = Self.source(http).users()
        for _ in 0..<2 {
            var collected: [DirectoryPage<DirectoryUser>] = []
            for try await page in pages { collected.append(page) }
            #expect(collected.map(\.items.count) == [1, 0])
            #expect(collected.last?.isLast == true)
        }
        #expect(http.requests.count == 4)
    }

    @Test func systemLogRepeatedNextOnEmptyPageEnds() async throws {
        let http = ScriptedHTTPClient { request, index in
            let path = URLComponents(string: request.url)!.percentEncodedPath
            #expect(path == "/api/v1/logs")
            if index == 0 {
                return Reply.json(200, Data(#"[{"uuid":"e1","published":"2024-01-01T00:00:00.000Z","eventType":"user.lifecycle.create","target":[{"id":"00u1","type":"User"}]}]"#.utf8),
                                  links: ["<https://acme.okta.com/api/v1/logs?after=c1>; rel=\"next\""])
            }
            return Reply.json(200, "[]", links: ["<https://acme.okta.com/api/v1/logs?after=c1>; rel=\"next\""])
        }
        var events: [DirectoryChangeEvent] = []
        for try await page in Self.source(http).changes(since: Date(timeIntervalSince1970: 0), until: Date(timeIntervalSince1970: 1e9)) {
            events += page.items
        }
        #expect(events.map(\.id) == ["e1"])
        #expect(events.first?.kind == .userLifecycle)
        let first = try #require(http.requests.first?.url)
        #expect(queryValue(first, "until") == "2001-09-09T01:46:40.000Z")
        #expect(queryValue(first, "filter")?.contains("group.user_membership.") == true)
    }

    @Test func pathTemplates() {
        #expect(OktaRequest.pathTemplate("/api/v1/users") == "/api/v1/users")
        #expect(OktaRequest.pathTemplate("/api/v1/users/00u1") == "/api/v1/users/{id}")
        #expect(OktaRequest.pathTemplate("/api/v1/users/me") == "/api/v1/users/me")
        #expect(OktaRequest.pathTemplate("/api/v1/groups/00g1/users") == "/api/v1/groups/{id}/users")
        #expect(OktaRequest.pathTemplate("/api/v1/apps/0oa1/groups/00g1") == "/api/v1/apps/{id}/groups/{id}")
        #expect(OktaRequest.pathTemplate("/api/v1/users/00u1/lifecycle/activate") == "/api/v1/users/{id}/lifecycle/activate")
    }

    @Test func encodesQueriesStrictly() {
        let request = OktaRequest(path: "/api/v1/users", query: [("filter", "status eq \"DEPROVISIONED\""), ("limit", "200")])
        #expect(request.pathAndQuery == "/api/v1/users?filter=status%20eq%20%22DEPROVISIONED%22&limit=200")
    }
}
