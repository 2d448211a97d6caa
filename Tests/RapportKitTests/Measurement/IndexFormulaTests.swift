import Foundation
import Testing
@testable import RapportKit

/// Both sides of a round trip: the canonical text parses to the same tree and the same value.
private func expectRoundTrip(_ formula: IndexFormula, _ values: [IndexReference: Double]? = nil,
                             sourceLocation: SourceLocation = #_sourceLocation) throws {
    let again = try IndexFormula(formula.canonical)
    #expect(again.root == formula.root, "\(formula.source) → \(formula.canonical)", sourceLocation: sourceLocation)
    #expect(again.canonical == formula.canonical, sourceLocation: sourceLocation)
    #expect(again.references == formula.references, sourceLocation: sourceLocation)
    if let values {
        #expect(try again.evaluate(values).get() == formula.evaluate(values).get(), sourceLocation: sourceLocation)
    }
}

/// The error `source` is refused with; a failed expectation when it parses.
private func formulaError(_ source: String, questionProblem: (String) -> String? = { _ in nil }) -> IndexFormulaError? {
    do {
        let formula = try IndexFormula(source, questionProblem: questionProblem)
        Issue.record("'\(source)' parsed as \(formula.canonical)")
        return nil
    } catch {
        return error
    }
}

@Suite("Index formulas: the examples")
struct IndexFormulaExampleTests {
    static let csi = "(mean(q_service) + mean(q_price) + mean(q_product) + mean(q_brand)) / 4"
    static let thousand = "1000 * ((nps + 100) / 200 + csat / 100 + mean(share_of_wallet) / 10) / 3"

    @Test("CSI: mean of four items")
    func csi() throws {
        let f = try IndexFormula(Self.csi)
        #expect(f.references == [.mean("q_service"), .mean("q_price"), .mean("q_product"), .mean("q_brand")])
        let values: [IndexReference: Double] = [.mean("q_service"): 4.2, .mean("q_price"): 3.8, .mean("q_product"): 4.0,
                                                .mean("q_brand"): 3.6]
        #expect(abs(try f.evaluate(values).get() - 3.9) < 1e-12)
        #expect(f.canonical == Self.csi)
        try expectRoundTrip(f, values)
    }

    @Test("a 0–1,000 index of NPS, CSAT and share of wallet")
    func thousand() throws {
        let f = try IndexFormula(Self.thousand)
        #expect(f.references == [.nps, .csat, .mean("share_of_wallet")])
        // (140/200 + 80/100 + 6/10) / 3 · 1000 = 2.1 / 3 · 1000
        let values: [IndexReference: Double] = [.nps: 40, .csat: 80, .mean("share_of_wallet"): 6]
        #expect(abs(try f.evaluate(values).get() - 700) < 1e-9)
        #expect(try f.evaluate([.nps: -100, .csat: 0, .mean("share_of_wallet"): 0]).get() == 0)
        #expect(f.canonical == Self.thousand)
        try expectRoundTrip(f, values)
    }

    @Test("references are deduplicated in first-appearance order; every kind is read", arguments: [
        ("top2(q_b) + nps + mean(m.i) * nps(q_r) - top2(q_b) / ces + ces_easy - csat + nps",
         [IndexReference.topTwo("q_b"), .nps, .mean("m.i"), .npsOf("q_r"), .ces, .cesEasy, .csat]),
        ("mean(nps) + nps", [.mean("nps"), .nps]),
        ("nps(nps) + nps", [.npsOf("nps"), .nps]),
    ])
    func references(source: String, expected: [IndexReference]) throws {
        #expect(try IndexFormula(source).references == expected)
    }

