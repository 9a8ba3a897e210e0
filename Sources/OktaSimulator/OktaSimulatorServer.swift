public import PierLogging
import Foundation
import PierHTTP
import Synchronization

/// A running simulated Okta org on ``PierHTTP/HTTPServer``.
///
/// ```swift
/// let server = OktaSimulatorServer(configuration: configuration, logger: logger)
/// let port = try server.start()      // binds, seeds the org, serves
/// print(server.baseURL)              // http://127.0.0.1:<port> unless an issuer is configured
/// await server.shutdown()
/// ```
///
/// Every management-API response carries `Date`, `X-Okta-Request-Id` and `X-Rate-Limit-*`; list
/// pages are concatenations of pre-encoded user/group bytes and run on the I/O thread.
public final class OktaSimulatorServer: Sendable {
    /// The configuration this server was created with.
    public let configuration: OktaSimulator.Configuration
    let logger: Logger
    let org = Mutex<OrgState?>(nil)
    let limiter: RateLimiter
    let faults = FaultTable()
    let revoked = Mutex<Set<String>>([])
    let oidc = Mutex(OIDCState())
    private let server = Mutex<HTTPServer?>(nil)
    private let base = Mutex<String>("")
    private let errorIDs = Mutex(SeededGenerator(seed: 42))

    /// Creates a server; nothing is seeded or bound until ``start()``.
    ///
    /// - Parameters:
    ///   - configuration: Listen address, seed, tokens, rate limits, behaviours.
    ///   - logger: Receives server events.
    public init(configuration: OktaSimulator.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        limiter = RateLimiter(settings: Self.rateSettings(configuration))
    }

    static func rateSettings(_ c: OktaSimulator.Configuration) -> RateLimiter.Settings {
        RateLimiter.Settings(
            profile: c.rateLimitProfile, windowSeconds: c.rateLimitWindowSeconds, concurrency: nil,
            membersShareGroupBucket: c.behaviour.membersShareGroupBucket
        )
    }

    /// The org URL used in links (`--issuer`, or `http://host:port`).
    public var baseURL: String { base.withLock { $0 } }

    /// Seconds spent seeding the org at the last start or reset.
    public var seedSeconds: Double { seedDuration.withLock { $0 } }
    private let seedDuration = Mutex<Double>(0)

    /// Binds the listener, seeds the org, and serves.
    ///
    /// - Returns: The bound port.
    /// - Throws: ``PierHTTP/HTTPServerError`` when the address cannot be bound.
    @discardableResult
    public func start() throws -> Int {
        let router = Router()
        addRoutes(to: router)
        let responder = SimulatorResponder(inner: router.makeResponder(), simulator: self)
        let http = HTTPServer(
            configuration: .init(
                host: configuration.host, port: configuration.port,
                threadCount: configuration.threadCount ?? HTTPServer.Configuration.defaultThreadCount
            ),
            responder: responder, logger: logger
        )
        let port = try http.start()
        server.withLock { $0 = http }
        let url = configuration.issuer.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
            ?? "http://\(configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host):\(port)"
        base.withLock { $0 = url }
        reseed()
        logger.info("okta simulator listening", metadata: ["okta.sim.url": url, "okta.sim.users": String(configuration.users)])
        return port
    }

    func reseed() {
        let started = ContinuousClock.now
        let state = OrgState.seeded(
            userCount: configuration.users, groupCount: configuration.groups, seed: configuration.seed, base: baseURL,
            password: configuration.userPassword, behaviour: configuration.behaviour
        )
        org.withLock { $0 = state }
        let elapsed = ContinuousClock.now - started
        seedDuration.withLock { $0 = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18 }
    }

    /// Stops serving (in-flight requests finish first).
    public func shutdown() async {
        let http = server.withLock { $0 }
        await http?.shutdown()
    }

    // MARK: - Facts for tests and the CLI

    /// The seeded org's counts: users (all statuses), groups, memberships outside Everyone, largest group.
    public var summary: (users: Int, groups: Int, memberships: Int, largestGroup: Int, orgID: String) {
        org.withLock { state in
            guard let state else { return (0, 0, 0, 0, "") }
            let sizes = state.members.values.map(\.count)
            return (state.users.count, state.groups.count, sizes.reduce(0, +), sizes.max() ?? 0, state.orgID)
        }
    }

    /// The id of the token's admin user (`/api/v1/users/me`).
    public var adminUserID: String { org.withLock { $0?.adminUserID ?? "" } }

    /// Group ids in listing order (case-insensitive name), Everyone included.
    public var groupIDs: [String] { org.withLock { $0?.groupOrder.map(OrgState.groupID(fromSortKey:)) ?? [] } }

    /// User ids sorted, every status included.
    public var userIDs: [String] { org.withLock { $0?.userIDs ?? [] } }

