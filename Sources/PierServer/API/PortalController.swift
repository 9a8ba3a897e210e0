import Foundation
import PierHTTP
import PierStorage

/// `GET/PUT /api/v1/portal`: the portal's name and time zone (DESIGN.md §5, §8).
struct PortalController {
    let settings: any SettingsStore
    let audit: any AuditLog
    let now: @Sendable () -> Date

    static let maximumNameLength = 100

    func addRoutes(to routes: APIRouteTable) {
        routes.on(.get, "/portal") { _, _ in try await show() }
        routes.on(.put, "/portal", maxBodyBytes: 16 * 1024) { request, context in
            try await update(request, identity: try context.require(APIIdentityKey.self))
        }
    }

    func show() async throws -> Response {
        try .json(PortalResource(name: try await settings.setting(.portalName) ?? "Pier", timeZone: try await settings.setting(.timeZone) ?? "UTC"))
    }

    /// Both fields are required (PUT replaces); missing or invalid fields are reported together.
    struct Body: Decodable {
        var name: String?
        var timeZone: String?
    }

    func update(_ request: Request, identity: APIIdentity) async throws -> Response {
        let body = try request.decodeJSON(Body.self)
        var problems = ValidationProblems()
        let name = body.name?.trimmingCharacters(in: .whitespacesAndNewlines)
        switch name {
        case nil: problems.add("name", "is required")
        case let name? where name.isEmpty: problems.add("name", "must not be empty")
        case let name? where name.count > Self.maximumNameLength: problems.add("name", "must be at most \(Self.maximumNameLength) characters")
        case let name? where name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }):
            problems.add("name", "must not contain control characters")
        default: break
        }
        if let zone = body.timeZone {
            if !Self.isKnownTimeZone(zone) { problems.add("timeZone", "must be an IANA time zone name such as Europe/Berlin or UTC") }
        } else {
            problems.add("timeZone", "is required")
        }
        try problems.check()
        let portal = PortalResource(name: name!, timeZone: body.timeZone!)
        try await settings.setSetting(.portalName, to: portal.name)
        try await settings.setSetting(.timeZone, to: portal.timeZone)
        let details = String(decoding: try JSONEncoder().encode(portal), as: UTF8.self)
        try await audit.append(AuditEntry(at: now(), actor: identity.auditActor, action: "portal.update", details: details))
        return try .json(portal)
    }

    static func isKnownTimeZone(_ identifier: String) -> Bool {
        identifier == "UTC" || TimeZone.knownTimeZoneIdentifiers.contains(identifier)
    }
}
