import Foundation

/// The demo workspace's customer base: accounts with their contacts, consents, contracts and
/// contract history. Plain values only; the server decides how to store them.
///
/// Generation is a pure function of its arguments, so the same seed and day always give the same
/// data: tests can rely on it and screenshots stay stable from one release to the next.
public struct DemoDataset: Sendable, Equatable {
    public var accounts: [DemoAccount]
    public var contacts: [DemoContact]
    public var consents: [DemoConsent]
    public var contracts: [DemoContract]
    public var contractEvents: [DemoContractEvent]

    /// How many CSM users `DemoAccount.ownerIndex` can point at (indices 0..<ownerCount).
    public static let ownerCount = 6

    public init(accounts: [DemoAccount] = [], contacts: [DemoContact] = [], consents: [DemoConsent] = [],
                contracts: [DemoContract] = [], contractEvents: [DemoContractEvent] = []) {
        self.accounts = accounts
        self.contacts = contacts
        self.consents = consents
        self.contracts = contracts
        self.contractEvents = contractEvents
    }

    /// - Parameters:
    ///   - today: the day the data is generated for; every event and consent lies before it, every
    ///     active renewal within the 18 months after it.
    ///   - contactsPerAccount: contacts of a business account. Enterprise accounts get a second draw
    ///     from this range on top (and Mid-Market a few more), because big customers have big buying
    ///     centres; households always have 1...4 members.
    public static func generate(seed: UInt64 = 42, today: DemoDay, accountCount: Int = 320,
                                contactsPerAccount: ClosedRange<Int> = 6...14) -> DemoDataset {
        var generator = DemoGenerator(seed: seed, today: today, contactsPerAccount: contactsPerAccount)
        return generator.run(accountCount: max(0, accountCount))
    }
}

/// A calendar day without time or zone (proleptic Gregorian). The generator works in days so that
/// nothing depends on the machine's time zone or calendar settings.
public struct DemoDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) {
        precondition((1...12).contains(month) && day >= 1 && day <= DemoDay.length(ofMonth: month, in: year),
                     "\(year)-\(month)-\(day) is not a calendar day")
        self.year = year
        self.month = month
        self.day = day
    }

    /// The calendar day `date` falls on in `timeZone`.
    public init(_ date: Date, timeZone: TimeZone = TimeZone(secondsFromGMT: 0)!) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        self.init(year: c.year!, month: c.month!, day: c.day!)
    }

    /// YYYY-MM-DD
    public var iso: String {
        func padded(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
    }

    public var description: String { iso }

    public func adding(days: Int) -> DemoDay { DemoDay(dayNumber: dayNumber + days) }

    /// Calendar months; a day that does not exist in the target month becomes its last day
    /// (31 January + 1 month = 28 or 29 February), as contract terms are usually read.
    public func adding(months: Int) -> DemoDay {
        let total = year * 12 + (month - 1) + months
        let y = total >= 0 ? total / 12 : (total - 11) / 12
        let m = total - y * 12 + 1
        return DemoDay(year: y, month: m, day: min(day, DemoDay.length(ofMonth: m, in: y)))
    }

    public static func < (a: DemoDay, b: DemoDay) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    static func length(ofMonth month: Int, in year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil), so day arithmetic needs no Calendar.
    var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    func days(until other: DemoDay) -> Int { other.dayNumber - dayNumber }

    /// Midnight UTC of this day plus `seconds`.
    func instant(seconds: Int = 0) -> Date {
        Date(timeIntervalSince1970: TimeInterval(dayNumber * 86_400 + seconds))
    }
}

public struct DemoAccount: Sendable, Equatable {
    /// Stable external id, e.g. "ACC-00017".
    public let key: String
    public let name: String
    /// Always an account earlier in `DemoDataset.accounts`, so inserting in order satisfies the foreign key.
    public let parentKey: String?
    /// "business" | "household"
    public let kind: String
    /// "Enterprise" | "Mid-Market" | "SMB" | "Consumer"
    public let segment: String
    /// One of a fixed list of German industry names; nil for households.
    public let industry: String?
    /// ISO 3166-1 alpha-2
    public let country: String
    /// "micro" | "small" | "medium" | "large" | "enterprise" | "household"
    public let size: String
    /// "high_touch" | "pooled" | "tech_touch"
    public let coverageModel: String
    /// Index into the server's list of CSM users (0..<DemoDataset.ownerCount); nil for tech_touch.
    public let ownerIndex: Int?
    /// Custom attributes: region, city, tier, employees, customer_since, lead_source, household_size.
    public let attributes: [String: String]
}

public struct DemoContact: Sendable, Equatable {
    /// "CON-000123"
    public let key: String
    public let accountKey: String
    public let firstName: String
    public let lastName: String
    /// Unique, lower-case ASCII, always under the reserved .example TLD.
    public let email: String
    public let phone: String?
    /// Job role in the account's language; nil for household members.
    public let role: String?
    /// "customer" | "vendor" (implementation-partner staff attached to the account)
    public let stakeholderSide: String
    /// ISO 639-1: "de", "en" or "fr"
    public let language: String
    /// Non-empty subset of "email", "phone", "sms", "letter", "portal", in that order.
    public let channelPreferences: [String]
}

public struct DemoConsent: Sendable, Equatable {
    public let contactKey: String
    /// "survey" | "callback" | "marketing" | "social_matching"
    public let purpose: String
    /// "email" | "phone" | "sms" | "letter"
    public let channel: String
    /// false = a withdrawal of an earlier grant for the same purpose and channel.
    public let granted: Bool
    public let source: String
    public let recordedAt: Date
}

public struct DemoContract: Sendable, Equatable {
    /// "CTR-000045"
    public let key: String
    public let accountKey: String
    public let product: String
    public let startDate: DemoDay
    /// Set for ended contracts and fixed-term services; nil for auto-renewing subscriptions.
    public let endDate: DemoDay?
    /// Next renewal; for active contracts always within the 18 months after `today`.
    public let renewalDate: DemoDay?
    /// Current ARR in minor units; for churned contracts the ARR that was lost.
    public let arrMinor: Int64
    /// "EUR", "CHF", "GBP" or "USD"
    public let currency: String
    /// "active" | "churned" | "expired" | "pending"
    public let status: String
}

public struct DemoContractEvent: Sendable, Equatable {
    public let contractKey: String
    /// "new" | "renewal" | "expansion" | "contraction" | "churn"
    public let kind: String
    public let occurredOn: DemoDay
    /// The deltas of a contract add up to its `arrMinor` (to zero once it churned).
    public let arrDeltaMinor: Int64
    /// Always set for churn and contraction.
    public let reason: String?
}
