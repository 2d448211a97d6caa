import Fluent
import Foundation
import Plot
import RapportKit
import Vapor

enum LoginPage {
    struct Model { var email = ""; var error: String?; var next: String? }

    static func view(_ ctx: WebContext, _ m: Model) -> Node<HTML.BodyContext> {
        let action = "/login" + (m.next.map { "?next=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } ?? "")
        let email: Node<HTML.FormContext> = .div(.label(.for("email"), .text(ctx.t("E-mail"))),
            .input(.type(.email), .name("email"), .id("email"), .value(m.email), .required(true), .autocomplete(true), .class("wide")))
        let password: Node<HTML.FormContext> = .div(.label(.for("password"), .text(ctx.t("Password"))),
            .input(.type(.password), .name("password"), .id("password"), .required(true), .class("wide")))
        let error: Node<HTML.BodyContext> = .unwrap(m.error) { .p(.class("alert"), .attribute(named: "role", value: "alert"), .text(ctx.t($0))) }
        return .div(.class("card narrow"),
            .h1(.text(ctx.t("Sign in"))), error,
            .form(.method(.post), .action(action), .class("stack"), Layout.csrfField(ctx), email, password,
                  .button(.type(.submit), .text(ctx.t("Sign in")))))
    }

    static func show(_ req: Request) async throws -> Response {
        let ctx = WebContext.make(req)
        return Layout.render(ctx, title: ctx.t("Sign in"), view(ctx, Model(next: req.query[String.self, at: "next"])))
    }

    struct Form: Content { var email: String?; var password: String? }

    static func submit(_ req: Request) async throws -> Response {
        let form = try req.content.decode(Form.self)
        let ctx = WebContext.make(req)
        let next = safeNext(req.query[String.self, at: "next"])
        switch try await Login.attempt(email: form.email ?? "", password: form.password ?? "", on: req.db) {
        case .success(let user, let membership):
            // A fresh session id at sign-in, so a planted cookie cannot ride along.
            if let old = req.session.id { _ = try? await req.application.sessions.driver.deleteSession(old, for: req).get() }
            req.session.id = nil
            req.session.data = SessionData()
            req.session.data["uid"] = user.id!.uuidString
            req.session.data["ws"] = membership.$workspace.id.uuidString
            return req.redirect(to: next ?? "/")
        case .wrong:
            return Layout.render(ctx, title: ctx.t("Sign in"), status: .unauthorized,
                                 view(ctx, Model(email: form.email ?? "", error: "Wrong e-mail or password.", next: next)))
        case .throttled(let seconds):
            let r = Layout.render(ctx, title: ctx.t("Sign in"), status: .tooManyRequests,
                                  view(ctx, Model(email: form.email ?? "", error: "Too many failed attempts. Try again later.", next: next)))
            r.headers.replaceOrAdd(name: .retryAfter, value: String(seconds))
            return r
        }
    }

    static func logout(_ req: Request) async throws -> Response {
        req.session.destroy()
        return req.redirect(to: "/login")
    }

    /// Only local paths: a login link must not send people to another site.
    static func safeNext(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\") else { return nil }
        return next
    }
}
