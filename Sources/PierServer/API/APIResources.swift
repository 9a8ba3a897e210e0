import PierCore
import PierStorage

/// `list`: `{"items": [...], "nextCursor": "opaque" | null}` (DESIGN.md §5).
struct ListResource<Item: Encodable & Sendable>: Encodable, Sendable {
    var items: [Item]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey { case items, nextCursor }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)  // null on the last page, never absent
    }
}

/// `user` (DESIGN.md §5). Absent values are `null`, never missing keys.
struct UserResource: Encodable, Sendable {
    var id: String
    var domainId: String?
    var oktaId: String?
    var login: String
    var email: String?
    var firstName: String?
    var lastName: String?
    var status: String
    var oktaStatus: String?
    var department: String?
    var title: String?

    init(_ user: UserListing) {
        id = user.id
        domainId = user.directoryID?.rawValue
        oktaId = user.oktaID?.rawValue
        login = user.login
        email = user.email
        firstName = user.firstName
        lastName = user.lastName
        status = user.status.rawValue
        oktaStatus = user.oktaStatus
        department = user.department
        title = user.title
    }

    enum CodingKeys: String, CodingKey {
        case id, domainId, oktaId, login, email, firstName, lastName, status, oktaStatus, department, title
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(domainId, forKey: .domainId)
        try container.encode(oktaId, forKey: .oktaId)
        try container.encode(login, forKey: .login)
        try container.encode(email, forKey: .email)
        try container.encode(firstName, forKey: .firstName)
        try container.encode(lastName, forKey: .lastName)
        try container.encode(status, forKey: .status)
        try container.encode(oktaStatus, forKey: .oktaStatus)
        try container.encode(department, forKey: .department)
        try container.encode(title, forKey: .title)
    }
}

/// A `user` with its groups (`GET /api/v1/users/{id}`).
struct UserDetailResource: Encodable, Sendable {
    var user: UserResource
    var groups: [GroupResource]

    enum CodingKeys: String, CodingKey { case groups }

    func encode(to encoder: any Encoder) throws {
        try user.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(groups, forKey: .groups)
    }
}

/// `group` (DESIGN.md §5).
struct GroupResource: Encodable, Sendable {
    var id: String
    var domainId: String
    var oktaId: String
    var name: String
    var description: String?
    var type: String
    var memberCount: Int

    init(_ group: StoredDirectoryGroup) {
        id = group.id
        domainId = group.directoryID.rawValue
        oktaId = group.record.oktaID.rawValue
        name = group.record.name
        description = group.record.description
        type = group.record.type
        memberCount = group.memberCount
    }

    enum CodingKeys: String, CodingKey { case id, domainId, oktaId, name, description, type, memberCount }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(domainId, forKey: .domainId)
        try container.encode(oktaId, forKey: .oktaId)
        try container.encode(name, forKey: .name)
        try container.encode(description, forKey: .description)
        try container.encode(type, forKey: .type)
        try container.encode(memberCount, forKey: .memberCount)
    }
}

/// `{"name", "timeZone"}` (`GET/PUT /api/v1/portal`).
struct PortalResource: Codable, Sendable {
    var name: String
    var timeZone: String
}
