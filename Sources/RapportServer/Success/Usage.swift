import Crypto
import Fluent
import Foundation
import RapportKit
import SQLKit
import Vapor

/// One product usage event as sent: who (account, user), what (feature, count) and when.
struct UsageEventInput: Decodable, Sendable {
    var account_id: UUID?
    var account_external_id: String?
    var user: String?
    var feature: String?
    var count: Int?
    var time: String?
}

struct UsageBatchInput: Decodable, Sendable {
    var batch_id: String?
    var events: [UsageEventInput]?
}

struct UsageBatchResult: Codable, Sendable {
    var batch_id: String; var events: Int; var accounts: Int; var days: Int
}

/// Usage arrives in batches and is kept only as daily counts per account and feature, plus who was
/// active in which week (user names hashed: counting people needs no names). A batch is all or
/// nothing, and a batch id is accepted once, so a retried upload never counts twice.
enum UsageIngest {
    static let maxEvents = 100_000

    struct Row { var account: UUID; var user: String; var feature: String; var count: Int; var day: Int }

    /// Checks every event and names each refused one by position (API) or line (CSV); up to 50.
    static func store(batchID: String, rows: [Row], problems: [FieldError], scope: Scope, caller: Caller) async throws -> UsageBatchResult {
        if !problems.isEmpty {
            throw AppError.validation(Array(problems.prefix(50)) + (problems.count > 50 ? [FieldError("events", "… and \(problems.count - 50) more refused events")] : []))
        }
        guard !rows.isEmpty else { throw AppError.invalid("events", "the batch is empty") }
        var daily: [UUID: [Int: [String: Int]]] = [:]
        var weekly: Set<UserWeek> = []
        var hashed: [String: String] = [:]
        for r in rows {
            daily[r.account, default: [:]][r.day, default: [:]][r.feature, default: 0] += r.count
            let key: String
            if let h = hashed[r.user] { key = h } else { key = userKey(r.user, workspace: scope.workspaceID); hashed[r.user] = key }
            weekly.insert(UserWeek(account: r.account, week: week(ofDay: r.day), user: key))
        }
        // In key order: the upserts then walk each roll-up's B-tree from one end to the other instead of
        // jumping across it for every row (most of a large batch's time went to those jumps).
        let accounts = daily.keys.map { ($0, $0.uuidString) }.sorted { $0.1 < $1.1 }
        let dailyRows: [[any Encodable & Sendable]] = accounts.flatMap { account, _ in
            daily[account]!.sorted { $0.key < $1.key }.flatMap { day, features in
                features.sorted { $0.key < $1.key }.map { feature, n -> [any Encodable & Sendable] in [scope.workspaceID, account, day, feature, n] }
            }
        }
        let order = Dictionary(uniqueKeysWithValues: accounts.enumerated().map { ($1.0, $0) })
        let weekRows: [[any Encodable & Sendable]] = weekly.sorted { (order[$0.account]!, $0.week, $0.user) < (order[$1.account]!, $1.week, $1.user) }
            .map { [scope.workspaceID, $0.account, $0.week, $0.user] }
        try await scope.db.transaction { db in
            do {
                try await db.sql.raw("INSERT INTO usage_batches (workspace_id, batch_id, events, received_at) VALUES (\(bind: scope.workspaceID), \(bind: batchID), \(bind: rows.count), \(bind: Date().timeIntervalSince1970))").run()
            } catch let e as any DatabaseError where e.isConstraintFailure {
                throw AppError.conflict("The batch '\(batchID)' was received before; nothing was counted twice. Send new events with a new batch_id.")
            }
            try await BulkInsert.run(db, table: "usage_daily", columns: ["workspace_id", "account_id", "day", "feature", "events"], rows: dailyRows,
                                     suffix: " ON CONFLICT (workspace_id, account_id, day, feature) DO UPDATE SET events = usage_daily.events + excluded.events")
            try await BulkInsert.run(db, table: "usage_user_weeks", columns: ["workspace_id", "account_id", "week", "user_key"], rows: weekRows,
                                     suffix: " ON CONFLICT DO NOTHING")
        }
        return UsageBatchResult(batch_id: batchID, events: rows.count, accounts: daily.count, days: Set(daily.values.flatMap(\.keys)).count)
    }

