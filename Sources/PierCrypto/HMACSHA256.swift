public import Foundation
private import COpenSSL

/// HMAC-SHA-256 (RFC 2104).
public enum HMACSHA256 {
    /// The tag size in bytes.
    public static let byteCount = 32

    /// Computes the authentication code of `message` under `key`.
    ///
    /// - Parameters:
    ///   - key: Any length; keys longer than 64 bytes are hashed first, as RFC 2104 says.
    ///   - message: The authenticated bytes.
    /// - Returns: The 32-byte tag.
    public static func authenticationCode(key: some ContiguousBytes, message: some ContiguousBytes) -> Data {
        var tag = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        let result = key.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                OpenSSL.withNonNullBytes(keyBytes) { keyPointer, keyCount in
                    OpenSSL.withNonNullBytes(messageBytes) { messagePointer, messageCount in
                        HMAC(EVP_sha256(), keyPointer, Int32(keyCount), messagePointer, messageCount, &tag, &length)
                    }
                }
            }
        }
        precondition(result != nil && length == UInt32(byteCount), "HMAC-SHA-256 failed: \(OpenSSL.drainErrors())")
        return Data(tag)
    }

    /// Whether `code` is the authentication code of `message` under `key`, compared in constant time.
    public static func isValidAuthenticationCode(
        _ code: some ContiguousBytes,
        key: some ContiguousBytes,
        message: some ContiguousBytes
    ) -> Bool {
        ConstantTime.equals(authenticationCode(key: key, message: message), code)
    }
}
