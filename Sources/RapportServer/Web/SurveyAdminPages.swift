import Fluent
import Foundation
import Plot
import RapportKit
import Vapor

/// The contact policy, sender and webhook of the workspace.
enum SurveySettingsPage {
    static func show(_ req: Request) async throws -> Response { try await render(req, error: nil) }

    static func render(_ req: Request, error: AppError?) async throws -> Response {
        let ctx = WebContext.make(req)
        let row = try await SurveySettingsStore.load(try req.scope)
        let policy = SurveySettingsStore.policy(row)
        let queues = SurveySettingsStore.queues(row)
        let canWrite = ctx.caller?.role.can(.writeSurveys) == true
        let smtp = req.application.settings.smtp
        let overrides = policy.overrides.map(overrideLine).joined(separator: "\n")
        let form: Node<HTML.BodyContext> = .form(.method(.post), .action("/surveys/settings"), .class("stack"), Layout.csrfField(ctx),
            .input(.type(.hidden), .name("version"), .value(String(row.version))),
            .h2(.text(ctx.t("Contact policy"))),
            .p(.class("muted"), .text(ctx.t("Holds across every survey and channel, reminders included. Consent for the channel is checked before every invitation."))),
            .div(.class("filters"),
                 JourneyWeb.field("quiet_days", ctx.t("Quiet period in days"), .input(.type(.number), .name("quiet_days"), .id("quiet_days"), .value(String(policy.quietDays)))),
                 JourneyWeb.field("max_reminders", ctx.t("Reminders per invitation"), .input(.type(.number), .name("max_reminders"), .id("max_reminders"), .value(String(policy.maxReminders)))),
                 JourneyWeb.field("reminder_after_days", ctx.t("Remind after days"), .input(.type(.number), .name("reminder_after_days"), .id("reminder_after_days"), .value(String(policy.reminderAfterDays))))),
            JourneyWeb.field("overrides", ctx.t("Limits by segment or attribute, one per line"),
                             .textarea(.name("overrides"), .id("overrides"), .attribute(named: "rows", value: "4"), .class("wide"),
                                       .attribute(named: "placeholder", value: "segment=Premium quiet=180 yearly=2 reminders=0\nrole=Einkauf quiet=90"), .text(overrides))),
            .h2(.text(ctx.t("Feedback queues"))),
            .div(.class("filters"), .forEach(FeedbackRouting.types) { t in
                JourneyWeb.field("queue_\(t)", ctx.t("feedback.\(t)"), .input(.type(.text), .name("queue_\(t)"), .id("queue_\(t)"), .value(queues[t] ?? "")))
            }),
            .h2(.text(ctx.t("Sending"))),
            .p(.class("muted"), .text(smtp.map { ctx.t("E-mail goes out through") + " \($0.host):\($0.port) (\($0.security.rawValue))." } ?? ctx.t("No SMTP server is configured (RAPPORT_SMTP_URL): e-mails wait in the outbox."))),
            .div(.class("filters"),
                 JourneyWeb.field("sender_name", ctx.t("Sender name"), .input(.type(.text), .name("sender_name"), .id("sender_name"), .value(row.senderName ?? ""))),
                 JourneyWeb.field("sender_email", ctx.t("Sender e-mail"), .input(.type(.email), .name("sender_email"), .id("sender_email"), .value(row.senderEmail ?? ""))),
                 JourneyWeb.field("webhook_url", ctx.t("Webhook URL"), .input(.type(.url), .name("webhook_url"), .id("webhook_url"), .value(row.webhookURL ?? ""))),
                 JourneyWeb.field("webhook_secret", ctx.t("Webhook secret (leave empty to keep)"), .input(.type(.password), .name("webhook_secret"), .id("webhook_secret")))),
            .if(canWrite, .button(.type(.submit), .text(ctx.t("Save")))))
        let outbox = try await outboxSummary(try req.scope)
        return Layout.render(ctx, title: ctx.t("Contact policy and sending"), active: "surveys", .group(
            .p(.a(.href("/surveys"), .text("← " + ctx.t("Surveys")))),
            .h1(.text(ctx.t("Contact policy and sending"))),
            JourneyWeb.errorBox(ctx, error),
            .div(.class("card"), form),
            .div(.class("card"), .h2(.text(ctx.t("Outbox"))),
                 Layout.table(headers: [ctx.t("Status"), ctx.t("Messages"), ctx.t("Last error")],
                              rows: outbox.map { [.text(ctx.t("outbox.\($0.0)")), .text(ctx.lang.number($0.1)), .text($0.2 ?? "—")] }))))
    }

