import Fluent
import Foundation
import Vapor

/// Who changed what, when, with the record before and after. Written in the same transaction as the
/// change, so there is no change without its entry.
enum Audit {
    static func record<T: Encodable>(_ action: String, _ entityType: String, id: UUID?, before: T?, after: T?, by caller: Caller, on db: any Database) async throws {
        let entry = AuditEntry()
        entry.workspaceID = caller.workspaceID
        entry.actor = caller.label
        entry.action = action
        entry.entityType = entityType
        entry.entityID = id
        entry.before = try before.map(json)
        entry.after = try after.map(json)
        entry.at = Date()
        try await entry.create(on: db)
    }

    static func record(_ action: String, _ entityType: String, id: UUID?, by caller: Caller, on db: any Database) async throws {
        try await record(action, entityType, id: id, before: String?.none, after: String?.none, by: caller, on: db)
    }

    private static func json<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return String(decoding: try e.encode(value), as: UTF8.self)
    }
}

/// The timeline of accounts and contacts. Later modules (surveys, cases, meetings, usage) add to it
/// through this one function.
enum Timeline {
    static func record(workspaceID: UUID, accountID: UUID?, contactID: UUID?, kind: String, title: String, detail: String? = nil,
                       at: Date = Date(), subjectType: String? = nil, subjectID: UUID? = nil,
                       touchpointID: UUID? = nil, phaseID: UUID? = nil, on db: any Database) async throws {
        try await event(workspaceID: workspaceID, accountID: accountID, contactID: contactID, kind: kind, title: title, detail: detail, at: at,
                        subjectType: subjectType, subjectID: subjectID, touchpointID: touchpointID, phaseID: phaseID).create(on: db)
    }

    /// An entry not yet written, for writers that store many at once.
    static func event(workspaceID: UUID, accountID: UUID?, contactID: UUID?, kind: String, title: String, detail: String? = nil,
                      at: Date = Date(), subjectType: String? = nil, subjectID: UUID? = nil,
                      touchpointID: UUID? = nil, phaseID: UUID? = nil) -> TimelineEvent {
        let e = TimelineEvent()
        e.workspaceID = workspaceID
        e.accountID = accountID
        e.contactID = contactID
        e.kind = kind
        e.title = title
        e.detail = detail
        e.occurredAt = at
        e.subjectType = subjectType
        e.subjectID = subjectID
        e.touchpointID = touchpointID
        e.phaseID = phaseID
        return e
    }
}
