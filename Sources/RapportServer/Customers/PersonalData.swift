import Fluent
import Foundation
import RapportKit
import Vapor

struct TimelineDTO: Content, Equatable {
    var id: UUID
    var accountId: UUID?
    var contactId: UUID?
    var occurredAt: Date
    var kind: String
    var title: String
    var detail: String?
    var subjectType: String?
    var subjectId: UUID?
    var touchpointId: UUID?
    var phaseId: UUID?
    init(_ e: TimelineEvent) {
        id = e.id!; accountId = e.accountID; contactId = e.contactID; occurredAt = e.occurredAt; kind = e.kind
        title = e.title; detail = e.detail; subjectType = e.subjectType; subjectId = e.subjectID
        touchpointId = e.touchpointID; phaseId = e.phaseID
    }
}

struct PersonalDataExport: Content {
    var exportedAt: Date
    var workspace: String
    var contact: ContactDTO
    var consents: [ConsentDTO]
    var timeline: [TimelineDTO]
}

/// The data-protection duties for one person: hand over everything, or erase it.
enum PersonalData {
    static func export(_ req: Request) async throws -> PersonalDataExport {
        let caller = try req.caller
        let scope = try req.scope
        let contact = try await scope.find(Contact.self, parameter: "id", of: req)
        let consents = try await scope.query(Consent.self).filter(\.$contactID == contact.id!).sort(\.$recordedAt).all()
        let timeline = try await scope.query(TimelineEvent.self).filter(\.$contactID == contact.id!).sort(\.$occurredAt).all()
        try await Audit.record("export_personal_data", "contact", id: contact.id, by: caller, on: req.db)
        return PersonalDataExport(exportedAt: Date(), workspace: caller.workspaceSlug, contact: ContactDTO(contact),
                                  consents: consents.map(ConsentDTO.init), timeline: timeline.map(TimelineDTO.init))
    }

    /// Removes every personal field; the row, its consents' dates and its timeline stay so that counts
    /// and history remain whole, but nothing in them names the person any more.
    static func erase(_ req: Request) async throws -> ContactDTO {
        let caller = try req.caller
        return try await req.db.transaction { db in
            let scope = caller.scope(on: db)
            let contact = try await scope.find(Contact.self, parameter: "id", of: req)
            if contact.erasedAt != nil { return ContactDTO(contact) }
            try await erase(contact, by: caller, on: db)
            // No "before" here: it would keep exactly what was just erased.
            try await Audit.record("erase", "contact", id: contact.id, before: ContactDTO?.none, after: ContactDTO(contact), by: caller, on: db)
            return ContactDTO(contact)
        }
    }

    static func erase(_ contact: Contact, by caller: Caller, on db: any Database) async throws {
        try await Versioning.claim(table: Contact.schema, id: contact.id!, version: contact.version, on: db)
        contact.version += 1
        contact.firstName = nil
        contact.lastName = "erased"
        contact.email = nil
        contact.phone = nil
        contact.role = nil
        contact.externalID = nil
        contact.channelPreferences = []
        contact.searchText = ""
        contact.erasedAt = Date()
        try await contact.save(on: db)
        // Consent sources and timeline texts can hold names or addresses: blank them, keep the dates.
        try await Consent.query(on: db).filter(\.$workspaceID == caller.workspaceID).filter(\.$contactID == contact.id!)
            .set(\.$source, to: "erased").set(\.$recordedBy, to: nil).update()
        try await TimelineEvent.query(on: db).filter(\.$workspaceID == caller.workspaceID).filter(\.$contactID == contact.id!)
            .set(\.$detail, to: nil).update()
        // The audit log's before/after copies of this person and of their consents go too; the entries
        // (who did what, when) stay.
        let consentIDs = try await Consent.query(on: db).filter(\.$workspaceID == caller.workspaceID).filter(\.$contactID == contact.id!).all(\.$id)
        try await AuditEntry.query(on: db).filter(\.$workspaceID == caller.workspaceID).filter(\.$entityID ~~ (consentIDs + [contact.id!]))
            .set(\.$before, to: nil).set(\.$after, to: nil).update()
    }
}

enum TimelineAPI {
    static func page(_ req: Request, account: Bool) async throws -> Page<TimelineDTO> {
        let scope = try req.scope
        let q = scope.query(TimelineEvent.self)
        if account {
            let a = try await scope.find(Account.self, parameter: "id", of: req)
            q.filter(\.$accountID == a.id!)
        } else {
            let c = try await scope.find(Contact.self, parameter: "id", of: req)
            q.filter(\.$contactID == c.id!)
        }
        let list = try ListRequest(req, sorts: [SortKey(name: "occurred_at", field: "occurred_at", kind: .date)], defaultSort: "-occurred_at")
        let rows = try await list.apply(to: q).all()
        return try await list.page(rows, value: { $0.occurredAt.cursorValue }) { $0.map(TimelineDTO.init) }
    }

    static func register(_ api: APIBuilder) {
        let params = listParameters([SortKey(name: "occurred_at", field: "occurred_at", kind: .date)])
        api.on(APIRoute(method: .GET, path: "/accounts/{id}/timeline", summary: "The account's timeline, newest first", tag: "Timeline",
                        permission: .readCustomers, response: .list("TimelineEvent"), queryParameters: params)) { try await page($0, account: true) }
        api.on(APIRoute(method: .GET, path: "/contacts/{id}/timeline", summary: "The contact's timeline, newest first", tag: "Timeline",
                        permission: .readCustomers, response: .list("TimelineEvent"), queryParameters: params)) { try await page($0, account: false) }
    }
}
