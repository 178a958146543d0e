import Foundation

/// Handing out logins (2.x: «раздать реквизиты доступа»): one-time passwords shown only to the
/// class teacher who issued them, and a password change forced at the first login.
extension DutiesService {
    public struct IssuedCredential: Sendable, Equatable {
        public enum Kind: String, Sendable {
            case student
            case guardian
        }

        public var kind: Kind
        public var name: String
        public var login: String
        /// Shown once, to the class teacher; stored only as a hash.
        public var password: String
        /// The student it is for (the student themself, or the guardian's child).
        public var studentName: String
    }

    /// `k7pq-m3xw-r9ta`: easy to read aloud and to type, no 0/o or 1/l.
    public static func oneTimePassword() throws -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        let bytes = try Digest.randomBytes(12)
        let characters = bytes.map { alphabet[Int($0) % alphabet.count] }
        return stride(from: 0, to: 12, by: 4).map { String(characters[$0..<$0 + 4]) }.joined(separator: "-")
    }

    private func hashed(_ password: String) async throws -> String {
        let hasher = self.hasher
        return try await executor.run { try hasher.hash(password) }
    }

    /// `/credentials 7А`: one-time passwords for every student and guardian of the class who
    /// cannot log in yet; students without an account get one. Nothing is shown again later.
    public func issueCredentials(className: String, for principal: Principal) async throws -> (
        JournalService.Scope, [IssuedCredential]
    ) {
        let scope = try await journal.scope(.issueCredentials, className: className, subject: nil, for: principal)
        return (scope, try await issue(scope.schoolClass, includePending: false, context: journal.audit(principal)))
    }

    /// The operator's `classbook credentials --class 7А` (to print slips): the same, from the
    /// command line; with `includePending`, one-time passwords not yet replaced are issued anew.
    public func issueCredentials(className: String, includePending: Bool, context: AuditContext) async throws -> (
        SchoolClass, [IssuedCredential]
    ) {
        let schoolClass = try await journal.schoolClass(named: className)
        return (schoolClass, try await issue(schoolClass, includePending: includePending, context: context))
    }

    private func issue(_ schoolClass: SchoolClass, includePending: Bool, context: AuditContext) async throws
        -> [IssuedCredential]
    {
        let (accounts, withoutAccount) = try await duties.credentialsDue(
            ofClass: schoolClass.id, on: today, includePending: includePending)
        let guardians = try await duties.guardians(ofClass: schoolClass.id, on: today)
        let roster = try await repository.students(inClass: schoolClass.id, on: today)
        var issued: [IssuedCredential] = []
        for account in accounts {
            let password = try Self.oneTimePassword()
            try await duties.setOneTimePassword(account: account.id, hash: try await hashed(password), context: context)
            if let guardian = guardians.first(where: { $0.account == account.id }) {
                issued.append(
                    .init(
                        kind: .guardian, name: account.displayName, login: account.login, password: password,
                        studentName: guardian.children.map(\.shortName).joined(separator: ", ")))
            } else {
                let own = try await diary.diary.student(ownedBy: account.id)
                issued.append(
                    .init(
                        kind: .student, name: account.displayName, login: account.login, password: password,
                        studentName: own?.shortName ?? account.displayName))
            }
        }
        for student in withoutAccount where roster.contains(where: { $0.id == student.id }) {
            let password = try Self.oneTimePassword()
            let login = try await freeLogin(for: student)
            let account = try await duties.createStudentAccount(
                student: student.id, login: login, displayName: student.shortName,
                hash: try await hashed(password), context: context)
            issued.append(
                .init(
                    kind: .student, name: account.displayName, login: login, password: password,
                    studentName: student.shortName))
        }
        return issued.sorted { ($0.studentName, $0.kind.rawValue) < ($1.studentName, $1.kind.rawValue) }
    }

    /// `ivanov.petr`, then `ivanov.petr2`, …: a login nobody has.
    func freeLogin(for student: Student) async throws -> String {
        let stem = String(
            (RussianNames.transliterate(student.lastName) + "." + RussianNames.transliterate(student.firstName)).prefix(
                28))
        var candidate = LoginRules.isValid(stem) ? stem : "student\(student.id.rawValue)"
        var suffix = 2
        while try await diary.diary.accountExists(login: candidate) {
            candidate = "\(stem)\(suffix)"
            suffix += 1
        }
        return candidate
    }

    /// `/credentials reset 7А Иванов`: a new one-time password for a student of the class or for
    /// a guardian of one (named by name or login), when a password is lost or leaked.
    public func resetCredential(person query: String, className: String, for principal: Principal) async throws
        -> IssuedCredential
    {
        let scope = try await journal.scope(.issueCredentials, className: className, subject: nil, for: principal)
        let guardians = try await duties.guardians(ofClass: scope.schoolClass.id, on: today)
        let roster = try await repository.students(inClass: scope.schoolClass.id, on: today)
        let normalized = DiaryService.normalize(query)
        let guardianMatches = guardians.filter { guardian in
            guardian.login == normalized || DiaryService.normalize(guardian.name).hasPrefix(normalized)
        }
        if guardianMatches.count == 1 {
            let guardian = guardianMatches[0]
            let password = try Self.oneTimePassword()
            try await duties.setOneTimePassword(
                account: guardian.account, hash: try await hashed(password), context: journal.audit(principal))
            return .init(
                kind: .guardian, name: guardian.name, login: guardian.login, password: password,
                studentName: guardian.children.map(\.shortName).joined(separator: ", "))
        }
        guard guardianMatches.isEmpty else { throw JournalError.noSuchPerson(query) }
        let student = try JournalService.pick(query, among: roster)
        let password = try Self.oneTimePassword()
        if let account = try await diary.diary.accountOf(student: student.id) {
            try await duties.setOneTimePassword(
                account: account.id, hash: try await hashed(password), context: journal.audit(principal))
            return .init(
                kind: .student, name: account.displayName, login: account.login, password: password,
                studentName: student.shortName)
        }
        let login = try await freeLogin(for: student)
        _ = try await duties.createStudentAccount(
            student: student.id, login: login, displayName: student.shortName,
            hash: try await hashed(password), context: journal.audit(principal))
        return .init(
            kind: .student, name: student.shortName, login: login, password: password, studentName: student.shortName)
    }

    /// `/passwd NEW`: the account's owner sets a password; a one-time password must be replaced so.
    public func changeOwnPassword(_ password: String, for principal: Principal) async throws {
        guard AccessPolicy.allows(.manageOwnSettings, for: principal.account.roles, relations: [.own]) else {
            throw DiaryError.notAllowed
        }
        guard password.count >= AccountService.minimumPasswordLength, password.count <= 128,
            password.lowercased() != principal.account.login
        else { throw JournalError.weakPassword }
        try await duties.changeOwnPassword(
            account: principal.account.id, hash: try await hashed(password), context: journal.audit(principal))
    }
}
