import Fluent
import Foundation
import RapportKit
import Testing
import Vapor
import VaporTesting
@testable import RapportServer

@Suite("Journey pages")
struct JourneyWebTests {
    /// A workspace with one small journey, a touchpoint with two assessors' judgements, and a web session.
    static func setUp(_ app: Application, role: Role = .cxManager) async throws -> (WebSession, [String: Any], [String: Any], String) {
        let fx = Fixture(app: app)
        let ws = try await fx.workspace("web")
        let token = try await fx.token(ws)
        let j = try await fx.create("/api/v1/journeys", token: token, ["name": "Schadenmeldung"])
        for p in ["Melden", "Zahlen"] { _ = try await fx.create("/api/v1/journeys/\(j.id)/phases", token: token, ["name": p]) }
        let tp = try await fx.create("/api/v1/touchpoints", token: token, ["name": "Telefon: Hotline", "channel": "phone", "journey": "schadenmeldung",
                                                                         "phases": "melden", "products": "Kfz", "responsible_department": "Service"])
        _ = try await fx.create("/api/v1/touchpoints/\(tp.id)/assessments", token: token, ["relevance": 5, "quality": 2])
        _ = try await fx.create("/api/v1/touchpoints/\(tp.id)/assessments", token: try await fx.token(ws, .analyst), ["relevance": 4, "quality": 3])
        _ = try await fx.user(ws, email: "cx@web.example", role: role)
        let session = try await WebSession.login(app, email: "cx@web.example", password: "correct horse battery")
        return (session, j, tp, token)
    }

