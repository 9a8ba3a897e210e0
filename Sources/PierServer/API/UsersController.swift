import Foundation
import PierCore
import PierHTTP
import PierStorage

/// `GET /api/v1/users` and `GET /api/v1/users/{id}` (DESIGN.md §5).
struct UsersController {
    let browser: any DirectoryBrowser

    func addRoutes(to routes: APIRouteTable) {
        routes.on(.get, "/users") { request, _ in try await list(request) }
        routes.on(.get, "/users/{id}") { _, context in try await show(id: try context.parameters.require("id")) }
    }

    func list(_ request: Request) async throws -> Response {
        var problems = ValidationProblems()
        var query = UserQuery(limit: PageParameters.defaultLimit)
        query.directoryID = request.nonBlankQueryValue("domain").map(DirectoryID.init(_:))
        if let raw = request.nonBlankQueryValue("status") {
            query.status = PierUserStatus(rawValue: raw)
            if query.status == nil { problems.add("status", "must be one of active, suspended, deactivated") }
        }
        query.text = SearchText.read(request, problems: &problems)
        let page = PageParameters(request, listing: "users", problems: &problems)
        try problems.check()
        query.after = page.after
        query.limit = page.limit
        let result = try await browser.users(matching: query)
        return try .json(ListResource(items: result.items.map(UserResource.init), nextCursor: ListCursor.encode(result.next, listing: "users")))
    }

    func show(id: String) async throws -> Response {
        guard let user = try await browser.user(id: id) else { throw APIError.notFound("No user with id '\(id)'.") }
        let groups = try await browser.groups(ofUser: id)
        return try .json(UserDetailResource(user: UserResource(user), groups: groups.map(GroupResource.init)))
    }
}

/// The `q` text-search parameter: at most 200 characters.
enum SearchText {
    static let maximumLength = 200

    static func read(_ request: Request, problems: inout ValidationProblems) -> String? {
        guard let text = request.nonBlankQueryValue("q") else { return nil }
        guard text.count <= maximumLength else {
            problems.add("q", "must be at most \(maximumLength) characters")
            return nil
        }
        return text
    }
}
