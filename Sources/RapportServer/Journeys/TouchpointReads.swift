import Fluent
import Foundation
import RapportKit
import SQLKit
import Vapor

/// Reads of many touchpoints at once (registry groups, matrix, map, export) go through SQLKit into plain
/// Decodable structs: Fluent decodes each model row by reflection, which measured 0.3–0.5 ms a row for
/// a touchpoint's 25 fields — 2,000 rows took a second (BENCHMARKS.md, "Journeys").
struct TouchpointRecord: Decodable, Sendable {
    var id: UUID
    var externalId: String?
    var slug: String
    var name: String
    var searchText: String
    var description: String?
    var url: String?
    var channel: String
    var journeyId: UUID?
    var direction: String?
    var products: [String]
    var targetGroups: [String]
    var feedbackMeasured: Bool
    var improvementNeeds: String?
    var subJourneyIds: [String]
    var responsibleDepartment: String?
    var coDepartments: [String]
    var ownership: String
    var controllable: Bool
    var version: Int
    var createdAt: Date?
    var updatedAt: Date?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, slug, name, description, url, channel, direction, products, ownership, controllable, version
        case externalId = "external_id", searchText = "search_text", journeyId = "journey_id", targetGroups = "target_groups"
        case feedbackMeasured = "feedback_measured", improvementNeeds = "improvement_needs", subJourneyIds = "sub_journey_ids"
        case responsibleDepartment = "responsible_department", coDepartments = "co_departments", createdAt = "created_at", updatedAt = "updated_at"
    }
    static let columns = CodingKeys.allCases.map(\.rawValue)

    init(_ t: Touchpoint) {
        id = t.id!; externalId = t.externalID; slug = t.slug; name = t.name; searchText = t.searchText; description = t.description
        url = t.url; channel = t.channel; journeyId = t.journeyID; direction = t.direction; products = t.products; targetGroups = t.targetGroups
        feedbackMeasured = t.feedbackMeasured; improvementNeeds = t.improvementNeeds; subJourneyIds = t.subJourneyIDs
        responsibleDepartment = t.responsibleDepartment; coDepartments = t.coDepartments; ownership = t.ownership
        controllable = t.controllable; version = t.version; createdAt = t.createdAt; updatedAt = t.updatedAt
    }
}

/// The registry's filters, parsed once and applied either to a Fluent query (the paginated API list)
/// or to an SQLKit select (everything that reads many rows).
struct RegistryFilter: Sendable {
    var search: String?
    var channel: String?
    var journeyID: UUID?
    var withoutJourney = false
    var touchpointIDs: [UUID]?
    var direction: String?
    var ownership: String?
    var controllable: Bool?
    var feedbackMeasured: Bool?
    var hasImprovementNeeds: Bool?
    var department: String?
    var externalID: String?
    /// `filter_text` keys that must all be present (products, target groups, co-departments, sub-journeys).
    var keys: [String] = []

    static func parse(_ req: Request, scope: Scope) async throws -> RegistryFilter {
        var f = Filters(req)
        var r = RegistryFilter()
        if let q = f.text("q") {
            let folded = searchKey(q).filter { $0 != "%" && $0 != "_" && $0 != "\\" }
            if !folded.isEmpty { r.search = folded }
        }
        r.channel = f.text("channel")?.lowercased()
        r.journeyID = f.uuid("journey_id")
        if let v = f.text("journey") {
            if v == "none" { r.withoutJourney = true }
            else if let j = try await scope.query(Journey.self).filter(\.$slug == v.lowercased()).first() { r.journeyID = j.id }
            else { f.errors.append(FieldError("journey", "no journey with slug '\(v)'")) }
        }
        if let v = f.uuid("phase_id") {
            r.touchpointIDs = try await scope.db.sql.select().column("touchpoint_id").from(TouchpointPhase.schema)
                .where("workspace_id", .equal, SQLBind(scope.workspaceID)).where("phase_id", .equal, SQLBind(v))
                .all(decodingColumn: "touchpoint_id", as: UUID.self)
        }
        r.direction = f.choice("direction", TouchpointDirection.allowed)
        r.ownership = f.choice("ownership", TouchpointOwnership.allowed)
        r.controllable = f.choice("controllable", ["true", "false"]).map { $0 == "true" }
        r.feedbackMeasured = f.choice("feedback_measured", ["true", "false"]).map { $0 == "true" }
        r.hasImprovementNeeds = f.choice("has_improvement_needs", ["true", "false"]).map { $0 == "true" }
        r.department = f.text("responsible_department")
        r.externalID = f.text("external_id")
        for (param, prefix) in [("product", "p"), ("target_group", "t"), ("co_department", "cd")] {
            if let v = f.text(param) { r.keys.append(Touchpoint.filterKey(prefix, v)) }
        }
        if let v = f.text("sub_journey") {
            if let j = try await scope.query(Journey.self).filter(\.$slug == v.lowercased()).first() {
                r.keys.append(Touchpoint.filterKey("s", j.id!.uuidString.lowercased()))
            } else { f.errors.append(FieldError("sub_journey", "no journey with slug '\(v)'")) }
        }
        try f.finish()
        return r
    }

