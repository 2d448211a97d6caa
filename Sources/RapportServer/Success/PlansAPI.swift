import Crypto
import Fluent
import Foundation
import RapportKit
import Vapor

struct PhaseDates: Codable, Sendable, Equatable { var planned: String?; var actual: String? }

struct PlanInput: Decodable, Sendable {
    var account_id: UUID?
    var title: String?
    var vendor_owner_id: Change<UUID>
    var customer_owner_id: Change<UUID>
    var priorities: [String]?
    var budget: Change<Decimal>
    var currency: String?
    var promised: Change<String>
    var realistic: Change<String>
    var phases: [String: PhaseDates]?
    var visibility: String?

    enum CodingKeys: String, CodingKey { case account_id, title, vendor_owner_id, customer_owner_id, priorities, budget, currency, promised, realistic, phases, visibility }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        account_id = try c.decodeIfPresent(UUID.self, forKey: .account_id)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        vendor_owner_id = try c.change(UUID.self, forKey: .vendor_owner_id)
        customer_owner_id = try c.change(UUID.self, forKey: .customer_owner_id)
        priorities = try c.decodeIfPresent([String].self, forKey: .priorities)
        budget = try c.change(Decimal.self, forKey: .budget)
        currency = try c.decodeIfPresent(String.self, forKey: .currency)
        promised = try c.change(String.self, forKey: .promised)
        realistic = try c.change(String.self, forKey: .realistic)
        phases = try c.decodeIfPresent([String: PhaseDates].self, forKey: .phases)
        visibility = try c.decodeIfPresent(String.self, forKey: .visibility)
    }
    init() { vendor_owner_id = .keep; customer_owner_id = .keep; budget = .keep; promised = .keep; realistic = .keep }
}

struct MilestoneInput: Decodable, Sendable {
    var title: String?; var phase: String?; var due_on: String?; var done_on: Change<String>
    enum CodingKeys: String, CodingKey { case title, phase, due_on, done_on }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        title = try c.decodeIfPresent(String.self, forKey: .title); phase = try c.decodeIfPresent(String.self, forKey: .phase)
        due_on = try c.decodeIfPresent(String.self, forKey: .due_on); done_on = try c.change(String.self, forKey: .done_on)
    }
    init(title: String?, phase: String?, due_on: String?, done_on: Change<String>) { self.title = title; self.phase = phase; self.due_on = due_on; self.done_on = done_on }
}

struct MilestoneDTO: Codable, Sendable, Equatable {
    var id: UUID; var title: String; var phase: String; var due_on: String; var done_on: String?
    init(_ m: PlanMilestone) { id = m.id!; title = m.title; phase = m.phase; due_on = m.dueOn; done_on = m.doneOn }
}

struct PlanDTO: Codable, Sendable, Equatable {
    var id: UUID; var account_id: UUID; var title: String; var vendor_owner_id: UUID?; var customer_owner_id: UUID?
    var priorities: [String]; var budget: Decimal?; var currency: String?; var promised: String?; var realistic: String?
    var phases: [String: PhaseDates]; var visibility: String; var shared: Bool; var shared_at: Date?
    var milestones: [MilestoneDTO]; var version: Int; var created_at: Date?; var updated_at: Date?
}

struct ShareDTO: Codable, Sendable { var url: String; var note: String }

/// One success plan per account: owners on both sides, top-3 priorities, budget, expectations (what
/// sales promised against what is realistic), the phases Activation → Adoption → Optimization with
/// planned and actual dates, milestones; internal, or shared with the customer through a secret link.
enum PlansAPI {
    static func decodeList(_ text: String) -> [String] { (try? PlainJSON.decode([String].self, from: Data(text.utf8))) ?? [] }
    static func decodePhases(_ text: String) -> [String: PhaseDates] { (try? PlainJSON.decode([String: PhaseDates].self, from: Data(text.utf8))) ?? [:] }

    static func dto(_ p: SuccessPlan, milestones: [PlanMilestone]) -> PlanDTO {
        PlanDTO(id: p.id!, account_id: p.accountID, title: p.title, vendor_owner_id: p.vendorOwnerID, customer_owner_id: p.customerOwnerID,
                priorities: decodeList(p.priorities), budget: p.budgetMinor.map(Money.amount), currency: p.currency, promised: p.promised,
                realistic: p.realistic, phases: decodePhases(p.phases), visibility: p.visibility, shared: p.shareHash != nil && p.visibility == "shared",
                shared_at: p.sharedAt, milestones: milestones.map(MilestoneDTO.init), version: p.version, created_at: p.createdAt, updated_at: p.updatedAt)
    }

