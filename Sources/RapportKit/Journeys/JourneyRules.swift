import Foundation

/// The rules of the journey model that hold whatever stores it.
public enum JourneyRules {
    /// A slug from a name: folded to lower-case ASCII (ä → ae, ß → ss), words joined by "-".
    public static func slug(from name: String) -> String {
        var out = ""
        var pendingDash = false
        // German umlauts as German writes them without: Prüfung → pruefung, not prufung.
        var german = name
        for (from, to) in [("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss")] {
            german = german.replacingOccurrences(of: from, with: to)
        }
        for scalar in searchKey(german).unicodeScalars {
            let c = Character(scalar)
            if ("a"..."z").contains(c) || ("0"..."9").contains(c) {
                if pendingDash && !out.isEmpty { out.append("-") }
                out.append(c)
                pendingDash = false
            } else {
                pendingDash = true
            }
            if out.count >= 60 { break }
        }
        return out.isEmpty ? "untitled" : out
    }

    /// Why a given slug cannot be used, or nil. Slugs go into URLs and import files, so they stay plain.
    public static func slugProblem(_ slug: String) -> String? {
        guard !slug.isEmpty, slug.count <= 60 else { return "must be 1 to 60 characters" }
        let ok = slug.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
        guard ok, let first = slug.unicodeScalars.first, first != "-", first != "_" else {
            return "'\(slug)' may hold only lower-case letters a–z, digits, '-' and '_', and must start with a letter or digit; e.g. '\(self.slug(from: slug))'"
        }
        return nil
    }

    /// Why a URL cannot be stored, or nil: only absolute http(s) addresses, so a link never runs script.
    public static func urlProblem(_ text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else {
            return "'\(text.prefix(80))' is not a web address; write it with http:// or https://"
        }
        return nil
    }

    /// Where a new phase may go: positions run 1…count+1, so that the order never has a gap.
    public static func insertPositionProblem(_ position: Int, phaseCount: Int) -> String? {
        guard position >= 1 else { return "must be 1 or more" }
        guard position <= phaseCount + 1 else {
            return "\(position) would leave a gap: the journey has \(phaseCount) phase\(phaseCount == 1 ? "" : "s"), so a new phase goes at 1 to \(phaseCount + 1)"
        }
        return nil
    }

    /// Where an existing phase may move: positions run 1…count.
    public static func movePositionProblem(_ position: Int, phaseCount: Int) -> String? {
        guard (1...max(phaseCount, 1)).contains(position) else {
            return "\(position) is outside the journey's phases: use 1 to \(phaseCount)"
        }
        return nil
    }

    /// A complete order must number the phases 1…n, each once. Names every gap and every duplicate.
    public static func orderProblems(_ positions: [Int]) -> [String] {
        var problems: [String] = []
        var seen: [Int: Int] = [:]
        for p in positions { seen[p, default: 0] += 1 }
        for (p, count) in seen.sorted(by: { $0.key < $1.key }) where count > 1 {
            problems.append("position \(p) is given \(count) times")
        }
        let n = positions.count
        let missing = (1...max(n, 1)).filter { seen[$0] == nil && n > 0 }
        if !missing.isEmpty { problems.append("position\(missing.count == 1 ? "" : "s") \(missing.map(String.init).joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") missing (positions must run from 1 to \(n) without gaps)") }
        for p in seen.keys.sorted() where p < 1 || p > n { problems.append("position \(p) is outside 1 to \(n)") }
        return problems
    }

    /// Whether making `node` a child of `parent` closes a loop, given each node's current parent.
    /// Also refuses a node as its own parent. Stops after `limit` steps on broken data.
    public static func wouldCycle<ID: Hashable>(node: ID, parent: ID?, parentOf: (ID) -> ID?, limit: Int = 1000) -> Bool {
        var cursor = parent
        var steps = 0
        while let c = cursor {
            if c == node { return true }
            steps += 1
            if steps > limit { return true }
            cursor = parentOf(c)
        }
        return false
    }
}

/// One person's judgement of one touchpoint at one time (seed 002, "Phönix").
public struct AssessmentScore: Sendable, Equatable {
    public let assessor: String
    public let at: Date
    public let relevance: Int
    public let quality: Int
    public init(assessor: String, at: Date, relevance: Int, quality: Int) {
        self.assessor = assessor; self.at = at; self.relevance = relevance; self.quality = quality
    }
}

/// Where a touchpoint stands by its assessments: each assessor counts once, with their latest
/// judgement, so one enthusiastic colleague re-assessing ten times does not outweigh the team.
public struct AssessmentSummary: Sendable, Equatable {
    public let relevance: Double
    public let quality: Double
    /// Assessors counted (one latest assessment each).
    public let n: Int
    /// All assessments ever recorded, including superseded ones.
    public let total: Int
    public let lastAssessedAt: Date
    public let relevanceRange: ClosedRange<Int>
    public let qualityRange: ClosedRange<Int>

    /// Each assessor's latest judgement; of two at the same instant, the later in the list.
    public static func latestPerAssessor(_ scores: [AssessmentScore]) -> [AssessmentScore] {
        var latest: [String: AssessmentScore] = [:]
        for s in scores where (latest[s.assessor]?.at ?? .distantPast) <= s.at { latest[s.assessor] = s }
        return Array(latest.values)
    }

