import Fluent
import Foundation
import Plot
import RapportKit
import SQLKit
import Vapor

/// The dashboards of the journey owner, the CSM and the ambassador. They use the executive
/// dashboard's parts, so every figure has its n, interval, guardrail state, CSV and drill-down.
extension DashboardPages {
    // MARK: Journey owner

    static func journeyOwner(_ req: Request) async throws -> Response {
        var c = try await context(req)
        let ctx = c.ctx
        let journeys = try await c.scope.query(Journey.self).sort(\.$name).all()
        let me = ctx.caller?.userID
        let mine = journeys.filter { me != nil && $0.ownerID == me }
        let title = ctx.t("Journey dashboard")
        var chosen = c.filters["journey"].flatMap { id in journeys.first { $0.id?.uuidString.lowercased() == id.lowercased() } }
        if chosen == nil {
            // Their own journey first, else the journey with the most answers.
            let volume = try await c.run(["metric": "responses", "group_by": "journey"])
            let busiest = volume.groups.max { $0.n < $1.n }?.key["journey"]
            chosen = mine.first ?? journeys.first { $0.id?.uuidString.lowercased() == busiest } ?? journeys.first
        }
        guard let journey = chosen, let journeyID = journey.id else {
            return Layout.render(ctx, title: title, active: "dashboards", .group(tabs(ctx, "journeys"), .h1(.text(title)),
                                 .div(.class("card"), .p(.text(ctx.t("There is no journey yet."))), .p(.a(.href("/journeys"), .text(ctx.t("Journeys") + " →"))))))
        }
        c.filters["journey"] = journeyID.uuidString.lowercased()
        let headline: MetricResult, trend: MetricResult, touchpoints: MetricResult, phaseResult: MetricResult
        do {
            let all = try await c.runAll([["metric": "nps", "kind": "transactional", "compare": "previous"], charts["tnps-trend"]!,
                                          charts["tnps-touchpoints"]!, charts["tnps-phases"]!])
            (headline, trend, touchpoints, phaseResult) = (all[0], all[1], all[2], all[3])
        } catch let e as AppError {
            return Layout.render(ctx, title: title, status: e.status, active: "dashboards", .group(
                tabs(ctx, "journeys"), .h1(.text(title)), filterForm(c, action: "/dashboards/journeys"), JourneyWeb.errorBox(ctx, e)))
        }
        let phases = try await c.scope.query(JourneyPhase.self).filter(\.$journeyID == journeyID).sort(\.$position).all()
        let comments = try await latestComments(c, limit: 10)
        var owner: User?
        if let id = journey.ownerID { owner = try await User.find(id, on: c.scope.db) }
        let empty = headline.groups.allSatisfy { $0.n == 0 }
        return Layout.render(ctx, title: title, active: "dashboards", .group(
            tabs(ctx, "journeys"),
            .h1(.text(title + ": " + journey.name)),
            reportHead(c),
            .p(.class("muted"), .text(ctx.t("Owner") + ": " + (owner?.name ?? ctx.t("nobody yet"))),
               .if(!mine.isEmpty, .group(.text(" · " + ctx.t("Your journeys") + ": "),
                                        .forEach(mine) { j in .group(.a(.href("/dashboards/journeys?journey=" + (j.id?.uuidString.lowercased() ?? "")), .text(j.name)), .text(" ")) })),
               .text(" · "), .a(.href(JourneyWeb.href("journeys", journeyID)), .text(ctx.t("Journey map")))),
            filterForm(c, action: "/dashboards/journeys"),
            empty ? .div(.class("card"), .p(.text(ctx.t("No transactional answers at this journey's touchpoints in this period.")))) : .group(
                .div(.class("kpi-row"), .forEach(headline.groups) { g in scoreCard(c, title: "T-NPS " + journey.name, g) }),
                .div(.class("dash-grid"),
                     alertsCard(c, touchpoints),
                     trendCard(c, id: "tnps-trend", title: ctx.t("T-NPS per month"), results: [(ctx.t("per month"), trend)],
                               note: ctx.t("Pooled from the counts of the journey's touchpoints. The band is the 95% interval.")),
                     phaseCurveCard(c, phases: phases, result: phaseResult),
                     barsCard(c, id: "tnps-touchpoints", title: ctx.t("T-NPS per touchpoint"), result: touchpoints, dimension: "touchpoint"),
                     .if(c.canDrill, commentsCard(c, comments))))))
    }

