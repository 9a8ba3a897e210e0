import Foundation
import PierCore
import PierHTTP
import Testing
@testable import PierOkta

struct OktaDirectorySourceTests {
    static let endpoint = OktaEndpoint.https("acme.okta.com")

    static func source(_ http: ScriptedHTTPClient) -> OktaDirectorySource {
        OktaDirectorySource(
            api: HTTPOktaClient(endpoint: endpoint, token: OktaAPIToken("tok"), httpClient: http), endpoint: endpoint)
    }

    @Test func userIsNilOnlyOn404E0000007() async throws {
        let notFound = ScriptedHTTPClient { _, _ in
            HTTPClientResponse(status: 404, headers: [("content-type", "application/json")], body: try Fixture.data("user-get-not-found-404.json"))
        }
        #expect(try await Self.source(notFound).user(OktaUserID("00u1")) == nil)
        #expect(try await Self.source(notFound).group(OktaGroupID("00g1")) == nil)

        for reply in [Reply.error(403, "E0000006"), Reply.error(500, "E0000009"), Reply.error(404, "E0000022"),
                      HTTPClientResponse(status: 404, headers: [("Content-Type", "text/html")], body: Data("<html>".utf8))] {
            let http = ScriptedHTTPClient { _, _ in reply }
            let error = await oktaError { _ = try await Self.source(http).user(OktaUserID("00u1")) }
            #expect(error != nil)
        }
        let transport = ScriptedHTTPClient { _, _ in throw HTTPClientError(.connectionRefused, "refused") }
        #expect(await oktaError { _ = try await Self.source(transport).group(OktaGroupID("00g1")) }?.code == .connectionFailed)
    }

    @Test func userLookupDecodesFixture() async throws {
        let http = ScriptedHTTPClient { _, _ in Reply.json(200, try Fixture.data("user-get-by-id.json"), extra: [("Date", "Thu, 13 Jul 2017 22:08:09 GMT")]) }
        let source = Self.source(http)
        #expect(source.serverTime() == nil)
        let user = try #require(try await source.user(OktaUserID("00ub64oxkqQ0gJHYI0h7")))
        #expect(user.status == .staged)
        #expect(http.requests.first?.url == "https://acme.okta.com/api/v1/users/00ub64oxkqQ0gJHYI0h7")
        #expect(source.serverTime() == HTTPDate.parse("Thu, 13 Jul 2017 22:08:09 GMT"))
    }

