public import Foundation

/// A simulated Okta org: the namespace of the simulator's public configuration.
///
/// ```swift
/// var configuration = OktaSimulator.Configuration()
/// configuration.users = 1_000
/// configuration.groups = 50
/// configuration.tokens = ["admin-token"]
/// let server = OktaSimulatorServer(configuration: configuration, logger: logger)
/// let port = try server.start()          // seeds, then serves on 127.0.0.1:port
/// …
/// await server.shutdown()
/// ```
public enum OktaSimulator {
    /// Rate-limit profiles (DESIGN.md §11).
    public enum RateLimitProfile: String, Sendable, CaseIterable {
        /// No limits enforced; headers report a very large limit.
        case none
        /// Okta's Enterprise column, concurrency 15.
        case oktaDefault = "okta-default"
    }

    /// A token that sees only a group admin's part of the directory (a partial view).
    public struct GroupAdminToken: Sendable, Equatable {
        /// The SSWS token.
        public var token: String
        /// Group ids or group names the admin manages; `count:N` picks the first N seeded OKTA_GROUPs.
        public var groups: [String]

        /// Creates a scoped token.
        public init(token: String, groups: [String]) {
            self.token = token
            self.groups = groups
        }
    }

    /// Behaviours REFERENCE.md tags [U] (unconfirmed), switchable so clients can be tested both ways.
    public struct Behaviour: Sendable, Equatable {
        /// Emit `rel="next"` when the last page is exactly full (leading to one empty page). Default false.
        public var nextLinkOnExactlyFullLastPage = false
        /// DEPROVISIONED users still appear in group member lists. Default true.
        public var deprovisionedUsersInMemberLists = true
        /// `/api/v1/groups/{id}/users` shares the `/api/v1/groups/{id}` bucket (true) or has its own (false).
        public var membersShareGroupBucket = true
        /// Membership changes also move the member's own `lastUpdated`. Default false.
        public var membershipChangeTouchesUser = false
        /// Deleting an ACTIVE app answers 403 E0000056 (true) or 400 E0000001 (false).
        public var deleteActiveAppIsE0000056 = true

        /// The defaults.
        public init() {}
    }

    /// Everything `pier okta-sim` and tests configure (DESIGN.md §5).
    public struct Configuration: Sendable {
        /// Listen host (`--listen` host part).
        public var host: String = "127.0.0.1"
        /// Listen port; 0 picks a free one.
        public var port: Int = 0
        /// Seeded users (`--users`), including the API token's admin.
        public var users: Int = 100
        /// Seeded groups (`--groups`), including Everyone.
        public var groups: Int = 10
        /// Seed (`--seed`); the same seed gives the same org.
        public var seed: UInt64 = 7
        /// Full-permission SSWS tokens (`--token`).
        public var tokens: [String] = []
        /// Read-only SSWS tokens (`--token-read-only`): writes answer 403 E0000006.
        public var readOnlyTokens: [String] = []
        /// Group-admin-scoped tokens: a partial view of the directory, writes answer E0000006.
        public var groupAdminTokens: [GroupAdminToken] = []
        /// Bearer token of the `/__sim/` control API (`--control-token`); nil disables the control API.
        public var controlToken: String?
        /// Rate-limit profile (`--rate-limits`).
        public var rateLimitProfile: RateLimitProfile = .none
        /// Rate-limit window (`--rate-limit-window-seconds`).
        public var rateLimitWindowSeconds: Int = 60
        /// The org URL used in `_links`, `Link` and `iss` (`--issuer`); nil = `http://host:port`.
        public var issuer: String?
        /// Password every seeded user signs in with on the OIDC sign-in page.
        public var userPassword: String = "Passw0rd!"
        /// Switches for [U] behaviours.
        public var behaviour = Behaviour()
        /// The clock (injectable so tests never wait for a rate-limit window).
        public var now: @Sendable () -> Date = { Date() }
        /// I/O threads of the HTTP server; nil = cores.
        public var threadCount: Int?

        /// The defaults: 100 users, 10 groups, seed 7, no tokens, no rate limits.
        public init() {}
    }
}
