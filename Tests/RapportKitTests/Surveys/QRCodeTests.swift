import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import RapportKit

// The encoder is checked against programs written by other people: zbarimg (Debian zbar-tools) must read
// what it draws, rsvg-convert (Debian librsvg2-bin) rasterises the SVG, and the PyPI encoders qrcode and
// segno must draw the same modules. `scripts/test` installs them; where one is missing the test fails and
// names the package.

struct QRSample: Sendable, CustomTestStringConvertible {
    let name: String
    let text: String
    var testDescription: String { name }

    static let shortURL = QRSample(name: "short URL", text: "https://rapport.example/s/7Kq2xW")
    static let personalLink: QRSample = {
        let base = "https://feedback.rapport.example/s/4f9c2e7a-81b3-4d0e-9a56-c3e1f07b2d94"
            + "?customer=CUST-0042187&touchpoint=onboarding-call&channel=email&lang=de-DE&wave=2025-Q3"
            + "&utm_source=newsletter&utm_medium=email&utm_campaign=nps-autumn&sig="
        let signature = String(repeating: "9e107d9d372bb6826bd81d3542a419d6", count: 10)
        return QRSample(name: "300-character personal link", text: base + signature.prefix(300 - base.count))
    }()
    static let umlauts = QRSample(
        name: "German umlauts",
        text: "Wie zufrieden waren Sie mit der Übergabe? Größe, Öffnungszeiten, Ärger: schöne Grüße aus Köln")
    /// The most a code holds: version 40 at low correction.
    static let largest = QRSample(name: "2953 bytes", text: String((0..<2953).map { i in
        Character(Unicode.Scalar(UInt8(ascii: "A") + UInt8(i * 7 % 26)))
    }))
}

@Suite("QR codes read back by zbarimg")
struct QRCodeDecodingTests {
    @Test(arguments: [(QRSample.shortURL, QRCode.Correction.medium), (.personalLink, .medium), (.umlauts, .medium),
                      (.largest, .low)])
    func pngDecodes(_ sample: QRSample, _ correction: QRCode.Correction) throws {
        let code = try QRCode(sample.text, correction: correction)
        #expect(try zbar(png: code.png(scale: 4)) == sample.text)
    }

    @Test(arguments: QRCode.Correction.allCases)
    func everyCorrectionLevelDecodes(_ correction: QRCode.Correction) throws {
        let code = try QRCode(QRSample.personalLink.text, correction: correction)
        #expect(try zbar(png: code.png()) == QRSample.personalLink.text)
    }

    @Test(arguments: [QRSample.shortURL, .personalLink, .umlauts])
    func svgDecodesOnceRasterised(_ sample: QRSample) throws {
        let svg = try QRCode(sample.text).svg(title: "Survey link", moduleSize: 5)
        let svgFile = temporaryFile("svg"), pngFile = temporaryFile("png")
        defer { try? FileManager.default.removeItem(at: svgFile); try? FileManager.default.removeItem(at: pngFile) }
        try Data(svg.utf8).write(to: svgFile)
        let result = try runTool("rsvg-convert", ["--format", "png", "--output", pngFile.path, svgFile.path],
                                 package: "the Debian package librsvg2-bin")
        try #require(result.status == 0, "rsvg-convert failed: \(result.errors)")
        #expect(try zbar(file: pngFile) == sample.text)
    }
}

@Suite("QR matrices match other encoders")
struct QRCodeReferenceTests {
    /// The mask is forced to ours: encoders score masks differently (with or without the format
    /// information, the edge counted as light or not), and that choice is tested on its own below.
    @Test(arguments: [(QRSample.shortURL, QRCode.Correction.medium), (.personalLink, .low),
                      (.personalLink, .quartile), (.personalLink, .high), (.largest, .low)])
    func sameVersionAndModulesAsPythonQRCode(_ sample: QRSample, _ correction: QRCode.Correction) throws {
        let code = try QRCode(sample.text, correction: correction)
        let job = Reference.Job(text: sample.text, correction: correction, version: nil, mask: code.mask)
        let reference = try Reference.pythonQRCode([job])[0]
        #expect(reference.version == code.version)
        #expect(difference(code, reference.rows) == nil)
    }

