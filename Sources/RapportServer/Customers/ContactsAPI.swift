import Fluent
import Foundation
import RapportKit
import Vapor

struct ContactDTO: Content, Equatable {
    var id: UUID
    var externalId: String?
    var accountId: UUID?
    var firstName: String?
    var lastName: String
    var email: String?
    var phone: String?
    var role: String?
    var stakeholderSide: String
    var language: String?
    var channelPreferences: [String]
    var erased: Bool
    var version: Int
    var createdAt: Date?
    var updatedAt: Date?

    init(_ c: Contact) {
        id = c.id!; externalId = c.externalID; accountId = c.accountID; firstName = c.firstName; lastName = c.lastName
        email = c.email; phone = c.phone; role = c.role; stakeholderSide = c.stakeholderSide; language = c.language
        channelPreferences = c.channelPreferences; erased = c.erasedAt != nil; version = c.version
        createdAt = c.createdAt; updatedAt = c.updatedAt
    }
}

enum ContactsAPI: EditableResource {
    static let schema = CustomerSchemas.contact
    static let sorts = [
        SortKey(name: "last_name", field: "last_name", kind: .text),
        SortKey(name: "created_at", field: "created_at", kind: .date),
        SortKey(name: "updated_at", field: "updated_at", kind: .date),
    ]

    static func makeNew(workspaceID: UUID) -> Contact {
        let c = Contact()
        c.workspaceID = workspaceID
        c.stakeholderSide = StakeholderSide.customer.rawValue
        c.channelPreferences = []
        return c
    }

    static func apply(_ values: [String: FieldValue], objects: [String: [String: JSONValue]], to c: Contact, isNew: Bool, scope: Scope) async throws {
        guard c.erasedAt == nil else { throw AppError.conflict("This contact's personal data was erased; it cannot be changed.") }
        var v = values
        let problems = CustomerSchemas.normalizeContact(&v, creating: isNew)
        if !problems.isEmpty { throw AppError.validation(problems) }
        if v.mentions("external_id") { c.externalID = v.text("external_id") }
        if v.mentions("first_name") { c.firstName = v.text("first_name") }
        if let last = v.text("last_name") { c.lastName = last }
        if v.mentions("email") { c.email = v.text("email") }
        if v.mentions("phone") { c.phone = v.text("phone") }
        if v.mentions("role") { c.role = v.text("role") }
        if v.mentions("stakeholder_side") { c.stakeholderSide = v.text("stakeholder_side") ?? StakeholderSide.customer.rawValue }
        if v.mentions("language") { c.language = v.text("language") }
        if v.mentions("channel_preferences") { c.channelPreferences = v.list("channel_preferences") ?? [] }
        if v.mentions("account_id") || v.mentions("account_external_id") {
            c.accountID = try await resolveAccount(id: v.text("account_id"), externalID: v.text("account_external_id"), scope: scope)
        }
        c.searchText = searchKey(c.firstName, c.lastName, c.email, c.externalID)
    }

    static func dto(_ c: Contact, scope: Scope) async throws -> ContactDTO { ContactDTO(c) }

    static func query(_ req: Request, scope: Scope) throws -> QueryBuilder<Contact> {
        var f = Filters(req)
        let q = scope.query(Contact.self).search(\.$searchText, f.text("q"))
        if let v = f.uuid("account_id") { q.filter(\.$accountID == v) }
        if let v = f.text("email") { q.filter(\.$email == v.lowercased()) }
        if let v = f.text("external_id") { q.filter(\.$externalID == v) }
        if let v = f.choice("stakeholder_side", StakeholderSide.allowed) { q.filter(\.$stakeholderSide == v) }
        if let v = f.text("language") { q.filter(\.$language == v.lowercased()) }
        try f.finish()
        return q
    }

    static func list(_ req: Request) async throws -> Page<ContactDTO> {
        let scope = try req.scope
        let list = try ListRequest(req, sorts: sorts, defaultSort: "last_name")
        let rows = try await list.apply(to: query(req, scope: scope)).all()
        return try await list.page(rows, value: { list.sort.name == "last_name" ? $0.lastName : (list.sort.name == "created_at" ? $0.createdAt : $0.updatedAt)?.cursorValue ?? "" }) {
            $0.map(ContactDTO.init)
        }
    }

    static func register(_ api: APIBuilder) {
        let tag = "Contacts"
        api.on(APIRoute(method: .GET, path: "/contacts", summary: "List contacts", tag: tag, permission: .readCustomers, response: .list("Contact"),
                        queryParameters: listParameters(sorts) + [
                            QueryParameter(name: "q", type: "string", summary: "Search in name, e-mail and external id"),
                            QueryParameter(name: "account_id", type: "string", summary: "The account's id", format: "uuid"),
                            QueryParameter(name: "email", type: "string", summary: "Exact e-mail"),
                            QueryParameter(name: "external_id", type: "string", summary: "Exact external id"),
                            QueryParameter(name: "stakeholder_side", type: "string", summary: "customer or vendor", enumValues: StakeholderSide.allowed),
                            QueryParameter(name: "language", type: "string", summary: "ISO 639-1 code"),
                        ]), list)
        api.on(APIRoute(method: .POST, path: "/contacts", summary: "Create a contact", tag: tag, permission: .writeCustomers,
                        requestSchema: "ContactInput", response: .object("Contact"), successStatus: 201), create)
        api.on(APIRoute(method: .GET, path: "/contacts/{id}", summary: "Get a contact", tag: tag, permission: .readCustomers,
                        response: .object("Contact"), conditional: true), show)
        api.on(APIRoute(method: .PATCH, path: "/contacts/{id}", summary: "Change a contact (send only the fields to change)", tag: tag,
                        permission: .writeCustomers, requestSchema: "ContactInput", response: .object("Contact"), conditional: true), update)
        api.on(APIRoute(method: .DELETE, path: "/contacts/{id}", summary: "Delete a contact with its consents and timeline", tag: tag,
                        permission: .deleteCustomers, response: .none, successStatus: 204, conditional: true)) { try await delete($0) }
        api.on(APIRoute(method: .GET, path: "/contacts/{id}/personal-data", summary: "Export everything stored about this person (GDPR Art. 15/20)",
                        tag: tag, permission: .managePersonalData, response: .object("PersonalDataExport")), PersonalData.export)
        api.on(APIRoute(method: .POST, path: "/contacts/{id}/erase", summary: "Erase this person's personal data; history stays, anonymised (GDPR Art. 17)",
                        tag: tag, permission: .managePersonalData, response: .object("Contact")), PersonalData.erase)
        ConsentsAPI.register(api)
    }
}

