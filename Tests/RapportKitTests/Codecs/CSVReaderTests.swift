import Foundation
import Testing
@testable import RapportKit

/// Reads all records from bytes, in memory and (to exercise the chunked path) from a file.
private func readAll(_ bytes: [UInt8], delimiter: UInt8? = nil, chunkSize: Int? = nil) throws -> (header: [String], records: [CSVRecord]) {
    let reader: CSVReader
    if let chunkSize {
        let path = try temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        reader = try CSVReader(path: path, delimiter: delimiter, chunkSize: chunkSize)
    } else {
        reader = try CSVReader(data: Data(bytes), delimiter: delimiter)
    }
    var records: [CSVRecord] = []
    while let record = try reader.next() { records.append(record) }
    return (reader.header, records)
}

private func readAll(_ text: String, delimiter: UInt8? = nil, chunkSize: Int? = nil) throws -> (header: [String], records: [CSVRecord]) {
    try readAll(Array(text.utf8), delimiter: delimiter, chunkSize: chunkSize)
}

private func temporaryFile(_ bytes: [UInt8]) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("csvreader-\(UUID().uuidString).csv").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

/// The CSVError thrown while reading the whole input, or nil when it reads fine.
private func failure(_ bytes: [UInt8], delimiter: UInt8? = nil, chunkSize: Int? = nil) -> CSVError? {
    do {
        _ = try readAll(bytes, delimiter: delimiter, chunkSize: chunkSize)
        return nil
    } catch {
        return error as? CSVError
    }
}

private func failure(_ text: String, delimiter: UInt8? = nil, chunkSize: Int? = nil) -> CSVError? {
    failure(Array(text.utf8), delimiter: delimiter, chunkSize: chunkSize)
}

private let comma = UInt8(ascii: ","), semicolon = UInt8(ascii: ";")

