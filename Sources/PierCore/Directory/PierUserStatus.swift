/// A directory user's status in Pier (DESIGN.md §1.2), derived from the Okta status.
public enum PierUserStatus: String, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// May sign in and self-enroll.
    case active
    /// Kept, cannot self-enroll (Okta SUSPENDED).
    case suspended
    /// Kept with history; devices follow the domain's leaver policy.
    case deactivated

    public var description: String { rawValue }
}
