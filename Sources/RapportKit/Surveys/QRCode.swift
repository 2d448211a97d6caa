/// A QR code (ISO/IEC 18004, Model 2) holding a text as UTF-8 bytes, for printing or showing a survey link.
///
/// Byte mode means ISO 8859-1 unless the symbol says otherwise, so a text with anything beyond ASCII
/// starts with the ECI designator for UTF-8 (26); without it readers guess, and zbar, for one, takes
/// "Grüße" for Shift JIS. Plain ASCII reads the same either way and goes without those 12 bits.
///
/// The smallest version that fits is chosen; among the eight data masks the one with the lowest penalty
/// under the standard's four rules wins, judged on the finished symbol with its format and version
/// information drawn in, because that is what a reader's camera sees.
public struct QRCode: Sendable {
    /// How much of the symbol may be damaged and still read: about 7 %, 15 %, 25 % and 30 %.
    public enum Correction: String, Sendable, CaseIterable {
        case low, medium, quartile, high
    }

    /// The text does not fit even the largest symbol (version 40) at the chosen correction level.
    public struct TooLong: Error, Equatable, CustomStringConvertible {
        public let byteCount: Int
        public let correction: Correction
        /// A byte or two less for a text beyond ASCII, which has to announce UTF-8.
        public let limit: Int

        public var description: String {
            "The text is \(byteCount) bytes as UTF-8, but a QR code with \(correction.rawValue) error correction "
                + "holds at most \(limit) bytes; shorten it or use a lower correction level."
        }
    }

    /// 1...40, the smallest that holds the text.
    public let version: Int
    /// Modules per side, 17 + 4 × version, without the quiet zone.
    public let size: Int
    let correction: Correction
    let mask: Int
    private let modules: [Bool]

    public init(_ text: String, correction: Correction = .medium) throws(TooLong) {
        try self.init(text, correction: correction, mask: nil)
    }

    /// With `mask` set, that mask is used instead of the best one, so the matrix can be compared
    /// with another encoder that picked differently.
    init(_ text: String, correction: Correction, mask forcedMask: Int?) throws(TooLong) {
        precondition(forcedMask.map { (0..<8).contains($0) } ?? true, "a QR mask is numbered 0...7")
        let bytes = Array(text.utf8)
        let beyondASCII = bytes.contains { $0 >= 0x80 }
        guard let version = (1...40).first(where: {
            Self.capacity(version: $0, correction: correction, announcingUTF8: beyondASCII) >= bytes.count
        }) else {
            throw TooLong(byteCount: bytes.count, correction: correction,
                          limit: Self.capacity(version: 40, correction: correction, announcingUTF8: beyondASCII))
        }
        var grid = Grid(version: version)
        grid.place(Self.codewords(for: bytes, announcingUTF8: beyondASCII, version: version, correction: correction))

        // min(by:) keeps the first of equals, so a tie goes to the lower mask number.
        let best = (forcedMask.map { [$0] } ?? Array(0..<8)).map { mask in
            var masked = grid
            masked.apply(mask: mask, correction: correction)
            return (mask: mask, dark: masked.dark, penalty: Self.penalty(masked.dark, size: masked.size))
        }.min { $0.penalty < $1.penalty }!
        self.version = version
        self.size = grid.size
        self.correction = correction
        self.mask = best.mask
        self.modules = best.dark
    }

    /// Whether the module in column `x`, row `y` is dark; (0, 0) is the top-left corner.
    public subscript(x: Int, y: Int) -> Bool {
        precondition((0..<size).contains(x) && (0..<size).contains(y),
                     "(\(x), \(y)) lies outside the \(size)×\(size) code")
        return modules[y * size + x]
    }

    /// The sum of the four penalty scores, which the chosen mask keeps lowest.
    var penalty: Int { Self.penalty(modules, size: size) }

    /// How many bytes fit in byte mode at this version and correction level.
    static func capacity(version: Int, correction: Correction, announcingUTF8: Bool = false) -> Int {
        let header = (announcingUTF8 ? 12 : 0) + 4 + (version < 10 ? 8 : 16)
        return (Layout(version: version, correction: correction).dataCodewords * 8 - header) / 8
    }
}

