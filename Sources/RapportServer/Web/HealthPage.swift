import Fluent
import Foundation
import Plot
import RapportKit
import Vapor

/// The health model in the UI: weights and thresholds per component, the bands, and the back-test
/// that shows how well the model told renewals from churn in the past — for the saved weights and,
/// side by side, for weights being tried before anyone saves them.
enum HealthPage {
    static func show(_ req: Request) async throws -> Response {
        try await render(req, form: [:], proposed: nil, error: nil, status: .ok)
    }

    static func render(_ req: Request, form: [String: String], proposed: HealthModel?, error: AppError?, status: HTTPResponseStatus, notice: String? = nil) async throws -> Response {
        let ctx = WebContext.make(req)
        let scope = try req.scope
        let models = try await HealthEngine.models(scope: scope)
        let model = models.standard
        let canConfigure = ctx.caller?.role.can(.configureHealth) == true
        var lead = 90
        if let l = form["lead_days"].flatMap(Int.init) { lead = l }
        let current = try? await SuccessAPI.backTest(SuccessAPI.BackTestInput(lead_days: lead), scope: scope)
        let tried = proposed == nil ? nil : try? await SuccessAPI.backTest(SuccessAPI.BackTestInput(lead_days: lead, model: proposed), scope: scope)
        let title = ctx.t("Health model and back-test")
        let runs = try await HealthSchedule.runs(scope: scope, limit: 7)
        let zone = scope.zone.identifier
        func value(_ name: String, _ fallback: Double) -> String { form[name] ?? SuccessPages.number(ctx, fallback) }
        let byKind = Dictionary(uniqueKeysWithValues: model.components.map { ($0.kind, $0) })
        let rows: [[Node<HTML.BodyContext>]] = HealthComponentKind.allCases.map { k in
            let c = byKind[k]
            return [.label(.for("w-\(k.rawValue)"), .text(ctx.t("health." + k.rawValue))), .p(.class("small muted"), .text(ctx.t("measure." + k.rawValue))),
                    .input(.type(.text), .name("w_\(k.rawValue)"), .id("w-\(k.rawValue)"), .attribute(named: "size", value: "5"), .value(value("w_\(k.rawValue)", c?.weight ?? 0))),
                    .input(.type(.text), .name("z_\(k.rawValue)"), .attribute(named: "aria-label", value: ctx.t("health." + k.rawValue) + " " + ctx.t("0 points at")), .attribute(named: "size", value: "6"),
                           .value(value("z_\(k.rawValue)", c?.thresholds.zeroAt ?? HealthModel.standard.components.first { $0.kind == k }?.thresholds.zeroAt ?? 0))),
                    .input(.type(.text), .name("f_\(k.rawValue)"), .attribute(named: "aria-label", value: ctx.t("health." + k.rawValue) + " " + ctx.t("100 points at")), .attribute(named: "size", value: "6"),
                           .value(value("f_\(k.rawValue)", c?.thresholds.fullAt ?? HealthModel.standard.components.first { $0.kind == k }?.thresholds.fullAt ?? 1)))]
        }
        let formNode: Node<HTML.BodyContext> = .form(.method(.post), .action("/success/health"), Layout.csrfField(ctx),
            .raw(Layout.table(caption: ctx.t("Components: weights add up to 100; points run linearly from the first threshold (0) to the second (100)"),
                              headers: [ctx.t("Component"), ctx.t("Measure"), ctx.t("Weight %"), ctx.t("0 points at"), ctx.t("100 points at")], rows: rows).render()),
            .div(.class("filters spaced"),
                 JourneyWeb.field("red_below", ctx.t("Red below"), .input(.type(.text), .name("red_below"), .id("red_below"), .attribute(named: "size", value: "4"), .value(value("red_below", model.redBelow)))),
                 JourneyWeb.field("green_from", ctx.t("Green from"), .input(.type(.text), .name("green_from"), .id("green_from"), .attribute(named: "size", value: "4"), .value(value("green_from", model.greenFrom)))),
                 JourneyWeb.field("lead_days", ctx.t("Score read days before the outcome"), .input(.type(.number), .name("lead_days"), .id("lead_days"), .value("\(lead)"))),
                 .button(.type(.submit), .name("do"), .value("test"), .class("secondary"), .text(ctx.t("Back-test these weights"))),
                 .if(canConfigure, .button(.type(.submit), .name("do"), .value("save"), .text(ctx.t("Save as the model"))))))
        return Layout.render(ctx, title: title, status: status, active: "success", .group(
            .p(.a(.href("/success"), .text("← " + ctx.t("Portfolio")))),
            .h1(.text(title)),
            JourneyWeb.errorBox(ctx, error),
            .unwrap(notice) { .div(.class("notice"), .text($0)) },
            .div(.class("card"), .h2(.text(ctx.t("Weights and thresholds"))),
                 .p(.class("muted"), .text(ctx.t("A component without data for an account is left out and the others' weights are scaled up, so every score stays on 0–100 and says what it rests on."))),
                 .if(!models.bySegment.isEmpty, .p(.text(ctx.t("Segments with their own model") + ": " + models.bySegment.keys.sorted().joined(separator: ", ")))),
                 formNode,
                 .if(canConfigure, .form(.method(.post), .action("/success/health/recompute"), .class("spaced"), Layout.csrfField(ctx),
                                         .button(.type(.submit), .class("secondary"), .text(ctx.t("Recompute every account's health now")))))),
            runsCard(ctx, runs, hour: req.application.settings.healthHour, zone: zone),
            .div(.class("dash-grid"),
                 backTestCard(ctx, ctx.t("Back-test of the saved model"), current, id: "backtest-current"),
                 .unwrap(tried) { backTestCard(ctx, ctx.t("Back-test of the weights tried"), $0, id: "backtest-tried") })))
    }

