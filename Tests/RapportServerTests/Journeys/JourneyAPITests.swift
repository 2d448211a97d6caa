import Fluent
import Foundation
import RapportKit
import Testing
import Vapor
import VaporTesting
@testable import RapportServer

@Suite("Journeys and touchpoints API")
struct JourneyAPITests {
    @Test("phases keep 1…n without gaps: insert, move, reorder, delete; gaps and duplicates are refused", arguments: TestDB.all)
    func phases(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            let token = try await fx.token(try await fx.workspace("phases"))
            let j = try await fx.create("/api/v1/journeys", token: token, ["name": "Schadenmeldung über Telefon"])
            #expect(j["slug"] as? String == "schadenmeldung-ueber-telefon")
            let base = "/api/v1/journeys/\(j.id)/phases"
            for name in ["Melden", "Prüfen", "Zahlen"] { _ = try await fx.create(base, token: token, ["name": name]) }
            let first = try await fx.create(base, token: token, ["name": "Entdecken", "position": 1])
            func order() async throws -> [String] { try await fx.send(.GET, base, token: token).items().map { $0["slug"] as! String } }
            #expect(try await order() == ["entdecken", "melden", "pruefen", "zahlen"])

            let gap = try await fx.send(.POST, base, token: token, json: ["name": "Später", "position": 7])
            #expect(gap.status == .unprocessableEntity)
            #expect(try gap.fieldNames() == ["position"])
            #expect(String(buffer: gap.body).contains("gap"))

            let moved = try await fx.send(.PATCH, base + "/\(first.id)", token: token, json: ["position": 3])
            #expect(moved.status == .ok)
            #expect(try await order() == ["melden", "pruefen", "entdecken", "zahlen"])

            let dup = try await fx.send(.PUT, base + "/order", token: token, json: ["phases": ["zahlen", "zahlen", "melden", "pruefen"]])
            #expect(dup.status == .unprocessableEntity)
            let dupText = String(buffer: dup.body)
            #expect(dupText.contains("listed twice") && dupText.contains("leaves out 'entdecken'"))
            #expect(try await order() == ["melden", "pruefen", "entdecken", "zahlen"], "a refused order changes nothing")
            let ok = try await fx.send(.PUT, base + "/order", token: token, json: ["phases": ["entdecken", "melden", "pruefen", "zahlen"]])
            #expect(ok.status == .ok)
            #expect(try ok.items().map { $0["position"] as! Int } == [1, 2, 3, 4])

            let middle = try await fx.send(.GET, base, token: token).items()[1]
            #expect(try await fx.send(.DELETE, base + "/\(middle.id)", token: token).status == .noContent)
            let after = try await fx.send(.GET, base, token: token).items()
            #expect(after.map { $0["position"] as! Int } == [1, 2, 3] && after.map { $0["slug"] as! String } == ["entdecken", "pruefen", "zahlen"])
        }
    }

    @Test("sub-journeys and channel variants cannot go round in a circle", arguments: TestDB.all)
    func cycles(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            let token = try await fx.token(try await fx.workspace("cycles"))
            let a = try await fx.create("/api/v1/journeys", token: token, ["name": "A"])
            let b = try await fx.create("/api/v1/journeys", token: token, ["name": "B", "parent_journey_id": a.id])
            let c = try await fx.create("/api/v1/journeys", token: token, ["name": "C", "parent_journey_id": b.id])
            let loop = try await fx.send(.PATCH, "/api/v1/journeys/\(a.id)", token: token, json: ["parent_journey_id": c.id])
            #expect(loop.status == .unprocessableEntity)
            #expect(try loop.fieldNames() == ["parent_journey_id"])
            #expect(String(buffer: loop.body).contains("circle"))
            let own = try await fx.send(.PATCH, "/api/v1/journeys/\(a.id)", token: token, json: ["parent_journey_id": a.id])
            #expect(try own.fieldNames() == ["parent_journey_id"])
            let noChannel = try await fx.send(.POST, "/api/v1/journeys", token: token, json: ["name": "A per phone", "variant_of_id": a.id])
            #expect(try noChannel.fieldNames() == ["variant_channel"])
            let badChannel = try await fx.send(.POST, "/api/v1/journeys", token: token, json: ["name": "A per pigeon", "variant_of_id": a.id, "variant_channel": "pigeon"])
            #expect(try badChannel.fieldNames() == ["variant_channel"])
            let variant = try await fx.create("/api/v1/journeys", token: token, ["name": "A per phone", "variant_of_id": a.id, "variant_channel": "Telefon"])
            #expect(variant["variant_channel"] as? String == "phone", "a channel is found by its German name too")
            let stillParent = try await fx.send(.DELETE, "/api/v1/journeys/\(a.id)", token: token)
            #expect(stillParent.status == .conflict)
        }
    }

    @Test("touchpoints: phases of another journey, unknown channels, bad URLs and scores are refused by field", arguments: TestDB.all)
    func touchpointRules(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            let token = try await fx.token(try await fx.workspace("tp"))
            let claim = try await fx.create("/api/v1/journeys", token: token, ["name": "Claim"])
            let other = try await fx.create("/api/v1/journeys", token: token, ["name": "Onboarding"])
            _ = try await fx.create("/api/v1/journeys/\(claim.id)/phases", token: token, ["name": "Report"])
            _ = try await fx.create("/api/v1/journeys/\(other.id)/phases", token: token, ["name": "Kickoff"])

            let wrong = try await fx.send(.POST, "/api/v1/touchpoints", token: token, json: [
                "name": "Letter: confirmation", "channel": "fax", "journey": "claim", "phases": ["kickoff"], "url": "javascript:alert(1)", "feedback_measured": "maybe"])
            #expect(wrong.status == .unprocessableEntity)
            #expect(try wrong.fieldNames() == ["feedback_measured"])
            // Field checks come first; with them fixed, the references are checked, each by name.
            let refs = try await fx.send(.POST, "/api/v1/touchpoints", token: token, json: [
                "name": "Letter: confirmation", "channel": "fax", "journey": "claim", "phases": ["kickoff"], "url": "javascript:alert(1)"])
            #expect(Set(try refs.fieldNames()) == ["channel", "phases", "url"])
            let text = String(buffer: refs.body)
            #expect(text.contains("'kickoff' is a phase of journey 'Onboarding', not of 'Claim'"))
            #expect(text.contains("'fax' is not a channel"))
            #expect(try await fx.send(.GET, "/api/v1/touchpoints", token: token).items().isEmpty, "nothing half-written")

            let tp = try await fx.create("/api/v1/touchpoints", token: token, [
                "name": "Brief: Eingangsbestätigung", "channel": "Brief", "journey": "claim", "phases": "report", "products": ["Kfz", "Hausrat"],
                "feedback_measured": "ja", "ownership": "brand_owned", "co_departments": "Schaden, Output"])
            #expect(tp["channel"] as? String == "letter")
            #expect((tp["phases"] as? [[String: Any]])?.first?["slug"] as? String == "report")
            #expect(tp["feedback_measured"] as? Bool == true)
            let byProduct = try await fx.send(.GET, "/api/v1/touchpoints?product=kfz", token: token).items()
            #expect(byProduct.count == 1)
            #expect(try await fx.send(.GET, "/api/v1/touchpoints?product=Leben", token: token).items().isEmpty)
            #expect(try await fx.send(.GET, "/api/v1/touchpoints?product=K_z", token: token).items().isEmpty, "_ is no wildcard")
            _ = try await fx.create("/api/v1/touchpoints", token: token, ["name": "A", "channel": "email", "external_id": "TP-7"])
            let twice = try await fx.send(.POST, "/api/v1/touchpoints", token: token, json: ["name": "B", "channel": "email", "external_id": "TP-7"])
            #expect(try twice.fieldNames() == ["external_id"])

            let score = try await fx.send(.POST, "/api/v1/touchpoints/\(tp.id)/assessments", token: token, json: ["relevance": 6, "quality": 0])
            #expect(Set(try score.fieldNames()) == ["relevance", "quality"])
            _ = try await fx.create("/api/v1/touchpoints/\(tp.id)/assessments", token: token, ["relevance": 5, "quality": 2, "emotions": "Ärger"])
            _ = try await fx.create("/api/v1/touchpoints/\(tp.id)/assessments", token: token, ["relevance": 4, "quality": 3])
            let summary = try await fx.send(.GET, "/api/v1/touchpoints/\(tp.id)", token: token).json()["assessment"] as? [String: Any]
            // The same caller assessed twice: the latest counts, once.
            #expect(summary?["n"] as? Int == 1 && summary?["total"] as? Int == 2)
            #expect(summary?["quality"] as? Double == 3 && summary?["quadrant"] as? String == "keep_up")
            #expect(try await fx.send(.GET, "/api/v1/touchpoints/\(tp.id)/assessments", token: token).items().count == 2)
        }
    }

    @Test("files: content decides the type, mislabelled and oversized uploads are refused, downloads never run", arguments: TestDB.all)
    func files(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            let token = try await fx.token(try await fx.workspace("files"))
            let tp = try await fx.create("/api/v1/touchpoints", token: token, ["name": "Web: form", "channel": "website"])
            func upload(_ name: String, _ type: String, _ bytes: [UInt8]) async throws -> TestingHTTPResponse {
                try await app.testing().sendRequest(.POST, "/api/v1/touchpoints/\(tp.id)/files?filename=\(name)",
                                                    headers: ["Authorization": "Bearer \(token)", "Content-Type": type], body: ByteBuffer(bytes: bytes))
            }
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 100)
            let ok = try await upload("screen.png", "image/png", png)
            #expect(ok.status == .created)
            let file = try ok.json()
            let fake = try await upload("screen.png", "image/png", Array("%PDF-1.4 fake".utf8))
            #expect(try fake.status == .unprocessableEntity && fake.fieldNames() == ["file"])
            let svg = try await upload("x.svg", "image/svg+xml", Array("<svg onload=alert(1)/>".utf8))
            #expect(svg.status == .unprocessableEntity)
            let big = try await upload("big.pdf", "application/pdf", Array("%PDF-".utf8) + Array(repeating: 0, count: UploadCheck.maxBytes))
            #expect(big.status == .unprocessableEntity)
            let got = try await fx.send(.GET, "/api/v1/touchpoints/\(tp.id)/files/\(file.id)", token: token)
            #expect(got.status == .ok && Array(got.body.readableBytesView) == png)
            #expect(got.headers.first(name: .contentType) == "image/png")
            #expect(got.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(got.headers.first(name: "Content-Security-Policy")?.contains("sandbox") == true)
            #expect(try await fx.send(.GET, "/api/v1/touchpoints/\(tp.id)/files", token: token).items().count == 1)
        }
    }

    @Test("the map puts touchpoints by phase and channel and says where the curve comes from and its n", arguments: TestDB.all)
    func map(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            let ws = try await fx.workspace("map")
            let token = try await fx.token(ws)
            let j = try await fx.create("/api/v1/journeys", token: token, ["name": "Claim"])
            for p in ["Report", "Pay"] { _ = try await fx.create("/api/v1/journeys/\(j.id)/phases", token: token, ["name": p]) }
            let a = try await fx.create("/api/v1/touchpoints", token: token, ["name": "Phone: hotline", "channel": "phone", "journey": "claim", "phases": "report"])
            _ = try await fx.create("/api/v1/touchpoints", token: token, ["name": "Letter: payment", "channel": "letter", "journey": "claim", "phases": "pay"])
            _ = try await fx.create("/api/v1/touchpoints", token: token, ["name": "App: photo", "channel": "app", "journey": "claim"])
            let second = try await fx.token(ws, .cxManager)
            _ = try await fx.create("/api/v1/touchpoints/\(a.id)/assessments", token: token, ["relevance": 5, "quality": 2])
            _ = try await fx.create("/api/v1/touchpoints/\(a.id)/assessments", token: second, ["relevance": 5, "quality": 4])
            let note = try await fx.send(.POST, "/api/v1/journeys/\(j.id)/notes", token: token, json: ["phase_id": UUID().uuidString, "kind": "expectation", "text": "x"])
            #expect(try note.fieldNames() == ["phase_id"])
            let m = try await fx.send(.GET, "/api/v1/journeys/\(j.id)/map", token: token).json()
            #expect(m["channels"] as? [String] == ["app", "letter", "phone"], "rows in the workspace's channel order")
            let curve = m["curve"] as! [[String: Any]]
            #expect(curve.count == 2)
            #expect(curve[0]["value"] as? Double == 3 && curve[0]["n"] as? Int == 2 && curve[0]["source"] as? String == "assessed_quality")
            #expect(curve[0]["low"] != nil && curve[1]["value"] == nil && curve[1]["touchpoints"] as? Int == 1)
            #expect((m["unplaced"] as? [[String: Any]])?.map { $0["name"] as? String } == ["App: photo"])

            let bad = try await fx.send(.POST, "/api/v1/journeys/\(j.id)/maturity", token: token, json: ["milestone": "target_groups_known", "level": "achieved"])
            #expect(try bad.fieldNames() == ["evidence"])
            _ = try await fx.create("/api/v1/journeys/\(j.id)/maturity", token: token, ["milestone": "journey_per_channel_known", "level": "achieved", "evidence": "Mapped in workshop"])
            let maturity = try await fx.send(.GET, "/api/v1/journeys/\(j.id)/maturity", token: token).json()
            #expect(maturity["percent"] as? Int == 25 && maturity["stage"] as? Int == 1)
        }
    }

    @Test("a touchpoint CSV upserts, names refused rows by line, and writes nothing when all-or-nothing fails", arguments: TestDB.all)
    func importCSV(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            let ws = try await fx.workspace("imp")
            let token = try await fx.token(ws)
            let j = try await fx.create("/api/v1/journeys", token: token, ["name": "Claim"])
            _ = try await fx.create("/api/v1/journeys/\(j.id)/phases", token: token, ["name": "Report"])
            func run(_ csv: String, _ mode: ImportMode) async throws -> ImportReport {
                try await Importer(entity: .touchpoints, mode: mode, caller: .system(ws), db: app.db).run(try CSVReader(data: Data(csv.utf8)), source: "t.csv")
            }
            let bad = try await run("external_id,name,channel,journey,phases,relevance_typo\nT1,Phone: hotline,phone,claim,report,\n", .allOrNothing)
            #expect(bad.fatal?.message.contains("relevance_typo") == true)
            let mixed = try await run("external_id,name,channel,journey,phases\nT1,Phone: hotline,phone,claim,report\nT2,Fax: form,fax,claim,\nT1,Again,phone,,\n", .allOrNothing)
            #expect(!mixed.committed && mixed.refusedRows == 2)
            #expect(mixed.issues.map(\.line) == [3, 4])
            #expect(mixed.issues.first?.column == "channel")
            #expect(try await Touchpoint.query(on: app.db).count() == 0)
            let valid = try await run("external_id,name,channel,journey,phases\nT1,Phone: hotline,phone,claim,report\nT2,Fax: form,fax,claim,\n", .validRows)
            #expect(valid.committed && valid.created == 1 && valid.refusedRows == 1)
            let again = try await run("external_id,name,channel,products\nT1,Phone: claim hotline,phone,Kfz\n", .allOrNothing)
            #expect(again.updated == 1)
            let t = try await Touchpoint.query(on: app.db).first()
            #expect(t?.name == "Phone: claim hotline" && t?.products == ["Kfz"])
            #expect(try await TouchpointPhase.query(on: app.db).count() == 1, "columns the file leaves out keep their values")
        }
    }

    @Test("the registry filter means the same in SQL and in memory, and the cached registry sees every change", arguments: TestDB.all)
    func filterAgreement(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            let ws = try await fx.workspace("agree")
            let token = try await fx.token(ws)
            let j = try await fx.create("/api/v1/journeys", token: token, ["name": "Claim"])
            let sub = try await fx.create("/api/v1/journeys", token: token, ["name": "Expert visit", "parent_journey_id": j.id])
            _ = try await fx.create("/api/v1/journeys/\(j.id)/phases", token: token, ["name": "Report"])
            let specs: [[String: Any]] = [
                ["name": "Phone: Hotline", "channel": "phone", "journey": "claim", "phases": "report", "products": "Kfz, Hausrat", "direction": "inbound",
                 "responsible_department": "Service", "co_departments": "Legal", "target_groups": "Privat", "feedback_measured": "yes", "improvement_needs": "slow"],
                ["name": "Letter: Größe_100%", "channel": "letter", "journey": "claim", "products": "Leben", "direction": "outbound", "controllable": "no",
                 "ownership": "partner_owned", "sub_journeys": "expert-visit", "external_id": "L-1"],
                ["name": "Web: Ratgeber", "channel": "website", "products": "Kfz", "target_groups": "Makler"],
            ]
            for spec in specs { _ = try await fx.create("/api/v1/touchpoints", token: token, spec) }
            let scope = Scope(workspaceID: ws.id!, db: app.db)
            let queries = ["", "q=hotline", "q=GROSSE", "q=100%25", "product=kfz", "product=KFZ&channel=phone", "target_group=makler", "co_department=legal",
                           "journey=claim", "journey=none", "direction=outbound", "ownership=partner_owned", "controllable=false", "feedback_measured=true",
                           "has_improvement_needs=true", "has_improvement_needs=false", "responsible_department=Service", "external_id=L-1",
                           "sub_journey=\(sub["slug"] as! String)", "product=k_z"]
            let all = try await RegistryCache.shared.all(scope)
            #expect(all.count == 3)
            for q in queries {
                let req = Request(application: app, url: URI(string: "/touchpoints?" + q), on: app.eventLoopGroup.next())
                let filter = try await RegistryFilter.parse(req, scope: scope)
                let inSQL = Set(try await TouchpointReads.records(filter, scope: scope).map(\.name))
                let inMemory = Set(all.filter(filter.matches).map(\.name))
                let viaFluent = Set(try await TouchpointsAPI.query(req, scope: scope).all().map(\.name))
                #expect(inSQL == inMemory && inSQL == viaFluent, "\(q): SQL \(inSQL) memory \(inMemory) Fluent \(viaFluent)")
            }
            // Any change shows at once: a rename, an assessment, a new touchpoint.
            let first = try await fx.send(.GET, "/api/v1/touchpoints?external_id=L-1", token: token).items()[0]
            _ = try await fx.send(.PATCH, "/api/v1/touchpoints/\(first.id)", token: token, json: ["name": "Letter: renamed"])
            _ = try await fx.create("/api/v1/touchpoints/\(first.id)/assessments", token: token, ["relevance": 2, "quality": 4])
            let after = try await RegistryCache.shared.all(scope)
            #expect(after.contains { $0.name == "Letter: renamed" && $0.assessment?.n == 1 })
        }
    }
}