    /// A headline figure with its n, interval and whether it changed against the period before.
    static func scoreCard(_ c: Context, title: String, _ g: MetricGroup) -> Node<HTML.BodyContext> {
        let ctx = c.ctx
        let badge: Node<HTML.BodyContext> = g.comparison.map { cmp in
            cmp.significant
                ? .span(.class("badge changed"), .text(((cmp.difference ?? 0) > 0 ? "▲ " : "▼ ") + ctx.t("changed") + " " + number(ctx, cmp.difference, digits: 1)
                                                      + " (p = " + String(format: "%.3f", cmp.pValue ?? 1) + ")"))
                : .span(.class("badge muted"), .text(ctx.t("no significant change") + (cmp.difference.map { " (" + number(ctx, $0, digits: 1) + ")" } ?? "")))
        } ?? .empty
        return .div(.class("card kpi"), .h2(.text(title)), .p(.class("big"), .text(figure(ctx, g))),
                    .p(.class("muted"), .text("n = \(ctx.lang.number(g.n)) · 95 %: " + interval(ctx, g))), .p(badge),
                    .p(.class("muted"), .text(stateText(ctx, g, guardrail: c.guardrail))))
    }

    /// The journey's emotion curve as measured: T-NPS per phase in the journey's order, with bands.
    static func phaseCurveCard(_ c: Context, phases: [JourneyPhase], result: MetricResult) -> Node<HTML.BodyContext> {
        let ctx = c.ctx
        let byPhase = Dictionary(result.groups.map { ($0.key["phase"] ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        let points = phases.map { p in
            let g = byPhase[p.id!.uuidString.lowercased()]
            return TrendPoint(label: p.name, value: g?.value, low: g?.low, high: g?.high, n: g?.n ?? 0, state: g.map(state) ?? .hidden,
                              changed: false, href: g.flatMap { drill(c, $0.key) })
        }
        let labels = trendLabels(ctx, title: ctx.t("Emotion curve: T-NPS per phase"), yAxis: "T-NPS")
        let svg = Charts.trendChart(id: "tnps-phases", series: [TrendSeries(name: "T-NPS", points: points)], scale: -100...100, labels: labels)
        let ordered = phases.compactMap { byPhase[$0.id!.uuidString.lowercased()] }
        return .div(.class("card chart-card"), .h2(.text(ctx.t("Emotion curve: T-NPS per phase"))),
                    .p(.class("muted"), .text(ctx.t("Measured at the touchpoints of each phase; a touchpoint in two phases counts in both."))),
                    .div(.class("chart"), .raw(svg)),
                    tableOf(c, { var r = result; r.groups = ordered; return r }()) { $0.key["phase_name"] ?? "" },
                    csvLink(c, "tnps-phases"))
    }

    /// What needs the owner's attention: touchpoints whose T-NPS fell significantly (Holm-corrected
    /// over all touchpoints tested) and touchpoints with too few answers to judge.
    static func alertsCard(_ c: Context, _ touchpoints: MetricResult) -> Node<HTML.BodyContext> {
        let ctx = c.ctx
        let tested = touchpoints.groups.filter { $0.comparison?.pValue != nil }
        let adjusted = CXStatistics.holm(tested.map { $0.comparison!.pValue! })
        let fell = zip(tested, adjusted).filter { $0.1 < 0.05 && ($0.0.comparison?.difference ?? 0) < 0 }
        let rose = zip(tested, adjusted).filter { $0.1 < 0.05 && ($0.0.comparison?.difference ?? 0) > 0 }
        let thin = touchpoints.groups.filter { $0.state == "hidden" || $0.state == "bracketed" }
        func name(_ g: MetricGroup) -> Node<HTML.BodyContext> {
            let n = g.key["touchpoint_name"].flatMap { $0.isEmpty ? nil : $0 } ?? ctx.t("without touchpoint")
            return drill(c, g.key).map { .a(.href($0), .text(n)) } ?? .text(n)
        }
        func moved(_ g: MetricGroup, _ p: Double, up: Bool) -> Node<HTML.ListContext> {
            let size = number(ctx, abs(g.comparison?.difference ?? 0), digits: 1)
            let detail = " " + ctx.t(up ? "rose by" : "fell by") + " " + size + " (" + ctx.t("adjusted") + " p = " + String(format: "%.3f", p) + ", n = \(g.n))"
            return .li(.class(up ? "alert-item up" : "alert-item down"), .text(up ? "▲ " : "▼ "), name(g), .text(detail))
        }
        func few(_ g: MetricGroup) -> Node<HTML.ListContext> {
            let detail = ": " + stateText(ctx, g, guardrail: c.guardrail) + " (n = \(g.n))"
            return .li(.class("alert-item muted"), name(g), .text(detail))
        }
        let items: [Node<HTML.ListContext>] = fell.map { moved($0.0, $0.1, up: false) } + rose.map { moved($0.0, $0.1, up: true) } + thin.map(few)
        return .div(.class("card"), .h2(.text(ctx.t("Alerts"))),
                    .p(.class("muted"), .text(ctx.t("Touchpoints whose T-NPS changed significantly against the period before (Holm-corrected), and those with too few answers to judge."))),
                    items.isEmpty ? .p(.text(ctx.t("Nothing needs attention."))) : .ul(.class("alerts"), .group(items)))
    }

    /// The newest free-text answers among the responses the page's filters select; none for roles
    /// that may not read responses.
    static func latestComments(_ c: Context, limit: Int) async throws -> [SurveyResponse] {
        guard c.canDrill else { return [] }
        let request = try MetricRequest.parse(c.filters.merging(["metric": "responses"]) { a, _ in a }, indices: [])
        let rows = try await KPISnapshots.rawResponses(request, scope: c.scope, limit: limit * 8)
        return Array(rows.filter { r in r.decodedAnswers.values.contains { if case .text(let t) = $0 { !t.isEmpty } else { false } } }.prefix(limit))
    }

    static func commentsCard(_ c: Context, _ rows: [SurveyResponse]) -> Node<HTML.BodyContext> {
        let ctx = c.ctx
        return .div(.class("card"), .h2(.text(ctx.t("Latest comments"))),
                    rows.isEmpty ? .p(.text(ctx.t("No comments in this period."))) :
                    .ul(.class("comments"), .forEach(rows) { r in
                        let answers = r.decodedAnswers
                        let texts = answers.keys.sorted().compactMap { k -> String? in if case .text(let t) = answers[k]!, !t.isEmpty { t } else { nil } }
                        let nps = answers["nps"]?.number.map { "NPS \($0)" } ?? ""
                        return .li(.p(.text("“" + texts.joined(separator: " · ") + "”")),
                                   .p(.class("muted"), .text([ctx.lang.dateTime(r.submittedAt ?? r.startedAt, zone: ctx.zone), nps,
                                                              r.touchpointID.flatMap { c.dims.touchpoints[$0]?.name } ?? ""].filter { !$0.isEmpty }.joined(separator: " · "))))
                    }),
                    .if(c.canDrill, .p(.a(.href("/dashboards/responses?" + c.query()), .text(ctx.t("All answers") + " →")))))
    }
}

extension DashboardPages {
    // MARK: CSM

    struct AccountScores {
        var account: Account
        var rnps: MetricGroup?
        var tnps: MetricGroup?
        /// Promoters, passives and detractors among the relationship answers: counts, not estimates.
        var mix: (promoters: Int, passives: Int, detractors: Int)
        var last: Date?
    }

    /// A CSM's accounts with their scores. Per account n is small, so the figures are usually
    /// bracketed or hidden; the counts of promoters and detractors and the latest answers stay readable.
    static func accounts(_ req: Request) async throws -> Response {
        let c = try await context(req)
        let ctx = c.ctx
        let title = ctx.t("My accounts")
        let members = try await Membership.query(on: c.scope.db).filter(\.$workspace.$id == c.scope.workspaceID).with(\.$user).all()
            .sorted { $0.user.name < $1.user.name }
        let given = try req.allQueryItems()
        let ownerID = given["owner"].flatMap(UUID.init(uuidString:)) ?? ctx.caller?.userID
        let accounts = ownerID == nil ? [] : try await c.scope.query(Account.self).filter(\.$ownerID == ownerID!).sort(\.$name).limit(500).all()
        var scores: [UUID: AccountScores] = Dictionary(uniqueKeysWithValues: accounts.map { ($0.id!, AccountScores(account: $0, mix: (0, 0, 0))) })
        let ownerForm: Node<HTML.BodyContext> = .form(.method(.get), .action("/dashboards/accounts"), .class("filters card print-hide"),
            JourneyWeb.field("owner", ctx.t("Accounts of"), JourneyWeb.select("owner", members.map { ($0.$user.id.uuidString.lowercased(), $0.user.name) },
                                                                           selected: ownerID?.uuidString.lowercased() ?? "", id: "owner")),
            .forEach(c.filters.sorted { $0.key < $1.key }) { k, v in .input(.type(.hidden), .name(k), .value(v)) },
            .button(.type(.submit), .class("secondary"), .text(ctx.t("Show"))))
        var latest: [SurveyResponse] = []
        if !accounts.isEmpty {
            var narrow = SQLQueryString(" AND account_id IN (")
            for (i, a) in accounts.enumerated() {
                if i > 0 { narrow.appendLiteral(", ") }
                narrow.appendInterpolation(bind: a.id!)
            }
            narrow.appendLiteral(")")
            do {
                for kind in ["relationship", "transactional"] {
                    let request = try MetricRequest.parse(c.filters.merging(["metric": "nps", "kind": kind]) { _, b in b }, indices: c.indices)
                    var last: [UUID: Date] = [:]
                    let pools = try await KPISnapshots.rawPools(request, scope: c.scope, narrow: narrow) { row in
                        guard let a = row.account_id else { return nil }
                        last[a] = max(last[a] ?? row.submitted_at, row.submitted_at)
                        return a.uuidString
                    }
                    for (key, entry) in pools {
                        guard let id = UUID(uuidString: key), var s = scores[id] else { continue }
                        let g = MetricEngine.figure(entry.pool, request.figure, guardrail: c.guardrail, key: [:])
                        if kind == "relationship" {
                            s.rnps = g
                            if let counts = entry.pool.byReference[.nps]?[10]?.counts {
                                s.mix = (counts[9] + counts[10], counts[7] + counts[8], counts[0...6].reduce(0, +))
                            }
                        } else { s.tnps = g }
                        s.last = [s.last, last[id]].compactMap { $0 }.max()
                        scores[id] = s
                    }
                }
            } catch let e as AppError {
                return Layout.render(ctx, title: title, status: e.status, active: "dashboards", .group(
                    tabs(ctx, "accounts"), .h1(.text(title)), filterForm(c, action: "/dashboards/accounts"), JourneyWeb.errorBox(ctx, e)))
            }
            if c.canDrill {
                latest = try await c.scope.query(SurveyResponse.self).filter(\.$accountID ~~ accounts.map { $0.id! }).filter(\.$status == "complete")
                    .sort(\.$submittedAt, .descending).limit(12).all()
            }
        }
        let rows = accounts.map { scores[$0.id!]! }
        let totals = rows.reduce((0, 0, 0)) { ($0.0 + $1.mix.promoters, $0.1 + $1.mix.passives, $0.2 + $1.mix.detractors) }
        func cell(_ g: MetricGroup?) -> Node<HTML.BodyContext> {
            guard let g, g.n > 0 else { return .text("–") }
            return .span(.attribute(named: "title", value: stateText(ctx, g, guardrail: c.guardrail)), .text(figure(ctx, g) + " (n = \(g.n))"))
        }
        let table = Layout.table(headers: [ctx.t("Account"), ctx.t("Segment"), "R-NPS", ctx.t("Promoters"), ctx.t("Passives"), ctx.t("Detractors"), "T-NPS", ctx.t("Last answer")],
                                 rows: rows.map { s in
                                     [.a(.href("/accounts/" + s.account.id!.uuidString.lowercased()), .text(s.account.name)), .text(s.account.segment ?? "—"),
                                      cell(s.rnps), .text("\(s.mix.promoters)"), .text("\(s.mix.passives)"),
                                      s.mix.detractors > 0 ? .strong(.class("down"), .text("\(s.mix.detractors)")) : .text("0"),
                                      cell(s.tnps), .text(s.last.map { ctx.lang.dateTime($0, zone: ctx.zone) } ?? "—")]
                                 })
        return Layout.render(ctx, title: title, active: "dashboards", .group(
            tabs(ctx, "accounts"),
            .h1(.text(title)),
            reportHead(c),
            .if(printing, .p(.text(ctx.t("Accounts of") + " " + (members.first { $0.$user.id == ownerID }?.user.name ?? "—")))),
            ownerForm,
            filterForm(c, action: "/dashboards/accounts", hidden: given["owner"].map { ["owner": $0] } ?? [:]),
            accounts.isEmpty ? .div(.class("card"), .p(.text(ctx.t("No accounts are assigned to this person. Pick someone else above.")))) : .group(
                .div(.class("kpi-row"),
                     .div(.class("card kpi"), .h2(.text(ctx.t("Accounts"))), .p(.class("big"), .text(ctx.lang.number(accounts.count)))),
                     .div(.class("card kpi"), .h2(.text(ctx.t("Relationship answers"))), .p(.class("big"), .text(ctx.lang.number(totals.0 + totals.1 + totals.2))),
                          .p(.class("muted"), .text("\(totals.0) " + ctx.t("Promoters") + " · \(totals.1) " + ctx.t("Passives") + " · \(totals.2) " + ctx.t("Detractors"))))),
                .div(.class("card"), .h2(.text(ctx.t("Scores per account"))),
                     .p(.class("muted"), .text(ctx.t("Per account there are few answers: a score is bracketed or hidden by the guardrail, the counts are exact."))),
                     table),
                .if(c.canDrill, .div(.class("card"), .h2(.text(ctx.t("Latest answers from these accounts"))),
                    latest.isEmpty ? .p(.text(ctx.t("No responses match."))) :
                    Layout.table(headers: [ctx.t("Answered"), ctx.t("Account"), ctx.t("Survey"), ctx.t("Scores"), ctx.t("Comment"), ctx.t("Contact")],
                                 rows: latest.map { r in
                                     let answers = r.decodedAnswers
                                     let scoreText = ["nps", "csat", "ces"].compactMap { k in answers[k]?.number.map { "\(k.uppercased()) \($0)" } }.joined(separator: " · ")
                                     let comment = answers.keys.sorted().compactMap { k -> String? in if case .text(let t) = answers[k]!, !t.isEmpty { t } else { nil } }.first ?? ""
                                     return [.text(ctx.lang.dateTime(r.submittedAt ?? r.startedAt, zone: ctx.zone)), .text(r.accountID.flatMap { scores[$0]?.account.name } ?? ""),
                                             .text(c.dims.surveys[r.surveyID]?.name ?? ""), .text(scoreText), .text(comment),
                                             r.contactID.map { .a(.href("/contacts/\($0.uuidString.lowercased())"), .text(ctx.t("open"))) } ?? .text("—")]
                                 }))))))
    }

    // MARK: Ambassador

    /// The units an ambassador can stand for: a responsible department (its touchpoints), a market or a segment.
    static func units(_ c: Context, touchpoints: [Touchpoint]) -> [(String, String)] {
        let departments = Set(touchpoints.compactMap(\.responsibleDepartment).filter { !$0.isEmpty })
        return departments.sorted().map { ("department:" + $0, c.ctx.t("Department") + ": " + $0) }
            + c.dims.markets.map { ("market:" + $0, c.ctx.t("Market") + ": " + $0) }
            + c.dims.segments.map { ("segment:" + $0, c.ctx.t("Segment") + ": " + $0) }
    }

    static func unit(_ req: Request) async throws -> Response {
        var c = try await context(req)
        let ctx = c.ctx
        let title = ctx.t("My unit")
        let given = try req.allQueryItems()
        var unit = given["unit"].flatMap { $0.isEmpty ? nil : $0 }
        if unit == nil, let me = ctx.caller?.userID {
            unit = try await Membership.query(on: c.scope.db).filter(\.$workspace.$id == c.scope.workspaceID).filter(\.$user.$id == me).first()?.unit
        }
        let registry = try await c.scope.query(Touchpoint.self).all()
        let options = units(c, touchpoints: registry)
        let unitForm: Node<HTML.BodyContext> = .form(.method(.get), .action("/dashboards/unit"), .class("filters card print-hide"),
            JourneyWeb.field("unit", ctx.t("Unit"), JourneyWeb.select("unit", [("", ctx.t("choose a unit"))] + options, selected: unit ?? "", id: "unit")),
            .button(.type(.submit), .class("secondary"), .text(ctx.t("Show"))))
        guard let unit, let colon = unit.firstIndex(of: ":") else {
            return Layout.render(ctx, title: title, active: "dashboards", .group(tabs(ctx, "unit"), .h1(.text(title)), unitForm,
                .div(.class("card"), .p(.text(ctx.t("No unit is set for you yet. Choose one above, or ask an admin to set yours under Settings → Users."))))))
        }
        let kind = String(unit[..<colon]), value = String(unit[unit.index(after: colon)...])
        guard options.contains(where: { $0.0 == unit }) else {
            let known = options.filter { $0.0.hasPrefix(kind + ":") }.map { String($0.0.dropFirst(kind.count + 1)) }
            let reason = ["department", "market", "segment"].contains(kind)
                ? "no \(kind) '\(value)' has answers or touchpoints here" + (known.isEmpty ? "" : "; known: " + known.joined(separator: ", "))
                : "'\(unit)' is not a unit; use department:NAME, market:CODE or segment:NAME"
            return Layout.render(ctx, title: title, status: .unprocessableEntity, active: "dashboards", .group(tabs(ctx, "unit"), .h1(.text(title)), unitForm,
                JourneyWeb.errorBox(ctx, AppError.invalid("unit", reason))))
        }
        var askedRelationship = true
        switch kind {
        case "department":
            let ids = registry.filter { $0.responsibleDepartment == value }.map { $0.id!.uuidString.lowercased() }
            let picked = c.filters["touchpoint"].map { $0.lowercased().split(separator: ",").map(String.init).filter(ids.contains) } ?? []
            c.filters["touchpoint"] = (picked.isEmpty ? ids : picked).joined(separator: ",")
            if ids.isEmpty { c.filters["touchpoint"] = Rollups.noTouchpoint.uuidString.lowercased() }
            askedRelationship = false
        case "market": c.filters["market"] = value
        case "segment": c.filters["segment"] = value
        default:
            return Layout.render(ctx, title: title, status: .badRequest, active: "dashboards", .group(tabs(ctx, "unit"), .h1(.text(title)), unitForm,
                JourneyWeb.errorBox(ctx, AppError.invalid("unit", "'\(unit)' is not a unit; use department:NAME, market:CODE or segment:NAME"))))
        }
        let label = options.first { $0.0 == unit }?.1 ?? unit
        let headlines: [(String, MetricResult)], trend: MetricResult, touchpoints: MetricResult
        do {
            let kinds = askedRelationship ? [("R-NPS", "relationship"), ("T-NPS", "transactional")] : [("T-NPS", "transactional")]
            let all = try await c.runAll(kinds.map { ["metric": "nps", "kind": $0.1, "compare": "previous"] } + [charts["tnps-trend"]!, charts["tnps-touchpoints"]!])
            headlines = zip(kinds, all).map { ($0.0.0 + " · " + label, $0.1) }
            (trend, touchpoints) = (all[kinds.count], all[kinds.count + 1])
        } catch let e as AppError {
            return Layout.render(ctx, title: title, status: e.status, active: "dashboards", .group(
                tabs(ctx, "unit"), .h1(.text(title)), unitForm, JourneyWeb.errorBox(ctx, e)))
        }
        let comments = try await latestComments(c, limit: 10)
        let empty = headlines.allSatisfy { $0.1.groups.allSatisfy { $0.n == 0 } }
        return Layout.render(ctx, title: title, active: "dashboards", .group(
            tabs(ctx, "unit"),
            .h1(.text(title + ": " + label)),
            reportHead(c),
            unitForm,
            filterForm(c, action: "/dashboards/unit", hidden: ["unit": unit]),
            empty ? .div(.class("card"), .p(.text(ctx.t("No responses match these filters in this period.")))) : .group(
                .div(.class("kpi-row"), .forEach(headlines) { name, r in
                    scoreCard(c, title: name, r.groups.first ?? MetricGroup(key: [:], n: 0, state: "no_data", pooled: false, sources: 0))
                }),
                .div(.class("dash-grid"),
                     alertsCard(c, touchpoints),
                     trendCard(c, id: "tnps-trend", title: ctx.t("T-NPS per month"), results: [(ctx.t("per month"), trend)],
                               note: ctx.t("Pooled from the counts of the unit's touchpoints. The band is the 95% interval.")),
                     barsCard(c, id: "tnps-touchpoints", title: ctx.t("T-NPS per touchpoint"), result: touchpoints, dimension: "touchpoint"),
                     .if(c.canDrill, commentsCard(c, comments))))))
    }
}
