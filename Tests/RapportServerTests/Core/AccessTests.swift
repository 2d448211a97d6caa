import Fluent
import Foundation
import RapportKit
import Testing
import Vapor
import VaporTesting
@testable import RapportServer

/// Two workspaces with the same kinds of data: everything workspace A's most powerful caller can reach
/// must be A's alone.
struct TwoTenants {
    let fx: Fixture
    let tokenA: String, tokenB: String
    let accountB: String, contactB: String, contractB: String
    let accountA: String
    let journeyB: String, phaseB: String, touchpointB: String, fileB: String, noteB: String, channelB: String
    let surveyB: String, triggerB: String, responseB: String, feedbackB: String

    static func make(_ app: Application) async throws -> TwoTenants {
        let fx = Fixture(app: app)
        let a = try await fx.workspace("alpha"), b = try await fx.workspace("beta")
        let ta = try await fx.token(a), tb = try await fx.token(b)
        let accA = try await fx.create("/api/v1/accounts", token: ta, ["name": "Alpha Kunde", "external_id": "same-id"])
        _ = try await fx.create("/api/v1/contacts", token: ta, ["last_name": "Aal", "account_id": accA.id])
        let accB = try await fx.create("/api/v1/accounts", token: tb, ["name": "Beta Kunde", "external_id": "same-id"])
        let conB = try await fx.create("/api/v1/contacts", token: tb, ["last_name": "Bär", "account_id": accB.id, "email": "b@beta.example"])
        let ctrB = try await fx.create("/api/v1/contracts", token: tb, ["account_id": accB.id, "product": "P", "start_date": "2026-01-01", "arr": 100, "currency": "EUR"])
        // The same slugs in both workspaces: slugs are unique per workspace, not across them.
        _ = try await fx.create("/api/v1/journeys", token: ta, ["name": "Claim"])
        let jB = try await fx.create("/api/v1/journeys", token: tb, ["name": "Claim"])
        let pB = try await fx.create("/api/v1/journeys/\(jB.id)/phases", token: tb, ["name": "Report"])
        let tB = try await fx.create("/api/v1/touchpoints", token: tb, ["name": "Phone: hotline", "channel": "phone", "journey": "claim", "phases": "report"])
        _ = try await fx.create("/api/v1/touchpoints/\(tB.id)/assessments", token: tb, ["relevance": 4, "quality": 2])
        let nB = try await fx.create("/api/v1/journeys/\(jB.id)/notes", token: tb, ["phase_id": pB.id, "kind": "expectation", "text": "Beta expectation"])
        let cB = try await fx.create("/api/v1/channels", token: tb, ["name": "Beta pigeon post"])
        let upload = try await app.testing().sendRequest(.POST, "/api/v1/touchpoints/\(tB.id)/files?filename=note.txt",
                                                         headers: ["Authorization": "Bearer \(tb)", "Content-Type": "text/plain"], body: ByteBuffer(string: "Beta notes"))
        let fB = try upload.json()
        // Voice of the customer: a published survey with a rule, an invitation, a response and feedback in B.
        let sB = try await fx.create("/api/v1/surveys", token: tb, ["name": "Beta T-NPS", "kind": "transactional", "definition": tnpsDefinition()])
        _ = try await fx.send(.POST, "/api/v1/surveys/\(sB.id)/publish", token: tb)
        let trB = try await fx.create("/api/v1/triggers", token: tb, ["name": "Beta rule", "event_type": "service_contact_closed", "survey_id": sB.id, "channel": "email"])
        _ = try await fx.create("/api/v1/contacts/\(conB.id)/consents", token: tb, ["purpose": "survey", "channel": "email", "status": "granted", "source": "beta"])
        _ = try await fx.create("/api/v1/events", token: tb, ["type": "service_contact_closed", "contact_id": conB.id])
        let rB = try await fx.create("/api/v1/responses", token: tb, ["survey_id": sB.id, "answers": ["nps": 9], "contact_id": conB.id])
        let fbB = try await fx.create("/api/v1/feedback", token: tb, ["type": "idea", "text": "Beta idea", "contact_id": conB.id])
        return TwoTenants(fx: fx, tokenA: ta, tokenB: tb, accountB: accB.id, contactB: conB.id, contractB: ctrB.id, accountA: accA.id,
                          journeyB: jB.id, phaseB: pB.id, touchpointB: tB.id, fileB: fB.id, noteB: nB.id, channelB: cB.id,
                          surveyB: sB.id, triggerB: trB.id, responseB: rB.id, feedbackB: fbB.id)
    }

