import Fluent
import Foundation
import Plot
import RapportKit
import Vapor

/// Shared bits of the journey pages.
enum JourneyWeb {
    static func href(_ kind: String, _ id: UUID) -> String { "/\(kind)/\(id.uuidString.lowercased())" }

    static func channelName(_ ctx: WebContext, _ slug: String, _ channels: [ChannelInfo]) -> String {
        guard let c = channels.first(where: { $0.slug == slug }) else { return slug }
        return ctx.lang == .de ? c.nameDE : c.name
    }

    /// A mean on a 1–5 scale with its n, e.g. "3.5 (n=2)" / "3,5 (n=2)".
    static func score(_ ctx: WebContext, _ value: Double?, n: Int) -> String {
        guard let value else { return "—" }
        return decimal(ctx, value) + " (n=\(n))"
    }

    static func decimal(_ ctx: WebContext, _ value: Double, digits: Int = 1) -> String {
        // Whole numbers without printf (`String(format:)` was 5 % of a 500-row portfolio): rounding an
        // exact binary value half to even is what "%.0f" does; "-0" is written as "0".
        if digits == 0, value.isFinite, abs(value) < 1e15 { return String(Int(value.rounded(.toNearestOrEven))) }
        let s = String(format: "%.\(digits)f", value)
        return ctx.lang == .de ? s.replacingOccurrences(of: ".", with: ",") : s
    }

    /// A form error as a list the reader can act on: which field, what is wrong.
    static func errorBox(_ ctx: WebContext, _ error: AppError?) -> Node<HTML.BodyContext> {
        guard let error else { return .empty }
        let items = error.fieldErrors.isEmpty ? [error.detail] : error.fieldErrors.map { "\($0.field): \($0.message)" }
        return .div(.class("alert"), .attribute(named: "role", value: "alert"),
                    .p(.strong(.text(ctx.t("Not saved:")))), .ul(.forEach(items) { .li(.text($0)) }))
    }

    static func field(_ id: String, _ label: String, _ input: Node<HTML.FormContext>) -> Node<HTML.FormContext> {
        .div(.label(.for(id), .text(label)), input)
    }

    static func text(_ name: String, value: String = "", required: Bool = false, wide: Bool = false) -> Node<HTML.FormContext> {
        .input(.type(.text), .name(name), .id(name), .value(value), .attribute(named: "required", value: required ? "required" : ""),
               .attribute(named: "class", value: wide ? "wide" : ""))
    }

    static func select(_ name: String, _ options: [(String, String)], selected: String = "", id: String? = nil) -> Node<HTML.FormContext> {
        .select(.attribute(named: "name", value: name), .id(id ?? name),
                .forEach(options) { .choice($0.0, $0.1, selected: $0.0 == selected) })
    }

    /// The check a form's hidden `version` makes: the record must still be at the version the page showed.
    static func openedAt(_ version: Int?, _ what: String) -> @Sendable (Int) throws -> Void {
        { current in
            if let version, version != current {
                throw AppError.preconditionFailed("Someone changed this \(what) since you opened it. Reload the page and make your change again.")
            }
        }
    }

    /// Runs a form's write; on bad input the page is shown again with the reasons (422), nothing written.
    static func submit(_ req: Request, redirect: String, write: () async throws -> Void,
                       page: (AppError) async throws -> Response) async throws -> Response {
        try await submit(req, write: { try await write(); return redirect }, page: page)
    }

    /// The same, for a write that decides where to go next (a new record's own page).
    static func submit(_ req: Request, write: () async throws -> String,
                       page: (AppError) async throws -> Response) async throws -> Response {
        do {
            return req.redirect(to: try await write(), redirectType: .normal)
        } catch let e as AppError {
            switch e {
            case .validation, .conflict, .preconditionFailed:
                let r = try await page(e)
                r.status = e.status
                return r
            default: throw e
            }
        }
    }
}

enum JourneysPage {
    static func show(_ req: Request) async throws -> Response { try await render(req, error: nil) }

