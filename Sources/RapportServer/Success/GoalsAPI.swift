import Fluent
import Foundation
import RapportKit
import SQLKit
import Vapor

enum AgreementStage: String, CaseIterable, Sendable { case exAnte = "ex_ante", exPost = "ex_post" }
enum AgreementSide: String, CaseIterable, Sendable { case vendor, customer }

/// A field a PATCH may leave alone, set, or clear with null.
enum Change<T: Decodable & Sendable>: Sendable {
    case keep, set(T?)
    var isSet: Bool { if case .set = self { true } else { false } }
    var value: T?? { if case .set(let v) = self { .some(v) } else { .none } }
}

extension KeyedDecodingContainer {
    func change<T: Decodable & Sendable>(_ type: T.Type, forKey key: Key) throws -> Change<T> {
        contains(key) ? .set(try decodeIfPresent(T.self, forKey: key)) : .keep
    }
}

// The API's JSON spells fields in snake_case; these types use the same names so no key mapping is needed.
struct GoalInput: Decodable, Sendable {
    var account_id: UUID?
    var parent_id: Change<UUID>
    var title: String?
    var description: Change<String>
    var horizon: String?
    var level: String?
    var vendor_owner_id: Change<UUID>
    var customer_owner_id: Change<UUID>
    var attainment: String?
    /// Required when the goal's definition (title, description, horizon, level) changes: a reset.
    var reason: String?

    enum CodingKeys: String, CodingKey { case account_id, parent_id, title, description, horizon, level, vendor_owner_id, customer_owner_id, attainment, reason }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        account_id = try c.decodeIfPresent(UUID.self, forKey: .account_id)
        parent_id = try c.change(UUID.self, forKey: .parent_id)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        description = try c.change(String.self, forKey: .description)
        horizon = try c.decodeIfPresent(String.self, forKey: .horizon)
        level = try c.decodeIfPresent(String.self, forKey: .level)
        vendor_owner_id = try c.change(UUID.self, forKey: .vendor_owner_id)
        customer_owner_id = try c.change(UUID.self, forKey: .customer_owner_id)
        attainment = try c.decodeIfPresent(String.self, forKey: .attainment)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
    }
    /// Changes nothing until fields are set: what the web forms start from.
    init() { parent_id = .keep; description = .keep; vendor_owner_id = .keep; customer_owner_id = .keep }
}

struct AgreementDTO: Codable, Sendable, Equatable {
    var stage: String; var side: String; var revision: Int; var attainment: String?; var by: String; var via: String; var note: String?; var at: Date
    init(_ a: GoalAgreement) {
        stage = a.stage; side = a.side; revision = a.revision; attainment = a.attainment; by = a.byName; via = a.via; note = a.note; at = a.createdAt
    }
}

struct MeasurementDTO: Codable, Sendable, Equatable {
    var id: UUID; var measured_on: String; var value: Double; var source: String; var note: String?; var recorded_by: String
    init(_ m: KPIMeasurement) { id = m.id!; measured_on = m.measuredOn; value = m.value; source = m.source; note = m.note; recorded_by = m.recordedBy }
}

struct KPIDTO: Codable, Sendable, Equatable {
    var id: UUID; var goal_id: UUID; var name: String; var unit: String; var baseline: Double; var baseline_on: String
    var target: Double; var deadline: String; var source: String; var source_ref: String?
    var current: Double?; var measured_on: String?; var progress: Double?
    var measurements: [MeasurementDTO]; var version: Int
    init(_ k: GoalKPI, measurements m: [KPIMeasurement]) {
        id = k.id!; goal_id = k.goalID; name = k.name; unit = k.unit; baseline = k.baseline; baseline_on = k.baselineOn
        target = k.target; deadline = k.deadline; source = k.source; source_ref = k.sourceRef
        let last = m.last
        current = last?.value; measured_on = last?.measuredOn
        progress = last.flatMap { GoalRules.progress(baseline: k.baseline, target: k.target, current: $0.value) }
        measurements = m.map(MeasurementDTO.init); version = k.version
    }
}

struct GoalDTO: Codable, Sendable, Equatable {
    var id: UUID; var account_id: UUID; var parent_id: UUID?; var title: String; var description: String?
    var horizon: String; var level: String; var vendor_owner_id: UUID?; var customer_owner_id: UUID?
    var attainment: String; var revision: Int; var version: Int
    /// This revision's agreements: ex-ante and ex-post, per side.
    var agreements: [AgreementDTO]
    var agreed_by_both: Bool; var signed_off_by_both: Bool
    var kpis: [KPIDTO]
    var created_at: Date?; var updated_at: Date?
}

