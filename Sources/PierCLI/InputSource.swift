import Foundation

/// Where a command reads standard input from: the process's own stdin, or fixed text in tests.
///
/// Client commands read secrets here (the Okta API token of `pier domains add`) because a secret given
/// as an argument shows in `ps` and in shell history (DESIGN.md §5).
public struct InputSource: Sendable {
    /// Whether a person types the input: a secret is then prompted for, with echo off.
    public let isTerminal: Bool
    private let readBlocking: @Sendable (_ prompt: String) -> String?

    /// - Parameters:
    ///   - isTerminal: Whether the input is a terminal.
    ///   - read: Returns the input (for a terminal, one line typed after `prompt`), or nil when there is
    ///     none. It may block; callers run it off the cooperative pool.
    public init(isTerminal: Bool, read: @escaping @Sendable (_ prompt: String) -> String?) {
        self.isTerminal = isTerminal
        self.readBlocking = read
    }

    /// No input at all (`/dev/null`).
    public static let empty = InputSource(isTerminal: false) { _ in nil }

    /// Piped text.
    public static func text(_ text: String) -> InputSource {
        InputSource(isTerminal: false) { _ in text }
    }

    /// The process's standard input: all of it when piped, one line typed without echo on a terminal.
    public static var processStandardInput: InputSource {
        let isTerminal = isatty(STDIN_FILENO) == 1
        return InputSource(isTerminal: isTerminal) { prompt in
            isTerminal ? Self.readLineWithoutEcho(prompt: prompt) : Self.readToEnd()
        }
    }

    /// Reads the input on a thread of its own: reading stdin blocks, which the cooperative pool must not.
    func read(prompt: String) async -> String? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: readBlocking(prompt)) }
        }
    }

    /// The largest secret read from a pipe; anything longer is not a token.
    static let maximumBytes = 64 * 1024

    private static func readToEnd() -> String? {
        var data = Data()
        while data.count <= maximumBytes {
            guard let chunk = try? FileHandle.standardInput.read(upToCount: 4096), !chunk.isEmpty else { break }
            data.append(chunk)
        }
        return data.isEmpty ? nil : String(decoding: data, as: UTF8.self)
    }

    /// Prompts on standard error and reads one line with the terminal's echo turned off, so the secret
    /// is neither shown nor left in the scrollback.
    ///
    /// Ctrl-C while the prompt waits must not leave the terminal without echo: a SIGINT handler puts the
    /// saved settings back and exits 130, as the shell expects of a command killed by SIGINT.
    private static func readLineWithoutEcho(prompt: String) -> String? {
        FileHandle.standardError.write(Data(prompt.utf8))
        let canSilence = tcgetattr(STDIN_FILENO, terminalBeforePrompt) == 0
        var previousHandler: sighandler_t?
        if canSilence {
            var silent = terminalBeforePrompt.pointee
            silent.c_lflag &= ~tcflag_t(ECHO)
            previousHandler = signal(SIGINT) { _ in
                // Only async-signal-safe calls here (POSIX lists tcsetattr and _exit).
                _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, terminalBeforePrompt)
                _exit(130)
            }
            _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        }
        let line = readLine(strippingNewline: true)
        if canSilence {
            _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, terminalBeforePrompt)
            signal(SIGINT, previousHandler)
        }
        FileHandle.standardError.write(Data("\n".utf8))
        return line
    }
}

/// The terminal settings before a secret prompt, where the SIGINT handler of
/// ``InputSource/readLineWithoutEcho(prompt:)`` can reach them: a C signal handler captures nothing.
// Review: nonisolated(unsafe) because a signal handler cannot take a lock; the one prompt of a CLI
// process writes it (tcgetattr) before installing the handler and only reads it afterwards.
private nonisolated(unsafe) let terminalBeforePrompt: UnsafeMutablePointer<termios> = .allocate(capacity: 1)
