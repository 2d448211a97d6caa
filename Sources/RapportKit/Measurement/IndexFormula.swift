/// Custom indices: CX teams define them in the UI as weighted combinations of headline metrics and
/// question statistics ("CSI" = mean of four 1–5 items, a 0–1,000 index of NPS, CSAT and share of wallet).
/// A formula is user input that ends up on every dashboard, so it is tokenized and parsed by hand into a
/// small tree and never evaluated as code; anything outside this language is refused with its position:
///
///     formula   = sum                                  (at most 500 characters)
///     sum       = product { ("+" | "-") product }      (left-associative)
///     product   = operand { ("*" | "/") operand }      (left-associative)
///     operand   = ["-"] atom                           (one sign: "a * -b" yes, "--a" no)
///     atom      = number | metric | function "(" question ")" | "(" sum ")"
///     number    = digit { digit } [ "." digit { digit } ]       (12, 0.5; not .5, 5. or 1e3)
///     metric    = "nps" | "csat" | "ces" | "ces_easy"          (the survey's headline questions)
///     function  = "mean" | "top2" | "nps"                      (top2 is a share 0–100)
///     question  = id [ "." id ],  id = [a-z][a-z0-9_]{0,39}    (matrix items as matrix_id.item_id)
///
/// Whitespace is free. Parentheses nest at most 32 deep (a function's own count), at most 40 different
/// references, at least one reference (a constant is no index), and no divisor may be a constant 0.

/// One thing a formula reads from the data: a headline metric or a statistic of one question.
public enum IndexReference: Hashable, Sendable, Codable, CustomStringConvertible {
    case nps, csat, ces, cesEasy
    case mean(String), topTwo(String), npsOf(String)

    /// The spelling in a formula, which is also the JSON form ("ces_easy", "top2(q_service)").
    public var description: String {
        switch self {
        case .nps: "nps"
        case .csat: "csat"
        case .ces: "ces"
        case .cesEasy: "ces_easy"
        case .mean(let q): "mean(\(q))"
        case .topTwo(let q): "top2(\(q))"
        case .npsOf(let q): "nps(\(q))"
        }
    }

    /// Reads the spelling back; nil for anything else, including a malformed question id.
    init?(spelling text: String) {
        if let metric = Self.metrics[text] { self = metric; return }
        guard text.hasSuffix(")"), let open = text.firstIndex(of: "(") else { return nil }
        let question = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        guard let function = FormulaFunction(rawValue: String(text[..<open])), Self.isQuestionID(question) else { return nil }
        self = function.reference(question)
    }

    static let metrics: [String: IndexReference] = ["nps": .nps, "csat": .csat, "ces": .ces, "ces_easy": .cesEasy]

    /// Question ids as surveys define them; a matrix item is addressed as matrix_id.item_id.
    static func isQuestionID(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count <= 2 && parts.allSatisfy { part in
            guard let first = part.first, first.isASCII, first.isLowercase, part.count <= 40 else { return false }
            return part.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLowercase || $0.isNumber)) }
        }
    }

    // A plain string rather than the synthesized {"mean": {"_0": …}}, so stored indices read like formulas.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let reference = IndexReference(spelling: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription:
                "'\(text)' is not an index reference: nps, csat, ces, ces_easy, mean(question), top2(question) or nps(question)")
        }
        self = reference
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// An index value with its delta-method standard error and 95% interval.
public struct IndexEstimate: Sendable, Equatable {
    public let value: Double, standardError: Double, low: Double, high: Double
}

/// Why a formula was refused or could not be computed. The message is shown to the person who typed the
/// formula, so it names the place ("position 14: …", 1-based characters) and what would be accepted.
public struct IndexFormulaError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let position: Int?

    init(_ problem: String, at position: Int?) {
        self.position = position
        message = position.map { "position \($0): \(problem)" } ?? problem
    }

    public var description: String { message }
}

/// A checked index formula. Equal formulas have the same source text; compare `canonical` for the same meaning.
public struct IndexFormula: Sendable, Equatable {
    /// As typed; this is what is stored.
    public let source: String
    /// The references it uses, in first-appearance order, deduplicated.
    public let references: [IndexReference]
    /// Without source positions, so a formula and its canonical rendering have the same tree.
    let root: FormulaNode

