import Foundation
import PierCore
import PierLogging
import PierStorage
import PierSync
import PierTestSupport
import Synchronization
import Testing

/// A gate a run waits at until the test opens it.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private(set) var arrivals = 0

    func wait() async {
        arrivals += 1
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }

    func close() { isOpen = false }

    /// Waits (in real time, briefly) until `count` runs have reached the gate.
    func reached(_ count: Int) async throws -> Bool {
        for _ in 0..<400 {
            if arrivals >= count { return true }
            try await Task.sleep(for: .milliseconds(25))
        }
        return false
    }
}

/// A source whose runs stop at the partial-view check (full and incremental runs both make it) until
/// the gate opens, so a test knows a run is in flight.
final class GatedSource: DirectorySource {
    let base: FakeDirectorySource
    let gate: Gate

    init(_ base: FakeDirectorySource, gate: Gate) {
        self.base = base
        self.gate = gate
    }

    func users() -> DirectoryPages<DirectoryUser> { base.users() }
    func deprovisionedUsers() -> DirectoryPages<DirectoryUser> { base.deprovisionedUsers() }
    func groups() -> DirectoryPages<DirectoryGroup> { base.groups() }
    func members(of group: OktaGroupID) -> DirectoryPages<DirectoryMember> { base.members(of: group) }
    func users(updatedSince since: Date) -> DirectoryPages<DirectoryUser> { base.users(updatedSince: since) }
    func groups(updatedSince since: Date) -> DirectoryPages<DirectoryGroup> { base.groups(updatedSince: since) }
    func changes(since: Date, until: Date) -> DirectoryPages<DirectoryChangeEvent> { base.changes(since: since, until: until) }
    func user(_ id: OktaUserID) async throws -> DirectoryUser? { try await base.user(id) }
    func group(_ id: OktaGroupID) async throws -> DirectoryGroup? { try await base.group(id) }
    func groups(ofUser id: OktaUserID) async throws -> [DirectoryGroup] { try await base.groups(ofUser: id) }
    func organizationUserCount() async throws -> Int? {
        await gate.wait()
        return try await base.organizationUserCount()
    }
    func serverTime() -> Date? { base.serverTime() }
    func counters() -> DirectoryRequestCounters { base.counters() }
}

/// Sync Now's join/queue rules (DESIGN.md §8) on every backend: requests are run rows in the database,
/// run by whichever instance's ``QueuedSyncRunner`` takes the domain's lease.
struct SyncNowServiceTests {
    static func service(_ store: SQLStore) -> SyncNowService<ContinuousClock> {
        var configuration = SyncNowService<ContinuousClock>.Configuration()
        configuration.pollInterval = .milliseconds(50)
        return SyncNowService(stores: store, clock: ContinuousClock(), now: { Date() }, configuration: configuration)
    }

    static func runner(_ store: SQLStore, _ source: any DirectorySource, owner: String = "instance-a") -> QueuedSyncRunner<ContinuousClock> {
        var configuration = QueuedSyncRunner<ContinuousClock>.Configuration()
        configuration.pollInterval = .milliseconds(50)
        return QueuedSyncRunner(
            engine: SyncEngineTests.engine(store, owner: owner), stores: store, makeSource: { _ in source }, clock: ContinuousClock(),
            now: { Date() }, capacity: SyncCapacity(), logger: .disabled(), configuration: configuration)
    }

    /// Runs `body` while `runners` work the queue; stops them (and waits for them) afterwards.
    static func withRunners<T: Sendable>(_ runners: [QueuedSyncRunner<ContinuousClock>], _ body: () async throws -> T) async throws -> T {
        let tasks = runners.map { runner in Task { await runner.run() } }
        func stop() async {
            for task in tasks { task.cancel() }
            for task in tasks { await task.value }
        }
        do {
            let result = try await body()
            await stop()
            return result
        } catch {
            await stop()
            throw error
        }
    }

