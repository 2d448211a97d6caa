import Foundation
import Testing
import RapportKit

/// The reason of a failed check, or nil when the check passed.
private func reason<T>(_ result: Result<T, FieldProblem>) -> String? {
    if case .failure(let problem) = result { return problem.reason }
    return nil
}

private func value<T>(_ result: Result<T, FieldProblem>) -> T? {
    try? result.get()
}

struct EmailCheckTests {
    @Test func trimsAndLowercasesOnlyTheDomain() {
        #expect(value(FieldCheck.email("  Ada.Lovelace@Example.COM ")) == "Ada.Lovelace@example.com")
        #expect(value(FieldCheck.email("a+tag@mail.example.co.uk")) == "a+tag@mail.example.co.uk")
        #expect(value(FieldCheck.email("jürgen@müller.de")) == "jürgen@müller.de")
    }

    @Test(arguments: [
        ("not-an-email", "has no '@'"),
        ("a@b@example.com", "more than one '@'"),
        ("@example.com", "before the '@'"),
        ("ada@", "after the '@'"),
        ("ada lovelace@example.com", "space"),
        ("ada@localhost", "no dot"),
        ("ada@example..com", "empty part"),
        ("ada@.example.com", "empty part"),
        ("ada@example.c", "top-level domain"),
        ("ada@exa_mple.com", "letters, digits"),
        ("<ada@example.com>", "'<'"),
        ("ada.@example.com", "dot"),
    ])
    func rejectsWithAReason(_ input: String, _ why: String) throws {
        let text = try #require(reason(FieldCheck.email(input)))
        #expect(text.hasPrefix("'\(input)' is not an e-mail address"))
        #expect(FieldProblem(text).description == text)
        #expect(text.contains(why))
    }

    @Test func limitsTheLength() {
        let long = String(repeating: "a", count: 60) + "@" + String(repeating: "b", count: 190) + ".com"
        #expect(long.count == 255)
        #expect(reason(FieldCheck.email(long))?.contains("254") == true)
        let local = String(repeating: "a", count: 65) + "@example.com"
        #expect(reason(FieldCheck.email(local))?.contains("64") == true)
    }
}