    @Test("canonical form: spaces, only the parentheses the tree needs, plain shortest numbers", arguments: [
        ("  ( mean(q_a)+mean(q_b) )/2", "(mean(q_a) + mean(q_b)) / 2"),
        ("(nps)", "nps"),
        ("((nps - csat)) - ces", "nps - csat - ces"),
        ("nps - (csat - ces)", "nps - (csat - ces)"),
        ("nps + (csat + ces)", "nps + (csat + ces)"),
        ("nps / csat / ces", "nps / csat / ces"),
        ("nps / (csat / ces)", "nps / (csat / ces)"),
        ("nps * (csat / ces)", "nps * (csat / ces)"),
        ("(nps * csat) / ces", "nps * csat / ces"),
        ("nps + csat * ces", "nps + csat * ces"),
        ("(nps + csat) * ces", "(nps + csat) * ces"),
        ("-(nps)", "-nps"),
        ("-(-nps)", "-(-nps)"),
        ("-nps * csat", "-nps * csat"),
        ("-(nps * csat)", "-(nps * csat)"),
        ("nps*-(csat+1)", "nps * -(csat + 1)"),
        ("nps - -csat", "nps - -csat"),
        ("2.50*nps+007", "2.5 * nps + 7"),
        ("0.000001 * nps", "0.000001 * nps"),
        ("100000000000000000000000 * nps", "100000000000000000000000 * nps"),
        ("0.1 * nps + 0.30000000000000004", "0.1 * nps + 0.30000000000000004"),
        ("\tmean( m.item_1 )\n/ 5", "mean(m.item_1) / 5"),
    ])
    func canonical(source: String, expected: String) throws {
        let f = try IndexFormula(source)
        #expect(f.canonical == expected)
        try expectRoundTrip(f, Dictionary(uniqueKeysWithValues: f.references.enumerated().map { ($1, Double($0) + 1.25) }))
    }

    @Test("the plain number rendering reads back exactly")
    func numberText() {
        for value in [0, 1, 12, 0.5, 1e-5, 1.5e20, 123.456, 1e23, Double.leastNonzeroMagnitude, 1.7976931348623157e308, 0.1 + 0.2, 1.0 / 3] {
            let text = formulaNumberText(value)
            #expect(!text.contains("e") && Double(text) == value, "\(value) → \(text)")
        }
    }

    @Test("references are JSON strings in formula spelling")
    func codable() throws {
        let references: [IndexReference] = [.nps, .csat, .ces, .cesEasy, .mean("m.i"), .topTwo("q_a"), .npsOf("q_r")]
        let json = try JSONEncoder().encode(references)
        #expect(String(decoding: json, as: UTF8.self) == #"["nps","csat","ces","ces_easy","mean(m.i)","top2(q_a)","nps(q_r)"]"#)
        #expect(try JSONDecoder().decode([IndexReference].self, from: json) == references)
        for bad in [#"["mean(Q)"]"#, #"["npx"]"#, #"["mean()"]"#, #"["avg(q)"]"#, #"["mean(a.b.c)"]"#] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode([IndexReference].self, from: Data(bad.utf8)) }
        }
        #expect(IndexReference.cesEasy.description == "ces_easy")
    }

    @Test("limits are inclusive: 500 characters, 32 parentheses deep, 40 references")
    func atTheLimits() throws {
        #expect(try IndexFormula("nps" + String(repeating: " ", count: 497)).source.count == 500)
        _ = try IndexFormula(String(repeating: "(", count: 32) + "nps" + String(repeating: ")", count: 32))
        _ = try IndexFormula(String(repeating: "(", count: 31) + "mean(q)" + String(repeating: ")", count: 31))
        let forty = (1...40).map { "mean(q\($0))" }.joined(separator: "+")
        #expect(try IndexFormula(forty + "+mean(q1)+mean(q40)").references.count == 40)
    }

    @Test("a sign may follow an operator, not another sign")
    func signs() throws {
        let values: [IndexReference: Double] = [.nps: 30, .csat: 80]
        #expect(try IndexFormula("nps * -csat").evaluate(values).get() == -2400)
        #expect(try IndexFormula("nps - -csat").evaluate(values).get() == 110)
        #expect(try IndexFormula("-nps / (-csat)").evaluate(values).get() == 0.375)
        #expect(try IndexFormula("-(-nps)").evaluate(values).get() == 30)
    }

