/// The schema on PostgreSQL, migration by migration (named as SQLite's are, where they match).
enum PostgresMigrations {
    static let all: [(name: String, statements: [String])] = [
        (
            "v1-accounts-audit",
            [
                """
                CREATE TABLE accounts (
                    id BIGSERIAL PRIMARY KEY,
                    login TEXT NOT NULL UNIQUE,
                    display_name TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    language TEXT NOT NULL DEFAULT 'ru' CHECK (language IN ('ru', 'en')),
                    created_at TIMESTAMPTZ NOT NULL,
                    must_change_password BOOLEAN NOT NULL DEFAULT false,
                    locked_at TIMESTAMPTZ,
                    locked_reason TEXT
                )
                """,
                """
                CREATE TABLE account_roles (
                    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                    role TEXT NOT NULL,
                    PRIMARY KEY (account_id, role)
                )
                """,
                """
                CREATE TABLE device_tokens (
                    id BIGSERIAL PRIMARY KEY,
                    account_id BIGINT NOT NULL REFERENCES accounts(id),
                    name TEXT NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE,
                    created_at TIMESTAMPTZ NOT NULL,
                    last_used_at TIMESTAMPTZ,
                    revoked_at TIMESTAMPTZ
                )
                """,
                "CREATE INDEX device_tokens_by_account ON device_tokens(account_id) WHERE revoked_at IS NULL",
                // The chain's fields as text and numbers (AuditRecord), the same as in SQLite.
                """
                CREATE TABLE audit_log (
                    id BIGINT PRIMARY KEY,
                    at TEXT NOT NULL,
                    actor_id BIGINT,
                    session_id TEXT NOT NULL,
                    action TEXT NOT NULL,
                    entity TEXT NOT NULL,
                    entity_id TEXT NOT NULL,
                    old_value TEXT,
                    new_value TEXT,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                )
                """
            ]
        ),
        (
            "v14-change-feed",
            [
                """
                CREATE TABLE change_feed (
                    seq BIGSERIAL PRIMARY KEY,
                    origin TEXT NOT NULL,
                    topic TEXT NOT NULL,
                    account_id BIGINT NOT NULL,
                    ref TEXT,
                    detail TEXT,
                    at TIMESTAMPTZ NOT NULL
                )
                """,
                "CREATE INDEX change_feed_by_time ON change_feed(at)"
            ]
        ),
        (
            "v15-nodes",
            [
                """
                CREATE TABLE nodes (
                    node TEXT PRIMARY KEY,
                    identity TEXT,
                    started_at TIMESTAMPTZ NOT NULL,
                    heartbeat_at TIMESTAMPTZ NOT NULL
                )
                """,
                """
                CREATE TABLE node_sessions (
                    id TEXT PRIMARY KEY,
                    node TEXT NOT NULL,
                    account_id BIGINT NOT NULL,
                    client TEXT NOT NULL,
                    address TEXT NOT NULL,
                    connected_at TIMESTAMPTZ NOT NULL
                )
                """,
                "CREATE INDEX node_sessions_by_account ON node_sessions(account_id)",
                "CREATE INDEX node_sessions_by_node ON node_sessions(node)",
                "CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, until TIMESTAMPTZ NOT NULL)"
            ]
        ),
        ("v16-school", PostgresSchoolSchema.statements),
        ("v17-feed-triggers", feedTriggers),
        ("v18-structure-published", structureTriggers),
        (
            "v19-rosters-published",
            ["students", "guardianships", "classes"].map { table in
                """
                CREATE TRIGGER \(table)_structure AFTER INSERT OR UPDATE OR DELETE ON \(table)
                FOR EACH STATEMENT EXECUTE FUNCTION classbook_publish_structure()
                """
            }
        ),
        ("v20-audit-tail", [auditTail])
    ]

