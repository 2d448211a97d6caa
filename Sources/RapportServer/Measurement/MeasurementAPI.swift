import Fluent
import Foundation
import RapportKit
import SQLKit
import Vapor

final class MeasurementSettingsRow: TenantModel, Versioned, @unchecked Sendable {
    static let schema = "measurement_settings"
    static let entityName = "measurement settings"
    static var workspaceField: KeyPath<MeasurementSettingsRow, FieldProperty<MeasurementSettingsRow, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "show_at") var showAt: Int
    @Field(key: "bracket_at") var bracketAt: Int
    @Field(key: "version") var version: Int
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}

    var guardrail: Guardrail { Guardrail(showAt: showAt, bracketAt: bracketAt) }
}

/// A custom index: a formula over metrics and items, e.g. "CSI" = the mean of four items.
final class MetricIndex: TenantModel, Versioned, @unchecked Sendable {
    static let schema = "metric_indices"
    static let entityName = "index"
    static var workspaceField: KeyPath<MetricIndex, FieldProperty<MetricIndex, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    /// What `metric=` names it by: lower-case letters, digits and _.
    @Field(key: "key") var key: String
    @Field(key: "name") var name: String
    @Field(key: "formula") var formula: String
    @OptionalField(key: "target") var target: Double?
    @OptionalField(key: "description") var description: String?
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}
}

enum MeasurementSettingsStore {
    static func load(_ scope: Scope) async throws -> MeasurementSettingsRow {
        if let row = try await scope.query(MeasurementSettingsRow.self).first() { return row }
        let row = MeasurementSettingsRow()
        row.id = .timeOrdered()
        row.workspaceID = scope.workspaceID
        row.showAt = Guardrail.standard.showAt
        row.bracketAt = Guardrail.standard.bracketAt
        row.version = 1
        do { try await row.create(on: scope.db) } catch {
            if let e = error as? any DatabaseError, e.isConstraintFailure, let row = try await scope.query(MeasurementSettingsRow.self).first() { return row }
            throw error
        }
        return row
    }
}

struct MeasurementSettingsDTO: Codable {
    var showAt: Int
    var bracketAt: Int
    var version: Int?
    enum CodingKeys: String, CodingKey { case showAt = "show_at", bracketAt = "bracket_at", version }
}

struct IndexDTO: Codable {
    var id: UUID?
    var key: String?
    var name: String?
    var formula: String?
    var target: Double?
    var description: String?
    var references: [String]?
    var version: Int?
    init(key: String?, name: String?, formula: String?, target: Double?) {
        self.key = key; self.name = name; self.formula = formula; self.target = target
    }
    init(_ i: MetricIndex) {
        id = i.id; key = i.key; name = i.name; formula = i.formula; target = i.target; description = i.description; version = i.version
        references = (try? IndexFormula(i.formula))?.references.map(\.description)
    }
}

/// The figures API and the settings behind it.
enum MeasurementAPI {
    static func metrics(_ req: Request) async throws -> Response {
        let result = try await answer(req)
        return PlainJSON.response(result)
    }

    static func export(_ req: Request) async throws -> Response {
        let result = try await answer(req)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.contentDisposition = .init(.attachment, filename: "rapport-\(result.metric.filter { $0.isLetter || $0.isNumber || $0 == "_" }).csv")
        return Response(status: .ok, headers: headers, body: .init(string: result.csv()))
    }

    static func answer(_ req: Request) async throws -> MetricResult {
        let scope = try req.scope
        let query = try req.allQueryItems()
        let indices = try await scope.query(MetricIndex.self).all()
        let request = try MetricRequest.parse(query, indices: indices)
        let settings = try await MeasurementSettingsStore.load(scope)
        return try await MetricEngine.run(request, scope: scope, guardrail: settings.guardrail)
    }

    static func showSettings(_ req: Request) async throws -> Response {
        let row = try await MeasurementSettingsStore.load(try req.scope)
        return PlainJSON.response(MeasurementSettingsDTO(showAt: row.showAt, bracketAt: row.bracketAt, version: row.version)).withETag(row.version)
    }

