import ClassbookDomain
import Foundation
import GRDB

/// Accounts in SQLite. Every read goes to the database, so an account added by
/// `classbook account add` while the server runs can log in at once.
public struct SQLiteAccountRepository: AccountRepository {
    let pool: DatabasePool
    /// Where writes go: concurrent ones share a transaction (group commit).
    let writer: GroupCommit
    /// Connections for point reads (see `PointReaders`).
    let readers: PointReaders

    public func credentials(login: String) async throws -> AccountCredentials? {
        try readers.read { db in
            guard let row = try Row.fetchOne(db, prepared: "SELECT * FROM accounts WHERE login = ?", arguments: [login])
            else {
                return nil
            }
            return AccountCredentials(account: try Self.account(row, db), passwordHash: row["password_hash"])
        }
    }

    public func account(id: AccountID) async throws -> Account? {
        try readers.read { db in
            try Row.fetchOne(db, prepared: "SELECT * FROM accounts WHERE id = ?", arguments: [id.rawValue]).map {
                try Self.account($0, db)
            }
        }
    }

    public func createAccount(_ new: NewAccount, context: AuditContext) async throws -> Account {
        try await writer.write { db in try Self.insert(new, context: context, db) }
    }

    public func setLanguage(_ language: Language, for account: AccountID, context: AuditContext) async throws {
        try await writer.write { db in
            let old = try String.fetchOne(
                db, prepared: "SELECT language FROM accounts WHERE id = ?", arguments: [account.rawValue])
            guard let old else { throw RepositoryError.notFound }
            guard old != language.rawValue else { return }
            try db.cachedStatement(sql: "UPDATE accounts SET language = ? WHERE id = ?").execute(arguments: [
                language.rawValue, account.rawValue
            ])
            try AuditLog.append(
                db, context: context, action: "account.language", entity: "account",
                entityID: String(account.rawValue), old: old, new: language.rawValue)
        }
    }

    public func setPasswordHash(_ hash: String, login: String, context: AuditContext) async throws {
        try await writer.write { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM accounts WHERE login = ?", arguments: [login])
            else {
                throw RepositoryError.notFound
            }
            try db.execute(sql: "UPDATE accounts SET password_hash = ? WHERE id = ?", arguments: [hash, id])
            try DeviceTokens.voidAll(db, account: AccountID(id), at: context.at)
            // The audit says that the password changed, never what it is.
            try AuditLog.append(
                db, context: context, action: "account.password", entity: "account", entityID: String(id))
        }
    }

    public func createDeviceToken(account: AccountID, name: String, hash: String, context: AuditContext) async throws
        -> DeviceToken
    {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO device_tokens (account_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)",
                arguments: [account.rawValue, name, hash, context.at])
            let id = db.lastInsertedRowID
            // The audit names the device, never the token.
            try AuditLog.append(
                db, context: context, action: "token.issue", entity: "account", entityID: String(account.rawValue),
                new: name)
            return DeviceToken(id: id, account: account, name: name, createdAt: context.at, lastUsedAt: nil)
        }
    }

    public func deviceTokens(of account: AccountID) async throws -> [DeviceToken] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM device_tokens WHERE account_id = ? AND revoked_at IS NULL ORDER BY id",
                arguments: [account.rawValue]
            ).map(DeviceTokens.token)
        }
    }

    public func useDeviceToken(hash: String, at: Date) async throws -> (AccountCredentials, DeviceToken)? {
        // One point read through the index on the hash, the token with its account: what a token
        // login costs instead of scrypt.
        guard
            let (credentials, token) = try readers.read({ db -> (AccountCredentials, DeviceToken)? in
                guard
                    let row = try Row.fetchOne(
                        db,
                        prepared: """
                            SELECT a.*, t.id AS token_id, t.name AS token_name, t.created_at AS token_created_at,
                                t.last_used_at AS token_last_used_at
                            FROM device_tokens t JOIN accounts a ON a.id = t.account_id WHERE t.token_hash = ? AND
                                t.revoked_at IS NULL
                            """, arguments: [hash])
                else { return nil }
                let account = try Self.account(row, db)
                return (
                    AccountCredentials(account: account, passwordHash: row["password_hash"]),
                    DeviceToken(
                        id: row["token_id"], account: account.id, name: row["token_name"],
                        createdAt: row["token_created_at"],
                        lastUsedAt: row["token_last_used_at"])
                )
            })
        else { return nil }
        try await writer.write { db in
            try db.execute(sql: "UPDATE device_tokens SET last_used_at = ? WHERE id = ?", arguments: [at, token.id])
        }
        return (credentials, token)
    }

    public func revokeDeviceToken(_ id: Int64, of account: AccountID, context: AuditContext) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE device_tokens SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL",
                arguments: [context.at, id, account.rawValue])
            guard db.changesCount == 1 else { return false }
            try AuditLog.append(
                db, context: context, action: "token.revoke", entity: "account", entityID: String(account.rawValue),
                old: String(id))
            return true
        }
    }

    /// Inserts an account and its roles and audits it; the password hash is never audited.
    static func insert(_ new: NewAccount, context: AuditContext, _ db: Database) throws -> Account {
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM accounts WHERE login = ?", arguments: [new.login]) == true {
            throw RepositoryError.loginTaken(new.login)
        }
        try db.execute(
            sql: """
                INSERT INTO accounts (login, display_name, password_hash, language, created_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [new.login, new.displayName, new.passwordHash, new.language.rawValue, context.at])
        let id = AccountID(db.lastInsertedRowID)
        for role in new.roles.sorted() {
            try db.execute(
                sql: "INSERT INTO account_roles (account_id, role) VALUES (?, ?)",
                arguments: [id.rawValue, role.rawValue])
        }
        let roles = new.roles.sorted().map(\.rawValue).joined(separator: ";")
        try AuditLog.append(
            db, context: context, action: "account.create", entity: "account", entityID: String(id.rawValue),
            new: "\(new.login) \(roles) \(new.displayName)")
        return Account(id: id, login: new.login, displayName: new.displayName, roles: new.roles, language: new.language)
    }

    static func account(_ row: Row, _ db: Database) throws -> Account {
        let id: Int64 = row["id"]
        let roles = try String.fetchAll(db, sql: "SELECT role FROM account_roles WHERE account_id = ?", arguments: [id])
            .compactMap(Role.init(rawValue:))
        var account = Account(
            id: AccountID(id), login: row["login"], displayName: row["display_name"], roles: Set(roles),
            language: Language(rawValue: row["language"]) ?? .ru,
            mustChangePassword: row["must_change_password"] ?? false)
        account.isLocked = row.hasColumn("locked_at") && (row["locked_at"] as DatabaseValue) != .null
        return account
    }
}