    public static func of(_ scores: [AssessmentScore]) -> AssessmentSummary? {
        guard !scores.isEmpty else { return nil }
        let current = latestPerAssessor(scores)
        let n = current.count
        let rel = current.map(\.relevance), qual = current.map(\.quality)
        return AssessmentSummary(
            relevance: Double(rel.reduce(0, +)) / Double(n), quality: Double(qual.reduce(0, +)) / Double(n), n: n,
            total: scores.count, lastAssessedAt: scores.map(\.at).max()!,
            relevanceRange: rel.min()!...rel.max()!, qualityRange: qual.min()!...qual.max()!)
    }
}

/// A mean with its n and a 95% confidence interval (Student's t), for values such as the assessed
/// quality of a phase. With n = 1 there is no interval.
public struct MeanEstimate: Sendable, Equatable {
    public let mean: Double
    public let n: Int
    public let low: Double?
    public let high: Double?

    public static func of(_ values: [Double]) -> MeanEstimate? {
        guard !values.isEmpty else { return nil }
        let n = values.count
        let mean = values.reduce(0, +) / Double(n)
        guard n > 1 else { return MeanEstimate(mean: mean, n: 1, low: nil, high: nil) }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        let half = tQuantile975(df: n - 1) * (variance / Double(n)).squareRoot()
        return MeanEstimate(mean: mean, n: n, low: mean - half, high: mean + half)
    }

    /// The 97.5% quantile of Student's t for df degrees of freedom (two-sided 95%): exact table to 30,
    /// then the Cornish–Fisher expansion, which is within 1e-4 beyond that.
    public static func tQuantile975(df: Int) -> Double {
        let table: [Double] = [12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
                               2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
                               2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423]
        if df >= 1 && df <= 30 { return table[df - 1] }
        let z = 1.959964, v = Double(max(df, 1))
        let g1 = (pow(z, 3) + z) / 4
        let g2 = (5 * pow(z, 5) + 16 * pow(z, 3) + 3 * z) / 96
        let g3 = (3 * pow(z, 7) + 19 * pow(z, 5) + 17 * pow(z, 3) - 15 * z) / 384
        return z + g1 / v + g2 / (v * v) + g3 / (v * v * v)
    }
}

/// The emotion curve of a journey map until survey results exist: per phase, the assessed quality of
/// its touchpoints (each assessor's latest judgement, pooled), with how many stand behind it.
public enum EmotionCurve {
    public struct Point: Sendable, Equatable {
        public let phase: String
        public let estimate: MeanEstimate?
        /// Touchpoints of the phase with at least one assessment, and all touchpoints of the phase.
        public let assessedTouchpoints: Int
        public let touchpoints: Int
    }

    /// `phases` in order; `touchpointsByPhase[phase]` the touchpoint keys; `latestQualities[touchpoint]`
    /// the latest quality of each assessor.
    public static func fromAssessments(phases: [String], touchpointsByPhase: [String: [String]],
                                       latestQualities: [String: [Int]]) -> [Point] {
        phases.map { phase in
            let tps = touchpointsByPhase[phase] ?? []
            let values = tps.flatMap { latestQualities[$0] ?? [] }.map(Double.init)
            let assessed = tps.filter { !(latestQualities[$0] ?? []).isEmpty }.count
            return Point(phase: phase, estimate: MeanEstimate.of(values), assessedTouchpoints: assessed, touchpoints: tps.count)
        }
    }
}

/// How far a journey is on the four omnichannel milestones.
public struct MaturityProgress: Sendable, Equatable {
    public let levels: [MaturityMilestone: MaturityLevel]

    public init(levels: [MaturityMilestone: MaturityLevel]) { self.levels = levels }

    public func level(_ m: MaturityMilestone) -> MaturityLevel { levels[m] ?? .notStarted }

    /// Share of the way, 0…100: each milestone counts 0 (not started), 1 (partly) or 2 (achieved) of 8.
    public var percent: Int { MaturityMilestone.allCases.reduce(0) { $0 + level($1).points } * 100 / (2 * MaturityMilestone.allCases.count) }

    /// The milestones reached in order: the stage is the count of achieved milestones before the first
    /// one that is not — a later milestone reached early does not skip an earlier one.
    public var stage: Int { MaturityMilestone.allCases.prefix { level($0) == .achieved }.count }
}

/// Groups rows by a field that may hold several values (products, departments, phases): a row appears
/// in each of its groups, rows without a value in the `none` group, groups sorted by name (none last).
public func groupRows<Row>(_ rows: [Row], none: String, by keys: (Row) -> [String]) -> [(key: String, rows: [Row])] {
    var groups: [String: [Row]] = [:]
    var empty: [Row] = []
    for row in rows {
        let ks = Set(keys(row).filter { !$0.isEmpty })
        if ks.isEmpty { empty.append(row) }
        for k in ks { groups[k, default: []].append(row) }
    }
    var out = groups.map { (key: $0.key, rows: $0.value) }.sorted { searchKey($0.key) < searchKey($1.key) }
    if !empty.isEmpty { out.append((key: none, rows: empty)) }
    return out
}
