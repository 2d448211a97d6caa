import Fluent
import Foundation
import RapportKit
import Vapor

/// The demo's voice of the customer, put in through the same functions the API uses: a bilingual
/// T-NPS survey on the claims hotline wired to an event, an R-NPS relationship survey, a year of
/// answered surveys (so later dashboards have history), a month of events decided under the
/// contact policy, an anonymous link, and a feedback inbox.
enum DemoSurveySeeder {
    static func tnps() -> SurveyDefinition {
        SurveyDefinition(
            languages: ["de", "en"],
            title: ["de": "Ihre Schadenmeldung bei uns", "en": "Your claim with us"],
            intro: ["de": "Sie haben uns kürzlich einen Schaden gemeldet. Wie war es für Sie?", "en": "You recently reported a claim to us. How was it for you?"],
            thanks: ["de": "Danke! Wir lesen jede Antwort.", "en": "Thank you! We read every answer."],
            questions: [
                Question(id: "nps", type: .nps, text: ["de": "Wie wahrscheinlich ist es, dass Sie uns einem Freund oder Kollegen weiterempfehlen?",
                                                     "en": "How likely are you to recommend us to a friend or colleague?"], required: true, page: 1),
                Question(id: "ces", type: .ces, text: ["de": "Wie einfach war es, Ihren Schaden zu melden?", "en": "How easy was it to report your claim?"], page: 1, scale: 7),
                Question(id: "service", type: .matrix, text: ["de": "Wie bewerten Sie unseren Service?", "en": "How do you rate our service?"], page: 2, driver: "service",
                         items: [.init(id: "speed", text: ["de": "Schnelligkeit", "en": "Speed"]),
                                 .init(id: "friendliness", text: ["de": "Freundlichkeit", "en": "Friendliness"]),
                                 .init(id: "competence", text: ["de": "Fachkompetenz", "en": "Expertise"])]),
                Question(id: "disappointed", type: .text, text: ["de": "Was hat Sie enttäuscht?", "en": "What disappointed you?"], page: 2,
                         purpose: "disappointed", showIf: Condition(question: "nps", max: 6)),
                Question(id: "delighted", type: .text, text: ["de": "Was hat Sie begeistert?", "en": "What delighted you?"], page: 2,
                         purpose: "delighted", showIf: Condition(question: "nps", min: 9)),
                Question(id: "callback", type: .callback, text: ["de": "Dürfen wir Sie dazu anrufen?", "en": "May we call you about this?"], page: 2,
                         showIf: Condition(question: "nps", max: 6)),
            ])
    }

    static func rnps() -> SurveyDefinition {
        SurveyDefinition(
            languages: ["de", "en"],
            title: ["de": "Kundenbefragung 2026", "en": "Customer survey 2026"],
            questions: [
                Question(id: "nps", type: .nps, text: ["de": "Wie wahrscheinlich ist es, dass Sie uns weiterempfehlen?", "en": "How likely are you to recommend us?"], required: true),
                Question(id: "csat", type: .csat, text: ["de": "Wie zufrieden sind Sie insgesamt mit uns?", "en": "Overall, how satisfied are you with us?"], required: true),
                Question(id: "brand", type: .likert, text: ["de": "Der Marke vertraue ich.", "en": "I trust the brand."], page: 2, driver: "brand"),
                Question(id: "price", type: .likert, text: ["de": "Das Preis-Leistungs-Verhältnis stimmt.", "en": "The value for money is right."], page: 2, driver: "price"),
                Question(id: "product", type: .likert, text: ["de": "Die Produkte passen zu meinem Bedarf.", "en": "The products fit my needs."], page: 2, driver: "product"),
                Question(id: "competitor", type: .competitorNPS, text: ["de": "Und wie wahrscheinlich würden Sie Ihren bisherigen Versicherer empfehlen?",
                                                                      "en": "And how likely would you be to recommend your previous insurer?"], page: 2, competitor: "previous insurer"),
                Question(id: "aspects", type: .multipleChoice, text: ["de": "Was hat Ihre Bewertung geprägt?", "en": "What shaped your rating?"], page: 2,
                         options: [.init(id: "advice", text: ["de": "Beratung", "en": "Advice"]), .init(id: "price", text: ["de": "Preis", "en": "Price"]),
                                   .init(id: "claims", text: ["de": "Schadenregulierung", "en": "Claims handling"]), .init(id: "digital", text: ["de": "Online-Service", "en": "Online service"])],
                         randomizeOptions: true),
            ])
    }

