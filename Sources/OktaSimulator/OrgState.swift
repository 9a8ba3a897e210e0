import Foundation

/// Who is calling the management API: a full admin, a read-only admin, or a group admin.
struct Caller: Sendable {
    enum Role: Sendable { case superAdmin, readOnly, groupAdmin(Set<String>) }
    var role: Role
    var token: String

    var canWrite: Bool { if case .superAdmin = role { return true }; return false }
    var scopedGroups: Set<String>? { if case .groupAdmin(let groups) = role { return groups }; return nil }
}

/// The whole simulated org: users, groups, memberships, apps and the System Log.
///
/// A value type guarded by one `Mutex` in ``OrgStore``: each request runs one short critical section
/// (pages are concatenations of pre-encoded bytes), never across an `await`.
struct OrgState: Sendable {
    static let orgIDPlaceholder = "00o"

    var base: String
    var behaviour: OktaSimulator.Behaviour
    var ids: IDFactory
    var orgID: String

    var users: [String: UserRecord] = [:]
    /// Every user id, sorted (the listing order and cursor space).
    var userIDs: [String] = []
    var loginIndex: [String: String] = [:]
    var adminUserID: String = ""

    var groups: [String: GroupRecord] = [:]
    /// Group sort keys (`lowercased name \0 id`), sorted: the listing order.
    var groupOrder: [String] = []
    var everyoneID: String = ""
    /// Sorted member ids per group (Everyone is implicit: every user).
    var members: [String: [String]] = [:]
    var userGroups: [String: Set<String>] = [:]

    var apps: [String: AppRecord] = [:]
    var appSequence = 16_278_919_418_571

    var logs: [LogEvent] = []
    var logSequence = 0

    // MARK: - Seeding

