/// What a sync does with one user it read (the outcome of ``SyncPlanner/userAction(remote:local:tombstoned:holdingDeactivations:)``).
public enum UserAction: Hashable, Sendable {
    /// Import a new user with this status.
    case create(PierUserStatus)
    /// Import a user removed less than 30 days ago under its old Pier id (tombstone revived).
    case revive(PierUserStatus)
    /// Write changed fields and/or a status that is not a deactivation.
    case update(PierUserStatus)
    /// The user becomes deactivated (fields are written too).
    case deactivate
    /// The user would become deactivated but the mass-removal guard holds it: changed fields are written,
    /// the status is kept, and the deactivation waits for approval.
    case holdDeactivation
    /// Nothing to write.
    case unchanged
    /// Not imported (new user) or left as it is (known user): the reason is recorded.
    case skip(SkipReason)
}

/// What a sync does with one group it read.
public enum GroupAction: Hashable, Sendable {
    case create
    case revive
    case update
    case unchanged
    case skip(SkipReason)
}

/// A whole-directory plan (``SyncPlanner/plan(local:remote:holdingDeactivations:)``).
public struct SyncPlan: Hashable, Sendable {
    /// One action per user read from the directory.
    public var users: [OktaUserID: UserAction] = [:]
    /// One action per group read from the directory.
    public var groups: [OktaGroupID: GroupAction] = [:]
    /// Live users absent from the (complete) walk: removed only once a direct read answers "not found".
    public var userRemovalCandidates: Set<OktaUserID> = []
    /// Live groups absent from the walk.
    public var groupRemovalCandidates: Set<OktaGroupID> = []
    /// Memberships to add, as (group, user) pairs; Everyone's are derived from the imported users.
    public var membershipAdds: Set<Membership> = []
    /// Memberships to remove.
    public var membershipRemovals: Set<Membership> = []

    public init() {}

    /// A (group, user) pair.
    public struct Membership: Hashable, Sendable, Comparable {
        public var group: OktaGroupID
        public var user: OktaUserID
        public init(_ group: OktaGroupID, _ user: OktaUserID) {
            self.group = group
            self.user = user
        }
        public static func < (lhs: Membership, rhs: Membership) -> Bool {
            (lhs.group, lhs.user) < (rhs.group, rhs.user)
        }
    }

    /// How many users the plan deactivates (held ones included, since the guard counts them).
    public var deactivationCount: Int {
        users.values.count { $0 == .deactivate || $0 == .holdDeactivation }
    }
}

/// The diff of a sync: pure functions from the local state and what was read to the actions to apply
/// (STYLE.md §11.3). The engine applies the per-object functions while streaming staged rows (memory
/// stays bounded); ``plan(local:remote:holdingDeactivations:)`` applies the same functions to whole
/// snapshots, as the reference model for tests and small directories.
public enum SyncPlanner {
    /// Decides what happens to one user read from the directory.
    ///
    /// - Parameters:
    ///   - remote: The user as read in this run.
    ///   - local: The live user, when Pier holds one.
    ///   - tombstoned: Whether a tombstone (removed < 30 days ago) exists for this Okta id.
    ///   - holdingDeactivations: Whether the mass-removal guard holds this run's deactivations.
    public static func userAction(
        remote: DirectoryUserRecord, local: LocalDirectoryUser?, tombstoned: Bool = false, holdingDeactivations: Bool = false
    ) -> UserAction {
        let decision = UserStatusMapping.decide(remote.status, isKnown: local != nil)
        guard let local else {
            switch decision {
            case .skip(let reason): return .skip(reason)
            case .status(let status): return tombstoned ? .revive(status) : .create(status)
            }
        }
        switch decision {
        case .skip(let reason):
            return .skip(reason)
        case .status(let status):
            let fieldsChanged = remote.differs(from: local.record)
            if status == .deactivated && local.status != .deactivated {
                return holdingDeactivations ? .holdDeactivation : .deactivate
            }
            if status != local.status || fieldsChanged { return .update(status) }
            return .unchanged
        }
    }

    /// Decides what happens to one group read from the directory.
    public static func groupAction(remote: DirectoryGroupRecord, local: DirectoryGroupRecord?, tombstoned: Bool = false) -> GroupAction {
        guard remote.hasKnownType else { return .skip(.unknownGroupType) }
        guard let local else { return tombstoned ? .revive : .create }
        return remote.differs(from: local) ? .update : .unchanged
    }

