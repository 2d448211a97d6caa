import Foundation

/// SplitMix64. The standard library's generators and algorithms (shuffle, random(in:)) are free to
/// change between Swift releases, so the demo data draws only through this type and its own helpers.
public struct DemoRandom: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A separate stream per account and phase: changing how contacts are made must not reshuffle
    /// the contracts, or every screenshot would change with each tweak.
    init(seed: UInt64, stream: Int, phase: DemoPhase) {
        let mixed = DemoRandom.finalize(seed ^ DemoRandom.finalize(UInt64(truncatingIfNeeded: stream) &+ phase.rawValue &* 0x9E37_79B9_7F4A_7C15))
        state = mixed
    }

    static func finalize(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return DemoRandom.finalize(state)
    }

    /// 0..<n without modulo bias.
    mutating func below(_ n: Int) -> Int {
        precondition(n > 0)
        let bound = UInt64(n)
        let limit = UInt64.max - UInt64.max % bound
        var x = next()
        while x >= limit { x = next() }
        return Int(x % bound)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }

    /// [0, 1) with 53 random bits.
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    mutating func chance(_ p: Double) -> Bool { unit() < p }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    mutating func weighted<T>(_ options: [(T, Double)]) -> T {
        let total = options.reduce(0) { $0 + $1.1 }
        var x = unit() * total
        for (value, weight) in options {
            if x < weight { return value }
            x -= weight
        }
        return options[options.count - 1].0
    }

    mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(i, below(i + 1))
        }
    }
}

enum DemoPhase: UInt64 { case layout = 1, account, contracts, contacts, consents }

/// Lower-case ASCII for e-mail addresses and domains: German umlauts the German way (ä → ae),
/// other accents dropped (é → e), everything else outside a-z and 0-9 removed.
func demoASCII(_ text: String, keep: Set<Character> = []) -> String {
    var out = ""
    for ch in text.lowercased() {
        if ch.isASCII {
            if ch.isLetter || ch.isNumber || keep.contains(ch) { out.append(ch) }
            continue
        }
        switch ch {
        case "ä": out += "ae"
        case "ö": out += "oe"
        case "ü": out += "ue"
        case "ß": out += "ss"
        default:
            let folded = String(ch).folding(options: .diacriticInsensitive, locale: nil)
            for f in folded where f.isASCII && (f.isLetter || f.isNumber || keep.contains(f)) { out.append(f) }
        }
    }
    return out
}

/// "Hofmann & Söhne Logistik" → "hofmann-soehne-logistik"
func demoSlug(_ text: String) -> String {
    let words = text.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { demoASCII(String($0)) }
    return words.filter { !$0.isEmpty }.joined(separator: "-")
}

private func padded(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return String(repeating: "0", count: max(0, width - s.count)) + s
}

struct DemoGenerator {
    let seed: UInt64
    let today: DemoDay
    /// Active renewals fall in (today, horizon].
    let horizon: DemoDay
    /// Contract history starts no earlier than this.
    let earliest: DemoDay
    let contactsPerAccount: ClosedRange<Int>

    private var data = DemoDataset()
    private var metas: [AccountMeta] = []
    private var usedNames: Set<String> = []
    private var usedDomains: Set<String> = []
    private var usedEmails: Set<String> = []
    /// How often each name stem is taken: unrelated companies sharing a stem look like one group.
    private var stemUse: [String: Int] = [:]

    init(seed: UInt64, today: DemoDay, contactsPerAccount: ClosedRange<Int>) {
        self.seed = seed
        self.today = today
        horizon = today.adding(months: 18)
        earliest = today.adding(months: -48)
        let lower = max(0, contactsPerAccount.lowerBound)
        self.contactsPerAccount = lower...max(lower, contactsPerAccount.upperBound)
    }

    struct Slot {
        let household: Bool
        let segment: String
        let country: String
    }

    struct AccountMeta {
        let key: String
        let household: Bool
        let style: DemoStyle
        let name: String
        /// The name without legal form; subsidiaries build on it.
        let base: String
        let industry: DemoIndustry?
        let country: String
        let segment: String
        let parentIndex: Int?
        let domain: String
        let city: DemoCity
        let families: [String]
        let memberCount: Int
        var isParentCandidate: Bool {
            !household && parentIndex == nil && (segment == "Enterprise" || segment == "Mid-Market") && industry?.isPublic == false
        }
        var currency: String { DemoNames.currencies[country] ?? "EUR" }
    }

    mutating func run(accountCount: Int) -> DemoDataset {
        let slots = layout(accountCount)
        var subsidiaries = SubsidiaryQuota(target: Int((Double(slots.filter { !$0.household }.count) * 0.08).rounded()),
                                           businessSlots: slots.filter { !$0.household }.count)
        var churn = ChurnQuota(accounts: slots.count)
        for (index, slot) in slots.enumerated() {
            var ar = DemoRandom(seed: seed, stream: index, phase: .account)
            let meta = makeMeta(index: index, slot: slot, subsidiaries: &subsidiaries, &ar)
            metas.append(meta)
            var cr = DemoRandom(seed: seed, stream: index, phase: .contracts)
            let summary = makeContracts(meta, churn: &churn, &cr)
            data.accounts.append(makeAccount(meta, summary: summary, &ar))
            var pr = DemoRandom(seed: seed, stream: index, phase: .contacts)
            let people = makeContacts(meta, &pr)
            var kr = DemoRandom(seed: seed, stream: index, phase: .consents)
            for person in people where person.contact.stakeholderSide == "customer" {
                makeConsents(person, since: summary.since, &kr)
            }
        }
        return data
    }

    // MARK: Layout

    /// Shares are fixed quotas rather than independent draws, so the mix is the same for every seed
    /// and small datasets still get households, enterprises and foreign customers.
    private func layout(_ count: Int) -> [Slot] {
        var r = DemoRandom(seed: seed, stream: 0, phase: .layout)
        let households = Int((Double(count) * 0.15).rounded())
        let businesses = count - households
        var segments = Self.apportion(businesses, [("Enterprise", 0.15), ("Mid-Market", 0.33), ("SMB", 0.52)])
        var countries = Self.apportion(businesses, [("DE", 0.52), ("AT", 0.14), ("CH", 0.14), ("GB", 0.07), ("US", 0.06), ("NL", 0.04), ("FR", 0.03)])
        var homeCountries = Self.apportion(households, [("DE", 0.62), ("AT", 0.15), ("CH", 0.13), ("GB", 0.06), ("US", 0.04)])
        r.shuffle(&segments)
        r.shuffle(&countries)
        r.shuffle(&homeCountries)
        var slots = zip(segments, countries).map { Slot(household: false, segment: $0, country: $1) }
        slots += homeCountries.map { Slot(household: true, segment: "Consumer", country: $0) }
        r.shuffle(&slots)
        return slots
    }

