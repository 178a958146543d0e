#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension IRCMessage {
    /// True when `text` holds the byte: a scan of its UTF-8 storage, where `String.contains`
    /// would compare Characters and Foundation's would search by locale.
    @inlinable
    public static func hasByte(_ byte: UInt8, in text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { bytes in
            guard let base = bytes.baseAddress else { return false }
            return memchr(base, Int32(byte), bytes.count) != nil
        } ?? text.utf8.contains(byte)
    }

    /// The line for the wire, without CR LF.
    public func serialized() -> String {
        var line = ""
        line.reserveCapacity(64 + (source?.utf8.count ?? 0) + parameters.reduce(0) { $0 + $1.utf8.count })
        serialize(into: &line)
        return line
    }

    /// Writes the line for the wire, without CR LF, piece by piece into `target` (a string,
    /// or the server's channel buffer): no temporary strings.
    ///
    /// The last parameter is written as a trailing parameter (`:`) when it is empty,
    /// contains a space or starts with `:`.
    @inlinable
    public func serialize<Target: TextOutputStream>(into target: inout Target) {
        if !tags.isEmpty {
            target.write("@")
            for (index, tag) in tags.enumerated() {
                if index > 0 { target.write(";") }
                target.write(tag.key)
                if !tag.value.isEmpty {
                    target.write("=")
                    target.write(IRCTagValue.escape(tag.value))
                }
            }
            target.write(" ")
        }
        if let source {
            target.write(":")
            target.write(source)
            target.write(" ")
        }
        target.write(command)
        for (index, parameter) in parameters.enumerated() {
            let isLast = index == parameters.count - 1
            target.write(" ")
            if isLast && (parameter.isEmpty || Self.hasByte(32, in: parameter) || parameter.utf8.first == 58) {
                target.write(":")
            }
            target.write(parameter)
        }
    }
}

/// Splits text into pieces that each fit `maxBytes` of UTF-8, preferring to break at spaces
/// and never inside a character, so that a long reply can be sent as several lines.
public enum IRCTextSplitter {
    /// True when `split` would return the text itself: it is not empty, fits, and holds no
    /// CR or LF (most text).
    @inlinable
    public static func fitsOneLine(_ text: String, maxBytes: Int) -> Bool {
        wholeLine(text, maxBytes: maxBytes) != nil
    }

    /// For text that `split` would return whole, whether it holds a space (which decides
    /// whether it is written as a trailing parameter); nil for text that must be split. One
    /// pass over its bytes for the three checked.
    @inlinable
    public static func wholeLine(_ text: String, maxBytes: Int) -> Bool? {
        let scanned = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
            guard !bytes.isEmpty, bytes.count <= maxBytes else { return nil }
            let (lineEnd, space) = scan(bytes)
            return lineEnd ? nil : space
        }
        if let scanned { return scanned }
        // Text whose storage is not contiguous (bridged).
        guard !text.isEmpty, text.utf8.count <= maxBytes, !text.utf8.contains(13), !text.utf8.contains(10) else {
            return nil
        }
        return text.utf8.contains(32)
    }

    /// Whether the bytes hold CR or LF, and whether they hold a space: eight bytes at a time
    /// (a byte-by-byte loop was 5 % of a `/marks` answer; the compiler does not vectorize it,
    /// nor Swift's `SIMD` comparisons well). A word has a zero byte exactly when
    /// `(v - 0x01…01) & ~v & 0x80…80` is not zero, so `v ^ (c × 0x01…01)` tests for byte `c`.
    @inlinable
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> (lineEnd: Bool, space: Bool) {
        guard let base = bytes.baseAddress else { return (false, false) }
        let count = bytes.count
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var lineEnds: UInt64 = 0
        var spaces: UInt64 = 0
        var index = 0
        while index &+ 8 <= count {
            let word = UnsafeRawPointer(base).loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let cr = word ^ (ones &* 13), lf = word ^ (ones &* 10), sp = word ^ (ones &* 32)
            lineEnds |= ((cr &- ones) & ~cr | (lf &- ones) & ~lf) & highs
            spaces |= (sp &- ones) & ~sp & highs
            index &+= 8
        }
        var lineEnd = lineEnds != 0
        var space = spaces != 0
        while index < count {
            let byte = base[index]
            lineEnd = lineEnd || byte == 13 || byte == 10
            space = space || byte == 32
            index &+= 1
        }
        return (lineEnd, space)
    }

    public static func split(_ text: String, maxBytes: Int) -> [String] {
        precondition(maxBytes >= 4, "a piece must hold at least one character")
        if fitsOneLine(text, maxBytes: maxBytes) { return [text] }
        var pieces: [String] = []
        // CR goes: at the scalar level, since "\r\n" is one Character to Swift's String.
        let text =
            text.utf8.contains(13) ? String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\r" })) : text
        // Lines split at LF bytes, which are always a character boundary: splitting the
        // String by Character would find every grapheme boundary of the text first.
        var lines: [Substring] = []
        var start = text.utf8.startIndex
        while let newline = text.utf8[start...].firstIndex(of: 10) {
            lines.append(text[start..<newline])
            start = text.utf8.index(after: newline)
        }
        lines.append(text[start...])
        for line in lines {
            var rest = line
            if rest.isEmpty { pieces.append(" "); continue }
            while rest.utf8.count > maxBytes {
                var cut = rest.startIndex
                var bytes = 0
                var lastSpace: Substring.Index?
                for index in rest.indices {
                    let size = rest[index].utf8.count
                    if bytes + size > maxBytes { break }
                    bytes += size
                    cut = rest.index(after: index)
                    if rest[index] == " " { lastSpace = index }
                }
                if let lastSpace, lastSpace > rest.startIndex {
                    pieces.append(String(rest[rest.startIndex..<lastSpace]))
                    rest = rest[rest.index(after: lastSpace)...]
                } else {
                    pieces.append(String(rest[rest.startIndex..<cut]))
                    rest = rest[cut...]
                }
            }
            pieces.append(String(rest))
        }
        return pieces
    }
}
