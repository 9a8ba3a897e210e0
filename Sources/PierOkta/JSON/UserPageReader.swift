import Foundation
import PierCore

/// Reads a user-listing page (`GET /api/v1/users`, a JSON array of user objects) straight into
/// ``DirectoryUser`` values, without `JSONDecoder`: a 100,000-user full sync decodes 500 such pages and
/// `Codable` spent about 3 CPU seconds on them (docs/SYNC.md "Benchmarks").
///
/// It reads the same fields as ``OktaUser`` and applies the same rules: `id` and `status` are required
/// strings; `created`, `lastUpdated` and `statusChanged` are Okta timestamps or `null`; `profile` is an
/// object (or `null`/absent = empty) whose values become ``DirectoryAttributeValue``s. Other fields are
/// validated as JSON and skipped (Pier keeps nothing of them). `MemberPageReaderTests`-style tests check it
/// against `JSONDecoder` + ``OktaUser`` on fixtures and generated input.
enum UserPageReader {
    /// - Throws: ``OktaError/Code/decoding`` for malformed JSON, a non-array body, an element that is not an
    ///   object, a missing or non-string `id`/`status`, a timestamp that is not Okta's form, or a profile that
    ///   is not an object.
    static func read(_ data: Data) throws -> [DirectoryUser] {
        do {
            return try data.withUnsafeBytes { raw in
                try read(raw.bindMemory(to: UInt8.self))
            }
        } catch let failure as JSONByteReader.Failure {
            throw OktaError(.decoding, detail: "user page: \(failure)")
        }
    }

    private static func read(_ bytes: UnsafeBufferPointer<UInt8>) throws -> [DirectoryUser] {
        var reader = JSONByteReader(bytes)
        var users: [DirectoryUser] = []
        try reader.expect(0x5B)
        if !(try reader.consume(0x5D)) {
            repeat {
                users.append(try readUser(&reader))
            } while try reader.consume(0x2C)
            try reader.expect(0x5D)
        }
        reader.skipWhitespace()
        guard reader.isAtEnd else { throw reader.fail("trailing characters") }
        return users
    }

    private static func readUser(_ reader: inout JSONByteReader) throws -> DirectoryUser {
        guard try reader.peek() == 0x7B else { throw reader.fail("user is not an object") }
        try reader.expect(0x7B)
        var id: String?
        var status: String?
        var created: Date?
        var lastUpdated: Date?
        var statusChanged: Date?
        var profile: [String: DirectoryAttributeValue] = [:]
        // A repeated key keeps its first value, as `JSONDecoder` does; later ones are still validated.
        var seen = Fields()
        if !(try reader.consume(0x7D)) {
            repeat {
                let key = try reader.readKey(matching: Self.fieldNames).map { Self.fieldNames[$0].description }
                try reader.expect(0x3A)
                switch key {
                case "id"?:
                    let value = try readRequiredString(&reader, "id")
                    if seen.insert(.id) { id = value }
                case "status"?:
                    let value = try readRequiredString(&reader, "status")
                    if seen.insert(.status) { status = value }
                case "created"?:
                    let value = try readTimestamp(&reader, "created")
                    if seen.insert(.created) { created = value }
                case "lastUpdated"?:
                    let value = try readTimestamp(&reader, "lastUpdated")
                    if seen.insert(.lastUpdated) { lastUpdated = value }
                case "statusChanged"?:
                    let value = try readTimestamp(&reader, "statusChanged")
                    if seen.insert(.statusChanged) { statusChanged = value }
                case "profile"?:
                    var value: [String: DirectoryAttributeValue] = [:]
                    if !(try reader.consumeNull()) {
                        guard try reader.peek() == 0x7B else { throw reader.fail("profile is not an object") }
                        value = try readObject(&reader, depth: 2)
                    }
                    if seen.insert(.profile) { profile = value }
                default: try reader.skipValue(depth: 1)
                }
            } while try reader.consume(0x2C)
            try reader.expect(0x7D)
        }
        guard let id, let status else { throw reader.fail("user without id or status") }
        return DirectoryUser(
            id: OktaUserID(rawValue: id), status: DirectoryUserStatus(oktaValue: status),
            login: profile["login"]?.stringValue ?? "", email: profile["email"]?.stringValue,
            firstName: profile["firstName"]?.stringValue, lastName: profile["lastName"]?.stringValue,
            displayName: profile["displayName"]?.stringValue, created: created, lastUpdated: lastUpdated,
            statusChanged: statusChanged, profile: profile)
    }

    /// The fields of a user already read.
    private struct Fields: OptionSet {
        let rawValue: UInt8
        static let id = Fields(rawValue: 1 << 0)
        static let status = Fields(rawValue: 1 << 1)
        static let created = Fields(rawValue: 1 << 2)
        static let lastUpdated = Fields(rawValue: 1 << 3)
        static let statusChanged = Fields(rawValue: 1 << 4)
        static let profile = Fields(rawValue: 1 << 5)

        /// Adds `field`; true when it was not there yet.
        mutating func insert(_ field: Fields) -> Bool {
            guard !contains(field) else { return false }
            formUnion(field)
            return true
        }
    }

    /// The top-level fields read; every other key is skipped.
    private static let fieldNames: [StaticString] = ["id", "status", "created", "lastUpdated", "statusChanged", "profile"]

    private static func readRequiredString(_ reader: inout JSONByteReader, _ key: String) throws -> String {
        guard try reader.peek() == 0x22 else { throw reader.fail("\(key) is not a string") }
        return try reader.readString()
    }

    private static func readTimestamp(_ reader: inout JSONByteReader, _ key: String) throws -> Date? {
        if try reader.consumeNull() { return nil }
        let text = try readRequiredString(&reader, key)
        guard let date = OktaTimestamp.parse(text) else { throw reader.fail("\(key) is not an Okta timestamp") }
        return date
    }

    /// An object's members (a repeated key keeps its first value, as `JSONDecoder` does).
    private static func readObject(_ reader: inout JSONByteReader, depth: Int) throws -> [String: DirectoryAttributeValue] {
        try reader.expect(0x7B)
        var object: [String: DirectoryAttributeValue] = [:]
        if try reader.consume(0x7D) { return object }
        repeat {
            let key = try reader.readString()
            try reader.expect(0x3A)
            let value = try readValue(&reader, depth: depth + 1)
            if object[key] == nil { object[key] = value }
        } while try reader.consume(0x2C)
        try reader.expect(0x7D)
        return object
    }

    private static let maximumDepth = 512

    private static func readValue(_ reader: inout JSONByteReader, depth: Int) throws -> DirectoryAttributeValue {
        guard depth < maximumDepth else { throw reader.fail("nesting too deep") }
        switch try reader.peek() {
        case 0x22: return .string(try reader.readString())
        case 0x6E:
            _ = try reader.consumeNull()
            return .null
        case 0x74, 0x66: return .bool(try reader.readBool())
        case 0x7B: return .object(try readObject(&reader, depth: depth))
        case 0x5B:
            try reader.expect(0x5B)
            var array: [DirectoryAttributeValue] = []
            if try reader.consume(0x5D) { return .array(array) }
            repeat { array.append(try readValue(&reader, depth: depth + 1)) } while try reader.consume(0x2C)
            try reader.expect(0x5D)
            return .array(array)
        default: return .number(try reader.readNumber())
        }
    }
}