    static func outboxSummary(_ scope: Scope) async throws -> [(String, Int, String?)] {
        let rows = try await scope.query(OutboxMessage.self).all()
        return Dictionary(grouping: rows, by: \.status).map { ($0.key, $0.value.count, $0.value.compactMap(\.lastError).last) }.sorted { $0.0 < $1.0 }
    }

    static func overrideLine(_ o: ContactPolicy.Override) -> String {
        var parts: [String]
        switch o.match {
        case .segment(let s): parts = ["segment=\(s)"]
        case .attribute(let k, let v): parts = ["\(k)=\(v)"]
        }
        if let q = o.quietDays { parts.append("quiet=\(q)") }
        if let y = o.maxInvitationsPerYear { parts.append("yearly=\(y)") }
        if let r = o.maxReminders { parts.append("reminders=\(r)") }
        return parts.joined(separator: " ")
    }

    /// "segment=Premium quiet=180 yearly=2 reminders=0" per line.
    static func overrides(_ text: String) throws -> [ContactPolicy.Override] {
        try text.split(whereSeparator: \.isNewline).enumerated().compactMap { n, raw in
            let parts = raw.split(separator: " ").map(String.init).filter { !$0.isEmpty }
            guard let first = parts.first else { return nil }
            let kv = first.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw AppError.invalid("overrides", "line \(n + 1): start with segment=NAME or ATTRIBUTE=VALUE") }
            var o = ContactPolicy.Override(match: kv[0] == "segment" ? .segment(kv[1]) : .attribute(key: kv[0], value: kv[1]))
            for p in parts.dropFirst() {
                let x = p.split(separator: "=", maxSplits: 1).map(String.init)
                guard x.count == 2, let n2 = Int(x[1]) else { throw AppError.invalid("overrides", "line \(n + 1): '\(p)' must be quiet=DAYS, yearly=COUNT or reminders=COUNT") }
                switch x[0] {
                case "quiet": o.quietDays = n2
                case "yearly": o.maxInvitationsPerYear = n2
                case "reminders": o.maxReminders = n2
                default: throw AppError.invalid("overrides", "line \(n + 1): '\(x[0])' is not quiet, yearly or reminders")
                }
            }
            return o
        }
    }

    static func save(_ req: Request) async throws -> Response {
        let f = try SurveyForms.fields(req)
        let caller = try req.caller
        return try await JourneyWeb.submit(req, redirect: "/surveys/settings", write: {
            let scope = try req.scope
            let row = try await SurveySettingsStore.load(scope)
            try JourneyWeb.openedAt(f["version"].flatMap(Int.init), "setting")(row.version)
            func int(_ k: String) throws -> Int {
                guard let t = f[k], let n = Int(t.trimmingCharacters(in: .whitespaces)) else { throw AppError.invalid(k, "'\(f[k] ?? "")' is not a whole number") }
                return n
            }
            let policy = ContactPolicy(quietDays: try int("quiet_days"), maxReminders: try int("max_reminders"), reminderAfterDays: try int("reminder_after_days"),
                                       overrides: try overrides(f["overrides"] ?? ""))
            var queues: [String: String] = [:]
            for t in FeedbackRouting.types { if let q = f["queue_\(t)"]?.trimmingCharacters(in: .whitespaces), !q.isEmpty { queues[t] = q } }
            var input = SurveySettingsDTO(row)
            input.contactPolicy = policy
            input.feedbackQueues = queues
            input.senderName = f["sender_name"]
            input.senderEmail = f["sender_email"]
            input.webhookUrl = f["webhook_url"]
            input.webhookSecret = f["webhook_secret"].flatMap { $0.isEmpty ? nil : $0 }
            let before = PlainJSON.encode(SurveySettingsDTO(row))
            try SurveySettingsAPI.apply(input, to: row)
            try await req.db.transaction { db in
                try await Versioning.claim(table: SurveySettingsRow.schema, id: row.id!, version: row.version, on: db)
                row.version += 1
                try await row.save(on: db)
                try await Audit.record("update", "survey_settings", id: row.id, before: before, after: PlainJSON.encode(SurveySettingsDTO(row)), by: caller, on: db)
            }
        }, page: { try await render(req, error: $0) })
    }
}

