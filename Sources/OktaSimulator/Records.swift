import Foundation

/// Okta's `UserStatus` (REFERENCE §3.2).
enum UserStatus: String, Sendable, CaseIterable {
    case staged = "STAGED", provisioned = "PROVISIONED", active = "ACTIVE", recovery = "RECOVERY"
    case passwordExpired = "PASSWORD_EXPIRED", lockedOut = "LOCKED_OUT", suspended = "SUSPENDED"
    case deprovisioned = "DEPROVISIONED"
}

/// Okta group types (REFERENCE §4.2).
enum GroupType: String, Sendable {
    case okta = "OKTA_GROUP", app = "APP_GROUP", builtIn = "BUILT_IN"
}

/// One user, with its list-form JSON pre-encoded (re-encoded only on change, PLATFORM.md "JSON").
struct UserRecord: Sendable {
    var id: String
    var status: UserStatus
    var created: Timestamp
    var activated: Timestamp?
    var statusChanged: Timestamp?
    var lastLogin: Timestamp?
    var lastUpdated: Timestamp
    var passwordChanged: Timestamp?
    var profile: JSONObject
    var providerType = "OKTA"
    var providerName = "OKTA"
    var password: String?
    var listBytes: [UInt8] = []

    var login: String { profile["login"]?.stringValue ?? "" }
    var email: String { profile["email"]?.stringValue ?? "" }
    var displayName: String {
        "\(profile["firstName"]?.stringValue ?? "") \(profile["lastName"]?.stringValue ?? "")"
    }

    /// Whether the credentials carry a `password` object (not for directory-mastered users).
    var hasPassword: Bool { providerType == "OKTA" && password != nil }

    mutating func encode(base: String) {
        listBytes = listEncoding(base: base)
    }

    /// The list form written straight to bytes (no JSON tree): the same bytes as
    /// `json(base:full: false).encoded`, about twice as fast, which matters when seeding 100k users.
    func listEncoding(base: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(768)
        func raw(_ s: StaticString) { s.withUTF8Buffer { out.append(contentsOf: $0) } }
        func string(_ s: String) { JSON.encodeString(s, into: &out) }
        func time(_ t: Timestamp?) { if let t { string(t.iso8601) } else { raw("null") } }
        raw("{\"id\":"); string(id)
        raw(",\"status\":"); string(status.rawValue)
        raw(",\"created\":"); time(created)
        raw(",\"activated\":"); time(activated)
        raw(",\"statusChanged\":"); time(statusChanged)
        raw(",\"lastLogin\":"); time(lastLogin)
        raw(",\"lastUpdated\":"); time(lastUpdated)
        raw(",\"passwordChanged\":"); time(passwordChanged)
        raw(",\"profile\":"); JSON.object(profile).encode(into: &out)
        raw(",\"credentials\":{")
        if hasPassword { raw("\"password\":{},") }
        raw("\"provider\":{\"type\":"); string(providerType)
        raw(",\"name\":"); string(providerName)
        raw("}},\"_links\":{\"self\":{\"href\":"); string("\(base)/api/v1/users/\(id)")
        raw("}}}")
        return out
    }

    /// The user object in Okta's recorded key order; `full` adds the status-dependent link set of
    /// single-user responses (fixtures/users-create-activated.json, user-get-by-id.json).
    func json(base: String, full: Bool) -> JSON {
        var credentials = JSONObject()
        if hasPassword { credentials["password"] = .object(JSONObject()) }
        credentials["provider"] = .object(JSONObject(["type": .string(providerType), "name": .string(providerName)]))
        let userURL = "\(base)/api/v1/users/\(id)"
        var links = JSONObject()
        func link(_ name: String, _ path: String) {
            links[name] = .object(JSONObject(["href": .string(userURL + path), "method": .string("POST")]))
        }
        let selfLink = JSON.object(JSONObject(["href": .string(userURL)]))
        if full {
            switch status {
            case .staged, .deprovisioned:
                link("activate", "/lifecycle/activate")
                links["self"] = selfLink
            case .provisioned:
                link("resetPassword", "/lifecycle/reset_password")
                link("reactivate", "/lifecycle/reactivate")
                links["self"] = selfLink
                link("deactivate", "/lifecycle/deactivate")
            case .active, .passwordExpired, .recovery:
                link("suspend", "/lifecycle/suspend")
                link("resetPassword", "/lifecycle/reset_password")
                link("expirePassword", "/lifecycle/expire_password")
                links["self"] = selfLink
                if hasPassword { link("changeRecoveryQuestion", "/credentials/change_recovery_question") }
                link("deactivate", "/lifecycle/deactivate")
                if hasPassword { link("changePassword", "/credentials/change_password") }
            case .lockedOut:
                link("unlock", "/lifecycle/unlock")
                link("resetPassword", "/lifecycle/reset_password")
                links["self"] = selfLink
                link("deactivate", "/lifecycle/deactivate")
            case .suspended:
                link("unsuspend", "/lifecycle/unsuspend")
                link("resetPassword", "/lifecycle/reset_password")
                links["self"] = selfLink
                link("deactivate", "/lifecycle/deactivate")
            }
        } else {
            links["self"] = selfLink
        }
        return .object(JSONObject([
            "id": .string(id),
            "status": .string(status.rawValue),
            "created": created.json,
            "activated": activated?.json ?? .null,
            "statusChanged": statusChanged?.json ?? .null,
            "lastLogin": lastLogin?.json ?? .null,
            "lastUpdated": lastUpdated.json,
            "passwordChanged": passwordChanged?.json ?? .null,
            "profile": .object(profile),
            "credentials": .object(credentials),
            "_links": .object(links),
        ]))
    }