    static let maxLength = 500, maxDepth = 32, maxReferences = 40
    /// The two-sided 95% normal quantile.
    static let z95 = 1.959963984540054

    /// Parses and checks. `questionProblem(id)` returns why a question id cannot be used (unknown, or not a
    /// scale question, e.g. "q_x is a free-text question"), or nil when it can; it is asked once per id.
    public init(_ source: String, questionProblem: (String) -> String? = { _ in nil }) throws(IndexFormulaError) {
        let characters = Array(source)
        guard characters.count <= Self.maxLength else {
            throw IndexFormulaError("the formula is \(characters.count) characters long; at most \(Self.maxLength) are allowed",
                                    at: Self.maxLength + 1)
        }
        guard characters.contains(where: { !$0.isWhitespace }) else { throw IndexFormulaError("the formula is empty", at: nil) }
        let (root, references) = try withoutActuallyEscaping(questionProblem) { check throws(IndexFormulaError) in
            var parser = try FormulaParser(characters, questionProblem: check)
            let root = try parser.formula()
            return (root, parser.references)
        }
        guard !references.isEmpty else {
            throw IndexFormulaError("the formula uses no metric or item — it is a constant, not an index", at: nil)
        }
        self.source = source
        self.root = root
        self.references = references
    }

    /// A canonical rendering (for display and stable hashing): single spaces around operators, only the
    /// parentheses the tree needs, numbers in their shortest exact form. Parsing it gives the same tree.
    public var canonical: String { root.rendered }

    /// Value for given reference values; a failure with the reason when a value is missing or the data make
    /// the formula undefined (division by zero).
    public func evaluate(_ values: [IndexReference: Double]) -> Result<Double, IndexFormulaError> {
        Result { () throws(IndexFormulaError) -> Double in
            for reference in references {
                guard let value = values[reference] else { throw IndexFormulaError("no value for \(reference)", at: nil) }
                guard value.isFinite else { throw IndexFormulaError("the value of \(reference) is not a finite number", at: nil) }
            }
            let result = try compute(values, gradient: false).value
            guard result.isFinite else { throw IndexFormulaError("the result is not a finite number for these data", at: nil) }
            return result
        }
    }

    /// Delta-method standard error assuming the references are independent estimates:
    /// Var(f) ≈ Σ (∂f/∂x_i)² · se_i², with the exact gradient by forward-mode differentiation over the tree.
    /// The 95% interval is value ± 1.959963984540054 · se.
    public func estimate(_ inputs: [IndexReference: (value: Double, standardError: Double)]) -> Result<IndexEstimate, IndexFormulaError> {
        Result { () throws(IndexFormulaError) -> IndexEstimate in
            var values: [IndexReference: Double] = [:]
            var errors: [Double] = []
            for reference in references {
                guard let input = inputs[reference] else { throw IndexFormulaError("no value for \(reference)", at: nil) }
                guard input.value.isFinite else { throw IndexFormulaError("the value of \(reference) is not a finite number", at: nil) }
                guard input.standardError.isFinite, input.standardError >= 0 else {
                    throw IndexFormulaError("the standard error of \(reference) must be a finite number ≥ 0", at: nil)
                }
                values[reference] = input.value
                errors.append(input.standardError)
            }
            let result = try compute(values, gradient: true)
            var variance = 0.0
            for (slope, error) in zip(result.gradient, errors) { variance += (slope * error) * (slope * error) }
            let se = variance.squareRoot()
            guard result.value.isFinite, se.isFinite else {
                throw IndexFormulaError("the result is not a finite number for these data", at: nil)
            }
            return IndexEstimate(value: result.value, standardError: se, low: result.value - Self.z95 * se,
                                 high: result.value + Self.z95 * se)
        }
    }