/// Unsolicited feedback by queue, with a form for what arrives by phone or at the counter.
enum FeedbackPage {
    static func show(_ req: Request) async throws -> Response { try await render(req, error: nil) }

    static func render(_ req: Request, error: AppError?) async throws -> Response {
        let ctx = WebContext.make(req)
        let scope = try req.scope
        let status = (try? req.query.get(String.self, at: "status")).flatMap { ["open", "closed", "all"].contains($0) ? $0 : nil } ?? "open"
        let queue = try req.textQuery("queue").flatMap { $0.isEmpty ? nil : $0 }
        let q = scope.query(FeedbackItem.self).sort(\.$id, .descending)
        if status != "all" { q.filter(\.$status == status) }
        if let queue { q.filter(\.$queue == queue) }
        let items = try await q.limit(200).all()
        let queues = Set(SurveySettingsStore.queues(try await SurveySettingsStore.load(scope)).values).sorted()
        let canWrite = ctx.caller?.role.can(.writeFeedback) == true
        let rows: [[Node<HTML.BodyContext>]] = items.map { f in
            [.text(ctx.lang.dateTime(f.createdAt, zone: ctx.zone)), .span(.class(f.type == "complaint" || f.type == "bug" ? "badge bad" : "badge"), .text(ctx.t("feedback.\(f.type)"))),
             .text(f.queue), .text(f.text), .unwrap(f.contactID) { .a(.href("/contacts/\($0.uuidString.lowercased())"), .text(ctx.t("Contact"))) },
             .if(canWrite, .form(.method(.post), .action("/feedback/\(f.id!.uuidString.lowercased())/status"), .class("inline"), Layout.csrfField(ctx),
                                 .input(.type(.hidden), .name("status"), .value(f.status == "open" ? "closed" : "open")),
                                 .button(.type(.submit), .class("secondary"), .text(ctx.t(f.status == "open" ? "Close" : "Reopen")))))]
        }
        let filters: Node<HTML.BodyContext> = .form(.method(.get), .action("/feedback"), .class("filters"),
            JourneyWeb.field("queue", ctx.t("Queue"), JourneyWeb.select("queue", [("", ctx.t("all"))] + queues.map { ($0, $0) }, selected: queue ?? "")),
            JourneyWeb.field("status", ctx.t("Status"), JourneyWeb.select("status", [("open", ctx.t("open")), ("closed", ctx.t("closed")), ("all", ctx.t("all"))], selected: status)),
            .button(.type(.submit), .class("secondary"), .text(ctx.t("Show"))))
        let form: Node<HTML.BodyContext> = .if(canWrite, .div(.class("card"), .h2(.text(ctx.t("Record feedback"))),
            .form(.method(.post), .action("/feedback"), .class("filters"), Layout.csrfField(ctx),
                  JourneyWeb.field("f-type", ctx.t("Type"), JourneyWeb.select("type", FeedbackRouting.types.map { ($0, ctx.t("feedback.\($0)")) }, id: "f-type")),
                  JourneyWeb.field("f-text", ctx.t("What the customer said"), .textarea(.name("text"), .id("f-text"), .attribute(named: "rows", value: "2"), .required(true))),
                  JourneyWeb.field("f-contact", ctx.t("Contact's external id (optional)"), .input(.type(.text), .name("contact_external_id"), .id("f-contact"))),
                  JourneyWeb.field("f-channel", ctx.t("Channel (optional)"), .input(.type(.text), .name("channel"), .id("f-channel"))),
                  .button(.type(.submit), .text(ctx.t("Save feedback"))))))
        return Layout.render(ctx, title: ctx.t("Feedback inbox"), active: "feedback", .group(
            .h1(.text(ctx.t("Feedback inbox"))), JourneyWeb.errorBox(ctx, error), filters,
            items.isEmpty ? .p(.class("muted"), .text(ctx.t("Nothing here."))) :
                Layout.table(headers: [ctx.t("Received"), ctx.t("Type"), ctx.t("Queue"), ctx.t("Feedback"), "", ""], rows: rows),
            form))
    }

