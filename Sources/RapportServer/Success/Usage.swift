import Crypto
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import RapportKit
import SQLKit
import Vapor

/// One product usage event as sent: who (account, user), what (feature, count) and when.
struct UsageEventInput: Decodable, Equatable, Sendable {
    var account_id: UUID?
    var account_external_id: String?
    var user: String?
    var feature: String?
    var count: Int?
    var time: String?
}

struct UsageBatchInput: Decodable, Equatable, Sendable {
    var batch_id: String?
    var events: [UsageEventInput]?
}

extension UsageBatchInput {
    /// The batch read without Codable when it has the plain shape `FlatJSON` reads (a tenth of the
    /// time for 50,000 events); nil for anything else, which `decodePlainBody` then reads and words
    /// the error of. Both read the same body to the same value (`UsageBodyTests`).
    static func plain(_ body: ByteBuffer) -> UsageBatchInput? {
        var input = UsageBatchInput()
        var events: [UsageEventInput] = [], event = UsageEventInput(), seen = 0, inItem = false, listed = false, topSeen = 0
        let read = body.withUnsafeReadableBytes { bytes in
            FlatJSON.read(bytes) { e in
                switch e {
                case .list(let name):
                    guard name == "events", topSeen & 2 == 0 else { return false }
                    topSeen |= 2; listed = true
                case .item:
                    if inItem { events.append(event) }
                    event = UsageEventInput(); seen = 0; inItem = true
                case .field(.top, let key, let value):
                    guard key == "batch_id" || key == "events" else { return true }   // others are ignored, as by the decoder
                    let bit = key == "batch_id" ? 1 : 2
                    guard topSeen & bit == 0 else { return false }
                    topSeen |= bit
                    switch (key, value) {
                    case ("batch_id", .string(let s)): input.batch_id = s
                    case (_, .null): break
                    default: return false
                    }
                case .object, .field(.object, _, _):
                    return false
                case .field(.item, let key, let value):
                    let bit: Int
                    switch key {
                    case "account_id": bit = 1
                    case "account_external_id": bit = 2
                    case "user": bit = 4
                    case "feature": bit = 8
                    case "count": bit = 16
                    case "time": bit = 32
                    default: return true
                    }
                    guard seen & bit == 0 else { return false }
                    seen |= bit
                    switch (bit, value) {
                    case (_, .null): break
                    case (1, .string(let s)): guard let id = UUID(uuidString: s) else { return false }; event.account_id = id
                    case (2, .string(let s)): event.account_external_id = s
                    case (4, .string(let s)): event.user = s
                    case (8, .string(let s)): event.feature = s
                    case (16, .int(let n)): event.count = n
                    case (32, .string(let s)): event.time = s
                    default: return false
                    }
                }
                return true
            }
        }
        guard read else { return nil }
        if inItem { events.append(event) }
        if listed { input.events = events }
        return input
    }
}

struct UsageBatchResult: Codable, Sendable {
    var batch_id: String; var events: Int; var accounts: Int; var days: Int
}

/// Usage arrives in batches and is kept only as daily counts per account and feature, plus who was
/// active in which week (user names hashed: counting people needs no names). A batch is all or
/// nothing, and a batch id is accepted once, so a retried upload never counts twice.
enum UsageIngest {
    static let maxEvents = 100_000
    static let maxFileEvents = 5_000_000
    /// The earliest day accepted (2000-01-01): older usage is a typo, not history.
    static let firstDay = 10_957

    struct Row { var account: UUID; var user: String; var feature: String; var count: Int; var day: Int }

    /// A batch folded while it is read: events per (account, day, feature) and the set of (account,
    /// week, user). Accounts, features and users are numbered as they first appear, so each key is one
    /// integer; a file of millions of events is held as two hash tables, not as millions of rows.
    struct Fold {
        private(set) var events = 0
        private var accounts: [UUID] = [], accountSlot: [UUID: UInt64] = [:]
        private var features: [String] = [], featureSlot: [String: UInt64] = [:]
        /// Each user's key (`userKey`) as the number its 12 bytes make, which sorts as its hex text does.
        private var users: [UInt128] = [], userSlot: [String: UInt64] = [:]
        private var daily: [UInt64: Int] = [:]
        private var weeks: Set<UInt64> = []
        /// SHA-256 already fed with the workspace, copied per new user (`userKey` gives the same keys).
        private let hasher: SHA256

