import Foundation

/// What a survey asks, in every language it speaks. A definition is plain data: the server stores it
/// as JSON per version, the editor changes it, and the same JSON is the survey's import/export format.
/// A published version is never changed again; the server makes a new version instead.

/// Relationship surveys ask about the whole relationship on a schedule (the annual R-NPS);
/// transactional surveys ask about one touchpoint or journey right after it happened (T-NPS).
public enum SurveyKind: String, Vocabulary { case relationship, transactional }

public enum QuestionType: String, Vocabulary {
    case nps
    case csat
    case ces
    case likert
    case matrix
    case singleChoice = "single_choice"
    case multipleChoice = "multiple_choice"
    case text
    case callback
    case competitorNPS = "competitor_nps"

    /// The answer range of the scale types; nil for the others.
    func range(scale: Int?) -> ClosedRange<Int>? {
        switch self {
        case .nps, .competitorNPS: 0...10
        case .csat: 1...5
        case .ces: 1...(scale ?? 7)
        case .likert, .matrix: 1...(scale ?? 5)
        default: nil
        }
    }
}

/// The driver groups of seed 002; a workspace may name its own beside them.
public enum DriverGroup {
    public static let standard = ["brand", "price", "product", "service"]
}

/// Texts by language code ("de", "en").
public typealias LocalizedText = [String: String]

public struct SurveyDefinition: Codable, Sendable, Equatable {
    /// Enabled languages; the first is the fallback.
    public var languages: [String]
    public var title: LocalizedText
    public var intro: LocalizedText?
    public var thanks: LocalizedText?
    /// Shuffle the questions within each page, stable per respondent.
    public var randomizeQuestions: Bool
    public var questions: [Question]

    public init(languages: [String], title: LocalizedText, intro: LocalizedText? = nil, thanks: LocalizedText? = nil,
                randomizeQuestions: Bool = false, questions: [Question]) {
        self.languages = languages; self.title = title; self.intro = intro; self.thanks = thanks
        self.randomizeQuestions = randomizeQuestions; self.questions = questions
    }

    enum CodingKeys: String, CodingKey {
        case languages, title, intro, thanks, questions
        case randomizeQuestions = "randomize_questions"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        languages = try c.decode([String].self, forKey: .languages)
        title = try c.decode(LocalizedText.self, forKey: .title)
        intro = try c.decodeIfPresent(LocalizedText.self, forKey: .intro)
        thanks = try c.decodeIfPresent(LocalizedText.self, forKey: .thanks)
        randomizeQuestions = try c.decodeIfPresent(Bool.self, forKey: .randomizeQuestions) ?? false
        questions = try c.decode([Question].self, forKey: .questions)
    }
}

public struct Question: Codable, Sendable, Equatable {
    /// Stable across versions ("nps", "delighted"), so results of several versions line up.
    public var id: String
    public var type: QuestionType
    public var text: LocalizedText
    public var required: Bool
    /// 1-based; answers are kept page by page.
    public var page: Int
    /// 5 or 7 for CES, Likert and matrix.
    public var scale: Int?
    public var lowLabel: LocalizedText?
    public var highLabel: LocalizedText?
    /// Likert items that explain the overall score, grouped (brand, price, product, service or custom).
    public var driver: String?
    /// Rows of a matrix.
    public var items: [Item]?
    /// Choices of single and multiple choice.
    public var options: [Item]?
    public var randomizeOptions: Bool
    /// For free text: "delighted", "disappointed" or nil, so text analysis knows which side it reads.
    public var purpose: String?
    /// For competitor NPS: whom the question is about.
    public var competitor: String?
    public var showIf: Condition?

    public struct Item: Codable, Sendable, Equatable {
        public var id: String
        public var text: LocalizedText
        public var driver: String?
        public init(id: String, text: LocalizedText, driver: String? = nil) { self.id = id; self.text = text; self.driver = driver }
    }

    public init(id: String, type: QuestionType, text: LocalizedText, required: Bool = false, page: Int = 1, scale: Int? = nil,
                lowLabel: LocalizedText? = nil, highLabel: LocalizedText? = nil, driver: String? = nil, items: [Item]? = nil,
                options: [Item]? = nil, randomizeOptions: Bool = false, purpose: String? = nil, competitor: String? = nil,
                showIf: Condition? = nil) {
        self.id = id; self.type = type; self.text = text; self.required = required; self.page = page; self.scale = scale
        self.lowLabel = lowLabel; self.highLabel = highLabel; self.driver = driver; self.items = items; self.options = options
        self.randomizeOptions = randomizeOptions; self.purpose = purpose; self.competitor = competitor; self.showIf = showIf
    }

