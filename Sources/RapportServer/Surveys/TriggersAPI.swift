import Fluent
import Foundation
import RapportKit
import Vapor

struct TriggerDTO: Codable, Sendable {
    var id: UUID
    var name: String
    var kind: String
    var eventType: String
    var conditions: [String: String]
    var surveyId: UUID
    var channel: String
    var delayMinutes: Int
    var samplingRate: Double
    var everyDays: Int?
    var nextRunAt: Date?
    var active: Bool
    var version: Int
    var createdAt: Date?
    var updatedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, name, kind, conditions, channel, active, version
        case eventType = "event_type", surveyId = "survey_id", delayMinutes = "delay_minutes", samplingRate = "sampling_rate"
        case everyDays = "every_days", nextRunAt = "next_run_at", createdAt = "created_at", updatedAt = "updated_at"
    }

    init(_ t: TriggerRule) {
        id = t.id!; name = t.name; kind = t.kind; eventType = t.eventType
        conditions = (try? PlainJSON.decode([String: String].self, from: Data(t.conditions.utf8))) ?? [:]
        surveyId = t.surveyID; channel = t.channel; delayMinutes = t.delayMinutes; samplingRate = t.samplingRate
        everyDays = t.everyDays; nextRunAt = t.nextRunAt; active = t.active; version = t.version; createdAt = t.createdAt; updatedAt = t.updatedAt
    }
}

struct TriggerInput: Codable, Sendable {
    var name: String?
    var kind: String?
    var eventType: String?
    var conditions: [String: String]?
    var surveyId: UUID?
    var channel: String?
    var delayMinutes: Int?
    var samplingRate: Double?
    var everyDays: Int?
    var active: Bool?

    enum CodingKeys: String, CodingKey {
        case name, kind, conditions, channel, active
        case eventType = "event_type", surveyId = "survey_id", delayMinutes = "delay_minutes", samplingRate = "sampling_rate", everyDays = "every_days"
    }
}

/// Trigger rules: "when an event of this type (with these attributes) happens, invite to this survey
/// through this channel after this delay, for this share of the occurrences". Batch rules run every
/// N days over the events since their last run (e.g. weekly: everyone who finished a sub-journey).
enum TriggersAPI {
    static func apply(_ input: TriggerInput, to t: TriggerRule, isNew: Bool, scope: Scope) async throws {
        var v = RapportKit.Validator()
        if isNew || input.name != nil, let name = v.text("name", input.name, required: true, maxLength: 120) { t.name = name }
        if isNew || input.kind != nil {
            let kind = input.kind ?? "event"
            if ["event", "batch"].contains(kind) { t.kind = kind } else { v.fail("kind", "'\(kind)' is not one of event, batch") }
        }
        if isNew || input.eventType != nil {
            if let e = v.text("event_type", input.eventType, required: true, maxLength: 64) {
                if !Distribution.isEventType(e) { v.fail("event_type", "'\(e)' is not an event type: lower-case letters, digits and _ . : -, e.g. order_delivered") } else { t.eventType = e }
            }
        }
        if isNew || input.conditions != nil {
            let c = input.conditions ?? [:]
            if c.count > 20 { v.fail("conditions", "at most 20 conditions") }
            for (k, value) in c where k.isEmpty || k.count > 64 || value.count > 200 { v.fail("conditions.\(k)", "names are 1 to 64 and values at most 200 characters") }
            t.conditions = PlainJSON.encode(c)
        }
        if isNew || input.surveyId != nil {
            if let id = input.surveyId {
                if let s = try await scope.query(Survey.self).filter(\.$id == id).first() {
                    if s.status != "published" && (input.active ?? true) {
                        v.fail("survey_id", "'\(s.name)' is \(s.status == "archived" ? "archived" : "not published yet"); publish it before a rule can invite to it, or save the rule inactive")
                    }
                    t.surveyID = id
                } else { v.fail("survey_id", "there is no survey with this id in your workspace") }
            } else { v.fail("survey_id", "is required") }
        }
        if isNew || input.channel != nil {
            let c = input.channel ?? ""
            if InvitationChannel(rawValue: c) != nil { t.channel = c } else { v.fail("channel", "'\(c)' is not one of \(InvitationChannel.allCases.map(\.rawValue).joined(separator: ", "))") }
        }
        if isNew || input.delayMinutes != nil {
            let d = input.delayMinutes ?? 0
            if (0...525_600).contains(d) { t.delayMinutes = d } else { v.fail("delay_minutes", "\(d) must be from 0 to 525600 (a year)") }
        }
        if isNew || input.samplingRate != nil {
            let r = input.samplingRate ?? 1
            if r.isFinite && (0...1).contains(r) { t.samplingRate = r } else { v.fail("sampling_rate", "\(r) must be from 0 to 1 (e.g. 0.25 invites a quarter)") }
        }
        if isNew || input.everyDays != nil || input.kind != nil {
            if t.kind == "batch" {
                let d = input.everyDays ?? t.everyDays ?? 7
                if (1...365).contains(d) { t.everyDays = d; t.nextRunAt = t.nextRunAt ?? Date().addingTimeInterval(TimeInterval(d) * 86_400) }
                else { v.fail("every_days", "\(d) must be from 1 to 365") }
            } else {
                if input.everyDays != nil { v.fail("every_days", "only batch rules run every N days") }
                t.everyDays = nil; t.nextRunAt = nil
            }
        }
        if let a = input.active { t.active = a } else if isNew { t.active = true }
        if t.active, !isNew, input.surveyId == nil, input.active == true,
           let s = try await scope.query(Survey.self).filter(\.$id == t.surveyID).first(), s.status != "published" {
            v.fail("active", "the survey '\(s.name)' is not published; publish it first")
        }
        try v.finish()
    }

