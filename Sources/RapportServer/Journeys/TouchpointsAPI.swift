import Fluent
import Foundation
import RapportKit
import Vapor

struct Ref: Content, Equatable { var id: UUID; var slug: String; var name: String }

struct AssessmentSummaryDTO: Content, Equatable {
    var relevance: Double
    var quality: Double
    /// Assessors counted, each with their latest judgement.
    var n: Int
    var total: Int
    var lastAssessedAt: Date
    var quadrant: String

    init(_ s: AssessmentSummary) {
        relevance = s.relevance; quality = s.quality; n = s.n; total = s.total; lastAssessedAt = s.lastAssessedAt
        quadrant = MatrixQuadrant.of(relevance: s.relevance, quality: s.quality).rawValue
    }
}

struct TouchpointDTO: Content, Equatable {
    var id: UUID
    var externalId: String?
    var slug: String
    var name: String
    var description: String?
    var url: String?
    var channel: String
    var journeyId: UUID?
    var journeySlug: String?
    var phases: [Ref]
    var direction: String?
    var products: [String]
    var targetGroups: [String]
    var feedbackMeasured: Bool
    var improvementNeeds: String?
    var subJourneys: [Ref]
    var responsibleDepartment: String?
    var coDepartments: [String]
    var ownership: String
    var controllable: Bool
    var assessment: AssessmentSummaryDTO?
    var version: Int
    var createdAt: Date?
    var updatedAt: Date?
}

enum TouchpointsAPI: EditableResource {
    static let schema = JourneySchemas.touchpoint
    static let sorts = [
        SortKey(name: "name", field: "search_text", kind: .text),
        SortKey(name: "created_at", field: "created_at", kind: .date),
        SortKey(name: "updated_at", field: "updated_at", kind: .date),
    ]

    static func makeNew(workspaceID: UUID) -> Touchpoint {
        let t = Touchpoint()
        t.id = .timeOrdered()
        t.workspaceID = workspaceID
        t.products = []; t.targetGroups = []; t.subJourneyIDs = []; t.coDepartments = []
        t.feedbackMeasured = false; t.controllable = true
        t.ownership = TouchpointOwnership.brandOwned.rawValue
        return t
    }

    static func apply(_ v: [String: FieldValue], objects: [String: [String: JSONValue]], to t: Touchpoint, isNew: Bool, scope: Scope) async throws {
        var errors: [FieldError] = []
        func attempt(_ body: () async throws -> Void) async {
            do { try await body() } catch let e as AppError { errors += e.fieldErrors } catch { errors.append(FieldError("touchpoint", "\(error)")) }
        }
        if v.mentions("external_id") {
            if let ext = v.text("external_id"), ext != t.externalID,
               let other = try await scope.query(Touchpoint.self).filter(\.$externalID == ext).filter(\.$id != t.id!).first() {
                errors.append(FieldError("external_id", "'\(ext)' is already the external id of touchpoint '\(other.name)'"))
            } else { t.externalID = v.text("external_id") }
        }
        if let name = v.text("name") { t.name = name }
        if v.mentions("description") { t.description = v.text("description") }
        if v.mentions("url") {
            if let url = v.text("url"), let problem = JourneyRules.urlProblem(url) { errors.append(FieldError("url", problem)) } else { t.url = v.text("url") }
        }
        if let c = v.text("channel") {
            await attempt { t.channel = try Channels.resolve(c, field: "channel", among: try await Channels.all(scope)) }
        }
        let oldJourney = t.journeyID
        var journey: Journey?
        if v.mentions("journey_id") || v.mentions("journey") {
            await attempt { journey = try await resolveJourney(id: v.text("journey_id"), slug: v.text("journey"), scope: scope); t.journeyID = journey?.id }
        } else if let id = t.journeyID {
            journey = try await scope.query(Journey.self).filter(\.$id == id).first()
        }
        if v.mentions("phases") {
            await attempt { t.pendingPhaseIDs = try await resolvePhases(v.list("phases") ?? [], of: journey, scope: scope) }
        } else if !isNew && t.journeyID != oldJourney {
            t.pendingPhaseIDs = []   // the old journey's phases cannot stay with the new journey
        }
        if v.mentions("direction") { t.direction = v.text("direction") }
        if v.mentions("products") { t.products = v.list("products") ?? [] }
        if v.mentions("target_groups") { t.targetGroups = v.list("target_groups") ?? [] }
        if v.mentions("feedback_measured") { t.feedbackMeasured = v.boolean("feedback_measured") ?? false }
        if v.mentions("improvement_needs") { t.improvementNeeds = v.text("improvement_needs") }
        if v.mentions("sub_journeys") {
            await attempt { t.subJourneyIDs = try await resolveSubJourneys(v.list("sub_journeys") ?? [], scope: scope) }
        }
        if v.mentions("responsible_department") { t.responsibleDepartment = v.text("responsible_department") }
        if v.mentions("co_departments") { t.coDepartments = v.list("co_departments") ?? [] }
        if v.mentions("ownership") { t.ownership = v.text("ownership") ?? TouchpointOwnership.brandOwned.rawValue }
        if v.mentions("controllable") { t.controllable = v.boolean("controllable") ?? true }
        if isNew || (v.text("slug") != nil && v.text("slug") != t.slug) {
            let own = t.id!
            await attempt {
                t.slug = try await Slugs.choose(given: v.text("slug"), name: t.name) { s in
                    try await scope.query(Touchpoint.self).filter(\.$slug == s).filter(\.$id != own).first() != nil
                }
            }
        }
        if !errors.isEmpty { throw AppError.validation(errors) }
        t.refreshDerived()
    }