        /// `expected`: about how many events will be added, so the tables are made that large once
        /// instead of growing (and rehashing) twenty times on the way to millions of keys.
        init(workspace: UUID, expected: Int = 0) {
            var h = SHA256()
            h.update(data: Data((workspace.uuidString + "\u{1F}").utf8))
            hasher = h
            daily.reserveCapacity(expected); weeks.reserveCapacity(expected); userSlot.reserveCapacity(expected / 2)
        }

        // Key layout, in the order of the tables' keys: day (20 bits) | account (24) | feature (20), and
        // week (17) | account (24) | user (23).
        mutating func add(_ r: Row) throws {
            let a: UInt64
            if let s = accountSlot[r.account] { a = s } else {
                guard accounts.count < 1 << 24 else { throw AppError.invalid("events", "more than \(1 << 24) accounts in one batch; split it") }
                a = UInt64(accounts.count); accountSlot[r.account] = a; accounts.append(r.account)
            }
            let f: UInt64
            if let s = featureSlot[r.feature] { f = s } else {
                guard features.count < 1 << 20 else { throw AppError.invalid("events", "more than \(1 << 20) different features in one batch; split it") }
                f = UInt64(features.count); featureSlot[r.feature] = f; features.append(r.feature)
            }
            let u: UInt64
            if let s = userSlot[r.user] { u = s } else {
                guard users.count < 1 << 23 else { throw AppError.invalid("events", "more than \(1 << 23) different users in one batch; split it") }
                var h = hasher
                var user = r.user
                user.withUTF8 { h.update(bufferPointer: UnsafeRawBufferPointer($0)) }
                let key = h.finalize().withUnsafeBytes { d in d.prefix(12).reduce(UInt128(0)) { $0 << 8 | UInt128($1) } }
                u = UInt64(users.count); userSlot[r.user] = u; users.append(key)
            }
            daily[S.daily(day: r.day, account: a, feature: f), default: 0] += r.count
            weeks.insert(S.week(week(ofDay: r.day), account: a, user: u))
            events += 1
        }

        private typealias S = Sorted

        /// The roll-up rows in the order of the tables' keys (day or week, account id as stored, feature
        /// or user key), so the upserts walk each B-tree forward instead of jumping across it.
        struct Sorted: Sendable {
            var accounts: [UUID] = [], features: [String] = [], users: [String] = []
            var daily: [(key: UInt64, events: Int)] = [], weeks: [UInt64] = []
            var days = 0
            static func daily(day: Int, account: UInt64, feature: UInt64) -> UInt64 { UInt64(day) << 44 | account << 20 | feature }
            static func week(_ week: Int, account: UInt64, user: UInt64) -> UInt64 { UInt64(week) << 47 | account << 23 | user }
            static func day(_ key: UInt64) -> Int { Int(key >> 44) }
            static func account(_ key: UInt64) -> Int { Int(key >> 20 & 0xFFFFFF) }
            static func feature(_ key: UInt64) -> Int { Int(key & 0xFFFFF) }
            static func week(_ key: UInt64) -> Int { Int(key >> 47) }
            static func weekAccount(_ key: UInt64) -> Int { Int(key >> 23 & 0xFFFFFF) }
            static func user(_ key: UInt64) -> Int { Int(key & 0x7FFFFF) }
        }

        func sorted() -> Sorted {
            func ranks<T, K: Comparable>(_ items: [T], by key: (T) -> K) -> (sorted: [T], rank: [UInt64]) {
                let keys = items.map(key)
                let order = keys.indices.sorted { keys[$0] < keys[$1] }
                var rank = [UInt64](repeating: 0, count: items.count)
                for (r, i) in order.enumerated() { rank[i] = UInt64(r) }
                return (order.map { items[$0] }, rank)
            }
            // An id's 16 bytes as one number sort as its stored text does (upper-case hex, dashes in fixed
            // places) and as PostgreSQL's uuid does, without building 50,000 strings to compare.
            let a = ranks(accounts) { id in withUnsafeBytes(of: id.uuid) { UInt128(bigEndian: $0.loadUnaligned(as: UInt128.self)) } }
            let f = ranks(features) { $0 }, u = ranks(users) { $0 }
            var out = Sorted(accounts: a.sorted, features: f.sorted, users: u.sorted.map { key in
                hex((0..<12).map { UInt8(truncatingIfNeeded: key >> (8 * (11 - $0))) })
            })
            out.daily = daily.map { (S.daily(day: S.day($0.key), account: a.rank[S.account($0.key)], feature: f.rank[S.feature($0.key)]), $0.value) }
            out.daily.sort { $0.key < $1.key }
            out.weeks = weeks.map { S.week(S.week($0), account: a.rank[S.weekAccount($0)], user: u.rank[S.user($0)]) }
            out.weeks.sort()
            out.days = Set(out.daily.map { S.day($0.key) }).count
            return out
        }
    }

