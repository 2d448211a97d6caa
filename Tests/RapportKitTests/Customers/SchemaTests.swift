import Foundation
import Testing
@testable import RapportKit

@Suite("Entity schemas")
struct SchemaTests {
    @Test("every problem of an input is reported at once, by field")
    func allErrors() {
        guard case .failure(let f) = CustomerSchemas.account.validate(["name": " ", "country": "Deutschland", "coverage_model": "vip", "colour": "red"]) else {
            Issue.record("accepted a bad account"); return
        }
        #expect(Set(f.errors.map(\.field)) == ["name", "country", "coverage_model", "colour"])
        #expect(f.errors.first { $0.field == "coverage_model" }?.message.contains("high_touch") == true)
    }

    @Test("values are normalised")
    func normalised() throws {
        let v = try CustomerSchemas.contact.validate(["email": " Anna@Example.ORG ", "language": "de-AT"]).mapError { $0 }.get()
        #expect(v.text("language") == "de" && v.text("email") == "Anna@example.org")
        let c = try CustomerSchemas.contract.validate(["account_external_id": "A", "product": "P", "start_date": "31.12.2026", "arr": "1.234,50", "currency": "chf"]).mapError { $0 }.get()
        #expect(c.date("start_date")?.iso == "2026-12-31" && c.decimal("arr") == Decimal(string: "1234.5") && c.text("currency") == "CHF")
    }

    @Test("channel lists accept commas, semicolons and pipes and drop duplicates")
    func lists() throws {
        let v = try CustomerSchemas.contact.validate(["channel_preferences": "email; phone|email"]).mapError { $0 }.get()
        #expect(v.list("channel_preferences") == ["email", "phone"])
        guard case .failure(let f) = CustomerSchemas.contact.validate(["channel_preferences": "email, pigeon"]) else { Issue.record("accepted pigeon"); return }
        #expect(f.errors.map(\.field) == ["channel_preferences"])
    }

    @Test("a full name supplies first and last name")
    func names() {
        var v: [String: FieldValue] = ["name": .text("Anna Maria Huber")]
        #expect(CustomerSchemas.normalizeContact(&v, creating: true).isEmpty)
        #expect(v.text("first_name") == "Anna Maria" && v.text("last_name") == "Huber" && v["name"] == nil)
        var none: [String: FieldValue] = [:]
        #expect(CustomerSchemas.normalizeContact(&none, creating: true).map(\.field) == ["last_name"])
    }

    @Test("contract and event rules across fields")
    func rules() {
        let start = DateOnly(year: 2026, month: 5, day: 1)!, before = DateOnly(year: 2026, month: 4, day: 1)!
        #expect(CustomerSchemas.contractRules(["start_date": .date(start), "end_date": .date(before)]).map(\.field) == ["end_date"])
        #expect(CustomerSchemas.contractEventRules(["kind": .text("churn")]).map(\.field) == ["reason"])
        #expect(CustomerSchemas.contractEventRules(["kind": .text("expansion"), "arr_delta": .decimal(-5)]).map(\.field) == ["arr_delta"])
        #expect(CustomerSchemas.contractEventRules(["kind": .text("renewal")]).isEmpty)
    }

    @Test("search keys fold case, accents and ß")
    func search() {
        #expect(searchKey("Müller Straße", "ÉCOLE") == "muller strasse ecole")
    }
}

@Suite("Search keys")
struct SearchKeyTests {
    @Test("the table fold agrees with Foundation's folding on Latin names", arguments: ["Müller", "Jürgen Größe", "François Ørsted", "ŁÓDŹ Žižek", "Ærøskøbing", "Ñandú", "ÉCOLE", "plain ascii 42"])
    func agrees(_ name: String) {
        let foundation = name.replacingOccurrences(of: "ß", with: "ss").replacingOccurrences(of: "Æ", with: "AE").replacingOccurrences(of: "æ", with: "ae")
            .replacingOccurrences(of: "Ø", with: "O").replacingOccurrences(of: "ø", with: "o").replacingOccurrences(of: "Ł", with: "L").replacingOccurrences(of: "ł", with: "l")
            .folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "en_US_POSIX")).lowercased()
        #expect(searchKey(name) == foundation)
    }

    @Test("other scripts fall back to Foundation")
    func otherScripts() {
        #expect(searchKey("Ελλάδα") == "ελλαδα")
        #expect(searchKey("Anna", nil, "", "B") == "anna b")
    }
}
