import Foundation

/// A share with its 95 % interval. Wilson's score interval: unlike the textbook p ± 1.96·SE it stays
/// inside 0…1 and keeps its coverage for small n and shares near 0 or 1 (response rates often are).
public struct Proportion: Sendable, Equatable {
    public let successes: Int
    public let n: Int
    public let estimate: Double
    public let low: Double
    public let high: Double

    public static func wilson(successes: Int, n: Int, z: Double = 1.959963984540054) -> Proportion {
        precondition(n > 0 && successes >= 0 && successes <= n, "a share needs 0 ≤ successes ≤ n and n > 0")
        let p = Double(successes) / Double(n)
        let nn = Double(n)
        let denominator = 1 + z * z / nn
        let centre = (p + z * z / (2 * nn)) / denominator
        let half = z * (p * (1 - p) / nn + z * z / (4 * nn * nn)).squareRoot() / denominator
        return Proportion(successes: successes, n: n, estimate: p, low: max(0, centre - half), high: min(1, centre + half))
    }
}