    struct UserWeek: Hashable { var account: UUID; var week: Int; var user: String }

    static func userKey(_ user: String, workspace: UUID) -> String {
        hex(SHA256.hash(data: Data((workspace.uuidString + "\u{1F}" + user).utf8)).prefix(12))
    }

    private static let digits = Array("0123456789abcdef".utf8)
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Weeks counted from Monday 1970-01-05, so a week is Monday to Sunday.
    static func week(ofDay day: Int) -> Int { Int((Double(day - 4) / 7).rounded(.down)) }

    /// Resolves accounts and checks each event; `label` names an event in messages ("events[3]", "line 4").
    struct Checker {
        let scope: Scope
        var byExternalID: [String: UUID] = [:]
        var known: Set<UUID> = []
        let latest = Date().addingTimeInterval(300)

        init(scope: Scope, events: [UsageEventInput]) async throws {
            self.scope = scope
            let externals = Array(Set(events.compactMap { $0.account_id == nil ? $0.account_external_id : nil }))
            for chunk in stride(from: 0, to: externals.count, by: 5_000).map({ Array(externals[$0..<min($0 + 5_000, externals.count)]) }) {
                for a in try await scope.query(Account.self).filter(\.$externalID ~~ chunk).field(\.$id).field(\.$externalID).all() {
                    if let x = a.externalID { byExternalID[x] = a.id! }
                }
            }
            let ids = Array(Set(events.compactMap(\.account_id)))
            for chunk in stride(from: 0, to: ids.count, by: 5_000).map({ Array(ids[$0..<min($0 + 5_000, ids.count)]) }) {
                for a in try await scope.query(Account.self).filter(\.$id ~~ chunk).field(\.$id).all() { known.insert(a.id!) }
            }
        }

        func check(_ e: UsageEventInput, label: String, problems: inout [FieldError]) -> Row? {
            var why: [String] = []
            var account: UUID?
            if let id = e.account_id {
                if known.contains(id) { account = id } else { why.append("account_id \(id.uuidString.lowercased()) is not an account of this workspace") }
            } else if let x = e.account_external_id?.trimmed, !x.isEmpty {
                if let id = byExternalID[x] { account = id } else { why.append("account_external_id '\(x)' is not an account of this workspace") }
            } else { why.append("account_id or account_external_id is required") }
            let user = e.user?.trimmed ?? ""
            if user.isEmpty { why.append("user is required") } else if user.count > 200 { why.append("user is longer than 200 characters") }
            let feature = e.feature?.trimmed ?? ""
            if feature.isEmpty { why.append("feature is required") } else if feature.count > 100 { why.append("feature is longer than 100 characters") }
            else if let p = controlCharacterProblem(feature) { why.append("feature \(p)") }
            let count = e.count ?? 1
            if count < 1 || count > 1_000_000 { why.append("count \(count) must be from 1 to 1000000") }
            var day: Int?
            if let t = e.time?.trimmed, !t.isEmpty {
                if let d = SurveyImport.date(t) {
                    if d > latest { why.append("time \(t) is in the future") } else { day = DateOnly(d, in: SurveyImport.berlin).dayNumber }
                } else { why.append("time '\(t)' is not a date such as 2026-11-23T14:05:00Z or 2026-11-23") }
            } else { why.append("time is required") }
            if !why.isEmpty { problems.append(FieldError(label, why.joined(separator: "; "))); return nil }
            return Row(account: account!, user: user, feature: feature, count: count, day: day!)
        }
    }

