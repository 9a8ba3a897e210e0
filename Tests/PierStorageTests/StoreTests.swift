import Foundation
import PierCore
import PierStorage
import PierTestSupport
import Testing

/// The small stores and constraint mapping, on every backend.
struct StoreTests {
    private let t0 = Date(timeIntervalSince1970: 1_772_352_930)

    @Test(arguments: StorageBackend.available)
    func pingAnswers(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            try await SQLStore(database: database).ping()
        }
    }

    @Test(arguments: StorageBackend.available)
    func settingsGetSetReplaceAndRemove(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            #expect(try await store.setting(.portalName) == nil)
            try await store.setSetting(.portalName, to: "Acme Devices")
            try await store.setSetting(.timeZone, to: "Europe/Berlin")
            #expect(try await store.setting(.portalName) == "Acme Devices")
            try await store.setSetting(.portalName, to: "Acme")
            #expect(try await store.setting(.portalName) == "Acme")
            #expect(try await store.setting(.timeZone) == "Europe/Berlin")
            try await store.setSetting(.portalName, to: nil)
            #expect(try await store.setting(.portalName) == nil)

            #expect(try await store.insertSettingIfAbsent(.installationID, value: "first") == "first")
            #expect(try await store.insertSettingIfAbsent(.installationID, value: "second") == "first")
            #expect(try await store.setting(.installationID) == "first")
        }
    }

    @Test(arguments: StorageBackend.available)
    func valuesAreBoundNeverSpliced(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let hostile = "'); DROP TABLE users; --"
            try await store.setSetting(.portalName, to: hostile)
            try await store.setSetting(SettingKey(hostile), to: "\"quoted\" \\ and ' and ?, $1")
            #expect(try await store.setting(.portalName) == hostile)
            #expect(try await store.setting(SettingKey(hostile)) == "\"quoted\" \\ and ' and ?, $1")
            let users = try await database.read { db in try db.fetchValue("SELECT count(*) FROM users", as: Int.self) }
            #expect(users == 0)
        }
    }

    @Test(arguments: StorageBackend.available)
    func apiTokensCreateLookUpUseAndRevoke(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let record = APITokenRecord(id: APITokenID(rawValue: "t1"), name: "ci", tokenHash: String(repeating: "ab", count: 32), createdAt: t0)
            try await store.createAPIToken(record)
            #expect(try await store.apiToken(hash: record.tokenHash) == record)
            #expect(try await store.apiToken(hash: "unknown") == nil)

            try await store.markAPITokenUsed(record.id, at: t0.addingTimeInterval(60))
            #expect(try await store.apiToken(hash: record.tokenHash)?.lastUsedAt == t0.addingTimeInterval(60))

            try await store.revokeAPIToken(record.id, at: t0.addingTimeInterval(120))
            try await store.revokeAPIToken(record.id, at: t0.addingTimeInterval(999))
            let revoked = try #require(try await store.apiToken(hash: record.tokenHash))
            #expect(!revoked.isActive)
            #expect(revoked.revokedAt == t0.addingTimeInterval(120))

            let missing = try await #require(throws: StorageError.self) {
                try await store.revokeAPIToken(APITokenID(rawValue: "nope"), at: t0)
            }
            #expect(missing.code == .notFound)

            let second = APITokenRecord(id: APITokenID(rawValue: "t2"), name: "backup", tokenHash: "cd", createdAt: t0.addingTimeInterval(1))
            try await store.createAPIToken(second)
            #expect(try await store.apiTokens().map(\.id) == [record.id, second.id])
        }
    }

    @Test(arguments: StorageBackend.available)
    func aDuplicateTokenHashIsAConflictThatDoesNotLeakTheHash(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let secretHash = "5ec7e7ha5h0000000000000000000000"
            try await store.createAPIToken(APITokenRecord(id: APITokenID(rawValue: "a"), name: "one", tokenHash: secretHash, createdAt: t0))
            let error = try await #require(throws: StorageError.self) {
                try await store.createAPIToken(APITokenRecord(id: APITokenID(rawValue: "b"), name: "two", tokenHash: secretHash, createdAt: t0))
            }
            #expect(error.code == .conflict)
            #expect(!"\(error)".contains(secretHash))
            #expect(!error.message.contains(secretHash))
        }
    }

    @Test(arguments: StorageBackend.available)
    func auditLogAppendsAndListsNewestFirst(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            var ids: [Int64] = []
            for index in 0..<5 {
                let entry = try await store.append(AuditEntry(
                    at: t0.addingTimeInterval(Double(index)), actor: "admin:alice", action: "domain.create",
                    target: "d\(index)", details: index == 0 ? #"{"org":"00o1"}"# : nil
                ))
                ids.append(try #require(entry.id))
            }
            #expect(ids == ids.sorted())
            let page1 = try await store.auditEntries(limit: 3, before: nil)
            #expect(page1.map(\.target) == ["d4", "d3", "d2"])
            let page2 = try await store.auditEntries(limit: 3, before: page1.last?.id)
            #expect(page2.map(\.target) == ["d1", "d0"])
            #expect(page2.last?.details == #"{"org":"00o1"}"#)
            #expect(page2.last?.at == t0)

            // Appended inside a caller's transaction, it rolls back with it.
            await #expect(throws: StorageError.self) {
                try await database.write { db in
                    try SQLStore.append(AuditEntry(at: t0, actor: "system", action: "test.rollback"), in: db)
                    try db.execute("INSERT INTO users (id, source, login, status, created_at, updated_at) VALUES ('u', 'local', 'x', 'bogus', 't', 't')")
                }
            }
            #expect(try await store.auditEntries(limit: 10, before: nil).count == 5)
        }
    }

    @Test(arguments: StorageBackend.available)
    func constraintViolationsMapToStableCodes(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            func code(_ sql: SQL) async -> StorageError.Code? {
                do {
                    try await database.write { db in try db.execute(sql) }
                    return nil
                } catch let error as StorageError {
                    return error.code
                } catch {
                    return nil
                }
            }
            let now = Timestamp.format(t0)
            #expect(await code("""
                INSERT INTO users (id, source, login, status, created_at, updated_at)
                VALUES ('u1', 'local', 'alice', 'active', \(now), \(now))
                """) == nil)
            // UNIQUE / primary key → conflict
            #expect(await code("INSERT INTO users (id, source, login, status, created_at, updated_at) VALUES ('u1', 'local', 'bob', 'active', \(now), \(now))") == .conflict)
            #expect(await code("INSERT INTO users (id, source, login, status, created_at, updated_at) VALUES ('u2', 'local', 'alice', 'active', \(now), \(now))") == .conflict)
            // CHECK → constraint
            #expect(await code("INSERT INTO users (id, source, login, status, created_at, updated_at) VALUES ('u3', 'local', 'carol', 'bogus', \(now), \(now))") == .constraint)
            // a directory user needs a directory → constraint
            #expect(await code("INSERT INTO users (id, source, login, status, okta_id, created_at, updated_at) VALUES ('u4', 'directory', 'dave', 'active', '00u1', \(now), \(now))") == .constraint)
            // NOT NULL → constraint
            #expect(await code("INSERT INTO users (id, source, login, status, created_at, updated_at) VALUES ('u5', 'local', NULL, 'active', \(now), \(now))") == .constraint)
            // FOREIGN KEY → constraint
            #expect(await code("INSERT INTO group_members (group_id, user_id) VALUES ('no-group', 'u1')") == .constraint)
            // SQL errors are not constraint errors
            #expect(await code("SELECT * FROM no_such_table") == .invalidSQL)
        }
    }

    @Test(arguments: StorageBackend.available)
    func oneActiveRunPerDirectoryAndState(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let now = Timestamp.format(t0)
            try await database.write { db in
                try db.execute("""
                    INSERT INTO directories (id, domain, org_id, org_host, api_token_ciphertext, api_token_hint, schedule, created_at, updated_at)
                    VALUES ('d1', 'acme.okta.com', '00o1', 'acme.okta.com', \(Data([1])), 'abcd', '{}', \(now), \(now))
                    """)
                try db.execute("INSERT INTO sync_runs (id, directory_id, trigger, kind, state, queued_at, started_at) VALUES ('r1', 'd1', 'manual', 'full', 'running', \(now), \(now))")
                try db.execute("INSERT INTO sync_runs (id, directory_id, trigger, kind, state, queued_at) VALUES ('r2', 'd1', 'manual', 'incremental', 'queued', \(now))")
            }
            let error = try await #require(throws: StorageError.self) {
                try await database.write { db in
                    try db.execute("INSERT INTO sync_runs (id, directory_id, trigger, kind, state, queued_at, started_at) VALUES ('r3', 'd1', 'schedule', 'full', 'running', \(now), \(now))")
                }
            }
            #expect(error.code == .conflict)
            // Finished runs do not count.
            try await database.write { db in
                try db.execute("UPDATE sync_runs SET state = 'succeeded', finished_at = \(now) WHERE id = 'r1'")
                try db.execute("INSERT INTO sync_runs (id, directory_id, trigger, kind, state, queued_at, started_at) VALUES ('r3', 'd1', 'schedule', 'full', 'running', \(now), \(now))")
            }
            // Deleting the directory removes its runs (ON DELETE CASCADE).
            try await database.write { db in try db.execute("DELETE FROM directories WHERE id = 'd1'") }
            let runs = try await database.read { db in try db.fetchValue("SELECT count(*) FROM sync_runs", as: Int.self) }
            #expect(runs == 0)
        }
    }

    @Test(arguments: StorageBackend.available)
    func runsPageNewestFirstWithTiesBrokenById(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let created = Timestamp.format(t0)
            let counts = String(decoding: try JSONEncoder().encode(SyncCounts()), as: UTF8.self)
            try await database.write { db in
                try db.execute("""
                    INSERT INTO directories (id, domain, org_id, org_host, api_token_ciphertext, api_token_hint, schedule, created_at, updated_at)
                    VALUES ('d1', 'acme.okta.com', '00o1', 'acme.okta.com', \(Data([1])), 'abcd', '{"frequency":"manual"}', \(created), \(created))
                    """)
                try db.execute("""
                    INSERT INTO directories (id, domain, org_id, org_host, api_token_ciphertext, api_token_hint, schedule, created_at, updated_at)
                    VALUES ('d2', 'beta.okta.com', '00o2', 'beta.okta.com', \(Data([1])), 'abcd', '{"frequency":"manual"}', \(created), \(created))
                    """)
                // Five finished runs of d1; r3 and r4 were queued in the same millisecond.
                for (id, seconds) in [("r1", 0.0), ("r2", 60), ("r3", 120), ("r4", 120), ("r5", 180)] {
                    let queued = t0.addingTimeInterval(seconds)
                    try db.execute("""
                        INSERT INTO sync_runs (id, directory_id, trigger, kind, state, queued_at, started_at, finished_at, counts)
                        VALUES (\(id), 'd1', 'manual', 'full', 'succeeded', \(queued), \(queued), \(queued), \(counts))
                        """)
                }
                try db.execute("""
                    INSERT INTO sync_runs (id, directory_id, trigger, kind, state, queued_at, started_at, finished_at, counts)
                    VALUES ('other', 'd2', 'manual', 'full', 'succeeded', \(t0), \(t0), \(t0), \(counts))
                    """)
            }
            let store = SQLStore(database: database)
            var seen: [String] = []
            var after: ListingPosition?
            var pages = 0
            repeat {
                let page = try await store.runs(of: DirectoryID("d1"), after: after, limit: 2)
                seen += page.items.map(\.id.rawValue)
                after = page.next
                pages += 1
            } while after != nil && pages < 10
            #expect(seen == ["r5", "r4", "r3", "r2", "r1"])
            #expect(pages == 3)
            let exact = try await store.runs(of: DirectoryID("d1"), after: nil, limit: 5)
            #expect(exact.items.count == 5 && exact.next == nil)
            // The unpaged form agrees with the first page.
            #expect(try await store.runs(of: DirectoryID("d1"), limit: 2).map(\.id.rawValue) == ["r5", "r4"])
        }
    }
}

/// Leases and fencing, on every backend.
struct LeaseTests {
    @Test(arguments: StorageBackend.available)
    func leasesExcludeOthersAndFencesIncrease(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            let a = try #require(try await store.acquireLease("sync:d1", owner: "a", ttl: .seconds(30)))
            #expect(a.fence == 1)
            #expect(try await store.acquireLease("sync:d1", owner: "b", ttl: .seconds(30)) == nil)
            // Re-acquiring a live lease as its owner is a renewal: same fence.
            #expect(try await store.acquireLease("sync:d1", owner: "a", ttl: .seconds(30))?.fence == 1)
            let renewed = try #require(try await store.renewLease(a, ttl: .seconds(30)))
            #expect(renewed.fence == 1)
            try await database.write { db in try SQLStore.checkFence(a, in: db) }

            // Other names are independent.
            #expect(try await store.acquireLease("sync:d2", owner: "b", ttl: .seconds(30))?.fence == 1)

            try await store.releaseLease(a)
            let b = try #require(try await store.acquireLease("sync:d1", owner: "b", ttl: .seconds(30)))
            #expect(b.fence == 2)
            // The old holder can neither renew nor commit under its fence.
            #expect(try await store.renewLease(a, ttl: .seconds(30)) == nil)
            let error = try await #require(throws: StorageError.self) {
                try await database.write { db in try SQLStore.checkFence(a, in: db) }
            }
            #expect(error.code == .conflict)
        }
    }

    @Test(arguments: StorageBackend.available)
    func anExpiredLeaseCanBeTakenWithAHigherFence(_ backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let store = SQLStore(database: database)
            // A zero TTL expires at once (by the database's clock): no waiting in tests.
            let a = try #require(try await store.acquireLease("sync:d1", owner: "a", ttl: .zero))
            let b = try #require(try await store.acquireLease("sync:d1", owner: "b", ttl: .seconds(30)))
            #expect(b.fence == a.fence + 1)
            await #expect(throws: StorageError.self) {
                try await database.write { db in try SQLStore.checkFence(a, in: db) }
            }
            #expect(try await store.acquireLease("sync:d1", owner: "a", ttl: .seconds(30)) == nil)
        }
    }
}
