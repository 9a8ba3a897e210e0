import Foundation
import PierCore
import PierHTTP
import PierOkta
import PierStorage

/// A schedule field that reports rule violations as a field problem (422) instead of a decoding error.
struct ScheduleField: Decodable {
    var result: Result<SyncSchedule, SyncSchedule.InvalidSchedule>

    init(from decoder: any Decoder) throws {
        do {
            result = .success(try SyncSchedule(from: decoder))
        } catch let error as SyncSchedule.InvalidSchedule {
            result = .failure(error)
        }
    }

    func read(_ problems: inout ValidationProblems) -> SyncSchedule? {
        switch result {
        case .success(let schedule): return schedule
        case .failure(let error):
            problems.add("schedule.\(error.field)", error.message)
            return nil
        }
    }
}

/// `/api/v1/domains…` (DESIGN.md §5): list, add, get, update, deletion preview, delete, Sync Now and a
/// domain's runs. Handlers only translate HTTP; rules live in ``DomainService``.
struct DomainsController {
    let service: DomainService?

    static let maximumBody = 16 * 1024

    func addRoutes(to routes: APIRouteTable) {
        routes.on(.get, "/domains") { request, _ in try await list(request) }
        routes.on(.post, "/domains", maxBodyBytes: Self.maximumBody) { request, context in
            try await add(request, identity: try context.require(APIIdentityKey.self))
        }
        routes.on(.get, "/domains/{id}") { _, context in
            try .json(DomainResource(view: try await domains().get(try Self.id(context))))
        }
        routes.on(.patch, "/domains/{id}", maxBodyBytes: Self.maximumBody) { request, context in
            try await update(request, id: try Self.id(context), identity: try context.require(APIIdentityKey.self))
        }
        routes.on(.get, "/domains/{id}/deletion-preview") { _, context in
            try .json(try await domains().deletionPreview(try Self.id(context)))
        }
        routes.on(.delete, "/domains/{id}") { request, context in
            // Answers what was removed (the preview taken inside the delete).
            try .json(try await domains().delete(
                try Self.id(context), confirm: request.queryValue("confirm"), devices: request.nonBlankQueryValue("devices"),
                reassignTo: request.nonBlankQueryValue("reassignTo"), actor: try context.require(APIIdentityKey.self).auditActor))
        }
        routes.on(.post, "/domains/{id}/sync", maxBodyBytes: 1024) { request, context in
            try await syncNow(request, id: try Self.id(context))
        }
        routes.on(.get, "/domains/{id}/sync-runs") { request, context in
            try await runs(request, id: try Self.id(context))
        }
    }

    static func id(_ context: RequestContext) throws -> DirectoryID {
        DirectoryID(try context.parameters.require("id"))
    }

    func domains() throws -> DomainService {
        guard let service else {
            throw APIError(.serviceUnavailable, code: "internal", message: "Domains are not available on this server instance.")
        }
        return service
    }

    func list(_ request: Request) async throws -> Response {
        var problems = ValidationProblems()
        let page = PageParameters(request, listing: "domains", problems: &problems)
        try problems.check()
        let result = try await domains().list(after: page.after, limit: page.limit)
        return try .json(ListResource(
            items: result.items.map(DomainResource.init), nextCursor: ListCursor.encode(result.next, listing: "domains")))
    }

    struct AddBody: Decodable {
        var domain: String?
        var apiToken: String?
        var selfEnroll: Bool?
        var schedule: ScheduleField?
        var endpoint: String?
    }