    func apply(_ q: QueryBuilder<Touchpoint>) {
        if let v = search { q.filter(\.$searchText, .contains(inverse: false, .anywhere), v) }
        if let v = channel { q.filter(\.$channel == v) }
        if let v = journeyID { q.filter(\.$journeyID == v) }
        if withoutJourney { q.filter(\.$journeyID == nil) }
        if let v = touchpointIDs { q.filter(\.$id ~~ v) }
        if let v = direction { q.filter(\.$direction == v) }
        if let v = ownership { q.filter(\.$ownership == v) }
        if let v = controllable { q.filter(\.$controllable == v) }
        if let v = feedbackMeasured { q.filter(\.$feedbackMeasured == v) }
        if let v = hasImprovementNeeds { q.filter(\.$improvementNeeds, v ? .notEqual : .equal, String?.none) }
        if let v = department { q.filter(\.$responsibleDepartment == v) }
        if let v = externalID { q.filter(\.$externalID == v) }
        for k in keys { q.filter(\.$filterText, .contains(inverse: false, .anywhere), k) }
    }

    func apply(_ s: SQLSelectBuilder) -> SQLSelectBuilder {
        var s = s
        func like(_ column: String, _ v: String) { s = s.where(SQLColumn(column), .like, SQLBind("%" + v + "%")) }
        if let v = search { like("search_text", v) }
        if let v = channel { s = s.where("channel", .equal, SQLBind(v)) }
        if let v = journeyID { s = s.where("journey_id", .equal, SQLBind(v)) }
        if withoutJourney { s = s.where(SQLColumn("journey_id"), .is, SQLLiteral.null) }
        if let v = touchpointIDs { s = s.where(SQLColumn("id"), .in, SQLBind.group(v.isEmpty ? [UUID()] : v)) }
        if let v = direction { s = s.where("direction", .equal, SQLBind(v)) }
        if let v = ownership { s = s.where("ownership", .equal, SQLBind(v)) }
        if let v = controllable { s = s.where("controllable", .equal, SQLBind(v)) }
        if let v = feedbackMeasured { s = s.where("feedback_measured", .equal, SQLBind(v)) }
        if let v = hasImprovementNeeds { s = s.where(SQLColumn("improvement_needs"), v ? .isNot : .is, SQLLiteral.null) }
        if let v = department { s = s.where("responsible_department", .equal, SQLBind(v)) }
        if let v = externalID { s = s.where("external_id", .equal, SQLBind(v)) }
        for k in keys { like("filter_text", k) }
        return s
    }
}

enum TouchpointReads {
    /// Every touchpoint of the workspace that passes the filter, by name.
    static func records(_ filter: RegistryFilter = RegistryFilter(), scope: Scope) async throws -> [TouchpointRecord] {
        let base = scope.db.sql.select().columns(TouchpointRecord.columns.map { SQLColumn($0) }).from(Touchpoint.schema)
            .where("workspace_id", .equal, SQLBind(scope.workspaceID))
        return try await filter.apply(base).orderBy("search_text").orderBy("id").all(decoding: TouchpointRecord.self)
    }