    /// python-qrcode cannot announce UTF-8 (ECI), segno can. Segno is not the reference for plain ASCII
    /// because (1.6.6) it inserts a zero codeword before the padding whenever the terminator ends on a
    /// byte boundary, which ISO/IEC 18004 7.4.10 does not ask for; with the ECI header that never happens.
    @Test(arguments: [(QRSample.umlauts, QRCode.Correction.medium), (.umlauts, .high)])
    func utf8TextMatchesSegno(_ sample: QRSample, _ correction: QRCode.Correction) throws {
        let code = try QRCode(sample.text, correction: correction)
        let job = Reference.Job(text: sample.text, correction: correction, version: nil, mask: code.mask)
        let reference = try Reference.segno(job)
        #expect(reference.version == code.version)
        #expect(difference(code, reference.rows) == nil)
    }

    /// Every version and level, each filled to capacity: block tables, alignment positions, version
    /// information and interleaving all show up in the modules. The reference must refuse one byte more.
    @Test func everyVersionAndLevelAtCapacity() throws {
        var jobs: [Reference.Job] = []
        var codes: [QRCode] = []
        for correction in QRCode.Correction.allCases {
            for version in 1...40 {
                let text = String(repeating: "r", count: QRCode.capacity(version: version, correction: correction))
                let code = try QRCode(text, correction: correction, mask: version % 8)
                #expect(code.version == version)
                codes.append(code)
                jobs.append(.init(text: text, correction: correction, version: version, mask: version % 8))
            }
        }
        let references = try Reference.pythonQRCode(jobs)
        for (code, reference) in zip(codes, references) {
            #expect(difference(code, reference.rows) == nil, "version \(code.version), \(code.correction)")
            #expect(reference.refusesOneMoreByte,
                    "python-qrcode fits more than version \(code.version), \(code.correction) holds")
        }
    }
}

@Suite("QR mask choice")
struct QRCodeMaskTests {
    private func line(_ modules: String) -> [Bool] { modules.map { $0 == "1" } }

    @Test func runsOfFiveOrMoreCostThreePlusTheExcess() {
        #expect(QRCode.linePenalty(line("1111010000101")) == 0)
        #expect(QRCode.linePenalty(line("11111011")) == 3)
        #expect(QRCode.linePenalty(line("00000001000000")) == 5 + 4)
    }

    @Test func finderLikePatternsNeedFourLightModulesOnOneSide() {
        #expect(QRCode.linePenalty(line("00001011101")) == 40)
        #expect(QRCode.linePenalty(line("10111010000")) == 40)
        #expect(QRCode.linePenalty(line("100010111010001")) == 0)
        // The symbol's edge counts as light: the quiet zone lies beyond it.
        #expect(QRCode.linePenalty(line("1011101")) == 40)
        // Two patterns sharing a module are two patterns.
        #expect(QRCode.linePenalty(line("10111010111010000")) == 80)
    }

    @Test func blocksAndBalanceOverAWholeSymbol() {
        let size = 21
        let light = [Bool](repeating: false, count: size * size)
        // Runs: 42 lines × (3 + 16); blocks: 20 × 20 × 3; balance: 0 % dark is 10 steps of 5 % off.
        #expect(QRCode.penalty(light, size: size) == 42 * 19 + 1200 + 100)
        let checkerboard = (0..<size * size).map { ($0 % size + $0 / size) % 2 == 0 }
        #expect(QRCode.penalty(checkerboard, size: size) == 0)
        // A dark top row adds one run of 21 and moves the balance to 231 / 441 dark, still under 55 %.
        let topRowDark = checkerboard.enumerated().map { $0.offset < size || $0.element }
        #expect(QRCode.penalty(topRowDark, size: size) == 19)
    }

    @Test(arguments: [(QRSample.shortURL, QRCode.Correction.medium), (.personalLink, .medium), (.umlauts, .quartile)])
    func chosenMaskHasTheLowestPenalty(_ sample: QRSample, _ correction: QRCode.Correction) throws {
        let chosen = try QRCode(sample.text, correction: correction)
        let penalties = try (0..<8).map { try QRCode(sample.text, correction: correction, mask: $0).penalty }
        #expect(chosen.mask == penalties.indices.min { penalties[$0] < penalties[$1] })
        #expect(chosen.penalty == penalties.min())
    }
}

