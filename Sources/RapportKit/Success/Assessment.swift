import Foundation

/// How far a customer goal was reached; `open` while it is still too early to tell.
public enum GoalAttainment: String, CaseIterable, Sendable, Codable { case open, none, partly, fully }

/// One goal of a customer as the assessment sees it: whether it was reached, whether both sides
/// agreed on it beforehand and signed off the result afterwards, and whether a measured KPI backs it.
public struct AssessedGoal: Sendable, Equatable {
    public var attainment: GoalAttainment
    public var agreedByVendor: Bool
    public var agreedByCustomer: Bool
    public var signedOffByVendor: Bool
    public var signedOffByCustomer: Bool
    public var backedByMeasuredKPI: Bool

    public init(attainment: GoalAttainment, agreedByVendor: Bool = false, agreedByCustomer: Bool = false,
                signedOffByVendor: Bool = false, signedOffByCustomer: Bool = false, backedByMeasuredKPI: Bool = false) {
        self.attainment = attainment
        self.agreedByVendor = agreedByVendor; self.agreedByCustomer = agreedByCustomer
        self.signedOffByVendor = signedOffByVendor; self.signedOffByCustomer = signedOffByCustomer
        self.backedByMeasuredKPI = backedByMeasuredKPI
    }

    var agreedByBoth: Bool { agreedByVendor && agreedByCustomer }
    var signedOffByBoth: Bool { signedOffByVendor && signedOffByCustomer }
    var isAttained: Bool { attainment == .partly || attainment == .fully }
}

/// A share of the assessment: numerator over denominator, nil when there is nothing to divide by.
public struct DimensionScore: Sendable, Equatable, Codable {
    public let value: Double?
    /// A Double because valence counts partly reached goals as one half.
    public let numerator: Double
    public let denominator: Int

    init(_ numerator: Double, over denominator: Int) {
        self.numerator = numerator; self.denominator = denominator
        value = denominator > 0 ? numerator / Double(denominator) : nil
    }
}

/// The Customer Success assessment in three dimensions: valence (were the goals reached?),
/// congruence (did both sides agree on them before and confirm them after?) and certainty (is the
/// verdict backed by measurement rather than impression?).
public struct SuccessAssessment: Sendable, Equatable, Codable {
    public let goals: Int
    /// Over goals whose attainment is not open: (fully + 0.5·partly)/assessed.
    public let valence: DimensionScore
    public let reached: Int, partly: Int, notReached: Int, open: Int
    /// Share of all goals agreed by both sides.
    public let exAnteCongruence: DimensionScore
    /// Over goals reached partly or fully: share signed off by both sides.
    public let exPostCongruence: DimensionScore
    /// (agreed-by-both + signed-off-by-both)/(goals + attained goals): both congruences pooled, each
    /// weighted by the goals it is about.
    public let congruence: DimensionScore
    /// Over goals whose attainment is not open: share backed by a measured KPI.
    public let certainty: DimensionScore

    public static func assess(_ goals: [AssessedGoal]) -> SuccessAssessment {
        func count(_ holds: (AssessedGoal) -> Bool) -> Int { goals.reduce(0) { holds($1) ? $0 + 1 : $0 } }
        let reached = count { $0.attainment == .fully }
        let partly = count { $0.attainment == .partly }
        let notReached = count { $0.attainment == .none }
        let open = count { $0.attainment == .open }
        let assessed = goals.count - open
        let attained = reached + partly
        let agreed = count(\.agreedByBoth)
        // A sign-off confirms a result; on a goal not reached there is nothing to confirm.
        let signedOff = count { $0.isAttained && $0.signedOffByBoth }
        let measured = count { $0.attainment != .open && $0.backedByMeasuredKPI }
        return SuccessAssessment(
            goals: goals.count,
            valence: DimensionScore(Double(reached) + 0.5 * Double(partly), over: assessed),
            reached: reached, partly: partly, notReached: notReached, open: open,
            exAnteCongruence: DimensionScore(Double(agreed), over: goals.count),
            exPostCongruence: DimensionScore(Double(signedOff), over: attained),
            congruence: DimensionScore(Double(agreed + signedOff), over: goals.count + attained),
            certainty: DimensionScore(Double(measured), over: assessed))
    }
}
