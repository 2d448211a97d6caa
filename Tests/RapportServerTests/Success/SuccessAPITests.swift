import Fluent
import Foundation
import RapportKit
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import RapportServer

@Suite("Customer Success: goals, KPIs, agreements, plans and their share links")
struct SuccessAPITests {
    struct Setup {
        let fx: Fixture
        let ws: Workspace
        let token: String
        let account: String
        let other: String
        let contact: String
    }

    static func make(_ app: Application, slug: String) async throws -> Setup {
        let fx = Fixture(app: app)
        let ws = try await fx.workspace(slug)
        let token = try await fx.token(ws)
        let account = try await fx.create("/api/v1/accounts", token: token, ["name": "Müller GmbH", "external_id": "A-1", "segment": "Mid-Market", "country": "DE"])
        let other = try await fx.create("/api/v1/accounts", token: token, ["name": "Alpen AG", "external_id": "A-2", "segment": "Mid-Market"])
        let contact = try await fx.create("/api/v1/contacts", token: token, ["last_name": "Huber", "first_name": "Anna", "account_id": account.id, "email": "anna@mueller.example"])
        return Setup(fx: fx, ws: ws, token: token, account: account.id, other: other.id, contact: contact.id)
    }

    @Test("a goal tree with KPIs, refused cycles and levels, resets that keep the old version, and agreements per side", arguments: TestDB.all)
    func goals(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await Self.make(app, slug: "goals")
            let top = try await s.fx.create("/api/v1/goals", token: s.token, ["account_id": s.account, "title": "Schadenbearbeitung beschleunigen",
                                                                              "level": "superordinate", "customer_owner_id": s.contact])
            let focal = try await s.fx.create("/api/v1/goals", token: s.token, ["account_id": s.account, "title": "Durchlaufzeit halbieren", "parent_id": top.id])
            let sub = try await s.fx.create("/api/v1/goals", token: s.token, ["account_id": s.account, "title": "Automatische Prüfung nutzen",
                                                                              "level": "subordinate", "parent_id": focal.id, "horizon": "tactical"])
            #expect(focal["level"] as? String == "focal" && focal["attainment"] as? String == "open" && focal["revision"] as? Int == 1)

            // A cycle, a level above its parent, a parent of another account: each refused by field, nothing changed.
            let loop = try await s.fx.create("/api/v1/goals", token: s.token, ["account_id": s.account, "title": "Rückfragen vermeiden", "parent_id": focal.id])
            let cycle = try await s.fx.send(.PATCH, "/api/v1/goals/\(focal.id)", token: s.token, json: ["parent_id": loop.id])
            #expect(cycle.status == .unprocessableEntity && cycle.body.string.contains("would make a cycle") && cycle.body.string.contains("'Rückfragen vermeiden' → 'Durchlaufzeit halbieren'"), "\(cycle.body.string)")
            #expect(try await s.fx.send(.DELETE, "/api/v1/goals/\(loop.id)", token: s.token).status == .noContent)
            let upward = try await s.fx.send(.PATCH, "/api/v1/goals/\(top.id)", token: s.token, json: ["parent_id": sub.id])
            #expect(upward.status == .unprocessableEntity && upward.body.string.contains("cannot be placed below a subordinate goal"))
            let level = try await s.fx.send(.POST, "/api/v1/goals", token: s.token, json: ["account_id": s.account, "title": "x", "level": "superordinate", "parent_id": sub.id])
            #expect(try level.status == .unprocessableEntity && (level.fieldNames()) == ["parent_id"], "\(level.body.string)")
            let foreign = try await s.fx.send(.POST, "/api/v1/goals", token: s.token, json: ["account_id": s.other, "title": "x", "parent_id": top.id])
            #expect(foreign.status == .unprocessableEntity && foreign.body.string.contains("another account"))
            let wrongOwner = try await s.fx.send(.POST, "/api/v1/goals", token: s.token, json: ["account_id": s.other, "title": "x", "customer_owner_id": s.contact])
            #expect(try wrongOwner.status == .unprocessableEntity && (wrongOwner.fieldNames()) == ["customer_owner_id"])
            let listed = try await s.fx.send(.GET, "/api/v1/goals?account_id=\(s.account)", token: s.token).items()
            #expect(listed.map { $0["title"] as? String } == ["Schadenbearbeitung beschleunigen", "Durchlaufzeit halbieren", "Automatische Prüfung nutzen"])
            #expect(try await s.fx.send(.GET, "/api/v1/goals", token: s.token).status == .unprocessableEntity)

            // KPIs: a unit, a target that moves, a deadline after the baseline.
            let bad = try await s.fx.send(.POST, "/api/v1/goals/\(focal.id)/kpis", token: s.token,
                                          json: ["name": "Durchlaufzeit", "baseline": 10, "target": 10, "baseline_on": "2026-06-01", "deadline": "2026-05-01"])
            #expect(try bad.status == .unprocessableEntity && Set(bad.fieldNames()) == ["unit", "target", "deadline"], "\(bad.body.string)")
            let usageWithoutRef = try await s.fx.send(.POST, "/api/v1/goals/\(focal.id)/kpis", token: s.token,
                                                      json: ["name": "Logins", "unit": "users", "baseline": 1, "target": 5, "deadline": "2027-06-01", "source": "usage"])
            #expect(try usageWithoutRef.status == .unprocessableEntity && (usageWithoutRef.fieldNames()) == ["source_ref"])
            let kpi = try await s.fx.create("/api/v1/goals/\(focal.id)/kpis", token: s.token,
                                            ["name": "Durchlaufzeit", "unit": "Tage", "baseline": 10, "target": 5, "baseline_on": "2026-01-01", "deadline": "2027-06-30"])
            let future = try await s.fx.send(.POST, "/api/v1/kpis/\(kpi.id)/measurements", token: s.token, json: ["value": 7, "measured_on": "2099-01-01"])
            #expect(try future.status == .unprocessableEntity && (future.fieldNames()) == ["measured_on"])
            _ = try await s.fx.create("/api/v1/kpis/\(kpi.id)/measurements", token: s.token, ["value": 8, "measured_on": "2026-06-01"])
            _ = try await s.fx.create("/api/v1/kpis/\(kpi.id)/measurements", token: s.token, ["value": 7, "measured_on": "2026-09-01"])
            let measured = try await s.fx.send(.GET, "/api/v1/goals/\(focal.id)", token: s.token).json()
            let k = try #require((measured["kpis"] as? [[String: Any]])?.first)
            // From 10 towards 5, now at 7: 60 % of the way.
            #expect(k["current"] as? Double == 7 && abs((k["progress"] as? Double ?? 0) - 0.6) < 1e-12, "\(k)")

            // Agreements: the vendor side by the caller, the customer side needs a name; twice is a conflict;
            // a sign-off needs an attained goal.
            _ = try await s.fx.create("/api/v1/goals/\(focal.id)/agreements", token: s.token, ["stage": "ex_ante", "side": "vendor"])
            let nameless = try await s.fx.send(.POST, "/api/v1/goals/\(focal.id)/agreements", token: s.token, json: ["stage": "ex_ante", "side": "customer"])
            #expect(try nameless.status == .unprocessableEntity && (nameless.fieldNames()) == ["by_name"])
            _ = try await s.fx.create("/api/v1/goals/\(focal.id)/agreements", token: s.token, ["stage": "ex_ante", "side": "customer", "by_name": "Anna Huber"])
            let twice = try await s.fx.send(.POST, "/api/v1/goals/\(focal.id)/agreements", token: s.token, json: ["stage": "ex_ante", "side": "vendor"])
            #expect(twice.status == .conflict)
            let early = try await s.fx.send(.POST, "/api/v1/goals/\(focal.id)/agreements", token: s.token, json: ["stage": "ex_post", "side": "vendor"])
            #expect(early.status == .unprocessableEntity && early.body.string.contains("partly or fully"))
            let agreed = try await s.fx.send(.GET, "/api/v1/goals/\(focal.id)", token: s.token).json()
            #expect(agreed["agreed_by_both"] as? Bool == true)

            // A new title without a reason is refused; with one it is a reset: revision 2, the old version
            // kept with its KPIs and agreements, and the agreement has to be given again.
            let version = agreed["version"] as? Int ?? 0
            let noReason = try await s.fx.send(.PATCH, "/api/v1/goals/\(focal.id)", token: s.token, json: ["title": "Durchlaufzeit um 60 % senken"])
            #expect(try noReason.status == .unprocessableEntity && (noReason.fieldNames()) == ["reason"])
            let stale = try await s.fx.send(.PATCH, "/api/v1/goals/\(focal.id)", token: s.token, json: ["attainment": "partly"], headers: [("If-Match", "\"v\(version - 1)\"")])
            #expect(stale.status == .preconditionFailed)
            let reset = try await s.fx.send(.PATCH, "/api/v1/goals/\(focal.id)", token: s.token,
                                            json: ["title": "Durchlaufzeit um 60 % senken", "reason": "Der Vorstand hat das Ziel verschärft"], headers: [("If-Match", "\"v\(version)\"")])
            #expect(reset.status == .ok, "\(reset.body.string)")
            let after = try reset.json()
            #expect(after["revision"] as? Int == 2 && after["agreed_by_both"] as? Bool == false && (after["agreements"] as? [Any])?.isEmpty == true)
            let versions = try await s.fx.send(.GET, "/api/v1/goals/\(focal.id)/versions", token: s.token).items()
            let old = try #require(versions.first)
            #expect(old["revision"] as? Int == 1 && old["reason"] as? String == "Der Vorstand hat das Ziel verschärft")
            #expect((old["snapshot"] as? [String: Any])?["title"] as? String == "Durchlaufzeit halbieren")
            #expect(((old["snapshot"] as? [String: Any])?["agreements"] as? [Any])?.count == 2)

            // The assessment: one goal partly reached, backed by a measured KPI.
            _ = try await s.fx.send(.PATCH, "/api/v1/goals/\(focal.id)", token: s.token, json: ["attainment": "partly"])
            _ = try await s.fx.create("/api/v1/goals/\(focal.id)/agreements", token: s.token, ["stage": "ex_post", "side": "vendor"])
            let success = try await s.fx.send(.GET, "/api/v1/accounts/\(s.account)/success", token: s.token).json()
            let assessment = try #require(success["assessment"] as? [String: Any])
            #expect(assessment["goals"] as? Int == 3 && assessment["partly"] as? Int == 1 && assessment["open"] as? Int == 2)
            #expect((assessment["valence"] as? [String: Any])?["value"] as? Double == 0.5)
            #expect((assessment["certainty"] as? [String: Any])?["value"] as? Double == 1)
            let risks = (success["risks"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(risks.contains("goals_changed_without_agreement") && risks.contains("missing_customer_owner"), "\(risks)")

            // A goal with sub-goals cannot be deleted; the timeline tells the story.
            #expect(try await s.fx.send(.DELETE, "/api/v1/goals/\(top.id)", token: s.token).status == .conflict)
            let timeline = try await s.fx.send(.GET, "/api/v1/accounts/\(s.account)/timeline", token: s.token).items().compactMap { $0["title"] as? String }
            #expect(timeline.contains("Goal reset: Durchlaufzeit um 60 % senken") && timeline.contains { $0.hasPrefix("Goal agreed by customer (Anna Huber)") }, "\(timeline)")

            // Another workspace sees none of it, and a viewer cannot write.
            let stranger = try await s.fx.token(try await s.fx.workspace("stranger"))
            #expect(try await s.fx.send(.GET, "/api/v1/goals/\(focal.id)", token: stranger).status == .notFound)
            #expect(try await s.fx.send(.GET, "/api/v1/goals?account_id=\(s.account)", token: stranger).items().isEmpty)
            let viewer = try await s.fx.token(s.ws, .viewer)
            #expect(try await s.fx.send(.POST, "/api/v1/goals", token: viewer, json: ["account_id": s.account, "title": "x"]).status == .forbidden)
        }
    }

    @Test("a success plan is shared through a secret link that shows only that plan, takes the customer's confirmation, and stops working when revoked", arguments: TestDB.all)
    func sharedPlan(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await Self.make(app, slug: "plans")
            let goal = try await s.fx.create("/api/v1/goals", token: s.token, ["account_id": s.account, "title": "Kundenzufriedenheit steigern"])
            _ = try await s.fx.create("/api/v1/goals", token: s.token, ["account_id": s.other, "title": "Geheimes Ziel der Alpen AG"])
            let tooMany = try await s.fx.send(.POST, "/api/v1/plans", token: s.token, json: ["account_id": s.account, "priorities": ["a", "b", "c", "d"]])
            #expect(try tooMany.status == .unprocessableEntity && (tooMany.fieldNames()) == ["priorities"])
            let order = try await s.fx.send(.POST, "/api/v1/plans", token: s.token, json: ["account_id": s.account,
                "phases": ["activation": ["planned": "2026-09-01"], "adoption": ["planned": "2026-08-01"]]])
            #expect(try order.status == .unprocessableEntity && (order.fieldNames()) == ["phases.adoption.planned"], "\(order.body.string)")
            let plan = try await s.fx.create("/api/v1/plans", token: s.token, ["account_id": s.account, "title": "Erfolgsplan 2027", "priorities": ["Go-live", "Schulung"],
                "budget": 12000, "currency": "EUR", "promised": "Alles in 4 Wochen", "realistic": "8 Wochen", "customer_owner_id": s.contact,
                "phases": ["activation": ["planned": "2026-01-15", "actual": "2026-02-01"], "adoption": ["planned": "2026-06-01"]]])
            #expect((plan["phases"] as? [String: Any])?.count == 2 && plan["budget"] as? Double == 12000)
            let second = try await s.fx.send(.POST, "/api/v1/plans", token: s.token, json: ["account_id": s.account])
            #expect(second.status == .unprocessableEntity)
            _ = try await s.fx.create("/api/v1/plans/\(plan.id)/milestones", token: s.token, ["title": "Schulung Team Nord", "phase": "adoption", "due_on": "2026-03-01"])

            let share = try await s.fx.create("/api/v1/plans/\(plan.id)/share", token: s.token, [:])
            let url = try #require(share["url"] as? String)
            let path = String(url[url.range(of: "/p/")!.lowerBound...])
            let page = try await app.testing().sendRequest(.GET, path)
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(html.contains("Erfolgsplan 2027") && html.contains("Kundenzufriedenheit steigern") && html.contains("Schulung Team Nord"))
            // Nothing beyond this plan: no other account's goals, no internal expectations, no e-mail addresses.
            #expect(!html.contains("Geheimes Ziel") && !html.contains("Alles in 4 Wochen") && !html.contains("anna@mueller.example"))

            // The customer confirms the goal; a nameless confirmation and a goal of another account are refused.
            let nameless = try await app.testing().sendRequest(.POST, path + "/confirm", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                                               body: ByteBuffer(string: "goal_id=\(goal.id)&stage=ex_ante&name="))
            #expect(nameless.status == .unprocessableEntity)
            let otherGoal = try await Goal.query(on: app.db).filter(\.$title == "Geheimes Ziel der Alpen AG").first()!
            let foreign = try await app.testing().sendRequest(.POST, path + "/confirm", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                                              body: ByteBuffer(string: "goal_id=\(otherGoal.id!.uuidString)&stage=ex_ante&name=Eve"))
            #expect(foreign.status == .notFound)
            let confirmed = try await app.testing().sendRequest(.POST, path + "/confirm", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                                                body: ByteBuffer(string: "goal_id=\(goal.id)&stage=ex_ante&name=Anna%20Huber"))
            #expect(confirmed.status == .seeOther)
            let g = try await s.fx.send(.GET, "/api/v1/goals/\(goal.id)", token: s.token).json()
            let agreement = try #require((g["agreements"] as? [[String: Any]])?.first)
            #expect(agreement["side"] as? String == "customer" && agreement["by"] as? String == "Anna Huber" && agreement["via"] as? String == "shared_link")

            // A forged link and a revoked one look the same: not found.
            #expect(try await app.testing().sendRequest(.GET, "/p/" + String(repeating: "x", count: 32)).status == .notFound)
            #expect(try await s.fx.send(.DELETE, "/api/v1/plans/\(plan.id)/share", token: s.token).status == .noContent)
            #expect(try await app.testing().sendRequest(.GET, path).status == .notFound)
            let late = try await app.testing().sendRequest(.POST, path + "/confirm", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                                           body: ByteBuffer(string: "goal_id=\(goal.id)&stage=ex_ante&name=Anna"))
            #expect(late.status == .notFound)
        }
    }
}

