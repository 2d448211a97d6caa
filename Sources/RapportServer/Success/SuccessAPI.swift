import Fluent
import Foundation
import RapportKit
import SQLKit
import Vapor

/// Responses of the Customer Success API: the library's figures spell their keys in camelCase, the
/// API in snake_case.
enum SuccessJSON {
    static func response<T: Encodable>(_ value: T, status: HTTPResponseStatus = .ok) -> Response {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .iso8601
        e.keyEncodingStrategy = .convertToSnakeCase
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: status, headers: headers, body: .init(data: (try? e.encode(value)) ?? Data()))
    }
}

struct RiskSignal: Codable, Sendable, Equatable {
    var kind: String; var severity: String; var detail: String
}

/// Why an account needs its CSM: the challenge types of the Customer Success study (goals not
/// agreed, no customer-side owner, goals changed without agreement, the customer lacking resources)
/// plus usage drop, detractor answers and a renewal approaching with low health.
enum RiskSignals {
    static let kinds = ["goals_not_agreed", "missing_customer_owner", "goals_changed_without_agreement", "lacking_customer_resources",
                        "usage_drop", "detractor", "renewal_low_health"]

    /// What the signals need of a goal.
    struct GoalFacts: Sendable {
        var title: String; var revision: Int; var createdAt: Date?; var hasCustomerOwner: Bool; var attainment: String
        /// Both sides agreed ex ante on the goal's current revision.
        var agreedByBoth: Bool
    }
    /// What the signals need of a success plan: its customer-side owner and its milestones (the light
    /// read brings only the open ones more than two weeks overdue, the only ones a signal counts).
    struct PlanFacts: Sendable {
        var hasCustomerOwner: Bool
        var milestones: [(title: String, dueOn: String, doneOn: String?)]
    }

    static func facts(_ book: GoalBook, account: UUID) -> [GoalFacts] {
        book.goals(of: account).map { g in
            GoalFacts(title: g.title, revision: g.revision, createdAt: g.createdAt, hasCustomerOwner: g.customerOwnerID != nil, attainment: g.attainment,
                      agreedByBoth: book.agreedByBoth(g))
        }
    }