// MARK: - Rendering

extension QRCode {
    /// An SVG image that scales without blurring. A light quiet zone of `quietZone` modules (the
    /// standard asks for 4) surrounds the code; `title` is what a screen reader announces.
    public func svg(title: String, moduleSize: Int = 4, quietZone: Int = 4) -> String {
        precondition(moduleSize > 0 && quietZone >= 0,
                     "the module size must be positive and the quiet zone not negative")
        let side = size + 2 * quietZone
        // One subpath per horizontal run of dark modules keeps the file small and gapless.
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard self[x, y] else { x += 1; continue }
                let start = x
                while x < size && self[x, y] { x += 1 }
                path += "M\(start + quietZone) \(y + quietZone)h\(x - start)v1h-\(x - start)z"
            }
        }
        let pixels = side * moduleSize
        return #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(pixels)" height="\#(pixels)" "#
            + #"viewBox="0 0 \#(side) \#(side)" role="img" shape-rendering="crispEdges">"#
            + "<title>\(Self.xmlEscaped(title))</title>"
            + ##"<rect width="\##(side)" height="\##(side)" fill="#fff"/>"##
            + ##"<path fill="#000" d="\##(path)"/></svg>"##
    }

    /// An 8-bit grayscale PNG, `scale` pixels per module, with a light quiet zone of `quietZone` modules.
    public func png(scale: Int = 8, quietZone: Int = 4) -> [UInt8] {
        precondition(scale > 0 && quietZone >= 0, "the scale must be positive and the quiet zone not negative")
        let side = (size + 2 * quietZone) * scale
        var pixels = [UInt8](repeating: 255, count: side * side)
        var row = [UInt8](repeating: 255, count: side)
        for y in 0..<size {
            for x in 0..<size {
                let shade: UInt8 = self[x, y] ? 0 : 255
                let left = (x + quietZone) * scale
                for px in left..<left + scale { row[px] = shade }
            }
            let top = (y + quietZone) * scale
            for py in top..<top + scale { pixels.replaceSubrange(py * side..<(py + 1) * side, with: row) }
        }
        return PNGEncoder.grayscale(width: side, height: side, pixels: pixels)
    }

    private static func xmlEscaped(_ text: String) -> String { Charts.escape(text) }
}

// MARK: - Codewords

extension QRCode.Correction {
    /// The level's two bits in the format information; the standard does not number them in L-M-Q-H order.
    fileprivate var formatBits: Int {
        switch self {
        case .low: 0b01
        case .medium: 0b00
        case .quartile: 0b11
        case .high: 0b10
        }
    }
}

extension QRCode {
    /// How a version's codewords split into Reed–Solomon blocks at one correction level, from the
    /// error correction table of ISO/IEC 18004.
    struct Layout {
        let totalCodewords: Int
        let blocks: Int
        let ecPerBlock: Int
        var dataCodewords: Int { totalCodewords - blocks * ecPerBlock }

        init(version: Int, correction: Correction) {
            let ecPerBlock: [Int]
            let blocks: [Int]
            switch correction {
            case .low:
                ecPerBlock = [7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
                              28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30]
                blocks = [1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8,
                          8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25]
            case .medium:
                ecPerBlock = [10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
                              26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28]
                blocks = [1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
                          17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49]
            case .quartile:
                ecPerBlock = [13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
                              28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30]
                blocks = [1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20,
                          23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68]
            case .high:
                ecPerBlock = [17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
                              30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30]
                blocks = [1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
                          25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81]
            }
            self.totalCodewords = Grid.dataModules(version: version) / 8
            self.blocks = blocks[version - 1]
            self.ecPerBlock = ecPerBlock[version - 1]
        }
    }