    @Test("map, registry in every grouping, matrix, maturity and the touchpoint page render with their numbers", arguments: TestDB.all)
    func pages(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let (s, j, tp, _) = try await Self.setUp(app)
            let map = try await s.get("/journeys/\(j.id)")
            #expect(map.status == .ok)
            let html = map.body.string
            #expect(html.contains("1. </span>Melden") && html.contains("Telefon: Hotline"))
            #expect(html.contains("2.5 (n=2)"), "the phase's assessed quality with its n")
            #expect(html.contains("<svg") && html.contains("assessed quality"))
            for group in TouchpointRegistryPage.groupings {
                let r = try await s.get("/touchpoints?group=\(group)")
                #expect(r.status == .ok, "group=\(group)")
                #expect(r.body.string.contains("Telefon: Hotline"), "group=\(group)")
            }
            #expect(try await s.get("/touchpoints?group=colour").status == .unprocessableEntity)
            #expect(try await s.get("/touchpoints?has_improvement_needs=true").body.string.contains("No touchpoints match."))
            let stale = try await s.get("/touchpoints?sub_journey=nope")
            #expect(stale.status == .ok && stale.body.string.contains("no journey with slug 'nope'"), "a saved view that no longer fits says why, on the page")
            let filtered = try await s.get("/touchpoints?product=kfz&channel=phone")
            #expect(filtered.body.string.contains("Telefon: Hotline"))
            #expect(!(try await s.get("/touchpoints?product=Leben")).body.string.contains("Telefon: Hotline"))
            let matrix = try await s.get("/touchpoints/matrix")
            #expect(matrix.body.string.contains("Fix first") && matrix.body.string.contains("/touchpoints/\(tp.id)"))
            #expect(try await s.get("/maturity").body.string.contains("Schadenmeldung"))
            let page = try await s.get("/touchpoints/\(tp.id)")
            #expect(page.status == .ok && page.body.string.contains("Relevance (n=2)"))
            // Pages of 50 by name, with a link to the next page.
            let fx = Fixture(app: app)
            let ws = try await Workspaces.find(slug: "web", on: app.db)
            let token = try await fx.token(ws)
            for i in 0..<55 { _ = try await fx.create("/api/v1/touchpoints", token: token, ["name": String(format: "Web: Seite %02d", i), "channel": "website"]) }
            let first = try await s.get("/touchpoints").body.string
            #expect(first.components(separatedBy: "<tr>").count - 2 == 50)
            let nextLink = try #require(first.range(of: "href=\"/touchpoints?after=").map { first[$0.upperBound...].prefix { $0 != "\"" } })
            let second = try await s.get("/touchpoints?after=" + nextLink).body.string
            #expect(second.components(separatedBy: "<tr>").count - 2 == 6 && !second.contains("rel=\"next\""))
            let csv = try await s.get("/touchpoints/export.csv?product=Kfz")
            #expect(csv.headers.first(name: .contentType)?.hasPrefix("text/csv") == true)
            #expect(csv.body.string.contains("telefon-hotline,Telefon: Hotline"))
        }
    }

    @Test("forms: bad input is shown with the field and nothing is written; good input lands", arguments: TestDB.all)
    func forms(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let (s, j, tp, token) = try await Self.setUp(app)
            let fx = Fixture(app: app)
            let gap = try await s.post("/journeys/\(j.id)/phases", form: ["name": "Später", "position": "5"])
            #expect(gap.status == .unprocessableEntity)
            #expect(gap.body.string.contains("position:") && gap.body.string.contains("gap"))
            let score = try await s.post("/touchpoints/\(tp.id)/assessments", form: ["relevance": "7", "quality": "3"])
            #expect(score.status == .unprocessableEntity && score.body.string.contains("relevance:"))
            #expect(try await fx.send(.GET, "/api/v1/touchpoints/\(tp.id)/assessments", token: token).items().count == 2)

            let added = try await s.post("/journeys/\(j.id)/touchpoints", form: ["name": "Brief: Bestätigung", "channel": "letter", "phases": "zahlen"])
            #expect(added.status == .seeOther)
            let unknown = try await s.post("/journeys/\(j.id)/touchpoints", form: ["name": "Fax: Formular", "channel": "fax"])
            #expect(unknown.status == .unprocessableEntity && unknown.body.string.contains("is not a channel"))
            let moved = try await s.post("/journeys/\(j.id)/phases/\(try await fx.send(.GET, "/api/v1/journeys/\(j.id)/phases", token: token).items()[1].id)/move", form: ["direction": "up"])
            #expect(moved.status == .seeOther)
            #expect(try await fx.send(.GET, "/api/v1/journeys/\(j.id)/phases", token: token).items().map { $0["slug"] as! String } == ["zahlen", "melden"])
            let stale = try await s.post("/touchpoints/\(tp.id)", form: ["version": "0", "name": "Renamed", "channel": "phone"])
            #expect(stale.status == .preconditionFailed)
            let edit = try await s.post("/touchpoints/\(tp.id)", form: ["version": "\(tp["version"] as! Int)", "name": "Telefon: Schadenhotline", "channel": "phone",
                                                                        "phases": "melden", "feedback_measured": "true", "controllable": "true", "ownership": "brand_owned",
                                                                        "products": "", "url": ""])
            #expect(edit.status == .seeOther)
            let after = try await fx.send(.GET, "/api/v1/touchpoints/\(tp.id)", token: token).json()
            #expect(after["name"] as? String == "Telefon: Schadenhotline" && (after["products"] as? [String]) == [] && after["feedback_measured"] as? Bool == true)

            #expect(try await s.post("/journeys/\(j.id)/maturity", form: ["milestone": "target_groups_known", "level": "achieved"]).status == .unprocessableEntity)
            #expect(try await s.post("/journeys/\(j.id)/maturity", form: ["milestone": "target_groups_known", "level": "achieved", "evidence": "Workshop"]).status == .seeOther)
            #expect(try await s.post("/touchpoints/views", form: ["name": "Kfz am Telefon", "query": "product=Kfz&channel=phone"]).status == .seeOther)
            #expect(try await s.get("/touchpoints").body.string.contains("Kfz am Telefon"))

            // Editing and deleting from the pages.
            let phases = try await fx.send(.GET, "/api/v1/journeys/\(j.id)/phases", token: token).items()
            #expect(try await s.post("/journeys/\(j.id)/phases/\(phases[0].id)", form: ["name": "Auszahlung", "version": "\(phases[0]["version"] as! Int)"]).status == .seeOther)
            // Phase changes move the journey to a new version (its representation lists them): an edit form
            // opened before them is refused, shown again with the reason, and nothing changes.
            let staleEdit = try await s.post("/journeys/\(j.id)", form: ["name": "Stale", "version": "1"])
            #expect(staleEdit.status == .preconditionFailed && staleEdit.body.string.contains("Someone changed this journey"))
            let current = try await fx.send(.GET, "/api/v1/journeys/\(j.id)", token: token).json()["version"] as! Int
            #expect(current > 1)
            #expect(try await s.post("/journeys/\(j.id)", form: ["name": "Schadenfall", "segment": "Privat", "version": "\(current)"]).status == .seeOther)
            let renamed = try await fx.send(.GET, "/api/v1/journeys/\(j.id)", token: token).json()
            #expect(renamed["name"] as? String == "Schadenfall" && renamed["segment"] as? String == "Privat")
            #expect((renamed["phases"] as? [[String: Any]])?.first?["name"] as? String == "Auszahlung")
            let blocked = try await s.post("/journeys/\(j.id)/delete", form: [:])
            #expect(blocked.status == .conflict && blocked.body.string.contains("touchpoints"))
            let file = try await app.testing().sendRequest(.POST, "/api/v1/touchpoints/\(tp.id)/files?filename=notes.txt",
                                                           headers: ["Authorization": "Bearer \(token)", "Content-Type": "text/plain"], body: ByteBuffer(string: "Gesprächsnotiz"))
            let shown = try await s.get("/touchpoints/\(tp.id)/files/\(try file.json().id)")
            #expect(shown.status == .ok && shown.body.string == "Gesprächsnotiz" && shown.headers.first(name: .contentDisposition)?.hasPrefix("attachment") == true)
            #expect(try await s.post("/touchpoints/\(tp.id)/files/\(try file.json().id)/delete", form: [:]).status == .seeOther)
            #expect(try await fx.send(.GET, "/api/v1/touchpoints/\(tp.id)/files", token: token).items().isEmpty)
            for t in try await fx.send(.GET, "/api/v1/touchpoints", token: token).items() {
                #expect(try await s.post("/touchpoints/\(t.id)/delete", form: [:]).status == .seeOther)
            }
            #expect(try await s.post("/journeys/\(j.id)/phases/\(phases[1].id)/delete", form: [:]).status == .seeOther)
            #expect(try await fx.send(.GET, "/api/v1/journeys/\(j.id)/phases", token: token).items().map { $0["position"] as! Int } == [1])
            #expect(try await s.post("/journeys/\(j.id)/delete", form: [:]).status == .seeOther)
            #expect(try await fx.send(.GET, "/api/v1/journeys/\(j.id)", token: token).status == .notFound)
        }
    }

    @Test("who may do what: a viewer sees the map but gets no forms and cannot post", arguments: TestDB.all)
    func roles(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let (s, j, tp, _) = try await Self.setUp(app, role: .viewer)
            let map = try await s.get("/journeys/\(j.id)")
            #expect(map.status == .ok && !map.body.string.contains("Add phase"))
            #expect(!(try await s.get("/touchpoints/\(tp.id)")).body.string.contains("Save assessment"))
            #expect(try await s.post("/journeys/\(j.id)/phases", form: ["name": "X"]).status == .forbidden)
            #expect(try await s.post("/touchpoints/\(tp.id)/assessments", form: ["relevance": "3", "quality": "3"]).status == .forbidden)
        }
    }

    /// A multipart form as a browser sends it; `file` is a CSV part.
    static func multipart(_ fields: [String: String], file: String?) -> (String, ByteBuffer) {
        let boundary = "----rapport\(UUID().uuidString.prefix(8))"
        var body = ""
        for (k, v) in fields { body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n" }
        if let file { body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.csv\"\r\nContent-Type: text/csv\r\n\r\n\(file)\r\n" }
        body += "--\(boundary)--\r\n"
        return ("multipart/form-data; boundary=\(boundary)", ByteBuffer(string: body))
    }

    @Test("a CSM may import customers but not touchpoints; a multipart body cannot skip the form token", arguments: TestDB.all)
    func importRightsAndToken(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let (s, _, tp, token) = try await Self.setUp(app, role: .csm)
            let fx = Fixture(app: app)
            #expect(!(try await s.get("/import")).body.string.contains("value=\"touchpoints\""))
            let (type, body) = Self.multipart(["csrf_token": s.csrf, "entity": "touchpoints", "mode": "all_or_nothing"],
                                              file: "external_id,name,channel\nX1,Hijack,phone\n")
            let r = try await app.testing().sendRequest(.POST, "/import", headers: ["Cookie": s.cookie, "Content-Type": type], body: body)
            #expect(r.status == .forbidden)
            #expect(try await fx.send(.GET, "/api/v1/touchpoints?external_id=X1", token: token).items().isEmpty)
            // A delete route reads no body; a multipart request without the token must still be refused,
            // for someone who may delete.
            _ = try await fx.user(try await Workspaces.find(slug: "web", on: app.db), email: "cx2@web.example", role: .cxManager)
            let cx = try await WebSession.login(app, email: "cx2@web.example", password: "correct horse battery")
            let (type2, padded) = Self.multipart(["padding": String(repeating: "x", count: 200_000)], file: nil)
            let forged = try await app.testing().sendRequest(.POST, "/touchpoints/\(tp.id)/delete", headers: ["Cookie": cx.cookie, "Content-Type": type2], body: padded)
            #expect(forged.status == .forbidden)
            let (type3, withToken) = Self.multipart(["csrf_token": cx.csrf], file: nil)
            let real = try await app.testing().sendRequest(.POST, "/touchpoints/\(tp.id)/delete", headers: ["Cookie": cx.cookie, "Content-Type": type3], body: withToken)
            #expect(real.status == .seeOther, "with the token the same request works")
            #expect(try await fx.send(.GET, "/api/v1/touchpoints/\(tp.id)", token: token).status == .notFound)
        }
    }

    @Test("a timeline event recorded at a touchpoint and phase names them on the 360 page and in the API", arguments: TestDB.all)
    func timelinePlace(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let (s, _, tp, token) = try await Self.setUp(app)
            let fx = Fixture(app: app)
            let account = try await fx.create("/api/v1/accounts", token: token, ["name": "Kundin AG"])
            let phase = (tp["phases"] as! [[String: Any]])[0]
            let ws = try await Workspaces.find(slug: "web", on: app.db)
            try await Timeline.record(workspaceID: ws.id!, accountID: UUID(uuidString: account.id), contactID: nil, kind: "survey.response",
                                      title: "Answered the claim survey", touchpointID: UUID(uuidString: tp.id), phaseID: UUID(uuidString: phase.id), on: app.db)
            let page = try await s.get("/accounts/\(account.id)").body.string
            #expect(page.contains("Answered the claim survey") && page.contains("/touchpoints/\(tp.id)\">Telefon: Hotline</a> (Melden)"))
            let api = try await fx.send(.GET, "/api/v1/accounts/\(account.id)/timeline", token: token).items()
            #expect((api.first?["touchpoint_id"] as? String)?.lowercased() == tp.id)
        }
    }

    @Test("another workspace's journeys and touchpoints are not found", arguments: TestDB.all)
    func isolation(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let (_, j, tp, _) = try await Self.setUp(app)
            let fx = Fixture(app: app)
            let other = try await fx.workspace("other")
            _ = try await fx.user(other, email: "o@other.example", role: .owner)
            let s = try await WebSession.login(app, email: "o@other.example", password: "correct horse battery")
            for path in ["/journeys/\(j.id)", "/touchpoints/\(tp.id)"] { #expect(try await s.get(path).status == .notFound, "\(path)") }
            #expect(try await s.post("/journeys/\(j.id)/phases", form: ["name": "X"]).status == .notFound)
            #expect(try await s.post("/touchpoints/\(tp.id)/assessments", form: ["relevance": "3", "quality": "3"]).status == .notFound)
            #expect(!(try await s.get("/touchpoints")).body.string.contains("Telefon: Hotline"))
            #expect(!(try await s.get("/touchpoints/matrix")).body.string.contains("Telefon: Hotline"))
        }
    }
}
