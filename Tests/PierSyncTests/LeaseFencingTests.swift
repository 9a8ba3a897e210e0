import Foundation
import PierCore
import PierLogging
import PierStorage
import PierSync
import PierTestSupport
import Testing

/// DESIGN.md §8 on every backend: a lease holder that lost its lease cannot commit — in any of the
/// writes made under the domain's lease (the full-sync apply is `SyncEngineTests.anApplyUnderALostLeaseChangesNothing`) —
/// and the queue's rules that rest on leases.
struct LeaseFencingTests {
    /// Moves every lease's expiry into the past (instead of waiting for it).
    static func expireLeases(_ database: any DatabaseWriter) async throws {
        try await database.write { db in try db.execute("UPDATE leases SET expires_at = '2000-01-01T00:00:00.000Z'") }
    }

    @Test(arguments: StorageBackend.available)
    func anApprovalUnderALostLeaseChangesNothing(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await SyncEngineTests.makeDirectory(store)
            let held = try await SyncApprovalTests.heldRun(store, FakeDirectorySource.seeded(), directory)
            let name = SQLStore.syncLeaseName(directory)
            let stale = try #require(try await store.acquireLease(name, owner: "a", ttl: .seconds(30)))
            try await Self.expireLeases(database)
            _ = try #require(try await store.acquireLease(name, owner: "b", ttl: .seconds(30)))
            let before = try await SyncEngineTests.dump(database)

            let error = await #expect(throws: StorageError.self) {
                _ = try await store.applyApproval(SyncApproval(
                    run: held.id, directory: directory, lease: stale, at: Date(), actor: "admin:alice",
                    removeUsers: [OktaUserID("00u01")], deactivateUsers: [], removeGroups: [], kept: [], tombstoneLifetime: 86_400))
            }
            #expect(error?.code == .conflict)
            #expect(try await SyncEngineTests.dump(database) == before)
            #expect(try await store.run(held.id)?.state == .awaitingApproval)
            #expect(try await store.auditEntries(limit: 5, before: nil).allSatisfy { $0.action != "sync.approve" })
        }
    }

    /// A lease that lapsed without anyone taking it is lost too: its holder may not commit any more.
    @Test(arguments: StorageBackend.available)
    func aLeaseThatLapsedUntakenCannotCommitEither(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await SyncEngineTests.makeDirectory(store)
            let lease = try #require(try await store.acquireLease(SQLStore.syncLeaseName(directory), owner: "a", ttl: .seconds(30)))
            let run = SyncRunID("run-1")
            _ = try await store.startRun(id: run, directory: directory, trigger: .manual, kind: .full, lease: lease, at: Date())
            try await store.stageUsers([DirectoryUserRecord(FakeDirectorySource.user("00u01"))], run: run)
            try await Self.expireLeases(database)
            let before = try await SyncEngineTests.dump(database)
            await #expect(throws: StorageError.self) {
                _ = try await store.applyFullSync(FullSyncApply(run: run, directory: directory, lease: lease, at: Date(), watermark: Date()))
            }
            #expect(try await SyncEngineTests.dump(database) == before)
            #expect(try await store.renewLease(lease, ttl: .seconds(30)) == nil, "a lapsed lease is not renewed")
        }
    }

    @Test(arguments: StorageBackend.available)
    func aQueuedRunCannotStartUnderALostLease(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await SyncEngineTests.makeDirectory(store)
            let name = SQLStore.syncLeaseName(directory)
            let queued = try await store.requestSync(directory, kind: .full, trigger: .manual, id: SyncRunID("run-q"), at: Date())
            #expect(queued.disposition == .started && queued.run.state == .queued)
            let stale = try #require(try await store.acquireLease(name, owner: "a", ttl: .seconds(30)))
            try await Self.expireLeases(database)
            _ = try #require(try await store.acquireLease(name, owner: "b", ttl: .seconds(30)))
            let error = await #expect(throws: StorageError.self) {
                _ = try await store.startQueuedRun(queued.run.id, lease: stale, requireFull: false, at: Date())
            }
            #expect(error?.code == .conflict)
            #expect(try await store.run(queued.run.id)?.state == .queued)
        }
    }

    /// The engine's renewal finds the lease gone (another instance took it after it lapsed): the run stops
    /// without applying, recorded `failed` with `lease_lost`, and the directory is as it was.
    @Test(arguments: StorageBackend.available)
    func aRunThatLosesItsLeaseStopsAndChangesNothing(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await SyncEngineTests.makeDirectory(store)
            #expect(try await SyncEngineTests.engine(store).runFullSync(directory: directory, source: FakeDirectorySource.seeded(), trigger: .initial).state == .succeeded)
            let source = FakeDirectorySource.seeded()
            source.update { s in s.users.append(FakeDirectorySource.user("00u99")) }
            let gate = Gate()
            var configuration = SyncEngine<ContinuousClock>.Configuration(owner: "a")
            configuration.leaseRenewal = .milliseconds(100)
            let engine = SyncEngine(stores: store, clock: ContinuousClock(), now: { Date() }, logger: .disabled(), configuration: configuration)
            let before = try await SyncEngineTests.dump(database)

            let running = Task { try await engine.runFullSync(directory: directory, source: GatedSource(source, gate: gate), trigger: .manual) }
            #expect(try await gate.reached(1))
            try await Self.expireLeases(database)
            _ = try #require(try await store.acquireLease(SQLStore.syncLeaseName(directory), owner: "b", ttl: .seconds(30)))
            await gate.open()
            let record = try await running.value
            #expect(record.state == .failed && record.error?.code == "lease_lost", "\(record)")
            #expect(try await SyncEngineTests.dump(database) == before)
        }
    }

    /// A scheduled fire and a queued run of the same domain on one instance share the engine (and the
    /// instance name): the second must meet the first's lease, not renew it and run alongside.
    @Test(arguments: StorageBackend.available)
    func twoRunsOfOneInstanceExcludeEachOther(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await SyncEngineTests.makeDirectory(store)
            let engine = SyncEngineTests.engine(store, owner: "instance-a")
            let gate = Gate()
            let first = Task { try await engine.runFullSync(directory: directory, source: GatedSource(FakeDirectorySource.seeded(), gate: gate), trigger: .schedule) }
            #expect(try await gate.reached(1))
            await #expect(throws: SyncEngineError.alreadyRunning) {
                _ = try await engine.runFullSync(directory: directory, source: FakeDirectorySource.seeded(), trigger: .manual)
            }
            let queued = try await store.requestSync(directory, kind: .full, trigger: .manual, id: SyncRunID("run-q"), at: Date())
            #expect(queued.disposition == .joinedRunning)
            await gate.open()
            #expect(try await first.value.state == .succeeded)
            #expect(try await store.runs(of: directory, limit: 10).count == 1)
        }
    }

    @Test(arguments: StorageBackend.available)
    func theDatabaseAllowsOneQueuedAndOneRunningRunPerDomain(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await SyncEngineTests.makeDirectory(store)
            let lease = try #require(try await store.acquireLease(SQLStore.syncLeaseName(directory), owner: "a", ttl: .seconds(30)))
            _ = try await store.startRun(id: SyncRunID("run-1"), directory: directory, trigger: .manual, kind: .incremental, lease: lease, at: Date())
            let followUp = try await store.requestSync(directory, kind: .full, trigger: .manual, id: SyncRunID("run-2"), at: Date())
            #expect(followUp.disposition == .queued && followUp.run.state == .queued)
            // The partial unique index refuses a second queued (or running) row, whoever writes it.
            for state in ["queued", "running"] {
                let error = await #expect(throws: StorageError.self) {
                    try await database.write { db in
                        try db.execute("""
                            INSERT INTO sync_runs (id, directory_id, trigger, kind, state, queued_at, started_at)
                            VALUES (\("run-x-" + state), \(directory.rawValue), 'manual', 'full', \(state), \(Date()), \(Date()))
                            """)
                    }
                }
                #expect(error?.code == .conflict, "a second \(state) run")
            }
            // Later requests join: the running incremental covers an incremental request, the queued full a full one.
            let third = try await store.requestSync(directory, kind: .incremental, trigger: .manual, id: SyncRunID("run-3"), at: Date())
            #expect(third.disposition == .joinedRunning && third.run.id == SyncRunID("run-1"))
            let fourth = try await store.requestSync(directory, kind: .full, trigger: .manual, id: SyncRunID("run-4"), at: Date())
            #expect(fourth.disposition == .joinedQueued && fourth.run.id == SyncRunID("run-2"))
            #expect(try await store.runs(of: directory, limit: 10).count == 2)
        }
    }

    @Test(arguments: StorageBackend.available)
    func abandonedRunsAreInterruptedOnlyOnceTheirLeaseIsGone(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let first = try await SyncEngineTests.makeDirectory(store, id: "dir-1", org: "00o1")
            let second = try await SyncEngineTests.makeDirectory(store, id: "dir-2", org: "00o2")
            let leaseA = try #require(try await store.acquireLease(SQLStore.syncLeaseName(first), owner: "a", ttl: .seconds(30)))
            let leaseB = try #require(try await store.acquireLease(SQLStore.syncLeaseName(second), owner: "a", ttl: .seconds(30)))
            let runA = SyncRunID("run-a")
            let runB = SyncRunID("run-b")
            _ = try await store.startRun(id: runA, directory: first, trigger: .manual, kind: .incremental, lease: leaseA, at: Date())
            _ = try await store.startRun(id: runB, directory: second, trigger: .manual, kind: .full, lease: leaseB, at: Date())
            try await store.stageUsers([DirectoryUserRecord(FakeDirectorySource.user("00u01"))], run: runA)
            let followUp = try await store.requestSync(first, kind: .full, trigger: .manual, id: SyncRunID("run-q"), at: Date())
            #expect(followUp.disposition == .queued)

            // Live leases: nothing to mark, and the queued run waits (its domain's lease is held).
            #expect(try await store.interruptAbandonedRuns(at: Date()).isEmpty)
            #expect(try await store.runnableQueuedRuns().isEmpty)

            // The first domain's lease lapses: its run is abandoned, its queued run becomes runnable.
            try await database.write { db in
                try db.execute("UPDATE leases SET expires_at = '2000-01-01T00:00:00.000Z' WHERE name = \(leaseA.name)")
            }
            #expect(try await store.interruptAbandonedRuns(at: Date()) == [runA])
            let interrupted = try #require(try await store.run(runA))
            #expect(interrupted.state == .interrupted && interrupted.error?.code == "interrupted" && interrupted.finishedAt != nil)
            #expect(try await store.run(runB)?.state == .running)
            #expect(try await store.runnableQueuedRuns().map(\.id) == [SyncRunID("run-q")])
            let staged = try await database.read { db in
                try db.fetchValue("SELECT count(*) FROM sync_staging_users WHERE run_id = 'run-a'", as: Int.self)
            }
            #expect(staged == 0)
            #expect(try await store.interruptAbandonedRuns(at: Date()).isEmpty, "marked once")
        }
    }
}