    /// Stores a checked batch in one transaction, or refuses it whole, naming up to 50 refused events.
    static func store(batchID: String, fold: Fold, problems: [FieldError], scope: Scope) async throws -> UsageBatchResult {
        try refuse(problems)
        guard fold.events > 0 else { throw AppError.invalid("events", "the batch is empty") }
        let rows = fold.sorted()
        let body: @Sendable (any Database) async throws -> Void = { db in
            try await claim(batchID, events: fold.events, scope: scope, db: db)
            try await requireAccounts(rows.accounts, scope: scope, db: db)
            try await write(rows, workspace: scope.workspaceID, db: db)
        }
        if scope.db.isSQLite {
            // SQLite checks a row's foreign keys by looking up its workspace and account, two seeks per
            // roll-up row: 8 of the 29 s a 2,000,000-event file spent writing 3.6 million rows. Here they are checked once
            // per account instead, after the batch id took the write lock, so no account can be deleted
            // before the commit. The pragma is per connection and cannot change inside a transaction.
            try await scope.db.withConnection { conn in
                try await conn.sql.raw("PRAGMA foreign_keys = OFF").run()
                var failure: (any Error)?
                do { try await conn.transaction(body) } catch { failure = error }
                try await keysBackOn(conn)
                if let failure { throw failure }
            }
        } else {
            try await scope.db.transaction(body)
        }
        return UsageBatchResult(batch_id: batchID, events: fold.events, accounts: rows.accounts.count, days: rows.days)
    }

    static func refuse(_ problems: [FieldError]) throws {
        guard !problems.isEmpty else { return }
        throw AppError.validation(Array(problems.prefix(50)) + (problems.count > 50 ? [FieldError("events", "… and \(problems.count - 50) more refused events")] : []))
    }

    /// Records the batch id, which the database accepts once per workspace.
    static func claim(_ batchID: String, events: Int, scope: Scope, db: any Database) async throws {
        do {
            try await db.sql.raw("INSERT INTO usage_batches (workspace_id, batch_id, events, received_at) VALUES (\(bind: scope.workspaceID), \(bind: batchID), \(bind: events), \(bind: Date().timeIntervalSince1970))").run()
        } catch let e as any DatabaseError where e.isConstraintFailure {
            throw AppError.conflict("The batch '\(batchID)' was received before; nothing was counted twice. Send new events with a new batch_id.")
        }
    }

    /// Turns the connection's foreign keys on again and makes sure they are: the pool keeps its SQLite
    /// connections for the life of the process, and one left without keys would stop every cascade
    /// made on it. A transaction left open by a failed rollback keeps the pragma from taking effect, so
    /// that is rolled back first; a connection that still refuses is not worth continuing with.
    private static func keysBackOn(_ conn: any Database) async throws {
        struct On: Decodable { var foreign_keys: Int }
        func on() async throws -> Bool {
            try await conn.sql.raw("PRAGMA foreign_keys = ON").run()
            return try await conn.sql.raw("PRAGMA foreign_keys").first(decoding: On.self)?.foreign_keys == 1
        }
        if try await on() { return }
        try? await conn.sql.raw("ROLLBACK").run()
        guard try await on() else { fatalError("SQLite refused to check foreign keys again on a connection after a usage batch") }
    }

