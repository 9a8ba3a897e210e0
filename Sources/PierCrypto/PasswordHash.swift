import Foundation
private import COpenSSL

/// Password hashing with scrypt (RFC 7914), stored as a self-describing string.
///
/// Format: `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>`, salt and hash in unpadded standard
/// base64 (the PHC string format). Parameters travel with each hash, so raising the cost later keeps
/// old hashes verifiable; ``needsRehash(_:)`` says when to upgrade one after a successful sign-in.
///
/// The password is hashed as its UTF-8 bytes, without Unicode normalization.
///
/// ```swift
/// let hasher = PasswordHash()                       // N = 2^15, r = 8, p = 1
/// let stored = try hasher.hash("correct horse")
/// hasher.verify("correct horse", against: stored)    // true
/// ```
public struct PasswordHash: Sendable {
    /// scrypt cost parameters.
    public struct Parameters: Sendable, Hashable {
        /// log2 of the CPU/memory cost N.
        public var logN: Int
        /// Block size.
        public var r: Int
        /// Parallelism.
        public var p: Int
        /// Salt size in bytes.
        public var saltByteCount: Int
        /// Derived hash size in bytes.
        public var hashByteCount: Int

        /// Creates parameters; see ``validate()`` for the accepted ranges.
        public init(logN: Int, r: Int, p: Int, saltByteCount: Int = 16, hashByteCount: Int = 32) {
            self.logN = logN
            self.r = r
            self.p = p
            self.saltByteCount = saltByteCount
            self.hashByteCount = hashByteCount
        }

        /// N = 2^15, r = 8, p = 1 (32 MiB, the interactive-login figure from RFC 7914 §2), 16-byte salt,
        /// 32-byte hash.
        public static let `default` = Parameters(logN: 15, r: 8, p: 1)

        /// Memory scrypt needs, in bytes (128·r·N for V plus 128·r·p for B).
        var memoryByteCount: Int { 128 * r * ((1 << logN) + p) + 128 * r * 2 }

        /// Checks the ranges: 1 ≤ logN ≤ 22, 1 ≤ r ≤ 32, 1 ≤ p ≤ 16, salt 8–64 bytes, hash 16–64 bytes,
        /// at most 1 GiB of memory. The bounds also stop a forged stored hash from exhausting memory.
        ///
        /// - Throws: ``CryptoError/Code/invalidParameters``.
        public func validate() throws {
            guard (1...22).contains(logN), (1...32).contains(r), (1...16).contains(p),
                (8...64).contains(saltByteCount), (16...64).contains(hashByteCount),
                memoryByteCount <= 1 << 30
            else {
                throw CryptoError(.invalidParameters, "scrypt parameters out of range (ln=\(logN), r=\(r), p=\(p))")
            }
        }
    }

    /// The parameters new hashes use.
    public let parameters: Parameters

    /// Creates a hasher.
    ///
    /// - Parameter parameters: Cost for new hashes; tests pass a small `logN`.
    public init(parameters: Parameters = .default) {
        self.parameters = parameters
    }

    /// Hashes `password` with a fresh random salt.
    ///
    /// - Returns: The encoded string to store.
    /// - Throws: ``CryptoError/Code/invalidParameters``, ``CryptoError/Code/randomUnavailable`` or
    ///   ``CryptoError/Code/libraryFailure``.
    public func hash(_ password: String) throws -> String {
        try parameters.validate()
        let salt = try SecureRandom.bytes(count: parameters.saltByteCount)
        let derived = try Self.derive(password: Array(password.utf8), salt: salt, parameters: parameters)
        return Self.encode(parameters: parameters, salt: salt, hash: derived)
    }

    /// Whether `password` matches `encoded`.
    ///
    /// Uses the parameters stored in `encoded`, and compares in constant time. Malformed or
    /// out-of-range strings return `false`.
    public func verify(_ password: String, against encoded: String) -> Bool {
        guard let stored = try? Self.decode(encoded),
            let derived = try? Self.derive(password: Array(password.utf8), salt: stored.salt, parameters: stored.parameters)
        else { return false }
        return ConstantTime.equals(derived, stored.hash)
    }