    static func signals(goals: [GoalFacts], plan: PlanFacts?, health: HealthScoreDTO?,
                        usage: UsageReads.Facts?, recentNPS: AccountSentiment.Figure?, nextRenewal: String?, today: DateOnly, zone: TimeZone) -> [RiskSignal] {
        var out: [RiskSignal] = []
        let cutoff = goals.isEmpty ? Date.distantPast : today.adding(days: -14).date(in: zone)
        let settled = goals.filter { ($0.createdAt ?? .distantPast) < cutoff || $0.revision > 1 }
        let notAgreed = settled.filter { $0.revision == 1 && !$0.agreedByBoth }
        if !notAgreed.isEmpty {
            out.append(RiskSignal(kind: "goals_not_agreed", severity: "medium",
                                  detail: "\(notAgreed.count) of \(goals.count) goals not agreed by both sides after two weeks: " + notAgreed.prefix(3).map { "'\($0.title)'" }.joined(separator: ", ")))
        }
        let changed = goals.filter { $0.revision > 1 && !$0.agreedByBoth }
        if !changed.isEmpty {
            out.append(RiskSignal(kind: "goals_changed_without_agreement", severity: "high",
                                  detail: "\(changed.count) goals were reset and not agreed again: " + changed.prefix(3).map { "'\($0.title)'" }.joined(separator: ", ")))
        }
        let ownerless = goals.filter { !$0.hasCustomerOwner }
        if !ownerless.isEmpty || plan?.hasCustomerOwner == false {
            let parts = (ownerless.isEmpty ? [] : ["\(ownerless.count) goals"]) + (plan?.hasCustomerOwner == false ? ["the success plan"] : [])
            out.append(RiskSignal(kind: "missing_customer_owner", severity: "medium", detail: "No customer-side owner for " + parts.joined(separator: " and ")))
        }
        let overdue = (plan?.milestones ?? []).filter { $0.doneOn == nil && $0.dueOn < today.adding(days: -14).iso }
        if !overdue.isEmpty {
            out.append(RiskSignal(kind: "lacking_customer_resources", severity: "medium",
                                  detail: "\(overdue.count) milestones more than two weeks overdue (often the customer lacks people or time): " + overdue.prefix(3).map { "'\($0.title)' (due \($0.dueOn))" }.joined(separator: ", ")))
        }
        if let u = usage, u.previous >= 3 {
            let s = UsageTrend.summary(activeUsers: u.active, previousActiveUsers: u.previous, features: u.features, events: u.events)
            if s.dropped {
                out.append(RiskSignal(kind: "usage_drop", severity: "high",
                                      detail: "Active users fell from \(u.previous) to \(u.active) (\(Int(((s.change ?? 0) * 100).rounded())) %) against the four weeks before"))
            }
        }
        // One detractor among many promoters is the normal spread of a large account; more detractors
        // than promoters is a signal.
        if let n = recentNPS, n.detractors > 0, n.value < 0 {
            out.append(RiskSignal(kind: "detractor", severity: n.value <= -30 ? "high" : "medium",
                                  detail: "\(n.detractors) of \(n.n) NPS answers in the last 90 days were detractors (0–6): NPS \(Int(n.value.rounded()))"))
        }
        if let r = nextRenewal, let day = DateOnly(iso: r), today.days(until: day) <= 90, let band = health?.band, band != "green" {
            out.append(RiskSignal(kind: "renewal_low_health", severity: band == "red" ? "high" : "medium",
                                  detail: "Renewal on \(r) (in \(today.days(until: day)) days) with \(band) health (\(Int((health?.score ?? 0).rounded())))"))
        }
        return out
    }
}

struct PortfolioRow: Encodable, Sendable {
    var account_id: UUID; var name: String; var segment: String?; var owner_id: UUID?
    var health: Double?; var band: String?; var health_change: Double?
    var next_renewal: String?
    /// Active contracts' ARR per currency in minor units; the API shows it as `arr`, in major units.
    /// Pages format it from here: turning it into `Decimal` for every row cost a tenth of the page.
    var arr_minor: [String: Int64]
    var goals: Int; var goals_reached: Int
    var risks: [RiskSignal]
    var open_tasks: Int; var overdue_tasks: Int

    enum CodingKeys: String, CodingKey {
        case account_id, name, segment, owner_id, health, band, health_change, next_renewal, arr, goals, goals_reached, risks, open_tasks, overdue_tasks
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(account_id, forKey: .account_id); try c.encode(name, forKey: .name)
        try c.encodeIfPresent(segment, forKey: .segment); try c.encodeIfPresent(owner_id, forKey: .owner_id)
        try c.encodeIfPresent(health, forKey: .health); try c.encodeIfPresent(band, forKey: .band)
        try c.encodeIfPresent(health_change, forKey: .health_change); try c.encodeIfPresent(next_renewal, forKey: .next_renewal)
        try c.encode(arr_minor.mapValues(Money.amount), forKey: .arr)
        try c.encode(goals, forKey: .goals); try c.encode(goals_reached, forKey: .goals_reached); try c.encode(risks, forKey: .risks)
        try c.encode(open_tasks, forKey: .open_tasks); try c.encode(overdue_tasks, forKey: .overdue_tasks)
    }