    /// Status of every user, by id.
    public var userStatuses: [String: String] { org.withLock { $0?.users.mapValues(\.status.rawValue) ?? [:] } }

    /// A user's `profile.login`, or "" when unknown.
    public func userLogin(_ id: String) -> String { org.withLock { $0?.users[id]?.login ?? "" } }

    /// Member ids of a group (Everyone: every user).
    public func memberIDs(of groupID: String) -> [String] { org.withLock { $0?.memberIDs(of: groupID) ?? [] } }

    /// Group types, by id.
    public var groupTypes: [String: String] { org.withLock { $0?.groups.mapValues(\.type.rawValue) ?? [:] } }

    // MARK: - Request plumbing

    var now: Timestamp { Timestamp(configuration.now()) }

    func makeErrorID() -> String {
        errorIDs.withLock { generator in
            var bytes: [UInt8] = Array("oae".utf8)
            for _ in 0..<22 { bytes.append(IDFactory.alphabet[generator.below(IDFactory.alphabet.count)]) }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The caller of an SSWS-authenticated request (REFERENCE §1.2/§1.3).
    func authenticate(_ request: Request, write: Bool = false) throws -> Caller {
        guard let header = request.headers["Authorization"]?.trimmingCharacters(in: .whitespaces), header.hasPrefix("SSWS") else {
            throw OktaAPIError.invalidSession
        }
        // Okta accepts `SSWS <token>` and the Python SDK's `SSWS<token>`.
        let token = header.dropFirst(4).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { throw OktaAPIError.invalidSession }
        if revoked.withLock({ $0.contains(token) }) { throw OktaAPIError.invalidToken }
        let caller: Caller
        if configuration.tokens.contains(token) {
            caller = Caller(role: .superAdmin, token: token)
        } else if configuration.readOnlyTokens.contains(token) {
            caller = Caller(role: .readOnly, token: token)
        } else if let scoped = configuration.groupAdminTokens.first(where: { $0.token == token }) {
            caller = Caller(role: .groupAdmin(resolveGroups(scoped.groups)), token: token)
        } else {
            throw OktaAPIError.invalidToken
        }
        if write, !caller.canWrite { throw OktaAPIError.accessDenied }
        return caller
    }

    private func resolveGroups(_ names: [String]) -> Set<String> {
        org.withLock { state in
            guard let state else { return [] }
            var result = Set<String>()
            for entry in names {
                if entry.hasPrefix("count:"), let n = Int(entry.dropFirst(6)) {
                    let okta = state.groupOrder.map(OrgState.groupID(fromSortKey:)).filter { state.groups[$0]?.type == .okta }
                    result.formUnion(okta.prefix(n))
                } else if state.groups[entry] != nil {
                    result.insert(entry)
                } else if let group = state.groups.values.first(where: { $0.name == entry }) {
                    result.insert(group.id)
                }
            }
            result.remove(state.everyoneID)
            return result
        }
    }

    /// Runs `body` on the org state under the lock.
    func withOrg<T: Sendable>(_ body: (inout OrgState) throws -> T) throws -> T {
        try org.withLock { state -> T in
            guard state != nil else { throw OktaAPIError.readOnlyMode }
            return try body(&state!)
        }
    }

    func response(_ reply: Reply) -> Response {
        var headers = HTTPFields()
        if let _ = reply.body {
            headers.append(name: "Content-Type", value: reply.status < 400 ? "application/json;charset=UTF-8" : "application/json")
        }
        for link in reply.links { headers.append(name: "Link", value: link) }
        return Response(status: HTTPStatus(code: reply.status), headers: headers, body: Data(reply.body ?? []))
    }

    func errorResponse(_ error: OktaAPIError) -> Response {
        response(Reply(status: error.status, body: error.body(errorID: makeErrorID()).encoded))
    }

    /// Applies a `mutate` fault: Okta changed between two pages.
    func apply(_ mutation: Fault.Mutation) {
        let now = self.now
        _ = try? withOrg { state in
            guard let target = mutation.target else { return }
            switch mutation.op {
            case "delete-user": state.deleteUser(target, now: now)
            case "set-status":
                if let status = mutation.status.flatMap(UserStatus.init(rawValue:)) { state.setStatus(target, status, now: now) }
            case "remove-member":
                if let group = mutation.group { _ = state.removeMember(target, from: group, now: now) }
            default: break
            }
        }
    }
}

/// Wraps the router: faults, rate limits, concurrency, Okta's common headers and error envelope.
struct SimulatorResponder: HTTPResponder {
    let inner: RouterResponder
    let simulator: OktaSimulatorServer

    func endpoint(method: HTTPMethod, path: String) -> HTTPEndpoint {
        let endpoint = inner.endpoint(method: method, path: path)
        if path.hasPrefix("/__sim") { return endpoint }
        let template = endpoint.routeTemplate ?? "(unmatched)"
        let fault = simulator.faults.take(method: method.rawValue, path: path)
        let simulator = self.simulator
        if let fault, fault.kind == .delay {
            let delay = fault.delayMs
            return HTTPEndpoint(
                maxBodyBytes: endpoint.maxBodyBytes, routeTemplate: endpoint.routeTemplate, parameters: endpoint.parameters,
                run: .asynchronous { request, context in
                    // Admitted before the delay: a request Okta is slow to answer is in flight all along and
                    // counts against the concurrency cap.
                    let decision = Self.admit(request, template: template, simulator: simulator)
                    try? await Task.sleep(for: .milliseconds(delay))
                    return Self.respond(request, context: context, endpoint: endpoint, decision: decision, fault: fault, simulator: simulator)
                }
            )
        }
        let run: SynchronousHandler = { request, context in
            let decision = Self.admit(request, template: template, simulator: simulator)
            return Self.respond(request, context: context, endpoint: endpoint, decision: decision, fault: fault, simulator: simulator)
        }
        return HTTPEndpoint(maxBodyBytes: endpoint.maxBodyBytes, routeTemplate: endpoint.routeTemplate, parameters: endpoint.parameters, run: .synchronous(run))
    }

    /// Counts the request against its rate-limit bucket and the concurrency cap; ``respond`` releases it.
    static func admit(_ request: Request, template: String, simulator: OktaSimulatorServer) -> RateLimiter.Decision {
        let now = Int64(simulator.configuration.now().timeIntervalSince1970)
        return simulator.limiter.admit(method: request.method.rawValue, template: template, now: now)
    }

    static func respond(
        _ request: Request, context: RequestContext, endpoint: HTTPEndpoint, decision: RateLimiter.Decision, fault: Fault?,
        simulator: OktaSimulatorServer
    ) -> Response {
        defer { simulator.limiter.finish() }
        let nowDate = simulator.configuration.now()
        var response: Response
        if !decision.allowed {
            response = simulator.errorResponse(.rateLimited)
        } else {
            switch fault?.kind {
            case .e500?: response = simulator.errorResponse(.internalError)
            case .e503?: response = simulator.errorResponse(.readOnlyMode)
            case .e429?: response = simulator.errorResponse(.rateLimited)
            case .reset?:
                // The connection is dropped without a reply (PierHTTP's Response.abortingConnection).
                return .abortingConnection
            case .html?:
                response = Response(
                    status: HTTPStatus(code: 200), headers: ["Content-Type": "text/html;charset=utf-8"],
                    body: Data("<!DOCTYPE html><html><head><title>Okta</title></head><body><h1>Page not found</h1></body></html>".utf8)
                )
            default:
                if let mutation = fault?.mutation { simulator.apply(mutation) }
                response = run(endpoint, request: request, context: context, simulator: simulator)
                if fault?.kind == .truncate {
                    response.body = response.body.prefix(max(1, response.body.count / 2))
                }
            }
        }
        var headers = HTTPFields()
        headers.append(name: "Date", value: httpDate(nowDate))
        headers.append(name: "X-Okta-Request-Id", value: context.requestID)
        headers.append(name: "X-Rate-Limit-Limit", value: String(decision.limit))
        headers.append(name: "X-Rate-Limit-Remaining", value: String(decision.remaining))
        headers.append(name: "X-Rate-Limit-Reset", value: String(decision.reset))
        for field in response.headers { headers.append(name: field.name, value: field.value) }
        response.headers = headers
        return response
    }

    static func run(_ endpoint: HTTPEndpoint, request: Request, context: RequestContext, simulator: OktaSimulatorServer) -> Response {
        do {
            guard case .synchronous(let handler) = endpoint.run else { throw OktaAPIError.notFoundPath }
            return try handler(request, context)
        } catch let error as OktaAPIError {
            return simulator.errorResponse(error)
        } catch let error as HTTPError where error.status.code == 405 {
            return simulator.errorResponse(.methodNotSupported)
        } catch let error as HTTPError where error.status.code == 404 {
            return simulator.errorResponse(.notFound(request.path, "Path"))
        } catch {
            return simulator.errorResponse(.internalError)
        }
    }

    static func httpDate(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970)
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let (y, m, d) = Timestamp.civil(fromDays: days)
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(((days % 7) + 7) % 7)]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let sod = Int(seconds - days * 86400)
        func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : String(v) }
        return "\(weekday), \(pad(d)) \(months[m - 1]) \(y) \(pad(sod / 3600)):\(pad(sod / 60 % 60)):\(pad(sod % 60)) GMT"
    }
}
