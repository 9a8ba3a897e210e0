import Foundation

/// Okta's apps API for OIDC web apps (`oidc_client`) over ``OrgState`` (REFERENCE §5).
extension OrgState {
    static let secretAlphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_".utf8)

    func app(_ id: String) throws -> AppRecord {
        guard let app = apps[id] else { throw OktaAPIError.notFound(id, "AppInstance") }
        return app
    }

    /// Whether the user may use the app: a direct assignment or membership of an assigned group
    /// (Everyone counts). DEPROVISIONED users have no app assignments (REFERENCE §3.2).
    func isAssigned(_ userID: String, to app: AppRecord) -> Bool {
        guard let user = users[userID], user.status != .deprovisioned else { return false }
        return app.users[userID] != nil || grantingGroup(userID, app) != nil
    }

    /// A group of the user's that is assigned to the app, if any.
    func grantingGroup(_ userID: String, _ app: AppRecord) -> String? {
        if app.groups.isEmpty { return nil }
        if app.groups[everyoneID] != nil { return everyoneID }
        guard let mine = userGroups[userID] else { return nil }
        if mine.count < app.groups.count {
            return mine.sorted().first { app.groups[$0] != nil }
        }
        return app.groups.keys.sorted().first { mine.contains($0) }
    }

    /// Validates a create/replace body and returns the parts the record keeps (REFERENCE §5.1).
    private static func parseApp(_ body: JSONObject) throws -> (label: String, authMethod: String, pkce: Bool?, settings: JSONObject, profile: JSON?) {
        var causes: [String] = []
        let name = body["name"]?.stringValue ?? ""
        if name.isEmpty { causes.append("name: The field cannot be left blank") }
        else if name != "oidc_client" { causes.append("name: The simulator only supports custom OIDC apps (oidc_client)") }
        let label = body["label"]?.stringValue ?? ""
        if label.isEmpty { causes.append("label: The field cannot be left blank") }
        if let mode = body["signOnMode"]?.stringValue, mode != "OPENID_CONNECT" {
            causes.append("signOnMode: oidc_client apps use OPENID_CONNECT")
        } else if body["signOnMode"] == nil {
            causes.append("signOnMode: The field cannot be left blank")
        }
        let settings = body["settings"]?["oauthClient"]?.objectValue ?? JSONObject()
        let grants = settings["grant_types"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if grants.isEmpty { causes.append("grant_types: The field cannot be left blank") }
        if grants.contains("authorization_code") {
            if (settings["redirect_uris"]?.arrayValue ?? []).isEmpty {
                causes.append("redirect_uris: The field cannot be left blank")
            }
            if (settings["response_types"]?.arrayValue ?? []).isEmpty {
                causes.append("response_types: The field cannot be left blank")
            }
        }
        let client = body["credentials"]?["oauthClient"]?.objectValue ?? JSONObject()
        let method = client["token_endpoint_auth_method"]?.stringValue ?? "client_secret_basic"
        let methods: Set<String> = ["client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"]
        if !methods.contains(method) { causes.append("token_endpoint_auth_method: '\(method)' is not a valid value") }
        let pkce = client["pkce_required"]?.boolValue
        if method == "none", pkce == false { causes.append("pkce_required: Public clients must require PKCE") }
        guard causes.isEmpty else { throw OktaAPIError.validation(causes) }
        var kept = settings
        // Accepted on create but not echoed in Okta's app object (spec example request vs response).
        kept["participate_slo"] = nil
        if kept["application_type"] == nil { kept["application_type"] = .string("web") }
        if kept["issuer_mode"] == nil { kept["issuer_mode"] = .string("ORG_URL") }
        return (label, method, pkce, kept, body["profile"])
    }

    private mutating func makeSecret() -> String {
        var bytes: [UInt8] = []
        for _ in 0..<64 { bytes.append(Self.secretAlphabet[ids.generator.below(Self.secretAlphabet.count)]) }
        return String(decoding: bytes, as: UTF8.self)
    }

    mutating func createApp(body data: Data, activate: Bool, caller: Caller, uri: String, now: Timestamp) throws -> Reply {
        let parsed = try Self.parseApp(try Self.body(data))
        let t = now.truncatedToSecond
        appSequence += 1
        let applicationType = parsed.settings["application_type"]?.stringValue ?? "web"
        let app = AppRecord(
            id: ids.make("0oa"), name: "oidc_client", label: parsed.label, status: activate ? "ACTIVE" : "INACTIVE",
            created: t, lastUpdated: t, signOnMode: "OPENID_CONNECT",
            clientSecret: parsed.authMethod == "none" ? nil : makeSecret(),
            tokenEndpointAuthMethod: parsed.authMethod,
            pkceRequired: parsed.pkce ?? (applicationType == "browser" || applicationType == "native"),
            oauthSettings: parsed.settings, profile: parsed.profile, sequence: appSequence
        )
        apps[app.id] = app
        log("application.lifecycle.create", "Add application", legacy: "app.generic.config.app_created", targets: [appTarget(app)],
            actor: caller, requestURI: uri, now: now)
        if activate {
            log("application.lifecycle.activate", "Activate application", legacy: "app.generic.config.app_activated",
                targets: [appTarget(app)], actor: caller, requestURI: uri, now: now)
        }
        return .json(app.json(base: base, withSecret: true))
    }

    func getApp(_ id: String) throws -> Reply {
        .json(try app(id).json(base: base, withSecret: false))
    }

    /// The `filter` attributes of `GET /api/v1/apps` (REFERENCE §5.2; the spec's `filter` parameter lists
    /// `id`, `status`, `credentials.signing.kid`, `settings.slo.enabled`, `name`; `user.id` goes with
    /// `expand=user/{userId}`).
    static let appFilterAttributes: [String: Set<String>] = [
        "status": ["eq"], "name": ["eq"], "id": ["eq"], "label": ["eq"], "credentials.signing.kid": ["eq"],
        "settings.slo.enabled": ["eq"], "user.id": ["eq"],
    ]

    /// Apps in creation order; `q` is a case-insensitive prefix of `name` or `label`; `filter` on
    /// ``appFilterAttributes`` (eq); the cursor is the app's creation sequence (numeric-looking).
    func listApps(_ query: ListQuery) throws -> Reply {
        let limit = query.limit(default: 20, maximum: 200)
        var expression: FilterExpression?
        if let filter = query.value("filter") {
            expression = try Self.parseFilter(filter, allowed: Self.appFilterAttributes)
        }
        let filteredUserIDs = expression?.comparisons.filter { $0.attribute == "user.id" }.compactMap { $0.value?.stringValue } ?? []
        let needle = query.value("q")?.lowercased()
        var after = 0
        if let cursor = query.value("after") {
            guard let n = Int(cursor) else { throw OktaAPIError.invalidPaging }
            after = n
        }
        let ordered = apps.values.filter { $0.sequence > after }.sorted { $0.sequence < $1.sequence }
        var page: [AppRecord] = []
        var more = false
        for app in ordered {
            if let needle, !app.name.lowercased().hasPrefix(needle), !app.label.lowercased().hasPrefix(needle) { continue }
            if let expression, !expression.matches({ name in
                switch name {
                case "status": return .string(app.status)
                case "name": return .string(app.name)
                case "id": return .string(app.id)
                case "label": return .string(app.label)
                case "credentials.signing.kid": return .string(AppRecord.signingKeyID)
                // Single logout is a SAML setting: OIDC apps have no `settings.slo`, so neither value matches.
                case "settings.slo.enabled": return nil
                // `user.id eq "…"`: apps the user is assigned to, directly or through a group. An app has no
                // single user id, so it answers with the first user the filter names that it is assigned to.
                case "user.id": return filteredUserIDs.first { isAssigned($0, to: app) }.map(JSON.string)
                default: return nil
                }
            }) { continue }
            if page.count == limit { more = true; break }
            page.append(app)
        }
        let next = more ? page.last.map { String($0.sequence) } : nil
        return .array(page.map { $0.json(base: base, withSecret: false).encoded }, links: query.links(base: base, limit: limit, next: next))
    }

    mutating func replaceApp(_ id: String, body data: Data, caller: Caller, uri: String, now: Timestamp) throws -> Reply {
        var app = try app(id)
        let parsed = try Self.parseApp(try Self.body(data))
        app.label = parsed.label
        app.tokenEndpointAuthMethod = parsed.authMethod
        if let pkce = parsed.pkce { app.pkceRequired = pkce }
        app.oauthSettings = parsed.settings
        app.profile = parsed.profile
        if parsed.authMethod == "none" { app.clientSecret = nil } else if app.clientSecret == nil { app.clientSecret = makeSecret() }
        app.lastUpdated = now.truncatedToSecond
        apps[id] = app
        log("application.lifecycle.update", "Update application", legacy: "app.generic.config.app_updated", targets: [appTarget(app)],
            actor: caller, requestURI: uri, now: now)
        return .json(app.json(base: base, withSecret: true))
    }

    mutating func appLifecycle(_ id: String, operation: String, caller: Caller, uri: String, now: Timestamp) throws -> Reply {
        var app = try app(id)
        let target: String
        switch operation {
        case "activate": target = "ACTIVE"
        case "deactivate": target = "INACTIVE"
        default: throw OktaAPIError.notFoundPath
        }
        if app.status != target {
            app.status = target
            app.lastUpdated = now.truncatedToSecond
            apps[id] = app
            let message = target == "ACTIVE" ? "Activate application" : "Deactivate application"
            log("application.lifecycle.\(operation)", message, legacy: "app.generic.config.app_\(operation)d", targets: [appTarget(app)],
                actor: caller, requestURI: uri, now: now)
        }
        return .emptyObject
    }

    mutating func deleteApp(_ id: String, caller: Caller, uri: String, now: Timestamp) throws -> Reply {
        let app = try app(id)
        if app.status == "ACTIVE" {
            throw behaviour.deleteActiveAppIsE0000056
                ? OktaAPIError.deleteActiveApp
                : OktaAPIError.validation(["status: Application must be deactivated before deletion"])
        }
        apps.removeValue(forKey: id)
        log("application.lifecycle.delete", "Delete application", legacy: "app.generic.config.app_deleted", targets: [appTarget(app)],
            actor: caller, requestURI: uri, now: now)
        return .noContent
    }

    // MARK: - Group assignments (REFERENCE §5.4)

    func assignmentJSON(_ app: AppRecord, groupID: String, _ assignment: AppGroupAssignment, embedGroup: Bool) -> JSON {
        let appURL = "\(base)/api/v1/apps/\(app.id)"
        var object = JSONObject([
            "id": .string(groupID),
            "priority": .int(assignment.priority),
            "lastUpdated": assignment.lastUpdated.json,
            "profile": assignment.profile,
            "_links": .object(JSONObject([
                "app": .object(JSONObject(["href": .string(appURL)])),
                "self": .object(JSONObject(["href": .string("\(appURL)/groups/\(groupID)")])),
                "group": .object(JSONObject(["href": .string("\(base)/api/v1/groups/\(groupID)")])),
            ])),
        ])
        if embedGroup, let group = groups[groupID] {
            object["_embedded"] = .object(JSONObject(["group": group.json(base: base, stats: nil)]))
        }
        return .object(object)
    }

    mutating func assignGroup(_ appID: String, groupID: String, body data: Data, caller: Caller, uri: String, now: Timestamp) throws -> Reply {
        var app = try app(appID)
        guard let group = groups[groupID] else { throw OktaAPIError.notFound(groupID, "UserGroup") }
        let body = try Self.body(data)
        let existing = app.groups[groupID]
        var priority = existing?.priority ?? app.groups.count
        if case .int(let p)? = body["priority"] { priority = max(0, p) }
        let profile = body["profile"] ?? existing?.profile ?? .object(JSONObject())
        let assignment = AppGroupAssignment(priority: priority, lastUpdated: now.truncatedToSecond, profile: profile)
        app.groups[groupID] = assignment
        apps[appID] = app
        if existing == nil {
            log("group.application_assignment.add", "Add assigned application to group", legacy: "core.group.application_assignment.add",
                targets: [appTarget(app), groupTarget(group)], actor: caller, requestURI: uri, now: now)
        } else {
            log("group.application_assignment.update", "Update assigned application in group", legacy: nil,
                targets: [appTarget(app), groupTarget(group)], actor: caller, requestURI: uri, now: now)
        }
        return .json(assignmentJSON(app, groupID: groupID, assignment, embedGroup: false))
    }

    mutating func unassignGroup(_ appID: String, groupID: String, caller: Caller, uri: String, now: Timestamp) throws -> Reply {
        var app = try app(appID)
        guard app.groups.removeValue(forKey: groupID) != nil else { throw OktaAPIError.notFound(groupID, "AppGroupAssignment") }
        apps[appID] = app
        if let group = groups[groupID] {
            log("group.application_assignment.remove", "Remove assigned application from group", legacy: "core.group.application_assignment.remove",
                targets: [appTarget(app), groupTarget(group)], actor: caller, requestURI: uri, now: now)
        }
        return .noContent
    }

    func getAssignment(_ appID: String, groupID: String, expandGroup: Bool) throws -> Reply {
        let app = try app(appID)
        guard let assignment = app.groups[groupID] else { throw OktaAPIError.notFound(groupID, "AppGroupAssignment") }
        return .json(assignmentJSON(app, groupID: groupID, assignment, embedGroup: expandGroup))
    }

    /// Group assignments sorted by group id (the cursor); `q` is a group-name prefix; limit 20…200.
    func listAssignments(_ appID: String, query: ListQuery) throws -> Reply {
        let app = try app(appID)
        let requested = query.limit(default: 20, maximum: 200)
        let limit = max(20, requested)
        let embed = query.value("expand")?.split(separator: ",").contains("group") ?? false
        let needle = query.value("q")?.lowercased()
        let keys = app.groups.keys.sorted()
        let result = paginate(keys, after: query.value("after"), limit: limit, exactFullNext: behaviour.nextLinkOnExactlyFullLastPage) { id in
            guard let needle else { return true }
            return groups[id]?.name.lowercased().hasPrefix(needle) ?? false
        }
        let page = result.page.map { assignmentJSON(app, groupID: $0, app.groups[$0]!, embedGroup: embed).encoded }
        return .array(page, links: query.links(base: base, limit: limit, next: result.more ? result.page.last : nil))
    }

    // MARK: - App users (REFERENCE §5.5, §5.6)

    func appUserJSON(_ app: AppRecord, _ user: UserRecord, embedUser: Bool) -> JSON {
        let direct = app.users[user.id]
        let group = direct == nil ? grantingGroup(user.id, app) : nil
        let created = direct?.created ?? app.groups[group ?? ""]?.lastUpdated ?? user.created
        let lastUpdated = direct?.lastUpdated ?? created
        let first = user.profile["firstName"]?.stringValue ?? ""
        let last = user.profile["lastName"]?.stringValue ?? ""
        var links = JSONObject([
            "app": .object(JSONObject(["href": .string("\(base)/api/v1/apps/\(app.id)")])),
            "user": .object(JSONObject(["href": .string("\(base)/api/v1/users/\(user.id)")])),
        ])
        if let group { links["group"] = .object(JSONObject(["href": .string("\(base)/api/v1/groups/\(group)")])) }
        var object = JSONObject([
            "id": .string(user.id),
            "externalId": .null,
            "created": created.json,
            "lastUpdated": lastUpdated.json,
            "scope": .string(direct == nil ? "GROUP" : "USER"),
            "status": .string(user.status == .suspended ? "SUSPENDED" : "ACTIVE"),
            "statusChanged": created.json,
            "passwordChanged": .null,
            "syncState": .string("DISABLED"),
            "profile": .object(JSONObject([
                "street_address": .null, "country": .null, "website": .null, "zoneinfo": .string("America/Los_Angeles"),
                "birthdate": .null, "gender": .null, "formatted": .null, "profile": .null, "locality": .null,
                "given_name": .string(first), "middle_name": .null, "locale": .string("en_US"), "picture": .null,
                "name": .string("\(first) \(last)"), "nickname": .null, "phone_number": .null, "region": .null,
                "postal_code": .null, "family_name": .string(last), "email": .string(user.email),
            ])),
            "_links": .object(links),
            "credentials": .object(JSONObject(["userName": .string(direct?.userName ?? user.email)])),
        ])
        if embedUser { object["_embedded"] = .object(JSONObject(["user": user.json(base: base, full: false)])) }
        return .object(object)
    }

    /// Direct and group-derived app users in user-id order (the cursor); limit 1…500, default 50.
    func listAppUsers(_ appID: String, query: ListQuery) throws -> Reply {
        let app = try app(appID)
        let limit = query.limit(default: 50, maximum: 500)
        let embed = query.value("expand")?.split(separator: ",").contains("user") ?? false
        let needle = query.value("q")?.lowercased()
        let result = paginate(userIDs, after: query.value("after"), limit: limit, exactFullNext: behaviour.nextLinkOnExactlyFullLastPage) { id in
            guard isAssigned(id, to: app) else { return false }
            guard let needle, let user = users[id] else { return true }
            let userName = app.users[id]?.userName ?? user.email
            return userName.lowercased().hasPrefix(needle) || user.email.lowercased().hasPrefix(needle)
        }
        let page = result.page.map { appUserJSON(app, users[$0]!, embedUser: embed).encoded }
        return .array(page, links: query.links(base: base, limit: limit, next: result.more ? result.page.last : nil))
    }

    func getAppUser(_ appID: String, userID: String, expandUser: Bool) throws -> Reply {
        let app = try app(appID)
        guard let user = users[userID], isAssigned(userID, to: app) else { throw OktaAPIError.notFound(userID, "AppUser") }
        return .json(appUserJSON(app, user, embedUser: expandUser))
    }

    mutating func assignUser(_ appID: String, body data: Data, caller: Caller, uri: String, now: Timestamp) throws -> Reply {
        var app = try app(appID)
        let body = try Self.body(data)
        guard let userID = body["id"]?.stringValue, !userID.isEmpty else { throw OktaAPIError.validation(["id: The field cannot be left blank"]) }
        guard let user = users[userID] else { throw OktaAPIError.notFound(userID, "User") }
        guard user.status != .deprovisioned else { throw OktaAPIError.wrongStatus("Cannot assign an application to a deactivated user") }
        let t = now.truncatedToSecond
        let userName = body["credentials"]?["userName"]?.stringValue ?? user.email
        let created = app.users[userID]?.created ?? t
        app.users[userID] = AppUserAssignment(created: created, lastUpdated: t, userName: userName)
        apps[appID] = app
        log("application.user_membership.add", "Add user to application membership", legacy: "app.generic.provision.assign_user_to_app",
            targets: [userTarget(user), appTarget(app)], actor: caller, requestURI: uri, now: now)
        return .json(appUserJSON(app, user, embedUser: false))
    }

    /// 204 for a direct-only assignment; 403 E0000046 while a group grants the app (REFERENCE §5.6).
    mutating func unassignUser(_ appID: String, userID: String, caller: Caller, uri: String, now: Timestamp) throws -> Reply {
        var app = try app(appID)
        guard let user = users[userID], isAssigned(userID, to: app) else { throw OktaAPIError.notFound(userID, "AppUser") }
        if grantingGroup(userID, app) != nil { throw OktaAPIError.groupGrantedAppUser }
        app.users.removeValue(forKey: userID)
        apps[appID] = app
        log("application.user_membership.remove", "Remove user from application membership", legacy: "app.generic.unprovision.unassign_user_from_app",
            targets: [userTarget(user), appTarget(app)], actor: caller, requestURI: uri, now: now)
        return .noContent
    }
}
