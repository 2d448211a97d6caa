import Foundation
import Testing
@testable import RapportKit

/// Counts from value: count pairs.
private func scores(_ pairs: [Int: Int]) -> ScoreCounts {
    var c = ScoreCounts()
    for (value, count) in pairs { c.add(value, count: count) }
    return c
}

@Suite("CX statistics: figures, intervals and comparisons")
struct CXStatisticsTests {
    @Test("score counts add, pool, pad and refuse malformed stored counts")
    func scoreCounts() throws {
        var c = ScoreCounts()
        c.add(9); c.add(9); c.add(3, count: 4)
        #expect(c.counts == [0, 0, 0, 4, 0, 0, 0, 0, 0, 2, 0] && c.n == 6)
        c.add(3, count: -1)
        #expect(c.n == 5 && c.mean == (3 * 3 + 18) / 5.0)
        let pooled = c + ScoreCounts(counts: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(pooled.counts.count == 11 && pooled.n == 6)
        #expect(ScoreCounts(counts: [0, 2, 3]).counts == [0, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(c.count(in: 9...15) == 2 && c.count(in: -3...3) == 3 && c.count(in: 11...12) == 0 && c.count(in: -2 ... -1) == 0)
        #expect(ScoreCounts().mean == nil)
        let json = try JSONEncoder().encode(c)
        #expect(try JSONDecoder().decode(ScoreCounts.self, from: json) == c)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ScoreCounts.self, from: Data(#"{"counts":[1,-2]}"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ScoreCounts.self, from: Data(#"{"counts":[0,0,0,0,0,0,0,0,0,0,0,1]}"#.utf8)) }
    }

    @Test("worked examples: 50 promoters, 30 passives, 20 detractors is NPS 30; CSAT, CES and means by hand")
    func handChecked() throws {
        let nps = try #require(CXStatistics.nps(scores([0: 5, 3: 5, 6: 10, 7: 15, 8: 15, 9: 25, 10: 25])))
        // var = 0.5 + 0.2 − 0.3² = 0.61 per answer; SE = 100·√(0.61/100) = 7.8102
        #expect(nps.value == 30 && nps.n == 100 && nps.method == "wald-trinomial")
        #expect(abs(nps.standardError - 7.810249675906654) < 1e-12)
        #expect(abs(nps.low - (30 - 1.959963984540054 * 7.810249675906654)) < 1e-9 && abs(nps.high - 45.3078) < 1e-4)
        // Everyone a promoter: no spread, the interval is the point; clamping keeps it within ±100.
        #expect(CXStatistics.nps(scores([10: 5])) == CXEstimate(value: 100, low: 100, high: 100, standardError: 0, n: 5, method: "wald-trinomial"))
        #expect(try #require(CXStatistics.nps(scores([10: 3, 0: 1]))).high == 100)
        #expect(CXStatistics.nps(ScoreCounts()) == nil)

        // Newcombe (1998): 81 of 263 → 25.53–36.62 %.
        let csat = try #require(CXStatistics.csat(scores([5: 41, 4: 40, 3: 100, 1: 82])))
        #expect(abs(csat.value - 100 * 81 / 263) < 1e-12 && abs(csat.low - 25.53) < 0.005 && abs(csat.high - 36.62) < 0.005)
        #expect(csat.method == "wilson" && abs(csat.standardError - 100 * (81.0 / 263 * 182 / 263 / 263).squareRoot()) < 1e-12)
        // CES % easy: 4–5 of 5, 5–7 of 7.
        let easy5 = scores([1: 1, 2: 1, 3: 1, 4: 1, 5: 1]), easy7 = scores([1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1])
        #expect(CXStatistics.cesEasy(easy5, scaleMax: 5)?.value == 40 && abs(CXStatistics.cesEasy(easy7, scaleMax: 7)!.value - 300.0 / 7) < 1e-12)
        #expect(CXStatistics.topTwo(easy7, scaleMax: 7).map { abs($0.value - 200.0 / 7) < 1e-12 } == true)
        #expect(CXStatistics.topTwo(easy7, scaleMax: 11) == nil && CXStatistics.cesEasy(easy7, scaleMax: 1) == nil)

        // 3, 4, 5: mean 4, s = 1, SE = 1/√3, t(0.975; 2) = 4.302653.
        let m = try #require(CXStatistics.mean(scores([3: 1, 4: 1, 5: 1])))
        #expect(m.value == 4 && m.method == "student-t" && abs(m.high - (4 + 4.302652729696143 / 3.0.squareRoot())) < 1e-9)
        #expect(CXStatistics.cesMean(scores([6: 1])) == CXEstimate(value: 6, low: 6, high: 6, standardError: 0, n: 1, method: "single-answer"))
        #expect(CXStatistics.mean(scores([4: 9])).map { $0.low == 4 && $0.high == 4 && $0.method == "student-t" } == true)

        #expect(abs(CXStatistics.estimate(.nps, scores([9: 2, 2: 1]), scaleMax: 10)!.value - 100.0 / 3) < 1e-12)
        #expect(CXStatistics.estimate(.cesEasy, easy7, scaleMax: 7) == CXStatistics.cesEasy(easy7, scaleMax: 7))
        #expect(CXStatistics.estimate(.topTwo, easy5, scaleMax: 5)?.value == 40)
        #expect(CXStatistics.estimate(.ces, easy5, scaleMax: 5)?.value == 3)
        #expect(CXMetricKind(rawValue: "ces_easy") == .cesEasy && CXMetricKind.topTwo.rawValue == "top2")
    }

    @Test("comparisons refuse what no test can answer; Holm by hand")
    func comparisonLimits() {
        let one = scores([9: 1]), many = scores([9: 40, 3: 10])
        #expect(CXStatistics.compare(.nps, one, many, scaleMax: 10) == nil)
        #expect(CXStatistics.compare(.mean, many, one, scaleMax: 10) == nil)
        // All promoters against all detractors: no spread on either side, SE 0.
        #expect(CXStatistics.compare(.nps, scores([10: 30]), scores([0: 30]), scaleMax: 10) == nil)
        #expect(CXStatistics.compare(.csat, scores([5: 30]), scores([4: 20]), scaleMax: 5) == nil)
        #expect(CXStatistics.compare(.ces, scores([4: 30]), scores([4: 20]), scaleMax: 7) == nil)
        #expect(CXStatistics.compare(.topTwo, many, many, scaleMax: 12) == nil)
        // Unanimous but different shares: the pooled test still answers; the Wald interval is the point.
        let flip = CXStatistics.compare(.csat, scores([5: 2]), scores([1: 2]), scaleMax: 5)
        #expect(flip?.difference == -100 && flip?.low == -100 && abs((flip?.pValue ?? 0) - 0.04550026389635842) < 1e-12 && flip?.significant == true)
        // Identical groups: no difference, p = 1.
        let same = CXStatistics.compare(.nps, many, many, scaleMax: 10)
        #expect(same?.difference == 0 && same?.pValue == 1 && same?.significant == false && same?.method == "z-unpooled")

        #expect(CXStatistics.holm([0.01, 0.04, 0.03]) == [0.03, 0.06, 0.06])
        #expect(CXStatistics.holm([0.5, 0.9]) == [1, 1] && CXStatistics.holm([]) == [])
    }

    @Test("guardrail states at the boundaries and the problems named by field")
    func guardrail() throws {
        let g = Guardrail.standard
        #expect(g == Guardrail(showAt: 300, bracketAt: 100))
        #expect([0, 99, 100, 299, 300, 5_000].map(g.state) == [.hidden, .hidden, .bracketed, .bracketed, .shown, .shown])
        #expect(Guardrail(showAt: 50, bracketAt: 50).state(n: 49) == .hidden && Guardrail(showAt: 50, bracketAt: 50).state(n: 50) == .shown)
        #expect(Guardrail(showAt: 30, bracketAt: 1).state(n: 1) == .bracketed && Guardrail(showAt: 30, bracketAt: 1).state(n: 0) == .hidden)
        #expect(Guardrail.problems(showAt: 300, bracketAt: 100).isEmpty && Guardrail.problems(showAt: 1, bracketAt: 1).isEmpty)
        #expect(Guardrail.problems(showAt: 1_000_000, bracketAt: 1_000_000).isEmpty)

        let above = Guardrail.problems(showAt: 300, bracketAt: 400)
        #expect(above.count == 1 && above[0].field == "bracket_at")
        #expect(above[0].message == "bracket_at (400) is above show_at (300): figures between them would be both shown and bracketed")
        let zero = Guardrail.problems(showAt: 0, bracketAt: -5)
        #expect(zero.map(\.field) == ["show_at", "bracket_at"])
        #expect(zero[0].message == "show_at (0) must be at least 1: a figure needs at least one answer")
        #expect(zero[1].message.hasPrefix("bracket_at (-5) must be at least 1"))
        let huge = Guardrail.problems(showAt: 2_000_000, bracketAt: 100)
        #expect(huge.count == 1 && huge[0].field == "show_at" && huge[0].message.contains("(2000000)") && huge[0].message.contains("1,000,000"))

        let json = try JSONEncoder().encode(g)
        #expect(try JSONDecoder().decode(Guardrail.self, from: json) == g)
        #expect(GuardrailState(rawValue: "bracketed") == .bracketed)
    }
}

// MARK: - Against numpy, scipy and statsmodels

/// The reference cases: the same counts go to Python, which expands them or resamples them itself.
private enum Cases {
    static let nps: [ScoreCounts] = [
        scores([0: 5, 3: 5, 6: 10, 7: 15, 8: 15, 9: 25, 10: 25]),                       // n 100, the worked example
        scores([2: 1, 5: 2, 7: 3, 9: 4, 10: 2]),                                         // n 12
        scores([0: 20, 4: 30, 6: 50, 7: 60, 8: 90, 9: 120, 10: 130]),                   // n 500
        scores([0: 60, 1: 20, 2: 30, 3: 40, 4: 50, 5: 100, 6: 150, 7: 300, 8: 400, 9: 450, 10: 400]), // n 2000
        scores([10: 500, 9: 70, 8: 20, 3: 10]),                                          // n 600, NPS 93
        scores([0: 500, 5: 200, 8: 60, 10: 40]),                                         // n 800, NPS −82.5
        scores([10: 5]),                                                                  // n 5, all promoters
    ]

