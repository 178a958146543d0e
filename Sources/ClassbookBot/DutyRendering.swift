import ClassbookDomain
import Foundation

/// Replies of the class teacher's duty commands and the weekly digest.
struct DutyRendering: Sendable {
    let journal: JournalRendering
    var base: DiaryRendering { journal.base }

    private func week(_ week: DutiesService.Week) -> String { "\(week.monday.dayMonth)–\(week.sunday.dayMonth)" }

    private func names(_ guardians: [ClassGuardian], limit: Int = 12) -> String {
        let shown = guardians.prefix(limit).map(\.name).joined(separator: ", ")
        return guardians.count > limit ? shown + " …(+\(guardians.count - limit))" : shown
    }

    func consents(_ scope: JournalService.Scope, _ rows: [(ClassGuardian, ConsentRecord?)], _ i: BotInvocation) -> [String] {
        let granted = rows.filter { $0.1?.decision == .granted }
        let refused = rows.filter { $0.1?.decision == .refused }
        let missing = rows.filter { $0.1 == nil }
        var lines = [i.t("\(scope.schoolClass.name), согласия на обработку персональных данных: дали — \(granted.count), отказались — \(refused.count), не ответили — \(missing.count) из \(rows.count).",
                         "\(scope.schoolClass.name), consents: given \(granted.count), refused \(refused.count), no answer \(missing.count) of \(rows.count).")]
        for (guardian, record) in refused {
            lines.append(i.t("Отказ (сведения на бумаге): ", "Refused (paper extracts): ") + "\(guardian.name) — \(base.time(record!.at))")
        }
        if !missing.isEmpty { lines.append(i.t("Не ответили: ", "No answer: ") + names(missing.map(\.0), limit: 40)) }
        return lines
    }

    func acks(_ scope: JournalService.Scope, _ week: DutiesService.Week, _ rows: [(ClassGuardian, GuardianActivity)], _ i: BotInvocation) -> [String] {
        let done = rows.filter { !$0.1.acknowledgements.isEmpty }
        var lines = [i.t("\(scope.schoolClass.name), ознакомление с дневником \(self.week(week)): \(done.count) из \(rows.count).",
                         "\(scope.schoolClass.name), diary acknowledged \(self.week(week)): \(done.count) of \(rows.count).")]
        for (guardian, activity) in done {
            lines.append("\(guardian.name): " + activity.acknowledgements.map(base.time).joined(separator: ", "))
        }
        let missing = rows.filter { $0.1.acknowledgements.isEmpty }.map(\.0)
        if !missing.isEmpty { lines.append(i.t("Не подтвердили: ", "Not acknowledged: ") + names(missing, limit: 40)) }
        return lines
    }

    func activity(_ scope: JournalService.Scope, _ week: DutiesService.Week, _ rows: [(ClassGuardian, GuardianActivity)], _ i: BotInvocation) -> [String] {
        var lines = [i.t("\(scope.schoolClass.name), активность родителей \(self.week(week)) (входы / дни просмотра дневника / ознакомления; последний вход):",
                         "\(scope.schoolClass.name), guardians' activity \(self.week(week)) (logins / days viewing the diary / acknowledgements; last login):")]
        for (guardian, activity) in rows {
            let last = activity.lastLogin.map(base.time) ?? i.t("ни разу не входил(а)", "never logged in")
            lines.append("\(guardian.name): \(activity.logins) / \(activity.diaryViews) / \(activity.acknowledgements.count); \(last)")
        }
        let never = rows.filter { $0.1.lastLogin == nil }.map(\.0)
        if !never.isEmpty {
            lines.append(i.t("Ни разу не входили: \(never.count). Выдать пароли: /credentials", "Never logged in: \(never.count). Issue passwords: /credentials"))
        }
        return lines
    }

