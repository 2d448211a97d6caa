import Fluent
import Foundation
import Plot
import RapportKit
import Vapor

enum AccountsPage {
    struct Model {
        var q = "", coverage = "", country = "", segment = "", sort = "name"
        var rows: [AccountDTO] = []
        var nextCursor: String?
        var segments: [String] = []
    }

    static func show(_ req: Request) async throws -> Response {
        let ctx = WebContext.make(req)
        let scope = try req.scope
        let page = try await AccountsAPI.list(req)
        let segments = try await ChoiceCache.shared.segments(scope)
        let m = Model(q: req.query[String.self, at: "q"] ?? "", coverage: req.query[String.self, at: "coverage_model"] ?? "",
                      country: req.query[String.self, at: "country"] ?? "", segment: req.query[String.self, at: "segment"] ?? "",
                      sort: req.query[String.self, at: "sort"] ?? "name", rows: page.items, nextCursor: page.nextCursor, segments: segments)
        return Layout.render(ctx, title: ctx.t("Accounts"), active: "accounts", view(ctx, m))
    }

    static func view(_ ctx: WebContext, _ m: Model) -> Node<HTML.BodyContext> {
        let pager: Node<HTML.BodyContext> = .div(.class("pager"),
            .a(.href(link(m, cursor: nil)), .text(ctx.t("First page"))),
            .unwrap(m.nextCursor) { .a(.href(link(m, cursor: $0)), .attribute(named: "rel", value: "next"), .text(ctx.t("Next page"))) })
        return .group(.h1(.text(ctx.t("Accounts"))), filters(ctx, m), table(ctx, m.rows), pager)
    }

    static func filters(_ ctx: WebContext, _ m: Model) -> Node<HTML.BodyContext> {
        let segments: [Node<HTML.SelectContext>] = [.choice("", ctx.t("All"))] + m.segments.map { .choice($0, $0, selected: $0 == m.segment) }
        let coverage: [Node<HTML.SelectContext>] = [.choice("", ctx.t("All"))] + CoverageModel.allowed.map { .choice($0, ctx.t($0), selected: $0 == m.coverage) }
        let sorts: [Node<HTML.SelectContext>] = [("name", "Name A–Z"), ("-name", "Name Z–A"), ("-created_at", "Newest first")].map {
            .choice($0.0, ctx.t($0.1), selected: $0.0 == m.sort)
        }
        let search: Node<HTML.FormContext> = .div(.label(.for("q"), .text(ctx.t("Search"))), .input(.type(.search), .name("q"), .id("q"), .value(m.q)))
        let country: Node<HTML.FormContext> = .div(.label(.for("country"), .text(ctx.t("Country"))),
                                                   .input(.type(.text), .name("country"), .id("country"), .value(m.country), .attribute(named: "size", value: "4")))
        return .form(.method(.get), .action("/accounts"), .class("filters"), .attribute(named: "role", value: "search"),
            search,
            .div(.label(.for("segment"), .text(ctx.t("Segment"))), .select(.attribute(named: "name", value: "segment"), .id("segment"), .group(segments))),
            .div(.label(.for("coverage_model"), .text(ctx.t("Coverage"))), .select(.attribute(named: "name", value: "coverage_model"), .id("coverage_model"), .group(coverage))),
            country,
            .div(.label(.for("sort"), .text(ctx.t("Sort"))), .select(.attribute(named: "name", value: "sort"), .id("sort"), .group(sorts))),
            .button(.type(.submit), .text(ctx.t("Filter"))))
    }

    static func table(_ ctx: WebContext, _ rows: [AccountDTO]) -> Node<HTML.BodyContext> {
        if rows.isEmpty { return .p(.class("muted"), .text(ctx.t("No accounts match."))) }
        let cells: [[Node<HTML.BodyContext>]] = rows.map { a in
            let name: Node<HTML.BodyContext> = .a(.href("/accounts/\(a.id.uuidString.lowercased())"), .text(a.name))
            return [name, .text(a.segment ?? "—"), .text(a.industry ?? "—"), .text(a.country ?? "—"), .text(ctx.t(a.coverageModel)), .text(a.ownerEmail ?? "—")]
        }
        return Layout.table(headers: [ctx.t("Name"), ctx.t("Segment"), ctx.t("Industry"), ctx.t("Country"), ctx.t("Coverage"), ctx.t("Owner")], rows: cells)
    }

    static func link(_ m: Model, cursor: String?) -> String {
        var c = URLComponents()
        c.path = "/accounts"
        var items = [("q", m.q), ("segment", m.segment), ("coverage_model", m.coverage), ("country", m.country), ("sort", m.sort)]
            .filter { !$0.1.isEmpty }.map { URLQueryItem(name: $0.0, value: $0.1) }
        if let cursor { items.append(URLQueryItem(name: "cursor", value: cursor)) }
        c.queryItems = items.isEmpty ? nil : items
        return c.string ?? "/accounts"
    }
}

