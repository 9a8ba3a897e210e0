/// The identifier of an API token record (not the token itself, which is shown once and stored
/// only as a hash).
public struct APITokenID: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The stored form, e.g. a lowercase UUID.
    public let rawValue: String

    /// Wraps a raw identifier.
    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }
}
