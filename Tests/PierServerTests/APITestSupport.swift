import Foundation
import PierCore
import PierHTTP
import PierLogging
import PierServer
import PierSQLite
import PierStorage
import Synchronization
import Testing

/// A running server plus a second connection to its database (to insert rows and create tokens), and a
/// recorder of every API response for validation against `/openapi.json`.
struct APIFixture: Sendable {
    let baseURL: String
    let store: SQLStore
    let token: String
    let recorder: ResponseRecorder

    /// Starts a server, opens its database, creates a token named `test`, runs `body`, then validates
    /// every recorded response against the served OpenAPI document.
    static func run(_ body: @Sendable (APIFixture) async throws -> Void) async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.withRunningServer { baseURL in
            let database = try await SQLiteDatabase.open(path: harness.databasePath, logger: .disabled())
            do {
                let store = SQLStore(database: database)
                let issued = try await APITokenIssuer(store: store).create(name: "test")
                let fixture = APIFixture(baseURL: baseURL, store: store, token: issued.token, recorder: ResponseRecorder())
                try await body(fixture)
                let document = try await get(baseURL + "/openapi.json")
                try SchemaValidation.validate(fixture.recorder.exchanges, document: document.body)
                await database.close()
            } catch {
                await database.close()
                throw error
            }
        }
    }

    /// Sends a request (with the fixture's token unless `token` says otherwise), records the exchange
    /// under the documented `template`, and returns status and parsed JSON body.
    @discardableResult
    func call(
        _ method: HTTPClientRequest.Method = .get, _ path: String, template: String? = nil, token: String?? = .none,
        headers: [(name: String, value: String)] = [], body: Data? = nil
    ) async throws -> APIReply {
        var allHeaders = headers
        let credential = token ?? self.token
        if let credential { allHeaders.append((name: "Authorization", value: "Bearer \(credential)")) }
        let response = try await client.execute(HTTPClientRequest(method: method, url: baseURL + path, headers: allHeaders, body: body))
        let reply = APIReply(response: response)
        let route = template ?? String(path.prefix { $0 != "?" })
        recorder.record(method: method.rawValue, template: route, reply: reply)
        return reply
    }

    /// Inserts a domain row (the sync engine's job in production).
    func insertDomain(_ id: String, orgID: String) async throws {
        let now = Date()
        try await store.createDirectory(DirectoryRecord(
            id: DirectoryID(id), domain: "\(id).okta.com", orgID: orgID, orgHost: "\(id).okta.com", apiTokenCiphertext: [1, 2, 3],
            apiTokenHint: "abcd", createdAt: now, updatedAt: now
        ))
    }

    /// Inserts a directory user row.
    func insertUser(
        _ id: String, domain: String, login: String, email: String? = nil, first: String? = nil, last: String? = nil,
        status: String = "active", oktaStatus: String = "ACTIVE"
    ) async throws {
        let now = Date()
        try await store.database.write { db in
            try db.execute("""
                INSERT INTO users (id, source, directory_id, okta_id, login, email, first_name, last_name, status, okta_status,
                    department, created_at, updated_at)
                VALUES (\(id), 'directory', \(domain), \("00u" + id), \(login), \(email), \(first), \(last), \(status), \(oktaStatus),
                    'Engineering', \(now), \(now))
                """)
        }
    }

    /// Inserts a group row with members.
    func insertGroup(_ id: String, domain: String, name: String, type: String = "OKTA_GROUP", members: [String] = []) async throws {
        let now = Date()
        try await store.database.write { db in
            try db.execute("""
                INSERT INTO groups (id, directory_id, okta_id, name, description, type, created_at, updated_at)
                VALUES (\(id), \(domain), \("00g" + id), \(name), \("About " + name), \(type), \(now), \(now))
                """)
            for member in members {
                try db.execute("INSERT INTO group_members (group_id, user_id) VALUES (\(id), \(member))")
            }
        }
    }
}

/// A response as the tests look at it.
struct APIReply: Sendable {
    let status: Int
    let headers: [(name: String, value: String)]
    let body: Data

