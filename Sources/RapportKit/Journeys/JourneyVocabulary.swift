/// The closed vocabularies of journeys and touchpoints. Channels are not among them: each workspace
/// keeps its own channel list (seeded from `DefaultChannels`), so a channel is checked by the server.

/// Who starts the contact (seed 002, "Vorsorge"): the company (outbound) or the customer (inbound).
public enum TouchpointDirection: String, Vocabulary { case inbound, outbound }

/// Whose touchpoint it is (Lemon & Verhoef, seed 000): the brand's own, a partner's, the customer's
/// own doing, or outside anyone's hand (press, reviews, friends).
public enum TouchpointOwnership: String, Vocabulary {
    case brandOwned = "brand_owned"
    case partnerOwned = "partner_owned"
    case customerOwned = "customer_owned"
    case external
}

/// What a phase note records on the journey map: what customers expect in the phase, and the
/// positive surprise the company plans to exceed it with.
public enum PhaseNoteKind: String, Vocabulary {
    case expectation
    case positiveSurprise = "positive_surprise"
}

/// The four omnichannel milestones of seed 002 ("Vorsorge"), in the order a company reaches them.
public enum MaturityMilestone: String, Vocabulary {
    case journeyPerChannelKnown = "journey_per_channel_known"
    case targetGroupsKnown = "target_groups_known"
    case touchpointsPerTargetGroupShared = "touchpoints_per_target_group_shared"
    case relevantTouchpointsLinked = "relevant_touchpoints_linked"

    public var number: Int { Self.allCases.firstIndex(of: self)! + 1 }
}

public enum MaturityLevel: String, Vocabulary {
    case notStarted = "not_started"
    case partly
    case achieved

    public var points: Int { switch self { case .notStarted: 0; case .partly: 1; case .achieved: 2 } }
}

/// The channels a new workspace starts with: the ones seed 003 names for B2B and B2C contact (web,
/// mail, phone, branch, field sales, brokers, social media, events, …). Raw slug, English, German.
public enum DefaultChannels {
    public static let all: [(slug: String, en: String, de: String)] = [
        ("website", "Website", "Website"),
        ("online_shop", "Online shop", "Onlineshop"),
        ("portal", "Customer portal", "Kundenportal"),
        ("app", "Mobile app", "App"),
        ("email", "E-mail", "E-Mail"),
        ("newsletter", "Newsletter", "Newsletter"),
        ("letter", "Letter", "Brief"),
        ("phone", "Phone", "Telefon"),
        ("chat", "Chat", "Chat"),
        ("video", "Video call", "Videoberatung"),
        ("sms", "SMS / messenger", "SMS / Messenger"),
        ("social_media", "Social media", "Soziale Medien"),
        ("branch", "Branch / store", "Filiale"),
        ("field_sales", "Field sales", "Außendienst"),
        ("broker", "Broker / partner", "Makler / Partner"),
        ("events", "Events and trade fairs", "Events und Messen"),
        ("advertising", "Advertising", "Werbung"),
        ("reviews", "Reviews and press", "Bewertungen und Presse"),
    ]
}