    static func milestones(_ p: SuccessPlan, scope: Scope) async throws -> [PlanMilestone] {
        try await scope.query(PlanMilestone.self).filter(\.$planID == p.id!).sort(\.$dueOn).sort(\.$id).all()
    }

    static func apply(_ input: PlanInput, to p: SuccessPlan, isNew: Bool, scope: Scope) async throws {
        var v = RapportKit.Validator()
        if isNew {
            if let id = input.account_id {
                if try await scope.query(Account.self).filter(\.$id == id).first() == nil { v.fail("account_id", "there is no account with this id in your workspace") }
                else if try await scope.query(SuccessPlan.self).filter(\.$accountID == id).first() != nil {
                    v.fail("account_id", "the account has a success plan already; change that one (one plan per account)")
                } else { p.accountID = id }
            } else { v.fail("account_id", "is required") }
        } else if let id = input.account_id, id != p.accountID { v.fail("account_id", "a plan stays with its account") }
        if isNew || input.title != nil, let t = v.text("title", input.title ?? (isNew ? "Success plan" : nil), required: true, maxLength: 200) { p.title = t }
        if case .set(let owner) = input.vendor_owner_id {
            if let owner, try await !Members.isMember(owner, scope: scope) { v.fail("vendor_owner_id", "is not a member of this workspace") } else { p.vendorOwnerID = owner }
        }
        if case .set(let owner) = input.customer_owner_id {
            if let owner {
                let c = try await scope.query(Contact.self).filter(\.$id == owner).first()
                if c == nil { v.fail("customer_owner_id", "there is no contact with this id in your workspace") }
                else if isNew && v.errors.contains(where: { $0.field == "account_id" }) {}
                else if c?.accountID != p.accountID { v.fail("customer_owner_id", "the contact belongs to another account") }
                else { p.customerOwnerID = owner }
            } else { p.customerOwnerID = nil }
        }
        if let list = input.priorities {
            let cleaned = list.map(\.trimmed).filter { !$0.isEmpty }
            if cleaned.count > 3 { v.fail("priorities", "\(cleaned.count) priorities; a success plan has its top 3") }
            for (i, t) in cleaned.enumerated() where t.count > 300 || controlCharacterProblem(t) != nil { v.fail("priorities[\(i)]", "must be at most 300 characters of plain text") }
            p.priorities = PlainJSON.encode(cleaned)
        } else if isNew { p.priorities = "[]" }
        if case .set(let b) = input.budget {
            if let b {
                if b < 0 { v.fail("budget", "must not be negative") }
                else { do { p.budgetMinor = try Money.minor(b, field: "budget") } catch let e as AppError { for f in e.fieldErrors { v.fail(f.field, f.message) } } }
            } else { p.budgetMinor = nil }
        }
        if let c = input.currency { if let cur = v.check("currency", c, FieldCheck.currencyCode) { p.currency = cur } }
        if p.budgetMinor != nil && p.currency == nil { v.fail("currency", "is required with a budget, e.g. EUR") }
        if case .set(let t) = input.promised { p.promised = v.text("promised", t, maxLength: 4_000) }
        if case .set(let t) = input.realistic { p.realistic = v.text("realistic", t, maxLength: 4_000) }
        if let phases = input.phases {
            var merged = isNew ? [:] : decodePhases(p.phases)
            for (name, dates) in phases {
                guard SuccessPhase(rawValue: name) != nil else { v.fail("phases.\(name)", "'\(name)' is not a phase; use activation, adoption, optimization"); continue }
                var out = PhaseDates()
                for (field, value) in [("planned", dates.planned), ("actual", dates.actual)] {
                    guard let value, !value.trimmed.isEmpty else { continue }
                    if let d = v.check("phases.\(name).\(field)", value, FieldCheck.date) {
                        if field == "actual", d > scope.today { v.fail("phases.\(name).actual", "\(d.iso) is in the future; an actual date is when the phase was reached") }
                        if field == "planned" { out.planned = d.iso } else { out.actual = d.iso }
                    }
                }
                merged[name] = out
            }
            let planned = SuccessPhase.allCases.compactMap { ph in merged[ph.rawValue]?.planned.map { (ph, $0) } }
            for (a, b) in zip(planned, planned.dropFirst()) where b.1 < a.1 {
                v.fail("phases.\(b.0.rawValue).planned", "\(b.1) is before the planned start of \(a.0.rawValue) (\(a.1)): the phases run activation → adoption → optimization")
            }
            p.phases = PlainJSON.encode(merged)
        } else if isNew { p.phases = "{}" }
        if isNew || input.visibility != nil {
            let vis = input.visibility ?? "internal"
            if ["internal", "shared"].contains(vis) { p.visibility = vis } else { v.fail("visibility", "'\(vis)' is not one of internal, shared") }
        }
        try v.finish()
    }

