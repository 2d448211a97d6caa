import Fluent
import Foundation
import RapportKit
import SQLKit
import Vapor

struct InvitationDTO: Codable, Sendable {
    var id: UUID
    var surveyId: UUID
    var contactId: UUID
    var accountId: UUID?
    var touchpointId: UUID?
    var triggerId: UUID?
    var channel: String
    var language: String
    var status: String
    var shortCode: String
    var scheduledAt: Date
    var sentAt: Date?
    var answeredAt: Date?
    var remindersSent: Int
    var expiresAt: Date

    enum CodingKeys: String, CodingKey {
        case id, channel, language, status
        case surveyId = "survey_id", contactId = "contact_id", accountId = "account_id", touchpointId = "touchpoint_id", triggerId = "trigger_id"
        case shortCode = "short_code", scheduledAt = "scheduled_at", sentAt = "sent_at", answeredAt = "answered_at"
        case remindersSent = "reminders_sent", expiresAt = "expires_at"
    }

    init(_ i: Invitation) {
        id = i.id!; surveyId = i.surveyID; contactId = i.contactID; accountId = i.accountID; touchpointId = i.touchpointID; triggerId = i.triggerID
        channel = i.channel; language = i.language; status = i.status; shortCode = ShortCode.display(i.shortCode); scheduledAt = i.scheduledAt
        sentAt = i.sentAt; answeredAt = i.answeredAt; remindersSent = i.remindersSent; expiresAt = i.expiresAt
    }
}

/// Response rates of one survey by trigger and channel: invited, delivered, bounced, answered.
struct RateRow: Codable, Sendable {
    var triggerId: UUID?
    var channel: String
    var invited: Int
    var delivered: Int
    var bounced: Int
    var answered: Int
    /// answered / delivered, with a 95 % Wilson interval; nil while nothing was delivered.
    var rate: Double?
    var low: Double?
    var high: Double?

    enum CodingKeys: String, CodingKey { case channel, invited, delivered, bounced, answered, rate, low, high, triggerId = "trigger_id" }
}

struct LinkDTO: Codable, Sendable {
    var id: UUID
    var surveyId: UUID
    var touchpointId: UUID?
    var channel: String?
    var url: String
    var active: Bool

    enum CodingKeys: String, CodingKey { case id, channel, url, active, surveyId = "survey_id", touchpointId = "touchpoint_id" }
}

enum InvitationsAPI {
    static func list(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let q = scope.query(Invitation.self).sort(\.$id, .descending)
        for (name, key) in [("survey_id", \Invitation.$surveyID), ("contact_id", \Invitation.$contactID)] as [(String, KeyPath<Invitation, FieldProperty<Invitation, UUID>>)] {
            if let s = req.query[String.self, at: name] {
                guard let id = UUID(uuidString: s) else { throw AppError.invalid(name, "'\(s)' is not an id") }
                q.filter(key == id)
            }
        }
        if let s = try req.textQuery("status") { q.filter(\.$status == s) }
        if let c = try req.textQuery("channel") { q.filter(\.$channel == c) }
        return PlainJSON.response(PlainPage(items: try await q.limit(500).all().map(InvitationDTO.init), nextCursor: nil))
    }

    static func decisions(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let contact = try await scope.find(Contact.self, parameter: "id", of: req)
        let rows = try await scope.query(ContactDecision.self).filter(\.$contactID == contact.id!).sort(\.$at, .descending).limit(500).all()
        return PlainJSON.response(PlainPage(items: rows.map(DecisionDTO.init), nextCursor: nil))
    }

    static func rates(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let s = try await scope.find(Survey.self, parameter: "id", of: req)
        return PlainJSON.response(PlainPage(items: try await rates(s, scope: scope), nextCursor: nil))
    }

