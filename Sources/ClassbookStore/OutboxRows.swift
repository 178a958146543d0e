import ClassbookDomain
import Foundation
import GRDB

/// The rows of the three outboxes (the bot's messages, email and SMS, daily summaries), written
/// by the repositories and by the dispatch of journal events alike.
enum OutboxRows {
    static func chat(
        _ lines: [String], for account: AccountID, at: Date, source: String? = nil, deliverAfter: Date?,
        msgid: String? = nil, _ db: Database
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO bot_outbox (account_id, text, created_at, source, deliver_after, msgid)
                    VALUES (?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [account.rawValue, lines.joined(separator: "\n"), at, source, deliverAfter, msgid])
    }

    static func external(
        _ channel: ExternalMessage.Channel, account: AccountID?, address: String, subject: String, body: String,
        notBefore: Date, at: Date, _ db: Database
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO external_outbox (channel, account_id, address, subject, body, created_at, next_attempt_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [channel.rawValue, account?.rawValue, address, subject, body, at, notBefore])
    }

    static func summary(_ text: String, for account: AccountID, at: Date, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO notification_queue (account_id, text, created_at) VALUES (?, ?, ?)")
            .execute(arguments: [account.rawValue, text, at])
    }

    /// Saves notifications, dated `at`.
    static func save(_ deliveries: [NotificationDelivery], at: Date, _ db: Database) throws {
        for delivery in deliveries {
            switch delivery {
            case .chat(let account, let lines, let deliverAfter):
                try chat(lines, for: account, at: at, deliverAfter: deliverAfter, db)
            case .external(let channel, let account, let address, let subject, let body, let notBefore):
                try external(
                    channel, account: account, address: address, subject: subject, body: body, notBefore: notBefore,
                    at: at, db)
            case .summary(let account, let text):
                try summary(text, for: account, at: at, db)
            }
        }
    }
}
