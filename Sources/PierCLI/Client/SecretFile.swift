import Foundation

/// Reads a secret (an API token) from a file named on the command line.
///
/// The rule matches the database password file of `pier serve`: a regular file readable by group or
/// others is refused, because the secret in it is then no secret. Pipes and devices
/// (`--api-token-file <(pass show okta)`, `/dev/stdin`) are accepted as they are.
enum SecretFile {
    /// The file's content, trimmed of surrounding white space.
    ///
    /// - Parameters:
    ///   - what: The secret, for messages ("Okta API token").
    ///   - origin: Where the path came from (`--api-token-file`, `PIER_TOKEN_FILE`).
    /// - Throws: ``UsageError`` for a missing, unreadable, shared, empty or multi-line file; the message
    ///   names the file, never its content.
    static func read(_ path: String, what: String, origin: String) throws -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw UsageError("cannot read the \(what) file \(path) (\(origin)): \(String(cString: strerror(errno)))")
        }
        if info.st_mode & S_IFMT == S_IFREG {
            let permissions = info.st_mode & 0o777
            guard permissions & 0o077 == 0 else {
                throw UsageError(
                    "the \(what) file \(path) is accessible by other users (mode \(String(permissions, radix: 8))); run: chmod 600 \(path)")
            }
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw UsageError("cannot read the \(what) file \(path) (\(origin)): \(String(cString: strerror(errno)))")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: InputSource.maximumBytes + 1)) ?? Data()
        return try check(String(decoding: data, as: UTF8.self), what: what, origin: "the \(what) file \(path)")
    }

    /// A secret read from anywhere, trimmed; refuses an empty one or one with several lines.
    ///
    /// - Parameter origin: Where it came from, for messages ("standard input", "PIER_OKTA_TOKEN").
    static func check(_ text: String, what: String, origin: String) throws -> String {
        let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else { throw UsageError("\(origin) is empty; it must hold the \(what)") }
        guard !secret.contains(where: \.isNewline), secret.utf8.count <= InputSource.maximumBytes else {
            throw UsageError("\(origin) must hold the \(what) alone, on one line")
        }
        return secret
    }
}