    static func receive(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let caller = try req.caller
        let result: UsageBatchResult
        if req.headers.contentType?.subType == "csv" {
            guard let buffer = req.body.data else { throw AppError.badRequest("Send the CSV file as the body.") }
            var f = Filters(req)
            let batchID = f.text("batch_id") ?? Self.digest(Data(buffer.readableBytesView))
            try f.finish()
            result = try await csv(try CSVReader(data: Data(buffer.readableBytesView)), batchID: batchID, scope: scope, caller: caller)
        } else {
            let input = try decodePlainBody(req, as: UsageBatchInput.self)
            var v = RapportKit.Validator()
            let batchID = v.text("batch_id", input.batch_id, required: true, maxLength: 200)
            let events = input.events ?? []
            if input.events == nil { v.fail("events", "is required: a list of {account_external_id, user, feature, count, time}") }
            if events.count > maxEvents { v.fail("events", "\(events.count) events in one batch; send at most \(maxEvents)") }
            try v.finish()
            let checker = try await Checker(scope: scope, events: events)
            var problems: [FieldError] = []
            var rows: [Row] = []
            rows.reserveCapacity(events.count)
            for (i, e) in events.enumerated() { if let r = checker.check(e, label: "events[\(i)]", problems: &problems) { rows.append(r) } }
            result = try await store(batchID: batchID!, rows: rows, problems: problems, scope: scope, caller: caller)
        }
        return PlainJSON.response(result, status: .created)
    }

    static func digest(_ data: Data) -> String {
        "sha256:" + hex(SHA256.hash(data: data))
    }

    /// A CSV file (account_external_id or account_id, user, feature, count, time) as one batch.
    static func csv(_ reader: CSVReader, batchID: String, scope: Scope, caller: Caller, progress: (@Sendable (Int, Int?, Int) -> Void)? = nil) async throws -> UsageBatchResult {
        let header = reader.header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let columns = ["account_id", "account_external_id", "user", "feature", "count", "time"]
        if let unknown = header.first(where: { !columns.contains($0) }) {
            throw AppError.invalid("file", "the column '\(unknown)' is not known; usage files have the columns account_external_id (or account_id), user, feature, count, time")
        }
        for needed in ["user", "feature", "time"] where !header.contains(needed) {
            throw AppError.invalid("file", "the header needs a '\(needed)' column (columns: account_external_id or account_id, user, feature, count, time)")
        }
        var events: [UsageEventInput] = []
        var lines: [Int] = []
        var problems: [FieldError] = []
        while let record = try reader.next() {
            var e = UsageEventInput()
            for (name, raw) in zip(header, record.fields) {
                switch name {
                case "account_id":
                    if !raw.isEmpty { if let id = UUID(uuidString: raw.trimmed) { e.account_id = id } else { problems.append(FieldError("line \(record.line)", "account_id '\(raw)' is not an id")) } }
                case "account_external_id": e.account_external_id = raw
                case "user": e.user = raw
                case "feature": e.feature = raw
                case "count":
                    if !raw.trimmed.isEmpty { if let n = Int(raw.trimmed) { e.count = n } else { e.count = -1 } }
                default: e.time = raw
                }
            }
            events.append(e); lines.append(record.line)
            if events.count > 5_000_000 { throw AppError.invalid("file", "more than 5,000,000 events in one file; split it") }
            if events.count % 100_000 == 0 { progress?(reader.bytesRead, reader.totalBytes, events.count) }
        }
        let checker = try await Checker(scope: scope, events: events)
        var rows: [Row] = []
        rows.reserveCapacity(events.count)
        for (e, line) in zip(events, lines) { if let r = checker.check(e, label: "line \(line)", problems: &problems) { rows.append(r) } }
        return try await store(batchID: batchID, rows: rows, problems: problems, scope: scope, caller: caller)
    }

    static func register(_ api: APIBuilder) {
        api.on(APIRoute(method: .POST, path: "/usage/events",
                        summary: "Send a batch of product usage events (JSON with batch_id, or a CSV body with optional ?batch_id=); all or nothing, each batch once",
                        tag: "Customer Success", permission: .sendUsage, requestSchema: "UsageBatchInput", response: .object("UsageBatchResult"),
                        successStatus: 201, queryParameters: [QueryParameter(name: "batch_id", type: "string", summary: "For CSV bodies: the batch's id (default: the file's SHA-256)")],
                        maxBody: "64mb"), receive)
        api.on(APIRoute(method: .GET, path: "/accounts/{id}/usage", summary: "An account's usage: active users, feature breadth, licence utilisation, trend and daily events",
                        tag: "Customer Success", permission: .readCustomers, response: .object("AccountUsage")), UsageReads.show)
    }
}

