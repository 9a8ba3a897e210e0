import Foundation
import OktaSimulator
import PierCore
import PierHTTP
import PierLogging
import PierStorage
import PierSync
import PierTestSupport
import Synchronization
import Testing

/// The engine's stores, until a chosen write: from then on every call fails before reaching the
/// database, as if the process had died at that instant — no `endRun`, no lease release, no staging
/// clean-up, no further renewal. What the database holds afterwards is what a kill at that point leaves.
final class CrashingStores: SyncEngineStores, DirectoryConfigurationStore, Sendable {
    struct Crashed: Error {}

    let base: SQLStore
    /// The members-page write at which the "process" dies (1-based); that write does not happen.
    let crashAtMembersPage: Int
    private let state = Mutex((membersPages: 0, dead: false))

    init(_ base: SQLStore, crashAtMembersPage: Int) {
        self.base = base
        self.crashAtMembersPage = crashAtMembersPage
    }

    var hasCrashed: Bool { state.withLock { $0.dead } }

    private func alive() throws {
        if state.withLock({ $0.dead }) { throw Crashed() }
    }

    // SyncRunStore
    func startRun(id: SyncRunID, directory: DirectoryID, trigger: SyncTrigger, kind: SyncKind, lease: Lease, at date: Date) async throws -> SyncRunRecord {
        try alive(); return try await base.startRun(id: id, directory: directory, trigger: trigger, kind: kind, lease: lease, at: date)
    }
    func run(_ id: SyncRunID) async throws -> SyncRunRecord? { try alive(); return try await base.run(id) }
    func runs(of directory: DirectoryID, limit: Int) async throws -> [SyncRunRecord] { try alive(); return try await base.runs(of: directory, limit: limit) }
    func updateProgress(_ id: SyncRunID, _ progress: SyncProgress, oktaRequests: Int, rateLimitWaitSeconds: Double, at date: Date) async throws {
        try alive(); try await base.updateProgress(id, progress, oktaRequests: oktaRequests, rateLimitWaitSeconds: rateLimitWaitSeconds, at: date)
    }
    func endRun(_ id: SyncRunID, _ ending: SyncRunEnding, at date: Date) async throws { try alive(); try await base.endRun(id, ending, at: date) }
    func runObjects(_ id: SyncRunID) async throws -> [SyncRunObject] { try alive(); return try await base.runObjects(id) }

    // SyncStagingStore
    func stageUsers(_ users: [DirectoryUserRecord], run: SyncRunID) async throws { try alive(); try await base.stageUsers(users, run: run) }
    func stageGroups(_ groups: [(record: DirectoryGroupRecord, memberCount: Int?)], run: SyncRunID) async throws {
        try alive(); try await base.stageGroups(groups, run: run)
    }
    func stageMembers(_ pages: [StagedMemberPage], run: SyncRunID) async throws {
        // The write holding the crashAtMembersPage-th members page (pages come in batches) dies unwritten.
        let dies = state.withLock { state -> Bool in
            if state.dead { return true }
            state.membersPages += pages.count
            if state.membersPages >= crashAtMembersPage { state.dead = true }
            return state.dead
        }
        if dies { throw Crashed() }
        try await base.stageMembers(pages, run: run)
    }
    func groupsNeedingMembers(run: SyncRunID) async throws -> [OktaGroupID] { try alive(); return try await base.groupsNeedingMembers(run: run) }
    func walkFinished(run: SyncRunID) async throws { try alive(); try await base.walkFinished(run: run) }
    func removalSummary(run: SyncRunID, directory: DirectoryID) async throws -> RemovalGuard.Input {
        try alive(); return try await base.removalSummary(run: run, directory: directory)
    }
    func userRemovalCandidates(run: SyncRunID, directory: DirectoryID) async throws -> [OktaUserID] {
        try alive(); return try await base.userRemovalCandidates(run: run, directory: directory)
    }
    func groupRemovalCandidates(run: SyncRunID, directory: DirectoryID) async throws -> [OktaGroupID] {
        try alive(); return try await base.groupRemovalCandidates(run: run, directory: directory)
    }
    func applyFullSync(_ apply: FullSyncApply) async throws -> SyncRunRecord { try alive(); return try await base.applyFullSync(apply) }
    func stagedNewUsers(run: SyncRunID, directory: DirectoryID) async throws -> [(id: OktaUserID, oktaStatus: String)] {
        try alive(); return try await base.stagedNewUsers(run: run, directory: directory)
    }
    func incrementalGuardInput(run: SyncRunID, directory: DirectoryID, userRemovals: [OktaUserID], groupRemovals: [OktaGroupID]) async throws -> RemovalGuard.Input {
        try alive(); return try await base.incrementalGuardInput(run: run, directory: directory, userRemovals: userRemovals, groupRemovals: groupRemovals)
    }

