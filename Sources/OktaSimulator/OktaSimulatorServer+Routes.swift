import Foundation
import PierHTTP
import Synchronization

extension OktaSimulatorServer {
    func listQuery(_ request: Request) -> ListQuery {
        ListQuery(path: request.path, items: request.query.map { (name: $0.name, value: $0.value ?? "") })
    }

    func uri(_ request: Request) -> String {
        let query = request.query.map { "\(ListQuery.formEncode($0.name))=\(ListQuery.formEncode($0.value ?? ""))" }.joined(separator: "&")
        return query.isEmpty ? request.path : "\(request.path)?\(query)"
    }

    func addRoutes(to router: Router) {

        router.getSync("/.well-known/okta-organization") { [self] _, _ in
            let (orgID, url) = try withOrg { ($0.orgID, $0.base) }
            return response(.json(.object(JSONObject([
                "id": .string(orgID), "pipeline": .string("idx"),
                "_links": .object(JSONObject([
                    "organization": .object(JSONObject(["href": .string(url)])),
                    "alternate": .object(JSONObject(["href": .string(url)])),
                ])),
            ]))))
        }

        let api = router.group("/api/v1")
        // MARK: Users
        api.getSync("/users") { [self] request, _ in
            let caller = try authenticate(request)
            let query = listQuery(request)
            return response(try withOrg { try $0.listUsers(query, caller: caller) })
        }
        api.onSync(.post, "/users") { [self] request, _ in
            let caller = try authenticate(request, write: true)
            let activate = request.queryValue("activate")?.lowercased() != "false"
            let t = self.now, u = uri(request)
            return response(try withOrg { try $0.createUser(body: request.body, activate: activate, caller: caller, uri: u, now: t) })
        }
        api.getSync("/users/{userId}") { [self] request, _ in
            let caller = try authenticate(request)
            let id = try request.parameters.require("userId")
            return response(try withOrg { try $0.getUser(id, caller: caller) })
        }
        for (method, replace) in [(HTTPMethod.put, true), (HTTPMethod.post, false)] {
            api.onSync(method, "/users/{userId}") { [self] request, _ in
                let caller = try authenticate(request, write: true)
                let id = try request.parameters.require("userId")
                let t = self.now, u = uri(request)
                return response(try withOrg { try $0.updateUser(id, body: request.body, replace: replace, caller: caller, uri: u, now: t) })
            }
        }
        api.onSync(.delete, "/users/{userId}") { [self] request, _ in
            let caller = try authenticate(request, write: true)
            let id = try request.parameters.require("userId")
            let t = self.now, u = uri(request)
            return response(try withOrg { try $0.deleteUserRequest(id, caller: caller, uri: u, now: t) })
        }
        api.getSync("/users/{userId}/groups") { [self] request, _ in
            let caller = try authenticate(request)
            let id = try request.parameters.require("userId")
            return response(try withOrg { try $0.userGroupsReply(id, caller: caller) })
        }
        api.onSync(.post, "/users/{userId}/lifecycle/{operation}") { [self] request, _ in
            let caller = try authenticate(request, write: true)
            let id = try request.parameters.require("userId"), operation = try request.parameters.require("operation")
            let sendEmail = request.queryValue("sendEmail")?.lowercased() != "false"
            let t = self.now, u = uri(request)
            return response(try withOrg { try $0.lifecycle(id, operation: operation, sendEmail: sendEmail, caller: caller, uri: u, now: t) })
        }

        // MARK: Groups
        api.getSync("/groups") { [self] request, _ in
            let caller = try authenticate(request)
            let query = listQuery(request)
            return response(try withOrg { try $0.listGroups(query, caller: caller) })
        }
        api.onSync(.post, "/groups") { [self] request, _ in
            let caller = try authenticate(request, write: true)
            let t = self.now, u = uri(request)
            return response(try withOrg { try $0.createGroup(body: request.body, caller: caller, uri: u, now: t) })
        }
        api.getSync("/groups/{groupId}") { [self] request, _ in
            let caller = try authenticate(request)
            let id = try request.parameters.require("groupId")
            let stats = request.queryValue("expand")?.contains("stats") ?? false
            return response(try withOrg { try $0.getGroup(id, expandStats: stats, caller: caller) })
        }
        api.onSync(.put, "/groups/{groupId}") { [self] request, _ in
            let caller = try authenticate(request, write: true)
            let id = try request.parameters.require("groupId")
            let t = self.now, u = uri(request)
            return response(try withOrg { try $0.replaceGroup(id, body: request.body, caller: caller, uri: u, now: t) })
        }
        api.onSync(.delete, "/groups/{groupId}") { [self] request, _ in
            let caller = try authenticate(request, write: true)
            let id = try request.parameters.require("groupId")
            let t = self.now, u = uri(request)
            return response(try withOrg { try $0.deleteGroup(id, caller: caller, uri: u, now: t) })
        }
        api.getSync("/groups/{groupId}/users") { [self] request, _ in
            let caller = try authenticate(request)
            let id = try request.parameters.require("groupId")
            let query = listQuery(request)
            return response(try withOrg { try $0.listMembers(id, query: query, caller: caller) })
        }
        for (method, add) in [(HTTPMethod.put, true), (HTTPMethod.delete, false)] {
            api.onSync(method, "/groups/{groupId}/users/{userId}") { [self] request, _ in
                let caller = try authenticate(request, write: true)
                let gid = try request.parameters.require("groupId"), uid = try request.parameters.require("userId")
                let t = self.now, u = uri(request)
                return response(try withOrg { try $0.changeMembership(gid, userID: uid, add: add, caller: caller, uri: u, now: t) })
            }
        }

        // MARK: System Log
        api.getSync("/logs") { [self] request, _ in
            _ = try authenticate(request)
            let query = listQuery(request)
            let t = self.now
            return response(try withOrg { try $0.listLogs(query, now: t) })
        }

        addAppRoutes(to: api)
        addOIDCRoutes(to: router)
        addControlRoutes(to: router)
    }