    static func rates(_ s: Survey, scope: Scope) async throws -> [RateRow] {
        struct Row: Decodable { var trigger_id: UUID?; var channel: String; var status: String; var sent: Int; var n: Int }
        let sql = scope.db as! any SQLDatabase
        let rows = try await sql.raw("""
            SELECT trigger_id, channel, status, CASE WHEN sent_at IS NULL THEN 0 ELSE 1 END AS sent, COUNT(*) AS n
            FROM invitations WHERE workspace_id = \(bind: scope.workspaceID) AND survey_id = \(bind: s.id!)
            GROUP BY trigger_id, channel, status, CASE WHEN sent_at IS NULL THEN 0 ELSE 1 END
            """).all(decoding: Row.self)
        var out: [String: RateRow] = [:]
        for r in rows {
            let key = "\(r.trigger_id?.uuidString ?? "-")/\(r.channel)"
            var x = out[key] ?? RateRow(triggerId: r.trigger_id, channel: r.channel, invited: 0, delivered: 0, bounced: 0, answered: 0)
            x.invited += r.n
            if r.status == "bounced" || r.status == "failed" { x.bounced += r.n }
            else if r.sent == 1 || r.status == "exported" || r.status == "answered" { x.delivered += r.n }
            if r.status == "answered" { x.answered += r.n }
            out[key] = x
        }
        return out.values.sorted { ($0.channel, $0.triggerId?.uuidString ?? "") < ($1.channel, $1.triggerId?.uuidString ?? "") }.map { r in
            var r = r
            if r.delivered > 0 {
                let p = Proportion.wilson(successes: r.answered, n: r.delivered)
                r.rate = p.estimate; r.low = p.low; r.high = p.high
            }
            return r
        }
    }

    /// Phone and letter campaigns: the planned invitations as CSV (name, phone or address data, link,
    /// code); exported rows count as delivered and are not exported again.
    static func export(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let caller = try req.caller
        let channel = req.query[String.self, at: "channel"] ?? ""
        guard channel == "phone" || channel == "letter" else { throw AppError.invalid("channel", "'\(channel)' must be phone or letter") }
        let q = scope.query(Invitation.self).filter(\.$channel == channel).filter(\.$status == "scheduled").filter(\.$scheduledAt <= Date()).sort(\.$id)
        if let s = req.query[String.self, at: "survey_id"] {
            guard let id = UUID(uuidString: s) else { throw AppError.invalid("survey_id", "'\(s)' is not an id") }
            q.filter(\.$surveyID == id)
        }
        let invitations = try await q.limit(10_000).all()
        let settings = try await SurveySettingsStore.load(scope)
        let contacts = Dictionary(uniqueKeysWithValues: try await scope.query(Contact.self).filter(\.$id ~~ Set(invitations.map(\.contactID))).all().map { ($0.id!, $0) })
        let accounts = Dictionary(uniqueKeysWithValues: try await scope.query(Account.self).filter(\.$id ~~ Set(invitations.compactMap(\.accountID))).all().map { ($0.id!, $0) })
        let surveys = Dictionary(uniqueKeysWithValues: try await scope.query(Survey.self).all().map { ($0.id!, $0.name) })
        let base = PublicURL.base(req.application)
        let writer = CSVWriter()
        var csv = writer.line(["invitation_id", "survey", "language", "contact_external_id", "first_name", "last_name", "phone", "email", "account", "link", "code"])
        for inv in invitations {
            let c = contacts[inv.contactID]
            csv += writer.line([inv.id!.uuidString, surveys[inv.surveyID] ?? "", inv.language, c?.externalID ?? "", c?.firstName ?? "", c?.lastName ?? "",
                        c?.phone ?? "", c?.email ?? "", inv.accountID.flatMap { accounts[$0]?.name } ?? "",
                        base + "/s/" + PersonalLink.token(invitationID: inv.id!, secret: settings.linkSecret), ShortCode.display(inv.shortCode)],
                               neutralizeFormulas: true)
        }
        let now = Date()
        try await req.db.transaction { db in
            for chunk in invitations.map({ $0.id! }).chunked(500) {
                try await Invitation.query(on: db).filter(\.$id ~~ chunk).filter(\.$status == "scheduled")
                    .set(\.$status, to: "exported").set(\.$sentAt, to: now).update()
            }
            try await Audit.record("export", "invitations", id: nil, before: String?.none, after: "\(invitations.count) \(channel) invitations", by: caller, on: db)
        }
        let r = Response(status: .ok, body: .init(string: csv))
        r.headers.contentType = .init(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        r.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"invitations-\(channel).csv\"")
        return r
    }