    // LeaseStore
    func acquireLease(_ name: String, owner: String, ttl: Duration) async throws -> Lease? {
        try alive(); return try await base.acquireLease(name, owner: owner, ttl: ttl)
    }
    func renewLease(_ lease: Lease, ttl: Duration) async throws -> Lease? { try alive(); return try await base.renewLease(lease, ttl: ttl) }
    func releaseLease(_ lease: Lease) async throws { try alive(); try await base.releaseLease(lease) }

    // SyncQueueStore
    func requestSync(
        _ directory: DirectoryID, kind: SyncKind?, trigger: SyncTrigger, id: SyncRunID, at date: Date
    ) async throws -> (run: SyncRunRecord, disposition: SyncRequestDisposition) {
        try alive(); return try await base.requestSync(directory, kind: kind, trigger: trigger, id: id, at: date)
    }
    func startQueuedRun(_ id: SyncRunID, lease: Lease, requireFull: Bool, at date: Date) async throws -> SyncRunRecord? {
        try alive(); return try await base.startQueuedRun(id, lease: lease, requireFull: requireFull, at: date)
    }
    func runnableQueuedRuns() async throws -> [SyncRunRecord] { try alive(); return try await base.runnableQueuedRuns() }
    func failQueuedRun(_ id: SyncRunID, error: SyncRunError, at date: Date) async throws -> SyncRunRecord? {
        try alive(); return try await base.failQueuedRun(id, error: error, at: date)
    }
    func interruptAbandonedRuns(at date: Date) async throws -> [SyncRunID] { try alive(); return try await base.interruptAbandonedRuns(at: date) }

    // SyncApprovalStore
    func heldObjects(run: SyncRunID) async throws -> [HeldSyncObject] { try alive(); return try await base.heldObjects(run: run) }
    func applyApproval(_ approval: SyncApproval) async throws -> SyncRunRecord { try alive(); return try await base.applyApproval(approval) }
    func discardHeldRun(_ run: SyncRunID, actor: String, at date: Date) async throws -> SyncRunRecord {
        try alive(); return try await base.discardHeldRun(run, actor: actor, at: date)
    }

    // DirectoryConfigurationStore
    func createDirectory(_ directory: DirectoryRecord) async throws { try alive(); try await base.createDirectory(directory) }
    func directory(_ id: DirectoryID) async throws -> DirectoryRecord? { try alive(); return try await base.directory(id) }
    func directories() async throws -> [DirectoryRecord] { try alive(); return try await base.directories() }
    func updateDirectory(_ id: DirectoryID, _ update: DirectoryUpdate, at date: Date) async throws -> DirectoryRecord {
        try alive(); return try await base.updateDirectory(id, update, at: date)
    }
    func deleteDirectory(_ id: DirectoryID) async throws { try alive(); try await base.deleteDirectory(id) }
}

