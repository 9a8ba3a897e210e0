import Foundation

/// A write connection that can insert or update many rows faster than one statement can (PostgreSQL:
/// `COPY`, into the table or into a temporary table followed by one `INSERT … ON CONFLICT`). Stores test for it with
/// `db as? any BulkWriting` and fall back to multi-row `INSERT`s; PierStorage never imports a backend.
public protocol BulkWriting {
    /// Inserts `rows` into `table`; a row whose `conflictColumns` match an existing one updates
    /// `updateColumns` (`nil`: every other column; empty: `DO NOTHING`). Rows must not repeat a key.
    ///
    /// Names must be plain lowercase identifiers chosen by the program, never input.
    ///
    /// - Returns: rows inserted or changed.
    @discardableResult
    func bulkUpsert(table: String, columns: [String], conflictColumns: [String], updateColumns: [String]?, rows: [[DatabaseValue]]) throws -> Int

    /// Inserts `rows` into `table` as they are, in order (an identity column numbers them in that order);
    /// any constraint violation fails the whole call, as one `INSERT` would.
    ///
    /// Names must be plain lowercase identifiers chosen by the program, never input.
    ///
    /// - Returns: rows inserted.
    @discardableResult
    func bulkInsert(table: String, columns: [String], rows: [[DatabaseValue]]) throws -> Int
}
