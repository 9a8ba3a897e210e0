/// Why a sync left a directory object out (the `skipped` counts of a run are keyed by ``rawValue``).
public enum SkipReason: String, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// STAGED or PROVISIONED and never imported before (DESIGN.md §1.2 "skipped: not activated").
    case notActivated = "not_activated"
    /// An Okta status this version of Pier does not know; a known user is left untouched.
    case unknownStatus = "unknown_status"
    /// A group whose type Pier does not know (not OKTA_GROUP, APP_GROUP or BUILT_IN).
    case unknownGroupType = "unknown_group_type"

    public var description: String { rawValue }
}
