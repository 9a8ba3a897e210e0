/// The Okta status → Pier status rules of DESIGN.md §1.2, including the first-sync and known-user rules.
///
/// | Okta status | never imported | already known |
/// |---|---|---|
/// | ACTIVE, RECOVERY, PASSWORD_EXPIRED, LOCKED_OUT | active | active |
/// | SUSPENDED | suspended | suspended |
/// | DEPROVISIONED | deactivated (imported) | deactivated |
/// | STAGED, PROVISIONED | skipped: not activated | deactivated (kept, not deleted) |
/// | anything else | skipped: unknown status | skipped: unknown status (left as it is) |
public enum UserStatusMapping {
    /// What a sync does with a user it read.
    public enum Decision: Hashable, Sendable {
        /// Import (or keep) the user with this Pier status.
        case status(PierUserStatus)
        /// Leave the user out (never imported) or untouched (known), for this reason.
        case skip(SkipReason)
    }

    /// Decides a user's Pier status.
    ///
    /// - Parameters:
    ///   - status: The Okta status as read.
    ///   - isKnown: Whether Pier already holds this user (a live row for the same directory and Okta id).
    ///     A tombstoned user is not "known": reviving one follows the first-import rules.
    public static func decide(_ status: DirectoryUserStatus, isKnown: Bool) -> Decision {
        switch status {
        case .active, .recovery, .passwordExpired, .lockedOut: .status(.active)
        case .suspended: .status(.suspended)
        case .deprovisioned: .status(.deactivated)
        case .staged, .provisioned: isKnown ? .status(.deactivated) : .skip(.notActivated)
        case .other: .skip(.unknownStatus)
        }
    }

    /// Every Okta status Pier knows, for tables and tests.
    public static let knownStatuses: [DirectoryUserStatus] = [
        .staged, .provisioned, .active, .recovery, .passwordExpired, .lockedOut, .suspended, .deprovisioned,
    ]
}