    /// kind, scale top, counts.
    static let shares: [(CXMetricKind, Int, ScoreCounts)] = [
        (.csat, 5, scores([5: 41, 4: 40, 3: 100, 1: 82])),
        (.csat, 5, scores([2: 1])),
        (.csat, 5, scores([5: 40])),
        (.csat, 5, scores([5: 3, 4: 4, 2: 10_000 - 7])),
        (.topTwo, 7, scores([1: 3, 2: 5, 3: 8, 4: 12, 5: 20, 6: 25, 7: 17])),
        (.topTwo, 5, scores([1: 1, 3: 2, 4: 5, 5: 4])),
        (.topTwo, 10, scores([0: 20, 6: 30, 8: 10, 9: 30, 10: 60])),
        (.cesEasy, 5, scores([1: 10, 2: 15, 3: 30, 4: 60, 5: 45])),
        (.cesEasy, 7, scores([1: 2, 2: 3, 3: 5, 4: 9, 5: 14, 6: 25, 7: 31])),
        (.cesEasy, 7, scores([4: 700, 5: 1_800, 6: 2_100, 7: 900])),
    ]

    static let means: [ScoreCounts] = [
        scores([3: 1, 4: 1, 5: 1]),
        scores([1: 2, 2: 3, 3: 2, 4: 2, 5: 3]),
        scores([1: 9, 2: 9, 3: 9, 4: 9, 5: 9]),
        scores([1: 2, 2: 1, 3: 4, 4: 6, 5: 9, 6: 12, 7: 8]),
        scores([1: 200, 2: 350, 3: 1_100, 4: 2_000, 5: 1_350]),
        scores([2: 1, 6: 1]),
    ]

