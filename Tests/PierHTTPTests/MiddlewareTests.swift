import Foundation
import PierHTTP
import PierLogging
import Testing

struct MiddlewareTests {
    struct Payload: Codable, Sendable, Equatable {
        var name: String
        var count: Int
    }

    func standardRouter(metrics: HTTPMetrics = HTTPMetrics()) -> Router {
        let router = Router()
        router.add(middleware: RequestIDMiddleware())
            .add(middleware: MetricsMiddleware(metrics: metrics))
            .add(middleware: AccessLogMiddleware())
            .add(middleware: ErrorMiddleware())
        return router
    }

    @Test func requestIDIsAdoptedWhenSaneAndGeneratedOtherwise() async {
        let router = standardRouter()
        router.get("/id") { request, context in .text("\(request.id)|\(context.requestID)|\(context.logger[metadataKey: "request.id"] ?? "")") }
        let responder = router.makeResponder()
        let adopted = await responder.respond(to: Request(method: .get, path: "/id", headers: ["X-Request-Id": "client-42"]))
        #expect(adopted.headers["X-Request-Id"] == "client-42")
        #expect(String(decoding: adopted.body, as: UTF8.self) == "client-42|client-42|client-42")
        let rejected = await responder.respond(to: Request(method: .get, path: "/id", headers: ["X-Request-Id": "bad id\r\nx"]))
        let generated = rejected.headers["X-Request-Id"] ?? ""
        #expect(!generated.isEmpty && generated != "bad id\r\nx")
        let notFound = await responder.respond(to: Request(method: .get, path: "/missing"))
        #expect(notFound.headers["X-Request-Id"] != nil)
    }

    @Test func generatedRequestIDsAreShortUniqueAndHeaderSafe() async {
        let router = standardRouter()
        router.get("/id") { request, _ in .text(request.id) }
        let responder = router.makeResponder()
        var seen = Set<String>()
        // 1,100 ids: the counter part grows from one base-32 digit to three.
        for _ in 0..<1_100 {
            let id = String(decoding: await responder.respond(to: Request(method: .get, path: "/id")).body, as: UTF8.self)
            #expect(id.utf8.count <= 15, "\(id)")
            #expect(id.utf8.allSatisfy { $0 == UInt8(ascii: "-") || (48...57).contains($0) || (97...118).contains($0) }, "\(id)")
            #expect(id.split(separator: "-").count == 2 && id.split(separator: "-")[0].count == 6, "\(id)")
            seen.insert(id)
        }
        #expect(seen.count == 1_100)
        #expect(Set(seen.map { $0.prefix(6) }).count == 1, "one prefix per process")
    }

    @Test func accessLogRecordsTemplateStatusAndIDButNoSecrets() async throws {
        let logs = InMemoryLogHandler()
        let router = standardRouter()
        router.post("/things/{id}") { _, _ in Response(status: .created) }
        _ = await router.makeResponder().respond(
            to: Request(method: .post, path: "/things/7", headers: ["Authorization": "Bearer s3cret", "X-Request-Id": "r-1"],
                        body: Data("password=hunter2".utf8)),
            logger: Logger(label: "test", handler: logs)
        )
        let record = try #require(logs.records.first { $0.message == "request" })
        #expect(record.metadata["http.method"] == "POST")
        #expect(record.metadata["http.route"] == "/things/{id}")
        #expect(record.metadata["http.status"] == "201")
        #expect(record.metadata["request.id"] == "r-1")
        #expect(Double(record.metadata["http.duration_ms"] ?? "") != nil)
        #expect(!logs.renderedText.contains("s3cret"))
        #expect(!logs.renderedText.contains("hunter2"))
    }

    @Test func metricsUseTemplatesAndRenderPrometheusText() async {
        let metrics = HTTPMetrics(buckets: [0.1, 1])
        let router = standardRouter(metrics: metrics)
        router.get("/items/{id}") { _, _ in .text("ok") }
        router.get("/fail") { _, _ in throw HTTPError(.conflict, code: "conflict", message: "no") }
        let responder = router.makeResponder()
        for path in ["/items/1", "/items/2", "/fail", "/unknown/path"] {
            _ = await responder.respond(to: Request(method: .get, path: path))
        }
        #expect(metrics.requestCount(method: "GET", route: "/items/{id}", status: 200) == 2)
        let text = metrics.prometheusText()
        #expect(text.contains("# TYPE http_requests_total counter"))
        #expect(text.contains(#"http_requests_total{method="GET",route="/items/{id}",status="200"} 2"#))
        #expect(text.contains(#"http_requests_total{method="GET",route="/fail",status="409"} 1"#))
        #expect(text.contains(#"http_requests_total{method="GET",route="unmatched",status="404"} 1"#))
        #expect(text.contains(#"http_request_duration_seconds_bucket{method="GET",route="/items/{id}",status="200",le="+Inf"} 2"#))
        #expect(text.contains(#"http_request_duration_seconds_count{method="GET",route="/items/{id}",status="200"} 2"#))
        #expect(!text.contains("/items/1"))
    }

