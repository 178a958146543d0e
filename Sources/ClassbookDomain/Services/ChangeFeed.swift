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
}
