import Foundation
import Testing
@testable import RapportKit

private let today = DemoDay(year: 2025, month: 11, day: 22)
/// Generated once: the default size takes a moment, and the data is immutable.
private let standard = DemoDataset.generate(today: today)

private let germanLegalForms = ["GmbH", "AG", "SE", "KG", "Co. KG", "Co KG", "e.K.", "OHG", "UG (haftungsbeschränkt)", "VVaG", "eG", "AöR", "e.U.", "OG"]
private let englishLegalForms = ["Ltd", "plc", "Inc.", "Corp.", "LLC", "B.V.", "N.V.", "SAS", "SA"]

private func legalForm(of name: String, in forms: [String]) -> Bool { forms.contains { name.hasSuffix(" " + $0) } }

/// Index of the first difference, so a failure names one record instead of printing 10,000.
private func firstMismatch<T: Equatable>(_ a: [T], _ b: [T]) -> Int? {
    if let i = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset { return i }
    return a.count == b.count ? nil : min(a.count, b.count)
}

@Suite("Demo dataset")
struct DemoDatasetTests {
    // MARK: Determinism and size

    @Test func sameSeedGivesSameData() {
        let again = DemoDataset.generate(today: today)
        #expect(firstMismatch(again.accounts, standard.accounts) == nil)
        #expect(firstMismatch(again.contacts, standard.contacts) == nil)
        #expect(firstMismatch(again.consents, standard.consents) == nil)
        #expect(firstMismatch(again.contracts, standard.contracts) == nil)
        #expect(firstMismatch(again.contractEvents, standard.contractEvents) == nil)
    }

    @Test func differentSeedGivesDifferentData() {
        let other = DemoDataset.generate(seed: 7, today: today)
        #expect(firstMismatch(other.accounts.map(\.name), standard.accounts.map(\.name)) != nil)
        #expect(firstMismatch(other.contacts.map(\.email), standard.contacts.map(\.email)) != nil)
        #expect(firstMismatch(other.contracts.map(\.startDate), standard.contracts.map(\.startDate)) != nil)
    }

    @Test func defaultSizeRuns() {
        let data = DemoDataset.generate(today: DemoDay(year: 2026, month: 3, day: 1))
        #expect(!data.accounts.isEmpty)
    }

    @Test func defaultVolumes() {
        #expect(standard.accounts.count == 320)
        #expect(standard.contacts.count >= 3_000)
        #expect(standard.contracts.count >= standard.accounts.count)
        #expect(standard.contractEvents.count > standard.contracts.count)
        #expect(standard.consents.count > standard.contacts.count / 2)
        let households = standard.accounts.filter { $0.kind == "household" }
        #expect(households.count >= 32 && households.count <= 64)   // about 15 %
    }

