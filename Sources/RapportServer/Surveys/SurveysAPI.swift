import Fluent
import Foundation
import RapportKit
import Vapor

struct SurveyDTO: Codable, Sendable {
    var id: UUID
    var name: String
    var kind: String
    var touchpointId: UUID?
    var journeyId: UUID?
    var status: String
    var latestVersion: Int
    var publishedVersion: Int?
    /// The version being edited or shown, with what keeps it from being published.
    var definition: SurveyDefinition?
    var problems: [FieldError]?
    var version: Int
    var createdAt: Date?
    var updatedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, name, kind, status, definition, problems, version
        case touchpointId = "touchpoint_id", journeyId = "journey_id", latestVersion = "latest_version"
        case publishedVersion = "published_version", createdAt = "created_at", updatedAt = "updated_at"
    }

    init(_ s: Survey, latest: SurveyVersion?) {
        let definition = try? latest?.decoded()
        id = s.id!; name = s.name; kind = s.kind; touchpointId = s.touchpointID; journeyId = s.journeyID; status = s.status
        latestVersion = s.latestVersion; publishedVersion = s.publishedVersion; self.definition = definition
        problems = definition?.problems(); version = s.version; createdAt = s.createdAt; updatedAt = s.updatedAt
    }
}

/// What create, change and import accept. A definition may be incomplete while it is a draft; the
/// problems come back with the survey and block publishing.
struct SurveyInput: Codable, Sendable {
    var name: String?
    var kind: String?
    var touchpointId: UUID?
    var journeyId: UUID?
    var definition: SurveyDefinition?

    enum CodingKeys: String, CodingKey {
        case name, kind, definition
        case touchpointId = "touchpoint_id", journeyId = "journey_id"
    }
}

/// Surveys and their versions. A published version is never changed: a change to a published survey
/// writes version n+1 as a draft, invitations keep using the published one, and every response
/// keeps the number of the version it answered.
enum SurveysAPI {
    static func latest(_ s: Survey, scope: Scope) async throws -> SurveyVersion? {
        try await scope.query(SurveyVersion.self).filter(\.$surveyID == s.id!).filter(\.$number == s.latestVersion).first()
    }

    /// The published version's definition, from the per-process cache when it can (a published
    /// version never changes).
    static func published(_ s: Survey, on db: any Database) async throws -> SurveyDefinition? {
        guard let n = s.publishedVersion else { return nil }
        let key = SurveyVersionKey(survey: s.id!, number: n)
        if let d = PublishedDefinitions.shared.get(key) { return d }
        guard let v = try await SurveyVersion.query(on: db).filter(\.$surveyID == s.id!).filter(\.$number == n).first() else { return nil }
        let d = try v.decoded()
        PublishedDefinitions.shared.put(key, d)
        return d
    }

    static func starter(name: String, languages: [String] = ["de", "en"]) -> SurveyDefinition {
        SurveyDefinition(languages: languages, title: Dictionary(uniqueKeysWithValues: languages.map { ($0, name) }), questions: [])
    }

    static func list(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let q = scope.query(Survey.self).sort(\.$name).sort(\.$id)
        if let status = req.query[String.self, at: "status"] {
            guard ["draft", "published", "archived"].contains(status) else { throw AppError.invalid("status", "'\(status)' is not one of draft, published, archived") }
            q.filter(\.$status == status)
        }
        if let kind = req.query[String.self, at: "kind"] {
            guard SurveyKind(rawValue: kind) != nil else { throw AppError.invalid("kind", "'\(kind)' is not one of \(SurveyKind.allowed.joined(separator: ", "))") }
            q.filter(\.$kind == kind)
        }
        let rows = try await q.limit(1_000).all()
        return PlainJSON.response(PlainPage(items: rows.map { SurveyDTO($0, latest: nil) }, nextCursor: nil))
    }

