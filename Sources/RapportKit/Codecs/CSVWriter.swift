import Foundation

/// Writes CSV records that `CSVReader` (and Excel, LibreOffice, Numbers) read back unchanged.
public struct CSVWriter: Sendable {
    public let delimiter: UInt8

    public init(delimiter: UInt8 = UInt8(ascii: ",")) {
        precondition(delimiter < 0x80 && delimiter != UInt8(ascii: "\"") && delimiter != 0x0D && delimiter != 0x0A,
                     "a CSV separator must be an ASCII character other than a quote or a line break")
        self.delimiter = delimiter
    }

    /// One record ending in CRLF (RFC 4180), for an export meant to be imported again: every value
    /// is written exactly as given.
    public func line(_ fields: [String]) -> String {
        line(fields, neutralizeFormulas: false)
    }

    /// One record ending in CRLF. With `neutralizeFormulas`, a value that a spreadsheet would run as
    /// a formula (starting with `=`, `+`, `-`, `@`, tab or CR) gets a leading `'`, so opening a report
    /// cannot execute what a customer typed into a form. That changes the value, so exports meant
    /// for re-import leave it off.
    public func line(_ fields: [String], neutralizeFormulas: Bool) -> String {
        // A lone empty field would make an empty line, which readers skip as blank; quoting keeps it.
        if fields.count == 1, fields[0].isEmpty { return "\"\"\r\n" }
        let separator = String(Unicode.Scalar(delimiter))
        var out = ""
        for (index, field) in fields.enumerated() {
            if index > 0 { out += separator }
            let value = neutralizeFormulas && Self.looksLikeFormula(field) ? "'" + field : field
            out += needsQuotes(value) ? quoted(value) : value
        }
        out += "\r\n"
        return out
    }

    private static func looksLikeFormula(_ field: String) -> Bool {
        guard let first = field.utf8.first else { return false }
        return first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
            || first == UInt8(ascii: "@") || first == 0x09 || first == 0x0D
    }

    private func needsQuotes(_ value: String) -> Bool {
        value.utf8.contains { $0 == delimiter || $0 == UInt8(ascii: "\"") || $0 == 0x0D || $0 == 0x0A }
    }

    private func quoted(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
