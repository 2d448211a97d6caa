import Foundation
import Testing
@testable import RapportKit

@Suite("Health score")
struct HealthScoreTests {
    /// Every component of the standard model at a known number of points: 50, 50, 50, 60, 80, 50.
    let raw: [HealthComponentKind: Double] = [.usage: 0.5, .adoption: 0.35, .sentiment: 0, .support: 2, .goals: 0.8, .relationship: 67]

    @Test("thresholds map linearly, clamp, and run either way")
    func thresholds() {
        let usage = HealthThresholds(zeroAt: 0.2, fullAt: 0.8)
        #expect(abs(usage.points(0.5) - 50) < 1e-12)
        #expect(usage.points(0.2) == 0 && usage.points(0.8) == 100)
        #expect(usage.points(0.05) == 0 && usage.points(1) == 100)
        let openCases = HealthThresholds(zeroAt: 5, fullAt: 0)
        #expect(openCases.points(2) == 60)
        #expect(openCases.points(9) == 0 && openCases.points(0) == 100)
        #expect(openCases.points(.infinity) == 0)
        #expect(usage.points(.nan).isNaN)
        let flat = HealthThresholds(zeroAt: 3, fullAt: 3)
        #expect(flat.points(3) == 100 && flat.points(2) == 0 && flat.points(4) == 0)
    }

