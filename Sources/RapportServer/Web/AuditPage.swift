import Fluent
import Foundation
import Plot
import RapportKit
import Vapor

enum AuditPage {
    struct Model { var entries: [AuditEntry]; var nextCursor: String? }

    static func show(_ req: Request) async throws -> Response {
        let ctx = WebContext.make(req)
        let caller = try req.caller
        let list = try ListRequest(req, sorts: [SortKey(name: "at", field: "at", kind: .date)], defaultSort: "-at")
        let rows = try await list.apply(to: AuditEntry.query(on: req.db).filter(\.$workspaceID == caller.workspaceID)).all()
        let page = try await list.page(rows, value: { $0.at.cursorValue }) { $0.map { AuditRow($0) } }
        return Layout.render(ctx, title: ctx.t("Audit log"), active: "settings", view(ctx, page))
    }

    struct AuditRow: Content {
        var at: Date, actor: String, action: String, entity: String, id: UUID?, before: String?, after: String?
        init(_ e: AuditEntry) { at = e.at; actor = e.actor; action = e.action; entity = e.entityType; id = e.entityID; before = e.before; after = e.after }
    }

    static func view(_ ctx: WebContext, _ page: Page<AuditRow>) -> Node<HTML.BodyContext> {
        let rows: [[Node<HTML.BodyContext>]] = page.items.map { e in
            let record = e.entity + (e.id.map { " " + $0.uuidString.lowercased().prefix(8) } ?? "")
            return [.text(ctx.lang.dateTime(e.at, zone: ctx.zone)), .text(e.actor), .text(e.action), .text(record), json(ctx, e.before), json(ctx, e.after)]
        }
        let headers = [ctx.t("When"), ctx.t("Who"), ctx.t("Action"), ctx.t("Record"), ctx.t("Before"), ctx.t("After")]
        return .group(
            .h1(.text(ctx.t("Audit log"))),
            Layout.table(headers: headers, rows: rows),
            .div(.class("pager"), .unwrap(page.nextCursor) { .a(.href("/settings/audit?cursor=\($0)"), .text(ctx.t("Older entries"))) })
        )
    }

    static func json(_ ctx: WebContext, _ text: String?) -> Node<HTML.BodyContext> {
        guard let text else { return .text("—") }
        let summary: Node<HTML.BodyContext> = .element(named: "summary", nodes: [Node<HTML.BodyContext>.text(ctx.t("Show"))])
        let body: Node<HTML.BodyContext> = .pre(.class("json"), .text(text))
        return .element(named: "details", nodes: [summary, body])
    }
}