    static func resolveJourney(id: String?, slug: String?, scope: Scope) async throws -> Journey? {
        if let id {
            guard let j = try await scope.query(Journey.self).filter(\.$id == UUID(uuidString: id)!).first() else {
                throw AppError.invalid("journey_id", "no journey with id \(id) in this workspace")
            }
            return j
        }
        guard let slug else { return nil }
        guard let j = try await scope.query(Journey.self).filter(\.$slug == slug.lowercased()).first() else {
            let known = try await scope.query(Journey.self).sort(\.$slug).limit(200).all().map(\.slug)
            let near = suggestion(for: slug.lowercased(), among: known).map { "; did you mean '\($0)'?" } ?? (known.isEmpty ? "; create the journey first" : "")
            throw AppError.invalid("journey", "no journey with slug '\(slug)'\(near)")
        }
        return j
    }

    /// Phases by slug (or id) of the touchpoint's own journey; a phase of another journey is named as such.
    static func resolvePhases(_ keys: [String], of journey: Journey?, scope: Scope) async throws -> [UUID] {
        guard !keys.isEmpty else { return [] }
        guard let journey else { throw AppError.invalid("phases", "need a journey: set journey (or journey_id) so the phases can be found") }
        let own = try await PhasesAPI.phases(of: journey.id!, scope: scope)
        var ids: [UUID] = []
        var problems: [String] = []
        for key in keys {
            if let p = own.first(where: { $0.slug == key.lowercased() || $0.id?.uuidString.lowercased() == key.lowercased() }) {
                if !ids.contains(p.id!) { ids.append(p.id!) }
                continue
            }
            let elsewhere = try await scope.query(JourneyPhase.self).group(.or) { or in
                or.filter(\.$slug == key.lowercased())
                if let id = UUID(uuidString: key) { or.filter(\.$id == id) }
            }.first()
            if let elsewhere, let other = try await scope.query(Journey.self).filter(\.$id == elsewhere.journeyID).first() {
                problems.append("'\(key)' is a phase of journey '\(other.name)', not of '\(journey.name)'")
            } else {
                problems.append("'\(key)' is not a phase of journey '\(journey.name)'; its phases are: \(own.map(\.slug).joined(separator: ", "))")
            }
        }
        if !problems.isEmpty { throw AppError.invalid("phases", problems.joined(separator: "; ")) }
        return ids
    }

    static func resolveSubJourneys(_ keys: [String], scope: Scope) async throws -> [String] {
        var ids: [String] = []
        for key in keys {
            let q = scope.query(Journey.self)
            if let id = UUID(uuidString: key) { q.filter(\.$id == id) } else { q.filter(\.$slug == key.lowercased()) }
            guard let j = try await q.first() else { throw AppError.invalid("sub_journeys", "no journey '\(key)' in this workspace") }
            let id = j.id!.uuidString.lowercased()
            if !ids.contains(id) { ids.append(id) }
        }
        return ids
    }