    /// A body the route would accept, so that only the workspace boundary can stop the request.
    static func validBody(_ route: APIRoute) -> [String: Any]? {
        switch (route.method, route.path) {
        case (.PATCH, "/accounts/{id}"), (.POST, "/accounts"): ["name": "hijack"]
        case (.PATCH, "/contacts/{id}"), (.POST, "/contacts"): ["last_name": "hijack"]
        case (.PATCH, "/contracts/{id}"): ["product": "hijack"]
        case (.POST, "/contracts"): ["product": "hijack", "start_date": "2026-01-01", "arr": 1, "currency": "EUR", "account_external_id": "same-id"]
        case (.POST, "/contacts/{id}/consents"): ["purpose": "survey", "channel": "email", "status": "withdrawn", "source": "hijack"]
        case (.POST, "/contracts/{id}/events"): ["kind": "renewal", "occurred_on": "2026-01-01"]
        case (.POST, "/journeys"), (.PATCH, "/journeys/{id}"), (.POST, "/journeys/{id}/phases"), (.PATCH, "/journeys/{id}/phases/{phase_id}"),
             (.POST, "/channels"): ["name": "hijack"]
        case (.PUT, "/journeys/{id}/phases/order"): ["phases": ["report"]]
        case (.POST, "/journeys/{id}/notes"): ["phase_id": "{phase_id}", "kind": "expectation", "text": "hijack"]
        case (.POST, "/journeys/{id}/maturity"): ["milestone": "target_groups_known", "level": "not_started"]
        case (.POST, "/touchpoints"), (.PATCH, "/touchpoints/{id}"): ["name": "hijack", "channel": "phone"]
        case (.POST, "/touchpoints/{id}/assessments"): ["relevance": 1, "quality": 1]
        case (.POST, "/surveys"), (.PATCH, "/surveys/{id}"): ["name": "hijack", "kind": "transactional"]
        case (.POST, "/triggers"), (.PATCH, "/triggers/{id}"): ["name": "hijack", "event_type": "hijack", "survey_id": "{survey}", "channel": "email"]
        case (.POST, "/events"): ["type": "service_contact_closed", "contact_id": "{contact}"]
        case (.POST, "/events/batch"): ["events": [["type": "service_contact_closed", "contact_id": "{contact}"]]]
        case (.POST, "/responses"): ["survey_id": "{survey}", "answers": ["nps": 1]]
        case (.POST, "/responses/batch"): ["responses": [["survey_id": "{survey}", "answers": ["nps": 1]]]]
        case (.POST, "/feedback"): ["type": "complaint", "text": "hijack", "contact_id": "{contact}"]
        case (.PATCH, "/feedback/{id}"): ["status": "closed"]
        case (.PUT, "/survey-settings"): ["contact_policy": ["quiet_days": 1], "feedback_queues": [:]]
        case (.POST, "/surveys/{id}/links"): ["channel": "hijack"]
        default: nil
        }
    }

    /// The other workspace's id for a route's {id}, by the resource the path names.
    func foreignID(for path: String) -> String {
        if path.hasPrefix("/contacts") { return contactB }
        if path.hasPrefix("/contracts") { return contractB }
        if path.hasPrefix("/journeys") { return journeyB }
        if path.hasPrefix("/touchpoints") { return touchpointB }
        if path.hasPrefix("/channels") { return channelB }
        if path.hasPrefix("/surveys") { return surveyB }
        if path.hasPrefix("/triggers") { return triggerB }
        if path.hasPrefix("/responses") { return responseB }
        if path.hasPrefix("/feedback") { return feedbackB }
        return accountB
    }

    /// A path with every parameter filled with the other workspace's ids.
    func foreignPath(_ path: String) -> String {
        path.replacingOccurrences(of: "{id}", with: foreignID(for: path)).replacingOccurrences(of: "{phase_id}", with: phaseB)
            .replacingOccurrences(of: "{file_id}", with: fileB).replacingOccurrences(of: "{note_id}", with: noteB)
            .replacingOccurrences(of: "{number}", with: "1").replacingOccurrences(of: "{contact}", with: contactB)
            .replacingOccurrences(of: "{survey}", with: surveyB)
    }

    var foreignIDs: [String] { [accountB, contactB, contractB, journeyB, phaseB, touchpointB, fileB, noteB, channelB, surveyB, triggerB, responseB, feedbackB] }
}

