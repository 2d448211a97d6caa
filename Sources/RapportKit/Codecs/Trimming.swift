import Foundation

extension StringProtocol {
    /// The text without leading and trailing white space (including line breaks and no-break spaces).
    /// Foundation's `trimmingCharacters(in:)` goes through NSString on Linux and cost a quarter of a
    /// million-row import; this walks the Unicode scalars and returns the string itself when there is
    /// nothing to trim, which is almost always.
    public var trimmed: String {
        let scalars = unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return "" }
        // Printable ASCII at both ends is the common case and needs no Unicode property look-up.
        let plain = { (c: Unicode.Scalar) in c.value > 0x20 && c.value < 0x7F }
        if (plain(first) || !first.properties.isWhitespace) && (plain(last) || !last.properties.isWhitespace) { return String(self) }
        var start = scalars.startIndex, end = scalars.endIndex
        while start < end, scalars[start].properties.isWhitespace { start = scalars.index(after: start) }
        while end > start, scalars[scalars.index(before: end)].properties.isWhitespace { end = scalars.index(before: end) }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[start..<end])
        return String(out)
    }
}
