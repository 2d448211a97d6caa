import Fluent
import Foundation
import SQLKit

/// Goals, KPIs, measurements, agreements, plans and milestones read column by column (`PlainRow`)
/// instead of through Fluent's decoder, which reflects over every property of every row: a portfolio
/// of 500 accounts reads some 8,000 of them, and decoding them was two thirds of the page's time.
/// Each model comes back marked as stored, as Fluent's own would, and with every field set.
enum SuccessRows {
    /// Children of more parents than `IDList.namedUpTo` are read for the whole workspace and kept here.
    private static func within(_ column: String, _ ids: [UUID]) -> SQLQueryString {
        IDList.narrowed(ids) == nil ? "" : " AND \(unsafeRaw: column) IN (\(binds: ids))"
    }
    private static func keep<M>(_ rows: [M], _ ids: [UUID], _ parent: (M) -> UUID) -> [M] {
        guard IDList.narrowed(ids) == nil else { return rows }
        let wanted = Set(ids)
        return rows.filter { wanted.contains(parent($0)) }
    }

    static func goals(_ scope: Scope, accounts: [UUID]?, ids: [UUID]?) async throws -> [Goal] {
        try await PlainRow.all(scope.db, """
            SELECT id, account_id, parent_id, title, description, horizon, level, vendor_owner_id, customer_owner_id, attainment, revision, version,
                   created_at, updated_at FROM goals
            WHERE workspace_id = \(bind: scope.workspaceID)\(SQLQueryString.accounts(accounts))\(ids.map { SQLQueryString(" AND id IN (\(binds: $0))") } ?? "")
            ORDER BY created_at, id
            """).map { r in
            let g = Goal()
            g.id = try r.required(r.uuid("id"), "id"); g.$id.exists = true
            g.workspaceID = scope.workspaceID; g.accountID = try r.required(r.uuid("account_id"), "account_id"); g.parentID = try r.uuid("parent_id")
            g.title = try r.required(r.text("title"), "title"); g.description = try r.text("description")
            g.horizon = try r.required(r.text("horizon"), "horizon"); g.level = try r.required(r.text("level"), "level")
            g.vendorOwnerID = try r.uuid("vendor_owner_id"); g.customerOwnerID = try r.uuid("customer_owner_id")
            g.attainment = try r.required(r.text("attainment"), "attainment")
            g.revision = try r.required(r.int("revision"), "revision"); g.version = try r.required(r.int("version"), "version")
            g.createdAt = try r.date("created_at"); g.updatedAt = try r.date("updated_at")
            return g
        }
    }

    static func kpis(_ scope: Scope, goals: [UUID]) async throws -> [GoalKPI] {
        keep(try await PlainRow.all(scope.db, """
            SELECT id, goal_id, name, unit, baseline, baseline_on, target, deadline, source, source_ref, version, created_at, updated_at FROM goal_kpis
            WHERE workspace_id = \(bind: scope.workspaceID)\(within("goal_id", goals)) ORDER BY created_at, id
            """).map { r in
            let k = GoalKPI()
            k.id = try r.required(r.uuid("id"), "id"); k.$id.exists = true
            k.workspaceID = scope.workspaceID; k.goalID = try r.required(r.uuid("goal_id"), "goal_id")
            k.name = try r.required(r.text("name"), "name"); k.unit = try r.required(r.text("unit"), "unit")
            k.baseline = try r.required(r.double("baseline"), "baseline"); k.baselineOn = try r.required(r.text("baseline_on"), "baseline_on")
            k.target = try r.required(r.double("target"), "target"); k.deadline = try r.required(r.text("deadline"), "deadline")
            k.source = try r.required(r.text("source"), "source"); k.sourceRef = try r.text("source_ref")
            k.version = try r.required(r.int("version"), "version"); k.createdAt = try r.date("created_at"); k.updatedAt = try r.date("updated_at")
            return k
        }, goals) { $0.goalID }
    }