    /// Value and, when asked, the gradient by the references' order (dual numbers: every node carries its
    /// partial derivatives, so the chain rule is applied exactly, node by node).
    private func compute(_ values: [IndexReference: Double], gradient: Bool) throws(IndexFormulaError) -> FormulaDual {
        let width = gradient ? references.count : 0
        let slots = Dictionary(uniqueKeysWithValues: references.enumerated().map { ($1, $0) })
        func walk(_ node: FormulaNode) throws(IndexFormulaError) -> FormulaDual {
            switch node {
            case .number(let v):
                return FormulaDual(value: v, gradient: Array(repeating: 0, count: width))
            case .reference(let r):
                var unit = Array(repeating: 0.0, count: width)
                if gradient, let slot = slots[r] { unit[slot] = 1 }
                return FormulaDual(value: values[r] ?? .nan, gradient: unit)
            case .negate(let x):
                let a = try walk(x)
                return FormulaDual(value: -a.value, gradient: a.gradient.map { -$0 })
            case .binary(let op, let l, let r):
                let a = try walk(l), b = try walk(r)
                switch op {
                case .add:
                    return FormulaDual(value: a.value + b.value, gradient: zip(a.gradient, b.gradient).map { $0 + $1 })
                case .subtract:
                    return FormulaDual(value: a.value - b.value, gradient: zip(a.gradient, b.gradient).map { $0 - $1 })
                case .multiply:
                    return FormulaDual(value: a.value * b.value,
                                       gradient: zip(a.gradient, b.gradient).map { $0 * b.value + a.value * $1 })
                case .divide:
                    guard b.value != 0 else {
                        throw IndexFormulaError("divides by zero for these data: \(r.rendered) is 0", at: nil)
                    }
                    // (a/b)' = (a' − (a/b)·b') / b
                    let q = a.value / b.value
                    return FormulaDual(value: q, gradient: zip(a.gradient, b.gradient).map { ($0 - q * $1) / b.value })
                }
            }
        }
        return try walk(root)
    }
}

struct FormulaDual {
    var value: Double
    var gradient: [Double]
}

enum FormulaOperator: Character, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/"

    var precedence: Int { self == .add || self == .subtract ? 1 : 2 }

    func apply(_ a: Double, _ b: Double) -> Double {
        switch self {
        case .add: a + b
        case .subtract: a - b
        case .multiply: a * b
        case .divide: a / b
        }
    }
}

enum FormulaFunction: String {
    case mean, top2, nps

    func reference(_ question: String) -> IndexReference {
        switch self {
        case .mean: .mean(question)
        case .top2: .topTwo(question)
        case .nps: .npsOf(question)
        }
    }
}

/// The parsed formula. Parentheses leave no node: the tree's shape is the grouping.
indirect enum FormulaNode: Sendable, Equatable {
    case number(Double)
    case reference(IndexReference)
    case negate(FormulaNode)
    case binary(FormulaOperator, FormulaNode, FormulaNode)

    private var precedence: Int {
        switch self {
        case .binary(let op, _, _): op.precedence
        case .negate: 3
        case .number, .reference: 4
        }
    }

    var rendered: String {
        switch self {
        case .number(let v):
            return formulaNumberText(v)
        case .reference(let r):
            return r.description
        case .negate(let x):
            // "--a" is refused, so a sign over a sign (or over a sum) keeps its parentheses.
            return "-" + x.grouped(x.precedence <= 3)
        case .binary(let op, let l, let r):
            // Left-associative: a right operand of the same level needs parentheses to keep its tree.
            return l.grouped(l.precedence < op.precedence) + " \(op.rawValue) " + r.grouped(r.precedence <= op.precedence)
        }
    }

    private func grouped(_ parenthesized: Bool) -> String { parenthesized ? "(" + rendered + ")" : rendered }
}

/// The shortest decimal that reads back as the same Double, without the exponent Swift prints for very
/// large and small values (the language has none): 12, 0.5, 0.00001.
func formulaNumberText(_ value: Double) -> String {
    if value < 0 { return "-" + formulaNumberText(-value) }
    let text = value.description
    let halves = text.split(separator: "e")
    let exponent = halves.count > 1 ? Int(halves[1]) ?? 0 : 0
    let mantissa = halves[0].split(separator: ".", omittingEmptySubsequences: false)
    let whole = String(mantissa[0])
    var digits = whole + (mantissa.count > 1 ? String(mantissa[1]) : "")
    var point = whole.count + exponent
    if point <= 0 {
        digits = String(repeating: "0", count: 1 - point) + digits
        point = 1
    }
    if point > digits.count { digits += String(repeating: "0", count: point - digits.count) }
    var integer = Substring(digits.prefix(point)), fraction = Substring(digits.dropFirst(point))
    while fraction.hasSuffix("0") { fraction.removeLast() }
    while integer.count > 1, integer.hasPrefix("0") { integer.removeFirst() }
    return fraction.isEmpty ? String(integer) : integer + "." + fraction
}

