import Fluent
import Foundation
import Plot
import RapportKit
import Vapor

/// The account's 360° page: who they are, who we talk to, what they have bought and when it renews,
/// and everything that happened — so nobody has to ask the customer again.
enum AccountPage {
    struct Model {
        var account: AccountDTO
        var parent: (UUID, String)?
        var children: [(UUID, String)]
        var contacts: [ContactDTO]
        var contactCount: Int
        var contracts: [ContractDTO]
        var timeline: [TimelineDTO]
        var places = TimelinePlaces()
    }

    static let contactLimit = 50
    static let timelineLimit = 30

    static func query(_ scope: Scope, id: UUID?) async throws -> Model {
        let account = try await scope.find(Account.self, id)
        async let parent = scope.query(Account.self).filter(\.$id == (account.parentID ?? UUID())).first()
        async let children = scope.query(Account.self).filter(\.$parentID == account.id).sort(\.$name).limit(50).all()
        async let contacts = scope.query(Contact.self).filter(\.$accountID == account.id).sort(\.$lastName).sort(\.$id).limit(contactLimit).all()
        async let contactCount = scope.query(Contact.self).filter(\.$accountID == account.id).count()
        async let contracts = scope.query(Contract.self).filter(\.$accountID == account.id!).sort(\.$startDate, .descending).all()
        async let timeline = scope.query(TimelineEvent.self).filter(\.$accountID == account.id!).sort(\.$occurredAt, .descending).limit(timelineLimit).all()
        let events = try await timeline
        return Model(account: try await AccountsAPI.dto(account, scope: scope),
                     parent: try await parent.map { ($0.id!, $0.name) },
                     children: try await children.map { ($0.id!, $0.name) },
                     contacts: try await contacts.map(ContactDTO.init), contactCount: try await contactCount,
                     contracts: try await contracts.map(ContractDTO.init), timeline: events.map(TimelineDTO.init),
                     places: try await TimelinePlaces.of(events, scope: scope))
    }

    static func show(_ req: Request) async throws -> Response {
        let ctx = WebContext.make(req)
        let m = try await query(try req.scope, id: req.parameters.get("id").flatMap(UUID.init(uuidString:)))
        return Layout.render(ctx, title: m.account.name, active: "accounts", view(ctx, m))
    }

    static func view(_ ctx: WebContext, _ m: Model) -> Node<HTML.BodyContext> {
        let a = m.account
        var facts: [(String, Node<HTML.BodyContext>)] = [
            ("External id", .text(a.externalId ?? "—")), ("Kind", .text(ctx.t(a.kind))), ("Segment", .text(a.segment ?? "—")),
            ("Industry", .text(a.industry ?? "—")), ("Country", .text(a.country ?? "—")), ("Size", .text(a.size.map(ctx.t) ?? "—")),
            ("Coverage", .text(ctx.t(a.coverageModel))), ("Owner", .text(a.ownerEmail ?? "—")),
        ]
        if let p = m.parent { facts.append(("Parent account", .a(.href(href("accounts", p.0)), .text(p.1)))) }
        for (k, v) in a.attributes.sorted(by: { $0.key < $1.key }) { facts.append((k, .text(v))) }
        let factList: Node<HTML.BodyContext> = .dl(.class("facts"), .group(facts.map { f in .group(.dt(.text(ctx.t(f.0))), .dd(f.1)) }))
        let children: Node<HTML.BodyContext> = .if(!m.children.isEmpty, .group(.h2(.text(ctx.t("Child accounts"))),
            .ul(.group(m.children.map { c in .li(.a(.href(href("accounts", c.0)), .text(c.1))) }))))
        return .group(
            .p(.a(.href("/accounts"), .text("← " + ctx.t("Back to accounts")))),
            .h1(.text(a.name)),
            .p(.a(.class("button"), .href(SuccessPages.href(a.id)), .text(ctx.t("Customer Success: goals, plan, health")))),
            .div(.class("grid"),
                .section(.class("card"), .h2(.text(ctx.t("Customer 360"))), factList),
                .section(.class("card"), .h2(.text(ctx.t("Renewals"))), renewals(ctx, m.contracts))),
            children,
            .h2(.text("\(ctx.t("Contacts")) (\(m.contactCount))")),
            contacts(ctx, m.contacts),
            .h2(.text(ctx.t("Contracts"))),
            contracts(ctx, m.contracts),
            .h2(.text(ctx.t("Timeline"))),
            timeline(ctx, m.timeline, places: m.places)
        )
    }

