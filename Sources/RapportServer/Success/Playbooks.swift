import Fluent
import Foundation
import RapportKit
import SQLKit
import Vapor

struct PlaybookTaskTemplate: Codable, Sendable, Equatable {
    var title: String
    var due_in_days: Int
    /// account_owner (default: the account's owner, else nobody) or a member's user id.
    var owner: String?
}

struct PlaybookInput: Decodable, Sendable {
    var name: String?; var trigger_kind: String?; var trigger_value: String?; var segment: String?
    var tasks: [PlaybookTaskTemplate]?; var active: Bool?
}

struct PlaybookDTO: Content {
    var id: UUID; var name: String; var trigger_kind: String; var trigger_value: String; var segment: String?
    var tasks: [PlaybookTaskTemplate]; var active: Bool; var description: String; var version: Int; var created_at: Date?
    init(_ p: Playbook) {
        id = p.id!; name = p.name; trigger_kind = p.triggerKind; trigger_value = p.triggerValue; segment = p.segment
        tasks = Playbooks.templates(p); active = p.active; description = Playbooks.describe(p); version = p.version; created_at = p.createdAt
    }
}

struct PlaybookRunDTO: Content {
    var id: UUID; var playbook_id: UUID; var account_id: UUID; var occurrence: String; var detail: String; var created_at: Date; var resolved_at: Date?
    init(_ r: PlaybookRun) {
        id = r.id!; playbook_id = r.playbookID; account_id = r.accountID; occurrence = r.occurrence; detail = r.detail; created_at = r.createdAt; resolved_at = r.resolvedAt
    }
}

struct PlaybookSweepDTO: Content { var playbooks: Int; var occurrences: Int; var tasks: Int; var resolved: Int }

/// Playbooks: a condition — a risk signal, a renewal within N days, or a lifecycle event on the
/// account's timeline — creates a set of tasks with owners and due dates, once per occurrence. The
/// occurrence is claimed by inserting one row per playbook, account and occurrence (unique), so two
/// nodes sweeping at once, or a sweep repeated, create nothing twice. A risk signal's occurrence ends
/// when the signal goes away; when it comes back, that is a new occurrence.
enum Playbooks {
    static let triggerKinds = ["risk_signal", "renewal_within", "timeline_event"]
    /// How often each playbook is swept by the background worker.
    static let interval: TimeInterval = 3_600

    static func templates(_ p: Playbook) -> [PlaybookTaskTemplate] {
        (try? PlainJSON.decode([PlaybookTaskTemplate].self, from: Data(p.tasks.utf8))) ?? []
    }

    static func describe(_ p: Playbook) -> String {
        let when: String
        switch p.triggerKind {
        case "risk_signal": when = "when an account shows the risk signal \(p.triggerValue)"
        case "renewal_within": when = "when a contract renews within \(p.triggerValue) days"
        default: when = "when '\(p.triggerValue)' appears on an account's timeline"
        }
        return when + (p.segment.map { " (segment \($0))" } ?? "") + ": \(templates(p).count) tasks"
    }

    static func apply(_ input: PlaybookInput, to p: Playbook, isNew: Bool, scope: Scope) async throws {
        var v = RapportKit.Validator()
        if isNew || input.name != nil, let n = v.text("name", input.name, required: true, maxLength: 200) { p.name = n }
        if isNew || input.trigger_kind != nil || input.trigger_value != nil {
            let kind = input.trigger_kind ?? (isNew ? "" : p.triggerKind)
            let value = (input.trigger_value ?? (isNew ? "" : p.triggerValue)).trimmed
            switch kind {
            case "risk_signal":
                if !RiskSignals.kinds.contains(value) { v.fail("trigger_value", "'\(value)' is not a risk signal: \(RiskSignals.kinds.joined(separator: ", "))") }
            case "renewal_within":
                if let d = Int(value), (1...365).contains(d) {} else { v.fail("trigger_value", "'\(value)' is not a number of days from 1 to 365") }
            case "timeline_event":
                if value.wholeMatch(of: /^[a-z][a-z0-9_.]{0,59}$/) == nil {
                    v.fail("trigger_value", "'\(value)' is not a timeline event kind such as contract.churn, contract.contraction, feedback or success.meeting")
                }
            default: v.fail("trigger_kind", "'\(kind)' is not one of \(triggerKinds.joined(separator: ", "))")
            }
            p.triggerKind = kind; p.triggerValue = value
        }
        if let s = input.segment {
            let segment = s.trimmed
            if segment.isEmpty { p.segment = nil }
            else if try await scope.query(Account.self).filter(\.$segment == segment).first() == nil { v.fail("segment", "no account has the segment '\(segment)'") }
            else { p.segment = segment }
        }
        if isNew || input.tasks != nil {
            let tasks = input.tasks ?? []
            if tasks.isEmpty { v.fail("tasks", "a playbook creates at least one task") }
            if tasks.count > 20 { v.fail("tasks", "at most 20 tasks, not \(tasks.count)") }
            for (i, t) in tasks.enumerated() {
                if t.title.trimmed.isEmpty || t.title.count > 200 { v.fail("tasks[\(i)].title", "is required, up to 200 characters") }
                if !(0...365).contains(t.due_in_days) { v.fail("tasks[\(i)].due_in_days", "\(t.due_in_days) must be from 0 to 365") }
                if let o = t.owner, o != "account_owner" {
                    if let id = UUID(uuidString: o), try await Members.isMember(id, scope: scope) {} else {
                        v.fail("tasks[\(i)].owner", "'\(o)' is neither account_owner nor the id of a member of this workspace")
                    }
                }
            }
            p.tasks = PlainJSON.encode(tasks.map { PlaybookTaskTemplate(title: $0.title.trimmed, due_in_days: $0.due_in_days, owner: $0.owner) })
        }
        if isNew || input.active != nil { p.active = input.active ?? true }
        try v.finish()
    }

