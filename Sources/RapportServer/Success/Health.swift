import Fluent
import Foundation
import RapportKit
import SQLKit
import Vapor

/// NPS per account from its contacts' answers (every NPS question, relationship and transactional,
/// pooled from counts), for the health score and survey KPIs.
enum AccountSentiment {
    struct Figure: Sendable { var value: Double; var n: Int; var detractors: Int }

    static func nps(accounts: AccountSet?, asOf day: DateOnly, days: Int = 365, scope: Scope) async throws -> [UUID: Figure] {
        let from = day.adding(days: -(days - 1))
        let request = try MetricRequest.parse(["metric": "nps", "from": from.iso, "to": day.iso], indices: [])
        if accounts?.isEmpty == true { return [:] }
        let pools = try await KPISnapshots.rawPools(request, scope: scope, narrow: .accounts(accounts)) { $0.account_id?.uuidString }
        var out: [UUID: Figure] = [:]
        for (key, entry) in pools {
            guard let id = UUID(uuidString: key), let counts = entry.pool.byReference[.nps]?[10], counts.n > 0,
                  let e = CXStatistics.nps(counts) else { continue }
            out[id] = Figure(value: e.value, n: counts.n, detractors: counts.count(in: 0...6))
        }
        return out
    }
}

struct HealthModelDTO: Codable, Sendable {
    var segment: String?; var model: HealthModel; var version: Int
}

struct HealthScoreDTO: Codable, Sendable {
    var account_id: UUID; var computed_on: String; var score: Double?; var band: String?
    var contributions: [HealthContribution]; var missing: [HealthComponentKind]
    var previous: PreviousHealth?
    struct PreviousHealth: Codable, Sendable { var computed_on: String; var score: Double?; var changes: [HealthChange] }
}

struct BackTestDTO: Codable, Sendable {
    var from: String; var to: String; var lead_days: Int; var outcomes: Int; var without_score: Int
    var model: HealthModel; var result: BackTestResult
}

/// The health score: per account, each configured component's raw measure mapped to points and
/// weighted; the model can differ per segment. Every computed score is kept with its raw measures,
/// so history explains every move and a back-test can rescore the past with a proposed model.
enum HealthEngine {
    struct Models: Sendable { var standard: HealthModel; var bySegment: [String: HealthModel]; var version: Int
        func model(for segment: String?) -> HealthModel { segment.flatMap { bySegment[$0] } ?? standard }
    }

    static func models(scope: Scope) async throws -> Models {
        var m = Models(standard: .standard, bySegment: [:], version: 0)
        for row in try await scope.query(HealthModelRow.self).all() {
            guard let model = try? PlainJSON.decode(HealthModel.self, from: Data(row.model.utf8)) else { continue }
            if row.segment.isEmpty { m.standard = model; m.version = row.version } else { m.bySegment[row.segment] = model }
        }
        return m
    }

