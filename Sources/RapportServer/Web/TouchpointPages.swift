import Fluent
import Foundation
import Plot
import RapportKit
import Vapor

/// The touchpoint registry: filter on any field, group ("cluster") by any field, save the view.
enum TouchpointRegistryPage {
    static let filterNames = ["q", "journey", "channel", "direction", "ownership", "controllable", "feedback_measured", "has_improvement_needs",
                              "responsible_department", "product", "target_group", "co_department", "sub_journey"]
    static let groupings = ["", "journey", "phase", "channel", "direction", "ownership", "controllable", "feedback_measured", "improvement_needs",
                            "responsible_department", "co_departments", "products", "target_groups", "sub_journeys", "quadrant"]
    /// Rows shown per group before "show all": a grouped view is an overview, the filter shows the rest.
    static let rowsPerGroup = 10
    static let pageSize = 50

    static func show(_ req: Request) async throws -> Response { try await render(req, error: nil) }

    static func render(_ req: Request, error: AppError?) async throws -> Response {
        let ctx = WebContext.make(req)
        let scope = try req.scope
        let group = req.query[String.self, at: "group"] ?? ""
        guard groupings.contains(group) else { throw AppError.invalid("group", "'\(group)' is not a field to group by; use one of \(groupings.dropFirst().joined(separator: ", "))") }
        let channels = try await Channels.all(scope)
        let journeys = try await TouchpointReads.journeys(scope: scope).values.sorted { searchKey($0.name) < searchKey($1.name) }
        let views = try await scope.query(SavedView.self).filter(\.$page == "touchpoints").sort(\.$name).all()
        // The registry of the workspace, from memory while unchanged (see `RegistryCache`).
        let registry = try await RegistryCache.shared.all(scope)
        let departments = Set(registry.compactMap(\.responsibleDepartment)).sorted()
        let body: Node<HTML.BodyContext>
        var total = 0
        // A filter that no longer fits (a saved view naming a renamed journey) is shown on the page.
        var filterError: AppError?
        var parsed: RegistryFilter?
        do { parsed = try await RegistryFilter.parse(req, scope: scope) } catch let e as AppError { filterError = e }
        let error = error ?? filterError
        if let filter = parsed, group.isEmpty {
            // Pages of 50 by name; `after` is the last row shown (the registry is held sorted by name).
            let rows = registry.filter(filter.matches)
            let after = req.query[String.self, at: "after"].flatMap(UUID.init(uuidString:))
            let start = after.flatMap { id in rows.firstIndex { $0.id == id }.map { $0 + 1 } } ?? 0
            let shown = Array(rows[min(start, rows.count)...].prefix(pageSize))
            let next = start + pageSize < rows.count ? shown.last?.id : nil
            total = rows.count
            body = .group(table(ctx, shown, channels),
                          .div(.class("pager"), .a(.href(link(req, after: nil)), .text(ctx.t("First page"))),
                               .unwrap(next) { .a(.href(link(req, after: $0)), .attribute(named: "rel", value: "next"), .text(ctx.t("Next page"))) }))
        } else if let filter = parsed {
            let dtos = registry.filter(filter.matches)
            total = dtos.count
            body = grouped(ctx, req, dtos, by: group, channels: channels, journeys: journeys)
        } else {
            body = .p(.class("muted"), .text(ctx.t("No touchpoints match.")))
        }
        let canWrite = ctx.caller?.role.can(.writeJourneys) == true
        let content: Node<HTML.BodyContext> = .group(
            .p(.a(.href("/journeys"), .text("← " + ctx.t("Journeys")))),
            .h1(.text(ctx.t("Touchpoint registry"))),
            JourneyWeb.errorBox(ctx, error),
            filters(ctx, req, channels: channels, journeys: journeys, departments: departments),
            savedViews(ctx, req, views, canWrite: canWrite),
            .p(.class("muted"), .text(group.isEmpty ? "" : "\(ctx.lang.number(total)) " + ctx.t("touchpoints") + " · "),
               .a(.href("/touchpoints/export.csv" + query(req, dropping: ["after", "group"])), .text(ctx.t("Export as CSV"))),
               .if(ctx.caller?.role.can(.importData) == true, .group(.text(" · "), .a(.href("/import?entity=touchpoints"), .text(ctx.t("Import from CSV")))))),
            body)
        return Layout.render(ctx, title: ctx.t("Touchpoint registry"), active: "journeys", content)
    }

