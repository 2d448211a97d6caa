import Foundation
import SQLKit

/// The choices filter forms offer (account segments, markets, channels answers came through): each a
/// DISTINCT over a whole workspace, asked on every page view. A minute of staleness in a drop-down
/// costs nothing; the queries cost more than the rest of a page (100,000 accounts, or every month of
/// answers in the roll-ups).
actor ChoiceCache {
    static let shared = ChoiceCache()
    private var entries: [String: (at: Date, values: [String])] = [:]

    func segments(_ scope: Scope) async throws -> [String] {
        try await cached("segments", scope, "SELECT DISTINCT segment AS v FROM accounts WHERE workspace_id = \(bind: scope.workspaceID) AND segment IS NOT NULL ORDER BY segment")
    }

    func markets(_ scope: Scope) async throws -> [String] {
        try await cached("markets", scope, "SELECT DISTINCT country AS v FROM accounts WHERE workspace_id = \(bind: scope.workspaceID) AND country IS NOT NULL ORDER BY country")
    }

    /// Channels with answers, from the month roll-ups of everyone.
    func channels(_ scope: Scope) async throws -> [String] {
        try await cached("channels", scope, "SELECT DISTINCT channel AS v FROM metric_rollups WHERE workspace_id = \(bind: scope.workspaceID) AND grain = 'm' AND segment = '*' AND market = '*' AND metric = 'responses' AND channel <> '' ORDER BY channel")
    }

    private func cached(_ name: String, _ scope: Scope, _ query: SQLQueryString) async throws -> [String] {
        let key = "\(scope.workspaceID)/\(name)"
        if let e = entries[key], Date().timeIntervalSince(e.at) < 60 { return e.values }
        struct V: Decodable { var v: String? }
        let fresh = try await scope.db.sql.raw(query).all(decoding: V.self).compactMap(\.v)
        entries[key] = (Date(), fresh)
        return fresh
    }
}
