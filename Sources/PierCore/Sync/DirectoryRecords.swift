public import Foundation

/// The stored projection of a directory user: what Pier keeps of an Okta user and compares between
/// syncs. Both the live `users` rows and a run's staging rows are read as this type, so "changed" means
/// exactly "a stored column would change".
public struct DirectoryUserRecord: Hashable, Sendable {
    public var oktaID: OktaUserID
    /// Okta's status, verbatim (`"ACTIVE"`).
    public var oktaStatus: String
    public var login: String
    public var email: String?
    public var firstName: String?
    public var lastName: String?
    public var phone: String?
    public var department: String?
    public var title: String?
    /// The whole profile as canonical JSON (sorted keys), or nil.
    public var profile: String?
    public var oktaLastUpdated: Date?

    /// Creates a record.
    public init(
        oktaID: OktaUserID, oktaStatus: String, login: String, email: String? = nil, firstName: String? = nil,
        lastName: String? = nil, phone: String? = nil, department: String? = nil, title: String? = nil,
        profile: String? = nil, oktaLastUpdated: Date? = nil
    ) {
        self.oktaID = oktaID
        self.oktaStatus = oktaStatus
        self.login = login
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.phone = phone
        self.department = department
        self.title = title
        self.profile = profile
        self.oktaLastUpdated = oktaLastUpdated
    }

    /// Projects a user read from the directory source (phone: `mobilePhone`, else `primaryPhone`).
    public init(_ user: DirectoryUser) {
        self.init(
            oktaID: user.id, oktaStatus: user.status.oktaValue, login: user.login, email: user.email,
            firstName: user.firstName, lastName: user.lastName,
            phone: user.profile["mobilePhone"]?.stringValue ?? user.profile["primaryPhone"]?.stringValue,
            department: user.profile["department"]?.stringValue, title: user.profile["title"]?.stringValue,
            profile: Self.canonicalJSON(user.profile), oktaLastUpdated: user.lastUpdated
        )
    }

    /// The status as a ``DirectoryUserStatus``.
    public var status: DirectoryUserStatus { DirectoryUserStatus(oktaValue: oktaStatus) }

    /// Whether the stored fields differ (the Okta `lastUpdated` alone does not count as a change).
    public func differs(from other: DirectoryUserRecord) -> Bool {
        var left = self
        var right = other
        left.oktaLastUpdated = nil
        right.oktaLastUpdated = nil
        return left != right
    }

    /// Sorted-keys JSON of a profile, nil when empty, so equal profiles compare equal as text.
    ///
    /// Byte for byte what `JSONEncoder` with `[.sortedKeys, .withoutEscapingSlashes]` writes (stored
    /// profiles compare as text, so the form must never change; `DirectoryRecordsTests` checks it against
    /// `JSONEncoder` on generated profiles), written directly: `JSONEncoder` cost ≈ 1.5 CPU seconds over the
    /// 100,000 profiles of a full sync (docs/SYNC.md "Benchmarks").
    public static func canonicalJSON(_ profile: [String: DirectoryAttributeValue]) -> String? {
        guard !profile.isEmpty else { return nil }
        var writer = CanonicalJSONWriter()
        writer.write(object: profile)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

/// Writes ``DirectoryAttributeValue``s as `JSONEncoder` does with sorted keys and unescaped slashes:
/// keys in UTF-8 byte order, `\"` `\\` `\b` `\f` `\n` `\r` `\t` and `\u00xx` for other control characters,
/// everything else verbatim; numbers as Swift prints a `Double`, without a trailing `.0`.
struct CanonicalJSONWriter {
    var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(512)
    }

    mutating func write(object: [String: DirectoryAttributeValue]) {
        bytes.append(0x7B)
        var first = true
        for (key, value) in object.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            if !first { bytes.append(0x2C) }
            first = false
            write(string: key)
            bytes.append(0x3A)
            write(value: value)
        }
        bytes.append(0x7D)
    }

    mutating func write(value: DirectoryAttributeValue) {
        switch value {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let flag): bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number):
            let text = number.description
            bytes.append(contentsOf: text.hasSuffix(".0") ? text.dropLast(2).utf8 : text.utf8[...])
        case .string(let text): write(string: text)
        case .array(let elements):
            bytes.append(0x5B)
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(0x2C) }
                write(value: element)
            }
            bytes.append(0x5D)
        case .object(let members): write(object: members)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    mutating func write(string: String) {
        bytes.append(0x22)
        for byte in string.utf8 {
            switch byte {
            case 0x22: bytes.append(0x5C); bytes.append(0x22)
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x08: bytes.append(0x5C); bytes.append(0x62)
            case 0x0C: bytes.append(0x5C); bytes.append(0x66)
            case 0x0A: bytes.append(0x5C); bytes.append(0x6E)
            case 0x0D: bytes.append(0x5C); bytes.append(0x72)
            case 0x09: bytes.append(0x5C); bytes.append(0x74)
            case 0x00..<0x20:
                bytes.append(contentsOf: "\\u00".utf8)
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(0x22)
    }
}

/// A live directory user as the planner sees it: the stored record plus Pier's status.
public struct LocalDirectoryUser: Hashable, Sendable {
    public var record: DirectoryUserRecord
    public var status: PierUserStatus

    public init(record: DirectoryUserRecord, status: PierUserStatus) {
        self.record = record
        self.status = status
    }
}

/// The stored projection of a directory group.
public struct DirectoryGroupRecord: Hashable, Sendable {
    public var oktaID: OktaGroupID
    public var name: String
    public var description: String?
    /// Okta's type, verbatim (`"OKTA_GROUP"`).
    public var type: String
    public var oktaLastUpdated: Date?

    public init(oktaID: OktaGroupID, name: String, description: String? = nil, type: String, oktaLastUpdated: Date? = nil) {
        self.oktaID = oktaID
        self.name = name
        self.description = description
        self.type = type
        self.oktaLastUpdated = oktaLastUpdated
    }

    /// Projects a group read from the directory source.
    public init(_ group: DirectoryGroup) {
        self.init(oktaID: group.id, name: group.name, description: group.description, type: group.type.oktaValue,
                  oktaLastUpdated: group.lastUpdated)
    }

    /// Whether this is the built-in Everyone group.
    public var isEveryone: Bool { type == DirectoryGroupType.builtIn.oktaValue }

    /// Whether Pier stores groups of this type.
    public var hasKnownType: Bool {
        if case .other = DirectoryGroupType(oktaValue: type) { return false }
        return true
    }

    /// Whether the stored fields differ (the Okta `lastUpdated` alone does not count).
    public func differs(from other: DirectoryGroupRecord) -> Bool {
        name != other.name || description != other.description || type != other.type
    }
}
