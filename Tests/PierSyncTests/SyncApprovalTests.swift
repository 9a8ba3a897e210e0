import Foundation
import PierCore
import PierStorage
import PierSync
import PierTestSupport
import Testing

/// Approve and discard of a run held by the mass-removal guard.
struct SyncApprovalTests {
    /// A held run: 6 of 12 users gone from the walk (half the domain).
    static func heldRun(_ store: SQLStore, _ source: FakeDirectorySource, _ directory: DirectoryID) async throws -> SyncRunRecord {
        _ = try await SyncEngineTests.engine(store).runFullSync(directory: directory, source: source, trigger: .initial)
        source.update { s in
            s.users.removeAll { ["00u01", "00u04", "00u05", "00u06", "00u10", "00u11"].contains($0.id.rawValue) }
            s.organizationCount = .some(6)
        }
        let held = try await SyncEngineTests.engine(store).runFullSync(directory: directory, source: source, trigger: .manual)
        #expect(held.state == .awaitingApproval)
        return held
    }

    @Test(arguments: StorageBackend.available)
    func approveReconfirmsEachRemovalAndAudits(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await SyncEngineTests.makeDirectory(store)
            let source = FakeDirectorySource.seeded()
            let held = try await Self.heldRun(store, source, directory)
            // One of them comes back before the approval: the re-confirmation keeps it.
            source.update { s in s.users.append(FakeDirectorySource.user("00u04", .lockedOut)) }
            let requestsBefore = source.counters().requests

            let approved = try await SyncEngineTests.engine(store).approveHeldRun(held.id, source: source, actor: "admin:alice")
            #expect(approved.state == .succeeded)
            #expect(approved.counts.users.removed == 5)
            #expect(source.counters().requests - requestsBefore == 6)  // one GET per held object
            let users = try await SyncEngineTests.users(store, directory)
            #expect(users["00u01"] == nil && users["00u11"] == nil)
            #expect(users["00u04"] != nil)
            let everyone = try await store.directoryGroups(directory).first { $0.record.isEveryone }
            #expect(everyone?.memberCount == users.count)
            let objects = try await store.runObjects(held.id)
            #expect(objects.filter { $0.outcome == "removed" }.count == 5)
            #expect(objects.contains { $0.oktaID == "00u04" && $0.reason == "found_on_reconfirmation" })
            let audit = try await store.auditEntries(limit: 5, before: nil)
            #expect(audit.first?.action == "sync.approve")
            #expect(audit.first?.actor == "admin:alice")
            #expect(audit.first?.target == directory.rawValue)

            await #expect(throws: SyncEngineError.notAwaitingApproval) {
                _ = try await SyncEngineTests.engine(store).approveHeldRun(held.id, source: source, actor: "admin:alice")
            }
        }
    }

    @Test(arguments: StorageBackend.available)
    func aFailingReconfirmationChangesNothing(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await SyncEngineTests.makeDirectory(store)
            let source = FakeDirectorySource.seeded()
            let held = try await Self.heldRun(store, source, directory)
            source.update { s in s.lookupFailures["00u10"] = .server }
            let before = try await SyncEngineTests.dump(database)
            await #expect(throws: (any Error).self) {
                _ = try await SyncEngineTests.engine(store).approveHeldRun(held.id, source: source, actor: "admin:alice")
            }
            #expect(try await SyncEngineTests.dump(database) == before)
            #expect(try await store.run(held.id)?.state == .awaitingApproval)
        }
    }

    @Test(arguments: StorageBackend.available)
    func discardDropsTheHeldRemovalsAndAudits(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let directory = try await SyncEngineTests.makeDirectory(store)
            let source = FakeDirectorySource.seeded()
            let held = try await Self.heldRun(store, source, directory)
            let before = try await SyncEngineTests.dump(database)
            let discarded = try await SyncEngineTests.engine(store).discardHeldRun(held.id, actor: "admin:bob")
            #expect(discarded.state == .discarded)
            #expect(try await SyncEngineTests.dump(database) == before)
            #expect(try await store.auditEntries(limit: 1, before: nil).first?.action == "sync.discard")
            await #expect(throws: SyncEngineError.notAwaitingApproval) {
                _ = try await SyncEngineTests.engine(store).discardHeldRun(held.id, actor: "admin:bob")
            }
            // The next full run proposes them again.
            let again = try await SyncEngineTests.engine(store).runFullSync(directory: directory, source: source, trigger: .manual)
            #expect(again.state == .awaitingApproval)
        }
    }
}