    /// The same object as `encode(to:)` writes (keys sorted), written directly.
    func write(to j: inout JSONText) {
        j.raw("{\"account_id\":"); j.string(FastUUID.text(account_id))
        j.raw(",\"arr\":{")
        for (i, (currency, minor)) in arr_minor.sorted(by: { $0.key < $1.key }).enumerated() {
            if i > 0 { j.raw(",") }
            j.string(currency); j.raw(":"); j.minor(minor)
        }
        j.raw("}")
        if let band { j.raw(",\"band\":"); j.string(band) }
        j.raw(",\"goals\":"); j.int(goals); j.raw(",\"goals_reached\":"); j.int(goals_reached)
        if let health { j.raw(",\"health\":"); j.number(health) }
        if let health_change { j.raw(",\"health_change\":"); j.number(health_change) }
        j.raw(",\"name\":"); j.string(name)
        if let next_renewal { j.raw(",\"next_renewal\":"); j.string(next_renewal) }
        j.raw(",\"open_tasks\":"); j.int(open_tasks); j.raw(",\"overdue_tasks\":"); j.int(overdue_tasks)
        if let owner_id { j.raw(",\"owner_id\":"); j.string(FastUUID.text(owner_id)) }
        j.raw(",\"risks\":[")
        for (i, r) in risks.enumerated() {
            if i > 0 { j.raw(",") }
            j.raw("{\"detail\":"); j.string(r.detail); j.raw(",\"kind\":"); j.string(r.kind); j.raw(",\"severity\":"); j.string(r.severity); j.raw("}")
        }
        j.raw("]")
        if let segment { j.raw(",\"segment\":"); j.string(segment) }
        j.raw("}")
    }
}

struct AccountSuccessDTO: Codable, Sendable {
    var account_id: UUID
    var assessment: SuccessAssessment
    var health: HealthScoreDTO?
    var risks: [RiskSignal]
    var usage: AccountUsageDTO
}

/// What a portfolio row shows of an account.
struct PortfolioAccount: Decodable, Sendable { var id: UUID; var name: String; var segment: String?; var owner_id: UUID? }

/// Everything the portfolio and the account's success view show, read in a fixed number of queries
/// for any number of accounts.
struct SuccessOverview: Sendable {
    /// The goals with their KPIs and agreements, the plans and their milestones: in the detailed read
    /// only (one account's view); the light read brings just what rows and signals use (`goals`, `plan`).
    var book: GoalBook
    var plans: [UUID: SuccessPlan]
    var milestones: [UUID: [PlanMilestone]]
    var goals: [UUID: [RiskSignals.GoalFacts]]
    var plan: [UUID: RiskSignals.PlanFacts]
    var health: [UUID: HealthScoreDTO]
    /// In the light read, as of each account's newest health score and with only the active-user counts
    /// (what the risk signals use); in the detailed read, everything as of today.
    var usage: [UUID: UsageReads.Facts]
    var recentNPS: [UUID: AccountSentiment.Figure]
    var renewals: [UUID: String]
    var arr: [UUID: [String: Int64]]
    /// Open tasks per account: how many, and how many of them are overdue.
    var tasks: [UUID: (open: Int, overdue: Int)] = [:]
    let today: DateOnly
    /// The workspace's time zone, in which `today` is a day.
    var zone: TimeZone = Workspaces.defaultZone

