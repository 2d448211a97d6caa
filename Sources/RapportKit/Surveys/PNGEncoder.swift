/// Writes grayscale PNG images with nothing but the standard library, for QR codes on pages and
/// in e-mails.
///
/// An image of pure black and white (a QR code) is stored with one bit per pixel, anything else
/// with eight. The rows are filtered with whichever of None, Sub and Up leaves the smallest values,
/// then deflated with LZ77 and the fixed Huffman code (RFC 1951). That is far from what zlib achieves
/// on photographs, but a QR code is long runs of two shades: a 600-pixel code takes about 2 KB.
public enum PNGEncoder {
    /// `pixels` holds `height` rows of `width` bytes, 0 for black up to 255 for white.
    public static func grayscale(width: Int, height: Int, pixels: [UInt8]) -> [UInt8] {
        precondition(width > 0 && height > 0 && width <= Int(Int32.max) && height <= Int(Int32.max),
                     "a PNG is between 1 and 2³¹ − 1 pixels wide and high")
        precondition(pixels.count == width * height, "\(pixels.count) pixels cannot fill \(width)×\(height)")

        let packed = blackAndWhite(width: width, height: height, pixels: pixels)
        var header = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        // Bit depth, then grayscale, deflate, adaptive filtering, no interlacing.
        header += [packed == nil ? 8 : 1, 0, 0, 0, 0]
        let rows = packed.map { (bytes: $0, rowLength: (width + 7) / 8) } ?? (bytes: pixels, rowLength: width)
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", header)
        png += chunk("IDAT", zlib(filtered(rows.bytes, rowLength: rows.rowLength, height: height)))
        png += chunk("IEND", [])
        return png
    }

    /// The image at one bit per pixel, most significant bit first and 1 for white, with each row
    /// padded to whole bytes; nil if any pixel is neither black nor white.
    private static func blackAndWhite(width: Int, height: Int, pixels: [UInt8]) -> [UInt8]? {
        let rowLength = (width + 7) / 8
        var out = [UInt8](repeating: 0, count: rowLength * height)
        let allTwoShade = pixels.withUnsafeBufferPointer { pixels in
            out.withUnsafeMutableBufferPointer { out in
                for y in 0..<height {
                    for x in 0..<width {
                        switch pixels[y * width + x] {
                        case 0: continue
                        case 255: out[y * rowLength + x / 8] |= 0x80 >> UInt8(x % 8)
                        default: return false
                        }
                    }
                }
                return true
            }
        }
        return allTwoShade ? out : nil
    }

    /// Each row prefixed with its filter type. Sub stores the difference to the byte on the left, Up
    /// to the byte above: inside a QR module both are mostly zero.
    private static func filtered(_ pixels: [UInt8], rowLength width: Int, height: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: (width + 1) * height)
        // Unsafe buffers because this touches every byte four times, and debug builds check each access.
        pixels.withUnsafeBufferPointer { pixels in
            out.withUnsafeMutableBufferPointer { out in
                for y in 0..<height {
                    let row = y * width
                    let above = y > 0 ? row - width : -1
                    func sub(_ x: Int) -> UInt8 { pixels[row + x] &- (x > 0 ? pixels[row + x - 1] : 0) }
                    func up(_ x: Int) -> UInt8 { pixels[row + x] &- (above >= 0 ? pixels[above + x] : 0) }
                    // The usual heuristic: bytes read as signed, the smallest sum of magnitudes wins.
                    func magnitude(_ byte: UInt8) -> Int { abs(Int(Int8(bitPattern: byte))) }
                    var none = 0, left = 0, upper = 0
                    for x in 0..<width {
                        none += magnitude(pixels[row + x])
                        left += magnitude(sub(x))
                        upper += magnitude(up(x))
                    }
                    let start = y * (width + 1)
                    if upper <= left && upper <= none {
                        out[start] = 2
                        for x in 0..<width { out[start + 1 + x] = up(x) }
                    } else if left <= none {
                        out[start] = 1
                        for x in 0..<width { out[start + 1 + x] = sub(x) }
                    } else {
                        for x in 0..<width { out[start + 1 + x] = pixels[row + x] }
                    }
                }
            }
        }
        return out
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeAndData = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + typeAndData + bigEndian(crc32(typeAndData))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    // MARK: Checksums

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// CRC-32 as PNG (and zip, and Ethernet) use it: reflected polynomial 0xEDB88320.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        crcTable.withUnsafeBufferPointer { table in
            for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// Adler-32, zlib's trailer. The sums are reduced every 5552 bytes, the most that cannot overflow 32 bits.
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var sinceReduced = 0
        for byte in bytes {
            a += UInt32(byte)
            b += a
            sinceReduced += 1
            if sinceReduced == 5552 {
                a %= 65521
                b %= 65521
                sinceReduced = 0
            }
        }
        return (b % 65521) << 16 | a % 65521
    }

    // MARK: zlib and deflate

    /// A zlib stream (RFC 1950) holding a single deflate block with the fixed Huffman code.
    static func zlib(_ data: [UInt8]) -> [UInt8] {
        var bits = BitWriter()
        bits.bytes = [0x78, 0x01]  // deflate with a 32 KiB window; 0x7801 is a multiple of 31
        bits.write(1, count: 1)  // the last block
        bits.write(1, count: 2)  // fixed Huffman code
        for token in LZ77.tokens(data) {
            switch token {
            case .literal(let byte):
                bits.writeLiteralOrLength(Int(byte))
            case .match(let length, let distance):
                let l = Self.lengthBases.lastIndex { $0 <= length }!
                bits.writeLiteralOrLength(257 + l)
                bits.write(length - Self.lengthBases[l], count: Self.lengthExtraBits[l])
                let d = Self.distanceBases.lastIndex { $0 <= distance }!
                bits.writeHuffman(d, length: 5)
                bits.write(distance - Self.distanceBases[d], count: Self.distanceExtraBits[d])
            }
        }
        bits.writeLiteralOrLength(256)  // end of block
        bits.flush()
        return bits.bytes + bigEndian(adler32(data))
    }

    // RFC 1951, 3.2.5: length symbols 257…285 and distance symbols 0…29, their smallest values and extra bits.
    private static let lengthBases = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                      35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtraBits = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                          3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBases = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                        257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
                                        8193, 12289, 16385, 24577]
    private static let distanceExtraBits = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
                                            7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
}

