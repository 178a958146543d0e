/// A document to print: headings, paragraphs, tables and signature lines, laid out top to
/// bottom on A4 pages. Tables break across pages and repeat their header row.
public struct PrintDocument: Sendable {
    public enum Block: Sendable {
        case heading(String)
        case paragraph(String)
        /// Smaller grey text (notes, legends).
        case note(String)
        /// Columns' relative widths; a row's height is its tallest cell.
        case table(header: [String], rows: [[String]], widths: [Double])
        /// A line to sign on, with its caption under it.
        case signature(String)
        /// A dashed line to cut along (slips).
        case cutLine
        case space(Double)
        case pageBreak
    }

    public var title: String
    public var blocks: [Block]
    /// Landscape pages, for wide tables.
    public var landscape: Bool

    public init(title: String, blocks: [Block] = [], landscape: Bool = false) {
        self.title = title
        self.blocks = blocks
        self.landscape = landscape
    }
}
