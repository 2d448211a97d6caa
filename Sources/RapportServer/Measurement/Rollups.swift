import Fluent
import FluentSQLiteDriver
import Foundation
import RapportKit
import SQLKit

/// Incremental roll-ups: counts of answers per value for every source (survey × touchpoint ×
/// channel), day and month, segment and market. Dashboards read these, so their cost follows the
/// number of sources and periods, not the number of responses. Every write of complete responses
/// adds to them in its own transaction; `rebuild` recounts everything from the raw answers in SQL, and
/// `check` compares the two, which is how we know the incremental path counts right.
enum Rollups {
    /// The touchpoint key of a response without a touchpoint (a key column cannot be NULL: NULLs never
    /// match in a unique index, so upserts would add rows instead of counting).
    static let noTouchpoint = UUID.zero
    static let everyone = "*"
    static let countColumns = (0...10).map { "c\($0)" }
    static let keyColumns = ["workspace_id", "grain", "segment", "market", "metric", "period", "survey_id", "touchpoint", "channel", "question", "scale_max"]

    /// Set by bulk loads that end with a `rebuild` (the demo): writes then skip the incremental cells,
    /// and one recount in SQL replaces thousands of upserts.
    @TaskLocal static var deferred = false

    struct Key: Hashable {
        var workspace: UUID
        var grain: String
        var segment: String
        var market: String
        var metric: String
        var period: Int
        var survey: UUID
        var touchpoint: UUID
        var channel: String
        var question: String
        var scaleMax: Int

        /// The primary key's order, for writing cells in one order everywhere.
        var order: String {
            [workspace.uuidString, grain, segment, market, metric, String(period), survey.uuidString, touchpoint.uuidString, channel, question, String(scaleMax)]
                .joined(separator: "|")
        }
    }

    /// Sets the response's segment and market from its account, as they are now.
    static func stamp(_ r: SurveyResponse, on db: any Database) async throws {
        var rows = [ResponseRow(r, scores: [])]
        try await stamp(&rows, on: db)
        r.segment = rows[0].segment
        r.market = rows[0].market
    }

    /// Sets each row's segment and market from its account, as they are now.
    static func stamp(_ rows: inout [ResponseRow], on db: any Database) async throws {
        let ids = Array(Set(rows.compactMap(\.accountID)))
        guard !ids.isEmpty else { return }
        struct Row: Decodable { var id: UUID; var segment: String?; var country: String? }
        var found: [UUID: Row] = [:]
        for chunk in ids.chunked(500) {
            for r in try await db.sql.select().columns("id", "segment", "country").from("accounts")
                .where("id", .in, SQLBind.group(chunk)).all(decoding: Row.self) { found[r.id] = r }
        }
        for i in rows.indices {
            guard let a = rows[i].accountID.flatMap({ found[$0] }) else { continue }
            rows[i].segment = a.segment
            rows[i].market = a.country
        }
    }

    /// The cells complete responses add to: for each answer and for the response itself (volume),
    /// day and month, with the full keys and with segment = market = '*'.
    static func cells(_ rows: [ResponseRow]) -> [Key: ScoreCounts] {
        // Counted first per source, day, segment and market and per question, then spread over the
        // four cells each answer adds to: one look-up of a long key per response instead of twelve.
        struct Source: Hashable { var workspace: UUID; var survey: UUID; var touchpoint: UUID; var channel: String; var segment: String; var market: String; var day: Int }
        struct Question: Hashable { var metric: String; var question: String; var scaleMax: Int }
        var counted: [Source: [Question: ScoreCounts]] = [:]
        let volume = Question(metric: "responses", question: "", scaleMax: 0)
        for r in rows where r.status == "complete" {
            guard let at = r.submittedAt else { continue }
            let source = Source(workspace: r.workspaceID, survey: r.surveyID, touchpoint: r.touchpointID ?? noTouchpoint, channel: r.channel ?? "",
                                segment: r.segment ?? "", market: r.market ?? "", day: RollupCalendar.day(at))
            counted[source, default: [:]][volume, default: ScoreCounts()].add(0)
            for score in r.scores {
                counted[source]![Question(metric: score.metric, question: score.question, scaleMax: score.scaleMax), default: ScoreCounts()].add(score.value)
            }
        }
        var out: [Key: ScoreCounts] = [:]
        for (s, questions) in counted {
            for (q, counts) in questions {
                for (grain, period) in [("d", s.day), ("m", s.day / 100)] {
                    for (segment, market) in [(s.segment, s.market), (everyone, everyone)] {
                        let key = Key(workspace: s.workspace, grain: grain, segment: segment, market: market, metric: q.metric,
                                      period: period, survey: s.survey, touchpoint: s.touchpoint, channel: s.channel, question: q.question, scaleMax: q.scaleMax)
                        out[key, default: ScoreCounts()] += counts
                    }
                }
            }
        }
        return out
    }