    /// Builds the org of DESIGN.md §10 deterministically from the seed.
    static func seeded(userCount: Int, groupCount: Int, seed: UInt64, base: String, password: String, behaviour: OktaSimulator.Behaviour) -> OrgState {
        var rng = SeededGenerator(seed: seed)
        var ids = IDFactory(seed: seed)
        let orgID = ids.make("00o")
        // `ids` continues inside the state from here on.
        var state = OrgState(base: base, behaviour: behaviour, ids: ids, orgID: orgID)
        let epoch: Int64 = 1_577_836_800  // 2020-01-01
        let horizon: Int64 = 1_704_067_200  // 2024-01-01
        var loginCounts: [String: Int] = [:]
        var slugs: [String: String] = [:]
        let n = max(userCount, 1)
        var records: [UserRecord] = []
        records.reserveCapacity(n)
        for i in 0..<n {
            let status: UserStatus
            if i == 0 { status = .active }
            else if i <= UserStatus.allCases.count { status = UserStatus.allCases[i - 1] }
            else {
                var roll = rng.unit()
                var chosen = UserStatus.active
                for (candidate, weight) in SeedData.statusWeights {
                    if roll < weight { chosen = candidate; break }
                    roll -= weight
                }
                status = chosen
            }
            let first = i == 0 ? "Sim" : rng.pick(SeedData.firstNames)
            let last = i == 0 ? "Admin" : rng.pick(SeedData.lastNames)
            // Names come from small pools: fold each once (Foundation's folding is slow per call).
            func slug(_ s: String) -> String {
                if let cached = slugs[s] { return cached }
                let folded = String(s.lowercased().folding(options: .diacriticInsensitive, locale: nil).filter { $0.isLetter || $0.isNumber })
                slugs[s] = folded
                return folded
            }
            let baseLogin = i == 0 ? "admin" : "\(slug(first)).\(slug(last))"
            let count = loginCounts[baseLogin, default: 0]
            loginCounts[baseLogin] = count + 1
            let login = (count == 0 ? baseLogin : "\(baseLogin)\(count + 1)") + "@" + SeedData.domain
            let created = Timestamp(seconds: epoch + Int64(rng.below(Int(horizon - epoch) / 2)))
            let changed = Timestamp(seconds: created.seconds + Int64(rng.below(Int(horizon - created.seconds))))
            var profile = JSONObject()
            profile["lastName"] = .string(last)
            profile["secondEmail"] = .null
            profile["mobilePhone"] = .null
            profile["email"] = .string(login)
            profile["login"] = .string(login)
            profile["firstName"] = .string(first)
            profile["displayName"] = .string("\(first) \(last)")
            profile["department"] = .string(i == 0 ? "IT" : rng.pick(SeedData.departments))
            profile["title"] = .string(i == 0 ? "Administrator" : rng.pick(SeedData.titles))
            profile["employeeNumber"] = .string(String(100_000 + i))
            let directoryMastered = i > 0 && rng.below(10) == 0
            var user = UserRecord(
                id: "", status: status, created: created,
                activated: status == .staged ? nil : (status == .provisioned ? nil : created),
                statusChanged: status == .staged ? nil : changed,
                lastLogin: [.active, .passwordExpired, .lockedOut, .recovery].contains(status) && rng.below(4) > 0 ? changed : nil,
                lastUpdated: changed,
                passwordChanged: status == .staged || status == .provisioned || directoryMastered ? nil : created,
                profile: profile,
                password: directoryMastered ? nil : password
            )
            if directoryMastered {
                user.providerType = "ACTIVE_DIRECTORY"
                user.providerName = SeedData.domain
                user.password = password  // directory-mastered users still sign in through delegated auth
            }
            records.append(user)
        }
        for index in records.indices {
            records[index].id = state.ids.make("00u")
            if index == 0 { state.adminUserID = records[index].id }
        }
        state.users.reserveCapacity(n)
        state.loginIndex.reserveCapacity(n)
        for var user in records {
            // Directory-mastered users carry no `password` credential object (REFERENCE §3.3).
            user.encode(base: base)
            state.loginIndex[user.login.lowercased()] = user.id
            state.users[user.id] = user
        }
        state.userIDs = records.map(\.id).sorted()

        // Groups: Everyone plus OKTA_GROUPs and APP_GROUPs with skewed (Zipf-like) sizes.
        let everyoneCreated = Timestamp(seconds: epoch - 86_400 * 30)
        let everyone = GroupRecord(
            id: "", created: everyoneCreated, lastUpdated: everyoneCreated,
            lastMembershipUpdated: records.map(\.created).max() ?? everyoneCreated,
            objectClass: "okta:user_group", type: .builtIn,
            profile: JSONObject(["name": .string("Everyone"), "description": .string("All users in your organization")]),
            logo: "okta"
        )
        var factory = state.ids
        var everyoneRecord = everyone
        everyoneRecord.id = factory.make("00g")
        state.everyoneID = everyoneRecord.id
        state.insertGroup(everyoneRecord)
        var usedNames: Set<String> = ["everyone"]
        let others = max(groupCount - 1, 0)
        var ranks = Array(1...max(others, 1))
        ranks.shuffle(using: &rng)
        let sizes = SeedData.groupSizes(users: n, groups: others)
        for g in 0..<others {
            let kindRoll = rng.below(8)
            let type: GroupType = kindRoll < 6 ? .okta : .app
            let isAD = type == .app && kindRoll == 6
            var name = "\(rng.pick(SeedData.groupWords)) \(rng.pick(SeedData.groupWords))"
            if usedNames.contains(name.lowercased()) { name += " \(g + 1)" }
            usedNames.insert(name.lowercased())
            let created = Timestamp(seconds: epoch + Int64(rng.below(Int(horizon - epoch) / 2)))
            let updated = Timestamp(seconds: created.seconds + Int64(rng.below(Int(horizon - created.seconds))))
            var profile = JSONObject()
            profile["name"] = .string(name)
            let id = factory.make("00g")
            var objectClass = "okta:user_group"
            var logo = "okta"
            if type == .okta {
                profile["description"] = rng.below(3) == 0 ? .null : .string("\(name) team")
            } else if isAD {
                objectClass = "okta:windows_security_principal"
                logo = "active_directory"
                profile["description"] = .string("\(SeedData.domain)/Groups/\(name)")
                profile["groupType"] = .string("Security")
                profile["samAccountName"] = .string(name)
                profile["objectSid"] = .string("S-1-5-21-3322261116-2025225779-3489642619-\(1100 + g)")
                profile["groupScope"] = .string("Global")
                profile["dn"] = .string("CN=\(name),OU=Groups,DC=acme,DC=example")
                profile["windowsDomainQualifiedName"] = .string("ACME\\\(name)")
                profile["externalId"] = .string(Data(id.utf8).base64EncodedString())
            } else {
                logo = "google"
                profile["description"] = .string("")
                profile["googleExternalId"] = .string(String(id.suffix(15)).lowercased())
            }
            let group = GroupRecord(
                id: id, created: created, lastUpdated: updated, lastMembershipUpdated: updated,
                objectClass: objectClass, type: type, profile: profile, logo: logo
            )
            state.insertGroup(group)
            let size = sizes[ranks[g] - 1]
            var chosen: [Int]
            if size * 4 > n {
                var pool = Array(0..<n)
                for k in 0..<size {
                    let j = k + rng.below(n - k)
                    pool.swapAt(k, j)
                }
                chosen = Array(pool[0..<size])
            } else {
                var set = Set<Int>()
                while set.count < size { set.insert(rng.below(n)) }
                chosen = Array(set)
                chosen.sort()
            }
            var memberIDs = chosen.map { records[$0].id }
            memberIDs.sort()
            state.members[id] = memberIDs
            for uid in memberIDs { state.userGroups[uid, default: []].insert(id) }
        }
        state.ids = factory
        for key in state.groups.keys { state.groups[key]!.encode(base: base) }
        return state
    }