    static func create(_ input: PlaybookInput, scope: Scope, caller: Caller) async throws -> Playbook {
        let p = Playbook()
        p.id = .timeOrdered(); p.workspaceID = scope.workspaceID; p.version = 1; p.nextRunAt = Date()
        try await apply(input, to: p, isNew: true, scope: scope)
        try await scope.db.transaction { db in
            try await p.create(on: db)
            try await Audit.record("create", "playbook", id: p.id, before: String?.none, after: PlainJSON.encode(PlaybookDTO(p)), by: caller, on: db)
        }
        return p
    }

    // MARK: The sweep

    /// One occurrence found for one account: its key, what happened, and the day the tasks count from.
    struct Occurrence { let account: UUID; let key: String; let detail: String }

    /// Sweeps the given playbooks (default: every active one) for every account now; returns counts.
    @discardableResult
    static func sweep(scope: Scope, only: [Playbook]? = nil, today given: DateOnly? = nil, now: Date = Date()) async throws -> PlaybookSweepDTO {
        let today = given ?? scope.today
        var playbooks = only ?? []
        if only == nil { playbooks = try await scope.query(Playbook.self).filter(\.$active == true).all() }
        guard !playbooks.isEmpty else { return PlaybookSweepDTO(playbooks: 0, occurrences: 0, tasks: 0, resolved: 0) }
        let accounts = try await scope.query(Account.self).all()
        let byID = Dictionary(uniqueKeysWithValues: accounts.map { ($0.id!, $0) })
        var occurrences = 0, tasks = 0, resolved = 0

        // Risk signals need the whole overview; read it once for all signal playbooks.
        var signals: [UUID: [RiskSignal]] = [:]
        if playbooks.contains(where: { $0.triggerKind == "risk_signal" }) {
            let o = try await SuccessOverview.load(accounts: accounts.map { $0.id! }, scope: scope, today: today, detailed: false)
            for a in accounts { let s = o.risks(a.id!); if !s.isEmpty { signals[a.id!] = s } }
        }
        for p in playbooks {
            var found: [Occurrence] = []
            let inSegment: (UUID) -> Bool = { id in p.segment == nil || byID[id]?.segment == p.segment }
            switch p.triggerKind {
            case "risk_signal":
                let open = try await scope.query(PlaybookRun.self).filter(\.$playbookID == p.id!).filter(\.$resolvedAt == nil).all()
                let openAccounts = Set(open.map(\.accountID))
                for (account, list) in signals where inSegment(account) && !openAccounts.contains(account) {
                    if let s = list.first(where: { $0.kind == p.triggerValue }) {
                        found.append(Occurrence(account: account, key: "\(s.kind)@\(today.iso)", detail: s.detail))
                    }
                }
                // Occurrences whose signal went away are over; the next one is new.
                let over = open.filter { run in !(signals[run.accountID] ?? []).contains { $0.kind == p.triggerValue } }.map { $0.id! }
                if !over.isEmpty {
                    try await scope.db.sql.update(PlaybookRun.schema).set("resolved_at", to: SQLBind(now)).where("id", .in, over).run()
                    resolved += over.count
                }
            case "renewal_within":
                let days = Int(p.triggerValue) ?? 0
                let contracts = try await scope.query(Contract.self).filter(\.$status == "active")
                    .filter(\.$renewalDate >= today.iso).filter(\.$renewalDate <= today.adding(days: days).iso).all()
                for c in contracts where inSegment(c.accountID) {
                    found.append(Occurrence(account: c.accountID, key: "renewal:\(c.id!.uuidString.lowercased()):\(c.renewalDate ?? "")",
                                            detail: "\(c.product) renews on \(c.renewalDate ?? "") (ARR \(Money.amount(c.arrMinor)) \(c.currency))"))
                }
            default:
                // Lifecycle events from the playbook's creation on: it acts on what happens, not on history.
                let events = try await scope.query(TimelineEvent.self).filter(\.$kind == p.triggerValue)
                    .filter(\.$occurredAt >= (p.createdAt ?? now)).filter(\.$accountID != nil).limit(10_000).all()
                for e in events where inSegment(e.accountID!) {
                    found.append(Occurrence(account: e.accountID!, key: "event:\(e.id!.uuidString.lowercased())", detail: e.title))
                }
            }
            for o in found where byID[o.account] != nil {
                let made = try await act(p, on: byID[o.account]!, occurrence: o, scope: scope, today: today, now: now)
                if made > 0 { occurrences += 1; tasks += made }
            }
        }
        return PlaybookSweepDTO(playbooks: playbooks.count, occurrences: occurrences, tasks: tasks, resolved: resolved)
    }