struct GoalVersionDTO: Codable, Sendable {
    var revision: Int; var reason: String; var created_by: String; var created_at: Date; var snapshot: GoalSnapshot
}

/// What a reset keeps of the goal as it was.
struct GoalSnapshot: Codable, Sendable {
    var title: String; var description: String?; var horizon: String; var level: String; var attainment: String
    var kpis: [KPIDTO]; var agreements: [AgreementDTO]
}

/// An account's goals with their KPIs, measured values and agreements, read in four queries.
struct GoalBook: Sendable {
    var goals: [Goal] = [] { didSet { byAccount = Dictionary(grouping: goals, by: \.accountID) } }
    /// The goals of each account, in the order of `goals`: a portfolio asks per account, and filtering
    /// all goals for each of 500 accounts grew with the square of the portfolio.
    private(set) var byAccount: [UUID: [Goal]] = [:]
    var kpis: [UUID: [GoalKPI]] = [:]
    var measurements: [UUID: [KPIMeasurement]] = [:]
    var agreements: [UUID: [GoalAgreement]] = [:]

    static func load(scope: Scope, accounts: [UUID]? = nil, goals goalIDs: [UUID]? = nil) async throws -> GoalBook {
        var book = GoalBook()
        if accounts?.isEmpty == true || goalIDs?.isEmpty == true { return book }
        book.goals = try await SuccessRows.goals(scope, accounts: accounts, ids: goalIDs)
        let ids = book.goals.map { $0.id! }
        guard !ids.isEmpty else { return book }
        let kpis = try await SuccessRows.kpis(scope, goals: ids)
        book.kpis = Dictionary(grouping: kpis, by: \.goalID)
        if !kpis.isEmpty {
            book.measurements = Dictionary(grouping: try await SuccessRows.measurements(scope, kpis: kpis.map { $0.id! }), by: \.kpiID)
        }
        let revisions = Dictionary(uniqueKeysWithValues: book.goals.map { ($0.id!, $0.revision) })
        let a = try await SuccessRows.agreements(scope, goals: ids)
        book.agreements = Dictionary(grouping: a.filter { revisions[$0.goalID] == $0.revision }, by: \.goalID)
        return book
    }

    func goals(of account: UUID) -> [Goal] { byAccount[account] ?? [] }

    func agreement(_ goal: Goal, _ stage: AgreementStage, _ side: AgreementSide) -> GoalAgreement? {
        agreements[goal.id!]?.first { $0.stage == stage.rawValue && $0.side == side.rawValue }
    }
    func agreedByBoth(_ g: Goal) -> Bool { agreement(g, .exAnte, .vendor) != nil && agreement(g, .exAnte, .customer) != nil }
    func signedOffByBoth(_ g: Goal) -> Bool { agreement(g, .exPost, .vendor) != nil && agreement(g, .exPost, .customer) != nil }

    func kpiDTOs(_ g: Goal) -> [KPIDTO] { (kpis[g.id!] ?? []).map { KPIDTO($0, measurements: measurements[$0.id!] ?? []) } }

    func dto(_ g: Goal) -> GoalDTO {
        GoalDTO(id: g.id!, account_id: g.accountID, parent_id: g.parentID, title: g.title, description: g.description, horizon: g.horizon,
                level: g.level, vendor_owner_id: g.vendorOwnerID, customer_owner_id: g.customerOwnerID, attainment: g.attainment,
                revision: g.revision, version: g.version, agreements: (agreements[g.id!] ?? []).map(AgreementDTO.init),
                agreed_by_both: agreedByBoth(g), signed_off_by_both: signedOffByBoth(g), kpis: kpiDTOs(g),
                created_at: g.createdAt, updated_at: g.updatedAt)
    }

    /// Goals in tree order (each parent before its children), with their depth.
    func tree(of account: UUID? = nil) -> [(goal: Goal, depth: Int)] {
        let mine = goals.filter { account == nil || $0.accountID == account }
        let ids = Set(mine.map { $0.id! })
        let children = Dictionary(grouping: mine.filter { $0.parentID.map(ids.contains) ?? false }, by: { $0.parentID! })
        var out: [(Goal, Int)] = []
        var seen: Set<UUID> = []
        func walk(_ g: Goal, _ depth: Int) {
            guard seen.insert(g.id!).inserted else { return }
            out.append((g, depth))
            for c in children[g.id!] ?? [] { walk(c, depth + 1) }
        }
        for root in mine where !(root.parentID.map(ids.contains) ?? false) { walk(root, 0) }
        return out
    }

