public import PierStorage

/// The SQLite schema, as an ordered list of immutable migrations.
///
/// Rules (docs/STORAGE.md): never edit a migration once merged; add a new one at the end. Ids sort
/// in order. Timestamps are TEXT in ``Timestamp`` form (`YYYY-MM-DDTHH:MM:SS.sssZ`, UTC); ids are TEXT
/// (lowercase UUIDs) except `audit_log` and `sync_run_objects`, which use increasing integers; JSON
/// columns are TEXT checked with `json_valid`; booleans are INTEGER 0/1. Tables are STRICT, so SQLite
/// enforces the column types.
public enum SQLiteMigrations {
    /// Every migration, in order.
    public static let all: [Migration] = [
        initialSchema,
        syncRunObjectsByOktaID,
        usersByDirectoryAndLogin,
        stagingWithoutRunForeignKeys,
    ]

    /// Staging rows no longer reference `sync_runs`: the foreign key was checked for every staged row
    /// (≈ 450,000 in a 100k sync; on PostgreSQL a trigger and a row lock each, ≈ 2 s). Each staging
    /// write now checks once that its run is still running; staging is dropped explicitly with its
    /// run, its domain and by the retention purge (which also sweeps rows of runs no longer running).
    /// A rebuild (SQLite cannot drop a foreign key), rows copied.
    static let stagingWithoutRunForeignKeys = Migration(id: "0004-staging-without-run-foreign-keys", sql: """
        CREATE TABLE sync_staging_users_new (
            run_id TEXT NOT NULL,
            okta_id TEXT NOT NULL,
            okta_status TEXT NOT NULL,
            login TEXT NOT NULL,
            email TEXT,
            first_name TEXT,
            last_name TEXT,
            phone TEXT,
            department TEXT,
            title TEXT,
            profile TEXT CHECK (profile IS NULL OR json_valid(profile)),
            okta_last_updated TEXT,
            PRIMARY KEY (run_id, okta_id)
        ) STRICT, WITHOUT ROWID;
        INSERT INTO sync_staging_users_new (run_id, okta_id, okta_status, login, email, first_name, last_name, phone,
            department, title, profile, okta_last_updated)
        SELECT run_id, okta_id, okta_status, login, email, first_name, last_name, phone, department, title, profile,
            okta_last_updated FROM sync_staging_users;
        DROP TABLE sync_staging_users;
        ALTER TABLE sync_staging_users_new RENAME TO sync_staging_users;

        CREATE TABLE sync_staging_groups_new (
            run_id TEXT NOT NULL,
            okta_id TEXT NOT NULL,
            name TEXT NOT NULL,
            description TEXT,
            type TEXT NOT NULL,
            member_count INTEGER,
            okta_last_updated TEXT,
            members_complete INTEGER NOT NULL DEFAULT 0 CHECK (members_complete IN (0, 1)),
            PRIMARY KEY (run_id, okta_id)
        ) STRICT, WITHOUT ROWID;
        INSERT INTO sync_staging_groups_new (run_id, okta_id, name, description, type, member_count, okta_last_updated,
            members_complete)
        SELECT run_id, okta_id, name, description, type, member_count, okta_last_updated, members_complete
        FROM sync_staging_groups;
        DROP TABLE sync_staging_groups;
        ALTER TABLE sync_staging_groups_new RENAME TO sync_staging_groups;

        CREATE TABLE sync_staging_members_new (
            run_id TEXT NOT NULL,
            group_okta_id TEXT NOT NULL,
            user_okta_id TEXT NOT NULL,
            PRIMARY KEY (run_id, group_okta_id, user_okta_id)
        ) STRICT, WITHOUT ROWID;
        INSERT INTO sync_staging_members_new (run_id, group_okta_id, user_okta_id)
        SELECT run_id, group_okta_id, user_okta_id FROM sync_staging_members;
        DROP TABLE sync_staging_members;
        ALTER TABLE sync_staging_members_new RENAME TO sync_staging_members;
        """, disablesForeignKeys: true)

