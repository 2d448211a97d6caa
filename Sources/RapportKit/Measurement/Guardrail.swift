import Foundation

/// Sample-size guardrail of a workspace: figures are shown normally at n ≥ showAt, in brackets with a
/// hint at bracketAt…showAt−1, hidden below bracketAt. Defaults 300 / 100 (seed 002). For scale: a
/// typical NPS (50% promoters, 20% detractors) has a 95% interval of about ±9 points at n = 300 and
/// ±15 at n = 100.
public struct Guardrail: Sendable, Equatable, Codable {
    public var showAt: Int, bracketAt: Int

    public static let standard = Guardrail(showAt: 300, bracketAt: 100)

    /// Stored settings are checked with `problems` where they are written; the initializer takes any
    /// numbers, so reading an old row never traps.
    public init(showAt: Int, bracketAt: Int) {
        self.showAt = showAt
        self.bracketAt = bracketAt
    }

    /// shown wins where the limits overlap (bracketAt > showAt, which `problems` refuses).
    public func state(n: Int) -> GuardrailState {
        if n >= showAt { return .shown }
        if n >= bracketAt { return .bracketed }
        return .hidden
    }

    public static let maximum = 1_000_000

    /// Problems as (field, message) pairs, empty when valid: both ≥ 1 (bracketAt may be 1, which hides
    /// only empty groups), bracketAt ≤ showAt (equal means no bracketed range), at most 1,000,000.
    public static func problems(showAt: Int, bracketAt: Int) -> [(field: String, message: String)] {
        var out: [(field: String, message: String)] = []
        for (field, value) in [("show_at", showAt), ("bracket_at", bracketAt)] {
            if value < 1 {
                out.append((field, "\(field) (\(value)) must be at least 1: a figure needs at least one answer"))
            } else if value > maximum {
                out.append((field, "\(field) (\(value)) is above 1,000,000: figures would practically never be shown"))
            }
        }
        if bracketAt > showAt {
            out.append(("bracket_at", "bracket_at (\(bracketAt)) is above show_at (\(showAt)): figures between them would be both shown and bracketed"))
        }
        return out
    }
}

public enum GuardrailState: String, Sendable, Codable { case shown, bracketed, hidden }
