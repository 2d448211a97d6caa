import Fluent
import Foundation
import RapportKit
import Vapor

/// The parts every editable customer resource shares: validate, apply, audit, version, answer. Each
/// resource states only its own rules (`Customers/*API.swift`).
protocol EditableResource {
    associatedtype M: Versioned
    associatedtype DTO: Content & Encodable
    static var schema: EntitySchema { get }
    static var objectFields: Set<String> { get }
    static func makeNew(workspaceID: UUID) -> M
    /// Applies validated values (only the ones the input mentions) and checks cross-field rules.
    static func apply(_ values: [String: FieldValue], objects: [String: [String: JSONValue]], to model: M, isNew: Bool, scope: Scope) async throws
    static func dto(_ model: M, scope: Scope) async throws -> DTO
    /// Writes what hangs off the row (link rows), once the row itself is stored.
    static func afterSave(_ model: M, scope: Scope) async throws
}

extension EditableResource {
    static var objectFields: Set<String> { [] }
    static func afterSave(_ model: M, scope: Scope) async throws {}

    static func create(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let (values, body) = try schema.validated(req, objectFields: objectFields)
        let (model, dto) = try await insert(values, objects: body.objects, by: caller, on: req.db)
        let response = try await dto.encodeResponse(status: .created, for: req).withETag(model.version)
        response.headers.replaceOrAdd(name: .location, value: req.url.path + "/" + model.id!.uuidString.lowercased())
        return response
    }

    /// Creates a row from validated values in one transaction, audited; the web forms use it too.
    static func insert(_ values: [String: FieldValue], objects: [String: [String: JSONValue]] = [:], by caller: Caller, on db: any Database) async throws -> (M, DTO) {
        try await db.writeTransaction(workspace: caller.workspaceID) { db in
            let scope = caller.scope(on: db)
            let model = makeNew(workspaceID: caller.workspaceID)
            try await apply(values, objects: objects, to: model, isNew: true, scope: scope)
            model.version = 1
            try await model.create(on: db)
            try await afterSave(model, scope: scope)
            let dto = try await self.dto(model, scope: scope)
            try await Audit.record("create", M.entityName, id: model.id, before: DTO?.none, after: dto, by: caller, on: db)
            return (model, dto)
        }
    }

    static func show(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let model = try await scope.find(M.self, parameter: "id", of: req)
        return try await dto(model, scope: scope).encodeResponse(for: req).withETag(model.version)
    }

    static func update(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let (values, body) = try schema.validated(req, partial: true, objectFields: objectFields)
        let id = req.parameters.get("id").flatMap(UUID.init(uuidString:))
        let ifMatch = req.headers.first(name: .ifMatch)
        let (model, dto) = try await change(id, values, objects: body.objects, by: caller, on: req.db) { try Versioning.check(ifMatch, current: $0) }
        return try await dto.encodeResponse(for: req).withETag(model.version)
    }

    /// Changes a row in one transaction, audited with before and after; `check` sees the version first.
    static func change(_ id: UUID?, _ values: [String: FieldValue], objects: [String: [String: JSONValue]] = [:], by caller: Caller, on db: any Database,
                       check: @escaping @Sendable (Int) throws -> Void = { _ in }) async throws -> (M, DTO) {
        try await db.writeTransaction(workspace: caller.workspaceID) { db in
            let scope = caller.scope(on: db)
            let model = try await scope.find(M.self, id)
            try check(model.version)
            let before = try await self.dto(model, scope: scope)
            try await apply(values, objects: objects, to: model, isNew: false, scope: scope)
            try await Versioning.claim(table: M.schema, id: model.id!, version: model.version, on: db)
            model.version += 1
            try await model.save(on: db)
            try await afterSave(model, scope: scope)
            let after = try await self.dto(model, scope: scope)
            try await Audit.record("update", M.entityName, id: model.id, before: before, after: after, by: caller, on: db)
            return (model, after)
        }
    }

    static func delete(_ req: Request, guardDelete: (@Sendable (M, Scope) async throws -> Void)? = nil) async throws -> HTTPStatus {
        let ifMatch = req.headers.first(name: .ifMatch)
        try await remove(req.parameters.get("id").flatMap(UUID.init(uuidString:)), by: try req.caller, on: req.db,
                         check: { try Versioning.check(ifMatch, current: $0) }, guardDelete: guardDelete)
        return .noContent
    }

    /// Deletes a row in one transaction, audited with what it was; the web forms use it too.
    static func remove(_ id: UUID?, by caller: Caller, on db: any Database, check: @escaping @Sendable (Int) throws -> Void = { _ in },
                       guardDelete: (@Sendable (M, Scope) async throws -> Void)? = nil) async throws {
        try await db.writeTransaction(workspace: caller.workspaceID) { db in
            let scope = caller.scope(on: db)
            let model = try await scope.find(M.self, id)
            try check(model.version)
            try await guardDelete?(model, scope)
            let before = try await dto(model, scope: scope)
            try await model.delete(on: db)
            try await Audit.record("delete", M.entityName, id: model.id, before: before, after: DTO?.none, by: caller, on: db)
        }
    }
}

/// Query-string filters, each checked like a field: a bad filter value is a 422 naming the parameter.
struct Filters {
    let req: Request
    var errors: [FieldError] = []

    init(_ req: Request) { self.req = req }

    mutating func text(_ name: String) -> String? {
        guard let v = req.query[String.self, at: name]?.trimmed, !v.isEmpty else { return nil }
        if let problem = controlCharacterProblem(v) { errors.append(FieldError(name, problem)); return nil }
        return v
    }

    mutating func uuid(_ name: String) -> UUID? {
        guard let t = text(name) else { return nil }
        guard let id = UUID(uuidString: t) else { errors.append(FieldError(name, "'\(t)' is not an id")); return nil }
        return id
    }

    mutating func choice(_ name: String, _ allowed: [String]) -> String? {
        guard let t = text(name) else { return nil }
        switch FieldCheck.oneOf(t, allowed) {
        case .success(let s): return s
        case .failure(let p): errors.append(FieldError(name, p.reason)); return nil
        }
    }

    mutating func date(_ name: String) -> DateOnly? {
        guard let t = text(name) else { return nil }
        switch FieldCheck.date(t) {
        case .success(let d): return d
        case .failure(let p): errors.append(FieldError(name, p.reason)); return nil
        }
    }

    func finish() throws { if !errors.isEmpty { throw AppError.validation(errors) } }
}

/// `q` matches the folded search text anywhere; `%` and `_` in the term are literal.
extension QueryBuilder {
    @discardableResult
    func search(_ field: KeyPath<Model, FieldProperty<Model, String>>, _ term: String?) -> Self {
        guard let term, !term.isEmpty else { return self }
        let folded = searchKey(term).replacingOccurrences(of: "\\", with: "").replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "")
        guard !folded.isEmpty else { return self }
        return filter(field, .contains(inverse: false, .anywhere), folded)
    }
}

enum Money {
    /// Minor units from a decimal amount; refuses fractions of a cent rather than rounding money.
    static func minor(_ amount: Decimal, field: String) throws -> Int64 {
        var scaled = amount * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        guard rounded == scaled else { throw AppError.invalid(field, "has more than two decimal places") }
        guard abs(rounded) < Decimal(Int64.max / 2) else { throw AppError.invalid(field, "is too large") }
        return NSDecimalNumber(decimal: rounded).int64Value
    }

    static func amount(_ minor: Int64) -> Decimal { Decimal(minor) / 100 }
}
