import Fluent
import Foundation
import NIOCore
import RapportKit
import SQLKit
import Vapor

/// The durable outbox: an invitation's message is written in the same transaction as the decision,
/// and a worker on any node delivers it later. Nodes claim due messages through the database (on
/// PostgreSQL with SKIP LOCKED), so with several nodes each message is sent by one of them; a claim
/// that outlives a crashed node expires and another node takes the message over.
enum Outbox {
    static let claimFor: TimeInterval = 120
    static let maxAttempts = 6

    /// Waits after the first, second, … failed attempt.
    static func backoff(afterAttempt n: Int) -> TimeInterval {
        [60, 300, 1_800, 7_200, 21_600][min(max(n - 1, 0), 4)]
    }

    static func message(for inv: Invitation, kind: String, at: Date) -> OutboxMessage {
        let m = OutboxMessage()
        m.id = .timeOrdered()
        m.workspaceID = inv.workspaceID
        m.invitationID = inv.id
        m.kind = kind
        m.payload = "{}"
        m.status = "pending"
        m.attempts = 0
        m.nextAttemptAt = at
        m.createdAt = Date()
        return m
    }

    /// Claims up to `limit` due messages for this node. The claim is one statement, so two nodes
    /// never get the same message.
    static func claim(node: String, limit: Int, now: Date, db: any Database) async throws -> [UUID] {
        let sql = db as! any SQLDatabase
        struct Row: Decodable { var id: UUID }
        let until = now.addingTimeInterval(claimFor)
        if sql.dialect.name == "postgresql" {
            return try await sql.raw("""
                UPDATE outbox SET claimed_by = \(bind: node), claimed_until = \(bind: until), attempts = attempts + 1
                WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= \(bind: now)
                             AND (claimed_until IS NULL OR claimed_until < \(bind: now))
                             ORDER BY next_attempt_at LIMIT \(unsafeRaw: String(limit)) FOR UPDATE SKIP LOCKED)
                RETURNING id
                """).all(decoding: Row.self).map(\.id)
        }
        // SQLite: one writer at a time, so the same statement without row locks is enough.
        return try await sql.raw("""
            UPDATE outbox SET claimed_by = \(bind: node), claimed_until = \(bind: until), attempts = attempts + 1
            WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= \(bind: now)
                         AND (claimed_until IS NULL OR claimed_until < \(bind: now))
                         ORDER BY next_attempt_at LIMIT \(unsafeRaw: String(limit)))
            RETURNING id
            """).all(decoding: Row.self).map(\.id)
    }

    /// transient: try again later (counts as an attempt); permanent: give up; waiting: the channel
    /// is not set up yet, so the message waits without using up its attempts.
    enum Failure: Error { case transient(String), permanent(String), waiting(String) }

    /// Delivers one claimed message and records the result. Only the node holding the claim may
    /// record it.
    static func deliver(_ id: UUID, node: String, app: Application, now: Date = Date()) async throws {
        let db = app.db
        guard let m = try await OutboxMessage.query(on: db).filter(\.$id == id).filter(\.$claimedBy == node).first() else { return }
        do {
            try await send(m, app: app)
            try await db.transaction { db in
                try await OutboxMessage.query(on: db).filter(\.$id == id).filter(\.$claimedBy == node)
                    .set(\.$status, to: "sent").set(\.$sentAt, to: Date()).set(\.$claimedUntil, to: nil).set(\.$lastError, to: nil).update()
                try await markSent(m, db: db)
            }
        } catch Failure.waiting(let why) {
            try await OutboxMessage.query(on: db).filter(\.$id == id).filter(\.$claimedBy == node)
                .set(\.$attempts, to: max(0, m.attempts - 1)).set(\.$lastError, to: why).set(\.$claimedUntil, to: nil)
                .set(\.$nextAttemptAt, to: Date().addingTimeInterval(300)).update()
        } catch let f as Failure {
            let (permanent, why): (Bool, String) = switch f { case .permanent(let w): (true, w); case .transient(let w), .waiting(let w): (false, w) }
            let giveUp = permanent || m.attempts >= maxAttempts
            try await db.transaction { db in
                try await OutboxMessage.query(on: db).filter(\.$id == id).filter(\.$claimedBy == node)
                    .set(\.$status, to: giveUp ? "failed" : "pending").set(\.$lastError, to: String(why.prefix(500)))
                    .set(\.$claimedUntil, to: nil).set(\.$nextAttemptAt, to: Date().addingTimeInterval(backoff(afterAttempt: m.attempts))).update()
                if giveUp { try await markFailed(m, bounced: permanent, why: why, db: db) }
            }
            app.logger.warning("outbox \(id): \(giveUp ? "gave up" : "will retry") after attempt \(m.attempts): \(why)")
        }
    }