struct FormulaToken {
    enum Kind: Equatable {
        case number(Double), name(String), plus, minus, times, divide, open, close, comma, end
    }

    let kind: Kind
    /// 1-based character offset in the source.
    let position: Int
    let text: String

    /// For messages: the token as typed, long numbers and names shortened.
    var quoted: String {
        kind == .end ? "the end of the formula" : Self.quote(text)
    }

    static func quote(_ text: String) -> String { "'" + (text.count > 24 ? text.prefix(20) + "…" : text) + "'" }

    /// Reads the token at `offset` (0-based) and moves past it; `.end` once the source is used up. Tokens are
    /// read as the parser needs them, so the first mistake from the left is the one reported.
    static func next(_ s: [Character], _ offset: inout Int) throws(IndexFormulaError) -> FormulaToken {
        func isDigit(_ at: Int) -> Bool { at < s.count && s[at].isASCII && s[at].isNumber }
        func isNamePart(_ at: Int) -> Bool { at < s.count && (s[at].isLetter || s[at].isNumber || s[at] == "_") }
        while offset < s.count, s[offset].isWhitespace { offset += 1 }
        let start = offset
        guard start < s.count else { return FormulaToken(kind: .end, position: s.count + 1, text: "") }
        var i = start
        let c = s[i]
        let kind: Kind
        if isDigit(i) {
            while isDigit(i) { i += 1 }
            if i < s.count, s[i] == "." {
                guard isDigit(i + 1) else {
                    throw IndexFormulaError("'\(String(s[start...i]))' needs a digit after the point", at: start + 1)
                }
                i += 1
                while isDigit(i) { i += 1 }
            }
            let text = String(s[start..<i])
            guard let value = Double(text), value.isFinite else {
                throw IndexFormulaError("the number \(quote(text)) is too large", at: start + 1)
            }
            kind = .number(value)
        } else if c.isLetter || c == "_" {
            // Letters beyond ASCII and every dot are taken in too, so "qualité" and "m." are refused as one
            // name ("is not a question id"), not at a stray character.
            while isNamePart(i) || (i < s.count && s[i] == ".") { i += 1 }
            kind = .name(String(s[start..<i]))
        } else {
            switch c {
            case "+": kind = .plus
            case "-": kind = .minus
            case "*": kind = .times
            case "/": kind = .divide
            case "(": kind = .open
            case ")": kind = .close
            case ",": kind = .comma
            case "." where isDigit(i + 1):
                throw IndexFormulaError("write numbers with a digit before the point, e.g. 0.5", at: start + 1)
            default:
                throw IndexFormulaError(unexpected(c), at: start + 1)
            }
            i += 1
        }
        offset = i
        return FormulaToken(kind: kind, position: start + 1, text: String(s[start..<i]))
    }

    /// The look-alikes people paste from documents get a pointer to what to type instead.
    private static func unexpected(_ c: Character) -> String {
        let printable = c.unicodeScalars.allSatisfy {
            ![.control, .format, .surrogate, .privateUse, .unassigned].contains($0.properties.generalCategory)
        }
        let shown = printable ? "'\(c)'" : c.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined(separator: " ")
        let hint = switch c {
        case "−", "–", "—": "type the minus as '-'"
        case "×", "·", "⋅": "multiply with '*'"
        case "÷", ":": "divide with '/'"
        case "^": "powers are not supported"
        case "[", "]", "{", "}": "group with ( and )"
        case "\"", "'", "‘", "’", "“", "”": "question ids need no quotes"
        default: "a formula has numbers, metrics, mean(…), top2(…), nps(…), + - * / and parentheses"
        }
        return "unexpected character \(shown) — \(hint)"
    }
}

/// A parsed piece with where it starts and, when it reads no data, its value (to refuse a constant 0
/// divisor while parsing rather than on every dashboard).
struct FormulaPart {
    let node: FormulaNode
    let position: Int
    let constant: Double?
}

/// Recursive descent, one function per grammar rule. Recursion is bounded: parentheses nest at most
/// 32 deep and an operand takes one sign, so no input can exhaust the stack.
struct FormulaParser {
    let source: [Character]
    let questionProblem: (String) -> String?
    /// The next token, not yet consumed, and where the one after it starts.
    private var current: FormulaToken
    private var offset = 0
    private var depth = 0
    private var checkedQuestions: Set<String> = []
    private(set) var references: [IndexReference] = []

