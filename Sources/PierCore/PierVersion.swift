/// Pier's release version, printed by `pier --version` and recorded by migrations so that a database
/// migrated by a newer Pier is recognised.
public enum PierVersion {
    public static let current = "0.1.0"
}
