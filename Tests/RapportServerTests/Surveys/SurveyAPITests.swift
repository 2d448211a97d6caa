import Fluent
import Foundation
import RapportKit
import Testing
import Vapor
import VaporTesting
@testable import RapportServer

/// A short bilingual T-NPS survey: NPS on page 1, "what disappointed you" on page 2 only for
/// detractors, "what delighted you" for the others.
func tnpsDefinition(title: String = "Service") -> [String: Any] {
    [
        "languages": ["de", "en"],
        "title": ["de": "Ihr Kontakt mit dem \(title)", "en": "Your contact with \(title)"],
        "questions": [
            ["id": "nps", "type": "nps", "required": true, "page": 1,
             "text": ["de": "Wie wahrscheinlich ist es, dass Sie uns weiterempfehlen?", "en": "How likely are you to recommend us?"]],
            ["id": "disappointed", "type": "text", "page": 2, "purpose": "disappointed", "show_if": ["question": "nps", "max": 6],
             "text": ["de": "Was hat Sie enttäuscht?", "en": "What disappointed you?"]],
            ["id": "delighted", "type": "text", "page": 2, "purpose": "delighted", "show_if": ["question": "nps", "min": 7],
             "text": ["de": "Was hat Sie begeistert?", "en": "What delighted you?"]],
            ["id": "aspect", "type": "single_choice", "page": 2,
             "text": ["de": "Was hat Ihre Bewertung geprägt?", "en": "What shaped your rating?"],
             "options": [["id": "speed", "text": ["de": "Schnelligkeit", "en": "Speed"]], ["id": "friendliness", "text": ["de": "Freundlichkeit", "en": "Friendliness"]]]],
        ],
    ]
}

/// Builds a published survey, a contact with survey consent by e-mail, and an event rule.
struct SurveySetup {
    let fx: Fixture
    let token: String
    let survey: [String: Any]
    let trigger: [String: Any]

    static func make(_ app: Application, slug: String, channel: String = "email", policy: [String: Any]? = nil) async throws -> SurveySetup {
        let fx = Fixture(app: app)
        let token = try await fx.token(try await fx.workspace(slug))
        let survey = try await fx.create("/api/v1/surveys", token: token, ["name": "T-NPS Service", "kind": "transactional", "definition": tnpsDefinition()])
        let published = try await fx.send(.POST, "/api/v1/surveys/\(survey.id)/publish", token: token)
        #expect(published.status == .ok, "\(published.body.string)")
        if let policy {
            let r = try await fx.send(.PUT, "/api/v1/survey-settings", token: token, json: ["contact_policy": policy, "feedback_queues": [:]])
            #expect(r.status == .ok, "\(r.body.string)")
        }
        let trigger = try await fx.create("/api/v1/triggers", token: token, ["name": "After service contact", "event_type": "service_contact_closed",
                                                                            "survey_id": survey.id, "channel": channel])
        return SurveySetup(fx: fx, token: token, survey: survey, trigger: trigger)
    }

    @discardableResult
    func contact(_ external: String, email: String? = "kunde@example.org", language: String = "de", consent: Bool = true, channel: String = "email") async throws -> [String: Any] {
        var body: [String: Any] = ["name": "Petra Schäfer \(external)", "external_id": external, "language": language]
        if let email { body["email"] = email }
        let c = try await fx.create("/api/v1/contacts", token: token, body)
        if consent { _ = try await fx.create("/api/v1/contacts/\(c.id)/consents", token: token, ["purpose": "survey", "channel": channel, "status": "granted", "source": "contract"]) }
        return c
    }

    func event(_ contact: String, external: String? = nil, at: Date = Date()) async throws -> TestingHTTPResponse {
        var body: [String: Any] = ["type": "service_contact_closed", "contact_external_id": contact, "occurred_at": ISO8601DateFormatter().string(from: at)]
        if let external { body["external_id"] = external }
        return try await fx.send(.POST, "/api/v1/events", token: token, json: body)
    }
}

