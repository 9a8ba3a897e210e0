public import Foundation
import Synchronization

/// Where a command writes: results to `standardOutput`, diagnostics to `standardError`. Tests pass
/// capturing sinks; the executable passes the process's own streams.
public struct CLIContext: Sendable {
    public var environment: [String: String]
    public var standardOutput: TextSink
    public var standardError: TextSink
    /// Whether standard output is a terminal (progress bars, colour); false in tests and pipes.
    public var isTerminal: Bool

    public init(environment: [String: String], standardOutput: TextSink, standardError: TextSink, isTerminal: Bool) {
        self.environment = environment
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.isTerminal = isTerminal
    }

    /// The real process: its environment, stdout and stderr.
    public static var process: CLIContext {
        CLIContext(
            environment: ProcessInfo.processInfo.environment,
            standardOutput: .fileHandle(.standardOutput),
            standardError: .fileHandle(.standardError),
            isTerminal: isatty(STDOUT_FILENO) == 1
        )
    }

    func print(_ line: String) { standardOutput.write(line + "\n") }
    func printError(_ line: String) { standardError.write(line + "\n") }
}

/// A destination for text.
public struct TextSink: Sendable {
    private let writeText: @Sendable (String) -> Void

    public init(_ write: @escaping @Sendable (String) -> Void) { self.writeText = write }

    public func write(_ text: String) { writeText(text) }

    public static func fileHandle(_ handle: FileHandle) -> TextSink {
        TextSink { handle.write(Data($0.utf8)) }
    }

    /// A sink that keeps what it receives; read it with `contents`.
    public final class Capture: Sendable {
        private let text = Mutex("")
        public init() {}
        public var contents: String { text.withLock { $0 } }
        public var sink: TextSink { TextSink { piece in self.text.withLock { $0 += piece } } }
    }
}