    /// Largest-remainder apportionment of `total` items by weight; ties go to the earlier entry.
    static func apportion(_ total: Int, _ weights: [(String, Double)]) -> [String] {
        guard total > 0 else { return [] }
        let sum = weights.reduce(0) { $0 + $1.1 }
        let exact = weights.map { Double(total) * $0.1 / sum }
        var counts = exact.map { Int($0) }
        let order = exact.indices.sorted { (exact[$0] - Double(counts[$0]), -$0) > (exact[$1] - Double(counts[$1]), -$1) }
        for i in order.prefix(total - counts.reduce(0, +)) { counts[i] += 1 }
        return weights.indices.flatMap { Array(repeating: weights[$0].0, count: counts[$0]) }
    }

    /// Selection sampling: spreads the subsidiaries over the business accounts that come after
    /// their possible parents, hitting the target as long as parents exist.
    struct SubsidiaryQuota {
        var target: Int
        var businessSlots: Int
        var seen = 0
        var made = 0
    }

    // MARK: Accounts

    private mutating func makeMeta(index: Int, slot: Slot, subsidiaries: inout SubsidiaryQuota, _ r: inout DemoRandom) -> AccountMeta {
        let key = "ACC-\(padded(index + 1, 5))"
        if slot.household { return makeHouseholdMeta(key: key, slot: slot, &r) }

        subsidiaries.seen += 1
        let parents = metas.indices.filter { metas[$0].isParentCandidate }
        let remaining = subsidiaries.businessSlots - subsidiaries.seen + 1
        if subsidiaries.made < subsidiaries.target, !parents.isEmpty,
           r.chance(Double(subsidiaries.target - subsidiaries.made) / Double(remaining)) {
            subsidiaries.made += 1
            return makeSubsidiaryMeta(key: key, slot: slot, parentIndex: r.pick(parents), &r)
        }

        let country = slot.country
        let style: DemoStyle
        switch country {
        case "DE", "AT": style = .german
        case "CH": style = r.chance(0.25) ? .french : .german
        default: style = .english
        }
        let industries = DemoNames.industries.filter { style != .english || !$0.isPublic }
        let industry = r.weighted(industries.map { ($0, $0.weight) })
        let city = r.pick(cityList(country: country, style: style))
        var base = ""
        var name = ""
        for attempt in 0..<40 {
            base = companyBase(style: style, country: country, industry: industry, &r)
            if attempt >= 30 { base += " \(city.name)" }
            name = withLegalForm(base, country: country, style: style, segment: slot.segment, industry: industry, &r)
            if !usedNames.contains(name) && !usedNames.contains(base) { break }
        }
        if usedNames.contains(name) { name += " (\(key))" }
        usedNames.insert(name)
        usedNames.insert(base)   // no "X GmbH" next to an unrelated "X AG"
        return AccountMeta(key: key, household: false, style: style, name: name, base: base, industry: industry, country: country,
                           segment: slot.segment, parentIndex: nil, domain: claimDomain(base, country: country),
                           city: city, families: [], memberCount: 0)
    }

    private mutating func makeSubsidiaryMeta(key: String, slot: Slot, parentIndex: Int, _ r: inout DemoRandom) -> AccountMeta {
        let parent = metas[parentIndex]
        let country: String
        switch parent.style {
        case .german: country = r.chance(0.5) ? parent.country : r.pick(["DE", "AT", "CH"].filter { $0 != parent.country })
        case .english: country = r.chance(0.4) ? parent.country : r.pick(["GB", "US", "NL"].filter { $0 != parent.country })
        case .french: country = r.chance(0.6) ? parent.country : (parent.country == "CH" ? "FR" : "CH")
        }
        let city = r.pick(cityList(country: country, style: parent.style))
        var base = ""
        var name = ""
        for attempt in 0..<12 {
            let qualifier = subsidiaryQualifier(style: parent.style, country: country, sameCountry: country == parent.country, &r)
            base = "\(parent.base) \(qualifier)" + (attempt >= 8 ? " \(city.name)" : "")
            name = "\(base) \(r.pick(subsidiaryForms(country: country, style: parent.style)))"
            if !usedNames.contains(name) && !usedNames.contains(base) { break }
        }
        if usedNames.contains(name) { name += " (\(key))" }
        usedNames.insert(name)
        usedNames.insert(base)   // no "X GmbH" next to an unrelated "X AG"
        return AccountMeta(key: key, household: false, style: parent.style, name: name, base: base, industry: parent.industry,
                           country: country, segment: slot.segment, parentIndex: parentIndex,
                           domain: claimDomain(base, country: country), city: city, families: [], memberCount: 0)
    }

    private mutating func makeHouseholdMeta(key: String, slot: Slot, _ r: inout DemoRandom) -> AccountMeta {
        let english = slot.country == "GB" || slot.country == "US"
        let style: DemoStyle = english ? .english : .german
        let prefix = english ? "Household" : "Haushalt"
        let city = r.pick(cityList(country: slot.country, style: style))
        var families: [String] = []
        var name = ""
        for attempt in 0..<30 {
            families = [surname(language: english ? "en" : "de", country: slot.country, &r)]
            // Couples with different surnames: also how a name clash is resolved after a few tries.
            if attempt >= 10 || r.chance(0.12) {
                let other = surname(language: english ? "en" : "de", country: slot.country, &r)
                if other != families[0] { families.append(other) }
            }
            name = "\(prefix) \(families.joined(separator: "-"))"
            if attempt >= 25 { name += " (\(city.name))" }
            if !usedNames.contains(name) { break }
        }
        if usedNames.contains(name) { name += " (\(key))" }
        usedNames.insert(name)
        let members = r.weighted([(1, 0.3), (2, 0.4), (3, 0.2), (4, 0.1)])
        return AccountMeta(key: key, household: true, style: style, name: name, base: name, industry: nil, country: slot.country,
                           segment: "Consumer", parentIndex: nil, domain: "", city: city, families: families,
                           memberCount: max(members, families.count))
    }

    private func cityList(country: String, style: DemoStyle) -> [DemoCity] {
        if country == "CH" && style == .french { return DemoNames.cities["CH-fr"]! }
        return DemoNames.cities[country] ?? DemoNames.cities["DE"]!
    }