    // MARK: - Control API (/__sim/)

    func addControlRoutes(to router: Router) {
        let control = router.group("/__sim")
        @Sendable func check(_ request: Request) -> Response? {
            guard let expected = self.configuration.controlToken,
                  request.headers["Authorization"] == "Bearer \(expected)" else {
                return Response(status: .unauthorized, headers: ["Content-Type": "application/json"],
                                body: Data(#"{"error":"unauthorized"}"#.utf8))
            }
            return nil
        }
        @Sendable func ok(_ json: JSON = .object(JSONObject(["ok": .bool(true)]))) -> Response {
            Response(status: .ok, headers: ["Content-Type": "application/json"], body: json.data)
        }
        @Sendable func bad(_ message: String) -> Response {
            Response(status: .badRequest, headers: ["Content-Type": "application/json"],
                     body: JSON.object(JSONObject(["error": .string(message)])).data)
        }
        control.onSync(.post, "/faults") { [self] request, _ in
            if let denied = check(request) { return denied }
            do {
                guard let object = try JSONParser.parse(request.body).objectValue else { return bad("body must be an object") }
                faults.add(try Fault.parse(object))
                return ok(.object(JSONObject(["ok": .bool(true), "pending": .int(faults.pending)])))
            } catch let error as OktaAPIError {
                return bad(error.causes.first ?? error.summary)
            } catch {
                return bad("body is not JSON")
            }
        }
        control.onSync(.delete, "/faults") { [self] request, _ in
            if let denied = check(request) { return denied }
            faults.clear()
            return ok()
        }
        control.onSync(.put, "/rate-limits") { [self] request, _ in
            if let denied = check(request) { return denied }
            guard let object = (try? JSONParser.parse(request.body))?.objectValue else { return bad("body is not a JSON object") }
            var profile: OktaSimulator.RateLimitProfile?
            if let text = object["profile"]?.stringValue {
                guard let p = OktaSimulator.RateLimitProfile(rawValue: text) else { return bad("profile is none or okta-default") }
                profile = p
            }
            limiter.configure { settings in
                if let profile { settings.profile = profile }
                if case .int(let w)? = object["windowSeconds"] { settings.windowSeconds = max(1, w) }
                if let buckets = object["buckets"]?.objectValue {
                    settings.overrides = [:]
                    for (key, value) in buckets.pairs { if case .int(let n) = value { settings.overrides[key] = n } }
                }
                if case .int(let n)? = object["concurrency"] { settings.concurrency = n }
            }
            return ok()
        }
        control.onSync(.post, "/tokens/revoke") { [self] request, _ in
            if let denied = check(request) { return denied }
            guard let token = (try? JSONParser.parse(request.body))?["token"]?.stringValue else { return bad("token is required") }
            revoked.withLock { _ = $0.insert(token) }
            return ok()
        }
        control.onSync(.post, "/keys/rotate") { [self] request, _ in
            if let denied = check(request) { return denied }
            do {
                let kid = try rotateSigningKey()
                return ok(.object(JSONObject(["ok": .bool(true), "kid": .string(kid)])))
            } catch {
                return Response(status: .internalServerError, headers: ["Content-Type": "application/json"],
                                body: Data(#"{"error":"key generation failed"}"#.utf8))
            }
        }
        control.onSync(.post, "/reset") { [self] request, _ in
            if let denied = check(request) { return denied }
            faults.clear()
            revoked.withLock { $0.removeAll() }
            oidc.withLock { $0.sessions = [:]; $0.codes = [:]; $0.accessTokens = [:] }
            limiter.reset(settings: Self.rateSettings(configuration))
            reseed()
            return ok()
        }
        control.getSync("/stats") { [self] request, _ in
            if let denied = check(request) { return denied }
            return ok(limiter.stats)
        }
    }
}