    /// Refuses the batch when one of its accounts is no longer an account of the workspace (deleted
    /// since the events were checked): what the foreign keys would have refused, checked per account.
    /// On PostgreSQL the accounts are share-locked as a foreign key would lock them, so none can be
    /// deleted before the batch commits; on SQLite the batch id's insert already holds the write lock.
    private static func requireAccounts(_ ids: [UUID], scope: Scope, db: any Database) async throws {
        var found: Set<UUID> = []
        if db.isSQLite {
            for chunk in ids.chunked(5_000) {
                for r in try await PlainRow.all(db, "SELECT id FROM accounts WHERE workspace_id = \(bind: scope.workspaceID) AND id IN (\(binds: chunk))") {
                    if let id = try r.uuid("id") { found.insert(id) }
                }
            }
        } else {
            try await db.sql.raw("SELECT id FROM workspaces WHERE id = \(bind: scope.workspaceID) FOR KEY SHARE").run()
            for r in try await PlainRow.all(db, "SELECT id FROM accounts WHERE workspace_id = \(bind: scope.workspaceID) AND id = ANY(\(bind: ids)) FOR KEY SHARE") {
                if let id = try r.uuid("id") { found.insert(id) }
            }
        }
        let gone = ids.filter { !found.contains($0) }
        guard gone.isEmpty else {
            let named = gone.prefix(5).map { $0.uuidString.lowercased() }.joined(separator: ", ") + (gone.count > 5 ? " and \(gone.count - 5) more" : "")
            throw AppError.conflict("\(gone.count == 1 ? "The account" : "\(gone.count) accounts") \(named) of this batch \(gone.count == 1 ? "was" : "were") deleted while it was being stored; nothing was stored. Remove their events and send the batch again.")
        }
    }

    private static let dailyColumns = ["workspace_id", "account_id", "day", "feature", "events"]
    private static let dailyUpsert = " ON CONFLICT (workspace_id, account_id, day, feature) DO UPDATE SET events = usage_daily.events + excluded.events"
    private static let weekColumns = ["workspace_id", "account_id", "week", "user_key"]

    private static func write(_ rows: Fold.Sorted, workspace: UUID, db: any Database) async throws {
        typealias S = Fold.Sorted
        if let lite = db as? any SQLiteDatabase {
            // Values bound as the SQLite driver binds them (ids as text), without a row of existentials each.
            let ws = SQLiteData.text(workspace.uuidString)
            let accounts = rows.accounts.map { SQLiteData.text($0.uuidString) }
            let features = rows.features.map { SQLiteData.text($0) }, users = rows.users.map { SQLiteData.text($0) }
            try await SQLiteBulk.insert(lite, table: "usage_daily", columns: dailyColumns, count: rows.daily.count, suffix: dailyUpsert, undoneWhole: true) { i, binds in
                let (key, n) = rows.daily[i]
                binds += [ws, accounts[S.account(key)], .integer(S.day(key)), features[S.feature(key)], .integer(n)]
            }
            try await SQLiteBulk.insert(lite, table: "usage_user_weeks", columns: weekColumns, count: rows.weeks.count, suffix: " ON CONFLICT DO NOTHING", undoneWhole: true) { i, binds in
                let key = rows.weeks[i]
                binds += [ws, accounts[S.weekAccount(key)], .integer(S.week(key)), users[S.user(key)]]
            }
            return
        }
        // PostgreSQL: columns sent as arrays and unnested, 100,000 rows a statement. As multi-row VALUES
        // (6,000 rows of five parameters each) parsing and planning the statements was a fifth of
        // PostgreSQL's time, and binding 18 million single values most of Rapport's.
        let chunk = 100_000
        for start in stride(from: 0, to: rows.daily.count, by: chunk) {
            let part = rows.daily[start..<min(start + chunk, rows.daily.count)]
            var b = PostgresBindings(capacity: 5)
            b.append(workspace)
            b.append(part.map { rows.accounts[S.account($0.key)] })
            b.append(part.map { S.day($0.key) })
            b.append(part.map { rows.features[S.feature($0.key)] })
            b.append(part.map { $0.events })
            try await BulkInsert.postgres(db, "INSERT INTO usage_daily (workspace_id, account_id, day, feature, events) "
                + "SELECT $1, a, d, f, e FROM unnest($2::uuid[], $3::int8[], $4::text[], $5::int8[]) AS t (a, d, f, e)" + dailyUpsert, b)
        }
        for start in stride(from: 0, to: rows.weeks.count, by: chunk) {
            let part = rows.weeks[start..<min(start + chunk, rows.weeks.count)]
            var b = PostgresBindings(capacity: 4)
            b.append(workspace)
            b.append(part.map { rows.accounts[S.weekAccount($0)] })
            b.append(part.map { S.week($0) })
            b.append(part.map { rows.users[S.user($0)] })
            try await BulkInsert.postgres(db, "INSERT INTO usage_user_weeks (workspace_id, account_id, week, user_key) "
                + "SELECT $1, a, w, u FROM unnest($2::uuid[], $3::int8[], $4::text[]) AS t (a, w, u) ON CONFLICT DO NOTHING", b)
        }
    }

