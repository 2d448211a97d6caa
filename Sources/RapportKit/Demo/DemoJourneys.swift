/// The demo workspace's journeys: an insurer's claim journey in German (as "Vorsorge" in seed 002
/// keeps its register: name starting with the channel, direction, products, departments) and a SaaS
/// customer's onboarding-to-renewal journey in English, with a channel variant and a sub-journey.
public struct DemoJourney: Sendable {
    public struct Touchpoint: Sendable {
        public let name: String
        public let channel: String
        public let phases: [Int]
        public let direction: String
        public let department: String
        public let coDepartments: [String]
        public let products: [String]
        public let targetGroups: [String]
        public let feedbackMeasured: Bool
        public let improvement: String?
        public let ownership: String
        public let controllable: Bool
        /// Where the team's assessments centre (1–5); the demo scatters individual judgements around it.
        public let relevance: Int
        public let quality: Int
    }
    public let slug: String
    public let name: String
    public let description: String
    public let segment: String?
    public let parentSlug: String?
    public let variantOf: String?
    public let variantChannel: String?
    public let phases: [String]
    public let touchpoints: [Touchpoint]
    /// (phase index, kind, segment, text)
    public let notes: [(Int, String, String?, String)]
    /// Level per milestone in order, with the evidence.
    public let maturity: [(String, String?)]
}

public enum DemoJourneys {
    static func tp(_ name: String, _ channel: String, _ phases: [Int], _ direction: String, _ dept: String, co: [String] = [], products: [String],
                   groups: [String], measured: Bool = false, improve: String? = nil, owner: String = "brand_owned", controllable: Bool = true,
                   r: Int, q: Int) -> DemoJourney.Touchpoint {
        .init(name: name, channel: channel, phases: phases, direction: direction, department: dept, coDepartments: co, products: products,
              targetGroups: groups, feedbackMeasured: measured, improvement: improve, ownership: owner, controllable: controllable, relevance: r, quality: q)
    }

    static let hausrat = ["Hausrat"], kfz = ["Kfz"], both = ["Hausrat", "Kfz"]
    static let privat = ["Privatkunden"], makler = ["Maklerkunden"], alle = ["Privatkunden", "Maklerkunden"]

