import Fluent
import Foundation
import RapportKit
import Vapor

struct PhaseDTO: Content, Equatable {
    var id: UUID
    var slug: String
    var name: String
    var position: Int
    var description: String?
    var version: Int
}

struct JourneyDTO: Content, Equatable {
    var id: UUID
    var slug: String
    var name: String
    var description: String?
    var parentJourneyId: UUID?
    var variantOfId: UUID?
    var variantChannel: String?
    var segment: String?
    var persona: String?
    var ownerId: UUID?
    var ownerEmail: String?
    var phases: [PhaseDTO]
    var version: Int
    var createdAt: Date?
    var updatedAt: Date?
}

extension PhaseDTO {
    init(_ p: JourneyPhase) {
        self.init(id: p.id!, slug: p.slug, name: p.name, position: p.position, description: p.description, version: p.version)
    }
}

/// Slugs are unique per workspace (journeys, touchpoints) or per journey (phases); taken ones are
/// refused by name rather than by a database error.
enum Slugs {
    static func choose(given: String?, name: String, field: String = "slug", taken: (String) async throws -> Bool) async throws -> String {
        if let given {
            if let problem = JourneyRules.slugProblem(given) { throw AppError.invalid(field, problem) }
            if try await taken(given) { throw AppError.invalid(field, "'\(given)' is already used; slugs must be unique") }
            return given
        }
        let base = JourneyRules.slug(from: name)
        var candidate = base
        var n = 2
        while try await taken(candidate) { candidate = "\(base.prefix(56))-\(n)"; n += 1 }
        return candidate
    }
}

enum JourneysAPI: EditableResource {
    static let schema = JourneySchemas.journey
    static let sorts = [
        SortKey(name: "name", field: "search_text", kind: .text),
        SortKey(name: "created_at", field: "created_at", kind: .date),
    ]

    static func makeNew(workspaceID: UUID) -> Journey {
        let j = Journey()
        j.id = .timeOrdered()
        j.workspaceID = workspaceID
        return j
    }

    static func apply(_ v: [String: FieldValue], objects: [String: [String: JSONValue]], to j: Journey, isNew: Bool, scope: Scope) async throws {
        var errors: [FieldError] = []
        if let name = v.text("name") { j.name = name }
        if v.mentions("description") { j.description = v.text("description") }
        if v.mentions("segment") { j.segment = v.text("segment") }
        if v.mentions("persona") { j.persona = v.text("persona") }
        if isNew || (v.text("slug") != nil && v.text("slug") != j.slug) {
            do {
                let own = j.id
                j.slug = try await Slugs.choose(given: v.text("slug"), name: j.name) { s in
                    try await scope.query(Journey.self).filter(\.$slug == s).filter(\.$id != own!).first() != nil
                }
            } catch let e as AppError { errors += e.fieldErrors }
        }
        if v.mentions("parent_journey_id") {
            do { j.parentJourneyID = try await related(v.text("parent_journey_id"), field: "parent_journey_id", of: j, via: \.parentJourneyID, scope: scope) }
            catch let e as AppError { errors += e.fieldErrors }
        }
        if v.mentions("variant_of_id") {
            do { j.variantOfID = try await related(v.text("variant_of_id"), field: "variant_of_id", of: j, via: \.variantOfID, scope: scope) }
            catch let e as AppError { errors += e.fieldErrors }
        }
        if v.mentions("variant_channel") {
            if let c = v.text("variant_channel") {
                do { j.variantChannel = try Channels.resolve(c, field: "variant_channel", among: try await Channels.all(scope)) }
                catch let e as AppError { errors += e.fieldErrors }
            } else { j.variantChannel = nil }
        }
        if j.variantOfID != nil && j.variantChannel == nil && errors.isEmpty {
            errors.append(FieldError("variant_channel", "is required for a channel variant: name the channel this detail journey runs through"))
        }
        if v.mentions("owner_email") {
            do { j.ownerID = try await Members.userID(email: v.text("owner_email"), field: "owner_email", scope: scope) }
            catch let e as AppError { errors += e.fieldErrors }
        }
        if !errors.isEmpty { throw AppError.validation(errors) }
        j.searchText = searchKey(j.name, j.slug)
    }