@Suite("Customer Success: usage, health and the back-test")
struct HealthAPITests {
    @Test("usage batches are all or nothing, counted once, and roll up per account, day and feature", arguments: TestDB.all)
    func usage(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SuccessAPITests.make(app, slug: "usage")
            // Licensed seats come from the contracts.
            _ = try await s.fx.create("/api/v1/contracts", token: s.token, ["account_id": s.account, "product": "Cloud", "start_date": "2025-01-01",
                                                                            "arr": 12000, "currency": "EUR", "seats": 10])
            let today = DateOnly.workspaceToday
            let events: [[String: Any]] = (0..<6).map { i in
                ["account_external_id": "A-1", "user": "user\(i % 3)@mueller.example", "feature": i < 4 ? "claims" : "reports", "count": 2,
                 "time": today.adding(days: -1 - (i % 2)).iso + "T10:00:00Z"]  // never later than now, whatever the hour
            }
            let ok = try await s.fx.send(.POST, "/api/v1/usage/events", token: s.token, json: ["batch_id": "b-1", "events": events])
            #expect(ok.status == .created, "\(ok.body.string)")
            #expect(try ok.json()["events"] as? Int == 6)
            let again = try await s.fx.send(.POST, "/api/v1/usage/events", token: s.token, json: ["batch_id": "b-1", "events": events])
            #expect(again.status == .conflict && again.body.string.contains("received before"))

            // One bad event refuses the whole batch, naming each by position.
            let bad = try await s.fx.send(.POST, "/api/v1/usage/events", token: s.token, json: ["batch_id": "b-2", "events": events + [
                ["account_external_id": "NOPE", "user": "x", "feature": "claims", "time": today.iso],
                ["account_external_id": "A-1", "user": "x", "feature": "claims", "time": "2099-01-01T00:00:00Z"],
                ["account_external_id": "A-1", "feature": "claims", "time": today.iso, "count": 0],
            ]])
            #expect(try bad.status == .unprocessableEntity && (bad.fieldNames()) == ["events[6]", "events[7]", "events[8]"], "\(bad.body.string)")
            #expect(bad.body.string.contains("'NOPE' is not an account") && bad.body.string.contains("in the future") && bad.body.string.contains("user is required"))

            // A CSV body is one batch too (its id defaults to the file's digest, so the same file counts once).
            let csv = "account_external_id,user,feature,count,time\nA-1,user9@mueller.example,export,5,\(today.iso)\n"
            let csvHeaders = [("Content-Type", "text/csv")]
            let first = try await s.fx.send(.POST, "/api/v1/usage/events", token: s.token, headers: csvHeaders, body: ByteBuffer(string: csv))
            #expect(first.status == .created, "\(first.body.string)")
            #expect(try await s.fx.send(.POST, "/api/v1/usage/events", token: s.token, headers: csvHeaders, body: ByteBuffer(string: csv)).status == .conflict)
            let badCSV = try await s.fx.send(.POST, "/api/v1/usage/events", token: s.token, headers: csvHeaders,
                                             body: ByteBuffer(string: "account_external_id,user,feature,time\nA-1,u,claims,yesterday\n"))
            #expect(try badCSV.status == .unprocessableEntity && (badCSV.fieldNames()) == ["line 2"])

            let usage = try await s.fx.send(.GET, "/api/v1/accounts/\(s.account)/usage", token: s.token).json()
            // Four people in the last four weeks (user0–2 and user9) of 10 seats; three of the three features.
            #expect(usage["active_users"] as? Int == 4 && usage["seats"] as? Int == 10 && usage["utilisation"] as? Double == 0.4, "\(usage)")
            #expect(usage["features_used"] as? Int == 3 && usage["events_28_days"] as? Int == 17)
            // The refused batch left nothing behind.
            #expect(((usage["features"] as? [[String: Any]]) ?? []).first { $0["feature"] as? String == "claims" }?["events"] as? Int == 8)
            let viewer = try await s.fx.token(s.ws, .csm)
            #expect(try await s.fx.send(.POST, "/api/v1/usage/events", token: viewer, json: ["batch_id": "b-3", "events": events]).status == .forbidden)
        }
    }

    @Test("a usage file read in parts sums to the same roll-ups; a refused line in a later part leaves nothing, not even the parts before it", arguments: TestDB.all)
    func usageFileInParts(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SuccessAPITests.make(app, slug: "usage-parts")
            let scope = Scope(workspaceID: s.ws.id!, db: app.db)
            let today = DateOnly.workspaceToday
            // 40 events over two accounts, five days, three features and four users, with repeats across parts of 7.
            var lines = ["account_external_id,user,feature,count,time"]
            var expected: [String: Int] = [:], weeks: Set<String> = []
            for i in 0..<40 {
                let account = i % 3 == 0 ? "A-2" : "A-1", day = today.adding(days: -1 - i % 5), feature = ["claims", "reports", "export"][i % 3 == 0 ? 0 : i % 2 + 1]
                let user = "u\(i % 4)", count = 1 + i % 4
                lines.append("\(account),\(user),\(feature),\(count),\(day.iso)T09:30:00Z")
                expected["\(account)|\(day.dayNumber)|\(feature)", default: 0] += count
                weeks.insert("\(account)|\(UsageIngest.week(ofDay: day.dayNumber))|\(user)")
            }
            let file = lines.joined(separator: "\n") + "\n"
            let r = try await UsageIngest.csv(try CSVReader(data: Data(file.utf8)), batchID: "parts-1", scope: scope, progressEvery: 7)
            #expect(r.events == 40 && r.accounts == 2 && r.days == 5, "\(r)")
            struct D: Decodable { var external_id: String; var day: Int; var feature: String; var events: Int }
            let stored = try await app.db.sql.raw("""
                SELECT a.external_id, u.day, u.feature, u.events FROM usage_daily u JOIN accounts a ON a.id = u.account_id WHERE u.workspace_id = \(bind: s.ws.id!)
                """).all(decoding: D.self)
            #expect(Dictionary(uniqueKeysWithValues: stored.map { ("\($0.external_id)|\($0.day)|\($0.feature)", $0.events) }) == expected)
            struct W: Decodable { var n: Int }
            let weekRows = try await app.db.sql.raw("SELECT COUNT(*) AS n FROM usage_user_weeks WHERE workspace_id = \(bind: s.ws.id!)").first(decoding: W.self)?.n
            #expect(weekRows == weeks.count)
            struct B: Decodable { var events: Int }
            #expect(try await app.db.sql.raw("SELECT events FROM usage_batches WHERE batch_id = 'parts-1'").first(decoding: B.self)?.events == 40)

            // The same events again with one line too old in the fourth part and one unknown account in the fifth:
            // both named, the batch id not taken, no count changed.
            var bad = lines
            bad[24] = "A-1,u1,claims,1,1999-12-31T12:00:00Z"
            bad[33] = "A-9,u1,claims,1,\(today.iso)"
            do {
                _ = try await UsageIngest.csv(try CSVReader(data: Data((bad.joined(separator: "\n") + "\n").utf8)), batchID: "parts-2", scope: scope, progressEvery: 7)
                Issue.record("a file with refused lines was stored")
            } catch AppError.validation(let problems) {
                #expect(problems.map(\.field) == ["line 25", "line 34"], "\(problems)")
                #expect(problems.first?.message.contains("before 2000-01-01") == true && problems.last?.message.contains("'A-9' is not an account") == true, "\(problems)")
            }
            let after = try await app.db.sql.raw("SELECT a.external_id, u.day, u.feature, u.events FROM usage_daily u JOIN accounts a ON a.id = u.account_id WHERE u.workspace_id = \(bind: s.ws.id!)").all(decoding: D.self)
            #expect(after.count == stored.count && after.map(\.events).reduce(0, +) == expected.values.reduce(0, +))
            #expect(try await app.db.sql.raw("SELECT events FROM usage_batches WHERE batch_id = 'parts-2'").first(decoding: B.self) == nil)
            // The refused file, mended, goes in under the id it could not take.
            let mended = try await UsageIngest.csv(try CSVReader(data: Data(file.utf8)), batchID: "parts-2", scope: scope, progressEvery: 7)
            #expect(mended.events == 40)
        }
    }

    @Test("re-keying the usage roll-ups day first keeps every row, and so do undoing it and the per-batch key checks", arguments: TestDB.all)
    func usageRekey(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SuccessAPITests.make(app, slug: "usage-rekey")
            let today = DateOnly.workspaceToday
            let events: [[String: Any]] = (0..<30).map { i in
                ["account_external_id": i % 2 == 0 ? "A-1" : "A-2", "user": "u\(i % 5)", "feature": "f\(i % 3)", "count": 1 + i, "time": today.adding(days: -1 - i).iso]
            }
            #expect(try await s.fx.send(.POST, "/api/v1/usage/events", token: s.token, json: ["batch_id": "rekey-1", "events": events]).status == .created)
            struct R: Decodable, Hashable { var account_id: UUID; var day: Int; var feature: String; var events: Int }
            struct W: Decodable, Hashable { var account_id: UUID; var week: Int; var user_key: String }
            func rows() async throws -> (Set<R>, Set<W>) {
                (Set(try await app.db.sql.raw("SELECT account_id, day, feature, events FROM usage_daily").all(decoding: R.self)),
                 Set(try await app.db.sql.raw("SELECT account_id, week, user_key FROM usage_user_weeks").all(decoding: W.self)))
            }
            let before = try await rows()
            #expect(before.0.count == 30 && before.0.map(\.events).reduce(0, +) == (1...30).reduce(0, +))
            try await M009_UsageDayFirst().revert(on: app.db)
            #expect(try await rows() == before)
            try await M009_UsageDayFirst().prepare(on: app.db)
            #expect(try await rows() == before)
            // Undoing and redoing the per-batch key checks (PostgreSQL's keys and trigger) keeps them too.
            try await M012_UsageKeysPerBatch().revert(on: app.db)
            try await M012_UsageKeysPerBatch().prepare(on: app.db)
            #expect(try await rows() == before)
            // The key still refuses a second row for the same account, day and feature: the batch adds to it.
            let more = [["account_external_id": "A-1", "user": "u9", "feature": "f0", "count": 100, "time": today.adding(days: -1).iso]]
            #expect(try await s.fx.send(.POST, "/api/v1/usage/events", token: s.token, json: ["batch_id": "rekey-2", "events": more]).status == .created)
            let after = try await rows()
            #expect(after.0.count == 30 && after.0.map(\.events).reduce(0, +) == (1...30).reduce(0, +) + 100)
        }
    }

    /// The roll-ups' accounts are checked once per batch rather than by a foreign key per row (see
    /// `M012_UsageKeysPerBatch`): an account deleted between the check and the write refuses the batch
    /// whole, deleting an account still takes its usage along, and SQLite checks its keys again after.
    @Test("usage of a deleted account: a batch that names it is refused whole, its roll-ups go with it, and the keys are checked again afterwards", arguments: TestDB.all)
    func usageOfDeletedAccount(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SuccessAPITests.make(app, slug: "usage-deleted")
            let day = DateOnly.workspaceToday.adding(days: -1).iso
            func events(_ accounts: [String]) -> [[String: Any]] {
                accounts.map { ["account_external_id": $0, "user": "u-\($0)", "feature": "claims", "count": 3, "time": day] }
            }
            struct N: Decodable { var n: Int }
            func count(_ table: String, _ account: String) async throws -> Int {
                try await app.db.sql.raw("SELECT COUNT(*) AS n FROM \(ident: table) WHERE account_id = \(bind: UUID(uuidString: account)!)").first(decoding: N.self)!.n
            }
            let a1 = UUID(uuidString: s.account)!
            #expect(try await s.fx.send(.POST, "/api/v1/usage/events", token: s.token, json: ["batch_id": "d-1", "events": events(["A-1", "A-2"])]).status == .created)
            #expect(try await count("usage_daily", s.other) == 1)
            #expect(try await count("usage_user_weeks", s.other) == 1)

            // Checked and folded, then the account is deleted before the write: nothing of the batch is stored.
            let scope = try s.ws.scope(on: app.db)
            var checker = UsageIngest.Checker(scope: scope)
            let input = events(["A-1", "A-2"]).map { UsageEventInput(account_external_id: $0["account_external_id"] as? String, user: $0["user"] as? String,
                                                                      feature: "claims", count: 3, time: day) }
            try await checker.resolve(input)
            var fold = UsageIngest.Fold(workspace: scope.workspaceID), problems: [FieldError] = []
            for (i, e) in input.enumerated() { if let r = checker.check(e, label: "events[\(i)]", problems: &problems) { try fold.add(r) } }
            #expect(problems.isEmpty && fold.events == 2)
            #expect(try await s.fx.send(.DELETE, "/api/v1/accounts/\(s.other)", token: s.token).status == .noContent)
            // Deleting the account took its roll-ups along.
            #expect(try await count("usage_daily", s.other) == 0)
            #expect(try await count("usage_user_weeks", s.other) == 0)
            let refused = await #expect(throws: AppError.self) { _ = try await UsageIngest.store(batchID: "d-2", fold: fold, problems: [], scope: scope) }
            if case .conflict(let message)? = refused {
                #expect(message.contains(s.other.lowercased()) && message.contains("Remove their events"), "\(message)")
            } else { Issue.record("expected a conflict naming the deleted account, got \(String(describing: refused))") }
            #expect(try await count("usage_daily", s.account) == 1, "A-1 keeps only the first batch's row")
            let daily = try await app.db.sql.raw("SELECT events AS n FROM usage_daily WHERE account_id = \(bind: a1)").first(decoding: N.self)
            #expect(daily?.n == 3)
            #expect(try await app.db.sql.raw("SELECT COUNT(*) AS n FROM usage_batches WHERE batch_id = 'd-2'").first(decoding: N.self)?.n == 0)

            // The same batch id is free for the retry, which counts A-1 again.
            #expect(try await s.fx.send(.POST, "/api/v1/usage/events", token: s.token, json: ["batch_id": "d-2", "events": events(["A-1"])]).status == .created)
            #expect(try await app.db.sql.raw("SELECT events AS n FROM usage_daily WHERE account_id = \(bind: a1)").first(decoding: N.self)?.n == 6)
            if db == .sqlite {
                // The batch's connection (the scope's) checks foreign keys again: a roll-up row of no account is refused.
                for _ in 0..<2 {
                    await #expect(throws: (any Error).self) {
                        try await scope.db.sql.raw("INSERT INTO usage_daily (workspace_id, account_id, day, feature, events) VALUES (\(bind: scope.workspaceID), \(bind: UUID()), 1, 'x', 1)").run()
                    }
                }
            }
        }
    }

    @Test("event times: the common UTC shape read from its bytes, impossible dates and other shapes left to the general parser")
    func usageTimes() {
        #expect(UsageIngest.utcSeconds("2026-11-23T14:05:09Z") == Int(ISO8601DateFormatter().date(from: "2026-11-23T14:05:09Z")!.timeIntervalSince1970))
        #expect(UsageIngest.utcSeconds("1970-01-01T00:00:00Z") == 0)
        #expect(UsageIngest.utcSeconds("2024-02-29T23:59:59Z") == Int(ISO8601DateFormatter().date(from: "2024-02-29T23:59:59Z")!.timeIntervalSince1970))
        for other in ["2026-02-30T10:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T14:60:00Z", "2026-11-23 14:05:00Z", "2026-11-23T14:05:00+01:00",
                      "2026-11-23", "2026-1a-23T14:05:00Z", ""] {
            #expect(UsageIngest.utcSeconds(other) == nil, "\(other)")
        }
    }

    @Test("health explains every point, refuses bad weights, and a back-test rescores the stored history with proposed weights", arguments: TestDB.all)
    func health(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SuccessAPITests.make(app, slug: "health")
            let bad = try await s.fx.send(.PUT, "/api/v1/health/models", token: s.token, json: ["model": [
                "components": [["kind": "usage", "weight": 80, "thresholds": ["zero_at": 0.2, "full_at": 0.8]],
                               ["kind": "support", "weight": -10, "thresholds": ["zero_at": 5, "full_at": 5]]],
                "red_below": 70, "green_from": 40]])
            #expect(bad.status == .unprocessableEntity, "\(bad.body.string)")
            #expect(try Set(bad.fieldNames()) == ["model.components[1].weight", "model.components[1].thresholds", "model.components.weight", "model.red_below"], "\(bad.body.string)")
            let support = ["kind": "support", "weight": 100, "thresholds": ["zero_at": 4, "full_at": 0]] as [String: Any]
            let saved = try await s.fx.send(.PUT, "/api/v1/health/models", token: s.token, json: ["model": ["components": [support], "red_below": 40, "green_from": 70]])
            #expect(saved.status == .ok, "\(saved.body.string)")
            #expect(try await s.fx.send(.PUT, "/api/v1/health/models", token: try await s.fx.token(s.ws, .csm), json: ["model": ["components": [support], "red_below": 40, "green_from": 70]]).status == .forbidden)

            // Two open cases of four: 50 points, all from support.
            let ws = s.ws.id!
            for i in 0..<2 {
                let f = FeedbackItem()
                f.workspaceID = ws; f.type = "complaint"; f.text = "Fall \(i)"; f.queue = "service"; f.status = "open"; f.source = "test"; f.recordedBy = "test"
                f.accountID = UUID(uuidString: s.account); f.createdAt = Date().addingTimeInterval(-86_400)
                try await f.create(on: app.db)
            }
            let computed = try await s.fx.send(.POST, "/api/v1/health/recompute", token: s.token).json()
            #expect(computed["accounts"] as? Int == 2)
            let history = try await s.fx.send(.GET, "/api/v1/accounts/\(s.account)/health", token: s.token).items()
            let now = try #require(history.last)
            #expect(now["score"] as? Double == 50 && now["band"] as? String == "yellow", "\(now)")
            let c = try #require((now["contributions"] as? [[String: Any]])?.first)
            #expect(c["kind"] as? String == "support" && c["raw"] as? Double == 2 && c["contribution"] as? Double == 50)

            // Stored history: a month before each renewal or churn, this account scored 20, the other 90.
            let today = DateOnly.workspaceToday
            let model = try await HealthEngine.models(scope: Scope(workspaceID: ws, db: app.db)).standard
            let scope = Scope(workspaceID: ws, db: app.db)
            let accounts = [UUID(uuidString: s.account)!: 3.2, UUID(uuidString: s.other)!: 0.4]
            for (id, openCases) in accounts {
                let score = model.score([.support: openCases])
                let row = HealthScoreRow()
                row.workspaceID = ws; row.accountID = id; row.computedOn = today.adding(days: -120).iso; row.score = score.score; row.band = score.band?.rawValue
                row.detail = PlainJSON.encode(score)
                try await row.create(on: app.db)
                let contract = Contract()
                contract.workspaceID = ws; contract.accountID = id; contract.product = "Cloud"; contract.startDate = "2024-01-01"; contract.arrMinor = 100_000
                contract.currency = "EUR"; contract.status = "active"; contract.version = 1
                try await contract.create(on: app.db)
                try await ContractEventsAPI.record(contract: contract, kind: openCases > 1 ? "churn" : "renewal", occurredOn: today.adding(days: -20),
                                                   arrDeltaMinor: openCases > 1 ? -100_000 : 0, reason: "Test", by: .system(s.ws), on: app.db)
            }
            _ = scope
            let back = try await s.fx.send(.GET, "/api/v1/health/backtest?lead_days=90", token: s.token).json()
            let result = try #require(back["result"] as? [String: Any])
            #expect(result["n"] as? Int == 2 && result["churned"] as? Int == 1 && (result["auc"] as? [String: Any])?["auc"] as? Double == 1, "\(back)")
            // Weights that reward open cases would have got it exactly wrong.
            let inverted = try await s.fx.send(.POST, "/api/v1/health/backtest", token: s.token, json: ["lead_days": 90, "model": [
                "components": [["kind": "support", "weight": 100, "thresholds": ["zero_at": 0, "full_at": 4]]], "red_below": 40, "green_from": 70]]).json()
            #expect(((inverted["result"] as? [String: Any])?["auc"] as? [String: Any])?["auc"] as? Double == 0, "\(inverted)")
            let badLead = try await s.fx.send(.GET, "/api/v1/health/backtest?lead_days=-3", token: s.token)
            #expect(try badLead.status == .unprocessableEntity && (badLead.fieldNames()) == ["lead_days"])

            // The portfolio lists both, riskiest first, each with its newest score and the change since the one before.
            let id = UUID(uuidString: s.account)!
            let yesterday = HealthScoreRow(), earlier = model.score([.support: 3.2])
            yesterday.workspaceID = ws; yesterday.accountID = id; yesterday.computedOn = today.adding(days: -1).iso
            yesterday.score = earlier.score; yesterday.band = earlier.band?.rawValue; yesterday.detail = PlainJSON.encode(earlier)
            try await yesterday.create(on: app.db)
            let current = try #require(try await HealthScoreRow.query(on: app.db).filter(\.$accountID == id).filter(\.$computedOn == today.iso).first())
            let portfolio = try await s.fx.send(.GET, "/api/v1/success/portfolio?owner_id=", token: s.token)
            #expect(portfolio.status == .ok)
            let items = try #require(try portfolio.json()["items"] as? [[String: Any]])
            let mine = try #require(items.first { ($0["account_id"] as? String)?.lowercased() == s.account.lowercased() }, "\(items)")
            #expect(mine["health"] as? Double == current.score && mine["band"] as? String == current.band, "\(mine)")
            #expect(abs((mine["health_change"] as? Double ?? 0) - (current.score! - earlier.score!)) < 1e-9, "\(mine)")
            #expect((mine["arr"] as? [String: Any])?["EUR"] as? Double == 1000, "\(mine)")
        }
    }
}