    @Test("questionProblem is asked once per question id, with the id as written")
    func questionsAsked() throws {
        var asked: [String] = []
        _ = try IndexFormula("mean(q_a) + top2(q_a) + nps(m.i) + nps + mean(m.i)") { asked.append($0); return nil }
        #expect(asked == ["q_a", "m.i"])
    }
}

@Suite("Index formulas: refusals name what and where")
struct IndexFormulaErrorTests {
    static let metricHelp = "is not a metric — use nps, csat, ces, ces_easy, mean(question), top2(question) or nps(question)"

    @Test("each mistake has its own message and 1-based position", arguments: [
        // empty
        ("", "the formula is empty", nil),
        (" \n\t ", "the formula is empty", nil),
        // unknown identifiers and functions
        ("nps + npx", "position 7: 'npx' " + metricHelp, 7),
        ("(nps + csat) / npx", "position 16: 'npx' " + metricHelp, 16),
        ("q_service * 2", "position 1: 'q_service' " + metricHelp, 1),
        ("NPS", "position 1: 'NPS' is not a metric (names are lowercase: nps) — use", 1),
        ("avg(q_a) + nps", "position 1: 'avg' is not a function — use mean(question), top2(question) or nps(question)", 1),
        ("Mean(q_a)", "position 1: 'Mean' is not a function (names are lowercase: mean)", 1),
        ("mean + nps", "position 1: mean is a function — write mean(question), e.g. mean(q_service)", 1),
        ("nps + top2", "position 7: top2 is a function — write top2(question)", 7),
        // arguments
        ("mean()", "position 6: mean() needs a question id, e.g. mean(q_service)", 6),
        ("mean(Q_A)", "position 6: 'Q_A' is not a question id — ids are lowercase letters, digits and _, start with a letter", 6),
        ("mean(a.b.c)", "position 6: 'a.b.c' is not a question id", 6),
        ("top2(m.)", "position 6: 'm.' is not a question id", 6),
        ("mean(m..i)", "position 6: 'm..i' is not a question id", 6),
        ("top2(_q)", "position 6: '_q' is not a question id", 6),
        ("mean(qualité)", "position 6: 'qualité' is not a question id", 6),
        ("mean(q" + String(repeating: "x", count: 40) + ")", "position 6: 'qxxxxxxxxxxxxxxxxxxx…' is not a question id", 6),
        ("top2(7)", "position 6: top2 needs a question id, not the number '7'", 6),
        ("mean(q_a, q_b)", "position 9: mean takes one question id; found a second argument", 9),
        ("mean(, q_b)", "position 6: mean needs a question id before ','", 6),
        ("mean(q_a + 1)", "position 10: mean takes a single question id, not an expression", 10),
        ("mean(-q_a)", "position 6: mean takes a question id, e.g. mean(q_service), not an expression", 6),
        ("nps(mean(q))", "position 5: nps takes a question id, not a function call", 5),
        // parentheses
        ("(nps + csat", "position 1: '(' is never closed", 1),
        ("nps * ((csat + 1)", "position 7: '(' is never closed", 7),
        ("mean(q_a", "position 5: '(' is never closed", 5),
        ("mean(", "position 5: '(' is never closed", 5),
        ("nps + csat)", "position 11: ')' has no matching '('", 11),
        (")nps", "position 1: ')' has no matching '('", 1),
        ("nps * ()", "position 7: empty parentheses", 7),
        // trailing garbage, missing operators
        ("nps csat", "position 5: expected an operator (+ - * /) or the end of the formula, found 'csat'", 5),
        ("2nps", "position 2: expected an operator (+ - * /) or the end of the formula, found 'nps'", 2),
        ("2 (nps)", "position 3: expected an operator (+ - * /) or the end of the formula, found '('", 3),
        ("csat (nps)", "position 1: 'csat' is not a function — use mean(question), top2(question) or nps(question)", 1),
        ("(nps csat)", "position 6: expected an operator (+ - * /) or ')', found 'csat'", 6),
        ("0,5 * nps", "position 2: unexpected ',' — write decimals with a point (0.5)", 2),
        // operators
        ("nps + * csat", "position 7: two operators in a row ('+' then '*')", 7),
        ("nps ++ csat", "position 6: two operators in a row ('+' then '+')", 6),
        ("--nps", "position 2: two operators in a row ('-' then '-')", 2),
        ("nps * - - csat", "position 9: two operators in a row ('-' then '-')", 9),
        ("* nps", "position 1: the formula starts with '*' — there is nothing before it", 1),
        ("+nps", "position 1: the formula starts with '+'", 1),
        ("(/ nps)", "position 2: '/' right after '(' has nothing before it", 2),
        ("nps +", "position 5: '+' has nothing after it", 5),
        ("(nps -) * 2", "position 6: '-' has nothing after it", 6),
        // characters and numbers
        ("nps − csat", "position 5: unexpected character '−' — type the minus as '-'", 5),
        ("nps × 2", "position 5: unexpected character '×' — multiply with '*'", 5),
        ("nps ^ 2", "position 5: unexpected character '^' — powers are not supported", 5),
        ("mean('q_a')", "position 6: unexpected character ''' — question ids need no quotes", 6),
        // The first mistake from the left is reported, even when a later character is outside the language.
        ("system('rm')", "position 1: 'system' is not a function", 1),
        ("nps + * 'x'", "position 7: two operators in a row", 7),
        ("nps\u{0}", "position 4: unexpected character U+0 —", 4),
        ("nps 🙂", "position 5: unexpected character '🙂'", 5),
        (".5 * nps", "position 1: write numbers with a digit before the point, e.g. 0.5", 1),
        ("nps * 5.", "position 7: '5.' needs a digit after the point", 7),
        ("1.2.3 * nps", "position 4: write numbers with a digit before the point", 4),
        ("1e3 * nps", "position 2: expected an operator (+ - * /) or the end of the formula, found 'e3'", 2),
        // division by a constant 0
        ("nps / 0", "position 7: divides by zero (the divisor is always 0)", 7),
        ("nps / 0.000", "position 7: divides by zero (the divisor is always 0)", 7),
        ("nps / (2 - 2)", "position 7: divides by zero (the divisor is always 0)", 7),
        ("nps / -(0.5 * 0)", "position 7: divides by zero (the divisor is always 0)", 7),
        ("nps / (1 / 0)", "position 12: divides by zero (the divisor is always 0)", 12),
        ("(nps + 1) / (3 * 2 - 6) + csat", "position 13: divides by zero (the divisor is always 0)", 13),
        // constants
        ("1 + 2", "the formula uses no metric or item — it is a constant, not an index", nil),
        ("(100)", "the formula uses no metric or item", nil),
        ("-0", "the formula uses no metric or item", nil),
    ] as [(String, String, Int?)])
    func refused(source: String, message: String, position: Int?) throws {
        let error = try #require(formulaError(source))
        #expect(error.message.hasPrefix(message), "got: \(error.message)")
        #expect(error.position == position)
        #expect(error.description == error.message)
    }

