public import Foundation

/// The `pier` executable built next to the test bundle, for tests that run it as a process.
public enum PierBinary {
    /// `.build/<config>/pier`; `swift build --build-tests` builds it beside the test bundle.
    public static var url: URL {
        get throws {
            var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            // The Swift Testing runner may be started from inside the .xctest bundle.
            if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
            for candidate in [directory, directory.deletingLastPathComponent()] {
                let binary = candidate.appendingPathComponent("pier")
                if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
            }
            throw MissingBinary(searched: directory.path)
        }
    }

    public struct MissingBinary: Error, CustomStringConvertible {
        var searched: String
        public var description: String { "pier executable not found near \(searched); run `swift build --build-tests` first" }
    }

    /// The result of a finished process.
    public struct Outcome: Sendable {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
    }

    /// Starts `pier` with `arguments` and `environment` (added to a minimal one).
    ///
    /// - Parameter standardInput: Bytes the process reads on stdin, then end of file; nil for `/dev/null`.
    public static func start(
        _ arguments: [String], environment: [String: String] = [:], standardInput: Data? = nil
    ) throws -> (process: Process, stdout: Pipe, stderr: Pipe) {
        let process = Process()
        process.executableURL = try url
        process.arguments = arguments
        var base = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        base.merge(environment) { _, new in new }
        process.environment = base
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        let input = standardInput.map { _ in Pipe() }
        process.standardInput = input ?? FileHandle.nullDevice
        try process.run()
        if let input, let standardInput {
            // Small inputs (a token) fit the pipe's buffer, so writing before the child reads cannot block.
            input.fileHandleForWriting.write(standardInput)
            try input.fileHandleForWriting.close()
        }
        return (process, stdout, stderr)
    }

    /// Runs `pier` to completion (off the cooperative pool) and collects its output.
    public static func run(_ arguments: [String], environment: [String: String] = [:], standardInput: Data? = nil) async throws -> Outcome {
        let (process, stdout, stderr) = try start(arguments, environment: environment, standardInput: standardInput)
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let out = stdout.fileHandleForReading.readDataToEndOfFile()
                let err = stderr.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: Outcome(
                    status: process.terminationStatus,
                    standardOutput: String(decoding: out, as: UTF8.self),
                    standardError: String(decoding: err, as: UTF8.self)))
            }
        }
    }
}
