import Fluent
import Foundation
import RapportKit
import SQLKit
import Vapor

/// One question to the roll-ups: which figure, grouped how, over which responses. Built from the
/// API's query string and from the dashboards' filter form, so both show the same numbers.
struct MetricRequest: Sendable {
    enum Figure: Sendable, Equatable {
        /// nps, csat, ces, ces_easy: each survey's headline question.
        case headline(CXMetricKind)
        /// mean(q), top2(q), nps(q) of one question id.
        case question(CXMetricKind, String)
        /// Response volume.
        case responses
        case index(key: String, name: String, formula: IndexFormula, target: Double?)
    }

    enum Dimension: String, Sendable, CaseIterable {
        case source, survey, touchpoint, channel, journey, phase, kind, segment, market, month, quarter, year
        var isTime: Bool { [.month, .quarter, .year].contains(self) }
    }

    var figure: Figure
    var groupBy: [Dimension] = []
    /// Days, yyyymmdd, both included.
    var from: Int
    var to: Int
    var surveys: [UUID] = []
    var touchpoints: [UUID] = []
    var journeys: [UUID] = []
    var phases: [UUID] = []
    var channels: [String] = []
    var segments: [String] = []
    var markets: [String] = []
    var kind: SurveyKind?
    /// Rolling window in months (each month shows the pooled counts of the window ending there).
    var window: Int?
    /// Adds to each group the same figure for the period just before, and whether it changed significantly.
    var compare = false

    static let filterKeys = ["metric", "group_by", "from", "to", "survey", "touchpoint", "journey", "phase", "channel", "segment", "market",
                             "kind", "window", "compare", "format"]

    /// The last twelve months up to today.
    static func defaultPeriod(now: Date = Date()) -> (Int, Int) {
        let today = RollupCalendar.day(now)
        return (RollupCalendar.month(today / 100, minus: 11) * 100 + 1, today)
    }