@Suite("Surveys API")
struct SurveyAPITests {
    @Test("drafts may be incomplete, publishing is refused with every problem, a published version never changes", arguments: TestDB.all)
    func versions(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            let token = try await fx.token(try await fx.workspace("versions"))
            var def = tnpsDefinition()
            var questions = def["questions"] as! [[String: Any]]
            questions[0]["text"] = ["de": "Wie wahrscheinlich …?"]   // English missing
            def["questions"] = questions
            let draft = try await fx.create("/api/v1/surveys", token: token, ["name": "R-NPS 2026", "kind": "relationship", "definition": def])
            #expect(draft["status"] as? String == "draft")
            let problems = (draft["problems"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
            #expect(problems == ["questions[0].text.en"])
            let refused = try await fx.send(.POST, "/api/v1/surveys/\(draft.id)/publish", token: token)
            #expect(refused.status == .unprocessableEntity)
            #expect(try refused.fieldNames() == ["definition.questions[0].text.en"])

            let fixed = try await fx.send(.PATCH, "/api/v1/surveys/\(draft.id)", token: token, json: ["definition": tnpsDefinition()], headers: [("If-Match", "\"v1\"")])
            #expect(fixed.status == .ok)
            #expect(try fixed.json()["latest_version"] as? Int == 1)
            let published = try await fx.send(.POST, "/api/v1/surveys/\(draft.id)/publish", token: token)
            #expect(try published.json()["published_version"] as? Int == 1)

            // Editing the published survey makes version 2 as a draft; version 1 stays as it was.
            var changed = tnpsDefinition()
            changed["title"] = ["de": "Neu", "en": "New"]
            let edited = try await fx.send(.PATCH, "/api/v1/surveys/\(draft.id)", token: token, json: ["definition": changed])
            let e = try edited.json()
            #expect(e["latest_version"] as? Int == 2 && e["published_version"] as? Int == 1 && e["status"] as? String == "published")
            let v1 = try await fx.send(.GET, "/api/v1/surveys/\(draft.id)/versions/1", token: token).json()
            #expect(((v1["definition"] as? [String: Any])?["title"] as? [String: String])?["en"] == "Your contact with Service")
            let stale = try await fx.send(.PATCH, "/api/v1/surveys/\(draft.id)", token: token, json: ["name": "x"], headers: [("If-Match", "\"v1\"")])
            #expect(stale.status == .preconditionFailed)

            // Export and import give the same survey.
            let exported = try await fx.send(.GET, "/api/v1/surveys/\(draft.id)/export", token: token)
            let again = try await fx.send(.POST, "/api/v1/surveys", token: token, headers: [("Content-Type", "application/json")], body: exported.body)
            #expect(again.status == .created)
            let imported = try again.json()
            #expect(((imported["definition"] as? [String: Any])?["title"] as? [String: String])?["de"] == "Neu")
            #expect((imported["problems"] as? [Any])?.isEmpty == true)

            // Structural mistakes name their place.
            let bad = try await fx.send(.POST, "/api/v1/surveys", token: token, json: ["name": "x", "kind": "transactional",
                                                                                        "definition": ["languages": ["de"], "title": ["de": "x"], "questions": [["id": "q", "type": "stars", "text": ["de": "?"]]]]])
            #expect(bad.status == .unprocessableEntity)
            #expect(try bad.fieldNames().first?.hasPrefix("definition.questions[0]") == true)
        }
    }

    @Test("an event invites once; the quiet period, consent and duplicates are decided and explained", arguments: TestDB.all)
    func events(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SurveySetup.make(app, slug: "events")
            let anna = try await s.contact("K-1")
            try await s.contact("K-2", consent: false)
            try await s.contact("K-3", email: nil)

            let first = try await s.event("K-1", external: "case-100")
            #expect(first.status == .created, "\(first.body.string)")
            let decision = (try first.json()["decisions"] as? [[String: Any]])?.first
            #expect(decision?["invited"] as? Bool == true)
            #expect((decision?["explanation"] as? String)?.contains("never invited before") == true)

            // The same event again: stored once, decided once.
            let repeated = try await s.event("K-1", external: "case-100")
            #expect(try repeated.status == .created && (repeated.json()["status"] as? String) == "duplicate")

            // A second case ten days later falls into the 30-day quiet period.
            let second = try await s.event("K-1", external: "case-101", at: Date().addingTimeInterval(-60))
            let d2 = (try second.json()["decisions"] as? [[String: Any]])?.first
            #expect(d2?["invited"] as? Bool == false && d2?["reason"] as? String == "quiet_period")

            let noConsent = (try await s.event("K-2").json()["decisions"] as? [[String: Any]])?.first
            #expect(noConsent?["reason"] as? String == "no_consent")
            let noAddress = (try await s.event("K-3").json()["decisions"] as? [[String: Any]])?.first
            #expect(noAddress?["reason"] as? String == "no_consent")
            #expect((noAddress?["explanation"] as? String)?.contains("no e-mail address") == true)

            let unknown = try await s.event("K-404")
            #expect(unknown.status == .unprocessableEntity)
            #expect(try unknown.fieldNames() == ["contact_external_id"])
            let future = try await s.event("K-1", at: Date().addingTimeInterval(86_400))
            #expect(try future.fieldNames() == ["occurred_at"])

            // Every decision is in the contact's log and timeline.
            let log = try await s.fx.send(.GET, "/api/v1/contacts/\(anna.id)/decisions", token: s.token).items()
            #expect(log.map { $0["reason"] as? String } .sorted { ($0 ?? "") < ($1 ?? "") } == [nil, "quiet_period"])
            let timeline = try await s.fx.send(.GET, "/api/v1/contacts/\(anna.id)/timeline", token: s.token).items()
            #expect(timeline.contains { ($0["kind"] as? String) == "survey_skipped" && ($0["detail"] as? String)?.contains("quiet period") == true })

            let invitations = try await s.fx.send(.GET, "/api/v1/invitations", token: s.token).items()
            #expect(invitations.count == 1 && invitations[0]["status"] as? String == "scheduled")
            let outbox = try await OutboxMessage.query(on: app.db).all()
            #expect(outbox.count == 1 && outbox[0].status == "pending")

            // The contact log the policy reads knows which invitation was answered.
            let invitation = try #require(try await Invitation.query(on: app.db).first())
            let scope = Scope(workspaceID: invitation.workspaceID, db: app.db)
            #expect(try await ContactLedger.load([invitation.contactID], scope: scope).people[invitation.contactID]?.history.map(\.answered) == [false])
            invitation.answeredAt = Date()
            try await invitation.save(on: app.db)
            #expect(try await ContactLedger.load([invitation.contactID], scope: scope).people[invitation.contactID]?.history.map(\.answered) == [true])
        }
    }

