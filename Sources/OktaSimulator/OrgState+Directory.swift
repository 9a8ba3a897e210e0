import Foundation

/// Okta's users and groups API over ``OrgState`` (REFERENCE §3, §4).
extension OrgState {
    // MARK: - Parsing helpers

    static func parseFilter(_ text: String, allowed: [String: Set<String>]?) throws -> FilterExpression {
        let expression: FilterExpression
        do { expression = try FilterExpression.parse(text) } catch let error as FilterExpression.ParseError {
            throw OktaAPIError.invalidFilter(error.detail)
        }
        for comparison in expression.comparisons {
            if let allowed {
                guard let ops = allowed[comparison.attribute], ops.contains(comparison.op) else {
                    throw OktaAPIError.invalidFilter("Unsupported filter: \(comparison.attribute) \(comparison.op)")
                }
            }
            if FilterExpression.isDateAttribute(comparison.attribute), case .string(let s)? = comparison.value, Timestamp.parse(s) == nil {
                throw OktaAPIError.invalidDate(s)
            }
        }
        return expression
    }

    static let userFilterAttributes: [String: Set<String>] = [
        "status": ["eq"], "id": ["eq"], "profile.login": ["eq"], "profile.email": ["eq"], "profile.firstName": ["eq"],
        "profile.lastName": ["eq"], "lastUpdated": ["eq", "gt", "ge", "lt", "le"],
    ]
    static let groupFilterAttributes: [String: Set<String>] = [
        "id": ["eq"], "type": ["eq"], "lastUpdated": ["eq", "gt", "ge", "lt", "le"],
        "lastMembershipUpdated": ["eq", "gt", "ge", "lt", "le"],
    ]

    // MARK: - Users

    func listUsers(_ query: ListQuery, caller: Caller) throws -> Reply {
        let filter = query.value("filter"), search = query.value("search")
        if filter != nil, search != nil { throw OktaAPIError.filterAndSearch }
        let visible = visibleUsers(for: caller)
        if let q = query.value("q") {
            // `q`: startsWith on firstName, lastName, email; no DEPROVISIONED; no paging, no Link (REFERENCE §2.4).
            let limit = query.limit(default: 10, maximum: 200)
            let needle = q.lowercased()
            var page: [[UInt8]] = []
            for id in userIDs where page.count < limit {
                guard let user = users[id], user.status != .deprovisioned, visible?.contains(id) ?? true else { continue }
                let fields = ["firstName", "lastName", "email"].compactMap { user.profile[$0]?.stringValue?.lowercased() }
                if fields.contains(where: { $0.hasPrefix(needle) }) { page.append(user.listBytes) }
            }
            return .array(page)
        }
        var expression: FilterExpression?
        if let filter { expression = try Self.parseFilter(filter, allowed: Self.userFilterAttributes) }
        if let search { expression = try Self.parseFilter(search, allowed: nil) }
        let limit = query.limit(default: 200, maximum: 200)
        let result = paginate(userIDs, after: query.value("after"), limit: limit, exactFullNext: behaviour.nextLinkOnExactlyFullLastPage) { id in
            guard let user = users[id] else { return false }
            if let visible, !visible.contains(id) { return false }
            if let expression { return expression.matches(user.attribute) }
            return user.status != .deprovisioned
        }
        return .array(result.page.map { users[$0]!.listBytes }, links: query.links(base: base, limit: limit, next: result.more ? result.page.last : nil))
    }

    func getUser(_ idOrLogin: String, caller: Caller) throws -> Reply {
        let id = idOrLogin == "me" ? adminUserID : idOrLogin
        guard let user = user(idOrLogin: id), visibleUsers(for: caller)?.contains(user.id) ?? true || idOrLogin == "me" else {
            throw OktaAPIError.notFound(idOrLogin, "User")
        }
        return .json(user.json(base: base, full: true))
    }

