@testable import ClassbookBot
import ClassbookDomain
import ClassbookStore
import Foundation
import Testing

/// Every form of every bot command × every role × own / other family / other class, derived
/// from the command table: the bot does exactly what the access table answers, and a refusal
/// about another family's child is the reply for a child that does not exist.
@Suite("Access policy walk")
struct AccessWalkTests {
    /// The words a probe gives a part: derived from the part's kind, so every form of every
    /// command in the table is walked without a case written for it. {C} class, {S} subject,
    /// {N} a student of the class, {K} a child. Optional parts are left out, but for the class
    /// and the child, which are what the walk is about.
    static func sample(_ part: ArgumentPart) -> String? {
        switch part.kind {
        case .child: return "{K}"
        case .schoolClass: return "{C}"
        case .subject: return part.takesTheMiddle ? nil : "{S}"
        case _ where part.isOptional: return nil
        case .date, .dates: return "20.11"
        case .lessonSlot: return "№1"
        case .person, .people, .absences: return "{N}"
        case .marks, .finals: return "{N} 5"
        case .lessonFields: return "тема: Проверка"
        case .number: return "1"
        case .word: return "проверка1"
        case .keyword: return part.choices[0][0]
        case .text: return "проверка"
        case .reportKind: return "results"
        case .personalField: return "телефон"
        case .addressedText: return "{N}: проверка"
        default: return nil
        }
    }

    /// A probe of one form: its words, and the action the table answers for.
    struct Probe {
        var command: BotCommand
        var form: BotCommand.Form
        var template: String

        /// A form about an object named by number or name (a note, a post, a board, a login):
        /// only the role is walked here; ownership is tested with real objects in the duties,
        /// board and security tests. A form that changes the asker's own account is walked by role.
        var roleOnly: Bool {
            !template.contains("{C}") && !template.contains("{K}")
                && !form.actions.contains { AccessWalkTests.accountActions.contains($0) }
        }
    }

    static func probes(_ commands: [BotCommand]) -> [Probe] {
        commands.flatMap { command in
            command.forms.enumerated().map { index, form in
                Probe(
                    command: command, form: form,
                    template: overrides["\(command.name) \(index)"]
                        ?? form.parts.compactMap(sample).joined(separator: " "))
            }
        }
    }

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

    /// What the bot says when it refuses for access; data errors (no such group, a session
    /// number not in the list) do not count: the walk is about who may, not about the fixture.
    static let refusalMarks = [
        "вам недоступна", "Вы не ведёте", "вам недоступен", "могут только", "Это может только",
        "Расписание меняет", "Среди ваших детей такого нет", "Не нашёл «", "Не понял «", "Это действие вам недоступно"
    ]

    static func isRefusal(_ reply: [String]) -> Bool {
        let text = reply.joined(separator: "\n")
        return refusalMarks.contains { text.contains($0) }
    }