    static func filters(_ ctx: WebContext, _ req: Request, channels: [ChannelInfo], journeys: [TouchpointReads.JourneyRow], departments: [String]) -> Node<HTML.BodyContext> {
        func v(_ name: String) -> String { req.query[String.self, at: name] ?? "" }
        let all = [("", ctx.t("All"))]
        let yesNo = all + [("true", ctx.t("yes")), ("false", ctx.t("no"))]
        return .form(.method(.get), .action("/touchpoints"), .class("filters"), .attribute(named: "role", value: "search"),
            JourneyWeb.field("q", ctx.t("Search"), .input(.type(.search), .name("q"), .id("q"), .value(v("q")))),
            JourneyWeb.field("journey", ctx.t("Journey"), JourneyWeb.select("journey", all + [("none", ctx.t("(no journey)"))] + journeys.map { ($0.slug, $0.name) }, selected: v("journey"))),
            JourneyWeb.field("channel", ctx.t("Channel"), JourneyWeb.select("channel", all + channels.map { ($0.slug, ctx.lang == .de ? $0.nameDE : $0.name) }, selected: v("channel"))),
            JourneyWeb.field("direction", ctx.t("Direction"), JourneyWeb.select("direction", all + TouchpointDirection.allowed.map { ($0, ctx.t($0)) }, selected: v("direction"))),
            JourneyWeb.field("ownership", ctx.t("Ownership"), JourneyWeb.select("ownership", all + TouchpointOwnership.allowed.map { ($0, ctx.t($0)) }, selected: v("ownership"))),
            JourneyWeb.field("controllable", ctx.t("Controllable"), JourneyWeb.select("controllable", yesNo, selected: v("controllable"))),
            JourneyWeb.field("feedback_measured", ctx.t("Feedback measured"), JourneyWeb.select("feedback_measured", yesNo, selected: v("feedback_measured"))),
            JourneyWeb.field("has_improvement_needs", ctx.t("Improvement needs"), JourneyWeb.select("has_improvement_needs", yesNo, selected: v("has_improvement_needs"))),
            JourneyWeb.field("responsible_department", ctx.t("Responsible department"), JourneyWeb.select("responsible_department", all + departments.map { ($0, $0) }, selected: v("responsible_department"))),
            JourneyWeb.field("product", ctx.t("Product"), .input(.type(.text), .name("product"), .id("product"), .value(v("product")))),
            JourneyWeb.field("target_group", ctx.t("Target group"), .input(.type(.text), .name("target_group"), .id("target_group"), .value(v("target_group")))),
            JourneyWeb.field("co_department", ctx.t("Co-responsible department"), .input(.type(.text), .name("co_department"), .id("co_department"), .value(v("co_department")))),
            JourneyWeb.field("sub_journey", ctx.t("Sub-journey"), JourneyWeb.select("sub_journey", all + journeys.map { ($0.slug, $0.name) }, selected: v("sub_journey"))),
            JourneyWeb.field("group", ctx.t("Group by"), JourneyWeb.select("group", groupings.map { ($0, $0.isEmpty ? ctx.t("(no grouping)") : ctx.t("field." + $0)) }, selected: v("group"))),
            .button(.type(.submit), .text(ctx.t("Filter"))))
    }

    static func savedViews(_ ctx: WebContext, _ req: Request, _ views: [SavedView], canWrite: Bool) -> Node<HTML.BodyContext> {
        let current = query(req, dropping: ["after"])
        return .div(.class("saved-views"),
            .if(!views.isEmpty, .p(.strong(.text(ctx.t("Saved views") + ": ")), .forEach(views) { view in
                .span(.a(.class("badge"), .href("/touchpoints" + (view.query.isEmpty ? "" : "?" + view.query)), .text(view.name)),
                      .if(canWrite, .form(.method(.post), .action("/touchpoints/views/\(view.id!.uuidString.lowercased())/delete"), .class("inline"),
                                          Layout.csrfField(ctx), .button(.type(.submit), .class("link-dark"), .attribute(named: "aria-label", value: ctx.t("Delete view") + " " + view.name), .text("×")))))
            })),
            .if(canWrite && !current.isEmpty, .form(.method(.post), .action("/touchpoints/views"), .class("filters"),
                Layout.csrfField(ctx), .input(.type(.hidden), .name("query"), .value(String(current.dropFirst()))),
                JourneyWeb.field("view-name", ctx.t("Save this view as"), .input(.type(.text), .name("name"), .id("view-name"), .required(true))),
                .button(.type(.submit), .class("secondary"), .text(ctx.t("Save view"))))))
    }