    func userGroupsReply(_ idOrLogin: String, caller: Caller) throws -> Reply {
        guard let user = user(idOrLogin: idOrLogin), visibleUsers(for: caller)?.contains(user.id) ?? true else {
            throw OktaAPIError.notFound(idOrLogin, "User")
        }
        var ids = Array(userGroups[user.id] ?? [])
        ids.append(everyoneID)
        let records = ids.compactMap { groups[$0] }.filter { canSee(group: $0.id, caller: caller) }.sorted { $0.sortKey < $1.sortKey }
        let query = ListQuery(path: "/api/v1/users/\(user.id)/groups", items: [])
        return .array(records.map(\.bytes), links: query.links(base: base, limit: 200, next: nil))
    }

    static func body(_ data: Data) throws -> JSONObject {
        guard !data.isEmpty else { return JSONObject() }
        guard let json = try? JSONParser.parse(data), let object = json.objectValue else { throw OktaAPIError.malformedJSON }
        return object
    }

    mutating func createUser(body data: Data, activate: Bool, caller: Caller, uri: String, now: Timestamp) throws -> Reply {
        let body = try Self.body(data)
        guard var profile = body["profile"]?.objectValue else { throw OktaAPIError.validation(["profile: The field cannot be left blank"]) }
        var causes: [String] = []
        for field in ["login", "email", "firstName", "lastName"] where (profile[field]?.stringValue ?? "").isEmpty {
            causes.append("\(field): The field cannot be left blank")
        }
        if let login = profile["login"]?.stringValue, loginIndex[login.lowercased()] != nil {
            causes.append("login: An object with this field already exists in the current organization")
        }
        guard causes.isEmpty else { throw OktaAPIError.validation(causes) }
        if profile["secondEmail"] == nil { profile["secondEmail"] = .null }
        if profile["mobilePhone"] == nil { profile["mobilePhone"] = .null }
        let password = body["credentials"]?["password"]?["value"]?.stringValue
        let t = now.truncatedToSecond
        let status: UserStatus = activate ? (password == nil ? .provisioned : .active) : .staged
        let user = UserRecord(
            id: ids.make("00u"), status: status, created: t, activated: activate ? t : nil, statusChanged: activate ? t : nil,
            lastLogin: nil, lastUpdated: t, passwordChanged: password == nil ? nil : t, profile: profile, password: password
        )
        insertUser(user, now: now)
        log("user.lifecycle.create", "Create okta user", legacy: "core.user.config.user_creation.success", targets: [userTarget(user)],
            actor: caller, requestURI: uri, now: now)
        if activate {
            log("user.lifecycle.activate", "Activate Okta user", legacy: "core.user.config.user_activated", targets: [userTarget(user)],
                actor: caller, requestURI: uri, now: now)
        }
        for gid in body["groupIds"]?.arrayValue?.compactMap(\.stringValue) ?? [] where groups[gid]?.type == .okta {
            if addMember(user.id, to: gid, now: now), let group = groups[gid] {
                log("group.user_membership.add", "Add user to group membership", legacy: "core.user_group_member.user_add",
                    targets: [userTarget(user), groupTarget(group)], actor: caller, requestURI: uri, now: now)
            }
        }
        return .json(users[user.id]!.json(base: base, full: true))
    }

