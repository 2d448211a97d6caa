import Foundation
import Testing
@testable import RapportKit

@Suite("Survey definitions")
struct SurveyDefinitionTests {
    static let def = SurveyDefinition(
        languages: ["de", "en"], title: ["de": "Titel", "en": "Title"],
        questions: [
            Question(id: "nps", type: .nps, text: ["de": "Empfehlen?", "en": "Recommend?"], required: true, page: 1),
            Question(id: "service", type: .matrix, text: ["de": "Service", "en": "Service"], page: 1, driver: "service",
                     items: [.init(id: "speed", text: ["de": "Tempo", "en": "Speed"]), .init(id: "care", text: ["de": "Sorgfalt", "en": "Care"])]),
            Question(id: "why", type: .text, text: ["de": "Warum?", "en": "Why?"], page: 2, purpose: "disappointed", showIf: Condition(question: "nps", max: 6)),
            Question(id: "aspects", type: .multipleChoice, text: ["de": "Was?", "en": "What?"], page: 2,
                     options: [.init(id: "price", text: ["de": "Preis", "en": "Price"]), .init(id: "advice", text: ["de": "Beratung", "en": "Advice"])]),
        ])

    @Test("a complete definition has no problems; every missing text and broken rule is named by its place")
    func problems() {
        #expect(Self.def.problems().isEmpty)
        var d = Self.def
        d.questions[0].text["en"] = nil
        d.questions[2].showIf = Condition(question: "why", max: 3)
        d.questions[3].options = [.init(id: "price", text: ["de": "Preis", "en": "Price"]), .init(id: "price", text: ["de": "x", "en": "x"])]
        d.questions.append(Question(id: "ces", type: .ces, text: ["de": "Einfach?", "en": "Easy?"], page: 4, scale: 6))
        let fields = d.problems().map(\.field)
        #expect(fields.contains("questions[0].text.en"))
        #expect(fields.contains("questions[2].show_if.question"))
        #expect(fields.contains("questions[3].options[1].id"))
        #expect(fields.contains("questions[4].scale"))
        #expect(fields.contains("questions"), "pages 1, 2, 4 leave a gap")
        #expect(SurveyDefinition.isIncompleteness(d.problems().first { $0.field == "questions[0].text.en" }!))
    }

    @Test("answers are checked against ranges, options, items and display logic", arguments: [
        (["nps": Answer.number(11)], "answers.nps"),
        (["nps": .number(9), "why": .text("x")], "answers.why"),
        (["nps": .number(3), "service": .grid(["speed": 6])], "answers.service"),
        (["nps": .number(3), "service": .grid(["tempo": 2])], "answers.service"),
        (["nps": .number(3), "aspects": .choices(["price", "price"])], "answers.aspects"),
        (["nps": .text("neun")], "answers.nps"),
        (["colour": .text("blue"), "nps": .number(1)], "answers.colour"),
    ] as [([String: Answer], String)])
    func answers(answers: [String: Answer], field: String) {
        #expect(Self.def.check(answers, complete: true).map(\.field) == [field])
    }

    @Test("a required question is asked for only when the whole response is checked")
    func required() {
        #expect(Self.def.check(["why": .text("x"), "nps": .number(2)], complete: false).isEmpty)
        #expect(Self.def.check([:], complete: true).map(\.field) == ["answers.nps"])
        #expect(Self.def.check([:], complete: false).isEmpty)
    }

    @Test("the respondent's language: the contact's, else the browser's best, else the first")
    func language() {
        #expect(Self.def.language(contact: "en", acceptLanguage: "de-DE") == "en")
        #expect(Self.def.language(contact: "fr", acceptLanguage: "fr-FR,en;q=0.8,de;q=0.5") == "en")
        #expect(Self.def.language(contact: nil, acceptLanguage: "it") == "de")
    }

    @Test("shuffles are stable per respondent and differ between respondents")
    func shuffle() {
        let items = Array(1...20)
        #expect(StableShuffle.shuffled(items, seed: "a") == StableShuffle.shuffled(items, seed: "a"))
        #expect(StableShuffle.shuffled(items, seed: "a") != StableShuffle.shuffled(items, seed: "b"))
        #expect(StableShuffle.shuffled(items, seed: "a").sorted() == items)
    }

    @Test("stored answers are JSON that decodes back to the same answers")
    func storedJSON() throws {
        let answers: [String: Answer] = ["nps": .number(7), "why": .text("Zu \"lange\" gewartet\\\n\tÄrger 😤 \u{01}"), "ok": .flag(true),
                                         "aspects": .choices(["price", "a\"b"]), "service": .grid(["speed": 2, "care": 5])]
        let json = Answer.json(answers)
        #expect(try JSONDecoder().decode([String: Answer].self, from: Data(json.utf8)) == answers)
        #expect(json.hasPrefix("{\"aspects\":[\"price\",\"a\\\"b\"],\"nps\":7"))
    }

    @Test("each JSON shape of an answer decodes to its own kind; a fraction or null is refused")
    func answerShapes() throws {
        let cases: [(String, Answer)] = [("1", .number(1)), ("0", .number(0)), ("-3", .number(-3)), ("\"1\"", .text("1")), ("\"true\"", .text("true")),
                                         ("true", .flag(true)), ("false", .flag(false)), ("[]", .choices([])), ("[\"a\"]", .choices(["a"])),
                                         ("{\"speed\": 2}", .grid(["speed": 2]))]
        for (json, answer) in cases {
            #expect(try JSONDecoder().decode(Answer.self, from: Data(json.utf8)) == answer, "\(json)")
        }
        for json in ["1.5", "null", "[1]", "{\"speed\": \"fast\"}"] {
            #expect(throws: DecodingError.self, "\(json)") { try JSONDecoder().decode(Answer.self, from: Data(json.utf8)) }
        }
    }

    @Test("Wilson intervals agree with the published formula's values")
    func wilson() {
        let p = Proportion.wilson(successes: 81, n: 263)   // Newcombe (1998), example: 0.2553–0.3662
        #expect(abs(p.low - 0.2553) < 0.0005 && abs(p.high - 0.3662) < 0.0005)
        let zero = Proportion.wilson(successes: 0, n: 10)
        #expect(zero.low == 0 && abs(zero.high - 0.2775) < 0.0005)
    }

    @Test("Wilson intervals agree with scipy on the same counts")
    func wilsonScipy() throws {
        let cases = [(0, 1), (1, 1), (3, 40), (40, 40), (81, 263), (512, 1_000), (7, 10_000)]
        let input = try JSONEncoder().encode(cases.map { [$0.0, $0.1] })
        let reference = try runPython("""
            import json, sys
            from scipy.stats import binomtest
            out = []
            for k, n in json.load(sys.stdin):
                ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
                out.append([ci.low, ci.high])
            print(json.dumps(out))
            """, input: input)
        for ((k, n), ref) in zip(cases, reference) {
            let p = Proportion.wilson(successes: k, n: n)
            #expect(abs(p.low - ref[0]) < 1e-9 && abs(p.high - ref[1]) < 1e-9, "\(k)/\(n): \(p.low)–\(p.high) vs scipy \(ref)")
        }
    }
}