    @Test("the standard model is valid and scores a full account by hand")
    func standardScore() {
        #expect(HealthModel.standard.problems().isEmpty)
        #expect(HealthModel.standard.components.map(\.kind) == HealthComponentKind.allCases)
        let s = HealthModel.standard.score(raw)
        // 25·0.5 + 20·0.5 + 20·0.5 + 10·0.6 + 15·0.8 + 10·0.5
        #expect(abs(s.score! - 55.5) < 1e-9)
        #expect(s.band == .yellow)
        #expect(s.missing.isEmpty)
        #expect(s.contributions.map(\.kind) == HealthComponentKind.allCases)
        #expect(s.contributions.map(\.effectiveWeight) == [25, 20, 20, 10, 15, 10])
        let expected = [12.5, 10, 10, 6, 12, 5]
        for (c, e) in zip(s.contributions, expected) { #expect(abs(c.contribution - e) < 1e-9, "\(c.kind)") }
        #expect(s.contributions[3].raw == 2 && s.contributions[3].points == 60)
    }

    @Test("missing components are left out and the other weights scaled to 100")
    func missingComponents() {
        var partial = raw
        partial[.sentiment] = nil
        partial[.relationship] = .nan
        let s = HealthModel.standard.score(partial)
        #expect(s.missing == [.sentiment, .relationship])
        // 12.5 + 10 + 6 + 12 out of the 70 % that have data.
        #expect(abs(s.score! - 40.5 / 0.7) < 1e-9)
        #expect(abs(s.contributions.map(\.effectiveWeight).reduce(0, +) - 100) < 1e-9)
        #expect(abs(s.contributions[0].effectiveWeight - 2500 / 70) < 1e-9)
        #expect(s.contributions[2] == HealthContribution(kind: .sentiment, raw: nil, points: nil, weight: 20, effectiveWeight: 0, contribution: 0))
        #expect(abs(s.contributions.map(\.contribution).reduce(0, +) - s.score!) < 1e-12)

        let none = HealthModel.standard.score([:])
        #expect(none.score == nil && none.band == nil)
        #expect(none.missing == HealthComponentKind.allCases)
        #expect(none.contributions.allSatisfy { $0.contribution == 0 && $0.raw == nil })

        // Weight only counts where there is data: a lone zero-weight component cannot carry a score.
        let model = HealthModel(components: [
            HealthComponent(kind: .usage, weight: 100, thresholds: HealthThresholds(zeroAt: 0, fullAt: 1)),
            HealthComponent(kind: .goals, weight: 0, thresholds: HealthThresholds(zeroAt: 0, fullAt: 1)),
        ], redBelow: 40, greenFrom: 70)
        #expect(model.score([.goals: 1]).score == nil)
        #expect(model.score([.usage: 0.3, .goals: 1]).score.map { abs($0 - 30) < 1e-9 } == true)
    }

    @Test("bands switch at their limits")
    func bands() {
        let m = HealthModel.standard
        #expect(m.band(0) == .red)
        #expect(m.band(39.99) == .red)
        #expect(m.band(40) == .yellow)
        #expect(m.band(69.9) == .yellow)
        #expect(m.band(70) == .green)
        #expect(m.band(70 - 1e-12) == .green, "rounding noise must not drop a 70 into yellow")
        #expect(m.band(100) == .green)
        // 0.7 + 0.7 + … lands a hair below 70 when summed in floating point.
        let sevenTenths = HealthModel.standard.score([.usage: 0.62, .adoption: 0.45, .sentiment: 20, .support: 1.5, .goals: 0.7, .relationship: 45.8])
        #expect(abs(sevenTenths.score! - 70) < 1e-9)
        #expect(sevenTenths.band == .green)
    }

    @Test("problems name their fields")
    func problems() {
        var m = HealthModel.standard
        m.components[0].weight = -5
        m.components[2].kind = .usage
        m.components[3].thresholds = HealthThresholds(zeroAt: 2, fullAt: 2)
        m.components[4].thresholds.fullAt = .infinity
        m.redBelow = 80
        let reasons = m.problems().map(\.reason)
        func has(_ field: String) -> Bool { reasons.contains { $0.hasPrefix(field + ":") } }
        #expect(has("components[0].weight"))
        #expect(has("components[2].kind"))
        #expect(reasons.contains { $0.hasPrefix("components[2].kind:") && $0.contains("components[0]") })
        #expect(has("components[3].thresholds"))
        #expect(has("components[4].thresholds.full_at"))
        #expect(has("components.weight"), "the weights add up to 70")
        #expect(has("red_below"))
        #expect(!has("green_from"))
        #expect(reasons.count == 6, "\(reasons)")

        var limits = HealthModel.standard
        limits.redBelow = -1
        limits.greenFrom = .nan
        let l = limits.problems().map(\.reason)
        #expect(l.count == 2 && l[0].hasPrefix("red_below:") && l[1].hasPrefix("green_from:"), "\(l)")
        limits.redBelow = 70; limits.greenFrom = 70
        #expect(limits.problems().map(\.reason).first?.hasPrefix("red_below:") == true)

        var sum = HealthModel.standard
        sum.components[5].weight = 10.005
        #expect(sum.problems().isEmpty, "±0.01 is tolerated")
        sum.components[5].weight = 10.02
        #expect(sum.problems().map(\.reason).first?.hasPrefix("components.weight:") == true)
        sum.components[5].weight = .nan
        #expect(sum.problems().map(\.reason) .count == 1, "no sum is reported when a weight is not a number")
        #expect(HealthModel(components: [], redBelow: 40, greenFrom: 70).problems().map(\.reason).first?.hasPrefix("components:") == true)
    }

    @Test("changes explain the move, largest first, small ones dropped")
    func changes() {
        let before = HealthModel.standard.score(raw)
        var now = raw
        now[.usage] = 0.8        // +12.5
        now[.support] = 2.01     // −0.02: too small to mention
        now[.relationship] = 120 // −5
        let after = HealthModel.standard.score(now)
        let changes = after.changes(since: before)
        #expect(changes.map(\.kind) == [.usage, .relationship])
        #expect(abs(changes[0].delta - 12.5) < 1e-9 && abs(changes[0].before - 12.5) < 1e-9 && abs(changes[0].after - 25) < 1e-9)
        #expect(abs(changes[1].delta + 5) < 1e-9)
        #expect(after.changes(since: after).isEmpty)
        // Going from no data to data, every component that adds something is a change.
        let fromNothing = before.changes(since: HealthModel.standard.score([:]))
        #expect(fromNothing.map(\.kind) == [.usage, .goals, .sentiment, .adoption, .support, .relationship], "adoption is 9.999…")
        let tie = HealthModel.standard.score([.adoption: 0.6, .sentiment: 50])
        #expect(tie.changes(since: HealthModel.standard.score([:])).map(\.kind) == [.adoption, .sentiment], "equal changes keep the model order")
        #expect(HealthModel.standard.score([:]).changes(since: tie).map(\.delta) == [-50, -50])
        #expect(abs(fromNothing.map(\.delta).reduce(0, +) - 55.5) < 1e-9)
    }

    @Test("models and scores survive JSON, with snake_case configuration keys")
    func codable() throws {
        let data = try JSONEncoder().encode(HealthModel.standard)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"red_below\":40") && text.contains("\"green_from\":70") && text.contains("\"zero_at\""))
        #expect(try JSONDecoder().decode(HealthModel.self, from: data) == .standard)
        let score = HealthModel.standard.score([.usage: 0.4, .goals: 0.9])
        #expect(try JSONDecoder().decode(HealthScore.self, from: JSONEncoder().encode(score)) == score)
    }
}