    @Test("event types: a lower-case letter, then lower-case letters, digits and _ . : -, at most 64 characters")
    func eventTypes() {
        for good in ["a", "service_contact_closed", "order.delivered", "claim:closed-2", "x" + String(repeating: "9", count: 63)] {
            #expect(Distribution.isEventType(good), "\(good)")
        }
        for bad in ["", "Not A Type", "Case_closed", "1st_contact", "_x", "case closed", "käse", "x" + String(repeating: "9", count: 64), "a/b"] {
            #expect(!Distribution.isEventType(bad), "\(bad)")
        }
    }

    @Test("batch replies of events and responses are written as JSONEncoder writes them")
    func batchReplyJSON() throws {
        func decision(invited: Bool, at: Date) -> DecisionDTO {
            let d = ContactDecision()
            d.contactID = UUID(); d.surveyID = UUID(); d.triggerID = invited ? UUID() : nil; d.invitationID = invited ? UUID() : nil
            d.channel = "email"; d.kind = "invitation"; d.invited = invited; d.reason = invited ? nil : "quiet_period"
            d.explanation = "Skipped: last invited on 2026-11-30 (\"Service\" \\ e-mail);\n\tthe 30-day quiet period ends on 2026-12-30 — ü \u{1}"
            d.at = at
            return DecisionDTO(d)
        }
        let times = [Date(timeIntervalSince1970: 1_796_534_096.987), Date(timeIntervalSince1970: 951_782_400), Date(timeIntervalSince1970: -86_400.5),
                     Date(timeIntervalSince1970: -11_670_000_000),   // 1600-03-04
                     Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 4_102_444_799.999)]
        let reply = EventsAPI.BatchReply(items: [
            EventOutcome(index: 0, status: "accepted", eventId: UUID(), decisions: times.map { decision(invited: true, at: $0) } + [decision(invited: false, at: times[0])]),
            EventOutcome(index: 1, status: "accepted", eventId: UUID(), decisions: []),
            EventOutcome(index: 2, status: "duplicate", eventId: UUID(), decisions: []),
            EventOutcome(index: 3, status: "rejected", errors: [FieldError("type", "'Not A Type' is not an event type"), FieldError("contact_external_id", "no contact \"x\"")]),
        ])
        // Byte for byte (no text here holds a slash, which JSONEncoder alone escapes).
        #expect(String(buffer: reply.response().body.buffer!) == PlainJSON.encode(reply))