    /// Whether a user action leaves the user imported afterwards (so it counts as a member of Everyone
    /// and of the groups it belongs to).
    public static func isImported(after action: UserAction, wasKnown: Bool) -> Bool {
        switch action {
        case .create, .revive, .update, .deactivate, .holdDeactivation, .unchanged: true
        case .skip: wasKnown
        }
    }

    /// The membership changes of one group.
    ///
    /// - Parameters:
    ///   - local: The group's live members.
    ///   - remote: The members read in this run.
    ///   - imported: Whether a user is imported after this run; members who are not are left out.
    public static func membershipChanges(
        local: Set<OktaUserID>, remote: Set<OktaUserID>, imported: (OktaUserID) -> Bool
    ) -> (adds: Set<OktaUserID>, removals: Set<OktaUserID>) {
        let wanted = remote.filter(imported)
        return (wanted.subtracting(local), local.subtracting(wanted))
    }

    /// A whole-directory snapshot, local or remote.
    public struct Snapshot: Sendable {
        public var users: [OktaUserID: LocalDirectoryUser]
        public var groups: [OktaGroupID: DirectoryGroupRecord]
        /// Members per group (Everyone's are ignored: they are derived).
        public var members: [OktaGroupID: Set<OktaUserID>]
        /// Tombstoned ids (removed < 30 days ago).
        public var tombstonedUsers: Set<OktaUserID>
        public var tombstonedGroups: Set<OktaGroupID>

        public init(
            users: [OktaUserID: LocalDirectoryUser] = [:], groups: [OktaGroupID: DirectoryGroupRecord] = [:],
            members: [OktaGroupID: Set<OktaUserID>] = [:], tombstonedUsers: Set<OktaUserID> = [],
            tombstonedGroups: Set<OktaGroupID> = []
        ) {
            self.users = users
            self.groups = groups
            self.members = members
            self.tombstonedUsers = tombstonedUsers
            self.tombstonedGroups = tombstonedGroups
        }
    }

    /// Plans a full sync from the local snapshot and a complete remote walk.
    ///
    /// - Parameters:
    ///   - local: Pier's live directory (users with their Pier status, groups, members, tombstones).
    ///   - remoteUsers: Every user read (both walks).
    ///   - remoteGroups: Every group read.
    ///   - remoteMembers: Members read per group (Everyone's are not read: derived).
    public static func plan(
        local: Snapshot, remoteUsers: [DirectoryUserRecord], remoteGroups: [DirectoryGroupRecord],
        remoteMembers: [OktaGroupID: Set<OktaUserID>], holdingDeactivations: Bool = false
    ) -> SyncPlan {
        var plan = SyncPlan()
        var seenUsers = Set<OktaUserID>()
        var imported = Set<OktaUserID>()
        for remote in remoteUsers {
            seenUsers.insert(remote.oktaID)
            let current = local.users[remote.oktaID]
            let action = userAction(remote: remote, local: current, tombstoned: local.tombstonedUsers.contains(remote.oktaID),
                                    holdingDeactivations: holdingDeactivations)
            plan.users[remote.oktaID] = action
            if isImported(after: action, wasKnown: current != nil) { imported.insert(remote.oktaID) }
        }
        plan.userRemovalCandidates = Set(local.users.keys).subtracting(seenUsers)
        // Candidates stay imported until a direct read confirms them gone.
        imported.formUnion(plan.userRemovalCandidates)

        var seenGroups = Set<OktaGroupID>()
        for remote in remoteGroups {
            seenGroups.insert(remote.oktaID)
            let action = groupAction(remote: remote, local: local.groups[remote.oktaID],
                                     tombstoned: local.tombstonedGroups.contains(remote.oktaID))
            plan.groups[remote.oktaID] = action
            if case .skip = action { continue }
            let localMembers = local.members[remote.oktaID] ?? []
            let remoteSet = remote.isEveryone ? imported : (remoteMembers[remote.oktaID] ?? [])
            let changes = membershipChanges(local: localMembers, remote: remoteSet, imported: imported.contains)
            for user in changes.adds { plan.membershipAdds.insert(.init(remote.oktaID, user)) }
            for user in changes.removals { plan.membershipRemovals.insert(.init(remote.oktaID, user)) }
        }
        plan.groupRemovalCandidates = Set(local.groups.keys).subtracting(seenGroups)
        return plan
    }
}
