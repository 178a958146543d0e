import ClassbookBot
import ClassbookDomain
import ClassbookStore
import Foundation
import Testing

/// Every bot command × every role × own / other family / other class: the bot does exactly
/// what the access table answers, and a refusal about another family's child is the reply
/// for a child that does not exist.
@Suite("Access policy walk")
struct AccessWalkTests {
    /// The arguments each command is probed with: {C} class, {S} subject, {N} a student of
    /// the class, {K} a child (for the diary commands). A new command must be added here.
    static let probes: [String: String] = [
        "help": "", "lang": "ru", "consent": "", "holidays": "",
        "marks": "{K}", "absences": "{K}", "ack": "{K}", "homework": "{K}", "schedule": "{K}", "tests": "{K}",
        "teachers": "{K}", "remarks": "{K}", "history": "{K}",
        "lesson": "{C} {S} тема: Проверка", "mark": "{C} {S} {N} 5", "unmark": "{C} {S} {N}", "absent": "{C} {S} {N}",
        "present": "{C} {S} {N}", "final": "{C} {S}", "test": "{C} {S} 20.11 Проверка", "remark": "{C} {N}: проверка",
        "recommend": "{C} {N}: проверка", "unremark": "{C} {N}", "journal": "{C} {S}", "excuse": "{C} {N} 20.11", "group": "{C}",
        "arrive": "{C} Новиков Олег", "depart": "{C} {N} 30.12", "profile": "{C} {N}", "change": "{C} 23.11 №1 отмена",
        "consents": "{C}", "acks": "{C}", "activity": "{C}", "note": "{K} 20.11 болел", "notes": "{C}", "accept": "", "reject": "",
        "filling": "{C}", "risk": "{C}", "checked": "{C}", "credentials": "{C}", "passwd": "новыйпароль1", "digest": "{C}",
        "report": "results {C}", "extract": "{C} {N}", "notify": "", "letter": "{C} Собрание в четверг", "letters": "{C}", "read": "",
        "boards": "", "threads": "", "thread": "", "reply": "", "hide": "", "breach": "review {C}", "sessions": "",
    ]

    /// Commands about an object named by number (an absence note): only the role is walked here;
    /// their ownership checks are tested with real notes in the duties tests.
    static let roleOnly: Set<String> = ["accept", "reject", "read", "boards", "threads", "thread", "reply", "hide"]

    /// Commands with several forms: the action the probe above exercises.
    static let probeActions: [String: AccessPolicy.Action] = ["digest": .superviseClass]

    /// A second probe of commands with a second form, and the action it exercises.
    static let secondProbes: [(command: String, arguments: String, action: AccessPolicy.Action)] = [
        ("absences", "{C}", .superviseClass),
        ("credentials", "reset {C} {N}", .issueCredentials),
    ]

    /// What a probe is about, and how the person stands to it.
    struct Context {
        var label: String
        var className: String
        var subject: String
        var student: String
        var child: String
        var relations: Set<AccessPolicy.Relation>

        func fill(_ template: String) -> String {
            template.replacingOccurrences(of: "{C}", with: className).replacingOccurrences(of: "{S}", with: subject)
                .replacingOccurrences(of: "{N}", with: student).replacingOccurrences(of: "{K}", with: child)
        }
    }

    /// What the bot says when it refuses for access; data errors do not count.
    static let refusalMarks = ["вам недоступна", "Вы не ведёте", "вам недоступен", "могут только", "Это может только",
                               "Расписание меняет", "Среди ваших детей такого нет", "Не нашёл «", "Не понял «", "Это действие вам недоступно"]

    static func isRefusal(_ reply: [String]) -> Bool {
        let text = reply.joined(separator: "\n")
        return refusalMarks.contains { text.contains($0) }
    }

    static let accountActions: Set<AccessPolicy.Action> = [.manageOwnConsent, .manageOwnSettings, .readCalendar]

