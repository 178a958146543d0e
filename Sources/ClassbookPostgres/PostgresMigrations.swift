/// The schema on PostgreSQL, migration by migration (named as SQLite's are, where they match).
enum PostgresMigrations {
    static let all: [(name: String, statements: [String])] = [
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
        )
    ]
}