    init(response: HTTPClientResponse) {
        status = response.status
        headers = response.headers
        body = response.body
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
    }

    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    var errorDetails: [String: String] { (json["error"] as? [String: Any])?["details"] as? [String: String] ?? [:] }
    var items: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }
    var nextCursor: String? { json["nextCursor"] as? String }
    func itemValues(_ key: String) -> [String] { items.compactMap { $0[key] as? String } }
}

/// Every exchange of a test, for validation against the OpenAPI document.
final class ResponseRecorder: Sendable {
    struct Exchange: Sendable {
        var method: String
        var template: String
        var status: Int
        var contentType: String
        var body: Data
    }

    private let storage = Mutex<[Exchange]>([])

    func record(method: String, template: String, reply: APIReply) {
        let exchange = Exchange(
            method: method, template: template, status: reply.status, contentType: reply.header("Content-Type") ?? "", body: reply.body
        )
        storage.withLock { $0.append(exchange) }
    }

    var exchanges: [Exchange] { storage.withLock { $0 } }
}

/// Validates recorded responses against the schemas of the OpenAPI document with Python's
/// `jsonschema` (Draft 2020-12, OpenAPI 3.1's dialect) from the project's virtualenv. A missing
/// interpreter fails the test: it never skips.
enum SchemaValidation {
    static var python: String {
        if let configured = ProcessInfo.processInfo.environment["PIER_TEST_PYTHON"], !configured.isEmpty { return configured }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repository.appendingPathComponent(".venv/bin/python").path
    }

    static let script = #"""
        import json, sys
        from jsonschema import Draft202012Validator
        document = json.load(open(sys.argv[1]))
        exchanges = json.load(open(sys.argv[2]))
        components = document["components"]
        for name, schema in components["schemas"].items():
            Draft202012Validator.check_schema(schema)
        failures = []
        for exchange in exchanges:
            where = "%s %s -> %d" % (exchange["method"], exchange["template"], exchange["status"])
            operation = document["paths"].get(exchange["template"], {}).get(exchange["method"].lower())
            if operation is None:
                failures.append(where + ": operation not documented"); continue
            responses = operation["responses"]
            response = responses.get(str(exchange["status"])) or responses.get("default")
            if response is None:
                failures.append(where + ": status not documented"); continue
            content = response.get("content", {})
            media = exchange["contentType"].split(";")[0].strip()
            if media not in content:
                failures.append(where + ": content type %r not documented (%s)" % (media, list(content))); continue
            if media != "application/json":
                continue
            schema = dict(content[media]["schema"]); schema["components"] = components
            body = json.loads(exchange["body"])
            for error in Draft202012Validator(schema).iter_errors(body):
                failures.append(where + ": " + error.message + " at " + "/".join(map(str, error.absolute_path)))
        print("validated %d responses" % len(exchanges))
        if failures:
            print("\n".join(failures)); sys.exit(1)
        """#

    static func validate(_ exchanges: [ResponseRecorder.Exchange], document: Data) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pier-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let documentURL = directory.appendingPathComponent("openapi.json")
        let exchangesURL = directory.appendingPathComponent("exchanges.json")
        let scriptURL = directory.appendingPathComponent("validate.py")
        try document.write(to: documentURL)
        let list: [[String: Any]] = exchanges.map { exchange in
            ["method": exchange.method, "template": exchange.template, "status": exchange.status,
             "contentType": exchange.contentType, "body": String(decoding: exchange.body, as: UTF8.self)]
        }
        try JSONSerialization.data(withJSONObject: list).write(to: exchangesURL)
        try Data(script.utf8).write(to: scriptURL)

        let interpreter = python
        #expect(FileManager.default.isExecutableFile(atPath: interpreter), "no Python at \(interpreter): run scripts/bootstrap or set PIER_TEST_PYTHON")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = [scriptURL.path, documentURL.path, exchangesURL.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "schema validation failed:\n\(text)")
        #expect(exchanges.count > 0)
    }
}
