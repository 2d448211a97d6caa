import Foundation

/// The areas a customer health score is made of.
public enum HealthComponentKind: String, CaseIterable, Sendable, Codable {
    case usage, adoption, sentiment, support, goals, relationship
}

/// How a raw measure maps to 0…100 points: linear from `zeroAt` (0 points) to `fullAt` (100 points), clamped.
/// zeroAt > fullAt means lower raw values are better (e.g. open cases, days since last meeting).
public struct HealthThresholds: Sendable, Equatable, Codable {
    public var zeroAt: Double
    public var fullAt: Double

    public init(zeroAt: Double, fullAt: Double) {
        self.zeroAt = zeroAt; self.fullAt = fullAt
    }

    /// Points 0…100 for a raw value; NaN for NaN. With zeroAt == fullAt (which `HealthModel.problems`
    /// refuses) there is no line and no telling which side is better, so only that very value scores 100.
    public func points(_ raw: Double) -> Double {
        if raw.isNaN { return .nan }
        let span = fullAt - zeroAt
        if span == 0 { return raw == fullAt ? 100 : 0 }
        let linear = (raw - zeroAt) / span * 100
        return min(100, max(0, linear))
    }

    enum CodingKeys: String, CodingKey { case zeroAt = "zero_at", fullAt = "full_at" }
}

/// One weighted part of the health score.
public struct HealthComponent: Sendable, Equatable, Codable {
    public var kind: HealthComponentKind
    /// Percent of the score; the weights of a model add up to 100.
    public var weight: Double
    public var thresholds: HealthThresholds

    public init(kind: HealthComponentKind, weight: Double, thresholds: HealthThresholds) {
        self.kind = kind; self.weight = weight; self.thresholds = thresholds
    }
}

/// A traffic-light band of the health score.
public enum HealthBand: String, Sendable, Codable, CaseIterable { case red, yellow, green }

/// A health score configuration: weighted components and the limits of the bands.
public struct HealthModel: Sendable, Equatable, Codable {
    public var components: [HealthComponent]
    /// Band limits: score < redBelow is "red", < greenFrom is "yellow", else "green".
    public var redBelow: Double
    public var greenFrom: Double

    public init(components: [HealthComponent], redBelow: Double, greenFrom: Double) {
        self.components = components; self.redBelow = redBelow; self.greenFrom = greenFrom
    }

    enum CodingKeys: String, CodingKey { case components, redBelow = "red_below", greenFrom = "green_from" }

    /// The model new workspaces start with. Usage is licence utilisation 0…1, adoption the share of
    /// features in use 0…1, sentiment the account's NPS −100…100, support the open cases, goals the mean
    /// KPI progress 0…1, relationship the days since the last meeting.
    public static let standard = HealthModel(
        components: [
            HealthComponent(kind: .usage, weight: 25, thresholds: HealthThresholds(zeroAt: 0.2, fullAt: 0.8)),
            HealthComponent(kind: .adoption, weight: 20, thresholds: HealthThresholds(zeroAt: 0.1, fullAt: 0.6)),
            HealthComponent(kind: .sentiment, weight: 20, thresholds: HealthThresholds(zeroAt: -50, fullAt: 50)),
            HealthComponent(kind: .support, weight: 10, thresholds: HealthThresholds(zeroAt: 5, fullAt: 0)),
            HealthComponent(kind: .goals, weight: 15, thresholds: HealthThresholds(zeroAt: 0, fullAt: 1)),
            HealthComponent(kind: .relationship, weight: 10, thresholds: HealthThresholds(zeroAt: 120, fullAt: 14)),
        ],
        redBelow: 40, greenFrom: 70)

    /// Every problem with field names: weights negative, weights not summing to 100 (±0.01), duplicate
    /// kinds, zeroAt == fullAt, non-finite numbers, redBelow >= greenFrom or outside 0…100. Each reason
    /// starts with its field ("components[2].weight", "components.weight" for the sum, "red_below")
    /// and a colon, e.g. "red_below: is 120; give a score from 0 to 100". Empty when the model is usable.
    public func problems() -> [FieldProblem] {
        var out: [FieldProblem] = []
        func fail(_ field: String, _ message: String) { out.append(FieldProblem("\(field): \(message)")) }
        if components.isEmpty { fail("components", "name at least one component, e.g. usage with weight 100") }
        var firstOfKind: [HealthComponentKind: Int] = [:]
        for (i, c) in components.enumerated() {
            let f = "components[\(i)]"
            if !c.weight.isFinite { fail("\(f).weight", "is not a number; give a percentage from 0 to 100") }
            else if c.weight < 0 { fail("\(f).weight", "is \(Self.format(c.weight)); a weight cannot be negative") }
            if let j = firstOfKind[c.kind] {
                fail("\(f).kind", "'\(c.kind.rawValue)' is already the kind of components[\(j)]; each kind may appear once")
            } else {
                firstOfKind[c.kind] = i
            }
            let t = c.thresholds
            if !t.zeroAt.isFinite { fail("\(f).thresholds.zero_at", "is not a number") }
            if !t.fullAt.isFinite { fail("\(f).thresholds.full_at", "is not a number") }
            if t.zeroAt.isFinite, t.fullAt.isFinite, t.zeroAt == t.fullAt {
                fail("\(f).thresholds", "zero_at and full_at are both \(Self.format(t.zeroAt)); they must differ (zero_at above full_at when lower values are better)")
            }
        }
        // The sum only means something once each weight is a usable number.
        if !components.isEmpty, components.allSatisfy({ $0.weight.isFinite }) {
            let sum = components.reduce(0) { $0 + $1.weight }
            if abs(sum - 100) > 0.01 { fail("components.weight", "the weights add up to \(Self.format(sum)); they must add up to 100") }
        }
        var limitsUsable = true
        for (field, value) in [("red_below", redBelow), ("green_from", greenFrom)] {
            if !value.isFinite { fail(field, "is not a number; give a score from 0 to 100"); limitsUsable = false }
            else if value < 0 || value > 100 { fail(field, "is \(Self.format(value)); give a score from 0 to 100"); limitsUsable = false }
        }
        if limitsUsable, redBelow >= greenFrom {
            fail("red_below", "(\(Self.format(redBelow))) must be below green_from (\(Self.format(greenFrom))), or no score would be yellow")
        }
        return out
    }

