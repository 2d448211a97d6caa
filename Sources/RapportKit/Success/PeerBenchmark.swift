import Foundation

/// Where one account's figure stands among its peers'.
public struct PeerPosition: Sendable, Equatable, Codable {
    public let value: Double
    public let peers: Int
    /// 0…100: the share of peers below plus half of those equal (scipy's percentileofscore, kind "mean").
    public let percentile: Double
    public let p25: Double
    public let median: Double
    public let p75: Double
}

/// Comparisons of an account with a peer group (same industry, size or plan).
public enum PeerBenchmark {
    /// nil when there are no peers or the value is not finite; peers that are not finite are left out.
    /// Quartiles by linear interpolation between the sorted peers (numpy's default "linear" percentile).
    public static func position(of value: Double, among peers: [Double]) -> PeerPosition? {
        guard value.isFinite else { return nil }
        let sorted = peers.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return nil }
        let below = sorted.reduce(0) { $1 < value ? $0 + 1 : $0 }
        let equal = sorted.reduce(0) { $1 == value ? $0 + 1 : $0 }
        let percentile = (Double(below) + Double(equal) / 2) / Double(sorted.count) * 100
        return PeerPosition(value: value, peers: sorted.count, percentile: percentile,
                            p25: quantile(sorted, 0.25), median: quantile(sorted, 0.5), p75: quantile(sorted, 0.75))
    }

    /// Type 7 of Hyndman and Fan: the value at position q·(n − 1) of the sorted (non-empty) list, interpolated.
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let h = q * Double(sorted.count - 1)
        let lower = Int(h.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = h - Double(lower)
        // Written as a + f·(b − a) with the f = 0 case exact, so equal neighbours and whole positions
        // return a peer's own value.
        return fraction == 0 ? sorted[lower] : sorted[lower] + fraction * (sorted[upper] - sorted[lower])
    }
}
