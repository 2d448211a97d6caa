import Foundation
import Testing
@testable import RapportServer

@Suite("Numbers, money and dates per language")
struct LocalizationTests {
    @Test("grouping, decimals and signs as NumberFormatter wrote them")
    func numbers() {
        #expect(UILanguage.de.number(3462) == "3.462" && UILanguage.en.number(3462) == "3,462")
        #expect(UILanguage.en.number(-1234567) == "-1,234,567" && UILanguage.de.number(999) == "999")
        #expect(UILanguage.de.money(Decimal(string: "12000.5")!, "EUR") == "12.000,50 EUR")
        #expect(UILanguage.en.money(-12000.5, "EUR") == "-12,000.50 EUR")
        #expect(UILanguage.en.money(5000, "EUR") == "5,000 EUR")
        #expect(UILanguage.en.money(Decimal(string: "-0.5")!, "CHF") == "-0.50 CHF")
        #expect(UILanguage.de.compactMoney(Decimal(string: "14190549.3")!, "EUR") == "14,19 Mio. EUR")
        #expect(UILanguage.en.compactMoney(Decimal(string: "945581")!, "USD") == "945,581 USD")
    }

    @Test("date and time in the workspace's zone")
    func dates() {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let date = utc.date(from: DateComponents(year: 2026, month: 11, day: 22, hour: 8, minute: 0))!
        #expect(UILanguage.de.dateTime(date, zone: TimeZone(identifier: "Europe/Berlin")!) == "22.11.2026 09:00")
        #expect(UILanguage.en.dateTime(date, zone: TimeZone(identifier: "UTC")!) == "2026-11-22 08:00")
        #expect(UILanguage.de.date("2027-01-01") == "01.01.2027")
    }
}
