import ClassbookDomain
import Foundation
import PostgresNIO

/// Accounts on PostgreSQL: the same behaviour as `SQLiteAccountRepository` (the contract tests
/// run both), each write one transaction with its audit record.
public struct PostgresAccountRepository: AccountRepository {
    let store: PostgresStore
    private var client: PostgresClient { store.client }
    private var logger: Logger { store.logger }

    /// An account's columns for `account(_:)`, from `accounts a`.
    static let columns =
        "a.id, a.login, a.display_name, a.password_hash, a.language, "
        + "a.must_change_password, a.locked_at IS NOT NULL, "
        + "coalesce((SELECT string_agg(role, ' ') FROM account_roles r WHERE r.account_id = a.id), '')"

    private typealias AccountRow = (Int64, String, String, String, String, Bool, Bool, String)

    private static func account(_ row: AccountRow) -> AccountCredentials {
        let (id, login, displayName, hash, language, mustChange, locked, roles) = row
        var account = Account(
            id: AccountID(id), login: login, displayName: displayName,
            roles: Set(roles.split(separator: " ").compactMap { Role(rawValue: String($0)) }),
            language: Language(rawValue: language) ?? .ru, mustChangePassword: mustChange)
        account.isLocked = locked
        return AccountCredentials(account: account, passwordHash: hash)
    }

    /// The account of a row that starts with `columns`.
    static func account(_ row: SQLRow) -> AccountCredentials {
        account(
            (
                row[0].int, row[1].string, row[2].string, row[3].string, row[4].string, row[5].bool, row[6].bool,
                row[7].string
            ))
    }

    private func first(_ query: PostgresQuery) async throws -> AccountCredentials? {
        for try await row in try await client.query(query, logger: logger).decode(AccountRow.self) {
            return Self.account(row)
        }
        return nil
    }

    public func credentials(login: String) async throws -> AccountCredentials? {
        try await first("SELECT \(unescaped: Self.columns) FROM accounts a WHERE a.login = \(login)")
    }

    public func account(id: AccountID) async throws -> Account? {
        try await first("SELECT \(unescaped: Self.columns) FROM accounts a WHERE a.id = \(id.rawValue)")?.account
    }

    public func createAccount(_ new: NewAccount, context: AuditContext) async throws -> Account {
        try await store.audited.write(.concurrent(locking: [.login(new.login)])) { [logger] connection, audit in
            try await Self.insert(new, context: context, SQL(runner: connection, logger: logger), audit)
        }
    }

    /// Creates the account and its roles in the caller's transaction, with its audit record.
    static func insert(_ new: NewAccount, context: AuditContext, _ sql: SQL, _ audit: AuditAppender) async throws
        -> Account
    {
        let inserted = try await sql.value(
            """
            INSERT INTO accounts (login, display_name, password_hash, language, created_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (login) DO NOTHING RETURNING id
            """, new.login, new.displayName, new.passwordHash, new.language.rawValue, context.at)
        guard let id = inserted.optionalInt else { throw RepositoryError.loginTaken(new.login) }
        for role in new.roles.sorted() {
            try await sql.execute("INSERT INTO account_roles (account_id, role) VALUES (?, ?)", id, role.rawValue)
        }
        let roles = new.roles.sorted().map(\.rawValue).joined(separator: ";")
        audit.append(
            context: context, action: "account.create", entity: "account", entityID: String(id),
            new: "\(new.login) \(roles) \(new.displayName)")
        return Account(
            id: AccountID(id), login: new.login, displayName: new.displayName, roles: new.roles,
            language: new.language)
    }

    public func setLanguage(_ language: Language, for account: AccountID, context: AuditContext) async throws {
        try await store.audited.write(.concurrent(locking: [.account(account)])) { [logger] connection, audit in
            // The old value and the change in one round trip; none when it is the same.
            var old: String?
            for try await value in try await connection.query(
                """
                UPDATE accounts a SET language = \(language.rawValue)
                FROM (SELECT id, language FROM accounts WHERE id = \(account.rawValue) FOR UPDATE) old
                WHERE a.id = old.id AND old.language <> \(language.rawValue) RETURNING old.language
                """, logger: logger
            ).decode(String.self) {
                old = value
            }
            guard let old else {
                for try await _ in try await connection.query(
                    "SELECT 1 FROM accounts WHERE id = \(account.rawValue)", logger: logger)
                {
                    return
                }
                throw RepositoryError.notFound
            }
            audit.append(
                context: context, action: "account.language", entity: "account", entityID: String(account.rawValue),
                old: old, new: language.rawValue)
        }
    }