    @Test func httpResponseErrorBecomesItsStatusAndJSON() async throws {
        struct Quota: HTTPResponseError {
            var status: HTTPStatus { .tooManyRequests }
            var code: String { "rate_limited" }
            var message: String { "Slow down." }
            var headers: HTTPFields { ["Retry-After": "3"] }
        }
        let router = standardRouter()
        router.get("/q") { _, _ in throw Quota() }
        let response = await router.makeResponder().respond(to: Request(method: .get, path: "/q"))
        #expect(response.status.code == 429)
        #expect(response.headers["Retry-After"] == "3")
        let json = try JSONSerialization.jsonObject(with: response.body) as? [String: [String: String]]
        #expect(json == ["error": ["code": "rate_limited", "message": "Slow down."]])
    }

    @Test func otherErrorsBecomeOpaque500WithLoggedReference() async throws {
        struct DatabaseExploded: Error { let sql = "SELECT secret FROM vault" }
        let logs = InMemoryLogHandler()
        let router = standardRouter()
        router.get("/x") { _, _ in throw DatabaseExploded() }
        let response = await router.makeResponder().respond(to: Request(method: .get, path: "/x"), logger: Logger(label: "t", handler: logs))
        #expect(response.status == .internalServerError)
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(!text.contains("vault") && !text.contains("DatabaseExploded"))
        let json = try JSONSerialization.jsonObject(with: response.body) as? [String: [String: String]]
        #expect(json?["error"]?["code"] == "internal")
        let reference = try #require(json?["error"]?["message"]?.split(separator: " ").last.map(String.init))
        let logged = try #require(logs.records.first { $0.metadata["error.id"] == reference })
        #expect(logged.level == .error)
        #expect(logged.metadata["error"]?.contains("vault") == true)
        #expect(logged.metadata["request.id"] == response.headers["X-Request-Id"])
    }

    @Test func decodeJSONChecksMediaTypeAndReportsProblems() throws {
        let good = Request(method: .post, path: "/", headers: ["Content-Type": "application/json; charset=utf-8"], body: Data(#"{"name":"a","count":2}"#.utf8))
        #expect(try good.decodeJSON(Payload.self) == Payload(name: "a", count: 2))

        let wrongType = Request(method: .post, path: "/", headers: ["Content-Type": "text/plain"], body: good.body)
        let unsupported = try #require(throws: HTTPError.self) { try wrongType.decodeJSON(Payload.self) }
        #expect(unsupported.status.code == 415 && unsupported.code == "unsupported_media_type")

        let garbage = Request(method: .post, path: "/", headers: ["Content-Type": "application/json"], body: Data("{nope".utf8))
        let invalid = try #require(throws: HTTPError.self) { try garbage.decodeJSON(Payload.self) }
        #expect(invalid.status.code == 400 && invalid.code == "invalid_request")
        #expect(invalid.message == "The request body is not valid JSON.")

        let missing = Request(method: .post, path: "/", headers: ["Content-Type": "application/json"], body: Data(#"{"name":"a"}"#.utf8))
        #expect((try? missing.decodeJSON(Payload.self)) == nil)
        let missingError = try #require(throws: HTTPError.self) { try missing.decodeJSON(Payload.self) }
        #expect(missingError.message == "Missing field 'count' in the request body.")

        let wrong = Request(method: .post, path: "/", headers: ["Content-Type": "application/json"], body: Data(#"{"name":"a","count":"x"}"#.utf8))
        let wrongError = try #require(throws: HTTPError.self) { try wrong.decodeJSON(Payload.self) }
        #expect(wrongError.message.hasPrefix("Field 'count' has the wrong type"))
    }

    enum UserKey: RequestContextKey { typealias Value = String }

    struct FakeAuth: Middleware {
        func handle(_ request: Request, context: RequestContext, next: Handler) async throws -> Response {
            guard request.headers["Authorization"] == "Bearer ok" else {
                throw HTTPError(.unauthorized, code: "unauthorized", message: "Missing or invalid token.")
            }
            var context = context
            context[UserKey.self] = "admin"
            return try await next(request, context)
        }
    }

    @Test func contextStorageCarriesMiddlewareFactsToHandlers() async {
        let router = standardRouter()
        router.group("/api").add(middleware: FakeAuth()).get("/me") { _, context in .text(try context.require(UserKey.self)) }
        router.get("/forgot") { _, context in .text(try context.require(UserKey.self)) }
        let responder = router.makeResponder()
        let ok = await responder.respond(to: Request(method: .get, path: "/api/me", headers: ["Authorization": "Bearer ok"]))
        let denied = await responder.respond(to: Request(method: .get, path: "/api/me"))
        let miswired = await responder.respond(to: Request(method: .get, path: "/forgot"))
        #expect(String(decoding: ok.body, as: UTF8.self) == "admin")
        #expect(denied.status == .unauthorized)
        #expect(miswired.status == .internalServerError)
    }
}