@Suite("Churn back-test")
struct BackTestTests {
    @Test("AUC and DeLong SE of a small case by hand")
    func byHand() throws {
        // Renewed 3, 5 against churned 1, 3: 1 + ½ + 1 + 1 of 4 pairs. Placement values 0.75, 1 and
        // 1, 0.75; each sample variance 0.03125, so var = 0.03125/2 + 0.03125/2.
        let a = try #require(BackTest.auc(scores: [3, 1, 5, 3], churned: [false, true, false, true]))
        #expect(a.auc == 0.875)
        #expect(abs(a.standardError - 0.03125.squareRoot()) < 1e-15)
        #expect(a.positives == 2 && a.negatives == 2 && a.method == "delong")
        #expect(abs(a.low - (0.875 - 1.959963984540054 * 0.03125.squareRoot())) < 1e-12)
        #expect(a.high == 1, "clamped")
        let narrower = try #require(BackTest.auc(scores: [3, 1, 5, 3], churned: [false, true, false, true], confidence: 0.5))
        #expect(narrower.low > a.low)
    }

    @Test("edge cases: one class only, perfect separation, inverted, non-finite scores")
    func edges() throws {
        #expect(BackTest.auc(scores: [1, 2, 3], churned: [true, true, true]) == nil)
        #expect(BackTest.auc(scores: [1, 2, 3], churned: [false, false, false]) == nil)
        #expect(BackTest.auc(scores: [], churned: []) == nil)
        let perfect = try #require(BackTest.auc(scores: [10, 20, 30, 80, 90], churned: [true, true, true, false, false]))
        #expect(perfect.auc == 1 && perfect.standardError == 0 && perfect.low == 1 && perfect.high == 1)
        let inverted = try #require(BackTest.auc(scores: [10, 20, 30, 80, 90], churned: [false, false, false, true, true]))
        #expect(inverted.auc == 0 && inverted.low == 0)
        // One account per class: the AUC is defined, the spread of a class of one is taken as 0.
        let pair = try #require(BackTest.auc(scores: [2, 1], churned: [false, true]))
        #expect(pair.auc == 1 && pair.standardError == 0)
        let withNaN = try #require(BackTest.auc(scores: [3, .nan, 1, 5, .infinity, 3], churned: [false, true, true, false, false, true]))
        #expect(withNaN.auc == 0.875 && withNaN.positives == 2 && withNaN.negatives == 2)
    }