    /// Whether `encoded` was made with parameters other than ``parameters`` (or is unreadable).
    public func needsRehash(_ encoded: String) -> Bool {
        guard let stored = try? Self.decode(encoded) else { return true }
        return stored.parameters != parameters
    }

    // MARK: - Encoding

    static func encode(parameters: Parameters, salt: [UInt8], hash: [UInt8]) -> String {
        "$scrypt$ln=\(parameters.logN),r=\(parameters.r),p=\(parameters.p)$\(base64(salt))$\(base64(hash))"
    }

    /// Parses an encoded hash.
    ///
    /// - Throws: ``CryptoError/Code/invalidFormat``, ``CryptoError/Code/unsupportedVersion`` or
    ///   ``CryptoError/Code/invalidParameters``.
    package static func decode(_ encoded: String) throws -> (parameters: Parameters, salt: [UInt8], hash: [UInt8]) {
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0].isEmpty else { throw CryptoError(.invalidFormat, "password hash: bad shape") }
        guard fields[1] == "scrypt" else { throw CryptoError(.unsupportedVersion, "password hash: unknown scheme") }
        var values: [String: Int] = [:]
        for pair in fields[2].split(separator: ",", omittingEmptySubsequences: false) {
            let parts = pair.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, let value = Int(parts[1]), value >= 0, values[String(parts[0])] == nil else {
                throw CryptoError(.invalidFormat, "password hash: bad parameter")
            }
            values[String(parts[0])] = value
        }
        guard values.count == 3, let logN = values["ln"], let r = values["r"], let p = values["p"] else {
            throw CryptoError(.invalidFormat, "password hash: expected ln, r, p")
        }
        let salt = try unbase64(fields[3])
        let hash = try unbase64(fields[4])
        let parameters = Parameters(logN: logN, r: r, p: p, saltByteCount: salt.count, hashByteCount: hash.count)
        try parameters.validate()
        return (parameters, salt, hash)
    }

    /// Runs scrypt. Exposed to the package for test vectors.
    package static func derive(password: [UInt8], salt: [UInt8], parameters: Parameters) throws -> [UInt8] {
        try parameters.validate()
        var output = [UInt8](repeating: 0, count: parameters.hashByteCount)
        // OpenSSL's default maxmem (32 MiB) is just under what N = 2^15, r = 8 needs; pass our own bound.
        let maxMemory = UInt64(parameters.memoryByteCount + (1 << 20))
        let status = password.withUnsafeBytes { passwordBytes in
            salt.withUnsafeBytes { saltBytes in
                OpenSSL.withNonNullBytes(passwordBytes) { passwordPointer, passwordCount in
                    OpenSSL.withNonNullBytes(saltBytes) { saltPointer, saltCount in
                        passwordPointer.withMemoryRebound(to: CChar.self, capacity: max(passwordCount, 1)) { passwordChars in
                            EVP_PBE_scrypt(
                                passwordChars, passwordCount, saltPointer, saltCount,
                                UInt64(1) << UInt64(parameters.logN), UInt64(parameters.r), UInt64(parameters.p),
                                maxMemory, &output, output.count)
                        }
                    }
                }
            }
        }
        guard status == 1 else { throw OpenSSL.failure("EVP_PBE_scrypt") }
        return output
    }

    private static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    private static func unbase64(_ text: Substring) throws -> [UInt8] {
        guard !text.contains("=") else { throw CryptoError(.invalidFormat, "password hash: padded base64") }
        let padded = String(text) + String(repeating: "=", count: (4 - text.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: padded) else { throw CryptoError(.invalidFormat, "password hash: bad base64") }
        return [UInt8](data)
    }
}