struct CSVReaderBasicsTests {
    @Test func readsHeaderAndRecordsWithLineNumbers() throws {
        let (header, records) = try readAll("name,email\nAda,ada@example.com\nBob,bob@example.com\n")
        #expect(header == ["name", "email"])
        #expect(records == [
            CSVRecord(line: 2, fields: ["Ada", "ada@example.com"]),
            CSVRecord(line: 3, fields: ["Bob", "bob@example.com"]),
        ])
    }

    @Test func skipsUTF8ByteOrderMark() throws {
        let (header, records) = try readAll([0xEF, 0xBB, 0xBF] + Array("name\nÄrzte GmbH\n".utf8))
        #expect(header == ["name"])
        #expect(records == [CSVRecord(line: 2, fields: ["Ärzte GmbH"])])
    }

    @Test func trimsHeaderNamesButNeverFieldValues() throws {
        let (header, records) = try readAll(" name , city \n  Ada , Köln \n")
        #expect(header == ["name", "city"])
        #expect(records[0].fields == ["  Ada ", " Köln "])
    }

    @Test func returnsRowsWithTheWrongNumberOfFields() throws {
        let (_, records) = try readAll("a,b,c\n1,2\n1,2,3,4\n")
        #expect(records == [CSVRecord(line: 2, fields: ["1", "2"]), CSVRecord(line: 3, fields: ["1", "2", "3", "4"])])
    }

    @Test func keepsEmptyFields() throws {
        let (_, records) = try readAll("a,b,c\n,,\n1,,3\n\"\",x,\n")
        #expect(records.map(\.fields) == [["", "", ""], ["1", "", "3"], ["", "x", ""]])
    }

    @Test func reportsProgress() throws {
        let text = "a,b\n1,2\n3,4\n"
        let reader = try CSVReader(data: Data(text.utf8))
        #expect(reader.totalBytes == text.utf8.count)
        #expect(reader.bytesRead == 4)
        while try reader.next() != nil {}
        #expect(reader.bytesRead == text.utf8.count)

        let path = try temporaryFile(Array(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try CSVReader(path: path, chunkSize: 5)
        #expect(fromFile.totalBytes == text.utf8.count)
        while try fromFile.next() != nil {}
        #expect(fromFile.bytesRead == text.utf8.count)
    }

    @Test func missingFileIsAnIOError() {
        #expect(throws: CSVError.self) { try CSVReader(path: "/nonexistent/customers.csv") }
        do {
            _ = try CSVReader(path: "/nonexistent/customers.csv")
        } catch let error as CSVError {
            #expect(error.kind == .io)
            #expect(error.message.contains("/nonexistent/customers.csv"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

struct CSVReaderLineEndingTests {
    @Test(arguments: ["\n", "\r\n", "\r"])
    func acceptsEveryLineEnding(_ end: String) throws {
        let (header, records) = try readAll(["a,b", "1,2", "3,4"].joined(separator: end) + end)
        #expect(header == ["a", "b"])
        #expect(records == [CSVRecord(line: 2, fields: ["1", "2"]), CSVRecord(line: 3, fields: ["3", "4"])])
    }

    @Test func readsLastRecordWithoutFinalNewline() throws {
        #expect(try readAll("a,b\n1,2").records == [CSVRecord(line: 2, fields: ["1", "2"])])
        #expect(try readAll("a,b\n1,").records == [CSVRecord(line: 2, fields: ["1", ""])])
        #expect(try readAll("a,b\n1,\"x\"").records == [CSVRecord(line: 2, fields: ["1", "x"])])
    }

    @Test func skipsBlankLinesButCountsThem() throws {
        let (header, records) = try readAll("\r\na,b\r\n\r\n1,2\n\n\r3,4\r\n\r\n")
        #expect(header == ["a", "b"])
        #expect(records == [CSVRecord(line: 4, fields: ["1", "2"]), CSVRecord(line: 7, fields: ["3", "4"])])
    }

    @Test func mixedLineEndingsCountOneLineEach() throws {
        let (_, records) = try readAll("a\r\n1\n2\r3\r\n4")
        #expect(records.map(\.line) == [2, 3, 4, 5])
    }
}

struct CSVReaderQuotingTests {
    @Test func unquotesDoubledQuotesDelimitersAndNewlines() throws {
        let text = "name,note\n\"Smith, Ada\",\"She said \"\"hi\"\"\"\n\"multi\r\nline\",\"a\nb\"\nnext,x\n"
        let (_, records) = try readAll(text)
        #expect(records == [
            CSVRecord(line: 2, fields: ["Smith, Ada", "She said \"hi\""]),
            CSVRecord(line: 3, fields: ["multi\r\nline", "a\nb"]),
            CSVRecord(line: 6, fields: ["next", "x"]),
        ])
    }

    @Test func quotedFieldMayHoldOnlyQuotesOrNothing() throws {
        let (_, records) = try readAll("a,b,c\n\"\",\"\"\"\"\"\",\"\"\"\"\n")
        #expect(records[0].fields == ["", "\"\"", "\""])
    }

    @Test func unclosedQuoteNamesTheLineWhereItOpened() throws {
        let error = try #require(failure("a,b\n1,2\n3,\"open\n4,5\n6,7\n"))
        #expect(error.kind == .quoting)
        #expect(error.line == 3)
        #expect(error.message.contains("Line 3"))
        #expect(error.message.contains("column 2"))
        #expect(error.message.contains("never closed"))
    }

    @Test func strayCharacterAfterClosingQuote() throws {
        let error = try #require(failure("a,b,c\n1,2,3\n1,\"abc\"x,3\n"))
        #expect(error.kind == .quoting)
        #expect(error.line == 3)
        #expect(error.message.contains("Line 3, column 2"))
        #expect(error.message.contains("'x'"))
        #expect(error.description == error.message)
        #expect(error.message.contains("\"\""))
    }

    @Test func quoteInsideUnquotedField() throws {
        let error = try #require(failure("a,b,c\n1,2,ab\"c\n"))
        #expect(error.kind == .quoting)
        #expect(error.line == 2)
        #expect(error.message.contains("Line 2, column 3"))
    }

    @Test func runawayQuoteStopsAtTheRecordSizeLimit() throws {
        let text = "a,b\n1,2\n3,\"never closed\n" + String(repeating: "x,y\n", count: 100)
        let reader = try CSVReader(data: Data(text.utf8), delimiter: nil, maxRecordBytes: 100)
        #expect(try reader.next()?.fields == ["1", "2"])
        do {
            _ = try reader.next()
            Issue.record("expected an error")
        } catch let error as CSVError {
            #expect(error.kind == .quoting)
            #expect(error.line == 3)
            #expect(error.message.contains("Line 3, column 2"))
            #expect(error.message.contains("still not closed after 100 bytes"))
        }
    }

    @Test func endlessLineStopsAtTheRecordSizeLimit() throws {
        let text = "a\n" + String(repeating: "x", count: 500)
        let reader = try CSVReader(data: Data(text.utf8), delimiter: nil, maxRecordBytes: 100)
        #expect(throws: CSVError(kind: .encoding, line: 2, message: "Line 2: the record is longer than 100 bytes without a line break, so this is not a CSV file or its line breaks are damaged — export it again as CSV UTF-8.")) {
            _ = try reader.next()
        }
    }

    @Test func lineNumberOfQuoteErrorCountsEarlierMultilineFields() throws {
        let error = try #require(failure("a,b\n\"x\ny\nz\",1\n2,b\"d\n"))
        #expect(error.line == 5)
        #expect(error.message.contains("Line 5, column 2"))
    }
}

struct CSVReaderEncodingTests {
    @Test func latin1IsRejectedWithTheLineAndAHint() throws {
        // "Müller" as Windows-1252: ü is the single byte 0xFC.
        let bytes = Array("name,city\nAda,Berlin\nM".utf8) + [0xFC] + Array("ller,K".utf8) + [0xF6] + Array("ln\n".utf8)
        let error = try #require(failure(bytes))
        #expect(error.kind == .encoding)
        #expect(error.line == 3)
        #expect(error.message.contains("Line 3"))
        #expect(error.message.contains("0xFC"))
        #expect(error.message.contains("Windows-1252/Latin-1"))
        #expect(error.message.contains("save it as UTF-8"))
    }

    @Test func invalidByteInsideMultilineFieldNamesItsOwnLine() throws {
        let bytes = Array("a,b\n1,\"first\nsecond ".utf8) + [0xE4] + Array("\"\n".utf8)
        let error = try #require(failure(bytes))
        #expect(error.line == 3)
        #expect(error.message.contains("column 2"))
    }

    @Test func invalidByteAfterDoubledQuotesIsLocated() throws {
        let bytes = Array("a,b\n\"x\"\"y\n\"\"z".utf8) + [0xDF] + Array("\",1\n".utf8)
        let error = try #require(failure(bytes))
        #expect(error.line == 3)
        #expect(error.message.contains("Line 3, column 1"))
        #expect(error.message.contains("0xDF"))
    }

    @Test func invalidHeaderIsLineOne() throws {
        let error = try #require(failure([0x53, 0x74, 0x72, 0x61, 0xDF, 0x65, 0x0A]))
        #expect(error.kind == .encoding)
        #expect(error.line == 1)
    }

    @Test(arguments: [[UInt8]([0xFF, 0xFE]), [0xFE, 0xFF]])
    func utf16ByteOrderMarkIsRejected(_ mark: [UInt8]) throws {
        let error = try #require(failure(mark + [0x61, 0x00, 0x0A, 0x00]))
        #expect(error.kind == .encoding)
        #expect(error.line == 1)
        #expect(error.message.contains("UTF-16"))
        #expect(error.message.contains("save it as UTF-8"))
    }

    @Test func utf16WithoutByteOrderMarkIsRejected() throws {
        let error = try #require(failure([0x61, 0x00, 0x2C, 0x00, 0x62, 0x00, 0x0A, 0x00]))
        #expect(error.kind == .encoding)
        #expect(error.message.contains("UTF-16"))
    }

    @Test(arguments: [[UInt8]([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00]), [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1]])
    func excelWorkbookIsNotMistakenForText(_ start: [UInt8]) throws {
        let error = try #require(failure(start + Array("rest\n".utf8)))
        #expect(error.kind == .encoding)
        #expect(error.message.contains("Excel workbook"))
        #expect(error.message.contains("CSV UTF-8"))
    }

    @Test func validMultibyteTextPasses() throws {
        let (_, records) = try readAll("name\nÄöüß € 日本 🎉\n")
        #expect(records[0].fields == ["Äöüß € 日本 🎉"])
    }
}

struct CSVReaderDelimiterTests {
    @Test func detectsGermanExcelSemicolons() throws {
        let reader = try CSVReader(data: Data("Name;Umsatz;Ort\nMüller;1.234,50;Köln\n".utf8))
        #expect(reader.delimiter == semicolon)
        #expect(reader.header == ["Name", "Umsatz", "Ort"])
        #expect(try reader.next()?.fields == ["Müller", "1.234,50", "Köln"])
    }

    @Test(arguments: [("a\tb\tc", UInt8(ascii: "\t")), ("a|b|c", UInt8(ascii: "|")), ("a,b;c,d", comma), ("a;b,c;d", semicolon), ("single", comma)])
    func choosesTheMostFrequentCandidate(_ header: String, _ expected: UInt8) throws {
        let reader = try CSVReader(data: Data((header + "\n").utf8))
        #expect(reader.delimiter == expected)
    }

    @Test func ignoresCandidatesInsideQuotes() throws {
        let reader = try CSVReader(data: Data("\"a;b;c\",d\n1,2\n".utf8))
        #expect(reader.delimiter == comma)
        #expect(reader.header == ["a;b;c", "d"])
    }

    @Test func detectionLooksPastLeadingBlankLines() throws {
        #expect(try CSVReader(data: Data("\n\na;b\n".utf8)).delimiter == semicolon)
    }

    @Test func explicitDelimiterIsUsed() throws {
        let (header, records) = try readAll("a;b,c\n1;2,3\n", delimiter: semicolon)
        #expect(header == ["a", "b,c"])
        #expect(records[0].fields == ["1", "2,3"])
    }

    @Test func wrongExplicitDelimiterIsExplained() throws {
        let error = try #require(failure("Name;E-Mail;Ort\nA;b;c\n", delimiter: comma))
        #expect(error.kind == .delimiter)
        #expect(error.line == 1)
        #expect(error.message.contains("one column"))
        #expect(error.message.contains("separated by ';', not ','"))
    }

    @Test func quoteCannotBeTheDelimiter() throws {
        #expect(failure("a,b\n", delimiter: UInt8(ascii: "\""))?.kind == .delimiter)
    }
}

struct CSVReaderHeaderTests {
    @Test(arguments: ["", "\n\r\n\n"])
    func emptyFileNeedsAHeader(_ text: String) throws {
        let error = try #require(failure(text))
        #expect(error.kind == .header)
        #expect(error.line == 1)
        #expect(error.message.contains("the file is empty: the first line must name the columns"))
    }

    @Test func onlyByteOrderMarkIsEmpty() throws {
        #expect(failure([0xEF, 0xBB, 0xBF])?.kind == .header)
    }

    @Test func emptyColumnNameNamesThePosition() throws {
        let error = try #require(failure("name, ,email\n"))
        #expect(error.kind == .header)
        #expect(error.line == 1)
        #expect(error.message.contains("column 2"))
        let trailing = try #require(failure("name,email,\n"))
        #expect(trailing.message.contains("column 3"))
    }

    @Test func duplicateNamesIgnoreCaseAndSpaces() throws {
        let error = try #require(failure("Email,name, email \n"))
        #expect(error.kind == .header)
        #expect(error.message.contains("'email'"))
        #expect(error.message.contains("columns 1 and 3"))
    }

    @Test func headerLineNumberFollowsBlankLines() throws {
        let error = try #require(failure("\n\na,a\n"))
        #expect(error.line == 3)
    }
}

struct CSVReaderChunkTests {
    /// Every awkward construct once, to be read with every small chunk size.
    static let awkward = "\u{FEFF}id;\"na;me\"\r\n1;\"say \"\"hi\"\"\"\r\n\r\n2;\"multi\r\nline\"\n3;plain\r4;\"\";x\r\n5;Grüße 🎉\r\n6;end"

    @Test func everyChunkSizeGivesTheSameRecords() throws {
        let expected = try readAll(Self.awkward)
        #expect(expected.header == ["id", "na;me"])
        #expect(expected.records.count == 6)
        for size in 1...24 {
            let chunked = try readAll(Self.awkward, chunkSize: size)
            #expect(chunked.header == expected.header, "chunk size \(size)")
            #expect(chunked.records == expected.records, "chunk size \(size)")
        }
    }

    @Test func splitsInsideDoubledQuoteAndCRLF() throws {
        // With 7-byte chunks the doubled quote is split after byte 7 and the CRLF after byte 14.
        let text = "h\r\n\"ab\"\"c\"\r\nx\r\nyz\r\n"
        let bytes = Array(text.utf8)
        #expect(bytes[6] == UInt8(ascii: "\"") && bytes[7] == UInt8(ascii: "\""))
        #expect(bytes[13] == 0x0D && bytes[14] == 0x0A)
        let (_, records) = try readAll(text, chunkSize: 7)
        #expect(records == [CSVRecord(line: 2, fields: ["ab\"c"]), CSVRecord(line: 3, fields: ["x"]), CSVRecord(line: 4, fields: ["yz"])])
    }

    @Test func errorsAreTheSameInChunks() throws {
        for size in [1, 2, 3, 7] {
            #expect(failure("a,b\n1,\"x\"y\n", chunkSize: size)?.line == 2)
            #expect(failure("a,b\n1,2\n\"open,\n", chunkSize: size)?.line == 3)
            #expect(failure(Array("a\n\u{FEFF}ok\n".utf8) + [0xE4, 0x0A], chunkSize: size)?.line == 3)
        }
    }

    @Test func readsAFiveMegabyteFileInSevenByteChunks() throws {
        var text = "id,name,note,city\r\n"
        var expected: [CSVRecord] = []
        var line = 2
        var index = 0
        while text.utf8.count < 5_000_000 {
            let note = index % 3 == 0 ? "says \"hi\",\r\nthen leaves" : "plain \(index)"
            let fields = [String(index), "Müller \(index)", note, index % 2 == 0 ? "Köln" : ""]
            text += CSVWriter().line(fields)
            expected.append(CSVRecord(line: line, fields: fields))
            line += index % 3 == 0 ? 2 : 1
            index += 1
        }
        let path = try temporaryFile(Array(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try CSVReader(path: path, chunkSize: 7)
        #expect(reader.header == ["id", "name", "note", "city"])
        var count = 0
        while let record = try reader.next() {
            if record != expected[count] {
                Issue.record("record \(count): \(record) != \(expected[count])")
                break
            }
            count += 1
        }
        #expect(count == expected.count)
        #expect(reader.bytesRead == reader.totalBytes)
    }
}
