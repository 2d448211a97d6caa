import Fluent
import Foundation
import Plot
import RapportKit
import Vapor

/// The CSM's working page per account: risks, the Customer Success assessment, health with its
/// reasons, goals with KPIs and agreements, the success plan and its share link, usage. Every form
/// goes through the same functions as the API, so the checks and the audit are the same.
enum SuccessPages {
    static func href(_ account: UUID) -> String { "/accounts/" + FastUUID.text(account, lowercase: true) + "/success" }

    static func percent(_ ctx: WebContext, _ share: Double?) -> String {
        share.map { ctx.lang.number(Int(($0 * 100).rounded())) + " %" } ?? "–"
    }

    static func number(_ ctx: WebContext, _ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e12 ? ctx.lang.number(Int(value)) : DashboardPages.number(ctx, value, digits: 2)
    }

    static func fill(_ template: String, _ values: [String: String]) -> String {
        values.reduce(template) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }

    static func bandBadge(_ ctx: WebContext, _ score: Double?, _ band: String?) -> Node<HTML.BodyContext> {
        let b = badge(ctx, score, band)
        return .span(.class(b.cls), .text(b.text))
    }

    /// The health badge's class and text, for Plot pages (`bandBadge`) and rows written as markup.
    static func badge(_ ctx: WebContext, _ score: Double?, _ band: String?) -> (cls: String, text: String) {
        guard let score, let band else { return ("badge", ctx.t("no data")) }
        return (band == "red" ? "badge bad" : band == "green" ? "badge good" : "badge changed", "\(Int(score.rounded())) · " + ctx.t("health." + band))
    }

    /// A component's raw measure as people read it: shares in %, NPS and counts as whole numbers.
    static func measure(_ ctx: WebContext, _ kind: HealthComponentKind, _ raw: Double) -> String {
        switch kind {
        case .usage, .adoption, .goals: percent(ctx, raw)
        case .sentiment: "NPS " + ctx.lang.number(Int(raw.rounded()))
        case .support: ctx.lang.number(Int(raw.rounded()))
        case .relationship: ctx.lang.number(Int(raw.rounded())) + " " + ctx.t("days")
        }
    }

    static func progressBar(_ ctx: WebContext, _ p: Double?) -> Node<HTML.BodyContext> {
        guard let p else { return .text("–") }
        let clamped = min(max(p, 0), 1)
        return .group(.raw("<progress max=\"100\" value=\"\(Int((clamped * 100).rounded()))\"></progress> "), .text(percent(ctx, p)))
    }

    // MARK: the account's page

    static func show(_ req: Request) async throws -> Response {
        try await render(req, error: nil, form: [:], status: .ok)
    }

    static func render(_ req: Request, error: AppError?, form: [String: String], status: HTTPResponseStatus, shareURL: String? = nil) async throws -> Response {
        let ctx = WebContext.make(req)
        let scope = try req.scope
        let account = try await scope.find(Account.self, parameter: "id", of: req)
        let id = account.id!
        let o = try await SuccessOverview.load(accounts: [account.id!], scope: scope)
        let usage = try await UsageReads.summary(account: id, asOf: o.today, scope: scope)
        let history = try await HealthEngine.history(account: id, scope: scope)
        let contacts = try await scope.query(Contact.self).filter(\.$accountID == id).filter(\.$erasedAt == nil).sort(\.$lastName).all()
        let members = try await Membership.query(on: scope.db).filter(\.$workspace.$id == scope.workspaceID).with(\.$user).all().sorted { $0.user.name < $1.user.name }
        let memberNames = Dictionary(uniqueKeysWithValues: members.map { ($0.$user.id, $0.user.name) })
        let contactNames = Dictionary(uniqueKeysWithValues: contacts.map { ($0.id!, [$0.firstName, $0.lastName].compactMap { $0 }.joined(separator: " ")) })
        let canWrite = ctx.caller?.role.can(.writeSuccess) == true
        let title = ctx.t("Customer Success") + ": " + account.name
        let action = href(id)
        let w = Widgets(ctx: ctx, action: action, form: form, contacts: contacts, contactNames: contactNames, members: members, memberNames: memberNames, canWrite: canWrite)
        let tasks = try await scope.query(CSTask.self).filter(\.$accountID == id).filter(\.$status == "open").sort(\.$dueOn).limit(200).all()
        let meetings = try await MeetingsAPI.meetings(account: id, scope: scope, limit: 6)
        let advocacy = try await scope.query(AdvocacyItem.self).filter(\.$accountID == id).sort(\.$createdAt, .descending).limit(100).all()
        let peers = try await PeersAPI.benchmark(account: account, scope: scope, today: o.today)
        // A form that failed keeps what was typed only in its own card.
        let formOf = form["_card"] ?? ""
        func widgets(_ card: String) -> Widgets {
            Widgets(ctx: ctx, action: action, form: formOf == card ? form : [:], contacts: contacts, contactNames: contactNames, members: members, memberNames: memberNames, canWrite: canWrite)
        }

        return Layout.render(ctx, title: title, status: status, active: "success", .group(
            .p(.a(.href("/accounts/\(id.uuidString.lowercased())"), .text("← " + account.name)), .text(" · "), .a(.href("/success"), .text(ctx.t("Portfolio")))),
            .h1(.text(title)),
            JourneyWeb.errorBox(ctx, error),
            .unwrap(shareURL) { url in
                .div(.class("notice"), .p(.strong(.text(ctx.t("Share link — shown only now; copy it for the customer:")))), .p(.class("token"), .id("share-url"), .text(url)))
            },
            risksCard(ctx, o.risks(id)),
            assessmentCard(ctx, o.book.assessment(of: id)),
            healthCard(ctx, o.health[id], history: history),
            SuccessOperationsPages.tasksCard(widgets("tasks"), tasks: tasks, today: o.today),
            goalsCard(formOf.isEmpty ? w : widgets("goals"), book: o.book, account: id),
            planCard(formOf.isEmpty ? w : widgets("plan"), plan: o.plans[id], milestones: o.plans[id].flatMap { o.milestones[$0.id!] } ?? [], today: o.today),
            SuccessOperationsPages.meetingsCard(widgets("meetings"), meetings: meetings, today: o.today),
            SuccessOperationsPages.advocacyCard(widgets("advocacy"), items: advocacy),
            usageCard(ctx, usage),
            SuccessOperationsPages.peersCard(ctx, peers)
        ))
    }

