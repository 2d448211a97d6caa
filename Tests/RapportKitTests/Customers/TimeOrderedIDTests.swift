import Foundation
import Testing
@testable import RapportKit

@Suite("Time-ordered ids")
struct TimeOrderedIDTests {
    @Test("version 7 with the RFC 9562 variant, the moment in the first 48 bits, and distinct random bits")
    func layout() {
        let moment = Date(timeIntervalSince1970: 1_764_979_200.123)
        let ids = UUID.timeOrdered(count: 1000, at: moment)
        #expect(ids.count == 1000 && Set(ids).count == 1000)
        for id in ids {
            let b = id.uuid
            #expect(b.6 >> 4 == 7 && b.8 >> 6 == 0b10)
            let ms = [b.0, b.1, b.2, b.3, b.4, b.5].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            #expect(ms == 1_764_979_200_123)
        }
        // Later moments sort after earlier ones, as text too (the primary-key order SQLite keeps).
        let later = UUID.timeOrdered(at: moment.addingTimeInterval(0.002))
        #expect(ids.allSatisfy { $0.uuidString < later.uuidString })
        #expect(UUID.timeOrdered(count: 0).isEmpty)
    }
}
