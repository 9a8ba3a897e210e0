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

struct EncodingTests {
    @Test func hexRoundTripAndErrors() throws {
        #expect(Hex.encode([0x00, 0xAB, 0xFF]) == "00abff")
        #expect(try Hex.decode("00ABff") == Data([0x00, 0xAB, 0xFF]))
        #expect { try Hex.decode("abc") } throws: { ($0 as? CryptoError)?.code == .invalidFormat }
        #expect { try Hex.decode("zz") } throws: { ($0 as? CryptoError)?.code == .invalidFormat }
    }

    @Test(arguments: 0..<40)
    func base64URLRoundTrip(length: Int) throws {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 251) }
        let encoded = Base64URL.encode(bytes)
        #expect(!encoded.contains("=") && !encoded.contains("+") && !encoded.contains("/"))
        #expect(try Base64URL.decode(encoded) == Data(bytes))
    }

    @Test func base64URLRejectsStandardAlphabetAndJunk() {
        for bad in ["ab+c", "ab/c", "a", "ab c", "ab$c"] {
            #expect(throws: CryptoError.self) { try Base64URL.decode(bad) }
        }
        #expect((try? Base64URL.decode("AQAB")) == Data([1, 0, 1]))
        #expect((try? Base64URL.decode("AQ==")) == Data([1]))
    }
}

struct SecureRandomTests {
    @Test func bytesHaveRequestedLengthAndDiffer() throws {
        #expect(try SecureRandom.bytes(count: 0).isEmpty)
        let a = try SecureRandom.bytes(count: 32)
        let b = try SecureRandom.bytes(count: 32)
        #expect(a.count == 32 && b.count == 32)
        #expect(a != b)
        #expect(try SecureRandom.data(count: 7).count == 7)
    }

    @Test func urlSafeTokensAreURLSafeAndUnique() throws {
        var seen = Set<String>()
        for _ in 0..<100 {
            let token = try SecureRandom.urlSafeToken()
            #expect(token.count == 43)
            #expect(token.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            })
            seen.insert(token)
        }
        #expect(seen.count == 100)
        #expect(try Base64URL.decode(try SecureRandom.urlSafeToken(byteCount: 16)).count == 16)
    }
}
