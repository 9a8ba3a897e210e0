public import Foundation
private import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's DRBG (`RAND_bytes`).
public enum SecureRandom {
    /// Returns `count` random bytes.
    ///
    /// - Parameter count: How many bytes; must not be negative.
    /// - Throws: ``CryptoError/Code/randomUnavailable`` when the generator cannot be seeded.
    public static func bytes(count: Int) throws -> [UInt8] {
        precondition(count >= 0, "SecureRandom.bytes: negative count")
        var output = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return output }
        let status = output.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
        guard status == 1 else { throw OpenSSL.failure("RAND_bytes", code: .randomUnavailable) }
        return output
    }

    /// Returns `count` random bytes as `Data`.
    ///
    /// - Throws: ``CryptoError/Code/randomUnavailable``.
    public static func data(count: Int) throws -> Data {
        Data(try bytes(count: count))
    }

    /// Returns a URL-safe random token: `byteCount` random bytes in unpadded base64url.
    ///
    /// The default 32 bytes (256 bits) is suitable for API tokens, OIDC `state`/`nonce` and PKCE
    /// verifiers (43 characters, within RFC 7636's 43–128).
    ///
    /// - Parameter byteCount: Entropy in bytes; at least 16.
    /// - Throws: ``CryptoError/Code/randomUnavailable``.
    public static func urlSafeToken(byteCount: Int = 32) throws -> String {
        precondition(byteCount >= 16, "SecureRandom.urlSafeToken: fewer than 128 bits of entropy")
        return Base64URL.encode(try bytes(count: byteCount))
    }
}