    /// Adds the responses' answers to the roll-ups; call it in the transaction that stores them.
    /// Cells are written in key order, so two nodes adding to the same cells on PostgreSQL take their
    /// row locks in the same order and cannot deadlock.
    static func add(_ rows: [ResponseRow], on db: any Database) async throws {
        try await write(cells(rows), on: db)
    }

    /// Adds counted cells (of `cells`, perhaps merged from several calls) to the roll-ups.
    static func write(_ cells: [Key: ScoreCounts], on db: any Database) async throws {
        guard !cells.isEmpty else { return }
        let sorted = cells.map { ($0.key.order, $0.key, $0.value) }.sorted { $0.0 < $1.0 }.map { ($0.1, $0.2) }
        let columns = keyColumns + ["n"] + countColumns
        let updates = (["n"] + countColumns).map { "\($0) = metric_rollups.\($0) + excluded.\($0)" }.joined(separator: ", ")
        let conflict = " ON CONFLICT (\(keyColumns.joined(separator: ", "))) DO UPDATE SET \(updates)"
        if let lite = db as? any SQLiteDatabase {
            // Bound straight through SQLiteNIO (ids as the driver writes them): SQLKit's serialiser and
            // encoder cost more than the upserts themselves in an import spread over many days.
            try await SQLiteBulk.insert(lite, table: "metric_rollups", columns: columns, count: sorted.count, suffix: conflict) { i, b in
                let (k, c) = sorted[i]
                b.append(.text(FastUUID.text(k.workspace))); b.append(.text(k.grain)); b.append(.text(k.segment)); b.append(.text(k.market))
                b.append(.text(k.metric)); b.append(.integer(k.period)); b.append(.text(FastUUID.text(k.survey))); b.append(.text(FastUUID.text(k.touchpoint)))
                b.append(.text(k.channel)); b.append(.text(k.question)); b.append(.integer(k.scaleMax)); b.append(.integer(c.n))
                for v in c.counts { b.append(.integer(v)) }
            }
            return
        }
        let perStatement = 30_000 / columns.count
        var start = 0
        while start < sorted.count {
            let chunk = sorted[start..<min(start + perStatement, sorted.count)]
            var query = SQLQueryString("INSERT INTO metric_rollups (\(unsafeRaw: columns.joined(separator: ", "))) VALUES ")
            for (i, (k, c)) in chunk.enumerated() {
                if i > 0 { query.appendLiteral(", ") }
                query.appendInterpolation(unsafeRaw: "(")
                query.appendInterpolation(bind: k.workspace); query.appendLiteral(", ")
                query.appendInterpolation(bind: k.grain); query.appendLiteral(", ")
                query.appendInterpolation(bind: k.segment); query.appendLiteral(", ")
                query.appendInterpolation(bind: k.market); query.appendLiteral(", ")
                query.appendInterpolation(bind: k.metric); query.appendLiteral(", ")
                query.appendInterpolation(bind: k.period); query.appendLiteral(", ")
                query.appendInterpolation(bind: k.survey); query.appendLiteral(", ")
                query.appendInterpolation(bind: k.touchpoint); query.appendLiteral(", ")
                query.appendInterpolation(bind: k.channel); query.appendLiteral(", ")
                query.appendInterpolation(bind: k.question); query.appendLiteral(", ")
                query.appendInterpolation(bind: k.scaleMax); query.appendLiteral(", ")
                query.appendInterpolation(bind: c.n)
                for v in c.counts { query.appendLiteral(", "); query.appendInterpolation(bind: v) }
                query.appendLiteral(")")
            }
            query.appendInterpolation(unsafeRaw: conflict)
            try await db.sql.raw(query).run()
            start += perStatement
        }
    }

    // MARK: Recount from the raw answers

    /// The question of each published survey version that roll-ups count, with its JSON path.
    struct CountedQuestion {
        var survey: UUID
        var version: Int
        var metric: String
        var question: String
        var scaleMax: Int
    }

