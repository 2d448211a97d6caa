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
        let scope = ws.scope(on: db)
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

        // Three years of answered surveys from contacts with survey consent, per touchpoint and channel.
        let consenting = try await scope.query(Consent.self).filter(\.$purpose == "survey").filter(\.$status == "granted").all().map(\.contactID)
        let people = Array(Set(consenting)).sorted { $0.uuidString < $1.uuidString }
        let contacts = Dictionary(uniqueKeysWithValues: try await scope.query(Contact.self).filter(\.$id ~~ people).all().map { ($0.id!, $0) })
        guard !people.isEmpty else { return }
        let onboarding = try await SurveysAPI.create(SurveyInput(name: "Onboarding pulse", kind: "transactional", definition: pulse()), scope: scope, caller: system)
        try await SurveysAPI.publish(onboarding, scope: scope, caller: system)
        let touchpoints = try await scope.query(Touchpoint.self).all()
        let bySlugPrefix = { (name: String) in touchpoints.first { $0.name == name } }
        let now = Date()
        var responses: [ResponseInput] = []
        func flush() async throws {
            guard !responses.isEmpty else { return }
            _ = try await Rollups.$deferred.withValue(true) { try await ResponseIntake.receive(responses, source: "import", scope: scope, caller: system) }
            responses.removeAll(keepingCapacity: true)
        }
        let thisMonth = RollupCalendar.month(now)
        for age in (0..<36).reversed() {
            let month = RollupCalendar.month(thisMonth, minus: age)
            let start = RollupCalendar.start(ofDay: month * 100 + 1)!
            let span = age == 0 ? max(1, now.timeIntervalSince(start) - 3_600) : Double(RollupCalendar.lastDay(ofMonth: month) % 100) * 86_400
            func when() -> Date { start.addingTimeInterval(Double(rng.next() % UInt64(max(1, span)))) }
            func who() -> (UUID, String) {
                let id = people[Int(rng.next() % UInt64(people.count))]
                return (id, contacts[id]?.language == "en" ? "en" : "de")
            }
            let progress = Double(35 - age) / 35
            // The relationship survey: about a hundred answers a month, slowly improving.
            for i in 0..<(90 + Int(rng.next() % 20)) {
                let (c, lang) = who()
                let nps = npsScore(&rng, target: 8 + 14 * progress)
                responses.append(ResponseInput(surveyId: r.id, externalId: "demo-r-\(month)-\(i)", contactId: c, channel: "email", language: lang, submittedAt: when(),
                                               answers: ["nps": .number(nps), "csat": .number(likert(&rng, nps)), "brand": .number(likert(&rng, nps)),
                                                         "price": .number(max(1, likert(&rng, nps) - 1)), "product": .number(likert(&rng, nps)),
                                                         "competitor": .number(npsScore(&rng, target: -5))]))
            }
            // Transactional answers per touchpoint: personal contact scores higher than digital, and
            // the written decision on a claim got worse in the last three months.
            for (k, source) in claimSources.enumerated() {
                guard let tp = bySlugPrefix(source.touchpoint) else { continue }
                let target = source.nps + 6 * progress - (age < 3 && source.drops ? 30 : 0)
                for i in 0..<(source.perMonth * 8 / 10 + Int(rng.next() % UInt64(max(1, source.perMonth * 4 / 10)))) {
                    let (c, lang) = who()
                    let nps = npsScore(&rng, target: target)
                    var answers: [String: Answer] = ["nps": .number(nps), "ces": .number(min(7, max(1, nps / 2 + 1 + Int(rng.next() % 2))))]
                    answers["service"] = .grid(["speed": likert(&rng, nps), "friendliness": min(5, likert(&rng, nps) + 1), "competence": likert(&rng, nps)])
                    if nps <= 6 && i % 2 == 0 { answers["disappointed"] = .text(complaints[Int(rng.next() % UInt64(complaints.count))]) }
                    if nps >= 9 && i % 2 == 0 { answers["delighted"] = .text(praise[Int(rng.next() % UInt64(praise.count))]) }
                    responses.append(ResponseInput(surveyId: t.id, externalId: "demo-t-\(month)-\(k)-\(i)", contactId: c, touchpoint: tp.slug, channel: source.channel,
                                                   language: lang, submittedAt: when(), answers: answers))
                }
            }
            for (k, source) in onboardingSources.enumerated() {
                guard let tp = bySlugPrefix(source.touchpoint) else { continue }
                for i in 0..<(source.perMonth / 2 + Int(rng.next() % UInt64(source.perMonth))) {
                    let (c, lang) = who()
                    let nps = npsScore(&rng, target: source.nps + 10 * progress)
                    responses.append(ResponseInput(surveyId: onboarding.id, externalId: "demo-o-\(month)-\(k)-\(i)", contactId: c, touchpoint: tp.slug, channel: source.channel,
                                                   language: lang, submittedAt: when(),
                                                   answers: ["csat": .number(likert(&rng, nps)), "ces": .number(likert(&rng, nps)), "nps": .number(nps)]))
                }
            }
            if responses.count > 4_000 { try await flush() }
        }
        try await flush()
        try await Rollups.rebuild(workspace: ws.id!, on: db)

        // The demo login owns the claims journey and stands for the claims department, so the journey
        // owner's and the ambassador's dashboards open on something.
        if let me = try await Membership.query(on: db).filter(\.$workspace.$id == ws.id!).filter(\.$role == "owner").first() {
            me.unit = "department:Schaden"
            try await me.save(on: db)
            if let claims = hotline?.journeyID {
                try await Journey.query(on: db).filter(\.$id == claims).set(\.$ownerID, to: me.$user.id).update()
            }
        }

        // Indices as a CX team defines them, and last year's bonus-relevant R-NPS, frozen.
        for (key, name, formula, target) in [("csi", "CSI (Kundenzufriedenheitsindex)", "(mean(brand) + mean(price) + mean(product) + mean(csat)) / 4", 4.0),
                                             ("service_index", "Service-Index Schaden", "(mean(service.speed) + mean(service.friendliness) + mean(service.competence)) / 3", 4.0),
                                             ("kundenindex", "Kundenindex (0–1.000)", "1000 * ((nps + 100) / 200 + csat / 100) / 2", 600.0)] {
            let index = MetricIndex()
            index.id = .timeOrdered()
            index.workspaceID = ws.id!
            index.key = key
            index.name = name
            index.formula = formula
            index.target = target
            index.version = 1
            try await index.create(on: db)
        }
        let lastYear = thisMonth / 100 - 1
        _ = try await KPISnapshots.freeze(name: "R-NPS \(lastYear) (Bonus)", query: ["metric": "nps", "kind": "relationship", "from": "\(lastYear)-01", "to": "\(lastYear)-12"],
                                          scope: scope, caller: system)

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

    struct Source { var touchpoint: String; var channel: String; var nps: Double; var perMonth: Int; var drops = false }
    static let claimSources = [
        Source(touchpoint: "Telefon: Schadenhotline", channel: "sms", nps: 28, perMonth: 70),
        Source(touchpoint: "App: Schaden-Assistent", channel: "app", nps: 6, perMonth: 45),
        Source(touchpoint: "Web: Online-Schadenmeldung", channel: "email", nps: 2, perMonth: 40),
        Source(touchpoint: "Kundenportal: Belege hochladen", channel: "email", nps: -8, perMonth: 25),
        Source(touchpoint: "Telefon: Rückruf des Sachbearbeiters", channel: "sms", nps: 35, perMonth: 30),
        Source(touchpoint: "Video: Videobesichtigung", channel: "email", nps: 22, perMonth: 12),
        Source(touchpoint: "Brief: Regulierungsentscheidung", channel: "letter", nps: 0, perMonth: 45, drops: true),
        Source(touchpoint: "Telefon: Beschwerde zur Entscheidung", channel: "sms", nps: -20, perMonth: 10),
    ]
    static let onboardingSources = [
        Source(touchpoint: "Portal: Account activation", channel: "email", nps: 10, perMonth: 8),
        Source(touchpoint: "Video: Kickoff call with the CSM", channel: "email", nps: 45, perMonth: 6),
        Source(touchpoint: "Chat: Implementation support", channel: "chat", nps: 20, perMonth: 10),
        Source(touchpoint: "Video: Quarterly business review", channel: "email", nps: 35, perMonth: 5),
    ]

    /// An onboarding pulse for business customers: satisfaction, effort on a 1–5 scale, and NPS.
    static func pulse() -> SurveyDefinition {
        SurveyDefinition(
            languages: ["en", "de"],
            title: ["en": "How did this step go?", "de": "Wie lief dieser Schritt?"],
            questions: [
                Question(id: "csat", type: .csat, text: ["en": "How satisfied are you with this step?", "de": "Wie zufrieden sind Sie mit diesem Schritt?"], required: true),
                Question(id: "ces", type: .ces, text: ["en": "How easy was it?", "de": "Wie einfach war es?"], page: 1, scale: 5),
                Question(id: "nps", type: .nps, text: ["en": "How likely are you to recommend us?", "de": "Wie wahrscheinlich empfehlen Sie uns weiter?"]),
            ])
    }

    /// A 0–10 score whose population NPS is about `target`: a third passives, the rest split so that
    /// promoters minus detractors comes out at the target.
    static func npsScore(_ rng: inout DemoRandom, target: Double) -> Int {
        let passive = 0.3, t = min(0.69, max(-0.69, target / 100))
        let promoter = (1 - passive + t) / 2
        let u = Double(rng.next() % 100_000) / 100_000
        if u < promoter { return 9 + Int(rng.next() % 2) }
        if u < promoter + passive { return 7 + Int(rng.next() % 2) }
        return Int(rng.next() % 7)
    }

    /// A 1–5 answer that goes with an NPS score, give or take one.
    static func likert(_ rng: inout DemoRandom, _ nps: Int) -> Int {
        min(5, max(1, (nps + 1) / 2 + Int(rng.next() % 3) - 1))
    }
}
