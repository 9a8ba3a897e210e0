/// What a run changed (the `counts` of DESIGN.md §5's run resource).
public struct SyncCounts: Hashable, Sendable, Codable {
    public struct Users: Hashable, Sendable, Codable {
        public var created = 0
        public var updated = 0
        public var deactivated = 0
        public var removed = 0
        /// Skipped users by ``SkipReason`` raw value.
        public var skipped: [String: Int] = [:]
        public init() {}
    }

    public struct Groups: Hashable, Sendable, Codable {
        public var created = 0
        public var updated = 0
        public var removed = 0
        public init() {}
    }

    public struct Memberships: Hashable, Sendable, Codable {
        public var added = 0
        public var removed = 0
        public init() {}
    }

    public var users = Users()
    public var groups = Groups()
    public var memberships = Memberships()

    public init() {}
}

/// Removals (and user deactivations) a held run waits to apply (the `held` of a run).
public struct SyncHeld: Hashable, Sendable, Codable {
    /// Users whose removal or deactivation is held.
    public var users: Int
    /// Groups whose removal is held.
    public var groups: Int
    /// Why the guard held the run.
    public var reasons: [RemovalGuard.Reason]

    public init(users: Int, groups: Int, reasons: [RemovalGuard.Reason]) {
        self.users = users
        self.groups = groups
        self.reasons = reasons
    }
}

/// Live progress of a run (`progress` of a run).
public struct SyncProgress: Hashable, Sendable, Codable {
    /// `users`, `deprovisioned_users`, `groups`, `members`, `confirming`, `applying`, `changes`.
    public var phase: String
    /// Pages read so far.
    public var pages: Int
    /// Objects read so far.
    public var objects: Int

    public init(phase: String, pages: Int = 0, objects: Int = 0) {
        self.phase = phase
        self.pages = pages
        self.objects = objects
    }
}

/// Why a run failed, for an administrator (`error` of a run).
public struct SyncRunError: Hashable, Sendable, Codable, Error, CustomStringConvertible {
    /// A stable snake_case code (`okta_token_partial_view`, `okta_unreachable`, …).
    public var code: String
    /// Plain-language text.
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
