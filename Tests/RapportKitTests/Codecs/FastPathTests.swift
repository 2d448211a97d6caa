import Foundation
import Testing
@testable import RapportKit

/// The fast paths may only accept what the full checks accept, with the same result.
@Suite("Fast paths agree with the full checks")
struct FastPathTests {
    static let emails = ["anna@example.org", "Anna.Muster@Example.ORG", "a.b+c@sub.example.co", "x@y.de", "o'neil@example.ie",
                         "a..b@example.org", ".a@example.org", "a@example", "a@-x.de", "a@x-.de", "a@x.d", "a@x.123", "a@@x.de",
                         "a b@x.de", "ä@x.de", "a@x..de", "a@.x.de", "@x.de", "a@x.de.", "a@xn--bcher-kva.example", "a@x_y.de"]
    static let phones = ["+49 89 1234567", "030/123456", "(0)89 12-34-56", "12345", "+49+89 123456", " +49 89 1234567", "089 12345a", "+41 44 000 00 00"]

    @Test("e-mail", arguments: emails)
    func email(_ s: String) {
        if let fast = FastPath.email(s) { #expect(FieldCheck.email(s) == .success(fast)) }
        if case .success = FieldCheck.email(s) {} else { #expect(FastPath.email(s) == nil) }
    }

    @Test("language", arguments: ["de", "en", "fr", "xx", "iw", "DE", "de-AT", "d", "deu", " de", "dé", "zh"])
    func language(_ s: String) {
        if let fast = FastPath.languageCode(s) { #expect(FieldCheck.languageCode(s) == .success(fast)) }
        if case .success(let full) = FieldCheck.languageCode(s), full == s { #expect(FastPath.languageCode(s) == s) }
    }

    @Test("phone", arguments: phones)
    func phone(_ s: String) {
        if FastPath.phone(s) { #expect(FieldCheck.phone(s) == .success(s)) }
    }
}

@Suite("A UUID read by bytes")
struct FastUUIDTests {
    @Test("reads and writes as Foundation does: random ids in both cases, the all-zero and all-one ids, malformed text")
    func agrees() {
        for _ in 0..<2_000 {
            let u = UUID()
            #expect(FastUUID.parse(u.uuidString) == u)
            #expect(FastUUID.parse(u.uuidString.lowercased()) == u)
            #expect(FastUUID.text(u) == u.uuidString)
            #expect(FastUUID.text(u, lowercase: true) == u.uuidString.lowercased())
        }
        let edges = [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                     UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))]
        for u in edges { #expect(FastUUID.text(u) == u.uuidString && FastUUID.text(u, lowercase: true) == u.uuidString.lowercased()) }
        for bad in ["", "not-a-uuid", "01A24E48F5877A1B9E5616CA5CFF990B", "01A24E48-F587-7A1B-9E56-16CA5CFF990", "01A24E48-F587-7A1B-9E56-16CA5CFF990BB",
                    "01A24E48_F587-7A1B-9E56-16CA5CFF990B", "01A24E48-F587-7A1B-9E56-16CA5CFF990G", "01A24E48-F587-7A1B-9E5-616CA5CFF990B", "{1A24E48-F587-7A1B-9E56-16CA5CFF990B}",
                    "01A24E48-F587-7A1B-9E56-16CA5CFF99ö"] {
            #expect(FastUUID.parse(bad) == nil && UUID(uuidString: bad) == nil, "\(bad)")
        }
    }

    @Test("ids (Foundation's order) sort as their texts sort, and version 7 ids of one moment come out in time order")
    func idOrder() {
        let ids = (0..<500).map { _ in UUID() } + [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))]
        #expect(ids.sorted().map(\.uuidString) == ids.map(\.uuidString).sorted())
        let early = UUID.timeOrdered(count: 50, at: Date(timeIntervalSince1970: 1_700_000_000)), late = UUID.timeOrdered(count: 50, at: Date(timeIntervalSince1970: 1_700_000_001))
        #expect((late + early).sorted() == early.sorted() + late.sorted())
    }
}