    /// When the scores are computed, and the last runs: day, daily or by hand, how many accounts, how long, any error.
    static func runsCard(_ ctx: WebContext, _ runs: [HealthSchedule.RunDTO], hour: Int?, zone: String) -> Node<HTML.BodyContext> {
        let rows: [[Node<HTML.BodyContext>]] = runs.map { r in
            [.text(ctx.lang.date(r.computed_on)),
             .text(r.origin == "schedule" ? ctx.t("daily") : ctx.t("by hand") + " (" + r.claimed_by + ")"),
             .text(r.accounts.map { ctx.lang.number($0) } ?? "–"),
             .text(r.seconds.map { DashboardPages.number(ctx, $0, digits: 1) + " s" } ?? "–"),
             r.error.map { .span(.class("bad"), .text(ctx.t("failed") + ": " + $0)) } ?? (r.finished_at == nil ? .text(ctx.t("running")) : .text(ctx.t("done")))]
        }
        let when = hour.map { SuccessPages.fill(ctx.t("Every account's health is computed once a day, from {h}:00 ({zone}), by whichever Rapport node gets there first."),
                                                 ["h": String(format: "%02d", $0), "zone": zone]) }
            ?? ctx.t("The daily computation is turned off on this server (RAPPORT_HEALTH_HOUR=off): scores change only when someone recomputes them.")
        return .div(.class("card"), .id("health-runs"), .h2(.text(ctx.t("Daily computation"))), .p(.text(when)),
                    runs.isEmpty ? .p(.class("muted"), .text(ctx.t("No computation yet."))) :
                        Layout.table(caption: ctx.t("The latest computations"), headers: [ctx.t("Day"), ctx.t("How"), ctx.t("Accounts"), ctx.t("Time"), ctx.t("Status")], rows: rows))
    }

