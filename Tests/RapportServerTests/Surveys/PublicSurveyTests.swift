import Fluent
import Foundation
import RapportKit
import Testing
import Vapor
import VaporTesting
@testable import RapportServer

/// The public pages, driven like a browser without JavaScript would: GET a page, POST its form,
/// follow the redirect.
struct Browser {
    let app: Application
    var cookies: [String: String] = [:]

    mutating func get(_ path: String, language: String = "de-DE,de;q=0.9,en;q=0.5") async throws -> TestingHTTPResponse {
        var h = HTTPHeaders()
        h.add(name: .acceptLanguage, value: language)
        if !cookies.isEmpty { h.add(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        let r = try await app.testing().sendRequest(.GET, path, headers: h)
        keep(r)
        return r
    }

    mutating func post(_ path: String, _ form: [(String, String)]) async throws -> TestingHTTPResponse {
        var h = HTTPHeaders()
        h.contentType = .urlEncodedForm
        if !cookies.isEmpty { h.add(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        let body = form.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(separator: "&")
        let r = try await app.testing().sendRequest(.POST, path, headers: h, body: ByteBuffer(string: body))
        keep(r)
        return r
    }

    private mutating func keep(_ r: TestingHTTPResponse) {
        for header in r.headers[.setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            if pair.count == 2 { cookies[String(pair[0])] = String(pair[1]) } else if pair.count == 1 { cookies[String(pair[0])] = nil }
        }
    }
}

@Suite("Public survey pages")
struct PublicSurveyTests {
    /// The personal link of the first invitation in the workspace.
    static func personalLink(_ app: Application) async throws -> (String, Invitation) {
        let inv = try await Invitation.query(on: app.db).first()!
        let settings = try await SurveySettingsStore.load(Scope(workspaceID: inv.workspaceID, db: app.db))
        return (PersonalLink.token(invitationID: inv.id!, secret: settings.linkSecret), inv)
    }

    @Test("a personal link answers page by page with display logic, once", arguments: TestDB.all)
    func personal(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SurveySetup.make(app, slug: "answer")
            let contact = try await s.contact("P-1", language: "de")
            _ = try await s.event("P-1")
            let (token, inv) = try await Self.personalLink(app)
            var b = Browser(app: app)

            let page1 = try await b.get("/s/\(token)")
            #expect(page1.status == .ok)
            #expect(page1.body.string.contains("Wie wahrscheinlich ist es") && page1.body.string.contains("Seite 1 von 2"))
            #expect(page1.body.string.contains("lang=\"de\""))

            // Required question left out: the page comes back with the error, nothing is lost.
            let missing = try await b.post("/s/\(token)", [("page", "1"), ("action", "next")])
            #expect(missing.status == .unprocessableEntity)
            #expect(missing.body.string.contains("Bitte beantworten Sie diese Frage."))

            let next = try await b.post("/s/\(token)", [("page", "1"), ("action", "next"), ("q_nps", "3")])
            #expect(next.status == .seeOther)
            let page2 = try await b.get(next.headers.first(name: .location)!)
            #expect(page2.body.string.contains("Was hat Sie enttäuscht?") && !page2.body.string.contains("Was hat Sie begeistert?"))
            // Kept page by page: the half-finished response is already stored.
            let partial = try await SurveyResponse.query(on: app.db).first()
            #expect(partial?.status == "partial" && partial?.decodedAnswers["nps"] == .number(3))

            // Back, change the score, and the other free-text question shows.
            _ = try await b.post("/s/\(token)", [("page", "2"), ("action", "back"), ("q_disappointed", "Wartezeit")])
            _ = try await b.post("/s/\(token)", [("page", "1"), ("action", "next"), ("q_nps", "9")])
            let page2b = try await b.get("/s/\(token)?page=2")
            #expect(page2b.body.string.contains("Was hat Sie begeistert?") && !page2b.body.string.contains("Was hat Sie enttäuscht?"))
            let done = try await b.post("/s/\(token)", [("page", "2"), ("action", "next"), ("q_delighted", "Sehr freundlich"), ("q_aspect", "friendliness")])
            #expect(done.headers.first(name: .location)?.contains("/thanks") == true)
            let thanks = try await b.get(done.headers.first(name: .location)!)
            #expect(thanks.body.string.contains("Vielen Dank"))

            let stored = try await SurveyResponse.query(on: app.db).all()
            #expect(stored.count == 1)
            #expect(stored[0].status == "complete" && stored[0].surveyVersion == 1 && stored[0].language == "de")
            #expect(stored[0].decodedAnswers == ["nps": .number(9), "delighted": .text("Sehr freundlich"), "aspect": .text("friendliness")])
            #expect(stored[0].contactID?.uuidString.lowercased() == contact.id)
            let answered = try await Invitation.find(inv.id, on: app.db)
            #expect(answered?.status == "answered" && answered?.answeredAt != nil)

            // A used personal link cannot submit twice.
            let twice = try await b.post("/s/\(token)", [("page", "1"), ("action", "next"), ("q_nps", "0")])
            #expect(twice.status == .conflict)
            let reopened = try await b.get("/s/\(token)")
            #expect(reopened.status == .conflict && reopened.body.string.contains("Bereits beantwortet"))
            #expect(try await SurveyResponse.query(on: app.db).count() == 1)
            let timeline = try await s.fx.send(.GET, "/api/v1/contacts/\(contact.id)/timeline", token: s.token).items()
            #expect(timeline.contains { ($0["kind"] as? String) == "survey_response" && ($0["detail"] as? String) == "NPS 9" })
        }
    }

    @Test("forged, unknown and expired links are refused; short codes lead to the survey; out-of-range answers are named", arguments: TestDB.all)
    func links(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SurveySetup.make(app, slug: "links")
            try await s.contact("L-1", language: "en")
            _ = try await s.event("L-1")
            let (token, inv) = try await Self.personalLink(app)
            var b = Browser(app: app)
            var forged = Array(token)
            forged[30] = forged[30] == "A" ? "B" : "A"
            #expect(try await b.get("/s/\(String(forged))").status == .notFound)
            #expect(try await b.get("/s/nonsense").status == .notFound)

            let english = try await b.get("/s/\(token)", language: "de")
            #expect(english.body.string.contains("How likely are you to recommend us?"), "the contact's language wins over the browser's")
            let out = try await b.post("/s/\(token)", [("page", "1"), ("action", "next"), ("q_nps", "12")])
            #expect(out.status == .unprocessableEntity && out.body.string.contains("0 to 10"))

            let code = ShortCode.display(inv.shortCode).lowercased()
            let entered = try await b.post("/s", [("code", code), ("lang", "en")])
            #expect(entered.status == .seeOther && entered.headers.first(name: .location) == "/s/\(token)")
            let wrong = try await b.post("/s", [("code", "ZZZZZ-ZZZZZ"), ("lang", "en")])
            #expect(wrong.status == .unprocessableEntity)

            inv.expiresAt = Date().addingTimeInterval(-1)
            try await inv.save(on: app.db)
            #expect(try await b.get("/s/\(token)").status == .gone)
        }
    }

    @Test("an anonymous touchpoint link keeps a half-finished response in a cookie", arguments: TestDB.all)
    func anonymous(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SurveySetup.make(app, slug: "anon")
            let link = try await s.fx.create("/api/v1/surveys/\(s.survey.id)/links", token: s.token, ["channel": "qr_poster"])
            let path = URL(string: link["url"] as! String)!.path
            var b = Browser(app: app)
            #expect(try await b.get(path, language: "en").body.string.contains("Page 1 of 2"))
            let next = try await b.post(path, [("page", "1"), ("action", "next"), ("q_nps", "10"), ("lang", "en")])
            #expect(next.status == .seeOther && !b.cookies.isEmpty)
            let resumed = try await b.get(path, language: "en")
            #expect(resumed.body.string.contains("What delighted you?"))
            _ = try await b.post(path, [("page", "2"), ("action", "next"), ("lang", "en")])
            let r = try await SurveyResponse.query(on: app.db).all()
            #expect(r.count == 1 && r[0].status == "complete" && r[0].channel == "qr_poster" && r[0].contactID == nil)
            // A new visitor (no cookie) starts a new response.
            var other = Browser(app: app)
            _ = try await other.post(path, [("page", "1"), ("action", "next"), ("q_nps", "2"), ("lang", "en")])
            #expect(try await SurveyResponse.query(on: app.db).count() == 2)
        }
    }

    @Test("reminders follow the policy: after N days, at most the maximum, never after an answer", arguments: TestDB.all)
    func reminders(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SurveySetup.make(app, slug: "remind", policy: ["quiet_days": 30, "max_reminders": 1, "reminder_after_days": 5])
            try await s.contact("M-1")
            try await s.contact("M-2")
            _ = try await s.event("M-1")
            _ = try await s.event("M-2")
            // Both invitations went out.
            for m in try await OutboxMessage.query(on: app.db).all() {
                m.status = "sent"
                try await m.save(on: app.db)
                try await Outbox.markSent(m, db: app.db)
            }
            let now = Date()
            #expect(try await Reminders.decideDue(app, now: now.addingTimeInterval(4 * 86_400)) == 0)
            // M-2 answers before the reminder is due.
            let m2 = try await Contact.query(on: app.db).filter(\.$externalID == "M-2").first()!
            let second = try await Invitation.query(on: app.db).filter(\.$contactID == m2.id!).first()!
            second.answeredAt = now; second.status = "answered"; second.reminderDueAt = nil
            try await second.save(on: app.db)
            #expect(try await Reminders.decideDue(app, now: now.addingTimeInterval(5 * 86_400 + 60)) == 1)
            #expect(try await Reminders.decideDue(app, now: now.addingTimeInterval(20 * 86_400)) == 0, "one reminder at most")
            let reminders = try await ContactDecision.query(on: app.db).filter(\.$kind == "reminder").all()
            #expect(reminders.count == 1 && reminders[0].invited)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$kind == "reminder").count() == 1)
        }
    }
}