    mutating func updateUser(_ idOrLogin: String, body data: Data, replace: Bool, caller: Caller, uri: String, now: Timestamp) throws -> Reply {
        guard var user = user(idOrLogin: idOrLogin) else { throw OktaAPIError.notFound(idOrLogin, "User") }
        let body = try Self.body(data)
        if let newProfile = body["profile"]?.objectValue {
            var profile = replace ? JSONObject() : user.profile
            if replace {
                // Keep the recorded order of standard attributes, then the rest as sent.
                for (key, value) in newProfile.pairs { profile[key] = value }
            } else {
                for (key, value) in newProfile.pairs { profile[key] = value }
            }
            var causes: [String] = []
            for field in ["login", "email", "firstName", "lastName"] where (profile[field]?.stringValue ?? "").isEmpty {
                causes.append("\(field): The field cannot be left blank")
            }
            let newLogin = profile["login"]?.stringValue ?? ""
            if let other = loginIndex[newLogin.lowercased()], other != user.id {
                causes.append("login: An object with this field already exists in the current organization")
            }
            guard causes.isEmpty else { throw OktaAPIError.validation(causes) }
            if profile["secondEmail"] == nil { profile["secondEmail"] = .null }
            if profile["mobilePhone"] == nil { profile["mobilePhone"] = .null }
            loginIndex.removeValue(forKey: user.login.lowercased())
            user.profile = profile
            loginIndex[user.login.lowercased()] = user.id
        }
        if let password = body["credentials"]?["password"]?["value"]?.stringValue {
            user.password = password
            user.passwordChanged = now.truncatedToSecond
        }
        user.lastUpdated = now.truncatedToSecond
        store(user)
        log("user.account.update_profile", "Update user profile for Okta", legacy: "core.user.config.profile_update.success",
            targets: [userTarget(user)], actor: caller, requestURI: uri, now: now)
        return .json(users[user.id]!.json(base: base, full: true))
    }

    mutating func lifecycle(_ idOrLogin: String, operation: String, sendEmail: Bool, caller: Caller, uri: String, now: Timestamp) throws -> Reply {
        guard let user = user(idOrLogin: idOrLogin) else { throw OktaAPIError.notFound(idOrLogin, "User") }
        let id = user.id
        func event(_ type: String, _ message: String, _ legacy: String) {
            log(type, message, legacy: legacy, targets: [userTarget(users[id]!)], actor: caller, requestURI: uri, now: now)
        }
        func activationReply() -> Reply {
            guard !sendEmail else { return .emptyObject }
            let token = ids.token(20)
            return .json(.object(JSONObject(["activationUrl": .string("\(base)/welcome/\(token)"), "activationToken": .string(token)])))
        }
        switch operation {
        case "activate":
            guard user.status == .staged || user.status == .deprovisioned || user.status == .provisioned else {
                throw OktaAPIError.wrongStatus("Activation failed because the user is already active")
            }
            setStatus(id, user.hasPassword || user.providerType != "OKTA" ? .active : .provisioned, now: now)
            event("user.lifecycle.activate", "Activate Okta user", "core.user.config.user_activated")
            return activationReply()
        case "reactivate":
            guard user.status == .provisioned || user.status == .recovery else {
                throw OktaAPIError.wrongStatus("This operation is not allowed in the user's current status.")
            }
            event("user.lifecycle.reactivate", "Reactivate Okta user", "core.user.config.user_reactivated")
            return activationReply()
        case "deactivate":
            guard user.status != .deprovisioned else { throw OktaAPIError.wrongStatus("The user is already deactivated") }
            setStatus(id, .deprovisioned, now: now)
            for appID in apps.keys { apps[appID]!.users.removeValue(forKey: id) }
            event("user.lifecycle.deactivate", "Deactivate Okta user", "core.user.config.user_deactivated")
            return .emptyObject
        case "suspend":
            guard user.status == .active else {
                throw OktaAPIError(status: 400, code: "E0000001", summary: "Api validation failed: suspend", causes: ["Cannot suspend a user that is not active"])
            }
            setStatus(id, .suspended, now: now)
            event("user.lifecycle.suspend", "Suspend Okta user", "core.user.config.user_suspended")
            return .emptyObject
        case "unsuspend":
            guard user.status == .suspended else {
                throw OktaAPIError(status: 400, code: "E0000001", summary: "Api validation failed: unsuspend", causes: ["Cannot unsuspend a user that is not suspended"])
            }
            setStatus(id, .active, now: now)
            event("user.lifecycle.unsuspend", "Unsuspend Okta user", "core.user.config.user_unsuspended")
            return .emptyObject
        case "unlock":
            guard user.status == .lockedOut else { throw OktaAPIError.wrongStatus("The user is not locked out") }
            setStatus(id, .active, now: now)
            event("user.account.unlock_by_admin", "Unlock user account by admin", "core.user.account.unlock_by_admin")
            return .emptyObject
        case "expire_password":
            guard [.active, .passwordExpired, .recovery].contains(user.status) else {
                throw OktaAPIError.wrongStatus("This operation is not allowed in the user's current status.")
            }
            setStatus(id, .passwordExpired, now: now)
            event("user.account.expire_password", "Expire user password", "core.user.account.expire_password")
            return .json(users[id]!.json(base: base, full: true))
        case "reset_password":
            guard [.active, .passwordExpired, .recovery, .lockedOut, .provisioned].contains(user.status) else {
                throw OktaAPIError.wrongStatus("This operation is not allowed in the user's current status.")
            }
            setStatus(id, .recovery, now: now)
            event("user.account.reset_password", "Reset user password", "core.user.account.reset_password")
            guard !sendEmail else { return .emptyObject }
            return .json(.object(JSONObject(["resetPasswordUrl": .string("\(base)/reset_password/\(ids.token(20))")])))
        default:
            throw OktaAPIError.notFoundPath
        }
    }