    /// kind, scale top, a, b, alpha.
    static let comparisons: [(CXMetricKind, Int, ScoreCounts, ScoreCounts, Double)] = [
        (.nps, 10, nps[2], nps[3], 0.05),
        (.nps, 10, nps[3], scores([0: 50, 2: 30, 4: 60, 5: 90, 6: 120, 7: 310, 8: 420, 9: 480, 10: 440]), 0.05),
        (.nps, 10, nps[1], scores([1: 2, 6: 5, 7: 8, 8: 5, 9: 6, 10: 4]), 0.05),
        (.nps, 10, nps[4], nps[5], 0.1),
        (.nps, 10, nps[2], scores([0: 25, 4: 25, 6: 45, 7: 70, 8: 95, 9: 110, 10: 130]), 0.05),
        (.csat, 5, shares[0].2, scores([5: 60, 4: 55, 3: 90, 2: 40, 1: 60]), 0.05),
        (.csat, 5, scores([5: 2]), scores([1: 2]), 0.05),
        (.topTwo, 7, shares[4].2, scores([1: 2, 2: 4, 3: 5, 4: 10, 5: 22, 6: 30, 7: 25]), 0.05),
        (.cesEasy, 7, shares[9].2, scores([4: 650, 5: 1_700, 6: 2_300, 7: 1_000]), 0.05),
        (.cesEasy, 5, shares[7].2, scores([1: 4, 2: 5, 3: 12, 4: 20, 5: 10]), 0.1),
        (.mean, 5, means[1], means[2], 0.05),
        (.ces, 7, means[3], scores([1: 1, 2: 2, 3: 2, 4: 5, 5: 10, 6: 20, 7: 19]), 0.05),
        (.mean, 5, means[4], scores([1: 180, 2: 330, 3: 1_050, 4: 2_100, 5: 1_450]), 0.05),
        (.ces, 5, scores([4: 10]), scores([3: 4, 4: 6, 5: 2]), 0.1),
        (.mean, 5, scores([1: 1, 5: 1]), scores([2: 1, 3: 1, 4: 1]), 0.05),
    ]