    @Test("AUC equals the pairwise count on random tied data, and 50,000 accounts take well under seconds")
    func pairwiseAndScale() throws {
        var rng = SuccessTestRandom(seed: 42)
        let n = 1_500
        let churned = (0..<n).map { _ in rng.unit() < 0.2 }
        let scores = churned.map { c in (rng.unit() * 80 + (c ? 0 : 15)).rounded() }
        var wins = 0.0
        for i in 0..<n where !churned[i] {
            for j in 0..<n where churned[j] { wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0 }
        }
        let positives = churned.filter { !$0 }.count
        let a = try #require(BackTest.auc(scores: scores, churned: churned))
        #expect(abs(a.auc - wins / Double(positives * (n - positives))) < 1e-12)

        let big = 50_000
        let bigChurned = (0..<big).map { _ in rng.unit() < 0.12 }
        let bigScores = bigChurned.map { c in rng.unit() * 100 - (c ? 10 : 0) }
        let clock = ContinuousClock()
        var estimate: AUCEstimate?
        let elapsed = clock.measure { estimate = BackTest.auc(scores: bigScores, churned: bigChurned) }
        // A quadratic method needs over a minute for 50,000 accounts even optimised; n log n well under one second.
        #expect(elapsed < .seconds(10), "\(elapsed)")
        #expect(estimate.map { $0.auc > 0.5 && $0.standardError > 0 && $0.standardError < 0.01 } == true)
    }

    @Test("run counts churn per band, empty bands included")
    func run() throws {
        let scores: [Double] = [10, 35, 45, 50, 60, 69.5, 75, 90, .nan]
        let churned = [true, false, true, false, false, false, false, false, true]
        let r = BackTest.run(scores: scores, churned: churned, model: .standard)
        #expect(r.n == 8 && r.churned == 2)
        #expect(r.bands.map(\.band) == [.red, .yellow, .green])
        #expect(r.bands.map(\.accounts) == [2, 4, 2])
        #expect(r.bands.map(\.churned) == [1, 1, 0])
        #expect(r.bands[0].rate == Proportion.wilson(successes: 1, n: 2))
        #expect(r.bands[2].rate.estimate == 0 && r.bands[2].rate.high < 1)
        #expect(r.auc == BackTest.auc(scores: scores, churned: churned))

        let empty = BackTest.run(scores: [80, 95], churned: [false, true], model: .standard)
        #expect(empty.bands.map(\.accounts) == [0, 0, 2])
        #expect(empty.bands[0].rate.n == 0 && empty.bands[0].rate.low == 0 && empty.bands[0].rate.high == 1)
        let json = try JSONEncoder().encode(r)
        #expect(try JSONDecoder().decode(BackTestResult.self, from: json) == r)
        #expect(String(decoding: json, as: UTF8.self).contains("\"rate\":{"))
        let none = BackTest.run(scores: [], churned: [], model: .standard)
        #expect(none.n == 0 && none.auc == nil && none.bands.count == 3)
    }
}

@Suite("Retention and renewal forecast")
struct RenewalTests {
    @Test("GRR and NRR by hand")
    func retention() {
        let r = Retention.rates(RetentionInput(startingARR: 1_000_000, expansion: 150_000, contraction: 50_000, churn: 100_000))
        #expect(r.grr == 0.85 && r.nrr == 1.0 && r.startingARR == 1_000_000)
        let growing = Retention.rates(RetentionInput(startingARR: 200_000, expansion: 90_000, contraction: 0, churn: 10_000))
        #expect(growing.grr == 0.95 && growing.nrr == 1.4)
        let noLoss = Retention.rates(RetentionInput(startingARR: 500, expansion: 1_000, contraction: 0, churn: 0))
        #expect(noLoss.grr == 1 && noLoss.nrr == 3, "GRR never passes 100 %, NRR may")
        let signed = Retention.rates(RetentionInput(startingARR: 1_000_000, expansion: 150_000, contraction: -50_000, churn: -100_000))
        #expect(signed == r, "losses exported as negative amounts mean the same")
        let wipedOut = Retention.rates(RetentionInput(startingARR: 100, expansion: 0, contraction: 0, churn: 100))
        #expect(wipedOut.grr == 0 && wipedOut.nrr == 0)
        #expect(Retention.rates(RetentionInput(startingARR: 0, expansion: 10, contraction: 0, churn: 0)) == RetentionRates(startingARR: 0, grr: nil, nrr: nil))
        #expect(Retention.rates(RetentionInput(startingARR: 100, expansion: .nan, contraction: 0, churn: 0)).nrr == nil)
    }

