import Fluent
import Foundation
import Plot
import RapportKit
import Vapor

enum SettingsPage {
    struct Member { var id: UUID; var name: String; var email: String; var role: String; var unit: String? }
    struct TokenRow { var id: UUID; var name: String; var role: String; var hint: String; var created: Date?; var lastUsed: Date?; var revoked: Bool }
    struct Model {
        var role: Role
        var userLocale: String?
        var members: [Member] = []
        var tokens: [TokenRow] = []
        var newToken: String?
        var error: String?
        var notice: String?
    }

    static func query(_ req: Request) async throws -> Model {
        let caller = try req.caller
        var m = Model(role: caller.role, userLocale: req.storage[WebUserKey.self]?.locale)
        if caller.role.can(.manageUsers) {
            m.members = try await Membership.query(on: req.db).filter(\.$workspace.$id == caller.workspaceID).with(\.$user).all()
                .map { Member(id: $0.$user.id, name: $0.user.name, email: $0.user.email, role: $0.role, unit: $0.unit) }.sorted { $0.email < $1.email }
        }
        if caller.role.can(.manageTokens) {
            m.tokens = try await APIToken.query(on: req.db).filter(\.$workspace.$id == caller.workspaceID).sort(\.$createdAt, .descending).all()
                .map { TokenRow(id: $0.id!, name: $0.name, role: $0.role, hint: $0.hint, created: $0.createdAt, lastUsed: $0.lastUsedAt, revoked: $0.revokedAt != nil) }
        }
        return m
    }

    static func show(_ req: Request) async throws -> Response {
        let ctx = WebContext.make(req)
        return Layout.render(ctx, title: ctx.t("Settings"), active: "settings", view(ctx, try await query(req)))
    }

