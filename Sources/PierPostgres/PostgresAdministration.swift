import PierStorage

extension PostgresDatabase {
    /// Runs one administrative statement outside any transaction (`CREATE DATABASE` and `DROP DATABASE`
    /// refuse to run inside one) on a connection of its own, closed afterwards.
    ///
    /// The statement is program text, never input: nothing is bound, so callers splice only identifiers
    /// they generated themselves (test databases named from hex digits).
    ///
    /// - Throws: ``StorageError`` as for any statement (`unavailable` when the server cannot be reached).
    public static func executeOutsideTransaction(_ statement: String, configuration: PostgresConfiguration) async throws {
        let connection = ConnectionPool.Slot(label: "pier.postgres.administration", configuration: configuration)
        do {
            try await connection.run { try $0.executeScript(statement) }
            await connection.close()
        } catch {
            await connection.close()
            throw error
        }
    }
}
