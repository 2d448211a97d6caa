import Fluent
import Foundation
import RapportKit
import SQLKit
import Vapor

struct PeerMeasureDTO: Codable, Sendable {
    /// licence_utilisation, feature_breadth or goal_progress, each a share 0…1 (utilisation may exceed 1).
    var measure: String
    /// This account's value; nil when it has no data for the measure.
    var value: Double?
    /// Peers with a value for this measure.
    var peers: Int
    /// Where the account stands (0…100, scipy's percentileofscore "mean") and the peers' quartiles;
    /// nil below `PeersAPI.minimumPeers` peers with data, or when the account has no value.
    var percentile: Double?
    var p25: Double?; var median: Double?; var p75: Double?
}

struct PeerBenchmarkDTO: Codable, Sendable {
    var account_id: UUID
    /// segment_and_size, segment or workspace: the narrowest group with enough peers.
    var basis: String
    var segment: String?; var size: String?
    /// Accounts in the group other than this one that have a health score on `computed_on`.
    var peers: Int
    var computed_on: String?
    var measures: [PeerMeasureDTO]
    /// Features that at least half of the upper quarter of peers (by feature breadth) used in the last
    /// 28 days and this account did not: options to look at, not prescriptions.
    var options: [PeerFeatureOptionDTO]
    var top_peers: Int
}

struct PeerFeatureOptionDTO: Codable, Sendable { var feature: String; var used_by: Int; var of: Int }

/// The peer benchmark: an account's adoption and goal progress against similar accounts, read from the
/// raw measures stored with the latest health scores so every account is compared on the same day.
enum PeersAPI {
    /// Below this many peers with data there is no percentile: one or two other accounts are no benchmark.
    static let minimumPeers = 5
    static let measures: [(name: String, kind: HealthComponentKind)] = [
        ("licence_utilisation", .usage), ("feature_breadth", .adoption), ("goal_progress", .goals),
    ]

    struct Row: Decodable { var account_id: UUID; var detail: String }

    static func benchmark(account: Account, scope: Scope, today given: DateOnly? = nil) async throws -> PeerBenchmarkDTO {
        let today = given ?? scope.today
        let id = account.id!
        struct D: Decodable { var d: String? }
        let newest = try await scope.db.sql.raw("SELECT MAX(computed_on) AS d FROM health_scores WHERE workspace_id = \(bind: scope.workspaceID)")
            .first(decoding: D.self)?.d
        var basis = "workspace"
        var rows: [Row] = []
        if let newest {
            // The narrowest group with enough peers: segment and size, then segment, then the workspace.
            var groups: [(String, SQLQueryString)] = []
            if let segment = account.segment, !segment.isEmpty {
                if let size = account.size, !size.isEmpty {
                    groups.append(("segment_and_size", " AND a.segment = \(bind: segment) AND a.size = \(bind: size)"))
                }
                groups.append(("segment", " AND a.segment = \(bind: segment)"))
            }
            groups.append(("workspace", ""))
            for (name, condition) in groups {
                rows = try await scope.db.sql.raw("""
                    SELECT h.account_id, h.detail FROM health_scores h JOIN accounts a ON a.id = h.account_id
                    WHERE h.workspace_id = \(bind: scope.workspaceID) AND h.computed_on = \(bind: newest)\(condition)
                    """).all(decoding: Row.self)
                basis = name
                if rows.filter({ $0.account_id != id }).count >= minimumPeers { break }
            }
        }
        var own: [HealthComponentKind: Double] = [:]
        var peerValues: [HealthComponentKind: [Double]] = [:]
        var breadth: [(UUID, Double)] = []
        for r in rows {
            guard let s = try? PlainJSON.decode(HealthScore.self, from: Data(r.detail.utf8)) else { continue }
            for c in s.contributions { if let raw = c.raw, raw.isFinite {
                if r.account_id == id { own[c.kind] = raw } else {
                    peerValues[c.kind, default: []].append(raw)
                    if c.kind == .adoption { breadth.append((r.account_id, raw)) }
                }
            } }
        }
        let peerCount = rows.filter { $0.account_id != id }.count
        let out = measures.map { m -> PeerMeasureDTO in
            let values = peerValues[m.kind] ?? []
            let p = values.count >= minimumPeers ? own[m.kind].flatMap { PeerBenchmark.position(of: $0, among: values) } : nil
            return PeerMeasureDTO(measure: m.name, value: own[m.kind], peers: values.count, percentile: p?.percentile, p25: p?.p25, median: p?.median, p75: p?.p75)
        }
        // Feature options from the upper quarter of peers by breadth.
        var options: [PeerFeatureOptionDTO] = []
        let cut = breadth.count >= minimumPeers ? PeerBenchmark.quantile(breadth.map(\.1).sorted(), 0.75) : nil
        let top = cut.map { c in breadth.filter { $0.1 >= c }.map(\.0) } ?? []
        if !top.isEmpty {
            let d = today.dayNumber
            struct F: Decodable { var feature: String; var n: Int }
            let used = try await scope.db.sql.raw("""
                SELECT feature, COUNT(DISTINCT account_id) AS n FROM usage_daily WHERE workspace_id = \(bind: scope.workspaceID)
                AND \(SQLQueryString.each("day", d - 27...d)) AND account_id IN (\(binds: top)) GROUP BY feature
                """).all(decoding: F.self)
            struct Mine: Decodable { var feature: String }
            let mine = Set(try await scope.db.sql.raw("""
                SELECT DISTINCT feature FROM usage_daily WHERE workspace_id = \(bind: scope.workspaceID)
                AND \(SQLQueryString.each("day", d - 27...d)) AND account_id = \(bind: id)
                """).all(decoding: Mine.self).map(\.feature))
            options = used.filter { !mine.contains($0.feature) && $0.n * 2 >= top.count }
                .sorted { ($0.n, $1.feature) > ($1.n, $0.feature) }
                .prefix(5).map { PeerFeatureOptionDTO(feature: $0.feature, used_by: $0.n, of: top.count) }
        }
        return PeerBenchmarkDTO(account_id: id, basis: basis, segment: account.segment, size: account.size, peers: peerCount,
                                computed_on: newest, measures: out, options: options, top_peers: top.count)
    }

    static func show(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let account = try await scope.find(Account.self, parameter: "id", of: req)
        return PlainJSON.response(try await benchmark(account: account, scope: scope))
    }

    static func register(_ api: APIBuilder) {
        api.on(APIRoute(method: .GET, path: "/accounts/{id}/peers",
                        summary: "An account's licence utilisation, feature breadth and goal progress against similar accounts: percentile, peers' quartiles and n",
                        tag: "Customer Success", permission: .readCustomers, response: .object("PeerBenchmark")), show)
    }
}
