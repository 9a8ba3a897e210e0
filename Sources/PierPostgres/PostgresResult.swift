import PierStorage
internal import CLibPQ

/// The one owner of a `PGresult*`; `PQclear` runs in `deinit`.
///
/// Results are read in text format and decoded by column type: integer types become `.integer`,
/// floating and numeric types `.real`, `bytea` `.blob`, `bool` `.integer` 0/1, everything else `.text`.
final class PostgresResult {
    let handle: OpaquePointer?

    init(_ handle: OpaquePointer?) {
        self.handle = handle
    }

    deinit {
        // "Every command result should be freed via PQclear when it is no longer needed."
        if let handle { PQclear(handle) }
    }

    var status: ExecStatusType {
        guard let handle else { return PGRES_FATAL_ERROR }
        return PQresultStatus(handle)
    }

    /// Rows changed by an INSERT, UPDATE, DELETE, MERGE or COPY (`PQcmdTuples`); 0 otherwise.
    var affectedRows: Int {
        guard let handle, let text = PQcmdTuples(handle) else { return 0 }
        return Int(String(cString: text)) ?? 0
    }

    var rowCount: Int { handle.map { Int(PQntuples($0)) } ?? 0 }

    /// Column names in result order.
    func columnNames() -> [String] {
        guard let handle else { return [] }
        return (0..<PQnfields(handle)).map { String(cString: PQfname(handle, $0)) }
    }

    /// Decodes row `index`; `columns` comes from ``columnNames()``.
    func row(_ index: Int, columns: [String], kinds: [ColumnKind]) -> Row {
        guard let handle else { return Row(columns: [], values: []) }
        let tuple = Int32(index)
        var values: [DatabaseValue] = []
        values.reserveCapacity(kinds.count)
        for (field, kind) in kinds.enumerated() {
            let column = Int32(field)
            if PQgetisnull(handle, tuple, column) == 1 {
                values.append(.null)
                continue
            }
            let length = Int(PQgetlength(handle, tuple, column))
            let bytes = UnsafeRawPointer(PQgetvalue(handle, tuple, column)!).assumingMemoryBound(to: UInt8.self)
            let buffer = UnsafeBufferPointer(start: bytes, count: length)
            values.append(kind.decode(buffer))
        }
        return Row(columns: columns, values: values)
    }

    /// How each column's text is turned into a value.
    func columnKinds() -> [ColumnKind] {
        guard let handle else { return [] }
        return (0..<PQnfields(handle)).map { ColumnKind(oid: PQftype(handle, $0)) }
    }

    enum ColumnKind {
        case integer, real, boolean, bytea, text

        init(oid: UInt32) {
            switch oid {
            case 20, 21, 23, 26: self = .integer  // int8, int2, int4, oid
            case 700, 701, 1700: self = .real  // float4, float8, numeric
            case 16: self = .boolean
            case 17: self = .bytea
            default: self = .text
            }
        }

        func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> DatabaseValue {
            switch self {
            case .integer:
                var value: Int64 = 0
                var negative = false
                for (index, byte) in bytes.enumerated() {
                    if index == 0, byte == UInt8(ascii: "-") { negative = true; continue }
                    value = value &* 10 &+ Int64(byte &- 0x30)
                }
                return .integer(negative ? -value : value)
            case .real:
                return Double(String(decoding: bytes, as: UTF8.self)).map(DatabaseValue.real) ?? .text(String(decoding: bytes, as: UTF8.self))
            case .boolean:
                return .integer(bytes.first == UInt8(ascii: "t") ? 1 : 0)
            case .bytea:
                return .blob(Self.unhex(bytes))
            case .text:
                return .text(String(decoding: bytes, as: UTF8.self))
            }
        }

        /// Decodes bytea's hex output format `\x0102…` (the default since PostgreSQL 9.0).
        private static func unhex(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
            guard bytes.count >= 2, bytes[0] == UInt8(ascii: "\\"), bytes[1] == UInt8(ascii: "x") else {
                return Array(bytes)
            }
            func nibble(_ c: UInt8) -> UInt8 {
                switch c {
                case 0x30...0x39: c - 0x30
                case 0x61...0x66: c - 0x61 + 10
                case 0x41...0x46: c - 0x41 + 10
                default: 0
                }
            }
            var out: [UInt8] = []
            out.reserveCapacity((bytes.count - 2) / 2)
            var index = 2
            while index + 1 < bytes.count {
                out.append(nibble(bytes[index]) << 4 | nibble(bytes[index + 1]))
                index += 2
            }
            return out
        }
    }
}
