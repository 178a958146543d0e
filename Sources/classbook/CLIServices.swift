import ClassbookDomain
import ClassbookStore
import Foundation

/// The domain services over a school's database, for commands run by the operator.
struct CLIServices {
    let diary: DiaryService
    let journal: JournalService
    let duties: DutiesService
    let reports: ReportService

    init(database: ClassbookDatabase, timeZone: TimeZone = TimeZone(identifier: "Europe/Moscow")!) {
        diary = DiaryService(diary: database.diary, journal: database.journal, timeZone: timeZone)
        journal = JournalService(journal: database.journal, diary: database.diary, timeZone: timeZone)
        duties = DutiesService(duties: database.duties, journal: journal, diary: diary, executor: DetachedThreadExecutor())
        reports = ReportService(journal: journal, duties: duties)
    }
}

extension Duration {
    /// In milliseconds, for the timings the commands print.
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