    @Test("forecast by hand: expected value, variance, clamping")
    func forecast() {
        // 0.5·100 + 0.9·300; variance 0.25·100² + 0.09·300² = 10,600.
        let f = RenewalForecasting.forecast([RenewalCandidate(arr: 100, renewProbability: 0.5), RenewalCandidate(arr: 300, renewProbability: 0.9)])
        #expect(f.contracts == 2 && f.arrUpForRenewal == 400 && f.method == "normal-independent")
        #expect(abs(f.expected - 320) < 1e-9)
        #expect(abs(f.low - (320 - 1.959963984540054 * 10_600.0.squareRoot())) < 1e-9)
        #expect(f.high == 400, "clamped to the ARR up for renewal")
        let sure = RenewalForecasting.forecast([RenewalCandidate(arr: 1_000, renewProbability: 1), RenewalCandidate(arr: 500, renewProbability: 1)])
        #expect(sure.expected == 1_500 && sure.low == 1_500 && sure.high == 1_500)
        let doubtful = RenewalForecasting.forecast([RenewalCandidate(arr: 1_000, renewProbability: 0.1)])
        #expect(doubtful.low == 0 && abs(doubtful.expected - 100) < 1e-9)
        let clampedP = RenewalForecasting.forecast([RenewalCandidate(arr: 1_000, renewProbability: 1.2)])
        #expect(clampedP.expected == 1_000 && clampedP.high == 1_000)
        let none = RenewalForecasting.forecast([])
        #expect(none.contracts == 0 && none.expected == 0 && none.low == 0 && none.high == 0)
        let narrow = RenewalForecasting.forecast((0..<100).map { _ in RenewalCandidate(arr: 1_000, renewProbability: 0.8) }, confidence: 0.8)
        let wide = RenewalForecasting.forecast((0..<100).map { _ in RenewalCandidate(arr: 1_000, renewProbability: 0.8) })
        #expect(narrow.high - narrow.low < wide.high - wide.low)
    }
}

@Suite("Customer Success assessment")
struct AssessmentTests {
    @Test("three dimensions by hand")
    func byHand() {
        let goals = [
            AssessedGoal(attainment: .fully, agreedByVendor: true, agreedByCustomer: true, signedOffByVendor: true, signedOffByCustomer: true, backedByMeasuredKPI: true),
            AssessedGoal(attainment: .partly, agreedByVendor: true, agreedByCustomer: true, signedOffByVendor: true, signedOffByCustomer: false, backedByMeasuredKPI: false),
            AssessedGoal(attainment: .none, agreedByVendor: true, agreedByCustomer: false, signedOffByVendor: true, signedOffByCustomer: true, backedByMeasuredKPI: true),
            AssessedGoal(attainment: .open, agreedByVendor: true, agreedByCustomer: true, signedOffByVendor: false, signedOffByCustomer: false, backedByMeasuredKPI: true),
            AssessedGoal(attainment: .fully, agreedByVendor: false, agreedByCustomer: true, signedOffByVendor: true, signedOffByCustomer: true, backedByMeasuredKPI: false),
        ]
        let a = SuccessAssessment.assess(goals)
        #expect(a.goals == 5)
        #expect(a.reached == 2 && a.partly == 1 && a.notReached == 1 && a.open == 1)
        #expect(a.valence == DimensionScore(2.5, over: 4))
        #expect(a.valence.value == 0.625)
        #expect(a.exAnteCongruence.value == 0.6 && a.exAnteCongruence.numerator == 3 && a.exAnteCongruence.denominator == 5)
        // Goal 3 is signed off by both, but a goal not reached has no result to confirm.
        #expect(a.exPostCongruence.numerator == 2 && a.exPostCongruence.denominator == 3)
        #expect(a.congruence.numerator == 5 && a.congruence.denominator == 8 && a.congruence.value == 0.625)
        #expect(a.certainty.numerator == 2 && a.certainty.denominator == 4 && a.certainty.value == 0.5)
    }