    @Test("a question the survey cannot use is refused with the caller's reason at its place")
    func questionProblem() throws {
        let reasons = ["q_x": "q_x is a free-text question", "m.z": "m has no item z"]
        let error = try #require(formulaError("mean(q_a) + mean(q_x)") { reasons[$0] })
        #expect(error == IndexFormulaError("q_x is a free-text question", at: 18))
        #expect(error.message == "position 18: q_x is a free-text question")
        #expect(formulaError("nps + top2(m.z)") { reasons[$0] }?.message == "position 12: m has no item z")
        // A syntax error before the question comes first.
        #expect(formulaError("nps + + mean(q_x)") { reasons[$0] }?.position == 7)
    }

    @Test("too long, too deep, too many references")
    func limits() throws {
        let long = String(repeating: "nps + ", count: 84) + "nps"
        let tooLong = try #require(formulaError(long))
        #expect(tooLong.message == "position 501: the formula is 507 characters long; at most 500 are allowed")

        let deep = String(repeating: "(", count: 33) + "nps" + String(repeating: ")", count: 33)
        #expect(formulaError(deep)?.message == "position 33: parentheses are nested more than 32 deep")
        let deepCall = String(repeating: "(", count: 32) + "mean(q)" + String(repeating: ")", count: 32)
        #expect(formulaError(deepCall)?.position == 37, "a function's parentheses count too")

        let many = (1...41).map { "mean(q\($0))" }.joined(separator: " + ")
        let at = many.distance(from: many.startIndex, to: try #require(many.range(of: "mean(q41)")).lowerBound) + 1
        let tooMany = try #require(formulaError(many))
        #expect(tooMany.message == "position \(at): more than 40 different metrics and items; at most 40 are allowed")
    }

    @Test("numbers and constants that are not finite")
    func notFinite() throws {
        let huge = String(repeating: "9", count: 400)
        let error = try #require(formulaError("nps * " + huge))
        #expect(error.message == "position 7: the number '99999999999999999999…' is too large")
        let big = "1" + String(repeating: "0", count: 200)
        #expect(formulaError("nps + \(big) * \(big)")?.message == "position 7: this constant part is too large to compute")
    }

    @Test("evaluation fails with the reason when data are missing or make the formula undefined")
    func evaluationFailures() throws {
        let f = try IndexFormula("nps / (csat - 50) + mean(q_a)")
        #expect(f.evaluate([.nps: 1, .csat: 60]) == .failure(IndexFormulaError("no value for mean(q_a)", at: nil)))
        #expect(f.evaluate([.nps: 1, .csat: 50, .mean("q_a"): 3])
            == .failure(IndexFormulaError("divides by zero for these data: csat - 50 is 0", at: nil)))
        #expect(f.evaluate([.nps: 1, .csat: 50, .mean("q_a"): 3]).failure?.message
            == "divides by zero for these data: csat - 50 is 0")
        #expect(f.evaluate([.nps: 1, .csat: .nan, .mean("q_a"): 3]).failure?.message == "the value of csat is not a finite number")
        #expect(try f.evaluate([.nps: 10, .csat: 60, .mean("q_a"): 3, .ces: 1]).get() == 4, "extra values are ignored")

