import Foundation
import PierCore
import PierLogging
import PierStorage
import PierSync
import PierTestSupport
import Testing

/// Engine behaviour on every storage backend, against an in-memory directory source.
struct SyncEngineTests {
    static func makeDirectory(_ store: SQLStore, id: String = "dir-1", org: String = "00o1") async throws -> DirectoryID {
        let directoryID = DirectoryID(id)
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        try await store.createDirectory(DirectoryRecord(
            id: directoryID, domain: "\(org).okta.com", orgID: org, orgHost: "\(org).okta.com",
            apiTokenCiphertext: [1, 2, 3], apiTokenHint: "abcd", createdAt: now, updatedAt: now
        ))
        return directoryID
    }

    static func engine(_ store: SQLStore, owner: String = "instance-a") -> SyncEngine<ContinuousClock> {
        SyncEngine(stores: store, clock: ContinuousClock(), now: { Date() }, logger: .disabled(), configuration: .init(owner: owner))
    }

    /// Every live directory row, as text, to compare before and after a run.
    static func dump(_ database: any DatabaseWriter) async throws -> [String] {
        try await database.read { db in
            var lines: [String] = []
            for (table, order) in [("directories", "id"), ("users", "id"), ("groups", "id"), ("group_members", "group_id, user_id"),
                                   ("tombstones", "directory_id, kind, okta_id")] {
                for row in try db.fetchAll(SQL(verbatim: "SELECT * FROM \(table) ORDER BY \(order)")) {
                    lines.append(table + ": " + zip(row.columns, row.values).map { "\($0)=\($1)" }.joined(separator: " "))
                }
            }
            return lines
        }
    }

    static func stagingRows(_ database: any DatabaseWriter) async throws -> Int {
        try await database.read { db in
            try ["sync_staging_users", "sync_staging_groups", "sync_staging_members"].reduce(0) { total, table in
                total + (try db.fetchValue(SQL(verbatim: "SELECT count(*) FROM \(table)"), as: Int.self) ?? 0)
            }
        }
    }

    static func users(_ store: SQLStore, _ directory: DirectoryID) async throws -> [String: StoredDirectoryUser] {
        Dictionary(uniqueKeysWithValues: try await store.directoryUsers(directory).map { ($0.record.oktaID.rawValue, $0) })
    }