extension SuccessAPITests {
    @Test("a fall in active users is a risk; the portfolio reads the counts stored with the newest score, the account view counts them today; stale stored counts are not used", arguments: TestDB.all)
    func usageDrop(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SuccessAPITests.make(app, slug: "drop")
            let stamp = { (days: Double) in ISO8601DateFormatter().string(from: Date().addingTimeInterval(-days * 86_400)) }
            // Four people six weeks ago, one of them in the last days: 4 → 1 active users, a fall of 75 %.
            var events: [[String: Any]] = (1...4).map { ["account_id": s.account, "user": "u\($0)", "feature": "Berichte", "count": 2, "time": stamp(42)] }
            events.append(["account_id": s.account, "user": "u1", "feature": "Berichte", "count": 1, "time": stamp(2)])
            #expect(try await s.fx.send(.POST, "/api/v1/usage/events", token: s.token, json: ["batch_id": "drop-1", "events": events]).status == .created)
            func risks(_ path: String) async throws -> [String] {
                let body = try await s.fx.send(.GET, path, token: s.token).json()
                let row = path.contains("portfolio")
                    ? try #require((body["items"] as? [[String: Any]])?.first { ($0["account_id"] as? String)?.lowercased() == s.account.lowercased() }, "\(body)")
                    : body
                return (row["risks"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            }
            // Before any score the portfolio counts from the roll-ups.
            #expect(try await risks("/api/v1/success/portfolio?owner_id=").contains("usage_drop"))
            #expect(try await s.fx.send(.POST, "/api/v1/health/recompute", token: s.token).status == .ok)
            struct Stored: Decodable { var active_users: Int?; var previous_active_users: Int? }
            let stored = try await (app.db as! any SQLDatabase).raw("SELECT active_users, previous_active_users FROM health_scores WHERE account_id = \(bind: UUID(uuidString: s.account)!)")
                .first(decoding: Stored.self)
            #expect(stored?.active_users == 1 && stored?.previous_active_users == 4, "\(String(describing: stored))")
            #expect(try await risks("/api/v1/success/portfolio?owner_id=").contains("usage_drop"))
            #expect(try await risks("/api/v1/accounts/\(s.account)/success").contains("usage_drop"))
            // Everyone is back today: the account view sees it at once, the portfolio with the next score.
            let back: [[String: Any]] = (2...4).map { ["account_id": s.account, "user": "u\($0)", "feature": "Berichte", "count": 1, "time": stamp(1)] }
            #expect(try await s.fx.send(.POST, "/api/v1/usage/events", token: s.token, json: ["batch_id": "drop-2", "events": back]).status == .created)
            #expect(try await !risks("/api/v1/accounts/\(s.account)/success").contains("usage_drop"))
            #expect(try await risks("/api/v1/success/portfolio?owner_id=").contains("usage_drop"))
            #expect(try await s.fx.send(.POST, "/api/v1/health/recompute", token: s.token).status == .ok)
            #expect(try await !risks("/api/v1/success/portfolio?owner_id=").contains("usage_drop"))
            // Counts stored with a score older than yesterday are not used: the roll-ups (no drop) decide.
            try await (app.db as! any SQLDatabase).raw("""
                UPDATE health_scores SET computed_on = \(bind: DateOnly.workspaceToday.adding(days: -3).iso), active_users = 1, previous_active_users = 4
                WHERE workspace_id = \(bind: s.ws.id!)
                """).run()
            #expect(try await !risks("/api/v1/success/portfolio?owner_id=").contains("usage_drop"))
        }
    }
}

extension SuccessAPITests {
    @Test("health is computed once a day per workspace from the hour of its time zone, by one node of several; a dead node's claim is taken over after an hour; by hand is recorded, and before the hour is redone", arguments: TestDB.all)
    func dailyHealth(db: TestDB) async throws {
        try await withTestApp(db, settings: { $0.healthHour = 3 }) { app in
            let s = try await SuccessAPITests.make(app, slug: "daily")   // Europe/Berlin, two accounts
            let ny = try await Workspaces.create(slug: "daily-ny", name: "New York", timeZone: "America/New_York", on: app.db)
            _ = try await s.fx.create("/api/v1/accounts", token: try await s.fx.token(ny), ["name": "Hudson Inc", "external_id": "NY-1"])
            // Days after today, so no claim made here looks older than it is.
            let berlin = TimeZone(identifier: "Europe/Berlin")!, newYork = TimeZone(identifier: "America/New_York")!
            let d = DateOnly.today(in: berlin).adding(days: 2)
            func at(_ day: DateOnly, _ hours: Double, _ zone: TimeZone) -> Date {
                let noon = Date(timeIntervalSince1970: Double(day.dayNumber) * 86_400 + 43_200)
                return Date(timeIntervalSince1970: Double(day.dayNumber) * 86_400 + hours * 3_600 - Double(zone.secondsFromGMT(for: noon)))
            }
            func scores(_ day: DateOnly) async throws -> Int { try await HealthScoreRow.query(on: app.db).filter(\.$computedOn == day.iso).count() }
            func runs(_ token: String? = nil) async throws -> [[String: Any]] { try await s.fx.send(.GET, "/api/v1/health/runs", token: token ?? s.token).items() }

            // 02:30 in Berlin, before its hour; in New York the evening before, whose day has not been computed yet.
            #expect(try await HealthSchedule.runDue(app, now: at(d, 2.5, berlin)) == 1)
            #expect(try await scores(d) == 0)
            #expect(try await scores(d.adding(days: -1)) == 1)
            // 03:30 in Berlin, two nodes at once: Berlin's day is computed by one of them.
            let due = at(d, 3.5, berlin)
            async let a = HealthSchedule.runDue(app, now: due, node: "node-a")
            async let b = HealthSchedule.runDue(app, now: due, node: "node-b")
            let (x, y) = try await (a, b)
            #expect(x + y == 1, "node a computed \(x), node b \(y)")
            #expect(try await scores(d) == 2)
            let first = try await runs()
            #expect(first.count == 1 && first[0]["computed_on"] as? String == d.iso && first[0]["origin"] as? String == "schedule"
                    && first[0]["accounts"] as? Int == 2 && first[0]["finished_at"] is String && ["node-a", "node-b"].contains(first[0]["claimed_by"] as? String ?? ""), "\(first)")
            #expect(try await HealthSchedule.runDue(app, now: due.addingTimeInterval(3_600)) == 0, "Berlin's day is done")
            // 03:30 in New York: its own day, its own account only.
            #expect(try await HealthSchedule.runDue(app, now: at(d, 3.5, newYork)) == 1)
            #expect(try await scores(d) == 3)
            let theirs = try await runs(try await s.fx.token(ny))
            #expect(theirs.map { $0["computed_on"] as? String } == [d.iso, d.adding(days: -1).iso], "another workspace sees only its own runs")

            // A node claimed Berlin's next day at 03:05 and died: its claim is left alone for an hour, then taken over.
            let next = d.adding(days: 1)
            try await app.db.sql.raw("""
                INSERT INTO health_runs (workspace_id, computed_on, origin, claimed_by, started_at)
                VALUES (\(bind: s.ws.id!), \(bind: next.iso), 'schedule', 'dead-node', \(bind: at(next, 3 + 5.0 / 60, berlin).timeIntervalSince1970))
                """).run()
            #expect(try await HealthSchedule.runDue(app, now: at(next, 3.5, berlin), node: "node-c") == 0, "a live claim is left alone")
            #expect(try await scores(next) == 0)
            #expect(try await HealthSchedule.runDue(app, now: at(next, 4.2, berlin), node: "node-c") == 1, "taken over after an hour")
            #expect(try await scores(next) == 2)
            #expect(try await runs().first?["claimed_by"] as? String == "node-c")

            // Recomputed by hand at 00:30: the 03:00 run still comes and replaces it. By hand at 03:10: that is the day's run.
            let third = d.adding(days: 2), fourth = d.adding(days: 3)
            for (day, hours) in [(third, 0.5), (fourth, 3 + 10.0 / 60)] {
                try await app.db.sql.raw("""
                    INSERT INTO health_runs (workspace_id, computed_on, origin, claimed_by, started_at, finished_at, accounts, seconds)
                    VALUES (\(bind: s.ws.id!), \(bind: day.iso), 'manual', 'user anna@example.org', \(bind: at(day, hours, berlin).timeIntervalSince1970),
                            \(bind: at(day, hours, berlin).timeIntervalSince1970 + 1), 2, 1.0)
                    """).run()
            }
            // (New York's evenings fall in these rounds too, and its days are computed with them.)
            func berlinRun(_ day: DateOnly) async throws -> [String: Any]? { try await runs().first { $0["computed_on"] as? String == day.iso } }
            _ = try await HealthSchedule.runDue(app, now: at(third, 3.5, berlin))
            #expect(try await berlinRun(third)?["origin"] as? String == "schedule")
            _ = try await HealthSchedule.runDue(app, now: at(fourth, 3.5, berlin))
            #expect(try await berlinRun(fourth)?["origin"] as? String == "manual")

            // By hand now: the workspace's day, recorded as such; a viewer reads the runs, another workspace sees only its own.
            let manual = try await s.fx.send(.POST, "/api/v1/health/recompute", token: s.token).json()
            let today = DateOnly.today(in: berlin).iso
            #expect(manual["computed_on"] as? String == today && manual["accounts"] as? Int == 2, "\(manual)")
            let listed = try await runs(try await s.fx.token(s.ws, .viewer))
            #expect(listed.contains { $0["computed_on"] as? String == today && $0["origin"] as? String == "manual" && ($0["claimed_by"] as? String ?? "").contains("token") }, "\(listed)")
        }
    }
}