    @Test("empty denominators give no value")
    func empty() {
        let none = SuccessAssessment.assess([])
        #expect(none.goals == 0)
        for d in [none.valence, none.exAnteCongruence, none.exPostCongruence, none.congruence, none.certainty] {
            #expect(d.value == nil && d.denominator == 0 && d.numerator == 0)
        }
        let early = SuccessAssessment.assess([AssessedGoal(attainment: .open, agreedByVendor: true, agreedByCustomer: true),
                                              AssessedGoal(attainment: .open)])
        #expect(early.valence.value == nil && early.certainty.value == nil && early.exPostCongruence.value == nil)
        #expect(early.exAnteCongruence.value == 0.5)
        #expect(early.congruence.value == 0.5 && early.congruence.denominator == 2)
        let missed = SuccessAssessment.assess([AssessedGoal(attainment: .none, backedByMeasuredKPI: true)])
        #expect(missed.valence.value == 0 && missed.certainty.value == 1 && missed.exPostCongruence.value == nil)
    }
}

@Suite("Peer benchmark and usage trend")
struct PeerAndUsageTests {
    @Test("position among peers by hand")
    func peers() throws {
        let p = try #require(PeerBenchmark.position(of: 3, among: [4, 1, 3, 2]))
        #expect(p.percentile == 62.5 && p.peers == 4)
        #expect(p.p25 == 1.75 && p.median == 2.5 && p.p75 == 3.25)
        let single = try #require(PeerBenchmark.position(of: 7, among: [7]))
        #expect(single.percentile == 50 && single.p25 == 7 && single.median == 7 && single.p75 == 7)
        #expect(PeerBenchmark.position(of: 0, among: [5, 6])?.percentile == 0)
        #expect(PeerBenchmark.position(of: 9, among: [5, 6])?.percentile == 100)
        #expect(PeerBenchmark.position(of: 1, among: []) == nil)
        #expect(PeerBenchmark.position(of: .nan, among: [1]) == nil)
        #expect(PeerBenchmark.position(of: 2, among: [.nan, 1, 3])?.peers == 2)
    }

    @Test("usage drop against the previous window")
    func usage() {
        let fell = UsageTrend.summary(activeUsers: 7, previousActiveUsers: 10, features: 4, events: 300)
        #expect(fell.change == -0.3 && fell.dropped, "a fall of exactly 30 % counts")
        #expect(fell.features == 4 && fell.events == 300 && fell.activeUsers == 7 && fell.previousActiveUsers == 10)
        #expect(!UsageTrend.summary(activeUsers: 8, previousActiveUsers: 10, features: 1, events: 1).dropped)
        #expect(UsageTrend.summary(activeUsers: 8, previousActiveUsers: 10, features: 1, events: 1, dropShare: 0.2).dropped)
        let grew = UsageTrend.summary(activeUsers: 15, previousActiveUsers: 10, features: 1, events: 1)
        #expect(grew.change == 0.5 && !grew.dropped)
        let new = UsageTrend.summary(activeUsers: 5, previousActiveUsers: 0, features: 2, events: 9)
        #expect(new.change == nil && !new.dropped)
        let gone = UsageTrend.summary(activeUsers: 0, previousActiveUsers: 3, features: 0, events: 0)
        #expect(gone.change == -1 && gone.dropped)
    }
}