/// Packs bits least significant first, as deflate wants; Huffman codes go in most significant bit first.
private struct BitWriter {
    var bytes: [UInt8] = []
    private var pending: UInt32 = 0
    private var pendingCount = 0

    mutating func write(_ value: Int, count: Int) {
        for i in 0..<count {
            pending |= UInt32(value >> i & 1) << UInt32(pendingCount)
            pendingCount += 1
            if pendingCount == 8 { flush() }
        }
    }

    mutating func writeHuffman(_ code: Int, length: Int) {
        for i in stride(from: length - 1, through: 0, by: -1) { write(code >> i & 1, count: 1) }
    }

    /// The fixed literal/length code of RFC 1951, 3.2.6.
    mutating func writeLiteralOrLength(_ symbol: Int) {
        switch symbol {
        case 0...143: writeHuffman(0b0011_0000 + symbol, length: 8)
        case 144...255: writeHuffman(0b1_1001_0000 + symbol - 144, length: 9)
        case 256...279: writeHuffman(symbol - 256, length: 7)
        default: writeHuffman(0b1100_0000 + symbol - 280, length: 8)
        }
    }

    mutating func flush() {
        guard pendingCount > 0 else { return }
        bytes.append(UInt8(pending))
        pending = 0
        pendingCount = 0
    }
}

/// Greedy LZ77 over a 32 KiB window: at each position the longest earlier match among the most
/// recent positions that start with the same three bytes.
private enum LZ77 {
    enum Token {
        case literal(UInt8)
        case match(length: Int, distance: Int)
    }

    static let window = 32768
    static let maxLength = 258
    static let maxCandidates = 32

    static func tokens(_ data: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        var head = [Int](repeating: -1, count: 1 << 15)
        var previous = [Int](repeating: -1, count: window)
        func hash(_ i: Int) -> Int {
            (Int(data[i]) << 10 ^ Int(data[i + 1]) << 5 ^ Int(data[i + 2])) & 0x7FFF
        }
        func insert(_ i: Int) {
            guard i + 3 <= data.count else { return }
            let h = hash(i)
            previous[i % window] = head[h]
            head[h] = i
        }

        var i = 0
        while i < data.count {
            var bestLength = 0, bestDistance = 0
            if i + 3 <= data.count {
                var candidate = head[hash(i)]
                var tries = 0
                let limit = min(maxLength, data.count - i)
                while candidate >= 0 && i - candidate <= window && tries < maxCandidates {
                    var length = 0
                    while length < limit && data[candidate + length] == data[i + length] { length += 1 }
                    if length > bestLength { bestLength = length; bestDistance = i - candidate }
                    if length == limit { break }
                    candidate = previous[candidate % window]
                    tries += 1
                }
            }
            if bestLength >= 3 {
                tokens.append(.match(length: bestLength, distance: bestDistance))
                // Inside a long match (a run, mostly) the last few positions are all later searches need.
                for j in max(i, i + bestLength - 16)..<i + bestLength { insert(j) }
                i += bestLength
            } else {
                tokens.append(.literal(data[i]))
                insert(i)
                i += 1
            }
        }
        return tokens
    }
}