extension SuccessAPITests {
    @Test("an overview of more accounts than are named in a query (a playbook sweep) reads the whole workspace, one of a CSM's accounts named by owner reads only theirs, and both say the same of each account as a narrow read", arguments: TestDB.all)
    func wideOverview(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SuccessAPITests.make(app, slug: "wide")
            // A goal without a customer-side owner, a plan with an overdue milestone, and an open overdue task.
            let goal = try await s.fx.create("/api/v1/goals", token: s.token, ["account_id": s.account, "title": "Durchlaufzeit halbieren"])
            _ = try await s.fx.create("/api/v1/goals/\(goal.id)/kpis", token: s.token, ["name": "Durchlaufzeit", "unit": "Tage", "baseline": 20, "target": 10,
                                                                                     "deadline": DateOnly.workspaceToday.adding(days: 90).iso])
            let plan = try await s.fx.create("/api/v1/plans", token: s.token, ["account_id": s.account, "title": "Erfolgsplan"])
            _ = try await s.fx.create("/api/v1/plans/\(plan.id)/milestones", token: s.token, ["title": "Schulung", "phase": "adoption",
                                                                                                    "due_on": DateOnly.workspaceToday.adding(days: -30).iso])
            _ = try await s.fx.create("/api/v1/tasks", token: s.token, ["account_id": s.account, "title": "Anrufen", "due_on": DateOnly.workspaceToday.adding(days: -2).iso])
            let scope = Scope(workspaceID: s.ws.id!, db: app.db)
            let many = (0...IDList.namedUpTo).map { _ in UUID() }
            for chunk in stride(from: 0, to: many.count, by: 500) {
                let models = many[chunk..<min(chunk + 500, many.count)].enumerated().map { i, id -> Account in
                    let a = Account()
                    a.id = id; a.workspaceID = s.ws.id!; a.name = "Konto \(chunk + i)"; a.searchText = "konto \(chunk + i)"; a.kind = "business"
                    a.coverageModel = "tech_touch"; a.attributes = [:]; a.version = 1
                    return a
                }
                try await models.create(on: app.db)
            }
            let ids = [UUID(uuidString: s.account)!, UUID(uuidString: s.other)!] + many
            let wide = try await SuccessOverview.load(accounts: ids, scope: scope, detailed: false)
            let narrow = try await SuccessOverview.load(accounts: [ids[0]], scope: scope, detailed: false)
            #expect(wide.risks(ids[0]).map(\.kind) == narrow.risks(ids[0]).map(\.kind))
            #expect(Set(narrow.risks(ids[0]).map(\.kind)) == ["missing_customer_owner", "lacking_customer_resources"], "\(narrow.risks(ids[0]))")
            #expect(wide.tasks[ids[0]]?.open == 1 && wide.tasks[ids[0]]?.overdue == 1 && wide.goals[ids[0]]?.count == 1)
            #expect(wide.risks(ids[1]).isEmpty && wide.risks(many[0]).isEmpty)
            // The detailed read has the KPI; the portfolio's light read leaves it out.
            let detailed = try await SuccessOverview.load(accounts: [ids[0]], scope: scope)
            #expect(detailed.book.kpis[UUID(uuidString: goal.id)!]?.count == 1 && narrow.book.kpis.isEmpty)

            // A CSM's portfolio names their accounts by owner, not by id: the same facts, and only theirs.
            _ = try await s.fx.create("/api/v1/goals", token: s.token, ["account_id": s.other, "title": "Kosten senken"])
            _ = try await s.fx.create("/api/v1/tasks", token: s.token, ["account_id": s.other, "title": "Nachfassen", "due_on": DateOnly.workspaceToday.adding(days: 5).iso])
            let csm = try await s.fx.user(s.ws, email: "csm@wide.example", role: .csm)
            try await (app.db as! any SQLDatabase).raw("UPDATE accounts SET owner_id = \(bind: csm.id!) WHERE id = \(bind: ids[0])").run()
            let owned = try await SuccessOverview.load(accounts: [ids[0]], covering: .ownedBy(csm.id!, workspace: s.ws.id!), scope: scope, detailed: false)
            #expect(owned.risks(ids[0]).map(\.kind) == narrow.risks(ids[0]).map(\.kind))
            #expect(owned.tasks[ids[0]]?.open == 1 && owned.tasks[ids[0]]?.overdue == 1 && owned.goals[ids[0]]?.count == 1 && owned.plan[ids[0]]?.milestones.count == 1)
            #expect(owned.goals[ids[1]] == nil && owned.tasks[ids[1]] == nil && owned.goals.count == 1 && owned.tasks.count == 1 && owned.plan.count == 1)
            let rows = try await s.fx.send(.GET, "/api/v1/success/portfolio?owner_id=\(csm.id!.uuidString.lowercased())", token: s.token).json()["items"] as? [[String: Any]]
            #expect(rows?.map { $0["account_id"] as? String } == [ids[0].uuidString] && rows?.first?["open_tasks"] as? Int == 1, "\(rows ?? [])")
        }
    }
}