    static func render(_ req: Request, error: AppError?) async throws -> Response {
        let ctx = WebContext.make(req)
        let scope = try req.scope
        let journeys = try await scope.query(Journey.self).sort(\.$searchText).all()
        let phaseCounts = Dictionary(grouping: try await TouchpointReads.phases(nil, scope: scope).values, by: \.journeyId).mapValues(\.count)
        let tpCounts = try await TouchpointReads.countsByJourney(scope: scope)
        let maturity = Dictionary(uniqueKeysWithValues: try await MaturityAPI.summaries(journeys, scope: scope).map { ($0.journeyId, $0) })
        let channels = try await Channels.all(scope)
        let names = Dictionary(uniqueKeysWithValues: journeys.map { ($0.id!, $0.name) })
        let canWrite = ctx.caller?.role.can(.writeJourneys) == true

        let rows: [[Node<HTML.BodyContext>]] = journeys.map { j in
            let relation: String = j.parentJourneyID.flatMap { names[$0] }.map { ctx.t("Sub-journey of") + " " + $0 }
                ?? j.variantOfID.flatMap { names[$0] }.map { ctx.t("Channel variant of") + " " + $0 + " (" + JourneyWeb.channelName(ctx, j.variantChannel ?? "", channels) + ")" } ?? ""
            return [.a(.href(JourneyWeb.href("journeys", j.id!)), .text(j.name)), .text(relation.isEmpty ? "—" : relation),
                    .text(ctx.lang.number(phaseCounts[j.id!] ?? 0)), .text(ctx.lang.number(tpCounts[j.id!] ?? 0)),
                    .text(j.segment ?? "—"), .text(maturity[j.id!].map { "\($0.percent) %" } ?? "—")]
        }
        let journeyOptions = [("", "—")] + journeys.map { ($0.id!.uuidString.lowercased(), $0.name) }
        let channelOptions = [("", "—")] + channels.map { ($0.slug, ctx.lang == .de ? $0.nameDE : $0.name) }
        let create: Node<HTML.BodyContext> = .if(canWrite, .div(.class("card"),
            .h2(.text(ctx.t("New journey"))),
            .form(.method(.post), .action("/journeys"), .class("filters"),
                  Layout.csrfField(ctx),
                  JourneyWeb.field("name", ctx.t("Name"), JourneyWeb.text("name", required: true)),
                  JourneyWeb.field("description", ctx.t("Description"), JourneyWeb.text("description")),
                  JourneyWeb.field("segment", ctx.t("Segment"), JourneyWeb.text("segment")),
                  JourneyWeb.field("parent_journey_id", ctx.t("Sub-journey of"), JourneyWeb.select("parent_journey_id", journeyOptions)),
                  JourneyWeb.field("variant_of_id", ctx.t("Channel variant of"), JourneyWeb.select("variant_of_id", journeyOptions)),
                  JourneyWeb.field("variant_channel", ctx.t("Variant channel"), JourneyWeb.select("variant_channel", channelOptions)),
                  .button(.type(.submit), .text(ctx.t("Create journey"))))))
        let channelList: Node<HTML.BodyContext> = .div(.class("card"),
            .h2(.text(ctx.t("Channels"))),
            .p(.forEach(channels) { c in .span(.class("badge"), .attribute(named: "title", value: c.slug), .text(ctx.lang == .de ? c.nameDE : c.name)) }),
            .if(canWrite, .form(.method(.post), .action("/journeys/channels"), .class("filters"),
                                Layout.csrfField(ctx),
                                JourneyWeb.field("channel-name", ctx.t("Name in English"), .input(.type(.text), .name("name"), .id("channel-name"), .required(true))),
                                JourneyWeb.field("channel-name-de", ctx.t("Name in German"), .input(.type(.text), .name("name_de"), .id("channel-name-de"))),
                                .button(.type(.submit), .class("secondary"), .text(ctx.t("Add channel"))))))
        let links: Node<HTML.BodyContext> = .p(.class("links"),
            .a(.href("/touchpoints"), .text(ctx.t("Touchpoint registry"))), .text(" · "),
            .a(.href("/touchpoints/matrix"), .text(ctx.t("Relevance × quality"))), .text(" · "),
            .a(.href("/maturity"), .text(ctx.t("Omnichannel maturity"))))
        let table: Node<HTML.BodyContext> = journeys.isEmpty ? .p(.class("muted"), .text(ctx.t("No journeys yet."))) :
            Layout.table(headers: [ctx.t("Journey"), ctx.t("Relation"), ctx.t("Phases"), ctx.t("Touchpoints"), ctx.t("Segment"), ctx.t("Maturity")], rows: rows)
        return Layout.render(ctx, title: ctx.t("Journeys"), active: "journeys",
                             .group(.h1(.text(ctx.t("Journeys"))), links, JourneyWeb.errorBox(ctx, error), table, create, channelList))
    }

    static func create(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let body = try InputBody.decode(req)
        return try await JourneyWeb.submit(req, write: {
            let values = try JourneySchemas.journey.validate(body.fields.filter { !$0.value.trimmed.isEmpty }).mapError(\.appError).get()
            return JourneyWeb.href("journeys", try await JourneysAPI.insert(values, by: caller, on: req.db).0.id!)
        }, page: { try await render(req, error: $0) })
    }

    static func addChannel(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let body = try InputBody.decode(req)
        return try await JourneyWeb.submit(req, redirect: "/journeys", write: {
            let values = try JourneySchemas.channel.validate(body.fields.filter { !$0.value.trimmed.isEmpty }).mapError(\.appError).get()
            _ = try await req.db.transaction { db in try await ChannelsAPI.add(values, by: caller, scope: caller.scope(on: db)) }
        }, page: { try await render(req, error: $0) })
    }
}