    /// The band of a score. Scores are sums of weighted points, so one that is 70 on paper can come out
    /// as 69.99999999999999; a tolerance far below any displayed precision keeps it in the band it
    /// visibly belongs to.
    public func band(_ score: Double) -> HealthBand {
        let tolerance = 1e-9
        if score + tolerance < redBelow { return .red }
        if score + tolerance < greenFrom { return .yellow }
        return .green
    }

    /// Scores raw measures by kind. A kind without a finite raw value counts as missing: it is left out
    /// and the remaining weights are scaled back up to 100, so the score stays on 0…100 and an account
    /// without, say, a survey answer is not punished for it. The score is nil when no component has
    /// data (or only components with weight 0 have).
    public func score(_ raw: [HealthComponentKind: Double]) -> HealthScore {
        func value(_ kind: HealthComponentKind) -> Double? { raw[kind].flatMap { $0.isFinite ? $0 : nil } }
        let weightWithData = components.reduce(0.0) { value($1.kind) == nil ? $0 : $0 + $1.weight }
        let scale = weightWithData > 0 ? 100 / weightWithData : 0
        var contributions: [HealthContribution] = []
        var missing: [HealthComponentKind] = []
        for c in components {
            guard let r = value(c.kind) else {
                contributions.append(HealthContribution(kind: c.kind, raw: nil, points: nil, weight: c.weight, effectiveWeight: 0, contribution: 0))
                if !missing.contains(c.kind) { missing.append(c.kind) }
                continue
            }
            let points = c.thresholds.points(r)
            let effective = c.weight * scale
            contributions.append(HealthContribution(kind: c.kind, raw: r, points: points, weight: c.weight, effectiveWeight: effective,
                                                    contribution: effective * points / 100))
        }
        // The score is the sum of the contributions themselves, so the breakdown adds up to it exactly.
        let score: Double? = weightWithData > 0 ? contributions.reduce(0) { $0 + $1.contribution } : nil
        return HealthScore(score: score, band: score.map(band), contributions: contributions, missing: missing)
    }

    static func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }
}

/// What one component adds to a health score.
public struct HealthContribution: Sendable, Equatable, Codable {
    public let kind: HealthComponentKind
    /// nil when the account has no data for this component.
    public let raw: Double?
    /// 0…100 points of the component itself.
    public let points: Double?
    /// The configured weight in percent.
    public let weight: Double
    /// The weight after renormalising over the components with data; 0 for a component without.
    public let effectiveWeight: Double
    /// Score points this component adds; the contributions of a score add up to it.
    public let contribution: Double
}

/// A health score with its breakdown.
public struct HealthScore: Sendable, Equatable, Codable {
    /// 0…100; nil when no component has data.
    public let score: Double?
    public let band: HealthBand?
    /// In model order, including components without data (raw nil, contribution 0).
    public let contributions: [HealthContribution]
    public let missing: [HealthComponentKind]
}

/// How much one component's contribution moved between two scores.
public struct HealthChange: Sendable, Equatable, Codable {
    public let kind: HealthComponentKind
    public let before: Double
    public let after: Double
    public var delta: Double { after - before }
}

extension HealthScore {
    /// Why the score moved since `previous`: per component the change of its contribution, largest absolute change first, components with |delta| < 0.05 left out.
    /// Kinds present in only one of the two scores count as contributing 0 in the other (the model may
    /// have changed in between); equal changes keep the model order.
    public func changes(since previous: HealthScore) -> [HealthChange] {
        var order: [HealthComponentKind] = []
        var before: [HealthComponentKind: Double] = [:], after: [HealthComponentKind: Double] = [:]
        for c in contributions {
            if after[c.kind] == nil && before[c.kind] == nil { order.append(c.kind) }
            after[c.kind, default: 0] += c.contribution
        }
        for c in previous.contributions {
            if after[c.kind] == nil && before[c.kind] == nil { order.append(c.kind) }
            before[c.kind, default: 0] += c.contribution
        }
        let changes = order.map { HealthChange(kind: $0, before: before[$0] ?? 0, after: after[$0] ?? 0) }
        return changes.enumerated()
            .filter { abs($0.element.delta) >= 0.05 }
            .sorted { a, b in
                let da = abs(a.element.delta), db = abs(b.element.delta)
                return da != db ? da > db : a.offset < b.offset
            }
            .map(\.element)
    }
}