    static func find(_ req: Request) async throws -> SuccessPlan { try await req.scope.find(SuccessPlan.self, parameter: "id", of: req) }

    static func list(_ req: Request) async throws -> Response {
        let scope = try req.scope
        var f = Filters(req)
        let account = f.uuid("account_id")
        try f.finish()
        let q = scope.query(SuccessPlan.self).sort(\.$createdAt).sort(\.$id).limit(1_000)
        if let account { q.filter(\.$accountID == account) }
        let plans = try await q.all()
        let ms = plans.isEmpty ? [] : try await scope.query(PlanMilestone.self).filter(\.$planID ~~ plans.map { $0.id! }).sort(\.$dueOn).all()
        let byPlan = Dictionary(grouping: ms, by: \.planID)
        return PlainJSON.response(PlainPage(items: plans.map { dto($0, milestones: byPlan[$0.id!] ?? []) }, nextCursor: nil))
    }

    static func show(_ req: Request) async throws -> Response {
        let p = try await find(req)
        return PlainJSON.response(dto(p, milestones: try await milestones(p, scope: try req.scope))).withETag(p.version)
    }

    static func create(_ req: Request) async throws -> Response {
        let input = try decodePlainBody(req, as: PlanInput.self)
        let p = try await insert(input, by: try req.caller, on: req.db)
        return PlainJSON.response(dto(p, milestones: []), status: .created).withETag(p.version)
    }

    static func insert(_ input: PlanInput, by caller: Caller, on db: any Database) async throws -> SuccessPlan {
        let scope = caller.scope(on: db)
        let p = SuccessPlan()
        p.id = .timeOrdered(); p.workspaceID = caller.workspaceID; p.version = 1
        try await apply(input, to: p, isNew: true, scope: scope)
        try await db.transaction { db in
            do { try await p.create(on: db) } catch let e as any DatabaseError where e.isConstraintFailure {
                throw AppError.invalid("account_id", "the account has a success plan already; change that one (one plan per account)")
            }
            try await Timeline.record(workspaceID: p.workspaceID, accountID: p.accountID, contactID: nil, kind: "success.plan",
                                      title: "Success plan created: \(p.title)", subjectType: "success_plan", subjectID: p.id, on: db)
            try await Audit.record("create", "success plan", id: p.id, before: String?.none, after: PlainJSON.encode(dto(p, milestones: [])), by: caller, on: db)
        }
        return p
    }

    static func update(_ req: Request) async throws -> Response {
        _ = try await find(req)
        let input = try decodePlainBody(req, as: PlanInput.self)
        let ifMatch = req.headers.first(name: .ifMatch)
        let (p, ms) = try await change(req.parameters.get("id").flatMap(UUID.init(uuidString:)), input, by: try req.caller, on: req.db) {
            try Versioning.check(ifMatch, current: $0)
        }
        return PlainJSON.response(dto(p, milestones: ms)).withETag(p.version)
    }

    static func change(_ id: UUID?, _ input: PlanInput, by caller: Caller, on db: any Database,
                       check: @Sendable (Int) throws -> Void = { _ in }) async throws -> (SuccessPlan, [PlanMilestone]) {
        let scope = caller.scope(on: db)
        let p = try await scope.find(SuccessPlan.self, id)
        try check(p.version)
        let ms = try await milestones(p, scope: scope)
        let before = PlainJSON.encode(dto(p, milestones: ms))
        try await apply(input, to: p, isNew: false, scope: scope)
        try await db.transaction { db in
            try await Versioning.claim(table: SuccessPlan.schema, id: p.id!, version: p.version, on: db)
            p.version += 1
            // Making a plan internal again closes its link for good; sharing anew makes a new one.
            if p.visibility == "internal" { p.shareHash = nil; p.sharedAt = nil }
            try await p.save(on: db)
            try await Audit.record("update", "success plan", id: p.id, before: before, after: PlainJSON.encode(dto(p, milestones: ms)), by: caller, on: db)
        }
        return (p, ms)
    }