    static func table(_ ctx: WebContext, _ rows: [TouchpointDTO], _ channels: [ChannelInfo]) -> Node<HTML.BodyContext> {
        if rows.isEmpty { return .p(.class("muted"), .text(ctx.t("No touchpoints match."))) }
        let cells: [[Node<HTML.BodyContext>]] = rows.map { t in
            [.a(.href(JourneyWeb.href("touchpoints", t.id)), .text(t.name)), .text(JourneyWeb.channelName(ctx, t.channel, channels)),
             .text(t.phases.map(\.name).joined(separator: ", ").ifEmpty("—")), .text(t.direction.map { ctx.t($0) } ?? "—"),
             .text(t.responsibleDepartment ?? "—"), .text(ctx.t(t.feedbackMeasured ? "yes" : "no")),
             .text(JourneyWeb.score(ctx, t.assessment?.relevance, n: t.assessment?.n ?? 0)),
             .text(JourneyWeb.score(ctx, t.assessment?.quality, n: t.assessment?.n ?? 0))]
        }
        return Layout.table(headers: [ctx.t("Touchpoint"), ctx.t("Channel"), ctx.t("Phases"), ctx.t("Direction"), ctx.t("Responsible department"),
                                      ctx.t("Feedback measured"), ctx.t("Relevance"), ctx.t("Quality")], rows: cells)
    }

    static func grouped(_ ctx: WebContext, _ req: Request, _ rows: [TouchpointDTO], by field: String, channels: [ChannelInfo], journeys: [TouchpointReads.JourneyRow]) -> Node<HTML.BodyContext> {
        let journeyNames = Dictionary(uniqueKeysWithValues: journeys.map { ($0.id, $0.name) })
        let none = ctx.t("(none)")
        let groups = groupRows(rows, none: none) { t -> [String] in
            switch field {
            case "journey": [t.journeyId.flatMap { journeyNames[$0] } ?? ""]
            case "phase": t.phases.map(\.name)
            case "channel": [JourneyWeb.channelName(ctx, t.channel, channels)]
            case "direction": [t.direction.map { ctx.t($0) } ?? ""]
            case "ownership": [ctx.t(t.ownership)]
            case "controllable": [ctx.t(t.controllable ? "yes" : "no")]
            case "feedback_measured": [ctx.t(t.feedbackMeasured ? "yes" : "no")]
            case "improvement_needs": [ctx.t(t.improvementNeeds == nil ? "no" : "yes")]
            case "sub_journeys": t.subJourneys.map(\.name)
            case "responsible_department": [t.responsibleDepartment ?? ""]
            case "co_departments": t.coDepartments
            case "products": t.products
            case "target_groups": t.targetGroups
            case "quadrant": [t.assessment.map { ctx.t("quadrant." + $0.quadrant) } ?? ""]
            default: []
            }
        }
        return .group(.forEach(groups) { g in
            let assessed = g.rows.compactMap(\.assessment)
            let meanQ = MeanEstimate.of(assessed.map(\.quality))
            let summary = ctx.t("Touchpoints") + ": \(ctx.lang.number(g.rows.count)) · " + ctx.t("feedback measured at") + " \(g.rows.filter(\.feedbackMeasured).count)"
                + " · " + ctx.t("mean quality") + " " + (meanQ.map { JourneyWeb.decimal(ctx, $0.mean) + " " + ctx.t("over") + " \($0.n) " + ctx.t("assessed touchpoints") } ?? "—")
            return .section(.class("group"),
                .h2(.text(g.key), .span(.class("muted small"), .text(" — " + summary))),
                table(ctx, Array(g.rows.prefix(rowsPerGroup)), channels),
                .if(g.rows.count > rowsPerGroup, .p(.text(ctx.t("Showing the first") + " \(rowsPerGroup); " + ctx.t("filter to see all of this group.")))))
        })
    }