    /// A parent or "variant of" journey: it must exist here and must not lead back to this journey.
    static func related(_ idText: String?, field: String, of j: Journey, via link: KeyPath<Journey, UUID?>, scope: Scope) async throws -> UUID? {
        guard let idText, let id = UUID(uuidString: idText) else { return nil }
        if id == j.id { throw AppError.invalid(field, "a journey cannot refer to itself") }
        guard try await scope.query(Journey.self).filter(\.$id == id).first() != nil else {
            throw AppError.invalid(field, "no journey with id \(idText) in this workspace")
        }
        let all = try await scope.query(Journey.self).all()
        var parent: [UUID: UUID] = [:]
        for x in all { if let p = x[keyPath: link] { parent[x.id!] = p } }
        if JourneyRules.wouldCycle(node: j.id!, parent: id, parentOf: { parent[$0] }) {
            let what = field == "parent_journey_id" ? "sub-journeys" : "channel variants"
            throw AppError.invalid(field, "would make the \(what) go round in a circle: '\(all.first { $0.id == id }?.name ?? idText)' already lies below '\(j.name)'")
        }
        return id
    }

    static func dto(_ j: Journey, scope: Scope) async throws -> JourneyDTO {
        try await dtos([j], scope: scope)[0]
    }

    static func dtos(_ journeys: [Journey], scope: Scope) async throws -> [JourneyDTO] {
        let ids = journeys.compactMap(\.id)
        let phases = ids.isEmpty ? [] : try await scope.query(JourneyPhase.self).filter(\.$journeyID ~~ ids).sort(\.$position).all()
        let byJourney = Dictionary(grouping: phases, by: \.journeyID)
        let ownerIDs = Set(journeys.compactMap(\.ownerID))
        let owners = ownerIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues:
            try await User.query(on: scope.db).filter(\.$id ~~ ownerIDs).all().map { ($0.id!, $0.email) })
        return journeys.map { j in
            JourneyDTO(id: j.id!, slug: j.slug, name: j.name, description: j.description, parentJourneyId: j.parentJourneyID,
                       variantOfId: j.variantOfID, variantChannel: j.variantChannel, segment: j.segment, persona: j.persona,
                       ownerId: j.ownerID, ownerEmail: j.ownerID.flatMap { owners[$0] },
                       phases: (byJourney[j.id!] ?? []).map(PhaseDTO.init), version: j.version, createdAt: j.createdAt, updatedAt: j.updatedAt)
        }
    }

    static func list(_ req: Request) async throws -> Page<JourneyDTO> {
        let scope = try req.scope
        var f = Filters(req)
        let q = scope.query(Journey.self).search(\.$searchText, f.text("q"))
        if let v = f.uuid("parent_journey_id") { q.filter(\.$parentJourneyID == v) }
        if let v = f.uuid("variant_of_id") { q.filter(\.$variantOfID == v) }
        if let v = f.text("segment") { q.filter(\.$segment == v) }
        try f.finish()
        let list = try ListRequest(req, sorts: sorts, defaultSort: "name")
        let rows = try await list.apply(to: q).all()
        return try await list.page(rows, value: { list.sort.name == "name" ? $0.searchText : ($0.createdAt?.cursorValue ?? "") }) {
            try await dtos($0, scope: scope)
        }
    }

    static func guardDelete(_ j: Journey, scope: Scope) async throws {
        let children = try await scope.query(Journey.self).group(.or) { $0.filter(\.$parentJourneyID == j.id).filter(\.$variantOfID == j.id) }.count()
        let touchpoints = try await scope.query(Touchpoint.self).filter(\.$journeyID == j.id).count()
        let through = try await scope.query(Touchpoint.self)
            .filter(\.$filterText, .contains(inverse: false, .anywhere), Touchpoint.filterKey("s", j.id!.uuidString.lowercased())).count()
        if children + touchpoints + through > 0 {
            throw AppError.conflict("The journey still has \(children) sub-journeys or channel variants and \(touchpoints) touchpoints, and \(through) touchpoints name it as a sub-journey; change them first, so no map is lost by accident.")
        }
    }

    static func register(_ api: APIBuilder) {
        let tag = "Journeys"
        api.on(APIRoute(method: .GET, path: "/journeys", summary: "List journeys with their phases", tag: tag, permission: .readJourneys, response: .list("Journey"),
                        queryParameters: listParameters(sorts) + [
                            QueryParameter(name: "q", type: "string", summary: "Search in name and slug"),
                            QueryParameter(name: "parent_journey_id", type: "string", summary: "Sub-journeys of this journey", format: "uuid"),
                            QueryParameter(name: "variant_of_id", type: "string", summary: "Channel variants of this journey", format: "uuid"),
                            QueryParameter(name: "segment", type: "string", summary: "Exact segment"),
                        ]), list)
        api.on(APIRoute(method: .POST, path: "/journeys", summary: "Create a journey", tag: tag, permission: .writeJourneys,
                        requestSchema: "JourneyInput", response: .object("Journey"), successStatus: 201), create)
        api.on(APIRoute(method: .GET, path: "/journeys/{id}", summary: "Get a journey with its phases", tag: tag, permission: .readJourneys,
                        response: .object("Journey"), conditional: true), show)
        api.on(APIRoute(method: .PATCH, path: "/journeys/{id}", summary: "Change a journey (send only the fields to change)", tag: tag,
                        permission: .writeJourneys, requestSchema: "JourneyInput", response: .object("Journey"), conditional: true), update)
        api.on(APIRoute(method: .DELETE, path: "/journeys/{id}", summary: "Delete a journey without touchpoints, sub-journeys or variants",
                        tag: tag, permission: .writeJourneys, response: .none, successStatus: 204, conditional: true)) {
            try await delete($0, guardDelete: guardDelete)
        }
        PhasesAPI.register(api)
    }
}