    struct Link: Decodable, Sendable {
        var touchpointId: UUID
        var phaseId: UUID
        enum CodingKeys: String, CodingKey { case touchpointId = "touchpoint_id", phaseId = "phase_id" }
    }

    struct PhaseRow: Decodable, Sendable {
        var id: UUID
        var journeyId: UUID
        var position: Int
        var slug: String
        var name: String
        enum CodingKeys: String, CodingKey { case id, position, slug, name, journeyId = "journey_id" }
    }

    struct JourneyRow: Decodable, Sendable {
        var id: UUID
        var slug: String
        var name: String
    }

    struct ScoreRow: Decodable, Sendable {
        var id: UUID
        var touchpointId: UUID
        var assessedBy: UUID?
        var assessor: String
        var assessedAt: Date
        var relevance: Int
        var quality: Int
        enum CodingKeys: String, CodingKey {
            case id, assessor, relevance, quality
            case touchpointId = "touchpoint_id", assessedBy = "assessed_by", assessedAt = "assessed_at"
        }
        var score: AssessmentScore {
            AssessmentScore(assessor: assessedBy?.uuidString ?? assessor, at: assessedAt, relevance: relevance, quality: quality)
        }
    }

    /// Rows of `table` for these touchpoints: by id list for a few, by workspace (then kept in memory)
    /// for many, so no statement carries thousands of parameters.
    static func forTouchpoints<T: Decodable & Sendable>(_ table: String, _ columns: [String], ids: [UUID], as: T.Type, scope: Scope,
                                                        order: [String] = [], touchpointOf: (T) -> UUID) async throws -> [T] {
        guard !ids.isEmpty else { return [] }
        var s = scope.db.sql.select().columns(columns.map { SQLColumn($0) }).from(table).where("workspace_id", .equal, SQLBind(scope.workspaceID))
        if ids.count <= 200 { s = s.where(SQLColumn("touchpoint_id"), .in, SQLBind.group(ids)) }
        for o in order { s = s.orderBy(o) }
        let rows = try await s.all(decoding: T.self)
        if ids.count <= 200 { return rows }
        let wanted = Set(ids)
        return rows.filter { wanted.contains(touchpointOf($0)) }
    }

    static func links(_ ids: [UUID], scope: Scope) async throws -> [Link] {
        try await forTouchpoints(TouchpointPhase.schema, ["touchpoint_id", "phase_id"], ids: ids, as: Link.self, scope: scope) { $0.touchpointId }
    }

    /// Every assessment of these touchpoints, oldest first (of two at one instant, the later-written last).
    static func scores(_ ids: [UUID], scope: Scope) async throws -> [ScoreRow] {
        try await forTouchpoints(TouchpointAssessment.schema, ["id", "touchpoint_id", "assessed_by", "assessor", "assessed_at", "relevance", "quality"],
                                 ids: ids, as: ScoreRow.self, scope: scope, order: ["assessed_at", "id"]) { $0.touchpointId }
    }

    /// Phases by id; `nil` for all of the workspace.
    static func phases(_ ids: Set<UUID>?, scope: Scope) async throws -> [UUID: PhaseRow] {
        if ids?.isEmpty == true { return [:] }
        let rows = try await scope.db.sql.select().columns(["id", "journey_id", "position", "slug", "name"].map { SQLColumn($0) }).from(JourneyPhase.schema)
            .where("workspace_id", .equal, SQLBind(scope.workspaceID)).all(decoding: PhaseRow.self)
        return Dictionary(uniqueKeysWithValues: rows.filter { ids?.contains($0.id) ?? true }.map { ($0.id, $0) })
    }

    static func journeys(scope: Scope) async throws -> [UUID: JourneyRow] {
        let rows = try await scope.db.sql.select().columns(["id", "slug", "name"].map { SQLColumn($0) }).from(Journey.schema)
            .where("workspace_id", .equal, SQLBind(scope.workspaceID)).all(decoding: JourneyRow.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0) })
    }

    /// Touchpoints per journey (nil: without a journey), one grouped count.
    static func countsByJourney(scope: Scope) async throws -> [UUID: Int] {
        struct Row: Decodable { var journeyId: UUID?; var n: Int; enum CodingKeys: String, CodingKey { case n, journeyId = "journey_id" } }
        let rows = try await scope.db.sql.select().column("journey_id").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(Touchpoint.schema).where("workspace_id", .equal, SQLBind(scope.workspaceID)).groupBy("journey_id").all(decoding: Row.self)
        return Dictionary(uniqueKeysWithValues: rows.compactMap { r in r.journeyId.map { ($0, r.n) } })
    }
}