    /// One of the least used stems, so names repeat only once every stem has had its turn.
    private mutating func stem(_ stems: [String], _ r: inout DemoRandom) -> String {
        let fewest = stems.map { stemUse[$0, default: 0] }.min() ?? 0
        let choice = r.pick(stems.filter { stemUse[$0, default: 0] == fewest })
        stemUse[choice, default: 0] += 1
        return choice
    }

    private mutating func companyBase(style: DemoStyle, country: String, industry: DemoIndustry, _ r: inout DemoRandom) -> String {
        switch style {
        case .german:
            if industry.isPublic { return "\(r.pick(industry.german)) \(stem(DemoNames.germanPlaceStems, &r))" }
            let word = r.pick(industry.german)
            let form = r.unit()
            if form < 0.6 { return "\(stem(DemoNames.germanStems, &r)) \(word)" }
            let first = surname(language: "de", country: country, &r)
            if form < 0.9 { return "\(first) \(word)" }
            let second = surname(language: "de", country: country, &r)
            return second == first ? "\(first) \(word)" : "\(first) & \(second) \(word)"
        case .english:
            let word = r.pick(industry.english)
            if r.chance(0.75) { return "\(stem(DemoNames.englishStems, &r)) \(word)" }
            let first = r.pick(DemoNames.englishPeople.last)
            let second = r.pick(DemoNames.englishPeople.last)
            return r.chance(0.5) || second == first ? "\(first) \(word)" : "\(first) & \(second) \(word)"
        case .french:
            if industry.isPublic { return "\(r.pick(industry.french)) \(stem(DemoNames.frenchStems, &r))" }
            let word = r.pick(industry.french)
            if r.chance(0.75) { return "\(stem(DemoNames.frenchStems, &r)) \(word)" }
            let first = r.pick(DemoNames.frenchPeople.last)
            let second = r.pick(DemoNames.frenchPeople.last)
            return second == first ? "\(first) \(word)" : "\(first) & \(second) \(word)"
        }
    }

    private func subsidiaryQualifier(style: DemoStyle, country: String, sameCountry: Bool, _ r: inout DemoRandom) -> String {
        switch style {
        case .german:
            if sameCountry { return r.pick(["Service", "Vertrieb", "Digital", "Technik"]) }
            switch country {
            case "AT": return r.pick(["Austria", "Österreich"])
            case "CH": return "(Schweiz)"
            default: return "Deutschland"
            }
        case .english:
            if sameCountry { return r.pick(["Services", "Labs", "Digital", "Solutions"]) }
            switch country {
            case "GB": return "UK"
            case "US": return r.pick(["US", "Americas"])
            case "NL": return "Benelux"
            default: return "France"
            }
        case .french:
            if sameCountry { return r.pick(["Services", "Numérique", "Solutions"]) }
            return country == "CH" ? "(Suisse)" : "France"
        }
    }

    private func withLegalForm(_ base: String, country: String, style: DemoStyle, segment: String, industry: DemoIndustry, _ r: inout DemoRandom) -> String {
        let forms: [String?]
        let big = segment == "Enterprise"
        let regulated = industry.name == "Versicherung" || industry.name == "Banking"
        if industry.isPublic {
            forms = country == "DE" ? [nil, "AöR"] : [nil]
        } else if regulated && (country == "AT" || country == "CH") {
            // Banks and insurers are corporations by law; no sole traders or partnerships.
            forms = style == .french ? ["SA"] : ["AG"]
        } else {
            switch (country, style) {
            case ("DE", _):
                if industry.name == "Versicherung" { forms = big ? ["AG", "VVaG"] : ["AG", "GmbH"] }
                else if industry.name == "Banking" { forms = ["AG", "eG"] }
                else if big { forms = ["AG", "SE", "GmbH & Co. KG", "GmbH"] }
                else if segment == "Mid-Market" { forms = ["GmbH", "GmbH & Co. KG", "AG"] }
                else { forms = ["GmbH", "GmbH", "UG (haftungsbeschränkt)", "e.K.", "KG", "OHG"] }
            case ("AT", _):
                forms = big ? ["AG", "GmbH"] : segment == "Mid-Market" ? ["GmbH", "GmbH & Co KG", "AG"] : ["GmbH", "e.U.", "OG", "KG"]
            case ("CH", .french): forms = big ? ["SA"] : ["SA", "Sàrl"]
            case ("CH", _): forms = big || industry.name == "Versicherung" ? ["AG"] : ["AG", "GmbH"]
            case ("GB", _): forms = big ? ["plc", "Ltd"] : ["Ltd"]
            case ("US", _): forms = big ? ["Inc.", "Corp."] : ["Inc.", "LLC"]
            case ("NL", _): forms = big ? ["N.V.", "B.V."] : ["B.V."]
            default: forms = ["SAS", "SA"]
            }
        }
        guard let form = r.pick(forms) else { return base }
        return "\(base) \(form)"
    }

    /// Groups found subsidiaries as corporations, never as partnerships or sole traders.
    private func subsidiaryForms(country: String, style: DemoStyle) -> [String] {
        switch (country, style) {
        case ("DE", _), ("AT", _): return ["GmbH", "GmbH", "AG"]
        case ("CH", .french): return ["SA", "Sàrl"]
        case ("CH", _): return ["AG", "GmbH"]
        case ("GB", _): return ["Ltd"]
        case ("US", _): return ["Inc.", "LLC"]
        case ("NL", _): return ["B.V."]
        default: return ["SAS"]
        }
    }

    private mutating func claimDomain(_ base: String, country: String) -> String {
        let slug = demoSlug(base)
        var domain = "\(slug).example"
        if usedDomains.contains(domain) { domain = "\(slug)-\(country.lowercased()).example" }
        var n = 2
        while usedDomains.contains(domain) {
            domain = "\(slug)\(n).example"
            n += 1
        }
        usedDomains.insert(domain)
        return domain
    }