    static let holm: [[Double]] = [
        [0.01, 0.04, 0.03, 0.005],
        [0.2, 0.2, 0.01, 0.8, 0.049, 0.0001],
        [0.5],
        [0.001, 0.3, 0.02, 0.02, 0.04, 0.9, 0.0125, 0.06],
    ]

    static let tCDF: [(df: Double, t: Double)] = [
        (1, 0.5), (1, -12), (2, 2.9), (0.7, 3), (2.5, -1.3), (4, 0), (7.3, 2.1), (13.7, -0.02), (13.7, 4.5),
        (30, 1.7), (151.2, -2.6), (1e4, 1.96), (1e6, 3.3), (5, 40), (3.5, -9),
    ]
    static let tQuantile: [(df: Double, p: Double)] = [
        (1, 0.975), (2, 0.025), (0.7, 0.9), (2.5, 0.975), (3, 0.999), (4.4, 0.6), (7.3, 0.975), (13.7, 0.05),
        (29.5, 0.975), (151.2, 0.995), (1e4, 0.975), (1e6, 0.01), (5, 1e-6), (9.9, 0.5000001),
    ]
    static let normalQuantile: [Double] = [1e-12, 0.001, 0.02425, 0.05, 0.3, 0.5, 0.8, 0.975, 0.999, 1 - 1e-9]

    static func code(_ kind: CXMetricKind) -> Double { Double(CXMetricKind.allCases.firstIndex(of: kind)!) }

    /// One row per case: numbers only, so the reply is a plain [String: [[Double]]].
    static var input: [String: [[Double]]] {
        [
            "nps": nps.map { $0.counts.map(Double.init) },
            "shares": shares.map { [code($0.0), Double($0.1)] + $0.2.counts.map(Double.init) },
            "means": means.map { $0.counts.map(Double.init) },
            "compare": comparisons.map { [code($0.0), Double($0.1), $0.4] + $0.2.counts.map(Double.init) + $0.3.counts.map(Double.init) },
            "holm": holm,
            "tcdf": tCDF.map { [$0.df, $0.t] },
            "tppf": tQuantile.map { [$0.df, $0.p] },
            "normppf": normalQuantile.map { [$0] },
        ]
    }

