import Foundation

/// A contract as the retention figures read it: its recorded ARR, dates and the history of ARR changes.
public struct LedgerContract: Sendable, Equatable {
    public struct Change: Sendable, Equatable {
        /// new, renewal, expansion, contraction or churn.
        public var kind: String
        public var on: DateOnly
        public var deltaMinor: Int64
        public init(kind: String, on: DateOnly, deltaMinor: Int64) { self.kind = kind; self.on = on; self.deltaMinor = deltaMinor }
    }

    public var account: UUID
    public var currency: String
    public var arrMinor: Int64
    public var start: DateOnly?
    public var end: DateOnly?
    public var churned: Bool
    public var changes: [Change]

    public init(account: UUID, currency: String, arrMinor: Int64, start: DateOnly?, end: DateOnly?, churned: Bool, changes: [Change]) {
        self.account = account; self.currency = currency; self.arrMinor = arrMinor; self.start = start; self.end = end
        self.churned = churned; self.changes = changes
    }

    /// The ARR recurring on a day. A contract with a "new" event is read from its events alone (the sum
    /// of their changes up to that day). One without starts on its start date with its recorded ARR less
    /// the changes recorded since. Either way it is 0 from a churn event on, or, for a churned contract
    /// without one, from its end date.
    public func arrMinor(on day: DateOnly) -> Int64 {
        if let churn = changes.filter({ $0.kind == "churn" }).map(\.on).min(), churn <= day { return 0 }
        if churned, let end, end <= day { return 0 }
        let moves = changes.filter { $0.kind != "churn" }
        let hasOpening = moves.contains { $0.kind == "new" }
        if !hasOpening, start.map({ $0 > day }) ?? false { return 0 }
        let opening = hasOpening ? 0 : arrMinor - moves.reduce(0) { $0 + $1.deltaMinor }
        return max(0, opening + moves.filter { $0.on <= day }.reduce(0) { $0 + $1.deltaMinor })
    }
}

/// GRR and NRR of one currency's book over a period, with the amounts behind them.
public struct RetentionPeriod: Sendable, Equatable, Codable {
    public let currency: String
    public let from: DateOnly
    public let to: DateOnly
    /// Accounts with ARR recurring on `from`: the cohort.
    public let accounts: Int
    public let startingMinor: Int64
    public let expansionMinor: Int64
    public let contractionMinor: Int64
    public let churnMinor: Int64
    public let churnedAccounts: Int
    public let grr: Double?
    public let nrr: Double?
}

extension Retention {
    /// Retention of the accounts with ARR on `from`, by `to`, per currency (amounts in different
    /// currencies are never added). Each account is netted over the period: ending with nothing is
    /// churn of its starting ARR; ending lower is contraction; higher is expansion. New accounts that
    /// start during the period are not part of the cohort, so they count in neither rate.
    public static func period(_ contracts: [LedgerContract], from: DateOnly, to: DateOnly) -> [RetentionPeriod] {
        precondition(from <= to, "a period runs forwards")
        struct Key: Hashable { let currency: String; let account: UUID }
        var start: [Key: Int64] = [:], end: [Key: Int64] = [:]
        for c in contracts {
            let key = Key(currency: c.currency, account: c.account)
            start[key, default: 0] += c.arrMinor(on: from)
            end[key, default: 0] += c.arrMinor(on: to)
        }
        let cohort = start.filter { $0.value > 0 }
        return Dictionary(grouping: cohort.keys, by: \.currency).map { currency, keys in
            var starting: Int64 = 0, expansion: Int64 = 0, contraction: Int64 = 0, churn: Int64 = 0, churned = 0
            for k in keys {
                let s = start[k]!, e = end[k] ?? 0
                starting += s
                if e == 0 { churn += s; churned += 1 } else if e < s { contraction += s - e } else { expansion += e - s }
            }
            let r = rates(RetentionInput(startingARR: Double(starting), expansion: Double(expansion), contraction: Double(contraction), churn: Double(churn)))
            return RetentionPeriod(currency: currency, from: from, to: to, accounts: keys.count, startingMinor: starting, expansionMinor: expansion,
                                   contractionMinor: contraction, churnMinor: churn, churnedAccounts: churned, grr: r.grr, nrr: r.nrr)
        }.sorted { $0.startingMinor > $1.startingMinor }
    }
}