    private func makeAccount(_ meta: AccountMeta, summary: ContractSummary, _ r: inout DemoRandom) -> DemoAccount {
        var attributes = ["region": meta.city.region, "city": meta.city.name]
        attributes["customer_since"] = summary.since.iso
        let size: String
        let coverage: String
        let owner: Int?
        if meta.household {
            size = "household"
            coverage = "tech_touch"
            owner = nil
            attributes["household_size"] = String(meta.memberCount)
            attributes["lead_source"] = r.pick(["Vergleichsportal", "Website", "Empfehlung", "Vermittler"])
        } else {
            switch meta.segment {
            case "Enterprise":
                size = r.chance(0.8) ? "enterprise" : "large"
                coverage = r.chance(0.9) ? "high_touch" : "pooled"
            case "Mid-Market":
                size = r.chance(0.7) ? "medium" : "large"
                coverage = r.weighted([("pooled", 0.85), ("high_touch", 0.1), ("tech_touch", 0.05)])
            default:
                size = r.chance(0.6) ? "small" : "micro"
                coverage = r.chance(0.05) ? "pooled" : "tech_touch"
            }
            // The first four CSMs run named books of business, the last two share the pooled queue.
            switch coverage {
            case "high_touch": owner = r.int(0...3)
            case "pooled": owner = r.int(4...5)
            default: owner = nil
            }
            let employees: Int
            switch size {
            case "micro": employees = r.int(2...9)
            case "small": employees = r.int(10...49)
            case "medium": employees = r.int(50...249)
            case "large": employees = r.int(25...99) * 10
            default: employees = r.int(10...400) * 100
            }
            attributes["employees"] = String(employees)
            attributes["lead_source"] = r.pick(["Direktvertrieb", "Partner", "Messe", "Website", "Empfehlung"])
            let arr = summary.activeARRMinor / 100
            if arr > 0 {
                attributes["tier"] = arr >= 200_000 ? "Platin" : arr >= 50_000 ? "Gold" : arr >= 10_000 ? "Silber" : "Bronze"
            }
        }
        return DemoAccount(key: meta.key, name: meta.name, parentKey: meta.parentIndex.map { metas[$0].key },
                           kind: meta.household ? "household" : "business", segment: meta.segment,
                           industry: meta.industry?.name, country: meta.country, size: size, coverageModel: coverage,
                           ownerIndex: owner, attributes: attributes)
    }

    // MARK: Contracts

    struct ContractSummary {
        var since: DemoDay
        var activeARRMinor: Int64
    }

    /// When a contract runs. Renewals fall on `anchor` plus whole terms, so an add-on that is
    /// co-termed with the main subscription renews with it even if it started mid-term.
    struct Plan {
        var start: DemoDay
        var term: Int
        var anchor: DemoDay
        var renewal: DemoDay?
        var end: DemoDay?
        var status: String

        /// Renewal days after the start and before `stop`.
        func boundaries(before stop: DemoDay) -> [DemoDay] {
            var out: [DemoDay] = []
            var k = 1
            while true {
                let b = anchor.adding(months: k * term)
                if b >= stop { break }
                if b > start { out.append(b) }
                k += 1
            }
            return out
        }
    }

    private enum ChurnScenario { case none, full, partial }

    /// Selection sampling again, so that about 5 % of accounts have churned contracts for every
    /// seed: a demo without churn would hide half of what the product is for.
    struct ChurnQuota {
        let accounts: Int
        var fullTarget: Int { Int((Double(accounts) * 0.03).rounded()) }
        var partialTarget: Int { Int((Double(accounts) * 0.025).rounded()) }
        var seen = 0
        var fullMade = 0
        var partialMade = 0
    }

    private mutating func makeContracts(_ meta: AccountMeta, churn: inout ChurnQuota, _ r: inout DemoRandom) -> ContractSummary {
        let isSubsidiary = meta.parentIndex != nil
        let remaining = Double(max(1, churn.accounts - churn.seen))
        churn.seen += 1
        // Subsidiaries are folded into their parent now and then, whatever the quota says.
        let pFull = max(Double(churn.fullTarget - churn.fullMade) / remaining, isSubsidiary ? 0.15 : 0)
        let pPartial = Double(churn.partialTarget - churn.partialMade) / remaining
        let draw = r.unit()
        let scenario: ChurnScenario = draw < pFull ? .full : draw < pFull + pPartial ? .partial : .none
        let reasons = (meta.household ? DemoNames.householdChurnReasons : DemoNames.churnReasons)[meta.style]!
        let accountChurnReason = isSubsidiary && r.chance(0.7) ? DemoNames.mergedReason[meta.style]! : r.pick(reasons)

        var built: [(product: DemoProduct, plan: Plan, reason: String?)] = []

        // Main subscription.
        let termWeights = termWeights(meta.segment)
        var main: DemoProduct
        var mainPlan: Plan
        if meta.household {
            (main, mainPlan) = householdContract(householdProducts(meta), weights: termWeights, &r)
        } else {
            switch meta.segment {
            case "Enterprise": main = DemoNames.enterpriseMain
            case "Mid-Market": main = DemoNames.midMarketMain
            default: main = r.chance(0.4) ? DemoNames.smbProfessional : DemoNames.smbStarter
            }
            mainPlan = activePlan(terms: main.terms, weights: termWeights, notBefore: earliest, &r)
        }
        if scenario == .full, let ended = endedPlan(terms: main.terms, weights: termWeights, notBefore: earliest, status: "churned", &r) {
            mainPlan = ended
            churn.fullMade += 1
        }
        built.append((main, mainPlan, mainPlan.status == "churned" ? accountChurnReason : nil))
        let accountEnd = mainPlan.status == "churned" ? mainPlan.end : nil
        var taken: Set<String> = [main.name]

        // Upgrades: the Starter plan they had before ends the day Professional starts.
        if meta.segment == "SMB", main.name == DemoNames.smbProfessional.name, r.chance(0.25) {
            let years = (1...3).filter { mainPlan.start.adding(months: -12 * $0) >= earliest }
            if let k = years.isEmpty ? nil : r.pick(years) {
                let start = mainPlan.start.adding(months: -12 * k)
                built.append((DemoNames.legacyStarter, Plan(start: start, term: 12, anchor: start, renewal: nil, end: mainPlan.start, status: "expired"), nil))
            }
        }

        let extras = meta.household ? householdProducts(meta) : (DemoNames.addOns[meta.segment] ?? []).map(\.0)

        // One product given up while the rest continues; it ran at least a full term first.
        if scenario == .partial {
            let candidates = extras.filter { !taken.contains($0.name) && $0.name != DemoNames.servicesProduct }
            if !candidates.isEmpty {
                let product = r.pick(candidates)
                if let plan = endedPlan(terms: product.terms, weights: termWeights, notBefore: meta.household ? earliest : mainPlan.start, status: "churned", &r) {
                    built.append((product, plan, r.pick(reasons)))
                    taken.insert(product.name)
                    churn.partialMade += 1
                }
            }
        }

        // Add-ons and further household products.
        var more: [(DemoProduct, Plan)] = []
        if meta.household {
            for _ in 0..<r.weighted([(0, 0.45), (1, 0.4), (2, 0.15)]) {
                let open = extras.filter { !taken.contains($0.name) }
                guard !open.isEmpty else { break }
                let item = accountEnd == nil ? householdContract(open, weights: termWeights, &r) : (r.pick(open), coTermed(with: mainPlan, until: accountEnd, &r))
                taken.insert(item.0.name)
                more.append(item)
            }
        } else {
            for (product, p) in DemoNames.addOns[meta.segment] ?? [] where !taken.contains(product.name) && r.chance(p) {
                let plan: Plan
                if product.name == DemoNames.servicesProduct {
                    plan = servicesPlan(after: mainPlan, terms: product.terms, &r)
                } else if accountEnd == nil, r.chance(0.5), let own = independentPlan(terms: product.terms, weights: termWeights, notBefore: mainPlan.start, &r) {
                    plan = own
                } else {
                    plan = coTermed(with: mainPlan, until: accountEnd, &r)
                }
                taken.insert(product.name)
                more.append((product, plan))
            }
        }
        for (product, var plan) in more {
            var reason: String? = nil
            // An account that left takes everything with it on the same day.
            if let end = accountEnd, plan.end.map({ $0 > end }) ?? true, plan.start < end {
                plan.end = end
                plan.renewal = nil
                plan.status = "churned"
                reason = accountChurnReason
            }
            built.append((product, plan, reason))
        }

        // Signed, not yet started: the upsell pipeline a CSM wants to see.
        if accountEnd == nil, r.chance(meta.household ? 0.03 : meta.segment == "Enterprise" ? 0.12 : meta.segment == "Mid-Market" ? 0.08 : 0.03) {
            let open = extras.filter { !taken.contains($0.name) && $0.name != DemoNames.servicesProduct }
            if !open.isEmpty {
                let product = r.pick(open)
                let start = today.adding(days: r.int(1...75))
                built.append((product, Plan(start: start, term: 12, anchor: start, renewal: start.adding(months: 12), end: nil, status: "pending"), nil))
            }
        }

        var since = today
        var activeARR: Int64 = 0
        for (i, item) in built.enumerated() {
            let arr = emitContract(meta, product: item.product, plan: item.plan, isMain: i == 0, churnReason: item.reason, &r)
            if item.plan.status != "pending" { since = min(since, item.plan.start) }
            if item.plan.status == "active" { activeARR += arr }
        }
        return ContractSummary(since: since, activeARRMinor: activeARR)
    }