    static func userKey(_ user: String, workspace: UUID) -> String {
        hex(SHA256.hash(data: Data((workspace.uuidString + "\u{1F}" + user).utf8)).prefix(12))
    }

    private static let digits = Array("0123456789abcdef".utf8)
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Weeks counted from Monday 1970-01-05, so a week is Monday to Sunday.
    static func week(ofDay day: Int) -> Int { Int((Double(day - 4) / 7).rounded(.down)) }

    /// Seconds since 1970 of "2026-11-23T14:05:00Z", the shape exports use most, read from the bytes
    /// (a general parser took a tenth of a large import); nil for any other shape or an impossible date.
    static func utcSeconds(_ text: String) -> Int? {
        var t = text
        return t.withUTF8 { b -> Int? in
            guard b.count == 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, b[19] == 0x5A else { return nil }
            func number(_ at: Int, _ width: Int) -> Int? {
                var n = 0
                for i in at..<at + width {
                    guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                    n = n * 10 + Int(b[i] - 0x30)
                }
                return n
            }
            guard let y = number(0, 4), let mo = number(5, 2), let d = number(8, 2), let h = number(11, 2), let mi = number(14, 2), let s = number(17, 2),
                  h < 24, mi < 60, s < 60, let day = DateOnly(year: y, month: mo, day: d) else { return nil }
            return day.dayNumber * 86_400 + h * 3_600 + mi * 60 + s
        }
    }

    /// Resolves accounts and checks each event; `label` names an event in messages ("events[3]", "line 4").
    struct Checker {
        let scope: Scope
        private var byExternalID: [String: UUID] = [:]
        private var known: Set<UUID> = []
        private var looked: Set<String> = [], lookedIDs: Set<UUID> = []
        private let latest = Int(Date().timeIntervalSince1970) + 300
        /// The workspace's day of each quarter hour seen (every zone's offset is a whole number of
        /// quarter hours).
        private var dayOfQuarter: [Int: Int] = [:]

        init(scope: Scope) { self.scope = scope }

        private var complete = false

        /// Looks up every account of the workspace at once (for files, which are read in parts).
        mutating func preload() async throws {
            for r in try await PlainRow.all(scope.db, "SELECT id, external_id FROM accounts WHERE workspace_id = \(bind: scope.workspaceID)") {
                guard let id = try r.uuid("id") else { continue }
                known.insert(id)
                if let x = try r.text("external_id") { byExternalID[x] = id }
            }
            complete = true
        }

        /// Looks up the accounts of these events that were not looked up before.
        mutating func resolve(_ events: some Sequence<UsageEventInput>) async throws {
            guard !complete else { return }
            var externals: [String] = [], ids: [UUID] = []
            for e in events {
                if let id = e.account_id { if lookedIDs.insert(id).inserted { ids.append(id) } }
                else if let x = e.account_external_id?.trimmed, !x.isEmpty, looked.insert(x).inserted { externals.append(x) }
            }
            for chunk in externals.chunked(5_000) {
                for r in try await PlainRow.all(scope.db, "SELECT id, external_id FROM accounts WHERE workspace_id = \(bind: scope.workspaceID) AND external_id IN (\(binds: chunk))") {
                    if let x = try r.text("external_id"), let id = try r.uuid("id") { byExternalID[x] = id }
                }
            }
            for chunk in ids.chunked(5_000) {
                for r in try await PlainRow.all(scope.db, "SELECT id FROM accounts WHERE workspace_id = \(bind: scope.workspaceID) AND id IN (\(binds: chunk))") {
                    if let id = try r.uuid("id") { known.insert(id) }
                }
            }
        }