    func add(_ request: Request, identity: APIIdentity) async throws -> Response {
        let body = try request.decodeJSON(AddBody.self)
        var problems = ValidationProblems()
        let domain = body.domain?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if domain.isEmpty { problems.add("domain", "is required, e.g. acme.okta.com") }
        let token = OktaAPIToken(body.apiToken ?? "")
        if token.value.isEmpty { problems.add("apiToken", "is required") }
        let schedule = body.schedule?.read(&problems) ?? SyncSchedule(frequency: .manual)
        try problems.check()
        let view = try await domains().add(
            NewDomain(domain: domain, apiToken: token, selfEnroll: body.selfEnroll ?? false, schedule: schedule, endpoint: body.endpoint),
            actor: identity.auditActor)
        var response = try Response.json(DomainResource(view: view), status: .created)
        response.headers["Location"] = "/api/v1/domains/\(view.record.id.rawValue)"
        return response
    }

    struct UpdateBody: Decodable {
        var selfEnroll: Bool?
        var schedule: ScheduleField?
        var apiToken: String?
        var domain: String?
        var endpoint: String?
    }

    func update(_ request: Request, id: DirectoryID, identity: APIIdentity) async throws -> Response {
        let body = try request.decodeJSON(UpdateBody.self)
        var problems = ValidationProblems()
        if body.domain != nil { problems.add("domain", "cannot be changed; add a new domain instead") }
        if body.endpoint != nil { problems.add("endpoint", "is fixed at creation") }
        let schedule = body.schedule?.read(&problems)
        let token = body.apiToken.map(OktaAPIToken.init)
        if let token, token.value.isEmpty { problems.add("apiToken", "must not be empty") }
        try problems.check()
        let view = try await domains().update(
            id, DomainChanges(selfEnroll: body.selfEnroll, schedule: schedule, apiToken: token), actor: identity.auditActor)
        return try .json(DomainResource(view: view))
    }

    struct SyncBody: Decodable { var kind: String? }

    func syncNow(_ request: Request, id: DirectoryID) async throws -> Response {
        var kind: SyncKind?
        if !request.body.isEmpty {
            let body = try request.decodeJSON(SyncBody.self)
            if let raw = body.kind {
                kind = SyncKind(rawValue: raw)
                if kind == nil { throw APIError.validationFailed(["kind": "must be full or incremental"]) }
            }
        }
        let (run, joined) = try await domains().syncNow(id, kind: kind)
        return try .json(RunResource(run), status: joined ? .ok : .accepted)
    }

    func runs(_ request: Request, id: DirectoryID) async throws -> Response {
        // The cursor is bound to the domain, like a group's members cursor to its group.
        let listing = "runs:\(id.rawValue)"
        var problems = ValidationProblems()
        let page = PageParameters(request, listing: listing, problems: &problems)
        try problems.check()
        let result = try await domains().runs(of: id, after: page.after, limit: page.limit)
        return try .json(ListResource(items: result.items.map(RunResource.init), nextCursor: ListCursor.encode(result.next, listing: listing)))
    }
}

/// `GET /api/v1/sync-runs/{id}`, `POST /api/v1/sync-runs/{id}/approve|discard` (DESIGN.md §5).
struct SyncRunsController {
    let service: DomainService?

    func addRoutes(to routes: APIRouteTable) {
        routes.on(.get, "/sync-runs/{id}") { _, context in
            let (run, objects) = try await domains().run(try Self.id(context))
            return try .json(RunResource(run, objects: objects))
        }
        routes.on(.post, "/sync-runs/{id}/approve", maxBodyBytes: 1024) { _, context in
            try .json(RunResource(try await domains().approve(try Self.id(context), actor: try context.require(APIIdentityKey.self).auditActor)))
        }
        routes.on(.post, "/sync-runs/{id}/discard", maxBodyBytes: 1024) { _, context in
            try .json(RunResource(try await domains().discard(try Self.id(context), actor: try context.require(APIIdentityKey.self).auditActor)))
        }
    }

    static func id(_ context: RequestContext) throws -> SyncRunID {
        SyncRunID(try context.parameters.require("id"))
    }

    func domains() throws -> DomainService {
        guard let service else {
            throw APIError(.serviceUnavailable, code: "internal", message: "Sync runs are not available on this server instance.")
        }
        return service
    }
}