    static func show(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let s = try await scope.find(Survey.self, parameter: "id", of: req)
        return PlainJSON.response(SurveyDTO(s, latest: try await latest(s, scope: scope))).withETag(s.version)
    }

    static func create(_ req: Request) async throws -> Response {
        let input = try decodePlainBody(req, as: SurveyInput.self)
        let caller = try req.caller
        let s = try await req.db.transaction { db in try await create(input, scope: caller.scope(on: db), caller: caller) }
        let scope = try req.scope
        return PlainJSON.response(SurveyDTO(s, latest: try await latest(s, scope: scope)), status: .created).withETag(s.version)
    }

    static func create(_ input: SurveyInput, scope: Scope, caller: Caller) async throws -> Survey {
        var v = RapportKit.Validator()
        let name = v.text("name", input.name, required: true, maxLength: 120)
        let kind = v.vocabulary("kind", input.kind, required: true, as: SurveyKind.self)
        try await checkLinks(input, scope: scope, into: &v)
        try v.finish()
        let s = Survey()
        s.id = .timeOrdered()
        s.workspaceID = scope.workspaceID
        s.name = name!
        s.kind = kind!.rawValue
        s.touchpointID = input.touchpointId
        s.journeyID = input.journeyId
        s.status = "draft"
        s.latestVersion = 1
        s.version = 1
        try await s.create(on: scope.db)
        let version = SurveyVersion()
        version.workspaceID = scope.workspaceID
        version.surveyID = s.id!
        version.number = 1
        version.definition = PlainJSON.encode(input.definition ?? starter(name: s.name))
        try await version.create(on: scope.db)
        try await Audit.record("create", "survey", id: s.id, before: String?.none, after: PlainJSON.encode(SurveyDTO(s, latest: version)), by: caller, on: scope.db)
        return s
    }

    static func checkLinks(_ input: SurveyInput, scope: Scope, into v: inout RapportKit.Validator) async throws {
        if let t = input.touchpointId, try await scope.query(Touchpoint.self).filter(\.$id == t).first() == nil {
            v.fail("touchpoint_id", "there is no touchpoint with this id in your workspace")
        }
        if let j = input.journeyId, try await scope.query(Journey.self).filter(\.$id == j).first() == nil {
            v.fail("journey_id", "there is no journey with this id in your workspace")
        }
    }

    static func update(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let scope0 = try req.scope
        let s = try await scope0.find(Survey.self, parameter: "id", of: req)
        let input = try decodePlainBody(req, as: SurveyInput.self)
        try Versioning.check(req, current: s.version)
        try await req.db.transaction { db in
            try await change(s, input, scope: scope0.with(db), caller: caller)
        }
        return PlainJSON.response(SurveyDTO(s, latest: try await latest(s, scope: scope0))).withETag(s.version)
    }

    /// Changes name, links or the definition. A definition change on a published version makes the next version.
    static func change(_ s: Survey, _ input: SurveyInput, scope: Scope, caller: Caller) async throws {
        var v = RapportKit.Validator()
        if input.name != nil, let name = v.text("name", input.name, required: true, maxLength: 120) { s.name = name }
        if input.kind != nil, let kind = v.vocabulary("kind", input.kind, required: true, as: SurveyKind.self) { s.kind = kind.rawValue }
        try await checkLinks(input, scope: scope, into: &v)
        if s.status == "archived" && input.definition != nil { v.fail("definition", "the survey is archived; restore it before changing its questions") }
        try v.finish()
        let before = PlainJSON.encode(SurveyDTO(s, latest: nil))
        try await Versioning.claim(table: Survey.schema, id: s.id!, version: s.version, on: scope.db)
        s.version += 1
        if input.touchpointId != nil { s.touchpointID = input.touchpointId }
        if input.journeyId != nil { s.journeyID = input.journeyId }
        if let definition = input.definition {
            let current = try await latest(s, scope: scope)
            if let current, !current.isPublished {
                current.definition = PlainJSON.encode(definition)
                try await current.save(on: scope.db)
            } else {
                let next = SurveyVersion()
                next.workspaceID = scope.workspaceID
                next.surveyID = s.id!
                next.number = s.latestVersion + 1
                next.definition = PlainJSON.encode(definition)
                try await next.create(on: scope.db)
                s.latestVersion = next.number
            }
        }
        try await s.save(on: scope.db)
        SurveyRefs.shared.forget(s.id!)
        try await Audit.record("update", "survey", id: s.id, before: before, after: PlainJSON.encode(SurveyDTO(s, latest: nil)), by: caller, on: scope.db)
    }

