public import Foundation
private import COpenSSL

/// SHA-256 (FIPS 180-4) through OpenSSL's EVP interface.
public enum SHA256 {
    /// The digest size in bytes.
    public static let byteCount = 32

    /// Hashes `data`.
    ///
    /// - Returns: The 32-byte digest.
    public static func hash(_ data: some ContiguousBytes) -> Data {
        var digest = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        let status = data.withUnsafeBytes { input in
            OpenSSL.withNonNullBytes(input) { pointer, count in
                EVP_Digest(pointer, count, &digest, &length, EVP_sha256(), nil)
            }
        }
        // EVP_Digest over a built-in digest fails only when the library is broken (out of memory).
        precondition(status == 1 && length == UInt32(byteCount), "EVP_Digest(SHA-256) failed: \(OpenSSL.drainErrors())")
        return Data(digest)
    }

    /// Hashes `data` and returns the digest as lowercase hex (64 characters).
    public static func hexHash(_ data: some ContiguousBytes) -> String {
        Hex.encode(hash(data))
    }
}