@Suite("QR capacity")
struct QRCodeCapacityTests {
    /// Byte-mode capacities as ISO/IEC 18004 lists them.
    @Test func capacitiesMatchThePublishedTable() {
        let published: [Int: [Int]] = [1: [17, 14, 11, 7], 2: [32, 26, 20, 14], 9: [230, 180, 130, 98],
                                       10: [271, 213, 151, 119], 40: [2953, 2331, 1663, 1273]]
        for (version, capacities) in published {
            let ours = QRCode.Correction.allCases.map { QRCode.capacity(version: version, correction: $0) }
            #expect(ours == capacities, "version \(version)")
        }
    }

    @Test(arguments: QRCode.Correction.allCases)
    func exactlyTheCapacityFitsAndOneMoreByteMovesUp(_ correction: QRCode.Correction) throws {
        for version in [1, 2, 6, 9, 10, 26, 39] {
            let capacity = QRCode.capacity(version: version, correction: correction)
            let full = String(repeating: "x", count: capacity)
            #expect(try QRCode(full, correction: correction).version == version)
            #expect(try QRCode(full + "x", correction: correction).version == version + 1)
        }
    }

    @Test func capacityCountsBytesAndTheUTF8Designator() throws {
        // Version 1 at medium holds 14 bytes; announcing UTF-8 takes 12 bits, leaving 13.
        #expect(try QRCode(String(repeating: "a", count: 14)).version == 1)
        #expect(QRCode.capacity(version: 1, correction: .medium, announcingUTF8: true) == 13)
        #expect(try QRCode(String(repeating: "ä", count: 6) + "a").version == 1)
        #expect(try QRCode(String(repeating: "ä", count: 7)).version == 2)
    }

    @Test(arguments: QRCode.Correction.allCases)
    func tooLongNamesTheLimit(_ correction: QRCode.Correction) throws {
        let limit = QRCode.capacity(version: 40, correction: correction)
        #expect(try QRCode(String(repeating: "z", count: limit), correction: correction).version == 40)
        do {
            _ = try QRCode(String(repeating: "z", count: limit + 1), correction: correction)
            Issue.record("\(limit + 1) bytes were accepted at \(correction)")
        } catch {
            #expect(error.limit == limit && error.byteCount == limit + 1)
            #expect(error.description.contains("\(limit + 1) bytes"))
            #expect(error.description.contains("at most \(limit) bytes"))
            #expect(error.description.contains(correction.rawValue))
        }
    }

    @Test func tooLongCountsTheUTF8Designator() throws {
        let limit = QRCode.capacity(version: 40, correction: .high, announcingUTF8: true)
        #expect(limit == 1272)
        #expect(try QRCode(String(repeating: "ü", count: 636), correction: .high).version == 40)
        #expect(throws: QRCode.TooLong(byteCount: 1273, correction: .high, limit: 1272)) {
            try QRCode(String(repeating: "ü", count: 636) + "a", correction: .high)
        }
    }
}

@Suite("QR code SVG")
struct QRCodeSVGTests {
    @Test func accessibleAndFreeOfInlineStyles() throws {
        let code = try QRCode(QRSample.shortURL.text)
        let svg = code.svg(title: "Survey \"Q&A\" <Köln> for O'Brien\u{7}", moduleSize: 3, quietZone: 2)
        let outline = try SVGOutline(svg)

        let root = try #require(outline.elements.first)
        #expect(root.name == "svg" && root.attributes["role"] == "img")
        #expect(root.attributes["viewBox"] == "0 0 \(code.size + 4) \(code.size + 4)")
        #expect(root.attributes["width"] == "\((code.size + 4) * 3)")
        #expect(root.attributes["shape-rendering"] == "crispEdges")
        #expect(outline.title == #"Survey "Q&A" <Köln> for O'Brien"#)  // the bell cannot be written in XML
        #expect(outline.elements.map(\.name) == ["svg", "title", "rect", "path"])
        #expect(outline.elements[2].attributes["fill"] == "#fff")
        #expect(outline.elements[3].attributes["fill"] == "#000")
        #expect(outline.elements.allSatisfy { $0.attributes["style"] == nil })
        #expect(!svg.contains("style"))
    }

