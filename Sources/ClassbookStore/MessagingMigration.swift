import GRDB

/// Messages between people and from the school: notifications with each person's channels,
/// pace and quiet hours, person-to-person messages kept for the offline, information letters
/// with their readers, boards (forum) with threads, and the outbox of email and SMS.
enum MessagingMigration {
    static func apply(_ db: Database) throws {
        try db.execute(
            sql: """
                -- The outbox carries people's messages too (source: the sender's nick!user@host; NULL
                -- for the bot), and may hold a message until a moment (quiet hours).
                ALTER TABLE bot_outbox ADD COLUMN source TEXT;
                ALTER TABLE bot_outbox ADD COLUMN deliver_after DATETIME;

                CREATE TABLE notification_prefs (
                    account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
                    chat INTEGER NOT NULL DEFAULT 1,
                    email TEXT,
                    sms TEXT,
                    pace TEXT NOT NULL DEFAULT 'instant' CHECK (pace IN ('instant', 'daily')),
                    quiet_start TEXT NOT NULL DEFAULT '21:00',
                    quiet_end TEXT NOT NULL DEFAULT '07:00'
                );
                -- Notifications of people who chose a daily summary, until it is composed.
                CREATE TABLE notification_queue (
                    id INTEGER PRIMARY KEY,
                    account_id INTEGER NOT NULL REFERENCES accounts(id),
                    text TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    summarized_at DATETIME
                );
                CREATE INDEX notification_queue_pending ON notification_queue(account_id) WHERE summarized_at IS NULL;

                CREATE TABLE letters (
                    id INTEGER PRIMARY KEY,
                    class_id INTEGER NOT NULL REFERENCES classes(id),
                    author_id INTEGER NOT NULL REFERENCES accounts(id),
                    text TEXT NOT NULL,
                    created_at DATETIME NOT NULL
                );
                CREATE TABLE letter_recipients (
                    letter_id INTEGER NOT NULL REFERENCES letters(id),
                    guardian_id INTEGER NOT NULL REFERENCES accounts(id),
                    read_at DATETIME,
                    PRIMARY KEY (letter_id, guardian_id)
                ) WITHOUT ROWID;

                -- Email and SMS, sent with retries until they go through.
                CREATE TABLE external_outbox (
                    id INTEGER PRIMARY KEY,
                    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
                    account_id INTEGER REFERENCES accounts(id),
                    address TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    body TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at DATETIME NOT NULL,
                    sent_at DATETIME,
                    last_error TEXT
                );
                CREATE INDEX external_outbox_due ON external_outbox(next_attempt_at) WHERE sent_at IS NULL;

                -- Boards (forum) and their posts: a post with a title starts a thread, replies name it.
                CREATE TABLE board_topics (
                    board TEXT PRIMARY KEY,
                    topic TEXT NOT NULL,
                    set_at DATETIME NOT NULL,
                    set_by TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE board_posts (
                    id INTEGER PRIMARY KEY,
                    board TEXT NOT NULL,
                    thread_id INTEGER REFERENCES board_posts(id),
                    title TEXT,
                    author_id INTEGER NOT NULL REFERENCES accounts(id),
                    author_nick TEXT NOT NULL,
                    text TEXT NOT NULL,
                    msgid TEXT NOT NULL UNIQUE,
                    created_at DATETIME NOT NULL,
                    hidden_at DATETIME,
                    hidden_by INTEGER REFERENCES accounts(id),
                    hidden_reason TEXT
                );
                CREATE INDEX board_posts_by_board ON board_posts(board, id);
                CREATE INDEX board_posts_by_thread ON board_posts(thread_id, id);
                """)
    }
}
