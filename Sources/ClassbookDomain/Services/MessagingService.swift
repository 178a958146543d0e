import Foundation

/// Notification preferences and information letters.
public struct MessagingService: Sendable {
    public let messaging: any MessagingRepository
    public let journal: JournalService

    public init(messaging: any MessagingRepository, journal: JournalService) {
        self.messaging = messaging
        self.journal = journal
    }

    public func prefs(for principal: Principal) async throws -> NotificationPrefs {
        guard AccessPolicy.allows(.manageOwnSettings, for: principal.account.roles, relations: [.own]) else {
            throw DiaryError.notAllowed
        }
        return try await messaging.prefs(of: principal.account.id)
    }

    public func setPrefs(_ prefs: NotificationPrefs, for principal: Principal) async throws {
        guard AccessPolicy.allows(.manageOwnSettings, for: principal.account.roles, relations: [.own]) else {
            throw DiaryError.notAllowed
        }
        try await messaging.setPrefs(prefs, of: principal.account.id, context: journal.audit(principal))
    }

    /// `/letter 7А текст`: to every guardian of the class; returns the letter's number and its recipients.
    public func sendLetter(_ text: String, className: String, for principal: Principal) async throws -> (
        Int64, SchoolClass, [Account]
    ) {
        let scope = try await journal.scope(.sendLetter, className: className, subject: nil, for: principal)
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 2000 else { throw JournalError.emptyText }
        var recipients: [Account] = []
        for student in try await journal.journal.students(inClass: scope.schoolClass.id, on: journal.today) {
            for guardian in try await messaging.guardianAccounts(of: student.id)
            where !recipients.contains(where: { $0.id == guardian.id }) {
                recipients.append(guardian)
            }
        }
        let id = try await messaging.createLetter(
            classID: scope.schoolClass.id, text: trimmed, recipients: recipients.map(\.id),
            context: journal.audit(principal))
        return (id, scope.schoolClass, recipients)
    }

    public func letters(className: String, for principal: Principal) async throws -> [Letter] {
        let scope = try await journal.scope(.sendLetter, className: className, subject: nil, for: principal)
        return try await messaging.letters(ofClass: scope.schoolClass.id)
    }

    /// `/read 12`: a guardian confirms a letter sent to them; one not sent to them is "no such letter".
    public func markRead(letter id: Int64, for principal: Principal) async throws -> Letter {
        guard AccessPolicy.allows(.readOwnLetters, for: principal.account.roles, relations: [.own]),
            try await messaging.markLetterRead(id, context: journal.audit(principal)),
            let (letter, _) = try await messaging.letter(id: id)
        else {
            throw JournalError.noSuchLetter(id)
        }
        return letter
    }
}
