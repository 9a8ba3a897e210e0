import Foundation
import OktaSimulator
import PierCore
import PierHTTP
import PierLogging
import PierOkta
import PierStorage
import Testing

/// An in-process Okta simulator on 127.0.0.1 plus fresh ``OktaDirectorySource``s over the production
/// client stack (`HTTPOktaClient` → `RetryingOktaClient` → `CurlHTTPClient`), one per run: a run's
/// watermark is the server time of that source's first response.
final class SimulatedOrg: Sendable {
    static let token = "00sync-admin-token"
    static let controlToken = "sync-control"

    let server: OktaSimulatorServer
    let port: Int
    let http = CurlHTTPClient()

    /// `configure` adjusts the simulator's configuration (scoped tokens, rate limits, an injected `now`).
    init(users: Int, groups: Int, seed: UInt64 = 11, configure: (inout OktaSimulator.Configuration) -> Void = { _ in }) throws {
        var configuration = OktaSimulator.Configuration()
        configuration.users = users
        configuration.groups = groups
        configuration.seed = seed
        configuration.tokens = [Self.token]
        configuration.controlToken = Self.controlToken
        configuration.threadCount = 2
        configure(&configuration)
        server = OktaSimulatorServer(configuration: configuration, logger: .disabled())
        port = try server.start()
    }

    /// Runs `body` and always stops the simulator.
    static func with<T>(
        users: Int, groups: Int, seed: UInt64 = 11, configure: (inout OktaSimulator.Configuration) -> Void = { _ in },
        _ body: (SimulatedOrg) async throws -> T
    ) async throws -> T {
        let org = try SimulatedOrg(users: users, groups: groups, seed: seed, configure: configure)
        do {
            let result = try await body(org)
            await org.server.shutdown()
            return result
        } catch {
            await org.server.shutdown()
            throw error
        }
    }

    var endpoint: OktaEndpoint { OktaEndpoint(scheme: "http", host: "127.0.0.1", port: port) }

    /// A new source; `maxAttempts: 1` so an injected 5xx is not retried away.
    func source(maxAttempts: Int = 6, token: String = SimulatedOrg.token) -> OktaDirectorySource {
        source(clock: ContinuousClock(), maxAttempts: maxAttempts, token: token)
    }

    /// A new source whose retry and pacing waits sleep on `clock` (a ``VirtualClock`` in tests that must
    /// not wait in real time).
    func source<C: Clock>(clock: C, maxAttempts: Int = 6, token: String = SimulatedOrg.token) -> OktaDirectorySource
    where C.Duration == Duration {
        let api = HTTPOktaClient(endpoint: endpoint, token: OktaAPIToken(token), httpClient: http)
        let client = RetryingOktaClient(next: api, clock: clock, retry: OktaRetryPolicy(maxAttempts: maxAttempts))
        return OktaDirectorySource(client: client, endpoint: endpoint)
    }

    /// A call to Okta's own API (or, with `control`, to `/__sim/`); returns the status and decoded JSON.
    @discardableResult
    func call(_ method: HTTPClientRequest.Method, _ path: String, _ body: String? = nil, control: Bool = false) async throws -> (status: Int, json: Any?) {
        var headers: [(name: String, value: String)] = [
            ("Accept", "application/json"), ("Authorization", control ? "Bearer \(Self.controlToken)" : "SSWS \(Self.token)"),
        ]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let response = try await http.execute(HTTPClientRequest(
            method: method, url: "http://127.0.0.1:\(port)\(path)", headers: headers, body: body.map { Data($0.utf8) }))
        let json = response.body.isEmpty ? nil : try? JSONSerialization.jsonObject(with: response.body, options: [.fragmentsAllowed])
        return (response.status, json)
    }

    /// Creates an ACTIVE user (with a password) and returns its id.
    func createUser(_ name: String) async throws -> String {
        let body = #"{"profile":{"firstName":"New","lastName":"\#(name)","email":"\#(name)@example.com","login":"\#(name)@example.com"},"credentials":{"password":{"value":"Xy9!passw0rd-long"}}}"#
        let (status, json) = try await call(.post, "/api/v1/users?activate=true", body)
        guard status == 200, let id = (json as? [String: Any])?["id"] as? String else {
            throw SimulatedOrgError(message: "create user: \(status) \(String(describing: json))")
        }
        return id
    }

    /// Fails unless Okta answered 2xx.
    func expectOK(_ method: HTTPClientRequest.Method, _ path: String, _ body: String? = nil, control: Bool = false) async throws {
        let (status, json) = try await call(method, path, body, control: control)
        guard (200..<300).contains(status) else { throw SimulatedOrgError(message: "\(method) \(path): \(status) \(String(describing: json))") }
    }

    /// Checks that the domain mirrors the simulator: users (status rules with `known` = ids imported
    /// before), groups, every group's members (imported users only), Everyone derived. Returns the ids
    /// now imported.
    func expectMirrored(_ store: SQLStore, _ directory: DirectoryID, known: Set<String>) async throws -> Set<String> {
        var expected: [String: PierUserStatus] = [:]
        for (id, status) in server.userStatuses {
            if case .status(let pier) = UserStatusMapping.decide(DirectoryUserStatus(oktaValue: status), isKnown: known.contains(id)) {
                expected[id] = pier
            }
        }
        let users = try await store.directoryUsers(directory)
        let actual = Dictionary(uniqueKeysWithValues: users.map { ($0.record.oktaID.rawValue, $0.status) })
        let wrong = Set(expected.keys).union(actual.keys).filter { expected[$0] != actual[$0] }.sorted()
        #expect(wrong.isEmpty, "users differing from the simulator: \(wrong.prefix(10)) (\(wrong.count))")
        #expect(users.count == expected.count)

        let groups = try await store.directoryGroups(directory)
        #expect(Set(groups.map(\.record.oktaID.rawValue)) == Set(server.groupIDs))
        let imported = Set(expected.keys)
        var mismatched: [String] = []
        for group in groups {
            if group.record.isEveryone {
                if group.memberCount != imported.count { mismatched.append("Everyone") }
                continue
            }
            let stored = Set(try await store.members(of: group.record.oktaID, in: directory).map(\.rawValue))
            if stored != Set(server.memberIDs(of: group.record.oktaID.rawValue)).intersection(imported) {
                mismatched.append(group.record.oktaID.rawValue)
            }
        }
        #expect(mismatched.isEmpty, "groups whose members differ: \(mismatched)")
        return imported
    }
}

struct SimulatedOrgError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