    mutating func insertGroup(_ group: GroupRecord) {
        groups[group.id] = group
        let key = group.sortKey
        let index = groupOrder.lowerBound(key)
        groupOrder.insert(key, at: index)
    }

    mutating func removeGroupOrder(_ group: GroupRecord) {
        let key = group.sortKey
        let index = groupOrder.lowerBound(key)
        if index < groupOrder.count, groupOrder[index] == key { groupOrder.remove(at: index) }
    }

    static func groupID(fromSortKey key: String) -> String {
        guard let zero = key.lastIndex(of: "\u{0}") else { return key }
        return String(key[key.index(after: zero)...])
    }

    // MARK: - Lookups

    func user(idOrLogin: String) -> UserRecord? {
        if let user = users[idOrLogin] { return user }
        if let id = loginIndex[idOrLogin.lowercased()] { return users[id] }
        // An unambiguous login short name (the part before '@').
        let short = idOrLogin.lowercased() + "@"
        let candidates = loginIndex.keys.filter { $0.hasPrefix(short) }
        if candidates.count == 1, let id = loginIndex[candidates[0]] { return users[id] }
        return nil
    }

    func memberIDs(of groupID: String) -> [String] {
        groupID == everyoneID ? userIDs : (members[groupID] ?? [])
    }

    func memberCount(of groupID: String) -> Int {
        groupID == everyoneID ? userIDs.count : (members[groupID]?.count ?? 0)
    }

    /// The user ids a group admin may see: members of the admin's groups.
    func visibleUsers(for caller: Caller) -> Set<String>? {
        guard let scope = caller.scopedGroups else { return nil }
        var visible = Set<String>()
        for gid in scope { visible.formUnion(memberIDs(of: gid)) }
        return visible
    }

    func canSee(group id: String, caller: Caller) -> Bool {
        guard let scope = caller.scopedGroups else { return true }
        return scope.contains(id)
    }

    // MARK: - Mutation helpers

