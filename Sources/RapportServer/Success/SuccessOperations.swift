import Fluent
import Foundation
import RapportKit
import SQLKit

extension Operations {
    /// A usage CSV (account_external_id or account_id, user, feature, count, time) as one batch: all or
    /// nothing, and the same file (by its SHA-256, unless a batch id is given) counts once.
    public static func importUsage(_ settings: Settings, path: String, workspace slug: String, batchID: String?,
                                   progress: (@Sendable (Int, Int?, Int) -> Void)?) async throws -> ImportOutcome {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let reader = try CSVReader(data: data)
        return try await Runtime.withApp(settings) { app in
            let ws = try await Workspaces.find(slug: slug, on: app.db)
            let started = Date()
            let r = try await UsageIngest.csv(reader, batchID: batchID ?? UsageIngest.digest(data), scope: ws.scope(on: app.db),
                                              progress: progress)
            let seconds = Date().timeIntervalSince(started)
            return ImportOutcome(summary: String(format: "%d usage events stored for %d accounts on %d days as batch %@ in %.1f s (%.0f events/s).",
                                                 r.events, r.accounts, r.days, r.batch_id, seconds, Double(r.events) / max(seconds, 0.001)),
                                 problems: [], ok: true)
        }
    }

    /// Computes every account's health for a day and says how long it took.
    public static func recomputeHealth(_ settings: Settings, workspace slug: String, on day: String?) async throws -> String {
        try await Runtime.withApp(settings) { app in
            let ws = try await Workspaces.find(slug: slug, on: app.db)
            var date: DateOnly?
            if let day {
                guard let d = DateOnly(iso: day) else { throw AppError.invalid("date", "'\(day)' is not a date like 2026-12-01") }
                date = d
            }
            let r = try await HealthSchedule.recomputeNow(scope: ws.scope(on: app.db), by: .system(ws, label: "rapport health recompute"), day: date)
            return String(format: "health of %d accounts computed for %@ in %.1f s", r.accounts, r.day.iso, r.seconds)
        }
    }

