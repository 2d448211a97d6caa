/// The closed vocabularies of the customer model. Each raw value is what the API, CSV files and the
/// database use; user-facing labels live in the server's localisation tables.
public protocol Vocabulary: RawRepresentable, CaseIterable, Codable, Sendable, Hashable where RawValue == String {}

extension Vocabulary {
    public static var allowed: [String] { allCases.map(\.rawValue) }
    /// Case-insensitive parse with a reason that lists the allowed values.
    public static func parse(_ text: String) -> Result<Self, FieldProblem> {
        FieldCheck.oneOf(text, allowed).map { Self(rawValue: $0)! }
    }
}

public enum AccountKind: String, Vocabulary { case business, household }
public enum AccountSize: String, Vocabulary { case micro, small, medium, large, enterprise, household }
public enum CoverageModel: String, Vocabulary {
    case highTouch = "high_touch"
    case pooled
    case techTouch = "tech_touch"
}
public enum StakeholderSide: String, Vocabulary { case customer, vendor }
public enum Channel: String, Vocabulary { case email, phone, sms, letter, portal }
public enum ConsentPurpose: String, Vocabulary {
    case survey, callback, marketing
    case socialMatching = "social_matching"
}
public enum ConsentChannel: String, Vocabulary { case email, phone, sms, letter, any }
public enum ContractStatus: String, Vocabulary { case pending, active, expired, cancelled, churned }
public enum ContractEventKind: String, Vocabulary {
    case new, renewal, expansion, contraction, churn
    /// Churn and contraction are where retention work learns something; an event without a reason teaches nothing.
    public var needsReason: Bool { self == .churn || self == .contraction }
}

extension Role: Vocabulary {}