    /// The value of a filter/search attribute (`status`, `profile.login`, …), or nil when absent.
    func attribute(_ name: String) -> JSON? {
        switch name {
        case "id": return .string(id)
        case "status": return .string(status.rawValue)
        case "created": return created.json
        case "activated": return activated?.json ?? .null
        case "statusChanged": return statusChanged?.json ?? .null
        case "lastUpdated": return lastUpdated.json
        case "lastLogin": return lastLogin?.json ?? .null
        case "passwordChanged": return passwordChanged?.json ?? .null
        default:
            if name.hasPrefix("profile.") { return profile[String(name.dropFirst(8))] }
            return nil
        }
    }
}

/// One group, with its JSON pre-encoded.
struct GroupRecord: Sendable {
    var id: String
    var created: Timestamp
    var lastUpdated: Timestamp
    var lastMembershipUpdated: Timestamp
    var objectClass: String
    var type: GroupType
    var profile: JSONObject
    /// `okta`, `google` or `active_directory` (the logo family).
    var logo: String
    var bytes: [UInt8] = []

    var name: String { profile["name"]?.stringValue ?? "" }
    var sortKey: String { name.lowercased() + "\u{0}" + id }

    static let logoHashes: [String: (String, String)] = [
        "okta": ("d7fb831bc4e7e1a5d8bd35dfaf405d9e", "511fcb0de9da185b52589cb14d581c2c"),
        "google": ("f5b64339fd8e9a64d278fb01ab6ce524", "9f63db115990b90eb0359925a2a51eed"),
        "active_directory": ("b3959116154f9d44bd4d0f6b2ae31ea6", "0e7a58559ac90c4bbc7b33fa14018c50"),
    ]

    mutating func encode(base: String) { bytes = json(base: base, stats: nil).encoded }

    func json(base: String, stats: JSONObject?) -> JSON {
        let hashes = Self.logoHashes[logo] ?? Self.logoHashes["okta"]!
        func logoLink(_ size: String, _ hash: String) -> JSON {
            .object(JSONObject([
                "name": .string(size),
                "href": .string("https://op1static.oktacdn.com/assets/img/logos/groups/\(logo)-\(size).\(hash).png"),
                "type": .string("image/png"),
            ]))
        }
        var object = JSONObject([
            "id": .string(id),
            "created": created.json,
            "lastUpdated": lastUpdated.json,
            "lastMembershipUpdated": lastMembershipUpdated.json,
            "objectClass": .array([.string(objectClass)]),
            "type": .string(type.rawValue),
            "profile": .object(profile),
        ])
        if let stats { object["_embedded"] = .object(JSONObject(["stats": .object(stats)])) }
        object["_links"] = .object(JSONObject([
            "logo": .array([logoLink("medium", hashes.0), logoLink("large", hashes.1)]),
            "users": .object(JSONObject(["href": .string("\(base)/api/v1/groups/\(id)/users")])),
            "apps": .object(JSONObject(["href": .string("\(base)/api/v1/groups/\(id)/apps")])),
        ]))
        return .object(object)
    }

    func attribute(_ name: String) -> JSON? {
        switch name {
        case "id": return .string(id)
        case "type": return .string(type.rawValue)
        case "created": return created.json
        case "lastUpdated": return lastUpdated.json
        case "lastMembershipUpdated": return lastMembershipUpdated.json
        default:
            if name.hasPrefix("profile.") { return profile[String(name.dropFirst(8))] }
            return nil
        }
    }
}

/// A group's assignment to an app.
struct AppGroupAssignment: Sendable {
    var priority: Int
    var lastUpdated: Timestamp
    var profile: JSON
}

/// A direct (`scope: USER`) app assignment.
struct AppUserAssignment: Sendable {
    var created: Timestamp
    var lastUpdated: Timestamp
    var userName: String
}

