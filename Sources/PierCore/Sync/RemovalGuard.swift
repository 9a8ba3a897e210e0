/// The mass-removal guard of DESIGN.md §6: decides whether a run's removals (and user deactivations)
/// are applied or held for an administrator's approval.
///
/// A run is held when user removals + deactivations exceed max(``Thresholds/minimumUsers``,
/// ``Thresholds/userFraction`` × the domain's users), or reach ``Thresholds/userHardFraction`` of them,
/// or the walk saw no users while the domain has some; or when it would remove more than
/// ``Thresholds/groupFraction`` of the domain's groups, or any group with more than
/// ``Thresholds/largeGroupMembers`` members.
public struct RemovalGuard: Hashable, Sendable, Codable {
    /// The configurable limits (stored per domain in `directories.guard_thresholds`; absent keys take
    /// the defaults).
    public struct Thresholds: Hashable, Sendable, Codable {
        public var minimumUsers: Int = 25
        public var userFraction: Double = 0.10
        public var userHardFraction: Double = 0.50
        public var groupFraction: Double = 0.10
        public var largeGroupMembers: Int = 1000

        public init() {}

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Thresholds()
            minimumUsers = try container.decodeIfPresent(Int.self, forKey: .minimumUsers) ?? defaults.minimumUsers
            userFraction = try container.decodeIfPresent(Double.self, forKey: .userFraction) ?? defaults.userFraction
            userHardFraction = try container.decodeIfPresent(Double.self, forKey: .userHardFraction) ?? defaults.userHardFraction
            groupFraction = try container.decodeIfPresent(Double.self, forKey: .groupFraction) ?? defaults.groupFraction
            largeGroupMembers = try container.decodeIfPresent(Int.self, forKey: .largeGroupMembers) ?? defaults.largeGroupMembers
        }
    }

    /// What the guard looks at.
    public struct Input: Hashable, Sendable {
        /// Live users of the domain before the run.
        public var domainUsers: Int
        /// Users the run would remove (absent from the walk).
        public var userRemovals: Int
        /// Users the run would deactivate.
        public var userDeactivations: Int
        /// Users the walk saw (both walks).
        public var walkedUsers: Int
        /// Live groups of the domain before the run.
        public var domainGroups: Int
        /// Groups the run would remove.
        public var groupRemovals: Int
        /// The largest member count among the groups the run would remove (0 when none).
        public var largestRemovedGroupMembers: Int

        public init(domainUsers: Int, userRemovals: Int = 0, userDeactivations: Int = 0, walkedUsers: Int,
                    domainGroups: Int = 0, groupRemovals: Int = 0, largestRemovedGroupMembers: Int = 0) {
            self.domainUsers = domainUsers
            self.userRemovals = userRemovals
            self.userDeactivations = userDeactivations
            self.walkedUsers = walkedUsers
            self.domainGroups = domainGroups
            self.groupRemovals = groupRemovals
            self.largestRemovedGroupMembers = largestRemovedGroupMembers
        }
    }

    /// Why a run was held (several may apply).
    public enum Reason: String, Hashable, Sendable, Codable, CaseIterable {
        case tooManyUsers = "too_many_users"
        case halfOfUsers = "half_of_users"
        case emptyWalk = "empty_walk"
        case tooManyGroups = "too_many_groups"
        case largeGroup = "large_group"
    }

    public var thresholds: Thresholds

    public init(thresholds: Thresholds = Thresholds()) {
        self.thresholds = thresholds
    }

    /// The reasons to hold the run; empty means the removals may proceed (after confirmation).
    public func evaluate(_ input: Input) -> [Reason] {
        var reasons: [Reason] = []
        let affected = input.userRemovals + input.userDeactivations
        let userLimit = max(Double(thresholds.minimumUsers), thresholds.userFraction * Double(input.domainUsers))
        if Double(affected) > userLimit { reasons.append(.tooManyUsers) }
        if input.domainUsers > 0 && affected > 0 && Double(affected) >= thresholds.userHardFraction * Double(input.domainUsers) {
            reasons.append(.halfOfUsers)
        }
        if input.walkedUsers == 0 && input.domainUsers > 0 { reasons.append(.emptyWalk) }
        if input.groupRemovals > 0 && Double(input.groupRemovals) > thresholds.groupFraction * Double(input.domainGroups) {
            reasons.append(.tooManyGroups)
        }
        if input.largestRemovedGroupMembers > thresholds.largeGroupMembers { reasons.append(.largeGroup) }
        return reasons
    }
}

/// Partial-view detection (DESIGN.md §6): a walk that sees markedly fewer users than the org's own count
/// means the token sees only part of the directory, and the run must fail without removing anything.
public enum PartialViewRule {
    /// Whether `walked` users is markedly fewer than the org's `organizationCount`.
    ///
    /// "Markedly" tolerates users created or deleted while the walk ran: the walk may fall short by at
    /// most max(5, 2 %) of the org count. A missing count (the token cannot see Everyone) is partial.
    public static func isPartial(walked: Int, organizationCount: Int?) -> Bool {
        guard let organizationCount else { return true }
        let tolerance = max(5, organizationCount / 50)
        return walked + tolerance < organizationCount
    }
}