    static func afterSave(_ t: Touchpoint, scope: Scope) async throws {
        guard let ids = t.pendingPhaseIDs else { return }
        try await scope.query(TouchpointPhase.self).filter(\.$touchpointID == t.id!).delete()
        for id in ids { try await TouchpointPhase(workspaceID: t.workspaceID, touchpointID: t.id!, phaseID: id).create(on: scope.db) }
        t.pendingPhaseIDs = nil
    }

    static func dto(_ t: Touchpoint, scope: Scope) async throws -> TouchpointDTO {
        try await dtos([t], scope: scope)[0]
    }

    static func dtos(_ rows: [Touchpoint], scope: Scope) async throws -> [TouchpointDTO] {
        try await dtos(records: rows.map(TouchpointRecord.init), scope: scope)
    }

    /// Batch form: one query each for links, phases, journeys and assessments, whatever the number of rows.
    static func dtos(records rows: [TouchpointRecord], scope: Scope) async throws -> [TouchpointDTO] {
        let ids = rows.map(\.id)
        guard !ids.isEmpty else { return [] }
        let links = try await TouchpointReads.links(ids, scope: scope)
        let phases = try await TouchpointReads.phases(Set(links.map(\.phaseId)), scope: scope)
        let journeys = try await TouchpointReads.journeys(scope: scope)
        let summaries = try await Assessments.summaries(of: ids, scope: scope)
        let linksByTP = Dictionary(grouping: links, by: \.touchpointId)
        return rows.map { t in
            let ps = (linksByTP[t.id] ?? []).compactMap { phases[$0.phaseId] }.sorted { $0.position < $1.position }
            return TouchpointDTO(
                id: t.id, externalId: t.externalId, slug: t.slug, name: t.name, description: t.description, url: t.url, channel: t.channel,
                journeyId: t.journeyId, journeySlug: t.journeyId.flatMap { journeys[$0]?.slug },
                phases: ps.map { Ref(id: $0.id, slug: $0.slug, name: $0.name) },
                direction: t.direction, products: t.products, targetGroups: t.targetGroups, feedbackMeasured: t.feedbackMeasured,
                improvementNeeds: t.improvementNeeds,
                subJourneys: t.subJourneyIds.compactMap { UUID(uuidString: $0).flatMap { journeys[$0] } }.map { Ref(id: $0.id, slug: $0.slug, name: $0.name) },
                responsibleDepartment: t.responsibleDepartment, coDepartments: t.coDepartments, ownership: t.ownership, controllable: t.controllable,
                assessment: summaries[t.id].map(AssessmentSummaryDTO.init), version: t.version, createdAt: t.createdAt, updatedAt: t.updatedAt)
        }
    }

    /// The registry's filters on a Fluent query (the paginated list).
    static func query(_ req: Request, scope: Scope) async throws -> QueryBuilder<Touchpoint> {
        let q = scope.query(Touchpoint.self)
        try await RegistryFilter.parse(req, scope: scope).apply(q)
        return q
    }

    static func list(_ req: Request) async throws -> Page<TouchpointDTO> {
        let scope = try req.scope
        let list = try ListRequest(req, sorts: sorts, defaultSort: "name")
        let rows = try await list.apply(to: query(req, scope: scope)).all()
        return try await list.page(rows, value: { list.sort.name == "name" ? $0.searchText : (list.sort.name == "created_at" ? $0.createdAt : $0.updatedAt)?.cursorValue ?? "" }) {
            try await dtos($0, scope: scope)
        }
    }

    static let filterParameters = [
        QueryParameter(name: "q", type: "string", summary: "Search in name, slug and external id"),
        QueryParameter(name: "channel", type: "string", summary: "Channel slug"),
        QueryParameter(name: "journey_id", type: "string", summary: "Journey id", format: "uuid"),
        QueryParameter(name: "journey", type: "string", summary: "Journey slug; 'none' for touchpoints without a journey"),
        QueryParameter(name: "phase_id", type: "string", summary: "Phase id", format: "uuid"),
        QueryParameter(name: "direction", type: "string", summary: "inbound or outbound", enumValues: TouchpointDirection.allowed),
        QueryParameter(name: "ownership", type: "string", summary: "Ownership", enumValues: TouchpointOwnership.allowed),
        QueryParameter(name: "controllable", type: "string", summary: "true or false", enumValues: ["true", "false"]),
        QueryParameter(name: "feedback_measured", type: "string", summary: "true or false", enumValues: ["true", "false"]),
        QueryParameter(name: "responsible_department", type: "string", summary: "Exact department"),
        QueryParameter(name: "external_id", type: "string", summary: "Exact external id"),
        QueryParameter(name: "has_improvement_needs", type: "string", summary: "true: touchpoints with known improvement needs; false: without", enumValues: ["true", "false"]),
        QueryParameter(name: "sub_journey", type: "string", summary: "Touchpoints that this sub-journey (slug) runs through"),
        QueryParameter(name: "product", type: "string", summary: "Touchpoints for this product (case-insensitive)"),
        QueryParameter(name: "target_group", type: "string", summary: "Touchpoints for this target group (case-insensitive)"),
        QueryParameter(name: "co_department", type: "string", summary: "Touchpoints this department co-owns (case-insensitive)"),
    ]

