import Foundation
import Plot
import RapportKit
import Vapor

/// The frame of every page: navigation, language, sign-out, and the content. Pages are plain functions
/// from a view model to HTML; this is the only place that knows the chrome.
enum Layout {
    static func render(_ ctx: WebContext, title: String, status: HTTPResponseStatus = .ok, active: String = "", _ content: Node<HTML.BodyContext>) -> Response {
        let html = HTML(
            .lang(ctx.lang == .de ? .german : .english),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .title("\(title) · Rapport"),
                // `rapport report` prints one self-contained file from disk (the server's CSP keeps
                // inline styles out of served pages).
                DashboardPages.selfContained ? .style(Assets.css + SurveyAssets.css) : .group(.link(.rel(.stylesheet), .href("/assets/app.css")),
                                                                                         .link(.rel(.stylesheet), .href("/assets/survey.css")))
            ),
            .body(
                .if(DashboardPages.printing, .attribute(named: "class", value: "report")),
                .a(.class("skip"), .href("#main"), .text(ctx.t("Skip to content"))),
                .if(!DashboardPages.printing, .header(.class("top"),
                    .a(.class("brand"), .href("/"), .text("Rapport")),
                    .unwrap(ctx.caller) { caller in
                        .group(
                            .nav(.attribute(named: "aria-label", value: "Main"),
                                 navLink(ctx, "/", "Home", active == "home"),
                                 navLink(ctx, "/accounts", "Accounts", active == "accounts"),
                                 navLink(ctx, "/journeys", "Journeys", active == "journeys"),
                                 navLink(ctx, "/surveys", "Surveys", active == "surveys"),
                                 navLink(ctx, "/dashboards", "Dashboards", active == "dashboards"),
                                 navLink(ctx, "/success", "Success", active == "success"),
                                 .if(caller.role.can(.readFeedback), navLink(ctx, "/feedback", "Feedback", active == "feedback")),
                                 .if(caller.role.can(.importData), navLink(ctx, "/import", "Import", active == "import")),
                                 navLink(ctx, "/settings", "Settings", active == "settings")),
                            .div(.class("who"),
                                 .span(.class("ws"), .text(caller.workspaceName)),
                                 .span(.text(ctx.userName ?? caller.label)),
                                 .form(.method(.post), .action("/logout"), .class("inline"),
                                       .input(.type(.hidden), .name("csrf_token"), .value(ctx.csrf)),
                                       .button(.type(.submit), .class("link"), .text(ctx.t("Sign out")))))
                        )
                    }
                )),
                .main(.id("main"), content)
            )
        )
        let response = Response(status: status, body: .init(string: html.render()))
        response.headers.contentType = .html
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    private static func navLink(_ ctx: WebContext, _ href: String, _ label: String, _ current: Bool) -> Node<HTML.BodyContext> {
        .a(.href(href), .text(ctx.t(label)), .if(current, .attribute(named: "aria-current", value: "page")))
    }

    static func csrfField(_ ctx: WebContext) -> Node<HTML.FormContext> {
        .input(.type(.hidden), .name("csrf_token"), .value(ctx.csrf))
    }

    /// A table that scrolls sideways on a phone instead of squeezing its columns.
    static func table(caption: String? = nil, headers: [String], rows: [[Node<HTML.BodyContext>]]) -> Node<HTML.BodyContext> {
        .div(.class("table-wrap"),
             .table(
                .unwrap(caption) { .caption(.text($0)) },
                .thead(.tr(.forEach(headers) { .th(.attribute(named: "scope", value: "col"), .text($0)) })),
                .tbody(.forEach(rows) { row in .tr(.forEach(row) { .td($0) }) })
             ))
    }
}

enum WebErrorPage {
    @Sendable static func render(_ req: Request, _ status: HTTPResponseStatus, _ title: String, _ detail: String) -> Response {
        let ctx = WebContext.make(req)
        let heading = status == .notFound ? ctx.t("Page not found") : status == .forbidden ? ctx.t("Not allowed")
            : status == .tooManyRequests ? ctx.t("Too many attempts") : status.code >= 500 ? ctx.t("Something went wrong") : ctx.t(title)
        return Layout.render(ctx, title: heading, status: status, .div(.class("card"),
            .h1(.text(heading)), .p(.text(ctx.t(detail))), .p(.a(.href("/"), .text(ctx.t("Home"))))))
    }
}

