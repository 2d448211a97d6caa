import Foundation

/// The standard normal distribution: tail probabilities for z-tests and quantiles for intervals.
public enum NormalDistribution {
    /// P(Z ≤ x). Through erfc, so the lower tail keeps its relative precision far out.
    public static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// P(|Z| ≥ |z|): the two-sided p-value of a z statistic.
    public static func twoSidedPValue(_ z: Double) -> Double { erfc(abs(z) / 2.0.squareRoot()) }

    /// The x with cdf(x) = p, 0 < p < 1: Acklam's rational approximation (relative error 1e-9), then
    /// one Halley step on erfc, which brings it to machine precision.
    public static func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "a normal quantile needs 0 < p < 1")
        // Upper half by symmetry: 1 − p is exact there, and the refinement below keeps its relative
        // precision only in the lower tail.
        if p > 0.5 { return -quantile(1 - p) }
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - low {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * log1p(-p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let e = cdf(x) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }
}

/// Student's t distribution for any positive, also non-integer, degrees of freedom (Welch's df are
/// rarely whole numbers), through the regularized incomplete beta function.
public enum StudentT {
    /// Beyond this the t and the normal distribution differ by less than 1e-8 in the CDF, and the
    /// continued fraction would need thousands of terms.
    static let normalBeyond = 1e7

    /// The density at t.
    public static func density(_ t: Double, df: Double) -> Double {
        precondition(df > 0, "t needs df > 0")
        if df > normalBeyond { return exp(-t * t / 2) / (2 * Double.pi).squareRoot() }
        return exp(lgamma((df + 1) / 2) - lgamma(df / 2) - 0.5 * log(df * Double.pi) - (df + 1) / 2 * log1p(t * t / df))
    }

    /// P(T ≥ t), computed directly (not as 1 − cdf) so small tails keep their precision.
    public static func upperTail(_ t: Double, df: Double) -> Double {
        precondition(df > 0, "t needs df > 0")
        if t.isNaN { return .nan }
        if df > normalBeyond { return NormalDistribution.cdf(-t) }
        if t < 0 { return 1 - upperTail(-t, df: df) }
        if t.isInfinite { return 0 }
        // P(T ≥ t) = ½·I_x(df/2, ½) with x = df/(df + t²); 1 − x is passed as well, computed without
        // cancellation, for t near 0.
        let t2 = t * t
        return 0.5 * regularizedIncompleteBeta(x: df / (df + t2), y: t2 / (df + t2), a: df / 2, b: 0.5)
    }

    /// P(T ≤ t).
    public static func cdf(_ t: Double, df: Double) -> Double { upperTail(-t, df: df) }

    /// P(|T| ≥ |t|): the two-sided p-value of a t statistic.
    public static func twoSidedPValue(_ t: Double, df: Double) -> Double { min(1, 2 * upperTail(abs(t), df: df)) }

    /// The t with cdf(t) = p, 0 < p < 1. Closed forms for df 1 and 2; otherwise Newton's method on the
    /// tail, started from the Cornish–Fisher expansion and kept inside a bracket (bisection when a step
    /// leaves it), so heavy tails at small df cannot throw it off.
    public static func quantile(_ p: Double, df: Double) -> Double {
        precondition(p > 0 && p < 1, "a t quantile needs 0 < p < 1")
        precondition(df > 0, "t needs df > 0")
        if p == 0.5 { return 0 }
        // Solve in the smaller tail q, where the precision is.
        let q = min(p, 1 - p), sign: Double = p > 0.5 ? 1 : -1
        if df > normalBeyond { return sign * -NormalDistribution.quantile(q) }
        if df == 1 { return sign / tan(Double.pi * q) }
        if df == 2 { return sign * (1 - 2 * q) / (2 * q * (1 - q)).squareRoot() }
        let z = -NormalDistribution.quantile(q)
        let g1 = (pow(z, 3) + z) / 4
        let g2 = (5 * pow(z, 5) + 16 * pow(z, 3) + 3 * z) / 96
        let g3 = (3 * pow(z, 7) + 19 * pow(z, 5) + 17 * pow(z, 3) - 15 * z) / 384
        var t = max(z + g1 / df + g2 / (df * df) + g3 / (df * df * df), 1e-3)
        var lo = 0.0, hi = t
        while upperTail(hi, df: df) > q { lo = hi; hi *= 2 }
        for _ in 0..<200 {
            let f = upperTail(t, df: df) - q
            if f == 0 { break }
            if f > 0 { lo = t } else { hi = t }
            var next = t + f / density(t, df: df)
            if !(next > lo && next < hi) { next = (lo + hi) / 2 }
            let step = abs(next - t)
            t = next
            if step <= 1e-14 * max(1, t) { break }
        }
        return sign * t
    }
}

/// I_x(a, b), the regularized incomplete beta function, with y = 1 − x given by the caller (who can
/// often compute it without cancellation). Continued fraction in Lentz's form (Numerical Recipes
/// §6.4), on the side of x where it converges quickly.
func regularizedIncompleteBeta(x: Double, y: Double, a: Double, b: Double) -> Double {
    if x <= 0 { return 0 }
    if y <= 0 { return 1 }
    let front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(y))
    if x < (a + 1) / (a + b + 2) { return front * betaContinuedFraction(x: x, a: a, b: b) / a }
    return 1 - front * betaContinuedFraction(x: y, a: b, b: a) / b
}

private func betaContinuedFraction(x: Double, a: Double, b: Double) -> Double {
    let tiny = 1e-300, epsilon = 1e-16
    let qab = a + b, qap = a + 1, qam = a - 1
    var c = 1.0
    var d = 1 - qab * x / qap
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    // Terms needed grow like √max(a, b); 20,000 covers df up to the normal cut-off with room.
    for m in 1...20_000 {
        let m = Double(m), m2 = 2 * m
        var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d; if abs(d) < tiny { d = tiny }
        c = 1 + aa / c; if abs(c) < tiny { c = tiny }
        d = 1 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d; if abs(d) < tiny { d = tiny }
        c = 1 + aa / c; if abs(c) < tiny { c = tiny }
        d = 1 / d
        let delta = d * c
        h *= delta
        if abs(delta - 1) < epsilon { break }
    }
    return h
}
