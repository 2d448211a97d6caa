import Fluent
import Foundation
import RapportKit
import Testing
import Vapor
import VaporTesting
@testable import RapportServer

@Suite("Role dashboards, measurement settings and the report")
struct RoleDashboardTests {
    /// The measured workspace with a phase on the journey, an owner for the journey and one account,
    /// the hotline's department, and answers the guardrail (5 / 2) shows.
    struct Roles {
        let setup: MeasuredSetup
        let ws: Workspace
        let journeyID: UUID
        let csm: User
        let owner: User
        let ambassador: User
    }

    static func make(_ app: Application, slug: String) async throws -> Roles {
        let s = try await MeasuredSetup.make(app, slug: slug)
        let ws = try #require(try await Workspace.query(on: app.db).filter(\.$slug == slug).first())
        let journey = try #require(try await Journey.query(on: app.db).filter(\.$workspaceID == ws.id!).first())
        _ = try await s.fx.create("/api/v1/journeys/\(journey.id!)/phases", token: s.token, ["name": "Melden"])
        let tp = try #require(try await Touchpoint.query(on: app.db).filter(\.$workspaceID == ws.id!).first())
        let patched = try await s.fx.send(.PATCH, "/api/v1/touchpoints/\(tp.id!)", token: s.token,
                                         json: ["phases": "melden", "responsible_department": "Schadenservice"], headers: [("If-Match", "\"v\(tp.version)\"")])
        #expect(patched.status == .ok, "\(patched.body.string)")
        let csm = try await s.fx.user(ws, email: "csm@roles.example", role: .csm)
        let owner = try await s.fx.user(ws, email: "owner@roles.example", role: .owner)
        let ambassador = try await s.fx.user(ws, email: "amb@roles.example", role: .ambassador)
        try await Account.query(on: app.db).filter(\.$workspaceID == ws.id!).filter(\.$name == "Müller GmbH").set(\.$ownerID, to: csm.id).update()
        try await Journey.query(on: app.db).filter(\.$id == journey.id!).set(\.$ownerID, to: owner.id).update()
        try await s.guardrail(show: 5, bracket: 2)
        // Contacts 0 and 2 belong to Müller GmbH: 10, 9, 3 there; 8 and 2 at Alpen AG.
        try await s.send([(10, 1, 0, "email"), (9, 2, 2, "email"), (3, 3, 0, "sms"), (8, 4, 1, "email"), (2, 5, 1, "sms")], base: measuredBase)
        return Roles(setup: s, ws: ws, journeyID: journey.id!, csm: csm, owner: owner, ambassador: ambassador)
    }