    static func create(_ req: Request) async throws -> Response {
        let f = try SurveyForms.fields(req)
        let caller = try req.caller
        return try await JourneyWeb.submit(req, redirect: "/feedback", write: {
            let input = FeedbackInput(type: f["type"], text: f["text"], channel: f["channel"].flatMap { $0.isEmpty ? nil : $0 },
                                      contactExternalId: f["contact_external_id"].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) })
            _ = try await FeedbackAPI.record(input, source: "web", scope: try req.scope, caller: caller)
        }, page: { try await render(req, error: $0) })
    }

    static func setStatus(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let caller = try req.caller
        let f = try await scope.find(FeedbackItem.self, parameter: "id", of: req)
        let status = (try? req.content.get(String.self, at: "status")) ?? ""
        guard ["open", "closed"].contains(status) else { throw AppError.invalid("status", "must be open or closed") }
        f.status = status
        f.closedAt = status == "closed" ? Date() : nil
        try await req.db.transaction { db in
            try await f.save(on: db)
            try await Audit.record(status == "closed" ? "close" : "reopen", "feedback", id: f.id, by: caller, on: db)
        }
        return req.redirect(to: "/feedback", redirectType: .normal)
    }
}

/// The responses of one survey, newest first, each with its answers in the survey's words.
enum SurveyResponsesPage {
    static func show(_ req: Request) async throws -> Response {
        let ctx = WebContext.make(req)
        let scope = try req.scope
        let s = try await scope.find(Survey.self, parameter: "id", of: req)
        let responses = try await scope.query(SurveyResponse.self).filter(\.$surveyID == s.id!).sort(\.$id, .descending).limit(200).all()
        let versions = try await scope.query(SurveyVersion.self).filter(\.$surveyID == s.id!).all()
        let defs = Dictionary(uniqueKeysWithValues: versions.compactMap { v in (try? v.decoded()).map { (v.number, $0) } })
        let contacts = Dictionary(uniqueKeysWithValues: try await scope.query(Contact.self).filter(\.$id ~~ Set(responses.compactMap(\.contactID))).all().map { ($0.id!, $0) })
        let lang = ctx.lang == .de ? "de" : "en"
        let rows: [[Node<HTML.BodyContext>]] = responses.map { r in
            let def = defs[r.surveyVersion]
            let answers = r.decodedAnswers
            let lines = (def?.questions ?? []).compactMap { q -> String? in
                guard let a = answers[q.id] else { return nil }
                return "\(q.text[lang] ?? q.id): \(display(a, q, lang: lang))"
            }
            return [.text(ctx.lang.dateTime(r.submittedAt ?? r.startedAt, zone: ctx.zone)), .text(r.status == "complete" ? ctx.t("complete") : ctx.t("partial")),
                    .unwrap(r.contactID.flatMap { contacts[$0] }) { c in .a(.href("/contacts/\(c.id!.uuidString.lowercased())"), .text(c.displayName)) },
                    .text("v\(r.surveyVersion) · \(r.language) · \(r.channel ?? r.source)"),
                    .ul(.class("plain"), .forEach(lines) { .li(.text($0)) })]
        }
        return Layout.render(ctx, title: ctx.t("Responses") + " · " + s.name, active: "surveys", .group(
            .p(.a(.href(SurveyEditorPage.href(s)), .text("← " + s.name))),
            .h1(.text(ctx.t("Responses") + " · " + s.name)),
            .p(.class("muted"), .text(ctx.t("Newest first; at most 200 shown. The API lists all.") + " n = \(ctx.lang.number(responses.count))")),
            responses.isEmpty ? .p(.class("muted"), .text(ctx.t("No responses yet."))) :
                Layout.table(headers: [ctx.t("When"), ctx.t("Status"), ctx.t("Contact"), ctx.t("Version"), ctx.t("Answers")], rows: rows)))
    }

