public import Foundation
private import COpenSSL

/// An RSA private key for signing RS256 JWS (the Okta simulator's ID tokens, test providers).
///
/// ```swift
/// let key = try RSAPrivateKey.generate()
/// let signature = try key.signRS256(Data(signingInput.utf8))
/// let jwk = try key.publicJWK(keyID: "k1")          // publish in a JWKS
/// let pem = try key.pemPKCS8()                       // persist; reload with RSAPrivateKey(pem:)
/// ```
///
/// `description`, `debugDescription` and reflection never show key material.
public struct RSAPrivateKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let storage: PrivateKeyStorage

    /// The modulus size in bits.
    public var modulusBitCount: Int { storage.bitCount }

    private init(storage: PrivateKeyStorage) {
        self.storage = storage
    }

    /// Generates a fresh key with public exponent 65537.
    ///
    /// - Parameter bits: Modulus size; at least ``RSAPublicKey/minimumModulusBitCount`` (2048), at most 8192.
    /// - Throws: ``CryptoError/Code/invalidParameters`` for an out-of-range size,
    ///   ``CryptoError/Code/libraryFailure`` when OpenSSL fails.
    public static func generate(bits: Int = 2048) throws -> RSAPrivateKey {
        guard (RSAPublicKey.minimumModulusBitCount...8192).contains(bits) else {
            throw CryptoError(.invalidParameters, "RSA key size \(bits) is outside 2048...8192")
        }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, pier_ossl_key_type_rsa(), nil) else {
            throw OpenSSL.failure("EVP_PKEY_CTX_new_from_name(RSA)")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1,
            EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(bits)) == 1,
            EVP_PKEY_generate(context, &key) == 1,
            let key
        else { throw OpenSSL.failure("EVP_PKEY_generate(RSA)") }
        return RSAPrivateKey(storage: PrivateKeyStorage(owning: key))
    }

    /// Loads a PEM private key: PKCS#8 (`BEGIN PRIVATE KEY`, what ``pemPKCS8()`` writes) or PKCS#1
    /// (`BEGIN RSA PRIVATE KEY`). Encrypted PEM is refused (no passphrase prompt is ever shown).
    ///
    /// - Throws: ``CryptoError/Code/invalidFormat`` when no key can be read, ``CryptoError/Code/invalidKey``
    ///   for a non-RSA key or a modulus under 2048 bits.
    public init(pem: String) throws {
        let bytes = Array(pem.utf8)
        guard !bytes.isEmpty, let bio = BIO_new_mem_buf(bytes, Int32(bytes.count)) else {
            throw CryptoError(.invalidFormat, "empty PEM")
        }
        defer { BIO_free(bio) }
        // A callback that supplies no passphrase: with a NULL callback OpenSSL would prompt on the terminal.
        let noPassphrase: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = {
            _, _, _, _ in 0
        }
        guard let key = PEM_read_bio_PrivateKey(bio, nil, noPassphrase, nil) else {
            throw OpenSSL.failure("PEM_read_bio_PrivateKey", code: .invalidFormat)
        }
        guard EVP_PKEY_is_a(key, pier_ossl_key_type_rsa()) == 1 else {
            EVP_PKEY_free(key)
            throw CryptoError(.invalidKey, "PEM key is not an RSA key")
        }
        let storage = PrivateKeyStorage(owning: key)
        guard storage.bitCount >= RSAPublicKey.minimumModulusBitCount else {
            throw CryptoError(.invalidKey, "RSA modulus of \(storage.bitCount) bits is under \(RSAPublicKey.minimumModulusBitCount)")
        }
        self.storage = storage
    }

    /// The key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). This is secret material:
    /// store it as such (the simulator's key file), never log it.
    public func pemPKCS8() throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw OpenSSL.failure("BIO_new") }
        defer { BIO_free(bio) }
        // In OpenSSL 3, PEM_write_bio_PrivateKey writes PKCS#8 ("PRIVATE KEY").
        guard PEM_write_bio_PrivateKey(bio, storage.key, nil, nil, 0, nil, nil) == 1 else {
            throw OpenSSL.failure("PEM_write_bio_PrivateKey")
        }
        var pointer: UnsafeMutablePointer<CChar>?
        let count = pier_bio_get_mem_data(bio, &pointer)
        guard count > 0, let pointer else { throw OpenSSL.failure("BIO_get_mem_data") }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: count) {
            String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
        }
    }

    /// Signs `message` with RSASSA-PKCS1-v1_5 over SHA-256 (JWS `RS256`). Deterministic: the same key and
    /// message always give the same signature.
    ///
    /// - Returns: The raw signature, ``modulusBitCount`` / 8 bytes (base64url-encode it for a JWS).
    public func signRS256(_ message: some ContiguousBytes) throws -> Data {
        try storage.signSHA256(message)
    }

    /// The matching public key.
    public var publicKey: RSAPublicKey {
        get throws {
            let (n, e) = try storage.publicComponents()
            return try RSAPublicKey(jwkModulus: Base64URL.encode(n), exponent: Base64URL.encode(e))
        }
    }

    /// The public half as a JWK (RFC 7517): `kty` RSA, `alg` RS256, `use` sig, base64url `n` and `e`.
    ///
    /// - Parameter keyID: The `kid` to publish.
    public func publicJWK(keyID: String) throws -> RSAPublicJWK {
        let (n, e) = try storage.publicComponents()
        return RSAPublicJWK(kid: keyID, n: Base64URL.encode(n), e: Base64URL.encode(e))
    }

    public var description: String { "RSAPrivateKey(\(modulusBitCount) bits, <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["modulusBitCount": modulusBitCount], displayStyle: .struct) }
}

