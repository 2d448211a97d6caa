import Fluent
import Foundation
import Vapor

/// A task for someone at the vendor about one account: typed in, a meeting's next step, or created by
/// a playbook.
final class CSTask: TenantModel, Versioned, @unchecked Sendable {
    static let schema = "cs_tasks"
    static let entityName = "task"
    static var workspaceField: KeyPath<CSTask, FieldProperty<CSTask, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "account_id") var accountID: UUID
    @Field(key: "title") var title: String
    @OptionalField(key: "detail") var detail: String?
    @OptionalField(key: "owner_id") var ownerID: UUID?
    @Field(key: "due_on") var dueOn: String
    /// open, done or cancelled.
    @Field(key: "status") var status: String
    @OptionalField(key: "done_at") var doneAt: Date?
    @OptionalField(key: "done_by") var doneBy: String?
    @OptionalField(key: "playbook_run_id") var playbookRunID: UUID?
    @OptionalField(key: "meeting_id") var meetingID: UUID?
    @Field(key: "created_by") var createdBy: String
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}
}

/// A meeting with the customer: notes, decisions, whether expectations were checked, next steps (as tasks).
final class Meeting: TenantModel, Versioned, @unchecked Sendable {
    static let schema = "meetings"
    static let entityName = "meeting"
    static var workspaceField: KeyPath<Meeting, FieldProperty<Meeting, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "account_id") var accountID: UUID
    @Field(key: "held_on") var heldOn: String
    @Field(key: "title") var title: String
    @OptionalField(key: "attendees") var attendees: String?
    @OptionalField(key: "notes") var notes: String?
    @OptionalField(key: "decisions") var decisions: String?
    @Field(key: "expectations_checked") var expectationsChecked: Bool
    @Field(key: "created_by") var createdBy: String
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}
}

/// When a condition holds for an account, a set of tasks is created, once per occurrence.
final class Playbook: TenantModel, Versioned, @unchecked Sendable {
    static let schema = "playbooks"
    static let entityName = "playbook"
    static var workspaceField: KeyPath<Playbook, FieldProperty<Playbook, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "name") var name: String
    /// risk_signal, renewal_within or timeline_event.
    @Field(key: "trigger_kind") var triggerKind: String
    /// The signal's kind, the number of days, or the timeline event's kind.
    @Field(key: "trigger_value") var triggerValue: String
    @OptionalField(key: "segment") var segment: String?
    /// The task templates as JSON.
    @Field(key: "tasks") var tasks: String
    @Field(key: "active") var active: Bool
    @Field(key: "next_run_at") var nextRunAt: Date
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}
}

final class PlaybookRun: TenantModel, @unchecked Sendable {
    static let schema = "playbook_runs"
    static let entityName = "playbook run"
    static var workspaceField: KeyPath<PlaybookRun, FieldProperty<PlaybookRun, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "playbook_id") var playbookID: UUID
    @Field(key: "account_id") var accountID: UUID
    @Field(key: "occurrence") var occurrence: String
    @Field(key: "detail") var detail: String
    @Field(key: "created_at") var createdAt: Date
    /// When the condition stopped holding (risk signals only): the next time it holds is a new occurrence.
    @OptionalField(key: "resolved_at") var resolvedAt: Date?
    init() {}
}

/// References, case studies and product feedback from an account.
final class AdvocacyItem: TenantModel, Versioned, @unchecked Sendable {
    static let schema = "advocacy_items"
    static let entityName = "advocacy item"
    static var workspaceField: KeyPath<AdvocacyItem, FieldProperty<AdvocacyItem, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "account_id") var accountID: UUID
    @OptionalField(key: "contact_id") var contactID: UUID?
    /// reference, case_study or product_feedback.
    @Field(key: "kind") var kind: String
    @Field(key: "status") var status: String
    @Field(key: "title") var title: String
    @OptionalField(key: "detail") var detail: String?
    /// Product feedback lands in the feedback inbox, in the queue product management works.
    @OptionalField(key: "feedback_id") var feedbackID: UUID?
    @Field(key: "created_by") var createdBy: String
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}
}
