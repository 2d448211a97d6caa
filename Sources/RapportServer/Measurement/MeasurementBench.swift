import Fluent
import Foundation
import RapportKit
import SQLKit

extension Operations {
    /// Fills a workspace with synthetic answered surveys for the measurement benchmark: `responses`
    /// rows over `sources` sources (survey × touchpoint × channel, from the workspace's published
    /// surveys and its touchpoints) spread over the last `months` months, written in SQL by the
    /// database itself, then the roll-ups rebuilt (timed). Not for production data: it bypasses
    /// validation, the timeline and the contact rules on purpose.
    public static func seedBenchResponses(_ settings: Settings, workspace slug: String, responses: Int, sources: Int, months: Int,
                                          progress: @Sendable (String) -> Void) async throws -> (seconds: Double, rebuild: Double, cells: Int) {
        try await Runtime.withApp(settings) { app in
            let ws = try await Workspaces.find(slug: slug, on: app.db)
            let scope = ws.scope(on: app.db)
            let surveys = try await scope.query(Survey.self).all()
            var published: [(Survey, Int, Set<String>)] = []
            for s in surveys {
                guard let v = try await scope.query(SurveyVersion.self).filter(\.$surveyID == s.id!).sort(\.$number, .descending).first(),
                      let d = try? v.decoded() else { continue }
                published.append((s, v.number, Set(d.questions.map(\.id))))
            }
            let relationship = published.first { $0.0.kind == "relationship" && $0.2.contains("nps") }
            let transactional = published.filter { $0.0.kind == "transactional" && $0.2.contains("nps") }
            guard !transactional.isEmpty else { throw AppError.invalid("workspace", "'\(slug)' has no published transactional survey with an nps question; run `rapport demo` first") }
            let touchpoints = try await scope.query(Touchpoint.self).sort(\.$name).all()
            guard !touchpoints.isEmpty else { throw AppError.invalid("workspace", "'\(slug)' has no touchpoints") }
            let channels = ["email", "sms", "app", "letter", "website"]
            struct Source { var survey: UUID; var version: Int; var touchpoint: UUID?; var channel: String; var answers: String }
            var list: [Source] = []
            if let r = relationship {
                for c in channels.prefix(2) { list.append(Source(survey: r.0.id!, version: r.1, touchpoint: nil, channel: c, answers: "csat")) }
            }
            outer: for t in transactional {
                for tp in touchpoints {
                    for c in channels {
                        if list.count >= sources { break outer }
                        list.append(Source(survey: t.0.id!, version: t.1, touchpoint: tp.id!, channel: c, answers: t.2.contains("ces") ? "ces" : "csat"))
                    }
                }
            }
            let sqlite = app.db.isSQLite
            try await app.db.sql.raw("DROP TABLE IF EXISTS bench_sources").run()
            try await app.db.sql.raw(SQLQueryString("""
                CREATE TABLE bench_sources (k INTEGER PRIMARY KEY, survey_id \(unsafeRaw: sqlite ? "TEXT" : "UUID") NOT NULL,
                version INTEGER NOT NULL, touchpoint_id \(unsafeRaw: sqlite ? "TEXT" : "UUID"), channel TEXT NOT NULL, second TEXT NOT NULL, bias INTEGER NOT NULL)
                """)).run()
            for (k, s) in list.enumerated() {
                try await app.db.sql.raw("""
                    INSERT INTO bench_sources VALUES (\(bind: k), \(bind: s.survey), \(bind: s.version), \(bind: s.touchpoint), \(bind: s.channel), \(bind: s.answers), \(bind: k % 5 - 2))
                    """).run()
            }
            let end = Date().timeIntervalSince1970 - 3_600
            let span = Double(months) * 30.44 * 86_400
            let started = Date()
            let chunk = 500_000
            var done = 0
            while done < responses {
                let n = min(chunk, responses - done)
                let sql: String
                if sqlite {
                    sql = """
                        WITH RECURSIVE s(i) AS (SELECT \(done) UNION ALL SELECT i + 1 FROM s WHERE i < \(done + n - 1)),
                        g AS (SELECT i, b.*, abs(random()) % 11 AS r, \(end) - (abs(random()) % \(Int(span))) AS t FROM s JOIN bench_sources b ON b.k = s.i % \(list.count))
                        INSERT INTO survey_responses (id, workspace_id, survey_id, survey_version, touchpoint_id, channel, language, source, status, answers, page,
                                                      started_at, submitted_at, segment, market)
                        SELECT upper(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21)),
                               '\(ws.id!.uuidString)', survey_id, version, touchpoint_id, channel, 'de', 'import', 'complete',
                               '{"nps":' || max(0, min(10, r + bias)) || ',"' || second || '":' || (1 + (r + bias + 11) % 5) || '}', 1, t, t,
                               CASE i % 3 WHEN 0 THEN 'Enterprise' WHEN 1 THEN 'SMB' ELSE 'Privat' END,
                               CASE (i / 3) % 3 WHEN 0 THEN 'DE' WHEN 1 THEN 'AT' ELSE 'CH' END
                        FROM (SELECT hex(randomblob(16)) AS h, g.* FROM g)
                        """
                } else {
                    sql = """
                        INSERT INTO survey_responses (id, workspace_id, survey_id, survey_version, touchpoint_id, channel, language, source, status, answers, page,
                                                      started_at, submitted_at, segment, market)
                        SELECT gen_random_uuid(), '\(ws.id!.uuidString)', survey_id, version, touchpoint_id, channel, 'de', 'import', 'complete',
                               '{"nps":' || greatest(0, least(10, r + bias)) || ',"' || second || '":' || (1 + (r + bias + 11) % 5) || '}', 1, t, t,
                               CASE i % 3 WHEN 0 THEN 'Enterprise' WHEN 1 THEN 'SMB' ELSE 'Privat' END,
                               CASE (i / 3) % 3 WHEN 0 THEN 'DE' WHEN 1 THEN 'AT' ELSE 'CH' END
                        FROM (SELECT i, b.*, floor(random() * 11)::int AS r, to_timestamp(\(end) - floor(random() * \(Int(span)))) AS t
                              FROM generate_series(\(done), \(done + n - 1)) AS i JOIN bench_sources b ON b.k = i % \(list.count)) g
                        """
                }
                try await app.db.sql.raw("\(unsafeRaw: sql)").run()
                done += n
                let rate = Double(done) / max(0.001, Date().timeIntervalSince(started))
                progress(String(format: "%d of %d responses written (%.0f/s)", done, responses, rate))
            }
            let written = Date().timeIntervalSince(started)
            try await app.db.sql.raw("DROP TABLE IF EXISTS bench_sources").run()
            if !sqlite { try await app.db.sql.raw("ANALYZE survey_responses").run() }
            progress("rebuilding the roll-ups …")
            let t0 = Date()
            let cells = try await Rollups.rebuild(workspace: nil, on: app.db)
            let rebuild = Date().timeIntervalSince(t0)
            if !sqlite { try await app.db.sql.raw("ANALYZE metric_rollups").run() } else { try await app.db.sql.raw("ANALYZE").run() }
            return (written, rebuild, cells)
        }
    }
}