    static func countedQuestions(workspace: UUID?, on db: any Database) async throws -> [CountedQuestion] {
        var q = SurveyVersion.query(on: db)
        if let workspace { q = q.filter(\.$workspaceID == workspace) }
        var out: [CountedQuestion] = []
        for v in try await q.all() {
            guard let d = try? v.decoded() else { continue }
            for c in d.countedQuestions() {
                out.append(CountedQuestion(survey: v.surveyID, version: v.number, metric: c.metric,
                                           question: c.item.map { c.question + "." + $0 } ?? c.question, scaleMax: c.scaleMax))
            }
        }
        return out
    }

    /// SELECT of day-grain, full-key cells counted straight from the raw responses.
    private static func recountQuery(workspace: UUID?, sqlite: Bool) -> SQLQueryString {
        let day = sqlite ? "CAST(strftime('%Y%m%d', r.submitted_at, 'unixepoch') AS INTEGER)"
                         : "CAST(to_char(r.submitted_at AT TIME ZONE 'UTC', 'YYYYMMDD') AS INTEGER)"
        let value = sqlite ? "json_extract(r.answers, q.path)" : "(r.answers::jsonb #> q.path::text[])"
        let isNumber = sqlite ? "typeof(json_extract(r.answers, q.path)) = 'integer'" : "jsonb_typeof(r.answers::jsonb #> q.path::text[]) = 'number'"
        let number = sqlite ? value : "(CASE WHEN jsonb_typeof(\(value)) = 'number' THEN CAST(\(value) #>> '{}' AS NUMERIC) END)"
        let counts = (0...10).map { "SUM(CASE WHEN v = \($0) THEN 1 ELSE 0 END) AS c\($0)" }.joined(separator: ", ")
        let volume = "COUNT(*) AS c0, " + (1...10).map { "0 AS c\($0)" }.joined(separator: ", ")
        var where_ = "r.status = 'complete' AND r.submitted_at IS NOT NULL"
        if workspace != nil { where_ += " AND r.workspace_id = " }
        var query = SQLQueryString("""
            SELECT workspace_id, 'd' AS grain, segment, market, metric, period, survey_id, touchpoint, channel, question, scale_max, COUNT(*) AS n, \(unsafeRaw: counts)
            FROM (SELECT r.workspace_id, COALESCE(r.segment, '') AS segment, COALESCE(r.market, '') AS market, q.metric,
                         \(unsafeRaw: day) AS period, r.survey_id, COALESCE(r.touchpoint_id, 
            """)
        query.appendInterpolation(bind: noTouchpoint)
        query.appendInterpolation(unsafeRaw: """
            ) AS touchpoint, COALESCE(r.channel, '') AS channel,
                         q.question, q.scale_max, \(number) AS v
                  FROM survey_responses r JOIN rollup_questions q ON q.survey_id = r.survey_id AND q.version = r.survey_version
                  WHERE \(where_)
            """)
        if let workspace { query.appendInterpolation(bind: workspace) }
        query.appendInterpolation(unsafeRaw: """
             AND \(isNumber)) x
            WHERE v <= scale_max AND v >= (CASE WHEN scale_max = 10 THEN 0 ELSE 1 END)
            GROUP BY workspace_id, segment, market, metric, period, survey_id, touchpoint, channel, question, scale_max
            UNION ALL
            SELECT workspace_id, 'd', segment, market, 'responses', period, survey_id, touchpoint, channel, '', 0, COUNT(*), \(volume)
            FROM (SELECT r.workspace_id, COALESCE(r.segment, '') AS segment, COALESCE(r.market, '') AS market, \(day) AS period, r.survey_id,
                         COALESCE(r.touchpoint_id, 
            """)
        query.appendInterpolation(bind: noTouchpoint)
        query.appendInterpolation(unsafeRaw: ") AS touchpoint, COALESCE(r.channel, '') AS channel FROM survey_responses r WHERE \(where_)")
        if let workspace { query.appendInterpolation(bind: workspace) }
        query.appendInterpolation(unsafeRaw: ") y GROUP BY workspace_id, segment, market, period, survey_id, touchpoint, channel")
        return query
    }

