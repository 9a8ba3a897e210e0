public import Foundation
private import COpenSSL

/// Comparisons whose running time does not depend on where the inputs differ.
public enum ConstantTime {
    /// Whether two byte strings are equal, compared with `CRYPTO_memcmp`.
    ///
    /// The lengths are not secret: different lengths return `false` immediately. Use this for MACs,
    /// token hashes and password hashes, never `==`.
    ///
    /// - Returns: `true` when both inputs have the same length and bytes.
    public static func equals(_ lhs: some ContiguousBytes, _ rhs: some ContiguousBytes) -> Bool {
        lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in
                guard left.count == right.count else { return false }
                guard left.count > 0 else { return true }
                return CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0
            }
        }
    }
}
