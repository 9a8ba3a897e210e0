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
        /// Whether the body must be sent.
        var requestBodyRequired: Bool = true
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
    static let badBody = ("400", "The body is not valid JSON for this operation.", error as JSONValue?, "application/json")
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
        Operation(method: .get, path: "/api/v1/domains", id: "listDomains", summary: "Okta domains, oldest first; page.", tag: "domains",
                  parameters: paging,
                  responses: [ok("DomainList"), unauthorized, invalid]),
        Operation(method: .post, path: "/api/v1/domains", id: "addDomain",
                  summary: "Adds an Okta domain: normalises and identifies the org, checks the token, stores it encrypted and starts the first sync.",
                  tag: "domains", requestBody: ref("NewDomain"),
                  responses: [
                      ("201", "The domain was added; its first sync (trigger `initial`) is queued and starts at once.", ref("Domain"), "application/json"), badBody, unauthorized,
                      ("409", "The org is already configured (`domain_duplicate_org`).", error, "application/json"),
                      ("413", "The body exceeds 16 KiB.", error, "application/json"),
                      ("415", "The body is not application/json.", error, "application/json"),
                      ("422", "Invalid fields (`validation_failed`) or a failed token check (`okta_token_invalid`, `okta_token_insufficient`, `okta_token_partial_view`, `okta_not_an_org`).", error, "application/json"),
                      ("502", "The org could not be reached (`okta_unreachable`).", error, "application/json"),
                      ("503", "Okta rate-limited the check (`okta_rate_limited`).", error, "application/json"),
                  ]),
        Operation(method: .get, path: "/api/v1/domains/{id}", id: "getDomain", summary: "One domain with its latest run.", tag: "domains",
                  parameters: [path("id", "The domain id.")],
                  responses: [ok("Domain"), unauthorized, notFound("domain")]),
        Operation(method: .patch, path: "/api/v1/domains/{id}", id: "updateDomain",
                  summary: "Changes self-enroll, schedule or API token (a new token is checked first); the domain itself never changes.",
                  tag: "domains", parameters: [path("id", "The domain id.")], requestBody: ref("DomainUpdate"),
                  responses: [
                      ok("Domain"), badBody, unauthorized, notFound("domain"),
                      ("413", "The body exceeds 16 KiB.", error, "application/json"),
                      ("415", "The body is not application/json.", error, "application/json"),
                      ("422", "Invalid fields or a failed token check.", error, "application/json"),
                      ("502", "The org could not be reached (`okta_unreachable`).", error, "application/json"),
                      ("503", "Okta rate-limited the check (`okta_rate_limited`).", error, "application/json"),
                  ]),
        Operation(method: .get, path: "/api/v1/domains/{id}/deletion-preview", id: "previewDomainDeletion",
                  summary: "What deleting the domain removes, and the `confirm` value it needs.", tag: "domains",
                  parameters: [path("id", "The domain id.")],
                  responses: [ok("DomainDeletionPreview"), unauthorized, notFound("domain")]),
        Operation(method: .delete, path: "/api/v1/domains/{id}", id: "deleteDomain",
                  summary: "Deletes the domain with its users, groups, memberships and runs in one transaction.", tag: "domains",
                  parameters: [
                      path("id", "The domain id."),
                      query("confirm", "The domain's org host (from the deletion preview).", schema: ["type": "string"]),
                      query("devices", "What happens to devices of the domain's users.", schema: ["type": "string", "enum": ["disenroll", "reassign"]]),
                      query("reassignTo", "With devices=reassign: the user id that receives the devices.", schema: ["type": "string"]),
                  ],
                  responses: [
                      ("200", "Deleted; the body says what was removed.", ref("DomainDeletionPreview"), "application/json"), unauthorized, notFound("domain"),
                      ("409", "Devices need a decision (`devices_need_decision`).", error, "application/json"), invalid,
                  ]),
        Operation(method: .post, path: "/api/v1/domains/{id}/sync", id: "syncDomainNow",
                  summary: "Sync Now: joins the running run when it is of equal or stronger kind (full covers incremental), else joins the queued follow-up (upgrading it to full for a full request), else queues a run. Coordinated through the database: requests on several instances yield one run, which any instance may run.",
                  tag: "sync",
                  parameters: [path("id", "The domain id.")], requestBody: ref("SyncRequest"), requestBodyRequired: false,
                  responses: [
                      ("200", "The running or queued run the request joined.", ref("Run"), "application/json"),
                      ("202", "A new run, in state `queued` (it starts as soon as an instance takes the domain's lease, normally at once; behind a running run of a weaker kind, when that one ends).", ref("Run"), "application/json"),
                      badBody, unauthorized, notFound("domain"),
                      ("415", "The body is not application/json.", error, "application/json"), invalid,
                  ]),
        Operation(method: .get, path: "/api/v1/domains/{id}/sync-runs", id: "listDomainSyncRuns", summary: "A domain's runs, newest first; page.",
                  tag: "sync",
                  parameters: [path("id", "The domain id.")] + paging,
                  responses: [ok("RunList"), unauthorized, notFound("domain"), invalid]),
        Operation(method: .get, path: "/api/v1/sync-runs/{id}", id: "getSyncRun",
                  summary: "One run with counts, live progress and per-object outcomes.", tag: "sync",
                  parameters: [path("id", "The run id.")],
                  responses: [ok("RunWithObjects"), unauthorized, notFound("sync run")]),
        Operation(method: .post, path: "/api/v1/sync-runs/{id}/approve", id: "approveSyncRun",
                  summary: "Approves the removals a run held by the mass-removal guard (each is re-confirmed first).", tag: "sync",
                  parameters: [path("id", "The run id.")],
                  responses: [ok("Run"), unauthorized, notFound("sync run"),
                              ("409", "The run does not await approval, or a sync of the domain is running.", error, "application/json")]),
        Operation(method: .post, path: "/api/v1/sync-runs/{id}/discard", id: "discardSyncRun",
                  summary: "Discards the removals a run held by the mass-removal guard.", tag: "sync",
                  parameters: [path("id", "The run id.")],
                  responses: [ok("Run"), unauthorized, notFound("sync run"),
                              ("409", "The run does not await approval.", error, "application/json")]),
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
        "Schedule": [
            "type": "object", "required": ["frequency"],
            "properties": [
                "frequency": ["type": "string", "enum": ["manual", "hourly", "daily", "weekly"]],
                "everyHours": ["type": "integer", "minimum": 1, "maximum": 24, "description": "hourly only."],
                "time": ["type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "description": "HH:MM in the portal time zone (daily, weekly)."],
                "weekday": ["type": "string", "enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "description": "weekly only."],
                "fullEvery": ["type": "string", "description": "ISO 8601 duration of at least PT1H between full runs (default PT24H)."],
            ],
        ],
        "NewDomain": [
            "type": "object", "required": ["domain", "apiToken"],
            "properties": [
                "domain": ["type": "string", "description": "The Okta domain as entered, e.g. acme.okta.com."],
                "apiToken": ["type": "string", "writeOnly": true, "description": "An SSWS API token; stored encrypted, never returned."],
                "selfEnroll": ["type": "boolean"],
                "schedule": ref("Schedule"),
                "endpoint": ["type": "string", "description": "Development only (--allow-okta-endpoint-override): send Okta traffic here, e.g. a simulator."],
            ],
        ],
        "DomainUpdate": [
            "type": "object",
            "properties": [
                "selfEnroll": ["type": "boolean"],
                "schedule": ref("Schedule"),
                "apiToken": ["type": "string", "writeOnly": true, "description": "A new token; checked against the org first."],
            ],
        ],
        "SyncRequest": [
            "type": "object",
            "properties": [
                "kind": [
                    "type": "string", "enum": ["full", "incremental"],
                    "description": "Default: incremental when a full run is more recent than the schedule's `fullEvery`, else full.",
                ],
            ],
        ],
        "Domain": [
            "type": "object",
            "required": ["id", "domain", "orgHost", "orgId", "note", "selfEnroll", "selfEnrollBlockedReason", "schedule", "apiTokenHint", "lastRun"],
            "properties": [
                "id": ["type": "string"],
                "domain": ["type": "string", "description": "As entered."],
                "orgHost": ["type": "string", "description": "The canonical org host all traffic goes to."],
                "orgId": ["type": "string", "description": "Okta's org id (00o…)."],
                "note": nullableString, "selfEnroll": ["type": "boolean"], "selfEnrollBlockedReason": nullableString,
                "schedule": ref("Schedule"),
                "apiTokenHint": ["type": "string", "maxLength": 4, "description": "The token's last four characters."],
                "lastRun": ["oneOf": [ref("Run"), ["type": "null"]]],
                "endpoint": nullableString,
                "createdAt": ["type": "string"],
            ],
        ],
        "DomainList": list(of: "Domain"),
        "DomainDeletionPreview": [
            "type": "object",
            "required": ["domainId", "orgHost", "confirm", "users", "groups", "memberships", "devices", "devicesNeedDecision"],
            "properties": [
                "domainId": ["type": "string"], "orgHost": ["type": "string"],
                "confirm": ["type": "string", "description": "The value DELETE needs in `confirm`."],
                "users": ["type": "integer", "minimum": 0], "groups": ["type": "integer", "minimum": 0],
                "memberships": ["type": "integer", "minimum": 0], "devices": ["type": "integer", "minimum": 0],
                "devicesNeedDecision": ["type": "boolean"],
            ],
        ],
        "Run": [
            "type": "object",
            "required": ["id", "domainId", "trigger", "kind", "state", "startedAt", "finishedAt", "counts", "held", "oktaRequests",
                         "rateLimitWaitSeconds", "error", "progress"],
            "properties": [
                "id": ["type": "string"], "domainId": ["type": "string"],
                "trigger": ["type": "string", "enum": ["schedule", "manual", "initial"]],
                "kind": ["type": "string", "enum": ["full", "incremental"]],
                "state": [
                    "type": "string", "enum": ["queued", "running", "awaiting_approval", "succeeded", "failed", "discarded", "interrupted"],
                    "description": "`queued`: requested, waiting for an instance to take the domain's lease (startedAt is null). `interrupted`: stopped by shutdown, or its instance died and its lease expired.",
                ],
                "queuedAt": nullableString, "startedAt": nullableString, "finishedAt": nullableString,
                "counts": [
                    "type": "object", "required": ["users", "groups", "memberships"],
                    "properties": [
                        "users": [
                            "type": "object", "required": ["created", "updated", "deactivated", "removed", "skipped"],
                            "properties": [
                                "created": ["type": "integer"], "updated": ["type": "integer"], "deactivated": ["type": "integer"],
                                "removed": ["type": "integer"], "skipped": ["type": "object", "additionalProperties": ["type": "integer"]],
                            ],
                        ],
                        "groups": [
                            "type": "object", "required": ["created", "updated", "removed"],
                            "properties": ["created": ["type": "integer"], "updated": ["type": "integer"], "removed": ["type": "integer"]],
                        ],
                        "memberships": [
                            "type": "object", "required": ["added", "removed"],
                            "properties": ["added": ["type": "integer"], "removed": ["type": "integer"]],
                        ],
                    ],
                ],
                "held": [
                    "type": ["object", "null"], "description": "Removals awaiting approval.",
                    "properties": ["users": ["type": "integer"], "groups": ["type": "integer"]],
                ],
                "oktaRequests": ["type": "integer", "minimum": 0],
                "rateLimitWaitSeconds": ["type": "number", "minimum": 0],
                "error": [
                    "type": ["object", "null"], "required": ["code", "message"],
                    "properties": ["code": ["type": "string"], "message": ["type": "string"]],
                ],
                "progress": [
                    "type": "object", "required": ["phase", "pages", "objects"],
                    "description": "Live progress, persisted at least every 2 s while the run goes on, so every instance shows it.",
                    "properties": ["phase": ["type": "string"], "pages": ["type": "integer"], "objects": ["type": "integer"]],
                ],
            ],
        ],
        "RunWithObjects": [
            "allOf": [
                ref("Run"),
                [
                    "type": "object", "required": ["objects"],
                    "properties": [
                        "objects": [
                            "type": "array",
                            "items": [
                                "type": "object", "required": ["kind", "oktaId", "pierId", "outcome", "reason"],
                                "properties": [
                                    "kind": ["type": "string", "enum": ["user", "group", "membership"]], "oktaId": ["type": "string"],
                                    "pierId": nullableString, "outcome": ["type": "string"], "reason": nullableString,
                                ],
                            ],
                        ],
                    ],
                ],
            ],
        ],
        "RunList": list(of: "Run"),
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
                item["requestBody"] = ["required": .bool(operation.requestBodyRequired), "content": ["application/json": ["schema": body]]]
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