    /// Fills a temporary table with the counted questions; must run on the connection (transaction)
    /// that uses it.
    private static func prepareQuestions(workspace: UUID?, on db: any Database) async throws {
        let sqlite = db.isSQLite
        try await db.sql.raw("DROP TABLE IF EXISTS rollup_questions").run()
        try await db.sql.raw(SQLQueryString("CREATE TEMPORARY TABLE rollup_questions (survey_id \(unsafeRaw: sqlite ? "BLOB" : "UUID") NOT NULL, version INTEGER NOT NULL, metric TEXT NOT NULL, question TEXT NOT NULL, scale_max INTEGER NOT NULL, path TEXT NOT NULL)")).run()
        let questions = try await countedQuestions(workspace: workspace, on: db)
        for chunk in questions.chunked(1_000) {
            let insert = db.sql.insert(into: "rollup_questions").columns("survey_id", "version", "metric", "question", "scale_max", "path")
            for q in chunk {
                let parts = q.question.split(separator: ".").map(String.init)
                // Ids are lower-case letters, digits and _ (the survey checks them), so quoting is safe.
                let path = sqlite ? "$" + parts.map { ".\"\($0)\"" }.joined() : "{" + parts.joined(separator: ",") + "}"
                insert.values([SQLBind(q.survey), SQLBind(q.version), SQLBind(q.metric), SQLBind(q.question), SQLBind(q.scaleMax), SQLBind(path)])
            }
            try await insert.run()
        }
    }

