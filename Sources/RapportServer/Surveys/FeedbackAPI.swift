import Fluent
import Foundation
import RapportKit
import Vapor

struct FeedbackInput: Codable, Sendable {
    var type: String?
    var text: String?
    var channel: String?
    var contactId: UUID?
    var contactExternalId: String?
    var touchpoint: String?
    var status: String?

    enum CodingKeys: String, CodingKey {
        case type, text, channel, touchpoint, status
        case contactId = "contact_id", contactExternalId = "contact_external_id"
    }
}

struct FeedbackDTO: Codable, Sendable {
    var id: UUID
    var type: String
    var text: String
    var queue: String
    var status: String
    var channel: String?
    var contactId: UUID?
    var accountId: UUID?
    var touchpointId: UUID?
    var source: String
    var recordedBy: String
    var createdAt: Date
    var closedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, type, text, queue, status, channel, source
        case contactId = "contact_id", accountId = "account_id", touchpointId = "touchpoint_id", recordedBy = "recorded_by"
        case createdAt = "created_at", closedAt = "closed_at"
    }

    init(_ f: FeedbackItem) {
        id = f.id!; type = f.type; text = f.text; queue = f.queue; status = f.status; channel = f.channel; contactId = f.contactID
        accountId = f.accountID; touchpointId = f.touchpointID; source = f.source; recordedBy = f.recordedBy; createdAt = f.createdAt; closedAt = f.closedAt
    }
}

/// Unsolicited feedback (complaint, bug, idea, question, praise), routed by type to the queue the
/// workspace configured: by default ideas to product management, the rest to service (seed 002).
enum FeedbackAPI {
    static func record(_ input: FeedbackInput, source: String, scope: Scope, caller: Caller) async throws -> FeedbackItem {
        var v = RapportKit.Validator()
        let type = input.type ?? ""
        if !FeedbackRouting.types.contains(type) { v.fail("type", "'\(type)' is not one of \(FeedbackRouting.types.joined(separator: ", "))") }
        let text = v.text("text", input.text, required: true, maxLength: SurveyLimits.textLength)
        if let c = input.channel, c.isEmpty || c.count > 40 { v.fail("channel", "must be 1 to 40 characters") }
        var contact: Contact? = nil
        if let id = input.contactId {
            contact = try await scope.query(Contact.self).filter(\.$id == id).first()
            if contact == nil { v.fail("contact_id", "there is no contact with this id in your workspace") }
        } else if let x = input.contactExternalId {
            contact = try await scope.query(Contact.self).filter(\.$externalID == x).first()
            if contact == nil { v.fail("contact_external_id", "no contact with external id '\(x)' in this workspace") }
        }
        var touchpoint: UUID? = nil
        if let t = input.touchpoint {
            let match = try await scope.query(Touchpoint.self).group(.or) { g in
                g.filter(\.$slug == t).filter(\.$externalID == t)
                if let id = UUID(uuidString: t) { g.filter(\.$id == id) }
            }.first()
            if let match { touchpoint = match.id } else { v.fail("touchpoint", "no touchpoint '\(t)' (slug, external id or id) in this workspace") }
        }
        try v.finish()
        let touchpointID = touchpoint
        let queues = SurveySettingsStore.queues(try await SurveySettingsStore.load(scope))
        let f = FeedbackItem()
        f.id = .timeOrdered()
        f.workspaceID = scope.workspaceID
        f.type = type
        f.text = text!
        f.queue = queues[type] ?? FeedbackRouting.defaults[type] ?? "service"
        f.status = "open"
        f.channel = input.channel
        f.contactID = contact?.id
        f.accountID = contact?.accountID
        f.touchpointID = touchpointID
        f.source = source
        f.recordedBy = caller.label
        f.createdAt = Date()
        try await scope.db.transaction { db in
            try await f.create(on: db)
            if f.contactID != nil {
                try await Timeline.record(workspaceID: f.workspaceID, accountID: f.accountID, contactID: f.contactID, kind: "feedback",
                                          title: "Feedback: \(type) → \(f.queue)", detail: String(f.text.prefix(300)), subjectType: "feedback",
                                          subjectID: f.id, touchpointID: touchpointID, on: db)
            }
        }
        return f
    }

