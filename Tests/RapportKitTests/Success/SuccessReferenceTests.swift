import Foundation
import Testing
@testable import RapportKit

/// The statistics of the Success area against scikit-learn, statsmodels, scipy and numpy. The data
/// sets are drawn in Python with fixed seeds and sent back together with the reference figures.
@Suite("Success statistics against Python references")
struct SuccessReferenceTests {
    /// Stops the script with the pip command when a module is missing (runPython passes stderr on).
    /// Looked up, not imported: scikit-learn and statsmodels take seconds to import, and each script
    /// imports only what it uses.
    static let imports = """
    import importlib.util, json, sys
    missing = [m for m in ("numpy", "scipy", "sklearn", "statsmodels") if importlib.util.find_spec(m) is None]
    if missing:
        sys.exit(f"the Success reference tests need {', '.join(missing)}: python3 -m pip install --break-system-packages numpy scipy statsmodels scikit-learn")
    import numpy as np

    """

    struct AUCCase: Decodable {
        let name: String
        let scores: [Double]
        let churned: [Bool]
        let auc: Double
        let delongSE: Double
        let bootstrapSE: Double?
    }

    @Test("AUC equals roc_auc_score and the DeLong SE a pairwise numpy computation and a bootstrap")
    func aucAgainstSklearn() throws {
        let script = Self.imports + """
        from scipy.stats import rankdata
        from sklearn.metrics import roc_auc_score

        def delong_se(scores, churned):
            # Pairwise, without ranks: a renewed account's placement value is its share of churned
            # accounts scoring lower (ties one half), a churned account's its share of renewed ones higher.
            x = scores[~churned][:, None]; y = scores[churned][None, :]
            kernel = (x > y) + 0.5 * (x == y)
            v10 = kernel.mean(axis=1); v01 = kernel.mean(axis=0)
            return float(np.sqrt(v10.var(ddof=1) / len(v10) + v01.var(ddof=1) / len(v01)))

        def case(name, scores, churned, bootstrap=False):
            scores = np.asarray(scores, dtype=float); churned = np.asarray(churned, dtype=bool)
            out = {"name": name, "scores": scores.tolist(), "churned": churned.tolist(),
                   "auc": float(roc_auc_score(~churned, scores)), "delongSE": delong_se(scores, churned), "bootstrapSE": None}
            if bootstrap:
                # The Mann-Whitney form, as 2,000 calls of roc_auc_score would take many seconds.
                rng = np.random.default_rng(11); aucs = []
                while len(aucs) < 2000:
                    i = rng.integers(0, len(scores), len(scores))
                    s, c = scores[i], churned[i]
                    m, n = int((~c).sum()), int(c.sum())
                    if m == 0 or n == 0: continue
                    aucs.append((rankdata(s)[~c].sum() - m * (m + 1) / 2) / (m * n))
                out["bootstrapSE"] = float(np.std(aucs, ddof=1))
            return out

        def health(rng, n, churn_rate, separation, digits=None):
            churned = rng.random(n) < churn_rate
            scores = np.clip(rng.normal(62, 15, n) - separation * churned, 0, 100)
            return (np.round(scores, digits) if digits is not None else scores), churned

        cases = []
        rng = np.random.default_rng(1); cases.append(case("continuous, balanced", *health(rng, 200, 0.5, 10)))
        rng = np.random.default_rng(2); cases.append(case("integer scores, many ties, 10% churn", *health(rng, 3000, 0.10, 12, 0)))
        rng = np.random.default_rng(3); cases.append(case("2% churn", *health(rng, 2500, 0.02, 8)))
        rng = np.random.default_rng(4); s, c = health(rng, 40, 0.3, 15); cases.append(case("small, coarse ties", np.round(s / 10) * 10, c))
        rng = np.random.default_rng(5); cases.append(case("worse than chance", *health(rng, 300, 0.3, -9, 1)))
        rng = np.random.default_rng(6); cases.append(case("n 1000, bootstrap", *health(rng, 1000, 0.2, 10, 1), bootstrap=True))
        cases.append(case("all tied", [50.0] * 20, [i % 4 == 0 for i in range(20)]))
        print(json.dumps(cases))
        """
        let cases = try runPython(script, input: Data(), as: [AUCCase].self)
        #expect(cases.count == 7)
        for c in cases {
            guard let ours = BackTest.auc(scores: c.scores, churned: c.churned) else {
                Issue.record("\(c.name): no AUC"); continue
            }
            #expect(abs(ours.auc - c.auc) < 1e-12, "\(c.name): \(ours.auc) vs sklearn \(c.auc)")
            #expect(abs(ours.standardError - c.delongSE) < 1e-9, "\(c.name): SE \(ours.standardError) vs \(c.delongSE)")
            #expect(ours.positives + ours.negatives == c.scores.count)
            #expect(ours.negatives == c.churned.filter { $0 }.count)
            let z = 1.959963984540054
            #expect(abs(ours.low - max(0, ours.auc - z * ours.standardError)) < 1e-12)
            #expect(abs(ours.high - min(1, ours.auc + z * ours.standardError)) < 1e-12)
            if let boot = c.bootstrapSE {
                #expect(abs(ours.standardError / boot - 1) < 0.15, "\(c.name): DeLong SE \(ours.standardError), bootstrap \(boot)")
            }
        }
        #expect(cases.last.map { BackTest.auc(scores: $0.scores, churned: $0.churned)?.auc } == 0.5)
    }

