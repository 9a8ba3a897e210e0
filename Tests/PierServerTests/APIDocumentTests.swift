import Foundation
import PierHTTP
import PierLogging
import PierServer
import PierSQLite
import PierStorage
import PierTestSupport
import Testing

/// Keeps `/openapi.json` complete: every mounted route is documented, and every documented path is
/// served by the route it names.
struct APIDocumentTests {
    /// The server's router (operations + API) and the API routes it registered.
    /// Builds the router over a throwaway database (nothing is queried), hands it to `body`, cleans up.
    func withRouter(_ body: (Router, [RegisteredRoute]) throws -> Void) async throws {
        let directory = try TemporaryDirectory.make(prefix: "pier-openapi")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try await SQLiteDatabase.open(path: directory.appendingPathComponent("pier.db").path, logger: .disabled())
        let store = SQLStore(database: database)
        let router = OperationsRoutes(health: store, metrics: HTTPMetrics()).makeRouter()
        let registered = APIRoutes(store: store).addRoutes(to: router)
        do {
            try body(router, registered)
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }

    var documented: Set<String> {
        Set(OpenAPIDocument.operations.map { "\($0.method.rawValue) \($0.path)" })
    }

    @Test func everyRegisteredRouteIsDocumented() async throws {
        let documented = documented
        try await withRouter { _, registered in
            #expect(registered.count >= 7)
            for route in registered {
                #expect(documented.contains(route.description), "\(route) is mounted but missing from /openapi.json")
            }
        }
    }

    @Test func everyDocumentedOperationIsServedByItsRoute() async throws {
        try await withRouter { router, _ in
        let responder = router.makeResponder()
        for operation in OpenAPIDocument.operations {
            let samplePath = operation.path.replacingOccurrences(of: "{id}", with: "sample-id")
            let endpoint = responder.endpoint(method: operation.method, path: samplePath)
            #expect(endpoint.routeTemplate == operation.path, "\(operation.method.rawValue) \(operation.path) is documented but not served")
        }
        // The public routes of DESIGN.md §5 are documented as public; everything else (the API and the
        // status page) needs a token.
        for operation in OpenAPIDocument.operations {
            #expect(operation.isPublic == ["/healthz", "/readyz", "/metrics", "/openapi.json"].contains(operation.path), "\(operation.path)")
        }
        }
    }

    @Test func documentDeclaresBearerSecurityAndTheErrorShape() throws {
        let document = try JSONSerialization.jsonObject(with: try OpenAPIDocument.make().encoded()) as? [String: Any]
        let components = try #require(document?["components"] as? [String: Any])
        let schemes = try #require(components["securitySchemes"] as? [String: Any])
        let bearer = try #require(schemes["bearerAuth"] as? [String: Any])
        #expect(bearer["scheme"] as? String == "bearer")
        let schemas = try #require(components["schemas"] as? [String: Any])
        for name in ["Error", "User", "Group", "UserList", "GroupList", "UserWithGroups", "Portal"] {
            #expect(schemas[name] != nil, "schema \(name)")
        }
        let paths = try #require(document?["paths"] as? [String: [String: Any]])
        for (path, item) in paths {
            for (method, operation) in item {
                let responses = (operation as? [String: Any])?["responses"] as? [String: Any] ?? [:]
                #expect(responses["default"] != nil, "\(method) \(path) lacks the default error response")
                if path.hasPrefix("/api/v1/") || path == "/" { #expect(responses["401"] != nil, "\(method) \(path) lacks 401") }
            }
        }
    }
}
