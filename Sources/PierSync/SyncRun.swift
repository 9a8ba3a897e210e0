import Foundation
import PierCore
import PierLogging
import PierStorage
import Synchronization

/// One run. Full: walk → stage → partial-view check → guard → confirm removals → apply (DESIGN.md §6).
/// Incremental: see ``executeIncremental(since:)``.
final class SyncRun<C: Clock<Duration>>: Sendable {
    let engine: SyncEngine<C>
    let runID: SyncRunID
    let directory: DirectoryID
    let source: any DirectorySource
    let lease: Lease
    let logger: Logger
    private let progress = Mutex(ProgressState())

    struct ProgressState {
        var value = SyncProgress(phase: "starting")
        var lastPersisted: Date?
    }

    init(engine: SyncEngine<C>, runID: SyncRunID, directory: DirectoryID, source: any DirectorySource, lease: Lease, logger: Logger) {
        self.engine = engine
        self.runID = runID
        self.directory = directory
        self.source = source
        self.lease = lease
        self.logger = logger
    }

    func execute() async throws -> SyncRunRecord {
        let stores = engine.stores
        let run = runID

        // Each page's staging write runs while the next page is fetched (one write in flight, in page order).
        let staging = StagingPipeline()
        do {
            try await walk(source.users(), phase: "users") { page in
                try await staging.submit { try await stores.stageUsers(page.items.map(DirectoryUserRecord.init), run: run) }
            }
            try await walk(source.deprovisionedUsers(), phase: "deprovisioned_users") { page in
                try await staging.submit { try await stores.stageUsers(page.items.map(DirectoryUserRecord.init), run: run) }
            }
            try await walk(source.groups(), phase: "groups") { page in
                try await staging.submit {
                    try await stores.stageGroups(page.items.map { (DirectoryGroupRecord($0), $0.memberCount) }, run: run)
                }
            }
            try await staging.drain()
            // Most groups fit one page: their pages go to staging in batches of about `memberStagingBatch`
            // members, one write per batch instead of one per group (2,000 writes in a 100k sync).
            var batch: [StagedMemberPage] = []
            var batchedMembers = 0
            func submitBatch() async throws {
                guard !batch.isEmpty else { return }
                let pages = batch
                batch.removeAll()
                batchedMembers = 0
                try await staging.submit { try await stores.stageMembers(pages, run: run) }
            }
            for group in try await stores.groupsNeedingMembers(run: run) {
                try await walk(source.members(of: group), phase: "members") { page in
                    batch.append(StagedMemberPage(group: group, members: page.items.map(\.userID), complete: page.isLast))
                    batchedMembers += page.items.count
                    // Pages are bounded too: empty groups add no members, and each page's group is a
                    // parameter of the write (SQLite allows 32,766).
                    if batchedMembers >= engine.configuration.memberStagingBatch || batch.count >= 500 { try await submitBatch() }
                }
            }
            try await submitBatch()
            try await staging.drain()
        } catch {
            await staging.abandon()
            throw error
        }

        try await stores.walkFinished(run: run)

        // Partial view: a token that sees part of the directory must not remove the rest.
        setPhase("checking")
        let organizationCount = try await source.organizationUserCount()
        var summary = try await stores.removalSummary(run: run, directory: directory)
        if PartialViewRule.isPartial(walked: summary.walkedUsers, organizationCount: organizationCount) {
            throw Self.partialView(walked: summary.walkedUsers, organizationCount: organizationCount)
        }

        let thresholds = try await thresholds()
        var held = RemovalGuard(thresholds: thresholds).evaluate(summary)
        var confirmedUsers: [OktaUserID] = []
        var confirmedGroups: [OktaGroupID] = []
        if held.isEmpty {
            // Removal needs confirmation: absent from a complete walk AND a direct read answering 404.
            setPhase("confirming")
            for id in try await stores.userRemovalCandidates(run: run, directory: directory) {
                try Task.checkCancellation()
                if let user = try await source.user(id) {
                    // Still there (its status changed mid-walk): take the fresh read instead.
                    try await stores.stageUsers([DirectoryUserRecord(user)], run: run)
                } else {
                    confirmedUsers.append(id)
                }
            }
            for id in try await stores.groupRemovalCandidates(run: run, directory: directory) {
                try Task.checkCancellation()
                if try await source.group(id) == nil { confirmedGroups.append(id) }
            }
            // Fresh reads can turn into deactivations; the guard sees the final numbers.
            summary = try await stores.removalSummary(run: run, directory: directory)
            summary.userRemovals = confirmedUsers.count
            summary.groupRemovals = confirmedGroups.count
            held = RemovalGuard(thresholds: thresholds).evaluate(summary)
        }

        try Task.checkCancellation()
        setPhase("applying")
        let counters = source.counters()
        var apply = FullSyncApply(
            run: run, directory: directory, lease: lease, at: engine.now(), held: held,
            confirmedUserRemovals: confirmedUsers, confirmedGroupRemovals: confirmedGroups,
            watermark: source.serverTime()?.addingTimeInterval(-2),
            oktaRequests: counters.requests, rateLimitWaitSeconds: counters.secondsWaited,
            tombstoneLifetime: engine.configuration.tombstoneLifetime
        )
        apply.finishedAt = engine.now
        return try await stores.applyFullSync(apply)
    }