@Suite("Tenancy and roles")
struct AccessTests {
    @Test("no API route returns or changes another workspace's data", arguments: TestDB.all)
    func apiIsolation(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let t = try await TwoTenants.make(app)
            func snapshot() async throws -> [String] {
                var out: [String] = []
                for path in ["/accounts/\(t.accountB)", "/journeys/\(t.journeyB)/map", "/touchpoints/\(t.touchpointB)", "/touchpoints/\(t.touchpointB)/assessments",
                             "/touchpoints/\(t.touchpointB)/files", "/journeys/\(t.journeyB)/maturity/history", "/channels",
                             "/surveys/\(t.surveyB)", "/triggers/\(t.triggerB)", "/responses?limit=500", "/feedback", "/invitations", "/survey-settings",
                             "/contacts/\(t.contactB)/decisions"] {
                    out.append(try await t.fx.send(.GET, "/api/v1" + path, token: t.tokenB).body.string)
                }
                return out
            }
            let before = try await snapshot()
            for route in app.apiRegistry.routes {
                let path = t.foreignPath(route.path)
                let body = TwoTenants.validBody(route).map { b in b.mapValues { v in (v as? String).map(t.foreignPath) ?? v } }
                let r = try await t.fx.send(route.method, "/api/v1" + path, token: t.tokenA, json: body)
                if route.path.contains("{id}") {
                    #expect(r.status == .notFound, "\(route.method) \(route.path) with another workspace's id answered \(r.status)")
                } else {
                    let text = r.body.string.lowercased()
                    #expect(!t.foreignIDs.contains { text.contains($0) } && !text.contains("beta"), "\(route.method) \(route.path) leaked another workspace's data")
                }
            }
            #expect(try await snapshot() == before)
            let contacts = try await t.fx.send(.GET, "/api/v1/contacts/\(t.contactB)", token: t.tokenB)
            #expect(contacts.status == .ok)
            #expect(try contacts.json()["erased"] as? Bool == false)
        }
    }

    @Test("no web page shows another workspace's records", arguments: TestDB.all)
    func webIsolation(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let t = try await TwoTenants.make(app)
            let ws = try await Workspaces.find(slug: "alpha", on: app.db)
            _ = try await t.fx.user(ws, email: "owner@alpha.example", role: .owner)
            let session = try await WebSession.login(app, email: "owner@alpha.example", password: "correct horse battery")
            for path in ["/accounts/\(t.accountB)", "/contacts/\(t.contactB)", "/contacts/\(t.contactB)/personal-data"] {
                #expect(try await session.get(path).status == .notFound, "\(path)")
            }
            let list = try await session.get("/accounts?q=Kunde")
            #expect(list.body.string.contains("Alpha Kunde"))
            #expect(!list.body.string.contains("Beta Kunde"))
            let erase = try await session.post("/contacts/\(t.contactB)/erase", form: [:])
            #expect(erase.status == .notFound)
            let contact = try await t.fx.send(.GET, "/api/v1/contacts/\(t.contactB)", token: t.tokenB)
            #expect(try contact.json()["email"] as? String == "b@beta.example")
        }
    }

    @Test("every API route enforces the permission matrix, role by role", arguments: TestDB.all)
    func permissionMatrix(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            let ws = try await fx.workspace("roles")
            let owner = try await fx.token(ws)
            let account = try await fx.create("/api/v1/accounts", token: owner, ["name": "Kunde"])
            let contact = try await fx.create("/api/v1/contacts", token: owner, ["last_name": "K", "account_id": account.id])
            let contract = try await fx.create("/api/v1/contracts", token: owner, ["account_id": account.id, "product": "P", "start_date": "2026-01-01", "arr": 1, "currency": "EUR"])
            for role in Role.allCases {
                let token = try await fx.token(ws, role)
                for route in app.apiRegistry.routes {
                    let id = route.path.hasPrefix("/contacts") ? contact.id : route.path.hasPrefix("/contracts") ? contract.id : account.id
                    // An empty JSON object: allowed callers get past the permission check to validation (422), others get 403.
                    let body: [String: Any]? = [.POST, .PATCH].contains(route.method) ? [:] : nil
                    let method = route.method == .DELETE ? HTTPMethod.DELETE : route.method
                    let r = try await fx.send(method, "/api/v1" + route.path.replacingOccurrences(of: "{id}", with: id), token: token, json: body,
                                             headers: route.method == .DELETE ? [("If-Match", "\"v999\"")] : [])
                    let allowed = role.can(route.permission)
                    #expect((r.status == .forbidden) == !allowed, "\(role.rawValue) \(route.method) \(route.path) → \(r.status)")
                }
            }
        }
    }

    @Test("requests without a valid token are refused", arguments: TestDB.all)
    func authentication(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            let ws = try await fx.workspace("auth")
            let token = try await fx.token(ws)
            #expect(try await fx.send(.GET, "/api/v1/accounts", token: nil).status == .unauthorized)
            #expect(try await fx.send(.GET, "/api/v1/accounts", token: "rpt_forged").status == .unauthorized)
            #expect(try await fx.send(.GET, "/api/v1/accounts", token: token).status == .ok)
            let stored = try await APIToken.query(on: app.db).filter(\.$workspace.$id == ws.id!).first()!
            #expect(stored.tokenHash != token && stored.tokenHash.count == 64)
            // Revoked by another node (straight in the database): refused once this node's two seconds
            // of caching have passed.
            stored.revokedAt = Date()
            try await stored.save(on: app.db)
            try await Task.sleep(for: TokenCallers.lifetime + .milliseconds(200))
            #expect(try await fx.send(.GET, "/api/v1/accounts", token: token).status == .unauthorized)
        }
    }
}
