import Foundation
import PierCore
import Testing

struct RemovalGuardTests {
    struct Row: Sendable, CustomStringConvertible {
        var name: String
        var input: RemovalGuard.Input
        var reasons: [RemovalGuard.Reason]
        var description: String { name }
    }

    static let table: [Row] = [
        Row(name: "nothing removed", input: .init(domainUsers: 1000, walkedUsers: 1000), reasons: []),
        Row(name: "25 of 100 is the floor, allowed", input: .init(domainUsers: 100, userRemovals: 25, walkedUsers: 75), reasons: []),
        Row(name: "26 of 100 exceeds the floor", input: .init(domainUsers: 100, userRemovals: 26, walkedUsers: 74), reasons: [.tooManyUsers]),
        Row(name: "deactivations count too", input: .init(domainUsers: 100, userRemovals: 10, userDeactivations: 16, walkedUsers: 100), reasons: [.tooManyUsers]),
        Row(name: "10 % of 1000 allowed", input: .init(domainUsers: 1000, userRemovals: 100, walkedUsers: 900), reasons: []),
        Row(name: "101 of 1000 held", input: .init(domainUsers: 1000, userRemovals: 101, walkedUsers: 899), reasons: [.tooManyUsers]),
        Row(name: "half of a small domain", input: .init(domainUsers: 4, userRemovals: 2, walkedUsers: 2), reasons: [.halfOfUsers]),
        Row(name: "just under half", input: .init(domainUsers: 10, userRemovals: 4, walkedUsers: 6), reasons: []),
        Row(name: "empty walk", input: .init(domainUsers: 3, userRemovals: 3, walkedUsers: 0), reasons: [.halfOfUsers, .emptyWalk]),
        Row(name: "empty walk of an empty domain", input: .init(domainUsers: 0, walkedUsers: 0), reasons: []),
        Row(name: "one group of 20", input: .init(domainUsers: 10, walkedUsers: 10, domainGroups: 20, groupRemovals: 1, largestRemovedGroupMembers: 5), reasons: []),
        Row(name: "2 of 20 groups", input: .init(domainUsers: 10, walkedUsers: 10, domainGroups: 20, groupRemovals: 2), reasons: []),
        Row(name: "3 of 20 groups", input: .init(domainUsers: 10, walkedUsers: 10, domainGroups: 20, groupRemovals: 3), reasons: [.tooManyGroups]),
        Row(name: "group of 1000 allowed", input: .init(domainUsers: 10, walkedUsers: 10, domainGroups: 100, groupRemovals: 1, largestRemovedGroupMembers: 1000), reasons: []),
        Row(name: "group of 1001 held", input: .init(domainUsers: 10, walkedUsers: 10, domainGroups: 100, groupRemovals: 1, largestRemovedGroupMembers: 1001), reasons: [.largeGroup]),
        Row(name: "everything at once", input: .init(domainUsers: 60, userRemovals: 30, walkedUsers: 0, domainGroups: 2, groupRemovals: 2, largestRemovedGroupMembers: 2000),
            reasons: [.tooManyUsers, .halfOfUsers, .emptyWalk, .tooManyGroups, .largeGroup]),
    ]

    @Test(arguments: table)
    func thresholds(_ row: Row) {
        #expect(RemovalGuard().evaluate(row.input) == row.reasons)
    }

    @Test func thresholdsDecodeWithDefaultsForMissingKeys() throws {
        let decoded = try JSONDecoder().decode(RemovalGuard.Thresholds.self, from: Data(#"{"minimumUsers": 5}"#.utf8))
        var expected = RemovalGuard.Thresholds()
        expected.minimumUsers = 5
        #expect(decoded == expected)
        #expect(try JSONDecoder().decode(RemovalGuard.Thresholds.self, from: Data("{}".utf8)) == RemovalGuard.Thresholds())
    }
}
