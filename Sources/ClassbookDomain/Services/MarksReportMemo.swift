/// Each student's marks report as last built, kept with what it was built from: the
/// student's `MarksStamp` (the greatest revision of their marks and finals, and the mark
/// kinds' weights) and the grading rules. `/marks` is the most asked command of all, and most
/// askings find nothing changed since the last: with an equal stamp the report is exactly what
/// building it again would give, so only the stamp is read (one index step into marks and one
/// into finals) and nothing is grouped, sorted or averaged.
///
/// The stamp is read before the marks a report is built from, so a report is never kept under
/// a stamp newer than its data. The student's name and class and the period's name are not
/// part of it: the caller puts in the current ones.
typealias MarksReportMemo = StampedMemo<MarksReportKey, MarksReportStamp, DiaryService.MarksReport>

struct MarksReportKey: Hashable, Sendable {
    var student: StudentID
    var period: Int
    var start: SchoolDate
    var end: SchoolDate
    /// The subject asked for, as typed; nil for all.
    var subject: String?
}

struct MarksReportStamp: Equatable, Sendable {
    var marks: MarksStamp
    var rules: GradingRules
}
