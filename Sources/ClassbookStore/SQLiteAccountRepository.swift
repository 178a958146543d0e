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
            guard let row = try Row.fetchOne(db, prepared: "SELECT * FROM accounts WHERE login = ?", arguments: [login]) else {
                return nil
            }
            return AccountCredentials(account: try Self.account(row, db), passwordHash: row["password_hash"])
        }
    }

    public func account(id: AccountID) async throws -> Account? {
        try readers.read { db in
            try Row.fetchOne(db, prepared: "SELECT * FROM accounts WHERE id = ?", arguments: [id.rawValue]).map { try Self.account($0, db) }
        }
    }

    public func createAccount(_ new: NewAccount, context: AuditContext) async throws -> Account {
        try await writer.write { db in try Self.insert(new, context: context, db) }
    }

    public func setLanguage(_ language: Language, for account: AccountID, context: AuditContext) async throws {
        try await writer.write { db in
            let old = try String.fetchOne(db, prepared: "SELECT language FROM accounts WHERE id = ?", arguments: [account.rawValue])
            guard let old else { throw RepositoryError.notFound }
            guard old != language.rawValue else { return }
            try db.cachedStatement(sql: "UPDATE accounts SET language = ? WHERE id = ?").execute(arguments: [language.rawValue, account.rawValue])
            try AuditLog.append(db, context: context, action: "account.language", entity: "account",
                                entityID: String(account.rawValue), old: old, new: language.rawValue)
        }
    }

    public func setPasswordHash(_ hash: String, login: String, context: AuditContext) async throws {
        try await writer.write { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM accounts WHERE login = ?", arguments: [login]) else {
                throw RepositoryError.notFound
            }
            try db.execute(sql: "UPDATE accounts SET password_hash = ? WHERE id = ?", arguments: [hash, id])
            // The audit says that the password changed, never what it is.
            try AuditLog.append(db, context: context, action: "account.password", entity: "account", entityID: String(id))
        }
    }

    /// Inserts an account and its roles and audits it; the password hash is never audited.
    static func insert(_ new: NewAccount, context: AuditContext, _ db: Database) throws -> Account {
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM accounts WHERE login = ?", arguments: [new.login]) == true {
            throw RepositoryError.loginTaken(new.login)
        }
        try db.execute(sql: """
            INSERT INTO accounts (login, display_name, password_hash, language, created_at) VALUES (?, ?, ?, ?, ?)
            """, arguments: [new.login, new.displayName, new.passwordHash, new.language.rawValue, context.at])
        let id = AccountID(db.lastInsertedRowID)
        for role in new.roles.sorted() {
            try db.execute(sql: "INSERT INTO account_roles (account_id, role) VALUES (?, ?)", arguments: [id.rawValue, role.rawValue])
        }
        let roles = new.roles.sorted().map(\.rawValue).joined(separator: ";")
        try AuditLog.append(db, context: context, action: "account.create", entity: "account", entityID: String(id.rawValue),
                            new: "\(new.login) \(roles) \(new.displayName)")
        return Account(id: id, login: new.login, displayName: new.displayName, roles: new.roles, language: new.language)
    }

    static func account(_ row: Row, _ db: Database) throws -> Account {
        let id: Int64 = row["id"]
        let roles = try String.fetchAll(db, sql: "SELECT role FROM account_roles WHERE account_id = ?", arguments: [id])
            .compactMap(Role.init(rawValue:))
        var account = Account(id: AccountID(id), login: row["login"], displayName: row["display_name"], roles: Set(roles),
                              language: Language(rawValue: row["language"]) ?? .ru, mustChangePassword: row["must_change_password"] ?? false)
        account.isLocked = row.hasColumn("locked_at") && (row["locked_at"] as DatabaseValue) != .null
        return account
    }
}