    public static let all: [DemoJourney] = [
        DemoJourney(
            slug: "schadenmeldung", name: "Schadenmeldung und Regulierung",
            description: "Vom entdeckten Schaden bis zur Auszahlung: wie Versicherte einen Hausrat- oder Kfz-Schaden melden und reguliert bekommen.",
            segment: "Privatkunden", parentSlug: nil, variantOf: nil, variantChannel: nil,
            phases: ["Schaden entdecken", "Schaden melden", "Unterlagen einreichen", "Prüfung und Begutachtung", "Entscheidung", "Auszahlung", "Nachbetreuung"],
            touchpoints: [
                tp("Web: Schadenratgeber", "website", [0], "inbound", "Marketing", co: ["Schaden"], products: both, groups: privat, r: 3, q: 4),
                tp("App: Schaden-Assistent", "app", [0, 1], "inbound", "Digitalvertrieb", co: ["Schaden"], products: both, groups: privat, measured: true, improve: "Fotos lassen sich nur einzeln hochladen.", r: 4, q: 3),
                tp("Telefon: Schadenhotline", "phone", [1], "inbound", "Kundenservice", co: ["Schaden"], products: both, groups: alle, measured: true, improve: "Wartezeit am Montagvormittag über 8 Minuten.", r: 5, q: 2),
                tp("Web: Online-Schadenmeldung", "website", [1], "inbound", "Digitalvertrieb", co: ["Schaden", "IT"], products: both, groups: privat, measured: true, r: 5, q: 3),
                tp("Kundenportal: Schadenmeldung", "portal", [1, 2], "inbound", "Digitalvertrieb", co: ["Schaden"], products: both, groups: privat, r: 4, q: 3),
                tp("Makler: Schadenaufnahme beim Makler", "broker", [1], "inbound", "Maklervertrieb", products: both, groups: makler, owner: "partner_owned", controllable: false, r: 4, q: 4),
                tp("E-Mail: Eingangsbestätigung", "email", [1], "outbound", "Schaden", products: both, groups: alle, r: 4, q: 4),
                tp("Brief: Eingangsbestätigung mit Schadennummer", "letter", [1], "outbound", "Schaden", co: ["Output-Management"], products: both, groups: alle, improve: "Erst nach 5 Tagen beim Kunden; Text zu juristisch.", r: 3, q: 2),
                tp("SMS: Statusmeldung", "sms", [2, 3, 4], "outbound", "Schaden", co: ["IT"], products: kfz, groups: privat, r: 3, q: 4),
                tp("Kundenportal: Belege hochladen", "portal", [2], "inbound", "Digitalvertrieb", products: both, groups: privat, measured: true, improve: "Nur PDF erlaubt, Fotos vom Handy scheitern.", r: 4, q: 2),
                tp("Brief: Anforderung fehlender Unterlagen", "letter", [2], "outbound", "Schaden", products: both, groups: alle, improve: "Kunden verstehen nicht, welche Belege fehlen.", r: 4, q: 1),
                tp("E-Mail: Rückfragen des Sachbearbeiters", "email", [2, 3], "outbound", "Schaden", products: both, groups: alle, r: 3, q: 3),
                tp("Telefon: Rückruf des Sachbearbeiters", "phone", [3], "outbound", "Schaden", products: both, groups: alle, measured: true, r: 5, q: 4),
                tp("Außendienst: Gutachtertermin vor Ort", "field_sales", [3], "outbound", "Schaden", co: ["Gutachternetz"], products: both, groups: alle, owner: "partner_owned", r: 5, q: 3),
                tp("Werkstatt: Partnerwerkstatt Kfz", "branch", [3, 5], "inbound", "Schaden", co: ["Einkauf"], products: kfz, groups: privat, owner: "partner_owned", controllable: false, r: 4, q: 4),
                tp("Video: Videobesichtigung", "video", [3], "outbound", "Schaden", co: ["IT"], products: hausrat, groups: privat, measured: true, r: 3, q: 4),
                tp("Brief: Regulierungsentscheidung", "letter", [4], "outbound", "Schaden", co: ["Recht"], products: both, groups: alle, measured: true, improve: "Ablehnungen ohne verständliche Begründung.", r: 5, q: 2),
                tp("Kundenportal: Entscheidung einsehen", "portal", [4], "inbound", "Digitalvertrieb", products: both, groups: privat, r: 3, q: 3),
                tp("Telefon: Beschwerde zur Entscheidung", "phone", [4], "inbound", "Beschwerdemanagement", co: ["Schaden"], products: both, groups: alle, measured: true, r: 4, q: 2),
                tp("Brief: Zahlungsavis", "letter", [5], "outbound", "Finanzen", products: both, groups: alle, r: 3, q: 4),
                tp("E-Mail: Zahlungsbestätigung", "email", [5], "outbound", "Finanzen", products: both, groups: alle, r: 4, q: 5),
                tp("E-Mail: Zufriedenheitsbefragung nach Regulierung", "email", [6], "outbound", "CX-Team", products: both, groups: privat, measured: true, r: 2, q: 3),
                tp("Social Media: Bewertung auf Vergleichsportal", "social_media", [6], "inbound", "Marketing", products: both, groups: privat, owner: "external", controllable: false, r: 3, q: 3),
                tp("Makler: Nachgespräch beim Makler", "broker", [6], "inbound", "Maklervertrieb", products: both, groups: makler, owner: "partner_owned", controllable: false, r: 3, q: 4),
            ],
            notes: [(1, "expectation", nil, "Eine Stelle, die den Schaden sofort aufnimmt – egal über welchen Kanal."),
                    (1, "positive_surprise", "Privatkunden", "Rückruf innerhalb von 2 Stunden mit persönlicher Ansprechperson."),
                    (2, "expectation", nil, "Verständlich gesagt bekommen, welche Belege fehlen."),
                    (3, "expectation", "Maklerkunden", "Der Makler ist über jeden Schritt informiert."),
                    (5, "positive_surprise", nil, "Auszahlung am Tag der Entscheidung, mit kurzer persönlicher Nachricht."),
                    (6, "expectation", nil, "Nicht erneut nach Daten gefragt werden, die schon vorliegen.")],
            maturity: [("achieved", "Detail-Journeys für Telefon, Web, Portal, Brief und Makler dokumentiert (CX-Omni-Erfassung, Stand Q3)."),
                       ("achieved", "Zielgruppen Privatkunden und Maklerkunden mit Vertrieb abgestimmt."),
                       ("partly", "Touchpoint-Register liegt Schaden und Kundenservice vor; Finanzen und Recht fehlen noch."),
                       ("not_started", nil)]),
        DemoJourney(
            slug: "schadenmeldung-telefon", name: "Schadenmeldung per Telefon",
            description: "Detail-Journey: derselbe Schadenfall, gemeldet über die Hotline.",
            segment: "Privatkunden", parentSlug: nil, variantOf: "schadenmeldung", variantChannel: "phone",
            phases: ["Anrufen", "Schaden schildern", "Bestätigung erhalten"],
            touchpoints: [
                tp("Telefon: Sprachmenü der Hotline", "phone", [0], "inbound", "Kundenservice", co: ["IT"], products: both, groups: alle, improve: "Fünf Menüebenen bis zum Schadenteam.", r: 4, q: 1),
                tp("Telefon: Gespräch mit dem Schadenteam", "phone", [1], "inbound", "Kundenservice", products: both, groups: alle, measured: true, r: 5, q: 4),
                tp("SMS: Schadennummer nach dem Anruf", "sms", [2], "outbound", "Schaden", products: both, groups: privat, r: 3, q: 4),
            ],
            notes: [(0, "expectation", nil, "Ohne Warteschleife zu einem Menschen.")],
            maturity: [("achieved", "Variante als eigene Detail-Journey erfasst."), ("partly", "Zielgruppe Maklerkunden noch nicht getrennt betrachtet."), ("not_started", nil), ("not_started", nil)]),
        DemoJourney(
            slug: "gutachtertermin", name: "Gutachtertermin",
            description: "Teiljourney: Termin mit dem Gutachter vereinbaren, vorbereiten und wahrnehmen.",
            segment: nil, parentSlug: "schadenmeldung", variantOf: nil, variantChannel: nil,
            phases: ["Termin vereinbaren", "Termin vorbereiten", "Besichtigung"],
            touchpoints: [
                tp("Telefon: Terminvereinbarung mit dem Gutachter", "phone", [0], "outbound", "Gutachternetz", products: both, groups: alle, owner: "partner_owned", r: 4, q: 3),
                tp("E-Mail: Terminbestätigung mit Checkliste", "email", [1], "outbound", "Gutachternetz", products: both, groups: alle, r: 3, q: 4),
            ],
            notes: [], maturity: [("partly", "Ablauf mit zwei Gutachterbüros beschrieben."), ("not_started", nil), ("not_started", nil), ("not_started", nil)]),
        DemoJourney(
            slug: "saas-onboarding-to-renewal", name: "SaaS customer: onboarding to renewal",
            description: "How a business customer gets from a signed contract to first value, adoption and a confident renewal.",
            segment: "Mid-Market", parentSlug: nil, variantOf: nil, variantChannel: nil,
            phases: ["Contract signed", "Kickoff", "Implementation", "Training", "First value", "Adoption", "Business review", "Renewal"],
            touchpoints: [
                tp("E-mail: Welcome and next steps", "email", [0], "outbound", "Customer Success", products: ["Rapport Cloud"], groups: ["Admins"], r: 3, q: 4),
                tp("Portal: Account activation", "portal", [0], "inbound", "Product", co: ["Customer Success"], products: ["Rapport Cloud"], groups: ["Admins"], measured: true, improve: "SSO set-up needs a support ticket.", r: 4, q: 2),
                tp("Video: Kickoff call with the CSM", "video", [1], "outbound", "Customer Success", co: ["Sales"], products: ["Rapport Cloud"], groups: ["Executives", "Admins"], measured: true, r: 5, q: 4),
                tp("E-mail: Success plan draft", "email", [1], "outbound", "Customer Success", products: ["Rapport Cloud"], groups: ["Executives"], r: 4, q: 3),
                tp("Portal: Implementation checklist", "portal", [2], "inbound", "Product", products: ["Rapport Cloud"], groups: ["Admins"], r: 4, q: 3),
                tp("Chat: Implementation support", "chat", [2, 5], "inbound", "Support", co: ["Product"], products: ["Rapport Cloud"], groups: ["Admins", "End users"], measured: true, improve: "Answers after 18:00 CET only the next day.", r: 5, q: 3),
                tp("Partner: Integration by implementation partner", "broker", [2], "outbound", "Partner management", products: ["Rapport Cloud", "Integrations"], groups: ["Admins"], owner: "partner_owned", controllable: false, r: 4, q: 2),
                tp("Website: Documentation and API reference", "website", [2, 5], "inbound", "Product", products: ["Rapport Cloud", "Integrations"], groups: ["Admins"], r: 4, q: 4),
                tp("Video: Admin training", "video", [3], "outbound", "Customer Success", co: ["Academy"], products: ["Rapport Cloud"], groups: ["Admins"], measured: true, r: 4, q: 4),
                tp("Website: Self-paced academy", "website", [3, 5], "inbound", "Academy", products: ["Rapport Cloud"], groups: ["End users"], r: 3, q: 3),
                tp("App: In-app guided tour", "app", [3, 4], "inbound", "Product", products: ["Rapport Cloud"], groups: ["End users"], improve: "Tour restarts after every release.", r: 3, q: 2),
                tp("E-mail: First dashboard shared", "email", [4], "outbound", "Product", products: ["Rapport Cloud"], groups: ["Executives"], r: 4, q: 4),
                tp("Video: Value check call", "video", [4], "outbound", "Customer Success", products: ["Rapport Cloud"], groups: ["Executives"], measured: true, r: 5, q: 3),
                tp("Newsletter: Monthly product update", "newsletter", [5], "outbound", "Marketing", products: ["Rapport Cloud"], groups: ["Admins", "End users"], r: 2, q: 3),
                tp("App: Usage alerts for admins", "app", [5], "outbound", "Product", co: ["Customer Success"], products: ["Rapport Cloud"], groups: ["Admins"], r: 3, q: 4),
                tp("Events: User community meetup", "events", [5], "outbound", "Marketing", co: ["Customer Success"], products: ["Rapport Cloud"], groups: ["Admins", "End users"], r: 2, q: 5),
                tp("Reviews: G2 review request", "reviews", [5, 7], "outbound", "Marketing", products: ["Rapport Cloud"], groups: ["Admins"], owner: "external", controllable: false, r: 2, q: 3),
                tp("Video: Quarterly business review", "video", [6], "outbound", "Customer Success", co: ["Sales"], products: ["Rapport Cloud"], groups: ["Executives"], measured: true, improve: "Slides built by hand from three tools.", r: 5, q: 3),
                tp("E-mail: QBR summary and next steps", "email", [6], "outbound", "Customer Success", products: ["Rapport Cloud"], groups: ["Executives"], r: 4, q: 4),
                tp("Phone: Renewal conversation", "phone", [7], "outbound", "Sales", co: ["Customer Success"], products: ["Rapport Cloud"], groups: ["Executives"], measured: true, r: 5, q: 3),
                tp("E-mail: Renewal quote", "email", [7], "outbound", "Sales", co: ["Finance"], products: ["Rapport Cloud"], groups: ["Executives"], improve: "Quote arrives 10 days before the deadline.", r: 4, q: 2),
                tp("Letter: Invoice", "letter", [7], "outbound", "Finance", products: ["Rapport Cloud"], groups: ["Admins"], r: 2, q: 4),
            ],
            notes: [(1, "expectation", "Mid-Market", "A clear plan with named owners on both sides."),
                    (1, "positive_surprise", nil, "The CSM brings a first draft of the customer's goals to the kickoff."),
                    (4, "expectation", nil, "See a result that matters to the sponsor within 30 days."),
                    (6, "positive_surprise", "Enterprise", "A benchmark against similar customers, prepared in advance."),
                    (7, "expectation", nil, "No surprises in price or terms.")],
            maturity: [("achieved", "Journey per channel (video, e-mail, portal, chat) mapped in the CS playbook."),
                       ("partly", "Admins and end users distinguished; executives not yet."),
                       ("not_started", nil), ("not_started", nil)]),
    ]
}