    static func updateSettings(_ req: Request) async throws -> Response {
        let input = try decodePlainBody(req, as: MeasurementSettingsDTO.self)
        let scope = try req.scope
        let caller = try req.caller
        let row = try await MeasurementSettingsStore.load(scope)
        try Versioning.check(req, current: row.version)
        try await saveSettings(input, to: row, by: caller, on: req.db)
        return PlainJSON.response(MeasurementSettingsDTO(showAt: row.showAt, bracketAt: row.bracketAt, version: row.version)).withETag(row.version)
    }

    /// Checks and stores a new guardrail, claiming the row's version and auditing the change (API and web).
    static func saveSettings(_ input: MeasurementSettingsDTO, to row: MeasurementSettingsRow, by caller: Caller, on db: any Database) async throws {
        let before = PlainJSON.encode(MeasurementSettingsDTO(showAt: row.showAt, bracketAt: row.bracketAt, version: row.version))
        try applySettings(input, to: row)
        try await db.transaction { db in
            try await Versioning.claim(table: MeasurementSettingsRow.schema, id: row.id!, version: row.version, on: db)
            row.version += 1
            try await row.save(on: db)
            try await Audit.record("update", "measurement_settings", id: row.id, before: before,
                                   after: PlainJSON.encode(MeasurementSettingsDTO(showAt: row.showAt, bracketAt: row.bracketAt, version: row.version)), by: caller, on: db)
        }
    }

    static func applySettings(_ input: MeasurementSettingsDTO, to row: MeasurementSettingsRow) throws {
        let problems = Guardrail.problems(showAt: input.showAt, bracketAt: input.bracketAt)
        if !problems.isEmpty { throw AppError.validation(problems.map { FieldError($0.field, $0.message) }) }
        row.showAt = input.showAt
        row.bracketAt = input.bracketAt
    }

    // MARK: Indices

    static func listIndices(_ req: Request) async throws -> Response {
        PlainJSON.response(PlainPage(items: try await req.scope.query(MetricIndex.self).sort(\.$key).all().map(IndexDTO.init), nextCursor: nil))
    }

    static func showIndex(_ req: Request) async throws -> Response {
        let i = try await req.scope.find(MetricIndex.self, parameter: "id", of: req)
        return PlainJSON.response(IndexDTO(i)).withETag(i.version)
    }

    static func createIndex(_ req: Request) async throws -> Response {
        let input = try decodePlainBody(req, as: IndexDTO.self)
        let scope = try req.scope
        let caller = try req.caller
        let i = try await addIndex(input, scope: scope, by: caller)
        return PlainJSON.response(IndexDTO(i), status: .created).withETag(i.version)
    }

    static func updateIndex(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let caller = try req.caller
        let i = try await scope.find(MetricIndex.self, parameter: "id", of: req)
        let input = try decodePlainBody(req, as: IndexDTO.self)
        try Versioning.check(req, current: i.version)
        let before = PlainJSON.encode(IndexDTO(i))
        try await applyIndex(input, to: i, isNew: false, scope: scope)
        try await req.db.transaction { db in
            try await Versioning.claim(table: MetricIndex.schema, id: i.id!, version: i.version, on: db)
            i.version += 1
            try await i.save(on: db)
            try await Audit.record("update", "metric_index", id: i.id, before: before, after: PlainJSON.encode(IndexDTO(i)), by: caller, on: db)
        }
        return PlainJSON.response(IndexDTO(i)).withETag(i.version)
    }

    static func deleteIndex(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let caller = try req.caller
        let i = try await scope.find(MetricIndex.self, parameter: "id", of: req)
        try Versioning.check(req, current: i.version)
        try await removeIndex(i, scope: scope, by: caller)
        return Response(status: .noContent)
    }

