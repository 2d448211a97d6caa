/// The survey pages' stylesheet (public pages and the editor's phone preview, both inside
/// `.survey-page`): phone first, large touch targets, visible focus, contrast
/// at least 4.5:1, and no script anywhere.
enum SurveyAssets {
    static let css = """
    .survey-page { container-type: inline-size; --ink:#1a1f2b; --muted:#4f5a6b; --line:#c9d1dc; --bg:#f4f6f9; --card:#fff; --accent:#0b5cad; --bad:#a4221b; }
    .survey-page * { box-sizing: border-box; }
    body.survey-page { margin:0; font: 17px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
    .survey-page main { max-width: 640px; margin: 0 auto; padding: 16px; }
    .survey-page h1 { font-size: 1.35rem; margin: .2em 0 .4em; }
    .survey-page .survey-head { display:flex; flex-wrap:wrap; justify-content:space-between; align-items:baseline; gap: 4px 12px; }
    .survey-page .langs a { color: var(--accent); margin-left: 8px; }
    .survey-page .intro { color: var(--muted); }
    .survey-page .progress { display:flex; align-items:center; gap: 10px; color: var(--muted); font-size: .9rem; margin: 8px 0 16px; }
    .survey-page .progress progress { flex: 1; height: 10px; accent-color: var(--accent); }
    .survey-page form { margin: 0; }
    .survey-page .q { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 14px 10px; margin: 0 0 14px; min-width: 0; }
    .survey-page fieldset.item { border: none; padding: 8px 0 4px; margin: 0; border-top: 1px solid var(--line); border-radius: 0; }
    .survey-page legend,.survey-page .matrix-title,.survey-page .q.text > label { font-weight: 600; padding: 0; margin-bottom: 10px; display:block; }
    .survey-page fieldset.q > legend { float: left; width: 100%; }
    .survey-page fieldset.q > legend + * { clear: both; }
    .survey-page .req { color: var(--bad); }
    .survey-page .points { display:grid; gap: 6px; grid-template-columns: repeat(6, 1fr); }
    .survey-page .s5 .points,.survey-page .s7 .points { grid-template-columns: repeat(var(--cols, 5), 1fr); }
    .survey-page .s7 .points { --cols: 7; }
    .survey-page .point { position: relative; display:block; }
    .survey-page .point input,.survey-page .option input { position:absolute; opacity:0; width: 1px; height: 1px; }
    .survey-page .point span { display:flex; align-items:center; justify-content:center; min-height: 48px; border: 2px solid var(--line); border-radius: 8px; background:#fff; font-weight: 600; font-variant-numeric: tabular-nums; cursor: pointer; }
    .survey-page .point input:checked + span { background: var(--accent); border-color: var(--accent); color: #fff; }
    .survey-page .point input:focus-visible + span,.survey-page .option input:focus-visible + span { outline: 3px solid #f0a500; outline-offset: 2px; }
    .survey-page .anchors { display:flex; justify-content:space-between; gap: 12px; color: var(--muted); font-size: .85rem; margin-top: 6px; }
    .survey-page .anchors span:last-child { text-align: right; }
    .survey-page .option { display:block; margin: 6px 0; }
    .survey-page .option span { display:block; padding: 12px 14px 12px 44px; border: 2px solid var(--line); border-radius: 8px; background:#fff; position: relative; cursor: pointer; }
    .survey-page .option span::before { content:""; position:absolute; left: 14px; top: 50%; width: 18px; height: 18px; margin-top: -9px; border: 2px solid var(--muted); border-radius: 50%; background:#fff; }
    .survey-page .option input[type=checkbox] + span::before { border-radius: 4px; }
    .survey-page .option input:checked + span { border-color: var(--accent); }
    .survey-page .option input:checked + span::before { background: var(--accent); border-color: var(--accent); box-shadow: inset 0 0 0 3px #fff; }
    .survey-page .hint { color: var(--muted); font-size: .9rem; margin: 0 0 6px; }
    .survey-page textarea,.survey-page input.code { width: 100%; font: inherit; padding: 10px 12px; border: 2px solid var(--line); border-radius: 8px; background:#fff; }
    .survey-page input.code { text-transform: uppercase; letter-spacing: .12em; font-size: 1.2rem; }
    .survey-page textarea:focus,.survey-page input.code:focus { outline: 3px solid #f0a500; outline-offset: 1px; border-color: var(--accent); }
    .survey-page .error { color: var(--bad); font-weight: 600; margin: 8px 0 0; }
    .survey-page .error-summary { border: 2px solid var(--bad); background: #fff; border-radius: 10px; padding: 10px 14px; margin-bottom: 14px; }
    .survey-page .error-summary a { color: var(--bad); }
    .survey-page .actions { display:flex; gap: 10px; justify-content: flex-end; margin: 18px 0 30px; }
    .survey-page button { font: inherit; font-weight: 600; min-height: 48px; padding: 10px 22px; border-radius: 8px; border: 2px solid var(--accent); cursor: pointer; }
    .survey-page button.primary { background: var(--accent); color: #fff; } button.secondary { background: #fff; color: var(--accent); margin-right: auto; }
    .survey-page button:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
    .survey-page .done { background: var(--card); border:1px solid var(--line); border-radius: 10px; padding: 20px; margin-top: 24px; }
    .survey-page .muted { color: var(--muted); }
    .survey-page label { display:block; }
    @container (max-width: 420px) { .survey-page .points { grid-template-columns: repeat(6, 1fr); } .survey-page .s5 .points { grid-template-columns: repeat(5, 1fr); } .survey-page .s7 .points { grid-template-columns: repeat(7, 1fr); gap: 4px; } }
    @container (min-width: 560px) { .survey-page .s11 .points { grid-template-columns: repeat(11, 1fr); gap: 4px; } }
    @media print { .survey-page body { background:#fff; } }
    """
}
