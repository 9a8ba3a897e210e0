import Foundation
import Testing
@testable import PierCore

/// Stored profiles compare as text, so ``DirectoryUserRecord/canonicalJSON(_:)`` must write exactly what
/// `JSONEncoder` with sorted keys wrote before it replaced it.
struct CanonicalProfileJSONTests {
    static func reference(_ profile: [String: DirectoryAttributeValue]) throws -> String? {
        guard !profile.isEmpty else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(profile), as: UTF8.self)
    }

    @Test func matchesJSONEncoderOnEdgeCases() throws {
        let profiles: [[String: DirectoryAttributeValue]] = [
            [:],
            ["login": .string("a@b.c"), "email": .null, "A": .bool(true), "a": .bool(false), "": .string("")],
            ["a10": .number(1), "a2": .number(0.1), "A1": .number(-0.0), "ab": .number(1e21), "aB": .number(1e-7),
             "b": .number(12_345_678_901_234), "c": .number(.leastNonzeroMagnitude), "d": .number(1.5e300), "e": .number(1e16), "f": .number(-3.25)],
            ["k": .string("a\"b\\c/d\u{01}\u{1f}\n\r\t\u{08}\u{0c}é😀\u{7f}\u{2028}\u{0}")],
            ["é": .number(1), "e": .number(2), "~": .number(3), "z": .number(4), "😀": .number(5), "\u{FFFD}": .number(6)],
            ["nested": .object(["z": .array([.number(1), .string("x"), .null, .object([:]), .array([])]), "a": .object(["b": .null])])],
        ]
        for profile in profiles {
            #expect(DirectoryUserRecord.canonicalJSON(profile) == (try Self.reference(profile)))
        }
    }

    @Test func matchesJSONEncoderOnGeneratedProfiles() throws {
        var state: UInt64 = 11
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let pieces = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\u{1}", "é", "e\u{301}", "😀", "~", "_", "\u{7f}", "ü"]
        func text() -> String { (0..<Int(next() % 6)).map { _ in pieces[Int(next() % UInt64(pieces.count))] }.joined() }
        func value(_ depth: Int) -> DirectoryAttributeValue {
            switch next() % (depth > 2 ? 4 : 6) {
            case 0: return .string(text())
            case 1: return .number([0, 1, -1, 0.5, 3.25, 1e10, 1e22, 123_456.789, -2.5e-8, Double(next() % 100_000) / 7][Int(next() % 10)])
            case 2: return .bool(next() % 2 == 0)
            case 3: return .null
            case 4: return .array((0..<Int(next() % 3)).map { _ in value(depth + 1) })
            default: return .object(object(depth + 1))
            }
        }
        func object(_ depth: Int) -> [String: DirectoryAttributeValue] {
            var members: [String: DirectoryAttributeValue] = [:]
            for _ in 0..<Int(next() % 6) { members[text()] = value(depth) }
            return members
        }
        for _ in 0..<500 {
            let profile = object(0)
            #expect(DirectoryUserRecord.canonicalJSON(profile) == (try Self.reference(profile)), "\(profile)")
        }
    }
}