    /// What the form builders share.
    struct Widgets {
        let ctx: WebContext
        let action: String
        let form: [String: String]
        let contacts: [Contact]
        let contactNames: [UUID: String]
        let members: [Membership]
        let memberNames: [UUID: String]
        let canWrite: Bool

        func value(_ name: String, _ fallback: String = "") -> String { form[name] ?? fallback }

        func post(_ what: String, hidden extra: [(String, String)] = [], cls: String = "filters", _ nodes: Node<HTML.FormContext>...) -> Node<HTML.BodyContext> {
            .form(.method(.post), .action(action + "/" + what), .class(cls), Layout.csrfField(ctx),
                  .forEach(extra) { .input(.type(.hidden), .name($0.0), .value($0.1)) }, .group(nodes))
        }

        func contactSelect(_ name: String, selected: UUID?) -> Node<HTML.FormContext> {
            JourneyWeb.select(name, [("", "—")] + contacts.map { ($0.id!.uuidString.lowercased(), contactNames[$0.id!] ?? "") },
                              selected: value(name, selected?.uuidString.lowercased() ?? ""))
        }

        func memberSelect(_ name: String, selected: UUID?) -> Node<HTML.FormContext> {
            JourneyWeb.select(name, [("", "—")] + members.map { ($0.$user.id.uuidString.lowercased(), $0.user.name) },
                              selected: value(name, selected?.uuidString.lowercased() ?? ""))
        }
    }

    static func risksCard(_ ctx: WebContext, _ risks: [RiskSignal]) -> Node<HTML.BodyContext> {
        .div(.class("card"), .id("risks"), .h2(.text(ctx.t("Risk signals"))),
             risks.isEmpty ? .p(.class("good"), .text(ctx.t("No risk signal."))) :
                .ul(.class("plain"), .forEach(risks) { r in
                    .li(.span(.class(r.severity == "high" ? "badge bad" : "badge changed"), .text(ctx.t("risk." + r.kind))), .text(" " + r.detail))
                }))
    }

    static func assessmentCard(_ ctx: WebContext, _ a: SuccessAssessment) -> Node<HTML.BodyContext> {
        func dim(_ name: String, _ d: DimensionScore, _ explanation: String) -> Node<HTML.BodyContext> {
            .div(.class("stat"), .div(.class("l"), .text(ctx.t(name))), .div(.class("n"), .text(percent(ctx, d.value))),
                 .p(.class("small muted"), .text(explanation)))
        }
        let assessed = a.reached + a.partly + a.notReached
        let attained = a.reached + a.partly
        return .div(.class("card"), .id("assessment"), .h2(.text(ctx.t("Customer Success assessment"))),
            a.goals == 0 ? .p(.class("muted"), .text(ctx.t("No goals yet: the assessment starts with the customer's goals."))) :
            .div(.class("stats"),
                 dim("Valence", a.valence, fill(ctx.t("{a} reached, {b} partly, {c} not reached of {n} assessed goals; {o} still open. Partly counts half."),
                                               ["a": "\(a.reached)", "b": "\(a.partly)", "c": "\(a.notReached)", "n": "\(assessed)", "o": "\(a.open)"])),
                 dim("Congruence", a.congruence, fill(ctx.t("Ex ante {x} of {n} goals agreed by both sides; ex post {y} of {m} attained goals signed off by both."),
                                                     ["x": "\(Int(a.exAnteCongruence.numerator))", "n": "\(a.exAnteCongruence.denominator)",
                                                      "y": "\(Int(a.exPostCongruence.numerator))", "m": "\(attained)"])),
                 dim("Certainty", a.certainty, fill(ctx.t("{x} of {n} assessed goals are backed by measured KPI values; the rest rests on judgement."),
                                                   ["x": "\(Int(a.certainty.numerator))", "n": "\(a.certainty.denominator)"]))))
    }

    static func healthCard(_ ctx: WebContext, _ h: HealthScoreDTO?, history: [HealthScoreDTO]) -> Node<HTML.BodyContext> {
        guard let h else {
            return .div(.class("card"), .id("health"), .h2(.text(ctx.t("Health"))), .p(.class("muted"), .text(ctx.t("Not computed yet. Recompute it under Portfolio → Health model."))))
        }
        let points = history.map { TrendPoint(label: $0.computed_on, value: $0.score, n: 1, state: .shown) }
        let labels = TrendLabels(title: ctx.t("Health over time"), description: ctx.t("Health score 0–100 at each computation."), yAxis: ctx.t("Health"),
                                 noData: ctx.t("No data in this period"), pointTitle: { p in "\(p.label): " + (p.value.map { String(Int($0.rounded())) } ?? "–") })
        let rows: [[Node<HTML.BodyContext>]] = h.contributions.map { c in
            [.text(ctx.t("health." + c.kind.rawValue)), .text(c.raw.map { measure(ctx, c.kind, $0) } ?? ctx.t("no data")),
             .text(c.points.map { String(Int($0.rounded())) } ?? "–"), .text(number(ctx, c.weight) + " %" + (c.raw != nil && abs(c.effectiveWeight - c.weight) > 0.01 ? " → " + number(ctx, (c.effectiveWeight * 10).rounded() / 10) + " %" : "")),
             .strong(.text(DashboardPages.number(ctx, c.contribution, digits: 1)))]
        }
        return .div(.class("card"), .id("health"), .h2(.text(ctx.t("Health"))),
            .p(bandBadge(ctx, h.score, h.band), .text(" " + ctx.t("computed on") + " " + ctx.lang.date(h.computed_on))),
            .unwrap(h.previous) { p in
                .group(.p(.text(fill(ctx.t("Since {d}: {s} → {t}."), ["d": ctx.lang.date(p.computed_on), "s": p.score.map { String(Int($0.rounded())) } ?? "–",
                                                                         "t": h.score.map { String(Int($0.rounded())) } ?? "–"]))),
                       .if(!p.changes.isEmpty, .ul(.class("small"), .forEach(p.changes) { c in
                           .li(.text(ctx.t("health." + c.kind.rawValue) + ": " + (c.delta >= 0 ? "+" : "") + DashboardPages.number(ctx, c.delta, digits: 1) + " " + ctx.t("points")))
                       })))
            },
            Layout.table(caption: ctx.t("Each component's contribution (points × weight; missing components are left out and the weights renormalised)"),
                         headers: [ctx.t("Component"), ctx.t("Measure"), ctx.t("Points 0–100"), ctx.t("Weight"), ctx.t("Contribution")], rows: rows),
            .if(history.count > 1, .div(.class("chart"), .raw(Charts.trendChart(id: "health-trend", series: [TrendSeries(name: ctx.t("Health"), points: points)],
                                                                               scale: 0...100, labels: labels)))))
    }

