import Foundation
import PierHTTP
import PierLogging
import Testing

struct RouterTests {
    func body(_ response: Response) -> String { String(decoding: response.body, as: UTF8.self) }

    func makeRouter() -> Router {
        let router = Router()
        router.get("/api/v1/domains") { _, _ in .text("list") }
        router.post("/api/v1/domains") { _, _ in .text("create") }
        router.get("/api/v1/domains/{id}") { _, context in .text("show \(context.parameters["id"]!)") }
        router.get("/api/v1/domains/preview") { _, _ in .text("static wins") }
        router.get("/api/v1/domains/{id}/sync-runs/{run}") { request, context in
            .text("\(request.parameters["id"]!)/\(context.parameters["run"]!) \(context.routeTemplate!)")
        }
        return router
    }

    @Test(arguments: [
        ("GET", "/api/v1/domains", 200, "list"),
        ("POST", "/api/v1/domains", 200, "create"),
        ("GET", "/api/v1/domains/", 200, "list"),
        ("GET", "/api/v1/domains/d1", 200, "show d1"),
        ("GET", "/api/v1/domains/preview", 200, "static wins"),
        ("GET", "/api/v1/domains/d1/sync-runs/r9", 200, "d1/r9 /api/v1/domains/{id}/sync-runs/{run}"),
        ("HEAD", "/api/v1/domains/d1", 200, "show d1"),
        // Not the canonical spelling, so not in the exact table: the trie walk skips empty segments.
        ("GET", "//api//v1/domains", 200, "list"),
        ("GET", "/api/v1/domains/d1/", 200, "show d1"),
        ("GET", "/api/v1/domains//d1/sync-runs//r9/", 200, "d1/r9 /api/v1/domains/{id}/sync-runs/{run}"),
    ])
    func matches(method: String, path: String, status: Int, text: String) async {
        let response = await makeRouter().makeResponder().respond(to: Request(method: HTTPMethod(rawValue: method), path: path))
        #expect(response.status.code == status)
        #expect(body(response) == text)
    }

    @Test func unknownPathIs404JSON() async throws {
        let responder = makeRouter().makeResponder()
        for path in ["/nope", "/api/v1", "/api/v1/domains/d1/other", "/api/v1/domains/d1/sync-runs"] {
            let response = await responder.respond(to: Request(method: .get, path: path))
            #expect(response.status == .notFound, "\(path)")
            let json = try JSONSerialization.jsonObject(with: response.body) as? [String: [String: Any]]
            #expect(json?["error"]?["code"] as? String == "not_found")
        }
    }

