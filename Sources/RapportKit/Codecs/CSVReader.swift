import Foundation

/// One row of a CSV file, with the fields exactly as written (quotes removed, nothing trimmed).
public struct CSVRecord: Sendable, Equatable {
    /// 1-based physical line where the record starts; a quoted field with line breaks makes the next
    /// record start further down, and blank lines still count, so the number matches an editor's.
    public let line: Int
    public let fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// A problem that stops reading the file as a whole. Problems of single rows (wrong number of fields,
/// invalid values) are left to the importer, which reports them per row and carries on.
public struct CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable { case encoding, delimiter, quoting, header, io }
    public let kind: Kind
    public let line: Int?
    public let message: String

    public init(kind: Kind, line: Int?, message: String) {
        self.kind = kind
        self.line = line
        self.message = message
    }

    public var description: String { message }
}

/// Streams records out of a CSV file (RFC 4180, plus what spreadsheet programs really write:
/// a UTF-8 BOM, `;` from German Excel, CRLF, LF or lone CR line endings, no final newline).
///
/// The file is read in chunks and parsed as bytes; Strings are only built per field. A 100 MB export
/// takes about a second in a release build, and memory grows with the longest record, not the file.
public final class CSVReader {
    public let header: [String]
    public let delimiter: UInt8
    public let totalBytes: Int?
    private var scanner: CSVScanner

    public convenience init(path: String, delimiter: UInt8? = nil, chunkSize: Int = 65_536) throws {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        } catch {
            throw CSVError(kind: .io, line: nil, message: "The file '\(path)' cannot be opened: \(error.localizedDescription).")
        }
        // The size only serves the progress bar, so a file that cannot seek (a pipe) just has none.
        var size: Int?
        if let end = try? handle.seekToEnd() {
            size = Int(end)
            do {
                try handle.seek(toOffset: 0)
            } catch {
                throw CSVError(kind: .io, line: nil, message: "The file '\(path)' cannot be read: \(error.localizedDescription).")
            }
        }
        let step = max(1, chunkSize)
        let readChunk = { () throws(CSVError) -> [UInt8]? in
            do {
                guard let data = try handle.read(upToCount: step), !data.isEmpty else { return nil }
                return [UInt8](data)
            } catch {
                throw CSVError(kind: .io, line: nil, message: "Reading the file '\(path)' failed: \(error.localizedDescription).")
            }
        }
        try self.init(scanner: CSVScanner(initial: [], readChunk: readChunk), delimiter: delimiter, totalBytes: size)
    }

    public convenience init(data: Data, delimiter: UInt8? = nil) throws {
        try self.init(data: data, delimiter: delimiter, maxRecordBytes: CSVScanner.defaultMaxRecordBytes)
    }

    /// Lets tests lower the record size limit instead of generating 16 MiB of input.
    convenience init(data: Data, delimiter: UInt8?, maxRecordBytes: Int) throws {
        var scanner = CSVScanner(initial: [UInt8](data), readChunk: { nil })
        scanner.maxRecordBytes = maxRecordBytes
        try self.init(scanner: scanner, delimiter: delimiter, totalBytes: data.count)
    }

    private init(scanner: CSVScanner, delimiter given: UInt8?, totalBytes: Int?) throws(CSVError) {
        var scanner = scanner
        try scanner.checkFileStart()
        if let given, given == CSVScanner.quote || given == CSVScanner.cr || given == CSVScanner.lf {
            throw CSVError(kind: .delimiter, line: 1, message: "\(describe(given)) cannot separate fields, because it already has a meaning in CSV — use ',' or ';'.")
        }
        let counts = try scanner.countCandidatesInFirstLine()
        let chosen = given ?? Self.mostFrequent(counts)
        scanner.delimiter = chosen

        guard let first = try scanner.nextRecord() else {
            throw CSVError(kind: .header, line: 1, message: "Line 1 is missing because the file is empty: the first line must name the columns (for example: name,email,country).")
        }
        let names = first.fields.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        if names.count == 1, let other = counts.first(where: { $0.count > 0 && $0.byte != chosen }) {
            throw CSVError(kind: .delimiter, line: first.line, message: "Line \(first.line): the header has one column but contains \(describe(other.byte)) — the file seems to be separated by \(describe(other.byte)), not \(describe(chosen)); choose \(describe(other.byte)) as the separator or let it be detected.")
        }
        try Self.checkNames(names, line: first.line)

        self.header = names
        self.delimiter = chosen
        self.totalBytes = totalBytes
        self.scanner = scanner
    }

    /// The next record, or nil at the end of the file.
    public func next() throws -> CSVRecord? {
        try scanner.nextRecord()
    }

    /// Bytes of the file parsed so far, for a progress bar next to `totalBytes`.
    public var bytesRead: Int { scanner.consumed }

    /// Ties go to the earlier candidate, so a header without any separator means one column split by ','.
    private static func mostFrequent(_ counts: [(byte: UInt8, count: Int)]) -> UInt8 {
        var best = counts[0]
        for candidate in counts.dropFirst() where candidate.count > best.count { best = candidate }
        return best.byte
    }

    private static func checkNames(_ names: [String], line: Int) throws(CSVError) {
        var seen: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            if name.isEmpty {
                throw CSVError(kind: .header, line: line, message: "Line \(line): column \(index + 1) of the header has no name — every column needs a name in the first line, so name it or delete the empty column.")
            }
            let key = name.lowercased()
            if let earlier = seen[key] {
                throw CSVError(kind: .header, line: line, message: "Line \(line): the header names the column '\(name)' twice (columns \(earlier + 1) and \(index + 1)) — column names must be unique regardless of case, so rename or remove one of them.")
            }
            seen[key] = index
        }
    }
}

