import Fluent
import Foundation
import Plot
import RapportKit
import SQLKit
import Vapor

enum HomePage {
    struct Renewal { var accountID: UUID; var accountName: String; var product: String; var date: String; var arr: Decimal; var currency: String }
    struct Model {
        var workspace: String
        var accounts: Int, contacts: Int, activeContracts: Int
        var arrByCurrency: [(currency: String, total: Decimal, contracts: Int)]
        var renewals: [Renewal]
        var renewalsIn90Days: Int
    }

    static func query(_ scope: Scope, today: DateOnly, workspace: String) async throws -> Model {
        async let accounts = scope.query(Account.self).count()
        async let contacts = scope.query(Contact.self).filter(\.$erasedAt == nil).count()
        // Aggregates in the database: the home page must not load every contract of a large workspace.
        // (PostgreSQL sums BIGINT as NUMERIC; the cast gives both databases the same type.)
        struct Total: Decodable { var currency: String; var total: Int64; var n: Int }
        let totals = try await scope.db.sql.select().column("currency").column(SQLRaw("CAST(SUM(arr_minor) AS BIGINT)"), as: "total")
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(Contract.schema).where("workspace_id", .equal, SQLBind(scope.workspaceID)).where("status", .equal, SQLBind(ContractStatus.active.rawValue))
            .groupBy("currency").all(decoding: Total.self)
        let horizon = today.adding(days: 90).iso
        let upcomingQuery = scope.query(Contract.self).filter(\.$status == ContractStatus.active.rawValue)
            .filter(\.$renewalDate >= today.iso).filter(\.$renewalDate <= horizon)
        let upcomingCount = try await upcomingQuery.count()
        let shown = try await upcomingQuery.sort(\.$renewalDate).sort(\.$product).limit(15).all()
        let names = Dictionary(uniqueKeysWithValues: try await scope.query(Account.self).filter(\.$id ~~ Set(shown.map(\.accountID))).all().map { ($0.id!, $0.name) })
        return Model(workspace: workspace, accounts: try await accounts, contacts: try await contacts, activeContracts: totals.reduce(0) { $0 + $1.n },
                     arrByCurrency: totals.sorted { $0.total > $1.total }.map { ($0.currency, Money.amount($0.total), $0.n) },
                     renewals: shown.map { Renewal(accountID: $0.accountID, accountName: names[$0.accountID] ?? "—", product: $0.product,
                                                   date: $0.renewalDate!, arr: Money.amount($0.arrMinor), currency: $0.currency) },
                     renewalsIn90Days: upcomingCount)
    }

    static func view(_ ctx: WebContext, _ m: Model) -> Node<HTML.BodyContext> {
        .group(
            .h1(.text("\(ctx.t("Welcome")) — \(m.workspace)")),
            .div(.class("stats"),
                 stat(ctx.lang.number(m.accounts), ctx.t("accounts"), "/accounts"),
                 stat(ctx.lang.number(m.contacts), ctx.t("contacts"), nil),
                 stat(ctx.lang.number(m.activeContracts), ctx.t("Active contracts"), nil),
                 .forEach(m.arrByCurrency) { stat(ctx.lang.compactMoney($0.total, $0.currency), "ARR · n = \(ctx.lang.number($0.contracts)) \(ctx.t("active contracts"))", nil) }),
            .h2(.text("\(ctx.t("Upcoming renewals")) (\(m.renewalsIn90Days) \(ctx.t("in the next 90 days")))")),
            m.renewals.isEmpty ? .p(.class("muted"), .text(ctx.t("Nothing yet."))) :
            Layout.table(headers: [ctx.t("Renewal"), ctx.t("Account"), ctx.t("Product"), "ARR"], rows: m.renewals.map { r in
                [.text(ctx.lang.date(r.date)), .a(.href("/accounts/\(r.accountID.uuidString.lowercased())"), .text(r.accountName)),
                 .text(r.product), .text(ctx.lang.money(r.arr, r.currency))]
            })
        )
    }

    static func stat(_ number: String, _ label: String, _ link: String?) -> Node<HTML.BodyContext> {
        .div(.class("stat"), .div(.class("n"), .text(number)),
             .div(.class("l"), link.map { .a(.href($0), .text(label)) } ?? .text(label)))
    }

    static func show(_ req: Request) async throws -> Response {
        let ctx = WebContext.make(req)
        let caller = try req.caller
        let model = try await query(try req.scope, today: ctx.today, workspace: caller.workspaceName)
        return Layout.render(ctx, title: ctx.t("Home"), active: "home", view(ctx, model))
    }
}
