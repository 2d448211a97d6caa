import Fluent
import Foundation
import RapportKit
import Vapor

struct AccountDTO: Content, Equatable {
    var id: UUID
    var externalId: String?
    var name: String
    var kind: String
    var parentId: UUID?
    var segment: String?
    var industry: String?
    var country: String?
    var size: String?
    var coverageModel: String
    var ownerId: UUID?
    var ownerEmail: String?
    var attributes: [String: String]
    var version: Int
    var createdAt: Date?
    var updatedAt: Date?
}

enum AccountsAPI: EditableResource {
    static let schema = CustomerSchemas.account
    static let objectFields: Set<String> = ["attributes"]
    static let sorts = [
        // By the folded name, so that Böhm sorts with the Bs, not after Brandt.
        SortKey(name: "name", field: "search_text", kind: .text),
        SortKey(name: "created_at", field: "created_at", kind: .date),
        SortKey(name: "updated_at", field: "updated_at", kind: .date),
    ]

    static func makeNew(workspaceID: UUID) -> Account {
        let a = Account()
        a.workspaceID = workspaceID
        a.kind = AccountKind.business.rawValue
        a.coverageModel = CoverageModel.techTouch.rawValue
        a.attributes = [:]
        return a
    }

    static func apply(_ v: [String: FieldValue], objects: [String: [String: JSONValue]], to a: Account, isNew: Bool, scope: Scope) async throws {
        var errors: [FieldError] = []
        if v.mentions("external_id") { a.externalID = v.text("external_id") }
        if let name = v.text("name") { a.name = name }
        if v.mentions("kind") { a.kind = v.text("kind") ?? AccountKind.business.rawValue }
        if v.mentions("segment") { a.segment = v.text("segment") }
        if v.mentions("industry") { a.industry = v.text("industry") }
        if v.mentions("country") { a.country = v.text("country") }
        if v.mentions("size") { a.size = v.text("size") }
        if v.mentions("coverage_model") { a.coverageModel = v.text("coverage_model") ?? CoverageModel.techTouch.rawValue }
        if v.mentions("parent_id") || v.mentions("parent_external_id") {
            do { a.parentID = try await resolveParent(id: v.text("parent_id"), externalID: v.text("parent_external_id"), of: a, scope: scope) }
            catch let e as AppError { errors += e.fieldErrors }
        }
        if v.mentions("owner_email") {
            do { a.ownerID = try await Members.userID(email: v.text("owner_email"), field: "owner_email", scope: scope) }
            catch let e as AppError { errors += e.fieldErrors }
        }
        if let attrs = objects["attributes"] {
            do { a.attributes = try attributes(attrs) } catch let e as AppError { errors += e.fieldErrors }
        }
        if !errors.isEmpty { throw AppError.validation(errors) }
        a.searchText = searchKey(a.name, a.externalID)
    }

    static func attributes(_ raw: [String: JSONValue]) throws -> [String: String] {
        guard raw.count <= 50 else { throw AppError.invalid("attributes", "has \(raw.count) entries; at most 50 are allowed") }
        var out: [String: String] = [:]
        for (k, value) in raw {
            guard (1...64).contains(k.count) else { throw AppError.invalid("attributes", "name '\(k.prefix(70))' must be 1 to 64 characters") }
            guard let text = value.text, text.count <= 500 else { throw AppError.invalid("attributes.\(k)", "must be a text of at most 500 characters") }
            if let problem = controlCharacterProblem(k) ?? controlCharacterProblem(text) { throw AppError.invalid("attributes.\(k)", problem) }
            if !text.isEmpty { out[k] = text }
        }
        return out
    }

    /// A parent must exist in the workspace and must not make the hierarchy go round in a circle.
    static func resolveParent(id: String?, externalID: String?, of account: Account, scope: Scope) async throws -> UUID? {
        let parent: Account?
        if let id {
            parent = try await scope.query(Account.self).filter(\.$id == UUID(uuidString: id)!).first()
            guard parent != nil else { throw AppError.invalid("parent_id", "no account with id \(id) in this workspace") }
        } else if let externalID {
            parent = try await scope.query(Account.self).filter(\.$externalID == externalID).first()
            guard parent != nil else { throw AppError.invalid("parent_external_id", "no account with external id '\(externalID)' in this workspace") }
        } else { return nil }
        var cursor = parent
        var depth = 0
        while let node = cursor {
            if let own = account.id, node.id == own {
                throw AppError.invalid(id != nil ? "parent_id" : "parent_external_id", "would make the account its own ancestor")
            }
            depth += 1
            guard depth < 20, let next = node.parentID else { break }
            cursor = try await scope.query(Account.self).filter(\.$id == next).first()
        }
        return parent?.id
    }

    static func dto(_ a: Account, scope: Scope) async throws -> AccountDTO {
        try await dtos([a], scope: scope)[0]
    }

