import ClassbookDomain
import ClassbookText
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

    func consents(_ scope: JournalService.Scope, _ rows: [(ClassGuardian, ConsentRecord?)], _ i: any Wording)
        -> [String]
    {
        let granted = rows.filter { $0.1?.decision == .granted }
        let refused = rows.filter { $0.1?.decision == .refused }
        let missing = rows.filter { $0.1 == nil }
        var lines = [
            i.t(
                "duty.consentsGivenRefusedAnswer",
                [
                    "schoolClassName": scope.schoolClass.name, "grantedCount": granted.count,
                    "refusedCount": refused.count, "missingCount": missing.count, "rowsCount": rows.count
                ])
        ]
        for (guardian, record) in refused {
            lines.append(i.t("duty.refusedPaperExtracts") + "\(guardian.name) — \(base.time(record!.at))")
        }
        if !missing.isEmpty { lines.append(i.t("duty.answer") + names(missing.map(\.0), limit: 40)) }
        return lines
    }

    func acks(
        _ scope: JournalService.Scope, _ week: DutiesService.Week, _ rows: [(ClassGuardian, GuardianActivity)],
        _ i: any Wording
    ) -> [String] {
        let done = rows.filter { !$0.1.acknowledgements.isEmpty }
        var lines = [
            i.t(
                "duty.diaryAcknowledged",
                [
                    "schoolClassName": scope.schoolClass.name, "week": self.week(week), "doneCount": done.count,
                    "rowsCount": rows.count
                ])
        ]
        for (guardian, activity) in done {
            lines.append("\(guardian.name): " + activity.acknowledgements.map(base.time).joined(separator: ", "))
        }
        let missing = rows.filter { $0.1.acknowledgements.isEmpty }.map(\.0)
        if !missing.isEmpty { lines.append(i.t("duty.acknowledged") + names(missing, limit: 40)) }
        return lines
    }

    func activity(
        _ scope: JournalService.Scope, _ week: DutiesService.Week, _ rows: [(ClassGuardian, GuardianActivity)],
        _ i: any Wording
    ) -> [String] {
        var lines = [
            i.t(
                "duty.guardiansActivityLoginsDays", ["schoolClassName": scope.schoolClass.name, "week": self.week(week)]
            )
        ]
        for (guardian, activity) in rows {
            let last = activity.lastLogin.map(base.time) ?? i.t("duty.neverLogged")
            lines.append(
                "\(guardian.name): \(activity.logins) / \(activity.diaryViews) / \(activity.acknowledgements.count); "
                    + "\(last)"
            )
        }
        let never = rows.filter { $0.1.lastLogin == nil }.map(\.0)
        if !never.isEmpty {
            lines.append(i.t("duty.neverLoggedIssuePasswords", ["neverCount": never.count]))
        }
        return lines
    }

    func unexcused(
        _ scope: JournalService.Scope, _ week: DutiesService.Week, _ absences: [UnexcusedAbsence],
        _ notes: [AbsenceNote],
        _ i: any Wording
    ) -> [String] {
        var lines = [
            i.t(
                "duty.unexcusedAbsences",
                ["schoolClassName": scope.schoolClass.name, "week": self.week(week), "absencesCount": absences.count])
        ]
        var byStudent: [(Student, [AbsenceEntry])] = []
        for absence in absences {
            if let index = byStudent.firstIndex(where: { $0.0.id == absence.student.id }) {
                byStudent[index].1.append(absence.entry)
            } else {
                byStudent.append((absence.student, [absence.entry]))
            }
        }
        for (student, entries) in byStudent {
            lines.append(
                "\(student.shortName): "
                    + entries.map { "\($0.date.dayMonth) №\($0.lessonNumber) \($0.subject)" }.joined(separator: ", "))
        }
        if !notes.isEmpty { lines.append(i.t("duty.guardiansNotesWaitingNotes", ["notesCount": notes.count])) }
        if !absences.isEmpty { lines.append(i.t("duty.excuseExcuseSurnameDate")) }
        return lines
    }

    func noteSubmitted(_ id: Int64, _ student: Student, _ dates: [SchoolDate], _ i: any Wording) -> String {
        i.t(
            "duty.noteAboutSAbsences",
            ["id": id, "studentShortName": student.shortName, "map": dates.map(\.dayMonth).joined(separator: ", ")])
    }

    func notes(_ scope: JournalService.Scope, _ notes: [AbsenceNote], _ i: any Wording) -> [String] {
        guard !notes.isEmpty else { return [i.t("duty.notesWaiting", ["schoolClassName": scope.schoolClass.name])] }
        return [i.t("duty.absenceNotesDecideAccept", ["schoolClassName": scope.schoolClass.name])]
            + notes.map {
                "№\($0.id) \($0.student.shortName), \($0.dates.map(\.dayMonth).joined(separator: ", ")): "
                    + "«\($0.reason)» — \($0.guardianName), \(base.time($0.createdAt))"
            }
    }

    func decided(_ note: AbsenceNote, excused: Int, _ i: any Wording) -> String {
        note.status == .accepted
            ? i.t(
                "duty.noteAcceptedAbsenceS",
                ["id": note.id, "studentShortName": note.student.shortName, "excused": excused])
            : i.t("duty.noteRejected", ["id": note.id])
    }

    private func gaps(_ gaps: [JournalFilling.LessonGap], limit: Int = 6) -> String {
        let shown = gaps.prefix(limit).map {
            "\($0.className) \($0.subject) \($0.date.dayMonth) №\($0.number) (\($0.teacherName))"
        }.joined(separator: "; ")
        return gaps.count > limit ? shown + " …(+\(gaps.count - limit))" : shown
    }

    func filling(title: String, _ filling: JournalFilling, _ i: any Wording) -> [String] {
        guard !filling.isEmpty else { return [title + i.t("duty.journalLastTwoWeeks")] }
        var lines = [title + i.t("duty.journalFillingLastTwo")]
        if !filling.withoutTopic.isEmpty {
            lines.append(
                i.t("duty.lessonsWithoutTopic", ["withoutTopicCount": filling.withoutTopic.count])
                    + gaps(filling.withoutTopic))
        }
        if !filling.withoutHomework.isEmpty {
            lines.append(
                i.t("duty.withoutHomework", ["withoutHomeworkCount": filling.withoutHomework.count])
                    + gaps(filling.withoutHomework))
        }
        if !filling.ungradedControlWorks.isEmpty {
            lines.append(
                i.t("duty.controlWorksWithoutMarks", ["ungradedControlWorksCount": filling.ungradedControlWorks.count])
                    + gaps(filling.ungradedControlWorks))
        }
        for lag in filling.teachersBehind {
            lines.append(
                i.t(
                    "duty.marksTwoWeeksLessons",
                    [
                        "className": lag.className, "subject": lag.subject, "teacherName": lag.teacherName,
                        "unmarkedLessons": lag.unmarkedLessons
                    ]))
        }
        for missing in filling.missingFinals {
            lines.append(
                i.t(
                    "duty.finalsTermMissingStudents",
                    [
                        "periodName": missing.period.name, "className": missing.className, "subject": missing.subject,
                        "teacherName": missing.teacherName, "students": missing.students,
                        "ordinal": missing.period.ordinal
                    ]))
        }
        return lines
    }

    func atRisk(_ scope: JournalService.Scope, _ students: [StudentAtRisk], _ i: any Wording) -> [String] {
        guard !students.isEmpty else { return [i.t("duty.studentsRisk", ["schoolClassName": scope.schoolClass.name])] }
        return [i.t("duty.studentsRisk2", ["schoolClassName": scope.schoolClass.name, "studentsCount": students.count])]
            + students.map {
                "\($0.student.shortName): " + $0.reasons.map { reason(for: $0, i) }.joined(separator: "; ")
            }
    }

    func reason(for reason: StudentAtRisk.Reason, _ i: any Wording) -> String {
        switch reason {
        case .lowAverage(let subject, let average):
            i.t("duty.average", ["subject": subject, "number": base.number(average, i)])
        case .recentTwos(let count): i.t("duty.twosTwoWeeks", ["count": count])
        case .missedLessons(let missed, let of): i.t("duty.missedLessons", ["missed": missed, "of": of])
        }
    }

    func dataCheckDue(_ scope: JournalService.Scope, _ students: [Student], _ i: any Wording) -> [String] {
        guard !students.isEmpty else {
            return [i.t("duty.everyStudentSData", ["schoolClassName": scope.schoolClass.name])]
        }
        return [
            i.t("duty.dataCheckedDays", ["schoolClassName": scope.schoolClass.name, "studentsCount": students.count])
                + students.map(\.shortName).joined(separator: ", "),
            i.t("duty.checkProfileClassSurname")
        ]
    }

    func checked(_ students: [Student], _ i: any Wording) -> String {
        i.t(
            "duty.recordedChecked",
            [
                "studentsCount": students.count, "prefix": students.prefix(5).map(\.shortName).joined(separator: ", "),
                "students": students.count > 5 ? ", …" : ""
            ])
    }

    func credentials(className: String, _ issued: [DutiesService.IssuedCredential], _ i: any Wording) -> [String] {
        guard !issued.isEmpty else {
            return [i.t("duty.everyoneAlreadyHasWorking", ["className": className])]
        }
        return [i.t("duty.oneTimePasswordsShown", ["className": className, "issuedCount": issued.count])]
            + issued.map { credential in
                let role =
                    credential.kind == .student
                    ? i.t("duty.student") : i.t("duty.guardian") + " (\(credential.studentName))"
                return
                    "\(credential.name), \(role): \(i.t("duty.login")) \(credential.login), \(i.t("duty.password")) "
                    + "\(credential.password)"
            }
            + [i.t("duty.printableSlipsClassbookCredentials", ["className": className])]
    }

    // MARK: The digest

    func classDigest(_ digest: ClassDigest, _ i: any Wording) -> [String] {
        let name = digest.schoolClass.name
        var lines = [i.t("duty.week", ["name": name, "week": week(digest.week)])]
        lines.append(
            i.t("duty.unexcusedAbsencesCheck", ["unexcusedCount": digest.unexcused.count])
                + (digest.unexcused.isEmpty ? "." : " — /absences \(name)"))
        if !digest.pendingNotes.isEmpty {
            lines.append(
                i.t("duty.absenceNotesWaitingNotes", ["pendingNotesCount": digest.pendingNotes.count, "name": name]))
        }
        let f = digest.filling
        lines.append(
            i.t(
                "duty.journalTopicHomeworkControl",
                [
                    "withoutTopicCount": f.withoutTopic.count, "withoutHomeworkCount": f.withoutHomework.count,
                    "ungradedControlWorksCount": f.ungradedControlWorks.count,
                    "teachersBehindCount": f.teachersBehind.count, "missingFinalsCount": f.missingFinals.count
                ])
                + (f.isEmpty ? "." : " — /filling \(name)"))
        lines.append(
            i.t("duty.risk", ["atRiskCount": digest.atRisk.count])
                + (digest.atRisk.isEmpty
                    ? "."
                    : " (" + digest.atRisk.prefix(6).map(\.student.shortName).joined(separator: ", ")
                        + ") — /risk \(name)"))
        lines.append(
            i.t("duty.didAcknowledgeDiaryWeek", ["notAcknowledgedCount": digest.notAcknowledged.count])
                + (digest.notAcknowledged.isEmpty ? "." : " — /acks \(name)"))
        if !digest.neverLoggedIn.isEmpty {
            lines.append(
                i.t(
                    "duty.neverLoggedActivityCredentials",
                    [
                        "neverLoggedInCount": digest.neverLoggedIn.count,
                        "names": names(digest.neverLoggedIn, limit: 6), "name": name
                    ]))
        }
        lines.append(
            i.t(
                "duty.consentsAnswerRefusedPaper",
                ["consentMissingCount": digest.consentMissing.count, "consentRefusedCount": digest.consentRefused.count]
            )
                + (digest.consentMissing.isEmpty && digest.consentRefused.isEmpty ? "." : " — /consents \(name)"))
        if let due = digest.dataCheckDue, !due.isEmpty {
            lines.append(i.t("duty.monthlyCheckPersonalData", ["dueCount": due.count, "name": name]))
        }
        return lines
    }

    func digest(_ digest: WeeklyDigest, _ i: any Wording) -> [String] {
        var lines = [i.t("duty.weeklyDigest", ["week": week(digest.week)])]
        for schoolClass in digest.classes { lines += classDigest(schoolClass, i) }
        if let own = digest.ownJournal {
            lines += filling(title: i.t("duty.journal"), own, i)
        }
        if let school = digest.school {
            lines.append(i.t("duty.schoolClassesJournalGaps"))
            for row in school.rows {
                lines.append(
                    "\(row.schoolClass.name): \(row.fillingGaps); \(percent(row.acknowledged, row.guardians)); "
                        + "\(percent(row.consented, row.guardians))"
                )
            }
        }
        if digest.isEmpty { lines.append(i.t("duty.thereDigestRole")) }
        return lines
    }

    /// A whole percentage, rounded half up like every figure (`NumberText`), with the counts.
    private func percent(_ part: Int, _ whole: Int) -> String {
        guard let share = Fraction.ratio(part * 100, whole) else { return "—" }
        return "\(NumberText.decimal(share, places: 0))% (\(part)/\(whole))"
    }
}
