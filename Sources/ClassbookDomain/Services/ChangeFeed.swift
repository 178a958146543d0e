import Foundation

/// What one process serving a school's store tells the others serving it (other nodes, a CLI
/// command): identifiers, read again from the store by whoever acts on them.
public enum StoreChange: Sendable, Equatable {
    /// A message for the account was saved in the bot's outbox (its row).
    case botMessage(account: AccountID, message: Int64)
    /// The account's sessions are to close (a leaked password, a new password), but one.
    case closeSessions(account: AccountID, except: String?, reason: String)
    /// One session of the account is to close (`/sessions close` from another device).
    case closeSession(account: AccountID, session: String, reason: String)
    /// A message between two people was kept (its row in the history).
    case directMessage(recipient: AccountID, message: Int64)
    /// A post on a board or in a room was saved, in reply to `replyTo` (its thread's first post).
    case post(author: AccountID, msgid: String, replyTo: String?)
    /// The school's structure changed (its settings, mark kinds, years, periods or holidays):
    /// whatever a process keeps of it in memory is to be read again. The store acts on it as
    /// its feed is read; people see nothing of it.
    case structure
}

/// A change as the feed keeps it: its place in the feed and the process that published it.
public struct FeedEntry: Sendable, Equatable {
    public var sequence: Int64
    public var origin: String
    public var change: StoreChange

    public init(sequence: Int64, origin: String, change: StoreChange) {
        self.sequence = sequence
        self.origin = origin
        self.change = change
    }
}

/// The store's change feed: every process that serves the store publishes what the others must
/// act on, and reads what they published. A change saved with a write (a bot message) is
/// published in that write's transaction; one that is an action (close sessions) in its own.
public protocol ChangeFeed: Sendable {
    /// This process's name in the feed.
    var node: String { get }
    func publish(_ change: StoreChange) async throws
    /// The latest change's sequence: a process that starts reads what comes after it.
    func latestSequence() async throws -> Int64
    /// Changes after `sequence`, oldest first, at most `limit`, from every process (this one's too).
    func changes(after sequence: Int64, limit: Int) async throws -> [FeedEntry]
    /// Forgets changes published before `date` (every process has read them long since).
    func prune(before date: Date) async throws
    /// Returns when a change may have been published (a notification, where the store sends
    /// one), or after `duration`.
    func wait(upTo duration: Duration) async
}

extension ChangeFeed {
    /// A store that notifies no one: a reader polls.
    public func wait(upTo duration: Duration) async {
        try? await Task.sleep(for: duration)
    }
}

extension StoreChange {
    /// The change as a feed's row keeps it: a topic, an account, a reference and a detail.
    public var row: (topic: String, account: AccountID, ref: String?, detail: String?) {
        switch self {
        case .botMessage(let account, let message): ("bot_message", account, String(message), nil)
        case .closeSessions(let account, let except, let reason): ("close_sessions", account, except, reason)
        case .closeSession(let account, let session, let reason): ("close_session", account, session, reason)
        case .directMessage(let recipient, let message): ("direct_message", recipient, String(message), nil)
        case .post(let author, let msgid, let replyTo): ("post", author, msgid, replyTo)
        case .structure: ("structure", AccountID(0), nil, nil)
        }
    }

    /// The change a feed's row keeps; nil for a topic this version does not know (a newer
    /// version's: not this process's to act on) or a row without what its topic needs.
    public init?(topic: String, account: AccountID, ref: String?, detail: String?) {
        switch topic {
        case "bot_message":
            guard let id = ref.flatMap({ Int64($0) }) else { return nil }
            self = .botMessage(account: account, message: id)
        case "close_sessions":
            self = .closeSessions(account: account, except: ref, reason: detail ?? "")
        case "close_session":
            guard let ref else { return nil }
            self = .closeSession(account: account, session: ref, reason: detail ?? "")
        case "direct_message":
            guard let id = ref.flatMap({ Int64($0) }) else { return nil }
            self = .directMessage(recipient: account, message: id)
        case "post":
            guard let ref else { return nil }
            self = .post(author: account, msgid: ref, replyTo: detail)
        case "structure":
            self = .structure
        default:
            return nil
        }
    }
}
