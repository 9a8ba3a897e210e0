import Foundation
import PierCore
import PierStorage

extension SyncRun {
    /// One incremental run (DESIGN.md §6):
    ///
    /// 1. `users(updatedSince:)` and `groups(updatedSince:)` from the watermark, staged as fresh reads
    ///    (the first request's `Date` becomes the next watermark, − 2 s);
    /// 2. the System Log from the watermark until that server time;
    /// 3. the token must see the Everyone group (else `okta_token_partial_view`, as in a full run); then
    ///    objects named by lifecycle/profile events that the listings did not return are read by id — a
    ///    404 is a confirmed removal;
    /// 4. first-time users not created inside the window get their groups through `groups(ofUser:)`
    ///    (those created inside it have every membership event in the window);
    /// 5. the guard on the run's removals and deactivations, then the one apply transaction, with the
    ///    membership changes in event order and Everyone derived.
    ///
    /// Memory is bounded by the size of the change, not of the org.
    func executeIncremental(since watermark: Date) async throws -> SyncRunRecord {
        let stores = engine.stores
        let run = runID

        var listedUsers = Set<OktaUserID>()
        try await walk(source.users(updatedSince: watermark), phase: "changes") { page in
            try await stores.stageUsers(page.items.map(DirectoryUserRecord.init), run: run)
            listedUsers.formUnion(page.items.map(\.id))
        }
        var listedGroups = Set<OktaGroupID>()
        try await walk(source.groups(updatedSince: watermark), phase: "changes") { page in
            try await stores.stageGroups(page.items.map { (DirectoryGroupRecord($0), $0.memberCount) }, run: run)
            listedGroups.formUnion(page.items.map(\.id))
        }
        // `Date` has whole seconds: the first request was answered before serverTime + 1 s. Events after
        // that are read again by the next run (its window starts at serverTime − 2 s); replaying is
        // harmless because the last event per membership wins and objects are re-read.
        let until = (source.serverTime() ?? engine.now()).addingTimeInterval(1)
        var events: [DirectoryChangeEvent] = []
        try await walk(source.changes(since: watermark, until: until), phase: "changes") { page in
            events += page.items
        }
        let work = IncrementalChanges.derive(events: events, listedUsers: listedUsers, listedGroups: listedGroups)
        events = []

        // Partial view. An incremental run walks no whole listing to count, but a token that cannot see
        // the Everyone group (a group administrator's) reads users outside its groups as 404s — which
        // would be taken for deletions — and misses their changes while the watermark moves on.
        setPhase("checking")
        if try await source.organizationUserCount() == nil {
            throw Self.partialView(walked: nil, organizationCount: nil)
        }

        setPhase("reading")
        var fresh: [DirectoryUserRecord] = []
        var removedUsers: [OktaUserID] = []
        for id in work.usersToRead {
            try Task.checkCancellation()
            if let user = try await source.user(id) { fresh.append(DirectoryUserRecord(user)) } else { removedUsers.append(id) }
        }
        try await stores.stageUsers(fresh, run: run)
        var freshGroups: [(record: DirectoryGroupRecord, memberCount: Int?)] = []
        var removedGroups: [OktaGroupID] = []
        for id in work.groupsToRead {
            try Task.checkCancellation()
            if let group = try await source.group(id) { freshGroups.append((DirectoryGroupRecord(group), group.memberCount)) } else { removedGroups.append(id) }
        }
        try await stores.stageGroups(freshGroups, run: run)

        // First-time users whose memberships predate the window.
        var changes = work.membershipChanges
        let newcomers = try await stores.stagedNewUsers(run: run, directory: directory).filter { entry in
            guard !work.createdInWindow.contains(entry.id) else { return false }
            if case .status = UserStatusMapping.decide(DirectoryUserStatus(oktaValue: entry.oktaStatus), isKnown: false) { return true }
            return false
        }
        if !newcomers.isEmpty {
            let ids = Set(newcomers.map(\.id))
            // The read is fresher than the window's events for these users.
            changes.removeAll { ids.contains($0.user) }
            for newcomer in newcomers {
                try Task.checkCancellation()
                for group in try await source.groups(ofUser: newcomer.id) where group.type != .builtIn {
                    changes.append(SyncMembershipChange(group: group.id, user: newcomer.id, isAddition: true))
                }
            }
        }

        let input = try await stores.incrementalGuardInput(run: run, directory: directory, userRemovals: removedUsers, groupRemovals: removedGroups)
        let held = RemovalGuard(thresholds: try await thresholds()).evaluate(input)

        try Task.checkCancellation()
        setPhase("applying")
        let counters = source.counters()
        var apply = FullSyncApply(
            run: run, directory: directory, lease: lease, at: engine.now(), held: held,
            confirmedUserRemovals: removedUsers, confirmedGroupRemovals: removedGroups,
            watermark: source.serverTime()?.addingTimeInterval(-2),
            oktaRequests: counters.requests, rateLimitWaitSeconds: counters.secondsWaited,
            tombstoneLifetime: engine.configuration.tombstoneLifetime
        )
        apply.kind = .incremental
        apply.finishedAt = engine.now
        apply.membershipChanges = changes
        return try await stores.applyFullSync(apply)
    }
}
