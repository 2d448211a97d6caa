import Crypto
import Fluent
import Foundation
import RapportKit
import SQLKit
import Vapor

/// A frozen KPI: its value as computed from the raw responses when it was frozen, a digest of exactly
/// which answers went in, the method, who and when, and the hash of the snapshot before it. Changing
/// any stored answer or any snapshot afterwards shows up in `verify`.
final class KPISnapshot: TenantModel, @unchecked Sendable {
    static let schema = "kpi_snapshots"
    static let entityName = "KPI snapshot"
    static var workspaceField: KeyPath<KPISnapshot, FieldProperty<KPISnapshot, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "seq") var seq: Int
    @Field(key: "name") var name: String
    /// The figure's query (metric, period, filters) as canonical JSON.
    @Field(key: "spec") var spec: String
    @OptionalField(key: "value") var value: Double?
    @Field(key: "n") var n: Int
    @OptionalField(key: "low") var low: Double?
    @OptionalField(key: "high") var high: Double?
    @Field(key: "inputs_digest") var inputsDigest: String
    @Field(key: "method_version") var methodVersion: String
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "prev_hash") var prevHash: String
    @Field(key: "hash") var hash: String
    init() {}

    /// The hash over everything the snapshot says and the hash before it.
    var computedHash: String {
        func num(_ d: Double?) -> String { d.map { String(format: "%.6f", $0) } ?? "null" }
        let ms = Int64((createdAt.timeIntervalSince1970 * 1_000).rounded())
        let content = ["rapport-kpi-1", String(seq), name, spec, num(value), String(n), num(low), num(high), inputsDigest, methodVersion,
                       createdBy, String(ms), prevHash].joined(separator: "\n")
        return SHA256.hash(data: Data(content.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

struct KPISnapshotDTO: Codable {
    var id: UUID
    var seq: Int
    var name: String
    var query: [String: String]
    var value: Double?
    var n: Int
    var low: Double?
    var high: Double?
    var inputsDigest: String
    var methodVersion: String
    var createdBy: String
    var createdAt: Date
    var prevHash: String
    var hash: String
    enum CodingKeys: String, CodingKey {
        case id, seq, name, query, value, n, low, high, inputsDigest = "inputs_digest", methodVersion = "method_version", createdBy = "created_by"
        case createdAt = "created_at", prevHash = "prev_hash", hash
    }
    init(_ s: KPISnapshot) {
        id = s.id!; seq = s.seq; name = s.name; query = (try? PlainJSON.decode([String: String].self, from: Data(s.spec.utf8))) ?? [:]
        value = s.value; n = s.n; low = s.low; high = s.high; inputsDigest = s.inputsDigest; methodVersion = s.methodVersion
        createdBy = s.createdBy; createdAt = s.createdAt; prevHash = s.prevHash; hash = s.hash
    }
}

struct KPIFreezeInput: Codable {
    var name: String?
    var query: [String: String]?
}

struct KPIVerification: Codable, Sendable {
    var seq: Int
    var name: String
    var status: String          // verified or broken
    var problems: [String]
    var value: Double?
    var recomputedValue: Double?
    var n: Int
    var recomputedN: Int?
    enum CodingKeys: String, CodingKey {
        case seq, name, status, problems, value, recomputedValue = "recomputed_value", n, recomputedN = "recomputed_n"
    }
}

enum KPISnapshots {
    static let methodVersion = "rapport-measurement-1 (NPS Wald-trinomial, CSAT/CES-easy Wilson, means Student-t, indices delta method)"
    static let genesis = String(repeating: "0", count: 64)
    /// The query keys a KPI may carry: one figure, no grouping.
    static let specKeys = ["metric", "from", "to", "survey", "touchpoint", "journey", "phase", "channel", "segment", "market", "kind"]

    /// The figure from the raw responses, never from the roll-ups: what was frozen must be
    /// recomputable from the answers themselves.
    static func compute(_ query: [String: String], scope: Scope) async throws -> (group: MetricGroup, digest: String) {
        let indices = try await scope.query(MetricIndex.self).all()
        let request = try MetricRequest.parse(query, indices: indices)
        let (pool, lines) = try await rawPools(request, scope: scope) { _ in "" }[""] ?? (MetricEngine.Pool(), [])
        let everything = Guardrail(showAt: 1, bracketAt: 1)
        let group = MetricEngine.figure(pool, request.figure, guardrail: everything, key: [:])
        let digest = SHA256.hash(data: Data(lines.joined(separator: "\n").utf8)).map { String(format: "%02x", $0) }.joined()
        return (group, digest)
    }

    struct RawRow: Decodable {
        var id: UUID; var survey_id: UUID; var survey_version: Int; var touchpoint_id: UUID?; var channel: String?
        var segment: String?; var market: String?; var account_id: UUID?; var answers: String; var submitted_at: Date
    }

    /// Counts a request's figure straight from the raw responses (no roll-ups), pooled per group that
    /// `group` names (nil leaves a response out), with one line per counted answer for a digest.
    /// `narrow` adds conditions to the WHERE clause, e.g. which accounts.
    static func rawPools(_ request: MetricRequest, scope: Scope, narrow: SQLQueryString? = nil,
                         group: (RawRow) -> String?) async throws -> [String: (pool: MetricEngine.Pool, lines: [String])] {
        var sql = rawQuery(request, scope: scope, columns: "id, survey_id, survey_version, touchpoint_id, channel, segment, market, account_id, answers, submitted_at")
        if let narrow { sql += narrow }
        let rows = try await scope.db.sql.raw(sql).all(decoding: RawRow.self)
        var definitions: [String: SurveyDefinition] = [:]
        for v in try await scope.query(SurveyVersion.self).filter(\.$surveyID ~~ Set(rows.map(\.survey_id))).all() {
            if let d = try? v.decoded() { definitions["\(v.surveyID)/\(v.number)"] = d }
        }
        var out: [String: (pool: MetricEngine.Pool, lines: [String])] = [:]
        let decoder = JSONDecoder()
        for r in rows.sorted(by: { $0.id.uuidString < $1.id.uuidString }) {
            guard let key = group(r) else { continue }
            var entry = out[key] ?? (MetricEngine.Pool(), [])
            let scores = definitions["\(r.survey_id)/\(r.survey_version)"].map {
                $0.rollupScores((try? decoder.decode([String: Answer].self, from: Data(r.answers.utf8))) ?? [:])
            } ?? []
            let month = RollupCalendar.month(r.submitted_at)
            for s in [RollupScore(metric: "responses", question: "", scaleMax: 0, value: 0)] + scores {
                var counts = ScoreCounts()
                counts.add(s.value)
                let cell = MetricEngine.Cell(month: month, survey: r.survey_id, touchpoint: r.touchpoint_id ?? Rollups.noTouchpoint, channel: r.channel ?? "",
                                             segment: r.segment ?? "", market: r.market ?? "", question: s.question, metric: s.metric,
                                             scaleMax: s.scaleMax, counts: counts)
                if MetricEngine.add(cell, to: &entry.pool, figure: request.figure) {
                    entry.lines.append("\(r.id.uuidString.lowercased()) \(s.question)=\(s.value)")
                }
            }
            out[key] = entry
        }
        return out
    }

    /// The complete responses a request's period and filters select, straight from the responses table.
    static func rawQuery(_ request: MetricRequest, scope: Scope, columns: String) -> SQLQueryString {
        var sql = SQLQueryString("SELECT \(unsafeRaw: columns) FROM survey_responses WHERE workspace_id = ")
        sql.appendInterpolation(bind: scope.workspaceID)
        sql.appendLiteral(" AND status = 'complete' AND submitted_at >= ")
        sql.appendInterpolation(bind: RollupCalendar.start(ofDay: request.from)!)
        sql.appendLiteral(" AND submitted_at < ")
        sql.appendInterpolation(bind: RollupCalendar.start(ofDay: request.to)!.addingTimeInterval(86_400))
        request.appendFilters(to: &sql, scope: scope, touchpoint: "touchpoint_id", channel: "COALESCE(channel, '')",
                              segment: "COALESCE(segment, '')", market: "COALESCE(market, '')")
        return sql
    }

    /// The newest responses behind a figure, for drilling down.
    static func rawResponses(_ request: MetricRequest, scope: Scope, limit: Int) async throws -> [SurveyResponse] {
        var sql = rawQuery(request, scope: scope, columns: "id")
        sql.appendInterpolation(unsafeRaw: " ORDER BY submitted_at DESC LIMIT \(limit)")
        struct R: Decodable { var id: UUID }
        let ids = try await scope.db.sql.raw(sql).all(decoding: R.self).map(\.id)
        guard !ids.isEmpty else { return [] }
        return try await scope.query(SurveyResponse.self).filter(\.$id ~~ ids).sort(\.$submittedAt, .descending).all()
    }

    static func checkedSpec(_ query: [String: String]?) throws -> [String: String] {
        var v = RapportKit.Validator()
        let q = query ?? [:]
        for key in q.keys.sorted() where !specKeys.contains(key) {
            v.fail("query.\(key)", "'\(key)' cannot be part of a KPI; a KPI is one figure: use \(specKeys.joined(separator: ", "))")
        }
        if q["from"] == nil || q["to"] == nil { v.fail("query", "a KPI needs its period: from and to, e.g. 2025-01 and 2025-12") }
        let metric = q["metric"] ?? "nps"
        if metric != "responses" && q["kind"] == nil && q["survey"] == nil {
            v.fail("query.kind", "name kind (relationship or transactional) or a survey, so relationship and transactional answers are not pooled")
        }
        try v.finish()
        return q
    }

    static func freeze(name: String?, query: [String: String]?, scope: Scope, caller: Caller) async throws -> KPISnapshot {
        var v = RapportKit.Validator()
        let name = v.text("name", name, required: true, maxLength: 120)
        try v.finish()
        let spec = try checkedSpec(query)
        let (group, digest) = try await compute(spec, scope: scope)
        if group.value == nil {
            throw AppError.invalid("query", "there is nothing to freeze: \(group.note ?? "no answers match in this period") (n = \(group.n))")
        }
        let guardrail = try await MeasurementSettingsStore.load(scope).guardrail
        if guardrail.state(n: group.n) == .hidden {
            throw AppError.invalid("query", "only \(group.n) answers: below the workspace's guardrail of \(guardrail.bracketAt), a figure is too uncertain to freeze")
        }
        if let to = spec["to"].flatMap({ RollupCalendar.parse($0, end: true) }), to >= RollupCalendar.day(Date()) {
            throw AppError.invalid("query.to", "the period has not ended yet (it runs to \(RollupCalendar.label(day: to))): answers still arriving would break the snapshot")
        }
        let snapshot = KPISnapshot()
        snapshot.id = .timeOrdered()
        snapshot.workspaceID = scope.workspaceID
        snapshot.name = name!
        snapshot.spec = PlainJSON.encode(spec)
        // + 0.0 turns −0.0 into 0.0, which SQLite would do on storing and the hash would notice.
        snapshot.value = group.value.map { $0 + 0.0 }
        snapshot.n = group.n
        snapshot.low = group.low.map { $0 + 0.0 }
        snapshot.high = group.high.map { $0 + 0.0 }
        snapshot.inputsDigest = digest
        snapshot.methodVersion = methodVersion
        snapshot.createdBy = caller.label
        snapshot.createdAt = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1_000).rounded() / 1_000)
        try await scope.db.writeTransaction(workspace: scope.workspaceID) { db in
            let last = try await KPISnapshot.query(on: db).filter(\.$workspaceID == scope.workspaceID).sort(\.$seq, .descending).first()
            snapshot.seq = (last?.seq ?? 0) + 1
            snapshot.prevHash = last?.hash ?? genesis
            snapshot.hash = snapshot.computedHash
            try await snapshot.create(on: db)
            try await Audit.record("create", "kpi_snapshot", id: snapshot.id, before: String?.none, after: PlainJSON.encode(KPISnapshotDTO(snapshot)), by: caller, on: db)
        }
        return snapshot
    }

    /// Recomputes every snapshot of a workspace from the raw responses and checks the hash chain.
    static func verify(scope: Scope) async throws -> [KPIVerification] {
        var out: [KPIVerification] = []
        var previousHash = genesis
        for s in try await scope.query(KPISnapshot.self).sort(\.$seq).all() {
            var problems: [String] = []
            if s.prevHash != previousHash { problems.append("the chain is broken: it points to \(s.prevHash.prefix(12))…, but the snapshot before it has \(previousHash.prefix(12))…") }
            if s.computedHash != s.hash { problems.append("the snapshot was changed after it was frozen: its content no longer matches its hash") }
            previousHash = s.hash
            var recomputed: MetricGroup?
            do {
                let query = try PlainJSON.decode([String: String].self, from: Data(s.spec.utf8))
                let (group, digest) = try await compute(query, scope: scope)
                recomputed = group
                if digest != s.inputsDigest { problems.append("the answers behind it changed since it was frozen (n then \(s.n), now \(group.n))") }
                if let a = s.value, let b = group.value, abs(a - b) > 1e-9 {
                    problems.append(String(format: "recomputed value %.2f differs from the frozen %.2f", b, a))
                } else if (s.value == nil) != (group.value == nil) {
                    problems.append("the value can no longer be computed")
                }
            } catch {
                problems.append("it can no longer be recomputed: \(error)")
            }
            out.append(KPIVerification(seq: s.seq, name: s.name, status: problems.isEmpty ? "verified" : "broken", problems: problems,
                                       value: s.value, recomputedValue: recomputed?.value, n: s.n, recomputedN: recomputed?.n))
        }
        return out
    }

    // MARK: API

    static func list(_ req: Request) async throws -> Response {
        PlainJSON.response(PlainPage(items: try await req.scope.query(KPISnapshot.self).sort(\.$seq, .descending).limit(1_000).all().map(KPISnapshotDTO.init), nextCursor: nil))
    }

    static func create(_ req: Request) async throws -> Response {
        let input = try decodePlainBody(req, as: KPIFreezeInput.self)
        let s = try await freeze(name: input.name, query: input.query, scope: try req.scope, caller: try req.caller)
        return PlainJSON.response(KPISnapshotDTO(s), status: .created)
    }

    static func verifyAll(_ req: Request) async throws -> Response {
        PlainJSON.response(PlainPage(items: try await verify(scope: try req.scope), nextCursor: nil))
    }

    static func register(_ api: APIBuilder) {
        let tag = "Measurement"
        api.on(APIRoute(method: .GET, path: "/kpi-snapshots", summary: "Frozen KPI snapshots, newest first", tag: tag, permission: .readMetrics,
                        response: .list("KPISnapshot")), list)
        api.on(APIRoute(method: .POST, path: "/kpi-snapshots", summary: "Freeze a KPI for a period: value, n, interval, digest of its inputs, chained by hash",
                        tag: tag, permission: .freezeKPIs, requestSchema: "KPIFreezeInput", response: .object("KPISnapshot"), successStatus: 201), create)
        api.on(APIRoute(method: .GET, path: "/kpi-snapshots/verify", summary: "Recompute every snapshot from the raw responses and check the hash chain",
                        tag: tag, permission: .readMetrics, response: .list("KPIVerification")), verifyAll)
    }
}