    public func setPasswordHash(_ hash: String, login: String, context: AuditContext) async throws {
        try await store.audited.write { [logger] connection, audit in
            var id: Int64?
            for try await value in try await connection.query(
                "UPDATE accounts SET password_hash = \(hash) WHERE login = \(login) RETURNING id", logger: logger
            ).decode(Int64.self) {
                id = value
            }
            guard let id else { throw RepositoryError.notFound }
            try await connection.query(
                """
                UPDATE device_tokens SET revoked_at = \(context.at) WHERE account_id = \(id) AND revoked_at IS NULL
                """, logger: logger)
            // The audit says that the password changed, never what it is.
            audit.append(
                context: context, action: "account.password", entity: "account",
                entityID: String(id))
        }
    }

    public func createDeviceToken(account: AccountID, name: String, hash: String, context: AuditContext) async throws
        -> DeviceToken
    {
        try await store.audited.write(.concurrent(locking: [.account(account)])) { [logger] connection, audit in
            var id: Int64 = 0
            for try await value in try await connection.query(
                """
                INSERT INTO device_tokens (account_id, name, token_hash, created_at)
                VALUES (\(account.rawValue), \(name), \(hash), \(context.at)) RETURNING id
                """, logger: logger
            ).decode(Int64.self) {
                id = value
            }
            // The audit names the device, never the token.
            audit.append(
                context: context, action: "token.issue", entity: "account",
                entityID: String(account.rawValue), new: name)
            return DeviceToken(id: id, account: account, name: name, createdAt: context.at, lastUsedAt: nil)
        }
    }

    public func deviceTokens(of account: AccountID) async throws -> [DeviceToken] {
        var tokens: [DeviceToken] = []
        for try await (id, name, createdAt, lastUsedAt) in try await client.query(
            """
            SELECT id, name, created_at, last_used_at FROM device_tokens
            WHERE account_id = \(account.rawValue) AND revoked_at IS NULL ORDER BY id
            """, logger: logger
        ).decode((Int64, String, Date, Date?).self) {
            tokens.append(
                DeviceToken(id: id, account: account, name: name, createdAt: createdAt, lastUsedAt: lastUsedAt))
        }
        return tokens
    }

    public func useDeviceToken(hash: String, at: Date) async throws -> (AccountCredentials, DeviceToken)? {
        var found: (AccountCredentials, DeviceToken)?
        for try await row in try await client.query(
            """
            WITH used AS (
                SELECT id, last_used_at FROM device_tokens WHERE token_hash = \(hash) AND revoked_at IS NULL
            )
            UPDATE device_tokens t SET last_used_at = \(at) FROM used, accounts a
            WHERE t.id = used.id AND a.id = t.account_id
            RETURNING \(unescaped: Self.columns), t.id, t.name, t.created_at, used.last_used_at
            """, logger: logger
        ).decode((Int64, String, String, String, String, Bool, Bool, String, Int64, String, Date, Date?).self) {
            let credentials = Self.account((row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7))
            // As it was before this use, as SQLite's says.
            found = (
                credentials,
                DeviceToken(
                    id: row.8, account: credentials.account.id, name: row.9, createdAt: row.10, lastUsedAt: row.11)
            )
        }
        return found
    }

    public func revokeDeviceToken(_ id: Int64, of account: AccountID, context: AuditContext) async throws -> Bool {
        try await store.audited.write(.concurrent(locking: [.account(account)])) { [logger] connection, audit in
            var revoked = false
            for try await _ in try await connection.query(
                """
                UPDATE device_tokens SET revoked_at = \(context.at)
                WHERE id = \(id) AND account_id = \(account.rawValue) AND revoked_at IS NULL RETURNING id
                """, logger: logger)
            {
                revoked = true
            }
            guard revoked else { return false }
            audit.append(
                context: context, action: "token.revoke", entity: "account",
                entityID: String(account.rawValue), old: String(id))
            return true
        }
    }
}

extension PostgresStore {
    public var accounts: PostgresAccountRepository { PostgresAccountRepository(store: self) }

    /// The audit chain recomputed from its first record: how many records, or the first that
    /// does not fit and why.
    public func verifyAuditChain() async throws -> (records: Int, failure: (recordID: Int64, reason: String)?) {
        try await PostgresAudit.verify(client, logger: logger)
    }

    /// `audit verify`: the chain, then every audited row against its latest record, in one
    /// snapshot.
    public func verifyAudit() async throws -> AuditChain.Outcome {
        try await read { sql in
            let (records, failure) = try await PostgresAudit.verify(sql.runner, logger: logger)
            if let failure { return .broken(recordID: failure.recordID, reason: failure.reason) }
            if let mismatch = try await PostgresAuditedRows.firstMismatch(sql) { return .rowTampered(reason: mismatch) }
            return .intact(records: records)
        }
    }
}