    @Test func pathCoversExactlyTheDarkModules() throws {
        let code = try QRCode(QRSample.umlauts.text)
        let path = try #require(try SVGOutline(code.svg(title: "t", quietZone: 1)).elements.last?.attributes["d"])
        var covered = Set<[Int]>()
        // Every run is drawn as "M<x> <y>h<n>v1h-<n>z".
        for run in path.split(separator: "M") {
            let numbers = run.split { !$0.isNumber }.compactMap { Int($0) }
            try #require(numbers.count == 5 && numbers[2] == numbers[4] && numbers[3] == 1, "odd run \(run)")
            for x in numbers[0]..<numbers[0] + numbers[2] { covered.insert([x - 1, numbers[1] - 1]) }
        }
        let dark = Set((0..<code.size).flatMap { y in (0..<code.size).filter { code[$0, y] }.map { [$0, y] } })
        #expect(covered == dark)
    }
}

@Suite("PNG encoder")
struct PNGEncoderTests {
    @Test func checksumsMatchKnownValues() {
        #expect(PNGEncoder.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(PNGEncoder.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(PNGEncoder.adler32([UInt8](repeating: 0xFF, count: 100_000)) == 0x149A_302C)  // zlib.adler32
    }

    /// Python's zlib checks every CRC and the Adler-32, inflates our deflate stream and undoes the filters.
    @Test func pythonReadsBackEveryPixel() throws {
        var noise = [UInt8](), state: UInt32 = 12345
        for _ in 0..<(333 * 71) {
            state = state &* 1_103_515_245 &+ 12345
            noise.append(UInt8(state >> 24) & 0xF0)  // repeats often enough to produce matches of every kind
        }
        let gradient = (0..<(256 * 40)).map { UInt8($0 % 256) }
        // Rows of noise that come back 70 rows later: matches over 21 000 bytes back, deep in the window.
        let tiles = (0..<(300 * 250)).map { (i: Int) -> UInt8 in
            let row = i / 300 % 70, column = i % 300
            return noise[row * 300 + column]
        }
        // Large blocks of two shades, like a QR code: runs far longer than the longest match.
        let blocks = (0..<(616 * 616)).map { i -> UInt8 in (i % 616 / 8 + i / 616 / 8 * 3) % 5 == 0 ? 0 : 254 }
        // Only black and white: one bit per pixel, rows ending inside a byte.
        let stripes = (0..<(13 * 5)).map { i -> UInt8 in (i % 13 + i / 13) % 3 == 0 ? 255 : 0 }
        let images: [(width: Int, height: Int, pixels: [UInt8], depth: Int)] = [
            (333, 71, noise, 8), (256, 40, gradient, 8), (1, 1, [7], 8), (300, 250, tiles, 8), (616, 616, blocks, 8),
            (13, 5, stripes, 1), (1, 1, [255], 1),
        ]
        for image in images {
            let png = PNGEncoder.grayscale(width: image.width, height: image.height, pixels: image.pixels)
            let decoded = try pythonPNG(png)
            #expect(decoded.width == image.width && decoded.height == image.height)
            #expect(decoded.depth == image.depth)
            #expect(decoded.pixels == image.pixels, "\(image.width)×\(image.height)")
        }
    }

    @Test func qrPNGShowsEveryModuleAndStaysSmall() throws {
        let code = try QRCode(QRSample.personalLink.text)
        let png = code.png(scale: 3, quietZone: 2)
        let decoded = try pythonPNG(png)
        let side = (code.size + 4) * 3
        try #require(decoded.width == side && decoded.height == side)
        #expect(decoded.depth == 1)
        let expected = (0..<side * side).map { i -> UInt8 in
            let x = i % side / 3 - 2, y = i / side / 3 - 2
            let inside = (0..<code.size).contains(x) && (0..<code.size).contains(y)
            return inside && code[x, y] ? 0 : 255
        }
        #expect(decoded.pixels == expected)
        #expect(png.count < 4_000, "a QR code PNG of \(png.count) bytes suggests the compression broke")
    }
}

// MARK: - Helpers

private func rows(of code: QRCode) -> [String] {
    (0..<code.size).map { y in String((0..<code.size).map { code[$0, y] ? "1" : "0" }) }
}

