import CPangoCairo
import Foundation

/// Renders a `PrintDocument` to a PDF file with pango (text shaping, wrapping, Cyrillic) on
/// cairo's PDF surface, in the DejaVu Sans font (fonts-dejavu-core).
public enum PDFRenderer {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    static let font = "DejaVu Sans"
    static let margin = 42.0  // 15 mm

    public static func write(_ document: PrintDocument, to path: String) throws {
        let (width, height) = document.landscape ? (841.89, 595.28) : (595.28, 841.89)
        guard let surface = cairo_pdf_surface_create(path, width, height) else {
            throw Failure(description: "cannot create \(path)")
        }
        defer { cairo_surface_destroy(surface) }
        document.title.withCString { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, $0) }
        "Classbook".withCString { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, $0) }
        guard let cairo = cairo_create(surface) else { throw Failure(description: "cannot draw on \(path)") }
        defer { cairo_destroy(cairo) }
        var page = Page(cairo: cairo, width: width, height: height)
        for block in document.blocks { page.draw(block) }
        cairo_show_page(cairo)
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw Failure(description: "cannot write \(path): \(String(cString: cairo_status_to_string(status)))")
        }
    }

    /// The drawing state: where the next block goes.
    struct Page {
        let cairo: OpaquePointer
        let width: Double
        let height: Double
        var y = PDFRenderer.margin

        init(cairo: OpaquePointer, width: Double, height: Double) {
            self.cairo = cairo
            self.width = width
            self.height = height
        }

        var contentWidth: Double { width - 2 * PDFRenderer.margin }
        var bottom: Double { height - PDFRenderer.margin }

        mutating func newPage() {
            cairo_show_page(cairo)
            y = PDFRenderer.margin
        }

        /// A laid-out text; the caller draws it and frees it.
        func layout(_ text: String, size: Double, bold: Bool = false, width: Double) -> OpaquePointer {
            let layout = pango_cairo_create_layout(cairo)!
            let description = pango_font_description_from_string("\(PDFRenderer.font) \(bold ? "Bold " : "")\(size)")
            pango_layout_set_font_description(layout, description)
            pango_font_description_free(description)
            pango_layout_set_width(layout, Int32(width * Double(PANGO_SCALE)))
            pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
            pango_layout_set_text(layout, text, -1)
            return layout
        }

        func height(of layout: OpaquePointer) -> Double {
            var w: Int32 = 0
            var h: Int32 = 0
            pango_layout_get_size(layout, &w, &h)
            return Double(h) / Double(PANGO_SCALE)
        }

        func show(_ layout: OpaquePointer, x: Double, y: Double, grey: Bool = false) {
            cairo_set_source_rgb(cairo, grey ? 0.35 : 0, grey ? 0.35 : 0, grey ? 0.35 : 0)
            cairo_move_to(cairo, x, y)
            pango_cairo_show_layout(cairo, layout)
        }

        mutating func text(_ text: String, size: Double, bold: Bool = false, grey: Bool = false, after: Double) {
            let layout = self.layout(text, size: size, bold: bold, width: contentWidth)
            defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
            let h = height(of: layout)
            if y + h > bottom { newPage() }
            show(layout, x: PDFRenderer.margin, y: y, grey: grey)
            y += h + after
        }

        mutating func draw(_ block: PrintDocument.Block) {
            switch block {
            case .heading(let text): self.text(text, size: 14, bold: true, after: 8)
            case .paragraph(let text): self.text(text, size: 10, after: 6)
            case .note(let text): self.text(text, size: 8, grey: true, after: 6)
            case .space(let points): y += points
            case .pageBreak: newPage()
            case .cutLine:
                if y + 12 > bottom { newPage(); return }
                let dashes: [Double] = [4, 3]
                cairo_set_source_rgb(cairo, 0.5, 0.5, 0.5)
                cairo_set_line_width(cairo, 0.5)
                dashes.withUnsafeBufferPointer { cairo_set_dash(cairo, $0.baseAddress, 2, 0) }
                cairo_move_to(cairo, PDFRenderer.margin, y + 6)
                cairo_line_to(cairo, width - PDFRenderer.margin, y + 6)
                cairo_stroke(cairo)
                cairo_set_dash(cairo, nil, 0, 0)
                y += 14
            case .signature(let caption):
                if y + 40 > bottom { newPage() }
                y += 22
                cairo_set_source_rgb(cairo, 0, 0, 0)
                cairo_set_line_width(cairo, 0.6)
                cairo_move_to(cairo, PDFRenderer.margin, y)
                cairo_line_to(cairo, PDFRenderer.margin + contentWidth * 0.6, y)
                cairo_stroke(cairo)
                y += 2
                self.text(caption, size: 8, grey: true, after: 6)
            case .table(let header, let rows, let widths):
                table(header: header, rows: rows, widths: widths)
            }
        }

        /// A table whose rows break across pages; the header row repeats on each page.
        mutating func table(header: [String], rows: [[String]], widths: [Double]) {
            let total = widths.reduce(0, +)
            let columns = widths.map { $0 / total * contentWidth }
            let padding = 3.0
            func measure(_ cells: [String], bold: Bool) -> ([OpaquePointer], Double) {
                let layouts = zip(cells, columns).map { layout($0, size: 8, bold: bold, width: $1 - 2 * padding) }
                return (layouts, (layouts.map(height).max() ?? 0) + 2 * padding)
            }
            func drawRow(_ layouts: [OpaquePointer], height rowHeight: Double, shaded: Bool) {
                var x = PDFRenderer.margin
                for (layout, columnWidth) in zip(layouts, columns) {
                    if shaded {
                        cairo_set_source_rgb(cairo, 0.92, 0.92, 0.92)
                        cairo_rectangle(cairo, x, y, columnWidth, rowHeight)
                        cairo_fill(cairo)
                    }
                    cairo_set_source_rgb(cairo, 0.4, 0.4, 0.4)
                    cairo_set_line_width(cairo, 0.4)
                    cairo_rectangle(cairo, x, y, columnWidth, rowHeight)
                    cairo_stroke(cairo)
                    show(layout, x: x + padding, y: y + padding)
                    x += columnWidth
                }
                y += rowHeight
            }
            let (headerLayouts, headerHeight) = measure(header, bold: true)
            defer { headerLayouts.forEach { g_object_unref(UnsafeMutableRawPointer($0)) } }
            if y + headerHeight * 2 > bottom { newPage() }
            drawRow(headerLayouts, height: headerHeight, shaded: true)
            for row in rows {
                let (layouts, rowHeight) = measure(
                    row + Array(repeating: "", count: max(0, columns.count - row.count)), bold: false)
                if y + rowHeight > bottom {
                    newPage()
                    drawRow(headerLayouts, height: headerHeight, shaded: true)
                }
                drawRow(layouts, height: rowHeight, shaded: false)
                layouts.forEach { g_object_unref(UnsafeMutableRawPointer($0)) }
            }
            y += 8
        }
    }
}
