import ClassbookDomain
import NIOConcurrencyHelpers

/// Who is connected, by nick and by account. Nicks compare case-insensitively (ASCII casemapping).
///
/// An account owns its nick (its login): every session of the account shares it, up to a limit,
/// and no other connection can register with it. A guest's nick is its own while it is connected.
/// A nick is taken only when a connection completes registration, never by a bare `NICK`, so a
/// connection that never logs in cannot keep anyone out.
public final class SessionRegistry: Sendable {
    private struct Sessions {
        /// The sessions under each folded nick: every session of one account, or one guest.
        var byNick: [String: [SessionHandle]] = [:]
        /// Registered sessions of each account, oldest first: a person may be connected from several devices.
        var byAccount: [AccountID: [SessionHandle]] = [:]
        /// The most registered sessions there have been at once (LUSERS).
        var peak = 0
        var count = 0
    }

    private let sessions = NIOLockedValueBox(Sessions())

    public init() {}

    static func fold(_ nick: String) -> String { nick.lowercased() }

    /// `fold(a) == fold(b)`, without making the folded strings when both are ASCII (nicks
    /// are, and the bot's is compared on every message to it).
    static func sameNick(_ a: String, _ b: String) -> Bool {
        guard a.utf8.allSatisfy({ $0 < 0x80 }) && b.utf8.allSatisfy({ $0 < 0x80 }) else { return fold(a) == fold(b) }
        return a.utf8.elementsEqual(b.utf8) { x, y in
            x == y || (x | 0x20 == y | 0x20 && (0x61...0x7A).contains(x | 0x20))
        }
    }

    enum Registration: Equatable {
        case registered
        /// Another account's sessions, or a guest, have the nick.
        case nickInUse
        /// The account has `limit` sessions already.
        case tooManySessions(limit: Int)
    }

    /// Registers `handle` under `nick`: for an account (its own nick) beside its other
    /// sessions, up to `limit` (0: no limit); for a guest (`account` nil) only if no one has it.
    func register(_ handle: SessionHandle, nick: String, account: AccountID?, limit: Int) -> Registration {
        let key = Self.fold(nick)
        return sessions.withLockedValue { sessions in
            if let holders = sessions.byNick[key], let first = holders.first {
                guard let account, first.account == account else { return .nickInUse }
            }
            if let account {
                let count = sessions.byAccount[account]?.count ?? 0
                if limit > 0 && count >= limit { return .tooManySessions(limit: limit) }
                handle.setAccount(account)
                sessions.byAccount[account, default: []].append(handle)
            }
            handle.setNick(nick)
            sessions.byNick[key, default: []].append(handle)
            sessions.count += 1
            sessions.peak = max(sessions.peak, sessions.count)
            return .registered
        }
    }

    /// A guest's change of nick after registration; false when someone has the new one.
    func rename(_ handle: SessionHandle, to nick: String) -> Bool {
        let key = Self.fold(nick)
        return sessions.withLockedValue { sessions in
            if let holders = sessions.byNick[key], holders.contains(where: { $0 !== handle }) { return false }
            if let old = handle.nick { Self.remove(handle, from: &sessions.byNick, key: Self.fold(old)) }
            sessions.byNick[key, default: []].append(handle)
            handle.setNick(nick)
            return true
        }
    }

    /// Forgets a session that ended; true when it was its account's last (or a guest).
    @discardableResult
    func release(_ handle: SessionHandle) -> Bool {
        sessions.withLockedValue { sessions in
            guard let nick = handle.nick, sessions.byNick[Self.fold(nick)]?.contains(where: { $0 === handle }) == true
            else { return false }
            Self.remove(handle, from: &sessions.byNick, key: Self.fold(nick))
            sessions.count -= 1
            if let account = handle.account {
                Self.remove(handle, from: &sessions.byAccount, key: account)
                return sessions.byAccount[account] == nil
            }
            return true
        }
    }

    private static func remove<Key: Hashable>(
        _ handle: SessionHandle, from table: inout [Key: [SessionHandle]], key: Key
    ) {
        table[key]?.removeAll { $0 === handle }
        if table[key]?.isEmpty == true { table[key] = nil }
    }

    /// Every session under a nick: all of an account's devices, or a guest's one.
    func sessions(nick: String) -> [SessionHandle] {
        sessions.withLockedValue { $0.byNick[Self.fold(nick)] ?? [] }
    }

    func all() -> [SessionHandle] {
        sessions.withLockedValue { $0.byNick.values.flatMap { $0 } }
    }

    /// Every registered session of an account, oldest first.
    func sessions(of account: AccountID) -> [SessionHandle] {
        sessions.withLockedValue { $0.byAccount[account] ?? [] }
    }

    /// Closes the account's sessions but `except`, telling each why.
    func close(_ account: AccountID, except: String?, reason: String) {
        for handle in sessions(of: account) where handle.id != except { handle.close(error: reason) }
    }

    /// For LUSERS: people (nicks) and sessions connected now, and the most sessions at once.
    var counts: (people: Int, sessions: Int, peak: Int) {
        sessions.withLockedValue { ($0.byNick.count, $0.count, $0.peak) }
    }
}