/// How error messages show a separator or a stray byte, so users recognise it in their editor.
fileprivate func describe(_ byte: UInt8) -> String {
    switch byte {
    case 0x09: return "a tab"
    case 0x20: return "a space"
    case 0x21...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
    default: return "the byte 0x\(String(byte, radix: 16, uppercase: true))"
    }
}

/// The byte-level state machine behind `CSVReader`. It keeps only the current record in its buffer;
/// field boundaries are remembered as offsets into that buffer until the record is complete.
fileprivate struct CSVScanner {
    static let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
    static let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")]

    enum State { case lineStart, fieldStart, unquoted, quoted, afterQuote }

    /// A field's bytes in the buffer, without surrounding quotes; `escaped` means `""` pairs remain.
    struct Span { var start: Int, end: Int, escaped: Bool }

    /// Everything the parse loop changes, kept apart from the buffer so the loop can read the buffer
    /// through a pointer while updating this.
    struct Cursor {
        var pos = 0
        var line = 1
        var state = State.lineStart
        /// A record ended on CR; an LF right after it belongs to the same line break.
        var skipLF = false
        var recordStart = 0
        var recordLine = 1
        var fieldStart = 0
        var fieldEscaped = false
        var quoteLine = 1
        var spans: [Span] = []
    }

    enum Step { case record(CSVRecord), needMore, failure(CSVError) }

    /// A record this long is almost always a quote that never closes; stopping there keeps a broken
    /// file from being pulled into memory whole.
    static let defaultMaxRecordBytes = 16 << 20

    var delimiter = UInt8(ascii: ",")
    var maxRecordBytes = defaultMaxRecordBytes
    private var buffer: [UInt8]
    private var cursor = Cursor()
    private var dropped = 0
    private var exhausted = false
    private let readChunk: () throws(CSVError) -> [UInt8]?

    init(initial: [UInt8], readChunk: @escaping () throws(CSVError) -> [UInt8]?) {
        self.buffer = initial
        self.readChunk = readChunk
    }

    var consumed: Int { dropped + cursor.pos }

    /// Appends the next chunk, first dropping what finished records no longer need. False at the end.
    private mutating func refill() throws(CSVError) -> Bool {
        if exhausted { return false }
        guard let chunk = try readChunk() else {
            exhausted = true
            return false
        }
        // Dropping only once the dead part is at least half the buffer keeps the copying linear
        // even for tiny chunks.
        let keep = cursor.state == .lineStart ? cursor.pos : cursor.recordStart
        if keep > 0 && keep * 2 >= buffer.count {
            buffer.removeSubrange(0..<keep)
            dropped += keep
            cursor.pos -= keep
            cursor.recordStart -= keep
            cursor.fieldStart -= keep
            for i in cursor.spans.indices {
                cursor.spans[i].start -= keep
                cursor.spans[i].end -= keep
            }
        }
        buffer.append(contentsOf: chunk)
        return true
    }

    /// Skips a UTF-8 byte order mark and turns away what is not UTF-8 text at all, with a message
    /// that says what the file is instead of a puzzling error about its first line.
    mutating func checkFileStart() throws(CSVError) {
        while buffer.count < 4, try refill() {}
        if buffer.starts(with: [0xEF, 0xBB, 0xBF]) {
            cursor.pos = 3
        } else if buffer.starts(with: [0xFF, 0xFE]) || buffer.starts(with: [0xFE, 0xFF]) {
            throw CSVError(kind: .encoding, line: 1, message: "Line 1: the file is encoded as UTF-16 (it starts with a UTF-16 byte order mark), but only UTF-8 can be read — save it as UTF-8 (in Excel: \"CSV UTF-8\") and upload it again.")
        } else if buffer.starts(with: [0x50, 0x4B, 0x03, 0x04]) || buffer.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            throw CSVError(kind: .encoding, line: 1, message: "Line 1: this is an Excel workbook (or another binary file), not a CSV file — in Excel use \"Save As\" with the type \"CSV UTF-8\" and upload that file.")
        }
    }

    /// Counts each candidate separator outside quotes in the first non-blank line. Looks at no more
    /// than 64 KiB, so a file that opens a quote and never closes it is not read whole at this point.
    mutating func countCandidatesInFirstLine() throws(CSVError) -> [(byte: UInt8, count: Int)] {
        let limit = 65_536
        while true {
            var counts = [Int](repeating: 0, count: Self.candidates.count)
            var inQuotes = false, sawContent = false, complete = false
            var i = cursor.pos
            scan: while i < buffer.count && i - cursor.pos < limit {
                let b = buffer[i]
                i += 1
                if b == 0 {
                    throw CSVError(kind: .encoding, line: 1, message: "Line 1: the file contains zero bytes, so it is most likely encoded as UTF-16, but only UTF-8 can be read — save it as UTF-8 (in Excel: \"CSV UTF-8\") and upload it again.")
                }
                if b == Self.quote { inQuotes.toggle(); sawContent = true; continue }
                if inQuotes { continue }
                if b == Self.cr || b == Self.lf {
                    if sawContent { complete = true; break scan }
                    continue
                }
                sawContent = true
                if let k = Self.candidates.firstIndex(of: b) { counts[k] += 1 }
            }
            let enough = complete || i - cursor.pos >= limit
            if !enough, try refill() { continue }
            return zip(Self.candidates, counts).map { (byte: $0, count: $1) }
        }
    }

    private func checkRecordSize() throws(CSVError) {
        guard cursor.state != .lineStart, buffer.count - cursor.recordStart > maxRecordBytes else { return }
        let size = maxRecordBytes >= 1 << 20 ? "\(maxRecordBytes >> 20) MiB" : "\(maxRecordBytes) bytes"
        if cursor.state == .quoted {
            throw CSVError(kind: .quoting, line: cursor.quoteLine, message: "Line \(cursor.quoteLine), column \(cursor.spans.count + 1): the quote that opens this field is still not closed after \(size) — add the missing closing quote (\"), and double any quote inside the field (\"\").")
        }
        throw CSVError(kind: .encoding, line: cursor.recordLine, message: "Line \(cursor.recordLine): the record is longer than \(size) without a line break, so this is not a CSV file or its line breaks are damaged — export it again as CSV UTF-8.")
    }

    mutating func nextRecord() throws(CSVError) -> CSVRecord? {
        while true {
            let delimiter = self.delimiter
            let step = buffer.withUnsafeBufferPointer { Self.run($0, &cursor, delimiter) }
            switch step {
            case .record(let record): return record
            case .failure(let error): throw error
            case .needMore:
                try checkRecordSize()
                if try refill() { continue }
            }
            let last = buffer.withUnsafeBufferPointer { Self.finish($0, &cursor) }
            switch last {
            case .record(let record): return record
            case .failure(let error): throw error
            case .needMore: return nil
            }
        }
    }

    /// Advances over the bytes in the buffer until a record is complete or the buffer runs out.
    /// Inner loops skip ordinary bytes without going back to the state switch, which keeps the
    /// parser at a few nanoseconds per byte.
    private static func run(_ p: UnsafeBufferPointer<UInt8>, _ c: inout Cursor, _ d: UInt8) -> Step {
        let n = p.count
        var i = c.pos
        defer { c.pos = i }
        while i < n {
            switch c.state {
            case .lineStart:
                let b = p[i]
                if c.skipLF {
                    c.skipLF = false
                    if b == lf { i += 1; continue }
                }
                if b == cr || b == lf {
                    // A blank line: no record, but it still counts for the line numbers.
                    c.line += 1
                    c.skipLF = b == cr
                    i += 1
                    continue
                }
                c.recordStart = i
                c.recordLine = c.line
                c.spans.removeAll(keepingCapacity: true)
                c.state = .fieldStart
            case .fieldStart:
                let b = p[i]
                if b == quote {
                    c.state = .quoted
                    c.quoteLine = c.line
                    c.fieldStart = i + 1
                    c.fieldEscaped = false
                    i += 1
                } else if b == d {
                    c.spans.append(Span(start: i, end: i, escaped: false))
                    i += 1
                } else if b == cr || b == lf {
                    c.spans.append(Span(start: i, end: i, escaped: false))
                    return endRecord(p, &c, &i)
                } else {
                    c.state = .unquoted
                    c.fieldStart = i
                    i += 1
                }
            case .unquoted:
                while i < n {
                    let b = p[i]
                    if b == d || b == cr || b == lf || b == quote { break }
                    i += 1
                }
                if i == n { return .needMore }
                let b = p[i]
                if b == quote {
                    return .failure(CSVError(kind: .quoting, line: c.line, message: "Line \(c.line), column \(c.spans.count + 1): the field contains a quote (\") but does not start with one — enclose the whole field in quotes and double the quote inside it, like \"ab\"\"c\"."))
                }
                c.spans.append(Span(start: c.fieldStart, end: i, escaped: false))
                if b == d {
                    c.state = .fieldStart
                    i += 1
                } else {
                    return endRecord(p, &c, &i)
                }
            case .quoted:
                while i < n {
                    let b = p[i]
                    if b == quote { break }
                    // The opening quote is before i, so p[i - 1] is always in the buffer.
                    if b == cr || (b == lf && p[i - 1] != cr) { c.line += 1 }
                    i += 1
                }
                if i == n { return .needMore }
                c.state = .afterQuote
                i += 1
            case .afterQuote:
                let b = p[i]
                if b == quote {
                    c.fieldEscaped = true
                    c.state = .quoted
                    i += 1
                    continue
                }
                c.spans.append(Span(start: c.fieldStart, end: i - 1, escaped: c.fieldEscaped))
                if b == d {
                    c.state = .fieldStart
                    i += 1
                } else if b == cr || b == lf {
                    return endRecord(p, &c, &i)
                } else {
                    let column = c.spans.count
                    return .failure(CSVError(kind: .quoting, line: c.line, message: "Line \(c.line), column \(column): the quoted field is followed by \(describe(b)) instead of \(describe(d)) or the end of the line — a quote inside a quoted field must be doubled (\"\")."))
                }
            }
        }
        return .needMore
    }

    private static func endRecord(_ p: UnsafeBufferPointer<UInt8>, _ c: inout Cursor, _ i: inout Int) -> Step {
        c.skipLF = p[i] == cr
        c.line += 1
        i += 1
        c.state = .lineStart
        return makeRecord(p, c)
    }

    /// Completes the last record when the input ends without a final line break.
    private static func finish(_ p: UnsafeBufferPointer<UInt8>, _ c: inout Cursor) -> Step {
        let n = p.count
        switch c.state {
        case .lineStart:
            return .needMore
        case .fieldStart:
            c.spans.append(Span(start: n, end: n, escaped: false))
        case .unquoted:
            c.spans.append(Span(start: c.fieldStart, end: n, escaped: false))
        case .afterQuote:
            c.spans.append(Span(start: c.fieldStart, end: n - 1, escaped: c.fieldEscaped))
        case .quoted:
            return .failure(CSVError(kind: .quoting, line: c.quoteLine, message: "Line \(c.quoteLine), column \(c.spans.count + 1): the quote that opens this field is never closed before the end of the file — add the missing closing quote (\"), and double any quote inside the field (\"\")."))
        }
        c.state = .lineStart
        return makeRecord(p, c)
    }

    private static func makeRecord(_ p: UnsafeBufferPointer<UInt8>, _ c: Cursor) -> Step {
        var fields: [String] = []
        fields.reserveCapacity(c.spans.count)
        for (index, span) in c.spans.enumerated() {
            let raw = UnsafeBufferPointer(rebasing: p[span.start..<span.end])
            let text = span.escaped ? unescaped(raw) : utf8String(raw)
            guard let text else { return .failure(encodingError(p, c, span: span, column: index + 1)) }
            fields.append(text)
        }
        return .record(CSVRecord(line: c.recordLine, fields: fields))
    }

    private static func unescaped(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var k = 0
        while k < raw.count {
            // Inside a closed quoted field every quote is the first of a doubled pair.
            bytes.append(raw[k])
            k += raw[k] == quote ? 2 : 1
        }
        return bytes.withUnsafeBufferPointer(utf8String)
    }

    /// The standard library's `String(validating:as:)` goes through generic code that dominated
    /// profiles; checking here and then decoding the known-good bytes is much faster.
    private static func utf8String(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
        firstInvalidUTF8(raw) == nil ? String(decoding: raw, as: UTF8.self) : nil
    }

    /// Names the physical line of the bad byte, which differs from the record's first line when a
    /// quoted field spans lines. Doubled quotes are ASCII, so the escaped bytes locate it as well.
    private static func encodingError(_ p: UnsafeBufferPointer<UInt8>, _ c: Cursor, span: Span, column: Int) -> CSVError {
        let raw = UnsafeBufferPointer(rebasing: p[span.start..<span.end])
        let absolute = span.start + (firstInvalidUTF8(raw) ?? 0)
        let bad = p[absolute]
        var line = c.recordLine
        for k in c.recordStart..<absolute where p[k] == cr || (p[k] == lf && (k == 0 || p[k - 1] != cr)) {
            line += 1
        }
        return CSVError(kind: .encoding, line: line, message: "Line \(line), column \(column): the text is not valid UTF-8 (byte 0x\(String(bad, radix: 16, uppercase: true))) — the file looks like it was saved as Windows-1252/Latin-1, where bytes such as 0xE4, 0xF6, 0xFC and 0xDF stand for ä, ö, ü and ß; save it as UTF-8 (in Excel: \"CSV UTF-8\") and upload it again.")
    }

    /// Offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs, surrogates or values
    /// beyond U+10FFFF), or nil when the bytes are valid.
    private static func firstInvalidUTF8(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        while i < b.count {
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch b[i] {
            case 0x00...0x7F: i += 1; continue
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xED: length = 3; high = 0x9F
            case 0xE1...0xEF: length = 3
            case 0xF0: length = 4; low = 0x90
            case 0xF4: length = 4; high = 0x8F
            case 0xF1...0xF3: length = 4
            default: return i
            }
            guard i + length <= b.count, (low...high).contains(b[i + 1]) else { return i }
            for k in 2..<length where b[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }
}