    /// Checks and stores a new index with its audit entry (API and web).
    static func addIndex(_ input: IndexDTO, scope: Scope, by caller: Caller) async throws -> MetricIndex {
        let i = MetricIndex()
        i.id = .timeOrdered()
        i.workspaceID = scope.workspaceID
        i.version = 1
        try await applyIndex(input, to: i, isNew: true, scope: scope)
        try await scope.db.transaction { db in
            try await i.create(on: db)
            try await Audit.record("create", "metric_index", id: i.id, before: String?.none, after: PlainJSON.encode(IndexDTO(i)), by: caller, on: db)
        }
        return i
    }

    static func removeIndex(_ i: MetricIndex, scope: Scope, by caller: Caller) async throws {
        try await scope.db.transaction { db in
            try await i.delete(on: db)
            try await Audit.record("delete", "metric_index", id: i.id, by: caller, on: db)
        }
    }

    /// The questions an index may use: scale questions of the workspace's surveys (any version).
    static func scaleQuestions(_ scope: Scope) async throws -> [String: String] {
        var out: [String: String] = [:]
        for v in try await scope.query(SurveyVersion.self).all() {
            guard let d = try? v.decoded() else { continue }
            for q in d.questions {
                if q.type == .matrix {
                    for item in q.items ?? [] { out[q.id + "." + item.id] = "scale" }
                    out[q.id] = "a matrix: use one of its items, e.g. \(q.id).\(q.items?.first?.id ?? "item")"
                } else if q.range != nil {
                    out[q.id] = "scale"
                } else if out[q.id] == nil {
                    out[q.id] = "a \(q.type.rawValue.replacingOccurrences(of: "_", with: " ")) question, which has no scale"
                }
            }
        }
        return out
    }

    static func applyIndex(_ input: IndexDTO, to i: MetricIndex, isNew: Bool, scope: Scope) async throws {
        var v = RapportKit.Validator()
        let key = isNew ? (input.key ?? "") : (input.key ?? i.key)
        if key.wholeMatch(of: /^[a-z][a-z0-9_]{0,39}$/) == nil {
            v.fail("key", "'\(key)' is not a key: lower-case letters, digits and _, starting with a letter, at most 40")
        } else if ["nps", "csat", "ces", "ces_easy", "responses", "mean", "top2"].contains(key) {
            v.fail("key", "'\(key)' is a built-in metric; choose another key")
        } else if try await scope.query(MetricIndex.self).filter(\.$key == key).filter(\.$id != i.id ?? UUID()).first() != nil {
            v.fail("key", "an index with the key '\(key)' exists already")
        }
        let name = v.text("name", input.name ?? (isNew ? nil : i.name), required: true, maxLength: 120)
        let formulaText = input.formula ?? (isNew ? nil : i.formula)
        var formula: IndexFormula?
        if let text = formulaText {
            let questions = try await scaleQuestions(scope)
            do {
                formula = try IndexFormula(text) { id in
                    guard let kind = questions[id] else { return "there is no question '\(id)' in this workspace's surveys" }
                    return kind == "scale" ? nil : "'\(id)' is \(kind)"
                }
            } catch { v.fail("formula", error.message) }
        } else {
            v.fail("formula", "is required, e.g. (mean(q_service) + mean(q_price)) / 2")
        }
        if let t = input.target, !t.isFinite { v.fail("target", "must be a number") }
        let description = v.text("description", input.description ?? (isNew ? nil : i.description), maxLength: 1_000)
        try v.finish()
        i.key = key
        i.name = name!
        i.formula = formula!.source
        if input.target != nil || isNew { i.target = input.target }
        i.description = description
    }