        mutating func check(_ e: UsageEventInput, label: @autoclosure () -> String, problems: inout [FieldError]) -> Row? {
            var why: [String] = []
            var account: UUID?
            if let id = e.account_id {
                if known.contains(id) { account = id } else { why.append("account_id \(id.uuidString.lowercased()) is not an account of this workspace") }
            } else if let x = e.account_external_id?.trimmed, !x.isEmpty {
                if let id = byExternalID[x] { account = id } else { why.append("account_external_id '\(x)' is not an account of this workspace") }
            } else { why.append("account_id or account_external_id is required") }
            let user = e.user?.trimmed ?? ""
            if user.isEmpty { why.append("user is required") } else if user.utf8.count > 200, user.count > 200 { why.append("user is longer than 200 characters") }
            let feature = e.feature?.trimmed ?? ""
            if feature.isEmpty { why.append("feature is required") } else if feature.utf8.count > 100, feature.count > 100 { why.append("feature is longer than 100 characters") }
            else if let p = controlCharacterProblem(feature) { why.append("feature \(p)") }
            let count = e.count ?? 1
            if count < 1 || count > 1_000_000 { why.append("count \(count) must be from 1 to 1000000") }
            var day: Int?
            if let t = e.time?.trimmed, !t.isEmpty {
                if let seconds = UsageIngest.utcSeconds(t) {
                    if seconds > latest { why.append("time \(t) is in the future") } else {
                        let quarter = seconds >= 0 ? seconds / 900 : (seconds - 899) / 900
                        if let d = dayOfQuarter[quarter] { day = d } else {
                            let d = DateOnly(Date(timeIntervalSince1970: TimeInterval(quarter * 900)), in: scope.zone).dayNumber
                            dayOfQuarter[quarter] = d; day = d
                        }
                    }
                } else if let d = SurveyImport.date(t) {
                    if Int(d.timeIntervalSince1970) > latest { why.append("time \(t) is in the future") } else { day = DateOnly(d, in: SurveyImport.berlin).dayNumber } // the date as written
                } else { why.append("time '\(t)' is not a date such as 2026-11-23T14:05:00Z or 2026-11-23") }
                if let d = day, d < UsageIngest.firstDay { why.append("time \(t) is before 2000-01-01"); day = nil }
            } else { why.append("time is required") }
            if !why.isEmpty { problems.append(FieldError(label(), why.joined(separator: "; "))); return nil }
            return Row(account: account!, user: user, feature: feature, count: count, day: day!)
        }
    }

    static func receive(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let result: UsageBatchResult
        if req.headers.contentType?.subType == "csv" {
            guard let buffer = req.body.data else { throw AppError.badRequest("Send the CSV file as the body.") }
            var f = Filters(req)
            let batchID = f.text("batch_id") ?? Self.digest(Data(buffer.readableBytesView))
            try f.finish()
            result = try await csv(try CSVReader(data: Data(buffer.readableBytesView)), batchID: batchID, scope: scope)
        } else {
            let input = try req.body.data.flatMap(UsageBatchInput.plain) ?? decodePlainBody(req, as: UsageBatchInput.self)
            var v = RapportKit.Validator()
            let batchID = v.text("batch_id", input.batch_id, required: true, maxLength: 200)
            let events = input.events ?? []
            if input.events == nil { v.fail("events", "is required: a list of {account_external_id, user, feature, count, time}") }
            if events.count > maxEvents { v.fail("events", "\(events.count) events in one batch; send at most \(maxEvents)") }
            try v.finish()
            var checker = Checker(scope: scope)
            try await checker.resolve(events)
            var problems: [FieldError] = []
            var fold = Fold(workspace: scope.workspaceID, expected: events.count)
            for (i, e) in events.enumerated() { if let r = checker.check(e, label: "events[\(i)]", problems: &problems) { try fold.add(r) } }
            result = try await store(batchID: batchID!, fold: fold, problems: problems, scope: scope)
        }
        return PlainJSON.response(result, status: .created)
    }

    static func digest(_ data: Data) -> String {
        "sha256:" + hex(SHA256.hash(data: data))
    }

    /// Events read between two progress reports of a file.
    static let progressEvery = 250_000