    /// `detailed: false` (the portfolio, playbooks) leaves out each health score's contributions and changes.
    /// `covering`, when given, is what the light read's queries name instead of `ids`. It must hold every
    /// one of them (more is only wasted work: results are kept for `ids` alone). Between the caller's read
    /// of `ids` and these queries an account can change hands; it then shows without its facts once.
    static func load(accounts ids: [UUID], covering: AccountSet? = nil, scope: Scope, today given: DateOnly? = nil, detailed: Bool = true) async throws -> SuccessOverview {
        let today = given ?? scope.today
        if ids.isEmpty {
            return SuccessOverview(book: GoalBook(), plans: [:], milestones: [:], goals: [:], plan: [:], health: [:], usage: [:], recentNPS: [:], renewals: [:], arr: [:], today: today, zone: scope.zone)
        }
        let named = IDList.narrowed(ids)
        let narrow = covering ?? named.map(AccountSet.ids)
        var book = GoalBook(), planByAccount: [UUID: SuccessPlan] = [:], milestones: [UUID: [PlanMilestone]] = [:]
        var goals: [UUID: [RiskSignals.GoalFacts]] = [:], planFacts: [UUID: RiskSignals.PlanFacts] = [:]
        if detailed {
            book = try await GoalBook.load(scope: scope, accounts: named)
            let plans = try await SuccessRows.plans(scope, accounts: named)
            let ms = plans.isEmpty ? [] : try await SuccessRows.milestones(scope, plans: plans.map { $0.id! })
            planByAccount = Dictionary(plans.map { ($0.accountID, $0) }, uniquingKeysWith: { a, _ in a })
            milestones = Dictionary(grouping: ms, by: \.planID)
            for id in ids { goals[id] = RiskSignals.facts(book, account: id) }
            for (a, p) in planByAccount {
                planFacts[a] = .init(hasCustomerOwner: p.customerOwnerID != nil, milestones: (milestones[p.id!] ?? []).map { ($0.title, $0.dueOn, $0.doneOn) })
            }
        } else {
            (goals, planFacts) = try await lightFacts(scope: scope, accounts: narrow, today: today)
        }
        let (health, stored) = try await HealthEngine.latestWithUsage(scope: scope, accounts: narrow, detailed: detailed)
        // The light read (portfolio, playbooks) takes the usage facts stored with each account's newest
        // score when that score is from today or yesterday (a daily recompute); older or missing ones are
        // counted from the roll-ups, as the detailed read (one account's view) always does.
        let recent = today.adding(days: -1).iso
        var usage = detailed ? [:] : stored.filter { (health[$0.key]?.computed_on ?? "") >= recent }
        let uncounted = ids.filter { usage[$0] == nil }
        if !uncounted.isEmpty {
            usage.merge(try await UsageReads.facts(asOf: today, accounts: IDList.narrowed(uncounted), scope: scope)) { a, _ in a }
        }
        let nps = try await AccountSentiment.nps(accounts: narrow, asOf: today, days: 90, scope: scope)
        // Plain rows, not models: Fluent decodes a model by reflecting over all its properties, which
        // cost more than the query for a portfolio's contracts.
        struct C { var account_id: UUID; var renewal_date: String?; var currency: String; var arr_minor: Int64 }
        let contracts = try await PlainRow.all(scope.db, """
            SELECT account_id, renewal_date, currency, arr_minor FROM contracts
            WHERE workspace_id = \(bind: scope.workspaceID) AND status = 'active'\(SQLQueryString.accounts(narrow))
            """).map { r in
            C(account_id: try r.required(r.uuid("account_id"), "account_id"), renewal_date: try r.text("renewal_date"),
              currency: try r.required(r.text("currency"), "currency"), arr_minor: Int64(try r.required(r.int("arr_minor"), "arr_minor")))
        }
        var renewals: [UUID: String] = [:], arr: [UUID: [String: Int64]] = [:]
        for c in contracts {
            if let r = c.renewal_date, r >= today.iso, renewals[c.account_id].map({ r < $0 }) ?? true { renewals[c.account_id] = r }
            arr[c.account_id, default: [:]][c.currency, default: 0] += c.arr_minor
        }
        var tasks: [UUID: (open: Int, overdue: Int)] = [:]
        for r in try await PlainRow.all(scope.db, """
            SELECT account_id, COUNT(*) AS open, SUM(CASE WHEN due_on < \(bind: today.iso) THEN 1 ELSE 0 END) AS overdue FROM cs_tasks
            WHERE workspace_id = \(bind: scope.workspaceID) AND status = 'open'\(SQLQueryString.accounts(narrow)) GROUP BY account_id
            """) {
            tasks[try r.required(r.uuid("account_id"), "account_id")] = (try r.required(r.int("open"), "open"), try r.int("overdue") ?? 0)
        }
        return SuccessOverview(book: book, plans: planByAccount, milestones: milestones, goals: goals, plan: planFacts, health: health, usage: usage,
                               recentNPS: nps, renewals: renewals, arr: arr, tasks: tasks, today: today, zone: scope.zone)
    }