    /// The raw measure of every component per account as of `day` (nil where the account has no data
    /// for it), and the usage facts the usage measure came from.
    static func raw(asOf day: DateOnly, scope: Scope, accounts: [Account]) async throws -> (measures: [UUID: [HealthComponentKind: Double]], usage: [UUID: UsageReads.Facts]) {
        let ids = IDList.narrowed(accounts.map { $0.id! })
        let usage = try await UsageReads.facts(asOf: day, accounts: ids, scope: scope)
        let catalogue = try await UsageReads.catalogue(asOf: day, scope: scope)
        let seats = try await UsageReads.seats(scope: scope, asOf: day)
        let sentiment = try await AccountSentiment.nps(accounts: ids.map(AccountSet.ids), asOf: day, scope: scope)
        let book = try await GoalBook.load(scope: scope, accounts: ids)
        let until = day.adding(days: 1).date(in: scope.zone)
        struct Open: Decodable { var account_id: UUID; var n: Int }
        let open = try await scope.db.sql.raw("""
            SELECT account_id, COUNT(*) AS n FROM feedback WHERE workspace_id = \(bind: scope.workspaceID) AND account_id IS NOT NULL
            AND created_at < \(bind: until) AND (closed_at IS NULL OR closed_at >= \(bind: until)) GROUP BY account_id
            """).all(decoding: Open.self)
        let openCases = Dictionary(uniqueKeysWithValues: open.map { ($0.account_id, $0.n) })
        struct Touch: Decodable { var account_id: UUID; var last: Date }
        let touches = try await scope.db.sql.raw("""
            SELECT account_id, MAX(occurred_at) AS last FROM timeline_events WHERE workspace_id = \(bind: scope.workspaceID)
            AND account_id IS NOT NULL AND occurred_at < \(bind: until) AND (kind LIKE 'success.%' OR kind LIKE 'meeting%')
            GROUP BY account_id
            """).all(decoding: Touch.self)
        let lastTouch = Dictionary(uniqueKeysWithValues: touches.map { ($0.account_id, $0.last) })
        var out: [UUID: [HealthComponentKind: Double]] = [:]
        for a in accounts {
            let id = a.id!
            var r: [HealthComponentKind: Double] = [:]
            let u = usage[id] ?? UsageReads.Facts()
            if let s = seats[id], s > 0 { r[.usage] = Double(u.active) / Double(s) }
            if catalogue > 0 { r[.adoption] = Double(u.features) / Double(catalogue) }
            if let s = sentiment[id], s.n >= minimumAnswers { r[.sentiment] = s.value }
            r[.support] = Double(openCases[id] ?? 0)
            if let p = book.meanProgress(of: id) { r[.goals] = p }
            if let t = lastTouch[id] { r[.relationship] = Double(max(0, DateOnly(t, in: scope.zone).days(until: day))) }
            out[id] = r
        }
        return (out, usage)
    }

    /// An account's NPS enters its health only from this many answers on: one answer is ±100.
    static let minimumAnswers = 3

    /// Computes and stores every account's score for `day` (replacing that day's earlier run).
    @discardableResult
    static func recompute(asOf day: DateOnly, scope: Scope) async throws -> Int {
        let accounts = try await scope.query(Account.self).field(\.$id).field(\.$segment).all()
        let models = try await models(scope: scope)
        let (raws, usage) = try await raw(asOf: day, scope: scope, accounts: accounts)
        var rows: [[any Encodable & Sendable]] = []
        rows.reserveCapacity(accounts.count)
        let ids = UUID.timeOrdered(count: accounts.count)
        for (a, id) in zip(accounts, ids) {
            let s = models.model(for: a.segment).score(raws[a.id!] ?? [:])
            let u = usage[a.id!] ?? UsageReads.Facts()
            rows.append([id, scope.workspaceID, a.id!, day.iso, s.score, s.band?.rawValue, PlainJSON.encode(s), u.active, u.previous])
        }
        let scored = rows
        try await scope.db.transaction { db in
            try await BulkInsert.run(db, table: "health_scores", columns: ["id", "workspace_id", "account_id", "computed_on", "score", "band", "detail", "active_users", "previous_active_users"],
                                     rows: scored, suffix: " ON CONFLICT (account_id, computed_on) DO UPDATE SET score = excluded.score, band = excluded.band, detail = excluded.detail, active_users = excluded.active_users, previous_active_users = excluded.previous_active_users")
        }
        // Fresh planner statistics for the scores (bounded sampling on SQLite): without them SQLite read a
        // portfolio's scores by scanning the whole day instead of looking each account up.
        // One connection for all three, so the limit applies to this ANALYZE and no other.
        if scope.db.isSQLite {
            try? await scope.db.withConnection { conn in
                try await conn.sql.raw("PRAGMA analysis_limit = 1000").run()
                try await conn.sql.raw("ANALYZE health_scores").run()
                try await conn.sql.raw("PRAGMA analysis_limit = 0").run()
            }
        }
        return rows.count
    }