    enum CodingKeys: String, CodingKey {
        case id, type, text, required, page, scale, driver, items, options, purpose, competitor
        case lowLabel = "low_label", highLabel = "high_label", randomizeOptions = "randomize_options", showIf = "show_if"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        type = try c.decode(QuestionType.self, forKey: .type)
        text = try c.decode(LocalizedText.self, forKey: .text)
        required = try c.decodeIfPresent(Bool.self, forKey: .required) ?? false
        page = try c.decodeIfPresent(Int.self, forKey: .page) ?? 1
        scale = try c.decodeIfPresent(Int.self, forKey: .scale)
        lowLabel = try c.decodeIfPresent(LocalizedText.self, forKey: .lowLabel)
        highLabel = try c.decodeIfPresent(LocalizedText.self, forKey: .highLabel)
        driver = try c.decodeIfPresent(String.self, forKey: .driver)
        items = try c.decodeIfPresent([Item].self, forKey: .items)
        options = try c.decodeIfPresent([Item].self, forKey: .options)
        randomizeOptions = try c.decodeIfPresent(Bool.self, forKey: .randomizeOptions) ?? false
        purpose = try c.decodeIfPresent(String.self, forKey: .purpose)
        competitor = try c.decodeIfPresent(String.self, forKey: .competitor)
        showIf = try c.decodeIfPresent(Condition.self, forKey: .showIf)
    }

    public var range: ClosedRange<Int>? { type.range(scale: scale) }
}

/// Display logic: show a question only when an earlier answer is in a range ("NPS at most 6") or
/// is one of some options. Pages are rendered without JavaScript, so the condition must refer to a
/// question on an earlier page.
public struct Condition: Codable, Sendable, Equatable {
    public var question: String
    public var min: Int?
    public var max: Int?
    public var anyOf: [String]?

    public init(question: String, min: Int? = nil, max: Int? = nil, anyOf: [String]? = nil) {
        self.question = question; self.min = min; self.max = max; self.anyOf = anyOf
    }

    enum CodingKeys: String, CodingKey { case question, min, max, anyOf = "any_of" }

    public func holds(for answer: Answer?) -> Bool {
        switch answer {
        case .number(let n)?: (min.map { n >= $0 } ?? true) && (max.map { n <= $0 } ?? true) && anyOf == nil
        case .text(let t)?: anyOf?.contains(t) ?? false
        case .choices(let cs)?: cs.contains { anyOf?.contains($0) ?? false }
        case .flag(let b)?: anyOf?.contains(b ? "yes" : "no") ?? false
        default: false
        }
    }

    public var summary: String {
        var parts: [String] = []
        if let min { parts.append("at least \(min)") }
        if let max { parts.append("at most \(max)") }
        if let anyOf { parts.append("one of " + anyOf.joined(separator: ", ")) }
        return "'\(question)' is " + parts.joined(separator: " and ")
    }
}

/// One answer as it arrives in JSON: a number (scales), a string (free text, or the option id of a
/// single choice), a list of option ids, a yes/no, or a matrix of item id → number.
public enum Answer: Codable, Sendable, Equatable {
    case number(Int)
    case text(String)
    case choices([String])
    case flag(Bool)
    case grid([String: Int])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        // Most answers are scale numbers, then texts: tried first, since every failed attempt costs a
        // thrown error. (A JSON true is never an Int, nor 1 a Bool, so the order changes no result.)
        if let n = try? c.decode(Int.self) { self = .number(n); return }
        if let s = try? c.decode(String.self) { self = .text(s); return }
        if let b = try? c.decode(Bool.self) { self = .flag(b); return }
        if let a = try? c.decode([String].self) { self = .choices(a); return }
        if let g = try? c.decode([String: Int].self) { self = .grid(g); return }
        throw DecodingError.dataCorruptedError(in: c, debugDescription:
            "an answer is a whole number, a text, a list of option ids, true/false, or an object of item ids to numbers")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let n): try c.encode(n)
        case .text(let s): try c.encode(s)
        case .choices(let a): try c.encode(a)
        case .flag(let b): try c.encode(b)
        case .grid(let g): try c.encode(g)
        }
    }

    /// The number of a scale answer, for metrics.
    public var number: Int? { if case .number(let n) = self { n } else { nil } }
}

public enum SurveyLimits {
    public static let textLength = 5_000
    public static let questions = 60
    public static let questionText = 500
    public static var supportedLanguage: Regex<Substring> { /^[a-z]{2}$/ }
}

extension SurveyDefinition {
    public var pageCount: Int { questions.map(\.page).max() ?? 0 }