    /// The goals and plans of many accounts as the risk signals and portfolio rows need them, in three
    /// queries and without models: whether both sides agreed a goal's current revision is counted in
    /// SQL, and of the milestones only the open ones more than two weeks overdue are read.
    static func lightFacts(scope: Scope, accounts: AccountSet?, today: DateOnly) async throws -> ([UUID: [RiskSignals.GoalFacts]], [UUID: RiskSignals.PlanFacts]) {
        var goals: [UUID: [RiskSignals.GoalFacts]] = [:]
        for r in try await PlainRow.all(scope.db, """
            SELECT g.account_id, g.title, g.revision, g.created_at, g.attainment, CASE WHEN g.customer_owner_id IS NULL THEN 0 ELSE 1 END AS owned,
                   (SELECT COUNT(DISTINCT a.side) FROM goal_agreements a WHERE a.goal_id = g.id AND a.revision = g.revision AND a.stage = 'ex_ante') AS sides
            FROM goals g WHERE g.workspace_id = \(bind: scope.workspaceID)\(SQLQueryString.accounts(accounts, column: "g.account_id")) ORDER BY g.created_at, g.id
            """) {
            goals[try r.required(r.uuid("account_id"), "account_id"), default: []].append(.init(
                title: try r.required(r.text("title"), "title"), revision: try r.required(r.int("revision"), "revision"), createdAt: try r.date("created_at"),
                hasCustomerOwner: try r.int("owned") == 1, attainment: try r.required(r.text("attainment"), "attainment"), agreedByBoth: try r.int("sides") == 2))
        }
        var plans: [UUID: RiskSignals.PlanFacts] = [:]
        for r in try await PlainRow.all(scope.db, """
            SELECT account_id, CASE WHEN customer_owner_id IS NULL THEN 0 ELSE 1 END AS owned FROM success_plans
            WHERE workspace_id = \(bind: scope.workspaceID)\(SQLQueryString.accounts(accounts))
            """) {
            plans[try r.required(r.uuid("account_id"), "account_id")] = .init(hasCustomerOwner: try r.int("owned") == 1, milestones: [])
        }
        if !plans.isEmpty {
            for r in try await PlainRow.all(scope.db, """
                SELECT p.account_id, m.title, m.due_on FROM plan_milestones m JOIN success_plans p ON p.id = m.plan_id
                WHERE p.workspace_id = \(bind: scope.workspaceID)\(SQLQueryString.accounts(accounts, column: "p.account_id"))
                AND m.done_on IS NULL AND m.due_on < \(bind: today.adding(days: -14).iso) ORDER BY m.due_on, m.created_at, m.id
                """) {
                plans[try r.required(r.uuid("account_id"), "account_id")]?.milestones.append((try r.required(r.text("title"), "title"), try r.required(r.text("due_on"), "due_on"), nil))
            }
        }
        return (goals, plans)
    }

    func risks(_ a: UUID) -> [RiskSignal] {
        RiskSignals.signals(goals: goals[a] ?? [], plan: plan[a], health: health[a], usage: usage[a], recentNPS: recentNPS[a], nextRenewal: renewals[a], today: today, zone: zone)
    }

    func row(_ a: PortfolioAccount) -> PortfolioRow {
        let id = a.id
        let h = health[id]
        let goals = self.goals[id] ?? []
        return PortfolioRow(account_id: id, name: a.name, segment: a.segment, owner_id: a.owner_id, health: h?.score, band: h?.band,
                            health_change: h?.previous.flatMap { p in h?.score.flatMap { s in p.score.map { s - $0 } } },
                            next_renewal: renewals[id], arr_minor: arr[id] ?? [:],
                            goals: goals.count, goals_reached: goals.filter { $0.attainment == "fully" }.count, risks: risks(id),
                            open_tasks: tasks[id]?.open ?? 0, overdue_tasks: tasks[id]?.overdue ?? 0)
    }
}

