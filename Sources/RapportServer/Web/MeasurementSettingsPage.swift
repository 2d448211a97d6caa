import Fluent
import Foundation
import Plot
import RapportKit
import Vapor

/// The guardrail and the indices, in the UI: everyone with metrics.read sees them and their current
/// values; measurement.write may change them. The checks are the API's.
enum MeasurementSettingsPage {
    static func show(_ req: Request) async throws -> Response { try await render(req, error: nil, form: [:], status: .ok) }

    static func render(_ req: Request, error: AppError?, form: [String: String], status: HTTPResponseStatus) async throws -> Response {
        let c = try await DashboardPages.context(req)
        let ctx = c.ctx
        let canWrite = ctx.caller?.role.can(.writeMeasurement) == true
        let settings = try await MeasurementSettingsStore.load(c.scope)
        let indices = c.indices.sorted { $0.key < $1.key }
        var values: [String: MetricGroup] = [:]
        for i in indices { values[i.key] = try? await c.run(["metric": i.key]).groups.first }
        let questions = try await MeasurementAPI.scaleQuestions(c.scope).filter { $0.value == "scale" }.keys.sorted()
        let title = ctx.t("Measurement settings")
        func value(_ name: String, _ fallback: String) -> String { form[name] ?? fallback }
        let guardrailForm: Node<HTML.BodyContext> = .div(.class("card"), .h2(.text(ctx.t("Sample-size guardrail"))),
            .p(.class("muted"), .text(ctx.t("Figures are shown normally from the first number of answers, in brackets with a hint from the second, and hidden below it. The defaults are 300 and 100."))),
            canWrite ? .form(.method(.post), .action("/dashboards/settings/guardrail"), .class("filters"), Layout.csrfField(ctx),
                  JourneyWeb.field("show_at", ctx.t("Shown from n ="), .input(.type(.number), .name("show_at"), .id("show_at"), .value(value("show_at", "\(settings.showAt)")))),
                  JourneyWeb.field("bracket_at", ctx.t("Bracketed from n ="), .input(.type(.number), .name("bracket_at"), .id("bracket_at"), .value(value("bracket_at", "\(settings.bracketAt)")))),
                  .input(.type(.hidden), .name("version"), .value("\(settings.version)")),
                  .button(.type(.submit), .text(ctx.t("Save"))))
            : .p(.text(ctx.t("Shown from n =") + " \(settings.showAt) · " + ctx.t("Bracketed from n =") + " \(settings.bracketAt)")))
        let rows: [[Node<HTML.BodyContext>]] = indices.map { i in
            let g = values[i.key]
            let current = g.map { g in DashboardPages.figure(ctx, g, digits: 2) + " (n = \(g.n), 95 %: " + DashboardPages.interval(ctx, g, digits: 2) + ")" } ?? "–"
            let delete: Node<HTML.BodyContext> = .if(canWrite, .form(.method(.post), .action("/dashboards/settings/indices/\(i.id!.uuidString.lowercased())/delete"), .class("inline"),
                                                                  Layout.csrfField(ctx), .button(.type(.submit), .class("secondary"), .text(ctx.t("Delete")))))
            return [.code(.text(i.key)), .text(i.name), .code(.text(i.formula)), .text(i.target.map { DashboardPages.number(ctx, $0, digits: 1) } ?? "—"), .text(current), delete]
        }
        let indexForm: Node<HTML.BodyContext> = .if(canWrite, .form(.method(.post), .action("/dashboards/settings/indices"), .class("filters spaced"), Layout.csrfField(ctx),
            JourneyWeb.field("key", ctx.t("Key"), .input(.type(.text), .name("key"), .id("key"), .value(value("key", "")), .placeholder("csi"))),
            JourneyWeb.field("name", ctx.t("Name"), .input(.type(.text), .name("name"), .id("name"), .value(value("name", "")), .placeholder(ctx.t("Customer satisfaction index")))),
            JourneyWeb.field("formula", ctx.t("Formula"), .input(.type(.text), .name("formula"), .id("formula"), .value(value("formula", "")),
                                                             .placeholder("(mean(brand) + mean(price) + mean(product)) / 3"))),
            JourneyWeb.field("target", ctx.t("Target"), .input(.type(.text), .name("target"), .id("target"), .value(value("target", "")), .placeholder("4"))),
            .button(.type(.submit), .text(ctx.t("Add index")))))
        return Layout.render(ctx, title: title, status: status, active: "dashboards", .group(
            DashboardPages.tabs(ctx, "settings"),
            .h1(.text(title)),
            JourneyWeb.errorBox(ctx, error),
            guardrailForm,
            .div(.class("card"), .h2(.text(ctx.t("Indices"))),
                 .p(.class("muted"), .text(ctx.t("An index combines metrics and items: nps, csat, ces, ces_easy, mean(question), top2(question), nps(question), numbers, + − × ÷ and parentheses. Its interval comes from the delta method."))),
                 indices.isEmpty ? .p(.text(ctx.t("No index yet."))) :
                    Layout.table(headers: [ctx.t("Key"), ctx.t("Name"), ctx.t("Formula"), ctx.t("Target"), ctx.t("Last 12 months"), ""], rows: rows),
                 indexForm,
                 .element(named: "details", nodes: [.element(named: "summary", text: ctx.t("Questions an index can use")),
                                                   .p(.class("mono"), .text(questions.joined(separator: ", ")))]))))
    }

