import Foundation

/// Answers per value 0…10 of one scale question: the unit every roll-up stores. Counts add up, so
/// days pool into months and sources into groups without going back to the answers.
public struct ScoreCounts: Sendable, Hashable, Codable {
    /// Always 11 entries, index = answer value 0…10 (a 1–5 scale leaves index 0 and 6…10 at zero).
    public private(set) var counts: [Int]

    public init() { counts = Array(repeating: 0, count: 11) }

    /// Fewer than 11 entries are padded with zeros.
    public init(counts: [Int]) {
        precondition(counts.count <= 11, "answer counts cover the values 0…10, not \(counts.count) values")
        precondition(counts.allSatisfy { $0 >= 0 }, "answer counts cannot be negative")
        self.counts = counts + Array(repeating: 0, count: 11 - counts.count)
    }

    /// Adds `count` answers of `value`; a negative count takes answers away, never below zero.
    public mutating func add(_ value: Int, count: Int = 1) {
        precondition((0...10).contains(value), "a scale answer is 0…10, not \(value)")
        precondition(counts[value] + count >= 0, "answer counts cannot become negative")
        counts[value] += count
    }

    public static func + (a: ScoreCounts, b: ScoreCounts) -> ScoreCounts {
        var out = a
        out += b
        return out
    }

    public static func += (a: inout ScoreCounts, b: ScoreCounts) {
        for i in 0...10 { a.counts[i] += b.counts[i] }
    }

    public var n: Int { counts.reduce(0, +) }

    /// Answers within `values` (clipped to 0…10).
    public func count(in values: ClosedRange<Int>) -> Int {
        guard values.upperBound >= 0, values.lowerBound <= 10 else { return 0 }
        return counts[values.clamped(to: 0...10)].reduce(0, +)
    }

    /// nil when there are no answers.
    public var mean: Double? {
        let n = n
        guard n > 0 else { return nil }
        return Double(counts.indices.reduce(0) { $0 + $1 * counts[$1] }) / Double(n)
    }

    /// The sample variance (n − 1 in the denominator), summed around the mean so large counts of
    /// similar answers do not cancel; nil below two answers.
    var sampleVariance: Double? {
        let n = n
        guard n > 1, let m = mean else { return nil }
        return counts.indices.reduce(0.0) { $0 + Double(counts[$1]) * (Double($1) - m) * (Double($1) - m) } / Double(n - 1)
    }

    // Decoding checks what the initializer would trap on: stored counts come from outside.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let counts = try c.decode([Int].self, forKey: .counts)
        guard counts.count <= 11, counts.allSatisfy({ $0 >= 0 }) else {
            throw DecodingError.dataCorruptedError(forKey: .counts, in: c, debugDescription: "answer counts are at most 11 non-negative numbers (values 0…10)")
        }
        self.init(counts: counts)
    }
}

public enum CXMetricKind: String, Sendable, CaseIterable, Codable {
    case nps, csat, ces, cesEasy = "ces_easy", mean, topTwo = "top2"
}

/// A figure with its n, 95% interval, standard error and the method that produced the interval.
/// Shares are on 0–100, NPS on −100…100, means on their answer scale. The standard error is the
/// plain one at the estimate (what the delta method of indices needs); the interval may come from a
/// better method than estimate ± 1.96·SE, which is why both are given.
public struct CXEstimate: Sendable, Equatable, Codable {
    public let value: Double, low: Double, high: Double, standardError: Double
    public let n: Int
    /// "wald-trinomial" (NPS), "wilson" (shares), "student-t" (means), "single-answer" (a mean of one
    /// answer: no spread to estimate, so low = high = value and standardError = 0).
    public let method: String

    public init(value: Double, low: Double, high: Double, standardError: Double, n: Int, method: String) {
        self.value = value; self.low = low; self.high = high; self.standardError = standardError; self.n = n; self.method = method
    }
}

/// A difference b − a between two groups with its interval and two-sided test.
public struct CXComparison: Sendable, Equatable, Codable {
    public let difference: Double, low: Double, high: Double, pValue: Double
    /// pValue < alpha.
    public let significant: Bool
    /// "z-unpooled" (NPS), "two-proportion-z" (shares), "welch-t" (means).
    public let method: String

    public init(difference: Double, low: Double, high: Double, pValue: Double, significant: Bool, method: String) {
        self.difference = difference; self.low = low; self.high = high; self.pValue = pValue; self.significant = significant; self.method = method
    }
}

public enum CXStatistics {
    static let z975 = 1.959963984540054

    // MARK: Figures