    static func register(_ api: APIBuilder) {
        let tag = "Touchpoints"
        api.on(APIRoute(method: .GET, path: "/touchpoints", summary: "List touchpoints", tag: tag, permission: .readJourneys, response: .list("Touchpoint"),
                        queryParameters: listParameters(sorts) + filterParameters), list)
        api.on(APIRoute(method: .POST, path: "/touchpoints", summary: "Register a touchpoint", tag: tag, permission: .writeJourneys,
                        requestSchema: "TouchpointInput", response: .object("Touchpoint"), successStatus: 201), create)
        api.on(APIRoute(method: .GET, path: "/touchpoints/{id}", summary: "Get a touchpoint", tag: tag, permission: .readJourneys,
                        response: .object("Touchpoint"), conditional: true), show)
        api.on(APIRoute(method: .PATCH, path: "/touchpoints/{id}", summary: "Change a touchpoint (send only the fields to change)", tag: tag,
                        permission: .writeJourneys, requestSchema: "TouchpointInput", response: .object("Touchpoint"), conditional: true), update)
        api.on(APIRoute(method: .DELETE, path: "/touchpoints/{id}", summary: "Delete a touchpoint with its assessments and files", tag: tag,
                        permission: .writeJourneys, response: .none, successStatus: 204, conditional: true)) { try await delete($0) }
        Assessments.register(api)
        TouchpointFiles.register(api)
    }
}

struct AssessmentDTO: Content, Equatable {
    var id: UUID
    var touchpointId: UUID
    var assessedBy: UUID?
    var assessor: String
    var assessedAt: Date
    var relevance: Int
    var quality: Int
    var subTouchpoints: [String]
    var stakeholders: [String]
    var customerJobs: String?
    var expectations: String?
    var emotions: String?
    var note: String?

    init(_ a: TouchpointAssessment) {
        id = a.id!; touchpointId = a.touchpointID; assessedBy = a.assessedBy; assessor = a.assessor; assessedAt = a.assessedAt
        relevance = a.relevance; quality = a.quality; subTouchpoints = a.subTouchpoints; stakeholders = a.stakeholders
        customerJobs = a.customerJobs; expectations = a.expectations; emotions = a.emotions; note = a.note
    }
}

/// Assessments are a ledger: each one is kept, with who assessed and when; the summary counts each
/// assessor once, with their latest.
enum Assessments {
    static func summaries(of touchpointIDs: [UUID], scope: Scope) async throws -> [UUID: AssessmentSummary] {
        // In (assessed_at, id) order, so that of two at the same instant the later-written counts.
        let rows = try await TouchpointReads.scores(touchpointIDs, scope: scope)
        return Dictionary(grouping: rows, by: \.touchpointId).compactMapValues { AssessmentSummary.of($0.map(\.score)) }
    }

    static func list(_ req: Request) async throws -> Page<AssessmentDTO> {
        let scope = try req.scope
        let t = try await scope.find(Touchpoint.self, parameter: "id", of: req)
        let rows = try await scope.query(TouchpointAssessment.self).filter(\.$touchpointID == t.id!).sort(\.$assessedAt, .descending).all()
        return Page(items: rows.map(AssessmentDTO.init), nextCursor: nil)
    }

    static func create(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let v = try JourneySchemas.assessment.validated(req).values
        let dto = try await req.db.transaction { db in
            let scope = caller.scope(on: db)
            let t = try await scope.find(Touchpoint.self, parameter: "id", of: req)
            return AssessmentDTO(try await record(t, v, by: caller, scope: scope))
        }
        return try await dto.encodeResponse(status: .created, for: req)
    }

