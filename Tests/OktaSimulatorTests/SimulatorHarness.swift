import Foundation
import OktaSimulator
import PierHTTP
import PierLogging
import Synchronization

/// An in-process simulator on port 0 plus a libcurl client.
final class SimulatorHarness: Sendable {
    static let token = "00test-admin-token"
    static let readOnlyToken = "00test-read-only"
    static let scopedToken = "00test-group-admin"
    static let controlToken = "control-secret"

    let server: OktaSimulatorServer
    let client = CurlHTTPClient()
    let base: String

    init(users: Int = 450, groups: Int = 12, profile: OktaSimulator.RateLimitProfile = .none,
         configure: (inout OktaSimulator.Configuration) -> Void = { _ in }) throws {
        var configuration = OktaSimulator.Configuration()
        configuration.users = users
        configuration.groups = groups
        configuration.seed = 7
        configuration.tokens = [Self.token]
        configuration.readOnlyTokens = [Self.readOnlyToken]
        configuration.groupAdminTokens = [.init(token: Self.scopedToken, groups: ["count:2"])]
        configuration.controlToken = Self.controlToken
        configuration.rateLimitProfile = profile
        configuration.threadCount = 2
        configure(&configuration)
        server = OktaSimulatorServer(configuration: configuration, logger: .disabled())
        try server.start()
        base = server.baseURL
    }

    func stop() async { await server.shutdown() }

    func request(
        _ method: HTTPClientRequest.Method = .get, _ pathOrURL: String, token: String? = SimulatorHarness.token,
        authorization: String? = nil, body: String? = nil
    ) async throws -> HTTPClientResponse {
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let authorization { headers.append(("Authorization", authorization)) } else if let token { headers.append(("Authorization", "SSWS \(token)")) }
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let url = pathOrURL.hasPrefix("http") ? pathOrURL : base + pathOrURL
        return try await client.execute(HTTPClientRequest(method: method, url: url, headers: headers, body: body.map { Data($0.utf8) }))
    }

    func control(_ method: HTTPClientRequest.Method, _ path: String, body: String? = nil) async throws -> HTTPClientResponse {
        try await request(method, path, authorization: "Bearer \(Self.controlToken)", body: body)
    }

    /// Follows `Link rel="next"` to the end; returns every item and the page count.
    func walk(_ path: String, token: String = SimulatorHarness.token) async throws -> (items: [[String: Any]], pages: Int) {
        var url: String? = path
        var items: [[String: Any]] = []
        var pages = 0
        while let current = url {
            let response = try await request(.get, current, token: token)
            guard response.status == 200 else { throw WalkError(status: response.status) }
            pages += 1
            items += try JSONSerialization.jsonObject(with: response.body) as! [[String: Any]]
            url = Self.nextLink(response.headers(named: "Link"))
            if pages > 10_000 { break }
        }
        return (items, pages)
    }

    struct WalkError: Error { var status: Int }

    static func nextLink(_ values: [String]) -> String? {
        for value in values where value.contains("rel=\"next\"") {
            guard let start = value.firstIndex(of: "<"), let end = value.firstIndex(of: ">") else { continue }
            return String(value[value.index(after: start)..<end])
        }
        return nil
    }

    static func json(_ response: HTTPClientResponse) throws -> Any { try JSONSerialization.jsonObject(with: response.body, options: [.fragmentsAllowed]) }
}

/// `../shared/okta/fixtures` relative to the repository.
enum Fixtures {
    /// `<repo>/../shared/okta/fixtures` (CI: a sibling of the clone); from a worktree one level deeper, `../../shared`.
    static var directory: URL {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for relative in ["../shared/okta/fixtures", "../../shared/okta/fixtures"] {
            let url = repo.appendingPathComponent(relative).standardizedFileURL
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        return repo.appendingPathComponent("../shared/okta/fixtures").standardizedFileURL
    }

    static func load(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent(name)), options: [.fragmentsAllowed])
    }

    /// A JSON type name; Foundation reports booleans as NSNumber, so tell them apart by CFBoolean identity.
    static func typeName(_ value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        case is String: return "string"
        case is [Any]: return "array"
        case is [String: Any]: return "object"
        case let n as NSNumber:
            return String(cString: n.objCType) == "c" ? "boolean" : "number"
        default: return "unknown"
        }
    }

    /// Differences in key sets and JSON types between a fixture and a simulated object (profile: open dictionary).
    static func differences(fixture: Any, simulated: Any, path: String = "$", openKeys: Set<String> = ["profile"]) -> [String] {
        if let f = fixture as? [String: Any], let s = simulated as? [String: Any] {
            var problems: [String] = []
            if Set(f.keys) != Set(s.keys) {
                problems.append("\(path): keys \(f.keys.sorted()) vs \(s.keys.sorted())")
            }
            for (key, value) in f where !openKeys.contains(key) {
                if let other = s[key] { problems += differences(fixture: value, simulated: other, path: "\(path).\(key)", openKeys: openKeys) }
            }
            return problems
        }
        if let f = fixture as? [Any], let s = simulated as? [Any] {
            guard let first = f.first, let other = s.first else { return [] }
            return differences(fixture: first, simulated: other, path: "\(path)[0]", openKeys: openKeys)
        }
        let ft = typeName(fixture), st = typeName(simulated)
        // Nullable timestamps (`activated`, `lastLogin`, …) are null or a string depending on the status.
        return ft == st || ft == "null" || st == "null" ? [] : ["\(path): \(ft) vs \(st)"]
    }
}
