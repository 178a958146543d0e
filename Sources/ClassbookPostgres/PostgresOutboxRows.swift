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

    /// Saves notifications, dated `at`.
    static func save(_ deliveries: [NotificationDelivery], at: Date, _ sql: SQL) async throws {
        for delivery in deliveries {
            switch delivery {
            case .chat(let account, let lines, let deliverAfter):
                try await chat(lines, for: account, at: at, deliverAfter: deliverAfter, sql)
            case .external(let channel, let account, let address, let subject, let body, let notBefore):
                try await external(
                    channel, account: account, address: address, subject: subject, body: body, notBefore: notBefore,
                    at: at, sql)
            case .summary(let account, let text):
                try await summary(text, for: account, at: at, sql)
            }
        }
    }

    /// Voids every device token of the account: what a password change, a breach or an unlock
    /// does, in the same transaction.
    static func voidTokens(of account: AccountID, at: Date, _ sql: SQL) async throws {
        try await sql.execute(
            "UPDATE device_tokens SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL", at, account.rawValue)
    }
}