    /// A CSV file (account_external_id or account_id, user, feature, count, time) as one batch, folded
    /// as it is read, so memory follows the distinct keys rather than the file's length. `progressEvery`
    /// events are read between progress reports.
    static func csv(_ reader: CSVReader, batchID: String, scope: Scope, progressEvery: Int = progressEvery,
                    progress: (@Sendable (Int, Int?, Int) -> Void)? = nil) async throws -> UsageBatchResult {
        let header = reader.header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let columns = ["account_id", "account_external_id", "user", "feature", "count", "time"]
        if let unknown = header.first(where: { !columns.contains($0) }) {
            throw AppError.invalid("file", "the column '\(unknown)' is not known; usage files have the columns account_external_id (or account_id), user, feature, count, time")
        }
        for needed in ["user", "feature", "time"] where !header.contains(needed) {
            throw AppError.invalid("file", "the header needs a '\(needed)' column (columns: account_external_id or account_id, user, feature, count, time)")
        }
        // Every account of the workspace is known before reading. The whole file is folded first and
        // written in one pass in key order: written a part at a time, each part walked every day's pages
        // again (measured: 2,000,000 events took 46 s in parts of 250,000). The fold holds the distinct
        // keys, not the events, and the write lock is held only while writing.
        var checker = Checker(scope: scope)
        try await checker.preload()
        var fold = Fold(workspace: scope.workspaceID, expected: min(maxFileEvents, (reader.totalBytes ?? 0) / 64)), problems: [FieldError] = [], total = 0
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
            total += 1
            if total > maxFileEvents { throw AppError.invalid("file", "more than \(maxFileEvents) events in one file; split it") }
            if let r = checker.check(e, label: "line \(record.line)", problems: &problems) { try fold.add(r) }
            if total % max(1, progressEvery) == 0 { progress?(reader.bytesRead, reader.totalBytes, total) }
        }
        progress?(reader.bytesRead, reader.totalBytes, total)
        return try await store(batchID: batchID, fold: fold, problems: problems, scope: scope)
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
            WHERE workspace_id = \(bind: scope.workspaceID) AND \(SQLQueryString.each("week", last - weeks + 1...last)) AND account_id = \(bind: account)
            """).first(decoding: N.self)?.n ?? 0
    }

    static func events(account: UUID, feature: String, from: DateOnly, to: DateOnly, scope: Scope) async throws -> Int {
        struct N: Decodable { var n: Int? }
        var total = 0
        // A year of days per statement.
        for start in stride(from: from.dayNumber, through: to.dayNumber, by: 366) {
            total += try await scope.db.sql.raw("""
                SELECT CAST(SUM(events) AS BIGINT) AS n FROM usage_daily WHERE workspace_id = \(bind: scope.workspaceID)
                AND \(SQLQueryString.each("day", start...min(start + 365, to.dayNumber))) AND account_id = \(bind: account) AND feature = \(bind: feature)
                """).first(decoding: N.self)?.n ?? 0
        }
        return total
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
        // Every account: one range of the day-first keys; a few: one seek per day and account.
        let weeks: SQLQueryString = accounts == nil ? "week > \(bind: w - 8) AND week <= \(bind: w)" : .each("week", w - 7...w)
        let days: SQLQueryString = accounts == nil ? "day > \(bind: d - 28) AND day <= \(bind: d)" : .each("day", d - 27...d)
        struct U: Decodable { var account_id: UUID; var recent: Int; var earlier: Int }
        let users = try await scope.db.sql.raw("""
            SELECT account_id, COUNT(DISTINCT CASE WHEN week > \(bind: w - 4) THEN user_key END) AS recent,
                   COUNT(DISTINCT CASE WHEN week <= \(bind: w - 4) THEN user_key END) AS earlier
            FROM usage_user_weeks WHERE workspace_id = \(bind: scope.workspaceID) AND \(weeks)\(narrow)
            GROUP BY account_id
            """).all(decoding: U.self)
        for u in users { out[u.account_id, default: Facts()].active = u.recent; out[u.account_id, default: Facts()].previous = u.earlier }
        struct F: Decodable { var account_id: UUID; var features: Int; var events: Int }
        let features = try await scope.db.sql.raw("""
            SELECT account_id, COUNT(DISTINCT feature) AS features, CAST(SUM(events) AS BIGINT) AS events
            FROM usage_daily WHERE workspace_id = \(bind: scope.workspaceID) AND \(days)\(narrow)
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
            WHERE workspace_id = \(bind: scope.workspaceID) AND \(SQLQueryString.each("day", day.dayNumber - 89...day.dayNumber)) AND account_id = \(bind: account)
            GROUP BY day ORDER BY day
            """).all(decoding: D.self)
        struct FE: Decodable { var feature: String; var events: Int }
        let byFeature = try await scope.db.sql.raw("""
            SELECT feature, CAST(SUM(events) AS BIGINT) AS events FROM usage_daily
            WHERE workspace_id = \(bind: scope.workspaceID) AND \(SQLQueryString.each("day", day.dayNumber - 27...day.dayNumber)) AND account_id = \(bind: account)
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
        return PlainJSON.response(try await summary(account: account.id!, asOf: scope.today, scope: scope))
    }
}
