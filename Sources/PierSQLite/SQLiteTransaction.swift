import PierStorage

/// The handle given to a transaction closure; valid only while the closure runs.
///
/// Wraps the connection so a handle smuggled out of its closure traps instead of writing outside
/// any transaction.
final class SQLiteTransaction: DatabaseConnection {
    private let connection: SQLiteConnection
    private var isOpen = true

    init(connection: SQLiteConnection) {
        self.connection = connection
    }

    /// Ends the handle's life; any later use traps.
    func invalidate() { isOpen = false }

    var dialect: SQLDialect { .sqlite }

    private func checkOpen() {
        precondition(isOpen, "a database connection was used outside of its transaction closure")
    }

    func forEachRow(_ sql: SQL, _ body: (Row) throws -> Bool) throws {
        checkOpen()
        let (text, arguments) = sql.render { _ in "?" }
        let statement = try connection.statement(text)
        try statement.bind(arguments)
        defer { statement.reset() }
        while try statement.step() {
            guard try body(statement.row()) else { break }
        }
    }

    @discardableResult
    func execute(_ sql: SQL) throws -> Int {
        checkOpen()
        let (text, arguments) = sql.render { _ in "?" }
        let statement = try connection.statement(text)
        try statement.bind(arguments)
        defer { statement.reset() }
        while try statement.step() {}
        return connection.changes
    }

    func executeScript(_ sql: String) throws {
        checkOpen()
        try connection.executeScript(sql)
    }
}
