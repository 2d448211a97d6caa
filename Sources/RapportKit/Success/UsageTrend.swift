import Foundation

/// Product usage of an account in the latest window, compared with the window before.
public struct UsageSummary: Sendable, Equatable, Codable {
    public let activeUsers: Int
    public let previousActiveUsers: Int
    public let features: Int
    public let events: Int
    /// Relative change of active users vs the previous window, nil when the previous window had none.
    public let change: Double?
    /// change ≤ −dropShare: usage fell enough to warn the account's CSM.
    public let dropped: Bool
}

/// Usage trends of accounts.
public enum UsageTrend {
    /// dropShare 0.3 flags a fall of 30 % or more in active users.
    public static func summary(activeUsers: Int, previousActiveUsers: Int, features: Int, events: Int, dropShare: Double = 0.3) -> UsageSummary {
        let change = previousActiveUsers > 0 ? Double(activeUsers - previousActiveUsers) / Double(previousActiveUsers) : nil
        // A fall of exactly dropShare must count, even when the division lands one ulp short of it.
        let dropped = change.map { $0 <= -dropShare + 1e-12 } ?? false
        return UsageSummary(activeUsers: activeUsers, previousActiveUsers: previousActiveUsers, features: features,
                            events: events, change: change, dropped: dropped)
    }
}
