import Fluent
import Foundation
import RapportKit
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import RapportServer

/// A survey with every scale the roll-ups count: NPS, CSAT, CES on 1–5 or 1–7, a Likert item and a matrix.
func measuredDefinition(cesScale: Int = 7) -> [String: Any] {
    [
        "languages": ["de", "en"],
        "title": ["de": "Messung", "en": "Measurement"],
        "questions": [
            ["id": "nps", "type": "nps", "required": true, "text": ["de": "Empfehlung?", "en": "Recommend?"]],
            ["id": "csat", "type": "csat", "text": ["de": "Zufrieden?", "en": "Satisfied?"]],
            ["id": "ces", "type": "ces", "scale": cesScale, "text": ["de": "Einfach?", "en": "Easy?"]],
            ["id": "price", "type": "likert", "driver": "price", "text": ["de": "Preis?", "en": "Price?"]],
            ["id": "service", "type": "matrix", "text": ["de": "Service", "en": "Service"],
             "items": [["id": "speed", "text": ["de": "Tempo", "en": "Speed"]], ["id": "care", "text": ["de": "Sorgfalt", "en": "Care"]]]],
            ["id": "why", "type": "text", "text": ["de": "Warum?", "en": "Why?"]],
        ],
    ]
}

/// A workspace with two accounts (segments and markets), a touchpoint, a published survey and a token.
struct MeasuredSetup {
    let fx: Fixture
    let token: String
    let survey: String
    let touchpoint: String
    let contacts: [String]

    static func make(_ app: Application, slug: String, cesScale: Int = 7) async throws -> MeasuredSetup {
        let fx = Fixture(app: app)
        let token = try await fx.token(try await fx.workspace(slug))
        let a = try await fx.create("/api/v1/accounts", token: token, ["name": "Müller GmbH", "segment": "Enterprise", "country": "DE"])
        let b = try await fx.create("/api/v1/accounts", token: token, ["name": "Alpen AG", "segment": "SMB", "country": "AT"])
        var contacts: [String] = []
        for (i, account) in [a, b, a].enumerated() {
            contacts.append(try await fx.create("/api/v1/contacts", token: token, ["name": "Kontakt \(i)", "account_id": account.id]).id)
        }
        let journey = try await fx.create("/api/v1/journeys", token: token, ["name": "Schaden"])
        let tp = try await fx.create("/api/v1/touchpoints", token: token, ["name": "Hotline", "channel": "phone", "journey_id": journey.id])
        let survey = try await fx.create("/api/v1/surveys", token: token, ["name": "T-NPS", "kind": "transactional", "definition": measuredDefinition(cesScale: cesScale)])
        let published = try await fx.send(.POST, "/api/v1/surveys/\(survey.id)/publish", token: token)
        #expect(published.status == .ok, "\(published.body.string)")
        return MeasuredSetup(fx: fx, token: token, survey: survey.id, touchpoint: tp["slug"] as? String ?? "", contacts: contacts)
    }

    /// Sends responses as one batch; each tuple is (nps, day offset from `base`, contact index, channel).
    func send(_ scores: [(Int, Int, Int, String)], base: Date, touchpoint: Bool = true, prefix: String = "r") async throws {
        let items: [[String: Any]] = scores.enumerated().map { i, s in
            var item: [String: Any] = ["survey_id": survey, "external_id": "\(prefix)-\(i)", "contact_id": contacts[s.2], "channel": s.3,
                                       "submitted_at": ISO8601DateFormatter().string(from: base.addingTimeInterval(Double(s.1) * 86_400)),
                                       "answers": ["nps": s.0, "csat": max(1, min(5, s.0 / 2)), "ces": max(1, min(7, s.0 / 2 + 1)), "price": 3,
                                                   "service": ["speed": 4, "care": max(1, s.0 / 2)], "why": "weil"]]
            if touchpoint { item["touchpoint"] = self.touchpoint }
            return item
        }
        let r = try await fx.send(.POST, "/api/v1/responses/batch", token: token, json: ["responses": items])
        #expect(r.status == .ok, "\(r.body.string)")
        #expect((try r.json()["created"] as? Int) == scores.count, "\(r.body.string)")
    }