    @Test("each command does what the access table answers, for every role and relation")
    func walk() async throws {
        let school = try await JournalSchool.make()
        defer { school.remove() }
        let snapshot = school.output.snapshot
        let credentials = school.output.credentials
        func student(in className: String) -> String {
            let record = snapshot.students.first { $0.className == className }!
            return "\(record.lastName) \(record.firstName)"
        }
        func subject(in className: String) -> String {
            snapshot.assignments.first { $0.className == className }!.subject
        }
        // A guardian of one child, and a child of another family in another class.
        let guardian = credentials.first { $0.roles == [.guardian] && $0.children.count == 1 }!
        let ownChild = guardian.children[0].components(separatedBy: " (")[0]
        let ownClass = String(guardian.children[0].split(separator: "(")[1].dropLast())
        // Its names share no beginning with the own child's, so the comparison with a made-up name is exact.
        let ownWords = ownChild.split(separator: " ").map { String($0.prefix(3)) }
        let otherRecord = snapshot.students.first { record in
            record.className != ownClass && !record.guardianLogins.contains(guardian.login)
                && !ownWords.contains(String(record.lastName.prefix(3))) && !ownWords.contains(String(record.firstName.prefix(3)))
        }!
        let otherChild = "\(otherRecord.lastName) \(otherRecord.firstName)"
        let otherClass = otherRecord.className
        // A teacher who does not teach in every class (mathematics is taught in grades 5–6 only).
        let maths = snapshot.assignments.filter { $0.subject == "Математика" }
        let teacher = maths[0].teacherLogin
        let untaught = snapshot.classes.first { c in !snapshot.assignments.contains { $0.className == c.name && $0.teacherLogin == teacher } }!
        let classTeacher = snapshot.classes[0]
        let studentRecord = snapshot.students.first { $0.login != nil }!
        let studentOther = snapshot.students.first {
            $0.className != studentRecord.className && $0.lastName.prefix(3) != studentRecord.lastName.prefix(3)
                && $0.firstName.prefix(3) != studentRecord.firstName.prefix(3)
        }!

        func context(_ label: String, _ className: String, subject named: String? = nil, child: String = ownChild,
                     _ relations: Set<AccessPolicy.Relation>) -> Context {
            Context(label: label, className: className, subject: named ?? Self.subjectWord(subject(in: className)),
                    student: student(in: className), child: child, relations: relations)
        }

        let actors: [(login: String, role: Role, contexts: [Context])] = [
            (guardian.login, .guardian, [context("own child", ownClass, [.guardianOf]),
                                         context("other family", otherClass, child: otherChild, [.unrelated])]),
            (studentRecord.login!, .student, [context("themself", studentRecord.className,
                                                      child: "\(studentRecord.lastName) \(studentRecord.firstName)", [.isStudent]),
                                              context("another student", studentOther.className,
                                                      child: "\(studentOther.lastName) \(studentOther.firstName)", [.unrelated])]),
            (teacher, .teacher, [context("own class and subject", maths[0].className, subject: "Математика", [.teachesSubject, .teachesClass]),
                                 context("other class", untaught.name, [.unrelated])]),
            (classTeacher.classTeacherLogin, .classTeacher, [context("own class", classTeacher.name, [.classTeacherOf]),
                                                             context("other class", snapshot.classes[1].name, [.unrelated])]),
            ("zavuch", .deputy, [context("any class", ownClass, [.unrelated])]),
            ("director", .director, [context("any class", ownClass, [.unrelated])]),
            ("admin", .admin, [context("any class", ownClass, [.unrelated])]),
        ]

        let commands = school.bot.commands
        #expect(Set(commands.map(\.name)) == Set(Self.probes.keys), "every command has a probe, every probe a command")
        var checked = 0
        for actor in actors {
            let principal = try await school.principal(actor.login, roles: [actor.role])
            for context in actor.contexts {
                var probes = commands.map { ($0, Self.probes[$0.name] ?? "", Self.probeActions[$0.name] ?? $0.actions.first) }
                probes += Self.secondProbes.map { probe in (commands.first { $0.name == probe.command }!, probe.arguments, probe.action) }
                for (command, template, action) in probes {
                    let arguments = context.fill(template)
                    let reply = await school.ask("/\(command.name) \(arguments)", as: principal)
                    let expected: Bool
                    if Self.roleOnly.contains(command.name) {
                        expected = command.isAllowed(for: principal)
                        if expected { checked += 1; continue }
                    } else if let action {
                        expected = AccessPolicy.allows(action, for: [actor.role],
                                                       relations: Self.accountActions.contains(action) ? [.own] : context.relations)
                    } else {
                        expected = true
                    }
                    let where_ = "\(actor.role) /\(command.name) \(arguments) (\(context.label)): \(reply)"
                    #expect(Self.isRefusal(reply) == !expected, "\(where_)")
                    #expect(!reply.isEmpty && !reply.joined().contains("внутренняя ошибка"), "\(where_)")
                    // A refusal about someone else's child says no more than one about nobody.
                    if !expected, context.relations == [.unrelated], template == "{K}", [.guardian, .student].contains(actor.role) {
                        let nobody = await school.ask("/\(command.name) Абвгд Еёжз", as: principal)
                        #expect(reply.map { $0.replacingOccurrences(of: context.child, with: "?") }
                                == nobody.map { $0.replacingOccurrences(of: "Абвгд Еёжз", with: "?") }, "\(where_)")
                    }
                    checked += 1
                }
            }
        }
        #expect(checked == (commands.count + Self.secondProbes.count) * actors.map(\.contexts.count).reduce(0, +))
    }

    /// `Русский язык` → `русский`: how people type a subject.
    static func subjectWord(_ subject: String) -> String {
        String(subject.split(separator: " ")[0]).lowercased()
    }

    @Test("no row of the table lets a family member touch the journal or the class list")
    func familiesNeverEdit() {
        let staffActions: [AccessPolicy.Action] = [.editJournal, .readJournal, .writeRemark, .excuseAbsence, .manageGroups,
                                                   .manageClassList, .readPersonalData, .changeTimetable]
        for action in staffActions {
            for relation in AccessPolicy.Relation.allCases {
                #expect(!AccessPolicy.allows(action, for: [.guardian, .student], relations: [relation]), "\(action) \(relation)")
            }
        }
        // The journal is edited only by the subject's teacher: a class teacher, the deputy and the director read it.
        #expect(!AccessPolicy.allows(.editJournal, for: [.classTeacher, .deputy, .director, .admin], relations: Set(AccessPolicy.Relation.allCases)))
        #expect(AccessPolicy.allows(.editJournal, for: [.teacher], relations: [.teachesSubject]))
        #expect(!AccessPolicy.allows(.editJournal, for: [.teacher], relations: [.teachesClass, .classTeacherOf]))
    }
}