    static func backTestCard(_ ctx: WebContext, _ title: String, _ b: BackTestDTO?, id: String) -> Node<HTML.BodyContext> {
        guard let b else { return .div(.class("card"), .id(id), .h2(.text(title)), .p(.text(ctx.t("No data in this period")))) }
        let r = b.result
        let rows: [[Node<HTML.BodyContext>]] = r.bands.map { band in
            [.text(ctx.t("health." + band.band.rawValue)), .text(ctx.lang.number(band.accounts)), .text(ctx.lang.number(band.churned)),
             .text(band.accounts == 0 ? "–" : SuccessPages.percent(ctx, band.rate.estimate) + " (95 %: " + SuccessPages.percent(ctx, band.rate.low) + " – " + SuccessPages.percent(ctx, band.rate.high) + ")")]
        }
        return .div(.class("card"), .id(id), .h2(.text(title)),
            .p(.text(SuccessPages.fill(ctx.t("{n} renewals and churns from {from} to {to}, each with the health score {lead} days before; {c} churned. {w} outcomes had no score then."),
                                       ["n": "\(r.n)", "from": ctx.lang.date(b.from), "to": ctx.lang.date(b.to), "lead": "\(b.lead_days)", "c": "\(r.churned)", "w": "\(b.without_score)"]))),
            .unwrap(r.auc) { a in
                .div(.class("kpi"), .p(.class("big"), .text("AUC " + DashboardPages.number(ctx, a.auc, digits: 2))),
                     .p(.text("95 %: " + DashboardPages.number(ctx, a.low, digits: 2) + " – " + DashboardPages.number(ctx, a.high, digits: 2) + " (DeLong), n = \(a.positives + a.negatives)")),
                     .p(.class("small muted"), .text(ctx.t("The chance that a renewed account scored higher than a churned one: 0.5 is guessing, 1 is perfect."))))
            } ?? .p(.class("muted"), .text(ctx.t("An AUC needs at least one renewal and one churn with a score."))),
            Layout.table(caption: ctx.t("Churn per health band"), headers: [ctx.t("Band"), ctx.t("Outcomes"), ctx.t("Churned"), ctx.t("Churn rate")], rows: rows))
    }

    static func model(from form: [String: String]) throws -> HealthModel {
        var v = RapportKit.Validator()
        func number(_ name: String, _ label: String) -> Double? {
            guard let t = form[name]?.trimmed, !t.isEmpty else { v.fail(label, "is required"); return nil }
            guard let d = Double(t.replacingOccurrences(of: ",", with: ".")), d.isFinite else { v.fail(label, "'\(t)' is not a number"); return nil }
            return d
        }
        var components: [HealthComponent] = []
        for k in HealthComponentKind.allCases {
            let w = number("w_\(k.rawValue)", "\(k.rawValue).weight"), z = number("z_\(k.rawValue)", "\(k.rawValue).zero_at"), f = number("f_\(k.rawValue)", "\(k.rawValue).full_at")
            if let w, let z, let f { components.append(HealthComponent(kind: k, weight: w, thresholds: HealthThresholds(zeroAt: z, fullAt: f))) }
        }
        let red = number("red_below", "red_below"), green = number("green_from", "green_from")
        try v.finish()
        let model = HealthModel(components: components.filter { $0.weight != 0 }, redBelow: red!, greenFrom: green!)
        let problems = model.problems()
        if !problems.isEmpty {
            throw AppError.validation(problems.map { p in
                let parts = p.reason.split(separator: ":", maxSplits: 1)
                return parts.count == 2 ? FieldError(String(parts[0]), String(parts[1]).trimmed) : FieldError("model", p.reason)
            })
        }
        return model
    }

    static func submit(_ req: Request) async throws -> Response {
        let form = try SurveyForms.fields(req)
        do {
            let proposed = try model(from: form)
            if form["do"] == "save" {
                try req.caller.require(.configureHealth)
                try await SuccessAPI.saveModel(SuccessAPI.ModelInput(segment: nil, model: proposed), scope: try req.scope, caller: try req.caller)
                return try await render(req, form: [:], proposed: nil, error: nil, status: .ok,
                                        notice: WebContext.make(req).t("Saved. Recompute the health to score every account with it."))
            }
            return try await render(req, form: form, proposed: proposed, error: nil, status: .ok)
        } catch {
            guard let e = AppError(shown: error) else { throw error }
            return try await render(req, form: form, proposed: nil, error: e, status: e.status)
        }
    }

    static func recompute(_ req: Request) async throws -> Response {
        let r = try await HealthSchedule.recomputeNow(scope: try req.scope, by: try req.caller)
        let ctx = WebContext.make(req)
        return try await render(req, form: [:], proposed: nil, error: nil, status: .ok,
                                notice: SuccessPages.fill(ctx.t("Computed the health of {n} accounts in {s} s."), ["n": ctx.lang.number(r.accounts), "s": DashboardPages.number(ctx, r.seconds, digits: 1)]))
    }
}