    private func householdProducts(_ meta: AccountMeta) -> [DemoProduct] {
        meta.style == .english ? DemoNames.householdProductsEnglish : DemoNames.householdProductsGerman
    }

    private func termWeights(_ segment: String) -> [Int: Double] {
        switch segment {
        case "Enterprise": return [12: 0.4, 24: 0.25, 36: 0.35]
        case "Mid-Market": return [12: 0.6, 24: 0.25, 36: 0.15]
        case "SMB": return [12: 0.8, 24: 0.2]
        default: return [12: 0.6, 24: 0.5, 36: 0.3]
        }
    }

    /// A renewal day drawn evenly from (today, horizon]. Days 29-31 are skipped so that stepping
    /// back and forth by whole months lands on the same day again.
    private func drawRenewal(_ r: inout DemoRandom) -> DemoDay {
        let window = today.days(until: horizon)
        while true {
            let day = today.adding(days: r.int(1...window))
            if day.day <= 28 { return day }
        }
    }

    /// Chooses the renewal first and derives the term and start from it: that is what spreads
    /// renewals evenly over the next 18 months instead of bunching them in the next 12.
    private func independentPlan(terms: [Int], weights: [Int: Double], notBefore: DemoDay, _ r: inout DemoRandom) -> Plan? {
        for _ in 0..<24 {
            if let plan = plan(renewingOn: drawRenewal(&r), terms: terms, weights: weights, notBefore: notBefore, &r) { return plan }
        }
        return nil
    }

    /// A contract renewing on `renewal` whose current term has begun and whose start is not before `notBefore`.
    private func plan(renewingOn renewal: DemoDay, terms: [Int], weights: [Int: Double], notBefore: DemoDay, _ r: inout DemoRandom) -> Plan? {
        let options = terms.filter { t in
            let termStart = renewal.adding(months: -t)
            return termStart <= today && termStart >= notBefore
        }
        guard !options.isEmpty else { return nil }
        let term = r.weighted(options.map { ($0, weights[$0] ?? 0.2) })
        var maxTerms = 1
        while renewal.adding(months: -(maxTerms + 1) * term) >= notBefore { maxTerms += 1 }
        let start = renewal.adding(months: -r.int(1...maxTerms) * term)
        return Plan(start: start, term: term, anchor: start, renewal: renewal, end: nil, status: "active")
    }

    /// Households pick the product after the renewal day: a twelve-month tariff cannot renew in
    /// fifteen months, and choosing it first would pile household renewals into the next year.
    private func householdContract(_ products: [DemoProduct], weights: [Int: Double], _ r: inout DemoRandom) -> (DemoProduct, Plan) {
        for _ in 0..<24 {
            let renewal = drawRenewal(&r)
            let fitting = products.filter { p in p.terms.contains { renewal.adding(months: -$0) <= today } }
            guard !fitting.isEmpty else { continue }
            let product = r.pick(fitting)
            if let plan = plan(renewingOn: renewal, terms: product.terms, weights: weights, notBefore: earliest, &r) { return (product, plan) }
        }
        let product = r.pick(products)
        return (product, activePlan(terms: product.terms, weights: weights, notBefore: earliest, &r))
    }

    private func activePlan(terms: [Int], weights: [Int: Double], notBefore: DemoDay, _ r: inout DemoRandom) -> Plan {
        if let plan = independentPlan(terms: terms, weights: weights, notBefore: notBefore, &r) { return plan }
        // Practically unreachable: the longest term renewing within the next four weeks always fits.
        let term = terms.max() ?? 12
        var renewal = today.adding(days: 1)
        while renewal.day > 28 { renewal = renewal.adding(days: 1) }
        let start = renewal.adding(months: -term)
        return Plan(start: start, term: term, anchor: start, renewal: renewal, end: nil, status: "active")
    }

    /// Runs at least one full term and ends on a renewal day (notice given), or mid-term now and then.
    private func endedPlan(terms: [Int], weights: [Int: Double], notBefore: DemoDay, status: String, _ r: inout DemoRandom) -> Plan? {
        let term = r.weighted(terms.map { ($0, weights[$0] ?? 0.2) })
        let latestStart = today.adding(months: -term)
        guard latestStart >= notBefore else { return nil }
        var start = notBefore
        for _ in 0..<50 {
            start = notBefore.adding(days: r.int(0...notBefore.days(until: latestStart)))
            if start.day <= 28 { break }
        }
        var plan = Plan(start: start, term: term, anchor: start, renewal: nil, end: nil, status: status)
        let marks = [start] + plan.boundaries(before: today.adding(days: 1))
        guard marks.count > 1 else { return nil }
        let k = r.int(1...(marks.count - 1))
        let gap = marks[k - 1].days(until: marks[k])
        plan.end = r.chance(0.2) && gap > 2 ? marks[k - 1].adding(days: r.int(1...(gap - 1))) : marks[k]
        return plan
    }