/// Where our modules first differ from a reference drawing, short enough to read in a failure.
private func difference(_ code: QRCode, _ reference: [String]) -> String? {
    let ours = rows(of: code)
    guard ours.count == reference.count else { return "\(ours.count) rows, the reference has \(reference.count)" }
    let wrong = zip(ours, reference).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
    guard let first = wrong.first else { return nil }
    return "\(wrong.count) rows differ, first row \(first):\n ours \(ours[first])\n them \(reference[first])"
}

private func temporaryFile(_ suffix: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("rapport-qr-\(UUID().uuidString).\(suffix)")
}

private struct ToolProblem: Error, CustomStringConvertible {
    let description: String
}

/// Runs a program found on PATH with stdout piped back; stderr goes to a file so neither pipe can fill up.
private func runTool(_ tool: String, _ arguments: [String],
                     package: String) throws -> (status: Int32, output: Data, errors: String) {
    let searchPath = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/local/bin:/usr/bin:/bin"
    guard let executable = searchPath.split(separator: ":").map({ "\($0)/\(tool)" })
        .first(where: { FileManager.default.isExecutableFile(atPath: $0) })
    else {
        throw ToolProblem(description: "\(tool) is not installed: install \(package) (scripts/test does)")
    }
    let errorFile = temporaryFile("stderr")
    _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errorFile) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    let errorHandle = try FileHandle(forWritingTo: errorFile)
    defer { try? errorHandle.close() }
    process.standardOutput = output
    process.standardError = errorHandle
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
    return (process.terminationStatus, data, errors)
}

private func zbar(png: [UInt8]) throws -> String {
    let file = temporaryFile("png")
    defer { try? FileManager.default.removeItem(at: file) }
    try Data(png).write(to: file)
    return try zbar(file: file)
}

/// The text zbarimg reads from the image's only QR code.
private func zbar(file: URL) throws -> String {
    let result = try runTool("zbarimg", ["--raw", "-q", "-Sdisable", "-Sqrcode.enable", file.path],
                             package: "the Debian package zbar-tools")
    guard result.status == 0 else {
        throw ToolProblem(description: "zbarimg read no QR code (exit \(result.status)) \(result.errors)")
    }
    var text = String(decoding: result.output, as: UTF8.self)
    if text.hasSuffix("\n") { text.removeLast() }
    return text
}

/// Runs a Python script with a JSON file as its argument and decodes the JSON it prints. Exit status 3
/// means the PyPI package `module` could not be imported.
private func python<Reply: Decodable>(_ script: String, input: some Encodable, module: String? = nil) throws -> Reply {
    let file = temporaryFile("json")
    defer { try? FileManager.default.removeItem(at: file) }
    try JSONEncoder().encode(input).write(to: file)
    let result = try runTool("python3", ["-c", script, file.path], package: "the Debian package python3")
    if result.status == 3, let module {
        throw ToolProblem(description: "python3 cannot import \(module): install the PyPI package \(module) "
                              + "(python3 -m pip install \(module); scripts/test does)")
    }
    guard result.status == 0 else { throw ToolProblem(description: "python3 failed: \(result.errors)") }
    return try JSONDecoder().decode(Reply.self, from: result.output)
}

private enum Reference {
    struct Job: Encodable {
        let text: String
        let error: String
        let version: Int?
        let mask: Int

        init(text: String, correction: QRCode.Correction, version: Int?, mask: Int) {
            self.text = text
            self.error = String(correction.rawValue.prefix(1))
            self.version = version
            self.mask = mask
        }
    }

    struct Drawing: Decodable {
        let version: Int
        let rows: [String]
        let refusesOneMoreByte: Bool
    }

    /// python-qrcode in byte mode with the UTF-8 bytes, its smallest version unless one is given.
    static func pythonQRCode(_ jobs: [Job]) throws -> [Drawing] {
        try python("""
            import json, sys
            try:
                import qrcode
                from qrcode.exceptions import DataOverflowError
            except ImportError:
                sys.exit(3)
            levels = {"l": qrcode.ERROR_CORRECT_L, "m": qrcode.ERROR_CORRECT_M,
                      "q": qrcode.ERROR_CORRECT_Q, "h": qrcode.ERROR_CORRECT_H}
            def make(job, data):
                qr = qrcode.QRCode(version=job.get("version"), error_correction=levels[job["error"]],
                                   mask_pattern=job["mask"], border=0)
                qr.add_data(qrcode.util.QRData(data, mode=qrcode.util.MODE_8BIT_BYTE))
                qr.make(fit=job.get("version") is None)
                return qr
            out = []
            for job in json.load(open(sys.argv[1])):
                data = job["text"].encode("utf-8")
                qr = make(job, data)
                refuses = True
                if job.get("version"):
                    try:
                        make(job, data + b"+")
                        refuses = False
                    except DataOverflowError:
                        pass
                out.append({"version": qr.version, "refusesOneMoreByte": refuses,
                            "rows": ["".join("1" if m else "0" for m in row) for row in qr.get_matrix()]})
            json.dump(out, sys.stdout)
            """, input: jobs, module: "qrcode")
    }

