import Fluent
import Foundation
import RapportKit
import Vapor

struct KPIInput: Decodable, Sendable {
    var name: String?; var unit: String?; var baseline: Double?; var baseline_on: String?
    var target: Double?; var deadline: String?; var source: String?; var source_ref: String?
}

struct MeasurementInput: Decodable, Sendable { var measured_on: String?; var value: Double?; var note: String? }

/// KPIs make a goal measurable: baseline, target, deadline, unit and where the values come from. Values
/// are typed in, or measured from usage events or survey answers on request.
enum KPIsAPI {
    static func apply(_ input: KPIInput, to k: GoalKPI, isNew: Bool, today: DateOnly) throws {
        var v = RapportKit.Validator()
        if isNew || input.name != nil, let n = v.text("name", input.name, required: true, maxLength: 200) { k.name = n }
        if isNew || input.unit != nil { k.unit = v.text("unit", input.unit, maxLength: 40) ?? "" }
        if isNew || input.baseline != nil { if let b = input.baseline { k.baseline = b } else { v.fail("baseline", "is required: where the KPI starts") } }
        if isNew || input.target != nil { if let t = input.target { k.target = t } else { v.fail("target", "is required: where the KPI should get to") } }
        if isNew || input.baseline_on != nil {
            if let d = v.check("baseline_on", input.baseline_on ?? today.iso, FieldCheck.date) { k.baselineOn = d.iso }
        }
        if isNew || input.deadline != nil { if let d = v.check("deadline", input.deadline, required: true, FieldCheck.date) { k.deadline = d.iso } }
        if isNew || input.source != nil {
            let s = input.source ?? KPISource.manual.rawValue
            if KPISource(rawValue: s) != nil { k.source = s } else { v.fail("source", "'\(s)' is not one of manual, usage, survey") }
        }
        if isNew || input.source_ref != nil || input.source != nil {
            let ref = v.text("source_ref", input.source_ref ?? (input.source == nil ? k.sourceRef : nil), maxLength: 100)
            switch KPISource(rawValue: k.source) {
            case .usage:
                if ref == nil { v.fail("source_ref", "is required for usage KPIs: 'active_users' or the feature whose events in the last 30 days are counted") }
            case .survey:
                if let ref, ref != "nps" { v.fail("source_ref", "'\(ref)' is not a survey measure; use nps (the account's NPS over the last 12 months)") }
            default:
                if ref != nil { v.fail("source_ref", "only usage and survey KPIs take a source_ref") }
            }
            k.sourceRef = KPISource(rawValue: k.source) == .survey ? "nps" : ref
        }
        if v.errors.isEmpty {
            for e in GoalRules.kpiProblems(unit: k.unit, baseline: k.baseline, target: k.target,
                                           baselineOn: DateOnly(iso: k.baselineOn), deadline: DateOnly(iso: k.deadline)) { v.fail(e.field, e.message) }
        }
        try v.finish()
    }

    static func create(_ req: Request) async throws -> Response {
        let goal = try await req.scope.find(Goal.self, parameter: "id", of: req)
        let input = try decodePlainBody(req, as: KPIInput.self)
        let k = try await insert(input, goal: goal, by: try req.caller, on: req.db)
        return PlainJSON.response(KPIDTO(k, measurements: []), status: .created).withETag(k.version)
    }

    static func insert(_ input: KPIInput, goal: Goal, by caller: Caller, on db: any Database) async throws -> GoalKPI {
        let k = GoalKPI()
        k.id = .timeOrdered(); k.workspaceID = goal.workspaceID; k.goalID = goal.id!; k.version = 1
        try apply(input, to: k, isNew: true, today: caller.today)
        try await db.transaction { db in
            try await k.create(on: db)
            try await Audit.record("create", "KPI", id: k.id, before: String?.none, after: PlainJSON.encode(KPIDTO(k, measurements: [])), by: caller, on: db)
        }
        return k
    }

    static func update(_ req: Request) async throws -> Response {
        let scope = try req.scope, caller = try req.caller
        let k = try await scope.find(GoalKPI.self, parameter: "id", of: req)
        let input = try decodePlainBody(req, as: KPIInput.self)
        try Versioning.check(req, current: k.version)
        let measurements = try await scope.query(KPIMeasurement.self).filter(\.$kpiID == k.id!).sort(\.$measuredOn).all()
        let before = PlainJSON.encode(KPIDTO(k, measurements: measurements))
        try apply(input, to: k, isNew: false, today: caller.today)
        try await req.db.transaction { db in
            try await Versioning.claim(table: GoalKPI.schema, id: k.id!, version: k.version, on: db)
            k.version += 1
            try await k.save(on: db)
            try await Audit.record("update", "KPI", id: k.id, before: before, after: PlainJSON.encode(KPIDTO(k, measurements: measurements)), by: caller, on: db)
        }
        return PlainJSON.response(KPIDTO(k, measurements: measurements)).withETag(k.version)
    }