/// Phases are numbered 1…n without gaps: inserting, moving and deleting renumber the others in the
/// same transaction, and a complete new order must name every phase once.
enum PhasesAPI {
    /// Every change of a journey's phases first moves the journey to its next version: two people
    /// reordering at once are serialised (the row is locked on PostgreSQL, the write lock taken on
    /// SQLite), the second gets a 412 instead of a duplicate position, and the journey's ETag — its
    /// representation lists the phases — changes with them.
    static func lock(_ journey: Journey, scope: Scope) async throws {
        try await Versioning.claim(table: Journey.schema, id: journey.id!, version: journey.version, on: scope.db)
        journey.version += 1
    }

    static func phases(of journeyID: UUID, scope: Scope) async throws -> [JourneyPhase] {
        try await scope.query(JourneyPhase.self).filter(\.$journeyID == journeyID).sort(\.$position).all()
    }

    static func list(_ req: Request) async throws -> Page<PhaseDTO> {
        let scope = try req.scope
        let journey = try await scope.find(Journey.self, parameter: "id", of: req)
        return Page(items: try await phases(of: journey.id!, scope: scope).map(PhaseDTO.init), nextCursor: nil)
    }

    static func create(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let v = try JourneySchemas.phase.validated(req).values
        let phase = try await req.db.transaction { db in
            let scope = caller.scope(on: db)
            let journey = try await scope.find(Journey.self, parameter: "id", of: req)
            return try await add(to: journey, values: v, scope: scope, by: caller)
        }
        return try await PhaseDTO(phase).encodeResponse(status: .created, for: req).withETag(phase.version)
    }