    static func display(_ a: Answer, _ q: Question, lang: String) -> String {
        switch a {
        case .number(let n): return String(n)
        case .text(let t): return q.options?.first { $0.id == t }?.text[lang] ?? t
        case .choices(let cs): return cs.map { c in q.options?.first { $0.id == c }?.text[lang] ?? c }.joined(separator: ", ")
        case .flag(let b): return b ? (lang == "de" ? "ja" : "yes") : (lang == "de" ? "nein" : "no")
        case .grid(let g): return g.sorted { $0.key < $1.key }.map { k, v in "\(q.items?.first { $0.id == k }?.text[lang] ?? k) \(v)" }.joined(separator: "; ")
        }
    }
}

/// Printable letters for the letter channel: address block, the invitation text, a QR code with the
/// personal link, and the short code to type in. One page per letter (print stylesheet).
enum LettersPage {
    static func show(_ req: Request) async throws -> Response {
        let ctx = WebContext.make(req)
        let scope = try req.scope
        let s = try await scope.find(Survey.self, parameter: "id", of: req)
        guard let def = try await SurveysAPI.published(s, on: req.db) else { throw AppError.conflict("Publish the survey before printing letters.") }
        let invitations = try await scope.query(Invitation.self).filter(\.$surveyID == s.id!).filter(\.$channel == "letter")
            .filter(\.$status ~~ ["scheduled", "exported"]).sort(\.$id).limit(500).all()
        let settings = try await SurveySettingsStore.load(scope)
        let contacts = Dictionary(uniqueKeysWithValues: try await scope.query(Contact.self).filter(\.$id ~~ Set(invitations.map(\.contactID))).all().map { ($0.id!, $0) })
        let accounts = Dictionary(uniqueKeysWithValues: try await scope.query(Account.self).filter(\.$id ~~ Set(invitations.compactMap(\.accountID))).all().map { ($0.id!, $0) })
        let base = PublicURL.base(req.application)
        let letters: [Node<HTML.BodyContext>] = try invitations.map { inv in
            let token = PersonalLink.token(invitationID: inv.id!, secret: settings.linkSecret)
            let link = base + "/s/" + token
            let c = contacts[inv.contactID]
            let lang = inv.language
            let content = InvitationMail.Content(language: lang, contactName: c?.displayName ?? "", surveyTitle: def.title[lang] ?? s.name, intro: def.intro?[lang],
                                                 link: link, code: ShortCode.display(inv.shortCode), unsubscribe: base + "/u/" + token, reminder: false, senderName: settings.senderName)
            let svg = try QRCode(link, correction: QRCode.Correction.medium).svg(title: lang == "de" ? "QR-Code zur Befragung" : "QR code to the survey", moduleSize: 4)
            return .element(named: "article", nodes: [
                .attribute(named: "class", value: "letter"),
                .p(.class("address"), .text(c?.displayName ?? ""), .br(), .text(inv.accountID.flatMap { accounts[$0]?.name } ?? "")),
                .h2(.text(InvitationMail.subject(content))),
                .p(.text(InvitationMail.text(content).components(separatedBy: "\n\n").dropFirst().first ?? "")),
                .div(.class("qr"), .raw(svg)),
                .p(.text(lang == "de" ? "Scannen Sie den Code mit Ihrem Telefon oder geben Sie auf \(base)/s diesen Code ein:" : "Scan the code with your phone, or go to \(base)/s and type in this code:")),
                .p(.class("code"), .text(ShortCode.display(inv.shortCode))),
            ])
        }
        return Layout.render(ctx, title: ctx.t("Letters") + " · " + s.name, active: "surveys", .group(
            .p(.class("no-print"), .a(.href(SurveyEditorPage.href(s)), .text("← " + s.name))),
            .h1(.class("no-print"), .text(ctx.t("Letters") + " · " + s.name)),
            .p(.class("muted no-print"), .text(ctx.t("Invitations by letter that are due; print this page (one letter per sheet). n =") + " \(invitations.count)")),
            .group(letters)))
    }
}