    mutating func store(_ user: UserRecord) {
        var user = user
        user.encode(base: base)
        users[user.id] = user
    }

    mutating func storeGroup(_ group: GroupRecord) {
        var group = group
        group.encode(base: base)
        groups[group.id] = group
    }

    mutating func touchMembership(_ groupID: String, at now: Timestamp) {
        guard var group = groups[groupID] else { return }
        group.lastMembershipUpdated = now.truncatedToSecond
        storeGroup(group)
    }

    mutating func addMember(_ userID: String, to groupID: String, now: Timestamp) -> Bool {
        var list = members[groupID] ?? []
        let index = list.lowerBound(userID)
        if index < list.count, list[index] == userID { return false }
        list.insert(userID, at: index)
        members[groupID] = list
        userGroups[userID, default: []].insert(groupID)
        touchMembership(groupID, at: now)
        if behaviour.membershipChangeTouchesUser, var user = users[userID] {
            user.lastUpdated = now.truncatedToSecond
            store(user)
        }
        return true
    }

    mutating func removeMember(_ userID: String, from groupID: String, now: Timestamp) -> Bool {
        guard var list = members[groupID] else { return false }
        let index = list.lowerBound(userID)
        guard index < list.count, list[index] == userID else { return false }
        list.remove(at: index)
        members[groupID] = list
        userGroups[userID]?.remove(groupID)
        touchMembership(groupID, at: now)
        if behaviour.membershipChangeTouchesUser, var user = users[userID] {
            user.lastUpdated = now.truncatedToSecond
            store(user)
        }
        return true
    }

    mutating func insertUser(_ user: UserRecord, now: Timestamp) {
        store(user)
        loginIndex[user.login.lowercased()] = user.id
        userIDs.insert(user.id, at: userIDs.lowerBound(user.id))
        touchMembership(everyoneID, at: now)
    }

    /// Permanently deletes a user: memberships, app assignments and indexes go too.
    mutating func deleteUser(_ id: String, now: Timestamp) {
        guard let user = users.removeValue(forKey: id) else { return }
        loginIndex.removeValue(forKey: user.login.lowercased())
        let index = userIDs.lowerBound(id)
        if index < userIDs.count, userIDs[index] == id { userIDs.remove(at: index) }
        for gid in userGroups[id] ?? [] { _ = removeMember(id, from: gid, now: now) }
        userGroups.removeValue(forKey: id)
        touchMembership(everyoneID, at: now)
        for appID in apps.keys { apps[appID]!.users.removeValue(forKey: id) }
    }

    /// Sets a status with Okta's timestamp side effects.
    mutating func setStatus(_ id: String, _ status: UserStatus, now: Timestamp) {
        guard var user = users[id] else { return }
        let t = now.truncatedToSecond
        user.status = status
        user.statusChanged = t
        user.lastUpdated = t
        if status == .active || status == .provisioned, user.activated == nil || status == .active { user.activated = user.activated ?? t }
        if status == .active, user.activated == nil { user.activated = t }
        store(user)
    }

    // MARK: - System Log

    struct LogTarget {
        var id: String
        var type: String
        var alternateId: String
        var displayName: String
    }

