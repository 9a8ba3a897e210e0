public import Foundation

/// A structured logger: a message, a level, and dot-separated metadata keys (`request.id`, `db.path`).
///
/// The shape follows swift-log (which cannot be fetched here): a value type in front, a ``LogHandler``
/// behind that the application chooses once. Libraries never construct a handler themselves; they take
/// a `Logger` in their initialiser or from the request context.
///
/// ```swift
/// logger.info("Migration applied", metadata: ["db.migration": id])
/// ```
public struct Logger: Sendable {
    /// Severity, ordered from the most verbose to the most severe.
    public enum Level: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
        case trace, debug, info, notice, warning, error, critical

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        public var description: String {
            switch self {
            case .trace: "trace"
            case .debug: "debug"
            case .info: "info"
            case .notice: "notice"
            case .warning: "warning"
            case .error: "error"
            case .critical: "critical"
            }
        }

        /// Parses a level name as given on the command line (`--log-level debug`).
        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
            self = level
        }
    }

    /// Metadata values are strings: the JSON-lines output writes them verbatim.
    public typealias Metadata = [String: String]

    /// The component that emits the records, e.g. `pier.http` or `pier.sqlite`.
    public var label: String
    /// Records below this level are dropped before their message is built.
    public var logLevel: Level
    /// Metadata attached to every record of this logger (e.g. `request.id`).
    public var metadata: Metadata
    public let handler: any LogHandler

    public init(label: String, level: Level = .info, metadata: Metadata = [:], handler: any LogHandler) {
        self.label = label
        self.logLevel = level
        self.metadata = metadata
        self.handler = handler
    }

    /// A logger that drops everything; for callers that have nothing to report to.
    public static func disabled(label: String = "disabled") -> Logger {
        Logger(label: label, level: .critical, handler: DiscardingLogHandler())
    }

    /// Reads or sets one metadata key.
    public subscript(metadataKey key: String) -> String? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Returns a copy with a different label and the same handler, level and metadata.
    public func withLabel(_ label: String) -> Logger {
        var copy = self
        copy.label = label
        return copy
    }

    /// Emits a record if `level` is at or above ``logLevel``; the message and metadata are built only
    /// then, so a disabled level costs a comparison on hot paths (the access log).
    public func log(_ level: Level, _ message: @autoclosure () -> String, metadata extra: @autoclosure () -> Metadata? = nil) {
        guard level >= logLevel else { return }
        var merged = metadata
        if let extra = extra() { merged.merge(extra) { _, new in new } }
        handler.log(LogRecord(timestamp: Date(), level: level, label: label, message: message(), metadata: merged))
    }

    public func trace(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata? = nil) { log(.trace, message(), metadata: metadata()) }
    public func debug(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata? = nil) { log(.debug, message(), metadata: metadata()) }
    public func info(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata? = nil) { log(.info, message(), metadata: metadata()) }
    public func notice(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata? = nil) { log(.notice, message(), metadata: metadata()) }
    public func warning(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata? = nil) { log(.warning, message(), metadata: metadata()) }
    public func error(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata? = nil) { log(.error, message(), metadata: metadata()) }
    public func critical(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata? = nil) { log(.critical, message(), metadata: metadata()) }
}

/// One emitted log event.
public struct LogRecord: Sendable, Equatable {
    public var timestamp: Date
    public var level: Logger.Level
    public var label: String
    public var message: String
    public var metadata: Logger.Metadata

    public init(timestamp: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) {
        self.timestamp = timestamp
        self.level = level
        self.label = label
        self.message = message
        self.metadata = metadata
    }
}

/// The backend that receives records. Implementations must be safe to call from any thread.
public protocol LogHandler: Sendable {
    /// Writes or stores one record.
    func log(_ record: LogRecord)
}

/// Drops every record.
public struct DiscardingLogHandler: LogHandler {
    public init() {}
    public func log(_ record: LogRecord) {}
}