/// A run that dies mid-walk (no clean-up at all) and the instance that takes over.
@Suite(.serialized)
struct CrashRecoveryTests {
    /// Instance A dies on its fourth members page of a full run after changes in Okta: the live
    /// directory is exactly as before, the run stays `running`, its staging and lease are left behind.
    /// Instance B is refused while A's (short) lease lives, then takes the lease, records A's run
    /// `interrupted`, drops its staging and completes; the result equals a clean run's on a second
    /// database that saw the same history without the crash.
    @Test(arguments: StorageBackend.available)
    func aRunKilledMidWalkLeavesNothingAndTheNextInstanceCompletes(_ backend: StorageBackend) async throws {
        try await SimulatedOrg.with(users: 1200, groups: 12) { org in
            try await backend.withDatabase { database in
                try await backend.withDatabase { referenceDatabase in
                    let store = SQLStore(database: database)
                    let reference = SQLStore(database: referenceDatabase)
                    let directory = try await SyncEngineTests.makeDirectory(store)
                    _ = try await SyncEngineTests.makeDirectory(reference)
                    #expect(try await SyncEngineTests.engine(store).runFullSync(directory: directory, source: org.source(), trigger: .initial).state == .succeeded)
                    #expect(try await SyncEngineTests.engine(reference).runFullSync(directory: directory, source: org.source(), trigger: .initial).state == .succeeded)

                    let known = Set(try await SyncEngineTests.users(store, directory).keys)

                    // Changes a completed run would apply.
                    let statuses = org.server.userStatuses
                    let active = statuses.filter { $0.value == "ACTIVE" }.map(\.key).sorted()
                    for id in active.prefix(3) { try await org.expectOK(.post, "/api/v1/users/\(id)/lifecycle/deactivate") }
                    try await org.expectOK(.delete, "/api/v1/users/\(active[3])")
                    try await org.expectOK(.delete, "/api/v1/users/\(active[3])")
                    let created = try await org.createUser("crash-new")
                    let group = org.server.groupTypes.filter { $0.value == "OKTA_GROUP" }.map(\.key).sorted()[0]
                    try await org.expectOK(.put, "/api/v1/groups/\(group)/users/\(created)")
                    let before = try await SyncEngineTests.dump(database)

                    // Instance A dies mid-walk.
                    let crashing = CrashingStores(store, crashAtMembersPage: 4)
                    var configurationA = SyncEngine<ContinuousClock>.Configuration(owner: "instance-a")
                    configurationA.leaseTTL = .seconds(4)
                    configurationA.leaseRenewal = .milliseconds(500)
                    configurationA.progressInterval = 0
                    let engineA = SyncEngine(stores: crashing, clock: ContinuousClock(), now: { Date() }, logger: .disabled(), configuration: configurationA)
                    await #expect(throws: CrashingStores.Crashed.self) {
                        _ = try await engineA.runFullSync(directory: directory, source: org.source(), trigger: .manual)
                    }
                    let crashedAt = ContinuousClock.now
                    #expect(crashing.hasCrashed)
                    #expect(try await SyncEngineTests.dump(database) == before)
                    #expect(try await SyncEngineTests.stagingRows(database) > 0)
                    let dead = try #require(try await store.runs(of: directory, limit: 1).first)
                    #expect(dead.state == .running)

                    // Instance B: refused while A's lease lives, then takes over.
                    let engineB = SyncEngineTests.engine(store, owner: "instance-b")
                    let started = ContinuousClock.now
                    // On a loaded machine the checks above can outlast A's lease; B's refusal is only
                    // required when its first attempt came while the lease was surely still alive.
                    let firstAttemptWithinLease = crashedAt.duration(to: started) < configurationA.leaseTTL - .milliseconds(500)
                    var refusals = 0
                    var recovered: SyncRunRecord?
                    while recovered == nil, started.duration(to: .now) < .seconds(20) {
                        do {
                            recovered = try await engineB.runFullSync(directory: directory, source: org.source(), trigger: .schedule)
                        } catch SyncEngineError.alreadyRunning {
                            refusals += 1
                            try await Task.sleep(for: .milliseconds(200))
                        }
                    }
                    let run = try #require(recovered)
                    #expect(refusals > 0 || !firstAttemptWithinLease, "B must wait for A's lease to expire")
                    #expect(run.state == .succeeded, "\(String(describing: run.error))")
                    #expect(run.counts.users.deactivated == 3 && run.counts.users.removed == 1 && run.counts.users.created == 1)
                    let interrupted = try #require(try await store.run(dead.id))
                    #expect(interrupted.state == .interrupted)
                    #expect(interrupted.error?.code == "interrupted")
                    #expect(interrupted.finishedAt != nil)
                    #expect(try await SyncEngineTests.stagingRows(database) == 0)

                    // The same run without the crash, on the reference database.
                    let clean = try await SyncEngineTests.engine(reference).runFullSync(directory: directory, source: org.source(), trigger: .schedule)
                    #expect(clean.state == .succeeded)
                    #expect(clean.counts == run.counts)
                    #expect(try await SimulatorRobustnessTests.snapshot(store, directory, withPierIDs: false)
                        == SimulatorRobustnessTests.snapshot(reference, directory, withPierIDs: false))
                    _ = try await org.expectMirrored(store, directory, known: known)
                }
            }
        }
    }
}