struct CodeCheckTests {
    @Test func countryCodes() {
        #expect(value(FieldCheck.countryCode("de")) == "DE")
        #expect(value(FieldCheck.countryCode(" ch ")) == "CH")
        for code in ["AT", "US", "AX", "BQ", "SS"] { #expect(value(FieldCheck.countryCode(code)) == code) }
        #expect(reason(FieldCheck.countryCode("Germany")) == "'Germany' is not a country code — use a two-letter ISO code such as DE, AT, CH")
        #expect(reason(FieldCheck.countryCode("XX"))?.contains("such as DE, AT, CH") == true)
        #expect(reason(FieldCheck.countryCode("UK"))?.contains("GB") == true)
        #expect(reason(FieldCheck.countryCode("DEU"))?.contains("'DEU'") == true)
    }

    @Test func countryListIsComplete() {
        let letters = (UInt8(ascii: "A")...UInt8(ascii: "Z")).map { String(UnicodeScalar($0)) }
        let valid = letters.flatMap { a in letters.map { a + $0 } }.filter { (try? FieldCheck.countryCode($0).get()) != nil }
        #expect(valid.count == 249)
    }

    @Test func currencyCodes() {
        #expect(value(FieldCheck.currencyCode("eur")) == "EUR")
        for code in ["CHF", "USD", "GBP", "JPY", "XCG", "ZWG", "SLE", "XAU"] { #expect(value(FieldCheck.currencyCode(code)) == code) }
        #expect(reason(FieldCheck.currencyCode("DEM"))?.contains("'DEM' is not a known currency code") == true)
        #expect(reason(FieldCheck.currencyCode("Euro"))?.contains("such as EUR, CHF, USD") == true)
        #expect(reason(FieldCheck.currencyCode("€"))?.contains("use EUR") == true)
        #expect(reason(FieldCheck.currencyCode("HRK")) != nil)
        #expect(reason(FieldCheck.currencyCode("XXX")) != nil)
    }

    @Test func languageCodes() {
        #expect(value(FieldCheck.languageCode("DE")) == "de")
        #expect(value(FieldCheck.languageCode("de-DE")) == "de")
        #expect(value(FieldCheck.languageCode("de_AT")) == "de")
        #expect(value(FieldCheck.languageCode("zh-Hant-TW")) == "zh")
        #expect(value(FieldCheck.languageCode("iw")) == "he")
        for code in ["en", "fr", "rm", "lb", "nb", "yo"] { #expect(value(FieldCheck.languageCode(code)) == code) }
        #expect(reason(FieldCheck.languageCode("German")) == "'German' is not a language code — use a two-letter ISO 639-1 code such as de, en, fr")
        #expect(reason(FieldCheck.languageCode("xx")) != nil)
        #expect(reason(FieldCheck.languageCode("de-")) != nil)
        #expect(reason(FieldCheck.languageCode("deu")) != nil)
    }

    @Test func languageListIsComplete() {
        let letters = (UInt8(ascii: "a")...UInt8(ascii: "z")).map { String(UnicodeScalar($0)) }
        let valid = letters.flatMap { a in letters.map { a + $0 } }.filter { (try? FieldCheck.languageCode($0).get()) == $0 }
        #expect(valid.count == 183)
    }
}

struct DateCheckTests {
    @Test func acceptsISOAndGermanDates() {
        #expect(value(FieldCheck.date("2026-11-22")) == DateOnly(year: 2026, month: 11, day: 22))
        #expect(value(FieldCheck.date(" 22.11.2026 ")) == DateOnly(year: 2026, month: 11, day: 22))
        #expect(value(FieldCheck.date("1.2.2024")) == DateOnly(year: 2024, month: 2, day: 1))
        #expect(value(FieldCheck.date("29.02.2024")) == DateOnly(year: 2024, month: 2, day: 29))
    }

    @Test func rejectsImpossibleDatesNamingTheFormat() throws {
        let text = try #require(reason(FieldCheck.date("2026-02-30")))
        #expect(text.contains("'2026-02-30' is not a valid date"))
        #expect(text.contains("February 2026 has 28 days"))
        #expect(text.contains("YYYY-MM-DD"))
        #expect(reason(FieldCheck.date("29.02.2025"))?.contains("28 days") == true)
        #expect(reason(FieldCheck.date("2026-13-01"))?.contains("no month 13") == true)
        #expect(reason(FieldCheck.date("2026-04-31"))?.contains("30 days") == true)
    }

    @Test(arguments: ["22/11/2026", "2026-1-5", "26-11-22", "22.11.26", "tomorrow", "", "2026-11-22T10:00:00Z", "2026-1a-05"])
    func rejectsOtherFormats(_ input: String) throws {
        let text = try #require(reason(FieldCheck.date(input)))
        #expect(text.contains("YYYY-MM-DD"))
        #expect(text.contains("DD.MM.YYYY"))
    }
}

struct NumberCheckTests {
    @Test(arguments: [
        ("1234.50", "1234.5"), ("1234,50", "1234.5"), ("1.234,50", "1234.5"), ("1,234.50", "1234.5"),
        ("-1.234,50", "-1234.5"), ("0,5", "0.5"), ("0.500", "0.5"), ("12", "12"), ("1.234.567", "1234567"),
        ("1,234,567.89", "1234567.89"), ("1234.567", "1234.567"), ("  42 ", "42"),
    ])
    func acceptsGermanAndEnglishNotation(_ input: String, _ expected: String) {
        #expect(value(FieldCheck.decimal(input)) == Decimal(string: expected, locale: Locale(identifier: "en_US_POSIX")))
    }

    @Test func rejectsAmbiguousThousands() throws {
        let text = try #require(reason(FieldCheck.decimal("1,234")))
        #expect(text.contains("'1,234' is ambiguous"))
        #expect(text.contains("1234 or 1.234"))
        #expect(reason(FieldCheck.decimal("1.234"))?.contains("ambiguous") == true)
    }

    @Test(arguments: ["abc", "12a", "1.2.3", "1,23.4.5", "1.234,5,6", "", "-", ".5", "5.", "1 234", "+5", "12,34,56", "1.2345,00"])
    func rejectsGarbage(_ input: String) throws {
        let text = try #require(reason(FieldCheck.decimal(input)))
        #expect(text.hasPrefix("'\(input)'"))
        #expect(text.contains("1234.50"))
    }

    @Test func integers() {
        #expect(value(FieldCheck.integer(" 42 ")) == 42)
        #expect(value(FieldCheck.integer("-7")) == -7)
        #expect(value(FieldCheck.integer("5", min: 1, max: 5)) == 5)
        #expect(reason(FieldCheck.integer("4.5")) == "'4.5' is not a whole number — write digits only, like 42")
        #expect(reason(FieldCheck.integer("")) != nil)
        #expect(reason(FieldCheck.integer("99999999999999999999"))?.contains("too large") == true)
        #expect(reason(FieldCheck.integer("0", min: 1)) == "'0' is less than the minimum of 1")
        #expect(reason(FieldCheck.integer("11", max: 10)) == "'11' is more than the maximum of 10")
    }
}

struct ChoiceAndPhoneCheckTests {
    let stages = ["Lead", "Customer", "Churned"]

    @Test func oneOfReturnsTheCanonicalSpelling() {
        #expect(value(FieldCheck.oneOf("customer", stages)) == "Customer")
        #expect(value(FieldCheck.oneOf(" CHURNED ", stages)) == "Churned")
    }

    @Test func oneOfListsTheAllowedValues() {
        #expect(reason(FieldCheck.oneOf("prospect", stages)) == "'prospect' is not one of the allowed values: Lead, Customer, Churned")
        #expect(reason(FieldCheck.oneOf("custmer", stages)) == "'custmer' is not one of the allowed values (Lead, Customer, Churned) — did you mean 'Customer'?")
    }

    @Test func phoneIsLenient() {
        #expect(value(FieldCheck.phone(" +49 (30) 123-456/7 ")) == "+49 (30) 123-456/7")
        #expect(value(FieldCheck.phone("030 123456")) == "030 123456")
    }

    @Test func phoneRejectsWithAReason() {
        #expect(reason(FieldCheck.phone("12345")) == "'12345' is not a phone number: it has 5 digits, but at least 6 are needed")
        #expect(reason(FieldCheck.phone("030 123456 ext. 5"))?.contains("contains 'e'") == true)
        #expect(reason(FieldCheck.phone("0049+30123456"))?.contains("'+' may only stand at the start") == true)
    }
}

struct DateOnlyTests {
    @Test func validatesLeapYears() {
        #expect(DateOnly(year: 2024, month: 2, day: 29) != nil)
        #expect(DateOnly(year: 2000, month: 2, day: 29) != nil)
        #expect(DateOnly(year: 1900, month: 2, day: 29) == nil)
        #expect(DateOnly(year: 2025, month: 2, day: 29) == nil)
        #expect(DateOnly(year: 2026, month: 4, day: 31) == nil)
        #expect(DateOnly(year: 2026, month: 0, day: 1) == nil)
        #expect(DateOnly(year: 0, month: 1, day: 1) == nil)
    }

    @Test func isoRoundTrip() throws {
        let date = try #require(DateOnly(iso: "2026-11-22"))
        #expect(date.year == 2026 && date.month == 11 && date.day == 22)
        #expect(date.iso == "2026-11-22")
        #expect(date.description == "2026-11-22")
        #expect(DateOnly(year: 33, month: 1, day: 2)?.iso == "0033-01-02")
        for bad in ["2026-02-30", "2026-1-22", "22.11.2026", "2026-11-22 ", "2026/11/22", "２０２６-11-22"] {
            #expect(DateOnly(iso: bad) == nil, "\(bad)")
        }
    }

    @Test func addsDaysAcrossMonthsYearsAndLeapDays() throws {
        let date = try #require(DateOnly(iso: "2024-02-28"))
        #expect(date.adding(days: 1).iso == "2024-02-29")
        #expect(date.adding(days: 2).iso == "2024-03-01")
        #expect(date.adding(days: 366).iso == "2025-02-28")
        #expect(date.adding(days: -59).iso == "2023-12-31")
        #expect(DateOnly(iso: "1970-01-01")!.adding(days: 0).iso == "1970-01-01")
        #expect(DateOnly(iso: "1969-12-31")!.adding(days: 1).iso == "1970-01-01")
    }

    @Test func addsMonthsClampingTheDay() throws {
        let date = try #require(DateOnly(iso: "2026-01-31"))
        #expect(date.adding(months: 1).iso == "2026-02-28")
        #expect(date.adding(months: 13).iso == "2027-02-28")
        #expect(date.adding(months: 3).iso == "2026-04-30")
        #expect(date.adding(months: -1).iso == "2025-12-31")
        #expect(date.adding(months: -12).iso == "2025-01-31")
        #expect(DateOnly(iso: "2023-02-28")!.adding(months: 12).iso == "2024-02-28")
        #expect(DateOnly(iso: "2024-02-29")!.adding(months: 12).iso == "2025-02-28")
    }

    @Test func countsDays() throws {
        let a = try #require(DateOnly(iso: "2026-01-01")), b = try #require(DateOnly(iso: "2027-01-01"))
        #expect(a.days(until: b) == 365)
        #expect(b.days(until: a) == -365)
        #expect(DateOnly(iso: "2000-01-01")!.days(until: DateOnly(iso: "2000-12-31")!) == 365)
    }

    @Test func dayArithmeticAgreesOverCenturies() throws {
        var date = try #require(DateOnly(iso: "1899-12-25"))
        for _ in 0..<80_000 {
            let next = date.adding(days: 1)
            #expect(next > date)
            #expect(date.days(until: next) == 1)
            let expected = DateOnly(year: date.year, month: date.month, day: date.day + 1)
                ?? DateOnly(year: date.year, month: date.month + 1, day: 1)
                ?? DateOnly(year: date.year + 1, month: 1, day: 1)
            if next != expected { Issue.record("\(date) + 1 = \(next)"); break }
            date = next
        }
    }

    @Test func ordersChronologically() throws {
        let dates = ["2026-11-22", "2025-12-31", "2026-01-05", "2026-11-03"].compactMap(DateOnly.init(iso:))
        #expect(dates.sorted().map(\.iso) == ["2025-12-31", "2026-01-05", "2026-11-03", "2026-11-22"])
    }

    @Test func codesAsTheISOString() throws {
        struct Contract: Codable, Equatable { let start: DateOnly }
        let contract = Contract(start: DateOnly(year: 2026, month: 11, day: 22)!)
        let json = try JSONEncoder().encode(contract)
        #expect(String(decoding: json, as: UTF8.self) == #"{"start":"2026-11-22"}"#)
        #expect(try JSONDecoder().decode(Contract.self, from: json) == contract)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Contract.self, from: Data(#"{"start":"2026-02-30"}"#.utf8)) }
    }

    @Test func convertsToAndFromInstantsInAZone() throws {
        let plusTwo = try #require(TimeZone(secondsFromGMT: 2 * 3600))
        let date = try #require(DateOnly(iso: "2026-11-22"))
        let midnight = date.date(in: plusTwo)
        #expect(midnight == Date(timeIntervalSince1970: 1_795_298_400))
        #expect(DateOnly(midnight, in: plusTwo) == date)
        #expect(DateOnly(midnight.addingTimeInterval(-1), in: plusTwo).iso == "2026-11-21")
        #expect(DateOnly(midnight, in: TimeZone(identifier: "UTC")!).iso == "2026-11-21")
        let west = try #require(TimeZone(secondsFromGMT: -10 * 3600))
        #expect(DateOnly(date.date(in: west), in: west) == date)
    }

    @Test(.enabled(if: TimeZone(identifier: "Europe/Berlin") != nil))
    func midnightFollowsDaylightSavingTime() throws {
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        // Summer time starts on 2026-03-29: midnight that day is still +1, the next one is +2.
        #expect(DateOnly(iso: "2026-03-29")!.date(in: berlin) == Date(timeIntervalSince1970: 1_774_738_800))
        #expect(DateOnly(iso: "2026-03-30")!.date(in: berlin) == Date(timeIntervalSince1970: 1_774_821_600))
    }

    @Test func todayMatchesTheClock() {
        let utc = DateOnly.today()
        #expect(utc == DateOnly(Date(), in: TimeZone(identifier: "UTC")!) || utc.adding(days: 1) == DateOnly(Date(), in: TimeZone(identifier: "UTC")!))
        #expect(abs(DateOnly.today(in: TimeZone(secondsFromGMT: 14 * 3600)!).days(until: utc)) <= 1)
    }
}

struct SuggestionTests {
    let columns = ["email", "name", "country", "phone", "customer_id"]

    @Test func findsTheClosestName() {
        #expect(suggestion(for: "e-mail", among: columns) == "email")
        #expect(suggestion(for: "EMail", among: columns) == "email")
        #expect(suggestion(for: "contry", among: columns) == "country")
        #expect(suggestion(for: "nmae", among: columns) == "name")
    }

    @Test func acceptsPrefixesAndSuffixes() {
        #expect(suggestion(for: "customer", among: columns) == "customer_id")
        #expect(suggestion(for: "mail", among: columns) == "email")
        #expect(suggestion(for: "phone_number", among: columns) == "phone")
    }

    @Test func staysQuietWhenNothingIsClose() {
        #expect(suggestion(for: "revenue", among: columns) == nil)
        #expect(suggestion(for: "xy", among: ["id"]) == nil)
        #expect(suggestion(for: "", among: columns) == nil)
        #expect(suggestion(for: "email", among: []) == nil)
    }
}