    static func goalsCard(_ w: Widgets, book: GoalBook, account: UUID) -> Node<HTML.BodyContext> {
        let ctx = w.ctx
        let tree = book.tree(of: account)
        let goalOptions = [("", "—")] + tree.map { ($0.goal.id!.uuidString.lowercased(), String(repeating: "· ", count: $0.depth) + $0.goal.title) }
        return .div(.class("card"), .id("goals"), .h2(.text(ctx.t("Goals"))),
            .p(.class("muted"), .text(ctx.t("The customer's goals as the customer sees them: superordinate (why), focal (what), subordinate (how). Both sides agree on each before, and sign off after."))),
            tree.isEmpty ? .p(.text(ctx.t("No goals yet."))) : .div(.forEach(tree) { goalNode(w, $0.goal, depth: $0.depth, book: book) }),
            .if(w.canWrite, .element(named: "details", nodes: [
                .element(named: "summary", text: ctx.t("Add a goal")),
                w.post("goal", cls: "filters spaced",
                       JourneyWeb.field("title", ctx.t("Goal"), JourneyWeb.text("title", value: w.value("title"), required: true, wide: true)),
                       JourneyWeb.field("level", ctx.t("Level"), JourneyWeb.select("level", GoalLevel.allCases.map { ($0.rawValue, ctx.t("goal." + $0.rawValue)) }, selected: w.value("level", "focal"))),
                       JourneyWeb.field("horizon", ctx.t("Horizon"), JourneyWeb.select("horizon", GoalHorizon.allCases.map { ($0.rawValue, ctx.t("goal." + $0.rawValue)) }, selected: w.value("horizon", "strategic"))),
                       JourneyWeb.field("parent_id", ctx.t("Below"), JourneyWeb.select("parent_id", goalOptions, selected: w.value("parent_id"))),
                       JourneyWeb.field("customer_owner_id", ctx.t("Owner at the customer"), w.contactSelect("customer_owner_id", selected: nil)),
                       JourneyWeb.field("vendor_owner_id", ctx.t("Our owner"), w.memberSelect("vendor_owner_id", selected: w.ctx.caller?.userID)),
                       JourneyWeb.field("description", ctx.t("Description"), JourneyWeb.text("description", value: w.value("description"), wide: true)),
                       .button(.type(.submit), .text(ctx.t("Add goal")))),
            ])))
    }