    /// Segno with the UTF-8 designator (ECI 26), without raising the correction level on its own.
    static func segno(_ job: Job) throws -> Drawing {
        try python("""
            import json, sys
            try:
                import segno
            except ImportError:
                sys.exit(3)
            job = json.load(open(sys.argv[1]))
            qr = segno.make_qr(job["text"], encoding="utf-8", eci=True, mode="byte", error=job["error"],
                               version=job.get("version"), mask=job["mask"], boost_error=False)
            json.dump({"version": qr.version, "refusesOneMoreByte": False,
                       "rows": ["".join("1" if m else "0" for m in row) for row in qr.matrix]}, sys.stdout)
            """, input: job, module: "segno")
    }
}

private struct DecodedPNG: Decodable {
    let width: Int
    let height: Int
    let depth: Int
    let pixels: [UInt8]
}

/// Reads a grayscale PNG of 1 or 8 bits per pixel with nothing but Python's standard library.
private func pythonPNG(_ png: [UInt8]) throws -> DecodedPNG {
    try python("""
        import json, struct, sys, zlib
        data = bytes(json.load(open(sys.argv[1])))
        assert data[:8] == b"\\x89PNG\\r\\n\\x1a\\n", "signature"
        pos, chunks = 8, []
        while pos < len(data):
            length, kind = struct.unpack(">I4s", data[pos:pos + 8])
            body = data[pos + 8:pos + 8 + length]
            (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
            assert crc == zlib.crc32(kind + body), "CRC of " + kind.decode()
            chunks.append((kind, body))
            pos += 12 + length
        assert [k for k, _ in chunks][0] == b"IHDR" and chunks[-1][0] == b"IEND"
        width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
        assert depth in (1, 8) and (colour, interlace) == (0, 0)
        raw = zlib.decompress(b"".join(b for k, b in chunks if k == b"IDAT"))  # checks the Adler-32
        stride = (width * depth + 7) // 8
        assert len(raw) == (stride + 1) * height
        pixels, previous = bytearray(), bytearray(stride)
        for y in range(height):
            kind, row = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
            for x in range(stride):
                left = row[x - 1] if x else 0
                up, upleft = previous[x], (previous[x - 1] if x else 0)
                if kind == 1: row[x] = (row[x] + left) & 255
                elif kind == 2: row[x] = (row[x] + up) & 255
                elif kind == 3: row[x] = (row[x] + (left + up) // 2) & 255
                elif kind == 4:
                    p = left + up - upleft
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - upleft)
                    row[x] = (row[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else upleft)) & 255
                else: assert kind == 0, "filter type"
            pixels += row if depth == 8 else bytes(255 * (row[x // 8] >> (7 - x % 8) & 1) for x in range(width))
            previous = row
        json.dump({"width": width, "height": height, "depth": depth, "pixels": list(pixels)}, sys.stdout)
        """, input: png)
}

/// The elements of an SVG in document order, read with Foundation's XML parser, which also proves the
/// markup well-formed.
private final class SVGOutline: NSObject, XMLParserDelegate {
    struct Element { let name: String; let attributes: [String: String] }
    private(set) var elements: [Element] = []
    private(set) var title = ""
    private var inTitle = false

    init(_ svg: String) throws {
        super.init()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = self
        guard parser.parse() else {
            let reason = parser.parserError.map(String.init(describing:)) ?? "no reason given"
            throw ToolProblem(description: "the SVG is not well-formed XML: \(reason)")
        }
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append(Element(name: name, attributes: attributes))
        inTitle = name == "title"
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        inTitle = false
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inTitle { title += string }
    }
}
