import ClassbookDomain
import Foundation

/// The rows of the three outboxes on PostgreSQL (the bot's messages, email and SMS, daily
/// summaries), as `OutboxRows` writes them in SQLite.
enum PostgresOutboxRows {
    static func chat(
        _ lines: [String], for account: AccountID, at: Date, source: String? = nil, deliverAfter: Date?,
        msgid: String? = nil, _ sql: SQL
    ) async throws {
        try await sql.execute(
            """
            INSERT INTO bot_outbox (account_id, text, created_at, source, deliver_after, msgid)
            VALUES (?, ?, ?, ?::text, ?::timestamptz, ?::text)
            """, account.rawValue, lines.joined(separator: "\n"), at, source, deliverAfter, msgid)
    }

    static func external(
        _ channel: ExternalMessage.Channel, account: AccountID?, address: String, subject: String, body: String,
        notBefore: Date, at: Date, _ sql: SQL
    ) async throws {
        try await sql.execute(
            """
            INSERT INTO external_outbox (channel, account_id, address, subject, body, created_at, next_attempt_at)
            VALUES (?, ?::bigint, ?, ?, ?, ?, ?)
            """, channel.rawValue, account?.rawValue, address, subject, body, at, notBefore)
    }

    static func summary(_ text: String, for account: AccountID, at: Date, _ sql: SQL) async throws {
        try await sql.execute(
            "INSERT INTO notification_queue (account_id, text, created_at) VALUES (?, ?, ?)", account.rawValue, text, at
        )
    }

    /// Voids every device token of the account: what a password change, a breach or an unlock
    /// does, in the same transaction.
    static func voidTokens(of account: AccountID, at: Date, _ sql: SQL) async throws {
        try await sql.execute(
            "UPDATE device_tokens SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL", at, account.rawValue)
    }
}