    static func delete(_ req: Request) async throws -> Response {
        let scope = try req.scope, caller = try req.caller
        let k = try await scope.find(GoalKPI.self, parameter: "id", of: req)
        try Versioning.check(req, current: k.version)
        try await req.db.transaction { db in
            try await k.delete(on: db)
            try await Audit.record("delete", "KPI", id: k.id, before: PlainJSON.encode(KPIDTO(k, measurements: [])), after: String?.none, by: caller, on: db)
        }
        return Response(status: .noContent)
    }

    static func addMeasurement(_ req: Request) async throws -> Response {
        let k = try await req.scope.find(GoalKPI.self, parameter: "id", of: req)
        let input = try decodePlainBody(req, as: MeasurementInput.self)
        let m = try await record(input, kpi: k, by: try req.caller, on: req.db)
        return PlainJSON.response(MeasurementDTO(m), status: .created)
    }

    static func record(_ input: MeasurementInput, kpi k: GoalKPI, source: KPISource = .manual, by caller: Caller, on db: any Database) async throws -> KPIMeasurement {
        var v = RapportKit.Validator()
        let day = v.check("measured_on", input.measured_on ?? caller.today.iso, FieldCheck.date)
        if let day, day > caller.today { v.fail("measured_on", "\(day.iso) is in the future; record values once they are measured") }
        if let day, let base = DateOnly(iso: k.baselineOn), day < base { v.fail("measured_on", "\(day.iso) is before the KPI's baseline date \(base.iso)") }
        if input.value == nil { v.fail("value", "is required") } else if !input.value!.isFinite { v.fail("value", "must be a finite number") }
        let note = v.text("note", input.note, maxLength: 1_000)
        try v.finish()
        let m = KPIMeasurement()
        m.id = .timeOrdered(); m.workspaceID = k.workspaceID; m.kpiID = k.id!; m.measuredOn = day!.iso; m.value = input.value!
        m.source = source.rawValue; m.note = note; m.recordedBy = caller.label; m.createdAt = Date()
        try await db.transaction { db in
            try await m.create(on: db)
            try await Audit.record("create", "KPI measurement", id: m.id, before: String?.none, after: PlainJSON.encode(MeasurementDTO(m)), by: caller, on: db)
        }
        return m
    }

    /// Measures a usage or survey KPI from the data and records the value for today.
    static func measure(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let k = try await scope.find(GoalKPI.self, parameter: "id", of: req)
        let m = try await measure(k, scope: scope, by: try req.caller)
        return PlainJSON.response(MeasurementDTO(m), status: .created)
    }

    static func measure(_ k: GoalKPI, scope: Scope, by caller: Caller) async throws -> KPIMeasurement {
        let goal = try await scope.find(Goal.self, k.goalID)
        let today = caller.today
        let value: Double, note: String
        switch KPISource(rawValue: k.source) {
        case .usage:
            if k.sourceRef == "active_users" {
                value = Double(try await UsageReads.activeUsers(account: goal.accountID, weeksEnding: today, weeks: 4, scope: scope))
                note = "active users in the 4 weeks to \(today.iso)"
            } else {
                value = Double(try await UsageReads.events(account: goal.accountID, feature: k.sourceRef ?? "", from: today.adding(days: -29), to: today, scope: scope))
                note = "events of '\(k.sourceRef ?? "")' in the 30 days to \(today.iso)"
            }
        case .survey:
            guard let nps = try await AccountSentiment.nps(accounts: .ids([goal.accountID]), asOf: today, scope: scope)[goal.accountID] else {
                throw AppError.validation([FieldError("source", "the account has no NPS answers in the last 12 months to measure from")])
            }
            value = nps.value; note = "NPS of \(nps.n) answers in the 12 months to \(today.iso)"
        default:
            throw AppError.validation([FieldError("source", "'\(k.name)' is entered by hand; record its value with POST /kpis/{id}/measurements")])
        }
        return try await record(MeasurementInput(measured_on: today.iso, value: value, note: note), kpi: k,
                                source: KPISource(rawValue: k.source)!, by: caller, on: scope.db)
    }

    static func register(_ api: APIBuilder) {
        let tag = "Customer Success"
        api.on(APIRoute(method: .POST, path: "/goals/{id}/kpis", summary: "Make a goal measurable with a KPI", tag: tag, permission: .writeSuccess,
                        requestSchema: "KPIInput", response: .object("KPI"), successStatus: 201), create)
        api.on(APIRoute(method: .PATCH, path: "/kpis/{id}", summary: "Change a KPI", tag: tag, permission: .writeSuccess,
                        requestSchema: "KPIInput", response: .object("KPI"), conditional: true), update)
        api.on(APIRoute(method: .DELETE, path: "/kpis/{id}", summary: "Delete a KPI and its values", tag: tag, permission: .writeSuccess,
                        response: .none, successStatus: 204, conditional: true), delete)
        api.on(APIRoute(method: .POST, path: "/kpis/{id}/measurements", summary: "Record a measured value of a KPI", tag: tag,
                        permission: .writeSuccess, requestSchema: "MeasurementInput", response: .object("Measurement"), successStatus: 201), addMeasurement)
        api.on(APIRoute(method: .POST, path: "/kpis/{id}/measure", summary: "Measure a usage or survey KPI from the data now and record the value",
                        tag: tag, permission: .writeSuccess, response: .object("Measurement"), successStatus: 201), measure)
    }
}