    static func delete(_ req: Request) async throws -> Response {
        let scope = try req.scope, caller = try req.caller
        let p = try await find(req)
        try Versioning.check(req, current: p.version)
        let before = PlainJSON.encode(dto(p, milestones: try await milestones(p, scope: scope)))
        try await req.db.transaction { db in
            try await p.delete(on: db)
            try await Audit.record("delete", "success plan", id: p.id, before: before, after: String?.none, by: caller, on: db)
        }
        return Response(status: .noContent)
    }

    // MARK: sharing

    /// A new secret link (any earlier one stops working); the secret is shown once and stored hashed.
    static func share(_ req: Request) async throws -> Response {
        let p = try await find(req)
        let url = try await share(p, base: PublicURL.base(req.application), by: try req.caller, on: req.db)
        return PlainJSON.response(ShareDTO(url: url, note: "Shown once. Anyone with the link can read this plan and confirm its goals for the customer; revoke it with DELETE /plans/{id}/share."), status: .created)
    }

    static func share(_ p: SuccessPlan, base: String, by caller: Caller, on db: any Database) async throws -> String {
        let token = randomToken(24)
        p.shareHash = hash(token); p.sharedAt = Date(); p.visibility = "shared"; p.version += 1
        try await db.transaction { db in
            try await p.save(on: db)
            try await Timeline.record(workspaceID: p.workspaceID, accountID: p.accountID, contactID: nil, kind: "success.plan_shared",
                                      title: "Success plan shared with the customer: \(p.title)", subjectType: "success_plan", subjectID: p.id, on: db)
            try await Audit.record("share", "success plan", id: p.id, by: caller, on: db)
        }
        return base + "/p/" + token
    }

    static func revoke(_ req: Request) async throws -> Response {
        let p = try await find(req)
        try await revoke(p, by: try req.caller, on: req.db)
        return Response(status: .noContent)
    }

    static func revoke(_ p: SuccessPlan, by caller: Caller, on db: any Database) async throws {
        p.shareHash = nil; p.sharedAt = nil; p.visibility = "internal"; p.version += 1
        try await db.transaction { db in
            try await p.save(on: db)
            try await Audit.record("revoke share", "success plan", id: p.id, by: caller, on: db)
        }
    }

    static func hash(_ token: String) -> String { UsageIngest.hex(SHA256.hash(data: Data(token.utf8))) }

    /// The plan a share link opens, or nil for a revoked, internal or made-up link (the same answer
    /// for all three, so a link reveals nothing by failing).
    static func plan(forToken token: String, db: any Database) async throws -> SuccessPlan? {
        guard token.count >= 20, token.count <= 100, token.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else { return nil }
        return try await SuccessPlan.query(on: db).filter(\.$shareHash == hash(token)).filter(\.$visibility == "shared").first()
    }

    // MARK: milestones

    static func apply(_ input: MilestoneInput, to m: PlanMilestone, isNew: Bool, today: DateOnly) throws {
        var v = RapportKit.Validator()
        if isNew || input.title != nil, let t = v.text("title", input.title, required: true, maxLength: 200) { m.title = t }
        if isNew || input.phase != nil {
            let ph = input.phase ?? SuccessPhase.activation.rawValue
            if SuccessPhase(rawValue: ph) != nil { m.phase = ph } else { v.fail("phase", "'\(ph)' is not one of activation, adoption, optimization") }
        }
        if isNew || input.due_on != nil, let d = v.check("due_on", input.due_on, required: true, FieldCheck.date) { m.dueOn = d.iso }
        if case .set(let done) = input.done_on {
            if let done, !done.trimmed.isEmpty {
                if let d = v.check("done_on", done, FieldCheck.date) {
                    if d > today { v.fail("done_on", "\(d.iso) is in the future") } else { m.doneOn = d.iso }
                }
            } else { m.doneOn = nil }
        }
        try v.finish()
    }

    static func addMilestone(_ req: Request) async throws -> Response {
        let p = try await find(req)
        let input = try decodePlainBody(req, as: MilestoneInput.self)
        let m = try await addMilestone(input, plan: p, by: try req.caller, on: req.db)
        return PlainJSON.response(MilestoneDTO(m), status: .created)
    }

