import Foundation

/// A 256-bit key for ``AESGCM``.
///
/// The bytes never appear in `description`, `debugDescription` or reflection-based dumps; reach them
/// only through ``withUnsafeBytes(_:)`` (for example to write a new key file).
public struct SymmetricKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The key size in bytes.
    public static let byteCount = 32

    private let bytes: [UInt8]

    /// Wraps existing key material.
    ///
    /// - Parameter bytes: Exactly 32 bytes.
    /// - Throws: ``CryptoError/Code/invalidKey`` for any other length.
    public init(bytes: some Sequence<UInt8>) throws {
        let material = Array(bytes)
        guard material.count == Self.byteCount else {
            throw CryptoError(.invalidKey, "AES-256 key must be \(Self.byteCount) bytes, got \(material.count)")
        }
        self.bytes = material
    }

    /// Generates a fresh random key.
    ///
    /// - Throws: ``CryptoError/Code/randomUnavailable``.
    public static func generate() throws -> SymmetricKey {
        try SymmetricKey(bytes: SecureRandom.bytes(count: byteCount))
    }

    /// Calls `body` with the raw key bytes; do not let them escape.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }

    /// A non-secret fingerprint for detecting a wrong key (hex, 16 characters).
    ///
    /// HMAC-SHA-256 of a fixed label under the key, truncated to 8 bytes: storing it reveals nothing
    /// useful about the key, and a mismatch at startup means the key file does not belong to the
    /// database (DESIGN.md §7).
    public var checkValue: String {
        Hex.encode(HMACSHA256.authenticationCode(key: bytes, message: Data("pier.key-check.v1".utf8)).prefix(8))
    }

    public var description: String { "SymmetricKey(<redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