    static func publish(_ req: Request) async throws -> Response {
        let scope0 = try req.scope
        let caller = try req.caller
        let s = try await scope0.find(Survey.self, parameter: "id", of: req)
        try Versioning.check(req, current: s.version)
        try await req.db.transaction { db in try await publish(s, scope: scope0.with(db), caller: caller) }
        return PlainJSON.response(SurveyDTO(s, latest: try await latest(s, scope: scope0))).withETag(s.version)
    }

    static func publish(_ s: Survey, scope: Scope, caller: Caller) async throws {
        guard let draft = try await latest(s, scope: scope) else { throw AppError.notFound(entity: "survey version") }
        if draft.isPublished { throw AppError.conflict("Version \(draft.number) is already published. Change the questions to make version \(draft.number + 1).") }
        let problems = try draft.decoded().problems()
        if !problems.isEmpty {
            throw AppError.validation(problems.map { FieldError("definition." + $0.field, $0.message) })
        }
        try await Versioning.claim(table: Survey.schema, id: s.id!, version: s.version, on: scope.db)
        s.version += 1
        draft.publishedAt = Date()
        draft.publishedBy = caller.label
        try await draft.save(on: scope.db)
        s.publishedVersion = draft.number
        s.status = "published"
        try await s.save(on: scope.db)
        SurveyRefs.shared.forget(s.id!)
        try await Audit.record("publish", "survey", id: s.id, before: String?.none, after: "version \(draft.number)", by: caller, on: scope.db)
    }

    static func setArchived(_ req: Request, archived: Bool) async throws -> Response {
        let scope0 = try req.scope
        let caller = try req.caller
        let s = try await scope0.find(Survey.self, parameter: "id", of: req)
        try Versioning.check(req, current: s.version)
        try await req.db.transaction { db in
            try await Versioning.claim(table: Survey.schema, id: s.id!, version: s.version, on: db)
            s.version += 1
            s.status = archived ? "archived" : (s.publishedVersion == nil ? "draft" : "published")
            try await s.save(on: db)
            try await Audit.record(archived ? "archive" : "restore", "survey", id: s.id, by: caller, on: db)
        }
        return PlainJSON.response(SurveyDTO(s, latest: try await latest(s, scope: scope0))).withETag(s.version)
    }

    static func delete(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let caller = try req.caller
        let s = try await scope.find(Survey.self, parameter: "id", of: req)
        try Versioning.check(req, current: s.version)
        let invitations = try await scope.query(Invitation.self).filter(\.$surveyID == s.id!).count()
        let responses = try await scope.query(SurveyResponse.self).filter(\.$surveyID == s.id!).count()
        if invitations + responses > 0 {
            throw AppError.conflict("The survey has \(invitations) invitations and \(responses) responses; archive it instead, so their history stays.")
        }
        try await req.db.transaction { db in
            try await s.delete(on: db)
            try await Audit.record("delete", "survey", id: s.id, by: caller, on: db)
        }
        return Response(status: .noContent)
    }

    static func version(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let s = try await scope.find(Survey.self, parameter: "id", of: req)
        guard let n = req.parameters.get("number").flatMap(Int.init),
              let v = try await scope.query(SurveyVersion.self).filter(\.$surveyID == s.id!).filter(\.$number == n).first()
        else { throw AppError.notFound(entity: "survey version") }
        return PlainJSON.response(SurveyVersionDTO(survey: s, version: v))
    }