    static func create(_ req: Request) async throws -> Response {
        let input = try decodePlainBody(req, as: FeedbackInput.self)
        let f = try await record(input, source: "api", scope: try req.scope, caller: try req.caller)
        return PlainJSON.response(FeedbackDTO(f), status: .created)
    }

    static func list(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let q = scope.query(FeedbackItem.self).sort(\.$id, .descending)
        if let t = req.query[String.self, at: "type"] {
            guard FeedbackRouting.types.contains(t) else { throw AppError.invalid("type", "'\(t)' is not one of \(FeedbackRouting.types.joined(separator: ", "))") }
            q.filter(\.$type == t)
        }
        if let s = req.query[String.self, at: "status"] {
            guard ["open", "closed"].contains(s) else { throw AppError.invalid("status", "'\(s)' is not one of open, closed") }
            q.filter(\.$status == s)
        }
        if let queue = try req.textQuery("queue") { q.filter(\.$queue == queue) }
        return PlainJSON.response(PlainPage(items: try await q.limit(500).all().map(FeedbackDTO.init), nextCursor: nil))
    }

    static func update(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let caller = try req.caller
        let f = try await scope.find(FeedbackItem.self, parameter: "id", of: req)
        let input = try decodePlainBody(req, as: FeedbackInput.self)
        guard let status = input.status, ["open", "closed"].contains(status) else {
            throw AppError.invalid("status", "'\(input.status ?? "")' is not one of open, closed")
        }
        let before = PlainJSON.encode(FeedbackDTO(f))
        f.status = status
        f.closedAt = status == "closed" ? Date() : nil
        try await req.db.transaction { db in
            try await f.save(on: db)
            try await Audit.record("update", "feedback", id: f.id, before: before, after: PlainJSON.encode(FeedbackDTO(f)), by: caller, on: db)
        }
        return PlainJSON.response(FeedbackDTO(f))
    }

    static func register(_ api: APIBuilder) {
        let tag = "Feedback"
        api.on(APIRoute(method: .GET, path: "/feedback", summary: "The feedback inbox, newest first", tag: tag, permission: .readFeedback, response: .list("Feedback"),
                        queryParameters: [
                            QueryParameter(name: "type", type: "string", summary: "complaint, bug, idea, question or praise", enumValues: FeedbackRouting.types),
                            QueryParameter(name: "status", type: "string", summary: "open or closed", enumValues: ["open", "closed"]),
                            QueryParameter(name: "queue", type: "string", summary: "Queue name, e.g. service or product"),
                        ]), list)
        api.on(APIRoute(method: .POST, path: "/feedback", summary: "Record unsolicited feedback; it is routed to its type's queue", tag: tag,
                        permission: .writeFeedback, requestSchema: "FeedbackInput", response: .object("Feedback"), successStatus: 201), create)
        api.on(APIRoute(method: .PATCH, path: "/feedback/{id}", summary: "Close or reopen a feedback item", tag: tag,
                        permission: .writeFeedback, requestSchema: "FeedbackStatus", response: .object("Feedback")), update)
    }
}

struct SurveySettingsDTO: Codable, Sendable {
    var contactPolicy: ContactPolicy
    var feedbackQueues: [String: String]
    var senderName: String?
    var senderEmail: String?
    var webhookUrl: String?
    /// Whether a webhook secret is set; the secret itself is never shown again.
    var webhookSecretSet: Bool?
    var webhookSecret: String?
    var version: Int?

    enum CodingKeys: String, CodingKey {
        case version
        case contactPolicy = "contact_policy", feedbackQueues = "feedback_queues", senderName = "sender_name", senderEmail = "sender_email"
        case webhookUrl = "webhook_url", webhookSecretSet = "webhook_secret_set", webhookSecret = "webhook_secret"
    }

