import ClassbookDomain
import Foundation
import Testing

/// Accounts and their device tokens, and the audit chain they write, the same on every backend;
/// two nodes write to one chain.
@Suite("Account contract")
struct AccountContractTests {
    static func context(_ actor: AccountID? = nil, _ session: String = "test") -> AuditContext {
        AuditContext(actor: actor, sessionID: session, at: Date(timeIntervalSince1970: 1_795_000_000.123))
    }

    @Test(
        """
        accounts: created with their roles, found by login and id, a taken login refused, the language and the \
        password changed (which voids device tokens), every write audited in one intact chain
        """, arguments: Backend.allCases)
    func accounts(_ backend: Backend) async throws {
        let (a, b, close) = try await backend.twoNodes()
        defer { close() }
        // The chain may start with the records of a new store's own settings.
        let before = try #require(try await a.verifiedAuditRecords())
        let created = try await a.accounts.createAccount(
            NewAccount(
                login: "ivanova.ma", displayName: "Иванова Мария", roles: [.guardian, .teacher], passwordHash: "h1"),
            context: Self.context())
        #expect(created.login == "ivanova.ma" && created.roles == [.guardian, .teacher] && created.language == .ru)
        await #expect(throws: RepositoryError.loginTaken("ivanova.ma")) {
            _ = try await b.accounts.createAccount(
                NewAccount(login: "ivanova.ma", displayName: "Другая", roles: [.student], passwordHash: "h"),
                context: Self.context())
        }
        let found = try #require(try await b.accounts.credentials(login: "ivanova.ma"))
        #expect(found.account == created && found.passwordHash == "h1")
        #expect(try await b.accounts.account(id: created.id) == created)
        #expect(try await b.accounts.credentials(login: "nobody") == nil)
        #expect(try await b.accounts.account(id: AccountID(999_999)) == nil)

        try await b.accounts.setLanguage(.en, for: created.id, context: Self.context(created.id))
        try await a.accounts.setLanguage(.en, for: created.id, context: Self.context(created.id))  // no change
        #expect(try await a.accounts.account(id: created.id)?.language == .en)
        await #expect(throws: RepositoryError.notFound) {
            try await a.accounts.setLanguage(.en, for: AccountID(999_999), context: Self.context())
        }

        // Device tokens: issued, used (marking the use), revoked by id or by a new password.
        let phone = try await a.accounts.createDeviceToken(
            account: created.id, name: "телефон", hash: "t1", context: Self.context(created.id))
        let laptop = try await b.accounts.createDeviceToken(
            account: created.id, name: "ноутбук", hash: "t2", context: Self.context(created.id))
        #expect(try await a.accounts.deviceTokens(of: created.id).map(\.name) == ["телефон", "ноутбук"])
        let used = try #require(try await b.accounts.useDeviceToken(hash: "t1", at: Date()))
        #expect(
            used.0.account == found.account.with(language: .en) && used.1.id == phone.id && used.1.lastUsedAt == nil)
        #expect(try await a.accounts.deviceTokens(of: created.id).first?.lastUsedAt != nil)
        #expect(try await a.accounts.useDeviceToken(hash: "nope", at: Date()) == nil)
        #expect(try await a.accounts.revokeDeviceToken(laptop.id, of: created.id, context: Self.context(created.id)))
        #expect(try await !b.accounts.revokeDeviceToken(laptop.id, of: created.id, context: Self.context(created.id)))
        #expect(try await b.accounts.useDeviceToken(hash: "t2", at: Date()) == nil)
        try await b.accounts.setPasswordHash("h2", login: "ivanova.ma", context: Self.context(created.id))
        #expect(try await a.accounts.credentials(login: "ivanova.ma")?.passwordHash == "h2")
        #expect(try await a.accounts.deviceTokens(of: created.id).isEmpty, "a new password voids the tokens")
        await #expect(throws: RepositoryError.notFound) {
            try await a.accounts.setPasswordHash("h", login: "nobody", context: Self.context())
        }

        // create, language, two tokens issued, one revoked, the password: six records, one chain.
        #expect(try await a.verifiedAuditRecords() == before + 6)
        #expect(try await b.verifiedAuditRecords() == before + 6)
    }

    @Test("two nodes writing at once append to one audit chain, unbroken", arguments: Backend.allCases)
    func oneChainSeveralWriters(_ backend: Backend) async throws {
        let (a, b, close) = try await backend.twoNodes()
        defer { close() }
        let before = try #require(try await a.verifiedAuditRecords())
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask {
                    _ = try await (index % 2 == 0 ? a : b).accounts.createAccount(
                        NewAccount(
                            login: "user\(index)", displayName: "User \(index)", roles: [.student], passwordHash: "h"),
                        context: Self.context())
                }
            }
            try await group.waitForAll()
        }
        #expect(try await a.verifiedAuditRecords() == before + 40)
    }
}

extension Account {
    fileprivate func with(language: Language) -> Account {
        var account = self
        account.language = language
        return account
    }
}