enum SuccessAPI {
    static func account(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let a = try await scope.find(Account.self, parameter: "id", of: req)
        let o = try await SuccessOverview.load(accounts: [a.id!], scope: scope)
        return SuccessJSON.response(AccountSuccessDTO(account_id: a.id!, assessment: o.book.assessment(of: a.id!), health: o.health[a.id!],
                                                      risks: o.risks(a.id!), usage: try await UsageReads.summary(account: a.id!, asOf: o.today, scope: scope)))
    }

    /// The CSM's accounts (or anyone's with `owner`), riskiest first: red before yellow before green,
    /// then by the number of high risks, then by the nearest renewal.
    static func portfolioRows(scope: Scope, owner: UUID?, limit: Int = 2_000) async throws -> [PortfolioRow] {
        // Only the columns a row shows, as plain rows: decoding whole account models was a third of the time.
        let accounts = try await PlainRow.all(scope.db, """
            SELECT id, name, segment, owner_id FROM accounts WHERE workspace_id = \(bind: scope.workspaceID)\(owner.map { SQLQueryString(" AND owner_id = \(bind: $0)") } ?? "")
            ORDER BY name LIMIT \(bind: limit)
            """).map { r in
            PortfolioAccount(id: try r.required(r.uuid("id"), "id"), name: try r.required(r.text("name"), "name"), segment: try r.text("segment"), owner_id: try r.uuid("owner_id"))
        }
        let o = try await SuccessOverview.load(accounts: accounts.map(\.id), covering: owner.map { .ownedBy($0, workspace: scope.workspaceID) },
                                               scope: scope, detailed: false)
        // Each row's sort key once, not once per comparison.
        let keyed = accounts.map(o.row).map { r -> (key: (Int, Int, String), row: PortfolioRow) in
            let rank = r.band == "red" ? 0 : r.band == "yellow" ? 1 : r.band == "green" ? 2 : 3
            return ((rank, -r.risks.filter { $0.severity == "high" }.count, r.next_renewal ?? "9999"), r)
        }
        return keyed.sorted { $0.key < $1.key }.map(\.row)
    }

    static func portfolio(_ req: Request) async throws -> Response {
        let scope = try req.scope
        var f = Filters(req)
        let owner = f.uuid("owner_id")
        try f.finish()
        let rows = try await portfolioRows(scope: scope, owner: owner ?? (try req.caller).userID)
        var j = JSONText(capacity: 64 + rows.count * 600)
        j.raw("{\"items\":[")
        for (i, r) in rows.enumerated() {
            if i > 0 { j.raw(",") }
            r.write(to: &j)
        }
        j.raw("],\"next_cursor\":null}")
        return j.response()
    }

    static func healthHistory(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let a = try await scope.find(Account.self, parameter: "id", of: req)
        return SuccessJSON.response(PlainPage(items: try await HealthEngine.history(account: a.id!, scope: scope), nextCursor: nil))
    }

    struct ModelInput: Decodable, Sendable { var segment: String?; var model: HealthModel? }

    static func models(_ req: Request) async throws -> Response {
        let m = try await HealthEngine.models(scope: try req.scope)
        return SuccessJSON.response([HealthModelDTO(segment: nil, model: m.standard, version: m.version)]
                                    + m.bySegment.sorted { $0.key < $1.key }.map { HealthModelDTO(segment: $0.key, model: $0.value, version: 0) })
    }

    static func saveModel(_ req: Request) async throws -> Response {
        let input = try decodePlainBody(req, as: ModelInput.self)
        try await saveModel(input, scope: try req.scope, caller: try req.caller)
        return try await models(req)
    }