    func unexcused(_ scope: JournalService.Scope, _ week: DutiesService.Week, _ absences: [UnexcusedAbsence], _ notes: [AbsenceNote],
                   _ i: BotInvocation) -> [String] {
        var lines = [i.t("\(scope.schoolClass.name), пропуски без уважительной причины \(self.week(week)): \(absences.count).",
                         "\(scope.schoolClass.name), unexcused absences \(self.week(week)): \(absences.count).")]
        var byStudent: [(Student, [AbsenceEntry])] = []
        for absence in absences {
            if let index = byStudent.firstIndex(where: { $0.0.id == absence.student.id }) {
                byStudent[index].1.append(absence.entry)
            } else {
                byStudent.append((absence.student, [absence.entry]))
            }
        }
        for (student, entries) in byStudent {
            lines.append("\(student.shortName): " + entries.map { "\($0.date.dayMonth) №\($0.lessonNumber) \($0.subject)" }.joined(separator: ", "))
        }
        if !notes.isEmpty { lines.append(i.t("Записки родителей ждут решения: \(notes.count) — /notes", "Guardians' notes waiting: \(notes.count) — /notes")) }
        if !absences.isEmpty { lines.append(i.t("Отметить уважительными: /excuse Фамилия дата", "Excuse: /excuse Surname date")) }
        return lines
    }

    func noteSubmitted(_ id: Int64, _ student: Student, _ dates: [SchoolDate], _ i: BotInvocation) -> String {
        i.t("Записка №\(id) о пропусках \(student.shortName) (\(dates.map(\.dayMonth).joined(separator: ", "))) передана классному руководителю.",
            "Note #\(id) about \(student.shortName)'s absences (\(dates.map(\.dayMonth).joined(separator: ", "))) was sent to the class teacher.")
    }

    func notes(_ scope: JournalService.Scope, _ notes: [AbsenceNote], _ i: BotInvocation) -> [String] {
        guard !notes.isEmpty else { return [i.t("\(scope.schoolClass.name): записок, ждущих решения, нет.", "\(scope.schoolClass.name): no notes waiting.")] }
        return [i.t("\(scope.schoolClass.name), записки о пропусках (решение: /accept номер, /reject номер причина):",
                    "\(scope.schoolClass.name), absence notes (decide: /accept number, /reject number why):")]
            + notes.map { "№\($0.id) \($0.student.shortName), \($0.dates.map(\.dayMonth).joined(separator: ", ")): «\($0.reason)» — \($0.guardianName), \(base.time($0.createdAt))" }
    }

    func decided(_ note: AbsenceNote, excused: Int, _ i: BotInvocation) -> String {
        note.status == .accepted
            ? i.t("Записка №\(note.id) принята: пропусков \(note.student.shortName) отмечено уважительными — \(excused).",
                  "Note #\(note.id) accepted: \(excused) absence(s) of \(note.student.shortName) are now excused.")
            : i.t("Записка №\(note.id) отклонена.", "Note #\(note.id) rejected.")
    }

    private func gaps(_ gaps: [JournalFilling.LessonGap], limit: Int = 6) -> String {
        let shown = gaps.prefix(limit).map { "\($0.className) \($0.subject) \($0.date.dayMonth) №\($0.number) (\($0.teacherName))" }.joined(separator: "; ")
        return gaps.count > limit ? shown + " …(+\(gaps.count - limit))" : shown
    }

    func filling(title: String, _ filling: JournalFilling, _ i: BotInvocation) -> [String] {
        guard !filling.isEmpty else { return [title + i.t("журнал за две недели заполнен.", "the journal of the last two weeks is filled in.")] }
        var lines = [title + i.t("заполнение журнала за две недели:", "journal filling, last two weeks:")]
        if !filling.withoutTopic.isEmpty { lines.append(i.t("Уроки без темы — \(filling.withoutTopic.count): ", "Lessons without a topic — \(filling.withoutTopic.count): ") + gaps(filling.withoutTopic)) }
        if !filling.withoutHomework.isEmpty { lines.append(i.t("Без домашнего задания — \(filling.withoutHomework.count): ", "Without homework — \(filling.withoutHomework.count): ") + gaps(filling.withoutHomework)) }
        if !filling.ungradedControlWorks.isEmpty { lines.append(i.t("Контрольные без оценок — \(filling.ungradedControlWorks.count): ", "Control works without marks — \(filling.ungradedControlWorks.count): ") + gaps(filling.ungradedControlWorks)) }
        for lag in filling.teachersBehind {
            lines.append(i.t("Нет оценок за две недели: \(lag.className) \(lag.subject), \(lag.teacherName) (уроков: \(lag.unmarkedLessons))",
                             "No marks in two weeks: \(lag.className) \(lag.subject), \(lag.teacherName) (\(lag.unmarkedLessons) lessons)"))
        }
        for missing in filling.missingFinals {
            lines.append(i.t("Не выставлены итоговые за «\(missing.period.name)»: \(missing.className) \(missing.subject), \(missing.teacherName) — учеников: \(missing.students)",
                             "Finals for term \(missing.period.ordinal) missing: \(missing.className) \(missing.subject), \(missing.teacherName) — \(missing.students) students"))
        }
        return lines
    }

