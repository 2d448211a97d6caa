import Fluent
import Foundation
import RapportKit
import Vapor

extension Operations {
    /// Recounts the roll-ups of one workspace (or all) from the raw responses.
    public static func rebuildRollups(_ settings: Settings, workspace slug: String?) async throws -> String {
        try await Runtime.withApp(settings) { app in
            var id: UUID?
            if let slug { id = try await Workspaces.find(slug: slug, on: app.db).id }
            let started = Date()
            let cells = try await Rollups.rebuild(workspace: id, on: app.db)
            return String(format: "Roll-ups rebuilt: %d cells in %.1f s.", cells, Date().timeIntervalSince(started))
        }
    }

    /// Compares the roll-ups with a recount from the raw responses; the lines name every difference.
    public static func checkRollups(_ settings: Settings, workspace slug: String) async throws -> (ok: Bool, lines: [String]) {
        try await Runtime.withApp(settings) { app in
            let ws = try await Workspaces.find(slug: slug, on: app.db)
            let (cells, mismatches) = try await Rollups.check(workspace: ws.id!, on: app.db)
            if mismatches.isEmpty { return (true, ["Roll-ups agree with a recount from the raw responses: \(cells) cells."]) }
            return (false, ["\(mismatches.count) roll-up cells differ from a recount (`rapport rollups rebuild` repairs them):"]
                + mismatches.prefix(50).map { "  " + $0.description } + (mismatches.count > 50 ? ["  … and \(mismatches.count - 50) more"] : []))
        }
    }

    /// Recomputes every KPI snapshot from the raw responses and checks the hash chain.
    public static func verifyKPIs(_ settings: Settings, workspace slug: String?) async throws -> (ok: Bool, lines: [String]) {
        try await Runtime.withApp(settings) { app in
            var workspaces: [Workspace] = []
            if let slug { workspaces = [try await Workspaces.find(slug: slug, on: app.db)] } else { workspaces = try await Workspace.query(on: app.db).sort(\.$slug).all() }
            var ok = true
            var lines: [String] = []
            for ws in workspaces {
                let results = try await KPISnapshots.verify(scope: ws.scope(on: app.db))
                if results.isEmpty { if slug != nil { lines.append("\(ws.slug): no KPI snapshots") }; continue }
                for r in results {
                    let value = r.value.map { String(format: "%.1f", $0) } ?? "–"
                    lines.append("\(ws.slug) #\(r.seq) \(r.name): \(value) (n=\(r.n)) \(r.status)")
                    for p in r.problems { lines.append("    " + p) }
                    if r.status != "verified" { ok = false }
                }
            }
            if lines.isEmpty { lines = ["No KPI snapshots."] }
            return (ok, lines)
        }
    }
}

extension Operations {
    /// Renders a dashboard as a self-contained printable HTML report, as the owner of the workspace
    /// would see it at /dashboards/report. `query` is the dashboard's query string (filters,
    /// `dashboard=…`); `language` is "de" or "en".
    public static func renderReport(_ settings: Settings, workspace slug: String, query: String, language: String) async throws -> String {
        try await Runtime.withApp(settings) { app in
            let ws = try await Workspaces.find(slug: slug, on: app.db)
            let req = Request(application: app, method: .GET, url: URI(string: "/dashboards/report?" + query), on: app.eventLoopGroup.next())
            req.headers.replaceOrAdd(name: .acceptLanguage, value: language)
            req.setCaller(Caller(kind: .system, workspaceID: ws.id!, workspaceSlug: ws.slug, workspaceName: ws.name, role: .owner, label: "rapport report", zone: ws.zone))
            let response = try await DashboardPages.$selfContained.withValue(true) { try await DashboardPages.report(req) }
            guard response.status == .ok, let body = response.body.string else {
                throw AppError.invalid("report", "the dashboard could not be rendered (\(response.status.code)): " + (response.body.string.map { String($0.prefix(300)) } ?? ""))
            }
            return body
        }
    }
}