    /// NPS on −100…100 from counts of a 0–10 question: %promoters(9–10) − %detractors(0–6).
    /// Interval: Wald with the trinomial variance var = (pP + pD − (pP − pD)²)/n, ×100, clamped to ±100.
    /// The NPS is the mean of a variable that is +1, 0 or −1 per answer, so this is its exact variance;
    /// when every answer falls in one group it is 0 and the interval shrinks to the point (the guardrail,
    /// not the interval, is what warns about such small samples). nil without answers.
    public static func nps(_ c: ScoreCounts) -> CXEstimate? {
        let n = c.n
        guard n > 0 else { return nil }
        let (value, variance) = npsMoments(c)
        let se = 100 * (variance / Double(n)).squareRoot()
        return CXEstimate(value: 100 * value, low: max(-100, 100 * value - z975 * se), high: min(100, 100 * value + z975 * se),
                          standardError: se, n: n, method: "wald-trinomial")
    }

    /// CSAT = % top-two boxes (4–5 on the 1–5 scale) on 0–100, Wilson interval ×100.
    public static func csat(_ c: ScoreCounts) -> CXEstimate? { share(c, of: 4...5) }

    /// CES mean on its scale (1–5 or 1–7) with a Student-t interval; see `mean`.
    public static func cesMean(_ c: ScoreCounts) -> CXEstimate? { mean(c) }

    /// CES "% easy" on 0–100: the answers above the scale's midpoint, i.e. the top two boxes on 1–5
    /// (4, 5) and the top three on 1–7 (5, 6, 7), Wilson interval ×100. nil for scaleMax outside 2…10.
    public static func cesEasy(_ c: ScoreCounts, scaleMax: Int) -> CXEstimate? {
        guard let easy = easyValues(scaleMax: scaleMax) else { return nil }
        return share(c, of: easy)
    }

    /// Mean of a Likert/scale item with a Student-t interval on n − 1 df: the answers are few-valued
    /// and bounded, but at the n the guardrail lets through the mean is close to normal. The interval is
    /// not clamped to the scale. One answer: method "single-answer", low = high = value,
    /// standardError 0 (there is no spread to estimate; the guardrail keeps such figures hidden).
    public static func mean(_ c: ScoreCounts) -> CXEstimate? {
        guard let m = c.mean else { return nil }
        let n = c.n
        guard n > 1, let variance = c.sampleVariance else {
            return CXEstimate(value: m, low: m, high: m, standardError: 0, n: n, method: "single-answer")
        }
        let se = (variance / Double(n)).squareRoot()
        let half = StudentT.quantile(0.975, df: Double(n - 1)) * se
        return CXEstimate(value: m, low: m - half, high: m + half, standardError: se, n: n, method: "student-t")
    }

    /// Share of the top two boxes (scaleMax − 1 and scaleMax) on 0–100, Wilson interval ×100. nil for
    /// scaleMax outside 2…10.
    public static func topTwo(_ c: ScoreCounts, scaleMax: Int) -> CXEstimate? {
        guard (2...10).contains(scaleMax) else { return nil }
        return share(c, of: (scaleMax - 1)...scaleMax)
    }

    /// Dispatch on kind (scaleMax is used by ces_easy and top2 only; pass 10 for nps).
    public static func estimate(_ kind: CXMetricKind, _ c: ScoreCounts, scaleMax: Int) -> CXEstimate? {
        switch kind {
        case .nps: nps(c)
        case .csat: csat(c)
        case .ces: cesMean(c)
        case .cesEasy: cesEasy(c, scaleMax: scaleMax)
        case .mean: mean(c)
        case .topTwo: topTwo(c, scaleMax: scaleMax)
        }
    }

    // MARK: Comparisons