    static func markSent(_ m: OutboxMessage, db: any Database) async throws {
        guard let invID = m.invitationID, let inv = try await Invitation.query(on: db).filter(\.$id == invID).first() else { return }
        let policy = SurveySettingsStore.policy(try await SurveySettingsStore.load(Scope(workspaceID: inv.workspaceID, db: db)))
        let now = Date()
        if m.kind == "invitation" {
            if inv.answeredAt == nil { inv.status = "sent" }
            inv.sentAt = now
            inv.reminderDueAt = policy.maxReminders > 0 && inv.answeredAt == nil ? now.addingTimeInterval(TimeInterval(policy.reminderAfterDays) * 86_400) : nil
            try await inv.save(on: db)
        }
        let survey = try await Survey.query(on: db).filter(\.$id == inv.surveyID).first()
        try await Timeline.record(workspaceID: inv.workspaceID, accountID: inv.accountID, contactID: inv.contactID,
                                  kind: m.kind == "invitation" ? "survey_invitation_sent" : "survey_reminder_sent",
                                  title: "\(m.kind == "invitation" ? "Invitation" : "Reminder") to \(survey?.name ?? "a survey") sent (\(inv.channel))",
                                  at: now, subjectType: "invitation", subjectID: inv.id, touchpointID: inv.touchpointID, on: db)
    }

    static func markFailed(_ m: OutboxMessage, bounced: Bool, why: String, db: any Database) async throws {
        guard let invID = m.invitationID, let inv = try await Invitation.query(on: db).filter(\.$id == invID).first() else { return }
        if m.kind == "invitation" {
            inv.status = bounced ? "bounced" : "failed"
            inv.bouncedAt = bounced ? Date() : nil
            inv.reminderDueAt = nil
            try await inv.save(on: db)
        }
        try await Timeline.record(workspaceID: inv.workspaceID, accountID: inv.accountID, contactID: inv.contactID,
                                  kind: "survey_invitation_failed", title: bounced ? "Survey e-mail bounced" : "Survey message could not be delivered",
                                  detail: why, subjectType: "invitation", subjectID: inv.id, on: db)
    }

    // MARK: sending

    static func send(_ m: OutboxMessage, app: Application) async throws {
        let db = app.db
        guard let invID = m.invitationID, let inv = try await Invitation.query(on: db).filter(\.$id == invID).first(),
              let contact = try await Contact.query(on: db).filter(\.$id == inv.contactID).first(),
              let survey = try await Survey.query(on: db).filter(\.$id == inv.surveyID).first(),
              let def = try await SurveysAPI.published(survey, on: db)
        else { throw Failure.permanent("the invitation, its contact or its survey no longer exists") }
        if contact.erasedAt != nil { throw Failure.permanent("the contact's personal data was erased") }
        if m.kind == "reminder" && inv.answeredAt != nil { return }   // answered meanwhile: nothing to remind of
        let scope = Scope(workspaceID: inv.workspaceID, db: db)
        let settings = try await SurveySettingsStore.load(scope)
        // Consent may have been withdrawn since the decision.
        let consents = try await ConsentRecord.of(contact.id!, scope: scope)
        let channel = InvitationChannel(rawValue: inv.channel) ?? .email
        guard SurveyConsent.granted(consents, channel: channel) else { throw Failure.permanent("the contact withdrew consent before the message went out") }
        let token = PersonalLink.token(invitationID: inv.id!, secret: settings.linkSecret)
        let base = PublicURL.base(app)
        let content = InvitationMail.Content(
            language: inv.language, contactName: contact.displayName, surveyTitle: def.title[inv.language] ?? survey.name,
            intro: def.intro?[inv.language], link: base + "/s/" + token, code: ShortCode.display(inv.shortCode),
            unsubscribe: base + "/u/" + token, reminder: m.kind == "reminder", senderName: settings.senderName)
        switch channel {
        case .email:
            guard let to = contact.email else { throw Failure.permanent("the contact has no e-mail address") }
            try await sendMail(content, to: to, name: contact.displayName, settings: settings, app: app)
        case .webhook:
            try await Webhook.post(InvitationMail.webhookBody(content, invitation: inv, contact: contact, survey: survey, kind: m.kind), settings: settings, app: app)
        case .phone, .letter:
            throw Failure.permanent("phone and letter invitations are exported, not sent")
        }
    }

