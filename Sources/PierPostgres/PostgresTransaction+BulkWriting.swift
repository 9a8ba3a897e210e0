public import PierStorage

extension PostgresTransaction: BulkWriting {
    @discardableResult
    public func bulkUpsert(
        table: String, columns: [String], conflictColumns: [String], updateColumns: [String]?, rows: [[DatabaseValue]]
    ) throws -> Int {
        try upsert(BulkUpsert(table: table, columns: columns, conflictColumns: conflictColumns, updateColumns: updateColumns), rows: rows)
    }
}