    /// Claims the occurrence and creates its tasks in one transaction; 0 if it was claimed before.
    static func act(_ p: Playbook, on account: Account, occurrence o: Occurrence, scope: Scope, today: DateOnly, now: Date) async throws -> Int {
        let caller = Caller(kind: .system, workspaceID: scope.workspaceID, workspaceSlug: "", workspaceName: "", role: .owner, label: "playbook \(p.name)", zone: scope.zone)
        return try await scope.db.transaction { db in
            let runID = UUID.timeOrdered()
            let claimed = try await db.sql.raw("""
                INSERT INTO playbook_runs (id, workspace_id, playbook_id, account_id, occurrence, detail, created_at)
                VALUES (\(bind: runID), \(bind: scope.workspaceID), \(bind: p.id!), \(bind: account.id!), \(bind: o.key), \(bind: o.detail), \(bind: now))
                ON CONFLICT (playbook_id, account_id, occurrence) DO NOTHING RETURNING id
                """).all()
            guard !claimed.isEmpty else { return 0 }
            let templates = templates(p)
            for t in templates {
                let owner: UUID? = t.owner.flatMap(UUID.init(uuidString:)) ?? account.ownerID
                _ = try await TasksAPI.insert(TaskInput(account_id: account.id, title: t.title, detail: .set("\(p.name): \(o.detail)"), owner_id: .set(owner),
                                                        due_on: today.adding(days: t.due_in_days).iso),
                                              scope: scope.with(db), caller: caller, playbookRun: runID, on: db)
            }
            return templates.count
        }
    }

    /// The background worker's share: each active playbook at most once an hour, claimed through the
    /// database (whoever moves `next_run_at` sweeps it), so nodes sharing one database take turns.
    static func runDue(_ app: Application, now: Date = Date()) async throws -> Int {
        let due = try await Playbook.query(on: app.db).filter(\.$active == true).filter(\.$nextRunAt <= now).limit(20).all()
        var done = 0, zones: [UUID: TimeZone] = [:]
        for p in due {
            let claimed = try await app.db.sql.raw("""
                UPDATE playbooks SET next_run_at = \(bind: now.addingTimeInterval(interval)) WHERE id = \(bind: p.id!) AND next_run_at <= \(bind: now) RETURNING id
                """).all()
            guard !claimed.isEmpty else { continue }
            do {
                if zones[p.workspaceID] == nil { zones[p.workspaceID] = Workspaces.zone(try await Workspace.find(p.workspaceID, on: app.db)?.timeZone) }
                let zone = zones[p.workspaceID]!
                try await sweep(scope: Scope(workspaceID: p.workspaceID, db: app.db, zone: zone), only: [p], today: DateOnly(now, in: zone), now: now)
                done += 1
            } catch {
                app.logger.error("playbook \(p.id!): \(String(reflecting: error))")
            }
        }
        return done
    }

    // MARK: API

