import Fluent
import Foundation
import Plot
import RapportKit
import Vapor

enum ContactPage {
    struct Model {
        var contact: ContactDTO
        var account: (UUID, String)?
        var current: [ConsentDTO]
        var history: [ConsentDTO]
        var timeline: [TimelineDTO]
        var places = TimelinePlaces()
        var canWrite: Bool
        var canManagePersonalData: Bool
        var error: String?
        var notice: String?
    }

    static func query(_ scope: Scope, id: UUID?, role: Role) async throws -> Model {
        let contact = try await scope.find(Contact.self, id)
        let account = try await scope.query(Account.self).filter(\.$id == (contact.accountID ?? UUID())).first()
        let consents = try await scope.query(Consent.self).filter(\.$contactID == contact.id!).sort(\.$recordedAt, .descending).all()
        let timeline = try await scope.query(TimelineEvent.self).filter(\.$contactID == contact.id!).sort(\.$occurredAt, .descending).limit(30).all()
        return Model(contact: ContactDTO(contact), account: account.map { ($0.id!, $0.name) },
                     current: ConsentsAPI.current(consents).map(ConsentDTO.init), history: consents.map(ConsentDTO.init),
                     timeline: timeline.map(TimelineDTO.init), places: try await TimelinePlaces.of(timeline, scope: scope),
                     canWrite: role.can(.writeCustomers), canManagePersonalData: role.can(.managePersonalData))
    }

    static func show(_ req: Request) async throws -> Response {
        let ctx = WebContext.make(req)
        let m = try await query(try req.scope, id: req.parameters.get("id").flatMap(UUID.init(uuidString:)), role: try req.caller.role)
        return Layout.render(ctx, title: name(ctx, m.contact), active: "accounts", view(ctx, m))
    }

    static func name(_ ctx: WebContext, _ c: ContactDTO) -> String {
        c.erased ? ctx.t("Erased") : [c.firstName, c.lastName].compactMap { $0 }.joined(separator: " ")
    }

    static func view(_ ctx: WebContext, _ m: Model) -> Node<HTML.BodyContext> {
        let c = m.contact
        let facts: [(String, String)] = [("E-mail", c.email ?? "—"), ("Phone", c.phone ?? "—"), ("Role", c.role ?? "—"),
                                         ("Language", c.language ?? "—"), ("Stakeholder side", ctx.t(c.stakeholderSide)),
                                         ("Channels", c.channelPreferences.map(ctx.t).joined(separator: ", ")), ("External id", c.externalId ?? "—")]
        let path = AccountPage.href("contacts", c.id)
        return .group(
            .unwrap(m.account) { a in .p(.a(.href(AccountPage.href("accounts", a.0)), .text("← " + a.1))) },
            .h1(.text(name(ctx, c))),
            .unwrap(m.error) { .div(.class("alert"), .attribute(named: "role", value: "alert"), .text($0)) },
            .unwrap(m.notice) { .div(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            .div(.class("grid"),
                .section(.class("card"), .dl(.class("facts"), .forEach(facts) { f in .group(.dt(.text(ctx.t(f.0))), .dd(.text(f.1))) })),
                .section(.class("card"), .h2(.text(ctx.t("Current consents"))),
                    m.current.isEmpty ? .p(.class("muted"), .text(ctx.t("Nothing yet."))) :
                    .ul(.forEach(m.current) { k in
                        .li(.span(.class(k.status == "granted" ? "badge good" : "badge bad"), .text(ctx.t(k.status))),
                            .text(" \(ctx.t(k.purpose)) · \(ctx.t(k.channel))"))
                    }))
            ),
            .if(m.canWrite && !c.erased, .section(.class("card"), .h2(.text(ctx.t("Record consent"))),
                .form(.method(.post), .action(path + "/consents"), .class("filters"),
                    Layout.csrfField(ctx),
                    select(ctx, "purpose", "Purpose", ConsentPurpose.allowed),
                    select(ctx, "channel", "Channel", ConsentChannel.allowed),
                    select(ctx, "status", "Status", ["granted", "withdrawn"]),
                    .div(.label(.for("source"), .text(ctx.t("Source"))), .input(.type(.text), .name("source"), .id("source"), .required(true))),
                    .button(.type(.submit), .text(ctx.t("Save")))))),
            .h2(.text(ctx.t("Consent history"))),
            m.history.isEmpty ? .p(.class("muted"), .text(ctx.t("Nothing yet."))) :
            Layout.table(headers: [ctx.t("Recorded"), ctx.t("Purpose"), ctx.t("Channel"), ctx.t("Status"), ctx.t("Source"), ctx.t("Who")], rows: m.history.map { k in
                [.text(ctx.lang.dateTime(k.recordedAt, zone: ctx.zone)), .text(ctx.t(k.purpose)), .text(ctx.t(k.channel)),
                 .text(ctx.t(k.status)), .text(k.source), .text(k.recordedBy ?? "—")]
            }),
            .h2(.text(ctx.t("Timeline"))),
            AccountPage.timeline(ctx, m.timeline, places: m.places),
            .if(m.canManagePersonalData && !c.erased, .section(.class("card spaced"),
                .p(.a(.href(path + "/personal-data"), .text(ctx.t("Export personal data")))),
                .form(.method(.post), .action(path + "/erase"),
                    Layout.csrfField(ctx),
                    .p(.class("muted"), .text(ctx.t("This removes name, e-mail, phone and role for good. History stays, anonymised."))),
                    .button(.type(.submit), .class("danger"), .text(ctx.t("Erase personal data"))))))
        )
    }

    static func select(_ ctx: WebContext, _ name: String, _ label: String, _ values: [String]) -> Node<HTML.FormContext> {
        .div(.label(.for(name), .text(ctx.t(label))),
             .select(.attribute(named: "name", value: name), .id(name), .forEach(values) { .choice($0, ctx.t($0)) }))
    }

    static func recordConsent(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let id = req.parameters.get("id").flatMap(UUID.init(uuidString:))
        let body = try InputBody.decode(req)
        switch CustomerSchemas.consent.validate(body.fields) {
        case .failure(let f):
            let ctx = WebContext.make(req)
            var m = try await query(try req.scope, id: id, role: caller.role)
            m.error = f.description
            return Layout.render(ctx, title: name(ctx, m.contact), status: .unprocessableEntity, active: "accounts", view(ctx, m))
        case .success(let v):
            try await req.db.transaction { db in
                let contact = try await caller.scope(on: db).find(Contact.self, id)
                guard contact.erasedAt == nil else { throw AppError.conflict("This contact's personal data was erased.") }
                try await ConsentsAPI.record(contact: contact, purpose: v.text("purpose")!, channel: v.text("channel")!,
                                             granted: v.text("status") == "granted", source: v.text("source")!, by: caller, on: db)
            }
            return req.redirect(to: AccountPage.href("contacts", id!))
        }
    }

    static func exportPersonalData(_ req: Request) async throws -> Response {
        let export = try await PersonalData.export(req)
        let r = try await export.encodeResponse(for: req)
        r.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"contact-\(export.contact.id.uuidString.lowercased()).json\"")
        return r
    }

    static func erase(_ req: Request) async throws -> Response {
        let dto = try await PersonalData.erase(req)
        return req.redirect(to: AccountPage.href("contacts", dto.id))
    }
}
