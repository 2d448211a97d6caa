import Foundation

/// The area under the ROC curve of a score against renewal, with its interval.
public struct AUCEstimate: Sendable, Equatable, Codable {
    public let auc: Double
    public let low: Double
    public let high: Double
    public let standardError: Double
    /// Renewed accounts (the positive class).
    public let positives: Int
    /// Churned accounts.
    public let negatives: Int
    /// "delong".
    public let method: String
}

/// How many accounts of one health band churned.
public struct BandOutcome: Sendable, Equatable, Codable {
    public let band: HealthBand
    public let accounts: Int
    public let churned: Int
    /// Churned of accounts with Wilson's interval. A band without accounts has 0 of 0: estimate 0 and
    /// the interval 0…1, since nothing is known; check `accounts` before showing it.
    public let rate: Proportion

    init(band: HealthBand, accounts: Int, churned: Int) {
        self.band = band; self.accounts = accounts; self.churned = churned
        rate = accounts > 0 ? .wilson(successes: churned, n: accounts) : Proportion(successes: 0, n: 0, estimate: 0, low: 0, high: 1)
    }

    // Proportion is not Codable itself; its fields are written as a nested object.
    private struct Rate: Codable { let successes: Int, n: Int, estimate: Double, low: Double, high: Double }
    enum CodingKeys: String, CodingKey { case band, accounts, churned, rate }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        band = try c.decode(HealthBand.self, forKey: .band)
        accounts = try c.decode(Int.self, forKey: .accounts)
        churned = try c.decode(Int.self, forKey: .churned)
        let r = try c.decode(Rate.self, forKey: .rate)
        rate = Proportion(successes: r.successes, n: r.n, estimate: r.estimate, low: r.low, high: r.high)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(band, forKey: .band)
        try c.encode(accounts, forKey: .accounts)
        try c.encode(churned, forKey: .churned)
        try c.encode(Rate(successes: rate.successes, n: rate.n, estimate: rate.estimate, low: rate.low, high: rate.high), forKey: .rate)
    }
}

/// How well past health scores told renewals from churn.
public struct BackTestResult: Sendable, Equatable, Codable {
    /// Accounts with a finite score.
    public let n: Int
    public let churned: Int
    public let auc: AUCEstimate?
    /// red, yellow, green.
    public let bands: [BandOutcome]
}

/// Back-testing a health score against what later happened at renewal.
public enum BackTest {
    /// AUC = probability that a renewed account scored higher than a churned one (ties count one half), i.e. sklearn's roc_auc_score(y = renewed, score). Interval by DeLong's variance (normal approximation, clamped to 0…1). nil unless there is at least one churned and one renewed account.
    ///
    /// Accounts whose score is not finite are left out. DeLong's variance is S₁₀/m + S₀₁/n with the
    /// sample variances of the placement values; a class with a single account adds 0 (one value has
    /// no spread to estimate), which makes the interval too narrow for such tiny samples.
    public static func auc(scores: [Double], churned: [Bool], confidence: Double = 0.95) -> AUCEstimate? {
        precondition(scores.count == churned.count, "one churn flag per score: \(scores.count) scores, \(churned.count) flags")
        precondition(confidence > 0 && confidence < 1, "a confidence level is between 0 and 1, not \(confidence)")
        let accounts = zip(scores, churned).filter { $0.0.isFinite }.sorted { $0.0 < $1.0 }
        let negatives = accounts.reduce(0) { $0 + ($1.1 ? 1 : 0) }
        let positives = accounts.count - negatives
        guard positives > 0, negatives > 0 else { return nil }

        // One pass over groups of equal scores. A renewed account's placement value is the share of
        // churned accounts below it (ties one half), a churned account's the share of renewed accounts
        // above it; every member of a tie group shares its value, so the groups suffice.
        struct Group { let renewed: Int, churned: Int, renewedBelow: Int, churnedBelow: Int }
        var groups: [Group] = []
        var i = 0, renewedBelow = 0, churnedBelow = 0
        while i < accounts.count {
            var j = i, r = 0, c = 0
            while j < accounts.count && accounts[j].0 == accounts[i].0 {
                if accounts[j].1 { c += 1 } else { r += 1 }
                j += 1
            }
            groups.append(Group(renewed: r, churned: c, renewedBelow: renewedBelow, churnedBelow: churnedBelow))
            renewedBelow += r; churnedBelow += c; i = j
        }
        let m = Double(positives), n = Double(negatives)
        // Counted in whole half-pairs, so the AUC itself carries no rounding until the one division.
        let halfPairs = groups.reduce(0) { $0 + $1.renewed * (2 * $1.churnedBelow + $1.churned) }
        let auc = Double(halfPairs) / (2 * m * n)
        var s10 = 0.0, s01 = 0.0
        for g in groups {
            let v10 = (Double(g.churnedBelow) + Double(g.churned) / 2) / n
            let v01 = (Double(positives - g.renewedBelow - g.renewed) + Double(g.renewed) / 2) / m
            s10 += Double(g.renewed) * (v10 - auc) * (v10 - auc)
            s01 += Double(g.churned) * (v01 - auc) * (v01 - auc)
        }
        s10 = positives > 1 ? s10 / (m - 1) : 0
        s01 = negatives > 1 ? s01 / (n - 1) : 0
        let se = (s10 / m + s01 / n).squareRoot()
        let z = NormalDistribution.quantile(0.5 + confidence / 2)
        return AUCEstimate(auc: auc, low: max(0, auc - z * se), high: min(1, auc + z * se), standardError: se,
                           positives: positives, negatives: negatives, method: "delong")
    }

    /// AUC plus churn rate per band with Wilson intervals (bands in order red, yellow, green; bands with 0 accounts included with accounts 0).
    /// Accounts whose score is not finite are left out of both.
    public static func run(scores: [Double], churned: [Bool], model: HealthModel) -> BackTestResult {
        precondition(scores.count == churned.count, "one churn flag per score: \(scores.count) scores, \(churned.count) flags")
        var accounts: [HealthBand: Int] = [:], lost: [HealthBand: Int] = [:]
        var n = 0, totalChurned = 0
        for (score, didChurn) in zip(scores, churned) where score.isFinite {
            let band = model.band(score)
            accounts[band, default: 0] += 1
            n += 1
            if didChurn { lost[band, default: 0] += 1; totalChurned += 1 }
        }
        let bands = HealthBand.allCases.map { BandOutcome(band: $0, accounts: accounts[$0] ?? 0, churned: lost[$0] ?? 0) }
        return BackTestResult(n: n, churned: totalChurned, auc: auc(scores: scores, churned: churned), bands: bands)
    }
}
