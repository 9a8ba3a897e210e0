import Synchronization

/// Keeps records in memory so tests can assert on levels and metadata rather than formatted text.
public final class InMemoryLogHandler: LogHandler {
    private let stored = Mutex<[LogRecord]>([])

    public init() {}

    public func log(_ record: LogRecord) {
        stored.withLock { $0.append(record) }
    }

    /// Every record received so far, oldest first.
    public var records: [LogRecord] { stored.withLock { $0 } }

    /// Every record encoded as the JSON-lines handler would write it, for tests that search the whole
    /// log for a secret.
    public var renderedText: String {
        records.map { String(decoding: JSONLinesLogHandler.encode($0), as: UTF8.self) }.joined()
    }
}