    static func goalNode(_ w: Widgets, _ g: Goal, depth: Int, book: GoalBook) -> Node<HTML.BodyContext> {
        let ctx = w.ctx
        let gid = g.id!.uuidString.lowercased()
        func agreementText(_ stage: AgreementStage, _ side: AgreementSide) -> Node<HTML.BodyContext> {
            if let a = book.agreement(g, stage, side) {
                return .span(.class("badge good"), .text("✓ " + ctx.t("side." + side.rawValue) + ": " + a.byName + ", " + ctx.lang.date(DateOnly(a.createdAt, in: ctx.zone).iso)))
            }
            return .span(.class("badge"), .text("○ " + ctx.t("side." + side.rawValue)))
        }
        let kpis = book.kpiDTOs(g)
        let kpiRows: [[Node<HTML.BodyContext>]] = kpis.map { k in
            let kid = k.id.uuidString.lowercased()
            let record: Node<HTML.BodyContext> = !w.canWrite ? .empty : k.source == "manual"
                ? w.post("kpi-value", hidden: [("kpi_id", kid)], cls: "inline",
                         .input(.type(.text), .name("value"), .attribute(named: "aria-label", value: ctx.t("Value")), .attribute(named: "size", value: "6"), .attribute(named: "inputmode", value: "decimal")),
                         .input(.type(.date), .name("measured_on"), .attribute(named: "aria-label", value: ctx.t("Measured on")), .value(ctx.today.iso)),
                         .button(.type(.submit), .class("small"), .text(ctx.t("Record"))))
                : w.post("kpi-measure", hidden: [("kpi_id", kid)], cls: "inline", .button(.type(.submit), .class("small"), .text(ctx.t("Measure from data"))))
            return [.text(k.name), .text(number(ctx, k.baseline) + " " + k.unit + " (" + ctx.lang.date(k.baseline_on) + ")"),
                    .text(number(ctx, k.target) + " " + k.unit + " (" + ctx.lang.date(k.deadline) + ")"),
                    .text(k.current.map { number(ctx, ($0 * 100).rounded() / 100) + " " + k.unit + " (" + ctx.lang.date(k.measured_on) + ")" } ?? "–"),
                    progressBar(ctx, k.progress), .text(ctx.t("source." + k.source) + (k.source_ref.map { " · " + $0 } ?? "")), record]
        }
        let attained = ["partly", "fully"].contains(g.attainment)
        return .div(.class("goal"), .id("goal-" + gid), .attribute(named: "style", value: ""),
            .h3(.text(String(repeating: "↳ ", count: depth) + g.title), .text(" "),
                .span(.class("badge"), .text(ctx.t("goal." + g.level))), .text(" "), .span(.class("badge"), .text(ctx.t("goal." + g.horizon))), .text(" "),
                .span(.class(g.attainment == "fully" ? "badge good" : g.attainment == "none" ? "badge bad" : "badge"), .text(ctx.t("attainment." + g.attainment))),
                .if(g.revision > 1, .span(.class("badge changed"), .text(" " + ctx.t("version") + " \(g.revision)")))),
            .unwrap(g.description) { .p(.text($0)) },
            .p(.class("small"), .text(ctx.t("Owners") + ": " + (g.vendorOwnerID.flatMap { w.memberNames[$0] } ?? "—") + " / " + (g.customerOwnerID.flatMap { w.contactNames[$0] } ?? ctx.t("no owner at the customer")))),
            .p(.class("badges"), .text(ctx.t("Agreed (ex ante)") + ":"), agreementText(.exAnte, .vendor), agreementText(.exAnte, .customer),
               .if(attained, .group(.text(ctx.t("Signed off (ex post)") + ":"), agreementText(.exPost, .vendor), agreementText(.exPost, .customer)))),
            kpis.isEmpty ? .p(.class("muted small"), .text(ctx.t("No KPI yet: without one, attainment rests on judgement."))) :
                Layout.table(headers: [ctx.t("KPI"), ctx.t("Baseline"), ctx.t("Target"), ctx.t("Current"), ctx.t("Progress"), ctx.t("Source"), ""], rows: kpiRows),
            .if(w.canWrite, .div(.class("badges spaced"),
                .if(book.agreement(g, .exAnte, .vendor) == nil, w.post("agree", hidden: [("goal_id", gid), ("stage", "ex_ante"), ("side", "vendor")], cls: "inline",
                                                                       .button(.type(.submit), .class("small"), .text(ctx.t("Agree as vendor"))))),
                .if(attained && book.agreement(g, .exPost, .vendor) == nil, w.post("agree", hidden: [("goal_id", gid), ("stage", "ex_post"), ("side", "vendor")], cls: "inline",
                                                                                   .button(.type(.submit), .class("small"), .text(ctx.t("Sign off as vendor"))))),
                w.post("attainment", hidden: [("goal_id", gid)], cls: "inline",
                       JourneyWeb.select("attainment", GoalAttainment.allCases.map { ($0.rawValue, ctx.t("attainment." + $0.rawValue)) }, selected: g.attainment, id: "attainment-" + gid),
                       .button(.type(.submit), .class("small secondary"), .text(ctx.t("Set attainment")))))),
            .if(w.canWrite, .element(named: "details", nodes: [
                .element(named: "summary", text: ctx.t("Record the customer's agreement")),
                w.post("agree", hidden: [("goal_id", gid), ("side", "customer")],
                       JourneyWeb.field("by_name-" + gid, ctx.t("Who agreed at the customer"), .input(.type(.text), .name("by_name"), .id("by_name-" + gid))),
                       JourneyWeb.field("stage-" + gid, ctx.t("What"), JourneyWeb.select("stage", [("ex_ante", ctx.t("Agreed what success looks like")), ("ex_post", ctx.t("Signed off that it was reached"))], id: "stage-" + gid)),
                       .button(.type(.submit), .class("small"), .text(ctx.t("Record")))),
            ])),
            .if(w.canWrite, .element(named: "details", nodes: [
                .element(named: "summary", text: ctx.t("Add a KPI")),
                w.post("kpi", hidden: [("goal_id", gid)],
                       JourneyWeb.field("kpi-name-" + gid, ctx.t("KPI"), .input(.type(.text), .name("name"), .id("kpi-name-" + gid))),
                       JourneyWeb.field("kpi-unit-" + gid, ctx.t("Unit"), .input(.type(.text), .name("unit"), .id("kpi-unit-" + gid), .attribute(named: "size", value: "6"))),
                       JourneyWeb.field("kpi-baseline-" + gid, ctx.t("Baseline"), .input(.type(.text), .name("baseline"), .id("kpi-baseline-" + gid), .attribute(named: "size", value: "6"))),
                       JourneyWeb.field("kpi-baseline-on-" + gid, ctx.t("Baseline date"), .input(.type(.date), .name("baseline_on"), .id("kpi-baseline-on-" + gid), .value(ctx.today.iso))),
                       JourneyWeb.field("kpi-target-" + gid, ctx.t("Target"), .input(.type(.text), .name("target"), .id("kpi-target-" + gid), .attribute(named: "size", value: "6"))),
                       JourneyWeb.field("kpi-deadline-" + gid, ctx.t("Deadline"), .input(.type(.date), .name("deadline"), .id("kpi-deadline-" + gid))),
                       JourneyWeb.field("kpi-source-" + gid, ctx.t("Source"), JourneyWeb.select("source", KPISource.allCases.map { ($0.rawValue, ctx.t("source." + $0.rawValue)) }, id: "kpi-source-" + gid)),
                       JourneyWeb.field("kpi-ref-" + gid, ctx.t("Usage: feature or active_users"), .input(.type(.text), .name("source_ref"), .id("kpi-ref-" + gid))),
                       .button(.type(.submit), .text(ctx.t("Add KPI")))),
            ])),
            .if(w.canWrite, .element(named: "details", nodes: [
                .element(named: "summary", text: ctx.t("Reset the goal (keeps this version)")),
                w.post("reset", hidden: [("goal_id", gid), ("version", "\(g.version)")],
                       JourneyWeb.field("reset-title-" + gid, ctx.t("Goal"), .input(.type(.text), .name("title"), .id("reset-title-" + gid), .value(g.title), .class("wide"))),
                       JourneyWeb.field("reset-description-" + gid, ctx.t("Description"), .input(.type(.text), .name("description"), .id("reset-description-" + gid), .value(g.description ?? ""), .class("wide"))),
                       JourneyWeb.field("reset-reason-" + gid, ctx.t("Why it changes"), .input(.type(.text), .name("reason"), .id("reset-reason-" + gid), .class("wide"))),
                       .button(.type(.submit), .class("secondary"), .text(ctx.t("Reset goal")))),
            ])))
    }