    mutating func deleteUserRequest(_ idOrLogin: String, caller: Caller, uri: String, now: Timestamp) throws -> Reply {
        guard let user = user(idOrLogin: idOrLogin) else { throw OktaAPIError.notFound(idOrLogin, "User") }
        if user.status != .deprovisioned {
            // A first DELETE only deactivates (REFERENCE §3.2).
            setStatus(user.id, .deprovisioned, now: now)
            for appID in apps.keys { apps[appID]!.users.removeValue(forKey: user.id) }
            log("user.lifecycle.deactivate", "Deactivate Okta user", legacy: "core.user.config.user_deactivated",
                targets: [userTarget(user)], actor: caller, requestURI: uri, now: now)
            return .noContent
        }
        log("user.lifecycle.delete.initiated", "Delete Okta user", legacy: "core.user.config.user_deleted",
            targets: [userTarget(user)], actor: caller, requestURI: uri, now: now)
        deleteUser(user.id, now: now)
        log("user.lifecycle.delete.completed", "Delete Okta user completed", legacy: nil,
            targets: [userTarget(user)], actor: caller, requestURI: uri, now: now)
        return .noContent
    }

    // MARK: - Groups

    func listGroups(_ query: ListQuery, caller: Caller) throws -> Reply {
        let filter = query.value("filter"), search = query.value("search")
        if filter != nil, search != nil { throw OktaAPIError.filterAndSearch }
        let stats = query.value("expand")?.split(separator: ",").contains("stats") ?? false
        func encoded(_ group: GroupRecord) -> [UInt8] {
            guard stats else { return group.bytes }
            return group.json(base: base, stats: statsObject(group)).encoded
        }
        if let q = query.value("q") {
            let limit = query.limit(default: 300, maximum: 10_000)
            let needle = q.lowercased()
            var page: [[UInt8]] = []
            for key in groupOrder where page.count < limit && key.hasPrefix(needle) {
                let id = Self.groupID(fromSortKey: key)
                if let group = groups[id], canSee(group: id, caller: caller) { page.append(encoded(group)) }
            }
            return .array(page)
        }
        var expression: FilterExpression?
        if let filter { expression = try Self.parseFilter(filter, allowed: Self.groupFilterAttributes) }
        if let search { expression = try Self.parseFilter(search, allowed: nil) }
        let limit = query.limit(default: 10_000, maximum: 10_000)
        var after: String?
        if let cursor = query.value("after") {
            guard let key = Cursor.decode(cursor) else { throw OktaAPIError.invalidPaging }
            after = key
        }
        let result = paginate(groupOrder, after: after, limit: limit, exactFullNext: behaviour.nextLinkOnExactlyFullLastPage) { key in
            let id = Self.groupID(fromSortKey: key)
            guard let group = groups[id], canSee(group: id, caller: caller) else { return false }
            return expression?.matches(group.attribute) ?? true
        }
        let page = result.page.compactMap { groups[Self.groupID(fromSortKey: $0)] }.map(encoded)
        return .array(page, links: query.links(base: base, limit: limit, next: result.more ? result.page.last.map(Cursor.encode) : nil))
    }