struct DailyUsage: Codable, Sendable { var day: String; var events: Int; var features: Int }
struct FeatureUsage: Codable, Sendable { var feature: String; var events: Int }

struct AccountUsageDTO: Codable, Sendable {
    var account_id: UUID; var as_of: String
    var active_users: Int; var previous_active_users: Int; var change: Double?; var dropped: Bool
    var seats: Int?; var utilisation: Double?
    var features_used: Int; var features_available: Int; var breadth: Double?
    var events_28_days: Int
    var features: [FeatureUsage]
    var daily: [DailyUsage]
}

/// Reads over the usage roll-ups: per account for pages and KPIs, for every account at once for health.
enum UsageReads {
    static func activeUsers(account: UUID, weeksEnding day: DateOnly, weeks: Int, scope: Scope) async throws -> Int {
        let last = UsageIngest.week(ofDay: day.dayNumber)
        struct N: Decodable { var n: Int }
        return try await scope.db.sql.raw("""
            SELECT COUNT(DISTINCT user_key) AS n FROM usage_user_weeks
            WHERE workspace_id = \(bind: scope.workspaceID) AND account_id = \(bind: account) AND week > \(bind: last - weeks) AND week <= \(bind: last)
            """).first(decoding: N.self)?.n ?? 0
    }

    static func events(account: UUID, feature: String, from: DateOnly, to: DateOnly, scope: Scope) async throws -> Int {
        struct N: Decodable { var n: Int? }
        return try await scope.db.sql.raw("""
            SELECT CAST(SUM(events) AS BIGINT) AS n FROM usage_daily WHERE workspace_id = \(bind: scope.workspaceID) AND account_id = \(bind: account)
            AND feature = \(bind: feature) AND day >= \(bind: from.dayNumber) AND day <= \(bind: to.dayNumber)
            """).first(decoding: N.self)?.n ?? 0
    }

    /// Per account as of `day`: active users in the four weeks up to it and in the four before, features
    /// used and events in the 28 days up to it.
    struct Facts: Sendable { var active = 0; var previous = 0; var features = 0; var events = 0 }
    static func facts(asOf day: DateOnly, accounts: [UUID]? = nil, scope: Scope) async throws -> [UUID: Facts] {
        let w = UsageIngest.week(ofDay: day.dayNumber)
        let d = day.dayNumber
        var out: [UUID: Facts] = [:]
        if accounts?.isEmpty == true { return [:] }
        let narrow = SQLQueryString.accounts(accounts)
        struct U: Decodable { var account_id: UUID; var recent: Int; var earlier: Int }
        let users = try await scope.db.sql.raw("""
            SELECT account_id, COUNT(DISTINCT CASE WHEN week > \(bind: w - 4) THEN user_key END) AS recent,
                   COUNT(DISTINCT CASE WHEN week <= \(bind: w - 4) THEN user_key END) AS earlier
            FROM usage_user_weeks WHERE workspace_id = \(bind: scope.workspaceID) AND week > \(bind: w - 8) AND week <= \(bind: w)\(narrow)
            GROUP BY account_id
            """).all(decoding: U.self)
        for u in users { out[u.account_id, default: Facts()].active = u.recent; out[u.account_id, default: Facts()].previous = u.earlier }
        struct F: Decodable { var account_id: UUID; var features: Int; var events: Int }
        let features = try await scope.db.sql.raw("""
            SELECT account_id, COUNT(DISTINCT feature) AS features, CAST(SUM(events) AS BIGINT) AS events
            FROM usage_daily WHERE workspace_id = \(bind: scope.workspaceID) AND day > \(bind: d - 28) AND day <= \(bind: d)\(narrow)
            GROUP BY account_id
            """).all(decoding: F.self)
        for f in features { out[f.account_id, default: Facts()].features = f.features; out[f.account_id, default: Facts()].events = f.events }
        return out
    }