    /// An add-on that renews with the main subscription; it starts on one of its renewal days or
    /// somewhere in a term (then the first term is prorated).
    private func coTermed(with main: Plan, until end: DemoDay?, _ r: inout DemoRandom) -> Plan {
        let last = end.map { $0.adding(days: -1) } ?? today
        let marks = ([main.start] + main.boundaries(before: last.adding(days: 1))).filter { $0 <= last }
        let base = marks.isEmpty ? main.start : r.pick(marks)
        var start = base
        let next = base.adding(months: main.term)
        let room = base.days(until: min(next.adding(days: -1), last))
        if room > 0, r.chance(0.5) { start = base.adding(days: r.int(1...room)) }
        return Plan(start: start, term: main.term, anchor: main.anchor, renewal: main.renewal, end: nil, status: "active")
    }

    /// A fixed-term project: over (expired) or running until its end, which is also its renewal day.
    private func servicesPlan(after main: Plan, terms: [Int], _ r: inout DemoRandom) -> Plan {
        let last = min(main.end.map { $0.adding(days: -1) } ?? today, today)
        let start = r.chance(0.6) || last <= main.start ? main.start : main.start.adding(days: r.int(0...main.start.days(until: last)))
        let term = r.pick(terms)
        let end = start.adding(months: term)
        if end <= today { return Plan(start: start, term: term, anchor: start, renewal: nil, end: end, status: "expired") }
        return Plan(start: start, term: term, anchor: start, renewal: end, end: end, status: "active")
    }

    /// ARR is kept on a grid (whole hundreds for enterprises, yearly premiums of whole 5-cent
    /// monthly rates for households) so amounts look like real price lists.
    private func grid(_ meta: AccountMeta) -> Int64 {
        switch meta.segment {
        case "Enterprise": return 10_000
        case "Mid-Market": return 5_000
        case "SMB": return 1_000
        default: return 60
        }
    }

    /// Writes one contract and its events; returns its current ARR.
    private mutating func emitContract(_ meta: AccountMeta, product: DemoProduct, plan: Plan, isMain: Bool, churnReason: String?, _ r: inout DemoRandom) -> Int64 {
        let key = "CTR-\(padded(data.contracts.count + 1, 6))"
        let unit = grid(meta)
        let lo = (product.arr.lowerBound * 100 + unit - 1) / unit * unit
        let hi = product.arr.upperBound * 100 / unit * unit
        func clamp(_ v: Int64) -> Int64 { min(hi, max(lo, v)) }
        func onGrid(_ v: Int64) -> Int64 { v / unit * unit }
        // Squaring skews amounts towards the low end, as real price lists are; plain arithmetic
        // keeps the result identical on every platform (log/exp may differ in the last bit).
        let u = r.unit()
        var arr = lo + Int64(u * u * Double((hi - lo) / unit)) * unit

        var events: [DemoContractEvent] = []
        if plan.status != "pending" {
            events.append(DemoContractEvent(contractKey: key, kind: "new", occurredOn: plan.start, arrDeltaMinor: arr, reason: nil))
            let services = product.name == DemoNames.servicesProduct
            let (pExpand, pShrink): (Double, Double) = meta.household ? (0.05, 0.04) : services ? (0, 0) : isMain ? (0.35, 0.08) : (0.12, 0.05)
            let stop = plan.end ?? today.adding(days: 1)
            let renewals = plan.boundaries(before: stop)
            let marks = [plan.start] + renewals + [stop]
            var planned: [(day: DemoDay, kind: String)] = renewals.map { ($0, "renewal") }
            for i in 0..<(marks.count - 1) {
                let gap = marks[i].days(until: marks[i + 1])
                guard gap >= 4 else { continue }
                let years = Double(gap) / 365
                var expandedOn: DemoDay? = nil
                if r.chance(pExpand * years) {
                    let day = marks[i].adding(days: r.int(1...(gap - 1)))
                    planned.append((day, "expansion"))
                    expandedOn = day
                }
                if r.chance(pShrink * years) {
                    let day = marks[i].adding(days: r.int(1...(gap - 1)))
                    if day != expandedOn { planned.append((day, "contraction")) }
                }
            }
            planned.sort { $0.day < $1.day }
            let reasonsUp = (meta.household ? DemoNames.householdExpansionReasons : DemoNames.expansionReasons)[meta.style]!
            let reasonsDown = (meta.household ? DemoNames.householdContractionReasons : DemoNames.contractionReasons)[meta.style]!
            for step in planned {
                switch step.kind {
                case "renewal":
                    var delta: Int64 = 0
                    if r.chance(meta.household ? 0.7 : 0.45) {
                        delta = clamp(arr + onGrid(arr * Int64(r.int(meta.household ? 100...600 : 200...500)) / 10_000)) - arr
                    }
                    arr += delta
                    events.append(DemoContractEvent(contractKey: key, kind: "renewal", occurredOn: step.day, arrDeltaMinor: delta,
                                                    reason: delta > 0 ? DemoNames.priceAdjustment[meta.style]! : nil))
                case "expansion":
                    let delta = clamp(arr + onGrid(arr * Int64(r.int(meta.household ? 500...2_000 : 1_000...4_000)) / 10_000)) - arr
                    guard delta > 0 else { continue }
                    arr += delta
                    events.append(DemoContractEvent(contractKey: key, kind: "expansion", occurredOn: step.day, arrDeltaMinor: delta, reason: r.pick(reasonsUp)))
                default:
                    let delta = clamp(arr - onGrid(arr * Int64(r.int(meta.household ? 500...1_500 : 1_000...2_500)) / 10_000)) - arr
                    guard delta < 0 else { continue }
                    arr += delta
                    events.append(DemoContractEvent(contractKey: key, kind: "contraction", occurredOn: step.day, arrDeltaMinor: delta, reason: r.pick(reasonsDown)))
                }
            }
            if plan.status == "churned", let end = plan.end {
                events.append(DemoContractEvent(contractKey: key, kind: "churn", occurredOn: end, arrDeltaMinor: -arr,
                                                reason: churnReason ?? r.pick(DemoNames.churnReasons[meta.style]!)))
            }
        }
        data.contracts.append(DemoContract(key: key, accountKey: meta.key, product: product.name, startDate: plan.start,
                                           endDate: plan.end, renewalDate: plan.renewal, arrMinor: arr,
                                           currency: meta.currency, status: plan.status))
        data.contractEvents += events
        return arr
    }

