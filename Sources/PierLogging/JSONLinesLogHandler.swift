public import Foundation
import Synchronization

/// Writes each record as one JSON object per line (`ts`, `level`, `label`, `msg`, then metadata keys).
///
/// JSON lines are what log shippers (Vector, Fluent Bit, `jq`) read without configuration. Writes are
/// serialised by a mutex so lines from concurrent requests never interleave.
public final class JSONLinesLogHandler: LogHandler {
    private let output: Mutex<FileHandle>

    /// - Parameter output: where lines go; standard error by default, so standard output stays free for
    ///   a command's results.
    public init(output: FileHandle = .standardError) {
        self.output = Mutex(output)
    }

    public func log(_ record: LogRecord) {
        let line = Self.encode(record)
        output.withLock { $0.write(line) }
    }

    /// Encodes one record; keys are sorted after the fixed leading ones so output is stable for tests.
    public static func encode(_ record: LogRecord) -> Data {
        var line = "{\"ts\":\"\(timestampFormat.format(record.timestamp))\""
        line += ",\"level\":\"\(record.level)\",\"label\":\(quoted(record.label)),\"msg\":\(quoted(record.message))"
        for key in record.metadata.keys.sorted() {
            line += ",\(quoted(key)):\(quoted(record.metadata[key]!))"
        }
        line += "}\n"
        return Data(line.utf8)
    }

    private static let timestampFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// JSON string literal with RFC 8259 escaping.
    static func quoted(_ value: String) -> String {
        var out = "\""
        out.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