    static func list(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let q = scope.query(TriggerRule.self).sort(\.$name).sort(\.$id)
        if let s = req.query[String.self, at: "survey_id"] {
            guard let id = UUID(uuidString: s) else { throw AppError.invalid("survey_id", "'\(s)' is not an id") }
            q.filter(\.$surveyID == id)
        }
        return PlainJSON.response(PlainPage(items: try await q.limit(1_000).all().map(TriggerDTO.init), nextCursor: nil))
    }

    static func show(_ req: Request) async throws -> Response {
        let t = try await req.scope.find(TriggerRule.self, parameter: "id", of: req)
        return PlainJSON.response(TriggerDTO(t)).withETag(t.version)
    }

    static func create(_ req: Request) async throws -> Response {
        let input = try decodePlainBody(req, as: TriggerInput.self)
        let scope = try req.scope
        let caller = try req.caller
        let t = TriggerRule()
        t.id = .timeOrdered()
        t.workspaceID = scope.workspaceID
        t.version = 1
        try await apply(input, to: t, isNew: true, scope: scope)
        try await req.db.transaction { db in
            try await t.create(on: db)
            try await Audit.record("create", "trigger_rule", id: t.id, before: String?.none, after: PlainJSON.encode(TriggerDTO(t)), by: caller, on: db)
        }
        return PlainJSON.response(TriggerDTO(t), status: .created).withETag(t.version)
    }

    static func update(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let caller = try req.caller
        let t = try await scope.find(TriggerRule.self, parameter: "id", of: req)
        let input = try decodePlainBody(req, as: TriggerInput.self)
        try Versioning.check(req, current: t.version)
        let before = PlainJSON.encode(TriggerDTO(t))
        try await apply(input, to: t, isNew: false, scope: scope)
        try await req.db.transaction { db in
            try await Versioning.claim(table: TriggerRule.schema, id: t.id!, version: t.version, on: db)
            t.version += 1
            try await t.save(on: db)
            try await Audit.record("update", "trigger_rule", id: t.id, before: before, after: PlainJSON.encode(TriggerDTO(t)), by: caller, on: db)
        }
        return PlainJSON.response(TriggerDTO(t)).withETag(t.version)
    }