    /// The goals of one account as the Customer Success assessment sees them.
    func assessment(of account: UUID) -> SuccessAssessment {
        SuccessAssessment.assess(goals(of: account).map { g in
            AssessedGoal(attainment: GoalAttainment(rawValue: g.attainment) ?? .open,
                         agreedByVendor: agreement(g, .exAnte, .vendor) != nil, agreedByCustomer: agreement(g, .exAnte, .customer) != nil,
                         signedOffByVendor: agreement(g, .exPost, .vendor) != nil, signedOffByCustomer: agreement(g, .exPost, .customer) != nil,
                         backedByMeasuredKPI: (kpis[g.id!] ?? []).contains { !(measurements[$0.id!] ?? []).isEmpty })
        })
    }

    /// Mean progress of the KPIs that have a measured value, each clamped to 0…1: the health score's
    /// goals component.
    func meanProgress(of account: UUID) -> Double? {
        let values = goals(of: account).flatMap { kpiDTOs($0) }.compactMap(\.progress).map { min(max($0, 0), 1) }
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
}

/// Goals per account: a tree (superordinate → focal → subordinate), owners on both sides, KPIs,
/// agreements; a change of the definition is a reset that keeps the old version and its reason.
enum GoalsAPI {
    static func apply(_ input: GoalInput, to g: Goal, isNew: Bool, scope: Scope) async throws -> Bool {
        var v = RapportKit.Validator()
        if isNew {
            if let id = input.account_id {
                if try await scope.query(Account.self).filter(\.$id == id).first() == nil { v.fail("account_id", "there is no account with this id in your workspace") }
                else { g.accountID = id }
            } else { v.fail("account_id", "is required") }
        } else if let id = input.account_id, id != g.accountID {
            v.fail("account_id", "a goal stays with its account; create a new goal for the other account")
        }
        let before = isNew ? nil : (g.title, g.description, g.horizon, g.level)
        // Checks against the goal's account only once it has a valid one.
        let accountKnown = !isNew || !v.errors.contains { $0.field == "account_id" }
        if isNew || input.title != nil, let t = v.text("title", input.title, required: true, maxLength: 200) { g.title = t }
        if case .set(let d) = input.description { g.description = v.text("description", d, maxLength: 4_000) }
        if isNew || input.horizon != nil {
            let h = input.horizon ?? GoalHorizon.strategic.rawValue
            if GoalHorizon(rawValue: h) != nil { g.horizon = h } else { v.fail("horizon", "'\(h)' is not one of strategic, tactical") }
        }
        if isNew || input.level != nil {
            let l = input.level ?? GoalLevel.focal.rawValue
            if GoalLevel(rawValue: l) != nil { g.level = l } else { v.fail("level", "'\(l)' is not one of superordinate, focal, subordinate") }
        }
        if isNew || input.attainment != nil {
            let a = input.attainment ?? GoalAttainment.open.rawValue
            if GoalAttainment(rawValue: a) != nil { g.attainment = a } else { v.fail("attainment", "'\(a)' is not one of open, none, partly, fully") }
        }
        if case .set(let owner) = input.vendor_owner_id {
            if let owner, try await !Members.isMember(owner, scope: scope) { v.fail("vendor_owner_id", "is not a member of this workspace") }
            else { g.vendorOwnerID = owner }
        }
        if case .set(let owner) = input.customer_owner_id {
            if let owner {
                let c = try await scope.query(Contact.self).filter(\.$id == owner).first()
                if c == nil { v.fail("customer_owner_id", "there is no contact with this id in your workspace") }
                else if accountKnown && c?.accountID != g.accountID {
                    v.fail("customer_owner_id", "the contact belongs to another account; the customer-side owner must work for this goal's account")
                } else { g.customerOwnerID = owner }
            } else { g.customerOwnerID = nil }
        }
        if case .set(let parent) = input.parent_id, accountKnown {
            if let parent {
                if let p = try await scope.query(Goal.self).filter(\.$id == parent).first() {
                    if p.accountID != g.accountID { v.fail("parent_id", "the parent goal belongs to another account") }
                    else if let l = GoalLevel(rawValue: g.level), let pl = GoalLevel(rawValue: p.level), let problem = GoalRules.levelProblem(child: l, parent: pl) {
                        v.fail("parent_id", problem)
                    } else if let id = g.id {
                        let rows = try await scope.query(Goal.self).filter(\.$accountID == g.accountID).all()
                        let parents = Dictionary(uniqueKeysWithValues: rows.compactMap { r in r.parentID.map { (r.id!, $0) } })
                        if let loop = GoalRules.cycle(goal: id, parent: parent, parents: parents) {
                            let titles = Dictionary(uniqueKeysWithValues: rows.map { ($0.id!, $0.title) })
                            v.fail("parent_id", "would make a cycle: " + loop.map { "'\(titles[$0] ?? "?")'" }.joined(separator: " → "))
                        } else { g.parentID = parent }
                    } else { g.parentID = parent }
                } else { v.fail("parent_id", "there is no goal with this id in your workspace") }
            } else { g.parentID = nil }
        } else if !isNew, input.level != nil, let parentID = g.parentID,
                  let p = try await scope.query(Goal.self).filter(\.$id == parentID).first(),
                  let l = GoalLevel(rawValue: g.level), let pl = GoalLevel(rawValue: p.level), let problem = GoalRules.levelProblem(child: l, parent: pl) {
            v.fail("level", problem)
        }
        if !isNew, input.level != nil, let id = g.id, let l = GoalLevel(rawValue: g.level) {
            for child in try await scope.query(Goal.self).filter(\.$parentID == id).all() {
                if let cl = GoalLevel(rawValue: child.level), let problem = GoalRules.levelProblem(child: cl, parent: l) {
                    v.fail("level", "its sub-goal '\(child.title)': \(problem)")
                }
            }
        }
        let reset = before.map { $0.0 != g.title || $0.1 != g.description || $0.2 != g.horizon || $0.3 != g.level } ?? false
        if reset, v.text("reason", input.reason, maxLength: 1_000) == nil, !v.errors.contains(where: { $0.field == "reason" }) {
            v.fail("reason", "is required when the title, description, horizon or level change: the change resets the goal, keeps the old version and needs agreeing again")
        }
        try v.finish()
        return reset
    }

