import Foundation

/// Byte-level checks that only ever *accept*: a plain ASCII value that passes every rule is accepted
/// here without building Characters or Sets; anything else goes to the full check in `FieldCheck`,
/// which also words the error. A million-row import calls these a million times each.
enum FastPath {
    private static func isAlnum(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// The normalised address (domain lower-cased) when `s` is a plain, clearly valid address.
    static func email(_ s: String) -> String? {
        let u = Array(s.utf8)
        guard u.count >= 5, u.count <= 254, let at = u.firstIndex(of: 0x40), at > 0, at <= 64, at < u.count - 3 else { return nil }
        // Local part: letters, digits and . _ % + - ' with no dot at either end or twice in a row.
        let local = u[..<at]
        guard local.first != 0x2E, local.last != 0x2E else { return nil }
        var previousDot = false
        for b in local {
            let dot = b == 0x2E
            guard isAlnum(b) || dot || b == 0x5F || b == 0x25 || b == 0x2B || b == 0x2D || b == 0x27, !(dot && previousDot) else { return nil }
            previousDot = dot
        }
        // Domain: labels of letters, digits and inner hyphens; at least one dot; an alphabetic TLD of 2+.
        let domain = u[(at + 1)...]
        var labelLength = 0, labelStart = true, dots = 0, tldLetters = 0, tldDigits = false
        var last: UInt8 = 0
        for b in domain {
            if b == 0x2E {
                guard labelLength > 0, last != 0x2D else { return nil }
                dots += 1; labelLength = 0; labelStart = true; tldLetters = 0; tldDigits = false
            } else {
                guard isAlnum(b) || (b == 0x2D && !labelStart) else { return nil }
                labelLength += 1; labelStart = false
                if isDigit(b) { tldDigits = true } else { tldLetters += 1 }
            }
            last = b
        }
        guard dots > 0, labelLength >= 2, last != 0x2D, !tldDigits, tldLetters >= 2 else { return nil }
        let hasUpper = domain.contains { $0 >= 0x41 && $0 <= 0x5A }
        return hasUpper ? String(decoding: local, as: UTF8.self) + "@" + String(decoding: domain, as: UTF8.self).lowercased() : s
    }

    /// `s` itself when it is already a two-letter lower-case ISO 639-1 code (the common cell of a
    /// contact file), so the full check's splitting and lower-casing is skipped.
    static func languageCode(_ s: String) -> String? {
        var count = 0
        for b in s.utf8 {
            count += 1
            guard count <= 2, b >= 0x61, b <= 0x7A else { return nil }
        }
        return count == 2 && ISOCodes.retiredLanguages[s] == nil && ISOCodes.languages.contains(s) ? s : nil
    }

    /// Whether `s` is an untrimmed phone number of digits, spaces and ( ) / - with an optional leading +.
    static func phone(_ s: String) -> Bool {
        var digits = 0, index = 0
        for b in s.utf8 {
            if isDigit(b) { digits += 1 }
            else if b == 0x2B { guard index == 0 else { return false } }
            else if !(b == 0x20 || b == 0x28 || b == 0x29 || b == 0x2F || b == 0x2D) { return false }
            index += 1
        }
        return digits >= 6 && s.utf8.first != 0x20 && s.utf8.last != 0x20
    }
}

/// A UUID read from its 36-character text (either case) with a byte loop. Foundation's parser goes
/// through `sscanf`, which was 8 % of a portfolio view that reads ids of some 5,000 rows.
public enum FastUUID {
    @inline(__always) private static func nibble(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x41...0x46: b - 0x41 + 10
        case 0x61...0x66: b - 0x61 + 10
        default: nil
        }
    }

    /// The UUID, or nil for anything but the hyphenated 8-4-4-4-12 form.
    public static func parse(_ text: String) -> UUID? {
        var text = text
        return text.withUTF8 { p -> UUID? in
            guard p.count == 36 else { return nil }
            var u: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let ok = withUnsafeMutableBytes(of: &u) { out -> Bool in
                var i = 0, j = 0
                while i < 36 {
                    if i == 8 || i == 13 || i == 18 || i == 23 {
                        guard p[i] == 0x2D else { return false }
                        i += 1
                        continue
                    }
                    guard let hi = nibble(p[i]), let lo = nibble(p[i + 1]) else { return false }
                    out[j] = hi << 4 | lo
                    i += 2; j += 1
                }
                return true
            }
            return ok ? UUID(uuid: u) : nil
        }
    }

    /// The 36-character text of `u`, upper-case as `uuidString` writes it (and as SQLite stores ids)
    /// or lower-case as links and the API show it. Foundation formats through `snprintf`: 5 % of a
    /// portfolio view, which binds and links some 5,000 ids.
    public static func text(_ u: UUID, lowercase: Bool = false) -> String {
        let digits: StaticString = lowercase ? "0123456789abcdef" : "0123456789ABCDEF"
        return withUnsafeBytes(of: u.uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                digits.withUTF8Buffer { hex in
                    var o = 0
                    for (i, b) in bytes.enumerated() {
                        if i == 4 || i == 6 || i == 8 || i == 10 { out[o] = 0x2D; o += 1 }
                        out[o] = hex[Int(b >> 4)]; out[o + 1] = hex[Int(b & 0x0F)]
                        o += 2
                    }
                    return o
                }
            }
        }
    }
}