    static func saveGuardrail(_ req: Request) async throws -> Response {
        let fields = try SurveyForms.fields(req)
        let scope = try req.scope
        let caller = try req.caller
        do {
            var v = RapportKit.Validator()
            let showAt = Int(fields["show_at"] ?? ""), bracketAt = Int(fields["bracket_at"] ?? "")
            if showAt == nil { v.fail("show_at", "'\(fields["show_at"] ?? "")' is not a whole number") }
            if bracketAt == nil { v.fail("bracket_at", "'\(fields["bracket_at"] ?? "")' is not a whole number") }
            try v.finish()
            let row = try await MeasurementSettingsStore.load(scope)
            if let given = fields["version"].flatMap(Int.init), given != row.version {
                throw AppError.conflict("Someone changed the guardrail meanwhile; reload and try again.")
            }
            try await MeasurementAPI.saveSettings(MeasurementSettingsDTO(showAt: showAt!, bracketAt: bracketAt!), to: row, by: caller, on: scope.db)
        } catch let e as AppError {
            return try await render(req, error: e, form: fields, status: e.status)
        }
        return req.redirect(to: "/dashboards/settings", redirectType: .normal)
    }

    static func addIndex(_ req: Request) async throws -> Response {
        let fields = try SurveyForms.fields(req)
        let scope = try req.scope
        let caller = try req.caller
        do {
            var target: Double?
            if let t = fields["target"]?.trimmingCharacters(in: .whitespaces), !t.isEmpty {
                guard let d = Double(t.replacingOccurrences(of: ",", with: ".")), d.isFinite else { throw AppError.invalid("target", "'\(t)' is not a number") }
                target = d
            }
            _ = try await MeasurementAPI.addIndex(IndexDTO(key: fields["key"]?.trimmingCharacters(in: .whitespaces), name: fields["name"], formula: fields["formula"], target: target),
                                                  scope: scope, by: caller)
        } catch let e as AppError {
            return try await render(req, error: e, form: fields, status: e.status)
        }
        return req.redirect(to: "/dashboards/settings", redirectType: .normal)
    }

    static func deleteIndex(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let caller = try req.caller
        try await MeasurementAPI.removeIndex(try await scope.find(MetricIndex.self, parameter: "id", of: req), scope: scope, by: caller)
        return req.redirect(to: "/dashboards/settings", redirectType: .normal)
    }
}