extension SuccessAPITests {
    @Test("a portfolio row written directly is the same JSON as the encoder writes, quotes, control characters, umlauts, cents and missing fields included")
    func directJSON() throws {
        let rows = [
            PortfolioRow(account_id: UUID(), name: "Müller \"&\" Söhne\n\tGmbH \\ \u{1}", segment: nil, owner_id: UUID(), health: 41.25, band: "yellow", health_change: -3.5,
                         next_renewal: "2027-01-31", arr_minor: ["EUR": 1_234_567, "CHF": -5, "USD": 150], goals: 3, goals_reached: 1,
                         risks: [RiskSignal(kind: "usage_drop", severity: "high", detail: "Active users fell from 12 to 3 (−75 %)")], open_tasks: 2, overdue_tasks: 1),
            PortfolioRow(account_id: UUID(), name: "Alpen AG", segment: "SMB", owner_id: nil, health: nil, band: nil, health_change: nil, next_renewal: nil,
                         arr_minor: [:], goals: 0, goals_reached: 0, risks: [], open_tasks: 0, overdue_tasks: 0),
            PortfolioRow(account_id: UUID(), name: "", segment: "", owner_id: nil, health: 100, band: "green", health_change: 0, next_renewal: nil,
                         arr_minor: ["EUR": 99, "GBP": 100_000_000_000], goals: 1, goals_reached: 1, risks: [], open_tasks: 0, overdue_tasks: 0),
        ]
        for row in rows {
            var j = JSONText(capacity: 256)
            row.write(to: &j)
            let direct = try JSONSerialization.jsonObject(with: Data(j.bytes)) as? NSDictionary
            let encoded = try JSONSerialization.jsonObject(with: Data(PlainJSON.encode(row).utf8)) as? NSDictionary
            #expect(direct != nil && direct == encoded, "\(String(decoding: j.bytes, as: UTF8.self))")
        }
    }
}