    func metrics(_ query: String) async throws -> [String: Any] {
        let r = try await fx.send(.GET, "/api/v1/metrics?" + query, token: token)
        #expect(r.status == .ok, "\(query): \(r.body.string)")
        return try r.json()
    }

    func guardrail(show: Int, bracket: Int) async throws {
        let current = try await fx.send(.GET, "/api/v1/measurement-settings", token: token)
        let version = (try current.json()["version"] as? Int) ?? 1
        let r = try await fx.send(.PUT, "/api/v1/measurement-settings", token: token, json: ["show_at": show, "bracket_at": bracket], headers: [("If-Match", "\"v\(version)\"")])
        #expect(r.status == .ok, "\(r.body.string)")
    }
}

/// 2026-03-01, a fixed month start so that periods are whole months.
let measuredBase = Date(timeIntervalSince1970: 1_772_323_200)

@Suite("Measurement API")
struct MeasurementAPITests {
    @Test("NPS from the roll-ups equals the hand count, with n, interval and the guardrail", arguments: TestDB.all)
    func npsByHand(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await MeasuredSetup.make(app, slug: "nps")
            // 6 promoters, 2 passives, 4 detractors: NPS = (6 − 4) / 12 = 16.7
            let scores = [10, 10, 9, 9, 9, 10, 8, 7, 6, 0, 3, 5]
            try await s.send(scores.enumerated().map { ($0.element, $0.offset, $0.offset % 3, "email") }, base: measuredBase)
            var m = try await s.metrics("metric=nps&from=2026-03&to=2026-03")
            var g = (m["groups"] as? [[String: Any]] ?? [])
            #expect(g.count == 1)
            #expect(g.first?["n"] as? Int == 12)
            #expect(g.first?["state"] as? String == "hidden", "12 answers are below the default guardrail of 100")
            #expect(g.first?["value"] == nil)
            #expect((g.first?["key"] as? [String: String])?["kind"] == "transactional", "R and T are kept apart by default")

            try await s.guardrail(show: 10, bracket: 5)
            m = try await s.metrics("metric=nps&from=2026-03&to=2026-03")
            g = m["groups"] as? [[String: Any]] ?? []
            let value = g.first?["value"] as? Double ?? .nan
            #expect(abs(value - 200.0 / 12) < 1e-9)
            #expect(g.first?["state"] as? String == "shown")
            let pP = 6.0 / 12, pD = 4.0 / 12
            let se = ((pP + pD - (pP - pD) * (pP - pD)) / 12).squareRoot() * 100
            #expect(abs((g.first?["low"] as? Double ?? 0) - (value - 1.959963984540054 * se)) < 0.01)

            // CSAT, CES and items per channel.
            m = try await s.metrics("metric=csat&group_by=channel&from=2026-03&to=2026-03")
            #expect((m["groups"] as? [[String: Any]])?.first?["n"] as? Int == 12)
            m = try await s.metrics("metric=mean(service.care)&from=2026-03&to=2026-03")
            let care = scores.map { Double(max(1, $0 / 2)) }.reduce(0, +) / 12
            #expect(abs(((m["groups"] as? [[String: Any]])?.first?["value"] as? Double ?? 0) - care) < 1e-9)
            m = try await s.metrics("metric=responses&group_by=month&from=2026-01&to=2026-04")
            #expect((m["groups"] as? [[String: Any]])?.map { $0["n"] as? Int } == [12])

            // A day-precise period reads the days at its edges.
            m = try await s.metrics("metric=responses&from=2026-03-03&to=2026-03-05")
            #expect((m["groups"] as? [[String: Any]])?.first?["n"] as? Int == 3)
        }
    }

    @Test("roll-ups from every write path equal a recount from the raw answers, and a rebuild changes nothing", arguments: TestDB.all)
    func rollupsAgree(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await MeasuredSetup.make(app, slug: "agree")
            var scores: [(Int, Int, Int, String)] = []
            for i in 0..<240 { scores.append(((i * 7) % 11, (i * 13) % 80 - 20, i % 3, ["email", "sms", "app"][i % 3])) }
            try await s.send(scores, base: measuredBase)
            try await s.send([(9, 0, 1, "email"), (2, 1, 0, "email")], base: measuredBase, touchpoint: false, prefix: "nt")
            // Single responses go through the group commit.
            for i in 0..<5 {
                let r = try await s.fx.send(.POST, "/api/v1/responses", token: s.token, json: [
                    "survey_id": s.survey, "external_id": "single-\(i)", "contact_id": s.contacts[i % 3], "touchpoint": s.touchpoint,
                    "answers": ["nps": i * 2, "service": ["speed": 3]]])
                #expect(r.status == .created, "\(r.body.string)")
            }
            let ws = try await Workspaces.find(slug: "agree", on: app.db)
            var check = try await Rollups.check(workspace: ws.id!, on: app.db)
            #expect(check.mismatches.isEmpty, "\(check.mismatches.prefix(5))")
            #expect(check.cells > 100)
            let before = try await s.metrics("metric=nps&group_by=source,month&from=2026-01&to=2026-12")
            try await Rollups.rebuild(workspace: ws.id!, on: app.db)
            check = try await Rollups.check(workspace: ws.id!, on: app.db)
            #expect(check.mismatches.isEmpty)
            let after = try await s.metrics("metric=nps&group_by=source,month&from=2026-01&to=2026-12")
            #expect(NSDictionary(dictionary: before).isEqual(to: after))

            // A tampered roll-up is found.
            try await app.db.sql.raw("UPDATE metric_rollups SET c10 = c10 + 1, n = n + 1 WHERE workspace_id = \(bind: ws.id!) AND grain = 'm' AND metric = 'nps' AND segment = '*'").run()
            check = try await Rollups.check(workspace: ws.id!, on: app.db)
            #expect(!check.mismatches.isEmpty)
        }
    }

    @Test("a partial month is read from its days, or as its month minus the days outside, whichever reads fewer")
    func cellRanges() {
        func text(_ from: Int, _ to: Int) -> [String] { MetricEngine.cellRanges(from: from, to: to).map { "\($0.0)-\($0.1) \($0.2)\($0.3)" } }
        #expect(text(20260303, 20260305) == ["20260303-20260305 d1"])
        #expect(text(20260101, 20261206) == ["202601-202611 m1", "20261201-20261206 d1"])
        #expect(text(20260310, 20260620) == ["202603-202603 m1", "20260301-20260309 d-1", "202604-202605 m1", "202606-202606 m1", "20260621-20260630 d-1"])
        #expect(text(20260202, 20260227) == ["202602-202602 m1", "20260201-20260201 d-1", "20260228-20260228 d-1"])
        #expect(text(20251201, 20260131) == ["202512-202601 m1"])
    }

    @Test("every grouping, filter and window from the roll-ups equals a recount of the raw answers", arguments: TestDB.all)
    func groupingsAgree(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await MeasuredSetup.make(app, slug: "groups")
            try await s.guardrail(show: 1, bracket: 1)
            // Five months from March on, three channels, two accounts (segments and markets), with and
            // without the touchpoint; a period that starts and ends mid-month reads day cells too.
            var scores: [(Int, Int, Int, String)] = []
            for i in 0..<150 { scores.append(((i * 7) % 11, (i * 17) % 150, i % 3, ["email", "sms", "app"][i % 3])) }
            try await s.send(scores, base: measuredBase)
            try await s.send((0..<20).map { ($0 % 11, $0 * 6, $0 % 2, "email") }, base: measuredBase, touchpoint: false, prefix: "nt")
            // A source answered only on 1 March: a period from 2 March reads March's month cell minus
            // that day, and must neither count its answers nor the source.
            try await s.send([(4, 0, 1, "letter"), (10, 0, 0, "letter")], base: measuredBase, prefix: "edge")
            let ws = try await Workspaces.find(slug: "groups", on: app.db)
            let scope = Scope(workspaceID: ws.id!, db: app.db)
            let dims = try await MeasurementDimensions.load(scope)
            let none = Rollups.noTouchpoint
            /// The raw row's value of a dimension, as the API's group key writes it.
            func value(_ d: String, _ r: KPISnapshots.RawRow) -> String {
                let tp = r.touchpoint_id.flatMap { $0 == none ? nil : $0 }
                let month = RollupCalendar.month(r.submitted_at)
                switch d {
                case "source": return "\(r.survey_id.uuidString.lowercased())|\(tp?.uuidString.lowercased() ?? "")|\(r.channel ?? "")"
                case "survey": return r.survey_id.uuidString.lowercased()
                case "touchpoint": return tp?.uuidString.lowercased() ?? ""
                case "channel": return r.channel ?? ""
                case "journey": return (tp.flatMap { dims.touchpoints[$0]?.journey } ?? dims.surveys[r.survey_id]?.journey)?.uuidString.lowercased() ?? ""
                case "phase": return ""
                case "kind": return dims.surveys[r.survey_id]?.kind ?? ""
                case "segment": return r.segment ?? ""
                case "market": return r.market ?? ""
                case "month": return RollupCalendar.label(month: month)
                case "quarter": return String(format: "%04d-Q%d", month / 100, (month % 100 - 1) / 3 + 1)
                default: return String(month / 100)
                }
            }
            for metric in ["nps", "ces", "responses", "mean(service.care)"] {
                for grouping in ["", "group_by=source", "group_by=survey,channel", "group_by=touchpoint,quarter", "group_by=journey,year", "group_by=phase",
                                 "group_by=segment,market", "group_by=kind,month", "group_by=channel&market=DE", "group_by=month&segment=SMB",
                                 "group_by=touchpoint&channel=sms,app&from=2026-03-10&to=2026-06-20", "group_by=channel&from=2026-03-02&to=2026-03-31",
                                 "from=2026-03-02&to=2026-04-30", "group_by=source&from=2026-02-15&to=2026-03-01"] {
                    var query = "metric=\(metric)&" + grouping
                    if !grouping.contains("from=") { query += "&from=2026-01&to=2026-12" }
                    let m = try await s.metrics(query)
                    let dimensions = m["group_by"] as? [String] ?? []
                    var items: [String: String] = [:]
                    for pair in query.split(separator: "&") { let kv = pair.split(separator: "=", maxSplits: 1); items[String(kv[0])] = String(kv[1]) }
                    let request = try MetricRequest.parse(items, indices: [])
                    let raw = try await KPISnapshots.rawPools(request, scope: scope) { r in dimensions.map { value($0, r) }.joined(separator: "/") }
                    let groups = m["groups"] as? [[String: Any]] ?? []
                    #expect(groups.count == raw.count, "\(query): \(groups.count) groups, raw \(raw.count)")
                    for g in groups {
                        let key = g["key"] as? [String: String] ?? [:]
                        let k = dimensions.map { key[$0] ?? "?" }.joined(separator: "/")
                        guard let entry = raw[k] else { Issue.record("\(query): \(k) is not in the recount"); continue }
                        let expected = MetricEngine.figure(entry.pool, request.figure, guardrail: Guardrail(showAt: 1, bracketAt: 1), key: key)
                        #expect(g["n"] as? Int == expected.n, "\(query) \(k)")
                        #expect(g["sources"] as? Int == expected.sources, "\(query) \(k)")
                        #expect(g["state"] as? String == expected.state, "\(query) \(k)")
                        #expect(abs((g["value"] as? Double ?? .nan) - (expected.value ?? .nan)) < 1e-9 || (g["value"] == nil && expected.value == nil), "\(query) \(k)")
                    }
                }
            }
            // A rolling window pools each month with the months before it, sources included.
            let m = try await s.metrics("metric=nps&kind=transactional&group_by=month&window=2&from=2026-03&to=2026-07")
            let groups = m["groups"] as? [[String: Any]] ?? []
            #expect(groups.count == 5)
            for g in groups {
                let month = (g["key"] as? [String: String])?["month"] ?? ""
                let request = try MetricRequest.parse(["metric": "nps", "kind": "transactional", "from": RollupCalendar.label(month: RollupCalendar.month(Int(month.replacingOccurrences(of: "-", with: ""))!, minus: 1)), "to": month], indices: [])
                let entry = try await KPISnapshots.rawPools(request, scope: scope) { _ in "" }[""]
                let expected = MetricEngine.figure(entry?.pool ?? MetricEngine.Pool(), request.figure, guardrail: Guardrail(showAt: 1, bracketAt: 1), key: [:])
                #expect(g["n"] as? Int == expected.n, "\(month)")
                #expect(g["sources"] as? Int == expected.sources, "\(month)")
                #expect(abs((g["value"] as? Double ?? .nan) - (expected.value ?? .nan)) < 1e-9, "\(month)")
            }
        }
    }

    @Test("several sources are pooled from counts and labelled; different CES scales are not pooled", arguments: TestDB.all)
    func pooling(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await MeasuredSetup.make(app, slug: "pool")
            try await s.guardrail(show: 2, bracket: 1)
            try await s.send([(10, 0, 0, "email"), (0, 1, 1, "sms"), (9, 2, 2, "sms")], base: measuredBase)
            var m = try await s.metrics("metric=nps&group_by=touchpoint&from=2026-03&to=2026-03")
            let g = (m["groups"] as? [[String: Any]] ?? []).first
            #expect(g?["pooled"] as? Bool == true)
            #expect(g?["sources"] as? Int == 2)
            #expect(abs((g?["value"] as? Double ?? 0) - 100.0 / 3) < 1e-9, "pooled from counts: 2 promoters, 1 detractor of 3")
            // Filtering by that touchpoint (and by its journey) reads the same cells.
            let tpID = (g?["key"] as? [String: String])?["touchpoint"] ?? ""
            let byTouchpoint = try await s.metrics("metric=nps&touchpoint=\(tpID)&from=2026-03&to=2026-03")
            #expect((byTouchpoint["groups"] as? [[String: Any]])?.first?["n"] as? Int == 3)
            let journeys = try await s.metrics("metric=nps&group_by=journey&from=2026-03&to=2026-03")
            let journeyID = ((journeys["groups"] as? [[String: Any]])?.first?["key"] as? [String: String])?["journey"] ?? ""
            let byJourney = try await s.metrics("metric=nps&journey=\(journeyID)&from=2026-03&to=2026-03")
            #expect((byJourney["groups"] as? [[String: Any]])?.first?["n"] as? Int == 3)

            // A second survey asks CES on 1–5: pooling the two is refused.
            let other = try await s.fx.create("/api/v1/surveys", token: s.token, ["name": "Pulse", "kind": "transactional", "definition": measuredDefinition(cesScale: 5)])
            _ = try await s.fx.send(.POST, "/api/v1/surveys/\(other.id)/publish", token: s.token)
            let r = try await s.fx.send(.POST, "/api/v1/responses", token: s.token, json: [
                "survey_id": other.id, "contact_id": s.contacts[0], "touchpoint": s.touchpoint, "channel": "email",
                "submitted_at": ISO8601DateFormatter().string(from: measuredBase.addingTimeInterval(86_400)), "answers": ["nps": 5, "ces": 2]])
            #expect(r.status == .created, "\(r.body.string)")
            m = try await s.metrics("metric=ces&from=2026-03&to=2026-03")
            let pooled = (m["groups"] as? [[String: Any]] ?? []).first
            #expect(pooled?["state"] as? String == "not_pooled")
            #expect(pooled?["sources"] as? Int == 3, "two sources ask on 1–7, one on 1–5: \(String(describing: pooled))")
            let note = pooled?["note"] as? String ?? ""
            #expect(note.contains("different scales"), "\(note)")
            m = try await s.metrics("metric=ces&group_by=survey&from=2026-03&to=2026-03")
            #expect((m["groups"] as? [[String: Any]] ?? []).allSatisfy { $0["state"] as? String != "not_pooled" })
        }
    }

    @Test("bad filters, metrics and guardrails are refused by name", arguments: TestDB.all)
    func badInput(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await MeasuredSetup.make(app, slug: "bad")
            for (query, field) in [("colour=red", "colour"), ("from=2026-05&to=2026-01", "to"), ("from=2026-13", "from"), ("metric=npx", "metric"),
                                   ("group_by=weekday", "group_by"), ("window=36", "window"), ("survey=nope", "survey"), ("kind=both", "kind"),
                                   ("metric=mean(Drop table)", "metric"), ("group_by=month,year", "group_by"), ("channel=a&channel=b", "channel")] {
                let r = try await s.fx.send(.GET, "/api/v1/metrics?" + query, token: s.token)
                #expect(r.status == .unprocessableEntity, "\(query): \(r.status)")
                #expect(try r.fieldNames().contains(field), "\(query): \(r.body.string)")
            }
            let current = try await s.fx.send(.GET, "/api/v1/measurement-settings", token: s.token)
            let version = (try current.json()["version"] as? Int) ?? 1
            let r = try await s.fx.send(.PUT, "/api/v1/measurement-settings", token: s.token, json: ["show_at": 100, "bracket_at": 300], headers: [("If-Match", "\"v\(version)\"")])
            #expect(r.status == .unprocessableEntity)
            #expect(try r.fieldNames().contains("bracket_at"), "\(r.body.string)")
            let empty = try await s.metrics("metric=nps&from=2020-01&to=2020-12")
            #expect((empty["groups"] as? [Any])?.isEmpty == true)
            let emptyNote = empty["note"] as? String ?? ""
            #expect(emptyNote.contains("no responses"))
        }
    }

    @Test("indices are parsed safely, refused with reasons, and computed with an interval", arguments: TestDB.all)
    func indices(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await MeasuredSetup.make(app, slug: "idx")
            try await s.guardrail(show: 2, bracket: 1)
            try await s.send([(10, 0, 0, "email"), (8, 1, 1, "email"), (4, 2, 2, "email")], base: measuredBase)
            for (formula, needle) in [("mean(nothing)", "no question 'nothing'"), ("nps / (2 - 2)", "divides by zero"), ("mean(why)", "why"),
                                      ("system('rm')", "system"), ("", "empty")] {
                let r = try await s.fx.send(.POST, "/api/v1/indices", token: s.token, json: ["key": "bad", "name": "Bad", "formula": formula])
                #expect(r.status == .unprocessableEntity, "\(formula)")
                #expect(r.body.string.contains(needle), "\(formula): \(r.body.string)")
            }
            let created = try await s.fx.create("/api/v1/indices", token: s.token, ["key": "csi", "name": "CSI", "formula": "(mean(price) + mean(service.care) + mean(csat)) / 3", "target": 4])
            #expect(created["key"] as? String == "csi")
            let m = try await s.metrics("metric=csi&from=2026-03&to=2026-03")
            let g = (m["groups"] as? [[String: Any]] ?? []).first
            let expected = (3.0 + (5.0 + 4.0 + 2.0) / 3 + (5.0 + 4.0 + 2.0) / 3) / 3
            #expect(abs((g?["value"] as? Double ?? 0) - expected) < 1e-9, "\(String(describing: g))")
            #expect(g?["low"] as? Double != nil && g?["method"] as? String == "delta-method")
            // Three questions of one source: one source, not a pool of three.
            #expect(g?["sources"] as? Int == 1 && g?["pooled"] as? Bool == false, "\(String(describing: g))")
        }
    }

    @Test("a frozen KPI verifies, and fails when a stored answer or the snapshot is changed", arguments: TestDB.all)
    func kpiSnapshots(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await MeasuredSetup.make(app, slug: "kpi")
            try await s.send((0..<30).map { ($0 % 11, $0, $0 % 3, "email") }, base: measuredBase)
            let refused = try await s.fx.send(.POST, "/api/v1/kpi-snapshots", token: s.token, json: ["name": "T-NPS", "query": ["metric": "nps", "from": "2026-03", "to": "2026-03"]])
            #expect(refused.status == .unprocessableEntity, "a KPI must not pool R and T")
            let tooFew = try await s.fx.send(.POST, "/api/v1/kpi-snapshots", token: s.token, json: ["name": "T-NPS", "query": ["metric": "nps", "kind": "transactional", "from": "2026-03", "to": "2026-04"]])
            #expect(tooFew.status == .unprocessableEntity && tooFew.body.string.contains("guardrail"), "30 answers are hidden by the default guardrail: \(tooFew.body.string)")
            try await s.guardrail(show: 20, bracket: 10)
            let open = try await s.fx.send(.POST, "/api/v1/kpi-snapshots", token: s.token, json: ["name": "T-NPS", "query": ["metric": "nps", "kind": "transactional", "from": "2026-03", "to": "2030-12"]])
            #expect(open.status == .unprocessableEntity && open.body.string.contains("not ended"), "\(open.body.string)")
            let frozen = try await s.fx.create("/api/v1/kpi-snapshots", token: s.token, ["name": "T-NPS März", "query": ["metric": "nps", "kind": "transactional", "from": "2026-03", "to": "2026-04"]])
            #expect(frozen["n"] as? Int == 30)
            _ = try await s.fx.create("/api/v1/kpi-snapshots", token: s.token, ["name": "CSAT März", "query": ["metric": "csat", "kind": "transactional", "from": "2026-03", "to": "2026-04"]])
            var v = try await s.fx.send(.GET, "/api/v1/kpi-snapshots/verify", token: s.token)
            #expect(try v.items().map { $0["status"] as? String } == ["verified", "verified"], "\(v.body.string)")

            // Someone edits an answer in the database.
            let ws = try await Workspaces.find(slug: "kpi", on: app.db)
            try await app.db.sql.raw("UPDATE survey_responses SET answers = REPLACE(answers, '\"nps\":0', '\"nps\":10') WHERE workspace_id = \(bind: ws.id!)").run()
            v = try await s.fx.send(.GET, "/api/v1/kpi-snapshots/verify", token: s.token)
            let items = try v.items()
            #expect(items.first?["status"] as? String == "broken")
            let problems = ((items.first?["problems"] as? [String]) ?? []).joined()
            #expect(problems.contains("changed since it was frozen"), "\(v.body.string)")

            // Someone edits a snapshot's value: its hash no longer matches.
            try await app.db.sql.raw("UPDATE kpi_snapshots SET value = 99 WHERE seq = 2 AND workspace_id = \(bind: ws.id!)").run()
            let results = try await KPISnapshots.verify(scope: Scope(workspaceID: ws.id!, db: app.db))
            #expect(results[1].problems.contains { $0.contains("changed after it was frozen") })

            let viewer = try await s.fx.token(ws, .viewer)
            let forbidden = try await s.fx.send(.POST, "/api/v1/kpi-snapshots", token: viewer, json: ["name": "x", "query": ["metric": "nps", "kind": "transactional", "from": "2026-03", "to": "2026-03"]])
            #expect(forbidden.status == .forbidden)
        }
    }
}