    func statsObject(_ group: GroupRecord) -> JSONObject {
        let appsCount = apps.values.filter { $0.groups[group.id] != nil }.count
        return JSONObject([
            "usersCount": .int(memberCount(of: group.id)), "appsCount": .int(appsCount),
            "groupPushMappingsCount": .int(0), "hasAdminPrivlege": .bool(false),
        ])
    }

    func getGroup(_ id: String, expandStats: Bool, caller: Caller) throws -> Reply {
        guard let group = groups[id], canSee(group: id, caller: caller) else { throw OktaAPIError.notFound(id, "UserGroup") }
        if expandStats { return .json(group.json(base: base, stats: statsObject(group))) }
        return Reply(status: 200, body: group.bytes)
    }

    func listMembers(_ groupID: String, query: ListQuery, caller: Caller) throws -> Reply {
        guard groups[groupID] != nil, canSee(group: groupID, caller: caller) else { throw OktaAPIError.notFound(groupID, "UserGroup") }
        let limit = query.limit(default: 1000, maximum: 1000)
        let includeDeprovisioned = behaviour.deprovisionedUsersInMemberLists
        let result = paginate(memberIDs(of: groupID), after: query.value("after"), limit: limit, exactFullNext: behaviour.nextLinkOnExactlyFullLastPage) { id in
            guard let user = users[id] else { return false }
            return includeDeprovisioned || user.status != .deprovisioned
        }
        return .array(result.page.map { users[$0]!.listBytes }, links: query.links(base: base, limit: limit, next: result.more ? result.page.last : nil))
    }

    mutating func createGroup(body data: Data, caller: Caller, uri: String, now: Timestamp) throws -> Reply {
        let body = try Self.body(data)
        guard let profile = body["profile"]?.objectValue, let name = profile["name"]?.stringValue, !name.isEmpty else {
            throw OktaAPIError.validation(["name: The field cannot be left blank"])
        }
        if groups.values.contains(where: { $0.type == .okta && $0.name.lowercased() == name.lowercased() }) {
            throw OktaAPIError.validation(["name: An object with this field already exists in the current organization"])
        }
        var groupProfile = JSONObject(["name": .string(name), "description": profile["description"] ?? .null])
        for (key, value) in profile.pairs where key != "name" && key != "description" { groupProfile[key] = value }
        let t = now.truncatedToSecond
        var group = GroupRecord(
            id: ids.make("00g"), created: t, lastUpdated: t, lastMembershipUpdated: t, objectClass: "okta:user_group",
            type: .okta, profile: groupProfile, logo: "okta"
        )
        group.encode(base: base)
        insertGroup(group)
        members[group.id] = []
        log("group.lifecycle.create", "Create Okta group", legacy: "core.user_group.created", targets: [groupTarget(group)],
            actor: caller, requestURI: uri, now: now)
        return Reply(status: 200, body: group.bytes)
    }

    mutating func replaceGroup(_ id: String, body data: Data, caller: Caller, uri: String, now: Timestamp) throws -> Reply {
        guard var group = groups[id] else { throw OktaAPIError.notFound(id, "UserGroup") }
        guard group.type == .okta else { throw OktaAPIError.accessDenied }
        let body = try Self.body(data)
        guard let profile = body["profile"]?.objectValue, let name = profile["name"]?.stringValue, !name.isEmpty else {
            throw OktaAPIError.validation(["name: The field cannot be left blank"])
        }
        removeGroupOrder(group)
        var groupProfile = JSONObject(["name": .string(name), "description": profile["description"] ?? .null])
        for (key, value) in profile.pairs where key != "name" && key != "description" { groupProfile[key] = value }
        group.profile = groupProfile
        group.lastUpdated = now.truncatedToSecond
        group.encode(base: base)
        insertGroup(group)
        log("group.profile.update", "Update group profile", legacy: nil, targets: [groupTarget(group)], actor: caller, requestURI: uri, now: now)
        return Reply(status: 200, body: group.bytes)
    }

