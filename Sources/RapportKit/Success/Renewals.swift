import Foundation

/// Gross and net revenue retention over a period, from the ARR recurring at its start.
/// Expansion, contraction and churn are positive amounts; a negative one is read as its size, since
/// CRMs export losses with either sign.
public struct RetentionInput: Sendable, Equatable {
    public var startingARR: Double
    public var expansion: Double
    public var contraction: Double
    public var churn: Double

    public init(startingARR: Double, expansion: Double, contraction: Double, churn: Double) {
        self.startingARR = startingARR; self.expansion = expansion; self.contraction = contraction; self.churn = churn
    }
}

/// GRR and NRR as fractions (1 = 100 %).
public struct RetentionRates: Sendable, Equatable, Codable {
    public let startingARR: Double
    public let grr: Double?
    public let nrr: Double?
}

/// Revenue retention of a book of business.
public enum Retention {
    /// GRR = (start − contraction − churn)/start, at most 1: it counts only losses, so it can never pass
    /// 100 %. NRR = (start + expansion − contraction − churn)/start. Both nil unless the starting ARR is
    /// positive and every amount is finite: a period that starts with nothing has no rate.
    public static func rates(_ i: RetentionInput) -> RetentionRates {
        let amounts = [i.startingARR, i.expansion, i.contraction, i.churn]
        guard i.startingARR > 0, amounts.allSatisfy(\.isFinite) else {
            return RetentionRates(startingARR: i.startingARR, grr: nil, nrr: nil)
        }
        let lost = abs(i.contraction) + abs(i.churn)
        let grr = min(1, (i.startingARR - lost) / i.startingARR)
        let nrr = (i.startingARR + abs(i.expansion) - lost) / i.startingARR
        return RetentionRates(startingARR: i.startingARR, grr: grr, nrr: nrr)
    }
}

/// One contract that comes up for renewal.
public struct RenewalCandidate: Sendable, Equatable {
    public var arr: Double
    /// 0…1, e.g. the historical renewal rate of the account's health band.
    public var renewProbability: Double

    public init(arr: Double, renewProbability: Double) {
        self.arr = arr; self.renewProbability = renewProbability
    }
}

/// The ARR expected to renew, with its interval.
public struct RenewalForecast: Sendable, Equatable, Codable {
    public let contracts: Int
    public let arrUpForRenewal: Double
    public let expected: Double
    public let low: Double
    public let high: Double
    /// "normal-independent".
    public let method: String
}

/// Forecasts of renewing ARR.
public enum RenewalForecasting {
    /// Each contract renews or not independently with its probability (from the historical renewal rate of its health band): expected = Σ p·arr, variance = Σ p(1−p)·arr², normal interval clamped to [0, arrUpForRenewal].
    ///
    /// The normal approximation needs many contracts of which none dominates; with a handful of large
    /// contracts the true distribution is lumpy and the interval only indicative. Probabilities outside
    /// 0…1 are clamped into it.
    public static func forecast(_ c: [RenewalCandidate], confidence: Double = 0.95) -> RenewalForecast {
        precondition(confidence > 0 && confidence < 1, "a confidence level is between 0 and 1, not \(confidence)")
        precondition(c.allSatisfy { $0.arr.isFinite && $0.renewProbability.isFinite }, "contract ARR and renewal probabilities must be finite numbers")
        var total = 0.0, expected = 0.0, variance = 0.0
        for contract in c {
            let p = min(1, max(0, contract.renewProbability))
            total += contract.arr
            expected += p * contract.arr
            variance += p * (1 - p) * contract.arr * contract.arr
        }
        let half = NormalDistribution.quantile(0.5 + confidence / 2) * variance.squareRoot()
        let ceiling = max(0, total)
        return RenewalForecast(contracts: c.count, arrUpForRenewal: total, expected: expected,
                               low: min(ceiling, max(0, expected - half)), high: min(ceiling, max(0, expected + half)),
                               method: "normal-independent")
    }
}
