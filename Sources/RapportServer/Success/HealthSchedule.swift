import Fluent
import Foundation
import RapportKit
import SQLKit
import Vapor

/// The daily health recompute. Once a workspace's clock (its time zone) has passed
/// `Settings.healthHour`, the first node whose worker notices claims that workspace's day by inserting
/// its row in `health_runs` — the primary key lets exactly one insert succeed — and scores every
/// account as of that day. A claim left unfinished for an hour (its node died, or the run failed) is
/// taken over by the next round; a recompute replaces the day's scores, so running a day twice is
/// harmless, only wasted. Recomputes by hand are recorded in the same table, so the schedule does not
/// redo a day someone already computed.
enum HealthSchedule {
    /// After this long an unfinished claim is taken over.
    static let staleAfter: TimeInterval = 3_600

    struct RunDTO: Codable, Sendable {
        var computed_on: String; var origin: String; var claimed_by: String
        var started_at: Date; var finished_at: Date?; var accounts: Int?; var seconds: Double?; var error: String?
    }

    /// One round: every workspace whose day has reached the hour and has no run for it gets one.
    /// Returns how many workspaces this node computed. A recompute by hand before the hour does not
    /// count as the day's run: the scheduled one, which sees the night's data, replaces it.
    static func runDue(_ app: Application, now: Date = Date(), node: String = SurveyWorker.node) async throws -> Int {
        guard let hour = app.settings.healthHour else { return 0 }
        var due: [(workspace: Workspace, day: DateOnly, hourStart: Double)] = []
        for w in try await Workspace.query(on: app.db).all() {
            let tz = w.zone
            let local = DateOnly(now, in: tz)
            let offset = Double(tz.secondsFromGMT(for: now))
            let hourStart = Double(local.dayNumber) * 86_400 - offset + Double(hour) * 3_600
            if now.timeIntervalSince1970 >= hourStart { due.append((w, local, hourStart)) }
        }
        guard !due.isEmpty else { return 0 }
        // One read per round; only a day without a live or valid run is worth a write.
        struct Existing { var workspace: UUID; var day: String; var origin: String; var finished: Bool; var startedAt: Double }
        let existing = try await PlainRow.all(app.db, """
            SELECT workspace_id, computed_on, origin, finished_at, started_at FROM health_runs WHERE computed_on IN (\(binds: Array(Set(due.map(\.day.iso)))))
            """).map { r in
            Existing(workspace: try r.required(r.uuid("workspace_id"), "workspace_id"), day: try r.required(r.text("computed_on"), "computed_on"),
                     origin: try r.required(r.text("origin"), "origin"), finished: try r.double("finished_at") != nil,
                     startedAt: try r.required(r.double("started_at"), "started_at"))
        }
        var done = 0
        for (w, day, hourStart) in due {
            try Task.checkCancellation()
            let ws = w.id!
            if let run = existing.first(where: { $0.workspace == ws && $0.day == day.iso }) {
                let early = run.origin == "manual" && run.startedAt < hourStart
                if run.finished && !early { continue }
                if !run.finished && run.startedAt > now.timeIntervalSince1970 - staleAfter { continue }
            }
            guard try await claim(ws, day: day, hourStart: hourStart, node: node, now: now, db: app.db) else { continue }
            let scope = w.scope(on: app.db)
            let started = Date()
            do {
                let n = try await HealthEngine.recompute(asOf: day, scope: scope)
                try await app.db.sql.raw("""
                    UPDATE health_runs SET finished_at = \(bind: Date().timeIntervalSince1970), accounts = \(bind: n), seconds = \(bind: Date().timeIntervalSince(started)), error = NULL
                    WHERE workspace_id = \(bind: ws) AND computed_on = \(bind: day.iso) AND claimed_by = \(bind: node)
                    """).run()
                app.logger.info("health of \(n) accounts computed for \(day.iso) (workspace \(ws))")
                done += 1
            } catch is CancellationError {
                throw CancellationError()   // shutting down: the claim goes stale and another round takes it
            } catch {
                // Left unfinished: the round after `staleAfter` tries again (on whichever node).
                app.logger.error("health recompute for workspace \(ws): \(String(reflecting: error))")
                try? await app.db.sql.raw("""
                    UPDATE health_runs SET error = \(bind: String(describing: error).prefix(500).description)
                    WHERE workspace_id = \(bind: ws) AND computed_on = \(bind: day.iso) AND claimed_by = \(bind: node)
                    """).run()
            }
        }
        return done
    }

