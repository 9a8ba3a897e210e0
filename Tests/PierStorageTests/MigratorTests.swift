import Foundation
import PierLogging
import PierStorage
import PierTestSupport
import Testing

/// Migration behaviour, on every backend.
struct MigratorTests {
    private func migrator(_ migrations: [Migration], version: String = "1.0.0") -> Migrator {
        Migrator(migrations: migrations, pierVersion: version, logger: .disabled(), now: { Date(timeIntervalSince1970: 1_800_000_000) })
    }

    @Test(arguments: StorageBackend.available)
    func migrationsApplyAndAreRecordedWithChecksums(_ backend: StorageBackend) async throws {
        try await backend.withDatabase(migrated: false) { database in
            let migrator = migrator(backend.migrations)
            let applied = try await migrator.migrate(database)
            #expect(applied == backend.migrations.map(\.id))
            let records = try await migrator.appliedMigrations(in: database)
            #expect(records.map(\.id) == backend.migrations.map(\.id))
            #expect(records.map(\.checksum) == backend.migrations.map(\.checksum))
            #expect(records.allSatisfy { $0.pierVersion == "1.0.0" && $0.appliedAt == "2027-01-15T08:00:00.000Z" })
            // A second run is a no-op.
            #expect(try await migrator.migrate(database).isEmpty)
            #expect(try await migrator.pendingMigrations(in: database).isEmpty)
        }
    }

    @Test(arguments: StorageBackend.available)
    func pendingMigrationsAreReportedWithoutApplyingThem(_ backend: StorageBackend) async throws {
        try await backend.withDatabase(migrated: false) { database in
            let migrator = migrator(backend.migrations)
            let pending = try await migrator.pendingMigrations(in: database)
            #expect(pending.map(\.id) == backend.migrations.map(\.id))
            #expect(try await migrator.appliedMigrations(in: database).isEmpty)
            // Still pending: nothing was applied.
            #expect(try await migrator.pendingMigrations(in: database).count == backend.migrations.count)

            try await migrator.migrate(database)
            let next = Migration(id: "9001-test-extra", sql: "CREATE TABLE test_extra (id INTEGER NOT NULL)")
            let pendingNext = try await self.migrator(backend.migrations + [next]).pendingMigrations(in: database)
            #expect(pendingNext.map(\.id) == ["9001-test-extra"])
        }
    }

    @Test(arguments: StorageBackend.available)
    func aChangedChecksumIsRefused(_ backend: StorageBackend) async throws {
        try await backend.withDatabase(migrated: false) { database in
            let original = Migration(id: "9001-test-table", sql: "CREATE TABLE test_table (id INTEGER NOT NULL)")
            try await migrator(backend.migrations + [original]).migrate(database)

            let edited = Migration(id: "9001-test-table", sql: "CREATE TABLE test_table (id INTEGER NOT NULL, x TEXT)")
            let changed = migrator(backend.migrations + [edited])
            let error = try await #require(throws: StorageError.self) { try await changed.pendingMigrations(in: database) }
            #expect(error.code == .migrationFailed)
            #expect(error.message.contains("9001-test-table"))
            await #expect(throws: StorageError.self) { try await changed.migrate(database) }
        }
    }