enum Assets {
    static let css = """
    :root { --ink:#1d2433; --muted:#5b6577; --line:#dde2ea; --bg:#f6f7f9; --card:#fff; --accent:#0b5cad; --bad:#b3261e; --good:#1b7a3d; --warn:#8a5a00; }
    * { box-sizing: border-box; }
    body { margin:0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
    a { color: var(--accent); }
    .skip { position:absolute; left:-999px; } .skip:focus { left: 8px; top: 8px; background:#fff; padding:4px 8px; z-index: 9; }
    header.top { display:flex; flex-wrap:wrap; align-items:center; gap: 8px 24px; padding: 10px 20px; background:#12263f; color:#fff; }
    header.top a { color:#fff; text-decoration:none; }
    .brand { font-weight:700; font-size:1.2rem; letter-spacing:.02em; }
    nav { display:flex; flex-wrap:wrap; gap: 4px 16px; }
    nav a[aria-current=page] { border-bottom: 2px solid #8ec5ff; }
    .who { margin-left:auto; display:flex; flex-wrap:wrap; gap: 4px 12px; align-items:center; font-size:.9rem; color:#c9d6e8; }
    .who .ws { font-weight:600; color:#fff; }
    main { max-width: 1200px; margin: 0 auto; padding: 20px; }
    h1 { font-size: 1.6rem; margin: .2em 0 .6em; } h2 { font-size: 1.2rem; margin: 1.4em 0 .5em; }
    .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin-bottom: 16px; }
    div.grid { display:grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 16px; }
    .stats { display:grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; margin-bottom: 16px; }
    .stat { background: var(--card); border:1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
    .stat .n { font-size: 1.7rem; font-weight: 700; } .stat .l { color: var(--muted); font-size: .9rem; }
    .table-wrap { overflow-x:auto; background: var(--card); border:1px solid var(--line); border-radius: 8px; }
    table { border-collapse: collapse; width: 100%; font-size: .95rem; }
    caption { text-align:left; padding: 8px 12px; font-weight:600; }
    th, td { text-align:left; padding: 8px 12px; border-bottom: 1px solid var(--line); vertical-align: top; }
    th { background: #eef1f5; font-weight: 600; white-space: nowrap; }
    td.num, th.num { text-align:right; font-variant-numeric: tabular-nums; }
    div.filters { display:flex; flex-wrap:wrap; gap: 8px 12px; align-items:flex-end; margin-bottom: 12px; }
    input[type=number], input[type=url] { padding: 7px 9px; border:1px solid #b9c2cf; border-radius:6px; background:#fff; max-width: 100%; }
    input[type=number] { width: 7em; }
    form.filters { display:flex; flex-wrap:wrap; gap: 8px 12px; align-items:flex-end; margin-bottom: 12px; }
    form.filters > div { min-width: 0; max-width: 100%; } select { width: auto; }
    label { display:block; font-size: .85rem; color: var(--muted); }
    .radio label { display:inline; font-size: 1rem; color: var(--ink); } fieldset { border: 1px solid var(--line); border-radius: 6px; }
    .card > h2:first-child, .card > h1:first-child { margin-top: 0; }
    input, select, textarea, button { font: inherit; }
    input.wide { width: 100%; }
    input[type=text], input[type=search], input[type=email], input[type=password], select { padding: 7px 9px; border:1px solid #b9c2cf; border-radius:6px; background:#fff; min-width: 0; max-width: 100%; }
    button, .button { padding: 8px 14px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color:#fff; cursor:pointer; text-decoration:none; display:inline-block; }
    button.secondary { background:#fff; color: var(--accent); } button.danger { background: var(--bad); border-color: var(--bad); }
    button.link { background:none; border:none; color:#c9d6e8; padding:0; text-decoration:underline; }
    form.inline { display:inline; }
    .stack > * + * { margin-top: 10px; }
    .narrow { max-width: 420px; margin: 40px auto; } .spaced { margin-top: 16px; }
    .muted { color: var(--muted); } .bad { color: var(--bad); } .good { color: var(--good); }
    .badge { display:inline-block; padding: 1px 8px; border-radius: 10px; font-size:.8rem; background:#e7eef8; color:#0b3d74; }
    .badge.bad { background:#fbe9e7; color: var(--bad); } .badge.good { background:#e6f4ea; color: var(--good); }
    div.editor { display:grid; grid-template-columns: minmax(0, 1fr) 400px; gap: 16px; align-items: start; }
    @media (max-width: 900px) { div.editor { grid-template-columns: minmax(0, 1fr); } }
    .phone { width: 375px; max-width: 100%; margin: 0 auto; border: 10px solid #1d2433; border-radius: 28px; overflow: hidden; background: #f4f6f9; }
    .phone .survey-page { padding: 12px; }
    ol.questions > li { padding: 6px 0; border-bottom: 1px solid var(--line); }
    form.question-form { margin: 8px 0; padding: 10px; background: #f6f7f9; border-radius: 6px; }
    textarea.wide { width: 100%; } textarea.code { font-family: ui-monospace, monospace; font-size: .85rem; }
    ul.plain { list-style: none; padding: 0; margin: 0; }
    article.letter { background:#fff; border:1px solid var(--line); padding: 24px; margin-bottom: 24px; max-width: 720px; }
    article.letter .qr svg { width: 160px; height: 160px; } article.letter .code { font-size: 1.4rem; letter-spacing: .15em; font-weight: 700; }
    @media print { header.top, .no-print { display:none; } main { padding:0; } article.letter { border:none; page-break-after: always; } }
    .alert { border-left: 4px solid var(--bad); background:#fff4f2; padding: 10px 14px; margin: 12px 0; border-radius: 4px; }
    .notice { border-left: 4px solid var(--good); background:#f0f9f2; padding: 10px 14px; margin: 12px 0; border-radius: 4px; }
    .token { font-family: ui-monospace, monospace; word-break: break-all; background:#fffbe6; padding: 8px; border:1px dashed #c9a400; }
    dl.facts { display:grid; grid-template-columns: max-content minmax(0, 1fr); gap: 4px 16px; margin: 0; } dl.facts dt { color: var(--muted); }
    dl.facts dd { margin: 0; overflow-wrap: anywhere; }
    ol.timeline { list-style:none; padding:0; margin:0; } ol.timeline li { padding: 8px 0; border-bottom: 1px solid var(--line); }
    ol.timeline time { color: var(--muted); font-size:.85rem; display:block; }
    .pager { display:flex; gap: 12px; margin-top: 12px; }
    pre.json { white-space: pre-wrap; word-break: break-word; font-size: .8rem; max-width: 40ch; margin:0; }
    .links a { white-space: nowrap; } .badges { display:flex; flex-wrap:wrap; gap: 6px; align-items:center; }
    .map table { min-width: 640px; } .map td { min-width: 150px; } .map .pos { color: var(--muted); }
    .tp { margin-bottom: 6px; } .tp .badge { margin-left: 4px; }
    ul.notes { margin:0; padding-left: 18px; font-size: .9rem; } .notes-row td, .curve-row td { background: #fafbfc; }
    .badge.q1, .badge.q2 { background:#fbe9e7; color: var(--bad); } .badge.q4, .badge.q5 { background:#e6f4ea; color: var(--good); }
    .badge.lvl-1 { background:#fff3d6; color: var(--warn); } .badge.lvl-2 { background:#e6f4ea; color: var(--good); }
    .chart { background: var(--card); border:1px solid var(--line); border-radius: 8px; padding: 8px; margin-bottom: 12px; }
    .chart svg { display:block; width:100%; height:auto; max-height: 70vh; }
    .chart .point:focus, .chart a:focus circle { outline: 3px solid #8ec5ff; }
    .chart .point-fix { fill: #c0392b; } .chart .point-keep { fill: #1b7a3d; } .chart .point-over { fill: #b7791f; } .chart .point-low { fill: #6b7785; }
    .matrix-layout { display:grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; align-items:start; }
    img.thumb { max-width: 160px; max-height: 120px; display:block; border:1px solid var(--line); border-radius: 4px; margin: 4px 0; }
    ul.files { list-style: none; padding: 0; } ul.files li { margin-bottom: 10px; }
    button.small { padding: 0 8px; font-size: .85rem; } button.link-dark { background:none; border:none; color: var(--muted); padding: 0 4px; }
    .small { font-size: .85rem; font-weight: normal; } textarea { width: 100%; min-height: 4em; }
    details.card > summary { cursor: pointer; font-weight: 600; }
    details.inline-edit { display:inline-block; margin-left: 6px; font-size: .85rem; } details.inline-edit > summary { cursor:pointer; color: var(--accent); }
    details.inline-edit[open] { display:block; padding: 6px 0; }
    @media (max-width: 900px) { .matrix-layout { grid-template-columns: minmax(0, 1fr); } }
    .kpi-row { display:grid; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); gap: 16px; }
    .kpi .big { font-size: 2.4rem; font-weight: 700; margin: 4px 0; }
    .dash-grid { display:grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 560px), 1fr)); gap: 16px; }
    .dash-grid > .card { margin-bottom: 0; min-width: 0; }
    .chart-card .chart svg { width: 100%; height: auto; }
    nav.tabs { display:flex; gap: 16px; margin-bottom: 8px; }
    nav.tabs a[aria-current=page] { font-weight: 700; text-decoration: none; border-bottom: 2px solid var(--accent, #1d4ed8); }
    .badge.changed { background:#fef3c7; color:#78350f; } .badge.ok { background:#dcfce7; color:#14532d; } .badge.broken { background:#fee2e2; color:#7f1d1d; }
    span.up { color:#166534; font-weight:600; } span.down { color:#991b1b; font-weight:600; }
    .mono { font-family: ui-monospace, monospace; } .nowrap { white-space: nowrap; }
    body.report .print-hide, body.report nav.tabs, body.report form.filters { display:none; }
    .report-head { border-bottom: 2px solid var(--ink, #222); margin-bottom: 12px; } .report-head p { margin: 2px 0; }
    @media print { .print-hide, nav.tabs, form.filters { display:none; } .dash-grid { display:block; } .chart-card { break-inside: avoid; } details { display:block; } }
    @media (max-width: 640px) { main { padding: 12px; } .who { margin-left:0; } th, td { padding: 6px 8px; } h1 { font-size:1.35rem; } }
    """
}
