import Foundation
import PierCrypto
import Testing

struct PasswordHashTests {
    private let fast = PasswordHash(parameters: .init(logN: 4, r: 8, p: 1))

    @Test func deriveMatchesIndependentVectors() throws {
        for vector in try CryptoVectors.load().scrypt {
            let hash = try hex(vector.hash)
            let parameters = PasswordHash.Parameters(
                logN: vector.logN, r: vector.r, p: vector.p, saltByteCount: 16, hashByteCount: hash.count)
            let derived = try PasswordHash.derive(
                password: [UInt8](try hex(vector.password)), salt: [UInt8](try hex(vector.salt)), parameters: parameters)
            #expect(Data(derived) == hash)
            let password = String(decoding: try hex(vector.password), as: UTF8.self)
            #expect(fast.verify(password, against: vector.encoded))
            #expect(!fast.verify(password + "x", against: vector.encoded))
        }
    }

    @Test func hashThenVerify() throws {
        let encoded = try fast.hash("correct horse battery staple")
        #expect(encoded.hasPrefix("$scrypt$ln=4,r=8,p=1$"))
        #expect(fast.verify("correct horse battery staple", against: encoded))
        #expect(!fast.verify("correct horse battery stapl", against: encoded))
        #expect(!fast.verify("", against: encoded))
        #expect(try fast.hash("same") != (try fast.hash("same")))  // fresh salt
    }

    @Test func defaultParametersAreStrong() throws {
        let parameters = PasswordHash().parameters
        #expect(parameters.logN >= 15 && parameters.r >= 8 && parameters.p >= 1)
        #expect(parameters.saltByteCount == 16)
        let encoded = try PasswordHash().hash("pw")  // one real-cost hash (≈ 32 MiB, ~0.1 s)
        #expect(encoded.hasPrefix("$scrypt$ln=15,r=8,p=1$"))
        #expect(PasswordHash().verify("pw", against: encoded))
    }

    @Test func malformedOrHostileEncodingsAreRejected() throws {
        let encoded = try fast.hash("pw")
        let parts = encoded.split(separator: "$").map(String.init)  // scrypt, params, salt, hash
        let bad = [
            "",
            "pw",
            "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
            "$scrypt$ln=4,r=8$\(parts[2])$\(parts[3])",
            "$scrypt$ln=40,r=8,p=1$\(parts[2])$\(parts[3])",  // 2^40: would exhaust memory
            "$scrypt$ln=4,r=8,p=1,ln=5$\(parts[2])$\(parts[3])",
            "$scrypt$ln=4,r=8,p=1$!!!$\(parts[3])",
            "$scrypt$ln=4,r=8,p=1$\(parts[2])$",
            encoded + "$",
        ]
        for candidate in bad { #expect(!fast.verify("pw", against: candidate), "\(candidate)") }
        #expect(fast.needsRehash("$scrypt$ln=3,r=8,p=1$\(parts[2])$\(parts[3])"))
        #expect(!fast.needsRehash(encoded))
        #expect(PasswordHash().needsRehash(encoded))
        #expect(throws: CryptoError.self) { try PasswordHash(parameters: .init(logN: 0, r: 8, p: 1)).hash("pw") }
    }
}
