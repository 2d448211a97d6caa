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
        let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if trimmed.isEmpty {
            if required { fail(field, "is required and must not be empty") }
            return nil
        }
        if trimmed.count > maxLength { fail(field, "is \(trimmed.count) characters long; at most \(maxLength) are allowed"); return nil }
        return trimmed
    }

    /// Applies a FieldCheck to an optional value; empty means absent.
    public mutating func check<T>(_ field: String, _ value: String?, required: Bool = false, _ rule: (String) -> Result<T, FieldProblem>) -> T? {
        guard let raw = value?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else {
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
/// behaves the same on every database.
public func searchKey(_ parts: String?...) -> String {
    let joined = parts.compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
    // Most names are plain ASCII: lower-casing the bytes is all they need, and Foundation's folding
    // costs more than the rest of an imported row.
    if joined.utf8.allSatisfy({ $0 < 0x80 }) { return joined.lowercased() }
    return joined
        .replacingOccurrences(of: "ß", with: "ss")
        .folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "en_US_POSIX"))
        .lowercased()
}
