public import PierStorage

extension PostgresTransaction: BulkWriting {
    @discardableResult
    public func bulkUpsert(
        table: String, columns: [String], conflictColumns: [String], updateColumns: [String]?, rows: [[DatabaseValue]]
    ) throws -> Int {
        try upsert(BulkUpsert(table: table, columns: columns, conflictColumns: conflictColumns, updateColumns: updateColumns), rows: rows)
    }

    /// `COPY table (columns) FROM STDIN` straight into the table: rows are processed in order, and a
    /// constraint violation fails the COPY (and so the transaction) like an `INSERT`.
    @discardableResult
    public func bulkInsert(table: String, columns: [String], rows: [[DatabaseValue]]) throws -> Int {
        try insert(into: table, columns: columns, rows: rows)
    }
}