    /// The user listing of a domain (`GET /api/v1/users?domain=…`, ordered by login then id, keyset
    /// pages) reads one index range per page instead of sorting the domain's users for each page.
    static let usersByDirectoryAndLogin = Migration(id: "0003-users-by-directory-and-login", sql: """
        CREATE INDEX users_directory_login ON users (directory_id, login, id);
        """)

    /// Lets a sync find an object's latest outcome (DESIGN.md §6: outcome rows are written only when
    /// the outcome changes) without scanning every run's rows.
    static let syncRunObjectsByOktaID = Migration(id: "0002-sync-run-objects-by-okta-id", sql: """
        CREATE INDEX sync_run_objects_okta ON sync_run_objects (okta_id, object_kind);
        """)

    static let initialSchema = Migration(id: "0001-initial-schema", sql: """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY NOT NULL CHECK (key <> ''),
            value TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;

        -- Okta domains (DESIGN.md §1.1, §3). Secrets are AES-GCM ciphertexts (§7).
        CREATE TABLE directories (
            id TEXT PRIMARY KEY NOT NULL,
            domain TEXT NOT NULL CHECK (domain <> ''),
            org_id TEXT NOT NULL UNIQUE CHECK (org_id <> ''),
            org_host TEXT NOT NULL CHECK (org_host <> ''),
            endpoint TEXT,
            note TEXT,
            api_token_ciphertext BLOB NOT NULL,
            api_token_hint TEXT NOT NULL,
            self_enroll INTEGER NOT NULL DEFAULT 0 CHECK (self_enroll IN (0, 1)),
            self_enroll_blocked_reason TEXT,
            schedule TEXT NOT NULL CHECK (json_valid(schedule)),
            identity_app_id TEXT,
            identity_client_id TEXT,
            identity_client_secret_ciphertext BLOB,
            identity_app_drift TEXT,
            leaver_policy TEXT NOT NULL DEFAULT 'keep' CHECK (leaver_policy <> ''),
            guard_thresholds TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(guard_thresholds)),
            watermark TEXT,
            last_full_sync_at TEXT,
            token_used_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE users (
            id TEXT PRIMARY KEY NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('local', 'directory')),
            directory_id TEXT REFERENCES directories (id) ON DELETE CASCADE,
            okta_id TEXT,
            login TEXT NOT NULL CHECK (login <> ''),
            email TEXT,
            first_name TEXT,
            last_name TEXT,
            phone TEXT,
            department TEXT,
            title TEXT,
            status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'deactivated')),
            okta_status TEXT,
            profile TEXT CHECK (profile IS NULL OR json_valid(profile)),
            okta_last_updated TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK ((source = 'local') = (directory_id IS NULL)),
            CHECK (source = 'local' OR okta_id IS NOT NULL),
            UNIQUE (directory_id, okta_id)
        ) STRICT;
        CREATE INDEX users_directory_status ON users (directory_id, status);
        CREATE INDEX users_login ON users (login);
        CREATE UNIQUE INDEX users_local_login ON users (login) WHERE source = 'local';

        CREATE TABLE groups (
            id TEXT PRIMARY KEY NOT NULL,
            directory_id TEXT NOT NULL REFERENCES directories (id) ON DELETE CASCADE,
            okta_id TEXT NOT NULL CHECK (okta_id <> ''),
            name TEXT NOT NULL,
            description TEXT,
            type TEXT NOT NULL CHECK (type IN ('OKTA_GROUP', 'APP_GROUP', 'BUILT_IN')),
            okta_last_updated TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (directory_id, okta_id)
        ) STRICT;

        CREATE TABLE group_members (
            group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            PRIMARY KEY (group_id, user_id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX group_members_user ON group_members (user_id);

        -- Removed directory objects, kept 30 days so a reappearing Okta id revives the same Pier id.
        CREATE TABLE tombstones (
            directory_id TEXT NOT NULL REFERENCES directories (id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('user', 'group')),
            okta_id TEXT NOT NULL,
            pier_id TEXT NOT NULL,
            removed_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            run_id TEXT,
            PRIMARY KEY (directory_id, kind, okta_id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX tombstones_expiry ON tombstones (expires_at);

        CREATE TABLE sync_runs (
            id TEXT PRIMARY KEY NOT NULL,
            directory_id TEXT NOT NULL REFERENCES directories (id) ON DELETE CASCADE,
            trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual', 'initial')),
            kind TEXT NOT NULL CHECK (kind IN ('full', 'incremental')),
            state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'awaiting_approval', 'succeeded',
                                                  'failed', 'discarded', 'interrupted')),
            queued_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT,
            counts TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(counts)),
            held TEXT CHECK (held IS NULL OR json_valid(held)),
            okta_requests INTEGER NOT NULL DEFAULT 0 CHECK (okta_requests >= 0),
            rate_limit_wait_seconds REAL NOT NULL DEFAULT 0 CHECK (rate_limit_wait_seconds >= 0),
            error TEXT CHECK (error IS NULL OR json_valid(error)),
            progress TEXT CHECK (progress IS NULL OR json_valid(progress)),
            progress_updated_at TEXT,
            server_time_at_start TEXT,
            fence INTEGER,
            lease_owner TEXT,
            CHECK (state = 'queued' OR started_at IS NOT NULL),
            CHECK (state IN ('queued', 'running', 'awaiting_approval') OR finished_at IS NOT NULL)
        ) STRICT;
        -- At most one queued, one running and one awaiting-approval run per directory (DESIGN.md §8:
        -- one run at a time, one queued follow-up, one pending approval that a later run replaces).
        CREATE UNIQUE INDEX sync_runs_one_active_per_state ON sync_runs (directory_id, state)
            WHERE state IN ('queued', 'running', 'awaiting_approval');
        CREATE INDEX sync_runs_directory_queued ON sync_runs (directory_id, queued_at);

        -- Per-object outcomes, written only when an object's outcome changes (DESIGN.md §6).
        CREATE TABLE sync_run_objects (
            id INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
            object_kind TEXT NOT NULL CHECK (object_kind IN ('user', 'group', 'membership')),
            okta_id TEXT NOT NULL,
            pier_id TEXT,
            outcome TEXT NOT NULL CHECK (outcome IN ('created', 'updated', 'deactivated', 'removed', 'revived',
                                                      'skipped', 'held', 'added', 'dropped')),
            reason TEXT,
            details TEXT CHECK (details IS NULL OR json_valid(details)),
            at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX sync_run_objects_run ON sync_run_objects (run_id, object_kind);

        -- Staging: what a run read from Okta, keyed by run; dropped with the run's apply.
        CREATE TABLE sync_staging_users (
            run_id TEXT NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
            okta_id TEXT NOT NULL,
            okta_status TEXT NOT NULL,
            login TEXT NOT NULL,
            email TEXT,
            first_name TEXT,
            last_name TEXT,
            phone TEXT,
            department TEXT,
            title TEXT,
            profile TEXT CHECK (profile IS NULL OR json_valid(profile)),
            okta_last_updated TEXT,
            PRIMARY KEY (run_id, okta_id)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE sync_staging_groups (
            run_id TEXT NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
            okta_id TEXT NOT NULL,
            name TEXT NOT NULL,
            description TEXT,
            type TEXT NOT NULL,
            member_count INTEGER,
            okta_last_updated TEXT,
            members_complete INTEGER NOT NULL DEFAULT 0 CHECK (members_complete IN (0, 1)),
            PRIMARY KEY (run_id, okta_id)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE sync_staging_members (
            run_id TEXT NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
            group_okta_id TEXT NOT NULL,
            user_okta_id TEXT NOT NULL,
            PRIMARY KEY (run_id, group_okta_id, user_okta_id)
        ) STRICT, WITHOUT ROWID;

        -- Leases (DESIGN.md §8): a row is kept after release so its fence never goes back.
        CREATE TABLE leases (
            name TEXT PRIMARY KEY NOT NULL,
            owner TEXT NOT NULL,
            fence INTEGER NOT NULL CHECK (fence > 0),
            acquired_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE scheduler_slots (
            directory_id TEXT NOT NULL REFERENCES directories (id) ON DELETE CASCADE,
            scheduled_for TEXT NOT NULL,
            claimed_by TEXT NOT NULL,
            claimed_at TEXT NOT NULL,
            run_id TEXT REFERENCES sync_runs (id) ON DELETE SET NULL,
            PRIMARY KEY (directory_id, scheduled_for)
        ) STRICT;

        CREATE TABLE devices (
            id TEXT PRIMARY KEY NOT NULL,
            platform TEXT NOT NULL CHECK (platform IN ('ios', 'ipados', 'macos', 'android', 'windows')),
            name TEXT,
            model TEXT,
            serial_number TEXT CHECK (serial_number IS NULL OR serial_number <> ''),
            udid TEXT CHECK (udid IS NULL OR udid <> ''),
            imei TEXT,
            os_version TEXT,
            ownership TEXT NOT NULL DEFAULT 'unknown' CHECK (ownership IN ('corporate', 'personal', 'unknown')),
            state TEXT NOT NULL CHECK (state IN ('enrolled', 'disenrolled')),
            -- RESTRICT: removing a user with devices needs an explicit decision (DESIGN.md §1.3).
            owner_user_id TEXT REFERENCES users (id) ON DELETE RESTRICT,
            enrolled_via TEXT NOT NULL CHECK (enrolled_via IN ('okta', 'open')),
            directory_id TEXT REFERENCES directories (id) ON DELETE SET NULL,
            secret_hash TEXT UNIQUE,
            enrolled_at TEXT NOT NULL,
            last_seen_at TEXT,
            disenrolled_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT;
        CREATE UNIQUE INDEX devices_udid ON devices (udid) WHERE udid IS NOT NULL AND state = 'enrolled';
        CREATE INDEX devices_owner ON devices (owner_user_id);

        CREATE TABLE enrollment_tokens (
            id TEXT PRIMARY KEY NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            platform TEXT NOT NULL CHECK (platform IN ('ios', 'ipados', 'macos', 'android', 'windows')),
            user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
            directory_id TEXT REFERENCES directories (id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT,
            device_id TEXT REFERENCES devices (id) ON DELETE SET NULL
        ) STRICT;

        CREATE TABLE device_commands (
            id TEXT PRIMARY KEY NOT NULL,
            device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
            request_type TEXT NOT NULL CHECK (request_type <> ''),
            payload TEXT CHECK (payload IS NULL OR json_valid(payload)),
            status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'acknowledged', 'error', 'not_now', 'cancelled')),
            result TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX device_commands_queue ON device_commands (device_id, status, created_at);

        -- One OIDC sign-in attempt, keyed by `state`, single-use, short-lived (DESIGN.md §7).
        CREATE TABLE oidc_attempts (
            state TEXT PRIMARY KEY NOT NULL,
            directory_id TEXT NOT NULL REFERENCES directories (id) ON DELETE CASCADE,
            code_verifier TEXT NOT NULL,
            nonce TEXT NOT NULL,
            platform TEXT,
            browser_binding_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            consumed_at TEXT
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX oidc_attempts_expiry ON oidc_attempts (expires_at);

        CREATE TABLE admins (
            id TEXT PRIMARY KEY NOT NULL,
            username TEXT NOT NULL UNIQUE CHECK (username <> ''),
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            disabled_at TEXT
        ) STRICT;

        CREATE TABLE sessions (
            id TEXT PRIMARY KEY NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            admin_id TEXT NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
            csrf_token_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            last_seen_at TEXT
        ) STRICT;

        CREATE TABLE api_tokens (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL CHECK (name <> ''),
            token_hash TEXT NOT NULL UNIQUE CHECK (token_hash <> ''),
            created_at TEXT NOT NULL,
            last_used_at TEXT,
            revoked_at TEXT
        ) STRICT;

        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL CHECK (actor <> ''),
            action TEXT NOT NULL CHECK (action <> ''),
            target TEXT,
            details TEXT CHECK (details IS NULL OR json_valid(details))
        ) STRICT;
        """)
}