    @Test(arguments: StorageBackend.available)
    func aDatabaseMigratedByANewerPierIsRefused(_ backend: StorageBackend) async throws {
        try await backend.withDatabase(migrated: false) { database in
            let future = Migration(id: "9999-from-the-future", sql: "CREATE TABLE future_table (id INTEGER NOT NULL)")
            try await migrator(backend.migrations + [future], version: "9.0.0").migrate(database)

            let current = migrator(backend.migrations)
            for attempt in 0..<2 {
                let error = try await #require(throws: StorageError.self) {
                    if attempt == 0 { _ = try await current.pendingMigrations(in: database) } else { try await current.migrate(database) }
                }
                #expect(error.code == .schemaTooNew)
                #expect(error.message.contains("9999-from-the-future"))
                #expect(error.message.contains("9.0.0"))
            }
        }
    }

    @Test(arguments: StorageBackend.available)
    func aFailingMigrationRollsBackEntirely(_ backend: StorageBackend) async throws {
        try await backend.withDatabase(migrated: false) { database in
            let failing = Migration(id: "9001-test-failing", sql: """
                CREATE TABLE half_done (id INTEGER NOT NULL);
                INSERT INTO half_done (id) VALUES (1);
                INSERT INTO no_such_table (id) VALUES (1)
                """)
            let migrator = migrator(backend.migrations + [failing])
            let error = try await #require(throws: StorageError.self) { try await migrator.migrate(database) }
            #expect(error.code == .migrationFailed)
            #expect(error.message.contains("9001-test-failing"))
            // The earlier migrations stay applied; the failing one left nothing behind.
            #expect(try await migrator.appliedMigrations(in: database).map(\.id) == backend.migrations.map(\.id))
            #expect(try await migrator.pendingMigrations(in: database).map(\.id) == ["9001-test-failing"])
            // half_done does not exist, so it can be created again.
            try await database.write { db in try db.executeScript("CREATE TABLE half_done (id INTEGER NOT NULL)") }
        }
    }

    @Test(arguments: StorageBackend.available)
    func aTableRebuildKeepsRowsAndForeignKeys(_ backend: StorageBackend) async throws {
        try await backend.withDatabase(migrated: false) { database in
            let sql = try RebuildSQL(dialect: database.dialect)
            let migrator = migrator(backend.migrations + [sql.createParentAndChild])
            try await migrator.migrate(database)
            try await database.write { db in
                for parent in 0..<50 {
                    try db.execute("INSERT INTO test_parent (id, name) VALUES (\("p\(parent)"), \("parent \(parent)"))")
                    for child in 0..<3 {
                        try db.execute("INSERT INTO test_child (id, parent_id) VALUES (\("c\(parent)-\(child)"), \("p\(parent)"))")
                    }
                }
            }

            let rebuilt = self.migrator(backend.migrations + [sql.createParentAndChild, sql.rebuildParent])
            #expect(try await rebuilt.migrate(database) == [sql.rebuildParent.id])

            try await database.read { db in
                #expect(try db.fetchValue("SELECT count(*) FROM test_parent", as: Int.self) == 50)
                #expect(try db.fetchValue("SELECT count(*) FROM test_child", as: Int.self) == 150)
                #expect(try db.fetchValue("SELECT count(*) FROM test_parent WHERE label = 'rebuilt'", as: Int.self) == 50)
                let orphans = try db.fetchValue("""
                    SELECT count(*) FROM test_child c LEFT JOIN test_parent p ON p.id = c.parent_id WHERE p.id IS NULL
                    """, as: Int.self)
                #expect(orphans == 0)
            }
            // Foreign keys are enforced again after the rebuild, against the rebuilt table.
            let error = try await #require(throws: StorageError.self) {
                try await database.write { db in
                    try db.execute("INSERT INTO test_child (id, parent_id) VALUES ('orphan', 'no-such-parent')")
                }
            }
            #expect(error.code == .constraint)
        }
    }

    @Test(arguments: StorageBackend.available)
    func aRebuildThatBreaksForeignKeysIsRolledBack(_ backend: StorageBackend) async throws {
        try await backend.withDatabase(migrated: false) { database in
            let sql = try RebuildSQL(dialect: database.dialect)
            try await migrator(backend.migrations + [sql.createParentAndChild]).migrate(database)
            try await database.write { db in
                try db.execute("INSERT INTO test_parent (id, name) VALUES ('p1', 'one'), ('p2', 'two')")
                try db.execute("INSERT INTO test_child (id, parent_id) VALUES ('c1', 'p1'), ('c2', 'p2')")
            }
            let breaking = migrator(backend.migrations + [sql.createParentAndChild, sql.rebuildParentLosingRows])
            let error = try await #require(throws: StorageError.self) { try await breaking.migrate(database) }
            #expect(error.code == .migrationFailed)
            #expect(error.rootCode == .constraint)
            let counts = try await database.read { db in
                [try db.fetchValue("SELECT count(*) FROM test_parent", as: Int.self),
                 try db.fetchValue("SELECT count(*) FROM test_child", as: Int.self)]
            }
            #expect(counts == [2, 2])
            #expect(try await breaking.pendingMigrations(in: database).map(\.id) == [sql.rebuildParentLosingRows.id])
        }
    }
}