    /// Adds a phase at its position (default: last), moving the later ones one down.
    static func add(to journey: Journey, values v: [String: FieldValue], scope: Scope, by caller: Caller) async throws -> JourneyPhase {
        try await lock(journey, scope: scope)
        let existing = try await phases(of: journey.id!, scope: scope)
        let position = v.integer("position") ?? existing.count + 1
        if let problem = JourneyRules.insertPositionProblem(position, phaseCount: existing.count) { throw AppError.invalid("position", problem) }
        let p = JourneyPhase()
        p.id = .timeOrdered(); p.workspaceID = scope.workspaceID; p.journeyID = journey.id!
        p.name = v.text("name")!
        p.description = v.text("description")
        p.slug = try await Slugs.choose(given: v.text("slug"), name: p.name) { s in existing.contains { $0.slug == s } }
        p.position = position; p.version = 1
        for other in existing where other.position >= position { other.position += 1; other.version += 1; try await other.save(on: scope.db) }
        try await p.create(on: scope.db)
        try await Audit.record("create", "phase", id: p.id, before: PhaseDTO?.none, after: PhaseDTO(p), by: caller, on: scope.db)
        return p
    }

    static func update(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let v = try JourneySchemas.phase.validated(req, partial: true).values
        let ifMatch = req.headers.first(name: .ifMatch)
        let phaseID = req.parameters.get("phase_id").flatMap(UUID.init(uuidString:))
        let phase = try await req.db.transaction { db in
            let scope = caller.scope(on: db)
            let journey = try await scope.find(Journey.self, parameter: "id", of: req)
            return try await change(phaseID, of: journey, v, scope: scope, by: caller) { try Versioning.check(ifMatch, current: $0) }
        }
        return try await PhaseDTO(phase).encodeResponse(for: req).withETag(phase.version)
    }

    /// Renames, re-slugs or moves a phase (the others renumbered), inside the caller's transaction.
    /// `check` sees the phase's version first (If-Match, or the version a form was opened at).
    static func change(_ phaseID: UUID?, of journey: Journey, _ v: [String: FieldValue], scope: Scope, by caller: Caller,
                       check: (Int) throws -> Void) async throws -> JourneyPhase {
        try await lock(journey, scope: scope)
        let all = try await phases(of: journey.id!, scope: scope)
        guard let p = all.first(where: { $0.id == phaseID }) else { throw AppError.notFound(entity: "phase") }
        try check(p.version)
        let before = PhaseDTO(p)
        if let name = v.text("name") { p.name = name }
        if v.mentions("description") { p.description = v.text("description") }
        if let slug = v.text("slug"), slug != p.slug {
            p.slug = try await Slugs.choose(given: slug, name: p.name) { s in all.contains { $0.slug == s && $0.id != p.id } }
        }
        if let target = v.integer("position"), target != p.position {
            if let problem = JourneyRules.movePositionProblem(target, phaseCount: all.count) { throw AppError.invalid("position", problem) }
            var order = all.filter { $0.id != p.id }
            order.insert(p, at: target - 1)
            try await renumber(order, on: scope.db, except: p)
            p.position = target
        }
        try await Versioning.claim(table: JourneyPhase.schema, id: p.id!, version: p.version, on: scope.db)
        p.version += 1
        try await p.save(on: scope.db)
        try await Audit.record("update", "phase", id: p.id, before: before, after: PhaseDTO(p), by: caller, on: scope.db)
        return p
    }

    private static func renumber(_ order: [JourneyPhase], on db: any Database, except skip: JourneyPhase? = nil) async throws {
        for (i, other) in order.enumerated() where other.position != i + 1 {
            other.position = i + 1
            if other !== skip { other.version += 1; try await other.save(on: db) }
        }
    }

    static func delete(_ req: Request) async throws -> HTTPStatus {
        let caller = try req.caller
        let ifMatch = req.headers.first(name: .ifMatch)
        let phaseID = req.parameters.get("phase_id").flatMap(UUID.init(uuidString:))
        try await req.db.transaction { db in
            let scope = caller.scope(on: db)
            let journey = try await scope.find(Journey.self, parameter: "id", of: req)
            try await remove(phaseID, of: journey, scope: scope, by: caller) { try Versioning.check(ifMatch, current: $0) }
        }
        return .noContent
    }