    /// The latest score of each account (and the one before it, for "why it changed"), from the two
    /// newest computation days: a recompute scores every account, so older rows are history only.
    /// `detailed: false` reads only score and band (the portfolio's needs), leaving contributions and
    /// changes empty, and skips decoding every score's JSON.
    static func latest(scope: Scope, accounts: [UUID]? = nil, detailed: Bool = true) async throws -> [UUID: HealthScoreDTO] {
        try await latestWithUsage(scope: scope, accounts: accounts.map(AccountSet.ids), detailed: detailed).scores
    }

    /// `latest`, plus the usage facts each account's newest score was computed from (absent for scores
    /// stored before they were kept).
    static func latestWithUsage(scope: Scope, accounts: AccountSet? = nil, detailed: Bool = true) async throws -> (scores: [UUID: HealthScoreDTO], usage: [UUID: UsageReads.Facts]) {
        if accounts?.isEmpty == true { return ([:], [:]) }
        // Two index lookups rather than a DISTINCT over every stored score.
        struct D: Decodable { var d: String? }
        guard let newest = try await scope.db.sql.raw("SELECT MAX(computed_on) AS d FROM health_scores WHERE workspace_id = \(bind: scope.workspaceID)").first(decoding: D.self)?.d
        else { return ([:], [:]) }
        let before = try await scope.db.sql.raw("""
            SELECT MAX(computed_on) AS d FROM health_scores WHERE workspace_id = \(bind: scope.workspaceID) AND computed_on < \(bind: newest)
            """).first(decoding: D.self)?.d
        // The two days by equality: with the accounts named (by id, or as an owner's by subquery), each
        // row is one lookup in (account, day).
        // SQLite's planner preferred the (workspace, day) index whenever a day held few more rows than
        // the accounts asked for, then read every score of the day from the table to test its account
        // (10,000 rows for a 500-account portfolio); a unary + on the workspace column takes that index
        // out of the choice. PostgreSQL plans this from its statistics (and has no unary + for uuid).
        let driveByAccount = accounts != nil && scope.db.isSQLite
        let days = [newest] + (before.map { [$0] } ?? [])
        struct Row { var account_id: UUID; var computed_on: String; var score: Double?; var band: String?; var detail: String?
                     var active_users: Int?; var previous_active_users: Int? }
        let rows = try await PlainRow.all(scope.db, """
            SELECT account_id, computed_on, score, band, active_users, previous_active_users\(unsafeRaw: detailed ? ", detail" : "") FROM health_scores
            WHERE \(unsafeRaw: driveByAccount ? "+" : "")workspace_id = \(bind: scope.workspaceID) AND computed_on IN (\(binds: days))\(SQLQueryString.accounts(accounts))
            ORDER BY computed_on DESC
            """).map { r in
            Row(account_id: try r.required(r.uuid("account_id"), "account_id"), computed_on: try r.required(r.text("computed_on"), "computed_on"),
                score: try r.double("score"), band: try r.text("band"), detail: detailed ? try r.text("detail") : nil,
                active_users: try r.int("active_users"), previous_active_users: try r.int("previous_active_users"))
        }
        var out: [UUID: HealthScoreDTO] = [:]
        var usage: [UUID: UsageReads.Facts] = [:]
        var current: [UUID: HealthScore] = [:]
        for r in rows {
            let s = detailed ? r.detail.flatMap { try? PlainJSON.decode(HealthScore.self, from: Data($0.utf8)) } : nil
            if detailed && s == nil { continue }   // a score whose detail cannot be read is left out
            let score = s.map(\.score) ?? r.score
            if out[r.account_id] == nil {
                current[r.account_id] = s
                if let active = r.active_users, let previous = r.previous_active_users {
                    usage[r.account_id] = UsageReads.Facts(active: active, previous: previous)
                }
                out[r.account_id] = HealthScoreDTO(account_id: r.account_id, computed_on: r.computed_on, score: score, band: s.map { $0.band?.rawValue } ?? r.band,
                                                   contributions: s?.contributions ?? [], missing: s?.missing ?? [], previous: nil)
            } else if out[r.account_id]?.previous == nil {
                let changes = s.flatMap { old in current[r.account_id].map { $0.changes(since: old) } } ?? []
                out[r.account_id]?.previous = .init(computed_on: r.computed_on, score: score, changes: changes)
            }
        }
        return (out, usage)
    }