    /// Byte-mode segment (after the UTF-8 designator if asked), terminator and padding, split into
    /// blocks, each followed by its Reed–Solomon codewords, then interleaved column by column as the
    /// symbol stores them.
    static func codewords(for bytes: [UInt8], announcingUTF8: Bool, version: Int, correction: Correction) -> [UInt8] {
        let layout = Layout(version: version, correction: correction)
        var bits = BitBuffer()
        if announcingUTF8 {
            bits.append(0b0111, count: 4)
            bits.append(26, count: 8)
        }
        bits.append(0b0100, count: 4)
        bits.append(bytes.count, count: version < 10 ? 8 : 16)
        for byte in bytes { bits.append(Int(byte), count: 8) }
        let capacityBits = layout.dataCodewords * 8
        bits.append(0, count: min(4, capacityBits - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var data = bits.bytes
        var pad: UInt8 = 0xEC
        while data.count < layout.dataCodewords {
            data.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }

        // The last `longBlocks` blocks carry one data codeword more than the others.
        let shortLength = layout.totalCodewords / layout.blocks - layout.ecPerBlock
        let longBlocks = layout.totalCodewords % layout.blocks
        let generator = ReedSolomon(degree: layout.ecPerBlock)
        var dataBlocks: [ArraySlice<UInt8>] = []
        var start = 0
        for index in 0..<layout.blocks {
            let length = shortLength + (index >= layout.blocks - longBlocks ? 1 : 0)
            dataBlocks.append(data[start..<start + length])
            start += length
        }
        let ecBlocks = dataBlocks.map { generator.remainder(of: $0) }

        var out: [UInt8] = []
        out.reserveCapacity(layout.totalCodewords)
        for column in 0...shortLength {
            for block in dataBlocks where column < block.count { out.append(block[block.startIndex + column]) }
        }
        for column in 0..<layout.ecPerBlock {
            for block in ecBlocks { out.append(block[column]) }
        }
        return out
    }
}

private struct BitBuffer {
    var bytes: [UInt8] = []
    var count = 0

    /// Appends the low `count` bits of `value`, most significant first.
    mutating func append(_ value: Int, count bitCount: Int) {
        for shift in stride(from: bitCount - 1, through: 0, by: -1) {
            if count % 8 == 0 { bytes.append(0) }
            if value >> shift & 1 == 1 { bytes[bytes.count - 1] |= 0x80 >> UInt8(count % 8) }
            count += 1
        }
    }
}

/// Arithmetic in GF(2⁸) modulo x⁸ + x⁴ + x³ + x² + 1, the field QR codes use.
private enum GF256 {
    /// αⁱ for i in 0..<510, the cycle of 255 written twice so that adding two logarithms needs no modulo.
    static let exp: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 510)
        var value = 1
        for i in 0..<255 {
            table[i] = UInt8(value)
            table[i + 255] = UInt8(value)
            value <<= 1
            if value > 0xFF { value ^= 0x11D }
        }
        return table
    }()

    static let log: [Int] = {
        var table = [Int](repeating: 0, count: 256)
        for i in 0..<255 { table[Int(exp[i])] = i }
        return table
    }()

    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        a == 0 || b == 0 ? 0 : exp[log[Int(a)] + log[Int(b)]]
    }
}

private struct ReedSolomon {
    /// Coefficients of (x − α⁰)(x − α¹)…(x − αⁿ⁻¹), highest power first, without the leading 1.
    let generator: [UInt8]

    init(degree: Int) {
        var poly: [UInt8] = [1]
        for i in 0..<degree {
            // Multiply by (x + αⁱ); subtraction is addition (XOR) in this field.
            var next = poly + [0]
            for (j, coefficient) in poly.enumerated() { next[j + 1] ^= GF256.multiply(coefficient, GF256.exp[i]) }
            poly = next
        }
        generator = Array(poly.dropFirst())
    }

    /// The error-correction codewords: the data, shifted up by the degree, modulo the generator.
    func remainder(of data: ArraySlice<UInt8>) -> [UInt8] {
        var rest = [UInt8](repeating: 0, count: generator.count)
        for byte in data {
            let factor = byte ^ rest[0]
            rest.removeFirst()
            rest.append(0)
            for (j, coefficient) in generator.enumerated() { rest[j] ^= GF256.multiply(coefficient, factor) }
        }
        return rest
    }
}

// MARK: - Matrix

/// The symbol while it is being built: which modules are dark, and which belong to a function
/// pattern (finder, timing, alignment, format or version information) that data and masks leave alone.
private struct Grid {
    let version: Int
    let size: Int
    var dark: [Bool]
    var reserved: [Bool]

