import ClassbookDomain
import Foundation
import GRDB

/// Device tokens in the store: what a password change, a breach or an unlock voids, in the same
/// transaction as the change itself.
enum DeviceTokens {
    static func voidAll(_ db: Database, account: AccountID, at: Date) throws {
        try db.execute(
            sql: "UPDATE device_tokens SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL",
            arguments: [at, account.rawValue])
    }

    static func token(_ row: Row) -> DeviceToken {
        DeviceToken(
            id: row["id"], account: AccountID(row["account_id"]), name: row["name"], createdAt: row["created_at"],
            lastUsedAt: row["last_used_at"])
    }
}