    /// The import/export format: name, kind and the definition of the latest version.
    static func export(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let s = try await scope.find(Survey.self, parameter: "id", of: req)
        let v = try await latest(s, scope: scope)
        let body = SurveyInput(name: s.name, kind: s.kind, definition: try v?.decoded())
        let r = PlainJSON.response(body)
        r.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"survey-\(JourneyRules.slug(from: s.name)).json\"")
        return r
    }

    static func register(_ api: APIBuilder) {
        let tag = "Surveys"
        api.on(APIRoute(method: .GET, path: "/surveys", summary: "List surveys", tag: tag, permission: .readSurveys, response: .list("Survey"),
                        queryParameters: [
                            QueryParameter(name: "status", type: "string", summary: "draft, published or archived", enumValues: ["draft", "published", "archived"]),
                            QueryParameter(name: "kind", type: "string", summary: "relationship or transactional", enumValues: SurveyKind.allowed),
                        ]), list)
        api.on(APIRoute(method: .POST, path: "/surveys", summary: "Create a survey (also the import of an exported survey)", tag: tag,
                        permission: .writeSurveys, requestSchema: "SurveyInput", response: .object("Survey"), successStatus: 201, maxBody: "1mb"), create)
        api.on(APIRoute(method: .GET, path: "/surveys/{id}", summary: "Get a survey with its latest version's definition and what blocks publishing",
                        tag: tag, permission: .readSurveys, response: .object("Survey"), conditional: true), show)
        api.on(APIRoute(method: .PATCH, path: "/surveys/{id}", summary: "Change a survey; a changed definition of a published survey becomes the next version",
                        tag: tag, permission: .writeSurveys, requestSchema: "SurveyInput", response: .object("Survey"), conditional: true, maxBody: "1mb"), update)
        api.on(APIRoute(method: .DELETE, path: "/surveys/{id}", summary: "Delete a survey that never invited or heard anyone",
                        tag: tag, permission: .writeSurveys, response: .none, successStatus: 204, conditional: true), delete)
        api.on(APIRoute(method: .POST, path: "/surveys/{id}/publish", summary: "Publish the latest version; refused with every problem while incomplete",
                        tag: tag, permission: .writeSurveys, response: .object("Survey"), conditional: true), publish)
        api.on(APIRoute(method: .POST, path: "/surveys/{id}/archive", summary: "Archive a survey: no new invitations",
                        tag: tag, permission: .writeSurveys, response: .object("Survey"), conditional: true)) { try await setArchived($0, archived: true) }
        api.on(APIRoute(method: .POST, path: "/surveys/{id}/restore", summary: "Take a survey out of the archive",
                        tag: tag, permission: .writeSurveys, response: .object("Survey"), conditional: true)) { try await setArchived($0, archived: false) }
        api.on(APIRoute(method: .GET, path: "/surveys/{id}/versions/{number}", summary: "One version of a survey, as it was published",
                        tag: tag, permission: .readSurveys, response: .object("SurveyVersion")), version)
        api.on(APIRoute(method: .GET, path: "/surveys/{id}/export", summary: "Export a survey as JSON (POST it to /surveys to import)",
                        tag: tag, permission: .readSurveys, response: .object("SurveyInput")), export)
    }
}

struct SurveyVersionDTO: Codable {
    var surveyId: UUID
    var number: Int
    var definition: SurveyDefinition?
    var publishedAt: Date?
    var publishedBy: String?
    var createdAt: Date?

    enum CodingKeys: String, CodingKey {
        case number, definition
        case surveyId = "survey_id", publishedAt = "published_at", publishedBy = "published_by", createdAt = "created_at"
    }

    init(survey: Survey, version v: SurveyVersion) {
        surveyId = survey.id!; number = v.number; definition = try? v.decoded(); publishedAt = v.publishedAt; publishedBy = v.publishedBy; createdAt = v.createdAt
    }
}
