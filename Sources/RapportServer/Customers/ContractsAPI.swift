import Fluent
import Foundation
import RapportKit
import Vapor

struct ContractDTO: Content, Equatable {
    var id: UUID
    var externalId: String?
    var accountId: UUID
    var product: String
    var startDate: String
    var endDate: String?
    var renewalDate: String?
    var arr: Decimal
    var currency: String
    var status: String
    var seats: Int?
    var version: Int
    var createdAt: Date?
    var updatedAt: Date?

    init(_ c: Contract) {
        id = c.id!; externalId = c.externalID; accountId = c.accountID; product = c.product; startDate = c.startDate
        endDate = c.endDate; renewalDate = c.renewalDate; arr = Money.amount(c.arrMinor); currency = c.currency
        status = c.status; seats = c.seats; version = c.version; createdAt = c.createdAt; updatedAt = c.updatedAt
    }
}

enum ContractsAPI: EditableResource {
    static let schema = CustomerSchemas.contract
    static let sorts = [
        SortKey(name: "start_date", field: "start_date", kind: .text),
        SortKey(name: "renewal_date", field: "renewal_date", kind: .text),
        SortKey(name: "created_at", field: "created_at", kind: .date),
    ]

    static func makeNew(workspaceID: UUID) -> Contract {
        let c = Contract()
        c.workspaceID = workspaceID
        c.status = ContractStatus.active.rawValue
        return c
    }

    static func apply(_ v: [String: FieldValue], objects: [String: [String: JSONValue]], to c: Contract, isNew: Bool, scope: Scope) async throws {
        var errors: [FieldError] = []
        if v.mentions("external_id") { c.externalID = v.text("external_id") }
        if let p = v.text("product") { c.product = p }
        if let d = v.date("start_date") { c.startDate = d.iso }
        if v.mentions("end_date") { c.endDate = v.date("end_date")?.iso }
        if v.mentions("renewal_date") { c.renewalDate = v.date("renewal_date")?.iso }
        if let arr = v.decimal("arr") {
            do { c.arrMinor = try Money.minor(arr, field: "arr") } catch let e as AppError { errors += e.fieldErrors }
        }
        if let cur = v.text("currency") { c.currency = cur }
        if v.mentions("status") { c.status = v.text("status") ?? ContractStatus.active.rawValue }
        if v.mentions("seats") { c.seats = v.integer("seats") }
        if v.mentions("account_id") || v.mentions("account_external_id") {
            do {
                if let id = try await resolveAccount(id: v.text("account_id"), externalID: v.text("account_external_id"), scope: scope) { c.accountID = id }
            } catch let e as AppError { errors += e.fieldErrors }
        } else if isNew {
            errors.append(FieldError("account_id", "is required (or account_external_id)"))
        }
        if !errors.isEmpty { throw AppError.validation(errors) }
        // Cross-field rules on the merged record, so a PATCH of one date is checked against the other.
        var merged: [String: FieldValue] = ["arr": .decimal(Money.amount(c.arrMinor))]
        if let s = DateOnly(iso: c.startDate) { merged["start_date"] = .date(s) }
        if let e = c.endDate.flatMap(DateOnly.init(iso:)) { merged["end_date"] = .date(e) }
        if let r = c.renewalDate.flatMap(DateOnly.init(iso:)) { merged["renewal_date"] = .date(r) }
        let crossField = CustomerSchemas.contractRules(merged)
        if !crossField.isEmpty { throw AppError.validation(crossField) }
    }

    static func dto(_ c: Contract, scope: Scope) async throws -> ContractDTO { ContractDTO(c) }

    static func query(_ req: Request, scope: Scope, sortedByRenewal: Bool) throws -> QueryBuilder<Contract> {
        var f = Filters(req)
        let q = scope.query(Contract.self)
        if let v = f.uuid("account_id") { q.filter(\.$accountID == v) }
        if let v = f.choice("status", ContractStatus.allowed) { q.filter(\.$status == v) }
        if let v = f.text("currency") { q.filter(\.$currency == v.uppercased()) }
        if let v = f.text("external_id") { q.filter(\.$externalID == v) }
        if let v = f.date("renews_from") { q.filter(\.$renewalDate >= v.iso) }
        if let v = f.date("renews_to") { q.filter(\.$renewalDate <= v.iso) }
        // Keyset pagination needs a value in every row: sorting by renewal lists only contracts that have one.
        if sortedByRenewal { q.filter(\.$renewalDate != nil) }
        try f.finish()
        return q
    }

    static func list(_ req: Request) async throws -> Page<ContractDTO> {
        let scope = try req.scope
        let list = try ListRequest(req, sorts: sorts, defaultSort: "start_date")
        let rows = try await list.apply(to: query(req, scope: scope, sortedByRenewal: list.sort.name == "renewal_date")).all()
        return try await list.page(rows, value: {
            switch list.sort.name {
            case "start_date": $0.startDate
            case "renewal_date": $0.renewalDate ?? ""
            default: $0.createdAt?.cursorValue ?? ""
            }
        }) { $0.map(ContractDTO.init) }
    }

