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
    /// Whether standard error is a terminal: `sync now --wait` draws its progress bar there, and prints
    /// plain progress lines when it is not.
    public var standardErrorIsTerminal: Bool
    /// Standard input, where client commands read a secret that is not in a file or the environment.
    public var standardInput: InputSource

    public init(
        environment: [String: String], standardOutput: TextSink, standardError: TextSink, isTerminal: Bool,
        standardErrorIsTerminal: Bool = false, standardInput: InputSource = .empty
    ) {
        self.environment = environment
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.isTerminal = isTerminal
        self.standardErrorIsTerminal = standardErrorIsTerminal
        self.standardInput = standardInput
    }

    /// The real process: its environment, stdin, stdout and stderr.
    public static var process: CLIContext {
        CLIContext(
            environment: ProcessInfo.processInfo.environment,
            standardOutput: .fileHandle(.standardOutput),
            standardError: .fileHandle(.standardError),
            isTerminal: isatty(STDOUT_FILENO) == 1,
            standardErrorIsTerminal: isatty(STDERR_FILENO) == 1,
            standardInput: .processStandardInput
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