    @Test func listingQueries() async throws {
        let http = ScriptedHTTPClient { _, _ in Reply.json(200, "[]") }
        let source = Self.source(http)
        for try await _ in source.users() {}
        for try await _ in source.deprovisionedUsers() {}
        for try await _ in source.groups() {}
        for try await _ in source.members(of: OktaGroupID("00g1")) {}
        for try await _ in source.users(updatedSince: Date(timeIntervalSince1970: 1_700_000_000)) {}
        for try await _ in source.groups(updatedSince: Date(timeIntervalSince1970: 1_700_000_000)) {}
        let urls = http.requests.map(\.url)
        #expect(urls == [
            "https://acme.okta.com/api/v1/users?limit=200",
            "https://acme.okta.com/api/v1/users?filter=status%20eq%20%22DEPROVISIONED%22&limit=200",
            "https://acme.okta.com/api/v1/groups?limit=10000&expand=stats",
            "https://acme.okta.com/api/v1/groups/00g1/users?limit=1000",
            "https://acme.okta.com/api/v1/users?filter=lastUpdated%20ge%20%222023-11-14T22%3A13%3A20.000Z%22&limit=200",
            "https://acme.okta.com/api/v1/groups?filter=lastUpdated%20ge%20%222023-11-14T22%3A13%3A20.000Z%22%20or%20lastMembershipUpdated%20ge%20%222023-11-14T22%3A13%3A20.000Z%22&limit=10000&expand=stats",
        ])
    }

    @Test func membersAreIDsAndStatuses() async throws {
        let http = ScriptedHTTPClient { _, _ in Reply.json(200, try Fixture.data("group-members-list.json")) }
        var members: [DirectoryMember] = []
        for try await page in Self.source(http).members(of: OktaGroupID("00gb64ui4gnBHnTQY0h7")) { members += page.items }
        #expect(members == [DirectoryMember(userID: OktaUserID("00ub64epvgAGkGZ0e0h7"), status: .staged)])
    }

    @Test func organizationUserCountAndGroupsOfUser() async throws {
        let http = ScriptedHTTPClient { request, _ in
            if request.url.contains("BUILT_IN") {
                return Reply.json(200, #"[{"id":"00g1","type":"BUILT_IN","profile":{"name":"Everyone"},"_embedded":{"stats":{"usersCount":1234}}}]"#)
            }
            return Reply.json(200, try Fixture.data("groups-search-q.json"))
        }
        let source = Self.source(http)
        #expect(try await source.organizationUserCount() == 1234)
        let groups = try await source.groups(ofUser: OktaUserID("00u1"))
        #expect(!groups.isEmpty)
        let hidden = ScriptedHTTPClient { _, _ in Reply.json(200, "[]") }
        #expect(try await Self.source(hidden).organizationUserCount() == nil)
    }

    @Test func tokenCheckReturnsAdminOrClassifiedError() async throws {
        let ok = ScriptedHTTPClient { _, _ in Reply.json(200, try Fixture.data("users-create-activated.json")) }
        let client = HTTPOktaClient(endpoint: Self.endpoint, token: OktaAPIToken("tok"), httpClient: ok)
        let admin = try await client.currentAdmin()
        #expect(admin.login == "john-list-users@example.com")
        #expect(admin.displayName == "John List-Users")
        #expect(ok.requests.first?.url == "https://acme.okta.com/api/v1/users/me")
        #expect(ok.requests.first?.method == .get)

        let cases: [(HTTPClientResponse, OktaError.Code)] = [
            (Reply.error(401, "E0000011"), .invalidToken),
            (Reply.error(403, "E0000006"), .insufficientPermissions),
            (Reply.error(403, "E0000005"), .invalidSession),
            (Reply.error(429, "E0000047"), .rateLimited),
            (HTTPClientResponse(status: 200, headers: [("Content-Type", "text/html")], body: Data("<html>".utf8)), .notAnOktaOrg),
            (HTTPClientResponse(status: 404, headers: [("Content-Type", "text/html")], body: Data("<html>".utf8)), .notAnOktaOrg),
        ]
        for (reply, code) in cases {
            let http = ScriptedHTTPClient { _, _ in reply }
            let client = HTTPOktaClient(endpoint: Self.endpoint, token: OktaAPIToken("tok"), httpClient: http)
            #expect(await oktaError { _ = try await client.currentAdmin() }?.code == code)
        }
    }

    @Test func identifiesOrgThroughWellKnown() async throws {
        let http = ScriptedHTTPClient { request, _ in
            #expect(!request.headers.contains { $0.name == "Authorization" })
            return Reply.json(200, #"{"id":"00o47wwoytgsDqEtz0g7","_links":{"organization":{"href":"https://acme.okta.com"},"alternate":{"href":"https://sso.acme.example"}},"pipeline":"idx"}"#)
        }
        let domain = try OktaDomain(parsing: "sso.acme.example")
        let (org, endpoint) = try await domain.identify(httpClient: http)
        #expect(http.requests.first?.url == "https://sso.acme.example/.well-known/okta-organization")
        #expect(org.id == "00o47wwoytgsDqEtz0g7")
        #expect(org.customDomainURL == "https://sso.acme.example")
        #expect(endpoint.baseURL == "https://acme.okta.com")
        #expect(endpoint.alternateHosts == ["sso.acme.example"])

        let html = ScriptedHTTPClient { _, _ in HTTPClientResponse(status: 404, headers: [("Content-Type", "text/html")], body: Data("<html>".utf8)) }
        #expect(await oktaError { _ = try await OktaDomain(parsing: "typo.okta.com").identify(httpClient: html) }?.code == .notAnOktaOrg)
        let notOrg = ScriptedHTTPClient { _, _ in Reply.json(200, "{\"hello\":1}") }
        #expect(await oktaError { _ = try await OktaDomain(parsing: "typo.okta.com").identify(httpClient: notOrg) }?.code == .notAnOktaOrg)
    }
}
