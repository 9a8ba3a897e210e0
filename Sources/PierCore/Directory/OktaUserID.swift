/// The immutable Okta id of a user (`00u…`), the only identity Pier uses for a directory user.
///
/// Logins, e-mail addresses and names change; the id does not (DESIGN.md §1.2).
public struct OktaUserID: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The id as Okta spells it (case-sensitive).
    public let rawValue: String

    /// Wraps an id.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Wraps an id.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    public static func < (lhs: OktaUserID, rhs: OktaUserID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