    init(_ source: [Character], questionProblem: @escaping (String) -> String?) throws(IndexFormulaError) {
        self.source = source
        self.questionProblem = questionProblem
        current = try FormulaToken.next(source, &offset)
    }

    private mutating func advance() throws(IndexFormulaError) {
        current = try FormulaToken.next(source, &offset)
    }

    mutating func formula() throws(IndexFormulaError) -> FormulaNode {
        let part = try sum(after: nil)
        guard current.kind == .end else { throw afterOperand(insideParentheses: false) }
        return part.node
    }

    private mutating func sum(after previous: FormulaToken?) throws(IndexFormulaError) -> FormulaPart {
        var left = try product(after: previous)
        while current.kind == .plus || current.kind == .minus {
            let op = current
            try advance()
            left = try combine(op.kind == .plus ? .add : .subtract, left, try product(after: op))
        }
        return left
    }

    private mutating func product(after previous: FormulaToken?) throws(IndexFormulaError) -> FormulaPart {
        var left = try operand(after: previous, signed: false)
        while current.kind == .times || current.kind == .divide {
            let op = current
            try advance()
            left = try combine(op.kind == .times ? .multiply : .divide, left, try operand(after: op, signed: false))
        }
        return left
    }

    /// `previous` is the token before the operand (an operator, "(" or nil at the start): it says what is
    /// wrong when no operand comes.
    private mutating func operand(after previous: FormulaToken?, signed: Bool) throws(IndexFormulaError) -> FormulaPart {
        let token = current
        switch token.kind {
        case .number(let v):
            try advance()
            return FormulaPart(node: .number(v), position: token.position, constant: v)
        case .name(let name):
            try advance()
            return try named(name, token)
        case .open:
            try enter(token)
            guard current.kind != .close else { throw IndexFormulaError("empty parentheses", at: token.position) }
            let inner = try sum(after: token)
            guard current.kind == .close else { throw afterOperand(insideParentheses: true, opened: token) }
            try advance()
            depth -= 1
            return FormulaPart(node: inner.node, position: token.position, constant: inner.constant)
        case .minus where !signed:
            try advance()
            let inner = try operand(after: token, signed: true)
            return FormulaPart(node: .negate(inner.node), position: token.position, constant: inner.constant.map { -$0 })
        case .plus, .minus, .times, .divide:
            guard let previous else {
                throw IndexFormulaError("the formula starts with '\(token.text)' — there is nothing before it", at: token.position)
            }
            if previous.kind == .open {
                throw IndexFormulaError("'\(token.text)' right after '(' has nothing before it", at: token.position)
            }
            throw IndexFormulaError("two operators in a row ('\(previous.text)' then '\(token.text)')", at: token.position)
        case .comma:
            throw IndexFormulaError("unexpected ',' — write decimals with a point (0.5); a function takes one question id", at: token.position)
        case .close, .end:
            guard let previous else { throw IndexFormulaError("')' has no matching '('", at: token.position) }
            if previous.kind == .open { throw IndexFormulaError("'(' is never closed", at: previous.position) }
            throw IndexFormulaError("'\(previous.text)' has nothing after it", at: previous.position)
        }
    }

    /// What is wrong where an operator, ")" or the end should follow an operand.
    private func afterOperand(insideParentheses: Bool, opened: FormulaToken? = nil) -> IndexFormulaError {
        switch current.kind {
        case .close:
            return IndexFormulaError("')' has no matching '('", at: current.position)
        case .end:
            return IndexFormulaError("'(' is never closed", at: opened?.position ?? current.position)
        case .comma:
            return IndexFormulaError("unexpected ',' — write decimals with a point (0.5); a function takes one question id",
                                     at: current.position)
        default:
            let expected = insideParentheses ? "an operator (+ - * /) or ')'" : "an operator (+ - * /) or the end of the formula"
            return IndexFormulaError("expected \(expected), found \(current.quoted)", at: current.position)
        }
    }