    /// The audit chain's last record, read under the chain's lock in one round trip: the lock
    /// is taken first, and the read after it sees what was committed until then (a volatile
    /// function's statements each read a fresh snapshot), so a batch that had to wait for the
    /// lock chains after the record the batch before it committed. `AuditAppender.flush` calls it.
    static let auditTail = """
        CREATE FUNCTION classbook_audit_tail() RETURNS TABLE (id BIGINT, hash TEXT) LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(\(PostgresAudit.lock));
            RETURN QUERY SELECT a.id, a.hash FROM audit_log a ORDER BY a.id DESC LIMIT 1;
        END
        $$
        """

    /// A statement that changes the school's structure (settings, mark kinds, years, periods,
    /// holidays; and from v19 its students, guardianships and classes, which rosters are made of)
    /// publishes one `structure` entry on the feed in its transaction, so that every node drops
    /// what it keeps of it (`PostgresStructureMemo`).
    static let structureTriggers =
        [
            """
            CREATE FUNCTION classbook_publish_structure() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                published BIGINT;
            BEGIN
                PERFORM pg_advisory_xact_lock(\(PostgresStore.feedLock));
                INSERT INTO change_feed (origin, topic, account_id, at)
                VALUES (coalesce(current_setting('classbook.node', true), ''), 'structure', 0, now())
                RETURNING change_feed.seq INTO published;
                PERFORM pg_notify('\(PostgresStore.feedChannel)', published::text);
                RETURN NULL;
            END
            $$
            """
        ]
        + ["school_settings", "mark_kinds", "school_years", "periods", "holidays"].map { table in
            """
            CREATE TRIGGER \(table)_structure AFTER INSERT OR UPDATE OR DELETE ON \(table)
            FOR EACH STATEMENT EXECUTE FUNCTION classbook_publish_structure()
            """
        }

    /// A message saved in `bot_outbox` or `direct_messages`, and a post saved in `board_posts`, is
    /// published on the change feed by a trigger in the same transaction (as SQLite's triggers
    /// do), under the writing node's name (`classbook.node`, which each of the node's connections
    /// sets when it opens), in order under the feed's lock, and the commit notifies the listeners.
    static let feedTriggers = [
        """
        CREATE FUNCTION classbook_publish() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            published BIGINT;
        BEGIN
            PERFORM pg_advisory_xact_lock(\(PostgresStore.feedLock));
            IF TG_TABLE_NAME = 'bot_outbox' THEN
                INSERT INTO change_feed (origin, topic, account_id, ref, at)
                VALUES (coalesce(current_setting('classbook.node', true), ''), 'bot_message', NEW.account_id,
                    NEW.id::text, now())
                RETURNING change_feed.seq INTO published;
            ELSIF TG_TABLE_NAME = 'direct_messages' THEN
                INSERT INTO change_feed (origin, topic, account_id, ref, at)
                VALUES (coalesce(current_setting('classbook.node', true), ''), 'direct_message', NEW.recipient_id,
                    NEW.id::text, now())
                RETURNING change_feed.seq INTO published;
            ELSE
                INSERT INTO change_feed (origin, topic, account_id, ref, detail, at)
                VALUES (coalesce(current_setting('classbook.node', true), ''), 'post', NEW.author_id, NEW.msgid,
                    (SELECT msgid FROM board_posts WHERE id = NEW.thread_id), now())
                RETURNING change_feed.seq INTO published;
            END IF;
            PERFORM pg_notify('\(PostgresStore.feedChannel)', published::text);
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER bot_outbox_published AFTER INSERT ON bot_outbox
        FOR EACH ROW EXECUTE FUNCTION classbook_publish()
        """,
        """
        CREATE TRIGGER direct_messages_published AFTER INSERT ON direct_messages
        FOR EACH ROW EXECUTE FUNCTION classbook_publish()
        """,
        """
        CREATE TRIGGER board_posts_published AFTER INSERT ON board_posts
        FOR EACH ROW EXECUTE FUNCTION classbook_publish()
        """
    ]

    /// Migrations after which every audited row gets a baseline audit record (the rows they
    /// insert: the school's settings and mark kinds), as SQLite's v2 and v3 give them.
    static let baselined: Set<String> = ["v16-school"]
}