    /// A workspace `slug` (made if missing) with `accounts` business accounts, one contract each with
    /// seats, and `days` of daily usage (one or two features a day) with the weekly active users, all
    /// generated in SQL; the first 500 accounts belong to bench-csm@rapport.example. Then times a health
    /// recompute. For `Benchmarks/success.sh`, never on real data.
    public static func seedBenchSuccess(_ settings: Settings, workspace slug: String, accounts: Int, days: Int,
                                        progress: @Sendable (String) -> Void) async throws -> (seconds: Double, recompute: Double) {
        try await Runtime.withApp(settings) { app in
            let db = app.db
            var workspace = try await Workspace.query(on: db).filter(\.$slug == slug).first()
            if workspace == nil { workspace = try await Workspaces.create(slug: slug, name: "Bench CS", on: db) }
            let wsID = workspace!.id!
            let sqlite = db.isSQLite
            let email = "bench-csm@rapport.example"
            let csm: User
            if let u = try await User.query(on: db).filter(\.$email == email).first() { csm = u } else {
                csm = try await Users.add(email: email, name: "Bench CSM", password: "bench-password-1", role: .csm, workspaceID: wsID, grantedBy: nil, cost: 4, on: db)
            }
            progress("owner \(csm.id!.uuidString.lowercased()) (\(email))")
            let started = Date()
            let today = DateOnly(Date(), in: workspace!.zone)
            let uuid = sqlite ? "upper(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21))" : "gen_random_uuid()"
            func series(_ from: Int, _ to: Int) -> String {
                sqlite ? "(WITH RECURSIVE s(i) AS (SELECT \(from) UNION ALL SELECT i + 1 FROM s WHERE i < \(to)) SELECT i FROM s)" : "(SELECT generate_series(\(from), \(to)) AS i)"
            }
            let ws = sqlite ? "'\(wsID.uuidString)'" : "'\(wsID.uuidString)'::uuid"
            let owner = sqlite ? "'\(csm.id!.uuidString)'" : "'\(csm.id!.uuidString)'::uuid"
            let now = sqlite ? "\(Date().timeIntervalSince1970)" : "now()"
            let attrs = sqlite ? "'{}'" : "'{}'::jsonb"
            let hex = sqlite ? "hex(randomblob(16)) AS h," : ""
            try await db.sql.raw("""
                INSERT INTO accounts (id, workspace_id, external_id, name, search_text, kind, segment, country, size, coverage_model, owner_id, attributes, version, created_at, updated_at)
                SELECT \(unsafeRaw: uuid), \(unsafeRaw: ws), 'BENCH-' || i, 'Bench Account ' || i, 'bench account ' || i, 'business',
                       CASE i % 3 WHEN 0 THEN 'Enterprise' WHEN 1 THEN 'Mid-Market' ELSE 'SMB' END, 'DE', 'medium', 'high_touch',
                       CASE WHEN i <= 500 THEN \(unsafeRaw: owner) END, \(unsafeRaw: attrs), 1, \(unsafeRaw: now), \(unsafeRaw: now)
                FROM (SELECT \(unsafeRaw: hex) i FROM \(unsafeRaw: series(1, accounts)) s) g
                """).run()
            progress("\(accounts) accounts")
            try await db.sql.raw("""
                INSERT INTO contracts (id, workspace_id, account_id, external_id, product, start_date, renewal_date, arr_minor, currency, status, seats, version, created_at, updated_at)
                SELECT \(unsafeRaw: uuid), a.workspace_id, a.id, 'C-' || a.external_id, 'Cloud', '2024-01-01',
                       \(unsafeRaw: sqlite ? "date('now', '+' || (abs(random()) % 540) || ' days')" : "to_char(now() + (floor(random() * 540) || ' days')::interval, 'YYYY-MM-DD')"),
                       1200000, 'EUR', 'active', 10 + \(unsafeRaw: sqlite ? "abs(random()) % 50" : "floor(random() * 50)::int"), 1, \(unsafeRaw: now), \(unsafeRaw: now)
                FROM (SELECT \(unsafeRaw: hex) id, workspace_id, external_id FROM accounts WHERE workspace_id = \(unsafeRaw: ws) AND external_id LIKE 'BENCH-%') a
                """).run()
            progress("contracts with seats")
            // Days in chunks, so progress shows and no statement grows too large. Day by day (the roll-ups'
            // keys start with the day or week), accounts in no particular order within a day: the pages
            // come out as full as daily ingestion leaves them, neither packed nor scattered.
            let first = today.dayNumber - days + 1
            var day = first
            while day <= today.dayNumber {
                let last = min(day + 29, today.dayNumber)
                try await db.sql.raw("""
                    INSERT INTO usage_daily (workspace_id, account_id, day, feature, events)
                    SELECT a.workspace_id, a.id, d.i, f.name, 1 + (\(unsafeRaw: sqlite ? "abs(random())" : "floor(random() * 1000000)::bigint") % 40)
                    FROM \(unsafeRaw: series(day, last)) d CROSS JOIN accounts a
                    JOIN (SELECT 0 AS k, 'claims' AS name UNION ALL SELECT 1, 'reports' UNION ALL SELECT 2, 'documents' UNION ALL SELECT 3, 'api') f
                      ON f.k = (\(unsafeRaw: sqlite ? "abs(random())" : "floor(random() * 1000000)::bigint") % 4) OR f.k = (d.i % 4)
                    WHERE a.workspace_id = \(unsafeRaw: ws) AND a.external_id LIKE 'BENCH-%'
                    ORDER BY d.i
                    ON CONFLICT DO NOTHING
                    """).run()
                progress("usage up to \(DateOnly(dayNumber: last).iso)")
                day = last + 1
            }
            let firstWeek = UsageIngest.week(ofDay: first), lastWeek = UsageIngest.week(ofDay: today.dayNumber)
            try await db.sql.raw("""
                INSERT INTO usage_user_weeks (workspace_id, account_id, week, user_key)
                SELECT a.workspace_id, a.id, w.i, 'u' || u.i
                FROM \(unsafeRaw: series(firstWeek, lastWeek)) w CROSS JOIN accounts a CROSS JOIN \(unsafeRaw: series(1, 12)) u
                WHERE a.workspace_id = \(unsafeRaw: ws) AND a.external_id LIKE 'BENCH-%' AND (\(unsafeRaw: sqlite ? "abs(random())" : "floor(random() * 1000000)::bigint") % 12) >= u.i % 4
                ORDER BY w.i
                ON CONFLICT DO NOTHING
                """).run()
            progress("weekly active users")
            // The CSM's accounts get what a real portfolio has, so the page does the work it does in use:
            // goals with KPIs and agreements, a success plan with milestones, and open tasks.
            let scope = workspace!.scope(on: db)
            let portfolio = try await scope.query(Account.self).filter(\.$ownerID == csm.id!).sort(\.$name).all()
            let caller = Caller(kind: .user(csm.id!), workspaceID: wsID, workspaceSlug: slug, workspaceName: workspace!.name, role: .owner, label: "user \(email)", zone: workspace!.zone)
            if try await scope.query(Goal.self).count() == 0 {
                var rng = DemoSuccessSeeder.Rand(state: 20261207)
                try await DemoSuccessSeeder.seedGoals(accounts: portfolio, scope: scope, caller: caller, login: csm, today: today, rng: &rng,
                                                      goalAccounts: portfolio.count, planAccounts: portfolio.count * 2 / 3)
                for (i, a) in portfolio.enumerated() {
                    for k in 0..<(i % 3) {
                        _ = try await TasksAPI.insert(TaskInput(account_id: a.id, title: "Nachfassen \(k + 1)", owner_id: .set(csm.id), due_on: today.adding(days: 7 * k - 5).iso),
                                                      scope: scope, caller: caller)
                    }
                }
                progress("goals, plans and tasks for the \(portfolio.count) accounts of \(email)")
            }
            if sqlite { try await db.sql.raw("ANALYZE").run() } else {
                for t in ["accounts", "contracts", "usage_daily", "usage_user_weeks", "health_scores"] { try await db.sql.raw("ANALYZE \(unsafeRaw: t)").run() }
            }
            let seeded = Date().timeIntervalSince(started)
            progress("recomputing health …")
            let t0 = Date()
            _ = try await HealthEngine.recompute(asOf: today, scope: workspace!.scope(on: db))
            return (seeded, Date().timeIntervalSince(t0))
        }
    }
}