        let same = try IndexFormula("nps / (nps - nps)")
        #expect(same.evaluate([.nps: 3]).failure?.message == "divides by zero for these data: nps - nps is 0")
        let overflow = try IndexFormula("nps * csat")
        #expect(overflow.evaluate([.nps: 1e200, .csat: 1e200]).failure?.message == "the result is not a finite number for these data")

        #expect(f.estimate([.nps: (1, 0.1), .csat: (50, 1), .mean("q_a"): (3, 0.1)]).failure?.message
            == "divides by zero for these data: csat - 50 is 0")
        #expect(f.estimate([.nps: (1, 0.1), .csat: (60, -1), .mean("q_a"): (3, 0.1)]).failure?.message
            == "the standard error of csat must be a finite number ≥ 0")
        #expect(f.estimate([.nps: (1, 0.1), .csat: (60, 1)]).failure?.message == "no value for mean(q_a)")
    }
}

private extension Result {
    var failure: Failure? { if case .failure(let e) = self { e } else { nil } }
}

@Suite("Index formulas: delta-method standard errors")
struct IndexFormulaEstimateTests {
    @Test("exact derivatives of linear, product and quotient formulas")
    func analytic() throws {
        let a = (value: 4.1, standardError: 0.08), b = (value: 3.7, standardError: 0.1)
        let inputs: [IndexReference: (value: Double, standardError: Double)] = [.mean("a"): a, .mean("b"): b]
        func expect(_ source: String, value: Double, se: Double, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let e = try IndexFormula(source).estimate(inputs).get()
            #expect(abs(e.value - value) <= 1e-12 * abs(value), sourceLocation: sourceLocation)
            #expect(abs(e.standardError - se) <= 1e-12 * se, "\(e.standardError) vs \(se)", sourceLocation: sourceLocation)
            #expect(e.low == e.value - 1.959963984540054 * e.standardError, sourceLocation: sourceLocation)
            #expect(e.high == e.value + 1.959963984540054 * e.standardError, sourceLocation: sourceLocation)
        }
        try expect("2 * mean(a) - mean(b) / 4 + 3", value: 2 * 4.1 - 3.7 / 4 + 3,
                    se: ((2 * 0.08) * (2 * 0.08) + (0.1 / 4) * (0.1 / 4)).squareRoot())
        try expect("mean(a) * mean(b)", value: 4.1 * 3.7, se: (3.7 * 3.7 * 0.0064 + 4.1 * 4.1 * 0.01).squareRoot())
        try expect("mean(a) / mean(b)", value: 4.1 / 3.7,
                    se: ((0.08 / 3.7) * (0.08 / 3.7) + (4.1 * 0.1 / (3.7 * 3.7)) * (4.1 * 0.1 / (3.7 * 3.7))).squareRoot())
        // A reference on both sides of a quotient: ∂/∂a a/(a+b) = b/(a+b)², ∂/∂b = −a/(a+b)².
        try expect("mean(a) / (mean(a) + mean(b))", value: 4.1 / 7.8,
                    se: ((3.7 * 0.08) * (3.7 * 0.08) + (4.1 * 0.1) * (4.1 * 0.1)).squareRoot() / (7.8 * 7.8))
        // f = a·a: the same reference twice adds up its partial derivatives, 2a.
        try expect("mean(a) * mean(a) + 0 * mean(b)", value: 4.1 * 4.1, se: 2 * 4.1 * 0.08)
        try expect("-(mean(a) - mean(b))", value: 3.7 - 4.1, se: (0.0064 + 0.01).squareRoot())

        let certain = try IndexFormula("nps + csat").estimate([.nps: (30, 0), .csat: (80, 0)]).get()
        #expect(certain == IndexEstimate(value: 110, standardError: 0, low: 110, high: 110))
    }