    /// Inserts the day's run (only one node can), or takes over a run whose claim went stale or a
    /// recompute by hand from before the hour. The claim is stamped with the time it is made, not the
    /// round's start: a node working through many workspaces must not hand out claims that look old.
    static func claim(_ ws: UUID, day: DateOnly, hourStart: Double, node: String, now: Date, db: any Database) async throws -> Bool {
        let at = max(now, Date()).timeIntervalSince1970
        let inserted = try await db.sql.raw("""
            INSERT INTO health_runs (workspace_id, computed_on, origin, claimed_by, started_at) VALUES (\(bind: ws), \(bind: day.iso), 'schedule', \(bind: node), \(bind: at))
            ON CONFLICT (workspace_id, computed_on) DO NOTHING RETURNING computed_on
            """).all()
        if !inserted.isEmpty { return true }
        let taken = try await db.sql.raw("""
            UPDATE health_runs SET claimed_by = \(bind: node), started_at = \(bind: at), origin = 'schedule', finished_at = NULL, accounts = NULL, seconds = NULL, error = NULL
            WHERE workspace_id = \(bind: ws) AND computed_on = \(bind: day.iso)
            AND ((finished_at IS NULL AND started_at < \(bind: at - staleAfter)) OR (origin = 'manual' AND finished_at IS NOT NULL AND started_at < \(bind: hourStart)))
            RETURNING computed_on
            """).all()
        return !taken.isEmpty
    }

    /// A recompute by hand: computes the workspace's day now and records it as that day's run.
    static func recomputeNow(scope: Scope, by caller: Caller, day given: DateOnly? = nil) async throws -> (day: DateOnly, accounts: Int, seconds: Double) {
        let day = given ?? scope.today
        let started = Date()
        let n = try await HealthEngine.recompute(asOf: day, scope: scope)
        let seconds = Date().timeIntervalSince(started)
        let now = Date().timeIntervalSince1970
        try await scope.db.sql.raw("""
            INSERT INTO health_runs (workspace_id, computed_on, origin, claimed_by, started_at, finished_at, accounts, seconds)
            VALUES (\(bind: scope.workspaceID), \(bind: day.iso), 'manual', \(bind: caller.label), \(bind: started.timeIntervalSince1970), \(bind: now), \(bind: n), \(bind: seconds))
            ON CONFLICT (workspace_id, computed_on) DO UPDATE SET origin = excluded.origin, claimed_by = excluded.claimed_by, started_at = excluded.started_at,
              finished_at = excluded.finished_at, accounts = excluded.accounts, seconds = excluded.seconds, error = NULL
            """).run()
        try await Audit.record("recompute", "health scores", id: nil, by: caller, on: scope.db)
        return (day, n, seconds)
    }

    /// The newest runs first.
    static func runs(scope: Scope, limit: Int = 30) async throws -> [RunDTO] {
        try await PlainRow.all(scope.db, """
            SELECT computed_on, origin, claimed_by, started_at, finished_at, accounts, seconds, error FROM health_runs
            WHERE workspace_id = \(bind: scope.workspaceID) ORDER BY computed_on DESC LIMIT \(bind: limit)
            """).map { r in
            RunDTO(computed_on: try r.required(r.text("computed_on"), "computed_on"), origin: try r.required(r.text("origin"), "origin"),
                   claimed_by: try r.required(r.text("claimed_by"), "claimed_by"),
                   started_at: Date(timeIntervalSince1970: try r.required(r.double("started_at"), "started_at")),
                   finished_at: try r.double("finished_at").map(Date.init(timeIntervalSince1970:)), accounts: try r.int("accounts"),
                   seconds: try r.double("seconds"), error: try r.text("error"))
        }
    }

    static func runsRoute(_ req: Request) async throws -> Response {
        SuccessJSON.response(PlainPage(items: try await runs(scope: try req.scope), nextCursor: nil))
    }
}
