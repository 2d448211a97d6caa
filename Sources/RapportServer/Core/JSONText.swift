import Foundation
import RapportKit
import Vapor

/// JSON written directly into bytes, for long lists of a fixed shape (the portfolio's 500 rows):
/// `JSONEncoder` spent more on boxing each row's keys and values than the rows cost to compute.
/// Keys are written in sorted order, as `PlainJSON` writes them.
struct JSONText {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func raw(_ s: StaticString) { s.withUTF8Buffer { bytes.append(contentsOf: $0) } }

    mutating func string(_ s: String) {
        bytes.append(0x22)
        for b in s.utf8 {
            switch b {
            case 0x22: bytes.append(0x5C); bytes.append(0x22)
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x0A: bytes.append(0x5C); bytes.append(0x6E)
            case 0x0D: bytes.append(0x5C); bytes.append(0x72)
            case 0x09: bytes.append(0x5C); bytes.append(0x74)
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: bytes.append(b)
            }
        }
        bytes.append(0x22)
    }

    mutating func string(_ s: String?) { if let s { string(s) } else { raw("null") } }
    mutating func int(_ i: Int) { bytes.append(contentsOf: String(i).utf8) }

    /// Finite numbers as Swift's shortest round-trip text; anything else as null.
    mutating func number(_ d: Double?) {
        guard let d, d.isFinite else { raw("null"); return }
        if d == d.rounded(), abs(d) < 1e15 { int(Int(d)) } else { bytes.append(contentsOf: d.description.utf8) }
    }

    /// An amount in minor units as a decimal number in major units (1999 → 19.99), exact.
    mutating func minor(_ m: Int64) {
        if m < 0 { bytes.append(0x2D) }
        let v = m.magnitude
        bytes.append(contentsOf: String(v / 100).utf8)
        let cents = v % 100
        if cents != 0 {
            bytes.append(0x2E)
            bytes.append(contentsOf: (cents % 10 == 0 ? String(cents / 10) : (cents < 10 ? "0" : "") + String(cents)).utf8)
        }
    }

    mutating func bool(_ b: Bool) { if b { raw("true") } else { raw("false") } }

    /// A UUID as `JSONEncoder` writes it: upper-case, in quotes.
    mutating func uuid(_ u: UUID?) { if let u { string(FastUUID.text(u)) } else { raw("null") } }

    /// A time as `JSONEncoder`'s `.iso8601` strategy writes it: UTC to the second, "2026-12-07T05:14:00Z".
    mutating func date(_ d: Date) {
        let seconds = Int(d.timeIntervalSince1970.rounded(.down))
        let days = Int((Double(seconds) / 86_400).rounded(.down)), second = seconds - days * 86_400
        let date = DateOnly(dayNumber: days)
        func two(_ v: Int) { bytes.append(UInt8(48 + v / 10)); bytes.append(UInt8(48 + v % 10)) }
        bytes.append(0x22)
        if (0..<1_000).contains(date.year) { bytes.append(contentsOf: Array(repeating: 0x30, count: 4 - String(date.year).count)) }
        bytes.append(contentsOf: String(date.year).utf8)
        bytes.append(0x2D); two(date.month); bytes.append(0x2D); two(date.day)
        bytes.append(0x54); two(second / 3_600); bytes.append(0x3A); two(second / 60 % 60); bytes.append(0x3A); two(second % 60)
        bytes.append(0x5A); bytes.append(0x22)
    }

    /// `[{"field": …, "message": …}, …]`, as `FieldError` encodes.
    mutating func errors(_ errors: [FieldError]) {
        raw("[")
        for (n, e) in errors.enumerated() {
            if n > 0 { raw(",") }
            raw("{\"field\":"); string(e.field); raw(",\"message\":"); string(e.message); raw("}")
        }
        raw("]")
    }

    /// A batch reply, `{"<stored>": n, "duplicates": n, "items": [...], "rejected": n}` (keys in sorted
    /// order: `stored` is "accepted" or "created"), each item written by `write`.
    static func batchReply<Item>(_ stored: StaticString, _ storedCount: Int, duplicates: Int, rejected: Int, items: [Item], bytesPerItem: Int,
                                 write: (Item, inout JSONText) -> Void) -> Response {
        var j = JSONText(capacity: 64 + items.count * bytesPerItem)
        j.raw("{\""); j.raw(stored); j.raw("\":"); j.int(storedCount)
        j.raw(",\"duplicates\":"); j.int(duplicates)
        j.raw(",\"items\":[")
        for (n, item) in items.enumerated() {
            if n > 0 { j.raw(",") }
            write(item, &j)
        }
        j.raw("],\"rejected\":"); j.int(rejected); j.raw("}")
        return j.response()
    }

    func response(status: HTTPResponseStatus = .ok) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: status, headers: headers, body: .init(buffer: ByteBuffer(bytes: bytes)))
    }
}