    static func sendMail(_ c: InvitationMail.Content, to: String, name: String, settings: SurveySettingsRow, app: Application) async throws {
        guard let smtp = app.settings.smtp else { throw Failure.waiting("no SMTP server is configured (RAPPORT_SMTP_URL)") }
        let fromAddress = settings.senderEmail ?? app.settings.mailFrom ?? "rapport@localhost"
        let domain = fromAddress.split(separator: "@").last.map(String.init) ?? "localhost"
        let message = MailMessage(
            from: MailAddress(fromAddress, name: settings.senderName ?? "Rapport"), to: [MailAddress(to, name: name)],
            subject: InvitationMail.subject(c), text: InvitationMail.text(c), html: InvitationMail.html(c),
            messageIDDomain: domain, unsubscribeURL: URL(string: c.unsubscribe))
        do {
            try await SMTPClient(settings: smtp, eventLoopGroup: app.eventLoopGroup).send(message, envelopeFrom: fromAddress, recipients: [to])
        } catch let e as SMTPError {
            // Refused logins and missing encryption are about our settings, not the recipient: the
            // message waits for them to be fixed instead of counting as a bounce.
            if case .permanent(let code, _) = e, [530, 534, 535, 538, 504].contains(code) { throw Failure.waiting("the SMTP server refused our login: \(e.description)") }
            throw e.isPermanent ? Failure.permanent(e.description) : Failure.transient(e.description)
        } catch {
            throw Failure.transient(String(describing: error))
        }
    }
}

/// Webhooks carry the invitation to the company's own system, signed so the receiver can tell it
/// came from Rapport and was not replayed: `Rapport-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
/// "<t>.<body>" with the workspace's webhook secret>`.
enum Webhook {
    static func signature(body: Data, timestamp: Int, secret: String) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return "t=\(timestamp),v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    static func post(_ body: Data, settings: SurveySettingsRow, app: Application) async throws {
        guard let url = settings.webhookURL, let secret = settings.webhookSecret else {
            throw Outbox.Failure.waiting("no webhook URL and secret are set in the survey settings")
        }
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.add(name: "Rapport-Signature", value: signature(body: body, timestamp: Int(Date().timeIntervalSince1970), secret: secret))
        let response: ClientResponse
        do {
            response = try await app.client.post(URI(string: url), headers: headers) { req in req.body = ByteBuffer(data: body) }
        } catch {
            throw Outbox.Failure.transient("the webhook could not be reached: \(error)")
        }
        switch response.status.code {
        case 200..<300: return
        case 408, 429, 500...: throw Outbox.Failure.transient("the webhook answered \(response.status.code)")
        default: throw Outbox.Failure.permanent("the webhook refused the message with \(response.status.code)")
        }
    }
}

extension InvitationMail {
    /// What a webhook receives: everything its system needs to send the invitation itself.
    static func webhookBody(_ c: Content, invitation inv: Invitation, contact: Contact, survey: Survey, kind: String) -> Data {
        struct Body: Encodable {
            var type: String
            var invitationId: UUID
            var survey: [String: String]
            var contact: [String: String?]
            var accountId: UUID?
            var language: String
            var link: String
            var shortCode: String
            var unsubscribeLink: String
            var subject: String
            var text: String
        }
        let body = Body(type: kind == "reminder" ? "survey.reminder" : "survey.invitation", invitationId: inv.id!,
                        survey: ["id": survey.id!.uuidString, "name": survey.name, "title": c.surveyTitle],
                        contact: ["id": contact.id!.uuidString, "external_id": contact.externalID, "name": contact.displayName,
                                  "email": contact.email, "phone": contact.phone],
                        accountId: inv.accountID, language: inv.language, link: c.link, shortCode: c.code, unsubscribeLink: c.unsubscribe,
                        subject: subject(c), text: text(c))
        return (try? JSONEncoder.rapport.encode(body)) ?? Data()
    }
}
