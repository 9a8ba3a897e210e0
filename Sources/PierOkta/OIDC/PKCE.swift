import Foundation
import PierCrypto

/// Proof Key for Code Exchange (RFC 7636) with the `S256` method, the only one Okta supports.
public enum PKCE {
    /// A fresh `code_verifier`: 32 random bytes, base64url (43 characters of the unreserved set).
    public static func makeVerifier() throws -> String {
        try SecureRandom.urlSafeToken(byteCount: 32)
    }

    /// The `code_challenge` for `verifier`: `BASE64URL(SHA256(ASCII(verifier)))`.
    public static func challengeS256(verifier: String) -> String {
        Base64URL.encode(SHA256.hash(Data(verifier.utf8)))
    }
}