    static func dto(_ g: Goal, scope: Scope) async throws -> GoalDTO {
        try await GoalBook.load(scope: scope, goals: [g.id!]).dto(g)
    }

    static func list(_ req: Request) async throws -> Response {
        let scope = try req.scope
        var f = Filters(req)
        let account = f.uuid("account_id")
        try f.finish()
        guard let account else { throw AppError.invalid("account_id", "is required: goals are listed per account") }
        let book = try await GoalBook.load(scope: scope, accounts: [account])
        return PlainJSON.response(PlainPage(items: book.tree().map { book.dto($0.goal) }, nextCursor: nil))
    }

    static func show(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let g = try await scope.find(Goal.self, parameter: "id", of: req)
        return PlainJSON.response(try await dto(g, scope: scope)).withETag(g.version)
    }

    static func versions(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let g = try await scope.find(Goal.self, parameter: "id", of: req)
        let rows = try await scope.query(GoalVersion.self).filter(\.$goalID == g.id!).sort(\.$revision, .descending).all()
        return PlainJSON.response(PlainPage(items: rows.compactMap { r in
            (try? PlainJSON.decode(GoalSnapshot.self, from: Data(r.snapshot.utf8))).map {
                GoalVersionDTO(revision: r.revision, reason: r.reason, created_by: r.createdBy, created_at: r.createdAt, snapshot: $0)
            }
        }, nextCursor: nil))
    }

    static func create(_ req: Request) async throws -> Response {
        let input = try decodePlainBody(req, as: GoalInput.self)
        let (g, dto) = try await insert(input, by: try req.caller, on: req.db)
        return PlainJSON.response(dto, status: .created).withETag(g.version)
    }

    static func insert(_ input: GoalInput, by caller: Caller, on db: any Database) async throws -> (Goal, GoalDTO) {
        let scope = caller.scope(on: db)
        let g = Goal()
        g.id = .timeOrdered()
        g.workspaceID = caller.workspaceID
        g.revision = 1
        g.version = 1
        _ = try await apply(input, to: g, isNew: true, scope: scope)
        try await db.transaction { db in
            try await g.create(on: db)
            try await Timeline.record(workspaceID: caller.workspaceID, accountID: g.accountID, contactID: nil, kind: "success.goal",
                                      title: "Goal set: \(g.title)", subjectType: "goal", subjectID: g.id, on: db)
            try await Audit.record("create", "goal", id: g.id, before: String?.none, after: PlainJSON.encode(GoalBook().dto(g)), by: caller, on: db)
        }
        return (g, GoalBook().dto(g))
    }