    static func register(_ api: APIBuilder) {
        let tag = "Measurement"
        let filters = [
            QueryParameter(name: "metric", type: "string", summary: "nps, csat, ces, ces_easy, responses, mean(question), top2(question), nps(question) or an index key"),
            QueryParameter(name: "group_by", type: "string", summary: "Comma-separated: source, survey, touchpoint, channel, journey, phase, kind, segment, market, month, quarter, year"),
            QueryParameter(name: "from", type: "string", summary: "First month or day, 2026-01 or 2026-01-15 (default: twelve months ago)"),
            QueryParameter(name: "to", type: "string", summary: "Last month or day, 2026-12 or 2026-12-31 (default: today)"),
            QueryParameter(name: "survey", type: "string", summary: "Survey ids, comma-separated"),
            QueryParameter(name: "touchpoint", type: "string", summary: "Touchpoint ids, comma-separated"),
            QueryParameter(name: "journey", type: "string", summary: "Journey ids, comma-separated"),
            QueryParameter(name: "phase", type: "string", summary: "Phase ids, comma-separated"),
            QueryParameter(name: "channel", type: "string", summary: "Channels, comma-separated"),
            QueryParameter(name: "segment", type: "string", summary: "Account segments, comma-separated"),
            QueryParameter(name: "market", type: "string", summary: "Markets (account countries), comma-separated"),
            QueryParameter(name: "kind", type: "string", summary: "relationship or transactional", enumValues: SurveyKind.allowed),
            QueryParameter(name: "window", type: "string", summary: "Rolling window in months with group_by=month, e.g. 36"),
            QueryParameter(name: "compare", type: "string", summary: "previous: compare each group with the period before", enumValues: ["previous"]),
        ]
        api.on(APIRoute(method: .GET, path: "/metrics", summary: "A CX figure per group, with n, 95% interval and guardrail state, from the roll-ups",
                        tag: tag, permission: .readMetrics, response: .object("MetricResult"), queryParameters: filters), metrics)
        api.on(APIRoute(method: .GET, path: "/metrics/export", summary: "The same figures as CSV", tag: tag, permission: .readMetrics,
                        response: .binary, queryParameters: filters), export)
        api.on(APIRoute(method: .GET, path: "/measurement-settings", summary: "The sample-size guardrail of the workspace", tag: tag,
                        permission: .readMetrics, response: .object("MeasurementSettings"), conditional: true), showSettings)
        api.on(APIRoute(method: .PUT, path: "/measurement-settings", summary: "Change the sample-size guardrail", tag: tag, permission: .writeMeasurement,
                        requestSchema: "MeasurementSettings", response: .object("MeasurementSettings"), conditional: true), updateSettings)
        api.on(APIRoute(method: .GET, path: "/indices", summary: "List custom indices", tag: tag, permission: .readMetrics, response: .list("Index")), listIndices)
        api.on(APIRoute(method: .POST, path: "/indices", summary: "Define an index by formula", tag: tag, permission: .writeMeasurement,
                        requestSchema: "IndexInput", response: .object("Index"), successStatus: 201), createIndex)
        api.on(APIRoute(method: .GET, path: "/indices/{id}", summary: "Get an index", tag: tag, permission: .readMetrics, response: .object("Index"), conditional: true), showIndex)
        api.on(APIRoute(method: .PATCH, path: "/indices/{id}", summary: "Change an index", tag: tag, permission: .writeMeasurement,
                        requestSchema: "IndexInput", response: .object("Index"), conditional: true), updateIndex)
        api.on(APIRoute(method: .DELETE, path: "/indices/{id}", summary: "Delete an index", tag: tag, permission: .writeMeasurement,
                        response: .none, successStatus: 204, conditional: true), deleteIndex)
        KPISnapshots.register(api)
    }
}

extension Request {
    /// Every query parameter as text; a key given twice or a control character is refused by name.
    func allQueryItems() throws -> [String: String] {
        var out: [String: String] = [:]
        guard let raw = url.query, !raw.isEmpty else { return out }
        for pair in raw.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            let key = decode(parts[0]), value = parts.count > 1 ? decode(parts[1]) : ""
            if let problem = controlCharacterProblem(key) ?? controlCharacterProblem(value) { throw AppError.invalid(key, problem) }
            if out[key] != nil { throw AppError.invalid(key, "is given twice; give a comma-separated list instead") }
            out[key] = value
        }
        return out
    }
}
