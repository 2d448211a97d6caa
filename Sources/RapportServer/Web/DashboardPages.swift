import Fluent
import Foundation
import Plot
import RapportKit
import SQLKit
import Vapor

/// Role dashboards. Every figure comes from the metrics engine (the same as `/api/v1/metrics`),
/// carries its n and interval, obeys the guardrail, and links to the answers behind it.
enum DashboardPages {
    /// Letters, digits and -._~ stay as they are in a query value; everything else is escaped.
    static let queryValue = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))

    /// The filter form's keys; they are the API's filter keys.
    static let filterKeys = ["from", "to", "market", "segment", "channel", "journey", "phase", "touchpoint", "survey"]

    struct Context {
        var ctx: WebContext
        var scope: Scope
        var filters: [String: String]
        var guardrail: Guardrail
        var dims: MeasurementDimensions
        var indices: [MetricIndex]
        var canDrill: Bool
        /// The workspace on a database handle of each event loop, so a page's figures can be read
        /// side by side on several connections.
        var scopes: [Scope]

        /// A figure with the page's filters plus the chart's own settings.
        func run(_ own: [String: String]) async throws -> MetricResult {
            try await runAll([own])[0]
        }

        /// Several figures at once, each on its own connection where the pool has several; in the
        /// order asked.
        func runAll(_ figures: [[String: String]]) async throws -> [MetricResult] {
            let requests = try figures.map { own in
                var query = filters
                for (k, v) in own { query[k] = v }
                return try MetricRequest.parse(query, indices: indices)
            }
            let (guardrail, dims, scopes) = (guardrail, dims, scopes)
            return try await withThrowingTaskGroup(of: (Int, MetricResult).self) { group in
                for (i, request) in requests.enumerated() {
                    group.addTask { (i, try await MetricEngine.run(request, scope: scopes[i % scopes.count], guardrail: guardrail, dims: dims)) }
                }
                var out = [MetricResult?](repeating: nil, count: requests.count)
                for try await (i, result) in group { out[i] = result }
                return out.map { $0! }
            }
        }

        func query(_ extra: [String: String] = [:]) -> String {
            var q = filters
            for (k, v) in extra { q[k] = v }
            return q.sorted { $0.key < $1.key }.filter { !$0.value.isEmpty }
                .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: queryValue) ?? "")" }.joined(separator: "&")
        }
    }

    static func context(_ req: Request) async throws -> Context {
        let ctx = WebContext.make(req)
        let scope = try req.scope
        var filters: [String: String] = [:]
        let given = try req.allQueryItems()
        for key in filterKeys { if let v = given[key], !v.isEmpty { filters[key] = v } }
        var scopes: [Scope] = []
        for loop in req.application.eventLoopGroup.makeIterator() {
            if let db = req.application.databases.database(logger: req.logger, on: loop) { scopes.append(scope.with(db)) }
        }
        return Context(ctx: ctx, scope: scope, filters: filters, guardrail: try await MeasurementSettingsStore.load(scope).guardrail,
                       dims: try await MeasurementDimensions.withChoices(scope), indices: try await scope.query(MetricIndex.self).all(),
                       canDrill: ctx.caller?.role.can(.readResponses) == true, scopes: scopes.isEmpty ? [scope] : scopes)
    }

    // MARK: Executive

    struct ExecutiveData {
        var headline: MetricResult
        var rnps: MetricResult
        var rolling: MetricResult
        var journeys: MetricResult
        var touchpoints: MetricResult
        var volume: MetricResult
        var movers: [MetricGroup]
    }

    /// Every chart of every dashboard, by the id its CSV download names: the figure it asks for on top
    /// of the page's filters.
    static let charts: [String: [String: String]] = [
        "rnps": ["metric": "nps", "kind": "relationship", "group_by": "month"],
        "rnps-rolling": ["metric": "nps", "kind": "relationship", "group_by": "month", "window": "12"],
        "tnps-journeys": ["metric": "nps", "kind": "transactional", "group_by": "journey,quarter"],
        "tnps-touchpoints": ["metric": "nps", "kind": "transactional", "group_by": "touchpoint", "compare": "previous"],
        "tnps-trend": ["metric": "nps", "kind": "transactional", "group_by": "month"],
        "tnps-phases": ["metric": "nps", "kind": "transactional", "group_by": "phase"],
        "volume": ["metric": "responses", "group_by": "month"],
    ]

    static func executiveData(_ c: Context) async throws -> ExecutiveData {
        let all = try await c.runAll([["metric": "nps", "kind": "relationship", "compare": "previous"], charts["rnps"]!, charts["rnps-rolling"]!,
                                      charts["tnps-journeys"]!, charts["tnps-touchpoints"]!, charts["volume"]!,
                                      ["metric": "nps", "kind": "transactional", "group_by": "source", "compare": "previous"]])
        let (headline, rnps, rolling, journeys, touchpoints, volume, sources) = (all[0], all[1], all[2], all[3], all[4], all[5], all[6])
        // Many sources are compared at once: Holm's correction keeps "significant" honest.
        let tested = sources.groups.filter { $0.comparison?.pValue != nil }
        let adjusted = CXStatistics.holm(tested.map { $0.comparison!.pValue! })
        let movers = zip(tested, adjusted).filter { $0.1 < 0.05 }.map(\.0).sorted { abs($0.comparison?.difference ?? 0) > abs($1.comparison?.difference ?? 0) }
        return ExecutiveData(headline: headline, rnps: rnps, rolling: rolling, journeys: journeys, touchpoints: touchpoints, volume: volume, movers: movers)
    }

    static func executive(_ req: Request) async throws -> Response {
        let c = try await context(req)
        let ctx = c.ctx
        let data: ExecutiveData
        do { data = try await executiveData(c) } catch let e as AppError {
            return Layout.render(ctx, title: ctx.t("Executive dashboard"), status: e.status, active: "dashboards", .group(
                tabs(ctx, "executive"), .h1(.text(ctx.t("Executive dashboard"))), filterForm(c, action: "/dashboards"), JourneyWeb.errorBox(ctx, e)))
        }
        let empty = data.volume.groups.allSatisfy { $0.n == 0 }
        return Layout.render(ctx, title: ctx.t("Executive dashboard"), active: "dashboards", .group(
            tabs(ctx, "executive"),
            .h1(.text(ctx.t("Executive dashboard"))),
            reportHead(c),
            filterForm(c, action: "/dashboards"),
            .if(empty, .div(.class("card"), .p(.text(ctx.t("No responses match these filters in this period."))))),
            .if(!empty, .group(
                headlineCards(c, data),
                .div(.class("dash-grid"),
                     trendCard(c, id: "rnps", title: ctx.t("R-NPS per month"), results: [(ctx.t("per month"), data.rnps), (ctx.t("rolling 12 months"), data.rolling)],
                               note: ctx.t("Relationship survey. The band is the 95% interval; hollow points have fewer answers than the guardrail asks for.")),
                     barsCard(c, id: "tnps-touchpoints", title: ctx.t("T-NPS per touchpoint"), result: data.touchpoints, dimension: "touchpoint"),
                     journeysCard(c, data.journeys),
                     volumeCard(c, data.volume),
                     moversCard(c, data.movers))))))
    }

    /// Set while a dashboard renders as a printable report: no navigation or forms, the numbers
    /// tables open, the style sheet inline.
    @TaskLocal static var printing = false
    /// Set by `rapport report`: the style sheet goes inline, so the page prints from a file.
    @TaskLocal static var selfContained = false

    /// The dashboards that print, by the name `dashboard=` takes.
    static let reports: [String: @Sendable (Request) async throws -> Response] = ["executive": executive, "journeys": journeyOwner, "accounts": accounts, "unit": unit]

    /// A dashboard as a printable report, with what it shows, when and for whom.
    static func report(_ req: Request) async throws -> Response {
        let given = try req.allQueryItems()
        let which = given["dashboard"] ?? "executive"
        guard let page = reports[which] else {
            throw AppError.invalid("dashboard", "'\(which)' is not a dashboard; use \(reports.keys.sorted().joined(separator: ", "))")
        }
        return try await $printing.withValue(true) { try await page(req) }
    }

    static func reportHead(_ c: Context) -> Node<HTML.BodyContext> {
        guard printing else { return .empty }
        let ctx = c.ctx
        let (from, to) = MetricRequest.defaultPeriod()
        let period = (c.filters["from"] ?? RollupCalendar.label(month: from / 100)) + " – " + (c.filters["to"] ?? RollupCalendar.label(month: to / 100))
        let names: [String: String] = ["market": ctx.t("Market"), "segment": ctx.t("Segment"), "channel": ctx.t("Channel"), "journey": ctx.t("Journey"),
                                       "phase": ctx.t("Phase"), "touchpoint": ctx.t("Touchpoint"), "survey": ctx.t("Survey")]
        func label(_ key: String, _ value: String) -> String {
            let ids = value.split(separator: ",").compactMap { UUID(uuidString: String($0)) }
            let resolved = ids.compactMap { id in c.dims.journeys[id] ?? c.dims.touchpoints[id]?.name ?? c.dims.phases[id] ?? c.dims.surveys[id]?.name }
            return resolved.isEmpty ? value : resolved.joined(separator: ", ")
        }
        let filters = c.filters.filter { names[$0.key] != nil }.sorted { $0.key < $1.key }.map { names[$0.key]! + ": " + label($0.key, $0.value) }
        return .div(.class("report-head"),
                    .p(.strong(.text("Rapport · " + (ctx.caller?.workspaceName ?? "")))),
                    .p(.text(ctx.t("Period") + ": " + period + (filters.isEmpty ? "" : " · " + filters.joined(separator: " · ")))),
                    .p(.class("muted"), .text(ctx.t("Generated") + " " + ctx.lang.dateTime(Date(), zone: ctx.zone) + " · " + ctx.t("every figure with n and its 95% interval; guardrail") +
                                              " \(c.guardrail.showAt)/\(c.guardrail.bracketAt)")))
    }

    static func tabs(_ ctx: WebContext, _ active: String) -> Node<HTML.BodyContext> {
        let tabs = [("executive", "/dashboards", "Executive"), ("journeys", "/dashboards/journeys", "Journey owner"), ("accounts", "/dashboards/accounts", "My accounts"),
                    ("unit", "/dashboards/unit", "My unit"), ("kpis", "/dashboards/kpis", "KPI snapshots"), ("settings", "/dashboards/settings", "Measurement settings")]
        let query = (ctx.req.url.query ?? "").split(separator: "&").filter { !$0.hasPrefix("dashboard=") }.map { "&" + $0 }.joined()
        return .nav(.class("tabs print-hide"), .attribute(named: "aria-label", value: ctx.t("Dashboards")),
                    .forEach(tabs) { t in .a(.href(t.1), .text(ctx.t(t.2)), .if(t.0 == active, .attribute(named: "aria-current", value: "page"))) },
                    .if(reports[active] != nil, .a(.class("report-link"), .href("/dashboards/report?dashboard=" + active + query), .text(ctx.t("Printable report")))))
    }

    /// The filters of every dashboard; `hidden` carries a page's own settings (whose accounts, which unit) along.
    static func filterForm(_ c: Context, action: String, hidden: [String: String] = [:]) -> Node<HTML.BodyContext> {
        let ctx = c.ctx
        let d = c.dims
        let (from, to) = MetricRequest.defaultPeriod()
        func options(_ pairs: [(String, String)]) -> [(String, String)] { [("", ctx.t("all"))] + pairs }
        let journeys = d.journeys.sorted { $0.value < $1.value }.map { ($0.key.uuidString.lowercased(), $0.value) }
        let touchpoints = d.touchpoints.filter { _ in true }.sorted { $0.value.name < $1.value.name }.map { ($0.key.uuidString.lowercased(), $0.value.name) }
        let phases = d.phases.sorted { $0.value < $1.value }.map { ($0.key.uuidString.lowercased(), $0.value) }
        let surveys = d.surveys.sorted { $0.value.name < $1.value.name }.map { ($0.key.uuidString.lowercased(), $0.value.name) }
        return .form(.method(.get), .action(action), .class("filters card print-hide"),
            JourneyWeb.field("from", ctx.t("From"), .input(.type(.month), .name("from"), .id("from"), .value(c.filters["from"] ?? RollupCalendar.label(month: from / 100)))),
            JourneyWeb.field("to", ctx.t("To"), .input(.type(.month), .name("to"), .id("to"), .value(c.filters["to"] ?? RollupCalendar.label(month: to / 100)))),
            JourneyWeb.field("market", ctx.t("Market"), JourneyWeb.select("market", options(c.dims.markets.map { ($0, $0) }), selected: c.filters["market"] ?? "", id: "market")),
            JourneyWeb.field("segment", ctx.t("Segment"), JourneyWeb.select("segment", options(c.dims.segments.map { ($0, $0) }), selected: c.filters["segment"] ?? "", id: "segment")),
            JourneyWeb.field("channel", ctx.t("Channel"), JourneyWeb.select("channel", options(c.dims.channels.map { ($0, ctx.t($0)) }), selected: c.filters["channel"] ?? "", id: "channel")),
            JourneyWeb.field("journey", ctx.t("Journey"), JourneyWeb.select("journey", options(journeys), selected: c.filters["journey"] ?? "", id: "journey")),
            JourneyWeb.field("phase", ctx.t("Phase"), JourneyWeb.select("phase", options(phases), selected: c.filters["phase"] ?? "", id: "phase")),
            JourneyWeb.field("touchpoint", ctx.t("Touchpoint"), JourneyWeb.select("touchpoint", options(touchpoints), selected: c.filters["touchpoint"] ?? "", id: "touchpoint")),
            JourneyWeb.field("survey", ctx.t("Survey"), JourneyWeb.select("survey", options(surveys), selected: c.filters["survey"] ?? "", id: "survey")),
            .forEach(hidden.sorted { $0.key < $1.key }) { k, v in .input(.type(.hidden), .name(k), .value(v)) },
            .button(.type(.submit), .text(ctx.t("Apply"))))
    }

    // MARK: Figures

    static func number(_ ctx: WebContext, _ value: Double?, digits: Int = 0) -> String {
        guard let value else { return "–" }
        return JourneyWeb.decimal(ctx, value, digits: digits)
    }

    /// A figure as people should read it: bracketed when n is small, hidden below the guardrail.
    static func figure(_ ctx: WebContext, _ g: MetricGroup, digits: Int = 0) -> String {
        switch g.state {
        case "shown": number(ctx, g.value, digits: digits)
        case "bracketed": "(" + number(ctx, g.value, digits: digits) + ")"
        case "hidden": ctx.t("too few answers")
        case "not_pooled": ctx.t("not pooled")
        default: "–"
        }
    }

    static func interval(_ ctx: WebContext, _ g: MetricGroup, digits: Int = 0) -> String {
        guard let lo = g.low, let hi = g.high, g.state == "shown" || g.state == "bracketed" else { return "–" }
        return number(ctx, lo, digits: digits) + " – " + number(ctx, hi, digits: digits)
    }

    static func stateText(_ ctx: WebContext, _ g: MetricGroup, guardrail: Guardrail) -> String {
        switch g.state {
        case "bracketed": ctx.t("few answers: read with care") + " (n < \(guardrail.showAt))"
        case "hidden": ctx.t("hidden: fewer than") + " \(guardrail.bracketAt) " + ctx.t("answers")
        case "not_pooled": g.note ?? ""
        default: g.pooled ? ctx.t("pooled from") + " \(g.sources) " + ctx.t("sources") : ""
        }
    }

    static func headlineCards(_ c: Context, _ d: ExecutiveData) -> Node<HTML.BodyContext> {
        let ctx = c.ctx
        let total = d.volume.groups.map(\.n).reduce(0, +)
        return .div(.class("kpi-row"), .forEach(d.headline.groups) { g in
            scoreCard(c, title: ctx.t("R-NPS") + " " + d.headline.from.prefix(7) + " – " + d.headline.to.prefix(7), g)
        }, .div(.class("card kpi"), .h2(.text(ctx.t("Responses"))), .p(.class("big"), .text(ctx.lang.number(total))),
                .p(.class("muted"), .text(ctx.t("in the period, every survey")))))
    }

    /// Where a figure's answers can be read.
    static func drill(_ c: Context, _ key: [String: String]) -> String? {
        guard c.canDrill else { return nil }
        var extra: [String: String] = [:]
        for k in ["touchpoint", "survey", "channel", "journey", "phase", "segment", "market", "kind"] { if let v = key[k], !v.isEmpty { extra[k] = v } }
        if let m = key["month"] { extra["from"] = m; extra["to"] = m }
        if let q = key["quarter"], let y = Int(q.prefix(4)), let n = Int(q.suffix(1)) {
            extra["from"] = String(format: "%04d-%02d", y, n * 3 - 2); extra["to"] = String(format: "%04d-%02d", y, n * 3)
        }
        if let s = key["source"] {
            let parts = s.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            extra["survey"] = parts[0]; if !parts[1].isEmpty { extra["touchpoint"] = parts[1] }; extra["channel"] = parts[2]
        }
        var q = c.filters
        for (k, v) in extra { q[k] = v }
        return "/dashboards/responses?" + q.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: queryValue) ?? "")" }.joined(separator: "&")
    }

    static func state(_ g: MetricGroup) -> ChartPointState {
        switch g.state {
        case "shown": .shown
        case "bracketed": .bracketed
        default: .hidden
        }
    }

    static func tableOf(_ c: Context, _ r: MetricResult, label: (MetricGroup) -> String) -> Node<HTML.BodyContext> {
        let ctx = c.ctx
        return numbers(ctx, Layout.table(headers: ["", r.label, ctx.t("95% interval"), "n", ctx.t("Note")],
                                     rows: r.groups.map { g in
                                         let name = label(g)
                                         return [drill(c, g.key).map { .a(.href($0), .text(name)) } ?? .text(name), .text(figure(ctx, g)), .text(interval(ctx, g)),
                                                 .text(ctx.lang.number(g.n)), .text(stateText(ctx, g, guardrail: c.guardrail) + (g.changed == true ? " · " + ctx.t("changed significantly") : ""))]
                                     }))
    }

    /// The numbers behind a chart, one click away.
    static func numbers(_ ctx: WebContext, _ table: Node<HTML.BodyContext>) -> Node<HTML.BodyContext> {
        .element(named: "details", nodes: [.if(printing, .attribute(named: "open", value: "open")), .element(named: "summary", text: ctx.t("The numbers")), table])
    }

    static func csvLink(_ c: Context, _ chart: String) -> Node<HTML.BodyContext> {
        .a(.class("print-hide"), .href("/dashboards/data.csv?chart=\(chart)&" + c.query()), .text(c.ctx.t("Download CSV")))
    }

    static func trendCard(_ c: Context, id: String, title: String, results: [(String, MetricResult)], note: String) -> Node<HTML.BodyContext> {
        let ctx = c.ctx
        let months = results.first.map { r in r.1.groups.compactMap { $0.key["month"] } } ?? []
        let series = results.map { name, r in
            let byMonth = Dictionary(r.groups.map { ($0.key["month"] ?? "", $0) }, uniquingKeysWith: { a, _ in a })
            return TrendSeries(name: name, points: months.map { m in
                let g = byMonth[m]
                return TrendPoint(label: m, value: g?.value, low: g?.low, high: g?.high, n: g?.n ?? 0, state: g.map(state) ?? .hidden,
                                  changed: g?.changed == true, href: g.flatMap { drill(c, $0.key) })
            })
        }
        let svg = Charts.trendChart(id: id, series: series, scale: -100...100, labels: trendLabels(ctx, title: title, yAxis: "NPS"))
        return .div(.class("card chart-card"), .h2(.text(title)), .p(.class("muted"), .text(note)), .div(.class("chart"), .raw(svg)),
                    tableOf(c, results[0].1) { $0.key["month"] ?? "" }, csvLink(c, id))
    }

    static func trendLabels(_ ctx: WebContext, title: String, yAxis: String) -> TrendLabels {
        TrendLabels(title: title, description: ctx.t("Trend with 95% confidence band; hollow points: few answers; gaps: too few answers to show."),
                    yAxis: yAxis, noData: ctx.t("No data in this period"),
                    pointTitle: { p in
                        let v = p.value.map { String(format: "%.0f", $0) } ?? "–"
                        return "\(p.label): \(p.state == .bracketed ? "(\(v))" : v), n=\(p.n)" + (p.low.map { lo in p.high.map { hi in String(format: ", 95%%: %.0f – %.0f", lo, hi) } ?? "" } ?? "")
                    })
    }

    static func barsCard(_ c: Context, id: String, title: String, result: MetricResult, dimension: String) -> Node<HTML.BodyContext> {
        let ctx = c.ctx
        let rows = result.groups.map { g in
            IntervalBar(label: g.key[dimension + "_name"] ?? g.key[dimension] ?? "", value: g.value, low: g.low, high: g.high, n: g.n, state: state(g),
                        href: drill(c, g.key), note: g.pooled ? ctx.t("pooled from") + " \(g.sources) " + ctx.t("sources") : nil)
        }
        let svg = Charts.intervalBars(id: id, rows: rows, scale: -100...100, labels: barLabels(ctx, title: title))
        return .div(.class("card chart-card"), .h2(.text(title)),
                    .p(.class("muted"), .text(ctx.t("Per touchpoint, never averaged across touchpoints; a touchpoint asked through several channels is pooled from counts."))),
                    .div(.class("chart"), .raw(svg)), tableOf(c, result) { $0.key[dimension + "_name"] ?? "" }, csvLink(c, id))
    }

    static func barLabels(_ ctx: WebContext, title: String) -> IntervalBarLabels {
        IntervalBarLabels(title: title, description: ctx.t("Bars with 95% intervals; bracketed values have few answers; hidden ones too few."),
                          axis: "NPS", noData: ctx.t("No data in this period"), hidden: ctx.t("too few answers"),
                          rowTitle: { r in
                              let v = r.value.map { String(format: "%.0f", $0) } ?? "–"
                              return "\(r.label): \(r.state == .bracketed ? "(\(v))" : v), n=\(r.n)"
                          })
    }

    static func journeysCard(_ c: Context, _ r: MetricResult) -> Node<HTML.BodyContext> {
        let ctx = c.ctx
        let quarters = Array(Set(r.groups.compactMap { $0.key["quarter"] })).sorted()
        let journeys = Array(Set(r.groups.map { $0.key["journey_name"] ?? "" })).sorted()
        let panels = journeys.map { j in
            let byQuarter = Dictionary(r.groups.filter { ($0.key["journey_name"] ?? "") == j }.map { ($0.key["quarter"] ?? "", $0) }, uniquingKeysWith: { a, _ in a })
            return (title: j.isEmpty ? ctx.t("without journey") : j,
                    series: TrendSeries(name: j, points: quarters.map { q in
                        let g = byQuarter[q]
                        return TrendPoint(label: q, value: g?.value, low: g?.low, high: g?.high, n: g?.n ?? 0, state: g.map(state) ?? .hidden,
                                          changed: g?.changed == true, href: g.flatMap { drill(c, $0.key) })
                    }))
        }
        let svg = Charts.smallMultiples(id: "tnps-journeys", panels: panels, scale: -100...100, labels: trendLabels(ctx, title: ctx.t("T-NPS per journey"), yAxis: "NPS"))
        return .div(.class("card chart-card"), .h2(.text(ctx.t("T-NPS per journey and quarter"))),
                    .p(.class("muted"), .text(ctx.t("Pooled from the counts of each journey's touchpoints, labelled as pooled; relationship answers are kept apart."))),
                    .div(.class("chart"), .raw(svg)),
                    tableOf(c, r) { ($0.key["journey_name"] ?? "") + " " + ($0.key["quarter"] ?? "") }, csvLink(c, "tnps-journeys"))
    }

    static func volumeCard(_ c: Context, _ r: MetricResult) -> Node<HTML.BodyContext> {
        let ctx = c.ctx
        let svg = Charts.volumeBars(id: "volume", bars: r.groups.map { VolumeBar(label: $0.key["month"] ?? "", count: $0.n) },
                                    labels: VolumeLabels(title: ctx.t("Responses per month"), description: ctx.t("Answered surveys per month, every survey and channel"),
                                                         yAxis: ctx.t("Responses"), noData: ctx.t("No data in this period")))
        return .div(.class("card chart-card"), .h2(.text(ctx.t("Response volume"))), .div(.class("chart"), .raw(svg)),
                    numbers(ctx, Layout.table(headers: [ctx.t("Month"), ctx.t("Responses")], rows: r.groups.map { [.text($0.key["month"] ?? ""), .text(ctx.lang.number($0.n))] })),
                    csvLink(c, "volume"))
    }

    static func moversCard(_ c: Context, _ movers: [MetricGroup]) -> Node<HTML.BodyContext> {
        let ctx = c.ctx
        return .div(.class("card"), .h2(.text(ctx.t("Significant movers"))),
                    .p(.class("muted"), .text(ctx.t("Sources (survey × touchpoint × channel) whose T-NPS changed against the period before, significant after Holm's correction for testing many at once."))),
                    movers.isEmpty ? .p(.text(ctx.t("No source changed significantly."))) :
                    Layout.table(headers: [ctx.t("Touchpoint"), ctx.t("Channel"), ctx.t("Before"), ctx.t("Now"), ctx.t("Change"), "p", "n"],
                                 rows: movers.map { g in
                                     let name = g.key["touchpoint_name"].flatMap { $0.isEmpty ? nil : $0 } ?? g.key["survey_name"] ?? ""
                                     let d = g.comparison?.difference ?? 0
                                     return [drill(c, g.key).map { .a(.href($0), .text(name)) } ?? .text(name), .text(ctx.t(g.key["channel"] ?? "")),
                                             .text(number(ctx, g.comparison?.previousValue)), .text(figure(ctx, g)),
                                             .span(.class(d > 0 ? "up" : "down"), .text((d > 0 ? "▲ +" : "▼ ") + number(ctx, d, digits: 1))),
                                             .text(String(format: "%.4f", g.comparison?.pValue ?? 1)), .text(ctx.lang.number(g.n))]
                                 }))
    }

    // MARK: CSV and drill-down

    static func csv(_ req: Request) async throws -> Response {
        let c = try await context(req)
        let chart = try req.textQuery("chart") ?? ""
        guard let spec = charts[chart] else { throw AppError.invalid("chart", "'\(chart)' is not a chart; use \(charts.keys.sorted().joined(separator: ", "))") }
        let result = try await c.run(spec)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.contentDisposition = .init(.attachment, filename: "rapport-\(chart).csv")
        return Response(status: .ok, headers: headers, body: .init(string: result.csv()))
    }

    /// The answers behind a figure: same filters, newest first, at most 200.
    static func responses(_ req: Request) async throws -> Response {
        let c = try await context(req)
        let ctx = c.ctx
        var query = c.filters
        let given = try req.allQueryItems()
        if let k = given["kind"], !k.isEmpty { query["kind"] = k }
        query["metric"] = "responses"
        let request: MetricRequest
        do { request = try MetricRequest.parse(query, indices: c.indices) } catch let e as AppError {
            return Layout.render(ctx, title: ctx.t("Responses"), status: e.status, active: "dashboards", JourneyWeb.errorBox(ctx, e))
        }
        let rows = try await KPISnapshots.rawResponses(request, scope: c.scope, limit: 200)
        let names = c.dims
        return Layout.render(ctx, title: ctx.t("Responses"), active: "dashboards", .group(
            .p(.a(.href("/dashboards?" + c.query()), .text("← " + ctx.t("Executive dashboard")))),
            .h1(.text(ctx.t("The answers behind the figure"))),
            .p(.class("muted"), .text(ctx.t("Newest first, at most 200.") + " " + RollupCalendar.label(day: request.from) + " – " + RollupCalendar.label(day: request.to))),
            rows.isEmpty ? .p(.text(ctx.t("No responses match."))) :
            Layout.table(headers: [ctx.t("Answered"), ctx.t("Survey"), ctx.t("Touchpoint"), ctx.t("Channel"), ctx.t("Scores"), ctx.t("Comment"), ctx.t("Contact")],
                         rows: rows.map { r in
                             let answers = r.decodedAnswers
                             let scores = ["nps", "csat", "ces"].compactMap { k in answers[k]?.number.map { "\(k.uppercased()) \($0)" } }.joined(separator: " · ")
                             let comment = answers.values.compactMap { a -> String? in if case .text(let t) = a, t.count > 12 { t } else { nil } }.first ?? ""
                             return [.text(ctx.lang.dateTime(r.submittedAt ?? r.startedAt, zone: ctx.zone)), .text(names.surveys[r.surveyID]?.name ?? ""),
                                     .text(r.touchpointID.flatMap { names.touchpoints[$0]?.name } ?? "—"), .text(ctx.t(r.channel ?? "—")),
                                     .text(scores), .text(comment),
                                     r.contactID.map { .a(.href("/contacts/\($0.uuidString.lowercased())"), .text(ctx.t("open"))) } ?? .text("—")]
                         })))
    }

    // MARK: KPI snapshots

    static func kpis(_ req: Request) async throws -> Response { try await renderKPIs(req, error: nil, status: .ok) }

    static func renderKPIs(_ req: Request, error: AppError?, status: HTTPResponseStatus) async throws -> Response {
        let ctx = WebContext.make(req)
        let scope = try req.scope
        let snapshots = try await scope.query(KPISnapshot.self).sort(\.$seq, .descending).all()
        let checks = Dictionary(try await KPISnapshots.verify(scope: scope).map { ($0.seq, $0) }, uniquingKeysWith: { a, _ in a })
        let canFreeze = ctx.caller?.role.can(.freezeKPIs) == true
        let lastYear = RollupCalendar.month(Date()) / 100 - 1
        let form: Node<HTML.BodyContext> = .if(canFreeze, .div(.class("card print-hide"), .h2(.text(ctx.t("Freeze a KPI"))),
            .p(.class("muted"), .text(ctx.t("The value is computed from the raw answers, with a digest of exactly which answers went in, and chained to the snapshot before."))),
            .form(.method(.post), .action("/dashboards/kpis"), .class("filters"), Layout.csrfField(ctx),
                  JourneyWeb.field("name", ctx.t("Name"), .input(.type(.text), .name("name"), .id("name"), .value("R-NPS \(lastYear) (Bonus)"))),
                  JourneyWeb.field("metric", ctx.t("Metric"), JourneyWeb.select("metric", [("nps", "NPS"), ("csat", "CSAT"), ("ces", "CES"), ("ces_easy", ctx.t("CES % easy"))], id: "metric")),
                  JourneyWeb.field("kind", ctx.t("Survey kind"), JourneyWeb.select("kind", [("relationship", ctx.t("kind.relationship")), ("transactional", ctx.t("kind.transactional"))], id: "kind")),
                  JourneyWeb.field("from", ctx.t("From"), .input(.type(.month), .name("from"), .id("kpi-from"), .value("\(lastYear)-01"))),
                  JourneyWeb.field("to", ctx.t("To"), .input(.type(.month), .name("to"), .id("kpi-to"), .value("\(lastYear)-12"))),
                  .button(.type(.submit), .text(ctx.t("Freeze"))))))
        return Layout.render(ctx, title: ctx.t("KPI snapshots"), status: status, active: "dashboards", .group(
            tabs(ctx, "kpis"),
            .h1(.text(ctx.t("KPI snapshots"))),
            JourneyWeb.errorBox(ctx, error),
            .div(.class("card"),
                 snapshots.isEmpty ? .p(.text(ctx.t("No KPI has been frozen yet."))) :
                 Layout.table(headers: ["#", ctx.t("Name"), ctx.t("Value"), ctx.t("95% interval"), "n", ctx.t("Frozen"), ctx.t("Verification")],
                              rows: snapshots.map { s in
                                  let check = checks[s.seq]
                                  let ok = check?.status == "verified"
                                  return [.text("\(s.seq)"), .text(s.name), .text(number(ctx, s.value, digits: 1)),
                                          .text(s.low.map { lo in s.high.map { hi in number(ctx, lo, digits: 1) + " – " + number(ctx, hi, digits: 1) } ?? "" } ?? "–"),
                                          .text(ctx.lang.number(s.n)), .text(s.createdBy + ", " + ctx.lang.dateTime(s.createdAt, zone: ctx.zone)),
                                          .div(.span(.class(ok ? "badge ok" : "badge broken"), .text(ok ? "✓ " + ctx.t("verified") : "✗ " + ctx.t("broken"))),
                                               .forEach(check?.problems ?? []) { p in .p(.class("muted"), .text(p)) },
                                               .p(.class("muted mono"), .text(String(s.hash.prefix(16)) + "…")))]
                              }),
                 .p(.class("muted"), .text(ctx.t("Verification recomputes every snapshot from the raw answers and checks the hash chain; `rapport kpi verify` does the same on the command line.")))),
            form))
    }

    static func freeze(_ req: Request) async throws -> Response {
        let fields = try SurveyForms.fields(req)
        var query: [String: String] = [:]
        for k in ["metric", "kind", "from", "to"] { if let v = fields[k], !v.isEmpty { query[k] = v } }
        do {
            _ = try await KPISnapshots.freeze(name: fields["name"], query: query, scope: try req.scope, caller: try req.caller)
        } catch let e as AppError {
            return try await renderKPIs(req, error: e, status: e.status)
        }
        return req.redirect(to: "/dashboards/kpis", redirectType: .normal)
    }
}
