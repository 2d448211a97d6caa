import Foundation

/// One problem with one field of one input: the unit of every error Rapport reports.
public struct FieldError: Error, Sendable, Codable, Equatable, CustomStringConvertible {
    public let field: String
    public let message: String
    public init(_ field: String, _ message: String) { self.field = field; self.message = message }
    public var description: String { "\(field): \(message)" }
}

public struct ValidationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public let errors: [FieldError]
    public init(_ errors: [FieldError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "; ") }
}

/// Collects field errors while turning loose input into typed values, so a caller sees every problem
/// of an input at once instead of one per attempt.
public struct Validator: Sendable {
    public private(set) var errors: [FieldError] = []
    public init() {}

    public mutating func fail(_ field: String, _ message: String) { errors.append(FieldError(field, message)) }

    /// A required text: trimmed, non-empty, at most `maxLength` characters.
    public mutating func text(_ field: String, _ value: String?, required: Bool = false, maxLength: Int = 200) -> String? {
        let trimmed = value?.trimmed ?? ""
        if trimmed.isEmpty {
            if required { fail(field, "is required and must not be empty") }
            return nil
        }
        if trimmed.count > maxLength { fail(field, "is \(trimmed.count) characters long; at most \(maxLength) are allowed"); return nil }
        if let problem = controlCharacterProblem(trimmed) { fail(field, problem); return nil }
        return trimmed
    }

    /// Applies a FieldCheck to an optional value; empty means absent.
    public mutating func check<T>(_ field: String, _ value: String?, required: Bool = false, _ rule: (String) -> Result<T, FieldProblem>) -> T? {
        guard let raw = value?.trimmed, !raw.isEmpty else {
            if required { fail(field, "is required and must not be empty") }
            return nil
        }
        switch rule(raw) {
        case .success(let v): return v
        case .failure(let p): fail(field, p.reason); return nil
        }
    }

    public mutating func vocabulary<V: Vocabulary>(_ field: String, _ value: String?, required: Bool = false, as: V.Type = V.self) -> V? {
        check(field, value, required: required, V.parse)
    }

    public func finish() throws(ValidationFailure) {
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}

/// Folds text for search: lower case, accents removed (Müller → muller, ß → ss), so that a search
/// behaves the same on every database. Latin letters are folded from a table; only text beyond them
/// (Greek, Cyrillic …) goes through Foundation, which is slow on Linux.
public func searchKey(_ parts: String?...) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(parts.reduce(0) { $0 + ($1?.utf8.count ?? 0) + 1 })
    for case let part? in parts where !part.isEmpty {
        if !out.isEmpty { out.append(0x20) }
        for scalar in part.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                out.append(UInt8(v >= 0x41 && v <= 0x5A ? v + 32 : v))
            } else if let folded = LatinFold.table[scalar] {
                out.append(contentsOf: folded.utf8)
            } else {
                return parts.compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
                    .replacingOccurrences(of: "ß", with: "ss")
                    .folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "en_US_POSIX"))
                    .lowercased()
            }
        }
    }
    return String(decoding: out, as: UTF8.self)
}

enum LatinFold {
    /// Latin-1 and Latin Extended-A letters to their unaccented lower-case form.
    static let table: [Unicode.Scalar: String] = {
        let groups: [(String, String)] = [
            ("ÀÁÂÃÄÅàáâãäåĀāĂăĄą", "a"), ("ÇçĆćĈĉĊċČč", "c"), ("ĎďĐđÐð", "d"), ("ÈÉÊËèéêëĒēĔĕĖėĘęĚě", "e"),
            ("ĜĝĞğĠġĢģ", "g"), ("ĤĥĦħ", "h"), ("ÌÍÎÏìíîïĨĩĪīĬĭĮįİı", "i"), ("Ĵĵ", "j"), ("Ķķĸ", "k"), ("ĹĺĻļĽľĿŀŁł", "l"),
            ("ÑñŃńŅņŇňŉŊŋ", "n"), ("ÒÓÔÕÖØòóôõöøŌōŎŏŐő", "o"), ("ŔŕŖŗŘř", "r"), ("ŚśŜŝŞşŠš", "s"), ("ŢţŤťŦŧ", "t"),
            ("ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲų", "u"), ("Ŵŵ", "w"), ("ÝýÿŶŷŸ", "y"), ("ŹźŻżŽž", "z"),
            ("ß", "ss"), ("Ææ", "ae"), ("Œœ", "oe"), ("Þþ", "th"),
        ]
        var t: [Unicode.Scalar: String] = [:]
        for (letters, base) in groups { for s in letters.unicodeScalars { t[s] = base } }
        for v: UInt32 in [0xA0, 0x2007, 0x202F] { t[Unicode.Scalar(v)!] = " " }
        return t
    }()
}

/// Text that contains control characters (a NUL byte above all, which PostgreSQL cannot store) is
/// refused with a reason; tabs and line breaks are fine.
public func controlCharacterProblem(_ text: String) -> String? {
    guard let bad = text.unicodeScalars.first(where: { ($0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r") || $0.value == 0x7F }) else { return nil }
    return String(format: "contains the control character U+%04X; remove it", bad.value)
}