    struct BandReference: Decodable { let accounts: Int, churned: Int, low: Double, high: Double }

    @Test("band churn rates carry statsmodels' Wilson intervals")
    func bandsAgainstStatsmodels() throws {
        let script = Self.imports + """
        from statsmodels.stats.proportion import proportion_confint
        rng = np.random.default_rng(21)
        n = 1500
        churned = rng.random(n) < 0.15
        scores = np.clip(np.round(rng.normal(60, 18, n) - 15 * churned), 0, 100)
        bands = []
        for lo, hi in ((-1, 40), (40, 70), (70, 101)):
            inside = (scores >= lo) & (scores < hi)
            k, m = int(churned[inside].sum()), int(inside.sum())
            low, high = proportion_confint(k, m, alpha=0.05, method="wilson")
            bands.append({"accounts": m, "churned": k, "low": float(low), "high": float(high)})
        print(json.dumps({"scores": scores.tolist(), "churned": churned.tolist(), "bands": bands}))
        """
        struct Reply: Decodable { let scores: [Double], churned: [Bool], bands: [BandReference] }
        let reply = try runPython(script, input: Data(), as: Reply.self)
        let result = BackTest.run(scores: reply.scores, churned: reply.churned, model: .standard)
        #expect(result.n == reply.scores.count)
        #expect(result.churned == reply.churned.filter { $0 }.count)
        #expect(result.bands.map(\.band) == [.red, .yellow, .green])
        #expect(result.auc == BackTest.auc(scores: reply.scores, churned: reply.churned))
        for (ours, reference) in zip(result.bands, reply.bands) {
            #expect(ours.accounts == reference.accounts, "\(ours.band)")
            #expect(ours.churned == reference.churned, "\(ours.band)")
            #expect(abs(ours.rate.low - reference.low) < 1e-12, "\(ours.band): \(ours.rate.low) vs \(reference.low)")
            #expect(abs(ours.rate.high - reference.high) < 1e-12, "\(ours.band): \(ours.rate.high) vs \(reference.high)")
        }
        #expect(reply.bands.allSatisfy { $0.accounts > 20 }, "the data set should fill every band")
    }