    static func createLink(_ req: Request) async throws -> Response {
        struct Input: Codable { var touchpoint_id: UUID?; var channel: String? }
        let input = req.body.data == nil ? Input() : try decodePlainBody(req, as: Input.self)
        let scope = try req.scope
        let caller = try req.caller
        let s = try await scope.find(Survey.self, parameter: "id", of: req)
        var v = RapportKit.Validator()
        if let t = input.touchpoint_id, try await scope.query(Touchpoint.self).filter(\.$id == t).first() == nil { v.fail("touchpoint_id", "there is no touchpoint with this id in your workspace") }
        if let c = input.channel, c.isEmpty || c.count > 40 { v.fail("channel", "must be 1 to 40 characters") }
        try v.finish()
        let link = SurveyLink()
        link.id = .timeOrdered()
        link.workspaceID = scope.workspaceID
        link.surveyID = s.id!
        link.touchpointID = input.touchpoint_id ?? s.touchpointID
        link.channel = input.channel
        link.token = "a" + randomToken(18)
        link.active = true
        try await req.db.transaction { db in
            try await link.create(on: db)
            try await Audit.record("create", "survey_link", id: link.id, by: caller, on: db)
        }
        return PlainJSON.response(dto(link, req), status: .created)
    }

    static func links(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let s = try await scope.find(Survey.self, parameter: "id", of: req)
        let rows = try await scope.query(SurveyLink.self).filter(\.$surveyID == s.id!).sort(\.$id).all()
        return PlainJSON.response(PlainPage(items: rows.map { dto($0, req) }, nextCursor: nil))
    }

    static func dto(_ l: SurveyLink, _ req: Request) -> LinkDTO {
        LinkDTO(id: l.id!, surveyId: l.surveyID, touchpointId: l.touchpointID, channel: l.channel, url: PublicURL.base(req.application) + "/s/" + l.token, active: l.active)
    }

    static func register(_ api: APIBuilder) {
        let tag = "Invitations"
        api.on(APIRoute(method: .GET, path: "/invitations", summary: "List invitations, newest first", tag: tag, permission: .readSurveys, response: .list("Invitation"),
                        queryParameters: [
                            QueryParameter(name: "survey_id", type: "string", summary: "Invitations to this survey", format: "uuid"),
                            QueryParameter(name: "contact_id", type: "string", summary: "Invitations of this contact", format: "uuid"),
                            QueryParameter(name: "status", type: "string", summary: "scheduled, sent, exported, answered, bounced or failed",
                                           enumValues: ["scheduled", "sent", "exported", "answered", "bounced", "failed"]),
                            QueryParameter(name: "channel", type: "string", summary: "email, webhook, phone or letter", enumValues: InvitationChannel.allCases.map(\.rawValue)),
                        ]), list)
        api.on(APIRoute(method: .GET, path: "/invitations/export", summary: "Due phone or letter invitations as CSV; they count as delivered afterwards",
                        tag: tag, permission: .writeSurveys, response: .binary,
                        queryParameters: [
                            QueryParameter(name: "channel", type: "string", summary: "phone or letter", enumValues: ["phone", "letter"]),
                            QueryParameter(name: "survey_id", type: "string", summary: "Only this survey", format: "uuid"),
                        ]), export)
        api.on(APIRoute(method: .GET, path: "/contacts/{id}/decisions", summary: "Every invitation decision about a contact, with its reason",
                        tag: tag, permission: .readSurveys, response: .list("Decision")), decisions)
        api.on(APIRoute(method: .GET, path: "/surveys/{id}/rates", summary: "Invited, delivered, bounced and answered by trigger and channel",
                        tag: tag, permission: .readSurveys, response: .list("Rate")), rates)
        api.on(APIRoute(method: .GET, path: "/surveys/{id}/links", summary: "Anonymous links of a survey", tag: tag, permission: .readSurveys, response: .list("Link")), links)
        api.on(APIRoute(method: .POST, path: "/surveys/{id}/links", summary: "Make an anonymous link (per touchpoint or channel)", tag: tag,
                        permission: .writeSurveys, requestSchema: "LinkInput", response: .object("Link"), successStatus: 201), createLink)
    }
}
