import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension UUID {
    /// The nil UUID (all bits zero): a key's stand-in for "none" where a key column cannot be NULL,
    /// and the first in any sort of ids.
    public static let zero = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// A version 7 UUID (RFC 9562): 48 bits of Unix milliseconds, then random bits. Rows created in
    /// bulk get ids in roughly ascending order, so the primary-key index grows at its end instead of
    /// touching a random page per row: a million-row import stays in the page cache.
    public static func timeOrdered(at date: Date = Date()) -> UUID {
        timeOrdered(count: 1, at: date)[0]
    }

    /// `count` version 7 UUIDs for the same moment, their random bits drawn from the system's
    /// generator in one call (one system call per id was a visible share of a bulk import).
    public static func timeOrdered(count: Int, at date: Date = Date()) -> [UUID] {
        guard count > 0 else { return [] }
        let ms = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var random = [UInt8](repeating: 0, count: count * 10)
        fillRandom(&random)
        var ids: [UUID] = []
        ids.reserveCapacity(count)
        for k in 0..<count {
            let r = k * 10
            let t = { (i: UInt64) in UInt8(truncatingIfNeeded: ms >> (40 - 8 * i)) }
            ids.append(UUID(uuid: (t(0), t(1), t(2), t(3), t(4), t(5),
                                   0x70 | (random[r] & 0x0F), random[r + 1],          // version 7
                                   0x80 | (random[r + 2] & 0x3F), random[r + 3],      // RFC 9562 variant
                                   random[r + 4], random[r + 5], random[r + 6], random[r + 7], random[r + 8], random[r + 9])))
        }
        return ids
    }

    private static func fillRandom(_ bytes: inout [UInt8]) {
        #if canImport(Glibc)
        bytes.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }   // glibc ≥ 2.36: getrandom underneath
        #else
        var rng = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: .min ... .max, using: &rng) }
        #endif
    }
}