    static func delete(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let caller = try req.caller
        let t = try await scope.find(TriggerRule.self, parameter: "id", of: req)
        try Versioning.check(req, current: t.version)
        try await req.db.transaction { db in
            try await t.delete(on: db)
            try await Audit.record("delete", "trigger_rule", id: t.id, by: caller, on: db)
        }
        return Response(status: .noContent)
    }

    static func register(_ api: APIBuilder) {
        let tag = "Trigger rules"
        api.on(APIRoute(method: .GET, path: "/triggers", summary: "List trigger rules", tag: tag, permission: .readSurveys, response: .list("Trigger"),
                        queryParameters: [QueryParameter(name: "survey_id", type: "string", summary: "Rules of this survey", format: "uuid")]), list)
        api.on(APIRoute(method: .POST, path: "/triggers", summary: "Create a trigger rule", tag: tag, permission: .writeSurveys,
                        requestSchema: "TriggerInput", response: .object("Trigger"), successStatus: 201), create)
        api.on(APIRoute(method: .GET, path: "/triggers/{id}", summary: "Get a trigger rule", tag: tag, permission: .readSurveys,
                        response: .object("Trigger"), conditional: true), show)
        api.on(APIRoute(method: .PATCH, path: "/triggers/{id}", summary: "Change a trigger rule", tag: tag, permission: .writeSurveys,
                        requestSchema: "TriggerInput", response: .object("Trigger"), conditional: true), update)
        api.on(APIRoute(method: .DELETE, path: "/triggers/{id}", summary: "Delete a trigger rule (its decisions stay)", tag: tag,
                        permission: .writeSurveys, response: .none, successStatus: 204, conditional: true), delete)
    }
}

/// `POST /events` and `POST /events/batch`: customer events in, invitation decisions out.
enum EventsAPI {
    struct Batch: Codable { var events: [EventInput] }

    static func one(_ req: Request) async throws -> Response {
        let input = try req.body.data.flatMap(EventBody.one) ?? decodePlainBody(req, as: EventInput.self)
        let outcome = try await Distribution.receive([input], scope: try req.scope, caller: try req.caller)[0]
        if let errors = outcome.errors { throw AppError.validation(errors) }
        return PlainJSON.response(outcome, status: .created)   // a repeat says "duplicate" in its body
    }

    static func batch(_ req: Request) async throws -> Response {
        let input = try req.body.data.flatMap(EventBody.batch).map(Batch.init) ?? decodePlainBody(req, as: Batch.self)
        guard !input.events.isEmpty else { throw AppError.invalid("events", "send at least one event") }
        guard input.events.count <= Distribution.maxBatch else {
            throw AppError.invalid("events", "\(input.events.count) events in one batch; at most \(Distribution.maxBatch)")
        }
        let outcomes = try await Distribution.receive(input.events, scope: try req.scope, caller: try req.caller)
        return BatchReply(items: outcomes).response()
    }

    struct BatchReply: Codable {
        var items: [EventOutcome]
        var accepted: Int
        var duplicates: Int
        var rejected: Int
        init(items: [EventOutcome]) {
            self.items = items
            accepted = items.count { $0.status == "accepted" }
            duplicates = items.count { $0.status == "duplicate" }
            rejected = items.count { $0.status == "rejected" }
        }

        /// The JSON `PlainJSON.response(self)` writes (slashes unescaped), written directly (see `EventOutcome.write`).
        func response() -> Response {
            JSONText.batchReply("accepted", accepted, duplicates: duplicates, rejected: rejected, items: items, bytesPerItem: 700) { item, j in item.write(to: &j) }
        }
    }

    static func register(_ api: APIBuilder) {
        let tag = "Events"
        api.on(APIRoute(method: .POST, path: "/events", summary: "Report a customer event; the reply lists every invitation decision it caused",
                        tag: tag, permission: .sendEvents, requestSchema: "EventInput", response: .object("EventOutcome"), successStatus: 201), one)
        api.on(APIRoute(method: .POST, path: "/events/batch", summary: "Report up to 10,000 events; each item's fate is listed in order",
                        tag: tag, permission: .sendEvents, requestSchema: "EventBatch", response: .object("EventBatchReply"), maxBody: "16mb"), batch)
    }
}
