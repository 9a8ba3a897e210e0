import Foundation
import PierCore
import PierLogging
import PierStorage
import PierSync
import PierTestSupport
import Synchronization
import Testing

/// The scheduler on every backend, with an injected clock for "now".
struct SyncSchedulerTests {
    final class Now: Sendable {
        let value: Mutex<Date>
        init(_ date: Date) { value = Mutex(date) }
        var date: Date { value.withLock { $0 } }
        func set(_ date: Date) { value.withLock { $0 = date } }
    }

    static let created = Date(timeIntervalSince1970: 1_780_000_000)  // 2026-05-28 20:26:40 UTC

    static func scheduler(_ store: SQLStore, _ now: Now, owner: String = "instance-a", cap: Int = 2,
                          source: FakeDirectorySource) -> SyncScheduler<ContinuousClock> {
        var configuration = SyncScheduler<ContinuousClock>.Configuration()
        configuration.maxJitter = .zero
        configuration.maxConcurrentRuns = cap
        return SyncScheduler(
            engine: SyncEngineTests.engine(store, owner: owner), stores: store, makeSource: { _ in source },
            clock: ContinuousClock(), now: { now.date }, logger: .disabled(), configuration: configuration)
    }

    static func dailyAtTwo(_ store: SQLStore, _ directory: DirectoryID) async throws {
        let schedule = SyncSchedule(frequency: .daily(SyncSchedule.LocalTime(hour: 2, minute: 0)!))
        _ = try await store.updateDirectory(directory, DirectoryUpdate(schedule: schedule), at: created)
    }

    @Test(arguments: StorageBackend.available)
    func firesOnceInThePortalTimeZoneAndMissedFiresCollapse(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            try await store.setSetting(.timeZone, to: "Europe/Berlin")
            let directory = try await SyncEngineTests.makeDirectory(store)
            try await Self.dailyAtTwo(store, directory)
            let now = Now(Self.created.addingTimeInterval(3_600))  // 00:26 Berlin: not yet
            let scheduler = Self.scheduler(store, now, source: FakeDirectorySource.seeded())
            #expect(try await scheduler.tick().isEmpty)

            now.set(Self.created.addingTimeInterval(5 * 3_600))  // 03:26 Berlin: 02:00 is due
            let first = try await scheduler.tick()
            #expect(first.count == 1)
            #expect(first.first?.trigger == .schedule && first.first?.kind == .full && first.first?.state == .succeeded)
            #expect(try await scheduler.tick().isEmpty)  // the same fire never runs twice

            now.set(Self.created.addingTimeInterval(3 * 86_400 + 5 * 3_600))  // three fires missed
            let after = try await scheduler.tick()
            #expect(after.count == 1)
            #expect(try await scheduler.tick().isEmpty)
        }
    }

    /// A fire whose domain settings cannot make an Okta connection (a token that does not decrypt) is
    /// recorded as a failed scheduled run with the reason, linked to its slot, and not retried by later ticks.
    @Test(arguments: StorageBackend.available)
    func aFireThatCannotStartIsRecordedAsAFailedRun(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await SyncEngineTests.makeDirectory(store)
            try await Self.dailyAtTwo(store, directory)
            let now = Now(Self.created.addingTimeInterval(7 * 3_600))  // 03:26 UTC: 02:00 is due
            var configuration = SyncScheduler<ContinuousClock>.Configuration()
            configuration.maxJitter = .zero
            let attempts = Mutex(0)
            let scheduler = SyncScheduler(
                engine: SyncEngineTests.engine(store), stores: store,
                makeSource: { _ in attempts.withLock { $0 += 1 }; throw Undecryptable() },
                clock: ContinuousClock(), now: { now.date }, logger: .disabled(), configuration: configuration)

            let records = try await scheduler.tick()
            #expect(records.count == 1)
            let record = try #require(records.first)
            #expect(record.trigger == .schedule && record.kind == .full && record.state == .failed)
            #expect(record.error?.code == "domain_settings_unusable")
            #expect(record.error?.message.contains("crypto.authentication_failed") == true)
            #expect(record.startedAt == record.finishedAt && record.finishedAt != nil)
            #expect(try await store.runs(of: directory, limit: 10).map(\.id) == [record.id])
            let slotRun: String? = try await database.read { db in
                try db.fetchValue("SELECT run_id FROM scheduler_slots WHERE directory_id = \(directory.rawValue)", as: String.self)
            }
            #expect(slotRun == record.id.rawValue)
            #expect(try await scheduler.tick().isEmpty)  // the fire is spent, not retried
            #expect(attempts.withLock { $0 } == 1)
        }
    }

    @Test(arguments: StorageBackend.available)
    func twoInstancesStartAFireOnce(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await SyncEngineTests.makeDirectory(store)
            try await Self.dailyAtTwo(store, directory)
            let now = Now(Self.created.addingTimeInterval(7 * 3_600))  // 03:26 UTC
            let source = FakeDirectorySource.seeded()
            let a = Self.scheduler(store, now, owner: "a", source: source)
            let b = Self.scheduler(store, now, owner: "b", source: source)
            async let ra = a.tick()
            async let rb = b.tick()
            let total = try await ra.count + rb.count
            #expect(total == 1)
            #expect(try await store.runs(of: directory, limit: 10).count == 1)
        }
    }

    @Test(arguments: StorageBackend.available)
    func theInstanceCapDefersTheRest(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            var directories: [DirectoryID] = []
            for i in 1...3 {
                let id = try await SyncEngineTests.makeDirectory(store, id: "dir-\(i)", org: "00o\(i)")
                try await Self.dailyAtTwo(store, id)
                directories.append(id)
            }
            let now = Now(Self.created.addingTimeInterval(7 * 3_600))
            let scheduler = Self.scheduler(store, now, cap: 2, source: FakeDirectorySource.seeded())
            #expect(try await scheduler.tick().count == 2)
            #expect(try await scheduler.tick().count == 1)
            #expect(try await scheduler.tick().isEmpty)
        }
    }
}

extension SyncSchedulerTests {
    /// Graceful shutdown: cancelling the scheduler stops its run between pages; the run is recorded
    /// `interrupted` and the directory is exactly as it was.
    @Test(arguments: StorageBackend.available)
    func shutdownInterruptsARunningSyncAndChangesNothing(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await SyncEngineTests.makeDirectory(store)
            try await Self.dailyAtTwo(store, directory)
            let source = FakeDirectorySource.seeded()
            source.update { s in
                s.pageSize = 1
                s.pageDelay = .milliseconds(100)
            }
            let before = try await SyncEngineTests.dump(database)
            let now = Now(Self.created.addingTimeInterval(7 * 3_600))
            let scheduler = Self.scheduler(store, now, source: source)
            let task = Task { await scheduler.run() }
            var running = false
            for _ in 0..<100 where !running {
                try await Task.sleep(for: .milliseconds(50))
                running = try await store.runs(of: directory, limit: 1).first?.state == .running
            }
            #expect(running)
            task.cancel()
            await task.value
            let run = try #require(try await store.runs(of: directory, limit: 1).first)
            #expect(run.state == .interrupted)
            #expect(run.error?.code == "interrupted")
            let after = try await SyncEngineTests.dump(database)
            #expect(after == before)
            #expect(try await SyncEngineTests.stagingRows(database) == 0)
        }
    }
}
