import Foundation
import PierCrypto
import Testing

struct DigestTests {
    @Test func sha256MatchesIndependentVectors() throws {
        let vectors = try CryptoVectors.load()
        #expect(vectors.sha256.contains { $0.input.isEmpty })
        for vector in vectors.sha256 {
            #expect(SHA256.hexHash(try hex(vector.input)) == vector.digest)
            #expect(SHA256.hash(try hex(vector.input)) == (try hex(vector.digest)))
        }
    }

    @Test func sha256OfByteArrayEqualsDataForm() {
        #expect(SHA256.hash([UInt8]("abc".utf8)) == SHA256.hash(Data("abc".utf8)))
    }

    @Test func hmacMatchesIndependentVectors() throws {
        let vectors = try CryptoVectors.load()
        #expect(vectors.hmacSHA256.contains { $0.key.isEmpty && $0.message.isEmpty })
        for vector in vectors.hmacSHA256 {
            let key = try hex(vector.key)
            let message = try hex(vector.message)
            let mac = HMACSHA256.authenticationCode(key: key, message: message)
            #expect(Hex.encode(mac) == vector.mac)
            #expect(HMACSHA256.isValidAuthenticationCode(try hex(vector.mac), key: key, message: message))
        }
    }

    @Test func hmacRejectsAlteredTag() throws {
        var mac = HMACSHA256.authenticationCode(key: Data("k".utf8), message: Data("m".utf8))
        mac[5] ^= 0x80
        #expect(!HMACSHA256.isValidAuthenticationCode(mac, key: Data("k".utf8), message: Data("m".utf8)))
        #expect(!HMACSHA256.isValidAuthenticationCode(mac.prefix(31), key: Data("k".utf8), message: Data("m".utf8)))
    }

    @Test func constantTimeEquals() {
        #expect(ConstantTime.equals(Data(), Data()))
        #expect(ConstantTime.equals([UInt8]([1, 2, 3]), Data([1, 2, 3])))
        #expect(!ConstantTime.equals([UInt8]([1, 2, 3]), [UInt8]([1, 2, 4])))
        #expect(!ConstantTime.equals([UInt8]([1, 2, 3]), [UInt8]([1, 2])))
    }
}