    static func view(_ ctx: WebContext, _ m: Model) -> Node<HTML.BodyContext> {
        let messages: Node<HTML.BodyContext> = .group(
            .unwrap(m.error) { .div(.class("alert"), .attribute(named: "role", value: "alert"), .text($0)) },
            .unwrap(m.notice) { .div(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            .unwrap(m.newToken) { t in .div(.class("notice"), .p(.text(ctx.t("Copy this token now. It will not be shown again."))), .p(.class("token"), .id("new-token"), .text(t))) })
        return .group(
            .h1(.text(ctx.t("Settings"))),
            messages,
            language(ctx, m),
            .if(m.role.can(.manageUsers), users(ctx, m)),
            .if(m.role.can(.manageTokens), tokens(ctx, m)),
            .if(m.role.can(.readAudit), .p(.a(.href("/settings/audit"), .text(ctx.t("Audit log") + " →")))),
            .h2(.text(ctx.t("Permissions"))),
            permissions()
        )
    }

    static func language(_ ctx: WebContext, _ m: Model) -> Node<HTML.BodyContext> {
        let options: [Node<HTML.SelectContext>] = [.choice("", ctx.t("Browser default"), selected: m.userLocale == nil),
                                                   .choice("de", "Deutsch", selected: m.userLocale == "de"), .choice("en", "English", selected: m.userLocale == "en")]
        return .section(.class("card"),
            .form(.method(.post), .action("/settings/language"), .class("filters"), Layout.csrfField(ctx),
                .div(.label(.for("locale"), .text(ctx.t("Interface language"))), .select(.attribute(named: "name", value: "locale"), .id("locale"), .group(options))),
                .button(.type(.submit), .class("secondary"), .text(ctx.t("Save")))))
    }

    static func users(_ ctx: WebContext, _ m: Model) -> Node<HTML.BodyContext> {
        let rows: [[Node<HTML.BodyContext>]] = m.members.map { member in
            let options: [Node<HTML.SelectContext>] = Role.allCases.map { .choice($0.rawValue, $0.rawValue, selected: $0.rawValue == member.role) }
            let change: Node<HTML.BodyContext> = .form(.method(.post), .action("/settings/users/\(member.id.uuidString.lowercased())/role"), .class("inline"),
                Layout.csrfField(ctx),
                .select(.attribute(named: "name", value: "role"), .attribute(named: "aria-label", value: ctx.t("Role") + " " + member.email), .group(options)),
                .text(" "), .button(.type(.submit), .class("secondary"), .text(ctx.t("Save"))))
            // An ambassador's unit: the default of their "My unit" dashboard.
            let unit: Node<HTML.BodyContext> = .form(.method(.post), .action("/settings/users/\(member.id.uuidString.lowercased())/unit"), .class("inline"),
                Layout.csrfField(ctx),
                .input(.type(.text), .name("unit"), .value(member.unit ?? ""), .placeholder("department:Schadenservice"),
                       .attribute(named: "aria-label", value: ctx.t("Unit") + " " + member.email)),
                .text(" "), .button(.type(.submit), .class("secondary"), .text(ctx.t("Save"))))
            return [.text(member.name), .text(member.email), change, unit]
        }
        let roles: [Node<HTML.SelectContext>] = Role.allCases.filter { m.role.mayGrant($0) }.map { .choice($0.rawValue, $0.rawValue, selected: $0 == .viewer) }
        let form: Node<HTML.BodyContext> = .form(.method(.post), .action("/settings/users"), .class("card filters spaced"), Layout.csrfField(ctx),
            field(ctx, "name", "Name", .text), field(ctx, "email", "E-mail", .email), field(ctx, "password", "Password", .password),
            .div(.label(.for("role"), .text(ctx.t("Role"))), .select(.attribute(named: "name", value: "role"), .id("role"), .group(roles))),
            .button(.type(.submit), .text(ctx.t("Add user"))))
        return .group(.h2(.text(ctx.t("Users"))), Layout.table(headers: [ctx.t("Name"), ctx.t("E-mail"), ctx.t("Role"), ctx.t("Unit")], rows: rows),
                      .p(.class("muted"), .text(ctx.t("A unit is department:NAME (the touchpoints it is responsible for), market:CODE or segment:NAME; it opens the person's “My unit” dashboard."))),
                      form)
    }

    static func tokens(_ ctx: WebContext, _ m: Model) -> Node<HTML.BodyContext> {
        let rows: [[Node<HTML.BodyContext>]] = m.tokens.map { t in
            let revoke: Node<HTML.BodyContext> = t.revoked ? .span(.class("badge bad"), .text(ctx.t("Revoked"))) :
                .form(.method(.post), .action("/settings/tokens/\(t.id.uuidString.lowercased())/revoke"), .class("inline"),
                      Layout.csrfField(ctx), .button(.type(.submit), .class("secondary"), .text(ctx.t("Revoke"))))
            return [.text(t.name), .text(t.role), .code(.text("…" + t.hint)), .text(ctx.lang.dateTime(t.created, zone: ctx.zone)),
                    .text(ctx.lang.dateTime(t.lastUsed, zone: ctx.zone)), revoke]
        }
        let roles: [Node<HTML.SelectContext>] = Role.allCases.filter { m.role.mayGrant($0) || $0 == m.role }.map { .choice($0.rawValue, $0.rawValue, selected: $0 == .analyst) }
        let list: Node<HTML.BodyContext> = m.tokens.isEmpty ? .p(.class("muted"), .text(ctx.t("Nothing yet."))) :
            Layout.table(headers: [ctx.t("Name"), ctx.t("Role"), "…", ctx.t("Created"), ctx.t("Last used"), ""], rows: rows)
        let form: Node<HTML.BodyContext> = .form(.method(.post), .action("/settings/tokens"), .class("card filters spaced"), Layout.csrfField(ctx),
            field(ctx, "token_name", "Token name", .text),
            .div(.label(.for("token_role"), .text(ctx.t("Role"))), .select(.attribute(named: "name", value: "token_role"), .id("token_role"), .group(roles))),
            .button(.type(.submit), .text(ctx.t("Create token"))))
        return .group(.h2(.text(ctx.t("API tokens"))), list, form)
    }

    static func permissions() -> Node<HTML.BodyContext> {
        let rows: [[Node<HTML.BodyContext>]] = Permission.allCases.map { p in
            let name: Node<HTML.BodyContext> = .span(.attribute(named: "title", value: p.summary), .text(p.rawValue))
            return [name] + Role.allCases.map { r in r.can(p) ? .text("✓") : .text("") }
        }
        return Layout.table(headers: [""] + Role.allCases.map(\.rawValue), rows: rows)
    }

    static func field(_ ctx: WebContext, _ name: String, _ label: String, _ type: HTMLInputType) -> Node<HTML.FormContext> {
        .div(.label(.for(name), .text(ctx.t(label))), .input(.type(type), .name(name), .id(name), .required(true)))
    }

    struct LanguageForm: Content { var locale: String? }

    static func setLanguage(_ req: Request) async throws -> Response {
        let form = try req.content.decode(LanguageForm.self)
        guard let user = req.storage[WebUserKey.self] else { throw AppError.unauthenticated("Sign in.") }
        user.locale = form.locale.flatMap(UILanguage.init(rawValue:))?.rawValue
        try await user.save(on: req.db)
        return req.redirect(to: "/settings")
    }

    struct UserForm: Content { var name: String?; var email: String?; var password: String?; var role: String? }

    static func addUser(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let form = try req.content.decode(UserForm.self)
        let ctx = WebContext.make(req)
        do {
            let role = try Role(rawValue: form.role ?? "").orThrow(AppError.invalid("role", "is not a role"))
            _ = try await Users.add(email: form.email ?? "", name: form.name ?? "", password: form.password ?? "", role: role,
                                    workspaceID: caller.workspaceID, grantedBy: caller, cost: req.application.settings.bcryptCost, on: req.db)
            var m = try await query(req)
            m.notice = form.email
            return Layout.render(ctx, title: ctx.t("Settings"), active: "settings", view(ctx, m))
        } catch let e as AppError {
            var m = try await query(req)
            m.error = e.detail
            return Layout.render(ctx, title: ctx.t("Settings"), status: e.status, active: "settings", view(ctx, m))
        }
    }

    struct RoleForm: Content { var role: String? }

    static func changeRole(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let ctx = WebContext.make(req)
        do {
            guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw AppError.notFound(entity: "member") }
            let role = try Role(rawValue: try req.content.decode(RoleForm.self).role ?? "").orThrow(AppError.invalid("role", "is not a role"))
            try await Users.changeRole(userID: id, to: role, workspaceID: caller.workspaceID, by: caller, on: req.db)
            return req.redirect(to: "/settings")
        } catch let e as AppError {
            var m = try await query(req)
            m.error = e.fieldErrors.first?.message ?? e.detail
            return Layout.render(ctx, title: ctx.t("Settings"), status: e.status, active: "settings", view(ctx, m))
        }
    }

    struct UnitForm: Content { var unit: String? }

    static func changeUnit(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let ctx = WebContext.make(req)
        do {
            guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
                  let membership = try await Membership.query(on: req.db).filter(\.$workspace.$id == caller.workspaceID).filter(\.$user.$id == id).first()
            else { throw AppError.notFound(entity: "member") }
            let text = (try req.content.decode(UnitForm.self).unit ?? "").trimmingCharacters(in: .whitespaces)
            if !text.isEmpty {
                let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2, ["department", "market", "segment"].contains(parts[0]), !parts[1].isEmpty, text.count <= 200 else {
                    throw AppError.invalid("unit", "'\(text)' is not a unit; write department:NAME, market:CODE or segment:NAME")
                }
            }
            let before = membership.unit
            membership.unit = text.isEmpty ? nil : text
            try await req.db.transaction { db in
                try await membership.save(on: db)
                try await Audit.record("update", "membership_unit", id: id, before: before, after: membership.unit, by: caller, on: db)
            }
            return req.redirect(to: "/settings")
        } catch let e as AppError {
            var m = try await query(req)
            m.error = e.fieldErrors.first.map { $0.field + ": " + $0.message } ?? e.detail
            return Layout.render(ctx, title: ctx.t("Settings"), status: e.status, active: "settings", view(ctx, m))
        }
    }

    struct TokenForm: Content { var token_name: String?; var token_role: String? }

    static func createToken(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let form = try req.content.decode(TokenForm.self)
        let ctx = WebContext.make(req)
        var v = Validator()
        let name = v.text("token_name", form.token_name, required: true, maxLength: 100)
        let role = v.vocabulary("token_role", form.token_role, required: true, as: Role.self)
        if let role, !(caller.role.mayGrant(role) || role == caller.role) { v.fail("token_role", "you cannot hand out a role stronger than your own") }
        guard v.errors.isEmpty, let name, let role else {
            var m = try await query(req)
            m.error = v.errors.map(\.description).joined(separator: "; ")
            return Layout.render(ctx, title: ctx.t("Settings"), status: .unprocessableEntity, active: "settings", view(ctx, m))
        }
        let clear = try await req.db.transaction { db in
            let ws = try await Workspace.find(caller.workspaceID, on: db).orThrow(AppError.notFound(entity: "workspace"))
            let (token, clear) = try await Tokens.create(workspace: ws, role: role, name: name, createdBy: caller.userID, on: db)
            try await Audit.record("create", "api token", id: token.id, before: String?.none, after: "\(name) (\(role.rawValue))", by: caller, on: db)
            return clear
        }
        var m = try await query(req)
        m.newToken = clear
        return Layout.render(ctx, title: ctx.t("Settings"), active: "settings", view(ctx, m))
    }

    static func revokeToken(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let id = try await req.db.transaction { db in
            guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
                  let token = try await APIToken.query(on: db).filter(\.$id == id).filter(\.$workspace.$id == caller.workspaceID).first()
            else { throw AppError.notFound(entity: "token") }
            token.revokedAt = Date()
            try await token.save(on: db)
            try await Audit.record("revoke", "api token", id: token.id, by: caller, on: db)
            return id
        }
        TokenCallers.shared.forget(token: id)
        return req.redirect(to: "/settings")
    }
}

extension Optional {
    func orThrow(_ error: @autoclosure () -> any Error) throws -> Wrapped {
        guard let self else { throw error() }
        return self
    }
}