    mutating func log(
        _ eventType: String, _ displayMessage: String, legacy: String?, targets: [LogTarget], actor: Caller?,
        requestURI: String, now: Timestamp
    ) {
        logSequence += 1
        var hex = ""
        for _ in 0..<4 { hex += String(format: "%08x", UInt32(truncatingIfNeeded: ids.generator.next())) }
        let u = Array(hex)
        let uuid = "\(String(u[0..<8]))-\(String(u[8..<12]))-\(String(u[12..<16]))-\(String(u[16..<20]))-\(String(u[20..<32]))"
        let admin = users[adminUserID]
        func target(_ t: LogTarget) -> JSON {
            .object(JSONObject([
                "id": .string(t.id), "type": .string(t.type), "alternateId": .string(t.alternateId),
                "displayName": .string(t.displayName), "detailEntry": .null,
            ]))
        }
        let requestID = ids.token(27)
        let event = JSON.object(JSONObject([
            "actor": .object(JSONObject([
                "id": .string(adminUserID), "type": .string("User"), "alternateId": .string(admin?.login ?? "unknown"),
                "displayName": .string(admin?.displayName ?? "Okta System"), "detailEntry": .null,
            ])),
            "client": .object(JSONObject([
                "userAgent": .object(JSONObject([
                    "rawUserAgent": .string("okta-sim"), "os": .string("Unknown"), "browser": .string("UNKNOWN"),
                ])),
                "zone": .string("null"), "device": .string("Unknown"), "id": .null, "ipAddress": .string("127.0.0.1"),
                "geographicalContext": Self.logGeographicalContext,
            ])),
            "authenticationContext": .object(JSONObject([
                "authenticationProvider": .null, "credentialProvider": .null, "credentialType": .null, "issuer": .null,
                "interface": .null, "authenticationStep": .int(0), "rootSessionId": .string("unknown"),
                "externalSessionId": .string("unknown"),
            ])),
            "displayMessage": .string(displayMessage),
            "eventType": .string(eventType),
            "outcome": .object(JSONObject(["result": .string("SUCCESS"), "reason": .null])),
            "published": now.json,
            "securityContext": .object(JSONObject([
                "asNumber": .null, "asOrg": .null, "isp": .null, "domain": .null, "isProxy": .null,
            ])),
            "severity": .string("INFO"),
            "debugContext": .object(JSONObject(["debugData": .object(JSONObject([
                "requestId": .string(requestID), "requestUri": .string(requestURI), "url": .string(requestURI),
            ]))])),
            "legacyEventType": .optional(legacy),
            "transaction": .object(JSONObject(["type": .string("WEB"), "id": .string(requestID), "detail": .object(JSONObject())])),
            "uuid": .string(uuid),
            "version": .string("0"),
            "request": .object(JSONObject(["ipChain": .array([.object(JSONObject([
                "ip": .string("127.0.0.1"), "geographicalContext": Self.logGeographicalContext, "version": .string("V4"), "source": .null,
            ]))])])),
            "target": .array(targets.map(target)),
        ]))
        logs.append(LogEvent(
            sequence: logSequence, uuid: uuid, published: now, eventType: eventType, targetIDs: targets.map(\.id),
            bytes: event.encoded
        ))
    }

    /// Where every simulated request comes from. Okta geolocates the client and each hop of `ipChain` and
    /// reports an object, never null (`fixtures/spec-examples/logs-list.json`); the simulated org sits at the
    /// example's location. `postalCode` is a string as the document's `LogGeographicalContext` says (the
    /// example's bare number contradicts its own schema).
    static let logGeographicalContext = JSON.object(JSONObject([
        "city": .string("New York"), "state": .string("New York"), "country": .string("United States"),
        "postalCode": .string("10013"),
        "geolocation": .object(JSONObject(["lat": .double(40.3157), "lon": .double(-74.01)])),
    ]))

    func userTarget(_ user: UserRecord) -> LogTarget {
        LogTarget(id: user.id, type: "User", alternateId: user.login, displayName: user.displayName)
    }

    func groupTarget(_ group: GroupRecord) -> LogTarget {
        LogTarget(id: group.id, type: "UserGroup", alternateId: "unknown", displayName: group.name)
    }

    func appTarget(_ app: AppRecord) -> LogTarget {
        LogTarget(id: app.id, type: "AppInstance", alternateId: app.label, displayName: app.label)
    }
}

extension Array where Element: Comparable {
    /// The first index whose element is not less than `value` (the array is sorted).
    func lowerBound(_ value: Element) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if self[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The first index whose element is greater than `value`.
    func upperBound(_ value: Element) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if self[mid] <= value { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
