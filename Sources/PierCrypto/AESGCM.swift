public import Foundation
private import COpenSSL

/// AES-256-GCM with a self-describing output.
///
/// ``seal(_:using:associatedData:)`` returns `version (1 byte) | nonce (12) | ciphertext | tag (16)`,
/// with version `0x01` and a fresh random nonce per call. Random 96-bit nonces are safe for well
/// under 2³² messages per key (NIST SP 800-38D §8.3), far beyond what Pier stores.
///
/// Bind each ciphertext to its context with associated data (DESIGN.md §7: domain id + org host), so a
/// blob copied into another row does not open.
///
/// ```swift
/// let blob = try AESGCM.seal(Data(token.utf8), using: key, associatedData: Data("dom_1|acme.okta.com".utf8))
/// let token = try AESGCM.open(blob, using: key, associatedData: Data("dom_1|acme.okta.com".utf8))
/// ```
public enum AESGCM {
    /// The format version written in the first byte.
    public static let version: UInt8 = 0x01
    /// Nonce size in bytes.
    public static let nonceByteCount = 12
    /// Tag size in bytes.
    public static let tagByteCount = 16
    /// Bytes a blob adds to the plaintext.
    public static let overhead = 1 + nonceByteCount + tagByteCount

    /// Encrypts and authenticates `plaintext`.
    ///
    /// - Parameters:
    ///   - plaintext: The secret bytes.
    ///   - key: A 256-bit key.
    ///   - associatedData: Authenticated, not encrypted, context; must be given again to open.
    /// - Returns: The versioned blob.
    /// - Throws: ``CryptoError/Code/randomUnavailable`` or ``CryptoError/Code/libraryFailure``.
    public static func seal(
        _ plaintext: some ContiguousBytes,
        using key: SymmetricKey,
        associatedData: some ContiguousBytes = Data()
    ) throws -> Data {
        try seal(plaintext, using: key, nonce: SecureRandom.bytes(count: nonceByteCount), associatedData: associatedData)
    }

