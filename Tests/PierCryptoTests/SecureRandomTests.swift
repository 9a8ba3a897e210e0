import Foundation
import PierCrypto
import Testing

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