    /// The `okta_token_partial_view` failure: the token sees `walked` of the org's users, or cannot see
    /// the Everyone group at all (`organizationCount == nil`).
    static func partialView(walked: Int?, organizationCount: Int?) -> SyncRunError {
        guard let organizationCount, let walked else {
            return SyncRunError(
                code: "okta_token_partial_view",
                message: "The API token cannot see the Everyone group, so Pier cannot tell whether it sees the whole directory. Use a token of a super or read-only administrator. Nothing was changed."
            )
        }
        return SyncRunError(
            code: "okta_token_partial_view",
            message: "The API token sees \(walked) of the org's \(organizationCount) users (a group administrator's token?). Use a token of a super or read-only administrator. Nothing was changed."
        )
    }

    func thresholds() async throws -> RemovalGuard.Thresholds {
        guard let configurations = engine.stores as? any DirectoryConfigurationStore,
              let record = try await configurations.directory(directory) else { return .init() }
        return record.guardThresholds
    }

    /// Walks a listing to its explicit end, restarting once after an invalid cursor (staging upserts make
    /// the restart harmless). A listing that ends without its last-page marker is incomplete: an error.
    func walk<Item: Sendable>(
        _ pages: DirectoryPages<Item>, phase: String, _ handle: (DirectoryPage<Item>) async throws -> Void
    ) async throws {
        setPhase(phase)
        var restarted = false
        while true {
            do {
                var complete = false
                for try await page in pages {
                    try Task.checkCancellation()
                    try await handle(page)
                    try await advance(pages: 1, objects: page.items.count)
                    if page.isLast { complete = true }
                }
                guard complete else {
                    throw SyncRunError(code: "okta_incomplete_listing", message: "A listing ended without its last page; nothing was changed.")
                }
                return
            } catch let error as any DirectorySourceError where error.failure == .invalidCursor && !restarted {
                logger.notice("walk restarted after an invalid cursor", metadata: ["sync.phase": phase])
                restarted = true
            }
        }
    }

    func setPhase(_ phase: String) {
        progress.withLock { $0.value.phase = phase }
    }

    private func advance(pages: Int, objects: Int) async throws {
        let now = engine.now()
        let interval = engine.configuration.progressInterval
        let snapshot: SyncProgress? = progress.withLock { state in
            state.value.pages += pages
            state.value.objects += objects
            if let last = state.lastPersisted, now.timeIntervalSince(last) < interval { return nil }
            state.lastPersisted = now
            return state.value
        }
        guard let snapshot else { return }
        let counters = source.counters()
        try await engine.stores.updateProgress(runID, snapshot, oktaRequests: counters.requests,
                                               rateLimitWaitSeconds: counters.secondsWaited, at: now)
    }

    /// Persists the progress when the last write is older than ¾ of the progress interval (pages may be
    /// far apart; called every ¼ interval, so writes are never more than the interval apart). Best effort:
    /// a failed write is retried at the next call, and never fails the run.
    func persistProgressIfDue() async {
        let now = engine.now()
        let interval = engine.configuration.progressInterval * 0.75
        let snapshot: SyncProgress? = progress.withLock { state in
            if let last = state.lastPersisted, now.timeIntervalSince(last) < interval { return nil }
            state.lastPersisted = now
            return state.value
        }
        guard let snapshot else { return }
        let counters = source.counters()
        do {
            try await engine.stores.updateProgress(runID, snapshot, oktaRequests: counters.requests,
                                                   rateLimitWaitSeconds: counters.secondsWaited, at: now)
        } catch {
            progress.withLock { $0.lastPersisted = nil }
            logger.debug("progress not persisted", metadata: ["error.type": "\(type(of: error))"])
        }
    }
}

/// Staging writes of a walk, one at a time and in order, each running while the walk fetches the next
/// page: otherwise the walk waits for the database after every page (on PostgreSQL, round trips and
/// server time of ≈ 2,600 writes in a 100k sync). Memory stays bounded: besides the write in flight,
/// only what the walk gathers for the next write (a page, or a batch of member pages) is held. Used by
/// one task only.
final class StagingPipeline {
    private var inFlight: Task<Void, any Error>?

    /// Waits for the previous write (rethrowing its error), then starts `write`.
    func submit(_ write: @escaping @Sendable () async throws -> Void) async throws {
        try await drain()
        inFlight = Task { try await write() }
    }

    /// Waits for the write in flight, rethrowing its error.
    func drain() async throws {
        guard let task = inFlight else { return }
        inFlight = nil
        try await task.value
    }

    /// After a failure: cancels the write in flight and waits for it, so no write of this run outlives
    /// its failure (its error, if any, is the same run's and already superseded).
    func abandon() async {
        guard let task = inFlight else { return }
        inFlight = nil
        task.cancel()
        _ = try? await task.value
    }
}