    /// Deletes a phase and moves the later ones up, inside the caller's transaction.
    static func remove(_ phaseID: UUID?, of journey: Journey, scope: Scope, by caller: Caller, check: (Int) throws -> Void) async throws {
        try await lock(journey, scope: scope)
        var all = try await phases(of: journey.id!, scope: scope)
        guard let i = all.firstIndex(where: { $0.id == phaseID }) else { throw AppError.notFound(entity: "phase") }
        let p = all.remove(at: i)
        try check(p.version)
        try await p.delete(on: scope.db)
        try await renumber(all, on: scope.db)
        try await Audit.record("delete", "phase", id: p.id, before: PhaseDTO(p), after: PhaseDTO?.none, by: caller, on: scope.db)
    }

    /// A complete order: `phases` lists every phase (slug or id) once, first phase first.
    static func reorder(_ req: Request) async throws -> Page<PhaseDTO> {
        let caller = try req.caller
        let body = try InputBody.decode(req)
        guard body.fields.keys.allSatisfy({ $0 == "phases" }), let raw = body.fields["phases"] else {
            throw AppError.invalid("phases", "is required: the list of all phase slugs (or ids) in their new order")
        }
        let given = raw.split(separator: ",").map { $0.trimmed }.filter { !$0.isEmpty }
        let result = try await req.db.transaction { db in
            let scope = caller.scope(on: db)
            let journey = try await scope.find(Journey.self, parameter: "id", of: req)
            try Versioning.check(req, current: journey.version)
            try await lock(journey, scope: scope)
            let all = try await phases(of: journey.id!, scope: scope)
            var problems: [String] = []
            var order: [JourneyPhase] = []
            for g in given {
                guard let p = all.first(where: { $0.slug == g || $0.id?.uuidString.lowercased() == g.lowercased() }) else {
                    problems.append("'\(g)' is not a phase of this journey"); continue
                }
                if order.contains(where: { $0 === p }) { problems.append("'\(g)' is listed twice") } else { order.append(p) }
            }
            let missing = all.filter { p in !order.contains { $0 === p } }.map(\.slug)
            if !missing.isEmpty { problems.append("leaves out \(missing.map { "'\($0)'" }.joined(separator: ", ")): every phase must be listed once") }
            if !problems.isEmpty { throw AppError.invalid("phases", problems.joined(separator: "; ")) }
            let before = all.map(PhaseDTO.init)
            for (i, p) in order.enumerated() { p.position = i + 1; p.version += 1; try await p.save(on: db) }
            try await Audit.record("reorder", "journey", id: journey.id, before: before, after: order.map(PhaseDTO.init), by: caller, on: db)
            return order.map(PhaseDTO.init)
        }
        return Page(items: result, nextCursor: nil)
    }

    static func register(_ api: APIBuilder) {
        let tag = "Journeys"
        api.on(APIRoute(method: .GET, path: "/journeys/{id}/phases", summary: "The phases of a journey, in order", tag: tag, permission: .readJourneys,
                        response: .list("Phase")), list)
        api.on(APIRoute(method: .POST, path: "/journeys/{id}/phases", summary: "Add a phase (at a position; default last)", tag: tag,
                        permission: .writeJourneys, requestSchema: "PhaseInput", response: .object("Phase"), successStatus: 201), create)
        api.on(APIRoute(method: .PATCH, path: "/journeys/{id}/phases/{phase_id}", summary: "Rename or move a phase", tag: tag,
                        permission: .writeJourneys, requestSchema: "PhaseInput", response: .object("Phase"), conditional: true), update)
        api.on(APIRoute(method: .DELETE, path: "/journeys/{id}/phases/{phase_id}", summary: "Delete a phase; later phases move up", tag: tag,
                        permission: .writeJourneys, response: .none, successStatus: 204, conditional: true), delete)
        api.on(APIRoute(method: .PUT, path: "/journeys/{id}/phases/order", summary: "Put all phases in a new order (If-Match: the journey's ETag)", tag: tag,
                        permission: .writeJourneys, requestSchema: "PhaseOrder", response: .list("Phase"), conditional: true), reorder)
    }
}
