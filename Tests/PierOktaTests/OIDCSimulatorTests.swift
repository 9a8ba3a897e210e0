import Foundation
import OktaSimulator
import PierHTTP
import PierLogging
import PierOkta
import Synchronization
import Testing

/// PierOkta's relying party against the Okta simulator's org authorization server: two independent
/// implementations of the same protocol must agree (a misunderstanding cannot hide on both sides).
@Suite struct OIDCSimulatorTests {
    static let token = "sim-admin-token"
    static let control = "sim-control-token"
    static let redirect = "http://127.0.0.1:9/enroll/okta/callback"

    struct Org {
        let server: OktaSimulatorServer
        let endpoint: OktaEndpoint
        let client = CurlHTTPClient()
        let clientID: String
        let clientSecret: String
        let member: String
        let outsider: String
    }

    /// A simulated org with Pier's identity app assigned to one group.
    static func makeOrg() async throws -> Org {
        var configuration = OktaSimulator.Configuration()
        configuration.users = 200
        configuration.groups = 8
        configuration.tokens = [token]
        configuration.controlToken = control
        let server = OktaSimulatorServer(configuration: configuration, logger: .disabled())
        let port = try server.start()
        let endpoint = OktaEndpoint(scheme: "http", host: "127.0.0.1", port: port)
        let client = CurlHTTPClient()
        func call(_ method: HTTPClientRequest.Method, _ path: String, _ body: String) async throws -> HTTPClientResponse {
            try await client.execute(HTTPClientRequest(
                method: method, url: endpoint.baseURL + path,
                headers: [("Authorization", "SSWS \(token)"), ("Content-Type", "application/json"), ("Accept", "application/json")],
                body: Data(body.utf8)))
        }
        let appBody = #"{"name":"oidc_client","label":"Pier Identity – Test","signOnMode":"OPENID_CONNECT","credentials":{"oauthClient":{"token_endpoint_auth_method":"client_secret_basic"}},"settings":{"oauthClient":{"application_type":"web","redirect_uris":["\#(redirect)"],"response_types":["code"],"grant_types":["authorization_code"]}}}"#
        let created = try await call(.post, "/api/v1/apps", appBody)
        #expect(created.status == 200)
        let app = try #require(try JSONSerialization.jsonObject(with: created.body) as? [String: Any])
        let oauth = try #require((app["credentials"] as? [String: Any])?["oauthClient"] as? [String: Any])
        let group = try #require(server.groupIDs.first { server.groupTypes[$0] == "OKTA_GROUP" && !server.memberIDs(of: $0).isEmpty })
        #expect(try await call(.put, "/api/v1/apps/\(app["id"] as! String)/groups/\(group)", "{}").status == 200)
        let members = Set(server.memberIDs(of: group))
        let statuses = server.userStatuses
        let active = server.userIDs.filter { statuses[$0] == "ACTIVE" }
        return Org(
            server: server, endpoint: endpoint, clientID: try #require(oauth["client_id"] as? String),
            clientSecret: try #require(oauth["client_secret"] as? String),
            member: try #require(active.first { members.contains($0) }), outsider: try #require(active.first { !members.contains($0) }))
    }

    /// Plays the browser: posts the simulator's sign-in form for the authorization URL and returns the
    /// callback query from the redirect.
    static func signIn(_ org: Org, url: URL, login: String) async throws -> String {
        var components = try #require(URLComponents(url: url, resolvingAgainstBaseURL: false))
        var items = components.queryItems ?? []
        items += [URLQueryItem(name: "username", value: login), URLQueryItem(name: "password", value: "Passw0rd!")]
        components.queryItems = items
        let form = try #require(components.percentEncodedQuery)
        let response = try await org.client.execute(HTTPClientRequest(
            method: .post, url: org.endpoint.baseURL + "/oauth2/v1/authorize",
            headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data(form.utf8)))
        #expect(response.status == 302)
        let location = try #require(response.header(named: "Location"))
        #expect(location.hasPrefix(redirect))
        return URLComponents(string: location)?.percentEncodedQuery ?? ""
    }

    func relyingParty(_ org: Org, clock: ShiftedClock = ShiftedClock()) async throws -> OIDCRelyingParty {
        try await OIDCRelyingParty.discover(
            endpoint: org.endpoint,
            configuration: OIDCClientConfiguration(clientID: org.clientID, clientSecret: OIDCClientSecret(org.clientSecret), redirectURI: Self.redirect),
            httpClient: org.client, now: { clock.now })
    }

    @Test func anAssignedUserSignsInAndTheIDTokenNamesThem() async throws {
        let org = try await Self.makeOrg()
        let party = try await relyingParty(org)
        let request = try party.makeAuthorizationRequest()
        let query = try await Self.signIn(org, url: request.url, login: org.server.userLogin(org.member))
        let result = try await party.completeSignIn(response: OIDCAuthorizationResponse(query: query), attempt: request.attempt)
        #expect(result.claims.subject == org.member)
        #expect(result.claims.authTime != nil)
        await org.server.shutdown()
    }

    @Test func aUserNotAssignedToTheAppIsDenied() async throws {
        let org = try await Self.makeOrg()
        let party = try await relyingParty(org)
        let request = try party.makeAuthorizationRequest()
        let query = try await Self.signIn(org, url: request.url, login: org.server.userLogin(org.outsider))
        let error = await #expect(throws: OktaError.self) {
            _ = try await party.completeSignIn(response: OIDCAuthorizationResponse(query: query), attempt: request.attempt)
        }
        #expect(error?.code == .oidcAuthorizationDenied)
        await org.server.shutdown()
    }

    @Test func aRotatedSigningKeyIsPickedUp() async throws {
        let org = try await Self.makeOrg()
        let clock = ShiftedClock()
        let party = try await relyingParty(org, clock: clock)
        let first = try party.makeAuthorizationRequest()
        _ = try await party.completeSignIn(
            response: OIDCAuthorizationResponse(query: try await Self.signIn(org, url: first.url, login: org.server.userLogin(org.member))),
            attempt: first.attempt)
        // Okta rotates keys on its own schedule; the simulator does it on request.
        let rotated = try await org.client.execute(HTTPClientRequest(
            method: .post, url: org.endpoint.baseURL + "/__sim/keys/rotate", headers: [("Authorization", "Bearer \(Self.control)")]))
        #expect(rotated.status == 200)
        // Unknown-kid refetches are rate-limited (a forged kid must not make Pier hammer /keys): let
        // the relying party's clock pass the minimum interval instead of sleeping.
        clock.advance(by: await party.keySet.minimumRefetchInterval + 1)
        let second = try party.makeAuthorizationRequest()
        let result = try await party.completeSignIn(
            response: OIDCAuthorizationResponse(query: try await Self.signIn(org, url: second.url, login: org.server.userLogin(org.member))),
            attempt: second.attempt)
        #expect(result.claims.subject == org.member)
        await org.server.shutdown()
    }
}

/// Real time plus an offset that a test can advance (the simulator runs on real time).
final class ShiftedClock: Sendable {
    private let offset = Mutex<TimeInterval>(0)
    var now: Date { Date().addingTimeInterval(offset.withLock { $0 }) }
    func advance(by seconds: TimeInterval) { offset.withLock { $0 += seconds } }
}
