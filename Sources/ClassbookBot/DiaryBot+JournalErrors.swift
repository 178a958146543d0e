import ClassbookDomain

extension DiaryBot {
    /// A journal refusal in the person's language: what is not allowed or not found, and how to go on.
    static func describe(_ error: JournalError, command: BotCommand, _ i: BotInvocation) -> [String] {
        let usage = i.t("Формат: ", "Usage: ") + command.usage(i.language)
        switch error {
        case .noSuchClass(let name):
            return [i.t("Нет такого класса: «\(name)». \(usage)", "No such class: \"\(name)\". \(usage)")]
        case .noSuchSubject(let name):
            return [i.t("Не нашёл предмет «\(name)» в этом классе. \(usage)", "No subject \"\(name)\" in that class. \(usage)")]
        case .notAllowed(let action, let className, let subject):
            let what = subject.map { "\(className), \($0)" } ?? className
            return [Self.refusal(action, what: what, i)]
        case .noSuchStudent(let name):
            return [i.t("В списке нет ученика «\(name)». Ничего не записано.", "No student \"\(name)\" on the list. Nothing was saved.")]
        case .ambiguousStudent(let name, let students):
            return [i.t("«\(name)» — несколько учеников: ", "\"\(name)\" matches several students: ")
                    + students.map(\.shortName).joined(separator: ", ") + i.t(". Уточните имя. Ничего не записано.", ". Add the first name. Nothing was saved.")]
        case .noLesson(let subject, let date):
            return [i.t("\(date.dayMonth) по расписанию нет урока «\(subject)». Укажите номер урока: №3.",
                        "There is no \(subject) lesson in the timetable on \(date.dayMonth). Give the lesson's number: #3.")]
        case .slotTaken(let date, let number, let subject):
            return [i.t("\(date.dayMonth) \(number)-й урок — уже «\(subject)». Укажите другой номер урока.",
                        "Lesson \(number) on \(date.dayMonth) is already \(subject). Give another lesson number.")]
        case .invalidMark(let text):
            return [i.t("Не понял оценку в «\(text)»: нужна фамилия и оценка 1–5, зач или незач. Ничего не записано. \(usage)",
                        "Cannot read a mark in \"\(text)\": a surname and a mark 1–5, pass or fail. Nothing was saved. \(usage)")]
        case .invalidKind(let text):
            return [i.t("Неизвестный вид работы «\(text)»: кр, ср, тест, дз, уо. Комментарий пишите в скобках. Ничего не записано.",
                        "Unknown kind of work \"\(text)\": кр, ср, тест, дз, уо. Put a comment in parentheses. Nothing was saved.")]
        case .invalidDate(let text):
            return [i.t("Не понял дату «\(text)»: пишите 24.11 или 24.11.2026. \(usage)", "Cannot read the date \"\(text)\": write 24.11 or 2026-11-24. \(usage)")]
        case .noSuchGroup(let name):
            return [i.t("Нет такой группы: «\(name)». Список: /group класс", "No such group: \"\(name)\". List: /group class")]
        case .groupExists(let name):
            return [i.t("Группа «\(name)» уже есть.", "The group \"\(name)\" exists already.")]
        case .nothingToDo:
            return [i.t("Не хватает данных. \(usage)", "Something is missing. \(usage)")]
        case .noSuchTeacher(let login):
            return [i.t("Нет учителя с логином «\(login)».", "No teacher with the login \"\(login)\".")]
        case .noSuchPeriod(let text):
            return [i.t("Нет такого учебного периода: «\(text)». Укажите номер (2) или «год».", "No such period: \"\(text)\". Give its number (2) or \"year\".")]
        case .emptyText:
            return [i.t("Нужен текст. \(usage)", "Text is needed. \(usage)")]
        case .noSuchField(let text):
            return [i.t("Нет такого поля анкеты: «\(text)».", "No such personal-data field: \"\(text)\".")]
        case .noSuchNote(let id):
            return [i.t("Нет записки №\(id) среди записок вашего класса. Список: /notes", "No note #\(id) among your class's notes. List: /notes")]
        case .noteDecided(let id):
            return [i.t("Записка №\(id) уже рассмотрена.", "Note #\(id) has been decided already.")]
        case .noSuchPerson(let text):
            return [i.t("«\(text)» — несколько человек или никого среди учеников и родителей класса. Уточните имя или укажите логин.",
                        "\"\(text)\" matches several people or nobody among the class's students and guardians. Give a fuller name or the login.")]
        case .noSuchReport(let name):
            return [i.t("Нет такого отчёта: «\(name)». Отчёты: attendance, preliminary, period, results, marks, attendance-sheet, movement, analytics. \(usage)",
                        "No such report: \"\(name)\". Reports: attendance, preliminary, period, results, marks, attendance-sheet, movement, analytics. \(usage)")]
        case .noSuchBoard(let name):
            return [i.t("Нет доски «\(name)» среди ваших. Ваши доски: /boards", "No board \"\(name)\" among yours. Your boards: /boards")]
        case .noSuchPost(let id):
            return [i.t("Нет сообщения №\(id) на ваших досках.", "No post #\(id) on your boards.")]
        case .noSuchLetter(let id):
            return [i.t("Нет письма №\(id), адресованного вам.", "No letter #\(id) addressed to you.")]
        case .invalidSetting(let text):
            return [i.t("Не понял настройку «\(text)». \(usage)", "Cannot read the setting \"\(text)\". \(usage)")]
        case .weakPassword:
            return [i.t("Пароль не подходит: нужно не меньше 8 знаков, без пробелов, и не совпадающий с логином. Ничего не изменено.",
                        "That password will not do: 8 characters or more, no spaces, not the login. Nothing was changed.")]
        case .invalidName(let text):
            return [i.t("«\(text)» не похоже на фамилию, имя и отчество: только буквы и дефис.", "\"\(text)\" does not look like a name: letters and hyphens only.")]
        }
    }

    /// What the access table refused, named in the person's language.
    static func refusal(_ action: AccessPolicy.Action, what: String, _ i: BotInvocation) -> String {
        switch action {
        case .editJournal:
            return i.t("Вы не ведёте «\(what)»: журнал заполняет только учитель этого предмета.",
                       "You do not teach \(what): only the subject's own teacher fills the journal.")
        case .readJournal:
            return i.t("Журнал «\(what)» вам недоступен: только учителю предмета, классному руководителю и администрации.",
                       "The journal of \(what) is not available to you: only its teacher, the class teacher and the administration.")
        case .writeRemark:
            return i.t("Писать в дневники \(what) могут только учителя этого класса и классный руководитель.",
                       "Only teachers of \(what) and its class teacher may write in its diaries.")
        case .excuseAbsence, .manageGroups, .manageClassList, .readPersonalData, .superviseClass, .issueCredentials, .decideAbsenceNote,
             .buildReports, .sendLetter, .moderateBoard:
            return i.t("Это может только классный руководитель \(what).", "Only the class teacher of \(what) may do this.")
        case .changeTimetable:
            return i.t("Расписание меняет администрация школы.", "Only the school administration changes the timetable.")
        default:
            return i.t("Это действие вам недоступно.", "You are not allowed to do this.")
        }
    }
}
