import Foundation
import Testing
import RapportKit

struct CSVWriterTests {
    let writer = CSVWriter()

    @Test func writesPlainFieldsUnquotedWithCRLF() {
        #expect(writer.line(["Ada", "ada@example.com", " Köln", ""]) == "Ada,ada@example.com, Köln,\r\n")
    }

    @Test func quotesFieldsThatNeedIt() {
        #expect(writer.line(["a,b"]) == "\"a,b\"\r\n")
        #expect(writer.line(["say \"hi\""]) == "\"say \"\"hi\"\"\"\r\n")
        #expect(writer.line(["two\nlines", "cr\rhere", "crlf\r\n"]) == "\"two\nlines\",\"cr\rhere\",\"crlf\r\n\"\r\n")
    }

    @Test func quotingFollowsTheDelimiter() {
        let semicolons = CSVWriter(delimiter: UInt8(ascii: ";"))
        #expect(semicolons.line(["1,5", "a;b", "c"]) == "1,5;\"a;b\";c\r\n")
    }

    @Test func loneEmptyFieldIsQuotedSoItIsNotABlankLine() {
        #expect(writer.line([""]) == "\"\"\r\n")
        #expect(writer.line(["", ""]) == ",\r\n")
        #expect(writer.line([]) == "\r\n")
    }

    @Test func leavesFormulasAloneByDefault() {
        #expect(writer.line(["=1+1", "-5", "@SUM(A1)"]) == "=1+1,-5,@SUM(A1)\r\n")
    }

    @Test(arguments: ["=HYPERLINK(\"x\")", "+49 30", "-2", "@cmd", "\tindent", "\rreturn"])
    func neutralizesFormulasWhenAsked(_ value: String) throws {
        let written = writer.line([value, "ok"], neutralizeFormulas: true)
        let reader = try CSVReader(data: Data(("a,b\r\n" + written).utf8))
        #expect(try reader.next()?.fields == ["'" + value, "ok"])
    }

    @Test func neutralizingKeepsHarmlessValues() {
        #expect(writer.line(["Ada", "4-2", " =x", ""], neutralizeFormulas: true) == "Ada,4-2, =x,\r\n")
    }

    static let awkward: [[String]] = [
        ["plain", "with,comma", "with;semicolon", "say \"hi\"", "\"", "\"\""],
        ["multi\nline", "windows\r\nline", "old\rmac", "", " leading", "trailing "],
        ["Müller", "Grüße aus Köln", "日本語", "🎉", "€ 1.234,50", "=SUM(A1)"],
        [""],
        ["", ""],
        ["\t", "|", "a|b", "\"quoted\" start", "end \"quoted\"", "-"],
    ]

    @Test(arguments: [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")])
    func whatIsWrittenIsReadBackIdentically(_ delimiter: UInt8) throws {
        let writer = CSVWriter(delimiter: delimiter)
        let header = ["c1", "c2", "c3", "c4", "c5", "c6"]
        let text = ([header] + Self.awkward).map { writer.line($0) }.joined()

        let reader = try CSVReader(data: Data(text.utf8), delimiter: delimiter)
        #expect(reader.header == header)
        var read: [[String]] = []
        while let record = try reader.next() { read.append(record.fields) }
        #expect(read == Self.awkward)

        let detected = try CSVReader(data: Data(text.utf8))
        #expect(detected.delimiter == delimiter)
    }

    @Test func roundTripsThroughAFileInSmallChunks() throws {
        let text = ([["name", "note"]] + Self.awkward).map { writer.line($0) }.joined()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("csvwriter-\(UUID().uuidString).csv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try CSVReader(path: path, chunkSize: 3)
        var read: [[String]] = []
        while let record = try reader.next() { read.append(record.fields) }
        #expect(read == Self.awkward)
    }
}