    // MARK: Contacts

    struct Person {
        let contact: DemoContact
        let mobile: Bool
    }

    private mutating func makeContacts(_ meta: AccountMeta, _ r: inout DemoRandom) -> [Person] {
        let count: Int
        if meta.household {
            count = meta.memberCount
        } else {
            let bonus: Int
            switch meta.segment {
            case "Enterprise": bonus = r.int(contactsPerAccount)
            case "Mid-Market": bonus = r.int(0...3)
            default: bonus = 0
            }
            count = r.int(contactsPerAccount) + bonus
        }
        // Each company has its own address scheme, as real ones do.
        let pattern = r.weighted([(0, 0.65), (1, 0.25), (2, meta.segment == "SMB" ? 0.1 : 0)])
        var made: [Person] = []
        for j in 0..<count {
            let vendor = !meta.household && j > 0 && r.chance(0.03)
            let language = vendor ? primaryLanguage(meta) : contactLanguage(meta, &r)
            let female = r.chance(0.5)
            let first = firstName(language: language, country: meta.country, female: female, &r)
            let last: String
            if meta.household && j < meta.families.count {
                last = meta.families[j]
            } else if meta.household && r.chance(0.8) {
                last = meta.families[0]
            } else {
                last = surname(language: language, country: meta.country, &r)
            }
            let domain = vendor ? r.pick(DemoNames.partnerDomains) : meta.household ? r.pick(DemoNames.householdDomains) : meta.domain
            let email = claimEmail(first: first, last: last, domain: domain,
                                   pattern: vendor ? 0 : meta.household ? 10 + r.int(0...3) : pattern, &r)
            let hasPhone = r.chance(meta.household ? 0.9 : 0.87)
            let mobile = hasPhone && r.chance(meta.household ? 0.8 : 0.45)
            let phone = hasPhone ? phoneNumber(meta, mobile: mobile, &r) : nil
            let role: String?
            if meta.household {
                role = nil
            } else {
                let roles: [DemoRole]
                let publicBody = meta.industry?.isPublic == true
                switch (meta.style, vendor, j == 0, meta.segment == "SMB") {
                case (.german, false, true, _) where publicBody: roles = DemoNames.germanPublicLead
                case (.german, false, false, _) where publicBody: roles = DemoNames.germanPublicRoles
                case (.french, false, true, _) where publicBody: roles = DemoNames.frenchPublicLead
                case (.french, false, false, _) where publicBody: roles = DemoNames.frenchPublicRoles
                case (.german, true, _, _): roles = DemoNames.germanVendorRoles
                case (.english, true, _, _): roles = DemoNames.englishVendorRoles
                case (.french, true, _, _): roles = DemoNames.frenchVendorRoles
                case (.german, false, true, true): roles = DemoNames.germanLeadSmall
                case (.german, false, true, false): roles = DemoNames.germanLeadLarge
                case (.english, false, true, true): roles = DemoNames.englishLeadSmall
                case (.english, false, true, false): roles = DemoNames.englishLeadLarge
                case (.french, false, true, true): roles = DemoNames.frenchLeadSmall
                case (.french, false, true, false): roles = DemoNames.frenchLeadLarge
                case (.german, false, false, _): roles = DemoNames.germanRoles
                case (.english, false, false, _): roles = DemoNames.englishRoles
                case (.french, false, false, _): roles = DemoNames.frenchRoles
                }
                let picked = r.pick(roles)
                role = female ? picked.female : picked.male
            }
            var channels: [String] = []
            if vendor {
                channels = r.chance(0.5) ? ["email", "phone"] : ["email"]
                if !hasPhone { channels = ["email"] }
            } else {
                if r.chance(meta.household ? 0.75 : 0.92) { channels.append("email") }
                if hasPhone && r.chance(meta.household ? 0.35 : 0.5) { channels.append("phone") }
                if mobile && r.chance(meta.household ? 0.3 : 0.05) { channels.append("sms") }
                if r.chance(meta.household ? 0.25 : 0.04) { channels.append("letter") }
                if r.chance(meta.household ? 0.2 : 0.25) { channels.append("portal") }
                if channels.isEmpty { channels = ["email"] }
            }
            let contact = DemoContact(key: "CON-\(padded(data.contacts.count + 1, 6))", accountKey: meta.key,
                                      firstName: first, lastName: last, email: email, phone: phone, role: role,
                                      stakeholderSide: vendor ? "vendor" : "customer", language: language,
                                      channelPreferences: channels)
            data.contacts.append(contact)
            made.append(Person(contact: contact, mobile: mobile))
        }
        return made
    }

    private func primaryLanguage(_ meta: AccountMeta) -> String {
        switch meta.style {
        case .german: return "de"
        case .french: return "fr"
        case .english: return meta.country == "FR" ? "fr" : "en"
        }
    }

    private func contactLanguage(_ meta: AccountMeta, _ r: inout DemoRandom) -> String {
        switch (meta.style, meta.country) {
        case (.german, _): return r.chance(meta.household ? 0.05 : 0.1) ? "en" : "de"
        case (.french, "CH"): return r.weighted([("fr", 0.85), ("de", 0.1), ("en", 0.05)])
        case (.french, _), (.english, "FR"): return r.chance(0.8) ? "fr" : "en"
        default: return "en"
        }
    }

    private func people(language: String, country: String) -> DemoPeople {
        switch language {
        case "de": return DemoNames.germanPeople
        case "fr": return DemoNames.frenchPeople
        default: return country == "NL" ? DemoNames.dutchPeople : DemoNames.englishPeople
        }
    }

    private func firstName(language: String, country: String, female: Bool, _ r: inout DemoRandom) -> String {
        if language == "de" && r.chance(0.2) {
            if country == "AT" { return r.pick(female ? DemoNames.austrianFirst.female : DemoNames.austrianFirst.male) }
            if country == "CH" { return r.pick(female ? DemoNames.swissFirst.female : DemoNames.swissFirst.male) }
        }
        let pool = people(language: language, country: country)
        return r.pick(female ? pool.female : pool.male)
    }

    private func surname(language: String, country: String, _ r: inout DemoRandom) -> String {
        if language == "de" && r.chance(0.5) {
            if country == "AT" { return r.pick(DemoNames.austrianLast) }
            if country == "CH" { return r.pick(DemoNames.swissLast) }
        }
        return r.pick(people(language: language, country: country).last)
    }

