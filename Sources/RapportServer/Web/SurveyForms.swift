import Fluent
import Foundation
import RapportKit
import Vapor

/// Turns the editor's forms into changes of a survey definition. Each write goes through
/// `SurveysAPI.change`, so the web editor and the API make versions the same way.
enum SurveyForms {
    /// "id | Deutsch | English" per line → items, in the order of the survey's languages.
    static func items(_ text: String, languages: [String], field: String) throws -> [Question.Item] {
        var out: [Question.Item] = []
        for (n, raw) in text.split(whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count >= 2 else {
                throw AppError.invalid(field, "line \(n + 1) '\(line)' needs the form id | \(languages.map(languageName).joined(separator: " | "))")
            }
            var text: LocalizedText = [:]
            for (i, l) in languages.enumerated() where i + 1 < parts.count && !parts[i + 1].isEmpty { text[l] = parts[i + 1] }
            out.append(Question.Item(id: parts[0], text: text))
        }
        return out
    }

    static func itemsText(_ items: [Question.Item]?, languages: [String]) -> String {
        (items ?? []).map { item in ([item.id] + languages.map { item.text[$0] ?? "" }).joined(separator: " | ") }.joined(separator: "\n")
    }

    static func languageName(_ code: String) -> String {
        switch code { case "de": "Deutsch"; case "en": "English"; default: code }
    }

    /// A question from the add/edit form.
    static func question(_ f: [String: String], languages: [String]) throws -> Question {
        func v(_ k: String) -> String? { f[k].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 } }
        guard let typeText = v("type"), let type = QuestionType(rawValue: typeText) else {
            throw AppError.invalid("type", "choose a question type: \(QuestionType.allowed.joined(separator: ", "))")
        }
        guard let id = v("id") else { throw AppError.invalid("id", "give the question a short id such as nps or delighted") }
        var text: LocalizedText = [:]
        var low: LocalizedText = [:]
        var high: LocalizedText = [:]
        for l in languages {
            if let t = v("text_\(l)") { text[l] = t }
            if let t = v("low_\(l)") { low[l] = t }
            if let t = v("high_\(l)") { high[l] = t }
        }
        var q = Question(id: id, type: type, text: text, required: f["required"] == "on" || f["required"] == "true", page: 1)
        if let p = v("page") {
            guard let n = Int(p), (1...30).contains(n) else { throw AppError.invalid("page", "'\(p)' is not a page number from 1 to 30") }
            q.page = n
        }
        if let s = v("scale") {
            guard let n = Int(s) else { throw AppError.invalid("scale", "'\(s)' is not a number") }
            q.scale = n
        }
        q.lowLabel = low.isEmpty ? nil : low
        q.highLabel = high.isEmpty ? nil : high
        q.driver = v("driver")
        q.purpose = v("purpose")
        q.competitor = v("competitor")
        q.randomizeOptions = f["randomize_options"] == "on"
        if type == .matrix { q.items = try items(f["items"] ?? "", languages: languages, field: "items") }
        if type == .singleChoice || type == .multipleChoice { q.options = try items(f["options"] ?? "", languages: languages, field: "options") }
        if let source = v("show_if_question") {
            func int(_ k: String) throws -> Int? {
                guard let t = v(k) else { return nil }
                guard let n = Int(t) else { throw AppError.invalid(k, "'\(t)' is not a whole number") }
                return n
            }
            let any = v("show_if_any").map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
            q.showIf = Condition(question: source, min: try int("show_if_min"), max: try int("show_if_max"), anyOf: any)
        }
        return q
    }

    /// Applies a change to the latest definition and stores it (a new version if the latest is published).
    static func edit(_ req: Request, _ change: (inout SurveyDefinition) throws -> Void) async throws -> Survey {
        let scope = try req.scope
        let caller = try req.caller
        let s = try await scope.find(Survey.self, parameter: "id", of: req)
        if let v = (try? req.content.get(Int.self, at: "version")) { try JourneyWeb.openedAt(v, "survey")(s.version) }
        guard let latest = try await SurveysAPI.latest(s, scope: scope) else { throw AppError.notFound(entity: "survey version") }
        var def = try latest.decoded()
        try change(&def)
        // Structural checks that would make the survey unreadable are refused; missing texts are
        // allowed in a draft and listed until publishing.
        if let e = def.problems().first(where: { !SurveyDefinition.isIncompleteness($0) }) {
            throw AppError.validation([e])
        }
        let changed = def
        try await req.db.transaction { db in
            try await SurveysAPI.change(s, SurveyInput(definition: changed), scope: scope.with(db), caller: caller)
        }
        return s
    }

    static func fields(_ req: Request) throws -> [String: String] {
        (try? req.content.decode([String: String].self)) ?? [:]
    }
}