    static func addMilestone(_ input: MilestoneInput, plan p: SuccessPlan, by caller: Caller, on db: any Database) async throws -> PlanMilestone {
        let m = PlanMilestone()
        m.id = .timeOrdered(); m.workspaceID = p.workspaceID; m.planID = p.id!
        try apply(input, to: m, isNew: true, today: caller.today)
        try await db.transaction { db in
            try await m.create(on: db)
            try await Audit.record("create", "milestone", id: m.id, before: String?.none, after: PlainJSON.encode(MilestoneDTO(m)), by: caller, on: db)
        }
        return m
    }

    static func updateMilestone(_ req: Request) async throws -> Response {
        let scope = try req.scope, caller = try req.caller
        let m = try await scope.find(PlanMilestone.self, parameter: "id", of: req)
        let input = try decodePlainBody(req, as: MilestoneInput.self)
        let before = PlainJSON.encode(MilestoneDTO(m))
        try apply(input, to: m, isNew: false, today: caller.today)
        try await req.db.transaction { db in
            try await m.save(on: db)
            if input.done_on.isSet, m.doneOn != nil, let p = try await SuccessPlan.find(m.planID, on: db) {
                try await Timeline.record(workspaceID: p.workspaceID, accountID: p.accountID, contactID: nil, kind: "success.milestone",
                                          title: "Milestone reached: \(m.title)", subjectType: "success_plan", subjectID: p.id, on: db)
            }
            try await Audit.record("update", "milestone", id: m.id, before: before, after: PlainJSON.encode(MilestoneDTO(m)), by: caller, on: db)
        }
        return PlainJSON.response(MilestoneDTO(m))
    }

    static func deleteMilestone(_ req: Request) async throws -> Response {
        let scope = try req.scope, caller = try req.caller
        let m = try await scope.find(PlanMilestone.self, parameter: "id", of: req)
        try await req.db.transaction { db in
            try await m.delete(on: db)
            try await Audit.record("delete", "milestone", id: m.id, before: PlainJSON.encode(MilestoneDTO(m)), after: String?.none, by: caller, on: db)
        }
        return Response(status: .noContent)
    }

    static func register(_ api: APIBuilder) {
        let tag = "Customer Success"
        api.on(APIRoute(method: .GET, path: "/plans", summary: "Success plans (one per account), each with its milestones", tag: tag,
                        permission: .readCustomers, response: .list("Plan"),
                        queryParameters: [QueryParameter(name: "account_id", type: "string", summary: "The account", format: "uuid")]), list)
        api.on(APIRoute(method: .POST, path: "/plans", summary: "Create an account's success plan", tag: tag, permission: .writeSuccess,
                        requestSchema: "PlanInput", response: .object("Plan"), successStatus: 201), create)
        api.on(APIRoute(method: .GET, path: "/plans/{id}", summary: "Get a success plan", tag: tag, permission: .readCustomers,
                        response: .object("Plan"), conditional: true), show)
        api.on(APIRoute(method: .PATCH, path: "/plans/{id}", summary: "Change a success plan; visibility internal closes its share link", tag: tag,
                        permission: .writeSuccess, requestSchema: "PlanInput", response: .object("Plan"), conditional: true), update)
        api.on(APIRoute(method: .DELETE, path: "/plans/{id}", summary: "Delete a success plan and its milestones", tag: tag,
                        permission: .writeSuccess, response: .none, successStatus: 204, conditional: true), delete)
        api.on(APIRoute(method: .POST, path: "/plans/{id}/share", summary: "Share the plan with the customer: a new secret link, shown once (earlier links stop working)",
                        tag: tag, permission: .writeSuccess, response: .object("Share"), successStatus: 201), share)
        api.on(APIRoute(method: .DELETE, path: "/plans/{id}/share", summary: "Revoke the plan's share link", tag: tag,
                        permission: .writeSuccess, response: .none, successStatus: 204), revoke)
        api.on(APIRoute(method: .POST, path: "/plans/{id}/milestones", summary: "Add a milestone", tag: tag, permission: .writeSuccess,
                        requestSchema: "MilestoneInput", response: .object("Milestone"), successStatus: 201), addMilestone)
        api.on(APIRoute(method: .PATCH, path: "/milestones/{id}", summary: "Change a milestone (done_on marks it reached)", tag: tag,
                        permission: .writeSuccess, requestSchema: "MilestoneInput", response: .object("Milestone")), updateMilestone)
        api.on(APIRoute(method: .DELETE, path: "/milestones/{id}", summary: "Delete a milestone", tag: tag, permission: .writeSuccess,
                        response: .none, successStatus: 204), deleteMilestone)
    }
}