    public func question(_ id: String) -> Question? { questions.first { $0.id == id } }

    /// The language to ask in: the contact's, else the best of the browser's Accept-Language, else
    /// the survey's first.
    public func language(contact: String?, acceptLanguage: String?) -> String {
        if let contact = contact?.lowercased().prefix(2), languages.contains(String(contact)) { return String(contact) }
        let ranked = (acceptLanguage ?? "").split(separator: ",").enumerated().compactMap { index, part -> (String, Double, Int)? in
            let bits = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = bits.first, !tag.isEmpty else { return nil }
            let q = bits.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (String(tag.prefix(2)).lowercased(), q, index)
        }.sorted { ($0.1, -$0.2) > ($1.1, -$1.2) }
        return ranked.first { languages.contains($0.0) }?.0 ?? languages.first ?? "en"
    }

    /// Whether display logic shows the question, given the answers so far.
    public func isVisible(_ q: Question, answers: [String: Answer]) -> Bool {
        guard let c = q.showIf else { return true }
        return c.holds(for: answers[c.question])
    }

    /// The questions of a page in the order this respondent sees them (stable per seed).
    public func questions(onPage page: Int, seed: String, answers: [String: Answer]) -> [Question] {
        var qs = questions.filter { $0.page == page && isVisible($0, answers: answers) }
        if randomizeQuestions { qs = StableShuffle.shuffled(qs, seed: seed + "#p\(page)") }
        return qs
    }

    /// Options in the order this respondent sees them.
    public func options(of q: Question, seed: String) -> [Question.Item] {
        let all = q.options ?? []
        return q.randomizeOptions ? StableShuffle.shuffled(all, seed: seed + "#" + q.id) : all
    }

    static let missingText = "is missing: every enabled language needs this text"
    static let noQuestions = "a survey needs at least one question"

    /// The problems a draft may still have: texts not yet written in every language, no questions yet.
    /// Everything else in `problems()` makes a definition unusable and is refused even in a draft.
    public static func isIncompleteness(_ e: FieldError) -> Bool { e.message == missingText || e.message == noQuestions }