    private mutating func named(_ name: String, _ token: FormulaToken) throws(IndexFormulaError) -> FormulaPart {
        let lowercaseHint = name != name.lowercased() && (IndexReference.metrics[name.lowercased()] != nil
            || FormulaFunction(rawValue: name.lowercased()) != nil) ? " (names are lowercase: \(name.lowercased()))" : ""
        if current.kind == .open {
            guard let function = FormulaFunction(rawValue: name) else {
                throw IndexFormulaError("'\(name)' is not a function\(lowercaseHint) — use mean(question), top2(question) or nps(question)",
                                        at: token.position)
            }
            return try call(function, token)
        }
        if let metric = IndexReference.metrics[name] { return try reference(metric, at: token.position) }
        if FormulaFunction(rawValue: name) != nil {
            throw IndexFormulaError("\(name) is a function — write \(name)(question), e.g. \(name)(q_service)", at: token.position)
        }
        throw IndexFormulaError("'\(name)' is not a metric\(lowercaseHint) — use nps, csat, ces, ces_easy, mean(question), "
                                    + "top2(question) or nps(question)", at: token.position)
    }

    private mutating func call(_ function: FormulaFunction, _ name: FormulaToken) throws(IndexFormulaError) -> FormulaPart {
        let f = function.rawValue
        let open = current
        try enter(open)
        let argument = current
        switch argument.kind {
        case .name(let id):
            guard IndexReference.isQuestionID(id) else {
                throw IndexFormulaError("\(FormulaToken.quote(id)) is not a question id — ids are lowercase letters, digits and _, start with a letter, "
                                            + "have at most 40 characters, and matrix items are written matrix_id.item_id",
                                        at: argument.position)
            }
            try advance()
            switch current.kind {
            case .close: break
            case .comma:
                throw IndexFormulaError("\(f) takes one question id; found a second argument", at: current.position)
            case .end:
                throw IndexFormulaError("'(' is never closed", at: open.position)
            case .open:
                throw IndexFormulaError("\(f) takes a question id, not a function call", at: argument.position)
            default:
                throw IndexFormulaError("\(f) takes a single question id, not an expression", at: current.position)
            }
            if checkedQuestions.insert(id).inserted, let reason = questionProblem(id) {
                throw IndexFormulaError(reason, at: argument.position)
            }
            try advance()
            depth -= 1
            return try reference(function.reference(id), at: name.position)
        case .close:
            throw IndexFormulaError("\(f)() needs a question id, e.g. \(f)(q_service)", at: argument.position)
        case .end:
            throw IndexFormulaError("'(' is never closed", at: open.position)
        case .number:
            throw IndexFormulaError("\(f) needs a question id, not the number \(argument.quoted)", at: argument.position)
        case .comma:
            throw IndexFormulaError("\(f) needs a question id before ','", at: argument.position)
        default:
            throw IndexFormulaError("\(f) takes a question id, e.g. \(f)(q_service), not an expression", at: argument.position)
        }
    }

    private mutating func enter(_ open: FormulaToken) throws(IndexFormulaError) {
        depth += 1
        guard depth <= IndexFormula.maxDepth else {
            throw IndexFormulaError("parentheses are nested more than \(IndexFormula.maxDepth) deep", at: open.position)
        }
        try advance()
    }

    private mutating func reference(_ reference: IndexReference, at position: Int) throws(IndexFormulaError) -> FormulaPart {
        if !references.contains(reference) {
            guard references.count < IndexFormula.maxReferences else {
                throw IndexFormulaError("more than \(IndexFormula.maxReferences) different metrics and items; at most "
                                            + "\(IndexFormula.maxReferences) are allowed", at: position)
            }
            references.append(reference)
        }
        return FormulaPart(node: .reference(reference), position: position, constant: nil)
    }

    private func combine(_ op: FormulaOperator, _ left: FormulaPart, _ right: FormulaPart) throws(IndexFormulaError) -> FormulaPart {
        if op == .divide, right.constant == 0 {
            throw IndexFormulaError("divides by zero (the divisor is always 0)", at: right.position)
        }
        var constant: Double?
        if let a = left.constant, let b = right.constant {
            let value = op.apply(a, b)
            guard value.isFinite else {
                throw IndexFormulaError("this constant part is too large to compute", at: left.position)
            }
            constant = value
        }
        return FormulaPart(node: .binary(op, left.node, right.node), position: left.position, constant: constant)
    }
}
