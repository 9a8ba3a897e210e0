public import Foundation
public import PierCore
import Synchronization

/// The ``DirectorySource`` of one Okta org, over an ``OktaAPI`` (normally a ``RetryingOktaClient``
/// around an ``HTTPOktaClient``). Queries follow DESIGN.md §6 and REFERENCE §3–§7.
public final class OktaDirectorySource: DirectorySource {
    /// Page sizes and the page cap.
    public struct Configuration: Sendable, Hashable {
        /// `limit` for user listings (Okta's maximum is 200).
        public var userPageSize: Int
        /// `limit` for group listings (Okta allows 10,000).
        public var groupPageSize: Int
        /// `limit` for member listings (Okta's default is 1,000).
        public var memberPageSize: Int
        /// `limit` for System Log listings (max 1,000).
        public var logPageSize: Int
        /// The hard page cap of every walk.
        public var pageCap: Int

        /// Creates a configuration.
        public init(
            userPageSize: Int = 200, groupPageSize: Int = 10_000, memberPageSize: Int = 1000, logPageSize: Int = 1000,
            pageCap: Int = 20_000
        ) {
            self.userPageSize = userPageSize
            self.groupPageSize = groupPageSize
            self.memberPageSize = memberPageSize
            self.logPageSize = logPageSize
            self.pageCap = pageCap
        }
    }

    private let api: any OktaAPI
    private let endpoint: OktaEndpoint
    private let configuration: Configuration
    private let counterSource: @Sendable () -> DirectoryRequestCounters
    private let firstServerDate = Mutex<Date?>(nil)

    /// Creates a source.
    ///
    /// - Parameters:
    ///   - api: Sends requests (pacing and retries belong there).
    ///   - endpoint: The org endpoint, for re-basing `next` links.
    ///   - configuration: Page sizes and cap.
    ///   - counters: Where ``counters()`` reads from (a ``RetryingOktaClient``'s counters).
    public init(
        api: any OktaAPI, endpoint: OktaEndpoint, configuration: Configuration = Configuration(),
        counters: @escaping @Sendable () -> DirectoryRequestCounters = { DirectoryRequestCounters() }
    ) {
        self.api = api
        self.endpoint = endpoint
        self.configuration = configuration
        self.counterSource = counters
    }

    /// Creates a source over a retrying client, reading its counters.
    public convenience init<C>(client: RetryingOktaClient<C>, endpoint: OktaEndpoint, configuration: Configuration = Configuration()) {
        self.init(api: client, endpoint: endpoint, configuration: configuration, counters: { client.counters })
    }

    // MARK: - Listings

    public func users() -> DirectoryPages<DirectoryUser> {
        walk(OktaRequest(path: "/api/v1/users", query: [("limit", "\(configuration.userPageSize)")]), decode: Self.decodeUsers)
    }

    public func deprovisionedUsers() -> DirectoryPages<DirectoryUser> {
        // `filter`, never `search`: search is eventually consistent (DESIGN.md §6).
        walk(
            OktaRequest(
                path: "/api/v1/users",
                query: [("filter", "status eq \"DEPROVISIONED\""), ("limit", "\(configuration.userPageSize)")]),
            decode: Self.decodeUsers)
    }

    public func groups() -> DirectoryPages<DirectoryGroup> {
        walk(
            OktaRequest(
                path: "/api/v1/groups", query: [("limit", "\(configuration.groupPageSize)"), ("expand", "stats")]),
            decode: Self.decodeGroups)
    }

    public func members(of group: OktaGroupID) -> DirectoryPages<DirectoryMember> {
        walk(
            OktaRequest(
                path: "/api/v1/groups/\(Self.segment(group.rawValue))/users",
                query: [("limit", "\(configuration.memberPageSize)")]),
            decode: MemberPageReader.read)
    }

    public func users(updatedSince since: Date) -> DirectoryPages<DirectoryUser> {
        walk(
            OktaRequest(
                path: "/api/v1/users",
                query: [
                    ("filter", "lastUpdated ge \"\(OktaTimestamp.format(since))\""),
                    ("limit", "\(configuration.userPageSize)"),
                ]),
            decode: Self.decodeUsers)
    }

    public func groups(updatedSince since: Date) -> DirectoryPages<DirectoryGroup> {
        let time = OktaTimestamp.format(since)
        return walk(
            OktaRequest(
                path: "/api/v1/groups",
                query: [
                    ("filter", "lastUpdated ge \"\(time)\" or lastMembershipUpdated ge \"\(time)\""),
                    ("limit", "\(configuration.groupPageSize)"), ("expand", "stats"),
                ]),
            decode: Self.decodeGroups)
    }