    @Test func smallAndEmptyDatasetsWork() {
        #expect(DemoDataset.generate(today: today, accountCount: 0) == DemoDataset())
        #expect(DemoDataset.generate(today: today, accountCount: -3).accounts.isEmpty)
        let one = DemoDataset.generate(today: today, accountCount: 1, contactsPerAccount: 1...1)
        #expect(one.accounts.count == 1)
        #expect(one.contracts.count >= 1)
        #expect(!one.contacts.isEmpty)
        let tiny = DemoDataset.generate(seed: 3, today: today, accountCount: 12, contactsPerAccount: 0...2)
        #expect(tiny.accounts.count == 12)
        let custom = DemoDataset.generate(seed: 5, today: today, accountCount: 60, contactsPerAccount: 2...3)
        let counts = Dictionary(grouping: custom.contacts, by: \.accountKey).mapValues(\.count)
        for a in custom.accounts where a.segment == "SMB" { #expect((2...3).contains(counts[a.key] ?? 0), "\(a.key)") }
    }

    // MARK: Keys and references

    @Test func keysAreUniqueAndWellFormed() {
        #expect(Set(standard.accounts.map(\.key)).count == standard.accounts.count)
        #expect(Set(standard.contacts.map(\.key)).count == standard.contacts.count)
        #expect(Set(standard.contracts.map(\.key)).count == standard.contracts.count)
        #expect(Set(standard.accounts.map(\.name)).count == standard.accounts.count)
        #expect(standard.accounts.first?.key == "ACC-00001")
        #expect(standard.contacts.allSatisfy { $0.key.hasPrefix("CON-") && $0.key.count == 10 })
        #expect(standard.contracts.allSatisfy { $0.key.hasPrefix("CTR-") && $0.key.count == 10 })
    }

    @Test func emailsAreUniqueASCIIAndReserved() {
        let emails = standard.contacts.map(\.email)
        #expect(Set(emails).count == emails.count)
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-@")
        for email in emails {
            #expect(email.allSatisfy { allowed.contains($0) }, "\(email)")
            #expect(email.hasSuffix(".example"), "\(email)")
            let parts = email.split(separator: "@", omittingEmptySubsequences: false)
            #expect(parts.count == 2 && !parts[0].isEmpty && !parts[0].hasPrefix(".") && !parts[0].hasSuffix(".") && !parts[0].contains(".."), "\(email)")
        }
    }

    @Test func umlautsAreTransliterated() {
        #expect(demoASCII("Jördis Müller-Oßwald") == "joerdismueller-osswald".replacingOccurrences(of: "-", with: ""))
        #expect(demoASCII("Müller-Oßwald", keep: ["-"]) == "mueller-osswald")
        #expect(demoASCII("Léa Chloé Bärbel") == "leachloebaerbel")
        #expect(demoASCII("O'Brien") == "obrien")
        #expect(demoSlug("Hofmann & Söhne Logistik") == "hofmann-soehne-logistik")
        #expect(demoSlug("Alpenblick Versicherung (Schweiz)") == "alpenblick-versicherung-schweiz")
        let umlauts = standard.contacts.filter { $0.lastName.contains("ü") }
        #expect(!umlauts.isEmpty)
        #expect(umlauts.allSatisfy { !$0.email.contains("ü") })
        #expect(umlauts.contains { $0.email.contains("ue") })
    }

    @Test func foreignKeysResolve() {
        let accounts = Set(standard.accounts.map(\.key))
        let contacts = Set(standard.contacts.map(\.key))
        let contracts = Set(standard.contracts.map(\.key))
        #expect(standard.contacts.allSatisfy { accounts.contains($0.accountKey) })
        #expect(standard.contracts.allSatisfy { accounts.contains($0.accountKey) })
        #expect(standard.consents.allSatisfy { contacts.contains($0.contactKey) })
        #expect(standard.contractEvents.allSatisfy { contracts.contains($0.contractKey) })
        #expect(standard.accounts.compactMap(\.parentKey).allSatisfy { accounts.contains($0) })
    }

    @Test func parentsComeFirstAndHaveNoCycles() {
        var position: [String: Int] = [:]
        for (i, a) in standard.accounts.enumerated() { position[a.key] = i }
        let parentOf = Dictionary(uniqueKeysWithValues: standard.accounts.map { ($0.key, $0.parentKey) })
        for (i, account) in standard.accounts.enumerated() {
            if let parent = account.parentKey { #expect(position[parent]! < i, "\(account.key) comes before its parent") }
            var seen: Set<String> = [account.key]
            var current = account.parentKey
            while let key = current {
                #expect(!seen.contains(key), "cycle through \(key)")
                if seen.contains(key) { break }
                seen.insert(key)
                current = parentOf[key] ?? nil
            }
        }
        let businesses = standard.accounts.filter { $0.kind == "business" }
        let subsidiaries = businesses.filter { $0.parentKey != nil }
        let share = Double(subsidiaries.count) / Double(businesses.count)
        #expect(share >= 0.05 && share <= 0.11, "subsidiary share \(share)")
        #expect(standard.accounts.filter { $0.kind == "household" }.allSatisfy { $0.parentKey == nil })
    }

    // MARK: Accounts

    @Test func accountVocabulary() {
        let segments: [String: Set<String>] = ["Enterprise": ["enterprise", "large"], "Mid-Market": ["medium", "large"],
                                               "SMB": ["small", "micro"], "Consumer": ["household"]]
        for a in standard.accounts {
            #expect(segments[a.segment]?.contains(a.size) == true, "\(a.key) \(a.segment)/\(a.size)")
            #expect(["high_touch", "pooled", "tech_touch"].contains(a.coverageModel))
            #expect((a.coverageModel == "tech_touch") == (a.ownerIndex == nil), "\(a.key)")
            if let owner = a.ownerIndex { #expect((0..<DemoDataset.ownerCount).contains(owner)) }
            #expect(["DE", "AT", "CH", "GB", "US", "NL", "FR"].contains(a.country))
            #expect(a.attributes["region"] != nil && a.attributes["city"] != nil)
            if a.kind == "household" {
                #expect(a.segment == "Consumer" && a.industry == nil && a.coverageModel == "tech_touch")
            } else {
                #expect(a.kind == "business" && a.segment != "Consumer")
                #expect(a.industry != nil)
            }
        }
        let industries = Set(standard.accounts.compactMap(\.industry))
        #expect(industries.count >= 10 && industries.count <= 14)
        let enterprises = standard.accounts.filter { $0.segment == "Enterprise" }
        #expect(Double(enterprises.filter { $0.coverageModel == "high_touch" }.count) > 0.7 * Double(enterprises.count))
    }

    @Test func germanAndEnglishNamesArePresent() {
        let dach = standard.accounts.filter { ["DE", "AT", "CH"].contains($0.country) }
        let germanNamed = dach.filter { a in
            a.kind == "business" && (legalForm(of: a.name, in: germanLegalForms) || a.industry == "Öffentlicher Sektor")
        }
        #expect(Double(germanNamed.count) >= 0.2 * Double(standard.accounts.count))
        let international = standard.accounts.filter { $0.kind == "business" && ["GB", "US", "NL", "FR"].contains($0.country) }
        #expect(international.count >= 10)
        #expect(international.filter { legalForm(of: $0.name, in: englishLegalForms) }.count >= 10)
        #expect(standard.accounts.contains { $0.name.hasPrefix("Haushalt ") })
        #expect(standard.accounts.contains { $0.name.hasPrefix("Household ") })
        #expect(standard.contacts.filter { $0.language == "de" }.count > standard.contacts.count / 2)
        #expect(standard.contacts.contains { $0.language == "en" })
        #expect(standard.contacts.contains { $0.language == "fr" })
    }

    @Test func currencyFollowsCountry() {
        let country = Dictionary(uniqueKeysWithValues: standard.accounts.map { ($0.key, $0.country) })
        for c in standard.contracts {
            let expected = ["CH": "CHF", "GB": "GBP", "US": "USD"][country[c.accountKey]!] ?? "EUR"
            #expect(c.currency == expected, "\(c.key)")
        }
    }

    // MARK: Contacts and consents

    @Test func contactsLookReal() {
        let kind = Dictionary(uniqueKeysWithValues: standard.accounts.map { ($0.key, $0.kind) })
        let allowedChannels = ["email", "phone", "sms", "letter", "portal"]
        let phoneChars = Set("0123456789 +")
        for c in standard.contacts {
            #expect(!c.firstName.isEmpty && !c.lastName.isEmpty)
            #expect(!c.channelPreferences.isEmpty)
            #expect(c.channelPreferences.allSatisfy { allowedChannels.contains($0) })
            #expect(Set(c.channelPreferences).count == c.channelPreferences.count)
            #expect(["de", "en", "fr"].contains(c.language))
            if let phone = c.phone {
                #expect(phone.hasPrefix("+") && phone.allSatisfy { phoneChars.contains($0) } && phone.filter(\.isNumber).count >= 8, "\(phone)")
            }
            if kind[c.accountKey] == "household" {
                #expect(c.role == nil && c.stakeholderSide == "customer")
            } else {
                #expect(c.role != nil)
            }
        }
        let vendor = standard.contacts.filter { $0.stakeholderSide == "vendor" }
        let share = Double(vendor.count) / Double(standard.contacts.count)
        #expect(share > 0.01 && share < 0.06, "vendor share \(share)")
        #expect(standard.contacts.allSatisfy { $0.stakeholderSide == "customer" || $0.stakeholderSide == "vendor" })
        let sizes = Dictionary(grouping: standard.contacts, by: \.accountKey).mapValues(\.count)
        #expect(standard.accounts.allSatisfy { (sizes[$0.key] ?? 0) >= 1 })
        #expect(standard.accounts.filter { $0.kind == "household" }.allSatisfy { (1...4).contains(sizes[$0.key] ?? 0) })
    }

    @Test func consentsAreInThePastAndCoverPurposes() {
        let start = DemoDay(year: today.year, month: today.month, day: today.day).instant()
        #expect(standard.consents.allSatisfy { $0.recordedAt < start })
        #expect(standard.consents.allSatisfy { ["survey", "callback", "marketing", "social_matching"].contains($0.purpose) })
        #expect(standard.consents.allSatisfy { ["email", "phone", "sms", "letter"].contains($0.channel) })
        #expect(standard.consents.allSatisfy { !$0.source.isEmpty })
        let contacts = Double(standard.contacts.count)
        func share(_ purpose: String) -> Double {
            Double(Set(standard.consents.filter { $0.purpose == purpose && $0.granted }.map(\.contactKey)).count) / contacts
        }
        #expect(share("survey") > 0.7)
        #expect(share("callback") > 0.3 && share("callback") < 0.5)
        #expect(share("marketing") > 0.18 && share("marketing") < 0.32)
        #expect(share("social_matching") > 0 && share("social_matching") < 0.06)
        let vendorKeys = Set(standard.contacts.filter { $0.stakeholderSide == "vendor" }.map(\.key))
        #expect(!standard.consents.contains { vendorKeys.contains($0.contactKey) })
    }

    @Test func withdrawalsFollowTheirGrant() {
        let byContact = Dictionary(grouping: standard.consents, by: \.contactKey)
        let withdrawals = standard.consents.filter { !$0.granted }
        #expect(!withdrawals.isEmpty)
        for w in withdrawals {
            let grant = byContact[w.contactKey]!.first { $0.granted && $0.purpose == w.purpose && $0.channel == w.channel }
            #expect(grant != nil, "\(w.contactKey) withdrew \(w.purpose) without a grant")
            if let grant { #expect(grant.recordedAt < w.recordedAt) }
        }
        let share = Double(Set(withdrawals.map(\.contactKey)).count) / Double(standard.contacts.count)
        #expect(share > 0.025 && share < 0.08, "withdrawal share \(share)")
    }

    // MARK: Contracts and events

    @Test func everyAccountHasAContract() {
        let byAccount = Dictionary(grouping: standard.contracts, by: \.accountKey)
        #expect(standard.accounts.allSatisfy { !(byAccount[$0.key] ?? []).isEmpty })
        let enterprises = standard.accounts.filter { $0.segment == "Enterprise" }
        let multi = enterprises.filter { (2...4).contains(byAccount[$0.key]?.count ?? 0) }
        #expect(Double(multi.count) > 0.6 * Double(enterprises.count))
        #expect(enterprises.allSatisfy { (byAccount[$0.key]?.count ?? 0) <= 4 })
        let churnedAccounts = Set(standard.contracts.filter { $0.status == "churned" }.map(\.accountKey))
        let share = Double(churnedAccounts.count) / Double(standard.accounts.count)
        #expect(share > 0.035 && share < 0.08, "accounts with churn \(share)")
        #expect(standard.contractEvents.contains { $0.kind == "churn" && ($0.reason == "Merged into parent company" || $0.reason == "In Muttergesellschaft aufgegangen") })
    }

    @Test func statusesAndDatesAreConsistent() {
        let statuses = Dictionary(grouping: standard.contracts, by: \.status).mapValues(\.count)
        #expect(Set(statuses.keys).isSubset(of: ["active", "churned", "expired", "pending"]))
        let active = Double(statuses["active"] ?? 0) / Double(standard.contracts.count)
        #expect(active > 0.78 && active < 0.92, "active share \(active)")
        #expect((statuses["churned"] ?? 0) > 0 && (statuses["expired"] ?? 0) > 0 && (statuses["pending"] ?? 0) > 0)
        for c in standard.contracts {
            if let end = c.endDate { #expect(end >= c.startDate, "\(c.key)") }
            if let renewal = c.renewalDate { #expect(renewal > today && renewal >= c.startDate, "\(c.key)") }
            switch c.status {
            case "active": #expect(c.startDate <= today && c.renewalDate != nil && (c.endDate.map { $0 > today } ?? true), "\(c.key)")
            case "pending": #expect(c.startDate > today, "\(c.key)")
            default: #expect(c.endDate.map { $0 <= today } == true && c.renewalDate == nil, "\(c.key)")
            }
        }
    }

    @Test func renewalsSpreadOverEighteenMonths() {
        let horizon = today.adding(months: 18)
        let renewals = standard.contracts.filter { $0.status == "active" }.compactMap(\.renewalDate)
        #expect(renewals.count == standard.contracts.filter { $0.status == "active" }.count)
        #expect(renewals.allSatisfy { $0 > today && $0 <= horizon })
        let months = Dictionary(grouping: renewals) { $0.year * 12 + $0.month }.mapValues(\.count)
        #expect(months.count >= 15)
        // Roughly even: no full month holds more than three times its fair share.
        let fair = Double(renewals.count) / 18
        #expect(months.values.allSatisfy { Double($0) < 3 * fair })
        #expect(renewals.filter { $0 > today.adding(months: 12) }.count > renewals.count / 6)
    }

    @Test func renewalWindowHoldsOnAwkwardDays() {
        for (seed, day) in [(1, DemoDay(year: 2024, month: 1, day: 31)), (2, DemoDay(year: 2028, month: 2, day: 29)),
                            (3, DemoDay(year: 2025, month: 12, day: 31))] {
            let data = DemoDataset.generate(seed: UInt64(seed), today: day, accountCount: 80)
            let horizon = day.adding(months: 18)
            for c in data.contracts where c.status == "active" {
                #expect(c.renewalDate.map { $0 > day && $0 <= horizon } == true, "\(c.key) \(String(describing: c.renewalDate)) for \(day)")
            }
            #expect(data.contractEvents.allSatisfy { $0.occurredOn <= day && $0.occurredOn >= day.adding(months: -48) })
        }
    }

    @Test func arrMatchesSegment() {
        let segment = Dictionary(uniqueKeysWithValues: standard.accounts.map { ($0.key, $0.segment) })
        let ranges: [String: ClosedRange<Int64>] = ["Enterprise": 5_000_000...50_000_000, "Mid-Market": 1_000_000...6_000_000,
                                                   "SMB": 100_000...1_200_000, "Consumer": 20_000...250_000]
        for c in standard.contracts {
            #expect(ranges[segment[c.accountKey]!]!.contains(c.arrMinor), "\(c.key) \(c.product) \(c.arrMinor)")
        }
    }

    @Test func eventsTellAConsistentHistory() {
        let byContract = Dictionary(grouping: standard.contractEvents, by: \.contractKey)
        let oldest = today.adding(months: -48)
        for c in standard.contracts {
            let events = byContract[c.key] ?? []
            if c.status == "pending" {
                #expect(events.isEmpty, "\(c.key)")
                continue
            }
            guard let first = events.first else {
                Issue.record("\(c.key) has no events")
                continue
            }
            #expect(first.kind == "new" && first.occurredOn == c.startDate && first.arrDeltaMinor > 0, "\(c.key)")
            #expect(events.filter { $0.kind == "new" }.count == 1)
            #expect(zip(events, events.dropFirst()).allSatisfy { $0.occurredOn < $1.occurredOn }, "\(c.key) events out of order")
            #expect(events.allSatisfy { $0.occurredOn <= today && $0.occurredOn >= oldest })
            let churns = events.filter { $0.kind == "churn" }
            if c.status == "churned" {
                #expect(churns.count == 1 && events.last?.kind == "churn" && events.last?.occurredOn == c.endDate, "\(c.key)")
                #expect(churns.first?.arrDeltaMinor == -c.arrMinor)
                #expect(events.reduce(0) { $0 + $1.arrDeltaMinor } == 0)
            } else {
                #expect(churns.isEmpty, "\(c.key)")
                #expect(events.reduce(0) { $0 + $1.arrDeltaMinor } == c.arrMinor, "\(c.key)")
            }
            for e in events {
                switch e.kind {
                case "new", "expansion": #expect(e.arrDeltaMinor > 0)
                case "contraction", "churn":
                    #expect(e.arrDeltaMinor < 0)
                    #expect(!(e.reason ?? "").isEmpty, "\(c.key) \(e.kind) without reason")
                case "renewal": #expect(e.arrDeltaMinor >= 0 && e.arrDeltaMinor <= c.arrMinor / 10)
                default: Issue.record("unknown event kind \(e.kind)")
                }
            }
        }
        #expect(standard.contractEvents.contains { $0.kind == "contraction" })
        #expect(standard.contractEvents.contains { $0.kind == "expansion" })
        #expect(standard.contractEvents.contains { $0.kind == "renewal" })
        #expect(standard.contractEvents.contains { $0.occurredOn < today.adding(months: -42) })
    }

    // MARK: Days

    @Test func dayArithmetic() {
        let d = DemoDay(year: 2024, month: 1, day: 31)
        #expect(d.iso == "2024-01-31")
        #expect(DemoDay(year: 987, month: 3, day: 4).iso == "0987-03-04")
        #expect(d.adding(months: 1) == DemoDay(year: 2024, month: 2, day: 29))
        #expect(DemoDay(year: 2023, month: 1, day: 31).adding(months: 1) == DemoDay(year: 2023, month: 2, day: 28))
        #expect(d.adding(months: -2) == DemoDay(year: 2023, month: 11, day: 30))
        #expect(d.adding(months: 12) == DemoDay(year: 2025, month: 1, day: 31))
        #expect(d.adding(days: 1) == DemoDay(year: 2024, month: 2, day: 1))
        #expect(DemoDay(year: 2024, month: 2, day: 28).adding(days: 1) == DemoDay(year: 2024, month: 2, day: 29))
        #expect(DemoDay(year: 2024, month: 12, day: 31).adding(days: 1) == DemoDay(year: 2025, month: 1, day: 1))
        #expect(DemoDay(year: 2025, month: 1, day: 1).adding(days: -365) == DemoDay(year: 2024, month: 1, day: 2))
        #expect(DemoDay(year: 1970, month: 1, day: 1).dayNumber == 0)
        #expect(DemoDay(year: 2000, month: 3, day: 1).adding(days: 10_000).adding(days: -10_000) == DemoDay(year: 2000, month: 3, day: 1))
        #expect(DemoDay(year: 2024, month: 5, day: 1) < DemoDay(year: 2024, month: 5, day: 2))
        #expect(DemoDay(year: 2023, month: 12, day: 31) < DemoDay(year: 2024, month: 1, day: 1))
        #expect(DemoDay(Date(timeIntervalSince1970: 86_400 * 365)) == DemoDay(year: 1971, month: 1, day: 1))
        #expect(DemoDay(year: 2024, month: 2, day: 29).instant() == Date(timeIntervalSince1970: 1_709_164_800))
    }
}
