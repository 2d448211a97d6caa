import Fluent
import Foundation
import RapportKit
import Vapor

final class SurveySettingsRow: TenantModel, Versioned, @unchecked Sendable {
    static let schema = "survey_settings"
    static let entityName = "survey settings"
    static var workspaceField: KeyPath<SurveySettingsRow, FieldProperty<SurveySettingsRow, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    /// Signs personal survey links; never leaves the server.
    @Field(key: "link_secret") var linkSecret: String
    @Field(key: "contact_policy") var contactPolicy: String
    @Field(key: "feedback_queues") var feedbackQueues: String
    @OptionalField(key: "sender_name") var senderName: String?
    @OptionalField(key: "sender_email") var senderEmail: String?
    @OptionalField(key: "webhook_url") var webhookURL: String?
    @OptionalField(key: "webhook_secret") var webhookSecret: String?
    @Field(key: "version") var version: Int
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}
}

final class Survey: TenantModel, Versioned, @unchecked Sendable {
    static let schema = "surveys"
    static let entityName = "survey"
    static var workspaceField: KeyPath<Survey, FieldProperty<Survey, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @OptionalField(key: "touchpoint_id") var touchpointID: UUID?
    @OptionalField(key: "journey_id") var journeyID: UUID?
    /// draft (never published), published, archived.
    @Field(key: "status") var status: String
    @Field(key: "latest_version") var latestVersion: Int
    @OptionalField(key: "published_version") var publishedVersion: Int?
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}
}

final class SurveyVersion: TenantModel, @unchecked Sendable {
    static let schema = "survey_versions"
    static let entityName = "survey version"
    static var workspaceField: KeyPath<SurveyVersion, FieldProperty<SurveyVersion, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "survey_id") var surveyID: UUID
    @Field(key: "number") var number: Int
    @Field(key: "definition") var definition: String
    @OptionalField(key: "published_at") var publishedAt: Date?
    @OptionalField(key: "published_by") var publishedBy: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}

    var isPublished: Bool { publishedAt != nil }

    func decoded() throws -> SurveyDefinition {
        try JSONDecoder().decode(SurveyDefinition.self, from: Data(definition.utf8))
    }
}

final class SurveyLink: TenantModel, @unchecked Sendable {
    static let schema = "survey_links"
    static let entityName = "survey link"
    static var workspaceField: KeyPath<SurveyLink, FieldProperty<SurveyLink, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "survey_id") var surveyID: UUID
    @OptionalField(key: "touchpoint_id") var touchpointID: UUID?
    @OptionalField(key: "channel") var channel: String?
    @Field(key: "token") var token: String
    @Field(key: "active") var active: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
}

final class TriggerRule: TenantModel, Versioned, @unchecked Sendable {
    static let schema = "trigger_rules"
    static let entityName = "trigger rule"
    static var workspaceField: KeyPath<TriggerRule, FieldProperty<TriggerRule, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "name") var name: String
    /// event (one invitation per matching event) or batch (every N days: everyone with such an event).
    @Field(key: "kind") var kind: String
    @Field(key: "event_type") var eventType: String
    @Field(key: "conditions") var conditions: String
    @Field(key: "survey_id") var surveyID: UUID
    @Field(key: "channel") var channel: String
    @Field(key: "delay_minutes") var delayMinutes: Int
    @Field(key: "sampling_rate") var samplingRate: Double
    @OptionalField(key: "every_days") var everyDays: Int?
    @OptionalField(key: "next_run_at") var nextRunAt: Date?
    @Field(key: "active") var active: Bool
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}
}

final class CustomerEvent: TenantModel, @unchecked Sendable {
    static let schema = "customer_events"
    static let entityName = "event"
    static var workspaceField: KeyPath<CustomerEvent, FieldProperty<CustomerEvent, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "type") var type: String
    @OptionalField(key: "external_id") var externalID: String?
    @OptionalField(key: "contact_id") var contactID: UUID?
    @OptionalField(key: "account_id") var accountID: UUID?
    @OptionalField(key: "touchpoint_id") var touchpointID: UUID?
    @Field(key: "occurred_at") var occurredAt: Date
    @Field(key: "received_at") var receivedAt: Date
    @Field(key: "attributes") var attributes: String
    init() {}
}

final class Invitation: TenantModel, @unchecked Sendable {
    static let schema = "invitations"
    static let entityName = "invitation"
    static var workspaceField: KeyPath<Invitation, FieldProperty<Invitation, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "survey_id") var surveyID: UUID
    @Field(key: "contact_id") var contactID: UUID
    @OptionalField(key: "account_id") var accountID: UUID?
    @OptionalField(key: "touchpoint_id") var touchpointID: UUID?
    @OptionalField(key: "trigger_id") var triggerID: UUID?
    @OptionalField(key: "event_id") var eventID: UUID?
    @Field(key: "channel") var channel: String
    @Field(key: "occurrence_key") var occurrenceKey: String
    @Field(key: "short_code") var shortCode: String
    @Field(key: "language") var language: String
    /// scheduled, sent, bounced, failed, answered, exported.
    @Field(key: "status") var status: String
    @Field(key: "scheduled_at") var scheduledAt: Date
    @OptionalField(key: "sent_at") var sentAt: Date?
    @OptionalField(key: "bounced_at") var bouncedAt: Date?
    @OptionalField(key: "answered_at") var answeredAt: Date?
    @Field(key: "reminders_sent") var remindersSent: Int
    /// When the next reminder is to be decided; nil when none is (not sent yet, answered, or done).
    @OptionalField(key: "reminder_due_at") var reminderDueAt: Date?
    @Field(key: "expires_at") var expiresAt: Date
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
}