    /// The System Log event types sync reacts to (DESIGN.md §6).
    static let changeEventFilter =
        "eventType sw \"user.lifecycle.\" or eventType eq \"user.account.update_profile\" or "
        + "eventType sw \"group.user_membership.\" or eventType sw \"group.lifecycle.\" or eventType sw \"group.profile\""

    public func changes(since: Date, until: Date) -> DirectoryPages<DirectoryChangeEvent> {
        // A bounded query (`until` set) ends when `next` disappears; an empty page repeating its own
        // `next` also ends it (REFERENCE §7.2).
        walk(
            OktaRequest(
                path: "/api/v1/logs",
                query: [
                    ("since", OktaTimestamp.format(since)), ("until", OktaTimestamp.format(until)),
                    ("filter", Self.changeEventFilter), ("sortOrder", "ASCENDING"),
                    ("limit", "\(configuration.logPageSize)"),
                ]),
            endOnRepeatedNextAfterEmptyPage: true,
            decode: { try Self.decode([OktaLogEvent].self, from: $0).map(\.changeEvent) })
    }

    // MARK: - Lookups

    public func user(_ id: OktaUserID) async throws -> DirectoryUser? {
        do {
            let response = try await send(OktaRequest(path: "/api/v1/users/\(Self.segment(id.rawValue))"))
            return try Self.decode(OktaUser.self, from: response.body).directoryUser
        } catch let error as OktaError where error.isResourceNotFound {
            return nil
        }
    }

    public func group(_ id: OktaGroupID) async throws -> DirectoryGroup? {
        do {
            let response = try await send(
                OktaRequest(path: "/api/v1/groups/\(Self.segment(id.rawValue))", query: [("expand", "stats")]))
            return try Self.decode(OktaGroup.self, from: response.body).directoryGroup
        } catch let error as OktaError where error.isResourceNotFound {
            return nil
        }
    }

    public func groups(ofUser id: OktaUserID) async throws -> [DirectoryGroup] {
        var result: [DirectoryGroup] = []
        // Follow `next` if Okta sends one (REFERENCE §3.4: only the first 200 came back without it).
        for try await page in walk(
            OktaRequest(path: "/api/v1/users/\(Self.segment(id.rawValue))/groups", query: [("limit", "200")]),
            decode: Self.decodeGroups)
        {
            result += page.items
        }
        return result
    }

    public func organizationUserCount() async throws -> Int? {
        let response = try await send(
            OktaRequest(path: "/api/v1/groups", query: [("filter", "type eq \"BUILT_IN\""), ("expand", "stats")]))
        let groups = try Self.decode([OktaGroup].self, from: response.body)
        return groups.first { $0.type == .builtIn }?.stats?.usersCount
    }

    public func serverTime() -> Date? { firstServerDate.withLock { $0 } }

    public func counters() -> DirectoryRequestCounters { counterSource() }

    // MARK: - Plumbing

    private func send(_ request: OktaRequest) async throws -> OktaResponse {
        let response = try await api.send(request)
        record(response)
        return response
    }

    private func record(_ response: OktaResponse) {
        guard let date = response.serverDate else { return }
        firstServerDate.withLock { if $0 == nil { $0 = date } }
    }

    private func walk<Item: Sendable>(
        _ first: OktaRequest, endOnRepeatedNextAfterEmptyPage: Bool = false,
        decode: @escaping @Sendable (Data) throws -> [Item]
    ) -> DirectoryPages<Item> {
        .okta(
            api: api, endpoint: endpoint,
            first: first,
            options: OktaWalkOptions(
                pageCap: configuration.pageCap, endOnRepeatedNextAfterEmptyPage: endOnRepeatedNextAfterEmptyPage),
            decode: decode, onResponse: { [weak self] in self?.record($0) })
    }

    static func decodeUsers(_ data: Data) throws -> [DirectoryUser] {
        try UserPageReader.read(data)
    }

    static func decodeGroups(_ data: Data) throws -> [DirectoryGroup] {
        try decode([OktaGroup].self, from: data).map(\.directoryGroup)
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            return try OktaTimestamp.makeDecoder().decode(type, from: data)
        } catch {
            throw OktaError(.decoding, detail: "\(T.self): \(error)")
        }
    }

    /// Percent-encodes one path segment (ids are alphanumeric, but never trust input into a path).
    static func segment(_ text: String) -> String {
        OktaRequest.percentEncode(text)
    }
}