    static func update(_ req: Request) async throws -> Response {
        _ = try await req.scope.find(Goal.self, parameter: "id", of: req)
        let input = try decodePlainBody(req, as: GoalInput.self)
        let ifMatch = req.headers.first(name: .ifMatch)
        let (g, dto) = try await change(req.parameters.get("id").flatMap(UUID.init(uuidString:)), input, by: try req.caller, on: req.db) {
            try Versioning.check(ifMatch, current: $0)
        }
        return PlainJSON.response(dto).withETag(g.version)
    }

    static func change(_ id: UUID?, _ input: GoalInput, by caller: Caller, on db: any Database,
                       check: @Sendable (Int) throws -> Void = { _ in }) async throws -> (Goal, GoalDTO) {
        let scope = caller.scope(on: db)
        let g = try await scope.find(Goal.self, id)
        try check(g.version)
        let book = try await GoalBook.load(scope: scope, goals: [g.id!])
        let before = book.dto(g)
        let reset = try await apply(input, to: g, isNew: false, scope: scope)
        try await db.transaction { db in
            try await Versioning.claim(table: Goal.schema, id: g.id!, version: g.version, on: db)
            if reset {
                let snapshot = GoalSnapshot(title: before.title, description: before.description, horizon: before.horizon, level: before.level,
                                            attainment: before.attainment, kpis: before.kpis, agreements: before.agreements)
                let v = GoalVersion()
                v.id = .timeOrdered(); v.workspaceID = g.workspaceID; v.goalID = g.id!; v.revision = g.revision
                v.snapshot = PlainJSON.encode(snapshot); v.reason = input.reason!.trimmed; v.createdBy = caller.label; v.createdAt = Date()
                try await v.create(on: db)
                g.revision += 1
                try await Timeline.record(workspaceID: g.workspaceID, accountID: g.accountID, contactID: nil, kind: "success.goal_reset",
                                          title: "Goal reset: \(g.title)", detail: v.reason, subjectType: "goal", subjectID: g.id, on: db)
            }
            g.version += 1
            try await g.save(on: db)
        }
        let after = try await dto(g, scope: scope)
        try await Audit.record("update", "goal", id: g.id, before: PlainJSON.encode(before), after: PlainJSON.encode(after), by: caller, on: db)
        return (g, after)
    }

    static func delete(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let caller = try req.caller
        let g = try await scope.find(Goal.self, parameter: "id", of: req)
        try Versioning.check(req, current: g.version)
        if let child = try await scope.query(Goal.self).filter(\.$parentID == g.id!).first() {
            throw AppError.conflict("The goal '\(g.title)' has the sub-goal '\(child.title)'; delete or move its sub-goals first.")
        }
        let before = try await dto(g, scope: scope)
        try await req.db.transaction { db in
            try await g.delete(on: db)
            try await Audit.record("delete", "goal", id: g.id, before: PlainJSON.encode(before), after: String?.none, by: caller, on: db)
        }
        return Response(status: .noContent)
    }

    // MARK: agreements

    struct AgreementInput: Decodable, Sendable { var stage: String?; var side: String?; var by_name: String?; var note: String? }

    static func agree(_ req: Request) async throws -> Response {
        let g = try await req.scope.find(Goal.self, parameter: "id", of: req)
        let input = try decodePlainBody(req, as: AgreementInput.self)
        let caller = try req.caller
        var v = RapportKit.Validator()
        let stage = v.check("stage", input.stage, required: true) { s in
            AgreementStage(rawValue: s).map { .success($0) } ?? .failure(FieldProblem("'\(s)' is not one of ex_ante (agree what success looks like), ex_post (sign off that the goal was reached)"))
        }
        let side = v.check("side", input.side, required: true) { s in
            AgreementSide(rawValue: s).map { .success($0) } ?? .failure(FieldProblem("'\(s)' is not one of vendor, customer"))
        }
        let note = v.text("note", input.note, maxLength: 1_000)
        var by = caller.label
        if side == .customer {
            if let name = v.text("by_name", input.by_name, required: true, maxLength: 200) { by = name }
        } else if let name = v.text("by_name", input.by_name, maxLength: 200) { by = name }
        try v.finish()
        let a = try await record(goal: g, stage: stage!, side: side!, by: by, via: caller.userID == nil ? "api" : "web", note: note, caller: caller, on: req.db)
        return PlainJSON.response(AgreementDTO(a), status: .created)
    }