    func atRisk(_ scope: JournalService.Scope, _ students: [StudentAtRisk], _ i: BotInvocation) -> [String] {
        guard !students.isEmpty else { return [i.t("\(scope.schoolClass.name): учеников в неуспешной ситуации нет.", "\(scope.schoolClass.name): no students at risk.")] }
        return [i.t("\(scope.schoolClass.name), ученики в неуспешной ситуации — \(students.count):", "\(scope.schoolClass.name), students at risk — \(students.count):")]
            + students.map { "\($0.student.shortName): " + $0.reasons.map { reason(for: $0, i) }.joined(separator: "; ") }
    }

    func reason(for reason: StudentAtRisk.Reason, _ i: BotInvocation) -> String {
        switch reason {
        case .lowAverage(let subject, let average): i.t("\(subject) — средний \(base.number(average, i))", "\(subject) — average \(base.number(average, i))")
        case .recentTwos(let count): i.t("двоек за две недели: \(count)", "\(count) twos in two weeks")
        case .missedLessons(let missed, let of): i.t("пропущено уроков: \(missed) из \(of)", "missed \(missed) of \(of) lessons")
        }
    }

    func dataCheckDue(_ scope: JournalService.Scope, _ students: [Student], _ i: BotInvocation) -> [String] {
        guard !students.isEmpty else { return [i.t("\(scope.schoolClass.name): анкетные данные всех учеников сверены за последние 30 дней.", "\(scope.schoolClass.name): every student's data was checked in the last 30 days.")] }
        return [i.t("\(scope.schoolClass.name), анкетные данные не сверялись 30 дней — \(students.count): ", "\(scope.schoolClass.name), data not checked for 30 days — \(students.count): ")
                + students.map(\.shortName).joined(separator: ", "),
                i.t("Проверьте (/profile класс Фамилия) и отметьте: /checked класс Фамилия или /checked класс все", "Check (/profile class Surname) and record: /checked class Surname or /checked class all")]
    }

    func checked(_ students: [Student], _ i: BotInvocation) -> String {
        i.t("Отмечено, что анкетные данные сверены: \(students.count) (\(students.prefix(5).map(\.shortName).joined(separator: ", "))\(students.count > 5 ? ", …" : "")).",
            "Recorded as checked: \(students.count) (\(students.prefix(5).map(\.shortName).joined(separator: ", "))\(students.count > 5 ? ", …" : "")).")
    }

    func credentials(className: String, _ issued: [DutiesService.IssuedCredential], _ i: BotInvocation) -> [String] {
        guard !issued.isEmpty else {
            return [i.t("\(className): у всех учеников и родителей уже есть действующие пароли. Новый пароль одному человеку: /credentials reset \(className) Фамилия",
                        "\(className): everyone already has a working password. A new one for one person: /credentials reset \(className) Surname")]
        }
        return [i.t("\(className), временные пароли — \(issued.count). Они показаны только вам и только сейчас; при первом входе каждый задаст свой пароль.",
                    "\(className), one-time passwords — \(issued.count). Shown only to you, only now; each person sets their own at the first login.")]
            + issued.map { credential in
                let role = credential.kind == .student ? i.t("ученик", "student") : i.t("родитель", "guardian") + " (\(credential.studentName))"
                return "\(credential.name), \(role): \(i.t("логин", "login")) \(credential.login), \(i.t("пароль", "password")) \(credential.password)"
            }
            + [i.t("Напечатать листки для раздачи: classbook credentials --class \(className) (у администратора).",
                   "Printable slips: classbook credentials --class \(className) (ask the administrator).")]
    }

    // MARK: The digest