        let responses = ResponsesAPI.BatchReply([
            ResponseOutcome(index: 0, status: "created", id: UUID()), ResponseOutcome(index: 1, status: "duplicate", id: UUID()),
            ResponseOutcome(index: 2, status: "rejected", errors: [FieldError("answers.nps", "11 is not on the scale 0–10 \"NPS\"")]),
        ])
        #expect(String(buffer: responses.response().body.buffer!) == PlainJSON.encode(responses))

        // Before 1582 Foundation switches to the Julian calendar; ISO 8601, and JSONText, stay Gregorian.
        var j = JSONText(capacity: 32)
        j.date(Date(timeIntervalSince1970: -31_000_000_000))
        #expect(String(decoding: j.bytes, as: UTF8.self) == "\"0987-08-25T16:53:20Z\"")
    }

    @Test("a batch of events reports each item's fate; bad items store nothing", arguments: TestDB.all)
    func eventBatch(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SurveySetup.make(app, slug: "batch")
            try await s.contact("B-1")
            try await s.contact("B-2")
            let r = try await s.fx.send(.POST, "/api/v1/events/batch", token: s.token, json: ["events": [
                ["type": "service_contact_closed", "contact_external_id": "B-1", "external_id": "e1"],
                ["type": "Not A Type", "contact_external_id": "B-2"],
                ["type": "service_contact_closed", "contact_external_id": "nobody"],
                ["type": "service_contact_closed", "contact_external_id": "B-2", "external_id": "e1b"],
                ["type": "service_contact_closed", "contact_external_id": "B-1", "external_id": "e1"],
            ]])
            #expect(r.status == .ok, "\(r.body.string)")
            let body = try r.json()
            let items = body["items"] as? [[String: Any]] ?? []
            #expect(items.map { $0["status"] as? String } == ["accepted", "rejected", "rejected", "accepted", "duplicate"])
            #expect(((items[1]["errors"] as? [[String: Any]])?.first?["field"] as? String) == "type")
            #expect(body["accepted"] as? Int == 2 && body["rejected"] as? Int == 2)
            #expect(try await CustomerEvent.query(on: app.db).count() == 2)
            #expect(try await Invitation.query(on: app.db).count() == 2)
            let tooMany = try await s.fx.send(.POST, "/api/v1/events/batch", token: s.token,
                                              json: ["events": Array(repeating: ["type": "x", "contact_external_id": "B-1"], count: 10_001)])
            #expect(try tooMany.fieldNames() == ["events"])
        }
    }

    @Test("a batch decides in the order sent, though it writes in the order of contacts", arguments: TestDB.all)
    func eventBatchOrder(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SurveySetup.make(app, slug: "order")
            let account = try await s.fx.create("/api/v1/accounts", token: s.token, ["name": "Müller GmbH", "external_id": "A-1"])
            var people: [[String: Any]] = []
            for name in ["Erste", "Zweite", "Dritte"] {
                let c = try await s.fx.create("/api/v1/contacts", token: s.token, ["name": "Petra \(name)", "external_id": name, "account_id": account.id,
                                                                                  "email": "\(name.lowercased())@example.org", "language": "de"])
                _ = try await s.fx.create("/api/v1/contacts/\(c.id)/consents", token: s.token, ["purpose": "survey", "channel": "email", "status": "granted", "source": "contract"])
                people.append(c)
            }
            // The contact written last comes first; the account's event reaches all three people after it.
            let last = try #require(people.max { ($0.id) < ($1.id) })
            let r = try await s.fx.send(.POST, "/api/v1/events/batch", token: s.token, json: ["events": [
                ["type": "service_contact_closed", "contact_external_id": last["external_id"] as! String, "external_id": "first"],
                ["type": "service_contact_closed", "account_external_id": "A-1", "external_id": "second"],
            ]])
            try #require(r.status == .ok, "\(r.body.string)")
            let items = try r.json()["items"] as? [[String: Any]] ?? []
            try #require(items.count == 2)
            func decisions(_ item: Int) -> [String: String] {
                Dictionary(uniqueKeysWithValues: ((items[item]["decisions"] as? [[String: Any]]) ?? []).map {
                    (($0["contact_id"] as? String ?? "").lowercased(), ($0["invited"] as? Bool == true) ? "invited" : ($0["reason"] as? String ?? "?"))
                })
            }
            #expect(decisions(0) == [last.id: "invited"])
            #expect(decisions(1).count == 3 && decisions(1)[last.id] == "quiet_period")
            #expect(decisions(1).filter { $0.key != last.id }.values.allSatisfy { $0 == "invited" })
            #expect(try await Invitation.query(on: app.db).count() == 3)
            #expect(try await ContactDecision.query(on: app.db).count() == 4)
            #expect(try await TimelineEvent.query(on: app.db).filter(\.$kind ~~ ["survey_invited", "survey_skipped"]).count() == 4)
        }
    }

    /// PostgreSQL only: there each request's transaction locks rows, and two could wait for each other.
    /// SQLite takes its one write lock first (`writeTransaction`), so its requests queue by design;
    /// twelve at once on the tests' in-memory SQLite, beside the rest of the suite, measured the
    /// connection pool's ten-second timeout instead (the event benchmark sends 16 at once to a SQLite
    /// file without errors).
    @Test("events about one person arriving at once are decided one after the other, none fails", arguments: TestDB.all.filter { $0 == .postgres })
    func concurrentEvents(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SurveySetup.make(app, slug: "race")
            let person = try await s.contact("R-1")
            let (fx, token) = (s.fx, s.token)
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for i in 0..<12 {
                    group.addTask {
                        try await fx.send(.POST, "/api/v1/events", token: token,
                                          json: ["type": "service_contact_closed", "contact_external_id": "R-1", "external_id": "race-\(i)"]).status
                    }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .created }, "\(statuses)")
            let log = try await s.fx.send(.GET, "/api/v1/contacts/\(person.id)/decisions", token: s.token).items()
            #expect(log.count == 12 && log.filter { $0["invited"] as? Bool == true }.count == 1)
        }
    }

    @Test("responses by API: checked against their version, batches report each item, external ids make retries safe", arguments: TestDB.all)
    func responses(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SurveySetup.make(app, slug: "resp")
            try await s.contact("R-1")
            let ok = try await s.fx.send(.POST, "/api/v1/responses", token: s.token, json: [
                "survey_id": s.survey.id, "contact_external_id": "R-1", "external_id": "legacy-1", "language": "de",
                "answers": ["nps": 4, "disappointed": "Lange Wartezeit", "aspect": "speed"]])
            #expect(ok.status == .created, "\(ok.body.string)")
            let created = try ok.json()
            #expect(created["survey_version"] as? Int == 1 && (created["answers"] as? [String: Any])?["nps"] as? Int == 4)
            let again = try await s.fx.send(.POST, "/api/v1/responses", token: s.token, json: ["survey_id": s.survey.id, "external_id": "legacy-1", "answers": ["nps": 4]])
            #expect(try again.status == .created && (again.json()["id"] as? String)?.lowercased() == created.id)

            for (answers, field) in [(["nps": 11], "answers.nps"), (["nps": 9, "colour": "blue"], "answers.colour"),
                                     (["nps": 9, "disappointed": "x"], "answers.disappointed"), (["aspect": "speed"], "answers.nps"),
                                     (["nps": 5, "aspect": "price"], "answers.aspect")] as [([String: Any], String)] {
                let r = try await s.fx.send(.POST, "/api/v1/responses", token: s.token, json: ["survey_id": s.survey.id, "answers": answers])
                #expect(r.status == .unprocessableEntity)
                #expect(try r.fieldNames() == [field], "\(answers)")
            }
            let wrongVersion = try await s.fx.send(.POST, "/api/v1/responses", token: s.token, json: ["survey_id": s.survey.id, "survey_version": 7, "answers": ["nps": 9]])
            #expect(try wrongVersion.fieldNames() == ["survey_version"])

            let batch = try await s.fx.send(.POST, "/api/v1/responses/batch", token: s.token, json: ["responses": [
                ["survey_id": s.survey.id, "answers": ["nps": 10, "delighted": "Schnell und freundlich"], "external_id": "b1"],
                ["survey_id": s.survey.id, "answers": ["nps": -1], "external_id": "b2"],
                ["survey_id": s.survey.id, "answers": ["nps": 8], "external_id": "legacy-1"],
            ]])
            let items = try batch.json()["items"] as? [[String: Any]] ?? []
            #expect(items.map { $0["status"] as? String } == ["created", "rejected", "duplicate"])
            #expect(try await SurveyResponse.query(on: app.db).count() == 2)
            let listed = try await s.fx.send(.GET, "/api/v1/responses?survey_id=\(s.survey.id)", token: s.token).items()
            #expect(listed.count == 2)
        }
    }

    @Test("a batch longer than one stretch: duplicates across stretches, a refusal in the last, roll-ups equal a recount", arguments: TestDB.all)
    func longBatch(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SurveySetup.make(app, slug: "long")
            try await s.contact("L-C")
            let first = try await s.fx.send(.POST, "/api/v1/responses", token: s.token, json: ["survey_id": s.survey.id, "external_id": "earlier", "answers": ["nps": 7]])
            #expect(first.status == .created)
            let count = ResponseIntake.stretch * 2 + 500
            var items: [[String: Any]] = (0..<count).map { i in
                ["survey_id": s.survey.id, "external_id": "L-\(i)", "submitted_at": "2026-0\(i % 9 + 1)-1\(i % 10)T08:00:00Z",
                 "answers": i % 3 == 0 ? ["nps": i % 11, "aspect": "speed"] : ["nps": 9, "delighted": "Schnell"]]
            }
            items[5]["contact_external_id"] = "L-C"
            items[ResponseIntake.stretch + 7]["external_id"] = "L-3"        // a repeat of an item one stretch earlier
            items[count - 2]["answers"] = ["nps": 11]                       // refused, in the last stretch
            items[count - 1]["external_id"] = "earlier"                     // stored before the batch
            let r = try await s.fx.send(.POST, "/api/v1/responses/batch", token: s.token, json: ["responses": items])
            #expect(r.status == .ok, "\(r.body.string.prefix(300))")
            let reply = try r.json()
            let outcomes = reply["items"] as? [[String: Any]] ?? []
            #expect(outcomes.count == count && outcomes.map { $0["index"] as? Int } == Array(0..<count))
            #expect(reply["created"] as? Int == count - 3 && reply["duplicates"] as? Int == 2 && reply["rejected"] as? Int == 1)
            #expect(outcomes[ResponseIntake.stretch + 7]["status"] as? String == "duplicate")
            #expect(outcomes[ResponseIntake.stretch + 7]["id"] as? String == outcomes[3]["id"] as? String)
            #expect(outcomes[count - 2]["status"] as? String == "rejected")
            #expect((outcomes[count - 2]["errors"] as? [[String: Any]])?.first?["field"] as? String == "answers.nps")
            #expect(outcomes[count - 1]["status"] as? String == "duplicate")
            #expect(try await SurveyResponse.query(on: app.db).count() == count - 3 + 1)
            #expect(try await TimelineEvent.query(on: app.db).filter(\.$kind == "survey_response").count() == 1)
            let ws = try await Workspaces.find(slug: "long", on: app.db)
            let check = try await Rollups.check(workspace: ws.id!, on: app.db)
            #expect(check.mismatches.isEmpty, "\(check.mismatches.prefix(5))")
            #expect(check.cells > 50)
        }
    }

    @Test("unsolicited feedback is routed to its type's queue", arguments: TestDB.all)
    func feedback(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SurveySetup.make(app, slug: "fb")
            try await s.contact("F-1")
            let idea = try await s.fx.create("/api/v1/feedback", token: s.token, ["type": "idea", "text": "Bitte eine App für Android", "contact_external_id": "F-1"])
            #expect(idea["queue"] as? String == "product")
            let complaint = try await s.fx.create("/api/v1/feedback", token: s.token, ["type": "complaint", "text": "Rechnung falsch"])
            #expect(complaint["queue"] as? String == "service")
            let bad = try await s.fx.send(.POST, "/api/v1/feedback", token: s.token, json: ["type": "rant", "text": ""])
            #expect(Set(try bad.fieldNames()) == ["type", "text"])
            let closed = try await s.fx.send(.PATCH, "/api/v1/feedback/\(idea.id)", token: s.token, json: ["status": "closed"])
            #expect(try closed.json()["status"] as? String == "closed")
            let open = try await s.fx.send(.GET, "/api/v1/feedback?status=open", token: s.token).items()
            #expect(open.count == 1)
        }
    }
}