    static func planCard(_ w: Widgets, plan: SuccessPlan?, milestones: [PlanMilestone], today: DateOnly) -> Node<HTML.BodyContext> {
        let ctx = w.ctx
        guard let plan else {
            return .div(.class("card"), .id("plan"), .h2(.text(ctx.t("Success plan"))),
                        .p(.class("muted"), .text(ctx.t("No success plan yet."))),
                        .if(w.canWrite, w.post("plan", JourneyWeb.field("plan-title", ctx.t("Title"), .input(.type(.text), .name("title"), .id("plan-title"), .value(ctx.t("Success plan")))),
                                               .button(.type(.submit), .text(ctx.t("Create success plan"))))))
        }
        let dto = PlansAPI.dto(plan, milestones: milestones)
        let phaseRows: [[Node<HTML.BodyContext>]] = SuccessPhase.allCases.map { ph in
            let d = dto.phases[ph.rawValue]
            let late = d?.actual == nil && (d?.planned.map { $0 < today.iso } ?? false)
            return [.text(ctx.t("phase." + ph.rawValue)), .text(ctx.lang.date(d?.planned)),
                    .text(d?.actual.map { ctx.lang.date($0) } ?? (late ? ctx.t("overdue") : "–"))]
        }
        let msRows: [[Node<HTML.BodyContext>]] = milestones.map { m in
            let overdue = m.doneOn == nil && m.dueOn < today.iso
            return [.text(m.title), .text(ctx.t("phase." + m.phase)), .text(ctx.lang.date(m.dueOn)),
                    m.doneOn.map { .span(.class("good"), .text("✓ " + ctx.lang.date($0))) } ?? .span(.class(overdue ? "bad" : "muted"), .text(overdue ? ctx.t("overdue") : ctx.t("open"))),
                    .if(w.canWrite && m.doneOn == nil, w.post("milestone-done", hidden: [("milestone_id", m.id!.uuidString.lowercased())], cls: "inline",
                                                              .button(.type(.submit), .class("small"), .text(ctx.t("Mark reached")))))]
        }
        let phases = dto.phases
        return .div(.class("card"), .id("plan"), .h2(.text(ctx.t("Success plan")) , .text(": " + plan.title)),
            .dl(.class("facts"),
                .dt(.text(ctx.t("Owners"))), .dd(.text((plan.vendorOwnerID.flatMap { w.memberNames[$0] } ?? "—") + " / " + (plan.customerOwnerID.flatMap { w.contactNames[$0] } ?? ctx.t("no owner at the customer")))),
                .dt(.text(ctx.t("Top 3 priorities"))), .dd(dto.priorities.isEmpty ? .text("–") : .ol(.forEach(dto.priorities) { .li(.text($0)) })),
                .dt(.text(ctx.t("Budget"))), .dd(.text(dto.budget.map { ctx.lang.money($0, dto.currency ?? "") } ?? "–")),
                .dt(.text(ctx.t("Sales promised"))), .dd(.text(dto.promised ?? "–")),
                .dt(.text(ctx.t("Realistic"))), .dd(.text(dto.realistic ?? "–")),
                .dt(.text(ctx.t("Visibility"))), .dd(.text(dto.shared ? ctx.t("Shared with the customer since") + " " + ctx.lang.dateTime(dto.shared_at, zone: ctx.zone) : ctx.t("Internal")))),
            Layout.table(caption: ctx.t("Phases: planned and actual"), headers: [ctx.t("Phase"), ctx.t("Planned"), ctx.t("Actual")], rows: phaseRows),
            milestones.isEmpty ? .p(.class("muted"), .text(ctx.t("No milestones yet."))) :
                Layout.table(caption: ctx.t("Milestones"), headers: [ctx.t("Milestone"), ctx.t("Phase"), ctx.t("Due"), ctx.t("Status"), ""], rows: msRows),
            .if(w.canWrite, .group(
                .div(.class("badges spaced"),
                     w.post("share", cls: "inline", .button(.type(.submit), .text(dto.shared ? ctx.t("Make a new share link") : ctx.t("Share with the customer")))),
                     .if(dto.shared, w.post("revoke", cls: "inline", .button(.type(.submit), .class("danger"), .text(ctx.t("Revoke the share link")))))),
                .element(named: "details", nodes: [
                    .element(named: "summary", text: ctx.t("Add a milestone")),
                    w.post("milestone",
                           JourneyWeb.field("ms-title", ctx.t("Milestone"), .input(.type(.text), .name("title"), .id("ms-title"))),
                           JourneyWeb.field("ms-phase", ctx.t("Phase"), JourneyWeb.select("phase", SuccessPhase.allCases.map { ($0.rawValue, ctx.t("phase." + $0.rawValue)) }, id: "ms-phase")),
                           JourneyWeb.field("ms-due", ctx.t("Due"), .input(.type(.date), .name("due_on"), .id("ms-due"))),
                           .button(.type(.submit), .text(ctx.t("Add milestone")))),
                ]),
                .element(named: "details", nodes: [
                    .element(named: "summary", text: ctx.t("Edit the plan")),
                    w.post("plan-edit", hidden: [("version", "\(plan.version)")],
                           JourneyWeb.field("plan-title", ctx.t("Title"), .input(.type(.text), .name("title"), .id("plan-title"), .value(w.value("title", plan.title)))),
                           JourneyWeb.field("plan-vendor", ctx.t("Our owner"), w.memberSelect("vendor_owner_id", selected: plan.vendorOwnerID)),
                           JourneyWeb.field("plan-customer", ctx.t("Owner at the customer"), w.contactSelect("customer_owner_id", selected: plan.customerOwnerID)),
                           .forEach(0..<3) { i in
                               JourneyWeb.field("priority\(i + 1)", ctx.t("Priority") + " \(i + 1)",
                                                .input(.type(.text), .name("priority\(i + 1)"), .id("priority\(i + 1)"), .value(w.value("priority\(i + 1)", i < dto.priorities.count ? dto.priorities[i] : ""))))
                           },
                           JourneyWeb.field("plan-budget", ctx.t("Budget"), .input(.type(.text), .name("budget"), .id("plan-budget"), .value(w.value("budget", dto.budget.map { "\($0)" } ?? "")))),
                           JourneyWeb.field("plan-currency", ctx.t("Currency"), .input(.type(.text), .name("currency"), .id("plan-currency"), .attribute(named: "size", value: "4"), .value(w.value("currency", dto.currency ?? "EUR")))),
                           JourneyWeb.field("plan-promised", ctx.t("Sales promised"), .input(.type(.text), .name("promised"), .id("plan-promised"), .class("wide"), .value(w.value("promised", dto.promised ?? "")))),
                           JourneyWeb.field("plan-realistic", ctx.t("Realistic"), .input(.type(.text), .name("realistic"), .id("plan-realistic"), .class("wide"), .value(w.value("realistic", dto.realistic ?? "")))),
                           .forEach(SuccessPhase.allCases) { ph in
                               .group(JourneyWeb.field("\(ph.rawValue)_planned", ctx.t("phase." + ph.rawValue) + ": " + ctx.t("Planned"),
                                                       .input(.type(.date), .name("\(ph.rawValue)_planned"), .id("\(ph.rawValue)_planned"), .value(w.value("\(ph.rawValue)_planned", phases[ph.rawValue]?.planned ?? "")))),
                                      JourneyWeb.field("\(ph.rawValue)_actual", ctx.t("phase." + ph.rawValue) + ": " + ctx.t("Actual"),
                                                       .input(.type(.date), .name("\(ph.rawValue)_actual"), .id("\(ph.rawValue)_actual"), .value(w.value("\(ph.rawValue)_actual", phases[ph.rawValue]?.actual ?? "")))))
                           },
                           .button(.type(.submit), .text(ctx.t("Save plan")))),
                ]))))
    }