    init(_ row: SurveySettingsRow) {
        contactPolicy = SurveySettingsStore.policy(row); feedbackQueues = SurveySettingsStore.queues(row); senderName = row.senderName
        senderEmail = row.senderEmail; webhookUrl = row.webhookURL; webhookSecretSet = row.webhookSecret != nil; version = row.version
    }
}

/// The workspace's contact policy, feedback queues, sender and webhook.
enum SurveySettingsAPI {
    static func show(_ req: Request) async throws -> Response {
        let row = try await SurveySettingsStore.load(try req.scope)
        return PlainJSON.response(SurveySettingsDTO(row)).withETag(row.version)
    }

    static func update(_ req: Request) async throws -> Response {
        let input = try decodePlainBody(req, as: SurveySettingsDTO.self)
        let scope = try req.scope
        let caller = try req.caller
        let row = try await SurveySettingsStore.load(scope)
        try Versioning.check(req, current: row.version)
        try apply(input, to: row)
        let before = PlainJSON.encode(SurveySettingsDTO(row))
        try await req.db.transaction { db in
            try await Versioning.claim(table: SurveySettingsRow.schema, id: row.id!, version: row.version, on: db)
            row.version += 1
            try await row.save(on: db)
            try await Audit.record("update", "survey_settings", id: row.id, before: before, after: PlainJSON.encode(SurveySettingsDTO(row)), by: caller, on: db)
        }
        return PlainJSON.response(SurveySettingsDTO(row)).withETag(row.version)
    }

    static func apply(_ input: SurveySettingsDTO, to row: SurveySettingsRow) throws {
        var v = RapportKit.Validator()
        for p in input.contactPolicy.problems() { v.fail("contact_policy." + p.field, p.message) }
        for (type, queue) in input.feedbackQueues {
            if !FeedbackRouting.types.contains(type) { v.fail("feedback_queues.\(type)", "'\(type)' is not a feedback type: \(FeedbackRouting.types.joined(separator: ", "))") }
            if queue.wholeMatch(of: /^[a-z][a-z0-9_-]{0,39}$/) == nil { v.fail("feedback_queues.\(type)", "'\(queue)' is not a queue name: lower-case letters, digits, _ and -") }
        }
        let sender = v.text("sender_name", input.senderName, maxLength: 80)
        let email = v.check("sender_email", input.senderEmail, FieldCheck.email)
        var url: String? = nil
        if let u = input.webhookUrl, !u.isEmpty {
            if let parsed = URL(string: u), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil { url = u }
            else { v.fail("webhook_url", "'\(u)' is not an http(s) URL") }
        }
        if let s = input.webhookSecret, !s.isEmpty, s.count < 16 { v.fail("webhook_secret", "use at least 16 characters, so the signature cannot be guessed") }
        try v.finish()
        row.contactPolicy = PlainJSON.encode(input.contactPolicy)
        var queues = FeedbackRouting.defaults
        for (k, q) in input.feedbackQueues { queues[k] = q }
        row.feedbackQueues = PlainJSON.encode(queues)
        row.senderName = sender
        row.senderEmail = email
        row.webhookURL = url
        if let s = input.webhookSecret { row.webhookSecret = s.isEmpty ? nil : s }
    }

    static func register(_ api: APIBuilder) {
        let tag = "Surveys"
        api.on(APIRoute(method: .GET, path: "/survey-settings", summary: "Contact policy, feedback queues, sender and webhook of the workspace",
                        tag: tag, permission: .readSurveys, response: .object("SurveySettings"), conditional: true), show)
        api.on(APIRoute(method: .PUT, path: "/survey-settings", summary: "Replace the contact policy, feedback queues, sender and webhook",
                        tag: tag, permission: .writeSurveys, requestSchema: "SurveySettings", response: .object("SurveySettings"), conditional: true), update)
    }
}
