import Foundation
import PierCore
import Synchronization

/// A failure a fake source throws, classified like PierOkta's errors.
struct FakeSourceError: DirectorySourceError, Equatable {
    var failure: DirectorySourceFailure
    var explanation: String { "Okta failed (\(failure.rawValue))." }
}

/// What a domain's source factory throws when the stored token does not decrypt (tests of runs that
/// cannot start).
struct Undecryptable: Error, CustomStringConvertible {
    var description: String { "crypto.authentication_failed" }
}

/// An in-memory directory with scripted page sizes and injectable failures.
final class FakeDirectorySource: DirectorySource {
    struct State {
        var users: [DirectoryUser] = []
        var groups: [DirectoryGroup] = []
        var members: [OktaGroupID: [OktaUserID]] = [:]
        var pageSize = 2
        /// listing name ("users", "deprovisioned", "groups", "members:<id>") → (page number, failure)
        var failAtPage: [String: (page: Int, failure: DirectorySourceFailure)] = [:]
        /// Ids whose direct read fails with this failure.
        var lookupFailures: [String: DirectorySourceFailure] = [:]
        /// Ids the listings skip (e.g. a user whose status changed mid-walk) but a direct read finds.
        var hiddenFromListing: Set<String> = []
        var organizationCount: Int?? = .none
        var requests = 0
        var serverTime = Date(timeIntervalSince1970: 1_780_000_000)
        /// Each page waits this long (a slow org, for shutdown tests).
        var pageDelay: Duration = .zero
    }

    let state = Mutex(State())

    func update(_ body: (inout State) -> Void) { state.withLock { body(&$0) } }

    private func pages<Item: Sendable>(_ name: String, _ items: @escaping @Sendable () -> [Item]) -> DirectoryPages<Item> {
        DirectoryPages { [self] in
            let position = Counter()
            return {
                let (size, fail, delay) = self.state.withLock { s in
                    s.requests += 1
                    return (s.pageSize, s.failAtPage[name], s.pageDelay)
                }
                if delay > .zero { try await Task.sleep(for: delay) }
                let all = items()
                let index = position.next()
                if let fail, fail.page == index { throw FakeSourceError(failure: fail.failure) }
                let start = (index - 1) * size
                guard start < all.count || (index == 1) else { return nil }
                let end = min(all.count, start + size)
                let slice = start < end ? Array(all[start..<end]) : []
                return DirectoryPage(items: slice, number: index, isLast: end >= all.count)
            }
        }
    }

    func users() -> DirectoryPages<DirectoryUser> {
        pages("users") { [self] in state.withLock { s in s.users.filter { $0.status != .deprovisioned && !s.hiddenFromListing.contains($0.id.rawValue) } } }
    }

    func deprovisionedUsers() -> DirectoryPages<DirectoryUser> {
        pages("deprovisioned") { [self] in state.withLock { s in s.users.filter { $0.status == .deprovisioned && !s.hiddenFromListing.contains($0.id.rawValue) } } }
    }

    func groups() -> DirectoryPages<DirectoryGroup> {
        pages("groups") { [self] in
            state.withLock { s in
                s.groups.map { group in
                    var group = group
                    group.memberCount = group.isEveryone ? s.users.count : s.members[group.id]?.count ?? 0
                    return group
                }
            }
        }
    }

    func members(of group: OktaGroupID) -> DirectoryPages<DirectoryMember> {
        pages("members:\(group.rawValue)") { [self] in
            state.withLock { s in
                (s.members[group] ?? []).map { id in
                    DirectoryMember(userID: id, status: s.users.first { $0.id == id }?.status ?? .active)
                }
            }
        }
    }

    func users(updatedSince since: Date) -> DirectoryPages<DirectoryUser> { DirectoryPages(pages: []) }
    func groups(updatedSince since: Date) -> DirectoryPages<DirectoryGroup> { DirectoryPages(pages: []) }
    func changes(since: Date, until: Date) -> DirectoryPages<DirectoryChangeEvent> { DirectoryPages(pages: []) }

    func user(_ id: OktaUserID) async throws -> DirectoryUser? {
        try state.withLock { s in
            s.requests += 1
            if let failure = s.lookupFailures[id.rawValue] { throw FakeSourceError(failure: failure) }
            return s.users.first { $0.id == id }
        }
    }

    func group(_ id: OktaGroupID) async throws -> DirectoryGroup? {
        try state.withLock { s in
            s.requests += 1
            if let failure = s.lookupFailures[id.rawValue] { throw FakeSourceError(failure: failure) }
            return s.groups.first { $0.id == id }
        }
    }

    func groups(ofUser id: OktaUserID) async throws -> [DirectoryGroup] {
        state.withLock { s in s.groups.filter { s.members[$0.id]?.contains(id) ?? false } }
    }

    func organizationUserCount() async throws -> Int? {
        state.withLock { s in
            s.requests += 1
            if case .some(let override) = s.organizationCount { return override }
            return s.users.count
        }
    }

    func serverTime() -> Date? { state.withLock { $0.serverTime } }

    func counters() -> DirectoryRequestCounters { DirectoryRequestCounters(requests: state.withLock { $0.requests }) }
}

extension FakeDirectorySource {
    static func user(_ id: String, _ status: DirectoryUserStatus = .active, email: String? = nil, title: String? = nil) -> DirectoryUser {
        DirectoryUser(id: OktaUserID(id), status: status, login: email ?? "\(id)@example.com", email: email ?? "\(id)@example.com",
                      firstName: "F\(id)", lastName: "L\(id)", profile: title.map { ["title": .string($0)] } ?? [:])
    }

    static func group(_ id: String, _ name: String, _ type: DirectoryGroupType = .oktaGroup) -> DirectoryGroup {
        DirectoryGroup(id: OktaGroupID(id), type: type, name: name)
    }

    /// A small org: Everyone, two groups, users in several statuses.
    static func seeded() -> FakeDirectorySource {
        let source = FakeDirectorySource()
        source.update { s in
            s.users = [
                user("00u01"), user("00u02"), user("00u03", .suspended), user("00u04", .lockedOut), user("00u05", .passwordExpired),
                user("00u06", .recovery), user("00u07", .staged), user("00u08", .provisioned), user("00u09", .deprovisioned),
                user("00u10"), user("00u11"), user("00u12"),
            ]
            s.groups = [group("00g00", "Everyone", .builtIn), group("00g01", "Engineering"), group("00g02", "Sales", .appGroup)]
            s.members = [
                OktaGroupID("00g01"): [OktaUserID("00u01"), OktaUserID("00u02"), OktaUserID("00u07"), OktaUserID("00u09")],
                OktaGroupID("00g02"): [OktaUserID("00u03"), OktaUserID("00u10")],
            ]
        }
        return source
    }
}

final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}
