public import Foundation
public import PierHTTP
public import PierStorage

/// Mounts the REST API (`/api/v1`, DESIGN.md §5), `/openapi.json` and the status page (`/`) on the server's router.
///
/// Every `/api/v1` route sits behind ``BearerTokenMiddleware``: handlers receive a proven
/// ``APIIdentity`` and never check authentication themselves. Controllers are types, one per resource.
public struct APIRoutes: Sendable {
    let store: SQLStore
    let domains: DomainService?
    let now: @Sendable () -> Date

    /// - Parameter domains: The domain service; without one the domain and sync routes are mounted
    ///   (the document stays complete) but answer 503.
    public init(store: SQLStore, domains: DomainService? = nil, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.domains = domains
        self.now = now
    }

    /// Registers the routes on `router` and returns what it registered (for the OpenAPI tests).
    @discardableResult
    public func addRoutes(to router: Router) -> [RegisteredRoute] {
        let log = APIRouteTable.RouteLog()

        let document = (try? OpenAPIDocument.make().encoded()) ?? Data("{}".utf8)
        let root = APIRouteTable(group: router, prefix: "", log: log)
        root.on(.get, "/openapi.json") { _, _ in
            Response(status: .ok, headers: ["Content-Type": "application/json", "Cache-Control": "no-cache"], body: document)
        }

        // The status page at `/` needs a token like the API; a browser sends it through HTTP Basic.
        let console = router.group("").add(middleware: BearerTokenMiddleware(store: store, browserSignIn: true, now: now))
        StatusPage(store: store, domains: domains, now: now).addRoutes(to: APIRouteTable(group: console, prefix: "", log: log))

        let group = router.group("/api/v1").add(middleware: BearerTokenMiddleware(store: store, now: now))
        let api = APIRouteTable(group: group, prefix: "/api/v1", log: log)
        UsersController(browser: store).addRoutes(to: api)
        GroupsController(browser: store).addRoutes(to: api)
        PortalController(settings: store, audit: store, now: now).addRoutes(to: api)
        DomainsController(service: domains).addRoutes(to: api)
        SyncRunsController(service: domains).addRoutes(to: api)
        return log.routes
    }
}