    /// Everything that keeps a definition from being published, each with its place in the JSON.
    /// A survey is incomplete until every question has every enabled language.
    public func problems() -> [FieldError] {
        var v = Validator()
        if languages.isEmpty { v.fail("languages", "name at least one language, e.g. [\"de\", \"en\"]") }
        for (i, l) in languages.enumerated() where l.wholeMatch(of: SurveyLimits.supportedLanguage) == nil {
            v.fail("languages[\(i)]", "'\(l)' is not a two-letter language code such as de or en")
        }
        if Set(languages).count != languages.count { v.fail("languages", "lists a language twice") }
        func texts(_ field: String, _ t: LocalizedText?, required: Bool = true, max: Int = SurveyLimits.questionText) {
            guard let t else { if required { v.fail(field, Self.missingText) }; return }
            for l in languages {
                let s = t[l]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                if s.isEmpty { v.fail("\(field).\(l)", Self.missingText) }
                else if s.count > max { v.fail("\(field).\(l)", "is \(s.count) characters long; at most \(max) are allowed") }
            }
            for l in t.keys where !languages.contains(l) {
                v.fail("\(field).\(l)", "'\(l)' is not among the survey's languages (\(languages.joined(separator: ", ")))")
            }
        }
        texts("title", title, max: 200)
        texts("intro", intro, required: false, max: 2_000)
        texts("thanks", thanks, required: false, max: 2_000)
        if questions.isEmpty { v.fail("questions", Self.noQuestions) }
        if questions.count > SurveyLimits.questions { v.fail("questions", "has \(questions.count) questions; at most \(SurveyLimits.questions) are allowed — short surveys get answered") }
        var seen: [String: Int] = [:]
        let pages = Set(questions.map(\.page))
        if let top = pages.max(), pages != Set(1...top) {
            v.fail("questions", "pages must be numbered 1, 2, 3 … without gaps; used: " + pages.sorted().map(String.init).joined(separator: ", "))
        }
        for (i, q) in questions.enumerated() {
            let f = "questions[\(i)]"
            if q.id.wholeMatch(of: /^[a-z][a-z0-9_]{0,39}$/) == nil {
                v.fail("\(f).id", "'\(q.id)' is not a question id: lower-case letters, digits and _, starting with a letter, at most 40")
            }
            if let j = seen[q.id] { v.fail("\(f).id", "'\(q.id)' is already the id of questions[\(j)]") } else { seen[q.id] = i }
            if q.page < 1 { v.fail("\(f).page", "must be 1 or more") }
            texts("\(f).text", q.text)
            texts("\(f).low_label", q.lowLabel, required: false, max: 80)
            texts("\(f).high_label", q.highLabel, required: false, max: 80)
            switch q.type {
            case .ces where ![5, 7].contains(q.scale ?? 7), .likert where ![5, 7].contains(q.scale ?? 5), .matrix where ![5, 7].contains(q.scale ?? 5):
                v.fail("\(f).scale", "a \(q.type.rawValue) scale has 5 or 7 points, not \(q.scale ?? 0)")
            case .nps, .csat, .competitorNPS, .singleChoice, .multipleChoice, .text, .callback:
                if let s = q.scale { v.fail("\(f).scale", "a \(q.type.rawValue) question has a fixed scale; remove scale \(s)") }
            default: break
            }
            if q.type == .matrix {
                let items = q.items ?? []
                if items.count < 2 { v.fail("\(f).items", "a matrix needs at least two items") }
                list(items, "\(f).items")
            } else if q.items != nil { v.fail("\(f).items", "only a matrix has items") }
            if q.type == .singleChoice || q.type == .multipleChoice {
                let options = q.options ?? []
                if options.count < 2 { v.fail("\(f).options", "a choice needs at least two options") }
                list(options, "\(f).options")
            } else if q.options != nil { v.fail("\(f).options", "only single and multiple choice have options") }
            if q.driver != nil && ![.likert, .matrix].contains(q.type) { v.fail("\(f).driver", "only Likert and matrix items can be drivers") }
            if let d = q.driver, d.wholeMatch(of: /^[a-z][a-z0-9_]{0,39}$/) == nil { v.fail("\(f).driver", "'\(d)' is not a driver group: brand, price, product, service, or your own lower-case name") }
            if let p = q.purpose, q.type != .text || !["delighted", "disappointed"].contains(p) {
                v.fail("\(f).purpose", "'\(p)' is not allowed: free-text questions may be marked delighted or disappointed")
            }
            if q.type == .competitorNPS && (q.competitor ?? "").isEmpty { v.fail("\(f).competitor", "name the competitor this NPS asks about") }
            if let c = q.showIf { condition(c, of: q, field: "\(f).show_if") }
        }

        func list(_ items: [Question.Item], _ field: String) {
            var ids = Set<String>()
            for (k, item) in items.enumerated() {
                if item.id.wholeMatch(of: /^[a-z0-9][a-z0-9_]{0,39}$/) == nil { v.fail("\(field)[\(k)].id", "'\(item.id)' is not an id: lower-case letters, digits and _") }
                if !ids.insert(item.id).inserted { v.fail("\(field)[\(k)].id", "'\(item.id)' is used twice") }
                texts("\(field)[\(k)].text", item.text, max: 200)
            }
        }

        func condition(_ c: Condition, of q: Question, field: String) {
            guard let source = question(c.question) else { v.fail("\(field).question", "there is no question '\(c.question)'"); return }
            if source.page >= q.page {
                v.fail("\(field).question", "'\(c.question)' is on page \(source.page); display logic needs its answer before page \(q.page) is shown, so put it on an earlier page")
            }
            if c.min == nil && c.max == nil && c.anyOf == nil { v.fail(field, "give min, max or any_of") }
            if let r = source.range {
                if c.anyOf != nil { v.fail("\(field).any_of", "'\(c.question)' is a scale; use min and max") }
                for (name, x) in [("min", c.min), ("max", c.max)] { if let x, !r.contains(x) { v.fail("\(field).\(name)", "\(x) is outside the scale \(r.lowerBound)–\(r.upperBound) of '\(c.question)'") } }
            } else if source.type == .singleChoice || source.type == .multipleChoice {
                let ids = Set((source.options ?? []).map(\.id))
                if c.min != nil || c.max != nil { v.fail(field, "'\(c.question)' is a choice; use any_of with its option ids") }
                for o in c.anyOf ?? [] where !ids.contains(o) { v.fail("\(field).any_of", "'\(c.question)' has no option '\(o)'") }
            } else if source.type == .callback {
                for o in c.anyOf ?? [] where o != "yes" && o != "no" { v.fail("\(field).any_of", "a callback answer is \"yes\" or \"no\"") }
            } else {
                v.fail("\(field).question", "'\(c.question)' is free text; display logic can depend on scales and choices only")
            }
        }
        return v.errors
    }