    static func saveModel(_ input: ModelInput, scope: Scope, caller: Caller) async throws {
        guard let model = input.model else { throw AppError.invalid("model", "is required: {components: [{kind, weight, thresholds: {zero_at, full_at}}], red_below, green_from}") }
        let problems = model.problems()
        if !problems.isEmpty {
            throw AppError.validation(problems.map { p in
                let parts = p.reason.split(separator: ":", maxSplits: 1)
                return parts.count == 2 ? FieldError("model." + parts[0], String(parts[1]).trimmed) : FieldError("model", p.reason)
            })
        }
        let segment = input.segment?.trimmed ?? ""
        if !segment.isEmpty, try await scope.query(Account.self).filter(\.$segment == segment).first() == nil {
            throw AppError.invalid("segment", "no account has the segment '\(segment)'")
        }
        try await scope.db.transaction { db in
            let s = scope.with(db)
            let row = try await s.query(HealthModelRow.self).filter(\.$segment == segment).first() ?? {
                let r = HealthModelRow(); r.id = .timeOrdered(); r.workspaceID = scope.workspaceID; r.segment = segment; r.version = 0; return r
            }()
            let before = row.version == 0 ? nil : row.model
            row.model = PlainJSON.encode(model); row.version += 1
            try await row.save(on: db)
            try await Audit.record(before == nil ? "create" : "update", "health model", id: row.id, before: before, after: row.model, by: caller, on: db)
        }
    }

    static func deleteModel(_ req: Request) async throws -> Response {
        let scope = try req.scope, caller = try req.caller
        var f = Filters(req)
        let segment = f.text("segment")
        try f.finish()
        guard let segment else { throw AppError.invalid("segment", "is required: only a segment's own model can be removed (the default stays)") }
        guard let row = try await scope.query(HealthModelRow.self).filter(\.$segment == segment).first() else { throw AppError.invalid("segment", "'\(segment)' has no health model of its own") }
        try await req.db.transaction { db in
            try await row.delete(on: db)
            try await Audit.record("delete", "health model", id: row.id, before: row.model, after: String?.none, by: caller, on: db)
        }
        return Response(status: .noContent)
    }

    struct RecomputeDTO: Codable, Sendable { var computed_on: String; var accounts: Int; var seconds: Double }

    static func recompute(_ req: Request) async throws -> Response {
        let r = try await HealthSchedule.recomputeNow(scope: try req.scope, by: try req.caller)
        return SuccessJSON.response(RecomputeDTO(computed_on: r.day.iso, accounts: r.accounts, seconds: r.seconds))
    }

    struct BackTestInput: Decodable, Sendable { var from: String?; var to: String?; var lead_days: Int?; var model: HealthModel? }

    static func backTest(_ req: Request) async throws -> Response {
        var input = BackTestInput()
        if req.method == .POST { input = try decodePlainBody(req, as: BackTestInput.self) } else {
            input.from = req.query[String.self, at: "from"]; input.to = req.query[String.self, at: "to"]
            if let l = req.query[String.self, at: "lead_days"] {
                guard let n = Int(l) else { throw AppError.invalid("lead_days", "'\(l)' is not a whole number of days") }
                input.lead_days = n
            }
        }
        return SuccessJSON.response(try await backTest(input, scope: try req.scope))
    }

    static func backTest(_ input: BackTestInput, scope: Scope) async throws -> BackTestDTO {
        var v = RapportKit.Validator()
        let today = scope.today
        let to = v.check("to", input.to ?? today.iso, FieldCheck.date) ?? today
        let from = v.check("from", input.from ?? to.adding(months: -24).iso, FieldCheck.date) ?? to
        if from > to { v.fail("from", "\(from.iso) is after to (\(to.iso))") }
        let lead = input.lead_days ?? 90
        if !(0...730).contains(lead) { v.fail("lead_days", "\(lead) must be from 0 to 730: how many days before the renewal or churn the score is read") }
        if let m = input.model {
            for p in m.problems() {
                let parts = p.reason.split(separator: ":", maxSplits: 1)
                v.fail(parts.count == 2 ? "model." + parts[0] : "model", parts.count == 2 ? String(parts[1]).trimmed : p.reason)
            }
        }
        try v.finish()
        return try await HealthEngine.backTest(from: from, to: to, leadDays: lead, model: input.model, scope: scope)
    }