    @Test("the renewal forecast matches a Monte Carlo simulation of 200 contracts")
    func forecastAgainstSimulation() throws {
        let script = Self.imports + """
        rng = np.random.default_rng(7)
        k = 200
        arr = np.round(rng.lognormal(np.log(40000), 0.8, k), 2)
        p = rng.choice([0.62, 0.84, 0.95], size=k, p=[0.2, 0.5, 0.3])
        draws = 200_000
        total = np.empty(draws)
        for start in range(0, draws, 20_000):
            total[start:start + 20_000] = (rng.random((20_000, k)) < p) @ arr
        q = np.percentile(total, [2.5, 97.5])
        print(json.dumps({"arr": arr.tolist(), "p": p.tolist(), "mean": float(total.mean()), "sd": float(total.std(ddof=1)),
                          "low": float(q[0]), "high": float(q[1])}))
        """
        struct Reply: Decodable { let arr: [Double], p: [Double], mean: Double, sd: Double, low: Double, high: Double }
        let sim = try runPython(script, input: Data(), as: Reply.self)
        let forecast = RenewalForecasting.forecast(zip(sim.arr, sim.p).map { RenewalCandidate(arr: $0, renewProbability: $1) })
        #expect(forecast.contracts == 200)
        #expect(abs(forecast.arrUpForRenewal - sim.arr.reduce(0, +)) < 1e-6)
        #expect(abs(forecast.expected / sim.mean - 1) < 0.005, "expected \(forecast.expected), simulated \(sim.mean)")
        // The spread itself: Σ p(1 − p)·arr² is the exact variance, so only simulation noise remains.
        let sd = (forecast.high - forecast.expected) / 1.959963984540054
        #expect(abs(sd / sim.sd - 1) < 0.02, "sd \(sd), simulated \(sim.sd)")
        #expect(abs(forecast.low / sim.low - 1) < 0.05, "low \(forecast.low), simulated 2.5 % \(sim.low)")
        #expect(abs(forecast.high / sim.high - 1) < 0.05, "high \(forecast.high), simulated 97.5 % \(sim.high)")
        // Bounds off by 5 % of the ARR would hide a wrong spread; the half-widths must agree too (the
        // sum of 200 skewed contracts is not quite normal, hence 10 %).
        #expect(abs((forecast.expected - forecast.low) / (sim.mean - sim.low) - 1) < 0.1)
        #expect(abs((forecast.high - forecast.expected) / (sim.high - sim.mean) - 1) < 0.1)
    }

    @Test("peer quartiles equal numpy.percentile and the rank scipy's percentileofscore")
    func peersAgainstNumpy() throws {
        let script = Self.imports + """
        import scipy.stats
        rng = np.random.default_rng(31)
        sets = [[5.0], [3.0, 1.0], [1, 2, 3, 4], [7, 7, 7, 2, 9, 7],
                np.round(rng.normal(50, 20, 37), 1).tolist(), rng.integers(0, 10, 101).astype(float).tolist(),
                rng.lognormal(10, 1, 250).tolist()]
        out = []
        for i, peers in enumerate(sets):
            a = np.asarray(peers, dtype=float)
            for value in (float(np.median(a)), float(a[0]), float(a.min()) - 1, float(a.max()) + 1, float(a[len(a) // 3]) + 0.25):
                q = np.percentile(a, [25, 50, 75])
                out.append({"peers": a.tolist(), "value": value, "percentile": float(scipy.stats.percentileofscore(a, value, kind="mean")),
                            "p25": float(q[0]), "median": float(q[1]), "p75": float(q[2])})
        print(json.dumps(out))
        """
        struct Reference: Decodable { let peers: [Double], value: Double, percentile: Double, p25: Double, median: Double, p75: Double }
        let references = try runPython(script, input: Data(), as: [Reference].self)
        #expect(references.count == 35)
        for r in references {
            guard let ours = PeerBenchmark.position(of: r.value, among: r.peers) else { Issue.record("no position for \(r.value)"); continue }
            let scale = max(1, abs(r.p75))
            #expect(ours.peers == r.peers.count)
            #expect(abs(ours.percentile - r.percentile) < 1e-9, "\(r.value) among \(r.peers.count): \(ours.percentile) vs \(r.percentile)")
            #expect(abs(ours.p25 - r.p25) < 1e-12 * scale, "p25 \(ours.p25) vs \(r.p25)")
            #expect(abs(ours.median - r.median) < 1e-12 * scale, "median \(ours.median) vs \(r.median)")
            #expect(abs(ours.p75 - r.p75) < 1e-12 * scale, "p75 \(ours.p75) vs \(r.p75)")
        }
    }
}
