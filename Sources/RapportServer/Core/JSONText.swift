import Foundation
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

    func response() -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(buffer: ByteBuffer(bytes: bytes)))
    }
}
