/// A reader for the JSON shapes that arrive by the hundred thousand: an object whose values are
/// strings, integers and nulls, or lists of objects with such values — a batch of usage events — where
/// any of these objects may hold objects of plain values one level down (a response's answers).
/// Like `FastPath` it only ever accepts: whatever it is not sure of (fractions and exponents, true
/// and false, nested values, invalid UTF-8, a lone surrogate, \u0000, malformed JSON) makes `read`
/// answer false, and the caller decodes the body with the general decoder, which also words the error.
public enum FlatJSON {
    public enum Value: Equatable, Sendable { case string(String), int(Int), null }

    /// Where a value stands: a key of the outer object, a key of item `index` of the list under `list`,
    /// or a key of the object under `key` (of the outer object when `item` is nil, else of that item
    /// of the list).
    public enum Place: Equatable, Sendable {
        case top
        case item(list: String, index: Int)
        case object(key: String, item: Int?)
    }

    /// What the reader meets, in document order: a list opening, an item of a list starting, an
    /// object opening under `key` at `Place`, a value.
    public enum Event: Equatable, Sendable {
        case list(String)
        case item(list: String, index: Int)
        case object(Place, key: String)
        case field(Place, key: String, value: Value)
    }

    /// Calls `visit` for each event; it may answer false to stop. True when the whole body was read
    /// and nothing stopped it.
    public static func read(_ body: UnsafeRawBufferPointer, _ visit: (Event) -> Bool) -> Bool {
        var s = Scanner(bytes: body)
        return s.document(visit)
    }

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var i = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func space() {
            while i < bytes.count {
                let b = bytes[i]
                guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
                i += 1
            }
        }

        /// Skips white space and takes `b` when it comes next.
        mutating func take(_ b: UInt8) -> Bool {
            space()
            guard i < bytes.count, bytes[i] == b else { return false }
            i += 1
            return true
        }

        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func document(_ visit: (Event) -> Bool) -> Bool {
            guard take(0x7B) else { return false }
            if take(0x7D) { space(); return i == bytes.count }
            repeat {
                space()
                guard let key = string(), take(0x3A) else { return false }
                space()
                if peek == 0x5B {
                    i += 1
                    guard visit(.list(key)), list(key, visit) else { return false }
                } else if peek == 0x7B {
                    i += 1
                    guard visit(.object(.top, key: key)), object(.object(key: key, item: nil), visit) else { return false }
                } else {
                    guard let v = value(), visit(.field(.top, key: key, value: v)) else { return false }
                }
            } while take(0x2C)
            guard take(0x7D) else { return false }
            space()
            return i == bytes.count
        }

        mutating func list(_ name: String, _ visit: (Event) -> Bool) -> Bool {
            if take(0x5D) { return true }
            var index = 0
            repeat {
                guard take(0x7B), visit(.item(list: name, index: index)) else { return false }
                if !take(0x7D) {
                    let place = Place.item(list: name, index: index)
                    repeat {
                        space()
                        guard let key = string(), take(0x3A) else { return false }
                        space()
                        if peek == 0x7B {
                            i += 1
                            guard visit(.object(place, key: key)), object(.object(key: key, item: index), visit) else { return false }
                        } else {
                            guard let v = value(), visit(.field(place, key: key, value: v)) else { return false }
                        }
                    } while take(0x2C)
                    guard take(0x7D) else { return false }
                }
                index += 1
            } while take(0x2C)
            return take(0x5D)
        }

        /// The rest of an object of plain values, after its opening brace.
        mutating func object(_ place: Place, _ visit: (Event) -> Bool) -> Bool {
            if take(0x7D) { return true }
            repeat {
                space()
                guard let key = string(), take(0x3A) else { return false }
                space()
                guard let v = value(), visit(.field(place, key: key, value: v)) else { return false }
            } while take(0x2C)
            return take(0x7D)
        }

        mutating func value() -> Value? {
            guard let b = peek else { return nil }
            if b == 0x22 { return string().map(Value.string) }
            if b == 0x6E {   // null
                guard i + 4 <= bytes.count, bytes[i + 1] == 0x75, bytes[i + 2] == 0x6C, bytes[i + 3] == 0x6C else { return nil }
                i += 4
                return .null
            }
            return integer().map(Value.int)
        }

        /// An integer as JSON writes it (no leading zeros) of at most 18 digits; nil for anything else.
        mutating func integer() -> Int? {
            var negative = false
            if peek == 0x2D { negative = true; i += 1 }
            let start = i
            var n = 0
            while let b = peek, b >= 0x30, b <= 0x39 {
                // Wrapping: a longer number may overflow here, and is refused below by its length.
                n = n &* 10 &+ Int(b - 0x30)
                i += 1
            }
            let digits = i - start
            guard digits > 0, digits <= 18, !(digits > 1 && bytes[start] == 0x30) else { return nil }
            if let b = peek, b == 0x2E || b == 0x65 || b == 0x45 { return nil }   // a fraction or an exponent
            return negative ? -n : n
        }

        /// A string at the cursor (which is on its opening quote), unescaped and checked as UTF-8.
        mutating func string() -> String? {
            guard peek == 0x22 else { return nil }
            i += 1
            let start = i
            // The common case: no escapes, so the bytes are the text.
            while i < bytes.count {
                let b = bytes[i]
                if b == 0x22 {
                    defer { i += 1 }
                    return String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                }
                if b == 0x5C { break }
                if b < 0x20 { return nil }
                i += 1
            }
            guard i < bytes.count else { return nil }
            var out = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
            while i < bytes.count {
                let b = bytes[i]
                if b == 0x22 {
                    i += 1
                    return String(validating: out, as: UTF8.self)
                }
                if b < 0x20 { return nil }
                guard b == 0x5C else { out.append(b); i += 1; continue }
                guard i + 1 < bytes.count else { return nil }
                let e = bytes[i + 1]
                i += 2
                switch e {
                case 0x22, 0x5C, 0x2F: out.append(e)
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0C)
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                case 0x74: out.append(0x09)
                case 0x75:
                    guard var scalar = hex4() else { return nil }
                    if scalar >= 0xD800, scalar < 0xDC00 {   // a high surrogate needs its low one
                        guard i + 1 < bytes.count, bytes[i] == 0x5C, bytes[i + 1] == 0x75 else { return nil }
                        i += 2
                        guard let low = hex4(), low >= 0xDC00, low < 0xE000 else { return nil }
                        scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
                    }
                    guard scalar != 0, let u = Unicode.Scalar(scalar) else { return nil }
                    out.append(contentsOf: UTF8.encode(u)!)
                default: return nil
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard i + 4 <= bytes.count else { return nil }
            var n: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[i]
                let d: UInt8
                switch b {
                case 0x30...0x39: d = b - 0x30
                case 0x41...0x46: d = b - 0x41 + 10
                case 0x61...0x66: d = b - 0x61 + 10
                default: return nil
                }
                n = n << 4 | UInt32(d)
                i += 1
            }
            return n
        }
    }
}