    /// Patterns 0-2 are company schemes (first.last, f.last, last); 10-13 are private habits.
    private mutating func claimEmail(first: String, last: String, domain: String, pattern: Int, _ r: inout DemoRandom) -> String {
        let f = demoASCII(first, keep: ["-"])
        let l = demoASCII(last, keep: ["-"])
        let preferred: String
        switch pattern {
        case 1: preferred = "\(f.prefix(1)).\(l)"
        case 2: preferred = l
        case 11: preferred = "\(f)\(l)"
        case 12: preferred = "\(f).\(l)\(r.int(55...99))"
        case 13: preferred = "\(f.prefix(1))\(l)"
        default: preferred = "\(f).\(l)"
        }
        var email = "\(preferred)@\(domain)"
        if usedEmails.contains(email) { email = "\(f).\(l)@\(domain)" }
        var n = 2
        while usedEmails.contains(email) {
            email = "\(f).\(l)\(n)@\(domain)"
            n += 1
        }
        usedEmails.insert(email)
        return email
    }

    private func digits(_ count: Int, _ r: inout DemoRandom) -> String {
        var s = String(r.int(2...9))
        for _ in 1..<max(1, count) { s += String(r.int(0...9)) }
        return s
    }

    private func phoneNumber(_ meta: AccountMeta, mobile: Bool, _ r: inout DemoRandom) -> String {
        let area = meta.city.area
        switch meta.country {
        case "DE":
            if mobile {
                let prefix = r.pick(["151", "152", "157", "160", "170", "171", "172", "175", "176", "177", "179"])
                return "+49 \(prefix) \(digits(prefix.hasPrefix("15") ? 8 : 7, &r))"
            }
            return "+49 \(area) \(digits(area.count <= 2 ? r.int(7...8) : area.count == 3 ? r.int(6...7) : r.int(5...6), &r))"
        case "AT":
            if mobile { return "+43 \(r.pick(["650", "660", "664", "676", "680", "699"])) \(digits(7, &r))" }
            return "+43 \(area) \(digits(area == "1" ? 7 : area.count == 3 ? 6 : 5, &r))"
        case "CH":
            let prefix = mobile ? r.pick(["76", "77", "78", "79"]) : area
            return "+41 \(prefix) \(digits(3, &r)) \(padded(r.int(0...99), 2)) \(padded(r.int(0...99), 2))"
        case "GB":
            return mobile ? "+44 7700 900\(padded(r.int(0...999), 3))" : "+44 \(area)\(padded(r.int(0...999), 3))"
        case "US":
            // 555-0100 to 555-0199 are reserved for fiction in every area code.
            return "+1 \(area) 555 01\(padded(r.int(0...99), 2))"
        case "NL":
            return mobile ? "+31 6 \(digits(4, &r)) \(padded(r.int(0...9999), 4))" : "+31 \(area) \(digits(3, &r)) \(padded(r.int(0...9999), 4))"
        default:
            func pairs(_ n: Int, _ r: inout DemoRandom) -> String { (0..<n).map { _ in padded(r.int(0...99), 2) }.joined(separator: " ") }
            if mobile { return "+33 6 39 98 \(pairs(2, &r))" }
            return area == "1" ? "+33 1 99 00 \(pairs(2, &r))" : "+33 \(area) \(pairs(4, &r))"
        }
    }

    // MARK: Consents

    private mutating func makeConsents(_ person: Person, since: DemoDay, _ r: inout DemoRandom) {
        let contact = person.contact
        let household = contact.role == nil
        let latest = today.adding(days: -2)
        let earliestDay = min(since, latest)
        let importDay = min(max(today.adding(days: -270), earliestDay), latest)
        struct Grant { let purpose: String; let channel: String; let source: String; let day: DemoDay; let seconds: Int }
        var grants: [Grant] = []
        func add(_ purpose: String, _ channel: String, _ sources: [(String, Double)], _ r: inout DemoRandom) {
            let source = r.weighted(sources)
            let day: DemoDay
            var seconds = r.int(7 * 3600...20 * 3600)
            switch source {
            case "contract signature": day = min(max(since, earliestDay), latest)
            case "import":
                day = importDay
                seconds = 2 * 3600 + 15 * 60   // the migration ran as one nightly batch
            default: day = earliestDay.adding(days: r.int(0...earliestDay.days(until: latest)))
            }
            grants.append(Grant(purpose: purpose, channel: channel, source: source, day: day, seconds: seconds))
        }
        if r.chance(household ? 0.8 : 0.88) {
            add("survey", "email", household
                ? [("web form", 0.4), ("contract signature", 0.35), ("survey opt-in", 0.25)]
                : [("survey opt-in", 0.35), ("web form", 0.2), ("contract signature", 0.2), ("import", 0.25)], &r)
        }
        if contact.phone != nil && r.chance(0.46) {
            add("callback", household && person.mobile && r.chance(0.3) ? "sms" : "phone",
                [("phone call", 0.5), ("web form", 0.25), ("contract signature", 0.25)], &r)
        }
        if r.chance(0.25) {
            add("marketing", household && r.chance(0.2) ? "letter" : "email", household
                ? [("web form", 0.6), ("contract signature", 0.4)]
                : [("web form", 0.45), ("event registration", 0.2), ("import", 0.2), ("contract signature", 0.15)], &r)
        }
        if !household && r.chance(0.025) {
            add("social_matching", "email", [("customer portal", 0.6), ("survey opt-in", 0.4)], &r)
        }
        var records = grants.map {
            DemoConsent(contactKey: contact.key, purpose: $0.purpose, channel: $0.channel, granted: true,
                        source: $0.source, recordedAt: $0.day.instant(seconds: $0.seconds))
        }
        if !grants.isEmpty && r.chance(0.055) {
            let marketing = grants.first { $0.purpose == "marketing" }
            let withdrawn = marketing != nil && r.chance(0.6) ? marketing! : r.pick(grants)
            let day = withdrawn.day.adding(days: r.int(1...withdrawn.day.days(until: today.adding(days: -1))))
            let source: String
            switch withdrawn.channel {
            case "email": source = r.pick(["unsubscribe link", "e-mail to support"])
            case "phone": source = "phone call"
            case "sms": source = "sms reply"
            default: source = "letter"
            }
            records.append(DemoConsent(contactKey: contact.key, purpose: withdrawn.purpose, channel: withdrawn.channel, granted: false,
                                       source: source, recordedAt: day.instant(seconds: r.int(7 * 3600...20 * 3600))))
        }
        // Imported grants share one timestamp; the index keeps their order independent of sort stability.
        data.consents += records.enumerated().sorted { ($0.element.recordedAt, $0.offset) < ($1.element.recordedAt, $1.offset) }.map(\.element)
    }
}