    static func record(_ t: Touchpoint, _ v: [String: FieldValue], at: Date = Date(), by caller: Caller, scope: Scope) async throws -> TouchpointAssessment {
        let a = TouchpointAssessment()
        a.id = .timeOrdered(); a.workspaceID = scope.workspaceID; a.touchpointID = t.id!
        a.assessedBy = caller.userID
        a.assessor = try await caller.displayName(on: scope.db)
        a.assessedAt = at
        a.relevance = v.integer("relevance")!; a.quality = v.integer("quality")!
        a.subTouchpoints = v.list("sub_touchpoints") ?? []; a.stakeholders = v.list("stakeholders") ?? []
        a.customerJobs = v.text("customer_jobs"); a.expectations = v.text("expectations"); a.emotions = v.text("emotions"); a.note = v.text("note")
        try await a.create(on: scope.db)
        try await Audit.record("create", "assessment", id: a.id, before: AssessmentDTO?.none, after: AssessmentDTO(a), by: caller, on: scope.db)
        return a
    }

    static func register(_ api: APIBuilder) {
        api.on(APIRoute(method: .GET, path: "/touchpoints/{id}/assessments", summary: "All assessments of a touchpoint, newest first", tag: "Touchpoints",
                        permission: .readJourneys, response: .list("Assessment")), list)
        api.on(APIRoute(method: .POST, path: "/touchpoints/{id}/assessments", summary: "Assess a touchpoint (relevance and quality 1–5)", tag: "Touchpoints",
                        permission: .assessTouchpoints, requestSchema: "AssessmentInput", response: .object("Assessment"), successStatus: 201), create)
    }
}

extension Caller {
    /// The name people see next to what the caller did: the user's name, else the token's label.
    func displayName(on db: any Database) async throws -> String {
        if let id = userID, let user = try await User.find(id, on: db) { return user.name }
        return label
    }
}

struct FileDTO: Content, Equatable {
    var id: UUID
    var touchpointId: UUID
    var filename: String
    var kind: String
    var contentType: String
    var size: Int
    var sha256: String
    var uploadedBy: String
    var createdAt: Date?

    init(_ f: TouchpointFile) {
        id = f.id!; touchpointId = f.touchpointID; filename = f.filename; kind = f.kind
        contentType = UploadKind(rawValue: f.kind)?.contentType ?? "application/octet-stream"
        size = f.size; sha256 = f.sha256; uploadedBy = f.uploadedBy; createdAt = f.createdAt
    }
}

/// Screenshots and documents of a touchpoint, kept in the database (so every node and every backup
/// has them), checked by content on the way in and served so a browser never runs them.
enum TouchpointFiles {
    static let perTouchpoint = 20

    static func store(_ t: Touchpoint, filename rawName: String, declaredType: String?, bytes: Data, by caller: Caller, scope: Scope) async throws -> TouchpointFile {
        let filename = String(rawName.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "").trimmed
        guard !filename.isEmpty, filename.count <= 200, controlCharacterProblem(filename) == nil else {
            throw AppError.invalid("filename", "must be a file name of 1 to 200 printable characters")
        }
        let kind: UploadKind
        switch UploadCheck.check(filename: filename, declaredType: declaredType, size: bytes.count, head: Array(bytes)) {
        case .success(let k): kind = k
        case .failure(let p): throw AppError.invalid("file", p.reason)
        }
        let count = try await scope.query(TouchpointFile.self).filter(\.$touchpointID == t.id!).count()
        guard count < perTouchpoint else { throw AppError.invalid("file", "the touchpoint has \(count) files already; at most \(perTouchpoint) are kept per touchpoint") }
        let f = TouchpointFile()
        f.id = .timeOrdered(); f.workspaceID = scope.workspaceID; f.touchpointID = t.id!
        f.filename = filename; f.kind = kind.rawValue; f.size = bytes.count
        f.sha256 = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        f.data = bytes
        f.uploadedBy = try await caller.displayName(on: scope.db)
        try await f.create(on: scope.db)
        try await Audit.record("create", "file", id: f.id, before: FileDTO?.none, after: FileDTO(f), by: caller, on: scope.db)
        return f
    }