    struct LinearCase: Encodable {
        let source: String
        let coefficients: [Double]
        let intercept: Double
        let values: [Double]
        let ses: [Double]
    }

    struct MonteCarloCase: Encodable {
        let source: String
        /// The name of the same function written out in Python.
        let function: String
        let values: [Double]
        let ses: [Double]
    }

    struct Job: Encodable { let linear: [LinearCase]; let monteCarlo: [MonteCarloCase] }
    struct Moments: Decodable { let value: Double; let sd: Double }
    struct Reply: Decodable { let linear: [Moments]; let monteCarlo: [Moments] }

    static let script = #"""
import json, sys
try:
    import numpy as np
except ImportError:
    sys.exit(3)
# The formulas of the Monte Carlo cases, written out by hand.
functions = {
    "product": lambda x: x[0] * x[1],
    "quotient": lambda x: x[0] / x[1],
    "ratio_index": lambda x: 100 * (x[0] + 100) / (x[1] + x[2]),
    "share": lambda x: 100 * x[0] / (x[0] + x[1]),
    "csi": lambda x: (x[0] + x[1] + x[2] + x[3]) / 4,
    "thousand": lambda x: 1000 * ((x[0] + 100) / 200 + x[1] / 100 + x[2] / 10) / 3,
}
job = json.load(sys.stdin)
out = {"linear": [], "monteCarlo": []}
for case in job["linear"]:
    c = np.array(case["coefficients"])
    cov = np.diag(np.array(case["ses"]) ** 2)
    out["linear"].append({"value": float(c @ np.array(case["values"]) + case["intercept"]),
                          "sd": float(np.sqrt(c @ cov @ c))})
rng = np.random.default_rng(20240501)
for case in job["monteCarlo"]:
    mu = np.array(case["values"])[:, None]
    sigma = np.array(case["ses"])[:, None]
    draws = rng.normal(mu, sigma, size=(len(case["values"]), 200000))
    f = functions[case["function"]](draws)
    out["monteCarlo"].append({"value": float(np.mean(f)), "sd": float(np.std(f, ddof=1))})
json.dump(out, sys.stdout)
"""#

    static let linear = [
        LinearCase(source: IndexFormulaExampleTests.csi, coefficients: [0.25, 0.25, 0.25, 0.25], intercept: 0,
                   values: [4.2, 3.8, 4.0, 3.6], ses: [0.05, 0.07, 0.04, 0.09]),
        LinearCase(source: IndexFormulaExampleTests.thousand, coefficients: [5.0 / 3, 10.0 / 3, 100.0 / 3], intercept: 500.0 / 3,
                   values: [35, 78, 6.1], ses: [4.2, 1.9, 0.3]),
        LinearCase(source: "2 * nps - csat / 4 + 3", coefficients: [2, -0.25], intercept: 3, values: [12, 81], ses: [3.5, 2]),
        LinearCase(source: "-(nps - 2 * csat) / 5 + (ces - ces) * 7", coefficients: [-0.2, 0.4, 0], intercept: 0,
                   values: [12, 81, 5.5], ses: [3.5, 2, 0.2]),
    ]

    static let monteCarlo = [
        MonteCarloCase(source: "mean(q_a) * mean(q_b)", function: "product", values: [4.1, 3.7], ses: [0.08, 0.1]),
        MonteCarloCase(source: "top2(q_a) / mean(q_b)", function: "quotient", values: [62, 3.9], ses: [2.5, 0.07]),
        MonteCarloCase(source: "100 * (nps + 100) / (csat + ces)", function: "ratio_index", values: [35, 78, 5.2],
                       ses: [4, 2, 0.1]),
        MonteCarloCase(source: "100 * top2(q_a) / (top2(q_a) + top2(q_b))", function: "share", values: [40, 25], ses: [3, 2.5]),
        MonteCarloCase(source: IndexFormulaExampleTests.csi, function: "csi", values: [4.2, 3.8, 4.0, 3.6],
                       ses: [0.05, 0.07, 0.04, 0.09]),
        MonteCarloCase(source: IndexFormulaExampleTests.thousand, function: "thousand", values: [35, 78, 6.1], ses: [4.2, 1.9, 0.3]),
    ]

    /// The formula's references get the case's values and standard errors in first-appearance order.
    static func estimate(_ source: String, _ values: [Double], _ ses: [Double]) throws -> IndexEstimate {
        let f = try IndexFormula(source)
        #expect(f.references.count == values.count)
        let inputs = Dictionary(uniqueKeysWithValues: f.references.enumerated().map { ($1, (value: values[$0], standardError: ses[$0])) })
        return try f.estimate(inputs).get()
    }

    @Test("numpy agrees: closed form exactly for linear formulas, Monte Carlo SD within 2% for mildly nonlinear ones")
    func againstNumpy() throws {
        let reply: Reply = try formulaPython(Self.script, input: Job(linear: Self.linear, monteCarlo: Self.monteCarlo))
        try #require(reply.linear.count == Self.linear.count && reply.monteCarlo.count == Self.monteCarlo.count)
        for (c, numpy) in zip(Self.linear, reply.linear) {
            let e = try Self.estimate(c.source, c.values, c.ses)
            #expect(abs(e.value - numpy.value) <= 1e-9 * max(1, abs(numpy.value)), "\(c.source): \(e.value) vs \(numpy.value)")
            #expect(abs(e.standardError - numpy.sd) <= 1e-9 * max(1, numpy.sd), "\(c.source): \(e.standardError) vs \(numpy.sd)")
        }
        for (c, draws) in zip(Self.monteCarlo, reply.monteCarlo) {
            let e = try Self.estimate(c.source, c.values, c.ses)
            #expect(abs(e.standardError / draws.sd - 1) < 0.02, "\(c.source): delta \(e.standardError) vs simulated \(draws.sd)")
            #expect(abs(e.value - draws.value) < 0.05 * e.standardError, "\(c.source): \(e.value) vs simulated mean \(draws.value)")
        }
    }
}

@Suite("Index formulas: garbage in")
struct IndexFormulaFuzzTests {
    /// SplitMix64: a fixed sequence, so a failure reproduces.
    struct FormulaFuzzRandom: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let pieces = ["nps", "csat", "ces", "ces_easy", "mean(", "top2(", "nps(", "q_a", "m.i", ")", "(", "+", "-", "*", "/",
                         "0", "1", "2.5", ".", ",", " ", "  ", "é", "🙂", "−", "x", "Q", "_", "e", "\u{0}", "\n", "9999999999",
                         "mean(q_a)", "0)", "/ 0", "(2 - 2)", "'", "^", "1.", "a.b.c"]

    /// Parses or throws a well-formed error; what parses renders, round-trips and evaluates.
    static func check(_ source: String) {
        do {
            let f = try IndexFormula(source)
            #expect(!f.references.isEmpty)
            // Spaces around operators can take a dense formula past 500 characters; below that it must round-trip.
            if f.canonical.count <= 500 {
                #expect((try? IndexFormula(f.canonical))?.root == f.root, "\(source.debugDescription) → \(f.canonical)")
            }
            let values = Dictionary(uniqueKeysWithValues: f.references.enumerated().map { ($1, Double($0) - 1.5) })
            switch f.evaluate(values) {
            case .success(let v): #expect(v.isFinite)
            case .failure(let e): #expect(e.message.hasPrefix("divides by zero for these data: ") || e.message.contains("finite"))
            }
            _ = f.estimate(values.mapValues { (value: $0, standardError: 0.5) })
        } catch {
            #expect(!error.message.isEmpty)
            if let p = error.position {
                #expect((1...source.count + 1).contains(p), "\(source.debugDescription): \(error.message)")
                #expect(error.message.hasPrefix("position \(p): "))
            }
        }
    }

    @Test("a few hundred random strings and mutated formulas never crash")
    func garbage() {
        var random = FormulaFuzzRandom(state: 20_240_501)
        for _ in 0..<300 {
            let count = Int.random(in: 0...12, using: &random)
            Self.check((0..<count).map { _ in Self.pieces.randomElement(using: &random)! }.joined())
        }
        let valid = [IndexFormulaExampleTests.csi, IndexFormulaExampleTests.thousand, "nps - -csat * (top2(m.i) / 3)"]
        let alphabet = Array("abcmnpsqt_.0123456789()+-*/ ,é")
        for _ in 0..<300 {
            var text = Array(valid.randomElement(using: &random)!)
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let at = Int.random(in: 0..<text.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: text.remove(at: at)
                case 1: text.insert(alphabet.randomElement(using: &random)!, at: at)
                default: text[at] = alphabet.randomElement(using: &random)!
                }
            }
            Self.check(String(text))
        }
        Self.check(String(repeating: "(", count: 10_000))
        Self.check(String(repeating: "-", count: 400) + "nps")
        Self.check(String(repeating: "nps*", count: 125))
    }
}

private struct FormulaPythonProblem: Error, CustomStringConvertible { let description: String }

/// Runs a Python script with `input` as JSON on stdin and decodes the JSON it prints. Exit status 3 means
/// numpy could not be imported. Stderr goes to a file so no pipe can fill up.
private func formulaPython<Reply: Decodable>(_ script: String, input: some Encodable) throws -> Reply {
    let searchPath = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/local/bin:/usr/bin:/bin"
    guard let python = searchPath.split(separator: ":").map({ "\($0)/python3" })
        .first(where: { FileManager.default.isExecutableFile(atPath: $0) })
    else { throw FormulaPythonProblem(description: "python3 is not installed (the Debian package python3)") }
    let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("formula-python-\(UUID().uuidString).txt")
    _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errorFile) }
    let errorHandle = try FileHandle(forWritingTo: errorFile)
    defer { try? errorHandle.close() }

    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["-c", script]
    let stdin = Pipe(), stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = errorHandle
    try process.run()
    // The input is a few kilobytes, well under a pipe's buffer, so writing it all before reading is safe.
    try stdin.fileHandleForWriting.write(contentsOf: JSONEncoder().encode(input))
    try stdin.fileHandleForWriting.close()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
    if process.terminationStatus == 3 {
        throw FormulaPythonProblem(description: "python3 cannot import numpy: install it (python3 -m pip install numpy)")
    }
    guard process.terminationStatus == 0 else {
        throw FormulaPythonProblem(description: "python3 failed (exit \(process.terminationStatus)): \(errors)")
    }
    return try JSONDecoder().decode(Reply.self, from: output)
}
