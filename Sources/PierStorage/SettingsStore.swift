/// The name of a stored setting. Keys are a closed, documented set; add one here when needed.
public struct SettingKey: Hashable, Sendable, CustomStringConvertible {
    /// The stored key text; stable.
    public let rawValue: String

    /// Creates a key; prefer the static members.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// The portal's display name (used in the identity app's label).
    public static let portalName = SettingKey("portal.name")
    /// The portal's IANA time zone (schedules are evaluated in it).
    public static let timeZone = SettingKey("portal.time_zone")
    /// The check value proving the encryption key matches the database (DESIGN.md §7).
    public static let keyCheckValue = SettingKey("crypto.key_check_value")
    /// The id of the encryption key in use.
    public static let keyID = SettingKey("crypto.key_id")
    /// This installation's id, written into the identity apps Pier creates.
    public static let installationID = SettingKey("installation.id")

    public var description: String { rawValue }
}

/// Reads and writes installation-wide settings (portal name, time zone, key check value…).
public protocol SettingsStore: Sendable {
    /// The value of a setting, or nil when it was never set.
    func setting(_ key: SettingKey) async throws -> String?

    /// Sets a setting, replacing any previous value; nil removes it.
    func setSetting(_ key: SettingKey, to value: String?) async throws

    /// Sets a setting only when it has no value yet (first start; `--portal-name` initial values;
    /// generating the installation id once even when several instances start together).
    ///
    /// - Returns: the value now stored: `value` if it was inserted, else the existing one.
    func insertSettingIfAbsent(_ key: SettingKey, value: String) async throws -> String
}