    static func register(_ api: APIBuilder) {
        let tag = "Customer Success"
        api.on(APIRoute(method: .GET, path: "/accounts/{id}/success", summary: "An account's Customer Success assessment (valence, congruence, certainty), health, risk signals and usage",
                        tag: tag, permission: .readCustomers, response: .object("AccountSuccess")), account)
        api.on(APIRoute(method: .GET, path: "/accounts/{id}/health", summary: "An account's health history, each score with its components and what changed",
                        tag: tag, permission: .readCustomers, response: .list("HealthScore")), healthHistory)
        api.on(APIRoute(method: .GET, path: "/success/portfolio", summary: "A CSM's accounts, riskiest first, with health, renewal, ARR, goals and risks",
                        tag: tag, permission: .readCustomers, response: .list("PortfolioRow"),
                        queryParameters: [QueryParameter(name: "owner_id", type: "string", summary: "Whose accounts (default: the caller's)", format: "uuid")]), portfolio)
        api.on(APIRoute(method: .GET, path: "/health/models", summary: "The health models: the default and any per segment", tag: tag,
                        permission: .readCustomers, response: .object("HealthModels")), models)
        api.on(APIRoute(method: .PUT, path: "/health/models", summary: "Set the default health model or a segment's (weights add up to 100)", tag: tag,
                        permission: .configureHealth, requestSchema: "HealthModelInput", response: .object("HealthModels")), saveModel)
        api.on(APIRoute(method: .DELETE, path: "/health/models", summary: "Remove a segment's own health model", tag: tag, permission: .configureHealth,
                        response: .none, successStatus: 204,
                        queryParameters: [QueryParameter(name: "segment", type: "string", summary: "The segment")]), deleteModel)
        api.on(APIRoute(method: .POST, path: "/health/recompute", summary: "Compute every account's health for today (the workspace's day)", tag: tag,
                        permission: .configureHealth, response: .object("HealthRecompute")), recompute)
        api.on(APIRoute(method: .GET, path: "/health/runs", summary: "The recent health recomputes, daily and by hand: day, who, when, how many accounts, how long, any error",
                        tag: tag, permission: .readCustomers, response: .list("HealthRun")), HealthSchedule.runsRoute)
        api.on(APIRoute(method: .GET, path: "/health/backtest", summary: "How well the stored health scores predicted renewals and churns (AUC, churn per band)",
                        tag: tag, permission: .readCustomers, response: .object("BackTest"), queryParameters: [
                            QueryParameter(name: "from", type: "string", summary: "First outcome day (default two years before to)", format: "date"),
                            QueryParameter(name: "to", type: "string", summary: "Last outcome day (default today)", format: "date"),
                            QueryParameter(name: "lead_days", type: "integer", summary: "Days before each outcome the score is read (default 90)", minimum: 0, maximum: 730),
                        ]), backTest)
        api.on(APIRoute(method: .POST, path: "/health/backtest", summary: "Back-test a proposed health model on the stored history before adopting it",
                        tag: tag, permission: .readCustomers, requestSchema: "BackTestInput", response: .object("BackTest")), backTest)
        GoalsAPI.register(api)
        PlansAPI.register(api)
        UsageIngest.register(api)
        TasksAPI.register(api)
        MeetingsAPI.register(api)
        AdvocacyAPI.register(api)
        Playbooks.register(api)
        RenewalsAPI.register(api)
        PeersAPI.register(api)
    }
}