    func classDigest(_ digest: ClassDigest, _ i: BotInvocation) -> [String] {
        let name = digest.schoolClass.name
        var lines = [i.t("— \(name), неделя \(week(digest.week)) —", "— \(name), week \(week(digest.week)) —")]
        lines.append(i.t("Пропуски «Н» к проверке: \(digest.unexcused.count)", "Unexcused absences to check: \(digest.unexcused.count)")
                     + (digest.unexcused.isEmpty ? "." : " — /absences \(name)") )
        if !digest.pendingNotes.isEmpty {
            lines.append(i.t("Записки родителей ждут решения: \(digest.pendingNotes.count) — /notes \(name)", "Absence notes waiting: \(digest.pendingNotes.count) — /notes \(name)"))
        }
        let f = digest.filling
        lines.append(i.t("Журнал: без темы — \(f.withoutTopic.count), без дз — \(f.withoutHomework.count), контрольные без оценок — \(f.ungradedControlWorks.count), предметы без оценок — \(f.teachersBehind.count), итоговые не выставлены — \(f.missingFinals.count)",
                         "Journal: no topic \(f.withoutTopic.count), no homework \(f.withoutHomework.count), control works unmarked \(f.ungradedControlWorks.count), subjects without marks \(f.teachersBehind.count), finals missing \(f.missingFinals.count)")
                     + (f.isEmpty ? "." : " — /filling \(name)"))
        lines.append(i.t("Неуспешная ситуация: \(digest.atRisk.count)", "At risk: \(digest.atRisk.count)")
                     + (digest.atRisk.isEmpty ? "." : " (" + digest.atRisk.prefix(6).map(\.student.shortName).joined(separator: ", ") + ") — /risk \(name)"))
        lines.append(i.t("Не подтвердили ознакомление за неделю: \(digest.notAcknowledged.count)", "Did not acknowledge the diary this week: \(digest.notAcknowledged.count)")
                     + (digest.notAcknowledged.isEmpty ? "." : " — /acks \(name)"))
        if !digest.neverLoggedIn.isEmpty {
            lines.append(i.t("Ни разу не входили: \(digest.neverLoggedIn.count) (\(names(digest.neverLoggedIn, limit: 6))) — /activity \(name), /credentials \(name)",
                             "Never logged in: \(digest.neverLoggedIn.count) (\(names(digest.neverLoggedIn, limit: 6))) — /activity \(name), /credentials \(name)"))
        }
        lines.append(i.t("Согласия: нет ответа — \(digest.consentMissing.count), отказ (бумажные выписки) — \(digest.consentRefused.count)",
                         "Consents: no answer \(digest.consentMissing.count), refused (paper extracts) \(digest.consentRefused.count)")
                     + (digest.consentMissing.isEmpty && digest.consentRefused.isEmpty ? "." : " — /consents \(name)"))
        if let due = digest.dataCheckDue, !due.isEmpty {
            lines.append(i.t("Ежемесячная сверка анкетных данных: не сверены — \(due.count) — /checked \(name)",
                             "Monthly check of personal data: \(due.count) not checked — /checked \(name)"))
        }
        return lines
    }

    func digest(_ digest: WeeklyDigest, _ i: BotInvocation) -> [String] {
        var lines = [i.t("Еженедельная сводка, \(week(digest.week)).", "Weekly digest, \(week(digest.week)).")]
        for schoolClass in digest.classes { lines += classDigest(schoolClass, i) }
        if let own = digest.ownJournal {
            lines += filling(title: i.t("— Ваш журнал: ", "— Your journal: "), own, i)
        }
        if let school = digest.school {
            lines.append(i.t("— Школа: классы (пробелы в журнале; ознакомились за неделю; дали согласие) —", "— School: classes (journal gaps; acknowledged this week; consented) —"))
            for row in school.rows {
                lines.append("\(row.schoolClass.name): \(row.fillingGaps); \(percent(row.acknowledged, row.guardians)); \(percent(row.consented, row.guardians))")
            }
        }
        if digest.isEmpty { lines.append(i.t("Для вашей роли сводки нет.", "There is no digest for your role.")) }
        return lines
    }

    /// A whole percentage, rounded half up like every figure (`NumberText`), with the counts.
    private func percent(_ part: Int, _ whole: Int) -> String {
        guard let share = Fraction.ratio(part * 100, whole) else { return "—" }
        return "\(NumberText.decimal(share, places: 0))% (\(part)/\(whole))"
    }
}