    static func query(_ req: Request, dropping: Set<String>) -> String {
        var items: [URLQueryItem] = []
        for name in filterNames + ["group", "after"] where !dropping.contains(name) {
            if let v = req.query[String.self, at: name], !v.isEmpty { items.append(URLQueryItem(name: name, value: v)) }
        }
        var c = URLComponents()
        c.queryItems = items.isEmpty ? nil : items
        return c.percentEncodedQuery.map { "?" + $0 } ?? ""
    }

    static func link(_ req: Request, after: UUID?) -> String {
        var q = query(req, dropping: ["after"])
        if let after { q += (q.isEmpty ? "?" : "&") + "after=" + after.uuidString.lowercased() }
        return "/touchpoints" + q
    }

    static func saveView(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let body = try InputBody.decode(req)
        let query = (body.fields["query"] ?? "").trimmed
        return try await JourneyWeb.submit(req, redirect: "/touchpoints?" + query, write: {
            var v = Validator()
            let name = v.text("name", body.fields["name"], required: true, maxLength: 80)
            _ = v.text("query", query, maxLength: 2000)
            if !v.errors.isEmpty { throw AppError.validation(v.errors) }
            try await req.db.transaction { db in
                let scope = caller.scope(on: db)
                if try await scope.query(SavedView.self).filter(\.$page == "touchpoints").filter(\.$name == name!).first() != nil {
                    throw AppError.invalid("name", "a view '\(name!)' exists already; choose another name")
                }
                let view = SavedView()
                view.id = .timeOrdered(); view.workspaceID = caller.workspaceID; view.page = "touchpoints"
                view.name = name!; view.query = query; view.createdBy = try await caller.displayName(on: db)
                try await view.create(on: db)
                try await Audit.record("create", "saved view", id: view.id, before: String?.none, after: name, by: caller, on: db)
            }
        }, page: { try await render(req, error: $0) })
    }

    static func deleteView(_ req: Request) async throws -> Response {
        let caller = try req.caller
        try await req.db.transaction { db in
            let scope = caller.scope(on: db)
            let view = try await scope.find(SavedView.self, parameter: "id", of: req)
            try await view.delete(on: db)
            try await Audit.record("delete", "saved view", id: view.id, before: view.name, after: String?.none, by: caller, on: db)
        }
        return req.redirect(to: "/touchpoints", redirectType: .normal)
    }

    /// The registry as CSV in the import's own columns, so an export can be edited and imported again.
    static func export(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let rows = try await TouchpointReads.records(try await RegistryFilter.parse(req, scope: scope), scope: scope)
        let text = TouchpointCSV.text(try await TouchpointsAPI.dtos(records: rows, scope: scope))
        let r = Response(status: .ok, body: .init(string: text))
        r.headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        r.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"touchpoints.csv\"")
        return r
    }
}

/// The registry in the import's own columns, so an export can be edited and imported again.
enum TouchpointCSV {
    static func text(_ dtos: [TouchpointDTO]) -> String {
        let w = CSVWriter()
        var text = w.line(JourneySchemas.touchpoint.names.filter { $0 != "journey_id" })
        for t in dtos {
            text += w.line([t.externalId ?? "", t.slug, t.name, t.description ?? "", t.url ?? "", t.channel, t.journeySlug ?? "",
                            t.phases.map(\.slug).joined(separator: ", "), t.direction ?? "", t.products.joined(separator: ", "),
                            t.targetGroups.joined(separator: ", "), t.feedbackMeasured ? "yes" : "no", t.improvementNeeds ?? "",
                            t.subJourneys.map(\.slug).joined(separator: ", "), t.responsibleDepartment ?? "", t.coDepartments.joined(separator: ", "),
                            t.ownership, t.controllable ? "yes" : "no"])
        }
        return text
    }
}

extension String {
    func ifEmpty(_ fallback: String) -> String { isEmpty ? fallback : self }
}