    static func history(account: UUID, scope: Scope) async throws -> [HealthScoreDTO] {
        let rows = try await scope.query(HealthScoreRow.self).filter(\.$accountID == account).sort(\.$computedOn).all()
        var out: [HealthScoreDTO] = []
        var before: HealthScore?
        for row in rows {
            guard let s = try? PlainJSON.decode(HealthScore.self, from: Data(row.detail.utf8)) else { continue }
            out.append(HealthScoreDTO(account_id: account, computed_on: row.computedOn, score: s.score, band: s.band?.rawValue,
                                      contributions: s.contributions, missing: s.missing,
                                      previous: before.map { .init(computed_on: out.last!.computed_on, score: $0.score, changes: s.changes(since: $0)) }))
            before = s
        }
        return out
    }

    /// How well health `leadDays` before each renewal or churn in [from, to] told them apart. With a
    /// `model`, the stored raw measures are rescored with it, so weights can be tuned against the past.
    static func backTest(from: DateOnly, to: DateOnly, leadDays: Int, model proposed: HealthModel?, scope: Scope) async throws -> BackTestDTO {
        struct Outcome: Decodable { var account_id: UUID; var kind: String; var occurred_on: String; var segment: String? }
        let outcomes = try await scope.db.sql.raw("""
            SELECT e.account_id, e.kind, e.occurred_on, a.segment FROM contract_events e JOIN accounts a ON a.id = e.account_id
            WHERE e.workspace_id = \(bind: scope.workspaceID) AND e.kind IN ('renewal', 'churn')
            AND e.occurred_on >= \(bind: from.iso) AND e.occurred_on <= \(bind: to.iso)
            """).all(decoding: Outcome.self)
        let models = try await models(scope: scope)
        struct Row: Decodable { var account_id: UUID; var computed_on: String; var detail: String }
        let earliest = from.adding(days: -(leadDays + 120)).iso, latest = to.adding(days: -leadDays).iso
        let rows = try await scope.db.sql.raw("""
            SELECT account_id, computed_on, detail FROM health_scores WHERE workspace_id = \(bind: scope.workspaceID)
            AND computed_on >= \(bind: earliest) AND computed_on <= \(bind: latest) ORDER BY computed_on
            """).all(decoding: Row.self)
        let byAccount = Dictionary(grouping: rows, by: \.account_id)
        var scores: [Double] = [], churned: [Bool] = []
        var without = 0
        for o in outcomes {
            guard let day = DateOnly(iso: o.occurred_on) else { continue }
            let cutoff = day.adding(days: -leadDays).iso, floor = day.adding(days: -(leadDays + 120)).iso
            guard let row = byAccount[o.account_id]?.last(where: { $0.computed_on <= cutoff && $0.computed_on >= floor }),
                  let stored = try? PlainJSON.decode(HealthScore.self, from: Data(row.detail.utf8)) else { without += 1; continue }
            let score: Double?
            if let proposed {
                var raw: [HealthComponentKind: Double] = [:]
                for c in stored.contributions { if let r = c.raw { raw[c.kind] = r } }
                score = proposed.score(raw).score
            } else { score = stored.score }
            guard let score else { without += 1; continue }
            scores.append(score); churned.append(o.kind == "churn")
        }
        let model = proposed ?? models.standard
        return BackTestDTO(from: from.iso, to: to.iso, lead_days: leadDays, outcomes: outcomes.count, without_score: without, model: model,
                           result: BackTest.run(scores: scores, churned: churned, model: model))
    }
}