/// An OIDC app instance.
struct AppRecord: Sendable {
    var id: String
    var name: String
    var label: String
    var status: String
    var created: Timestamp
    var lastUpdated: Timestamp
    var signOnMode: String
    var clientSecret: String?
    var tokenEndpointAuthMethod: String
    var pkceRequired: Bool
    var oauthSettings: JSONObject
    var profile: JSON?
    var groups: [String: AppGroupAssignment] = [:]
    var users: [String: AppUserAssignment] = [:]
    var sequence: Int

    var clientID: String { id }

    /// `credentials.signing.kid`: the simulator signs nothing per app, so every app reports the same key id.
    static let signingKeyID = "sim-signing-key"
    var redirectURIs: [String] { oauthSettings["redirect_uris"]?.arrayValue?.compactMap(\.stringValue) ?? [] }

    /// The app in the spec example's key order; the secret only when `withSecret` (create/update).
    func json(base: String, withSecret: Bool) -> JSON {
        let appURL = "\(base)/api/v1/apps/\(id)"
        var oauthClient = JSONObject(["autoKeyRotation": .bool(true), "client_id": .string(clientID)])
        if withSecret, let clientSecret { oauthClient["client_secret"] = .string(clientSecret) }
        oauthClient["token_endpoint_auth_method"] = .string(tokenEndpointAuthMethod)
        oauthClient["pkce_required"] = .bool(pkceRequired)
        var settingsClient = oauthSettings
        if settingsClient["idp_initiated_login"] == nil {
            settingsClient["idp_initiated_login"] = .object(JSONObject(["mode": .string("DISABLED"), "default_scope": .array([])]))
        }
        if settingsClient["wildcard_redirect"] == nil { settingsClient["wildcard_redirect"] = .string("DISABLED") }
        if settingsClient["dpop_bound_access_tokens"] == nil { settingsClient["dpop_bound_access_tokens"] = .bool(false) }
        var links = JSONObject([
            "uploadLogo": .object(JSONObject(["href": .string("\(appURL)/logo"), "hints": .object(JSONObject(["allow": .array([.string("POST")])]))])),
            "appLinks": .array([.object(JSONObject([
                "name": .string("oidc_client_link"),
                "href": .string("\(base)/home/oidc_client/\(id)/aln\(id.suffix(17))"),
                "type": .string("text/html"),
            ]))]),
            "groups": .object(JSONObject(["href": .string("\(appURL)/groups")])),
            "logo": .array([.object(JSONObject([
                "name": .string("medium"),
                "href": .string("\(base)/assets/img/logos/default.6770228fb0dab49a1695ef440a5279bb.png"),
                "type": .string("image/png"),
            ]))]),
            "users": .object(JSONObject(["href": .string("\(appURL)/users")])),
        ])
        if status == "ACTIVE" {
            links["deactivate"] = .object(JSONObject(["href": .string("\(appURL)/lifecycle/deactivate")]))
        } else {
            links["activate"] = .object(JSONObject(["href": .string("\(appURL)/lifecycle/activate")]))
        }
        var object = JSONObject([
            "id": .string(id),
            "status": .string(status),
            "lastUpdated": lastUpdated.json,
            "created": created.json,
            "accessibility": .object(JSONObject(["selfService": .bool(false), "errorRedirectUrl": .null, "loginRedirectUrl": .null])),
            "_links": .object(links),
            "visibility": .object(JSONObject([
                "autoLaunch": .bool(false), "autoSubmitToolbar": .bool(false),
                "hide": .object(JSONObject(["iOS": .bool(true), "web": .bool(true)])),
                "appLinks": .object(JSONObject(["oidc_client_link": .bool(true)])),
            ])),
            "name": .string(name),
            "orn": .string("orn:okta:idp:\(OrgState.orgIDPlaceholder):apps:\(name):\(id)"),
            "label": .string(label),
            "features": .array([]),
            "signOnMode": .string(signOnMode),
            "credentials": .object(JSONObject([
                "userNameTemplate": .object(JSONObject(["template": .string("${source.email}"), "type": .string("BUILT_IN")])),
                "signing": .object(JSONObject(["kid": .string(Self.signingKeyID)])),
                "oauthClient": .object(oauthClient),
            ])),
            "settings": .object(JSONObject([
                "app": .object(JSONObject()),
                "oauthClient": .object(settingsClient),
                "notifications": .object(JSONObject(["vpn": .object(JSONObject([
                    "network": .object(JSONObject(["connection": .string("DISABLED")])), "message": .null, "helpUrl": .null,
                ]))])),
                "manualProvisioning": .bool(false),
                "implicitAssignment": .bool(false),
                "notes": .object(JSONObject(["admin": .null, "enduser": .null])),
                "emOptInStatus": .string("DISABLED"),
            ])),
        ])
        if let profile { object["profile"] = profile }
        return .object(object)
    }
}

/// A System Log event, pre-encoded.
struct LogEvent: Sendable {
    var sequence: Int
    var uuid: String
    var published: Timestamp
    var eventType: String
    var targetIDs: [String]
    var bytes: [UInt8]
}