    static func usageCard(_ ctx: WebContext, _ u: AccountUsageDTO) -> Node<HTML.BodyContext> {
        .div(.class("card"), .id("usage"), .h2(.text(ctx.t("Usage"))),
             u.events_28_days == 0 && u.active_users == 0 && u.previous_active_users == 0 ? .p(.class("muted"), .text(ctx.t("No usage events in the last eight weeks."))) :
             .group(
                .div(.class("stats"),
                     .div(.class("stat"), .div(.class("l"), .text(ctx.t("Active users, last 4 weeks"))), .div(.class("n"), .text(ctx.lang.number(u.active_users))),
                          .p(.class(u.dropped ? "small bad" : "small muted"), .text(ctx.t("4 weeks before") + ": \(ctx.lang.number(u.previous_active_users))" + (u.change.map { " (" + ($0 >= 0 ? "+" : "") + percent(ctx, $0) + ")" } ?? "")))),
                     .div(.class("stat"), .div(.class("l"), .text(ctx.t("Licence utilisation"))), .div(.class("n"), .text(percent(ctx, u.utilisation))),
                          .p(.class("small muted"), .text(u.seats.map { "\(ctx.lang.number(u.active_users)) / \(ctx.lang.number($0)) " + ctx.t("seats") } ?? ctx.t("No seats on the contracts")))),
                     .div(.class("stat"), .div(.class("l"), .text(ctx.t("Feature breadth"))), .div(.class("n"), .text(percent(ctx, u.breadth))),
                          .p(.class("small muted"), .text("\(u.features_used) / \(u.features_available) " + ctx.t("features used in the workspace")))),
                     .div(.class("stat"), .div(.class("l"), .text(ctx.t("Events, last 28 days"))), .div(.class("n"), .text(ctx.lang.number(u.events_28_days))))),
                Layout.table(caption: ctx.t("Events per feature, last 28 days"), headers: [ctx.t("Feature"), ctx.t("Events")],
                             rows: u.features.prefix(12).map { [.text($0.feature), .text(ctx.lang.number($0.events))] })))
    }

    // MARK: forms