func resolveAccount(id: String?, externalID: String?, scope: Scope) async throws -> UUID? {
    if let id {
        guard let a = try await scope.query(Account.self).filter(\.$id == UUID(uuidString: id)!).first() else {
            throw AppError.invalid("account_id", "no account with id \(id) in this workspace")
        }
        return a.id
    }
    if let externalID {
        guard let a = try await scope.query(Account.self).filter(\.$externalID == externalID).first() else {
            throw AppError.invalid("account_external_id", "no account with external id '\(externalID)' in this workspace")
        }
        return a.id
    }
    return nil
}

struct ConsentDTO: Content, Equatable {
    var id: UUID
    var contactId: UUID
    var purpose: String
    var channel: String
    var status: String
    var source: String
    var recordedAt: Date
    var recordedBy: String?
    init(_ c: Consent) {
        id = c.id!; contactId = c.contactID; purpose = c.purpose; channel = c.channel; status = c.status
        source = c.source; recordedAt = c.recordedAt; recordedBy = c.recordedBy
    }
}

/// Consents are a ledger: POST adds a grant or a withdrawal; nothing is edited or deleted, so the
/// evidence of what a person agreed to, when and where stays complete.
enum ConsentsAPI {
    static func list(_ req: Request) async throws -> Page<ConsentDTO> {
        let scope = try req.scope
        let contact = try await scope.find(Contact.self, parameter: "id", of: req)
        let rows = try await scope.query(Consent.self).filter(\.$contactID == contact.id!).sort(\.$recordedAt, .descending).all()
        return Page(items: rows.map(ConsentDTO.init), nextCursor: nil)
    }

    static func create(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let values = try CustomerSchemas.consent.validated(req).values
        let dto = try await req.db.transaction { db in
            let scope = caller.scope(on: db)
            let contact = try await scope.find(Contact.self, parameter: "id", of: req)
            guard contact.erasedAt == nil else { throw AppError.conflict("This contact's personal data was erased.") }
            let consent = try await record(contact: contact, purpose: values.text("purpose")!, channel: values.text("channel")!,
                                           granted: values.text("status") == "granted", source: values.text("source")!, by: caller, on: db)
            return ConsentDTO(consent)
        }
        return try await dto.encodeResponse(status: .created, for: req)
    }

    @discardableResult
    static func record(contact: Contact, purpose: String, channel: String, granted: Bool, source: String, at: Date = Date(), by caller: Caller, on db: any Database) async throws -> Consent {
        let consent = Consent()
        consent.workspaceID = caller.workspaceID
        consent.contactID = contact.id!
        consent.purpose = purpose
        consent.channel = channel
        consent.status = granted ? "granted" : "withdrawn"
        consent.source = source
        consent.recordedAt = at
        consent.recordedBy = caller.label
        try await consent.create(on: db)
        try await Timeline.record(workspaceID: caller.workspaceID, accountID: contact.accountID, contactID: contact.id,
                                  kind: "consent", title: timelineTitle(purpose: purpose, channel: channel, status: consent.status), detail: source, at: at,
                                  subjectType: "consent", subjectID: consent.id, on: db)
        try await Audit.record("create", "consent", id: consent.id, before: ConsentDTO?.none, after: ConsentDTO(consent), by: caller, on: db)
        return consent
    }

    /// "survey/email granted". `AccountPage.localizedTitle` relies on this shape.
    static func timelineTitle(purpose: String, channel: String, status: String) -> String { "\(purpose)/\(channel) \(status)" }

    /// The state in force per purpose and channel: the latest record of each.
    static func current(_ consents: [Consent]) -> [Consent] {
        var latest: [String: Consent] = [:]
        for c in consents {
            let key = c.purpose + "/" + c.channel
            if let seen = latest[key], seen.recordedAt >= c.recordedAt { continue }
            latest[key] = c
        }
        return latest.values.sorted { ($0.purpose, $0.channel) < ($1.purpose, $1.channel) }
    }

    static func register(_ api: APIBuilder) {
        api.on(APIRoute(method: .GET, path: "/contacts/{id}/consents", summary: "The consent ledger of a contact, newest first", tag: "Consents",
                        permission: .readCustomers, response: .list("Consent")), list)
        api.on(APIRoute(method: .POST, path: "/contacts/{id}/consents", summary: "Record a grant or a withdrawal", tag: "Consents",
                        permission: .writeCustomers, requestSchema: "ConsentInput", response: .object("Consent"), successStatus: 201), create)
    }
}
