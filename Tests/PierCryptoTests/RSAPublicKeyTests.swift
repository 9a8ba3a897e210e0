import Foundation
import PierCrypto
import Testing

struct RSAPublicKeyTests {
    @Test func verifiesIndependentRS256Signatures() throws {
        let rsa = try CryptoVectors.load().rsa
        let key = try RSAPublicKey(jwkModulus: rsa.jwk.n, exponent: rsa.jwk.e)
        #expect(key.modulusBitCount == 2048)
        #expect(rsa.signatures.contains { !$0.valid })
        for vector in rsa.signatures {
            let verified = key.verifyRS256(signature: try Base64URL.decode(vector.signature), message: try hex(vector.message))
            #expect(verified == vector.valid, "signature over \(vector.message.prefix(16))… expected \(vector.valid)")
        }
    }

    @Test func buildsFromJWKJSON() throws {
        let key = try RSAPublicKey(jwkJSON: try CryptoVectors.jwkData())
        #expect(key.keyID == "test-key-1")
        let vector = try #require(try CryptoVectors.load().rsa.signatures.first { $0.valid })
        #expect(key.verifyRS256(signature: try Base64URL.decode(vector.signature), message: try hex(vector.message)))
    }

    @Test func signatureFromAnotherMessageOrGarbageIsFalse() throws {
        let rsa = try CryptoVectors.load().rsa
        let key = try RSAPublicKey(jwkModulus: rsa.jwk.n, exponent: rsa.jwk.e)
        let vector = try #require(rsa.signatures.first { $0.valid && !$0.message.isEmpty })
        #expect(!key.verifyRS256(signature: try Base64URL.decode(vector.signature), message: Data("other".utf8)))
        #expect(!key.verifyRS256(signature: Data(), message: Data("x".utf8)))
        #expect(!key.verifyRS256(signature: Data(repeating: 0xFF, count: 256), message: Data("x".utf8)))
        // A failure leaves nothing on OpenSSL's error queue that would break the next verification.
        #expect(key.verifyRS256(signature: try Base64URL.decode(vector.signature), message: try hex(vector.message)))
    }

    @Test func rejectsWeakOrMalformedKeys() throws {
        let rsa = try CryptoVectors.load().rsa
        let modulus = try Base64URL.decode(rsa.jwk.n)
        let short = Base64URL.encode(modulus.prefix(128))  // 1024 bits
        #expect(throws: CryptoError.self) { try RSAPublicKey(jwkModulus: short, exponent: "AQAB") }
        #expect(throws: CryptoError.self) { try RSAPublicKey(jwkModulus: rsa.jwk.n, exponent: "Ag") }  // e = 2
        #expect(throws: CryptoError.self) { try RSAPublicKey(jwkModulus: "not base64!", exponent: "AQAB") }
        let wrongType = Data(#"{"kty":"EC","n":"AQAB","e":"AQAB"}"#.utf8)
        #expect(throws: CryptoError.self) { try RSAPublicKey(jwkJSON: wrongType) }
        let wrongAlg = Data(#"{"kty":"RSA","alg":"RS512","n":"\#(rsa.jwk.n)","e":"AQAB"}"#.utf8)
        #expect(throws: CryptoError.self) { try RSAPublicKey(jwkJSON: wrongAlg) }
    }
}
