import Foundation
import OktaSimulator
import PierCore
import PierHTTP
import PierOkta
import PierStorage
import PierSync
import PierTestSupport
import Testing

/// The issue's robustness cases on the in-process simulator, over the production client stack, on every
/// storage backend: a 429 storm, a group administrator's token, all eight statuses, two domains.
@Suite(.serialized)
struct SimulatorRobustnessTests {
    /// The simulator's `/__sim/stats`.
    static func stats(_ org: SimulatedOrg) async throws -> [String: Any] {
        let (status, json) = try await org.call(.get, "/__sim/stats", control: true)
        guard status == 200, let object = json as? [String: Any] else { throw SimulatedOrgError(message: "stats: \(status)") }
        return object
    }

    static func total(_ value: Any?) -> Int {
        (value as? [String: Any])?.values.reduce(0) { $0 + (($1 as? Int) ?? 0) } ?? 0
    }

    /// Sets users' statuses directly in the simulator's org (one `mutate` fault per user, each applied by
    /// one request), bypassing the lifecycle API so that every status, LOCKED_OUT included, can be reached.
    static func setStatuses(_ org: SimulatedOrg, _ changes: [(id: String, status: String)]) async throws {
        for change in changes {
            try await org.expectOK(.post, "/__sim/faults", """
                {"path":"/api/v1/users/me","method":"GET","fault":"mutate","mutate":{"op":"set-status","target":"\(change.id)","status":"\(change.status)"}}
                """, control: true)
            _ = try await org.call(.get, "/api/v1/users/me")
        }
        for change in changes {
            #expect(org.server.userStatuses[change.id] == change.status, "\(change.id) → \(change.status)")
        }
    }

    // MARK: - 1. A 429 storm

