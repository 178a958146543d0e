/// Why a journal command was refused. Each case names what is not allowed or not found, so
/// the bot can say it in the person's language; none tells apart "not yours" from "no such".
public enum JournalError: Error, Equatable, Sendable {
    /// No class by that name among those the person works with (or at all).
    case noSuchClass(String)
    /// No subject by that name that the person may use here.
    case noSuchSubject(String)
    /// The person may not do this with this class and subject.
    case notAllowed(AccessPolicy.Action, className: String, subject: String?)
    case noSuchStudent(String)
    case ambiguousStudent(String, [Student])
    case noLesson(subject: String, date: SchoolDate)
    case slotTaken(date: SchoolDate, number: Int, subject: String)
    case invalidMark(String)
    case invalidKind(String)
    case invalidDate(String)
    case noSuchGroup(String)
    case groupExists(String)
    case nothingToDo
    case noSuchTeacher(String)
    case noSuchPeriod(String)
    case emptyText
    case noSuchField(String)
    case invalidName(String)
    case noSuchNote(Int64)
    case noteDecided(Int64)
    case noSuchPerson(String)
    case weakPassword
    case noSuchReport(String)
    case noSuchLetter(Int64)
    case noSuchBoard(String)
    case noSuchPost(Int64)
    case invalidSetting(String)
}
