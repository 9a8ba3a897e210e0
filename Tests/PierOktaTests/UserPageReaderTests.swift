import Foundation
import PierCore
import Testing
@testable import PierOkta

struct UserPageReaderTests {
    /// The reference: `JSONDecoder` + ``OktaUser`` (what `decodeUsers` used before the byte reader).
    static func reference(_ data: Data) throws -> [DirectoryUser] {
        try OktaTimestamp.makeDecoder().decode([OktaUser].self, from: data).map(\.directoryUser)
    }

    @Test(arguments: [
        "users-list-default-page.json", "users-filter-status-active.json", "users-filter-status-suspended.json",
        "users-search-nickname.json", "group-members-list.json", "group-members-list-empty.json",
        "spec-examples/users-list-filter-locked-out.json",
    ])
    func matchesJSONDecoderOnFixtures(_ name: String) throws {
        let data = try Fixture.data(name)
        let users = try UserPageReader.read(data)
        #expect(users == (try Self.reference(data)))
    }

    @Test func matchesJSONDecoderOnGeneratedInput() throws {
        var generator = SplitMix(seed: 7)
        for _ in 0..<300 {
            let count = Int(generator.next() % 5)
            let users = (0..<count).map { _ in Self.randomUser(&generator) }
            let text = "[" + users.joined(separator: MemberPageReaderTests.whitespace(&generator) + ",") + "]"
            let data = Data(text.utf8)
            #expect(try UserPageReader.read(data) == (try Self.reference(data)), "\(text)")
        }
    }

    @Test(arguments: [
        "", "{}", "[", "[{\"id\":\"00u1\",\"status\":\"ACTIVE\"}", "[{\"id\":\"00u1\"}]", "[{\"status\":\"ACTIVE\"}]",
        "[{\"id\":\"00u1\",\"status\":\"ACTIVE\",\"x\":tru}]",
        "[{\"id\":1,\"status\":\"ACTIVE\"}]", "[\"00u1\"]", "[{\"id\":\"00u1\",\"status\":\"ACTIVE\"}] x",
        "[{\"id\":\"00u1\",\"status\":\"ACTIVE\",\"lastUpdated\":\"yesterday\"}]",
        "[{\"id\":\"00u1\",\"status\":\"ACTIVE\",\"created\":5}]",
        "[{\"id\":\"00u1\",\"status\":\"ACTIVE\",\"profile\":[]}]",
        "[{\"id\":\"00u1\",\"status\":\"ACTIVE\",\"profile\":{\"a\":01}}]",
        "[{\"id\":\"00u1\",\"status\":\"ACTIVE\",\"profile\":{\"a\":1e999}}]",
        "[{\"id\":\"00u1\",\"status\":\"ACTIVE\",\"profile\":{\"a\":\"\\ud800\"}}]",
    ])
    func rejectsMalformedInput(_ text: String) {
        #expect(oktaError { _ = try UserPageReader.read(Data(text.utf8)) }?.code == .decoding, "\(text)")
        // The reference refuses the same input.
        #expect(throws: (any Error).self) { try Self.reference(Data(text.utf8)) }
    }

    // MARK: - Generation

    static func timestamp(_ g: inout SplitMix) -> String {
        ["null", "\"2024-01-02T03:04:05.000Z\"", "\"2013-07-02T21:36:25.344Z\"", "\"2025-12-31T23:59:59Z\"",
         "\"2020-02-29T12:00:00.5Z\""][Int(g.next() % 5)]
    }

    static func profileValue(_ g: inout SplitMix, depth: Int) -> String {
        switch g.next() % (depth > 2 ? 4 : 6) {
        case 0, 1: return MemberPageReaderTests.randomString(&g)
        case 2: return ["0", "-1", "3.25", "1e10", "-0.5E-3", "12345678901234", "true", "false", "null"][Int(g.next() % 9)]
        case 3: return "null"
        case 4: return "[" + (0..<Int(g.next() % 3)).map { _ in profileValue(&g, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            return "{" + (0..<Int(g.next() % 3)).map { "\"n\($0)\":" + profileValue(&g, depth: depth + 1) }.joined(separator: ",") + "}"
        }
    }

    static func randomUser(_ g: inout SplitMix) -> String {
        var profile = ["login", "email", "firstName", "lastName", "displayName", "mobilePhone", "department", "custom", "x"]
            .filter { _ in g.next() % 3 != 0 }
            .map { "\"\($0)\":" + profileValue(&g, depth: 0) }
        if g.next() % 4 == 0 { profile.append("\"login\":\"repeated@example.com\"") }
        if g.next() % 8 == 0 { profile.append("\"login\":" + profileValue(&g, depth: 0)) }
        var fields = [
            "\"id\":" + MemberPageReaderTests.randomString(&g).replacingOccurrences(of: "\"\"", with: "\"00u\""),
            "\"status\":\"" + ["ACTIVE", "STAGED", "SUSPENDED", "DEPROVISIONED", "NEW_KIND"][Int(g.next() % 5)] + "\"",
            "\"created\":" + timestamp(&g), "\"lastUpdated\":" + timestamp(&g), "\"statusChanged\":" + timestamp(&g),
            "\"activated\":" + timestamp(&g), "\"transitioningToStatus\":null",
            "\"credentials\":{\"provider\":{\"type\":\"OKTA\",\"name\":\"OKTA\"}}", "\"_links\":{\"self\":{\"href\":\"x\"}}",
        ].filter { field in field.hasPrefix("\"id\"") || field.hasPrefix("\"status\"") || g.next() % 4 != 0 }
        switch g.next() % 5 {
        case 0: break
        case 1: fields.append("\"profile\":null")
        default: fields.append("\"profile\":{" + profile.joined(separator: ",") + "}")
        }
        for i in stride(from: fields.count - 1, to: 0, by: -1) { fields.swapAt(i, Int(g.next() % UInt64(i + 1))) }
        return "{" + fields.joined(separator: "," + MemberPageReaderTests.whitespace(&g)) + "}"
    }
}