/// Test-only migrations for the rebuild tests, in each backend's dialect.
struct RebuildSQL {
    let createParentAndChild: Migration
    let rebuildParent: Migration
    let rebuildParentLosingRows: Migration

    init(dialect: SQLDialect) throws {
        switch dialect {
        case .sqlite:
            createParentAndChild = Migration(id: "9001-test-parent-child", sql: """
                CREATE TABLE test_parent (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL) STRICT;
                CREATE TABLE test_child (
                    id TEXT PRIMARY KEY NOT NULL,
                    parent_id TEXT NOT NULL REFERENCES test_parent (id) ON DELETE CASCADE
                ) STRICT;
                """)
            // The documented 12-step rebuild (https://sqlite.org/lang_altertable.html#otheralter):
            // with foreign keys off, DROP TABLE does not cascade to test_child.
            let rebuild = """
                CREATE TABLE test_parent_new (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL CHECK (name <> ''),
                    label TEXT NOT NULL DEFAULT 'rebuilt'
                ) STRICT;
                INSERT INTO test_parent_new (id, name) SELECT id, name FROM test_parent %@;
                DROP TABLE test_parent;
                ALTER TABLE test_parent_new RENAME TO test_parent;
                """
            rebuildParent = Migration(id: "9002-test-rebuild-parent", sql: rebuild.replacingOccurrences(of: "%@", with: ""), disablesForeignKeys: true)
            rebuildParentLosingRows = Migration(
                id: "9002-test-rebuild-parent-losing-rows",
                sql: rebuild.replacingOccurrences(of: "%@", with: "WHERE id <> 'p2'"),
                disablesForeignKeys: true
            )
        case .postgres:
            createParentAndChild = Migration(id: "9001-test-parent-child", sql: """
                CREATE TABLE test_parent (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL);
                CREATE TABLE test_child (
                    id TEXT PRIMARY KEY NOT NULL,
                    parent_id TEXT NOT NULL REFERENCES test_parent (id) ON DELETE CASCADE
                );
                """)
            // PostgreSQL changes tables in place (ALTER TABLE); a rebuild through a new table, as
            // here, drops the old one with CASCADE (removing test_child's foreign key) and re-adds the
            // foreign key, which validates every existing row.
            let rebuild = """
                CREATE TABLE test_parent_new (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL CHECK (name <> ''),
                    label TEXT NOT NULL DEFAULT 'rebuilt'
                );
                INSERT INTO test_parent_new (id, name) SELECT id, name FROM test_parent %@;
                DROP TABLE test_parent CASCADE;
                ALTER TABLE test_parent_new RENAME TO test_parent;
                ALTER TABLE test_child ADD CONSTRAINT test_child_parent_id_fkey
                    FOREIGN KEY (parent_id) REFERENCES test_parent (id) ON DELETE CASCADE;
                """
            rebuildParent = Migration(id: "9002-test-rebuild-parent", sql: rebuild.replacingOccurrences(of: "%@", with: ""), disablesForeignKeys: true)
            rebuildParentLosingRows = Migration(
                id: "9002-test-rebuild-parent-losing-rows",
                sql: rebuild.replacingOccurrences(of: "%@", with: "WHERE id <> 'p2'"),
                disablesForeignKeys: true
            )
        default:
            throw StorageError(.other, "no rebuild SQL for \(dialect); add it to RebuildSQL")
        }
    }
}