    /// The Python side defines the value sets itself (kinds by their order in CXMetricKind.allCases:
    /// nps, csat, ces, ces_easy, mean, top2), so a wrong box in Swift shows.
    static let script = """
    import json, sys, warnings
    warnings.filterwarnings("ignore")
    import numpy as np
    from scipy import stats
    from statsmodels.stats.proportion import proportion_confint, proportions_ztest, confint_proportions_2indep
    from statsmodels.stats.multitest import multipletests

    data = json.load(sys.stdin)
    rng = np.random.default_rng(20240601)
    z = stats.norm.ppf(0.975)

    def groups(c):
        c = np.array(c, dtype=int)
        return c[9:].sum(), c[7:9].sum(), c[:7].sum(), c.sum()

    def nps_formula(c):
        p, m, d, n = groups(c)
        pp, pd = p / n, d / n
        var = pp + pd - (pp - pd) ** 2
        return 100 * (pp - pd), var, n

    def boot_nps(c, size=20000):
        p, m, d, n = groups(c)
        draws = rng.multinomial(n, [p / n, m / n, d / n], size=size)
        return 100 * (draws[:, 0] - draws[:, 2]) / n

    def successes(kind, top, c):
        boxes = {1: [4, 5], 3: {5: [4, 5], 7: [5, 6, 7]}[top] if kind == 3 else None, 5: [top - 1, top]}[kind]
        return int(sum(c[v] for v in boxes)), int(sum(c))

    def expand(c):
        return np.repeat(np.arange(11, dtype=float), np.array(c, dtype=int))

    out = {"nps": [], "shares": [], "means": [], "compare": []}
    for c in data["nps"]:
        v, var, n = nps_formula(c)
        se = 100 * np.sqrt(var / n)
        b = boot_nps(c)
        out["nps"].append([v, max(-100, v - z * se), min(100, v + z * se), se, *np.percentile(b, [2.5, 97.5])])
    for row in data["shares"]:
        kind, top, c = int(row[0]), int(row[1]), row[2:]
        k, n = successes(kind, top, c)
        lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
        out["shares"].append([100 * k / n, 100 * lo, 100 * hi])
    for c in data["means"]:
        a = expand(c)
        lo, hi = stats.t.interval(0.95, len(a) - 1, loc=a.mean(), scale=stats.sem(a))
        out["means"].append([a.mean(), lo, hi, stats.sem(a)])
    for row in data["compare"]:
        kind, top, alpha = int(row[0]), int(row[1]), row[2]
        ca, cb = row[3:14], row[14:25]
        if kind == 0:
            va, vara, na = nps_formula(ca)
            vb, varb, nb = nps_formula(cb)
            se = 100 * np.sqrt(vara / na + varb / nb)
            d = vb - va
            q = stats.norm.ppf(1 - alpha / 2)
            boot = boot_nps(cb) - boot_nps(ca)
            lo_b, hi_b = np.percentile(boot, [50 * alpha, 100 - 50 * alpha])
            out["compare"].append([d, d - q * se, d + q * se, 2 * stats.norm.sf(abs(d / se)), lo_b, hi_b])
        elif kind in (1, 3, 5):
            ka, na = successes(kind, top, ca)
            kb, nb = successes(kind, top, cb)
            _, p = proportions_ztest([kb, ka], [nb, na])
            lo, hi = confint_proportions_2indep(kb, nb, ka, na, method="wald", compare="diff", alpha=alpha)
            out["compare"].append([100 * (kb / nb - ka / na), 100 * lo, 100 * hi, p])
        else:
            a, b = expand(ca), expand(cb)
            r = stats.ttest_ind(b, a, equal_var=False)
            ci = r.confidence_interval(1 - alpha)
            out["compare"].append([b.mean() - a.mean(), ci.low, ci.high, r.pvalue, r.df])
    out["holm"] = [list(multipletests(p, method="holm")[1]) for p in data["holm"]]
    out["tcdf"] = [[stats.t.cdf(t, df)] for df, t in data["tcdf"]]
    out["tppf"] = [[stats.t.ppf(p, df)] for df, p in data["tppf"]]
    out["normppf"] = [[stats.norm.ppf(p)] for (p,) in data["normppf"]]
    print(json.dumps({k: [[float(x) for x in row] for row in v] for k, v in out.items()}))
    """

    /// Run once for all tests: importing scipy and statsmodels takes seconds, the sums milliseconds. A
    /// task, so tests waiting for it suspend instead of holding threads the other tests need.
    static let reference = Task.detached {
        Result { try runPython(script, input: JSONSerialization.data(withJSONObject: input), as: [String: [[Double]]].self) }
    }
}

@Suite("CX statistics against numpy, scipy and statsmodels")
struct CXStatisticsReferenceTests {
    @Test("NPS and its interval: the same formula in numpy, and a bootstrap percentile interval")
    func nps() async throws {
        let ref = try #require(try await Cases.reference.value.get()["nps"])
        for (c, r) in zip(Cases.nps, ref) {
            let e = try #require(CXStatistics.nps(c))
            #expect(abs(e.value - r[0]) < 1e-9 && abs(e.low - r[1]) < 1e-9 && abs(e.high - r[2]) < 1e-9 && abs(e.standardError - r[3]) < 1e-9,
                    "n \(c.n): \(e) vs numpy \(r)")
            // The bootstrap makes no normal assumption: Wald agrees with it within a point from n 500
            // on. Below, the bootstrap moves on a grid of 100/n points and small samples are skewed,
            // so a quarter of a standard error or one grid step, whichever is larger.
            let tolerance = c.n >= 500 ? 1.0 : max(0.25 * e.standardError, 100 / Double(c.n))
            #expect(abs(e.low - r[4]) <= tolerance && abs(e.high - r[5]) <= tolerance, "n \(c.n): \(e.low)…\(e.high) vs bootstrap \(r[4])…\(r[5])")
        }
    }

