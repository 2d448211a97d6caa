import Fluent
import Foundation
import RapportKit
import SQLKit

/// Customer Success in the demo: seats on the business contracts, eight weeks of product usage,
/// goals with KPIs, agreements and success plans for the high-touch accounts, and a health history
/// that a back-test can learn from. Usage follows one curve per account: accounts that churned used
/// the product less and less in the eight months before, most renewing accounts held steady, and a
/// few of each do the opposite, so the health score predicts churn well but not perfectly.
enum DemoSuccessSeeder {
    static let features = ["claims", "documents", "reports", "dashboard", "approvals", "api", "chat", "export"]

    struct Curve {
        var seats: Int
        var base: Double
        var breadth: Double
        var churnDay: Int?
        var stillCustomer: Bool
        var surprise: Bool
        var dip: Bool
        var startDay: Int

        /// Share of seats active in the four weeks up to `day`.
        func utilisation(_ day: Int, today: Int) -> Double {
            guard day >= startDay else { return 0 }
            var u = base
            if let c = churnDay, !surprise {
                let before = c - day
                if before < 0 { u *= stillCustomer ? 0.5 : 0 }
                else if before < 300 { u *= 0.1 + 0.9 * Double(before) / 300 }
            }
            if dip, (120...400).contains(today - day) { u *= 0.45 }
            return min(1, max(0, u))
        }

        func featuresUsed(_ day: Int, today: Int) -> Int {
            let u = utilisation(day, today: today)
            guard u > 0 else { return 0 }
            return max(1, min(DemoSuccessSeeder.features.count, Int((breadth * Double(DemoSuccessSeeder.features.count) * (0.4 + 0.6 * u / max(base, 0.01))).rounded())))
        }
    }