    /// Throws the roll-ups of one workspace (or all) away and counts them again from the raw
    /// responses, all in SQL: the database parses the answers, nothing crosses into Swift.
    @discardableResult
    static func rebuild(workspace: UUID?, on db: any Database) async throws -> Int {
        try await db.writeTransaction(workspace: workspace) { db in
            // On PostgreSQL, writers adding to the roll-ups wait until the recount is in.
            if !db.isSQLite { try await db.sql.raw("LOCK TABLE metric_rollups IN SHARE ROW EXCLUSIVE MODE").run() }
            var delete = SQLQueryString("DELETE FROM metric_rollups")
            if let workspace { delete.appendInterpolation(unsafeRaw: " WHERE workspace_id = "); delete.appendInterpolation(bind: workspace) }
            try await db.sql.raw(delete).run()
            try await recount(into: "metric_rollups", workspace: workspace, on: db)
            var count = SQLQueryString("SELECT COUNT(*) AS n FROM metric_rollups")
            if let workspace { count.appendInterpolation(unsafeRaw: " WHERE workspace_id = "); count.appendInterpolation(bind: workspace) }
            return try await db.sql.raw(count).first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    /// Fills `table` with every level of cells counted from the raw responses: days with the full
    /// keys, months summed from the days, and the everyone level summed from both.
    private static func recount(into table: String, workspace: UUID?, on db: any Database) async throws {
        try await prepareQuestions(workspace: workspace, on: db)
        let columns = (keyColumns + ["n"] + countColumns).joined(separator: ", ")
        var insert = SQLQueryString("INSERT INTO \(unsafeRaw: table) (\(unsafeRaw: columns)) ")
        insert += recountQuery(workspace: workspace, sqlite: db.isSQLite)
        try await db.sql.raw(insert).run()
        let sums = (["n"] + countColumns).map { "SUM(\($0))" }.joined(separator: ", ")
        let scope = workspace == nil ? "" : " AND workspace_id = "
        var months = SQLQueryString("""
            INSERT INTO \(unsafeRaw: table) (\(unsafeRaw: columns))
            SELECT workspace_id, 'm', segment, market, metric, period / 100, survey_id, touchpoint, channel, question, scale_max, \(unsafeRaw: sums)
            FROM \(unsafeRaw: table) WHERE grain = 'd'\(unsafeRaw: scope)
            """)
        if let workspace { months.appendInterpolation(bind: workspace) }
        months.appendInterpolation(unsafeRaw: " GROUP BY workspace_id, segment, market, metric, period / 100, survey_id, touchpoint, channel, question, scale_max")
        try await db.sql.raw(months).run()
        var everyone = SQLQueryString("""
            INSERT INTO \(unsafeRaw: table) (\(unsafeRaw: columns))
            SELECT workspace_id, grain, '*', '*', metric, period, survey_id, touchpoint, channel, question, scale_max, \(unsafeRaw: sums)
            FROM \(unsafeRaw: table) WHERE segment <> '*'\(unsafeRaw: scope)
            """)
        if let workspace { everyone.appendInterpolation(bind: workspace) }
        everyone.appendInterpolation(unsafeRaw: " GROUP BY workspace_id, grain, metric, period, survey_id, touchpoint, channel, question, scale_max")
        try await db.sql.raw(everyone).run()
        try await db.sql.raw("DROP TABLE rollup_questions").run()
    }

    struct Mismatch: Sendable, CustomStringConvertible {
        var key: String
        var stored: [Int]? = nil
        var recounted: [Int]? = nil
        var description: String {
            "\(key): roll-up \(stored.map { "\($0)" } ?? "missing"), recount \(recounted.map { "\($0)" } ?? "missing")"
        }
    }

    /// Recounts every level of cells from the raw responses into a temporary table and compares it
    /// with the stored roll-ups in SQL; only the differences cross into Swift, so the check costs one
    /// recount however many cells there are.
    static func check(workspace: UUID, on db: any Database) async throws -> (cells: Int, mismatches: [Mismatch]) {
        try await db.transaction { db in
            // One snapshot for the recount and the stored cells, even while responses arrive.
            if !db.isSQLite { try await db.sql.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").run() }
            let uuid = db.isSQLite ? "BLOB" : "UUID"
            try await db.sql.raw("DROP TABLE IF EXISTS rollup_expected").run()
            try await db.sql.raw(SQLQueryString("""
                CREATE TEMPORARY TABLE rollup_expected (workspace_id \(unsafeRaw: uuid) NOT NULL, grain TEXT NOT NULL, segment TEXT NOT NULL,
                market TEXT NOT NULL, metric TEXT NOT NULL, period INTEGER NOT NULL, survey_id \(unsafeRaw: uuid) NOT NULL,
                touchpoint \(unsafeRaw: uuid) NOT NULL, channel TEXT NOT NULL, question TEXT NOT NULL, scale_max INTEGER NOT NULL,
                n INTEGER NOT NULL, \(unsafeRaw: countColumns.map { "\($0) INTEGER NOT NULL" }.joined(separator: ", ")))
                """)).run()
            try await recount(into: "rollup_expected", workspace: workspace, on: db)
            // A cell that counts nothing is the same as no cell.
            let columns = (keyColumns + ["n"] + countColumns).joined(separator: ", ")
            let counts = "NOT (" + (["n"] + countColumns).map { "\($0) = 0" }.joined(separator: " AND ") + ")"
            let stored = SQLQueryString("SELECT \(unsafeRaw: columns) FROM metric_rollups WHERE workspace_id = \(bind: workspace) AND \(unsafeRaw: counts)")
            let expected = SQLQueryString("SELECT \(unsafeRaw: columns) FROM rollup_expected WHERE \(unsafeRaw: counts)")
            var differ = SQLQueryString("SELECT 's' AS side, * FROM (")
            differ += stored
            differ += " EXCEPT "
            differ += expected
            differ += ") a UNION ALL SELECT 'r' AS side, * FROM ("
            differ += expected
            differ += " EXCEPT "
            differ += stored
            differ += ") b"
            var byKey: [String: Mismatch] = [:]
            for row in try await db.sql.raw(differ).all() {
                let (key, values) = try decodeCell(row)
                var m = byKey[key] ?? Mismatch(key: key)
                if try row.decode(column: "side", as: String.self) == "s" { m.stored = values } else { m.recounted = values }
                byKey[key] = m
            }
            try await db.sql.raw("DROP TABLE rollup_expected").run()
            let cells = try await db.sql.raw("SELECT COUNT(*) AS n FROM metric_rollups WHERE workspace_id = \(bind: workspace)").first()?.decode(column: "n", as: Int.self) ?? 0
            return (cells, byKey.keys.sorted().map { byKey[$0]! })
        }
    }

    private static func decodeCell(_ row: any SQLRow) throws -> (String, [Int]) {
        let key = [
            try row.decode(column: "workspace_id", as: UUID.self).uuidString, try row.decode(column: "grain", as: String.self),
            try row.decode(column: "segment", as: String.self), try row.decode(column: "market", as: String.self),
            try row.decode(column: "metric", as: String.self), String(try row.decode(column: "period", as: Int.self)),
            try row.decode(column: "survey_id", as: UUID.self).uuidString, try row.decode(column: "touchpoint", as: UUID.self).uuidString,
            try row.decode(column: "channel", as: String.self), try row.decode(column: "question", as: String.self),
            String(try row.decode(column: "scale_max", as: Int.self)),
        ].joined(separator: "|")
        var values = [try row.decode(column: "n", as: Int.self)]
        for c in countColumns { values.append(try row.decode(column: c, as: Int.self)) }
        return (key, values)
    }
}
