import Foundation
import PierStorage
import PierTestSupport
import Testing

private struct Boom: Error, Equatable {
    let tag: String
}

/// Transaction behaviour, on every backend.
struct TransactionTests {
    @Test(arguments: StorageBackend.available)
    func aThrowRollsBackAndRethrowsTheFirstError(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let error = await #expect(throws: Boom.self) {
                try await database.write { db in
                    try db.execute("INSERT INTO settings (key, value) VALUES ('a', '1')")
                    throw Boom(tag: "first")
                }
            }
            #expect(error == Boom(tag: "first"))
            let value = try await database.read { db in try db.fetchValue("SELECT value FROM settings WHERE key = 'a'", as: String.self) }
            #expect(value == nil)
        }
    }

    @Test(arguments: StorageBackend.available)
    func aFailingStatementRollsBackEarlierStatements(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            try await database.write { db in try db.execute("INSERT INTO settings (key, value) VALUES ('dup', 'x')") }
            let error = try await #require(throws: StorageError.self) {
                try await database.write { db in
                    try db.execute("INSERT INTO settings (key, value) VALUES ('new', 'y')")
                    try db.execute("INSERT INTO settings (key, value) VALUES ('dup', 'z')")
                }
            }
            #expect(error.code == .conflict)
            let count = try await database.read { db in try db.fetchValue("SELECT count(*) FROM settings", as: Int.self) }
            #expect(count == 1)
        }
    }

    @Test(arguments: StorageBackend.available)
    func aCommittedWriteIsVisibleAndReturnsItsValue(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let changed = try await database.write { db in
                try db.execute("INSERT INTO settings (key, value) VALUES ('a', '1'), ('b', '2')")
            }
            #expect(changed == 2)
            let rows = try await database.read { db in try db.fetchAll("SELECT key, value FROM settings ORDER BY key") }
            #expect(try rows.map { try $0.decode("key", as: String.self) } == ["a", "b"])
        }
    }

    @Test(arguments: StorageBackend.available)
    func readersSeeCommittedDataWhileAWriteTransactionIsOpen(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            try await database.write { db in try db.execute("INSERT INTO settings (key, value) VALUES ('k', 'old')") }

            let (updated, updatedContinuation) = AsyncStream<Void>.makeStream()
            let readsDone = DispatchSemaphore(value: 0)
            async let writeResult: Void = database.write { db in
                try db.execute("UPDATE settings SET value = 'new' WHERE key = 'k'")
                updatedContinuation.yield()
                // Hold the transaction open (on the writer's own thread, not the cooperative pool)
                // until the readers have looked.
                readsDone.wait()
            }
            for await _ in updated { break }
            // Several readers at once, all while the writer holds its uncommitted change.
            let seen = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        try await database.read { db in try db.fetchValue("SELECT value FROM settings WHERE key = 'k'", as: String.self) }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            readsDone.signal()
            try await writeResult
            #expect(seen == ["old", "old", "old"])
            let after = try await database.read { db in try db.fetchValue("SELECT value FROM settings WHERE key = 'k'", as: String.self) }
            #expect(after == "new")
        }
    }

    @Test(arguments: StorageBackend.available)
    func writesAreSerialized(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            try await database.write { db in try db.execute("INSERT INTO settings (key, value) VALUES ('counter', '0')") }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await database.write { db in
                            let value = try db.fetchValue("SELECT value FROM settings WHERE key = 'counter'", as: String.self) ?? "0"
                            try db.execute("UPDATE settings SET value = \(String(Int(value)! + 1)) WHERE key = 'counter'")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let value = try await database.read { db in try db.fetchValue("SELECT value FROM settings WHERE key = 'counter'", as: String.self) }
            #expect(value == "20")
        }
    }

    @Test(arguments: StorageBackend.available)
    func valuesRoundTripThroughEveryType(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let now = Date(timeIntervalSince1970: 1_772_352_930.25)
            let ciphertext = Data([0, 1, 2, 255, 0])
            try await database.write { db in
                try db.execute("""
                    INSERT INTO directories (id, domain, org_id, org_host, api_token_ciphertext, api_token_hint,
                                             self_enroll, schedule, created_at, updated_at, endpoint)
                    VALUES ('d1', 'acme.okta.com', '00o1', 'acme.okta.com', \(ciphertext), 'abcd',
                            \(true), '{"frequency":"daily"}', \(now), \(now), \(nil as String?))
                    """)
            }
            let row = try await database.read { db in try db.fetchOne("SELECT * FROM directories WHERE id = 'd1'") }
            let directory = try #require(row)
            #expect(try directory.decode("api_token_ciphertext", as: Data.self) == ciphertext)
            #expect(try directory.decode("self_enroll", as: Bool.self) == true)
            #expect(try directory.decode("created_at", as: Date.self) == now)
            #expect(try directory.decode("created_at", as: String.self) == "2026-03-01T08:15:30.250Z")
            #expect(try directory.decode("endpoint", as: String?.self) == nil)
            #expect(throws: StorageError.self) { try directory.decode("endpoint", as: String.self) }
        }
    }
}