    /// Records one side's agreement or sign-off for the goal's current revision, once.
    @discardableResult
    static func record(goal g: Goal, stage: AgreementStage, side: AgreementSide, by: String, via: String, note: String?,
                       caller: Caller, on db: any Database) async throws -> GoalAgreement {
        if stage == .exPost, !["partly", "fully"].contains(g.attainment) {
            throw AppError.validation([FieldError("stage", "an ex-post sign-off confirms that the goal was reached, but '\(g.title)' is marked \(g.attainment); set its attainment to partly or fully first")])
        }
        let scope = Scope(workspaceID: g.workspaceID, db: db)
        if let existing = try await scope.query(GoalAgreement.self).filter(\.$goalID == g.id!).filter(\.$revision == g.revision)
            .filter(\.$stage == stage.rawValue).filter(\.$side == side.rawValue).first() {
            throw AppError.conflict("The \(side.rawValue) side has already \(stage == .exAnte ? "agreed to" : "signed off") '\(g.title)' (\(existing.byName)).")
        }
        let a = GoalAgreement()
        a.id = .timeOrdered(); a.workspaceID = g.workspaceID; a.goalID = g.id!; a.revision = g.revision
        a.stage = stage.rawValue; a.side = side.rawValue; a.attainment = stage == .exPost ? g.attainment : nil
        a.byName = by; a.via = via; a.note = note; a.createdAt = Date()
        try await db.transaction { db in
            do { try await a.create(on: db) } catch let e as any DatabaseError where e.isConstraintFailure {
                throw AppError.conflict("The \(side.rawValue) side has already \(stage == .exAnte ? "agreed to" : "signed off") '\(g.title)'.")
            }
            let what = stage == .exAnte ? "Goal agreed" : "Goal signed off as reached (\(g.attainment))"
            try await Timeline.record(workspaceID: g.workspaceID, accountID: g.accountID, contactID: nil, kind: "success.agreement",
                                      title: "\(what) by \(side.rawValue) (\(by)): \(g.title)", detail: note, subjectType: "goal", subjectID: g.id, on: db)
            try await Audit.record("create", "goal agreement", id: a.id, before: String?.none, after: PlainJSON.encode(AgreementDTO(a)), by: caller, on: db)
        }
        return a
    }

    static func register(_ api: APIBuilder) {
        let tag = "Customer Success"
        api.on(APIRoute(method: .GET, path: "/goals", summary: "An account's goals in tree order, each with its KPIs and this revision's agreements",
                        tag: tag, permission: .readCustomers, response: .list("Goal"),
                        queryParameters: [QueryParameter(name: "account_id", type: "string", summary: "The account (required)", format: "uuid")]), list)
        api.on(APIRoute(method: .POST, path: "/goals", summary: "Set a goal for an account", tag: tag, permission: .writeSuccess,
                        requestSchema: "GoalInput", response: .object("Goal"), successStatus: 201), create)
        api.on(APIRoute(method: .GET, path: "/goals/{id}", summary: "Get a goal", tag: tag, permission: .readCustomers,
                        response: .object("Goal"), conditional: true), show)
        api.on(APIRoute(method: .PATCH, path: "/goals/{id}", summary: "Change a goal; a new title, description, horizon or level is a reset and needs a reason",
                        tag: tag, permission: .writeSuccess, requestSchema: "GoalInput", response: .object("Goal"), conditional: true), update)
        api.on(APIRoute(method: .DELETE, path: "/goals/{id}", summary: "Delete a goal without sub-goals, with its KPIs", tag: tag,
                        permission: .writeSuccess, response: .none, successStatus: 204, conditional: true), delete)
        api.on(APIRoute(method: .GET, path: "/goals/{id}/versions", summary: "Earlier versions of a goal, each with the reason for its reset",
                        tag: tag, permission: .readCustomers, response: .list("GoalVersion")), versions)
        api.on(APIRoute(method: .POST, path: "/goals/{id}/agreements", summary: "Record one side's ex-ante agreement or ex-post sign-off for the goal's current revision",
                        tag: tag, permission: .writeSuccess, requestSchema: "AgreementInput", response: .object("Agreement"), successStatus: 201), agree)
        KPIsAPI.register(api)
    }
}