    @Test("each role sees its figures with n, the journey map's curve is measured, and every dashboard prints", arguments: TestDB.all)
    func roles(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let r = try await Self.make(app, slug: "roles")
            let period = "from=2026-03&to=2026-03"

            // The journey owner lands on their journey: T-NPS over five answers, per touchpoint and per phase.
            let owner = try await WebSession.login(app, email: "owner@roles.example", password: "correct horse battery")
            let journey = try await owner.get("/dashboards/journeys?" + period)
            #expect(journey.status == .ok)
            let page = journey.body.string
            // 2 promoters, 1 passive, 2 detractors of 5: NPS 0.
            #expect(page.contains("Journey dashboard: Schaden") && page.contains("n = 5") && page.contains("T-NPS per touchpoint") && page.contains("Hotline"), "\(page.prefix(3000))")
            #expect(page.contains("Emotion curve: T-NPS per phase") && page.contains("Melden") && page.contains("<svg"))
            #expect(page.contains("Latest comments") && page.contains("weil"))

            // The journey map's emotion curve now comes from the answers, with n.
            let map = try await r.setup.fx.send(.GET, "/api/v1/journeys/\(r.journeyID)/map", token: r.setup.token).json()
            let curve = try #require(map["curve"] as? [[String: Any]])
            // The map looks at the last twelve months; March 2026 is inside them until 2027-02.
            if Date() < Date(timeIntervalSince1970: 1_801_958_400) {
                #expect(curve.first?["source"] as? String == "measured_nps" && curve.first?["n"] as? Int == 5 && curve.first?["state"] as? String == "shown", "\(curve)")
            }

            // The CSM sees their account only: three answers, 2 promoters and 1 detractor; bracketed (n < 5).
            let csm = try await WebSession.login(app, email: "csm@roles.example", password: "correct horse battery")
            let accounts = try await csm.get("/dashboards/accounts?" + period).body.string
            #expect(accounts.contains("Müller GmbH") && !accounts.contains("Alpen AG"), "\(accounts.prefix(2000))")
            // T-NPS of 10, 9, 3 = (2 − 1) / 3 = 33; bracketed with n = 3.
            #expect(accounts.contains("(33) (n = 3)"), "\(accounts)")

            // The ambassador has no unit yet; an admin sets one, a bad one is refused by name.
            let amb = try await WebSession.login(app, email: "amb@roles.example", password: "correct horse battery")
            #expect(try await amb.get("/dashboards/unit").body.string.contains("No unit is set for you yet"))
            let bad = try await owner.post("/settings/users/\(r.ambassador.id!.uuidString.lowercased())/unit", form: ["unit": "floor:3"])
            #expect(bad.status == .badRequest && bad.body.string.contains("unit: &apos;floor:3&apos; is not a unit") || bad.body.string.contains("is not a unit"), "\(bad.status)")
            let set = try await owner.post("/settings/users/\(r.ambassador.id!.uuidString.lowercased())/unit", form: ["unit": "department:Schadenservice"])
            #expect(set.status == .seeOther)
            let unit = try await amb.get("/dashboards/unit?" + period).body.string
            #expect(unit.contains("My unit: Department: Schadenservice") && unit.contains("Hotline") && unit.contains("n = 5"), "\(unit.prefix(3000))")
            // A market unit shows the relationship figure too, and only that market's answers (Alpen AG is AT: 8 and 2).
            let market = try await amb.get("/dashboards/unit?unit=market:AT&" + period).body.string
            #expect(market.contains("R-NPS · Market: AT") && market.contains("n = 2"), "\(market.components(separatedBy: "<main")[1].prefix(3000))")

            // Every dashboard prints: no navigation, the style inline, the numbers open, what was filtered said.
            for which in ["executive", "journeys", "accounts", "unit"] {
                let report = try await owner.get("/dashboards/report?dashboard=\(which)&unit=market:AT&" + period)
                #expect(report.status == .ok, "\(which): \(report.status)")
                let html = report.body.string
                #expect(html.contains("/assets/app.css") && html.contains("<body class=\"report\"") && !html.contains("<header class=\"top\"") && html.contains("Period: 2026-03 – 2026-03"), "\(which): \(html.components(separatedBy: "<main")[1].prefix(1500))")
            }
            #expect(try await owner.get("/dashboards/report?dashboard=journeys&" + period).body.string.contains("<details open=\"open\">"))
            let nope = try await owner.get("/dashboards/report?dashboard=nope")
            #expect(nope.status == .unprocessableEntity && nope.body.string.contains("is not a dashboard"), "\(nope.status)")

            // Every chart's data as CSV, with the page's filters.
            let csv = try await owner.get("/dashboards/data.csv?chart=tnps-phases&journey=\(r.journeyID.uuidString.lowercased())&" + period)
            #expect(csv.status == .ok && csv.headers.contentType?.subType == "csv" && csv.body.string.contains("Melden"), "\(csv.body.string)")

            // A viewer sees figures but cannot drill into answers or change settings.
            _ = try await r.setup.fx.user(r.ws, email: "viewer@roles.example", role: .viewer)
            let viewer = try await WebSession.login(app, email: "viewer@roles.example", password: "correct horse battery")
            let viewed = try await viewer.get("/dashboards/journeys?" + period)
            #expect(viewed.status == .ok && !viewed.body.string.contains("Latest comments"), "a viewer may not read answers, comments included")
            #expect(try await viewer.get("/dashboards/responses?" + period).status == .forbidden)
            #expect(try await viewer.post("/dashboards/settings/guardrail", form: ["show_at": "10", "bracket_at": "5"]).status == .forbidden)
        }
    }

    @Test("the guardrail and indices are set in the UI with the API's checks", arguments: TestDB.all)
    func settings(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let r = try await Self.make(app, slug: "settings")
            let owner = try await WebSession.login(app, email: "owner@roles.example", password: "correct horse battery")
            let contradiction = try await owner.post("/dashboards/settings/guardrail", form: ["show_at": "50", "bracket_at": "80"])
            #expect(contradiction.status == .badRequest || contradiction.status == .unprocessableEntity, "\(contradiction.status)")
            #expect(contradiction.body.string.contains("bracket_at"), "\(contradiction.body.string.prefix(3000))")
            #expect(try await MeasurementSettingsStore.load(Scope(workspaceID: r.ws.id!, db: app.db)).showAt == 5, "a refused change changes nothing")
            let ok = try await owner.post("/dashboards/settings/guardrail", form: ["show_at": "4", "bracket_at": "2"])
            #expect(ok.status == .seeOther)
            #expect(try await MeasurementSettingsStore.load(Scope(workspaceID: r.ws.id!, db: app.db)).showAt == 4)

            let unknown = try await owner.post("/dashboards/settings/indices", form: ["key": "svc", "name": "Service", "formula": "mean(nope) / 2"])
            #expect(unknown.body.string.contains("there is no question &apos;nope&apos;") || unknown.body.string.contains("there is no question 'nope'"), "\(unknown.body.string.prefix(3000))")
            let zero = try await owner.post("/dashboards/settings/indices", form: ["key": "svc", "name": "Service", "formula": "mean(price) / 0"])
            #expect(zero.status != .seeOther)
            let good = try await owner.post("/dashboards/settings/indices", form: ["key": "svc", "name": "Service", "formula": "(mean(price) + mean(service.speed)) / 2", "target": "3,5"])
            #expect(good.status == .seeOther, "\(good.body.string.components(separatedBy: "<main")[1].prefix(1500))")
            let page = try await owner.get("/dashboards/settings").body.string
            #expect(page.contains("svc") && page.contains("(mean(price) + mean(service.speed)) / 2") && page.contains("3.5"), "\(page.prefix(4000))")
            let index = try #require(try await MetricIndex.query(on: app.db).filter(\.$workspaceID == r.ws.id!).filter(\.$key == "svc").first())
            #expect(index.target == 3.5)
            let deleted = try await owner.post("/dashboards/settings/indices/\(index.id!.uuidString.lowercased())/delete", form: [:])
            #expect(deleted.status == .seeOther)
            #expect(try await MetricIndex.query(on: app.db).filter(\.$workspaceID == r.ws.id!).count() == 0)
        }
    }

    @Test("rapport report renders a dashboard to a self-contained page", arguments: [TestDB.sqlite])
    func report(db: TestDB) async throws {
        try await withTestApp(db) { app in
            _ = try await Self.make(app, slug: "printed")
            let req = Request(application: app, method: .GET, url: URI(string: "/dashboards/report?dashboard=executive&from=2026-03&to=2026-03"), on: app.eventLoopGroup.next())
            let ws = try #require(try await Workspace.query(on: app.db).filter(\.$slug == "printed").first())
            req.headers.replaceOrAdd(name: .acceptLanguage, value: "en")
            req.setCaller(Caller.system(ws))
            let html = try await DashboardPages.$selfContained.withValue(true) { try await DashboardPages.report(req) }.body.string ?? ""
            #expect(html.contains("<style>") && html.contains("Rapport · Printed GmbH") && html.contains("Response volume"), "\(html.prefix(2000))")
        }
    }
}
