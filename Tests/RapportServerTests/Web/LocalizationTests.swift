import Foundation
import Testing
import RapportKit
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

    @Test("money from minor units reads exactly as money from the decimal amount")
    func moneyFromMinorUnits() {
        let samples: [Int64] = [0, 1, 5, 10, 50, 99, 100, 101, 150, 1_200_000, 1_234_567, 99_999_999_999, -1, -5, -50, -99, -100, -101, -150, -1_234_567]
        for lang in UILanguage.allCases {
            for minor in samples {
                #expect(lang.money(minor: minor, "EUR") == lang.money(Decimal(minor) / 100, "EUR"), "\(lang) \(minor)")
            }
        }
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

@Suite("Every page text has a German translation")
struct TranslationCoverageTests {
    @Test("each literal key the pages pass to ctx.t is in the German table")
    func germanKeys() throws {
        let web = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../Sources/RapportServer/Web").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: web.path).filter { $0.hasSuffix(".swift") }
        let pattern = try NSRegularExpression(pattern: #"ctx\.t\("((?:[^"\\]|\\.)*)"\)"#)
        var missing: [String] = []
        for file in files {
            let text = try String(contentsOf: web.appendingPathComponent(file), encoding: .utf8)
            for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let key = String(text[Range(m.range(at: 1), in: text)!]).replacingOccurrences(of: "\\\"", with: "\"")
                if key.contains("\\(") { continue }
                if German.table[key] == nil { missing.append("\(file): \(key)") }
            }
        }
        #expect(missing.isEmpty, "untranslated: \(missing.joined(separator: "; "))")
        for ms in MaturityMilestone.allCases {
            #expect(German.table[ms.rawValue] != nil && German.table["short." + ms.rawValue] != nil && English.labels[ms.rawValue] != nil)
        }
        for q in MatrixQuadrant.allCases { #expect(German.table["quadrant." + q.rawValue] != nil && English.labels["quadrant." + q.rawValue] != nil) }
        for v in TouchpointOwnership.allowed + TouchpointDirection.allowed + PhaseNoteKind.allowed + MaturityLevel.allowed { #expect(German.table[v] != nil, "\(v)") }
    }
}