    static func measurements(_ scope: Scope, kpis: [UUID]) async throws -> [KPIMeasurement] {
        keep(try await PlainRow.all(scope.db, """
            SELECT id, kpi_id, measured_on, value, source, note, recorded_by, created_at FROM kpi_measurements
            WHERE workspace_id = \(bind: scope.workspaceID)\(within("kpi_id", kpis)) ORDER BY measured_on, created_at
            """).map { r in
            let m = KPIMeasurement()
            m.id = try r.required(r.uuid("id"), "id"); m.$id.exists = true
            m.workspaceID = scope.workspaceID; m.kpiID = try r.required(r.uuid("kpi_id"), "kpi_id")
            m.measuredOn = try r.required(r.text("measured_on"), "measured_on"); m.value = try r.required(r.double("value"), "value")
            m.source = try r.required(r.text("source"), "source"); m.note = try r.text("note")
            m.recordedBy = try r.required(r.text("recorded_by"), "recorded_by"); m.createdAt = try r.required(r.date("created_at"), "created_at")
            return m
        }, kpis) { $0.kpiID }
    }

    static func agreements(_ scope: Scope, goals: [UUID]) async throws -> [GoalAgreement] {
        keep(try await PlainRow.all(scope.db, """
            SELECT id, goal_id, revision, stage, side, attainment, by_name, via, note, created_at FROM goal_agreements
            WHERE workspace_id = \(bind: scope.workspaceID)\(within("goal_id", goals)) ORDER BY created_at
            """).map { r in
            let a = GoalAgreement()
            a.id = try r.required(r.uuid("id"), "id"); a.$id.exists = true
            a.workspaceID = scope.workspaceID; a.goalID = try r.required(r.uuid("goal_id"), "goal_id")
            a.revision = try r.required(r.int("revision"), "revision"); a.stage = try r.required(r.text("stage"), "stage")
            a.side = try r.required(r.text("side"), "side"); a.attainment = try r.text("attainment")
            a.byName = try r.required(r.text("by_name"), "by_name"); a.via = try r.required(r.text("via"), "via"); a.note = try r.text("note")
            a.createdAt = try r.required(r.date("created_at"), "created_at")
            return a
        }, goals) { $0.goalID }
    }

    static func plans(_ scope: Scope, accounts: [UUID]?) async throws -> [SuccessPlan] {
        try await PlainRow.all(scope.db, """
            SELECT id, account_id, title, vendor_owner_id, customer_owner_id, priorities, budget_minor, currency, promised, realistic, phases, visibility,
                   share_hash, shared_at, version, created_at, updated_at FROM success_plans
            WHERE workspace_id = \(bind: scope.workspaceID)\(SQLQueryString.accounts(accounts))
            """).map { r in
            let p = SuccessPlan()
            p.id = try r.required(r.uuid("id"), "id"); p.$id.exists = true
            p.workspaceID = scope.workspaceID; p.accountID = try r.required(r.uuid("account_id"), "account_id"); p.title = try r.required(r.text("title"), "title")
            p.vendorOwnerID = try r.uuid("vendor_owner_id"); p.customerOwnerID = try r.uuid("customer_owner_id")
            p.priorities = try r.required(r.text("priorities"), "priorities"); p.budgetMinor = try r.int64("budget_minor"); p.currency = try r.text("currency")
            p.promised = try r.text("promised"); p.realistic = try r.text("realistic"); p.phases = try r.required(r.text("phases"), "phases")
            p.visibility = try r.required(r.text("visibility"), "visibility"); p.shareHash = try r.text("share_hash"); p.sharedAt = try r.date("shared_at")
            p.version = try r.required(r.int("version"), "version"); p.createdAt = try r.date("created_at"); p.updatedAt = try r.date("updated_at")
            return p
        }
    }

    static func milestones(_ scope: Scope, plans: [UUID]) async throws -> [PlanMilestone] {
        keep(try await PlainRow.all(scope.db, """
            SELECT id, plan_id, title, phase, due_on, done_on, created_at FROM plan_milestones
            WHERE workspace_id = \(bind: scope.workspaceID)\(within("plan_id", plans)) ORDER BY due_on, created_at, id
            """).map { r in
            let m = PlanMilestone()
            m.id = try r.required(r.uuid("id"), "id"); m.$id.exists = true
            m.workspaceID = scope.workspaceID; m.planID = try r.required(r.uuid("plan_id"), "plan_id")
            m.title = try r.required(r.text("title"), "title"); m.phase = try r.required(r.text("phase"), "phase")
            m.dueOn = try r.required(r.text("due_on"), "due_on"); m.doneOn = try r.text("done_on"); m.createdAt = try r.date("created_at")
            return m
        }, plans) { $0.planID }
    }
}