    /// Probes that would change the fixture under the rest of the walk: a student who arrives
    /// is a new one, and one who departs leaves at the end of the term or is the new one.
    static let overrides: [String: String] = [
        "arrive 0": "{C} Новиков Олег", "depart 0": "{C} {N} 30.12 проверка", "depart 1": "{C} Новиков Олег"
    ]

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
                && !ownWords.contains(String(record.lastName.prefix(3)))
                && !ownWords.contains(String(record.firstName.prefix(3)))
        }!
        let otherChild = "\(otherRecord.lastName) \(otherRecord.firstName)"
        let otherClass = otherRecord.className
        // A teacher who does not teach in every class (mathematics is taught in grades 5–6 only).
        let maths = snapshot.assignments.filter { $0.subject == "Математика" }
        let teacher = maths[0].teacherLogin
        let untaught = snapshot.classes.first { c in
            !snapshot.assignments.contains { $0.className == c.name && $0.teacherLogin == teacher }
        }!
        let classTeacher = snapshot.classes[0]
        let studentRecord = snapshot.students.first { $0.login != nil }!
        let studentOther = snapshot.students.first {
            $0.className != studentRecord.className && $0.lastName.prefix(3) != studentRecord.lastName.prefix(3)
                && $0.firstName.prefix(3) != studentRecord.firstName.prefix(3)
        }!

        func context(
            _ label: String, _ className: String, subject named: String? = nil, child: String = ownChild,
            _ relations: Set<AccessPolicy.Relation>
        ) -> Context {
            Context(
                label: label, className: className, subject: named ?? Self.subjectWord(subject(in: className)),
                student: student(in: className), child: child, relations: relations)
        }

        let actors: [(login: String, role: Role, contexts: [Context])] = [
            (
                guardian.login, .guardian,
                [
                    context("own child", ownClass, [.guardianOf]),
                    context("other family", otherClass, child: otherChild, [.unrelated])
                ]
            ),
            (
                studentRecord.login!, .student,
                [
                    context(
                        "themself", studentRecord.className,
                        child: "\(studentRecord.lastName) \(studentRecord.firstName)", [.isStudent]),
                    context(
                        "another student", studentOther.className,
                        child: "\(studentOther.lastName) \(studentOther.firstName)", [.unrelated])
                ]
            ),
            (
                teacher, .teacher,
                [
                    context(
                        "own class and subject", maths[0].className, subject: "Математика",
                        [.teachesSubject, .teachesClass]),
                    context("other class", untaught.name, [.unrelated])
                ]
            ),
            (
                classTeacher.classTeacherLogin, .classTeacher,
                [
                    context("own class", classTeacher.name, [.classTeacherOf]),
                    context("other class", snapshot.classes[1].name, [.unrelated])
                ]
            ),
            ("zavuch", .deputy, [context("any class", ownClass, [.unrelated])]),
            ("director", .director, [context("any class", ownClass, [.unrelated])]),
            ("admin", .admin, [context("any class", ownClass, [.unrelated])])
        ]

        let commands = school.bot.commands
        let probes = Self.probes(commands)
        #expect(Set(probes.map(\.command.name)) == Set(commands.map(\.name)))
        var checked = 0
        for actor in actors {
            let principal = try await school.principal(actor.login, roles: [actor.role])
            for context in actor.contexts {
                for probe in probes {
                    let arguments = context.fill(probe.template)
                    let allowedByRole = probe.form.isAllowed(for: principal)
                    let expected: Bool
                    if probe.roleOnly {
                        expected = allowedByRole
                        // Not run: it would act on the object named (`/breach` would lock the asker).
                        if expected { checked += 1; continue }
                    } else if let action = probe.form.actions.first {
                        expected = AccessPolicy.allows(
                            action, for: [actor.role],
                            relations: Self.accountActions.contains(action) ? [.own] : context.relations)
                    } else {
                        expected = true
                    }
                    let reply = await school.bot.respond(to: "/\(probe.command.name) \(arguments)", from: principal)
                    let where_ = "\(actor.role) /\(probe.command.name) \(arguments) (\(context.label)): \(reply.lines)"
                    #expect(Self.isRefusal(reply.lines) == !expected, "\(where_)")
                    #expect(!reply.lines.isEmpty && !reply.isFailure, "\(where_)")
                    // A refusal about someone else's child says no more than one about nobody.
                    if !expected, context.relations == [.unrelated], probe.template.contains("{K}"),
                        [.guardian, .student].contains(actor.role)
                    {
                        let nobody = await school.ask(
                            "/\(probe.command.name) "
                                + probe.template.replacingOccurrences(of: "{K}", with: "Абвгд Еёжз"),
                            as: principal)
                        #expect(
                            reply.lines.map { $0.replacingOccurrences(of: context.child, with: "?") }
                                == nobody.map { $0.replacingOccurrences(of: "Абвгд Еёжз", with: "?") }, "\(where_)")
                    }
                    checked += 1
                }
            }
        }
        #expect(checked == probes.count * actors.map(\.contexts.count).reduce(0, +))
        #expect(probes.count > commands.count)
    }

    /// `Русский язык` → `русский`: how people type a subject.
    static func subjectWord(_ subject: String) -> String {
        String(subject.split(separator: " ")[0]).lowercased()
    }

    @Test("no row of the table lets a family member touch the journal or the class list")
    func familiesNeverEdit() {
        let staffActions: [AccessPolicy.Action] = [
            .editJournal, .readJournal, .writeRemark, .excuseAbsence, .manageGroups,
            .manageClassList, .readPersonalData, .changeTimetable
        ]
        for action in staffActions {
            for relation in AccessPolicy.Relation.allCases {
                #expect(
                    !AccessPolicy.allows(action, for: [.guardian, .student], relations: [relation]),
                    "\(action) \(relation)")
            }
        }
        // The journal is edited only by the subject's teacher: a class teacher, the deputy and the director read it.
        #expect(
            !AccessPolicy.allows(
                .editJournal, for: [.classTeacher, .deputy, .director, .admin],
                relations: Set(AccessPolicy.Relation.allCases)))
        #expect(AccessPolicy.allows(.editJournal, for: [.teacher], relations: [.teachesSubject]))
        #expect(!AccessPolicy.allows(.editJournal, for: [.teacher], relations: [.teachesClass, .classTeacherOf]))
    }
}