    /// Reads a query string. Unknown keys, malformed values and impossible periods are refused with
    /// the key and the reason; nothing is guessed.
    static func parse(_ query: [String: String], indices: [MetricIndex], now: Date = Date()) throws -> MetricRequest {
        var v = RapportKit.Validator()
        for key in query.keys.sorted() where !filterKeys.contains(key) {
            v.fail(key, "'\(key)' is not a filter; use \(filterKeys.filter { $0 != "format" }.joined(separator: ", "))")
        }
        func list(_ key: String) -> [String] {
            (query[key] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        func ids(_ key: String) -> [UUID] {
            list(key).compactMap { text in
                guard let id = UUID(uuidString: text) else { v.fail(key, "'\(text)' is not an id"); return nil }
                return id
            }
        }
        let figure = figure(query["metric"] ?? "nps", indices: indices, v: &v)
        var groupBy: [Dimension] = []
        for name in list("group_by") {
            guard let d = Dimension(rawValue: name) else {
                v.fail("group_by", "'\(name)' is not a dimension; use \(Dimension.allCases.map(\.rawValue).joined(separator: ", "))"); continue
            }
            if groupBy.contains(d) { v.fail("group_by", "'\(name)' is given twice") } else { groupBy.append(d) }
        }
        if groupBy.filter(\.isTime).count > 1 { v.fail("group_by", "group by one of month, quarter or year, not several") }
        let (defaultFrom, defaultTo) = defaultPeriod(now: now)
        var from = defaultFrom, to = defaultTo
        if let text = query["from"] {
            if let d = RollupCalendar.parse(text, end: false) { from = d } else { v.fail("from", "'\(text)' is not a date; write 2026-01 or 2026-01-15") }
        }
        if let text = query["to"] {
            if let d = RollupCalendar.parse(text, end: true) { to = d } else { v.fail("to", "'\(text)' is not a date; write 2026-12 or 2026-12-31") }
        }
        if from > to { v.fail("to", "the period ends (\(RollupCalendar.label(day: to))) before it starts (\(RollupCalendar.label(day: from)))") }
        if to / 10_000 - from / 10_000 > 20 { v.fail("from", "a period can span at most 20 years") }
        var kind: SurveyKind?
        if let text = query["kind"] {
            if let k = SurveyKind(rawValue: text) { kind = k } else { v.fail("kind", "'\(text)' is not a survey kind; use relationship or transactional") }
        }
        var window: Int?
        if let text = query["window"] {
            let digits = text.hasSuffix("m") ? String(text.dropLast()) : text
            if let w = Int(digits), (1...120).contains(w) { window = w } else { v.fail("window", "'\(text)' is not a window; give 1 to 120 months, e.g. 36 or 36m") }
            if !groupBy.contains(.month) { v.fail("window", "a rolling window needs group_by=month") }
        }
        var compare = false
        if let text = query["compare"] {
            switch text {
            case "previous", "true", "1": compare = true
            case "false", "0", "": compare = false
            default: v.fail("compare", "'\(text)' is not understood; use compare=previous")
            }
        }
        var request = MetricRequest(figure: figure ?? .responses, groupBy: groupBy, from: from, to: to)
        request.surveys = ids("survey")
        request.touchpoints = ids("touchpoint")
        request.journeys = ids("journey")
        request.phases = ids("phase")
        request.channels = list("channel")
        request.segments = list("segment")
        request.markets = list("market")
        request.kind = kind
        request.window = window
        request.compare = compare
        if !v.errors.isEmpty { throw AppError.validation(v.errors) }
        return request
    }

    static func figure(_ text: String, indices: [MetricIndex], v: inout RapportKit.Validator) -> Figure? {
        if let kind = CXMetricKind(rawValue: text), [.nps, .csat, .ces, .cesEasy].contains(kind) { return .headline(kind) }
        if text == "responses" { return .responses }
        if let open = text.firstIndex(of: "("), text.hasSuffix(")") {
            let fn = String(text[..<open]), arg = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            let kinds: [String: CXMetricKind] = ["mean": .mean, "top2": .topTwo, "nps": .nps]
            if let kind = kinds[fn], arg.wholeMatch(of: /[a-z][a-z0-9_]{0,39}(\.[a-z0-9][a-z0-9_]{0,39})?/) != nil { return .question(kind, arg) }
            v.fail("metric", "'\(text)' is not a metric: a question function is mean(question_id), top2(question_id) or nps(question_id)")
            return nil
        }
        if let index = indices.first(where: { $0.key == text }) {
            do {
                return .index(key: index.key, name: index.name, formula: try IndexFormula(index.formula), target: index.target)
            } catch {
                v.fail("metric", "the index '\(text)' has a formula that no longer parses: \(error.message)")
                return nil
            }
        }
        let known = (["nps", "csat", "ces", "ces_easy", "responses"] + indices.map(\.key)).joined(separator: ", ")
        v.fail("metric", "'\(text)' is not a metric; use \(known), mean(question), top2(question) or nps(question)")
        return nil
    }

    var isScore: Bool { if case .responses = figure { false } else { true } }
}

/// One figure of a result: a group's value, its interval, n and what the guardrail makes of it.
struct MetricGroup: Sendable, Encodable {
    struct Comparison: Sendable, Encodable {
        var previousN: Int
        var previousValue: Double?
        var difference: Double?
        var low: Double?
        var high: Double?
        var pValue: Double?
        var significant: Bool
        var method: String?
        enum CodingKeys: String, CodingKey {
            case previousN = "previous_n", previousValue = "previous_value", difference, low, high, pValue = "p_value", significant, method
        }
    }
    var key: [String: String]
    var n: Int
    var value: Double?
    var low: Double?
    var high: Double?
    var standardError: Double?
    var method: String?
    /// shown, bracketed, hidden (guardrail), not_pooled (the sources ask differently), no_data.
    var state: String
    var pooled: Bool
    var sources: Int
    var note: String?
    var comparison: Comparison?
    /// In a time series: a significant change against the period before.
    var changed: Bool?
    var direction: String?
    enum CodingKeys: String, CodingKey {
        case key, n, value, low, high, standardError = "standard_error", method, state, pooled, sources, note, comparison, changed, direction
    }
}

struct MetricResult: Sendable, Encodable {
    var metric: String
    var label: String
    var scale: [Double]
    var from: String
    var to: String
    var groupBy: [String]
    /// {"show_at": …, "bracket_at": …}: the API's keys are snake_case.
    var guardrail: [String: Int]
    var window: Int?
    var groups: [MetricGroup]
    var note: String?
    enum CodingKeys: String, CodingKey { case metric, label, scale, from, to, groupBy = "group_by", guardrail, window, groups, note }

    static let csvColumns = ["n", "value", "low", "high", "state", "pooled", "sources"]

    func csv() -> String {
        let keys = groupBy.flatMap { d -> [String] in ["survey", "touchpoint", "journey", "phase"].contains(d) ? [d, d + "_name"] : [d] }
            + (groups.first?.key.keys.filter { $0 == "kind" && !groupBy.contains("kind") } ?? [])
        let w = CSVWriter()
        var out = w.line(keys + Self.csvColumns + ["previous_value", "difference", "p_value", "significant"], neutralizeFormulas: true)
        func num(_ d: Double?) -> String { d.map { String(format: "%.4f", $0) } ?? "" }
        for g in groups {
            out += w.line(keys.map { g.key[$0] ?? "" } + [String(g.n), num(g.value), num(g.low), num(g.high), g.state, String(g.pooled), String(g.sources),
                                                           num(g.comparison?.previousValue), num(g.comparison?.difference), num(g.comparison?.pValue),
                                                           g.comparison.map { String($0.significant) } ?? ""], neutralizeFormulas: true)
        }
        return out
    }
}

/// Names and structure the roll-ups refer to by id.
struct MeasurementDimensions: Sendable {
    struct SurveyInfo: Sendable { var name: String; var kind: String; var journey: UUID? }
    struct TouchpointInfo: Sendable { var name: String; var journey: UUID?; var phases: [UUID] }
    var surveys: [UUID: SurveyInfo] = [:]
    var touchpoints: [UUID: TouchpointInfo] = [:]
    var journeys: [UUID: String] = [:]
    var phases: [UUID: String] = [:]
    /// The values the filters offer: account segments and countries, and the channels answers came
    /// through (only from `withChoices`).
    var segments: [String] = []
    var markets: [String] = []
    var channels: [String] = []

    static func load(_ scope: Scope) async throws -> MeasurementDimensions {
        var d = MeasurementDimensions()
        let sql = scope.db.sql
        struct S: Decodable { var id: UUID; var name: String; var kind: String; var journey_id: UUID? }
        for s in try await sql.select().columns("id", "name", "kind", "journey_id").from("surveys").where("workspace_id", .equal, SQLBind(scope.workspaceID)).all(decoding: S.self) {
            d.surveys[s.id] = SurveyInfo(name: s.name, kind: s.kind, journey: s.journey_id)
        }
        struct T: Decodable { var id: UUID; var name: String; var journey_id: UUID? }
        for t in try await sql.select().columns("id", "name", "journey_id").from("touchpoints").where("workspace_id", .equal, SQLBind(scope.workspaceID)).all(decoding: T.self) {
            d.touchpoints[t.id] = TouchpointInfo(name: t.name, journey: t.journey_id, phases: [])
        }
        struct J: Decodable { var id: UUID; var name: String }
        for j in try await sql.select().columns("id", "name").from("journeys").where("workspace_id", .equal, SQLBind(scope.workspaceID)).all(decoding: J.self) {
            d.journeys[j.id] = j.name
        }
        struct P: Decodable { var id: UUID; var name: String }
        for p in try await sql.raw("SELECT p.id, p.name FROM journey_phases p JOIN journeys j ON j.id = p.journey_id WHERE j.workspace_id = \(bind: scope.workspaceID)").all(decoding: P.self) {
            d.phases[p.id] = p.name
        }
        struct TP: Decodable { var touchpoint_id: UUID; var phase_id: UUID }
        for l in try await sql.raw("SELECT tp.touchpoint_id, tp.phase_id FROM touchpoint_phases tp JOIN touchpoints t ON t.id = tp.touchpoint_id WHERE t.workspace_id = \(bind: scope.workspaceID)").all(decoding: TP.self) {
            d.touchpoints[l.touchpoint_id]?.phases.append(l.phase_id)
        }
        return d
    }

    /// The same, with the values the filters offer (from `ChoiceCache`): pages with a filter form.
    static func withChoices(_ scope: Scope) async throws -> MeasurementDimensions {
        var d = try await load(scope)
        d.segments = try await ChoiceCache.shared.segments(scope)
        d.markets = try await ChoiceCache.shared.markets(scope)
        d.channels = try await ChoiceCache.shared.channels(scope)
        return d
    }
}

/// Answers a MetricRequest from the roll-ups.
enum MetricEngine {
    /// A row of summed counts from the roll-ups.
    struct Cell {
        var month: Int
        var survey: UUID
        var touchpoint: UUID
        var channel: String
        var segment: String
        var market: String
        var question: String
        var metric: String
        var scaleMax: Int
        var counts: ScoreCounts
    }

    /// Which roll-up rows a figure needs.
    struct Need: Hashable { var metric: String?; var question: String? }

    static func needs(_ figure: MetricRequest.Figure) -> [Need] {
        switch figure {
        case .headline(let k): [Need(metric: k == .cesEasy ? "ces" : k.rawValue, question: nil)]
        case .question(_, let q): [Need(metric: nil, question: q)]
        case .responses: [Need(metric: "responses", question: nil)]
        case .index(_, _, let formula, _): formula.references.map(need)
        }
    }

    static func need(_ r: IndexReference) -> Need {
        switch r {
        case .nps: Need(metric: "nps", question: nil)
        case .csat: Need(metric: "csat", question: nil)
        case .ces, .cesEasy: Need(metric: "ces", question: nil)
        case .mean(let q), .topTwo(let q), .npsOf(let q): Need(metric: nil, question: q)
        }
    }

    /// Summed roll-up counts of one group of a figure (and, with `bySource`, of one source in it).
    /// `sources` is how many distinct sources the group has, when the database counted them; a row
    /// with metric "#" carries only that.
    struct GroupRow {
        /// The group's values by field (survey, touchpoint, channel, journey, phase, kind, segment,
        /// market), ids as lower-case text.
        var values: [String: String]
        /// The first month of the row's time bucket (month, quarter or year), when grouped by time.
        var month: Int?
        var source: String?
        var metric: String
        var question: String
        var scaleMax: Int
        var counts: ScoreCounts
        var sources = 0
    }

    /// The roll-up columns a dimension needs, as (field, SQL expression).
    static func fields(_ groupBy: [MetricRequest.Dimension], sqlite: Bool) -> [(String, String)] {
        func id(_ e: String) -> String { sqlite ? e : "CAST(\(e) AS TEXT)" }
        var out: [(String, String)] = []
        func add(_ name: String, _ expression: String) { if !out.contains(where: { $0.0 == name }) { out.append((name, expression)) } }
        for d in groupBy {
            switch d {
            case .source: add("survey", id("r.survey_id")); add("touchpoint", id("r.touchpoint")); add("channel", "r.channel")
            case .survey: add("survey", id("r.survey_id"))
            case .touchpoint: add("touchpoint", id("r.touchpoint"))
            case .channel: add("channel", "r.channel")
            case .segment: add("segment", "r.segment")
            case .market: add("market", "r.market")
            case .kind: add("kind", "COALESCE(s.kind, '')")
            case .journey: add("journey", "COALESCE(\(id("COALESCE(t.journey_id, s.journey_id)")), '')")
            case .phase: add("phase", "COALESCE(\(id("p.phase_id")), '')")
            case .month, .quarter, .year: break
            }
        }
        return out
    }

    /// The roll-up cells that make up a period of days (both included): whole months from the month
    /// cells; a partial month either from its day cells, or from its month cell minus the day cells
    /// outside the period, whichever reads fewer days. Each range is (first, last, grain, sign).
    static func cellRanges(from: Int, to: Int) -> [(Int, Int, String, Int)] {
        var out: [(Int, Int, String, Int)] = []
        var month = from / 100
        while month <= to / 100 {
            let first = month * 100 + 1, last = RollupCalendar.lastDay(ofMonth: month)
            let lo = max(first, from), hi = min(last, to)
            let inside = hi - lo + 1, outside = (last - first + 1) - inside
            if outside == 0 {
                if let l = out.last, l.2 == "m", l.1 == RollupCalendar.month(month, minus: 1) { out[out.count - 1].1 = month } else { out.append((month, month, "m", 1)) }
            } else if inside <= outside {
                out.append((lo, hi, "d", 1))
            } else {
                out.append((month, month, "m", 1))
                if lo > first { out.append((first, lo - 1, "d", -1)) }
                if hi < last { out.append((hi + 1, last, "d", -1)) }
            }
            month = RollupCalendar.month(month, minus: -1)
        }
        return out
    }

    /// Reads a period's counts (days, both included) summed in the database per group of `groupBy`
    /// and per question. Only the groups cross into Swift, each with the number of distinct sources it
    /// pools (`bySource` keeps one row per source instead, for rolling windows that pool months).
    static func groupRows(_ request: MetricRequest, groupBy: [MetricRequest.Dimension], from: Int, to: Int, bySource: Bool, scope: Scope) async throws -> [GroupRow] {
        let sqlite = scope.db.isSQLite
        let bySegment = groupBy.contains(.segment) || groupBy.contains(.market) || !request.segments.isEmpty || !request.markets.isEmpty
        let fields = fields(groupBy, sqlite: sqlite)
        let month = "(CASE WHEN r.grain = 'm' THEN r.period ELSE r.period / 100 END)"
        var bucket: String?
        if groupBy.contains(.month) || bySource { bucket = month }
        if groupBy.contains(.quarter) { bucket = "(\(month) / 100 * 100 + ((\(month) % 100 - 1) / 3) * 3 + 1)" }
        if groupBy.contains(.year) { bucket = "(\(month) / 100 * 100 + 1)" }
        let ranges = cellRanges(from: from, to: to)
        let counts = Rollups.countColumns
        func range(_ b: (Int, Int, String, Int), _ q: inout SQLQueryString) {
            q.appendInterpolation(unsafeRaw: "(r.grain = '\(b.2)' AND r.period BETWEEN ")
            q.appendInterpolation(bind: b.0)
            q.appendLiteral(" AND ")
            q.appendInterpolation(bind: b.1)
            q.appendLiteral(")")
        }
        // Day cells outside the period count negatively against their month's cell.
        var sign = SQLQueryString("")
        let negative = ranges.filter { $0.3 < 0 }
        if !negative.isEmpty {
            sign = "CASE WHEN "
            for (i, b) in negative.enumerated() { if i > 0 { sign.appendLiteral(" OR ") }; range(b, &sign) }
            sign.appendLiteral(" THEN -1 ELSE 1 END * ")
        }
        // First the sums per group and source (a source whose answers all lie outside the period
        // nets to nothing and is dropped), then per group and question, with how many sources each sums.
        var select = fields.map { "\($0.1) AS f_\($0.0)" }
        if let bucket { select.append("\(bucket) AS b") }
        select += [sqlite ? "r.survey_id AS s_survey" : "CAST(r.survey_id AS TEXT) AS s_survey",
                   sqlite ? "r.touchpoint AS s_touchpoint" : "CAST(r.touchpoint AS TEXT) AS s_touchpoint", "r.channel AS s_channel",
                   "r.metric", "r.question", "r.scale_max"]
        let keys = fields.map { "f_\($0.0)" } + (bucket == nil ? [] : ["b"])
        let sourceKeys = ["s_survey", "s_touchpoint", "s_channel"]
        var q = SQLQueryString("WITH x AS (SELECT \(unsafeRaw: select.joined(separator: ", "))")
        for c in counts + ["n"] {
            q.appendInterpolation(unsafeRaw: ", CAST(SUM(")
            q += sign
            q.appendInterpolation(unsafeRaw: "r.\(c)) AS BIGINT) AS \(c)")
        }
        q.appendInterpolation(unsafeRaw: " FROM metric_rollups r")
        let names = Set(fields.map(\.0))
        if names.contains("kind") || names.contains("journey") { q.appendInterpolation(unsafeRaw: " LEFT JOIN surveys s ON s.id = r.survey_id") }
        if names.contains("journey") { q.appendInterpolation(unsafeRaw: " LEFT JOIN touchpoints t ON t.id = r.touchpoint") }
        if names.contains("phase") { q.appendInterpolation(unsafeRaw: " LEFT JOIN touchpoint_phases p ON p.touchpoint_id = r.touchpoint") }
        q.appendInterpolation(unsafeRaw: " WHERE r.workspace_id = ")
        q.appendInterpolation(bind: scope.workspaceID)
        q.appendInterpolation(unsafeRaw: bySegment ? " AND r.segment <> '*'" : " AND r.segment = '*' AND r.market = '*'")
        q.appendInterpolation(unsafeRaw: " AND (")
        for (i, b) in ranges.enumerated() { if i > 0 { q.appendLiteral(" OR ") }; range(b, &q) }
        q.appendLiteral(")")
        // Which rows the figure reads.
        q.appendInterpolation(unsafeRaw: " AND (")
        for (i, n) in Set(needs(request.figure)).enumerated() {
            if i > 0 { q.appendLiteral(" OR ") }
            if let m = n.metric { q.appendLiteral("r.metric = "); q.appendInterpolation(bind: m) }
            if let question = n.question { q.appendLiteral("(r.metric <> 'responses' AND r.question = "); q.appendInterpolation(bind: question); q.appendLiteral(")") }
        }
        q.appendLiteral(")")
        request.appendFilters(to: &q, scope: scope, survey: "r.survey_id", touchpoint: "r.touchpoint", channel: "r.channel", segment: "r.segment", market: "r.market")
        let inner = (select.indices.map { String($0 + 1) }).joined(separator: ", ")
        q.appendInterpolation(unsafeRaw: " GROUP BY \(inner) HAVING SUM(")
        q += sign
        q.appendInterpolation(unsafeRaw: "r.n) <> 0)")
        let withX = q
        let group = (keys + (bySource ? sourceKeys : [])).map { $0 + ", " }.joined()
        q.appendInterpolation(unsafeRaw: " SELECT \(group)metric, question, scale_max, \(counts.map { "CAST(SUM(\($0)) AS BIGINT) AS \($0)" }.joined(separator: ", ")), COUNT(*) AS k")
        q.appendInterpolation(unsafeRaw: " FROM x GROUP BY \(group)metric, question, scale_max")

        func decode(_ query: SQLQueryString) async throws -> [GroupRow] {
            var out: [GroupRow] = []
            for row in try await PlainRow.all(scope.db, query) {
                var values: [String: String] = [:]
                for (name, _) in fields {
                    let text = try row.text("f_" + name) ?? ""
                    values[name] = ["survey", "touchpoint", "journey", "phase"].contains(name) ? text.lowercased() : text
                }
                let metric = try row.required(try row.text("metric"), "metric")
                var numbers: [Int] = []
                for c in counts { numbers.append(try row.int(c) ?? 0) }
                var r = GroupRow(values: values, month: bucket == nil ? nil : try row.required(try row.int("b"), "b"),
                                 source: bySource ? [try row.text("s_survey"), try row.text("s_touchpoint"), try row.text("s_channel")].map { $0 ?? "" }.joined(separator: "|") : nil,
                                 metric: metric, question: try row.text("question") ?? "",
                                 scaleMax: try row.int("scale_max") ?? 0, counts: ScoreCounts())
                if metric == "#" {
                    r.sources = numbers[0]
                    if r.sources == 0 { continue }
                } else {
                    r.counts = ScoreCounts(counts: numbers)
                    r.sources = bySource ? 0 : try row.int("k") ?? 0
                }
                out.append(r)
            }
            return out
        }
        var out = try await decode(q)
        guard !bySource else { return out }
        // A group with one row (one question on one scale, the usual case) has as many sources as the
        // row sums. Only when some group has several does the database count distinct sources.
        struct GroupKey: Hashable { var values: [String: String]; var month: Int? }
        var rowsPerGroup: [GroupKey: Int] = [:]
        for r in out { rowsPerGroup[GroupKey(values: r.values, month: r.month), default: 0] += 1 }
        guard rowsPerGroup.values.contains(where: { $0 > 1 }) else { return out }
        for i in out.indices { out[i].sources = 0 }
        var distinct = withX
        let others = counts.dropFirst().map { "0 AS \($0)" }.joined(separator: ", ")
        distinct.appendInterpolation(unsafeRaw: " SELECT \(keys.map { $0 + ", " }.joined())'#' AS metric, '' AS question, 0 AS scale_max, COUNT(*) AS c0, \(others)")
        distinct.appendInterpolation(unsafeRaw: " FROM (SELECT DISTINCT \((keys + sourceKeys).joined(separator: ", ")) FROM x) d")
        if !keys.isEmpty { distinct.appendInterpolation(unsafeRaw: " GROUP BY \(keys.joined(separator: ", "))") }
        return out + (try await decode(distinct))
    }

    /// The counts of each reference of a figure within a set of cells, by scale (several scales mean
    /// the cells ask differently and cannot be pooled).
    struct Pool {
        var byReference: [IndexReference: [Int: ScoreCounts]] = [:]
        var sources = Set<String>()
        /// Set when the database counted the pool's distinct sources instead of listing them.
        var sourceCount: Int?
        var responses = 0
        var sourceTotal: Int { sourceCount ?? sources.count }
    }

    static func references(_ figure: MetricRequest.Figure) -> [IndexReference] {
        switch figure {
        case .headline(.nps): [.nps]
        case .headline(.csat): [.csat]
        case .headline(.ces): [.ces]
        case .headline(.cesEasy): [.cesEasy]
        case .headline: []
        case .question(.mean, let q): [.mean(q)]
        case .question(.topTwo, let q): [.topTwo(q)]
        case .question(_, let q): [.npsOf(q)]
        case .responses: []
        case .index(_, _, let f, _): f.references
        }
    }

    /// Adds a cell to a pool; says whether it counted towards a reference of the figure.
    @discardableResult
    static func add(_ cell: Cell, to pool: inout Pool, figure: MetricRequest.Figure) -> Bool {
        pool.sources.insert("\(cell.survey)|\(cell.touchpoint)|\(cell.channel)")
        return add(metric: cell.metric, question: cell.question, scaleMax: cell.scaleMax, counts: cell.counts, to: &pool, figure: figure)
    }

    static func add(_ row: GroupRow, to pool: inout Pool, figure: MetricRequest.Figure) {
        if row.metric == "#" { pool.sourceCount = row.sources; return }
        if row.sources > 0 { pool.sourceCount = row.sources }
        if let source = row.source { pool.sources.insert(source) }
        add(metric: row.metric, question: row.question, scaleMax: row.scaleMax, counts: row.counts, to: &pool, figure: figure)
    }

    @discardableResult
    static func add(metric: String, question: String, scaleMax: Int, counts: ScoreCounts, to pool: inout Pool, figure: MetricRequest.Figure) -> Bool {
        if metric == "responses" { pool.responses += counts.n; return false }
        var counted = false
        for r in references(figure) {
            let n = need(r)
            if let m = n.metric, m != metric { continue }
            if let q = n.question, q != question { continue }
            pool.byReference[r, default: [:]][scaleMax, default: ScoreCounts()] += counts
            counted = true
        }
        return counted
    }

    static func estimate(_ r: IndexReference, _ c: ScoreCounts, scaleMax: Int) -> CXEstimate? {
        switch r {
        case .nps, .npsOf: CXStatistics.nps(c)
        case .csat: CXStatistics.csat(c)
        case .ces: CXStatistics.cesMean(c)
        case .cesEasy: CXStatistics.cesEasy(c, scaleMax: scaleMax)
        case .mean: CXStatistics.mean(c)
        case .topTwo: CXStatistics.topTwo(c, scaleMax: scaleMax)
        }
    }

    static func kind(_ r: IndexReference) -> CXMetricKind {
        switch r {
        case .nps, .npsOf: .nps
        case .csat: .csat
        case .ces: .ces
        case .cesEasy: .cesEasy
        case .mean: .mean
        case .topTwo: .topTwo
        }
    }

    /// The figure of one pool, with the guardrail applied.
    static func figure(_ pool: Pool, _ figure: MetricRequest.Figure, guardrail: Guardrail, key: [String: String]) -> MetricGroup {
        var g = MetricGroup(key: key, n: 0, state: "no_data", pooled: pool.sourceTotal > 1, sources: pool.sourceTotal)
        if case .responses = figure {
            g.n = pool.responses
            g.value = Double(pool.responses)
            g.state = pool.responses > 0 ? "shown" : "no_data"
            return g
        }
        var estimates: [IndexReference: CXEstimate] = [:]
        for r in references(figure) {
            guard let byScale = pool.byReference[r], !byScale.isEmpty else { g.note = "no answers to \(r)"; return g }
            if byScale.count > 1 {
                g.n = byScale.values.map(\.n).reduce(0, +)
                g.state = "not_pooled"
                g.note = "the sources ask \(r) on different scales (\(byScale.keys.sorted().map { "1–\($0)" }.joined(separator: ", "))), so they are not pooled; show them per source"
                return g
            }
            let (scaleMax, counts) = byScale.first!
            if case .npsOf(let q) = r, scaleMax != 10 {
                g.n = counts.n; g.state = "undefined"; g.note = "nps(\(q)) needs a 0–10 question; '\(q)' runs 1–\(scaleMax)"
                return g
            }
            guard let e = estimate(r, counts, scaleMax: scaleMax) else { g.n = counts.n; return g }
            estimates[r] = e
        }
        switch figure {
        case .index(_, _, let formula, _):
            g.n = estimates.values.map(\.n).min() ?? 0
            switch formula.estimate(estimates.mapValues { ($0.value, $0.standardError) }) {
            case .success(let e):
                g.value = e.value; g.low = e.low; g.high = e.high; g.standardError = e.standardError; g.method = "delta-method"
            case .failure(let error):
                g.state = "undefined"; g.note = error.message
                return g
            }
        default:
            guard let e = estimates.values.first else { return g }
            g.n = e.n; g.value = e.value; g.low = e.low; g.high = e.high; g.standardError = e.standardError; g.method = e.method
        }
        g.state = guardrail.state(n: g.n).rawValue
        if g.state == "hidden" { g.value = nil; g.low = nil; g.high = nil; g.standardError = nil }
        return g
    }

    /// Compares two pools of a single-reference figure (indices: only their values, no test).
    static func compare(_ now: Pool, _ before: Pool, _ figure: MetricRequest.Figure, guardrail: Guardrail) -> MetricGroup.Comparison? {
        let refs = references(figure)
        let previous = self.figure(before, figure, guardrail: guardrail, key: [:])
        var c = MetricGroup.Comparison(previousN: previous.n, previousValue: previous.value, significant: false)
        guard refs.count == 1, let r = refs.first,
              let a = before.byReference[r], a.count == 1, let b = now.byReference[r], b.count == 1, a.keys.first == b.keys.first,
              guardrail.state(n: a.values.first!.n) != .hidden, guardrail.state(n: b.values.first!.n) != .hidden,
              let t = CXStatistics.compare(kind(r), a.values.first!, b.values.first!, scaleMax: a.keys.first!) else { return c }
        c.difference = t.difference; c.low = t.low; c.high = t.high; c.pValue = t.pValue; c.significant = t.significant; c.method = t.method
        return c
    }

    static func run(_ request: MetricRequest, scope: Scope, guardrail: Guardrail, dims given: MeasurementDimensions? = nil) async throws -> MetricResult {
        var dims: MeasurementDimensions
        if let given { dims = given } else { dims = try await MeasurementDimensions.load(scope) }
        var groupBy = request.groupBy
        // Relationship and transactional figures are never pooled together.
        if request.isScore && request.kind == nil && !groupBy.contains(.kind) && !groupBy.contains(.survey) && !groupBy.contains(.source) {
            groupBy.insert(.kind, at: 0)
        }
        let windowMonths = request.window ?? 1
        var fetchFrom = request.from
        if windowMonths > 1 { fetchFrom = RollupCalendar.month(request.from / 100, minus: windowMonths - 1) * 100 + 1 }
        let rows = try await groupRows(request, groupBy: groupBy, from: fetchFrom, to: request.to, bySource: windowMonths > 1, scope: scope)

        /// The group a row belongs to, with names beside ids; `month` is the time bucket's first month.
        func key(_ row: GroupRow, month: Int?) -> [String: String] {
            var k: [String: String] = [:]
            let v = row.values
            func uuid(_ text: String?) -> UUID? { text.flatMap(UUID.init(uuidString:)) }
            let none = Rollups.noTouchpoint.uuidString.lowercased()
            let touchpoint = v["touchpoint"].map { $0 == none ? "" : $0 } ?? ""
            func survey() {
                k["survey"] = v["survey"] ?? ""
                k["survey_name"] = uuid(v["survey"]).flatMap { dims.surveys[$0]?.name } ?? "?"
            }
            func touchpointAndName() {
                k["touchpoint"] = touchpoint
                k["touchpoint_name"] = uuid(touchpoint).flatMap { dims.touchpoints[$0]?.name } ?? ""
            }
            for d in groupBy {
                switch d {
                case .source:
                    k["source"] = "\(v["survey"] ?? "")|\(touchpoint)|\(v["channel"] ?? "")"
                    survey(); touchpointAndName(); k["channel"] = v["channel"] ?? ""
                case .survey: survey()
                case .touchpoint: touchpointAndName()
                case .channel: k["channel"] = v["channel"] ?? ""
                case .journey:
                    k["journey"] = v["journey"] ?? ""
                    k["journey_name"] = uuid(v["journey"]).flatMap { dims.journeys[$0] } ?? ""
                case .phase:
                    k["phase"] = v["phase"] ?? ""
                    k["phase_name"] = uuid(v["phase"]).flatMap { dims.phases[$0] } ?? ""
                case .kind: k["kind"] = v["kind"] ?? ""
                case .segment: k["segment"] = v["segment"] ?? ""
                case .market: k["market"] = v["market"] ?? ""
                case .month: k["month"] = RollupCalendar.label(month: month ?? row.month ?? 0)
                case .quarter:
                    let m = month ?? row.month ?? 0
                    k["quarter"] = String(format: "%04d-Q%d", m / 100, (m % 100 - 1) / 3 + 1)
                case .year: k["year"] = String((month ?? row.month ?? 0) / 100)
                }
            }
            return k
        }

        var pools: [[String: String]: Pool] = [:]
        var order: [[String: String]] = []
        let months = RollupCalendar.months(from: request.from / 100, to: request.to / 100)
        for row in rows {
            // With a window, a month's counts count towards each month of the period whose window holds it.
            let targets: [Int?] = windowMonths > 1
                ? months.filter { $0 >= row.month! && RollupCalendar.month($0, minus: windowMonths - 1) <= row.month! }
                : [nil]
            for target in targets {
                let k = key(row, month: target)
                if pools[k] == nil { order.append(k) }
                add(row, to: &pools[k, default: Pool()], figure: request.figure)
            }
        }
        let sortKeys = groupBy.map { d -> String in ["survey", "touchpoint", "journey", "phase"].contains(d.rawValue) ? d.rawValue + "_name" : d.rawValue }
        order.sort { a, b in
            for k in sortKeys where a[k] != b[k] { return (a[k] ?? "") < (b[k] ?? "") }
            return false
        }
        var groups = order.map { figure(pools[$0]!, request.figure, guardrail: guardrail, key: $0) }

        // Against the period before, of the same length.
        if request.compare && !groupBy.contains(where: \.isTime) {
            let days = Int(((RollupCalendar.start(ofDay: request.to)!.timeIntervalSince(RollupCalendar.start(ofDay: request.from)!)) / 86_400).rounded()) + 1
            let monthAligned = request.from % 100 == 1 && request.to == RollupCalendar.lastDay(ofMonth: request.to / 100)
            let prevTo = RollupCalendar.day(RollupCalendar.start(ofDay: request.from)!.addingTimeInterval(-86_400))
            let prevFrom = monthAligned
                ? RollupCalendar.month(request.from / 100, minus: months.count) * 100 + 1
                : RollupCalendar.day(RollupCalendar.start(ofDay: request.from)!.addingTimeInterval(-86_400 * Double(days)))
            var previous: [[String: String]: Pool] = [:]
            for row in try await groupRows(request, groupBy: groupBy, from: prevFrom, to: prevTo, bySource: false, scope: scope) {
                add(row, to: &previous[key(row, month: nil), default: Pool()], figure: request.figure)
            }
            for i in groups.indices {
                groups[i].comparison = compare(pools[groups[i].key]!, previous[groups[i].key] ?? Pool(), request.figure, guardrail: guardrail)
            }
        }
        // In a time series: did this period change significantly against the one before?
        if let time = groupBy.first(where: \.isTime), request.window == nil {
            var last: [[String: String]: [String: String]] = [:]
            for i in groups.indices {
                var series = groups[i].key
                series[time.rawValue] = nil
                if let prev = last[series], groups[i].state == "shown" || groups[i].state == "bracketed",
                   let c = compare(pools[groups[i].key]!, pools[prev]!, request.figure, guardrail: guardrail) {
                    groups[i].changed = c.significant
                    if c.significant, let d = c.difference { groups[i].direction = d > 0 ? "up" : "down" }
                }
                last[series] = groups[i].key
            }
        }
        return MetricResult(metric: metricName(request.figure), label: label(request.figure), scale: scale(request.figure),
                            from: RollupCalendar.label(day: request.from), to: RollupCalendar.label(day: request.to),
                            groupBy: groupBy.map(\.rawValue), guardrail: ["show_at": guardrail.showAt, "bracket_at": guardrail.bracketAt], window: request.window, groups: groups,
                            note: groups.isEmpty ? "no responses match these filters in this period" : nil)
    }

    static func metricName(_ f: MetricRequest.Figure) -> String {
        switch f {
        case .headline(let k): k.rawValue
        case .question(let k, let q): "\(k == .topTwo ? "top2" : k.rawValue)(\(q))"
        case .responses: "responses"
        case .index(let key, _, _, _): key
        }
    }

    static func label(_ f: MetricRequest.Figure) -> String {
        switch f {
        case .headline(.nps): "NPS"
        case .headline(.csat): "CSAT (% top-two boxes)"
        case .headline(.ces): "CES (mean)"
        case .headline(.cesEasy): "CES (% easy)"
        case .headline(let k): k.rawValue
        case .question(.mean, let q): "mean of \(q)"
        case .question(.topTwo, let q): "% top-two boxes of \(q)"
        case .question(_, let q): "NPS of \(q)"
        case .responses: "responses"
        case .index(_, let name, _, _): name
        }
    }

    static func scale(_ f: MetricRequest.Figure) -> [Double] {
        switch f {
        case .headline(.nps), .question(.nps, _): [-100, 100]
        case .headline(.ces), .question(.mean, _): [1, 7]
        case .responses: [0, 0]
        case .index: [0, 0]
        default: [0, 100]
        }
    }
}

extension MetricRequest {
    /// The filters as SQL conditions, for the roll-ups and for the raw responses alike (the column
    /// expressions differ: the raw table keeps NULLs where roll-ups keep '' and the no-touchpoint key).
    func appendFilters(to q: inout SQLQueryString, scope: Scope, survey: String = "survey_id", touchpoint: String, channel: String, segment: String, market: String) {
        func list<T: Encodable & Sendable>(_ values: [T]) {
            for (i, v) in values.enumerated() { if i > 0 { q.appendLiteral(", ") }; q.appendInterpolation(bind: v) }
        }
        func inList<T: Encodable & Sendable>(_ expression: String, _ values: [T]) {
            guard !values.isEmpty else { return }
            q.appendInterpolation(unsafeRaw: " AND \(expression) IN (")
            list(values)
            q.appendLiteral(")")
        }
        inList(survey, surveys)
        inList(touchpoint, touchpoints)
        inList(channel, channels)
        inList(segment, segments)
        inList(market, markets)
        if !journeys.isEmpty {
            q.appendInterpolation(unsafeRaw: " AND (\(touchpoint) IN (SELECT id FROM touchpoints WHERE workspace_id = ")
            q.appendInterpolation(bind: scope.workspaceID)
            q.appendLiteral(" AND journey_id IN (")
            list(journeys)
            q.appendInterpolation(unsafeRaw: ")) OR \(survey) IN (SELECT id FROM surveys WHERE workspace_id = ")
            q.appendInterpolation(bind: scope.workspaceID)
            q.appendLiteral(" AND journey_id IN (")
            list(journeys)
            q.appendLiteral(")))")
        }
        if !phases.isEmpty {
            q.appendInterpolation(unsafeRaw: " AND \(touchpoint) IN (SELECT touchpoint_id FROM touchpoint_phases WHERE phase_id IN (")
            list(phases)
            q.appendLiteral("))")
        }
        if let kind {
            q.appendInterpolation(unsafeRaw: " AND \(survey) IN (SELECT id FROM surveys WHERE workspace_id = ")
            q.appendInterpolation(bind: scope.workspaceID)
            q.appendLiteral(" AND kind = ")
            q.appendInterpolation(bind: kind.rawValue)
            q.appendLiteral(")")
        }
    }
}