/// The registry of a workspace as DTOs, kept between requests while nothing changed. Whether anything
/// changed is asked of the database on every use (counts, version sums and the newest time-ordered id of
/// touchpoints, assessments and journeys), so several nodes sharing one PostgreSQL never serve a stale
/// registry; only an unchanged one is served from memory.
actor RegistryCache {
    static let shared = RegistryCache()
    private var entries: [UUID: (stamp: String, rows: [TouchpointDTO])] = [:]
    /// A refill under way: requests that arrive meanwhile wait for it instead of each reading the registry.
    private var refills: [UUID: (stamp: String, task: Task<[TouchpointDTO], any Error>)] = [:]

    func all(_ scope: Scope) async throws -> [TouchpointDTO] {
        let stamp = try await Self.stamp(scope)
        let ws = scope.workspaceID
        if let e = entries[ws], e.stamp == stamp { return e.rows }
        if let r = refills[ws], r.stamp == stamp { return try await r.task.value }
        let task = Task { try await TouchpointsAPI.dtos(records: try await TouchpointReads.records(scope: scope), scope: scope) }
        refills[ws] = (stamp, task)
        do {
            let rows = try await task.value
            if refills[ws]?.stamp == stamp { refills[ws] = nil }
            entries[ws] = (stamp, rows)
            return rows
        } catch {
            if refills[ws]?.stamp == stamp { refills[ws] = nil }
            throw error
        }
    }

    static func stamp(_ scope: Scope) async throws -> String {
        var parts: [String] = []
        for (table, versioned) in [(Touchpoint.schema, true), (TouchpointAssessment.schema, false), (Journey.schema, true)] {
            let rows = try await scope.db.sql.select()
                .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
                .column(versioned ? SQLFunction("SUM", args: SQLColumn("version")) : SQLFunction("COUNT", args: SQLLiteral.all), as: "v")
                .column(SQLRaw("MAX(CAST(id AS TEXT))"), as: "m")   // PostgreSQL has no MAX over uuid
                .from(table).where("workspace_id", .equal, SQLBind(scope.workspaceID)).all()
            for r in rows {
                let n = (try? r.decode(column: "n", as: Int.self)) ?? 0
                let v = (try? r.decode(column: "v", as: Int.self)) ?? 0
                let m = (try? r.decode(column: "m", as: String?.self)) ?? nil ?? ""
                parts.append("\(n)/\(v)/\(m)")
            }
        }
        return parts.joined(separator: "|")
    }
}

extension RegistryFilter {
    /// The same filter on a registry row held in memory (the grouped registry and the matrix read the
    /// cached registry): the same fields, the same folding as the SQL form.
    func matches(_ t: TouchpointDTO) -> Bool {
        if let v = search, !searchKey(t.name, t.slug, t.externalId).contains(v) { return false }
        if let v = channel, t.channel != v { return false }
        if let v = journeyID, t.journeyId != v { return false }
        if withoutJourney && t.journeyId != nil { return false }
        if let v = touchpointIDs, !v.contains(t.id) { return false }
        if let v = direction, t.direction != v { return false }
        if let v = ownership, t.ownership != v { return false }
        if let v = controllable, t.controllable != v { return false }
        if let v = feedbackMeasured, t.feedbackMeasured != v { return false }
        if let v = hasImprovementNeeds, (t.improvementNeeds != nil) != v { return false }
        if let v = department, t.responsibleDepartment != v { return false }
        if let v = externalID, t.externalId != v { return false }
        if !keys.isEmpty {
            let text = Touchpoint.filterText(products: t.products, targetGroups: t.targetGroups, coDepartments: t.coDepartments,
                                             subJourneyIDs: t.subJourneys.map { $0.id.uuidString.lowercased() })
            for k in keys where !text.contains(k) { return false }
        }
        return true
    }
}