    mutating func deleteGroup(_ id: String, caller: Caller, uri: String, now: Timestamp) throws -> Reply {
        guard let group = groups[id] else { throw OktaAPIError.notFound(id, "UserGroup") }
        guard group.type != .builtIn else { throw OktaAPIError.accessDenied }
        removeGroupOrder(group)
        groups.removeValue(forKey: id)
        for uid in members.removeValue(forKey: id) ?? [] { userGroups[uid]?.remove(id) }
        for appID in apps.keys { apps[appID]!.groups.removeValue(forKey: id) }
        log("group.lifecycle.delete", "Delete Okta group", legacy: "core.user_group.deleted", targets: [groupTarget(group)],
            actor: caller, requestURI: uri, now: now)
        return .noContent
    }

    mutating func changeMembership(_ groupID: String, userID: String, add: Bool, caller: Caller, uri: String, now: Timestamp) throws -> Reply {
        guard let group = groups[groupID] else { throw OktaAPIError.notFound(groupID, "UserGroup") }
        guard let user = users[userID] else { throw OktaAPIError.notFound(userID, "User") }
        guard group.type == .okta else { throw OktaAPIError.accessDenied }
        let changed = add ? addMember(user.id, to: groupID, now: now) : removeMember(user.id, from: groupID, now: now)
        if changed {
            log(add ? "group.user_membership.add" : "group.user_membership.remove",
                add ? "Add user to group membership" : "Remove user from group membership",
                legacy: add ? "core.user_group_member.user_add" : "core.user_group_member.user_remove",
                targets: [userTarget(user), groupTarget(groups[groupID]!)], actor: caller, requestURI: uri, now: now)
        }
        return .noContent
    }

    // MARK: - System Log

    /// `GET /api/v1/logs` (REFERENCE §7.2): bounded when `until` is set; polling requests always carry `next`.
    func listLogs(_ query: ListQuery, now: Timestamp) throws -> Reply {
        let limit = query.limit(default: 100, maximum: 1000)
        let until = try query.value("until").map { text -> Timestamp in
            guard let t = Timestamp.parse(text) else { throw OktaAPIError.invalidDate(text) }
            return t
        }
        let since = try query.value("since").map { text -> Timestamp in
            guard let t = Timestamp.parse(text) else { throw OktaAPIError.invalidDate(text) }
            return t
        } ?? Timestamp(milliseconds: (until ?? now).milliseconds - 7 * 86_400_000)
        var afterSequence = 0
        if let cursor = query.value("after") {
            guard let decoded = Cursor.decode(cursor), let n = Int(decoded) else { throw OktaAPIError.invalidPaging }
            afterSequence = n
        }
        var expression: FilterExpression?
        if let filter = query.value("filter") { expression = try Self.parseFilter(filter, allowed: nil) }
        let descending = query.value("sortOrder")?.uppercased() == "DESCENDING"
        var matched: [LogEvent] = []
        var more = false
        let ordered: [LogEvent] = descending ? logs.reversed() : logs
        for event in ordered {
            if descending ? (afterSequence != 0 && event.sequence >= afterSequence) : event.sequence <= afterSequence { continue }
            guard event.published >= since else { continue }
            if let until, event.published >= until { continue }
            if let expression {
                let targets: [String?] = event.targetIDs.isEmpty ? [nil] : event.targetIDs.map { Optional($0) }
                let ok = targets.contains { target in
                    expression.matches { name in
                        switch name {
                        case "eventType": return .string(event.eventType)
                        case "target.id": return target.map(JSON.string)
                        case "published": return event.published.json
                        default: return nil
                        }
                    }
                }
                guard ok else { continue }
            }
            if matched.count == limit { more = true; break }
            matched.append(event)
        }
        let polling = until == nil && !descending
        var next: String?
        if more || polling {
            next = Cursor.encode(String(matched.last?.sequence ?? afterSequence))
        }
        return .array(matched.map(\.bytes), links: query.links(base: base, limit: limit, next: next))
    }
}
