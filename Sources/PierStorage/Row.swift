/// One result row: column names and values, decoded by name.
///
/// ```swift
/// let login: String = try row.decode("login")
/// let phone: String? = try row.decode("phone")
/// ```
public struct Row: Sendable, Hashable {
    /// Column names in result order.
    public let columns: [String]
    /// Values in result order.
    public let values: [DatabaseValue]

    /// Creates a row; `columns` and `values` must have the same count.
    public init(columns: [String], values: [DatabaseValue]) {
        precondition(columns.count == values.count, "a row needs one value per column")
        self.columns = columns
        self.values = values
    }

    /// The raw value of a column, or nil when there is no such column.
    public subscript(_ column: String) -> DatabaseValue? {
        guard let index = columns.firstIndex(of: column) else { return nil }
        return values[index]
    }

    /// Decodes a column.
    ///
    /// - Throws: ``StorageError`` `.decoding` when the column is missing or holds another type
    ///   (NULL into a non-optional included). The message names the column and types, not the value.
    public func decode<T: DatabaseValueConvertible>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let value = self[column] else {
            throw StorageError(.decoding, "no column '\(column)' in result (columns: \(columns.joined(separator: ", ")))")
        }
        guard let decoded = T.fromDatabaseValue(value) else {
            throw StorageError(.decoding, "column '\(column)' holds \(value.typeName), cannot decode \(T.self)")
        }
        return decoded
    }

    /// Decodes the first column (for `SELECT count(*)` and the like).
    public func decodeFirst<T: DatabaseValueConvertible>(as type: T.Type = T.self) throws -> T {
        guard let first = columns.first else { throw StorageError(.decoding, "empty row") }
        return try decode(first, as: type)
    }
}