    init(version: Int) {
        self.version = version
        size = 17 + 4 * version
        dark = Array(repeating: false, count: size * size)
        reserved = Array(repeating: false, count: size * size)

        for i in 0..<size {
            set(6, i, dark: i % 2 == 0)
            set(i, 6, dark: i % 2 == 0)
        }
        for (x, y) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            // Rings 0...3 around the centre make the 7×7 finder (ring 2 light), ring 4 its light separator.
            for dy in -4...4 {
                for dx in -4...4 where (0..<size).contains(x + dx) && (0..<size).contains(y + dy) {
                    let ring = max(abs(dx), abs(dy))
                    set(x + dx, y + dy, dark: ring != 2 && ring != 4)
                }
            }
        }
        let centres = Self.alignmentCentres(version: version)
        for cy in centres {
            for cx in centres {
                // Three would sit on the finders.
                let onFinder = (cx == 6 && cy == 6) || (cx == 6 && cy == size - 7) || (cx == size - 7 && cy == 6)
                if onFinder { continue }
                for dy in -2...2 {
                    for dx in -2...2 { set(cx + dx, cy + dy, dark: max(abs(dx), abs(dy)) != 1) }
                }
            }
        }
        // Reserve the format and version areas now; their bits depend on the mask and are drawn later.
        drawFormat(0)
        if version >= 7 { drawVersion() }
    }

    /// Centre coordinates (used for both x and y) of the alignment patterns: 6, then evenly spaced up to
    /// size − 7 with an even step, except that version 32 uses a step of 26 where the rule gives 28.
    static func alignmentCentres(version: Int) -> [Int] {
        guard version >= 2 else { return [] }
        let count = version / 7 + 2
        let last = 17 + 4 * version - 7
        let span = last - 6
        var step = (span + count - 2) / (count - 1)
        step += step % 2
        if version == 32 { step = 26 }
        return [6] + (0..<count - 1).reversed().map { last - $0 * step }
    }

    /// Modules left for codewords and remainder bits once every function pattern is in place.
    static func dataModules(version: Int) -> Int {
        let size = 17 + 4 * version
        var used = 3 * 64 + 2 * (size - 16) + 31
        if version >= 2 {
            let count = version / 7 + 2
            // Alignment patterns on the timing lines share five modules with them.
            used += 25 * (count * count - 3) - 10 * (count - 2)
        }
        if version >= 7 { used += 36 }
        return size * size - used
    }

    private mutating func set(_ x: Int, _ y: Int, dark isDark: Bool) {
        dark[y * size + x] = isDark
        reserved[y * size + x] = true
    }

    /// Fills the free modules two columns at a time, right to left, snaking up and down; the column of
    /// the vertical timing pattern is skipped. Left-over remainder modules stay light.
    mutating func place(_ codewords: [UInt8]) {
        let bitCount = codewords.count * 8
        var index = 0
        var upward = true
        var right = size - 1
        while right > 0 {
            if right == 6 { right = 5 }
            for step in 0..<size {
                let y = upward ? size - 1 - step : step
                for x in stride(from: right, through: right - 1, by: -1) where !reserved[y * size + x] {
                    if index < bitCount { dark[y * size + x] = codewords[index / 8] >> (7 - index % 8) & 1 == 1 }
                    index += 1
                }
            }
            upward.toggle()
            right -= 2
        }
        assert(index - bitCount < 8, "version \(version) left \(index - bitCount) modules unused")
    }

    /// Inverts the data modules where the mask's condition holds (i is the row, j the column), then
    /// draws the format information that names this mask.
    mutating func apply(mask: Int, correction: QRCode.Correction) {
        for i in 0..<size {
            for j in 0..<size where !reserved[i * size + j] {
                let invert: Bool
                switch mask {
                case 0: invert = (i + j) % 2 == 0
                case 1: invert = i % 2 == 0
                case 2: invert = j % 3 == 0
                case 3: invert = (i + j) % 3 == 0
                case 4: invert = (i / 2 + j / 3) % 2 == 0
                case 5: invert = (i * j) % 2 + (i * j) % 3 == 0
                case 6: invert = ((i * j) % 2 + (i * j) % 3) % 2 == 0
                default: invert = ((i + j) % 2 + (i * j) % 3) % 2 == 0
                }
                if invert { dark[i * size + j].toggle() }
            }
        }
        drawFormat(Self.bch(correction.formatBits << 3 | mask, generator: 0b101_0011_0111) ^ 0b101_0100_0001_0010)
    }

    /// Fifteen bits, twice: around the top-left finder, and split between the other two. Bit 0 is
    /// the least significant; the module above the bottom-left copy is always dark.
    private mutating func drawFormat(_ bits: Int) {
        func bit(_ i: Int) -> Bool { bits >> i & 1 == 1 }
        for i in 0..<6 { set(8, i, dark: bit(i)) }
        set(8, 7, dark: bit(6))
        set(8, 8, dark: bit(7))
        set(7, 8, dark: bit(8))
        for i in 9..<15 { set(14 - i, 8, dark: bit(i)) }
        for i in 0..<8 { set(size - 1 - i, 8, dark: bit(i)) }
        for i in 8..<15 { set(8, size - 15 + i, dark: bit(i)) }
        set(8, size - 8, dark: true)
    }

    /// Versions 7 and up repeat their number with a BCH code in two 6×3 blocks beside the
    /// top-right and bottom-left finders.
    private mutating func drawVersion() {
        let bits = Self.bch(version, generator: 0b1_1111_0010_0101)
        for i in 0..<18 {
            let isDark = bits >> i & 1 == 1
            set(size - 11 + i % 3, i / 3, dark: isDark)
            set(i / 3, size - 11 + i % 3, dark: isDark)
        }
    }

    /// `value` followed by the remainder of its polynomial division by `generator` over GF(2).
    private static func bch(_ value: Int, generator: Int) -> Int {
        let degree = Int.bitWidth - generator.leadingZeroBitCount - 1
        var rest = value << degree
        while Int.bitWidth - rest.leadingZeroBitCount > degree {
            rest ^= generator << (Int.bitWidth - rest.leadingZeroBitCount - 1 - degree)
        }
        return value << degree | rest
    }
}