    static func act(_ req: Request) async throws -> Response {
        let fields = try SurveyForms.fields(req)
        let scope = try req.scope
        let caller = try req.caller
        let account = try await scope.find(Account.self, parameter: "id", of: req)
        let action = req.parameters.get("action") ?? ""
        func uuid(_ name: String) throws -> UUID {
            guard let t = fields[name], let id = UUID(uuidString: t) else { throw AppError.invalid(name, "is missing or not an id") }
            return id
        }
        func optionalUUID(_ name: String) -> UUID? { fields[name].flatMap { $0.isEmpty ? nil : UUID(uuidString: $0) } }
        func goal() async throws -> Goal {
            let g = try await scope.find(Goal.self, try uuid("goal_id"))
            guard g.accountID == account.id else { throw AppError.notFound(entity: "goal") }
            return g
        }
        func decimal(_ name: String) throws -> Double? {
            guard let t = fields[name]?.trimmed, !t.isEmpty else { return nil }
            guard let d = Double(t.replacingOccurrences(of: ",", with: ".")), d.isFinite else { throw AppError.invalid(name, "'\(t)' is not a number") }
            return d
        }
        var shareURL: String?
        var anchor: String?
        do {
            switch action {
            case _ where SuccessOperationsPages.accountActions.contains(action):
                do {
                    anchor = try await SuccessOperationsPages.act(action, fields: fields, account: account, scope: scope, caller: caller)
                } catch {
                    guard let e = AppError(shown: error) else { throw error }
                    var kept = fields
                    kept["_card"] = action.hasPrefix("task") ? "tasks" : action == "meeting" ? "meetings" : "advocacy"
                    return try await render(req, error: e, form: kept, status: e.status)
                }
            case "goal":
                var input = GoalInput()
                input.account_id = account.id; input.title = fields["title"]; input.level = fields["level"]; input.horizon = fields["horizon"]
                input.description = .set(fields["description"].flatMap { $0.trimmed.isEmpty ? nil : $0 })
                input.parent_id = .set(optionalUUID("parent_id")); input.customer_owner_id = .set(optionalUUID("customer_owner_id"))
                input.vendor_owner_id = .set(optionalUUID("vendor_owner_id"))
                _ = try await GoalsAPI.insert(input, by: caller, on: req.db)
            case "reset":
                let g = try await goal()
                var input = GoalInput()
                input.title = fields["title"]; input.description = .set(fields["description"].flatMap { $0.trimmed.isEmpty ? nil : $0 }); input.reason = fields["reason"]
                _ = try await GoalsAPI.change(g.id, input, by: caller, on: req.db, check: JourneyWeb.openedAt(fields["version"].flatMap(Int.init), "goal"))
            case "attainment":
                let g = try await goal()
                var input = GoalInput()
                input.attainment = fields["attainment"]
                _ = try await GoalsAPI.change(g.id, input, by: caller, on: req.db)
            case "agree":
                let g = try await goal()
                guard let stage = AgreementStage(rawValue: fields["stage"] ?? "") else { throw AppError.invalid("stage", "choose ex_ante or ex_post") }
                guard let side = AgreementSide(rawValue: fields["side"] ?? "") else { throw AppError.invalid("side", "choose vendor or customer") }
                var by = WebContext.make(req).userName ?? caller.label
                if side == .customer {
                    var v = RapportKit.Validator()
                    by = v.text("by_name", fields["by_name"], required: true, maxLength: 200) ?? ""
                    try v.finish()
                }
                try await GoalsAPI.record(goal: g, stage: stage, side: side, by: by, via: "web", note: nil, caller: caller, on: req.db)
            case "kpi":
                let g = try await goal()
                var v = RapportKit.Validator()
                let baseline = try decimal("baseline"), target = try decimal("target")
                if baseline == nil { v.fail("baseline", "is required: where the KPI starts") }
                if target == nil { v.fail("target", "is required: where the KPI should get to") }
                try v.finish()
                let source = fields["source"] ?? "manual"
                let ref = fields["source_ref"].flatMap { $0.trimmed.isEmpty ? nil : $0.trimmed }
                _ = try await KPIsAPI.insert(KPIInput(name: fields["name"], unit: fields["unit"], baseline: baseline, baseline_on: fields["baseline_on"],
                                                      target: target, deadline: fields["deadline"], source: source, source_ref: source == "manual" ? nil : ref),
                                             goal: g, by: caller, on: req.db)
            case "kpi-value", "kpi-measure":
                let k = try await scope.find(GoalKPI.self, try uuid("kpi_id"))
                let g = try await scope.find(Goal.self, k.goalID)
                guard g.accountID == account.id else { throw AppError.notFound(entity: "KPI") }
                if action == "kpi-measure" { _ = try await KPIsAPI.measure(k, scope: scope, by: caller) }
                else {
                    guard let value = try decimal("value") else { throw AppError.invalid("value", "is required") }
                    _ = try await KPIsAPI.record(MeasurementInput(measured_on: fields["measured_on"], value: value, note: nil), kpi: k, by: caller, on: req.db)
                }
            case "plan":
                var input = PlanInput()
                input.account_id = account.id; input.title = fields["title"]; input.vendor_owner_id = .set(caller.userID)
                _ = try await PlansAPI.insert(input, by: caller, on: req.db)
            case "plan-edit", "share", "revoke", "milestone":
                guard let plan = try await scope.query(SuccessPlan.self).filter(\.$accountID == account.id!).first() else { throw AppError.notFound(entity: "success plan") }
                switch action {
                case "share": shareURL = try await PlansAPI.share(plan, base: PublicURL.base(req.application), by: caller, on: req.db)
                case "revoke": try await PlansAPI.revoke(plan, by: caller, on: req.db)
                case "milestone":
                    _ = try await PlansAPI.addMilestone(MilestoneInput(title: fields["title"], phase: fields["phase"], due_on: fields["due_on"], done_on: .keep), plan: plan, by: caller, on: req.db)
                default:
                    var input = PlanInput()
                    input.title = fields["title"]
                    input.vendor_owner_id = .set(optionalUUID("vendor_owner_id")); input.customer_owner_id = .set(optionalUUID("customer_owner_id"))
                    input.priorities = (1...3).compactMap { fields["priority\($0)"] }
                    if let b = fields["budget"]?.trimmed, !b.isEmpty {
                        guard let d = Decimal(string: b.replacingOccurrences(of: ",", with: ".")) else { throw AppError.invalid("budget", "'\(b)' is not an amount") }
                        input.budget = .set(d)
                    } else { input.budget = .set(nil) }
                    if let c = fields["currency"]?.trimmed, !c.isEmpty { input.currency = c }
                    input.promised = .set(fields["promised"]); input.realistic = .set(fields["realistic"])
                    var phases: [String: PhaseDates] = [:]
                    for ph in SuccessPhase.allCases {
                        phases[ph.rawValue] = PhaseDates(planned: fields["\(ph.rawValue)_planned"].flatMap { $0.isEmpty ? nil : $0 },
                                                         actual: fields["\(ph.rawValue)_actual"].flatMap { $0.isEmpty ? nil : $0 })
                    }
                    input.phases = phases
                    _ = try await PlansAPI.change(plan.id, input, by: caller, on: req.db, check: JourneyWeb.openedAt(fields["version"].flatMap(Int.init), "success plan"))
                }
            case "milestone-done":
                let m = try await scope.find(PlanMilestone.self, try uuid("milestone_id"))
                let p = try await scope.find(SuccessPlan.self, m.planID)
                guard p.accountID == account.id else { throw AppError.notFound(entity: "milestone") }
                let before = PlainJSON.encode(MilestoneDTO(m))
                try PlansAPI.apply(MilestoneInput(title: nil, phase: nil, due_on: nil, done_on: .set(caller.today.iso)), to: m, isNew: false, today: caller.today)
                try await req.db.transaction { db in
                    try await m.save(on: db)
                    try await Timeline.record(workspaceID: p.workspaceID, accountID: p.accountID, contactID: nil, kind: "success.milestone",
                                              title: "Milestone reached: \(m.title)", subjectType: "success_plan", subjectID: p.id, on: db)
                    try await Audit.record("update", "milestone", id: m.id, before: before, after: PlainJSON.encode(MilestoneDTO(m)), by: caller, on: db)
                }
            default:
                throw AppError.notFound(entity: "action")
            }
        } catch {
            guard let e = AppError(shown: error) else { throw error }
            return try await render(req, error: e, form: fields, status: e.status)
        }
        if let shareURL { return try await render(req, error: nil, form: [:], status: .ok, shareURL: shareURL) }
        if let anchor { return req.redirect(to: href(account.id!) + "#" + anchor, redirectType: .normal) }
        return req.redirect(to: href(account.id!) + (action.hasPrefix("plan") || action.hasPrefix("milestone") || action == "revoke" ? "#plan" : "#goals"), redirectType: .normal)
    }

