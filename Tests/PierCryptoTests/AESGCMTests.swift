import Foundation
import PierCrypto
import Testing

struct AESGCMTests {
    private func isCode(_ code: CryptoError.Code) -> @Sendable (any Error) -> Bool {
        { ($0 as? CryptoError)?.code == code }
    }

    @Test func sealWithFixedNonceMatchesIndependentVectors() throws {
        for vector in try CryptoVectors.load().aesGCM {
            let key = try SymmetricKey(bytes: try hex(vector.key))
            let blob = try AESGCM.seal(
                try hex(vector.plaintext), using: key, nonce: [UInt8](try hex(vector.nonce)), associatedData: try hex(vector.aad))
            #expect(Hex.encode(blob) == vector.blob)
            #expect(try AESGCM.open(try hex(vector.blob), using: key, associatedData: try hex(vector.aad)) == (try hex(vector.plaintext)))
        }
    }

    @Test func roundTripUsesFreshNonces() throws {
        let key = try SymmetricKey.generate()
        let aad = Data("dom_1|acme.okta.com".utf8)
        let first = try AESGCM.seal(Data("00abc-token".utf8), using: key, associatedData: aad)
        let second = try AESGCM.seal(Data("00abc-token".utf8), using: key, associatedData: aad)
        #expect(first != second)
        #expect(first.count == "00abc-token".utf8.count + AESGCM.overhead)
        #expect(first.first == AESGCM.version)
        #expect(try AESGCM.open(first, using: key, associatedData: aad) == Data("00abc-token".utf8))
        #expect(try AESGCM.open(second, using: key, associatedData: aad) == Data("00abc-token".utf8))
        #expect(try AESGCM.open(try AESGCM.seal(Data(), using: key), using: key) == Data())
    }

    @Test func wrongAssociatedDataFails() throws {
        let key = try SymmetricKey.generate()
        let blob = try AESGCM.seal(Data("secret".utf8), using: key, associatedData: Data("dom_1|a.okta.com".utf8))
        #expect(throws: CryptoError.self) { try AESGCM.open(blob, using: key, associatedData: Data("dom_2|a.okta.com".utf8)) }
        #expect(performing: { try AESGCM.open(blob, using: key, associatedData: Data()) }, throws: isCode(.authenticationFailed))
    }

    @Test func wrongKeyFails() throws {
        let blob = try AESGCM.seal(Data("secret".utf8), using: try SymmetricKey.generate())
        #expect(performing: { try AESGCM.open(blob, using: try SymmetricKey.generate()) }, throws: isCode(.authenticationFailed))
    }

    @Test func everyFlippedBitFails() throws {
        let key = try SymmetricKey.generate()
        let blob = try AESGCM.seal(Data("secret".utf8), using: key, associatedData: Data("aad".utf8))
        // Skip the version byte (index 0): flipping it is an unsupported version, checked separately.
        for index in 1..<blob.count {
            for bit in [0, 3, 7] {
                var tampered = blob
                tampered[index] ^= UInt8(1 << bit)
                #expect(performing: { try AESGCM.open(tampered, using: key, associatedData: Data("aad".utf8)) },
                        throws: isCode(.authenticationFailed))
            }
        }
    }

    @Test func malformedBlobsAreClassified() throws {
        let key = try SymmetricKey.generate()
        var blob = try AESGCM.seal(Data("secret".utf8), using: key)
        #expect(performing: { try AESGCM.open(blob.prefix(AESGCM.overhead - 1), using: key) }, throws: isCode(.invalidFormat))
        blob[0] = 0x02
        #expect(performing: { try AESGCM.open(blob, using: key) }, throws: isCode(.unsupportedVersion))
        do {
            _ = try AESGCM.open(Data(repeating: 1, count: 40), using: key)
            Issue.record("expected a throw")
        } catch CryptoError.Code.authenticationFailed {
            // The `~=` pattern matches by code.
        }
    }

    @Test func keyIsRedactedAndSizeChecked() throws {
        let key = try SymmetricKey(bytes: [UInt8](repeating: 0x41, count: 32))
        #expect(key.description == "SymmetricKey(<redacted>)")
        #expect(String(reflecting: key) == "SymmetricKey(<redacted>)")
        var dumped = ""
        dump(key, to: &dumped)
        #expect(!dumped.contains("65"))
        #expect(key.checkValue.count == 16)
        #expect(key.checkValue == (try SymmetricKey(bytes: [UInt8](repeating: 0x41, count: 32))).checkValue)
        #expect(key.checkValue != (try SymmetricKey.generate()).checkValue)
        #expect(performing: { try SymmetricKey(bytes: [UInt8](repeating: 0, count: 16)) }, throws: isCode(.invalidKey))
        key.withUnsafeBytes { #expect($0.count == 32) }
    }
}