    static func contacts(_ ctx: WebContext, _ contacts: [ContactDTO]) -> Node<HTML.BodyContext> {
        if contacts.isEmpty { return .p(.class("muted"), .text(ctx.t("Nothing yet."))) }
        let rows: [[Node<HTML.BodyContext>]] = contacts.map { c in
            let name = c.erased ? ctx.t("Erased") : [c.firstName, c.lastName].compactMap { $0 }.joined(separator: " ")
            let link: Node<HTML.BodyContext> = .a(.href(href("contacts", c.id)), .text(name))
            return [link, .text(c.role ?? "—"), .text(c.email ?? "—"), .text(c.language ?? "—"), .text(ctx.t(c.stakeholderSide))]
        }
        return Layout.table(headers: [ctx.t("Name"), ctx.t("Role"), ctx.t("E-mail"), ctx.t("Language"), ctx.t("Stakeholder side")], rows: rows)
    }

    static func contracts(_ ctx: WebContext, _ contracts: [ContractDTO]) -> Node<HTML.BodyContext> {
        if contracts.isEmpty { return .p(.class("muted"), .text(ctx.t("Nothing yet."))) }
        let rows: [[Node<HTML.BodyContext>]] = contracts.map { c in
            let badge = c.status == "active" ? "badge good" : c.status == "churned" ? "badge bad" : "badge"
            let status: Node<HTML.BodyContext> = .span(.class(badge), .text(ctx.t(c.status)))
            return [.text(c.product), status, .text(ctx.lang.date(c.startDate)), .text(ctx.lang.date(c.endDate)),
                    .text(ctx.lang.date(c.renewalDate)), .text(ctx.lang.money(c.arr, c.currency))]
        }
        return Layout.table(headers: [ctx.t("Product"), ctx.t("Status"), ctx.t("Start"), ctx.t("End"), ctx.t("Renewal"), "ARR"], rows: rows)
    }

    static func renewals(_ ctx: WebContext, _ contracts: [ContractDTO]) -> Node<HTML.BodyContext> {
        let upcoming = contracts.filter { $0.status == "active" && $0.renewalDate != nil }.sorted { $0.renewalDate! < $1.renewalDate! }
        guard !upcoming.isEmpty else { return .p(.class("muted"), .text(ctx.t("No upcoming renewal."))) }
        return .ul(.forEach(upcoming) { c in
            .li(.strong(.text(ctx.lang.date(c.renewalDate))), .text(" — \(c.product), \(ctx.lang.money(c.arr, c.currency))"))
        })
    }

    static func timeline(_ ctx: WebContext, _ events: [TimelineDTO], places: TimelinePlaces = TimelinePlaces()) -> Node<HTML.BodyContext> {
        guard !events.isEmpty else { return .p(.class("muted"), .text(ctx.t("Nothing yet."))) }
        return .ol(.class("timeline"), .forEach(events) { e in
            .li(.time(.datetime(e.occurredAt.formatted(.iso8601)), .text(ctx.lang.dateTime(e.occurredAt, zone: ctx.zone))),
                .strong(.text(localizedTitle(ctx, e))), .unwrap(e.detail) { .span(.class("muted"), .text(" — " + $0)) },
                .unwrap(e.touchpointId.flatMap { places.touchpoints[$0] }) { name in
                    .span(.class("place"), .text(" · " + ctx.t("at") + " "), .a(.href(href("touchpoints", e.touchpointId!)), .text(name)),
                          .unwrap(e.phaseId.flatMap { places.phases[$0] }) { .text(" (" + $0 + ")") })
                })
        })
    }

    /// Timeline titles are stored once, in the words of the code that wrote them ("survey/email granted",
    /// "Cloud Pro: renewal (+1200 EUR)"); the vocabulary in them is shown in the reader's language.
    static func localizedTitle(_ ctx: WebContext, _ e: TimelineDTO) -> String {
        if e.kind == "consent" {
            let parts = e.title.split(separator: " ")
            let pc = parts.first?.split(separator: "/") ?? []
            guard parts.count == 2, pc.count == 2 else { return e.title }
            return "\(ctx.t(String(pc[0]))) · \(ctx.t(String(pc[1]))): \(ctx.t(String(parts[1])))"
        }
        if e.kind.hasPrefix("contract.") {
            let kind = String(e.kind.dropFirst("contract.".count))
            return e.title.replacingOccurrences(of: ": \(kind)", with: ": \(ctx.t(kind))")
        }
        return e.title
    }

    static func href(_ kind: String, _ id: UUID) -> String { "/\(kind)/\(id.uuidString.lowercased())" }
}

/// Names of the touchpoints and phases timeline events point at: one query each per page.
struct TimelinePlaces {
    var touchpoints: [UUID: String] = [:]
    var phases: [UUID: String] = [:]

    static func of(_ events: [TimelineEvent], scope: Scope) async throws -> TimelinePlaces {
        let tps = Set(events.compactMap(\.touchpointID)), phases = Set(events.compactMap(\.phaseID))
        var p = TimelinePlaces()
        if !tps.isEmpty { for t in try await scope.query(Touchpoint.self).filter(\.$id ~~ tps).all() { p.touchpoints[t.id!] = t.name } }
        if !phases.isEmpty { for ph in try await scope.query(JourneyPhase.self).filter(\.$id ~~ phases).all() { p.phases[ph.id!] = ph.name } }
        return p
    }
}