    // MARK: portfolio

    static func portfolio(_ req: Request) async throws -> Response {
        let ctx = WebContext.make(req)
        let scope = try req.scope
        let members = try await Membership.query(on: scope.db).filter(\.$workspace.$id == scope.workspaceID).with(\.$user).all().sorted { $0.user.name < $1.user.name }
        let given = try req.allQueryItems()
        let everyone = given["owner"] == "all"
        var owner = everyone ? nil : (given["owner"].flatMap(UUID.init(uuidString:)) ?? ctx.caller?.userID)
        var rows = try await SuccessAPI.portfolioRows(scope: scope, owner: owner, limit: 2_000)
        // Someone who owns no accounts (a CS lead, an admin) starts with everyone's.
        var notice: String?
        if rows.isEmpty, given["owner"] == nil, owner != nil {
            owner = nil
            rows = try await SuccessAPI.portfolioRows(scope: scope, owner: nil, limit: 2_000)
            notice = ctx.t("You own no accounts, so this shows everyone's.")
        }
        let title = ctx.t("Customer Success portfolio")
        let red = rows.filter { $0.band == "red" }.count, yellow = rows.filter { $0.band == "yellow" }.count, green = rows.filter { $0.band == "green" }.count
        let soon = rows.filter { r in r.next_renewal.flatMap(DateOnly.init(iso:)).map { ctx.today.days(until: $0) <= 90 } ?? false }.count
        // 500 rows and more: written as markup directly (`RowsHTML`), the same cells Plot would render.
        let overdueLabel = ctx.t("overdue")
        var body = RowsHTML(capacity: rows.count * 400)
        for r in rows {
            body.raw("<tr><td><a href=\""); body.text(href(r.account_id)); body.raw("\">"); body.text(r.name); body.raw("</a></td>")
            body.raw("<td><span class=\"nowrap\">")
            let b = badge(ctx, r.health, r.band)
            body.span(class: b.cls, b.text)
            if let d = r.health_change {
                body.raw(d > 0 ? "<span class=\"up\">" : d < 0 ? "<span class=\"down\">" : "<span class=\"muted\">")
                body.text(abs(d) >= 0.5 ? " " + (d > 0 ? "▲ +" : "▼ ") + DashboardPages.number(ctx, d, digits: 0) : ""); body.raw("</span>")
            }
            body.raw("</span></td>")
            body.element("<td>", ctx.lang.date(r.next_renewal), "</td>")
            body.element("<td><span class=\"nowrap\">", r.arr_minor.sorted { $0.key < $1.key }.map { ctx.lang.money(minor: $0.value, $0.key) }.joined(separator: ", "), "</span></td>")
            body.element("<td>", r.goals == 0 ? "–" : "\(r.goals_reached) / \(r.goals)", "</td>")
            body.raw("<td><span class=\"nowrap\">"); body.text(r.open_tasks == 0 ? "–" : ctx.lang.number(r.open_tasks))
            if r.overdue_tasks > 0 { body.element("<span class=\"bad\">", " (" + ctx.lang.number(r.overdue_tasks) + " " + overdueLabel + ")", "</span>") }
            body.raw("</span></td><td>")
            if r.risks.isEmpty { body.text("–") } else {
                body.raw("<ul class=\"plain small\">")
                for k in r.risks {
                    body.element(k.severity == "high" ? "<li><span class=\"badge bad\">" : "<li><span class=\"badge changed\">", ctx.t("risk." + k.kind), "</span></li>")
                }
                body.raw("</ul>")
            }
            body.raw("</td></tr>")
        }
        return Layout.render(ctx, title: title, active: "success", .group(
            .h1(.text(title)),
            .p(.class("badges"), .a(.href("/success/tasks"), .text(ctx.t("Tasks this week"))), .text(" · "), .a(.href("/success/renewals"), .text(ctx.t("Renewals and retention"))),
               .text(" · "), .a(.href("/success/playbooks"), .text(ctx.t("Playbooks"))), .text(" · "), .a(.href("/success/health"), .text(ctx.t("Health model and back-test")))),
            .unwrap(notice) { .p(.class("notice"), .text($0)) },
            .form(.method(.get), .action("/success"), .class("filters card"),
                  JourneyWeb.field("owner", ctx.t("Accounts of"), JourneyWeb.select("owner", [("all", ctx.t("everyone"))] + members.map { ($0.$user.id.uuidString.lowercased(), $0.user.name) },
                                                                                 selected: owner?.uuidString.lowercased() ?? "all", id: "owner")),
                  .button(.type(.submit), .text(ctx.t("Show")))),
            .div(.class("stats"),
                 .div(.class("stat"), .div(.class("l"), .text(ctx.t("Accounts"))), .div(.class("n"), .text(ctx.lang.number(rows.count)))),
                 .div(.class("stat"), .div(.class("l"), .text(ctx.t("health.red").capitalized)), .div(.class("n bad"), .text(ctx.lang.number(red)))),
                 .div(.class("stat"), .div(.class("l"), .text(ctx.t("health.yellow").capitalized)), .div(.class("n"), .text(ctx.lang.number(yellow)))),
                 .div(.class("stat"), .div(.class("l"), .text(ctx.t("health.green").capitalized)), .div(.class("n good"), .text(ctx.lang.number(green)))),
                 .div(.class("stat"), .div(.class("l"), .text(ctx.t("Renewals in 90 days"))), .div(.class("n"), .text(ctx.lang.number(soon))))),
            rows.isEmpty ? .p(.text(ctx.t("No accounts for this owner."))) :
                Layout.table(caption: ctx.t("Riskiest first: red before yellow before green, then by high risks and the nearest renewal"),
                             headers: [ctx.t("Account"), ctx.t("Health"), ctx.t("Next renewal"), ctx.t("ARR"), ctx.t("Goals reached"), ctx.t("Open tasks"), ctx.t("Risk signals")], body: body)))
    }
}