final class ContactDecision: TenantModel, @unchecked Sendable {
    static let schema = "contact_decisions"
    static let entityName = "decision"
    static var workspaceField: KeyPath<ContactDecision, FieldProperty<ContactDecision, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "contact_id") var contactID: UUID
    @OptionalField(key: "survey_id") var surveyID: UUID?
    @OptionalField(key: "trigger_id") var triggerID: UUID?
    @OptionalField(key: "invitation_id") var invitationID: UUID?
    @Field(key: "occurrence_key") var occurrenceKey: String
    @Field(key: "channel") var channel: String
    /// invitation or reminder.
    @Field(key: "kind") var kind: String
    @Field(key: "invited") var invited: Bool
    @OptionalField(key: "reason") var reason: String?
    @Field(key: "explanation") var explanation: String
    @Field(key: "at") var at: Date
    init() {}
}

final class OutboxMessage: TenantModel, @unchecked Sendable {
    static let schema = "outbox"
    static let entityName = "outbox message"
    static var workspaceField: KeyPath<OutboxMessage, FieldProperty<OutboxMessage, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @OptionalField(key: "invitation_id") var invitationID: UUID?
    /// invitation or reminder, by the invitation's channel (email, webhook).
    @Field(key: "kind") var kind: String
    @Field(key: "payload") var payload: String
    /// pending, sent, failed (gave up or permanent error).
    @Field(key: "status") var status: String
    @Field(key: "attempts") var attempts: Int
    @Field(key: "next_attempt_at") var nextAttemptAt: Date
    @OptionalField(key: "claimed_by") var claimedBy: String?
    @OptionalField(key: "claimed_until") var claimedUntil: Date?
    @OptionalField(key: "last_error") var lastError: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "sent_at") var sentAt: Date?
    init() {}
}

final class SurveyResponse: TenantModel, @unchecked Sendable {
    static let schema = "survey_responses"
    static let entityName = "response"
    static var workspaceField: KeyPath<SurveyResponse, FieldProperty<SurveyResponse, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "survey_id") var surveyID: UUID
    @Field(key: "survey_version") var surveyVersion: Int
    @OptionalField(key: "invitation_id") var invitationID: UUID?
    @OptionalField(key: "link_id") var linkID: UUID?
    @OptionalField(key: "touchpoint_id") var touchpointID: UUID?
    @OptionalField(key: "channel") var channel: String?
    @OptionalField(key: "contact_id") var contactID: UUID?
    @OptionalField(key: "account_id") var accountID: UUID?
    @Field(key: "language") var language: String
    /// web, api, import.
    @Field(key: "source") var source: String
    /// partial (answered page by page, not finished) or complete.
    @Field(key: "status") var status: String
    @Field(key: "answers") var answers: String
    @Field(key: "page") var page: Int
    @OptionalField(key: "resume_token") var resumeToken: String?
    @OptionalField(key: "external_id") var externalID: String?
    @Field(key: "started_at") var startedAt: Date
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    /// The account's segment and market (country) when the response was stored: the keys roll-ups count by.
    @OptionalField(key: "segment") var segment: String?
    @OptionalField(key: "market") var market: String?
    init() {}

    var decodedAnswers: [String: Answer] {
        (try? JSONDecoder().decode([String: Answer].self, from: Data(answers.utf8))) ?? [:]
    }
}

final class FeedbackItem: TenantModel, @unchecked Sendable {
    static let schema = "feedback"
    static let entityName = "feedback"
    static var workspaceField: KeyPath<FeedbackItem, FieldProperty<FeedbackItem, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "type") var type: String
    @Field(key: "text") var text: String
    @Field(key: "queue") var queue: String
    @Field(key: "status") var status: String
    @OptionalField(key: "channel") var channel: String?
    @OptionalField(key: "contact_id") var contactID: UUID?
    @OptionalField(key: "account_id") var accountID: UUID?
    @OptionalField(key: "touchpoint_id") var touchpointID: UUID?
    @Field(key: "source") var source: String
    @Field(key: "recorded_by") var recordedBy: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "closed_at") var closedAt: Date?
    init() {}
}

/// Plain JSON (no key conversion) for survey definitions and answers: their keys are ids a person
/// chose ("quality_a"), which the API's snake-case conversion would rewrite.
enum PlainJSON {
    static func encode<T: Encodable>(_ value: T) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return String(decoding: (try? e.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return try d.decode(T.self, from: data)
    }

    static func response<T: Encodable>(_ value: T, status: HTTPResponseStatus = .ok) -> Response {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .iso8601
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: status, headers: headers, body: .init(data: (try? e.encode(value)) ?? Data()))
    }
}

/// `{"items": [...], "next_cursor": …}` for lists whose items carry person-chosen keys.
struct PlainPage<Item: Encodable>: Encodable {
    var items: [Item]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey { case items, nextCursor = "next_cursor" }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(items, forKey: .items)
        try c.encode(nextCursor, forKey: .nextCursor)
    }
}