    @Test("CSAT, top-two and CES % easy: Wilson as statsmodels proportion_confint")
    func shares() async throws {
        let ref = try #require(try await Cases.reference.value.get()["shares"])
        for ((kind, top, c), r) in zip(Cases.shares, ref) {
            let e = try #require(CXStatistics.estimate(kind, c, scaleMax: top))
            #expect(abs(e.value - r[0]) < 1e-9 && abs(e.low - r[1]) < 1e-9 && abs(e.high - r[2]) < 1e-9, "\(kind) 1–\(top) n \(c.n): \(e) vs \(r)")
        }
    }

    @Test("means and CES means: the t interval of scipy on the expanded answers")
    func means() async throws {
        let ref = try #require(try await Cases.reference.value.get()["means"])
        for (c, r) in zip(Cases.means, ref) {
            let e = try #require(CXStatistics.mean(c))
            #expect(abs(e.value - r[0]) < 1e-12 && abs(e.low - r[1]) < 1e-9 && abs(e.high - r[2]) < 1e-9 && abs(e.standardError - r[3]) < 1e-12,
                    "n \(c.n): \(e) vs scipy \(r)")
            #expect(CXStatistics.cesMean(c) == e)
        }
    }

    @Test("comparisons: NPS z against numpy and a bootstrap, shares against statsmodels, means against Welch in scipy")
    func comparisons() async throws {
        let ref = try #require(try await Cases.reference.value.get()["compare"])
        for ((kind, top, a, b, alpha), r) in zip(Cases.comparisons, ref) {
            let t = try #require(CXStatistics.compare(kind, a, b, scaleMax: top, alpha: alpha), "\(kind) n \(a.n)/\(b.n)")
            let label = "\(kind) n \(a.n)/\(b.n) alpha \(alpha): \(t) vs \(r)"
            #expect(abs(t.difference - r[0]) < 1e-9 && abs(t.low - r[1]) < 1e-8 && abs(t.high - r[2]) < 1e-8, "\(label)")
            #expect(abs(t.pValue - r[3]) < 1e-9 + 1e-6 * r[3] && t.significant == (r[3] < alpha), "\(label)")
            switch kind {
            case .nps:
                #expect(t.method == "z-unpooled")
                let tolerance = min(a.n, b.n) >= 500 ? 1.0 : 3.0
                #expect(abs(t.low - r[4]) <= tolerance && abs(t.high - r[5]) <= tolerance, "bootstrap: \(label)")
            case .csat, .cesEasy, .topTwo: #expect(t.method == "two-proportion-z")
            case .ces, .mean: #expect(t.method == "welch-t")
            }
        }
    }

    @Test("Holm as statsmodels multipletests(method=\"holm\")")
    func holm() async throws {
        let ref = try #require(try await Cases.reference.value.get()["holm"])
        for (p, r) in zip(Cases.holm, ref) {
            let ours = CXStatistics.holm(p)
            #expect(ours.count == r.count && zip(ours, r).allSatisfy { abs($0 - $1) < 1e-15 }, "\(p): \(ours) vs \(r)")
        }
    }

    @Test("Student t CDF and quantiles, non-integer df too, and normal quantiles as scipy")
    func distributions() async throws {
        let reference = try await Cases.reference.value.get()
        for ((df, t), r) in zip(Cases.tCDF, try #require(reference["tcdf"])) {
            let ours = StudentT.cdf(t, df: df)
            #expect(abs(ours - r[0]) < 1e-12 + 1e-9 * r[0], "cdf(\(t); \(df)) = \(ours) vs \(r[0])")
            #expect(abs(StudentT.upperTail(-t, df: df) - r[0]) < 1e-12 + 1e-9 * r[0])
        }
        for ((df, p), r) in zip(Cases.tQuantile, try #require(reference["tppf"])) {
            let ours = StudentT.quantile(p, df: df)
            #expect(abs(ours - r[0]) < 1e-9 * max(1, abs(r[0])), "ppf(\(p); \(df)) = \(ours) vs \(r[0])")
        }
        for (p, r) in zip(Cases.normalQuantile, try #require(reference["normppf"])) {
            #expect(abs(NormalDistribution.quantile(p) - r[0]) < 1e-12 * max(1, abs(r[0])), "normal ppf(\(p))")
        }
        #expect(abs(StudentT.quantile(0.975, df: 10) - MeanEstimate.tQuantile975(df: 10)) < 1e-4)
    }
}
