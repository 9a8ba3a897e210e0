public import Foundation
private import COpenSSL

/// An RSA public key built from a JWK (RFC 7517/7518), for verifying RS256 signatures (ID tokens).
///
/// ```swift
/// let key = try RSAPublicKey(jwkModulus: jwk.n, exponent: jwk.e)
/// guard key.verifyRS256(signature: signature, message: Data(signingInput.utf8)) else { … }
/// ```
public struct RSAPublicKey: Sendable {
    /// The smallest accepted modulus: 2048 bits (NIST SP 800-131A).
    public static let minimumModulusBitCount = 2048

    private let storage: PublicKeyStorage

    /// The JWK `kid`, when built from a JWK object that has one.
    public let keyID: String?

    /// The modulus size in bits.
    public var modulusBitCount: Int { storage.bitCount }

    /// Builds a key from a JWK's base64url `n` and `e`.
    ///
    /// - Parameters:
    ///   - modulus: Base64url big-endian modulus (`n`).
    ///   - exponent: Base64url big-endian public exponent (`e`), usually `AQAB`.
    ///   - keyID: The JWK `kid`, kept for key selection.
    /// - Throws: ``CryptoError/Code/invalidFormat`` for bad base64url, ``CryptoError/Code/invalidKey``
    ///   for a modulus under 2048 bits, an even or tiny exponent, or a key OpenSSL rejects.
    public init(jwkModulus modulus: String, exponent: String, keyID: String? = nil) throws {
        let n = try Base64URL.decode(modulus)
        let e = try Base64URL.decode(exponent)
        self.storage = try PublicKeyStorage(modulus: [UInt8](n), exponent: [UInt8](e))
        self.keyID = keyID
    }

    /// Builds a key from one JWK object (JSON), checking `kty` is `RSA` and, when present, that `alg`
    /// is `RS256` and `use` is `sig`.
    ///
    /// - Parameter json: The JSON text of one key (an element of a JWKS `keys` array).
    /// - Throws: ``CryptoError/Code/invalidFormat`` or ``CryptoError/Code/invalidKey``.
    public init(jwkJSON json: Data) throws {
        guard let object = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] else {
            throw CryptoError(.invalidFormat, "JWK: not a JSON object")
        }
        guard object["kty"] as? String == "RSA" else { throw CryptoError(.invalidKey, "JWK: kty is not RSA") }
        if let alg = object["alg"], alg as? String != "RS256" { throw CryptoError(.invalidKey, "JWK: alg is not RS256") }
        if let use = object["use"], use as? String != "sig" { throw CryptoError(.invalidKey, "JWK: use is not sig") }
        guard let n = object["n"] as? String, let e = object["e"] as? String else {
            throw CryptoError(.invalidFormat, "JWK: missing n or e")
        }
        try self.init(jwkModulus: n, exponent: e, keyID: object["kid"] as? String)
    }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature (JWS `RS256`) of `message`.
    ///
    /// - Parameters:
    ///   - signature: The raw signature (base64url-decoded from the JWS).
    ///   - message: The signed bytes (for a JWS, the ASCII `header.payload`).
    /// - Returns: `false` for any invalid, truncated or foreign signature; never throws.
    public func verifyRS256(signature: some ContiguousBytes, message: some ContiguousBytes) -> Bool {
        storage.verifySHA256(signature: signature, message: message)
    }
}

/// Owns one `EVP_PKEY`. Immutable after `init`; OpenSSL 3 allows concurrent verification with one
/// key from many threads (each verification uses its own `EVP_MD_CTX`), hence `@unchecked Sendable`.
private final class PublicKeyStorage: @unchecked Sendable {
    let key: OpaquePointer
    let bitCount: Int

    init(modulus: [UInt8], exponent: [UInt8]) throws {
        // Leading zero bytes are legal in some encoders; strip them before measuring.
        let n = Array(modulus.drop { $0 == 0 })
        let e = Array(exponent.drop { $0 == 0 })
        let bits = n.isEmpty ? 0 : n.count * 8 - n[0].leadingZeroBitCount
        guard bits >= RSAPublicKey.minimumModulusBitCount else {
            throw CryptoError(.invalidKey, "RSA modulus of \(bits) bits is under \(RSAPublicKey.minimumModulusBitCount)")
        }
        guard !e.isEmpty, e.count <= 8, e.last! & 1 == 1, !(e.count == 1 && e[0] < 3) else {
            throw CryptoError(.invalidKey, "RSA exponent is not a small odd integer ≥ 3")
        }

        guard let bnN = BN_bin2bn(n, Int32(n.count), nil) else { throw OpenSSL.failure("BN_bin2bn(n)", code: .invalidKey) }
        defer { BN_free(bnN) }
        guard let bnE = BN_bin2bn(e, Int32(e.count), nil) else { throw OpenSSL.failure("BN_bin2bn(e)", code: .invalidKey) }
        defer { BN_free(bnE) }

        guard let builder = OSSL_PARAM_BLD_new() else { throw OpenSSL.failure("OSSL_PARAM_BLD_new") }
        defer { OSSL_PARAM_BLD_free(builder) }
        // Static C strings from shim.h: the builder stores the name pointer, not a copy.
        guard OSSL_PARAM_BLD_push_BN(builder, pier_ossl_pkey_param_rsa_n(), bnN) == 1,
            OSSL_PARAM_BLD_push_BN(builder, pier_ossl_pkey_param_rsa_e(), bnE) == 1,
            let params = OSSL_PARAM_BLD_to_param(builder)
        else { throw OpenSSL.failure("OSSL_PARAM_BLD", code: .invalidKey) }
        defer { OSSL_PARAM_free(params) }

        guard let context = EVP_PKEY_CTX_new_from_name(nil, pier_ossl_key_type_rsa(), nil) else {
            throw OpenSSL.failure("EVP_PKEY_CTX_new_from_name(RSA)")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_fromdata_init(context) == 1,
            EVP_PKEY_fromdata(context, &key, pier_evp_pkey_public_key_selection(), params) == 1,
            let key
        else { throw OpenSSL.failure("EVP_PKEY_fromdata", code: .invalidKey) }
        self.key = key
        self.bitCount = Int(EVP_PKEY_get_bits(key))
    }

    deinit { EVP_PKEY_free(key) }

    func verifySHA256(signature: some ContiguousBytes, message: some ContiguousBytes) -> Bool {
        guard let context = EVP_MD_CTX_new() else {
            _ = OpenSSL.drainErrors()
            return false
        }
        defer { EVP_MD_CTX_free(context) }
        // RSA's default padding for EVP_DigestVerify is PKCS#1 v1.5, which is what RS256 means.
        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, key) == 1 else {
            _ = OpenSSL.drainErrors()
            return false
        }
        let status = signature.withUnsafeBytes { signatureBytes in
            message.withUnsafeBytes { messageBytes in
                OpenSSL.withNonNullBytes(signatureBytes) { signaturePointer, signatureCount in
                    OpenSSL.withNonNullBytes(messageBytes) { messagePointer, messageCount in
                        EVP_DigestVerify(context, signaturePointer, signatureCount, messagePointer, messageCount)
                    }
                }
            }
        }
        guard status == 1 else {
            _ = OpenSSL.drainErrors()
            return false
        }
        return true
    }
}