    static func register(_ api: APIBuilder) {
        let tag = "Contracts"
        api.on(APIRoute(method: .GET, path: "/contracts", summary: "List contracts (sort=renewal_date lists only contracts with a renewal date)",
                        tag: tag, permission: .readCustomers, response: .list("Contract"),
                        queryParameters: listParameters(sorts) + [
                            QueryParameter(name: "account_id", type: "string", summary: "The account's id", format: "uuid"),
                            QueryParameter(name: "status", type: "string", summary: "Contract status", enumValues: ContractStatus.allowed),
                            QueryParameter(name: "currency", type: "string", summary: "ISO 4217 code"),
                            QueryParameter(name: "external_id", type: "string", summary: "Exact external id"),
                            QueryParameter(name: "renews_from", type: "string", summary: "Renewal date on or after (YYYY-MM-DD)", format: "date"),
                            QueryParameter(name: "renews_to", type: "string", summary: "Renewal date on or before (YYYY-MM-DD)", format: "date"),
                        ]), list)
        api.on(APIRoute(method: .POST, path: "/contracts", summary: "Create a contract", tag: tag, permission: .writeCustomers,
                        requestSchema: "ContractInput", response: .object("Contract"), successStatus: 201), create)
        api.on(APIRoute(method: .GET, path: "/contracts/{id}", summary: "Get a contract", tag: tag, permission: .readCustomers,
                        response: .object("Contract"), conditional: true), show)
        api.on(APIRoute(method: .PATCH, path: "/contracts/{id}", summary: "Change a contract (send only the fields to change)", tag: tag,
                        permission: .writeCustomers, requestSchema: "ContractInput", response: .object("Contract"), conditional: true), update)
        api.on(APIRoute(method: .DELETE, path: "/contracts/{id}", summary: "Delete a contract and its events", tag: tag,
                        permission: .deleteCustomers, response: .none, successStatus: 204, conditional: true)) { try await delete($0) }
        ContractEventsAPI.register(api)
    }
}

struct ContractEventDTO: Content, Equatable {
    var id: UUID
    var contractId: UUID
    var accountId: UUID
    var kind: String
    var occurredOn: String
    var arrDelta: Decimal
    var reason: String?
    var createdAt: Date?
    init(_ e: ContractEvent) {
        id = e.id!; contractId = e.contractID; accountId = e.accountID; kind = e.kind; occurredOn = e.occurredOn
        arrDelta = Money.amount(e.arrDeltaMinor); reason = e.reason; createdAt = e.createdAt
    }
}

/// Renewals, expansions, contractions and churn: an append-only history per contract that also lands
/// on the account's timeline.
enum ContractEventsAPI {
    static func list(_ req: Request) async throws -> Page<ContractEventDTO> {
        let scope = try req.scope
        let contract = try await scope.find(Contract.self, parameter: "id", of: req)
        let rows = try await scope.query(ContractEvent.self).filter(\.$contractID == contract.id!).sort(\.$occurredOn, .descending).all()
        return Page(items: rows.map(ContractEventDTO.init), nextCursor: nil)
    }

    static func create(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let values = try CustomerSchemas.contractEvent.validated(req).values
        let rules = CustomerSchemas.contractEventRules(values)
        if !rules.isEmpty { throw AppError.validation(rules) }
        let delta = try values.decimal("arr_delta").map { try Money.minor($0, field: "arr_delta") } ?? 0
        let dto = try await req.db.transaction { db in
            let scope = caller.scope(on: db)
            let contract = try await scope.find(Contract.self, parameter: "id", of: req)
            let event = try await record(contract: contract, kind: values.text("kind")!, occurredOn: values.date("occurred_on")!,
                                         arrDeltaMinor: delta, reason: values.text("reason"), by: caller, on: db)
            return ContractEventDTO(event)
        }
        return try await dto.encodeResponse(status: .created, for: req)
    }

    @discardableResult
    static func record(contract: Contract, kind: String, occurredOn: DateOnly, arrDeltaMinor: Int64, reason: String?, by caller: Caller, on db: any Database) async throws -> ContractEvent {
        let e = ContractEvent()
        e.workspaceID = caller.workspaceID
        e.contractID = contract.id!
        e.accountID = contract.accountID
        e.kind = kind
        e.occurredOn = occurredOn.iso
        e.arrDeltaMinor = arrDeltaMinor
        e.reason = reason
        try await e.create(on: db)
        try await Timeline.record(workspaceID: caller.workspaceID, accountID: contract.accountID, contactID: nil, kind: "contract.\(kind)",
                                  title: timelineTitle(product: contract.product, kind: kind, deltaMinor: arrDeltaMinor, currency: contract.currency), detail: reason, at: occurredOn.date(in: TimeZone(identifier: "UTC")!),
                                  subjectType: "contract", subjectID: contract.id, on: db)
        try await Audit.record("create", "contract event", id: e.id, before: ContractEventDTO?.none, after: ContractEventDTO(e), by: caller, on: db)
        return e
    }

    /// "Cloud Pro: renewal (+1200 EUR)". `AccountPage.localizedTitle` relies on this shape.
    static func timelineTitle(product: String, kind: String, deltaMinor: Int64, currency: String) -> String {
        let amount = Money.amount(deltaMinor)
        return "\(product): \(kind)" + (deltaMinor != 0 ? " (\(amount > 0 ? "+" : "")\(amount) \(currency))" : "")
    }

    static func register(_ api: APIBuilder) {
        api.on(APIRoute(method: .GET, path: "/contracts/{id}/events", summary: "The events of a contract, newest first", tag: "Contracts",
                        permission: .readCustomers, response: .list("ContractEvent")), list)
        api.on(APIRoute(method: .POST, path: "/contracts/{id}/events", summary: "Record a renewal, expansion, contraction or churn", tag: "Contracts",
                        permission: .writeCustomers, requestSchema: "ContractEventInput", response: .object("ContractEvent"), successStatus: 201), create)
    }
}
