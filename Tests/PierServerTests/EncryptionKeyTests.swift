import Foundation
import PierCrypto
import PierLogging
import PierServer
import PierStorage
import PierTestSupport
import Testing

@Suite("Encryption key handling (DESIGN.md §7)")
struct EncryptionKeyTests {
    func mode(of path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as! NSNumber).intValue & 0o777
    }

    @Test func anEmptyDatabaseGetsANewKeyFileWithMode0600() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        let prepared = try await PierServerApp.prepare(configuration: harness.configuration(), logger: harness.logger)
        let store = SQLStore(database: prepared.database)
        let checkValue = try #require(try await store.setting(.keyCheckValue))
        #expect(try await store.setting(.keyID) == prepared.keyID)
        await prepared.database.close()

        #expect(try mode(of: harness.keyPath) == 0o600)
        let contents = try String(contentsOfFile: harness.keyPath, encoding: .utf8)
        let key = try SymmetricKey(bytes: try #require(Data(base64Encoded: contents.trimmingCharacters(in: .whitespacesAndNewlines))))
        #expect(key.checkValue == checkValue)
        #expect(prepared.keyID == String(checkValue.prefix(8)))
        // The key itself never reaches the log.
        #expect(!harness.logs.renderedText.contains(contents.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(harness.logs.records.contains { $0.metadata["key.id"] == prepared.keyID })
    }

    @Test func restartingWithTheSameKeySucceeds() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        let first = try await PierServerApp.prepare(configuration: harness.configuration(), logger: harness.logger)
        await first.database.close()
        let second = try await PierServerApp.prepare(configuration: harness.configuration(), logger: harness.logger)
        #expect(second.keyID == first.keyID)
        await second.database.close()
    }

    @Test func aDifferentKeyIsRefused() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        let first = try await PierServerApp.prepare(configuration: harness.configuration(), logger: harness.logger)
        await first.database.close()
        let otherKey = try SymmetricKey.generate().withUnsafeBytes { Data($0).base64EncodedString() }
        let error = await #expect(throws: KeyError.self) {
            _ = try await PierServerApp.prepare(configuration: harness.configuration(key: .inline(base64: otherKey)), logger: harness.logger)
        }
        #expect(error?.message.contains("not the key this database was encrypted with") == true)
        #expect(error?.message.contains(first.keyID) == true)
        #expect(error?.message.contains(otherKey) == false)
    }

    @Test func aMissingKeyFileForAnInitialisedDatabaseIsRefusedAndNotRecreated() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        let first = try await PierServerApp.prepare(configuration: harness.configuration(), logger: harness.logger)
        await first.database.close()
        try FileManager.default.removeItem(atPath: harness.keyPath)
        let error = await #expect(throws: KeyError.self) {
            _ = try await PierServerApp.prepare(configuration: harness.configuration(), logger: harness.logger)
        }
        #expect(error?.message.contains("restore that key file") == true)
        #expect(!FileManager.default.fileExists(atPath: harness.keyPath))
    }

    @Test func aKeyFileReadableByOthersIsRefused() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        let first = try await PierServerApp.prepare(configuration: harness.configuration(), logger: harness.logger)
        await first.database.close()
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: harness.keyPath)
        let error = await #expect(throws: KeyError.self) {
            _ = try await PierServerApp.prepare(configuration: harness.configuration(), logger: harness.logger)
        }
        #expect(error?.message.contains("chmod 600") == true)
    }

    @Test(arguments: ["", "not base64 at all", "c2hvcnQ=", String(repeating: "A", count: 88)])
    func malformedInlineKeysAreRefusedWithoutEchoingThem(_ value: String) async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        let error = await #expect(throws: KeyError.self) {
            _ = try await PierServerApp.prepare(configuration: harness.configuration(key: .inline(base64: value)), logger: harness.logger)
        }
        #expect(error?.message.contains("base64 encoding of 32 random bytes") == true)
        if !value.isEmpty { #expect(error?.message.contains(value) == false) }
    }

    @Test func aKeyIsNotGeneratedForADatabaseThatAlreadyHoldsSecrets() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        let first = try await PierServerApp.prepare(configuration: harness.configuration(), logger: harness.logger)
        // Simulate a database whose key check value was lost but which holds an Okta domain.
        try await first.database.write { db in
            try db.execute("DELETE FROM settings WHERE key IN ('crypto.key_check_value', 'crypto.key_id')")
        }
        try await insertDirectory(first.database)
        await first.database.close()
        try FileManager.default.removeItem(atPath: harness.keyPath)
        await #expect(throws: KeyError.self) {
            _ = try await PierServerApp.prepare(configuration: harness.configuration(), logger: harness.logger)
        }
        #expect(!FileManager.default.fileExists(atPath: harness.keyPath))
    }

    func insertDirectory(_ database: any DatabaseWriter) async throws {
        try await database.write { db in
            try db.execute("""
                INSERT INTO directories (id, domain, org_id, org_host, api_token_ciphertext, api_token_hint, schedule,
                                         created_at, updated_at)
                VALUES ('d1', 'acme.okta.com', '00o1', 'acme.okta.com', X'01', 'abcd', '{}',
                        '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')
                """)
        }
    }
}
