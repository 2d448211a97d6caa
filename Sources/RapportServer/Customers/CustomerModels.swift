import Fluent
import Foundation
import RapportKit
import Vapor

/// A row that belongs to one workspace. Every read and write of such rows goes through `Scope`.
protocol TenantModel: Model where IDValue == UUID {
    var workspaceID: UUID { get set }
    static var entityName: String { get }
    /// Where Fluent finds `workspace_id`, for the scoped query.
    static var workspaceField: KeyPath<Self, FieldProperty<Self, UUID>> { get }
}

/// Rows people edit concurrently carry a version: the ETag and the If-Match check.
protocol Versioned: TenantModel {
    var version: Int { get set }
}

final class Account: TenantModel, Versioned, @unchecked Sendable {
    static let schema = "accounts"
    static let entityName = "account"
    static var workspaceField: KeyPath<Account, FieldProperty<Account, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @OptionalField(key: "external_id") var externalID: String?
    @Field(key: "name") var name: String
    /// Lower-cased, accent-folded name and external id: one case-insensitive search that behaves the
    /// same on SQLite (whose LIKE folds ASCII only) and PostgreSQL.
    @Field(key: "search_text") var searchText: String
    @Field(key: "kind") var kind: String
    @OptionalField(key: "parent_id") var parentID: UUID?
    @OptionalField(key: "segment") var segment: String?
    @OptionalField(key: "industry") var industry: String?
    @OptionalField(key: "country") var country: String?
    @OptionalField(key: "size") var size: String?
    @Field(key: "coverage_model") var coverageModel: String
    @OptionalField(key: "owner_id") var ownerID: UUID?
    @Field(key: "attributes") var attributes: [String: String]
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}
}

final class Contact: TenantModel, Versioned, @unchecked Sendable {
    static let schema = "contacts"
    static let entityName = "contact"
    static var workspaceField: KeyPath<Contact, FieldProperty<Contact, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @OptionalField(key: "account_id") var accountID: UUID?
    @OptionalField(key: "external_id") var externalID: String?
    @OptionalField(key: "first_name") var firstName: String?
    @Field(key: "last_name") var lastName: String
    @Field(key: "search_text") var searchText: String
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "phone") var phone: String?
    @OptionalField(key: "role") var role: String?
    @Field(key: "stakeholder_side") var stakeholderSide: String
    @OptionalField(key: "language") var language: String?
    @Field(key: "channel_preferences") var channelPreferences: [String]
    /// Set when the person's data was erased; the row stays so history and counts stay whole.
    @OptionalField(key: "erased_at") var erasedAt: Date?
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}

    var displayName: String {
        if erasedAt != nil { return "—" }
        return [firstName, lastName].compactMap { $0 }.joined(separator: " ")
    }
}

/// One grant or withdrawal. Consents are never edited: the current state of a purpose and channel is
/// its latest record, and the history is the evidence.
final class Consent: TenantModel, @unchecked Sendable {
    static let schema = "consents"
    static let entityName = "consent"
    static var workspaceField: KeyPath<Consent, FieldProperty<Consent, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "contact_id") var contactID: UUID
    @Field(key: "purpose") var purpose: String
    @Field(key: "channel") var channel: String
    @Field(key: "status") var status: String
    @Field(key: "source") var source: String
    @Field(key: "recorded_at") var recordedAt: Date
    @OptionalField(key: "recorded_by") var recordedBy: String?
    init() {}
}

final class Contract: TenantModel, Versioned, @unchecked Sendable {
    static let schema = "contracts"
    static let entityName = "contract"
    static var workspaceField: KeyPath<Contract, FieldProperty<Contract, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "account_id") var accountID: UUID
    @OptionalField(key: "external_id") var externalID: String?
    @Field(key: "product") var product: String
    /// Dates without time of day are stored as ISO text: it sorts right and reads the same on both databases.
    @Field(key: "start_date") var startDate: String
    @OptionalField(key: "end_date") var endDate: String?
    @OptionalField(key: "renewal_date") var renewalDate: String?
    /// Money in minor units (cents): no binary fractions in revenue.
    @Field(key: "arr_minor") var arrMinor: Int64
    @Field(key: "currency") var currency: String
    @Field(key: "status") var status: String
    @OptionalField(key: "seats") var seats: Int?
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}
}

final class ContractEvent: TenantModel, @unchecked Sendable {
    static let schema = "contract_events"
    static let entityName = "contract event"
    static var workspaceField: KeyPath<ContractEvent, FieldProperty<ContractEvent, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "contract_id") var contractID: UUID
    @Field(key: "account_id") var accountID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "occurred_on") var occurredOn: String
    @Field(key: "arr_delta_minor") var arrDeltaMinor: Int64
    @OptionalField(key: "reason") var reason: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
}

/// What happened to an account or a contact, in one place, so that no customer has to tell their
/// story twice. Other modules add their events through `Timeline.record`.
final class TimelineEvent: TenantModel, @unchecked Sendable {
    static let schema = "timeline_events"
    static let entityName = "timeline event"
    static var workspaceField: KeyPath<TimelineEvent, FieldProperty<TimelineEvent, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @OptionalField(key: "account_id") var accountID: UUID?
    @OptionalField(key: "contact_id") var contactID: UUID?
    @Field(key: "occurred_at") var occurredAt: Date
    @Field(key: "kind") var kind: String
    @Field(key: "title") var title: String
    @OptionalField(key: "detail") var detail: String?
    @OptionalField(key: "subject_type") var subjectType: String?
    @OptionalField(key: "subject_id") var subjectID: UUID?
    /// Where on the journey it happened, when the module that wrote it knows (surveys, events).
    @OptionalField(key: "touchpoint_id") var touchpointID: UUID?
    @OptionalField(key: "phase_id") var phaseID: UUID?
    init() {}
}

final class AuditEntry: Model, @unchecked Sendable {
    static let schema = "audit_log"
    @ID(key: .id) var id: UUID?
    @OptionalField(key: "workspace_id") var workspaceID: UUID?
    @Field(key: "actor") var actor: String
    @Field(key: "action") var action: String
    @Field(key: "entity_type") var entityType: String
    @OptionalField(key: "entity_id") var entityID: UUID?
    @OptionalField(key: "before") var before: String?
    @OptionalField(key: "after") var after: String?
    @Field(key: "at") var at: Date
    init() {}
}

final class IdempotencyRecord: Model, @unchecked Sendable {
    static let schema = "idempotency_keys"
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "key") var key: String
    @Field(key: "fingerprint") var fingerprint: String
    @OptionalField(key: "status_code") var statusCode: Int?
    @OptionalField(key: "content_type") var contentType: String?
    @OptionalField(key: "body") var body: String?
    @Field(key: "created_at") var createdAt: Date
    init() {}
}