    /// How many features the workspace used in the 28 days up to `day` (reads every account's days).
    static func catalogue(asOf day: DateOnly, scope: Scope) async throws -> Int {
        struct N: Decodable { var n: Int }
        let d = day.dayNumber
        return try await scope.db.sql.raw("""
            SELECT COUNT(DISTINCT feature) AS n FROM usage_daily WHERE workspace_id = \(bind: scope.workspaceID) AND day > \(bind: d - 28) AND day <= \(bind: d)
            """).first(decoding: N.self)?.n ?? 0
    }

    /// Licensed seats per account: the sum over its active contracts that state them.
    static func seats(scope: Scope, asOf day: DateOnly) async throws -> [UUID: Int] {
        struct S: Decodable { var account_id: UUID; var seats: Int? }
        let rows = try await scope.db.sql.raw("""
            SELECT account_id, CAST(SUM(seats) AS BIGINT) AS seats FROM contracts WHERE workspace_id = \(bind: scope.workspaceID) AND seats IS NOT NULL
            AND start_date <= \(bind: day.iso) AND (end_date IS NULL OR end_date >= \(bind: day.iso)) AND status IN ('active', 'churned', 'expired', 'cancelled')
            GROUP BY account_id
            """).all(decoding: S.self)
        return Dictionary(uniqueKeysWithValues: rows.compactMap { r in r.seats.map { (r.account_id, $0) } })
    }

    static func summary(account: UUID, asOf day: DateOnly, scope: Scope) async throws -> AccountUsageDTO {
        let facts = try await facts(asOf: day, accounts: [account], scope: scope)
        let catalogue = try await catalogue(asOf: day, scope: scope)
        let f = facts[account] ?? Facts()
        let seats = try await seats(scope: scope, asOf: day)[account]
        let trend = UsageTrend.summary(activeUsers: f.active, previousActiveUsers: f.previous, features: f.features, events: f.events)
        struct D: Decodable { var day: Int; var events: Int; var features: Int }
        let daily = try await scope.db.sql.raw("""
            SELECT day, CAST(SUM(events) AS BIGINT) AS events, COUNT(*) AS features FROM usage_daily
            WHERE workspace_id = \(bind: scope.workspaceID) AND account_id = \(bind: account) AND day > \(bind: day.dayNumber - 90) AND day <= \(bind: day.dayNumber)
            GROUP BY day ORDER BY day
            """).all(decoding: D.self)
        struct FE: Decodable { var feature: String; var events: Int }
        let byFeature = try await scope.db.sql.raw("""
            SELECT feature, CAST(SUM(events) AS BIGINT) AS events FROM usage_daily
            WHERE workspace_id = \(bind: scope.workspaceID) AND account_id = \(bind: account) AND day > \(bind: day.dayNumber - 28) AND day <= \(bind: day.dayNumber)
            GROUP BY feature ORDER BY events DESC, feature
            """).all(decoding: FE.self)
        return AccountUsageDTO(account_id: account, as_of: day.iso, active_users: f.active, previous_active_users: f.previous,
                               change: trend.change, dropped: trend.dropped, seats: seats,
                               utilisation: seats.flatMap { $0 > 0 ? Double(f.active) / Double($0) : nil },
                               features_used: f.features, features_available: catalogue,
                               breadth: catalogue > 0 ? Double(f.features) / Double(catalogue) : nil, events_28_days: f.events,
                               features: byFeature.map { FeatureUsage(feature: $0.feature, events: $0.events) },
                               daily: daily.map { DailyUsage(day: DateOnly(dayNumber: $0.day).iso, events: $0.events, features: $0.features) })
    }

    static func show(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let account = try await scope.find(Account.self, parameter: "id", of: req)
        return PlainJSON.response(try await summary(account: account.id!, asOf: DateOnly.today(), scope: scope))
    }
}
