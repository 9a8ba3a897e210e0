import Foundation
import PierCore
import Testing
@testable import PierOkta

struct MemberPageReaderTests {
    /// The reference: Foundation's parser.
    static func reference(_ data: Data) throws -> [DirectoryMember] {
        let array = try JSONSerialization.jsonObject(with: data) as! [[String: Any]]
        return array.map {
            DirectoryMember(userID: OktaUserID($0["id"] as! String), status: DirectoryUserStatus(oktaValue: $0["status"] as! String))
        }
    }

    @Test(arguments: [
        "group-members-list.json", "group-members-list-empty.json", "users-list-default-page.json",
        "users-filter-status-active.json", "users-filter-status-suspended.json", "users-search-nickname.json",
        "spec-examples/users-list-filter-locked-out.json",
    ])
    func matchesFoundationOnFixtures(_ name: String) throws {
        let data = try Fixture.data(name)
        #expect(try MemberPageReader.read(data) == (try Self.reference(data)))
    }

    @Test func matchesFoundationOnGeneratedInput() throws {
        var generator = SplitMix(seed: 42)
        for _ in 0..<300 {
            let count = Int(generator.next() % 6)
            var objects: [String] = []
            for _ in 0..<count { objects.append(Self.randomMember(&generator)) }
            let text = "[" + objects.joined(separator: Self.whitespace(&generator) + "," + Self.whitespace(&generator)) + "]"
            let data = Data(text.utf8)
            #expect(try MemberPageReader.read(data) == (try Self.reference(data)), "\(text)")
        }
    }

    @Test(arguments: [
        "", "{}", "[", "[{\"id\":\"00u1\",\"status\":\"ACTIVE\"}", "[{\"id\":\"00u1\"}]",
        "[{\"id\":\"00u1\",\"status\":\"ACTIVE\"},]", "[{\"id\":\"00u1\",\"status\":\"ACTIVE\",\"x\":tru}]",
        "[{\"id\":\"00u1\",\"status\":\"ACTIVE\",\"x\":\"a\\qb\"}]", "[{\"id\":\"00u1\",\"status\":\"ACTIVE\",\"x\":01}]",
        "[{\"id\":\"00u1\",\"status\":\"ACTIVE\",\"x\":[1,2}]", "[{\"id\":\"00u1\",\"status\":\"ACTIVE\"}] x",
        "[{\"id\":1,\"status\":\"ACTIVE\"}]", "[\"00u1\"]", "[{\"id\":\"\\ud800\",\"status\":\"ACTIVE\"}]",
        "[{\"id\":\"00u1\",\"status\":\"ACTIVE\",\"x\":\"line\nbreak\"}]",
    ])
    func rejectsMalformedInput(_ text: String) {
        #expect(oktaError { _ = try MemberPageReader.read(Data(text.utf8)) }?.code == .decoding)
    }

    @Test func decodesEscapesInIDs() throws {
        let data = Data(#"[{"profile":{"id":"nested-not-me","status":"X"},"id":"00u\u0041\"\\\/é😀","status":"ACTIVE"}]"#.utf8)
        let members = try MemberPageReader.read(data)
        #expect(try members == Self.reference(data))
        #expect(members.first?.userID.rawValue == "00uA\"\\/é😀")
    }

    @Test func readsEscapedKeysLikeFoundation() throws {
        let data = Data(#"[{"\u0069d":"00u1","st\u0061tus":"ACTIVE","id\u0020":"not-the-id","\"status":"X","ü":1}]"#.utf8)
        let members = try MemberPageReader.read(data)
        #expect(try members == Self.reference(data))
        #expect(members == [DirectoryMember(userID: OktaUserID("00u1"), status: DirectoryUserStatus(oktaValue: "ACTIVE"))])
    }

    // MARK: - Generation

    static func whitespace(_ g: inout SplitMix) -> String {
        ["", " ", "\n  ", "\t", "\r\n"][Int(g.next() % 5)]
    }

    static func randomString(_ g: inout SplitMix) -> String {
        let pieces = ["a", "Z", "0", " ", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\ud83d\\ude00", "é", "😀", "}", "]", ",", ":", "{", "["]
        return "\"" + (0..<Int(g.next() % 8)).map { _ in pieces[Int(g.next() % UInt64(pieces.count))] }.joined() + "\""
    }

    static func randomValue(_ g: inout SplitMix, depth: Int) -> String {
        switch g.next() % (depth > 3 ? 4 : 6) {
        case 0: return randomString(&g)
        case 1: return ["0", "-1", "3.25", "1e10", "-0.5E-3", "12345678901234"][Int(g.next() % 6)]
        case 2: return ["true", "false", "null"][Int(g.next() % 3)]
        case 3: return randomString(&g)
        case 4:
            let n = Int(g.next() % 4)
            return "[" + (0..<n).map { _ in randomValue(&g, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            let n = Int(g.next() % 4)
            return "{" + (0..<n).map { i in "\"k\(i)\"" + whitespace(&g) + ":" + randomValue(&g, depth: depth + 1) }
                .joined(separator: ",") + "}"
        }
    }

    static func randomMember(_ g: inout SplitMix) -> String {
        var fields = [
            "\"id\":" + randomString(&g).replacingOccurrences(of: "\"\"", with: "\"00u\""),
            "\"status\":\"" + ["ACTIVE", "STAGED", "SUSPENDED", "DEPROVISIONED"][Int(g.next() % 4)] + "\"",
        ]
        for i in 0..<Int(g.next() % 5) {
            fields.append("\"f\(i)\"" + whitespace(&g) + ":" + whitespace(&g) + randomValue(&g, depth: 0))
        }
        if g.next() % 2 == 0 { fields.append("\"profile\":{\"id\":\"inner\",\"status\":\"INNER\"}") }
        // Shuffle deterministically.
        for i in stride(from: fields.count - 1, to: 0, by: -1) { fields.swapAt(i, Int(g.next() % UInt64(i + 1))) }
        return "{" + whitespace(&g) + fields.joined(separator: "," + whitespace(&g)) + whitespace(&g) + "}"
    }
}

/// A small deterministic generator for reproducible generated input.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