    @Test func wrongMethodIs405WithAllow() async {
        let responder = makeRouter().makeResponder()
        let response = await responder.respond(to: Request(method: .delete, path: "/api/v1/domains"))
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers["Allow"] == "GET, HEAD, POST")
        #expect(body(response).contains("method_not_allowed"))
        #expect(responder.endpoint(method: .delete, path: "/api/v1/domains/x").routeTemplate == "/api/v1/domains/{id}")
    }

    @Test func endpointCarriesTemplateParametersAndBodyLimit() {
        let router = Router()
        router.group("/api").group("v1").post("/items/{id}", maxBodyBytes: 42) { _, _ in Response() }
        let endpoint = router.makeResponder().endpoint(method: .post, path: "/api/v1/items/7")
        #expect(endpoint.routeTemplate == "/api/v1/items/{id}")
        #expect(endpoint.parameters["id"] == "7")
        #expect(endpoint.maxBodyBytes == 42)
        #expect(router.makeResponder().endpoint(method: .get, path: "/zzz").maxBodyBytes == nil)
    }

    struct Tag: Middleware {
        let name: String
        func handle(_ request: Request, context: RequestContext, next: Handler) async throws -> Response {
            var response = try await next(request, context)
            response.headers.append(name: "X-Tag", value: name)
            return response
        }
    }

    @Test func groupMiddlewareAppliesOnlyToItsRoutesInsideOuterMiddleware() async {
        let router = Router()
        router.add(middleware: Tag(name: "root"))
        let api = router.group("/api").add(middleware: Tag(name: "api"))
        api.get("/a") { _, _ in Response() }
        api.group("/admin").add(middleware: Tag(name: "admin")).get("/b") { _, _ in Response() }
        router.get("/c") { _, _ in Response() }
        let responder = router.makeResponder()
        let a = await responder.respond(to: Request(method: .get, path: "/api/a"))
        let b = await responder.respond(to: Request(method: .get, path: "/api/admin/b"))
        let c = await responder.respond(to: Request(method: .get, path: "/c"))
        let missing = await responder.respond(to: Request(method: .get, path: "/api/zzz"))
        #expect(a.headers.values(for: "X-Tag") == ["api", "root"])
        #expect(b.headers.values(for: "X-Tag") == ["admin", "api", "root"])
        #expect(c.headers.values(for: "X-Tag") == ["root"])
        #expect(missing.status == .notFound)
    }

    @Test func synchronousRoutesUseTheFastPathOnlyWithSynchronousMiddleware() {
        let router = Router()
        router.add(middleware: RequestIDMiddleware()).add(middleware: ErrorMiddleware())
        router.getSync("/fast") { _, _ in .text("fast") }
        router.group("/slow").add(middleware: Tag(name: "async")).getSync("/x") { _, _ in .text("x") }
        router.get("/async") { _, _ in .text("async") }
        let responder = router.makeResponder()
        func isSync(_ path: String) -> Bool {
            if case .synchronous = responder.endpoint(method: .get, path: path).run { return true }
            return false
        }
        #expect(isSync("/fast"))
        #expect(!isSync("/slow/x"))
        #expect(!isSync("/async"))
    }

    @Test func parametersConvert() throws {
        let parameters = RouteParameters([("n", "12"), ("s", "x")])
        #expect(try parameters.require("n", as: Int.self) == 12)
        #expect(throws: HTTPError.self) { try parameters.require("s", as: Int.self) }
        #expect(throws: HTTPError.self) { try parameters.require("missing") }
    }

    @Test func queryParsingDecodes() {
        let items = Request.parseQuery("a=1&b=x%20y+z&flag&c=&a=2")
        #expect(items == [
            .init(name: "a", value: "1"), .init(name: "b", value: "x y z"), .init(name: "flag", value: nil),
            .init(name: "c", value: ""), .init(name: "a", value: "2"),
        ])
    }

    @Test func fieldsAreCaseInsensitiveAndKeepRepeats() {
        var fields = HTTPFields()
        fields.append(name: "Link", value: "a")
        fields.append(name: "link", value: "b")
        #expect(fields["LINK"] == "a")
        #expect(fields.values(for: "link") == ["a", "b"])
        fields["Link"] = "c"
        #expect(fields.values(for: "link") == ["c"])
    }

    @Test func settingAFieldReplacesTheFirstInPlaceAndDropsTheRepeats() {
        var fields: HTTPFields = ["A": "1", "X": "x"]
        fields.append(name: "a", value: "2")
        fields.append(name: "Y", value: "y")
        fields.append(name: "A", value: "3")
        let shared = fields
        fields["a"] = "z"
        #expect(fields.map { "\($0.name)=\($0.value)" } == ["a=z", "X=x", "Y=y"])
        #expect(shared.values(for: "a") == ["1", "2", "3"], "a copy keeps its own fields")
        fields["New"] = "n"
        #expect(fields.map(\.name) == ["a", "X", "Y", "New"])
        fields["A"] = nil
        #expect(fields.map(\.name) == ["X", "Y", "New"])
        fields["missing"] = nil
        #expect(fields.count == 3)
        #expect(HTTPFields(minimumCapacity: 16).count == 0)
        #expect(HTTPStatus(code: 413).reasonPhrase == "Content Too Large")
        #expect(HTTPStatus.notFound.description == "404 Not Found")
    }
}
