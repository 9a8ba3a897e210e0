import PierCore
import Testing

struct UserStatusMappingTests {
    struct Row: Sendable, CustomStringConvertible {
        var okta: DirectoryUserStatus
        var isKnown: Bool
        var expected: UserStatusMapping.Decision
        var description: String { "\(okta) known=\(isKnown)" }
    }

    static let table: [Row] = [
        Row(okta: .active, isKnown: false, expected: .status(.active)),
        Row(okta: .active, isKnown: true, expected: .status(.active)),
        Row(okta: .recovery, isKnown: false, expected: .status(.active)),
        Row(okta: .recovery, isKnown: true, expected: .status(.active)),
        Row(okta: .passwordExpired, isKnown: false, expected: .status(.active)),
        Row(okta: .passwordExpired, isKnown: true, expected: .status(.active)),
        Row(okta: .lockedOut, isKnown: false, expected: .status(.active)),
        Row(okta: .lockedOut, isKnown: true, expected: .status(.active)),
        Row(okta: .suspended, isKnown: false, expected: .status(.suspended)),
        Row(okta: .suspended, isKnown: true, expected: .status(.suspended)),
        Row(okta: .deprovisioned, isKnown: false, expected: .status(.deactivated)),
        Row(okta: .deprovisioned, isKnown: true, expected: .status(.deactivated)),
        Row(okta: .staged, isKnown: false, expected: .skip(.notActivated)),
        Row(okta: .staged, isKnown: true, expected: .status(.deactivated)),
        Row(okta: .provisioned, isKnown: false, expected: .skip(.notActivated)),
        Row(okta: .provisioned, isKnown: true, expected: .status(.deactivated)),
        Row(okta: .other("FUTURE"), isKnown: false, expected: .skip(.unknownStatus)),
        Row(okta: .other("FUTURE"), isKnown: true, expected: .skip(.unknownStatus)),
    ]

    @Test(arguments: table)
    func mapsEveryStatus(_ row: Row) {
        #expect(UserStatusMapping.decide(row.okta, isKnown: row.isKnown) == row.expected)
    }

    @Test func tableCoversAllEightStatusesBothWays() {
        for status in UserStatusMapping.knownStatuses {
            #expect(Self.table.filter { $0.okta == status }.count == 2)
        }
        #expect(UserStatusMapping.knownStatuses.count == 8)
    }
}

struct PartialViewRuleTests {
    @Test(arguments: [
        (100, 100, false), (96, 100, false), (95, 100, false), (94, 100, true), (0, 10, true),
        (9_800, 10_000, false), (9_799, 10_000, true), (120, 100, false), (0, 0, false),
    ])
    func detectsMarkedlyFewerUsers(_ walked: Int, _ count: Int, _ partial: Bool) {
        #expect(PartialViewRule.isPartial(walked: walked, organizationCount: count) == partial)
    }

    @Test func unknownCountIsPartial() {
        #expect(PartialViewRule.isPartial(walked: 10, organizationCount: nil))
    }
}