    static func list(_ req: Request) async throws -> Response {
        let rows = try await req.scope.query(Playbook.self).sort(\.$name).all()
        return PlainJSON.response(PlainPage(items: rows.map(PlaybookDTO.init), nextCursor: nil))
    }

    static func createRoute(_ req: Request) async throws -> Response {
        let p = try await create(try decodePlainBody(req, as: PlaybookInput.self), scope: try req.scope, caller: try req.caller)
        return PlainJSON.response(PlaybookDTO(p), status: .created).withETag(p.version)
    }

    static func show(_ req: Request) async throws -> Response {
        let p = try await req.scope.find(Playbook.self, parameter: "id", of: req)
        return PlainJSON.response(PlaybookDTO(p)).withETag(p.version)
    }

    static func update(_ req: Request) async throws -> Response {
        let scope = try req.scope, caller = try req.caller
        let p = try await scope.find(Playbook.self, parameter: "id", of: req)
        try Versioning.check(req, current: p.version)
        try await change(p, try decodePlainBody(req, as: PlaybookInput.self), scope: scope, caller: caller)
        return PlainJSON.response(PlaybookDTO(p)).withETag(p.version)
    }

    static func change(_ p: Playbook, _ input: PlaybookInput, scope: Scope, caller: Caller) async throws {
        let before = PlainJSON.encode(PlaybookDTO(p))
        try await apply(input, to: p, isNew: false, scope: scope)
        try await scope.db.transaction { db in
            try await Versioning.claim(table: Playbook.schema, id: p.id!, version: p.version, on: db)
            p.version += 1
            try await p.save(on: db)
            try await Audit.record("update", "playbook", id: p.id, before: before, after: PlainJSON.encode(PlaybookDTO(p)), by: caller, on: db)
        }
    }

    static func delete(_ req: Request) async throws -> Response {
        let scope = try req.scope, caller = try req.caller
        let p = try await scope.find(Playbook.self, parameter: "id", of: req)
        try Versioning.check(req, current: p.version)
        try await req.db.transaction { db in
            try await p.delete(on: db)
            try await Audit.record("delete", "playbook", id: p.id, before: PlainJSON.encode(PlaybookDTO(p)), after: String?.none, by: caller, on: db)
        }
        return Response(status: .noContent)
    }

    static func runs(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let p = try await scope.find(Playbook.self, parameter: "id", of: req)
        let rows = try await scope.query(PlaybookRun.self).filter(\.$playbookID == p.id!).sort(\.$createdAt, .descending).limit(500).all()
        return PlainJSON.response(PlainPage(items: rows.map(PlaybookRunDTO.init), nextCursor: nil))
    }

    static func sweepRoute(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let summary = try await sweep(scope: scope)
        try await Audit.record("sweep", "playbooks", id: nil, by: try req.caller, on: req.db)
        return PlainJSON.response(summary)
    }

    static func register(_ api: APIBuilder) {
        let tag = "Customer Success"
        api.on(APIRoute(method: .GET, path: "/playbooks", summary: "The playbooks, by name", tag: tag, permission: .readCustomers, response: .list("Playbook")), list)
        api.on(APIRoute(method: .POST, path: "/playbooks", summary: "Create a playbook: a condition and the tasks it creates once per occurrence", tag: tag,
                        permission: .configureHealth, requestSchema: "PlaybookInput", response: .object("Playbook"), successStatus: 201), createRoute)
        api.on(APIRoute(method: .POST, path: "/playbooks/sweep", summary: "Sweep every active playbook now (the server also does so hourly)", tag: tag,
                        permission: .configureHealth, response: .object("PlaybookSweep")), sweepRoute)
        api.on(APIRoute(method: .GET, path: "/playbooks/{id}", summary: "Get a playbook", tag: tag, permission: .readCustomers, response: .object("Playbook"), conditional: true), show)
        api.on(APIRoute(method: .PATCH, path: "/playbooks/{id}", summary: "Change a playbook", tag: tag, permission: .configureHealth,
                        requestSchema: "PlaybookInput", response: .object("Playbook"), conditional: true), update)
        api.on(APIRoute(method: .DELETE, path: "/playbooks/{id}", summary: "Delete a playbook (its tasks stay)", tag: tag, permission: .configureHealth,
                        response: .none, successStatus: 204, conditional: true), delete)
        api.on(APIRoute(method: .GET, path: "/playbooks/{id}/runs", summary: "The occurrences a playbook acted on, newest first", tag: tag,
                        permission: .readCustomers, response: .list("PlaybookRun")), runs)
    }
}