@Suite("Customer Success pages")
struct SuccessPageTests {
    @Test("a CSM works a goal, a KPI and the plan in the browser, shares it, and a viewer only reads", arguments: TestDB.all)
    func pages(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SuccessAPITests.make(app, slug: "pages")
            _ = try await s.fx.user(s.ws, email: "csm@pages.example", role: .csm)
            _ = try await s.fx.user(s.ws, email: "viewer@pages.example", role: .viewer)
            let csm = try await WebSession.login(app, email: "csm@pages.example", password: "correct horse battery")
            let base = "/accounts/\(s.account)/success"
            #expect(try await csm.get(base).body.string.contains("No goals yet"))
            let missing = try await csm.post(base + "/goal", form: ["title": "", "level": "focal", "horizon": "strategic"])
            #expect(missing.status == .unprocessableEntity && missing.body.string.contains("title: is required"))
            #expect(try await csm.post(base + "/goal", form: ["title": "Servicequalität verbessern", "level": "focal", "horizon": "strategic",
                                                              "customer_owner_id": s.contact]).status == .seeOther)
            let goal = try #require(try await Goal.query(on: app.db).filter(\.$title == "Servicequalität verbessern").first())
            let noUnit = try await csm.post(base + "/kpi", form: ["goal_id": goal.id!.uuidString, "name": "Erstlösungsquote", "baseline": "60", "target": "80",
                                                                   "deadline": "2027-06-30", "source": "manual"])
            #expect(noUnit.status == .unprocessableEntity && noUnit.body.string.contains("unit: is required"))
            #expect(try await csm.post(base + "/kpi", form: ["goal_id": goal.id!.uuidString, "name": "Erstlösungsquote", "unit": "%", "baseline": "60", "target": "80",
                                                             "baseline_on": "2026-01-01", "deadline": "2027-06-30", "source": "manual"]).status == .seeOther)
            let kpi = try #require(try await GoalKPI.query(on: app.db).filter(\.$goalID == goal.id!).first())
            #expect(try await csm.post(base + "/kpi-value", form: ["kpi_id": kpi.id!.uuidString, "value": "70", "measured_on": DateOnly.workspaceToday.iso]).status == .seeOther)
            #expect(try await csm.post(base + "/agree", form: ["goal_id": goal.id!.uuidString, "stage": "ex_ante", "side": "vendor"]).status == .seeOther)
            #expect(try await csm.post(base + "/plan", form: ["title": "Erfolgsplan"]).status == .seeOther)
            #expect(try await csm.post(base + "/plan-edit", form: ["title": "Erfolgsplan", "priority1": "Go-live", "priority2": "Schulung", "adoption_planned": "2026-01-01",
                                                                   "activation_planned": "2026-03-01", "version": "1"]).status == .unprocessableEntity)
            let page = try await csm.get(base).body.string
            #expect(page.contains("Servicequalität verbessern") && page.contains("50 %") && page.contains("vendor: Test User"), "\(page.prefix(200))")
            let shared = try await csm.post(base + "/share", form: [:])
            let html = shared.body.string
            let url = try #require(html.range(of: #"http://[^<"]+/p/[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(html[$0]) })
            let customer = try await app.testing().sendRequest(.GET, String(url[url.range(of: "/p/")!.lowerBound...]))
            #expect(customer.status == .ok && customer.body.string.contains("Servicequalität verbessern") && customer.body.string.contains("Erstlösungsquote"))

            // A viewer reads the page but finds no forms, and posting is refused.
            let viewer = try await WebSession.login(app, email: "viewer@pages.example", password: "correct horse battery")
            let read = try await viewer.get(base).body.string
            #expect(read.contains("Servicequalität verbessern") && !read.contains("Add a goal") && !read.contains("Share with the customer"))
            #expect(try await viewer.post(base + "/goal", form: ["title": "x"]).status == .forbidden)
            let portfolio = try await csm.get("/success?owner=all").body.string
            #expect(portfolio.contains("Müller GmbH") && portfolio.contains("Alpen AG"))
            let health = try await csm.get("/success/health").body.string
            #expect(health.contains("Back-test of the saved model") && !health.contains("Save as the model"))
        }
    }

    @Test("a CSM records a meeting whose next steps become tasks, finishes one from the week's list, logs product feedback; renewals and playbooks pages work, and only a health configurer runs playbooks", arguments: TestDB.all)
    func operationsPages(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SuccessAPITests.make(app, slug: "ops-pages")
            let today = DateOnly.workspaceToday
            _ = try await s.fx.create("/api/v1/contracts", token: s.token, ["account_id": s.account, "product": "Cloud", "start_date": "2025-01-01",
                                                                            "renewal_date": today.adding(days: 40).iso, "arr": 24000, "currency": "EUR"])
            _ = try await s.fx.user(s.ws, email: "csm@ops.example", role: .csm)
            _ = try await s.fx.user(s.ws, email: "admin@ops.example", role: .admin)
            let csm = try await WebSession.login(app, email: "csm@ops.example", password: "correct horse battery")
            let base = "/accounts/\(s.account)/success"

            // Bad input is named and what was typed stays in the form; nothing is stored.
            let noTitle = try await csm.post(base + "/meeting", form: ["title": "", "notes": "Schadenquote besprochen"])
            #expect(noTitle.status == .unprocessableEntity && noTitle.body.string.contains("title: is required") && noTitle.body.string.contains("Schadenquote besprochen"))
            let badDate = try await csm.post(base + "/meeting", form: ["title": "Quartalsgespräch", "next_steps": "Angebot schicken | 2026-13-01"])
            #expect(badDate.status == .unprocessableEntity && badDate.body.string.contains("next_steps[0].due_on"))
            #expect(try await Meeting.query(on: app.db).count() == 0)

            let ok = try await csm.post(base + "/meeting", form: ["title": "Quartalsgespräch", "held_on": today.iso, "decisions": "Pilot Süd", "expectations_checked": "on",
                                                                  "next_steps": "Angebot schicken | \(today.adding(days: 1).iso)\n\nSchulung planen"])
            #expect(ok.status == .seeOther)
            let tasks = try await CSTask.query(on: app.db).sort(\.$dueOn).all()
            #expect(tasks.map(\.title) == ["Angebot schicken", "Schulung planen"] && tasks[1].dueOn == today.adding(days: 14).iso && tasks.allSatisfy { $0.meetingID != nil })
            let page = try await csm.get(base).body.string
            #expect(page.contains("Quartalsgespräch") && page.contains("expectations checked") && page.contains("Angebot schicken"))

            // The week's list holds what is due within seven days; Done takes it off.
            let week = try await csm.get("/success/tasks").body.string
            #expect(week.contains("Angebot schicken") && !week.contains("Schulung planen") && week.contains("Müller GmbH"))
            #expect(try await csm.post("/success/tasks/\(tasks[0].id!.uuidString)/done", form: ["back": "/success/tasks"]).status == .seeOther)
            #expect(try await CSTask.find(tasks[0].id, on: app.db)?.status == "done")
            #expect(!(try await csm.get("/success/tasks").body.string.contains("Angebot schicken")))
            #expect(try await csm.get("/success?owner=all").body.string.contains("Open tasks"))

            #expect(try await csm.post(base + "/advocacy", form: ["kind": "product_feedback", "title": "Export als PowerPoint", "feedback_type": "idea"]).status == .seeOther)
            #expect(try await FeedbackItem.query(on: app.db).filter(\.$source == "customer_success").count() == 1)
            #expect(try await csm.post(base + "/advocacy", form: ["kind": "testimonial", "title": "x"]).body.string.contains("kind: 'testimonial' is not one of"))

            let renewals = try await csm.get("/success/renewals").body.string
            #expect(renewals.contains("Renewals in EUR") && renewals.contains("24,000 EUR") && renewals.contains("GRR"), "\(renewals.prefix(300))")

            // A CSM reads the playbooks but neither creates nor runs them.
            #expect(!(try await csm.get("/success/playbooks").body.string.contains("New playbook")))
            #expect(try await csm.post("/success/playbooks", form: ["name": "x"]).status == .forbidden)
            let admin = try await WebSession.login(app, email: "admin@ops.example", password: "correct horse battery")
            // Someone without tasks of their own sees the team's week instead of an empty page.
            let team = try await admin.get("/success/tasks").body.string
            #expect(team.contains("here is everyone's") && team.contains("Nothing due this week."))
            let refused = try await admin.post("/success/playbooks", form: ["name": "Verlängerung", "trigger_kind": "renewal_within", "trigger_value": "60", "tasks": "Anrufen | bald"])
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("line 1"))
            let created = try await admin.post("/success/playbooks", form: ["name": "Verlängerung", "trigger_kind": "renewal_within", "trigger_value": "60",
                                                                            "tasks": "Anrufen | 3\nAngebot vorbereiten | 10"])
            #expect(created.status == .ok && created.body.string.contains("Created and run: 1 occurrences, 2 tasks."), "\(created.body.string.prefix(400))")
            #expect(try await admin.post("/success/playbooks/sweep", form: [:]).body.string.contains("Run: 0 new occurrences, 0 tasks"))
            let playbook = try #require(try await Playbook.query(on: app.db).first())
            #expect(try await admin.post("/success/playbooks/\(playbook.id!.uuidString)/toggle", form: [:]).status == .seeOther)
            #expect(try await Playbook.find(playbook.id, on: app.db)?.active == false)
        }
    }
}