    /// Checks answers against this definition. `complete` demands every visible required question
    /// (the last page, or an API submission); without it only what was given is checked (a page).
    /// Field names are "answers.<question>[.<item>]".
    public func check(_ answers: [String: Answer], complete: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        func fail(_ id: String, _ message: String) { errors.append(FieldError("answers.\(id)", message)) }
        for (id, answer) in answers.sorted(by: { $0.key < $1.key }) {
            guard let q = question(id) else { fail(id, "this survey version has no question '\(id)'"); continue }
            if !isVisible(q, answers: answers), let c = q.showIf {
                fail(id, "is not asked here: it is shown only when \(c.summary)"); continue
            }
            if let problem = Self.problem(answer, for: q) { fail(id, problem) }
        }
        if complete {
            for q in questions where q.required && answers[q.id] == nil && isVisible(q, answers: answers) {
                fail(q.id, "is required")
            }
        }
        return errors
    }

    static func problem(_ answer: Answer, for q: Question) -> String? {
        let name = q.type.rawValue
        switch (q.type, answer) {
        case (.matrix, .grid(let grid)):
            let r = q.range!
            let ids = Set((q.items ?? []).map(\.id))
            if let bad = grid.keys.sorted().first(where: { !ids.contains($0) }) { return "the matrix has no item '\(bad)'" }
            if let (k, x) = grid.sorted(by: { $0.key < $1.key }).first(where: { !r.contains($0.value) }) {
                return "item '\(k)' takes a whole number from \(r.lowerBound) to \(r.upperBound); got \(x)"
            }
            if q.required, grid.count < ids.count { return "answer every item of the matrix" }
            return nil
        case (_, .number(let n)) where q.range != nil && q.type != .matrix:
            let r = q.range!
            return r.contains(n) ? nil : "takes a whole number from \(r.lowerBound) to \(r.upperBound) (\(name)); got \(n)"
        case (.singleChoice, .text(let t)):
            return (q.options ?? []).contains { $0.id == t } ? nil : "'\(t)' is not one of the options " + (q.options ?? []).map(\.id).joined(separator: ", ")
        case (.multipleChoice, .choices(let cs)):
            let ids = Set((q.options ?? []).map(\.id))
            if let bad = cs.first(where: { !ids.contains($0) }) { return "'\(bad)' is not one of the options " + (q.options ?? []).map(\.id).joined(separator: ", ") }
            if Set(cs).count != cs.count { return "names an option twice" }
            if q.required && cs.isEmpty { return "choose at least one option" }
            return nil
        case (.text, .text(let t)):
            if t.count > SurveyLimits.textLength { return "is \(t.count) characters long; at most \(SurveyLimits.textLength) are allowed" }
            if t.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\r" && $0 != "\t" }) { return "contains control characters" }
            return nil
        case (.callback, .flag):
            return nil
        default:
            return "a \(name) question does not take \(answer.kindName)"
        }
    }
}

extension Answer {
    var kindName: String {
        switch self {
        case .number: "a number"
        case .text: "a text"
        case .choices: "a list"
        case .flag: "true/false"
        case .grid: "an object of items"
        }
    }
}

/// A shuffle that gives the same order for the same seed on every machine and run.
public enum StableShuffle {
    public static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    public static func shuffled<T>(_ items: [T], seed: String) -> [T] {
        var random = DemoRandom(seed: hash(seed))
        var out = items
        guard out.count > 1 else { return out }
        for i in stride(from: out.count - 1, to: 0, by: -1) {
            out.swapAt(i, Int(random.next() % UInt64(i + 1)))
        }
        return out
    }
}

extension Answer {
    /// Answers as stored: compact JSON with sorted keys, written by hand because a JSONEncoder per
    /// response cost more than the rest of storing it. Decodes with `JSONDecoder` like any JSON.
    public static func json(_ answers: [String: Answer]) -> String {
        var out = "{"
        for (i, key) in answers.keys.sorted().enumerated() {
            if i > 0 { out += "," }
            quote(key, into: &out)
            out += ":"
            switch answers[key]! {
            case .number(let n): out += String(n)
            case .text(let t): quote(t, into: &out)
            case .flag(let b): out += b ? "true" : "false"
            case .choices(let cs):
                out += "["
                for (j, c) in cs.enumerated() { if j > 0 { out += "," }; quote(c, into: &out) }
                out += "]"
            case .grid(let g):
                out += "{"
                for (j, k) in g.keys.sorted().enumerated() { if j > 0 { out += "," }; quote(k, into: &out); out += ":" + String(g[k]!) }
                out += "}"
            }
        }
        return out + "}"
    }

    static func quote(_ s: String, into out: inout String) {
        // Most texts need no escape: then they are copied whole.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            out += "\""; out += s; out += "\""
            return
        }
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}
