public import PierCore
public import PierHTTP

/// The OpenAPI 3.1 document served at `/openapi.json`, built from ``operations`` and ``schemas``.
///
/// The document is data written next to the code, not generated from handlers, so it says what the
/// contract is; tests keep the two honest: every mounted route must appear here (and every path here
/// must be served), and real responses from the integration tests are validated against these schemas.
public enum OpenAPIDocument {
    /// One documented operation.
    public struct Operation: Sendable {
        public var method: HTTPMethod
        public var path: String
        public var id: String
        public var summary: String
        public var tag: String
        /// Query and path parameters.
        var parameters: [JSONValue] = []
        /// The request body schema (a `$ref`), if any.
        var requestBody: JSONValue? = nil
        /// Status → (description, schema or nil, content type).
        var responses: [(status: String, description: String, schema: JSONValue?, contentType: String)]
        /// Reachable without a token (DESIGN.md §5's public routes).
        public var isPublic: Bool = false
    }

    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
    static let error = ref("Error")

    static func query(_ name: String, _ description: String, schema: JSONValue) -> JSONValue {
        ["name": .string(name), "in": "query", "required": false, "description": .string(description), "schema": schema]
    }

    static func path(_ name: String, _ description: String) -> JSONValue {
        ["name": .string(name), "in": "path", "required": true, "description": .string(description), "schema": ["type": "string"]]
    }

    static let paging: [JSONValue] = [
        query("cursor", "The `nextCursor` of the previous page; opaque.", schema: ["type": "string"]),
        query("limit", "Page size, 1 to 200 (default 50).", schema: ["type": "integer", "minimum": 1, "maximum": 200]),
    ]

    static func ok(_ schema: String) -> (String, String, JSONValue?, String) { ("200", "OK", ref(schema), "application/json") }
    static let unauthorized = ("401", "Missing, invalid or revoked API token.", error as JSONValue?, "application/json")
    static let invalid = ("422", "Invalid parameters (`validation_failed`, details: field → message).", error as JSONValue?, "application/json")
    static func notFound(_ what: String) -> (String, String, JSONValue?, String) { ("404", "No such \(what).", error, "application/json") }

    /// Every operation Pier serves, public ones included.
    public static let operations: [Operation] = [
        Operation(method: .get, path: "/healthz", id: "getHealth", summary: "Liveness: answers while the process serves HTTP.", tag: "operations",
                  responses: [ok("Status")], isPublic: true),
        Operation(method: .get, path: "/readyz", id: "getReadiness", summary: "Readiness: the database answers.", tag: "operations",
                  responses: [ok("Status"), ("503", "The database is unreachable.", ref("Status"), "application/json")], isPublic: true),
        Operation(method: .get, path: "/metrics", id: "getMetrics", summary: "Prometheus metrics (text exposition format).", tag: "operations",
                  responses: [("200", "Metrics.", ["type": "string"], "text/plain")], isPublic: true),
        Operation(method: .get, path: "/openapi.json", id: "getOpenAPIDocument", summary: "This document.", tag: "operations",
                  responses: [("200", "The OpenAPI 3.1 document.", ["type": "object"], "application/json")], isPublic: true),

        Operation(method: .get, path: "/api/v1/users", id: "listUsers",
                  summary: "Users of every domain (and local users), ordered by login; filter and page.", tag: "users",
                  parameters: [
                      query("domain", "Only users of this domain id.", schema: ["type": "string"]),
                      query("status", "Only users with this Pier status.", schema: ["type": "string", "enum": ["active", "suspended", "deactivated"]]),
                      query("q", "Case-insensitive text in the login, e-mail address or name (at most 200 characters).", schema: ["type": "string"]),
                  ] + paging,
                  responses: [ok("UserList"), unauthorized, invalid]),
        Operation(method: .get, path: "/api/v1/users/{id}", id: "getUser", summary: "One user with its groups.", tag: "users",
                  parameters: [path("id", "Pier's user id.")],
                  responses: [ok("UserWithGroups"), unauthorized, notFound("user")]),
        Operation(method: .get, path: "/api/v1/groups", id: "listGroups",
                  summary: "Groups of every domain, ordered by name; filter and page.", tag: "groups",
                  parameters: [
                      query("domain", "Only groups of this domain id.", schema: ["type": "string"]),
                      query("type", "Only groups of this Okta type.", schema: ["type": "string", "enum": ["OKTA_GROUP", "APP_GROUP", "BUILT_IN"]]),
                      query("q", "Case-insensitive text in the name or description (at most 200 characters).", schema: ["type": "string"]),
                  ] + paging,
                  responses: [ok("GroupList"), unauthorized, invalid]),
        Operation(method: .get, path: "/api/v1/groups/{id}", id: "getGroup", summary: "One group.", tag: "groups",
                  parameters: [path("id", "Pier's group id.")],
                  responses: [ok("Group"), unauthorized, notFound("group")]),
        Operation(method: .get, path: "/api/v1/groups/{id}/members", id: "listGroupMembers",
                  summary: "A group's imported members, ordered by login.", tag: "groups",
                  parameters: [path("id", "Pier's group id.")] + paging,
                  responses: [ok("UserList"), unauthorized, notFound("group"), invalid]),
        Operation(method: .get, path: "/api/v1/portal", id: "getPortal", summary: "The portal's name and time zone.", tag: "portal",
                  responses: [ok("Portal"), unauthorized]),
        Operation(method: .put, path: "/api/v1/portal", id: "updatePortal",
                  summary: "Sets the portal's name and time zone (schedules are evaluated in it).", tag: "portal",
                  requestBody: ref("Portal"),
                  responses: [
                      ok("Portal"), ("400", "The body is not valid JSON for this operation.", error, "application/json"), unauthorized,
                      ("413", "The body exceeds 16 KiB.", error, "application/json"),
                      ("415", "The body is not application/json.", error, "application/json"), invalid,
                  ]),
    ]