    /// Batch form for lists: one query for all owners instead of one per row.
    static func dtos(_ accounts: [Account], scope: Scope) async throws -> [AccountDTO] {
        let ownerIDs = Set(accounts.compactMap(\.ownerID))
        let owners = ownerIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues:
            try await User.query(on: scope.db).filter(\.$id ~~ ownerIDs).all().map { ($0.id!, $0.email) })
        return accounts.map { a in
            AccountDTO(id: a.id!, externalId: a.externalID, name: a.name, kind: a.kind, parentId: a.parentID, segment: a.segment,
                       industry: a.industry, country: a.country, size: a.size, coverageModel: a.coverageModel, ownerId: a.ownerID,
                       ownerEmail: a.ownerID.flatMap { owners[$0] }, attributes: a.attributes, version: a.version,
                       createdAt: a.createdAt, updatedAt: a.updatedAt)
        }
    }

    static func query(_ req: Request, scope: Scope) throws -> QueryBuilder<Account> {
        var f = Filters(req)
        let q = scope.query(Account.self).search(\.$searchText, f.text("q"))
        if let v = f.choice("coverage_model", CoverageModel.allowed) { q.filter(\.$coverageModel == v) }
        if let v = f.choice("kind", AccountKind.allowed) { q.filter(\.$kind == v) }
        if let v = f.text("segment") { q.filter(\.$segment == v) }
        if let v = f.text("industry") { q.filter(\.$industry == v) }
        if let v = f.text("country") { q.filter(\.$country == v.uppercased()) }
        if let v = f.text("external_id") { q.filter(\.$externalID == v) }
        if let v = f.uuid("owner_id") { q.filter(\.$ownerID == v) }
        if let v = f.uuid("parent_id") { q.filter(\.$parentID == v) }
        try f.finish()
        return q
    }

    static func list(_ req: Request) async throws -> Page<AccountDTO> {
        let scope = try req.scope
        let list = try ListRequest(req, sorts: sorts, defaultSort: "name")
        let rows = try await list.apply(to: query(req, scope: scope)).all()
        return try await list.page(rows, value: { list.sort.name == "name" ? $0.searchText : (list.sort.name == "created_at" ? $0.createdAt : $0.updatedAt)?.cursorValue ?? "" }) {
            try await dtos($0, scope: scope)
        }
    }

    static func guardDelete(_ a: Account, scope: Scope) async throws {
        let contacts = try await scope.query(Contact.self).filter(\.$accountID == a.id).count()
        let contracts = try await scope.query(Contract.self).filter(\.$accountID == a.id!).count()
        let children = try await scope.query(Account.self).filter(\.$parentID == a.id).count()
        if contacts + contracts + children > 0 {
            throw AppError.conflict("The account still has \(contacts) contacts, \(contracts) contracts and \(children) child accounts; move or delete them first, so no history is lost by accident.")
        }
    }

    static let filterParameters = [
        QueryParameter(name: "q", type: "string", summary: "Search in name and external id (case- and accent-insensitive)"),
        QueryParameter(name: "coverage_model", type: "string", summary: "Coverage model", enumValues: CoverageModel.allowed),
        QueryParameter(name: "kind", type: "string", summary: "business or household", enumValues: AccountKind.allowed),
        QueryParameter(name: "segment", type: "string", summary: "Exact segment"),
        QueryParameter(name: "industry", type: "string", summary: "Exact industry"),
        QueryParameter(name: "country", type: "string", summary: "ISO country code"),
        QueryParameter(name: "external_id", type: "string", summary: "Exact external id"),
        QueryParameter(name: "owner_id", type: "string", summary: "Owning user's id", format: "uuid"),
        QueryParameter(name: "parent_id", type: "string", summary: "Parent account's id", format: "uuid"),
    ]

    static func register(_ api: APIBuilder) {
        let tag = "Accounts"
        api.on(APIRoute(method: .GET, path: "/accounts", summary: "List accounts", tag: tag, permission: .readCustomers, response: .list("Account"),
                        queryParameters: listParameters(sorts) + filterParameters), list)
        api.on(APIRoute(method: .POST, path: "/accounts", summary: "Create an account", tag: tag, permission: .writeCustomers,
                        requestSchema: "AccountInput", response: .object("Account"), successStatus: 201), create)
        api.on(APIRoute(method: .GET, path: "/accounts/{id}", summary: "Get an account", tag: tag, permission: .readCustomers,
                        response: .object("Account"), conditional: true), show)
        api.on(APIRoute(method: .PATCH, path: "/accounts/{id}", summary: "Change an account (send only the fields to change)", tag: tag,
                        permission: .writeCustomers, requestSchema: "AccountInput", response: .object("Account"), conditional: true), update)
        api.on(APIRoute(method: .DELETE, path: "/accounts/{id}", summary: "Delete an account without contacts, contracts or child accounts",
                        tag: tag, permission: .deleteCustomers, response: .none, successStatus: 204, conditional: true)) {
            try await delete($0, guardDelete: guardDelete)
        }
    }
}

func listParameters(_ sorts: [SortKey]) -> [QueryParameter] {
    let names = sorts.flatMap { [$0.name, "-" + $0.name] }
    return [
        QueryParameter(name: "limit", type: "integer", summary: "Page size, 1 to 500 (default 50)", minimum: 1, maximum: 500),
        QueryParameter(name: "cursor", type: "string", summary: "next_cursor of the previous page"),
        QueryParameter(name: "sort", type: "string", summary: "Sort field; prefix - for descending", enumValues: names),
    ]
}

/// Members of a workspace, as the customer model refers to them (account owners).
enum Members {
    static func userID(email: String?, field: String, scope: Scope) async throws -> UUID? {
        guard let email else { return nil }
        guard let user = try await User.query(on: scope.db).filter(\.$email == email.lowercased()).first(),
              try await Membership.query(on: scope.db).filter(\.$workspace.$id == scope.workspaceID).filter(\.$user.$id == user.id!).first() != nil
        else { throw AppError.invalid(field, "'\(email)' is not a member of this workspace") }
        return user.id
    }

    static func isMember(_ userID: UUID, scope: Scope) async throws -> Bool {
        try await Membership.query(on: scope.db).filter(\.$workspace.$id == scope.workspaceID).filter(\.$user.$id == userID).first() != nil
    }

    /// Names of workspace members by id, for owners shown beside goals and plans.
    static func names(_ ids: Set<UUID>, on db: any Database) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        return Dictionary(uniqueKeysWithValues: try await User.query(on: db).filter(\.$id ~~ ids).all().map { ($0.id!, $0.name) })
    }
}