    /// A domain whose stored settings cannot make an Okta connection (here: a token that does not decrypt)
    /// fails its queued run once, with the reason, instead of staying queued and retried on every poll.
    @Test(arguments: StorageBackend.available)
    func aQueuedRunThatCannotStartFailsWithTheReason(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await SyncEngineTests.makeDirectory(store)
            let attempts = Mutex(0)
            var configuration = QueuedSyncRunner<ContinuousClock>.Configuration()
            configuration.pollInterval = .milliseconds(20)
            let runner = QueuedSyncRunner(
                engine: SyncEngineTests.engine(store), stores: store,
                makeSource: { _ in attempts.withLock { $0 += 1 }; throw Undecryptable() },
                clock: ContinuousClock(), now: { Date() }, capacity: SyncCapacity(), logger: .disabled(), configuration: configuration)
            let request = try await Self.service(store).request(directory)
            #expect(request.run.state == .queued)

            let record = try await Self.withRunners([runner]) { try await request.result() }
            #expect(record.state == .failed && record.finishedAt != nil && record.startedAt == record.finishedAt)
            #expect(record.error?.code == "domain_settings_unusable")
            #expect(record.error?.message.contains("crypto.authentication_failed") == true)
            #expect(attempts.withLock { $0 } == 1, "a run that cannot start is tried once, not on every poll")
            #expect(try await store.runnableQueuedRuns().isEmpty)
            // Not queued any more: the next request queues a new run.
            let next = try await Self.service(store).request(directory)
            #expect(next.isNewRun && next.runID != request.runID)
        }
    }

    @Test(arguments: StorageBackend.available)
    func requestsJoinTheRunningRunOrQueueOneFollowUp(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await SyncEngineTests.makeDirectory(store)
            let gate = Gate()
            let service = Self.service(store)

            // No watermark: the default is full. Nothing runs yet: the request is a queued run row, and a
            // second request joins that row.
            let first = try await service.request(directory)
            #expect(first.outcome == .started && first.kind == .full && first.isNewRun)
            #expect(first.run.state == .queued && first.run.trigger == .manual && first.run.startedAt == nil)
            let beforeStart = try await service.request(directory, kind: .incremental)
            #expect(beforeStart.outcome == .joinedQueued && beforeStart.runID == first.runID && !beforeStart.isNewRun)

            try await Self.withRunners([Self.runner(store, GatedSource(FakeDirectorySource.seeded(), gate: gate))]) {
                // Everything asked while it runs joins it.
                #expect(try await gate.reached(1))
                let incremental = try await service.request(directory, kind: .incremental)
                let full = try await service.request(directory, kind: .full)
                let byDefault = try await service.request(directory)
                for joined in [incremental, full, byDefault] {
                    #expect(joined.outcome == .joinedRunning && joined.runID == first.runID && !joined.isNewRun)
                    #expect(joined.run.state == .running)
                }
                await gate.open()
                let record = try await first.result()
                #expect(record.id == first.runID && record.state == .succeeded && record.kind == .full && record.trigger == .manual)
                #expect(try await full.result() == record)

                // A recent full run: the default is incremental; a full request queues one follow-up, later
                // requests join the running incremental or the queued full.
                await gate.close()
                let second = try await service.request(directory)
                #expect(second.outcome == .started && second.kind == .incremental)
                #expect(try await gate.reached(2))
                let queued = try await service.request(directory, kind: .full)
                #expect(queued.outcome == .queued && queued.kind == .full && queued.isNewRun && queued.run.state == .queued)
                let joinsRunning = try await service.request(directory, kind: .incremental)
                #expect(joinsRunning.outcome == .joinedRunning && joinsRunning.runID == second.runID)
                let joinsQueued = try await service.request(directory, kind: .full)
                #expect(joinsQueued.outcome == .joinedQueued && joinsQueued.runID == queued.runID)
                await gate.open()
                let secondRecord = try await second.result()
                let queuedRecord = try await queued.result()
                #expect(secondRecord.state == .succeeded && secondRecord.kind == .incremental)
                #expect(queuedRecord.id == queued.runID && queuedRecord.state == .succeeded && queuedRecord.kind == .full)
                #expect(try await joinsQueued.result() == queuedRecord)
                #expect(queuedRecord.startedAt! >= secondRecord.finishedAt!)
                #expect(try await store.runs(of: directory, limit: 10).count == 3)

                // Idle again: a request starts at once.
                let idle = try await service.request(directory, kind: .incremental)
                #expect(idle.outcome == .started)
                #expect(try await idle.result().state == .succeeded)
            }
        }
    }

    /// An incremental request queued behind a running run becomes full when a full request joins it.
    @Test(arguments: StorageBackend.available)
    func aFullRequestUpgradesTheQueuedFollowUp(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await SyncEngineTests.makeDirectory(store)
            let service = Self.service(store)
            #expect(try await SyncEngineTests.engine(store).runFullSync(directory: directory, source: FakeDirectorySource.seeded(), trigger: .initial).state == .succeeded)
            let queued = try await service.request(directory, kind: .incremental)
            #expect(queued.outcome == .started && queued.kind == .incremental)
            let upgraded = try await service.request(directory, kind: .full)
            #expect(upgraded.outcome == .joinedQueued && upgraded.runID == queued.runID && upgraded.kind == .full)
            let records = await Self.runner(store, FakeDirectorySource.seeded()).runOnce()
            #expect(records.map(\.id) == [queued.runID])
            #expect(records.first?.kind == .full && records.first?.state == .succeeded)
        }
    }

    /// A run queued through one instance is run by another instance's runner (the only one working here).
    @Test(arguments: StorageBackend.available)
    func aRunQueuedOnOneInstanceRunsOnAnother(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await SyncEngineTests.makeDirectory(store)
            let ticket = try await Self.service(store).request(directory, kind: .full, trigger: .initial)
            #expect(ticket.outcome == .started && ticket.run.trigger == .initial)
            try await Self.withRunners([Self.runner(store, FakeDirectorySource.seeded(), owner: "instance-b")]) {
                let record = try await ticket.result()
                #expect(record.state == .succeeded && record.trigger == .initial)
            }
            let owner = try await database.read { db in
                try db.fetchValue("SELECT lease_owner FROM sync_runs WHERE id = \(ticket.runID.rawValue)", as: String.self)
            }
            #expect(owner?.hasPrefix("instance-b/") == true, "\(owner ?? "none")")
        }
    }

    /// A run of another instance (or the scheduler) is joined when it covers the request; a request it
    /// does not cover is queued behind it and runs when it ends.
    @Test(arguments: StorageBackend.available)
    func anotherInstancesRunIsJoinedOrWaitedFor(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await SyncEngineTests.makeDirectory(store)
            let gate = Gate()
            let source = GatedSource(FakeDirectorySource.seeded(), gate: gate)
            let other = SyncEngineTests.engine(store, owner: "instance-b")
            let service = Self.service(store)

            try await Self.withRunners([Self.runner(store, source)]) {
                let elsewhere = Task { try await other.runFullSync(directory: directory, source: source, trigger: .schedule) }
                #expect(try await gate.reached(1))
                let running = try #require(try await store.runs(of: directory, limit: 1).first)
                let joined = try await service.request(directory, kind: .incremental)
                #expect(joined.outcome == .joinedRunning && joined.runID == running.id && joined.kind == .full)
                await gate.open()
                let record = try await elsewhere.value
                #expect(try await joined.result().id == record.id)
                #expect(try await joined.result().state == .succeeded)

                await gate.close()
                let incrementalElsewhere = Task { try await other.runIncrementalSync(directory: directory, source: source, trigger: .schedule) }
                #expect(try await gate.reached(2))
                let queued = try await service.request(directory, kind: .full)
                #expect(queued.outcome == .queued && queued.kind == .full)
                await gate.open()
                let first = try await incrementalElsewhere.value
                let after = try await queued.result()
                #expect(after.id == queued.runID && after.kind == .full && after.state == .succeeded)
                #expect(after.startedAt! >= first.finishedAt!)
            }
        }
    }

    /// A run left `running` by a dead instance: a request made while its lease still lives joins it; once
    /// the lease expires a runner marks it `interrupted` (that is what the joined request gets), and the
    /// next request starts a run that completes.
    @Test(arguments: StorageBackend.available)
    func aRunWhoseHolderDiedEndsInterruptedAndTheNextRequestRuns(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await SyncEngineTests.makeDirectory(store)
            let crashing = CrashingStores(store, crashAtMembersPage: 1)
            let dying = SyncEngine(stores: crashing, clock: ContinuousClock(), now: { Date() }, logger: .disabled(),
                                   configuration: .init(owner: "instance-dead"))
            await #expect(throws: CrashingStores.Crashed.self) {
                _ = try await dying.runFullSync(directory: directory, source: FakeDirectorySource.seeded(), trigger: .schedule)
            }
            let dead = try #require(try await store.runs(of: directory, limit: 1).first)
            #expect(dead.state == .running)

            let service = Self.service(store)
            let ticket = try await service.request(directory, kind: .full)
            #expect(ticket.outcome == .joinedRunning && ticket.runID == dead.id)
            // Nobody renews the dead holder's lease: it expires (moved into the past rather than waited for).
            try await database.write { db in try db.execute("UPDATE leases SET expires_at = '2000-01-01T00:00:00.000Z'") }
            try await Self.withRunners([Self.runner(store, FakeDirectorySource.seeded())]) {
                let ended = try await ticket.result()
                #expect(ended.id == dead.id && ended.state == .interrupted && ended.error?.code == "interrupted")
                let next = try await service.request(directory, kind: .full)
                #expect(next.outcome == .started)
                let record = try await next.result()
                #expect(record.state == .succeeded && record.id != dead.id)
            }
        }
    }
}