    /// Encrypts with a caller-chosen nonce. For test vectors only: reusing a nonce under one key
    /// destroys GCM's confidentiality and authenticity.
    package static func seal(
        _ plaintext: some ContiguousBytes,
        using key: SymmetricKey,
        nonce: [UInt8],
        associatedData: some ContiguousBytes
    ) throws -> Data {
        precondition(nonce.count == nonceByteCount, "AES-GCM nonce must be 12 bytes")
        let context = try CipherContext()
        return try key.withUnsafeBytes { keyBytes in
            try nonce.withUnsafeBufferPointer { noncePointer in
                guard EVP_EncryptInit_ex(context.pointer, EVP_aes_256_gcm(), nil, nil, nil) == 1,
                    EVP_CIPHER_CTX_ctrl(context.pointer, pier_evp_ctrl_gcm_set_ivlen(), Int32(nonceByteCount), nil) == 1,
                    EVP_EncryptInit_ex(
                        context.pointer, nil, nil,
                        keyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), noncePointer.baseAddress) == 1
                else { throw OpenSSL.failure("AES-GCM encrypt init") }

                try context.updateAAD(associatedData)
                var output = Data(capacity: overhead)
                output.append(version)
                output.append(contentsOf: nonce)
                output.append(contentsOf: try context.update(plaintext, encrypt: true))

                var outLength: Int32 = 0
                var scratch = [UInt8](repeating: 0, count: 16)
                guard EVP_EncryptFinal_ex(context.pointer, &scratch, &outLength) == 1 else {
                    throw OpenSSL.failure("AES-GCM encrypt final")
                }
                output.append(contentsOf: scratch.prefix(Int(outLength)))
                var tag = [UInt8](repeating: 0, count: tagByteCount)
                guard EVP_CIPHER_CTX_ctrl(context.pointer, pier_evp_ctrl_gcm_get_tag(), Int32(tagByteCount), &tag) == 1 else {
                    throw OpenSSL.failure("AES-GCM get tag")
                }
                output.append(contentsOf: tag)
                return output
            }
        }
    }

    /// Authenticates and decrypts a blob made by ``seal(_:using:associatedData:)``.
    ///
    /// - Parameters:
    ///   - blob: The versioned blob.
    ///   - key: The key it was sealed with.
    ///   - associatedData: The same context given to `seal`.
    /// - Returns: The plaintext.
    /// - Throws: ``CryptoError/Code/authenticationFailed`` for a wrong key, wrong associated data or any
    ///   modification; ``CryptoError/Code/invalidFormat`` for a truncated blob;
    ///   ``CryptoError/Code/unsupportedVersion`` for an unknown version byte.
    public static func open(
        _ blob: some ContiguousBytes,
        using key: SymmetricKey,
        associatedData: some ContiguousBytes = Data()
    ) throws -> Data {
        let bytes = blob.withUnsafeBytes { [UInt8]($0) }
        guard bytes.count >= overhead else { throw CryptoError(.invalidFormat, "AES-GCM blob too short") }
        guard bytes[0] == version else {
            throw CryptoError(.unsupportedVersion, "AES-GCM blob version \(bytes[0]) is not supported")
        }
        let nonce = Array(bytes[1..<(1 + nonceByteCount)])
        let ciphertext = Array(bytes[(1 + nonceByteCount)..<(bytes.count - tagByteCount)])
        var tag = Array(bytes[(bytes.count - tagByteCount)...])

        let context = try CipherContext()
        return try key.withUnsafeBytes { keyBytes in
            guard EVP_DecryptInit_ex(context.pointer, EVP_aes_256_gcm(), nil, nil, nil) == 1,
                EVP_CIPHER_CTX_ctrl(context.pointer, pier_evp_ctrl_gcm_set_ivlen(), Int32(nonceByteCount), nil) == 1,
                EVP_DecryptInit_ex(
                    context.pointer, nil, nil, keyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), nonce) == 1
            else { throw OpenSSL.failure("AES-GCM decrypt init") }

            try context.updateAAD(associatedData)
            var plaintext = try context.update(ciphertext, encrypt: false)
            guard EVP_CIPHER_CTX_ctrl(context.pointer, pier_evp_ctrl_gcm_set_tag(), Int32(tagByteCount), &tag) == 1 else {
                throw OpenSSL.failure("AES-GCM set tag")
            }
            var outLength: Int32 = 0
            var scratch = [UInt8](repeating: 0, count: 16)
            guard EVP_DecryptFinal_ex(context.pointer, &scratch, &outLength) == 1 else {
                // The tag check failed. Wipe the unauthenticated plaintext and drop OpenSSL's queue.
                _ = OpenSSL.drainErrors()
                for index in plaintext.indices { plaintext[index] = 0 }
                throw CryptoError(.authenticationFailed, "AES-GCM: ciphertext did not authenticate")
            }
            plaintext.append(contentsOf: scratch.prefix(Int(outLength)))
            return Data(plaintext)
        }
    }
}

/// Owns one `EVP_CIPHER_CTX`; freed (and wiped by OpenSSL) in `deinit`. Never shared between threads.
private final class CipherContext {
    let pointer: OpaquePointer

    init() throws {
        guard let pointer = EVP_CIPHER_CTX_new() else { throw OpenSSL.failure("EVP_CIPHER_CTX_new") }
        self.pointer = pointer
    }

    deinit { EVP_CIPHER_CTX_free(pointer) }

    func updateAAD(_ data: some ContiguousBytes) throws {
        try data.withUnsafeBytes { bytes in
            guard bytes.count > 0, let base = bytes.baseAddress else { return }
            var outLength: Int32 = 0
            guard EVP_CipherUpdate(pointer, nil, &outLength, base.assumingMemoryBound(to: UInt8.self), Int32(bytes.count)) == 1
            else { throw OpenSSL.failure("AES-GCM associated data") }
        }
    }

    func update(_ data: some ContiguousBytes, encrypt: Bool) throws -> [UInt8] {
        try data.withUnsafeBytes { bytes in
            guard bytes.count > 0, let base = bytes.baseAddress else { return [] }
            guard bytes.count <= Int(Int32.max) - 16 else { throw CryptoError(.invalidParameters, "AES-GCM input too large") }
            var output = [UInt8](repeating: 0, count: bytes.count + 16)
            var outLength: Int32 = 0
            guard EVP_CipherUpdate(pointer, &output, &outLength, base.assumingMemoryBound(to: UInt8.self), Int32(bytes.count)) == 1
            else { throw OpenSSL.failure(encrypt ? "AES-GCM encrypt" : "AES-GCM decrypt") }
            return Array(output.prefix(Int(outLength)))
        }
    }
}
