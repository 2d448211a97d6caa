import Foundation

/// Whether a goal is the customer's long-term aim or a step on the way.
public enum GoalHorizon: String, CaseIterable, Sendable, Codable { case strategic, tactical }

/// The goal hierarchy of goal-setting research: the superordinate goal says why, the focal goal what,
/// the subordinate goal how.
public enum GoalLevel: String, CaseIterable, Sendable, Codable {
    case superordinate, focal, subordinate
    var depth: Int { GoalLevel.allCases.firstIndex(of: self)! }
}

/// Where a KPI's measured values come from: typed in, counted from usage events, or from survey answers.
public enum KPISource: String, CaseIterable, Sendable, Codable { case manual, usage, survey }

public enum SuccessPhase: String, CaseIterable, Sendable, Codable { case activation, adoption, optimization }

public enum GoalRules {
    /// The goals along the loop that making `parent` the parent of `goal` would close (starting with
    /// `goal`), or nil when the tree stays a tree. `parents` maps each goal to its current parent.
    public static func cycle(goal: UUID, parent: UUID?, parents: [UUID: UUID]) -> [UUID]? {
        guard var current = parent else { return nil }
        var path = [goal]
        var seen: Set<UUID> = [goal]
        while true {
            path.append(current)
            if current == goal { return path }
            // A loop that does not pass through `goal` is old damage, not this change's doing.
            guard seen.insert(current).inserted, let next = parents[current] else { return nil }
            current = next
        }
    }

    /// A goal may not sit above its parent in the why → what → how order (a subordinate goal cannot
    /// have a focal goal below it); goals on the same level may nest.
    public static func levelProblem(child: GoalLevel, parent: GoalLevel) -> String? {
        child.depth < parent.depth
            ? "a \(child.rawValue) goal cannot be placed below a \(parent.rawValue) goal: superordinate goals say why, focal goals what, subordinate goals how"
            : nil
    }

    /// The problems of a KPI definition, by field.
    public static func kpiProblems(unit: String?, baseline: Double?, target: Double?, baselineOn: DateOnly?, deadline: DateOnly?) -> [FieldError] {
        var errors: [FieldError] = []
        if (unit?.trimmed ?? "").isEmpty { errors.append(FieldError("unit", "is required: say what the numbers count, e.g. %, hours, tickets per week")) }
        for (name, value) in [("baseline", baseline), ("target", target)] {
            if let v = value, !v.isFinite { errors.append(FieldError(name, "must be a finite number")) }
        }
        if let b = baseline, let t = target, b == t {
            errors.append(FieldError("target", "equals the baseline (\(b)): a KPI needs a target that differs from where it starts"))
        }
        if let s = baselineOn, let d = deadline, d <= s {
            errors.append(FieldError("deadline", "\(d.iso) is not after the baseline date \(s.iso)"))
        }
        return errors
    }

    /// How far a KPI has come from baseline towards target (0 = at baseline, 1 = target reached), for
    /// targets above and below the baseline alike; not clamped, so overshooting and going backwards show.
    public static func progress(baseline: Double, target: Double, current: Double) -> Double? {
        guard target != baseline, baseline.isFinite, target.isFinite, current.isFinite else { return nil }
        // Values near the limits of Double can overflow the differences; such a ratio means nothing.
        let p = (current - baseline) / (target - baseline)
        return p.isFinite ? p : nil
    }
}
