import Fluent
import Foundation
import RapportKit
import Testing
import Vapor
import VaporTesting
@testable import RapportServer

@Suite("Customer Success: tasks, meetings, playbooks, advocacy, renewals and retention")
struct OperationsAPITests {
    @Test("tasks and meetings land on the timeline; a meeting's next steps become tasks; bad input is named", arguments: TestDB.all)
    func tasksAndMeetings(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SuccessAPITests.make(app, slug: "tasks")
            let today = DateOnly.workspaceToday
            let task = try await s.fx.create("/api/v1/tasks", token: s.token, ["account_id": s.account, "title": "Nutzung mit Anna besprechen",
                                                                               "due_on": today.adding(days: -1).iso])
            #expect(task["status"] as? String == "open" && task["overdue"] as? Bool == true && task["source"] as? String == "manual")
            let bad = try await s.fx.send(.POST, "/api/v1/tasks", token: s.token, json: ["account_id": UUID().uuidString, "title": "", "due_on": "morgen", "status": "later"])
            #expect(try bad.status == .unprocessableEntity && Set(bad.fieldNames()) == ["account_id", "title", "due_on", "status"], "\(bad.body.string)")

            let meeting = try await s.fx.create("/api/v1/accounts/\(s.account)/meetings", token: s.token, [
                "title": "Quartalsgespräch", "held_on": today.iso, "notes": "Schadenquote besprochen", "decisions": "Pilot in Region Süd",
                "expectations_checked": true, "next_steps": [["title": "Pilot planen"], ["title": "Zahlen schicken", "due_on": today.adding(days: 3).iso]],
            ])
            let steps = try #require(meeting["next_steps"] as? [[String: Any]])
            #expect(steps.count == 2 && steps.allSatisfy { $0["source"] as? String == "meeting" })
            #expect(steps.first { $0["title"] as? String == "Pilot planen" }?["due_on"] as? String == today.adding(days: 14).iso)
            let future = try await s.fx.send(.POST, "/api/v1/accounts/\(s.account)/meetings", token: s.token,
                                             json: ["title": "x", "held_on": today.adding(days: 30).iso, "next_steps": [["title": ""]]])
            #expect(try future.status == .unprocessableEntity && (future.fieldNames()) == ["held_on", "next_steps[0].title"])

            // The open tasks, soonest first; marking one done keeps who and when, and the timeline tells the story.
            let open = try await s.fx.send(.GET, "/api/v1/tasks?account_id=\(s.account)", token: s.token).items()
            #expect(open.map { $0["title"] as? String } == ["Nutzung mit Anna besprechen", "Zahlen schicken", "Pilot planen"])
            let done = try await s.fx.send(.PATCH, "/api/v1/tasks/\(task.id)", token: s.token, json: ["status": "done"], headers: [("If-Match", "\"v1\"")])
            #expect(try done.status == .ok && done.json()["done_by"] as? String != nil && done.json()["overdue"] as? Bool == false)
            #expect(try await s.fx.send(.PATCH, "/api/v1/tasks/\(task.id)", token: s.token, json: ["title": "x"], headers: [("If-Match", "\"v1\"")]).status == .preconditionFailed)
            #expect(try await s.fx.send(.GET, "/api/v1/tasks?account_id=\(s.account)", token: s.token).items().count == 2)
            let timeline = try await s.fx.send(.GET, "/api/v1/accounts/\(s.account)/timeline", token: s.token).items().compactMap { $0["kind"] as? String }
            #expect(timeline.contains("success.meeting") && timeline.contains("success.task") && timeline.contains("success.task_done"))

            // A viewer reads but does not write; another workspace sees nothing.
            let viewer = try await s.fx.token(s.ws, .viewer)
            #expect(try await s.fx.send(.POST, "/api/v1/tasks", token: viewer, json: ["account_id": s.account, "title": "x"]).status == .forbidden)
            let elsewhere = try await s.fx.token(try await s.fx.workspace("tasks-other"))
            #expect(try await s.fx.send(.GET, "/api/v1/tasks/\(task.id)", token: elsewhere).status == .notFound)
            #expect(try await s.fx.send(.GET, "/api/v1/tasks", token: elsewhere).items().isEmpty)
        }
    }

    @Test("today is the workspace's day: defaults and future checks follow its time zone, not the server's", arguments: TestDB.all)
    func workspaceDay(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            // At any hour at least one of these two zones is on another date than UTC.
            for (slug, zone) in [("day-east", "Pacific/Kiritimati"), ("day-west", "Pacific/Pago_Pago")] {
                let ws = try await Workspaces.create(slug: slug, name: slug, timeZone: zone, on: app.db)
                let token = try await fx.token(ws)
                let account = try await fx.create("/api/v1/accounts", token: token, ["name": "Kunde \(slug)"]).id
                let today = DateOnly.today(in: TimeZone(identifier: zone)!)
                let now = ISO8601DateFormatter().string(from: Date())
                let posted = try await fx.send(.POST, "/api/v1/usage/events", token: token, json: ["batch_id": slug, "events": [
                    ["account_id": account, "user": "u@kunde.example", "feature": "claims", "time": now]]])
                let usage = try await fx.send(.GET, "/api/v1/accounts/\(account)/usage", token: token).json()
                let task = try await fx.create("/api/v1/tasks", token: token, ["account_id": account, "title": "Anrufen"])
                let meeting = try await fx.create("/api/v1/accounts/\(account)/meetings", token: token, ["title": "Gespräch"])
                let tomorrow = try await fx.send(.POST, "/api/v1/accounts/\(account)/meetings", token: token,
                                                 json: ["title": "Gespräch", "held_on": today.adding(days: 1).iso])
                let overdue = try await fx.create("/api/v1/tasks", token: token, ["account_id": account, "title": "Gestern", "due_on": today.adding(days: -1).iso])
                let due = try await fx.create("/api/v1/tasks", token: token, ["account_id": account, "title": "Heute", "due_on": today.iso])
                // Midnight in the zone while this ran would mix two days: nothing to judge then.
                guard DateOnly.today(in: TimeZone(identifier: zone)!) == today else { continue }
                // An event of this moment counts on the workspace's today.
                #expect(posted.status == .created && usage["as_of"] as? String == today.iso, "\(zone): \(usage)")
                #expect((usage["daily"] as? [[String: Any]])?.last?["day"] as? String == today.iso && usage["events_28_days"] as? Int == 1, "\(zone): \(usage)")
                #expect(task["due_on"] as? String == today.adding(days: 7).iso, "\(zone): \(task)")
                #expect(meeting["held_on"] as? String == today.iso, "\(zone): \(meeting)")
                #expect(try tomorrow.status == .unprocessableEntity && tomorrow.fieldNames() == ["held_on"], "\(zone): \(tomorrow.body.string)")
                #expect(overdue["overdue"] as? Bool == true && due["overdue"] as? Bool == false, "\(zone)")
            }
        }
    }

    @Test("a playbook creates its tasks once per occurrence, even when swept twice, and again when a risk comes back", arguments: TestDB.all)
    func playbooks(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SuccessAPITests.make(app, slug: "playbooks")
            let today = DateOnly.workspaceToday
            _ = try await s.fx.create("/api/v1/contracts", token: s.token, ["account_id": s.account, "product": "Cloud", "start_date": "2025-01-01",
                                                                            "renewal_date": today.adding(days: 40).iso, "arr": 24000, "currency": "EUR"])
            let bad = try await s.fx.send(.POST, "/api/v1/playbooks", token: s.token, json: ["name": "x", "trigger_kind": "renewal_within", "trigger_value": "soon",
                                                                                              "tasks": [["title": "", "due_in_days": 400]]])
            #expect(try bad.status == .unprocessableEntity && Set(bad.fieldNames()) == ["trigger_value", "tasks[0].title", "tasks[0].due_in_days"], "\(bad.body.string)")
            let renewal = try await s.fx.create("/api/v1/playbooks", token: s.token, ["name": "Verlängerung vorbereiten", "trigger_kind": "renewal_within", "trigger_value": "60",
                                                                                     "tasks": [["title": "Erfolgsnachweis zusammenstellen", "due_in_days": 7], ["title": "Verlängerungsgespräch", "due_in_days": 21]]])
            let missing = try await s.fx.create("/api/v1/playbooks", token: s.token, ["name": "Ansprechpartner finden", "trigger_kind": "risk_signal",
                                                                                     "trigger_value": "missing_customer_owner", "tasks": [["title": "Kundenseitigen Owner benennen", "due_in_days": 5]]])
            let first = try await s.fx.send(.POST, "/api/v1/playbooks/sweep", token: s.token).json()
            #expect(first["tasks"] as? Int == 2, "\(first)")  // the renewal; no goals yet, so no missing owner
            let again = try await s.fx.send(.POST, "/api/v1/playbooks/sweep", token: s.token).json()
            #expect(again["tasks"] as? Int == 0 && again["occurrences"] as? Int == 0)
            // Two sweeps at once (two nodes) still create each task once.
            async let a = Playbooks.sweep(scope: Scope(workspaceID: s.ws.id!, db: app.db))
            async let b = Playbooks.sweep(scope: Scope(workspaceID: s.ws.id!, db: app.db))
            let both = try await [a, b]
            #expect(both.map(\.tasks).reduce(0, +) == 0)

            // A goal without a customer-side owner raises the signal; giving it one ends the occurrence; losing it again is a new one.
            let goal = try await s.fx.create("/api/v1/goals", token: s.token, ["account_id": s.account, "title": "Durchlaufzeit halbieren"])
            #expect(try await s.fx.send(.POST, "/api/v1/playbooks/sweep", token: s.token).json()["tasks"] as? Int == 1)
            _ = try await s.fx.send(.PATCH, "/api/v1/goals/\(goal.id)", token: s.token, json: ["customer_owner_id": s.contact], headers: [("If-Match", "\"v1\"")])
            #expect(try await s.fx.send(.POST, "/api/v1/playbooks/sweep", token: s.token).json()["resolved"] as? Int == 1)
            _ = try await s.fx.send(.PATCH, "/api/v1/goals/\(goal.id)", token: s.token, json: ["customer_owner_id": NSNull()], headers: [("If-Match", "\"v2\"")])
            let back = try await s.fx.send(.POST, "/api/v1/playbooks/sweep", token: s.token).json()
            #expect(back["tasks"] as? Int == 0, "the same day is the same occurrence: \(back)")
            let runs = try await s.fx.send(.GET, "/api/v1/playbooks/\(missing.id)/runs", token: s.token).items()
            #expect(runs.count == 1 && runs[0]["resolved_at"] is NSNull == false)

            let tasks = try await s.fx.send(.GET, "/api/v1/tasks?account_id=\(s.account)", token: s.token).items()
            #expect(tasks.count == 3 && tasks.allSatisfy { $0["source"] as? String == "playbook" })
            #expect(tasks.first?["title"] as? String == "Kundenseitigen Owner benennen")
            #expect(try await s.fx.send(.GET, "/api/v1/playbooks/\(renewal.id)/runs", token: s.token).items().first?["detail"] as? String == "Cloud renews on \(today.adding(days: 40).iso) (ARR 24000 EUR)")
            let csm = try await s.fx.token(s.ws, .csm)
            #expect(try await s.fx.send(.POST, "/api/v1/playbooks/sweep", token: csm).status == .forbidden)
        }
    }

    @Test("advocacy: references and case studies with their statuses; product feedback reaches the product queue of the feedback inbox", arguments: TestDB.all)
    func advocacy(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SuccessAPITests.make(app, slug: "advocacy")
            let ref = try await s.fx.create("/api/v1/advocacy", token: s.token, ["account_id": s.account, "contact_id": s.contact, "kind": "reference", "title": "Referenzkunde Versicherung"])
            #expect(ref["status"] as? String == "candidate")
            let moved = try await s.fx.send(.PATCH, "/api/v1/advocacy/\(ref.id)", token: s.token, json: ["status": "published"], headers: [("If-Match", "\"v1\"")])
            #expect(moved.status == .unprocessableEntity && moved.body.string.contains("candidate, agreed, active, retired"))
            let feedback = try await s.fx.create("/api/v1/advocacy", token: s.token, ["account_id": s.account, "kind": "product_feedback", "title": "Export nach DATEV",
                                                                                     "detail": "Buchhaltung braucht den Export monatlich"])
            #expect(feedback["feedback_queue"] as? String == "product" && feedback["status"] as? String == "sent")
            let inbox = try await s.fx.send(.GET, "/api/v1/feedback?queue=product", token: s.token).items()
            #expect(inbox.contains { ($0["text"] as? String)?.hasPrefix("Export nach DATEV") == true && ($0["account_id"] as? String)?.lowercased() == s.account.lowercased() })
            let wrong = try await s.fx.send(.POST, "/api/v1/advocacy", token: s.token, json: ["account_id": s.other, "contact_id": s.contact, "kind": "testimonial", "title": "x"])
            #expect(try wrong.status == .unprocessableEntity && Set(wrong.fieldNames()) == ["kind", "contact_id"], "\(wrong.body.string)")
            #expect(try await s.fx.send(.GET, "/api/v1/advocacy?account_id=\(s.account)", token: s.token).items().count == 2)
        }
    }

    @Test("renewals by month with an interval, and GRR/NRR from the contract history", arguments: TestDB.all)
    func renewals(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SuccessAPITests.make(app, slug: "renewals")
            let today = DateOnly.workspaceToday
            let start = today.adding(months: -18).iso
            // Müller: 10,000 EUR, expanded by 2,000 within the year; Alpen: 5,000 EUR, churned within the year.
            let m = try await s.fx.create("/api/v1/contracts", token: s.token, ["account_id": s.account, "product": "Cloud", "start_date": start,
                                                                                "renewal_date": today.adding(days: 45).iso, "arr": 12000, "currency": "EUR"])
            let a = try await s.fx.create("/api/v1/contracts", token: s.token, ["account_id": s.other, "product": "Cloud", "start_date": start,
                                                                                "arr": 5000, "currency": "EUR", "status": "churned", "end_date": today.adding(months: -2).iso])
            _ = try await s.fx.create("/api/v1/contracts/\(m.id)/events", token: s.token, ["kind": "expansion", "occurred_on": today.adding(months: -3).iso, "arr_delta": 2000])
            _ = try await s.fx.create("/api/v1/contracts/\(a.id)/events", token: s.token, ["kind": "churn", "occurred_on": today.adding(months: -2).iso, "arr_delta": -5000, "reason": "Budget"])
            let rows = try await s.fx.send(.GET, "/api/v1/retention", token: s.token).items()
            let eur = try #require(rows.first)
            #expect(eur["starting_arr"] as? Double == 15000 && eur["expansion"] as? Double == 2000 && eur["churn"] as? Double == 5000, "\(eur)")
            // GRR = (15,000 − 5,000) / 15,000; NRR = (15,000 + 2,000 − 5,000) / 15,000.
            #expect(abs((eur["grr"] as? Double ?? 0) - 10.0 / 15) < 1e-9 && abs((eur["nrr"] as? Double ?? 0) - 12.0 / 15) < 1e-9)
            #expect(try await s.fx.send(.GET, "/api/v1/retention?from=\(today.iso)&to=\(today.adding(days: -5).iso)", token: s.token).status == .unprocessableEntity)

            let r = try await s.fx.send(.GET, "/api/v1/renewals?months=3", token: s.token).json()
            let total = try #require((r["totals"] as? [[String: Any]])?.first)
            #expect(total["contracts"] as? Int == 1 && total["arr"] as? Double == 12000)
            let low = total["low"] as? Double ?? -1, high = total["high"] as? Double ?? -1, expected = total["expected"] as? Double ?? -1
            #expect(low <= expected && expected <= high && high <= 12000 && low >= 0)
            #expect((r["months"] as? [[String: Any]])?.first?["month"] as? String == String(today.adding(days: 45).iso.prefix(7)))
            #expect(try await s.fx.send(.GET, "/api/v1/renewals?months=99", token: s.token).status == .unprocessableEntity)
        }
    }
    @Test("the peer benchmark compares with the same segment and size, falls back when too few, and names options from the upper quarter", arguments: TestDB.all)
    func peers(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SuccessAPITests.make(app, slug: "peers")
            let today = DateOnly.workspaceToday
            func account(_ name: String, segment: String, size: String) async throws -> UUID {
                UUID(uuidString: try await s.fx.create("/api/v1/accounts", token: s.token, ["name": name, "segment": segment, "size": size]).id)!
            }
            func score(_ id: UUID, _ raw: [HealthComponentKind: Double]) async throws {
                let row = HealthScoreRow()
                let h = HealthModel.standard.score(raw)
                row.id = .timeOrdered(); row.workspaceID = s.ws.id!; row.accountID = id; row.computedOn = today.iso
                row.score = h.score; row.band = h.band?.rawValue; row.detail = PlainJSON.encode(h)
                try await row.save(on: app.db)
            }
            let target = try await account("Rhein Versicherung", segment: "Versicherung", size: "medium")
            try await score(target, [.usage: 0.3, .adoption: 0.2, .goals: 0.5])
            let usage = [0.2, 0.4, 0.5, 0.6, 0.7, 0.8], adoption = [0.1, 0.3, 0.4, 0.5, 0.6, 0.7]
            var peers: [UUID] = []
            for i in 0..<6 {
                let id = try await account("Peer \(i)", segment: "Versicherung", size: "medium")
                try await score(id, i < 3 ? [.usage: usage[i], .adoption: adoption[i], .goals: 0.9] : [.usage: usage[i], .adoption: adoption[i]])
                peers.append(id)
            }
            for i in 0..<3 { try await score(try await account("Groß \(i)", segment: "Versicherung", size: "large"), [.usage: 0.9]) }
            let alone = try await account("Handel Nord", segment: "Handel", size: "small")
            try await score(alone, [.usage: 0.5])
            // The two peers with the broadest adoption (0.6, 0.7 ≥ the 75th percentile 0.575) use reports; one uses the API.
            let time = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-86_400))
            let events: [[String: Any]] = [
                ["account_id": peers[4].uuidString, "user": "u1", "feature": "Berichte", "count": 3, "time": time],
                ["account_id": peers[5].uuidString, "user": "u2", "feature": "Berichte", "count": 1, "time": time],
                ["account_id": peers[5].uuidString, "user": "u2", "feature": "API", "count": 1, "time": time],
                ["account_id": peers[0].uuidString, "user": "u3", "feature": "Export", "count": 1, "time": time],
                ["account_id": target.uuidString, "user": "u4", "feature": "Suche", "count": 1, "time": time],
            ]
            #expect(try await s.fx.send(.POST, "/api/v1/usage/events", token: s.token, json: ["batch_id": "peers-1", "events": events]).status == .created)

            let b = try await s.fx.send(.GET, "/api/v1/accounts/\(target)/peers", token: s.token).json()
            #expect(b["basis"] as? String == "segment_and_size" && b["peers"] as? Int == 6 && b["computed_on"] as? String == today.iso, "\(b)")
            let measures = try #require(b["measures"] as? [[String: Any]])
            let licence = try #require(measures.first { $0["measure"] as? String == "licence_utilisation" })
            let expected = try #require(PeerBenchmark.position(of: 0.3, among: usage))
            #expect(licence["peers"] as? Int == 6 && abs((licence["percentile"] as? Double ?? -1) - expected.percentile) < 1e-9)
            #expect(abs((licence["p75"] as? Double ?? -1) - expected.p75) < 1e-12 && abs((licence["median"] as? Double ?? -1) - expected.median) < 1e-12)
            // Goal progress: only three peers have it, too few for a percentile; the count still shows.
            let goals = try #require(measures.first { $0["measure"] as? String == "goal_progress" })
            #expect(goals["peers"] as? Int == 3 && goals["percentile"] == nil && goals["value"] as? Double == 0.5)
            let options = try #require(b["options"] as? [[String: Any]])
            #expect(options.map { $0["feature"] as? String } == ["Berichte", "API"] && options.first?["used_by"] as? Int == 2 && b["top_peers"] as? Int == 2, "\(options)")

            // Too few in its segment: the whole workspace is the group, and says so.
            let wide = try await s.fx.send(.GET, "/api/v1/accounts/\(alone)/peers", token: s.token).json()
            #expect(wide["basis"] as? String == "workspace" && wide["peers"] as? Int == 10)

            // The account page shows it; a viewer may read it; another workspace may not.
            _ = try await s.fx.user(s.ws, email: "viewer@peers.example", role: .viewer)
            let viewer = try await WebSession.login(app, email: "viewer@peers.example", password: "correct horse battery")
            let page = try await viewer.get("/accounts/\(target)/success").body.string
            #expect(page.contains("id=\"peers\"") && page.contains("Berichte") && page.contains("peers-chart"))
            let elsewhere = try await s.fx.token(try await s.fx.workspace("peers-other"))
            #expect(try await s.fx.send(.GET, "/api/v1/accounts/\(target)/peers", token: elsewhere).status == .notFound)
        }
    }
}
