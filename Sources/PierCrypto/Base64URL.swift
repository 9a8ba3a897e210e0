public import Foundation

/// Base64url without padding (RFC 4648 §5), as used by JWS, JWK and PKCE.
public enum Base64URL {
    /// Encodes bytes as unpadded base64url.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes base64url text, with or without padding.
    ///
    /// Standard-alphabet characters (`+`, `/`) and whitespace are rejected: a JWS is in one alphabet.
    ///
    /// - Throws: ``CryptoError/Code/invalidFormat`` when the text is not base64url.
    public static func decode(_ text: some StringProtocol) throws -> Data {
        var body = Substring(text)
        while body.hasSuffix("=") { body = body.dropLast() }
        guard body.utf8.allSatisfy({ byte in
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2D || byte == 0x5F
        }) else {
            throw CryptoError(.invalidFormat, "base64url: unexpected character")
        }
        guard body.utf8.count % 4 != 1 else { throw CryptoError(.invalidFormat, "base64url: impossible length") }
        var standard = body.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: standard) else {
            throw CryptoError(.invalidFormat, "base64url: undecodable")
        }
        return data
    }
}