    struct Rand {
        var state: UInt64
        mutating func unit() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(unit() * Double(r.count)) % r.count }
    }

    static func seed(_ ws: Workspace, login: User, today: DateOnly, on db: any Database) async throws {
        let scope = ws.scope(on: db)
        let system = Caller(kind: .system, workspaceID: ws.id!, workspaceSlug: ws.slug, workspaceName: ws.name, role: .owner, label: login.name, zone: ws.zone)
        var rng = Rand(state: 20261204)
        let t = today.dayNumber
        let accounts = try await scope.query(Account.self).sort(\.$externalID).all()
        let contracts = try await scope.query(Contract.self).all()
        let events = try await scope.query(ContractEvent.self).filter(\.$kind == "churn").all()
        let byAccount = Dictionary(grouping: contracts, by: \.accountID)
        let churns = Dictionary(grouping: events, by: \.accountID)

        // Seats on each business account's largest contract, so licence utilisation means something.
        var curves: [UUID: Curve] = [:]
        for a in accounts where a.kind == "business" {
            guard let own = byAccount[a.id!], let main = own.max(by: { $0.arrMinor < $1.arrMinor }) else { continue }
            let seats = max(3, min(250, Int(main.arrMinor / 100 / 900)))
            try await Contract.query(on: db).filter(\.$id == main.id!).set(\.$seats, to: seats).update()
            let churnDay = churns[a.id!]?.compactMap { DateOnly(iso: $0.occurredOn)?.dayNumber }.max()
            let start = own.compactMap { DateOnly(iso: $0.startDate)?.dayNumber }.min() ?? (t - 900)
            curves[a.id!] = Curve(seats: seats, base: 0.15 + 0.8 * rng.unit(), breadth: 0.35 + 0.6 * rng.unit(), churnDay: churnDay,
                                  stillCustomer: own.contains { $0.status == "active" }, surprise: rng.unit() < 0.35, dip: rng.unit() < 0.2, startDay: start)
        }

        // Eight weeks and a day of usage in the roll-ups (what today's health and the usage view read).
        var daily: [[any Encodable & Sendable]] = []
        var weeks: [[any Encodable & Sendable]] = []
        for (account, c) in curves.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
            var activeByWeek: [Int: Int] = [:]
            for day in (t - 62)...t {
                let u = c.utilisation(day, today: t)
                let active = Int((u * Double(c.seats)).rounded())
                guard active > 0 else { continue }
                let week = UsageIngest.week(ofDay: day)
                activeByWeek[week] = max(activeByWeek[week] ?? 0, active)
                let weekend = (day + 3) % 7 >= 5
                for f in features.prefix(c.featuresUsed(day, today: t)) {
                    let n = Int(Double(active) * (weekend ? 0.1 : 1.2 + rng.unit() * 2))
                    if n > 0 { daily.append([ws.id!, account, day, f, n]) }
                }
            }
            // The same people come back week after week; a smaller crowd is a subset of a larger one.
            let people = (0..<c.seats).map { UsageIngest.userKey("user\($0)@\(account.uuidString.prefix(8))", workspace: ws.id!) }
            for (week, active) in activeByWeek {
                for u in 0..<active { weeks.append([ws.id!, account, week, people[u]]) }
            }
        }
        try await BulkInsert.run(db, table: "usage_daily", columns: ["workspace_id", "account_id", "day", "feature", "events"], rows: daily)
        try await BulkInsert.run(db, table: "usage_user_weeks", columns: ["workspace_id", "account_id", "week", "user_key"], rows: weeks)
        try await seedGoals(accounts: accounts.filter { $0.kind == "business" && $0.coverageModel == "high_touch" }, scope: scope, caller: system,
                            login: login, today: today, rng: &rng)

        // Health once a month for the last 27 months, from the curves, the answers and the feedback
        // cases as they were then; and today's from the data itself.
        try await seedHealthHistory(accounts: accounts, curves: curves, scope: scope, today: today)
        try await HealthEngine.recompute(asOf: today, scope: scope)
        try await seedOperations(accounts: accounts.filter { $0.kind == "business" }, scope: scope, caller: system, login: login, today: today)
    }

    /// The CSMs' working week: meetings with next steps (some done, some overdue), a few tasks of
    /// their own, two playbooks that have already acted on the portfolio, and advocacy from the
    /// healthiest accounts, one piece of it product feedback in the feedback inbox.
    static func seedOperations(accounts: [Account], scope: Scope, caller: Caller, login: User, today: DateOnly) async throws {
        let health = try await HealthEngine.latest(scope: scope, accounts: accounts.map { $0.id! })
        let highTouch = accounts.filter { $0.coverageModel == "high_touch" }
        let meetings: [(String, String, [(String, Int)])] = [
            ("Quartalsgespräch", "Zielerreichung besprochen; Kunde wünscht Berichte für den Vorstand.", [("Vorstandsbericht-Vorlage schicken", 7), ("Termin mit der IT für die Schnittstelle", 21)]),
            ("Executive Business Review", "Erwartungen abgeglichen: Automatisierung schrittweise statt in drei Monaten.", [("Roadmap für die zweite Ausbaustufe teilen", 14)]),
            ("Check-in Adoption", "Zwei Standorte nutzen das System kaum; Schulung vereinbart.", [("Schulung für Standort Süd planen", 10), ("Nutzungsdaten nach der Schulung prüfen", 35)]),
        ]
        for (i, a) in highTouch.prefix(30).enumerated() {
            let owner = a.ownerID ?? login.id
            for k in 0..<(1 + i % 2) {
                let spec = meetings[(i + k) % meetings.count]
                let held = today.adding(days: -(10 + 35 * k + (i * 7) % 30))
                let (_, steps) = try await MeetingsAPI.record(
                    MeetingInput(held_on: held.iso, title: spec.0, attendees: "Kundenteam, CSM", notes: nil, decisions: spec.1, expectations_checked: (i + k) % 3 != 2,
                                 next_steps: spec.2.map { NextStepInput(title: $0.0, owner_id: owner, due_on: held.adding(days: $0.1).iso) }),
                    account: a, scope: scope, caller: caller)
                // Older meetings' first steps are done; the rest stay open, some of them overdue.
                for s in steps.prefix(k == 1 || i % 3 == 0 ? 1 : 0) {
                    try await TasksAPI.update(s, with: TaskInput(status: "done"), scope: scope, caller: caller)
                }
            }
            if i % 4 == 0 {
                _ = try await TasksAPI.insert(TaskInput(account_id: a.id, title: "Nutzungsbericht für das nächste Gespräch vorbereiten",
                                                        owner_id: .set(owner), due_on: today.adding(days: 2 + i % 5).iso), scope: scope, caller: caller)
            }
        }
        let playbooks = [
            PlaybookInput(name: "Verlängerung mit schwacher Gesundheit", trigger_kind: "risk_signal", trigger_value: "renewal_low_health",
                          tasks: [PlaybookTaskTemplate(title: "Verlängerungsgespräch mit Entscheider vereinbaren", due_in_days: 3, owner: "account_owner"),
                                  PlaybookTaskTemplate(title: "Rettungsplan mit dem Kunden abstimmen", due_in_days: 10, owner: "account_owner")]),
            PlaybookInput(name: "Verlängerung in 90 Tagen vorbereiten", trigger_kind: "renewal_within", trigger_value: "90",
                          tasks: [PlaybookTaskTemplate(title: "Erfolgsnachweis für die Verlängerung zusammenstellen", due_in_days: 14, owner: "account_owner")]),
        ]
        for p in playbooks { _ = try await Playbooks.create(p, scope: scope, caller: caller) }
        try await Playbooks.sweep(scope: scope, today: today)

        let healthiest = accounts.filter { health[$0.id!]?.band == "green" }.sorted { (health[$0.id!]?.score ?? 0) > (health[$1.id!]?.score ?? 0) }
        let advocacy: [(String, String, String?, String?)] = [
            ("reference", "Referenzkunde für Anfragen aus der Versicherungsbranche", "agreed", nil),
            ("case_study", "Fallstudie: Schadenbearbeitung in der Hälfte der Zeit", "in_progress", nil),
            ("product_feedback", "Export der Vorstandsberichte als PowerPoint", nil, "idea"),
            ("reference", "Referenzbesuch für Interessenten", "candidate", nil),
            ("product_feedback", "Freigaben auch mobil erteilen", nil, "idea"),
        ]
        for (i, a) in healthiest.prefix(advocacy.count).enumerated() {
            let x = advocacy[i]
            let contact = try await scope.query(Contact.self).filter(\.$accountID == a.id!).filter(\.$stakeholderSide == "customer").sort(\.$lastName).first()
            _ = try await AdvocacyAPI.record(AdvocacyInput(account_id: a.id, contact_id: contact?.id, kind: x.0, status: x.2, title: x.1, detail: nil, feedback_type: x.3),
                                             scope: scope, caller: caller)
        }
    }

    static func seedHealthHistory(accounts: [Account], curves: [UUID: Curve], scope: Scope, today: DateOnly) async throws {
        let model = HealthModel.standard
        let t = today.dayNumber
        // NPS counts per account and month, read once.
        let request = try MetricRequest.parse(["metric": "nps", "from": today.adding(months: -40).iso, "to": today.iso], indices: [])
        let pools = try await KPISnapshots.rawPools(request, scope: scope) { r in
            r.account_id.map { "\($0.uuidString)|\(DateOnly(r.submitted_at, in: SurveyImport.berlin).iso.prefix(7))" }
        }
        var npsByMonth: [UUID: [String: ScoreCounts]] = [:]
        for (key, entry) in pools {
            let parts = key.split(separator: "|")
            guard parts.count == 2, let id = UUID(uuidString: String(parts[0])), let counts = entry.pool.byReference[.nps]?[10] else { continue }
            npsByMonth[id, default: [:]][String(parts[1])] = counts
        }
        let feedback = try await scope.query(FeedbackItem.self).filter(\.$accountID != nil).all()
        var rows: [[any Encodable & Sendable]] = []
        for back in 1...27 {
            let day = today.adding(months: -back)
            let d = day.dayNumber
            let months = Set((0..<12).map { String(day.adding(months: -$0).iso.prefix(7)) })
            for a in accounts {
                let id = a.id!
                // Households use no product: their past health would rest on NPS alone, so the
                // history (and the back-test) covers the business accounts.
                guard let c = curves[id], d >= c.startDay, c.churnDay.map({ d <= $0 || c.stillCustomer }) ?? true else { continue }
                var raw: [HealthComponentKind: Double] = [:]
                raw[.usage] = Double(Int((c.utilisation(d, today: t) * Double(c.seats)).rounded())) / Double(c.seats)
                raw[.adoption] = Double(c.featuresUsed(d, today: t)) / Double(features.count)
                var counts = ScoreCounts()
                for (m, c) in npsByMonth[id] ?? [:] where months.contains(m) { counts += c }
                if counts.n >= HealthEngine.minimumAnswers, let e = CXStatistics.nps(counts) { raw[.sentiment] = e.value }
                let at = day.date(in: SurveyImport.berlin)
                raw[.support] = Double(feedback.filter { $0.accountID == id && $0.createdAt < at && ($0.closedAt.map { $0 >= at } ?? true) }.count)
                let s = model.score(raw)
                guard s.score != nil else { continue }
                rows.append([UUID.timeOrdered(), scope.workspaceID, id, day.iso, s.score, s.band?.rawValue, PlainJSON.encode(s)])
            }
        }
        try await BulkInsert.run(scope.db, table: "health_scores", columns: ["id", "workspace_id", "account_id", "computed_on", "score", "band", "detail"], rows: rows)
    }

    /// Goals as customers phrase them, in the order superordinate → focal → subordinate.
    static let goalSets: [[(String, String, String?)]] = [
        [("Kosten der Schadenbearbeitung senken", "superordinate", nil), ("Durchlaufzeit je Schadenfall halbieren", "focal", "Tage"),
         ("Anteil digitaler Schadenmeldungen erhöhen", "subordinate", "%")],
        [("Kundenbindung im Privatkundengeschäft stärken", "superordinate", nil), ("Beschwerden pro 1.000 Verträge senken", "focal", "Beschwerden")],
        [("Reduce time to onboard new brokers", "focal", "days"), ("Automate document checks", "subordinate", "%")],
        [("Vertriebsprozess digitalisieren", "superordinate", nil), ("Angebotsquote je Berater steigern", "focal", "%"),
         ("Alle Berater aktiv im System", "subordinate", "Nutzer")],
    ]

    /// Goals (with KPIs, measurements, agreements, resets and sign-offs) for the first `goalAccounts`
    /// accounts and a success plan with three milestones for the first `planAccounts`; the benchmark
    /// uses it for a whole portfolio.
    static func seedGoals(accounts: [Account], scope: Scope, caller: Caller, login: User, today: DateOnly, rng: inout Rand,
                          goalAccounts: Int = 36, planAccounts: Int = 24) async throws {
        let db = scope.db
        for (i, a) in accounts.prefix(goalAccounts).enumerated() {
            let contacts = try await scope.query(Contact.self).filter(\.$accountID == a.id!).filter(\.$stakeholderSide == "customer").sort(\.$lastName).limit(3).all()
            let owner = contacts.first
            let ownerName = owner.map { [$0.firstName, $0.lastName].compactMap { $0 }.joined(separator: " ") } ?? "Kundin"
            var parent: UUID?
            var goals: [Goal] = []
            for (j, spec) in goalSets[i % goalSets.count].enumerated() {
                var input = GoalInput()
                input.account_id = a.id; input.title = spec.0; input.level = spec.1; input.horizon = spec.1 == "subordinate" ? "tactical" : "strategic"
                input.parent_id = .set(parent); input.vendor_owner_id = .set(a.ownerID ?? login.id)
                // Every fifth account has no customer-side owner for its first goal: a risk the portfolio shows.
                input.customer_owner_id = .set(i % 5 == 4 && j == 0 ? nil : owner?.id)
                let (g, _) = try await GoalsAPI.insert(input, by: caller, on: db)
                parent = g.id
                goals.append(g)
                guard let unit = spec.2 else { continue }
                let up = unit == "%" || unit == "Nutzer"
                let baseline = up ? Double(rng.int(20...40)) : Double(rng.int(12...30))
                let target = up ? baseline + Double(rng.int(20...40)) : (baseline / 2).rounded()
                let k = try await KPIsAPI.insert(KPIInput(name: spec.0, unit: unit, baseline: baseline, baseline_on: today.adding(months: -9).iso,
                                                          target: target, deadline: today.adding(months: 6).iso, source: "manual", source_ref: nil),
                                                 goal: g, by: caller, on: db)
                // Measured values for two thirds of the KPIs: the rest of the goals rest on judgement.
                if (i + j) % 3 != 2 {
                    for step in 1...3 {
                        let share = Double(step) / 3 * (0.3 + 0.8 * rng.unit())
                        _ = try await KPIsAPI.record(MeasurementInput(measured_on: today.adding(months: -9 + step * 3 - 1).iso,
                                                                      value: ((baseline + (target - baseline) * share) * 10).rounded() / 10, note: nil),
                                                     kpi: k, by: caller, on: db)
                    }
                }
            }
            // Agreement: most goals agreed by both sides; some only by us; one in seven reset without agreeing again.
            for (j, g) in goals.enumerated() {
                if (i + j) % 4 != 3 {
                    try await GoalsAPI.record(goal: g, stage: .exAnte, side: .vendor, by: login.name, via: "web", note: nil, caller: caller, on: db)
                    try await GoalsAPI.record(goal: g, stage: .exAnte, side: .customer, by: ownerName, via: "web", note: "im Quartalsgespräch", caller: caller, on: db)
                }
                if i % 7 == 6 && j == goals.count - 1 {
                    var reset = GoalInput()
                    reset.title = g.title + " (bis Jahresende)"; reset.reason = "Budget für das Projekt wurde gekürzt"
                    _ = try await GoalsAPI.change(g.id, reset, by: caller, on: db)
                }
                if (i + j) % 3 == 0 {
                    var done = GoalInput()
                    done.attainment = (i + j) % 2 == 0 ? "fully" : "partly"
                    let (changed, _) = try await GoalsAPI.change(g.id, done, by: caller, on: db)
                    if (i + j) % 2 == 0 {
                        try await GoalsAPI.record(goal: changed, stage: .exPost, side: .vendor, by: login.name, via: "web", note: nil, caller: caller, on: db)
                        if i % 2 == 0 { try await GoalsAPI.record(goal: changed, stage: .exPost, side: .customer, by: ownerName, via: "web", note: nil, caller: caller, on: db) }
                    }
                }
            }
            // Goals set months ago, so the "not agreed after two weeks" signal means something.
            try await Goal.query(on: db).filter(\.$accountID == a.id!).set(\.$createdAt, to: today.adding(months: -9).date(in: SurveyImport.berlin)).update()

            if i < planAccounts {
                var plan = PlanInput()
                plan.account_id = a.id; plan.title = "Erfolgsplan \(today.year)"
                plan.vendor_owner_id = .set(a.ownerID ?? login.id); plan.customer_owner_id = .set(i % 6 == 5 ? nil : owner?.id)
                plan.priorities = ["Go-live aller Standorte", "Schulung der Sachbearbeitung", "Berichtswesen für den Vorstand"].prefix(1 + i % 3).map { $0 }
                plan.budget = .set(Decimal(10_000 + 2_500 * (i % 8))); plan.currency = "EUR"
                plan.promised = .set("Volle Automatisierung in drei Monaten"); plan.realistic = .set("Erste Prozesse nach drei Monaten, alle nach neun")
                plan.phases = ["activation": PhaseDates(planned: today.adding(months: -10).iso, actual: today.adding(months: -9).iso),
                               "adoption": PhaseDates(planned: today.adding(months: -4).iso, actual: i % 3 == 0 ? nil : today.adding(months: -3).iso),
                               "optimization": PhaseDates(planned: today.adding(months: 3).iso, actual: nil)]
                let p = try await PlansAPI.insert(plan, by: caller, on: db)
                for (k, m) in [("Kick-off mit dem Projektteam", "activation", -9), ("Schulung Team Nord", "adoption", -2), ("Review mit dem Vorstand", "optimization", 2)].enumerated() {
                    let ms = try await PlansAPI.addMilestone(MilestoneInput(title: m.0, phase: m.1, due_on: today.adding(months: m.2).iso, done_on: .keep), plan: p, by: caller, on: db)
                    // One in four plans has its adoption milestone overdue: the customer lacks people.
                    if k == 0 || (k == 1 && i % 4 != 1) {
                        try await PlanMilestone.query(on: db).filter(\.$id == ms.id!).set(\.$doneOn, to: today.adding(months: m.2).iso).update()
                    }
                }
            }
        }
    }
}
