import Foundation
public import PierCrypto
public import PierStorage

/// Loads the key that encrypts secrets at rest and proves it belongs to the database (DESIGN.md §7).
///
/// The database keeps the key's check value (a truncated HMAC of a fixed label, which reveals nothing
/// about the key) and its key id (the first 8 characters of the check value). A new key is generated
/// only when the database has none recorded and holds no encrypted data; any other mismatch refuses to
/// start, because continuing would make every stored secret unreadable.
public struct EncryptionKeyLoader: Sendable {
    let settings: any SettingsStore
    /// Whether the database holds no encrypted secret yet (no Okta domain stored).
    let databaseHasSecrets: @Sendable () async throws -> Bool

    public init(settings: any SettingsStore, databaseHasSecrets: @escaping @Sendable () async throws -> Bool) {
        self.settings = settings
        self.databaseHasSecrets = databaseHasSecrets
    }

    /// The outcome of loading, for the start-up log line (never the key itself).
    public struct Loaded: Sendable {
        public var key: SymmetricKey
        public var keyID: String
        /// True when this start generated the key (and wrote the key file).
        public var generated: Bool
    }

    /// Reads (or, for an empty database, creates) the key and checks it against the database.
    ///
    /// - Throws: ``KeyError`` with a message that tells the operator what to do.
    public func load(from source: KeySource) async throws -> Loaded {
        let storedCheckValue = try await settings.setting(.keyCheckValue)
        var generated = false
        let key: SymmetricKey
        switch source {
        case .inline(let base64):
            key = try Self.decodeKey(base64, origin: "PIER_KEY")
        case .file(let path):
            if FileManager.default.fileExists(atPath: path) {
                key = try Self.readKeyFile(at: path)
            } else {
                if let storedCheckValue {
                    throw KeyError(
                        "key file \(path) does not exist, but this database's secrets are encrypted with key id "
                            + "\(Self.keyID(fromCheckValue: storedCheckValue)); restore that key file from your backup "
                            + "(or point --key-file at it)")
                }
                guard try await !databaseHasSecrets() else {
                    throw KeyError(
                        "key file \(path) does not exist and the database already holds encrypted secrets; "
                            + "restore the key file from your backup")
                }
                key = try SymmetricKey.generate()
                try Self.writeNewKeyFile(key, to: path)
                generated = true
            }
        }

        let checkValue = key.checkValue
        if let storedCheckValue {
            guard storedCheckValue == checkValue else {
                throw KeyError(
                    "the encryption key (key id \(Self.keyID(fromCheckValue: checkValue))) is not the key this "
                        + "database was encrypted with (key id \(Self.keyID(fromCheckValue: storedCheckValue))); "
                        + "start Pier with the database's own key file")
            }
        } else {
            guard try await !databaseHasSecrets() else {
                throw KeyError(
                    "the database holds encrypted secrets but no key check value; it cannot be verified that this key "
                        + "decrypts them. Restore the database from a backup taken with its key")
            }
            // Two instances starting together on one database: the first check value wins, and the
            // loser refuses to start rather than encrypt with a different key.
            let winner = try await settings.insertSettingIfAbsent(.keyCheckValue, value: checkValue)
            guard winner == checkValue else {
                throw KeyError("another Pier instance initialised this database with a different key (key id "
                    + "\(Self.keyID(fromCheckValue: winner))); start every instance with the same key")
            }
            _ = try await settings.insertSettingIfAbsent(.keyID, value: Self.keyID(fromCheckValue: checkValue))
        }
        return Loaded(key: key, keyID: Self.keyID(fromCheckValue: checkValue), generated: generated)
    }

    static func keyID(fromCheckValue checkValue: String) -> String {
        String(checkValue.prefix(8))
    }

    static func decodeKey(_ text: String, origin: String) throws -> SymmetricKey {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        // The content is never echoed: a near-miss key is still a secret.
        guard let bytes = Data(base64Encoded: trimmed), bytes.count == SymmetricKey.byteCount else {
            throw KeyError("\(origin) does not hold a key: expected the base64 encoding of 32 random bytes "
                + "(for example the output of `openssl rand -base64 32`)")
        }
        return try SymmetricKey(bytes: bytes)
    }

    static func readKeyFile(at path: String) throws -> SymmetricKey {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw KeyError("cannot read key file \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw KeyError("key file \(path) is not a regular file")
        }
        let permissions = info.st_mode & 0o777
        guard permissions & 0o077 == 0 else {
            throw KeyError("key file \(path) is readable by other users (mode \(String(permissions, radix: 8))); "
                + "run: chmod 600 \(path)")
        }
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw KeyError("cannot read key file \(path): permission denied")
        }
        return try decodeKey(String(decoding: contents, as: UTF8.self), origin: "key file \(path)")
    }

    /// Creates the file exclusively with mode 0600, so an existing file is never overwritten and the
    /// key is never readable by others, not even for an instant.
    static func writeNewKeyFile(_ key: SymmetricKey, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw KeyError("cannot create key file \(path): \(String(cString: strerror(errno))) "
                + "(check that the directory exists and is writable)")
        }
        defer { close(descriptor) }
        let line = key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
        let written = line.utf8CString.withUnsafeBufferPointer { buffer in
            write(descriptor, buffer.baseAddress, buffer.count - 1)
        }
        guard written == line.utf8.count, fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw KeyError("cannot write key file \(path): \(reason)")
        }
    }
}

/// The key cannot be used with this database; the message says what to do.
public struct KeyError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
