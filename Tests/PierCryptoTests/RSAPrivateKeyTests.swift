import Foundation
import PierCrypto
import Testing

/// One generated key shared by the tests of this file (2048-bit generation takes a moment).
private let sharedKey: RSAPrivateKey = {
    do { return try RSAPrivateKey.generate() } catch { fatalError("RSA key generation failed: \(error)") }
}()

struct RSAPrivateKeyTests {
    @Test func signVerifyRoundTrip() throws {
        let key = sharedKey
        #expect(key.modulusBitCount == 2048)
        let message = Data("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIwMHUxIn0".utf8)
        let signature = try key.signRS256(message)
        #expect(signature.count == 256)
        let publicKey = try key.publicKey
        #expect(publicKey.modulusBitCount == 2048)
        #expect(publicKey.verifyRS256(signature: signature, message: message))
        #expect(!publicKey.verifyRS256(signature: signature, message: Data("other".utf8)))
        var tampered = signature
        tampered[17] ^= 0x01
        #expect(!publicKey.verifyRS256(signature: tampered, message: message))
        // PKCS#1 v1.5 is deterministic.
        #expect(try key.signRS256(message) == signature)
        // Empty message signs too.
        #expect(publicKey.verifyRS256(signature: try key.signRS256(Data()), message: Data()))
    }

    @Test func jwkRebuildsTheVerifyingKey() throws {
        let jwk = try sharedKey.publicJWK(keyID: "k-1")
        #expect(jwk.kty == "RSA" && jwk.alg == "RS256" && jwk.use == "sig" && jwk.kid == "k-1")
        #expect(jwk.e == "AQAB")
        #expect(try Base64URL.decode(jwk.n).count == 256)
        #expect(try Base64URL.decode(jwk.n).first != 0)
        let json = try JSONEncoder().encode(jwk)
        let rebuilt = try RSAPublicKey(jwkJSON: json)
        #expect(rebuilt.keyID == "k-1")
        let message = Data("hello".utf8)
        #expect(rebuilt.verifyRS256(signature: try sharedKey.signRS256(message), message: message))
        let other = try RSAPrivateKey.generate()
        #expect(!rebuilt.verifyRS256(signature: try other.signRS256(message), message: message))
    }

    @Test func pemRoundTrip() throws {
        let pem = try sharedKey.pemPKCS8()
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(pem.hasSuffix("-----END PRIVATE KEY-----\n"))
        let reloaded = try RSAPrivateKey(pem: pem)
        let message = Data("persisted".utf8)
        #expect(try reloaded.signRS256(message) == sharedKey.signRS256(message))
        #expect(try reloaded.publicJWK(keyID: "x") == sharedKey.publicJWK(keyID: "x"))
    }

    @Test func rejectsBadPEMAndSizes() throws {
        #expect(throws: CryptoError.self) { try RSAPrivateKey(pem: "") }
        #expect(throws: CryptoError.self) { try RSAPrivateKey(pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") }
        #expect(throws: CryptoError.self) { try RSAPrivateKey.generate(bits: 1024) }
        // After failures the error queue is clear: the next operation works.
        let message = Data("after".utf8)
        #expect(try sharedKey.publicKey.verifyRS256(signature: try sharedKey.signRS256(message), message: message))
    }

    @Test func descriptionsAreRedacted() throws {
        let pem = try sharedKey.pemPKCS8()
        let body = pem.split(separator: "\n")[1]
        for text in [String(describing: sharedKey), String(reflecting: sharedKey), "\(Mirror(reflecting: sharedKey).children.map(\.value))"] {
            #expect(text.contains("2048"))
            #expect(!text.contains(body))
            #expect(!text.contains(try sharedKey.publicJWK(keyID: "x").n.prefix(20)))
        }
    }

    /// Independent check with Python's `cryptography`: it verifies our signature against our JWK, loads our
    /// PKCS#8 PEM, checks its public numbers equal the JWK, and signs the same message; PKCS#1 v1.5 is
    /// deterministic, so its signature must equal ours byte for byte.
    @Test func pythonCryptographyAgrees() throws {
        let python = try PythonInterpreter.path()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pier-rsa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let message = Data("eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJpc3MiOiJodHRwczovL2FjbWUub2t0YS5jb20ifQ".utf8)
        let signature = try sharedKey.signRS256(message)
        try JSONEncoder().encode(try sharedKey.publicJWK(keyID: "k1")).write(to: directory.appendingPathComponent("jwk.json"))
        try message.write(to: directory.appendingPathComponent("message"))
        try signature.write(to: directory.appendingPathComponent("signature"))
        try Data(try sharedKey.pemPKCS8().utf8).write(to: directory.appendingPathComponent("key.pem"))

        let script = """
            import base64, json, pathlib, sys
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import padding, rsa
            d = pathlib.Path(sys.argv[1])
            def b64(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
            jwk = json.loads((d / "jwk.json").read_text())
            n = int.from_bytes(b64(jwk["n"]), "big"); e = int.from_bytes(b64(jwk["e"]), "big")
            message = (d / "message").read_bytes(); signature = (d / "signature").read_bytes()
            rsa.RSAPublicNumbers(e, n).public_key().verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
            key = serialization.load_pem_private_key((d / "key.pem").read_bytes(), password=None)
            numbers = key.public_key().public_numbers()
            assert (numbers.n, numbers.e) == (n, e), "PEM public numbers differ from the JWK"
            assert key.key_size == 2048
            (d / "python-signature").write_bytes(key.sign(message, padding.PKCS1v15(), hashes.SHA256()))
            print("ok")
            """
        let result = try PythonInterpreter.run(python, script: script, arguments: [directory.path])
        #expect(result.status == 0, "python: \(result.output)")
        #expect(result.output.contains("ok"))
        let pythonSignature = try Data(contentsOf: directory.appendingPathComponent("python-signature"))
        #expect(pythonSignature == signature)
    }
}

/// The Python interpreter with `cryptography`: `$PIER_TEST_PYTHON` (set by scripts/test), else the
/// repository's `.venv`. A missing interpreter fails the test; it never skips it.
enum PythonInterpreter {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    static func path() throws -> String {
        if let configured = ProcessInfo.processInfo.environment["PIER_TEST_PYTHON"], !configured.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: configured) else {
                throw Missing(description: "PIER_TEST_PYTHON=\(configured) is not executable")
            }
            return configured
        }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let fallback = repository.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: fallback) else {
            throw Missing(description: "no Python: set PIER_TEST_PYTHON or run scripts/bootstrap (\(fallback) missing)")
        }
        return fallback
    }

    static func run(_ python: String, script: String, arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