/// SplitMix64: a fixed seed gives the same accounts on every platform.
struct SuccessTestRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform on [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

@Suite("Goal rules")
struct GoalRuleTests {
    @Test("a parent that closes a loop is named, levels keep their order, KPIs need a unit and time to run")
    func rules() {
        let a = UUID(), b = UUID(), c = UUID()
        #expect(GoalRules.cycle(goal: a, parent: c, parents: [b: a, c: b]) == [a, c, b, a])
        #expect(GoalRules.cycle(goal: a, parent: b, parents: [c: a]) == nil)
        #expect(GoalRules.cycle(goal: a, parent: nil, parents: [:]) == nil)
        #expect(GoalRules.levelProblem(child: .superordinate, parent: .focal) != nil)
        #expect(GoalRules.levelProblem(child: .subordinate, parent: .focal) == nil && GoalRules.levelProblem(child: .focal, parent: .focal) == nil)
        let problems = GoalRules.kpiProblems(unit: " ", baseline: 5, target: 5, baselineOn: DateOnly(iso: "2026-05-01"), deadline: DateOnly(iso: "2026-04-30"))
        #expect(problems.map(\.field) == ["unit", "target", "deadline"])
        #expect(GoalRules.progress(baseline: 10, target: 5, current: 7) == 0.6)
        #expect(GoalRules.progress(baseline: 0, target: 100, current: 120) == 1.2)
        #expect(GoalRules.progress(baseline: 0, target: 1e-308, current: 1e308) == nil)
    }
}

@Suite("ARR ledger and retention over a period")
struct ARRLedgerTests {
    let a = UUID(), b = UUID(), c = UUID()
    func day(_ s: String) -> DateOnly { DateOnly(iso: s)! }

    @Test("a contract is read from its events when it has a 'new' one, else from its recorded ARR less later changes")
    func ledger() {
        let withHistory = LedgerContract(account: a, currency: "EUR", arrMinor: 999, start: day("2025-01-01"), end: nil, churned: false, changes: [
            .init(kind: "new", on: day("2025-01-01"), deltaMinor: 1_000), .init(kind: "expansion", on: day("2025-06-01"), deltaMinor: 500),
        ])
        #expect(withHistory.arrMinor(on: day("2024-12-31")) == 0 && withHistory.arrMinor(on: day("2025-01-01")) == 1_000 && withHistory.arrMinor(on: day("2025-07-01")) == 1_500)
        let imported = LedgerContract(account: a, currency: "EUR", arrMinor: 1_200, start: day("2025-01-01"), end: nil, churned: false,
                                      changes: [.init(kind: "contraction", on: day("2025-06-01"), deltaMinor: -300)])
        #expect(imported.arrMinor(on: day("2025-03-01")) == 1_500 && imported.arrMinor(on: day("2025-06-01")) == 1_200 && imported.arrMinor(on: day("2024-01-01")) == 0)
        let churned = LedgerContract(account: a, currency: "EUR", arrMinor: 800, start: day("2025-01-01"), end: day("2025-09-30"), churned: true, changes: [])
        #expect(churned.arrMinor(on: day("2025-09-29")) == 800 && churned.arrMinor(on: day("2025-09-30")) == 0)
    }

    @Test("GRR and NRR net each account over the period, per currency, and leave new business out")
    func period() {
        let from = day("2025-01-01"), to = day("2025-12-31")
        let contracts = [
            // a: 1,000 → 1,500 (expansion 500); b: 2,000 → 0 (churn); c: 1,000 → 600 (contraction 400); a's new CHF contract starts inside the period.
            LedgerContract(account: a, currency: "EUR", arrMinor: 1_500, start: day("2024-01-01"), end: nil, churned: false,
                           changes: [.init(kind: "expansion", on: day("2025-05-01"), deltaMinor: 500)]),
            LedgerContract(account: b, currency: "EUR", arrMinor: 2_000, start: day("2024-01-01"), end: nil, churned: true,
                           changes: [.init(kind: "churn", on: day("2025-03-01"), deltaMinor: -2_000)]),
            LedgerContract(account: c, currency: "EUR", arrMinor: 600, start: day("2024-06-01"), end: nil, churned: false,
                           changes: [.init(kind: "contraction", on: day("2025-08-01"), deltaMinor: -400)]),
            LedgerContract(account: a, currency: "CHF", arrMinor: 5_000, start: day("2025-04-01"), end: nil, churned: false, changes: []),
        ]
        let r = Retention.period(contracts, from: from, to: to)
        #expect(r.count == 1, "the CHF contract started inside the period: no cohort")
        let eur = r[0]
        #expect(eur.startingMinor == 4_000 && eur.expansionMinor == 500 && eur.contractionMinor == 400 && eur.churnMinor == 2_000 && eur.churnedAccounts == 1)
        #expect(eur.grr == (4_000.0 - 400 - 2_000) / 4_000 && eur.nrr == (4_000.0 + 500 - 400 - 2_000) / 4_000)
    }
}
