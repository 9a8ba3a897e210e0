import Foundation
import PierCrypto
import Testing

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