    /// Difference b − a between two independent groups (e.g. last period vs this period), its
    /// (1 − alpha) interval and two-sided p-value:
    ///  nps: z-test with unpooled SE sqrt(varA/nA + varB/nB) (trinomial variances, in NPS points);
    ///  csat, ces_easy, top2: two-proportion z-test — p-value with the pooled proportion (as statsmodels
    ///        proportions_ztest), interval with unpooled SE (Wald) — in percentage points; the two can
    ///        disagree right at the border, the p-value decides `significant`;
    ///  ces, mean: Welch's t-test (as scipy.stats.ttest_ind(equal_var=False)) computed from the counts,
    ///        Welch–Satterthwaite df, interval with the t quantile of that df.
    /// nil when either side has n < 2 — one answer says nothing about its group's spread, and every
    /// test here estimates the spread from the data — or when the SE the test divides by is 0 (no spread
    /// on either side, e.g. all promoters against all detractors): the statistic would be 0/0 or
    /// infinite, and no p-value follows from it. nil too for a scaleMax the share kinds cannot use.
    public static func compare(_ kind: CXMetricKind, _ a: ScoreCounts, _ b: ScoreCounts, scaleMax: Int, alpha: Double = 0.05) -> CXComparison? {
        precondition(alpha > 0 && alpha < 1, "alpha must lie between 0 and 1")
        let nA = a.n, nB = b.n
        guard nA >= 2, nB >= 2 else { return nil }
        switch kind {
        case .nps:
            let (pa, va) = npsMoments(a), (pb, vb) = npsMoments(b)
            let se = 100 * (va / Double(nA) + vb / Double(nB)).squareRoot()
            guard se > 0 else { return nil }
            return zComparison(difference: 100 * (pb - pa), testSE: se, intervalSE: se, alpha: alpha, method: "z-unpooled")
        case .csat, .cesEasy, .topTwo:
            let values: ClosedRange<Int>? = switch kind {
            case .csat: 4...5
            case .cesEasy: easyValues(scaleMax: scaleMax)
            default: (2...10).contains(scaleMax) ? (scaleMax - 1)...scaleMax : nil
            }
            guard let values else { return nil }
            let xA = Double(a.count(in: values)), xB = Double(b.count(in: values))
            let pA = xA / Double(nA), pB = xB / Double(nB)
            // Under the null both groups share one proportion, so the test's SE uses the pooled one.
            let pooled = (xA + xB) / Double(nA + nB)
            let testSE = 100 * (pooled * (1 - pooled) * (1 / Double(nA) + 1 / Double(nB))).squareRoot()
            guard testSE > 0 else { return nil }
            let intervalSE = 100 * (pA * (1 - pA) / Double(nA) + pB * (1 - pB) / Double(nB)).squareRoot()
            return zComparison(difference: 100 * (pB - pA), testSE: testSE, intervalSE: intervalSE, alpha: alpha, method: "two-proportion-z")
        case .ces, .mean:
            let va = a.sampleVariance! / Double(nA), vb = b.sampleVariance! / Double(nB)
            let se = (va + vb).squareRoot()
            guard se > 0 else { return nil }
            let df = (va + vb) * (va + vb) / (va * va / Double(nA - 1) + vb * vb / Double(nB - 1))
            let difference = b.mean! - a.mean!
            let p = StudentT.twoSidedPValue(difference / se, df: df)
            let half = StudentT.quantile(1 - alpha / 2, df: df) * se
            return CXComparison(difference: difference, low: difference - half, high: difference + half, pValue: p, significant: p < alpha, method: "welch-t")
        }
    }

    /// Holm–Bonferroni adjusted p-values, same order as given (as statsmodels multipletests(method="holm")):
    /// the k-th smallest is multiplied by m − k + 1, then made non-decreasing in that order and capped at 1.
    /// It controls the family-wise error like Bonferroni but rejects more.
    public static func holm(_ pValues: [Double]) -> [Double] {
        precondition(pValues.allSatisfy { $0 >= 0 && $0 <= 1 }, "p-values lie within 0…1")
        let m = pValues.count
        var adjusted = Array(repeating: 0.0, count: m)
        var running = 0.0
        for (rank, i) in pValues.indices.sorted(by: { pValues[$0] < pValues[$1] }).enumerated() {
            running = max(running, min(1, Double(m - rank) * pValues[i]))
            adjusted[i] = running
        }
        return adjusted
    }

    // MARK: Helpers

    /// The NPS as a fraction (pP − pD) and the variance of one answer's +1/0/−1 score.
    private static func npsMoments(_ c: ScoreCounts) -> (value: Double, variance: Double) {
        let n = Double(c.n)
        let pP = Double(c.count(in: 9...10)) / n, pD = Double(c.count(in: 0...6)) / n
        // max(0, …) keeps rounding from turning a zero variance negative.
        return (pP - pD, max(0, pP + pD - (pP - pD) * (pP - pD)))
    }

    /// Answers above the midpoint of a 1…scaleMax scale: 4–5 of 5, 5–7 of 7.
    private static func easyValues(scaleMax: Int) -> ClosedRange<Int>? {
        guard (2...10).contains(scaleMax) else { return nil }
        return ((1 + scaleMax) / 2 + 1)...scaleMax
    }

    /// A share on 0–100 with Wilson's interval (it stays inside 0…100 and keeps its coverage near 0 and
    /// 100, where CSAT often is); the standard error is the binomial one at the estimate, 0 at 0 or 100.
    private static func share(_ c: ScoreCounts, of values: ClosedRange<Int>) -> CXEstimate? {
        let n = c.n
        guard n > 0 else { return nil }
        let w = Proportion.wilson(successes: c.count(in: values), n: n, z: z975)
        let se = 100 * (w.estimate * (1 - w.estimate) / Double(n)).squareRoot()
        return CXEstimate(value: 100 * w.estimate, low: 100 * w.low, high: 100 * w.high, standardError: se, n: n, method: "wilson")
    }

    private static func zComparison(difference: Double, testSE: Double, intervalSE: Double, alpha: Double, method: String) -> CXComparison {
        let p = NormalDistribution.twoSidedPValue(difference / testSE)
        let half = NormalDistribution.quantile(1 - alpha / 2) * intervalSE
        return CXComparison(difference: difference, low: difference - half, high: difference + half, pValue: p, significant: p < alpha, method: method)
    }
}