    static let praise = ["Sehr freundliche Beratung am Telefon.", "Schnelle Regulierung, danke!", "Quick and friendly, as it should be.", "Kompetent und unkompliziert."]
    static let complaints = ["Ich habe drei Tage auf einen Rückruf gewartet.", "Zu viele Formulare.", "Nobody told me what happens next.", "Die Hotline war dauernd besetzt."]

    static func seed(_ ws: Workspace, on db: any Database) async throws {
        let system = Caller.system(ws)
        let scope = Scope(workspaceID: ws.id!, db: db)
        var rng = DemoRandom(seed: 11)
        let hotline = try await scope.query(Touchpoint.self).filter(\.$channel == "phone").sort(\.$slug).first()

        // The policy first: 30 days for everyone, 90 for enterprise customers, who are asked by their CSM too.
        let settings = try await SurveySettingsStore.load(scope)
        settings.contactPolicy = PlainJSON.encode(ContactPolicy(quietDays: 30, maxReminders: 1, reminderAfterDays: 5,
                                                                overrides: [.init(match: .segment("Enterprise"), quietDays: 90, maxInvitationsPerYear: 3)]))
        settings.senderName = "Rapport Demo Versicherung"
        try await settings.save(on: db)

        let t = try await SurveysAPI.create(SurveyInput(name: "T-NPS Schadenmeldung", kind: "transactional", touchpointId: hotline?.id, definition: tnps()), scope: scope, caller: system)
        try await SurveysAPI.publish(t, scope: scope, caller: system)
        let r = try await SurveysAPI.create(SurveyInput(name: "R-NPS 2026", kind: "relationship", definition: rnps()), scope: scope, caller: system)
        try await SurveysAPI.publish(r, scope: scope, caller: system)

        let rule = TriggerRule()
        rule.id = .timeOrdered()
        rule.workspaceID = ws.id!
        rule.version = 1
        try await TriggersAPI.apply(TriggerInput(name: "Nach Abschluss eines Schadenfalls", kind: "event", eventType: "claim_closed", conditions: [:],
                                                 surveyId: t.id, channel: "email", delayMinutes: 60, samplingRate: 1, active: true), to: rule, isNew: true, scope: scope)
        try await rule.create(on: db)

        let link = SurveyLink()
        link.workspaceID = ws.id!
        link.surveyID = t.id!
        link.touchpointID = hotline?.id
        link.channel = "website"
        link.token = "a" + randomToken(18)
        link.active = true
        try await link.create(on: db)

        // A year of answered surveys from contacts with survey consent.
        let consenting = try await scope.query(Consent.self).filter(\.$purpose == "survey").filter(\.$status == "granted").all().map(\.contactID)
        let people = Array(Set(consenting)).sorted { $0.uuidString < $1.uuidString }
        let contacts = Dictionary(uniqueKeysWithValues: try await scope.query(Contact.self).filter(\.$id ~~ people).all().map { ($0.id!, $0) })
        guard !people.isEmpty else { return }
        let now = Date()
        var responses: [ResponseInput] = []
        for i in 0..<1_200 {
            let who = people[Int(rng.next() % UInt64(people.count))]
            let daysAgo = Double(rng.next() % 365)
            let nps = npsDraw(&rng, trend: daysAgo)
            let lang = contacts[who]?.language == "en" ? "en" : "de"
            var answers: [String: Answer] = ["nps": .number(nps)]
            if i % 3 == 0 {   // the relationship survey, a third of the answers
                answers["csat"] = .number(min(5, max(1, nps / 2)))
                answers["brand"] = .number(min(5, max(1, nps / 2 + Int(rng.next() % 2))))
                answers["price"] = .number(min(5, max(1, nps / 2 - Int(rng.next() % 2))))
                answers["product"] = .number(min(5, max(1, nps / 2)))
                responses.append(ResponseInput(surveyId: r.id, externalId: "demo-r-\(i)", contactId: who, channel: "email", language: lang,
                                               submittedAt: now.addingTimeInterval(-daysAgo * 86_400), answers: answers))
            } else {
                answers["ces"] = .number(min(7, max(1, nps / 2 + 2)))
                if nps <= 6 { answers["disappointed"] = .text(complaints[Int(rng.next() % UInt64(complaints.count))]) }
                if nps >= 9 { answers["delighted"] = .text(praise[Int(rng.next() % UInt64(praise.count))]) }
                answers["service"] = .grid(["speed": min(5, max(1, nps / 2)), "friendliness": min(5, max(1, nps / 2 + 1)), "competence": min(5, max(1, nps / 2))])
                responses.append(ResponseInput(surveyId: t.id, externalId: "demo-t-\(i)", contactId: who, touchpoint: hotline?.slug, channel: "email",
                                               language: lang, submittedAt: now.addingTimeInterval(-daysAgo * 86_400), answers: answers))
            }
        }
        _ = try await ResponseIntake.receive(responses, source: "import", scope: scope, caller: system)

        // A month of claim events: each decided under the policy (many are in a quiet period after
        // the first; some have no consent).
        let everyone = try await scope.query(Contact.self).filter(\.$stakeholderSide == "customer").sort(\.$externalID).limit(400).all()
        var events: [EventInput] = []
        for i in 0..<240 {
            let c = everyone[Int(rng.next() % UInt64(everyone.count))]
            events.append(EventInput(type: "claim_closed", externalId: "demo-claim-\(i)", contactId: c.id, touchpoint: hotline?.slug,
                                     occurredAt: now.addingTimeInterval(-Double(30 - i / 8) * 86_400 - Double(rng.next() % 3_600)),
                                     attributes: ["claim_type": ScalarText(["Kfz", "Hausrat", "Haftpflicht"][i % 3])]))
        }
        _ = try await Distribution.receive(events, scope: scope, caller: system, now: now)

        for (i, (type, text)) in [("complaint", "Die Rechnung wurde zweimal abgebucht."), ("idea", "Bitte Schadenfotos direkt in der App hochladen können."),
                                  ("praise", "Herr Berger hat mir sehr geholfen."), ("question", "Wie lange dauert die Regulierung normalerweise?"),
                                  ("bug", "The portal logs me out after one minute."), ("idea", "A WhatsApp channel would be great.")].enumerated() {
            _ = try await FeedbackAPI.record(FeedbackInput(type: type, text: text, channel: i % 2 == 0 ? "phone" : "website", contactId: everyone[i * 7 % everyone.count].id),
                                             source: "web", scope: scope, caller: system)
        }
    }

    /// Scores that improve slightly over the year, with the usual lump of promoters and a tail of detractors.
    static func npsDraw(_ rng: inout DemoRandom, trend daysAgo: Double) -> Int {
        let u = Double(rng.next() % 10_000) / 10_000 + (365 - daysAgo) / 365 * 0.06
        switch u {
        case ..<0.12: return Int(rng.next() % 5)
        case ..<0.25: return 5 + Int(rng.next() % 2)
        case ..<0.55: return 7 + Int(rng.next() % 2)
        default: return 9 + Int(rng.next() % 2)
        }
    }
}