    @Test(arguments: StorageBackend.available)
    func firstSyncImportsEveryoneWithTheStatusRules(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await Self.makeDirectory(store)
            let source = FakeDirectorySource.seeded()
            let run = try await Self.engine(store).runFullSync(directory: directory, source: source, trigger: .initial)
            #expect(run.state == .succeeded)
            #expect(run.error == nil)
            #expect(run.counts.users.created == 10)
            #expect(run.counts.users.skipped == ["not_activated": 2])
            #expect(run.counts.groups.created == 3)
            #expect(run.oktaRequests > 0)

            let users = try await Self.users(store, directory)
            #expect(users.count == 10)
            #expect(users["00u07"] == nil && users["00u08"] == nil)
            #expect(users["00u09"]?.status == .deactivated)
            #expect(users["00u03"]?.status == .suspended)
            #expect(users["00u04"]?.status == .active)
            #expect(users["00u04"]?.record.oktaStatus == "LOCKED_OUT")

            let groups = Dictionary(uniqueKeysWithValues: try await store.directoryGroups(directory).map { ($0.record.oktaID.rawValue, $0) })
            #expect(groups["00g00"]?.memberCount == 10)  // Everyone derived: every imported user
            #expect(try await store.members(of: OktaGroupID("00g01"), in: directory).map(\.rawValue) == ["00u01", "00u02", "00u09"])
            #expect(run.counts.memberships.added == 10 + 3 + 2)

            let objects = try await store.runObjects(run.id)
            #expect(objects.filter { $0.outcome == "skipped" }.map(\.oktaID).sorted() == ["00u07", "00u08"])
            #expect(objects.filter { $0.outcome == "created" }.count == 13)
            let record = try #require(try await store.directory(directory))
            #expect(record.watermark == Date(timeIntervalSince1970: 1_780_000_000 - 2))
            #expect(record.lastFullSyncAt != nil)
            #expect(try await Self.stagingRows(database) == 0)

            // A second run with no change writes nothing and does not repeat the skip rows.
            let again = try await Self.engine(store).runFullSync(directory: directory, source: source, trigger: .manual)
            #expect(again.state == .succeeded)
            #expect(again.counts.users.created == 0 && again.counts.users.updated == 0 && again.counts.memberships.added == 0)
            #expect(again.counts.users.skipped == ["not_activated": 2])
            #expect(try await store.runObjects(again.id).isEmpty)
        }
    }

    @Test(arguments: StorageBackend.available)
    func changesBetweenSyncsAreReflected(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await Self.makeDirectory(store)
            let source = FakeDirectorySource.seeded()
            _ = try await Self.engine(store).runFullSync(directory: directory, source: source, trigger: .initial)
            let before = try await Self.users(store, directory)

            source.update { s in
                s.users[0] = FakeDirectorySource.user("00u01", title: "CTO")            // profile update
                s.users[1] = FakeDirectorySource.user("00u02", .deprovisioned)          // deactivation
                s.users[9] = FakeDirectorySource.user("00u10", .staged)                 // known → STAGED: deactivated, kept
                s.users[6] = FakeDirectorySource.user("00u07")                          // activated: imported now
                s.users.removeAll { $0.id.rawValue == "00u11" }                         // deleted in Okta (404)
                s.groups[2].name = "Sales EMEA"                                         // rename
                s.members[OktaGroupID("00g01")] = [OktaUserID("00u01"), OktaUserID("00u07")]
            }
            let run = try await Self.engine(store).runFullSync(directory: directory, source: source, trigger: .manual)
            #expect(run.state == .succeeded)
            #expect(run.counts.users.created == 1)
            #expect(run.counts.users.updated == 1)
            #expect(run.counts.users.deactivated == 2)
            #expect(run.counts.users.removed == 1)
            #expect(run.counts.groups.updated == 1)

            let users = try await Self.users(store, directory)
            #expect(users["00u01"]?.record.title == "CTO")
            #expect(users["00u02"]?.status == .deactivated)
            #expect(users["00u10"]?.status == .deactivated)
            #expect(users["00u10"]?.id == before["00u10"]?.id)
            #expect(users["00u07"]?.status == .active)
            #expect(users["00u11"] == nil)
            #expect(try await store.members(of: OktaGroupID("00g01"), in: directory).map(\.rawValue) == ["00u01", "00u07"])
            #expect(try await store.directoryGroups(directory).first { $0.record.oktaID.rawValue == "00g02" }?.record.name == "Sales EMEA")
            let removed = try await store.runObjects(run.id).filter { $0.outcome == "removed" }
            #expect(removed.map(\.oktaID) == ["00u11"])

            // The same Okta id reappearing within 30 days revives the same Pier user.
            source.update { s in s.users.append(FakeDirectorySource.user("00u11")) }
            let revival = try await Self.engine(store).runFullSync(directory: directory, source: source, trigger: .manual)
            #expect(revival.state == .succeeded)
            #expect(try await Self.users(store, directory)["00u11"]?.id == before["00u11"]?.id)
            #expect(try await store.runObjects(revival.id).contains { $0.oktaID == "00u11" && $0.outcome == "revived" })
        }
    }

    @Test(arguments: StorageBackend.available, ["users", "deprovisioned", "groups", "members:00g02"])
    func faultMidWalkLeavesTheDirectoryExactlyAsItWas(_ backend: StorageBackend, _ listing: String) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await Self.makeDirectory(store)
            let source = FakeDirectorySource.seeded()
            _ = try await Self.engine(store).runFullSync(directory: directory, source: source, trigger: .initial)
            source.update { s in
                s.users[0] = FakeDirectorySource.user("00u01", title: "changed")
                s.users.removeAll { $0.id.rawValue == "00u12" }
                s.users.append(FakeDirectorySource.user("00u13"))
                s.groups[1].name = "renamed"
                s.failAtPage[listing] = (page: listing == "users" ? 3 : 1, failure: .server)
            }
            let before = try await Self.dump(database)
            let run = try await Self.engine(store).runFullSync(directory: directory, source: source, trigger: .manual)
            #expect(run.state == .failed)
            #expect(run.error?.code == "okta_server_error")
            #expect(try await Self.dump(database) == before)
            #expect(try await Self.stagingRows(database) == 0)
            // The next run completes.
            source.update { s in s.failAtPage = [:] }
            #expect(try await Self.engine(store).runFullSync(directory: directory, source: source, trigger: .manual).state == .succeeded)
            #expect(try await Self.dump(database) != before)
        }
    }

    @Test(arguments: StorageBackend.available)
    func invalidCursorRestartsTheWalkOnce(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await Self.makeDirectory(store)
            let source = FakeDirectorySource.seeded()
            source.update { s in s.failAtPage["users"] = (page: 2, failure: .invalidCursor) }
            // Fails at page 2 on every walk: one restart, then the run fails.
            let run = try await Self.engine(store).runFullSync(directory: directory, source: source, trigger: .initial)
            #expect(run.state == .failed)
            #expect(run.error?.code == "okta_invalid_cursor")
            #expect(try await store.directoryUsers(directory).isEmpty)
        }
    }

    @Test(arguments: StorageBackend.available)
    func aUserMissingFromTheListingButFoundByIDIsNotRemoved(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await Self.makeDirectory(store)
            let source = FakeDirectorySource.seeded()
            _ = try await Self.engine(store).runFullSync(directory: directory, source: source, trigger: .initial)
            source.update { s in
                s.users[0] = FakeDirectorySource.user("00u01", .suspended)
                s.hiddenFromListing = ["00u01"]  // its status changed between two pages
            }
            let run = try await Self.engine(store).runFullSync(directory: directory, source: source, trigger: .manual)
            #expect(run.state == .succeeded)
            #expect(run.counts.users.removed == 0)
            #expect(try await Self.users(store, directory)["00u01"]?.status == .suspended)
        }
    }

    @Test(arguments: StorageBackend.available, [DirectorySourceFailure.server, .rateLimited, .transport, .insufficientPermissions])
    func aConfirmationThatCannotAskFailsTheRunWithNoRemovals(_ backend: StorageBackend, _ failure: DirectorySourceFailure) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await Self.makeDirectory(store)
            let source = FakeDirectorySource.seeded()
            _ = try await Self.engine(store).runFullSync(directory: directory, source: source, trigger: .initial)
            source.update { s in
                s.users.removeAll { $0.id.rawValue == "00u11" }
                s.lookupFailures["00u11"] = failure
            }
            let before = try await Self.dump(database)
            let run = try await Self.engine(store).runFullSync(directory: directory, source: source, trigger: .manual)
            #expect(run.state == .failed)
            #expect(try await Self.dump(database) == before)
        }
    }

    @Test(arguments: StorageBackend.available, [Int?.none, 100])
    func aPartialViewRemovesNothing(_ backend: StorageBackend, _ organizationCount: Int?) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await Self.makeDirectory(store)
            let source = FakeDirectorySource.seeded()
            _ = try await Self.engine(store).runFullSync(directory: directory, source: source, trigger: .initial)
            source.update { s in
                s.users.removeAll { ["00u10", "00u11"].contains($0.id.rawValue) }
                s.organizationCount = .some(organizationCount)
            }
            let before = try await Self.dump(database)
            let run = try await Self.engine(store).runFullSync(directory: directory, source: source, trigger: .manual)
            #expect(run.state == .failed)
            #expect(run.error?.code == "okta_token_partial_view")
            #expect(try await Self.dump(database) == before)
        }
    }

    @Test(arguments: StorageBackend.available)
    func theGuardHoldsAMassRemovalAndALaterRunReplacesIt(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await Self.makeDirectory(store)
            let source = FakeDirectorySource.seeded()
            _ = try await Self.engine(store).runFullSync(directory: directory, source: source, trigger: .initial)
            source.update { s in
                s.users.removeAll { ["00u01", "00u04", "00u05", "00u06", "00u10", "00u11"].contains($0.id.rawValue) }
                s.users.append(FakeDirectorySource.user("00u20"))
                s.organizationCount = .some(7)
            }
            let held = try await Self.engine(store).runFullSync(directory: directory, source: source, trigger: .manual)
            #expect(held.state == .awaitingApproval)
            #expect(held.held?.users == 6)
            #expect(held.held?.reasons == [.halfOfUsers])
            let users = try await Self.users(store, directory)
            #expect(users.count == 11)  // nothing removed, the new user created
            #expect(users["00u20"] != nil)
            #expect(try await store.runObjects(held.id).filter { $0.outcome == "held" }.count == 6)

            let later = try await Self.engine(store).runFullSync(directory: directory, source: source, trigger: .manual)
            #expect(later.state == .awaitingApproval)
            #expect(try await store.run(held.id)?.state == .discarded)
        }
    }

    @Test(arguments: StorageBackend.available)
    func anApplyUnderALostLeaseChangesNothing(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await Self.makeDirectory(store)
            let name = SQLStore.syncLeaseName(directory)
            let stale = try #require(try await store.acquireLease(name, owner: "a", ttl: .seconds(30)))
            let run = SyncRunID("run-1")
            _ = try await store.startRun(id: run, directory: directory, trigger: .manual, kind: .full, lease: stale, at: Date())
            try await store.stageUsers([DirectoryUserRecord(FakeDirectorySource.user("00u01"))], run: run)
            // The lease lapses and another instance takes it (a higher fence).
            try await database.write { db in try db.execute("UPDATE leases SET expires_at = '2000-01-01T00:00:00.000Z'") }
            let fresh = try #require(try await store.acquireLease(name, owner: "b", ttl: .seconds(30)))
            #expect(fresh.fence > stale.fence)
            let before = try await Self.dump(database)
            await #expect(throws: StorageError.self) {
                _ = try await store.applyFullSync(FullSyncApply(run: run, directory: directory, lease: stale, at: Date(), watermark: Date()))
            }
            #expect(try await Self.dump(database) == before)
            #expect(try await store.run(run)?.state == .running)
            // The new holder's engine marks the stale run interrupted when it starts.
            try await store.releaseLease(fresh)
            let next = try await Self.engine(store, owner: "b").runFullSync(directory: directory, source: FakeDirectorySource.seeded(), trigger: .manual)
            #expect(next.state == .succeeded)
            #expect(try await store.run(run)?.state == .interrupted)
        }
    }

    @Test(arguments: StorageBackend.available)
    func twoDomainsWithOverlappingEmailsStaySeparate(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let first = try await Self.makeDirectory(store, id: "dir-1", org: "00o1")
            let second = try await Self.makeDirectory(store, id: "dir-2", org: "00o2")
            let a = FakeDirectorySource.seeded()
            let b = FakeDirectorySource.seeded()
            b.update { s in s.users.removeAll { $0.id.rawValue == "00u12" } }
            #expect(try await Self.engine(store).runFullSync(directory: first, source: a, trigger: .initial).state == .succeeded)
            #expect(try await Self.engine(store).runFullSync(directory: second, source: b, trigger: .initial).state == .succeeded)
            #expect(try await store.directoryUsers(first).count == 10)
            #expect(try await store.directoryUsers(second).count == 9)
            // A second domain's sync never removes the first's users.
            #expect(try await Self.engine(store).runFullSync(directory: second, source: b, trigger: .manual).counts.users.removed == 0)
            #expect(try await store.directoryUsers(first).count == 10)
            // Deleting a domain removes its users, groups and memberships only.
            try await store.deleteDirectory(second)
            #expect(try await store.directoryUsers(second).isEmpty)
            #expect(try await store.directoryUsers(first).count == 10)
        }
    }

    @Test(arguments: StorageBackend.available)
    func aSecondRunWhileOneHoldsTheLeaseIsRefused(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await Self.makeDirectory(store)
            _ = try #require(try await store.acquireLease(SQLStore.syncLeaseName(directory), owner: "other", ttl: .seconds(30)))
            await #expect(throws: SyncEngineError.alreadyRunning) {
                _ = try await Self.engine(store).runFullSync(directory: directory, source: FakeDirectorySource.seeded(), trigger: .manual)
            }
        }
    }
}
