import ClassbookDomain
import ClassbookText

extension DiaryBot {
    /// A journal refusal in the person's language: what is not allowed or not found, and how to go on.
    static func describe(_ error: JournalError, command: BotCommand, _ i: BotInvocation) -> [String] {
        let usage = i.t("journalError.usage") + command.usage(i.language)
        switch error {
        case .noSuchClass(let name):
            return [i.t("journalError.suchClass", ["name": name, "usage": usage])]
        case .noSuchSubject(let name):
            return [i.t("journalError.subjectClass", ["name": name, "usage": usage])]
        case .notAllowed(let action, let className, let subject):
            let what = subject.map { "\(className), \($0)" } ?? className
            return [Self.refusal(action, what: what, i)]
        case .noSuchStudent(let name):
            return [i.t("journalError.studentListNothingWas", ["name": name])]
        case .ambiguousStudent(let name, let students):
            return [
                i.t("journalError.matchesSeveralStudents", ["name": name])
                    + students.map(\.shortName).joined(separator: ", ") + i.t("journalError.addFirstNameNothing")
            ]
        case .noLesson(let subject, let date):
            return [i.t("journalError.thereLessonTimetableGive", ["dateDayMonth": date.dayMonth, "subject": subject])]
        case .slotTaken(let date, let number, let subject):
            return [
                i.t(
                    "journalError.lessonAlreadyGiveAnother",
                    ["dateDayMonth": date.dayMonth, "number": number, "subject": subject])
            ]
        case .invalidMark(let text):
            return [i.t("journalError.cannotReadMarkSurname", ["text": text, "usage": usage])]
        case .invalidKind(let text):
            return [i.t("journalError.unknownKindWorkPut", ["text": text])]
        case .invalidDate(let text):
            return [i.t("journalError.cannotReadDateWrite", ["text": text, "usage": usage])]
        case .noSuchGroup(let name):
            return [i.t("journalError.suchGroupListGroup", ["name": name])]
        case .groupExists(let name):
            return [i.t("journalError.groupExistsAlready", ["name": name])]
        case .nothingToDo:
            return [i.t("journalError.somethingMissing", ["usage": usage])]
        case .noSuchTeacher(let login):
            return [i.t("journalError.teacherLogin", ["login": login])]
        case .noSuchPeriod(let text):
            return [i.t("journalError.suchPeriodGiveIts", ["text": text])]
        case .emptyText:
            return [i.t("journalError.textNeeded", ["usage": usage])]
        case .noSuchField(let text):
            return [i.t("journalError.suchPersonalDataField", ["text": text])]
        case .noSuchNote(let id):
            return [i.t("journalError.noteAmongClassS", ["id": id])]
        case .noteDecided(let id):
            return [i.t("journalError.noteHasBeenDecided", ["id": id])]
        case .noSuchPerson(let text):
            return [i.t("journalError.matchesSeveralPeopleNobody", ["text": text])]
        case .noSuchReport(let name):
            return [i.t("journalError.suchReportReportsAttendance", ["name": name, "usage": usage])]
        case .noSuchBoard(let name):
            return [i.t("journalError.boardAmongYoursBoards", ["name": name])]
        case .noSuchPost(let id):
            return [i.t("journalError.postBoards", ["id": id])]
        case .noSuchLetter(let id):
            return [i.t("journalError.letterAddressed", ["id": id])]
        case .invalidSetting(let text):
            return [i.t("journalError.cannotReadSetting", ["text": text, "usage": usage])]
        case .weakPassword:
            return [i.t("journalError.passwordWillDoCharacters")]
        case .invalidName(let text):
            return [i.t("journalError.doesLookLikeName", ["text": text])]
        }
    }

    /// What the access table refused, named in the person's language.
    static func refusal(_ action: AccessPolicy.Action, what: String, _ i: BotInvocation) -> String {
        switch action {
        case .editJournal:
            return i.t("journalError.doTeachOnlySubject", ["what": what])
        case .readJournal:
            return i.t("journalError.journalAvailableOnlyIts", ["what": what])
        case .writeRemark:
            return i.t("journalError.onlyTeachersItsClass", ["what": what])
        case .excuseAbsence, .manageGroups, .manageClassList, .readPersonalData, .superviseClass, .issueCredentials,
            .decideAbsenceNote,
            .buildReports, .sendLetter, .moderateBoard:
            return i.t("journalError.onlyClassTeacherMay", ["what": what])
        case .changeTimetable:
            return i.t("journalError.onlySchoolAdministrationChanges")
        default:
            return i.t("journalError.areAllowedDo")
        }
    }
}