/// The public half of an RSA signing key in JWK form, as published in a JWKS `keys` array.
///
/// Encodes to `{"kty":"RSA","alg":"RS256","use":"sig","kid":…,"n":…,"e":…}`.
public struct RSAPublicJWK: Codable, Sendable, Hashable {
    /// Always `RSA`.
    public var kty: String
    /// Always `RS256`.
    public var alg: String
    /// Always `sig`.
    public var use: String
    /// The key id.
    public var kid: String
    /// Base64url big-endian modulus, no leading zero byte.
    public var n: String
    /// Base64url big-endian public exponent (`AQAB` for 65537).
    public var e: String

    /// Creates a JWK value.
    public init(kid: String, n: String, e: String, kty: String = "RSA", alg: String = "RS256", use: String = "sig") {
        self.kty = kty
        self.alg = alg
        self.use = use
        self.kid = kid
        self.n = n
        self.e = e
    }

    /// The verifying key (with ``kid`` as its key id).
    public func publicKey() throws -> RSAPublicKey {
        try RSAPublicKey(jwkModulus: n, exponent: e, keyID: kid)
    }
}

/// Owns one private `EVP_PKEY`. Immutable after creation; OpenSSL 3 allows concurrent signing with one
/// key from many threads (each signature uses its own `EVP_MD_CTX`), hence `@unchecked Sendable`.
private final class PrivateKeyStorage: @unchecked Sendable {
    let key: OpaquePointer
    let bitCount: Int

    init(owning key: OpaquePointer) {
        self.key = key
        self.bitCount = Int(EVP_PKEY_get_bits(key))
    }

    deinit { EVP_PKEY_free(key) }

    func signSHA256(_ message: some ContiguousBytes) throws -> Data {
        guard let context = EVP_MD_CTX_new() else { throw OpenSSL.failure("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        // RSA's default padding for EVP_DigestSign is PKCS#1 v1.5, which is what RS256 means.
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1 else {
            throw OpenSSL.failure("EVP_DigestSignInit")
        }
        var length = 0
        var signature = [UInt8](repeating: 0, count: Int(EVP_PKEY_get_size(key)))
        let status = message.withUnsafeBytes { messageBytes in
            OpenSSL.withNonNullBytes(messageBytes) { messagePointer, messageCount in
                length = signature.count
                return EVP_DigestSign(context, &signature, &length, messagePointer, messageCount)
            }
        }
        guard status == 1 else { throw OpenSSL.failure("EVP_DigestSign") }
        return Data(signature.prefix(length))
    }

    /// Big-endian `n` and `e`, without leading zero bytes.
    func publicComponents() throws -> (n: [UInt8], e: [UInt8]) {
        (try bigNumber(pier_ossl_pkey_param_rsa_n()), try bigNumber(pier_ossl_pkey_param_rsa_e()))
    }

    private func bigNumber(_ name: UnsafePointer<CChar>) throws -> [UInt8] {
        var number: OpaquePointer?
        guard EVP_PKEY_get_bn_param(key, name, &number) == 1, let number else {
            throw OpenSSL.failure("EVP_PKEY_get_bn_param")
        }
        defer { BN_free(number) }
        let count = (Int(BN_num_bits(number)) + 7) / 8
        var bytes = [UInt8](repeating: 0, count: count)
        guard BN_bn2bin(number, &bytes) == Int32(count) else { throw OpenSSL.failure("BN_bn2bin") }
        return bytes
    }
}
