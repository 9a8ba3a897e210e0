import Foundation
import PierCore
import PierHTTP
import PierStorage

/// `GET /api/v1/groups`, `GET /api/v1/groups/{id}` and `GET /api/v1/groups/{id}/members` (DESIGN.md §5).
struct GroupsController {
    let browser: any DirectoryBrowser

    static let types = ["OKTA_GROUP", "APP_GROUP", "BUILT_IN"]

    func addRoutes(to routes: APIRouteTable) {
        routes.on(.get, "/groups") { request, _ in try await list(request) }
        routes.on(.get, "/groups/{id}") { _, context in try await show(id: try context.parameters.require("id")) }
        routes.on(.get, "/groups/{id}/members") { request, context in
            try await members(request, id: try context.parameters.require("id"))
        }
    }

    func list(_ request: Request) async throws -> Response {
        var problems = ValidationProblems()
        var query = GroupQuery(limit: PageParameters.defaultLimit)
        query.directoryID = request.nonBlankQueryValue("domain").map(DirectoryID.init(_:))
        if let raw = request.nonBlankQueryValue("type") {
            if Self.types.contains(raw) { query.type = raw } else { problems.add("type", "must be one of \(Self.types.joined(separator: ", "))") }
        }
        query.text = SearchText.read(request, problems: &problems)
        let page = PageParameters(request, listing: "groups", problems: &problems)
        try problems.check()
        query.after = page.after
        query.limit = page.limit
        let result = try await browser.groups(matching: query)
        return try .json(ListResource(items: result.items.map(GroupResource.init), nextCursor: ListCursor.encode(result.next, listing: "groups")))
    }

    func show(id: String) async throws -> Response {
        guard let group = try await browser.group(id: id) else { throw APIError.notFound("No group with id '\(id)'.") }
        return try .json(GroupResource(group))
    }

    func members(_ request: Request, id: String) async throws -> Response {
        var problems = ValidationProblems()
        let page = PageParameters(request, listing: "members:\(id)", problems: &problems)
        try problems.check()
        guard try await browser.group(id: id) != nil else { throw APIError.notFound("No group with id '\(id)'.") }
        let result = try await browser.members(ofGroup: id, after: page.after, limit: page.limit)
        return try .json(ListResource(
            items: result.items.map(UserResource.init), nextCursor: ListCursor.encode(result.next, listing: "members:\(id)")
        ))
    }
}