// MARK: - Mask penalty

extension QRCode {
    /// The standard's four penalty rules, over the whole symbol: runs of five or more in a row or
    /// column, 2×2 blocks of one colour, finder-like 1:1:3:1:1 patterns with four light modules on
    /// one side (the quiet zone outside counts as light), and the distance of the dark share from 50 %.
    static func penalty(_ dark: [Bool], size: Int) -> Int {
        var score = 0
        var line = [Bool](repeating: false, count: size)
        for a in 0..<size {
            for b in 0..<size { line[b] = dark[a * size + b] }
            score += Self.linePenalty(line)
            for b in 0..<size { line[b] = dark[b * size + a] }
            score += Self.linePenalty(line)
        }
        for y in 0..<size - 1 {
            for x in 0..<size - 1 {
                let colour = dark[y * size + x]
                if dark[y * size + x + 1] == colour && dark[(y + 1) * size + x] == colour
                    && dark[(y + 1) * size + x + 1] == colour { score += 3 }
            }
        }
        let darkCount = dark.reduce(0) { $0 + ($1 ? 1 : 0) }
        let total = size * size
        score += abs(darkCount * 20 - total * 10) / total * 10
        return score
    }

    /// Rules 1 and 3 along one row or column.
    static func linePenalty(_ line: [Bool]) -> Int {
        var score = 0
        var run = 1
        for i in 1...line.count {
            if i < line.count && line[i] == line[i - 1] {
                run += 1
            } else {
                if run >= 5 { score += run - 2 }
                run = 1
            }
        }
        func lightBetween(_ from: Int, _ to: Int) -> Bool {
            (max(from, 0)..<min(to, line.count)).allSatisfy { !line[$0] }
        }
        for s in 0...(line.count - 7)
        where line[s] && !line[s + 1] && line[s + 2] && line[s + 3] && line[s + 4] && !line[s + 5] && line[s + 6] {
            if lightBetween(s - 4, s) || lightBetween(s + 7, s + 11) { score += 40 }
        }
        return score
    }
}