    static let nullableString: JSONValue = ["type": ["string", "null"]]

    /// The component schemas.
    public static let schemas: [String: JSONValue] = [
        "Error": [
            "type": "object", "required": ["error"], "additionalProperties": false,
            "properties": [
                "error": [
                    "type": "object", "required": ["code", "message"],
                    "properties": [
                        "code": [
                            "type": "string", "pattern": "^[a-z_]+$",
                            "description": "Stable snake_case code: invalid_request, validation_failed, unauthorized, forbidden, not_found, conflict, domain_duplicate_org, okta_token_invalid, okta_token_insufficient, okta_token_partial_view, okta_not_an_org, okta_unreachable, okta_rate_limited, devices_need_decision, payload_too_large, unsupported_media_type, rate_limited, internal.",
                        ],
                        "message": ["type": "string"],
                        "details": ["type": ["object", "null"], "additionalProperties": ["type": "string"],
                                    "description": "For validation_failed: field → message."],
                    ],
                ],
            ],
        ],
        "Status": [
            "type": "object", "required": ["status"],
            "properties": ["status": ["type": "string", "enum": ["ok", "ready", "unavailable"]], "reason": ["type": "string"]],
        ],
        "User": [
            "type": "object",
            "required": ["id", "domainId", "oktaId", "login", "email", "firstName", "lastName", "status", "oktaStatus", "department", "title"],
            "properties": [
                "id": ["type": "string"],
                "domainId": ["type": ["string", "null"], "description": "null for a local user."],
                "oktaId": ["type": ["string", "null"], "description": "Okta's immutable id (00u…); null for a local user."],
                "login": ["type": "string"],
                "email": nullableString, "firstName": nullableString, "lastName": nullableString,
                "status": ["type": "string", "enum": ["active", "suspended", "deactivated"]],
                "oktaStatus": ["type": ["string", "null"], "description": "Okta's status verbatim (ACTIVE, SUSPENDED, …)."],
                "department": nullableString, "title": nullableString,
            ],
        ],
        "UserWithGroups": [
            "allOf": [
                ref("User"),
                ["type": "object", "required": ["groups"], "properties": ["groups": ["type": "array", "items": ref("Group")]]],
            ],
        ],
        "Group": [
            "type": "object", "required": ["id", "domainId", "oktaId", "name", "description", "type", "memberCount"],
            "properties": [
                "id": ["type": "string"], "domainId": ["type": "string"],
                "oktaId": ["type": "string", "description": "Okta's immutable id (00g…)."],
                "name": ["type": "string"], "description": nullableString,
                "type": ["type": "string", "enum": ["OKTA_GROUP", "APP_GROUP", "BUILT_IN"]],
                "memberCount": ["type": "integer", "minimum": 0, "description": "Imported members."],
            ],
        ],
        "UserList": list(of: "User"),
        "GroupList": list(of: "Group"),
        "Portal": [
            "type": "object", "required": ["name", "timeZone"],
            "properties": [
                "name": ["type": "string", "minLength": 1, "maxLength": 100],
                "timeZone": ["type": "string", "description": "An IANA time zone name (Europe/Berlin) or UTC."],
            ],
        ],
    ]

    static func list(of item: String) -> JSONValue {
        [
            "type": "object", "required": ["items", "nextCursor"],
            "properties": [
                "items": ["type": "array", "items": ref(item)],
                "nextCursor": ["type": ["string", "null"], "description": "Pass as `cursor` for the next page; null on the last page."],
            ],
        ]
    }

    /// The whole document.
    public static func make(version: String = PierVersion.current) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for operation in operations {
            var item: [String: JSONValue] = [
                "operationId": .string(operation.id), "summary": .string(operation.summary), "tags": [.string(operation.tag)],
            ]
            if !operation.parameters.isEmpty { item["parameters"] = .array(operation.parameters) }
            if let body = operation.requestBody {
                item["requestBody"] = ["required": true, "content": ["application/json": ["schema": body]]]
            }
            var responses: [String: JSONValue] = [:]
            for response in operation.responses {
                var entry: [String: JSONValue] = ["description": .string(response.description)]
                if let schema = response.schema { entry["content"] = [response.contentType: ["schema": schema]] }
                responses[response.status] = .object(entry)
            }
            responses["default"] = ["description": "Any other error, in the one error shape.", "content": ["application/json": ["schema": error]]]
            item["responses"] = .object(responses)
            item["security"] = operation.isPublic ? [] : [["bearerAuth": []]]
            var pathItem: [String: JSONValue] = if case .object(let existing)? = paths[operation.path] { existing } else { [:] }
            pathItem[operation.method.rawValue.lowercased()] = .object(item)
            paths[operation.path] = .object(pathItem)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Pier API", "version": .string(version),
                "description": "Pier's REST API (DESIGN.md §5). Every error has the shape {\"error\": {\"code\", \"message\", \"details\"}}.",
            ],
            "servers": [["url": "/"]],
            "paths": .object(paths),
            "components": [
                "schemas": .object(schemas),
                "securitySchemes": [
                    "bearerAuth": ["type": "http", "scheme": "bearer", "description": "An API token from `pier admin token create` (pier_…)."],
                ],
            ],
            "security": [["bearerAuth": []]],
        ]
    }
}