    static func upload(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let name = req.query[String.self, at: "filename"]
        let bytes = req.body.data.map { Data(buffer: $0) } ?? Data()
        let f = try await req.db.transaction { db in
            let scope = caller.scope(on: db)
            let t = try await scope.find(Touchpoint.self, parameter: "id", of: req)
            guard let name else { throw AppError.invalid("filename", "is required as a query parameter, e.g. ?filename=letter.pdf") }
            return try await store(t, filename: name, declaredType: req.headers.first(name: .contentType), bytes: bytes, by: caller, scope: scope)
        }
        return try await FileDTO(f).encodeResponse(status: .created, for: req)
    }

    static func list(_ req: Request) async throws -> Page<FileDTO> {
        let scope = try req.scope
        let t = try await scope.find(Touchpoint.self, parameter: "id", of: req)
        let rows = try await metadata(of: t.id!, scope: scope)
        return Page(items: rows.map(FileDTO.init), nextCursor: nil)
    }

    static func metadata(of touchpointID: UUID, scope: Scope) async throws -> [TouchpointFile] {
        try await scope.query(TouchpointFile.self).filter(\.$touchpointID == touchpointID)
            .field(\.$id).field(\.$workspaceID).field(\.$touchpointID).field(\.$filename).field(\.$kind).field(\.$size).field(\.$sha256).field(\.$uploadedBy).field(\.$createdAt)
            .sort(\.$createdAt).all()
    }

    static func find(_ req: Request, scope: Scope) async throws -> TouchpointFile {
        let t = try await scope.find(Touchpoint.self, parameter: "id", of: req)
        guard let id = req.parameters.get("file_id").flatMap(UUID.init(uuidString:)),
              let f = try await scope.query(TouchpointFile.self).filter(\.$touchpointID == t.id!).filter(\.$id == id).first()
        else { throw AppError.notFound(entity: "file") }
        return f
    }

    /// The bytes under the type their content was checked to be; images inline, everything else as a
    /// download, never sniffed, never scripted.
    static func download(_ req: Request) async throws -> Response {
        let f = try await find(req, scope: try req.scope)
        let kind = UploadKind(rawValue: f.kind)
        let r = Response(status: .ok, body: .init(data: f.data))
        r.headers.replaceOrAdd(name: .contentType, value: kind?.contentType ?? "application/octet-stream")
        let ascii = String(f.filename.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 32 ? Character($0) : "_" })
        // RFC 8187 attr-chars only: ASCII letters, digits and a few marks; everything else percent-encoded.
        let attrChars = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~")
        let encoded = f.filename.addingPercentEncoding(withAllowedCharacters: attrChars) ?? ascii
        r.headers.replaceOrAdd(name: .contentDisposition, value: "\(kind?.isImage == true ? "inline" : "attachment"); filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)")
        r.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        r.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'none'; sandbox")
        r.headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=3600")
        return r
    }

    static func delete(_ req: Request) async throws -> HTTPStatus {
        let caller = try req.caller
        try await req.db.transaction { db in
            let scope = caller.scope(on: db)
            let f = try await find(req, scope: scope)
            try await f.delete(on: db)
            try await Audit.record("delete", "file", id: f.id, before: FileDTO(f), after: FileDTO?.none, by: caller, on: db)
        }
        return .noContent
    }

    static func register(_ api: APIBuilder) {
        let tag = "Touchpoints"
        api.on(APIRoute(method: .GET, path: "/touchpoints/{id}/files", summary: "Screenshots and documents of a touchpoint", tag: tag,
                        permission: .readJourneys, response: .list("File")), list)
        api.on(APIRoute(method: .POST, path: "/touchpoints/{id}/files", summary: "Upload a screenshot or document (raw body; PNG, JPEG, GIF, WebP, PDF, text, CSV, Office; at most 10 MB)",
                        tag: tag, permission: .writeJourneys, response: .object("File"), successStatus: 201,
                        queryParameters: [QueryParameter(name: "filename", type: "string", summary: "The file's name, e.g. letter.pdf")],
                        binaryRequest: true, maxBody: "11mb"), upload)
        api.on(APIRoute(method: .GET, path: "/touchpoints/{id}/files/{file_id}", summary: "Download a file", tag: tag,
                        permission: .readJourneys, response: .binary), download)
        api.on(APIRoute(method: .DELETE, path: "/touchpoints/{id}/files/{file_id}", summary: "Delete a file", tag: tag,
                        permission: .writeJourneys, response: .none, successStatus: 204), delete)
    }
}