    /// Tiny rate-limit buckets (the pacer must wait for window resets) plus injected 429s on the users
    /// listing and on members pages: the run succeeds, mirrors the org exactly (nothing lost, nothing
    /// twice), records the seconds waited — and takes no real time waiting, because the client's waits and
    /// the simulator's windows run on one ``VirtualClock``.
    @Test(arguments: StorageBackend.available)
    func a429StormSlowsTheRunWithoutLosingData(_ backend: StorageBackend) async throws {
        let time = VirtualClock(start: Date(timeIntervalSince1970: 1_780_000_000))
        try await SimulatedOrg.with(users: 1500, groups: 20, configure: { $0.now = { time.date } }) { org in
            try await backend.withDatabase { database in
                let store = SQLStore(database: database)
                let directory = try await SyncEngineTests.makeDirectory(store)
                let engine = SyncEngineTests.engine(store)

                try await org.expectOK(.put, "/__sim/rate-limits", """
                    {"profile":"okta-default","windowSeconds":10,"buckets":{"/api/v1/users":4,"/api/v1/groups":4,"/api/v1/groups/{id}":8}}
                    """, control: true)
                try await org.expectOK(.post, "/__sim/faults",
                                       #"{"path":"/api/v1/users","method":"GET","fault":"429","skip":1,"count":3}"#, control: true)
                try await org.expectOK(.post, "/__sim/faults",
                                       #"{"path":"/api/v1/groups/{id}/users","method":"GET","fault":"429","skip":3,"count":4}"#, control: true)

                let wall = ContinuousClock.now
                let source = org.source(clock: time)
                let run = try await engine.runFullSync(directory: directory, source: source, trigger: .initial)
                let real = wall.duration(to: .now)
                #expect(run.state == .succeeded, "\(String(describing: run.error))")
                let imported = try await org.expectMirrored(store, directory, known: [])
                #expect(run.counts.users.created == imported.count)
                #expect(try await store.directoryUsers(directory).count == imported.count)
                #expect(run.counts.groups.created == org.server.groupIDs.count)

                // The injected 429s (the simulator's own limiter never had to refuse: the pacer kept under
                // half of each tiny bucket by waiting for the window to reset).
                let rateLimited = source.counters().rateLimited
                #expect(rateLimited == 7, "429s answered: \(rateLimited)")
                #expect(Self.total(try await Self.stats(org)["rateLimited"]) == 0)
                #expect(run.rateLimitWaitSeconds > 20, "waited \(run.rateLimitWaitSeconds) s")
                #expect(time.totalSlept >= .seconds(20))
                #expect(real < time.totalSlept, "real \(real) vs virtual \(time.totalSlept)")
                print("sync-429[\(backend)]: \(run.oktaRequests) requests, \(rateLimited) answered 429, waited \(run.rateLimitWaitSeconds) s (virtual), real \(real)")

                // A second storm on a full run that has nothing to do: still nothing created twice.
                try await org.expectOK(.post, "/__sim/faults",
                                       #"{"path":"/api/v1/groups/{id}/users","method":"GET","fault":"429","skip":1,"count":5}"#, control: true)
                let again = try await engine.runFullSync(directory: directory, source: org.source(clock: time), trigger: .manual)
                #expect(again.state == .succeeded, "\(String(describing: again.error))")
                #expect(again.counts.users.created == 0 && again.counts.users.updated == 0 && again.counts.users.removed == 0)
                #expect(again.counts.memberships.added == 0 && again.counts.memberships.removed == 0)
                #expect(again.rateLimitWaitSeconds > 0)
                _ = try await org.expectMirrored(store, directory, known: imported)
            }
        }
    }

    // MARK: - 2. A group administrator's token

    /// A token scoped to three groups sees part of the directory: the run fails with
    /// `okta_token_partial_view` and removes nothing (a user really deleted in Okta included); the same
    /// org through a super administrator's token removes exactly that user.
    @Test(arguments: StorageBackend.available)
    func aGroupAdminTokenFailsAsPartialViewAndRemovesNothing(_ backend: StorageBackend) async throws {
        let scoped = "00sync-group-admin"
        try await SimulatedOrg.with(users: 1000, groups: 10, configure: {
            $0.groupAdminTokens = [OktaSimulator.GroupAdminToken(token: scoped, groups: ["count:3"])]
        }) { org in
            try await backend.withDatabase { database in
                let store = SQLStore(database: database)
                let directory = try await SyncEngineTests.makeDirectory(store)
                let engine = SyncEngineTests.engine(store)
                let first = try await engine.runFullSync(directory: directory, source: org.source(), trigger: .initial)
                #expect(first.state == .succeeded)

                let active = org.server.userStatuses.filter { $0.value == "ACTIVE" }.map(\.key).sorted()
                let deleted = active[0]
                try await org.expectOK(.delete, "/api/v1/users/\(deleted)")
                try await org.expectOK(.delete, "/api/v1/users/\(deleted)")
                // Profile updates of users (most outside the token's three groups) put them in the System Log.
                for id in active[1..<6] { try await org.expectOK(.post, "/api/v1/users/\(id)", #"{"profile":{"title":"Logged"}}"#) }
                let before = try await SyncEngineTests.dump(database)

                for kind in [SyncKind.full, .incremental] {
                    let partial = try await engine.runSync(directory: directory, source: org.source(token: scoped), trigger: .manual, kind: kind)
                    #expect(partial.state == .failed, "\(kind): \(partial.state) \(partial.counts)")
                    #expect(partial.error?.code == "okta_token_partial_view", "\(kind): \(String(describing: partial.error))")
                    #expect(partial.counts.users.removed == 0)
                    #expect(try await SyncEngineTests.dump(database) == before)
                    #expect(try await SyncEngineTests.stagingRows(database) == 0)
                }

                let whole = try await engine.runFullSync(directory: directory, source: org.source(), trigger: .manual)
                #expect(whole.state == .succeeded)
                #expect(whole.counts.users.removed == 1)
                #expect(try await SyncEngineTests.users(store, directory)[deleted] == nil)
            }
        }
    }

    // MARK: - 3. All eight statuses

    /// DESIGN.md §1.2, written out here rather than taken from `UserStatusMapping`: the first sync, then
    /// a change into each of the eight statuses for users Pier knows, plus never-imported STAGED and
    /// PROVISIONED users who become ACTIVE or DEPROVISIONED. Picked up by an incremental run; a full
    /// run afterwards agrees and changes nothing.
    @Test(arguments: StorageBackend.available)
    func everyOktaStatusMapsOnTheSimulator(_ backend: StorageBackend) async throws {
        let firstSync: [String: PierUserStatus?] = [
            "ACTIVE": .active, "RECOVERY": .active, "PASSWORD_EXPIRED": .active, "LOCKED_OUT": .active,
            "SUSPENDED": .suspended, "DEPROVISIONED": .deactivated, "STAGED": nil, "PROVISIONED": nil,
        ]
        let known: [String: PierUserStatus] = [
            "ACTIVE": .active, "RECOVERY": .active, "PASSWORD_EXPIRED": .active, "LOCKED_OUT": .active,
            "SUSPENDED": .suspended, "DEPROVISIONED": .deactivated, "STAGED": .deactivated, "PROVISIONED": .deactivated,
        ]
        let time = VirtualClock(start: Date(timeIntervalSince1970: 1_780_000_000))
        try await SimulatedOrg.with(users: 1200, groups: 8, configure: { $0.now = { time.date } }) { org in
            try await backend.withDatabase { database in
                let store = SQLStore(database: database)
                let directory = try await SyncEngineTests.makeDirectory(store)
                let engine = SyncEngineTests.engine(store)

                let statuses = org.server.userStatuses
                #expect(Set(statuses.values) == Set(firstSync.keys), "seeded statuses: \(Set(statuses.values).sorted())")
                let first = try await engine.runFullSync(directory: directory, source: org.source(clock: time), trigger: .initial)
                #expect(first.state == .succeeded)
                var users = try await SyncEngineTests.users(store, directory)
                for (id, status) in statuses {
                    let expected = firstSync[status] ?? nil
                    #expect(users[id]?.status == expected, "\(id) \(status)")
                    if expected != nil { #expect(users[id]?.record.oktaStatus == status) }
                }
                let notActivated = statuses.values.count { $0 == "STAGED" || $0 == "PROVISIONED" }
                #expect(first.counts.users.skipped["not_activated"] == notActivated)
                #expect(first.counts.users.created == statuses.count - notActivated)

                // Changes, a few seconds after the first run's watermark.
                time.advance(by: .seconds(5))
                func ids(_ status: String) -> [String] { statuses.filter { $0.value == status }.map(\.key).sorted() }
                let active = ids("ACTIVE")
                var changes: [(id: String, status: String)] = [
                    (active[0], "RECOVERY"), (active[1], "PASSWORD_EXPIRED"), (active[2], "LOCKED_OUT"), (active[3], "SUSPENDED"),
                    (active[4], "DEPROVISIONED"), (active[5], "STAGED"), (active[6], "PROVISIONED"),
                    (ids("SUSPENDED")[0], "ACTIVE"), (ids("DEPROVISIONED")[0], "ACTIVE"), (ids("LOCKED_OUT")[0], "ACTIVE"),
                ]
                let neverImported = [(ids("STAGED")[0], "ACTIVE"), (ids("PROVISIONED")[0], "ACTIVE"), (ids("STAGED")[1], "DEPROVISIONED")]
                changes += neverImported
                try await Self.setStatuses(org, changes)
                time.advance(by: .seconds(5))

                let incremental = try await engine.runIncrementalSync(directory: directory, source: org.source(clock: time), trigger: .manual)
                #expect(incremental.state == .succeeded, "\(String(describing: incremental.error))")
                #expect(incremental.kind == .incremental)
                #expect(incremental.counts.users.created == 3)
                #expect(incremental.counts.users.deactivated == 3)
                #expect(incremental.counts.users.removed == 0)
                users = try await SyncEngineTests.users(store, directory)
                for (id, status) in changes {
                    #expect(users[id]?.status == known[status], "\(id) → \(status)")
                    #expect(users[id]?.record.oktaStatus == status)
                }
                let imported = Set(users.keys)
                _ = try await org.expectMirrored(store, directory, known: Set(users.keys))

                let full = try await engine.runFullSync(directory: directory, source: org.source(clock: time), trigger: .manual)
                #expect(full.state == .succeeded)
                #expect(full.counts.users.created == 0 && full.counts.users.updated == 0 && full.counts.users.deactivated == 0)
                #expect(full.counts.users.removed == 0)
                #expect(Set(try await SyncEngineTests.users(store, directory).keys) == imported)
                _ = try await org.expectMirrored(store, directory, known: imported)
            }
        }
    }

    // MARK: - 4. Two domains

    /// Two simulators seeded alike (so the same Okta ids, logins and e-mails) synced at the same time into
    /// two domains: each mirrors its own org; changes in one reach only that domain; deleting one domain
    /// leaves the other exactly as it was.
    @Test(arguments: StorageBackend.available)
    func twoDomainsSideBySideStaySeparate(_ backend: StorageBackend) async throws {
        try await SimulatedOrg.with(users: 900, groups: 10) { orgA in
            try await SimulatedOrg.with(users: 900, groups: 10) { orgB in
                #expect(orgA.server.userStatuses == orgB.server.userStatuses)  // same ids on purpose
                try await backend.withDatabase { database in
                    let store = SQLStore(database: database)
                    let a = try await SyncEngineTests.makeDirectory(store, id: "dir-a", org: "00oa")
                    let b = try await SyncEngineTests.makeDirectory(store, id: "dir-b", org: "00ob")
                    let engine = SyncEngineTests.engine(store)

                    async let runA = engine.runFullSync(directory: a, source: orgA.source(), trigger: .initial)
                    async let runB = engine.runFullSync(directory: b, source: orgB.source(), trigger: .initial)
                    let (firstA, firstB) = try await (runA, runB)
                    #expect(firstA.state == .succeeded && firstB.state == .succeeded)
                    var knownA = try await orgA.expectMirrored(store, a, known: [])
                    var knownB = try await orgB.expectMirrored(store, b, known: [])
                    #expect(knownA == knownB)

                    // Changes in A only; a rename in B only.
                    let active = orgA.server.userStatuses.filter { $0.value == "ACTIVE" }.map(\.key).sorted()
                    try await orgA.expectOK(.post, "/api/v1/users/\(active[0])/lifecycle/deactivate")
                    try await orgA.expectOK(.delete, "/api/v1/users/\(active[1])")
                    try await orgA.expectOK(.delete, "/api/v1/users/\(active[1])")
                    try await orgA.expectOK(.post, "/api/v1/users/\(active[2])", #"{"profile":{"title":"Only in A"}}"#)
                    let group = orgB.server.groupTypes.filter { $0.value == "OKTA_GROUP" }.map(\.key).sorted()[0]
                    try await orgB.expectOK(.put, "/api/v1/groups/\(group)", #"{"profile":{"name":"Only in B","description":"b"}}"#)

                    async let nextA = engine.runIncrementalSync(directory: a, source: orgA.source(), trigger: .manual)
                    async let nextB = engine.runIncrementalSync(directory: b, source: orgB.source(), trigger: .manual)
                    let (secondA, secondB) = try await (nextA, nextB)
                    #expect(secondA.state == .succeeded && secondB.state == .succeeded)
                    #expect(secondA.counts.users.deactivated == 1 && secondA.counts.users.removed == 1)
                    #expect(secondB.counts.users.deactivated == 0 && secondB.counts.users.removed == 0)
                    knownA = try await orgA.expectMirrored(store, a, known: knownA)
                    knownB = try await orgB.expectMirrored(store, b, known: knownB)
                    let usersA = try await SyncEngineTests.users(store, a)
                    let usersB = try await SyncEngineTests.users(store, b)
                    #expect(usersA[active[0]]?.status == .deactivated && usersB[active[0]]?.status == .active)
                    #expect(usersA[active[1]] == nil && usersB[active[1]] != nil)
                    #expect(usersA[active[2]]?.record.title == "Only in A" && usersB[active[2]]?.record.title != "Only in A")
                    #expect(usersA[active[3]]?.record.email == usersB[active[3]]?.record.email)
                    #expect(usersA[active[3]]?.id != usersB[active[3]]?.id)
                    let groupsA = try await store.directoryGroups(a).first { $0.record.oktaID.rawValue == group }
                    let groupsB = try await store.directoryGroups(b).first { $0.record.oktaID.rawValue == group }
                    #expect(groupsA?.record.name != "Only in B" && groupsB?.record.name == "Only in B")

                    // Deleting A leaves B exactly as it was.
                    let before = try await Self.snapshot(store, b)
                    try await store.deleteDirectory(a)
                    #expect(try await store.directoryUsers(a).isEmpty)
                    #expect(try await store.directoryGroups(a).isEmpty)
                    #expect(try await Self.snapshot(store, b) == before)
                    _ = try await orgB.expectMirrored(store, b, known: knownB)
                    let after = try await engine.runFullSync(directory: b, source: orgB.source(), trigger: .manual)
                    #expect(after.state == .succeeded)
                    #expect(after.counts.users.created == 0 && after.counts.users.removed == 0 && after.counts.memberships.added == 0)
                }
            }
        }
    }

    /// A domain's users (id, Okta id, status, e-mail, title), groups and memberships, as text.
    static func snapshot(_ store: SQLStore, _ directory: DirectoryID, withPierIDs: Bool = true) async throws -> [String] {
        var lines = try await store.directoryUsers(directory).map {
            "u \(withPierIDs ? $0.id : "-") \($0.record.oktaID.rawValue) \($0.status) \($0.record.email ?? "") \($0.record.title ?? "")"
        }
        for group in try await store.directoryGroups(directory) {
            lines.append("g \(group.record.oktaID.rawValue) \(group.record.name) \(group.memberCount)")
            let members = try await store.members(of: group.record.oktaID, in: directory).map(\.rawValue).sorted()
            lines.append("m \(group.record.oktaID.rawValue) \(members.joined(separator: ","))")
        }
        return lines.sorted()
    }
}
