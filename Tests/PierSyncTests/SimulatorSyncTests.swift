import Foundation
import OktaSimulator
import PierHTTP
import PierCore
import PierStorage
import PierSync
import PierTestSupport
import Testing

/// End to end: the in-process Okta simulator → `OktaDirectorySource` (the production client stack over
/// 127.0.0.1) → `SyncEngine` → each storage backend.
@Suite(.serialized)
struct SimulatorSyncTests {
    /// Full sync of a ~2k-user org; then about a hundred mixed changes made through Okta's own API
    /// (DESIGN.md §6's mix: creates, STAGED → ACTIVE, profile updates, suspensions and deactivations,
    /// membership changes, plus deletions and a group rename); an incremental run picks them all up
    /// within the request target, and a full run afterwards finds nothing left to do.
    @Test(arguments: StorageBackend.available)
    func fullThenIncrementalMirrorTheOrg(_ backend: StorageBackend) async throws {
        try await SimulatedOrg.with(users: 2000, groups: 40) { org in
            try await backend.withDatabase { database in
                let store = SQLStore(database: database)
                let directory = try await SyncEngineTests.makeDirectory(store)
                let engine = SyncEngineTests.engine(store)

                let first = try await engine.runFullSync(directory: directory, source: org.source(), trigger: .initial)
                #expect(first.state == .succeeded, "\(String(describing: first.error))")
                #expect(first.kind == .full)
                var known = try await org.expectMirrored(store, directory, known: [])
                #expect(known.count > 1800)

                // The changes, through Okta's API.
                let statuses = org.server.userStatuses
                let active = statuses.filter { $0.value == "ACTIVE" }.map(\.key).sorted()
                let staged = statuses.filter { $0.value == "STAGED" }.map(\.key).sorted()
                let groups = org.server.groupTypes.filter { $0.value == "OKTA_GROUP" }.map(\.key).sorted()
                let big = groups.max { org.server.memberIDs(of: $0).count < org.server.memberIDs(of: $1).count }!
                var changes = 0
                var created: [String] = []
                for i in 0..<20 { created.append(try await org.createUser("sync-new-\(i)")); changes += 1 }
                for id in staged.prefix(10) { try await org.expectOK(.post, "/api/v1/users/\(id)/lifecycle/activate?sendEmail=true"); changes += 1 }
                for id in active[0..<20] {
                    try await org.expectOK(.post, "/api/v1/users/\(id)", #"{"profile":{"title":"Chief Tester"}}"#)
                    changes += 1
                }
                for id in active[20..<25] { try await org.expectOK(.post, "/api/v1/users/\(id)/lifecycle/suspend"); changes += 1 }
                for id in active[25..<30] { try await org.expectOK(.post, "/api/v1/users/\(id)/lifecycle/deactivate"); changes += 1 }
                for id in active[30..<32] {
                    try await org.expectOK(.delete, "/api/v1/users/\(id)")
                    try await org.expectOK(.delete, "/api/v1/users/\(id)")
                    changes += 1
                }
                // 40 membership changes: new users into groups (some into the biggest), members out of it.
                for (i, id) in created.enumerated() {
                    try await org.expectOK(.put, "/api/v1/groups/\(i % 2 == 0 ? big : groups[i % groups.count])/users/\(id)")
                    changes += 1
                }
                let leaving = org.server.memberIDs(of: big).filter { active[32...].contains($0) }.prefix(10)
                for id in leaving { try await org.expectOK(.delete, "/api/v1/groups/\(big)/users/\(id)"); changes += 1 }
                for (i, id) in active[40..<50].enumerated() {
                    try await org.expectOK(.put, "/api/v1/groups/\(groups[(i + 3) % groups.count])/users/\(id)")
                    changes += 1
                }
                try await org.expectOK(.put, "/api/v1/groups/\(groups[1])", #"{"profile":{"name":"Renamed group","description":"renamed"}}"#)
                changes += 1

                let incremental = try await engine.runIncrementalSync(directory: directory, source: org.source(), trigger: .manual)
                #expect(incremental.state == .succeeded, "\(String(describing: incremental.error))")
                #expect(incremental.kind == .incremental)
                print("sync-e2e[\(backend)]: \(changes) changes → incremental run made \(incremental.oktaRequests) Okta requests; counts \(incremental.counts)")
                #expect(incremental.oktaRequests <= 20)
                #expect(incremental.counts.users.created >= 20)
                #expect(incremental.counts.users.removed == 2)
                #expect(incremental.counts.users.deactivated == 5)
                #expect(incremental.counts.groups.updated >= 1)
                known = try await org.expectMirrored(store, directory, known: known)
                let renamed = try await store.directoryGroups(directory).first { $0.record.oktaID.rawValue == groups[1] }
                #expect(renamed?.record.name == "Renamed group")
                let updated = try await SyncEngineTests.users(store, directory)[active[0]]
                #expect(updated?.record.title == "Chief Tester")

                // The incremental run left nothing for a full run to do.
                let full = try await engine.runFullSync(directory: directory, source: org.source(), trigger: .manual)
                #expect(full.state == .succeeded)
                #expect(full.counts.users.created == 0 && full.counts.users.updated == 0 && full.counts.users.deactivated == 0)
                #expect(full.counts.users.removed == 0 && full.counts.groups.updated == 0)
                #expect(full.counts.memberships.added == 0 && full.counts.memberships.removed == 0)
                _ = try await org.expectMirrored(store, directory, known: known)

                // A quiet incremental run: a handful of requests (the window overlaps the last seconds, so the
                // two deleted users are read again and answer 404 again), no change, the watermark moves.
                let before = try await store.directory(directory)?.watermark
                let quiet = try await engine.runIncrementalSync(directory: directory, source: org.source(), trigger: .schedule)
                #expect(quiet.state == .succeeded)
                #expect(quiet.oktaRequests <= 8)
                #expect(quiet.counts == SyncCounts() || quiet.counts.users.skipped.values.allSatisfy { $0 > 0 })
                #expect(try await store.directory(directory)?.watermark ?? .distantPast >= before ?? .distantFuture)
            }
        }
    }

    /// A 500 on the third page of the users walk (retries off) fails the run and changes nothing; a
    /// failed incremental run does not move the watermark.
    @Test(arguments: StorageBackend.available)
    func faultMidWalkLeavesTheDirectoryAsItWas(_ backend: StorageBackend) async throws {
        try await SimulatedOrg.with(users: 1200, groups: 12) { org in
            try await backend.withDatabase { database in
                let store = SQLStore(database: database)
                let directory = try await SyncEngineTests.makeDirectory(store)
                let engine = SyncEngineTests.engine(store)
                let first = try await engine.runFullSync(directory: directory, source: org.source(), trigger: .initial)
                #expect(first.state == .succeeded)

                // Changes that a successful run would apply.
                let active = org.server.userStatuses.filter { $0.value == "ACTIVE" }.map(\.key).sorted()
                for id in active.prefix(3) { try await org.expectOK(.post, "/api/v1/users/\(id)/lifecycle/deactivate") }
                _ = try await org.createUser("fault-new")
                let before = try await SyncEngineTests.dump(database)

                try await org.expectOK(.post, "/__sim/faults", #"{"path":"/api/v1/users","method":"GET","fault":"500","skip":2,"count":50}"#, control: true)
                let failed = try await engine.runFullSync(directory: directory, source: org.source(maxAttempts: 1), trigger: .manual)
                #expect(failed.state == .failed)
                #expect(failed.error?.code == "okta_server_error")
                #expect(try await SyncEngineTests.dump(database) == before)
                #expect(try await SyncEngineTests.stagingRows(database) == 0)
                try await org.expectOK(.delete, "/__sim/faults", control: true)

                try await org.expectOK(.post, "/__sim/faults", #"{"path":"/api/v1/logs","fault":"500","count":50}"#, control: true)
                let failedIncremental = try await engine.runIncrementalSync(directory: directory, source: org.source(maxAttempts: 1), trigger: .manual)
                #expect(failedIncremental.state == .failed)
                #expect(failedIncremental.kind == .incremental)
                #expect(try await SyncEngineTests.dump(database) == before)
                try await org.expectOK(.delete, "/__sim/faults", control: true)

                let recovered = try await engine.runIncrementalSync(directory: directory, source: org.source(), trigger: .manual)
                #expect(recovered.state == .succeeded)
                #expect(recovered.counts.users.deactivated == 3 && recovered.counts.users.created == 1)
            }
        }
    }

    /// A DEPROVISIONED user reactivated between the two user walks is in neither listing; its direct read
    /// finds it, so it is updated (active again), never removed.
    @Test(arguments: StorageBackend.available)
    func aUserWhoseStatusChangesBetweenPagesIsNotRemoved(_ backend: StorageBackend) async throws {
        try await SimulatedOrg.with(users: 1200, groups: 8) { org in
            try await backend.withDatabase { database in
                let store = SQLStore(database: database)
                let directory = try await SyncEngineTests.makeDirectory(store)
                let engine = SyncEngineTests.engine(store)
                #expect(try await engine.runFullSync(directory: directory, source: org.source(), trigger: .initial).state == .succeeded)

                let statuses = org.server.userStatuses
                let target = try #require(statuses.filter { $0.value == "DEPROVISIONED" }.map(\.key).sorted().first)
                let mainPages = (statuses.values.count { $0 != "DEPROVISIONED" } + 199) / 200
                // The first request after the main walk (the DEPROVISIONED walk's first page) sees the user reactivated.
                try await org.expectOK(.post, "/__sim/faults", """
                    {"path":"/api/v1/users","method":"GET","fault":"mutate","skip":\(mainPages),"mutate":{"op":"set-status","target":"\(target)","status":"ACTIVE"}}
                    """, control: true)
                let run = try await engine.runFullSync(directory: directory, source: org.source(), trigger: .manual)
                #expect(run.state == .succeeded, "\(String(describing: run.error))")
                #expect(run.counts.users.removed == 0)
                let user = try await SyncEngineTests.users(store, directory)[target]
                #expect(user?.status == .active)
                #expect(user?.record.oktaStatus == "ACTIVE")
            }
        }
    }
}
