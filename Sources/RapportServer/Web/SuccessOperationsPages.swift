import Fluent
import Foundation
import Plot
import RapportKit
import Vapor

/// The operational side of Customer Success in the UI: tasks, meetings and advocacy on the account's
/// page, the week's tasks per owner, renewals with their forecast and retention, and playbooks. Every
/// form goes through the same functions as the API, so checks, timeline and audit are the same.
enum SuccessOperationsPages {
    static let accountActions: Set<String> = ["task", "task-done", "meeting", "advocacy", "advocacy-status"]

    // MARK: cards on the account's success page

    static func tasksCard(_ w: SuccessPages.Widgets, tasks: [CSTask], today: DateOnly) -> Node<HTML.BodyContext> {
        let ctx = w.ctx
        let rows: [[Node<HTML.BodyContext>]] = tasks.map { t in
            let overdue = t.dueOn < today.iso
            return [.group(.text(t.title), .unwrap(t.detail) { .p(.class("small muted"), .text($0)) }),
                    .text(t.ownerID.flatMap { w.memberNames[$0] } ?? "—"),
                    .span(.class(overdue ? "bad nowrap" : "nowrap"), .text(ctx.lang.date(t.dueOn) + (overdue ? " · " + ctx.t("overdue") : ""))),
                    .text(ctx.t("task." + TaskDTO(t, today: today).source)),
                    .if(w.canWrite, w.post("task-done", hidden: [("task_id", t.id!.uuidString.lowercased())], cls: "inline",
                                           .button(.type(.submit), .class("small"), .text(ctx.t("Done")))))]
        }
        return .div(.class("card"), .id("tasks"), .h2(.text(ctx.t("Open tasks"))),
            tasks.isEmpty ? .p(.class("muted"), .text(ctx.t("No open task."))) :
                Layout.table(headers: [ctx.t("Task"), ctx.t("Owner"), ctx.t("Due"), ctx.t("From"), ""], rows: rows),
            .if(w.canWrite, .element(named: "details", nodes: [
                .element(named: "summary", text: ctx.t("Add a task")),
                w.post("task", cls: "filters spaced",
                       JourneyWeb.field("task-title", ctx.t("Task"), .input(.type(.text), .name("title"), .id("task-title"), .value(w.value("title")), .required(true), .class("wide"))),
                       JourneyWeb.field("task-owner", ctx.t("Owner"), w.memberSelect("owner_id", selected: ctx.caller?.userID)),
                       JourneyWeb.field("task-due", ctx.t("Due"), .input(.type(.date), .name("due_on"), .id("task-due"), .value(w.value("due_on", today.adding(days: 7).iso)))),
                       JourneyWeb.field("task-detail", ctx.t("Description"), .input(.type(.text), .name("detail"), .id("task-detail"), .value(w.value("detail")), .class("wide"))),
                       .button(.type(.submit), .text(ctx.t("Add task")))),
            ])))
    }

    static func meetingsCard(_ w: SuccessPages.Widgets, meetings: [MeetingDTO], today: DateOnly) -> Node<HTML.BodyContext> {
        let ctx = w.ctx
        return .div(.class("card"), .id("meetings"), .h2(.text(ctx.t("Meetings"))),
            meetings.isEmpty ? .p(.class("muted"), .text(ctx.t("No meeting recorded yet."))) :
                .ul(.class("plain"), .forEach(meetings.prefix(6)) { m in
                    .li(.class("spaced"),
                        .strong(.text(ctx.lang.date(m.held_on) + " · " + m.title)), .text(" "),
                        m.expectations_checked ? .span(.class("badge good"), .text("✓ " + ctx.t("expectations checked"))) : .span(.class("badge"), .text(ctx.t("expectations not checked"))),
                        .unwrap(m.attendees) { .p(.class("small muted"), .text(ctx.t("Attendees") + ": " + $0)) },
                        .unwrap(m.decisions) { .p(.text(ctx.t("Decisions") + ": " + $0)) },
                        .unwrap(m.notes) { n in .element(named: "details", nodes: [.element(named: "summary", text: ctx.t("Notes")), .p(.class("pre"), .text(n))]) },
                        .if(!m.next_steps.isEmpty, .ul(.class("small"), .forEach(m.next_steps) { s in
                            .li(.text((s.status == "done" ? "✓ " : "○ ") + s.title + " · " + ctx.lang.date(s.due_on)),
                                .if(s.overdue, .span(.class("bad"), .text(" · " + ctx.t("overdue")))))
                        })))
                }),
            .if(w.canWrite, .element(named: "details", nodes: [
                .element(named: "summary", text: ctx.t("Record a meeting")),
                w.post("meeting", cls: "spaced",
                       JourneyWeb.field("m-held", ctx.t("Held on"), .input(.type(.date), .name("held_on"), .id("m-held"), .value(w.value("held_on", today.iso)))),
                       JourneyWeb.field("m-title", ctx.t("Title"), .input(.type(.text), .name("title"), .id("m-title"), .value(w.value("title")), .required(true), .class("wide"))),
                       JourneyWeb.field("m-attendees", ctx.t("Attendees"), .input(.type(.text), .name("attendees"), .id("m-attendees"), .value(w.value("attendees")), .class("wide"))),
                       JourneyWeb.field("m-notes", ctx.t("Notes"), .textarea(.name("notes"), .id("m-notes"), .class("wide"), .attribute(named: "rows", value: "4"), .text(w.value("notes")))),
                       JourneyWeb.field("m-decisions", ctx.t("Decisions"), .textarea(.name("decisions"), .id("m-decisions"), .class("wide"), .attribute(named: "rows", value: "2"), .text(w.value("decisions")))),
                       .p(.label(.input(.type(.checkbox), .name("expectations_checked"), .value("on"), .checked(w.value("expectations_checked") == "on")),
                                 .text(" " + ctx.t("We checked expectations against what was promised")))),
                       JourneyWeb.field("m-steps", ctx.t("Next steps, one per line: title | YYYY-MM-DD (due in 14 days without a date); each becomes a task for you"),
                                        .textarea(.name("next_steps"), .id("m-steps"), .class("wide"), .attribute(named: "rows", value: "3"), .text(w.value("next_steps")))),
                       .button(.type(.submit), .text(ctx.t("Record meeting")))),
            ])))
    }

    static func advocacyCard(_ w: SuccessPages.Widgets, items: [AdvocacyItem]) -> Node<HTML.BodyContext> {
        let ctx = w.ctx
        let rows: [[Node<HTML.BodyContext>]] = items.map { a in
            let statuses = AdvocacyAPI.statuses[a.kind] ?? []
            return [.text(ctx.t("advocacy." + a.kind)),
                    .group(.text(a.title), .unwrap(a.detail) { .p(.class("small muted"), .text($0)) },
                           .if(a.feedbackID != nil, .p(.class("small"), .a(.href("/feedback"), .text(ctx.t("in the feedback inbox")))))),
                    .text(a.contactID.flatMap { w.contactNames[$0] } ?? "—"),
                    w.canWrite ? w.post("advocacy-status", hidden: [("advocacy_id", a.id!.uuidString.lowercased())], cls: "inline",
                                        JourneyWeb.select("status", statuses.map { ($0, ctx.t("status." + $0)) }, selected: a.status, id: "status-" + a.id!.uuidString.lowercased()),
                                        .button(.type(.submit), .class("small secondary"), .text(ctx.t("Set"))))
                               : .text(ctx.t("status." + a.status))]
        }
        return .div(.class("card"), .id("advocacy"), .h2(.text(ctx.t("Advocacy"))),
            .p(.class("muted"), .text(ctx.t("References, case studies and product feedback from this customer. Product feedback also goes to the feedback inbox, to the queue that handles ideas or bugs."))),
            items.isEmpty ? .p(.class("muted"), .text(ctx.t("Nothing recorded yet."))) :
                Layout.table(headers: [ctx.t("Kind"), ctx.t("What"), ctx.t("Contact"), ctx.t("Status")], rows: rows),
            .if(w.canWrite, .element(named: "details", nodes: [
                .element(named: "summary", text: ctx.t("Record advocacy or feedback")),
                w.post("advocacy", cls: "filters spaced",
                       JourneyWeb.field("adv-kind", ctx.t("Kind"), JourneyWeb.select("kind", AdvocacyAPI.kinds.map { ($0, ctx.t("advocacy." + $0)) }, selected: w.value("kind", "reference"), id: "adv-kind")),
                       JourneyWeb.field("adv-title", ctx.t("What"), .input(.type(.text), .name("title"), .id("adv-title"), .value(w.value("title")), .required(true), .class("wide"))),
                       JourneyWeb.field("adv-detail", ctx.t("Description"), .input(.type(.text), .name("detail"), .id("adv-detail"), .value(w.value("detail")), .class("wide"))),
                       JourneyWeb.field("adv-contact", ctx.t("Contact"), w.contactSelect("contact_id", selected: nil)),
                       JourneyWeb.field("adv-type", ctx.t("Product feedback is"), JourneyWeb.select("feedback_type", [("idea", ctx.t("an idea")), ("bug", ctx.t("a bug"))], selected: w.value("feedback_type", "idea"), id: "adv-type")),
                       .button(.type(.submit), .text(ctx.t("Record")))),
            ])))
    }

    /// The peer benchmark: where the account stands among similar accounts, as a chart (bar: this
    /// account; whisker: the peers' middle half) and a table, with options drawn from the upper quarter.
    static func peersCard(_ ctx: WebContext, _ b: PeerBenchmarkDTO) -> Node<HTML.BodyContext> {
        func name(_ m: String) -> String { ctx.t("peer." + m) }
        func fill(_ text: String, _ values: [String: String], n: Int) -> String {
            SuccessPages.fill(text, values.merging(["n": ctx.lang.number(n)]) { a, _ in a })
        }
        let group: String = switch b.basis {
        case "segment_and_size": fill(ctx.t("{n} accounts of segment {s} and size {z}"), ["s": b.segment ?? "", "z": b.size ?? ""], n: b.peers)
        case "segment": fill(ctx.t("{n} accounts of segment {s} (too few of the same size)"), ["s": b.segment ?? "", "z": ""], n: b.peers)
        default: fill(ctx.t("{n} accounts of the workspace (too few in the segment)"), [:], n: b.peers)
        }
        let shown = b.measures.filter { $0.percentile != nil }
        let top = max(100, shown.flatMap { [$0.value ?? 0, $0.p75 ?? 0] }.map { $0 * 100 }.max() ?? 100)
        let bars = b.measures.map { m in
            IntervalBar(label: name(m.measure), value: m.percentile == nil ? nil : m.value.map { $0 * 100 }, low: m.p25.map { $0 * 100 }, high: m.p75.map { $0 * 100 }, n: m.peers,
                        state: m.percentile == nil ? .hidden : .shown)
        }
        let labels = IntervalBarLabels(
            title: ctx.t("This account against its peers"),
            description: ctx.t("Each bar is this account's value; the whisker spans the middle half of the peers (25th to 75th percentile); n is the number of peers with data."),
            axis: ctx.t("Share (%)"), noData: ctx.t("No health scores yet"), hidden: ctx.t("too few peers with data"), intervalKey: ctx.t("peers' middle half"),
            value: { [lang = ctx.lang] v in lang.number(Int(v.rounded())) + " %" }, nLabel: { "n=\($0)" },
            rowTitle: { [lang = ctx.lang] r in "\(r.label): \(r.value.map { lang.number(Int($0.rounded())) + " %" } ?? "–"), n=\(r.n)" })
        let rows: [[Node<HTML.BodyContext>]] = b.measures.map { m in
            [.text(name(m.measure)), .strong(.text(SuccessPages.percent(ctx, m.value))),
             .text(m.percentile.map { ctx.lang.number(Int($0.rounded())) } ?? "–"),
             .text(m.percentile == nil ? "–" : [m.p25, m.median, m.p75].map { SuccessPages.percent(ctx, $0) }.joined(separator: " · ")),
             .text(ctx.lang.number(m.peers))]
        }
        let below = b.measures.filter { m in m.value != nil && m.p75 != nil && m.value! < m.p75! }
        return .div(.class("card"), .id("peers"), .h2(.text(ctx.t("Peer benchmark"))),
            b.computed_on == nil ? .p(.class("muted"), .text(ctx.t("No health scores yet: the benchmark reads the measures stored with them."))) : .group(
                .p(.class("muted"), .text(ctx.t("Compared with") + " " + group + ", " + ctx.t("as of the health scores of") + " " + ctx.lang.date(b.computed_on ?? "") + ". "
                                          + ctx.t("Percentiles below 5 peers with data are not shown."))),
                .div(.class("chart"), .raw(Charts.intervalBars(id: "peers-chart", rows: bars, scale: 0...top, labels: labels))),
                Layout.table(headers: [ctx.t("Measure"), ctx.t("This account"), ctx.t("Percentile"), ctx.t("Peers: 25th · median · 75th percentile"), ctx.t("Peers (n)")], rows: rows),
                .if(!below.isEmpty || !b.options.isEmpty, .group(
                    .h3(.text(ctx.t("Options to look at"))),
                    .p(.class("small muted"), .text(ctx.t("What similar accounts do — observations, not prescriptions."))),
                    .ul(.forEach(below) { m in
                        .li(.text(fill(ctx.t("{m}: the upper quarter of peers reach {v} or more; this account is at {a}."),
                                       ["m": name(m.measure), "v": SuccessPages.percent(ctx, m.p75), "a": SuccessPages.percent(ctx, m.value)], n: 0)))
                    }, .forEach(b.options) { o in
                        .li(.text(fill(ctx.t("Feature {f}: used by {u} of the {n} peers with the broadest adoption, not by this account in the last 28 days."),
                                       ["f": o.feature, "u": ctx.lang.number(o.used_by)], n: o.of)))
                    })))))
    }

    /// Next steps as typed into the meeting form: one per line, "title | YYYY-MM-DD" or just a title.
    static func nextSteps(_ text: String?, owner: UUID?) -> [NextStepInput] {
        (text ?? "").split(whereSeparator: \.isNewline).compactMap { line in
            let parts = line.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let title = parts.first, !title.isEmpty else { return nil }
            let due = parts.count > 1 && !parts[1].isEmpty ? parts[1] : nil
            return NextStepInput(title: title, owner_id: owner, due_on: due)
        }
    }

    /// The account page's operational forms; returns the card to scroll back to.
    static func act(_ action: String, fields: [String: String], account: Account, scope: Scope, caller: Caller) async throws -> String {
        func id(_ name: String) throws -> UUID {
            guard let t = fields[name], let id = UUID(uuidString: t) else { throw AppError.invalid(name, "is missing or not an id") }
            return id
        }
        func optional(_ name: String) -> String? { fields[name].flatMap { $0.trimmed.isEmpty ? nil : $0.trimmed } }
        switch action {
        case "task":
            _ = try await TasksAPI.insert(TaskInput(account_id: account.id, title: fields["title"], detail: .set(optional("detail")),
                                                    owner_id: .set(optional("owner_id").flatMap(UUID.init(uuidString:))), due_on: optional("due_on")),
                                          scope: scope, caller: caller)
            return "tasks"
        case "task-done":
            let t = try await scope.find(CSTask.self, try id("task_id"))
            guard t.accountID == account.id else { throw AppError.notFound(entity: "task") }
            try await TasksAPI.update(t, with: TaskInput(status: "done"), scope: scope, caller: caller)
            return "tasks"
        case "meeting":
            _ = try await MeetingsAPI.record(MeetingInput(held_on: optional("held_on"), title: fields["title"], attendees: optional("attendees"), notes: optional("notes"),
                                                          decisions: optional("decisions"), expectations_checked: fields["expectations_checked"] == "on",
                                                          next_steps: nextSteps(fields["next_steps"], owner: caller.userID)),
                                             account: account, scope: scope, caller: caller)
            return "meetings"
        case "advocacy":
            let kind = fields["kind"] ?? ""
            _ = try await AdvocacyAPI.record(AdvocacyInput(account_id: account.id, contact_id: optional("contact_id").flatMap(UUID.init(uuidString:)), kind: kind,
                                                           status: nil, title: fields["title"], detail: optional("detail"),
                                                           feedback_type: kind == "product_feedback" ? optional("feedback_type") : nil),
                                             scope: scope, caller: caller)
            return "advocacy"
        default:
            let a = try await scope.find(AdvocacyItem.self, try id("advocacy_id"))
            guard a.accountID == account.id else { throw AppError.notFound(entity: "advocacy item") }
            try await AdvocacyAPI.setStatus(a, fields["status"], scope: scope, caller: caller)
            return "advocacy"
        }
    }

    // MARK: the week's tasks

    static func members(_ scope: Scope) async throws -> [Membership] {
        try await Membership.query(on: scope.db).filter(\.$workspace.$id == scope.workspaceID).with(\.$user).all().sorted { $0.user.name < $1.user.name }
    }

    static func tasks(_ req: Request) async throws -> Response {
        let ctx = WebContext.make(req)
        let scope = try req.scope
        let members = try await members(scope)
        let names = Dictionary(uniqueKeysWithValues: members.map { ($0.$user.id, $0.user.name) })
        let given = try req.allQueryItems()
        var owner = given["owner"] == "all" ? nil : (given["owner"].flatMap(UUID.init(uuidString:)) ?? ctx.caller?.userID)
        let today = ctx.today
        func week(_ owner: UUID?) async throws -> [CSTask] {
            let q = scope.query(CSTask.self).filter(\.$status == "open").filter(\.$dueOn <= today.adding(days: 7).iso).sort(\.$dueOn).limit(2_000)
            if let owner { q.filter(\.$ownerID == owner) }
            return try await q.all()
        }
        var tasks = try await week(owner)
        // Someone without tasks of their own (a CS lead, an admin) sees the team's week rather than an empty page.
        let everyoneInstead = given["owner"] == nil && owner != nil && tasks.isEmpty
        if everyoneInstead { owner = nil; tasks = try await week(nil) }
        let accountIDs = Array(Set(tasks.map(\.accountID)))
        let accounts = accountIDs.isEmpty ? [] : try await scope.query(Account.self).filter(\.$id ~~ accountIDs).all()
        let accountNames = Dictionary(uniqueKeysWithValues: accounts.map { ($0.id!, $0.name) })
        let canWrite = ctx.caller?.role.can(.writeSuccess) == true
        let back = "/success/tasks" + (given["owner"].map { "?owner=" + $0 } ?? "")
        let groups = Dictionary(grouping: tasks) { $0.ownerID }.sorted { (names[$0.key ?? UUID()] ?? "~") < (names[$1.key ?? UUID()] ?? "~") }
        let overdue = tasks.filter { $0.dueOn < today.iso }.count
        let title = ctx.t("Tasks this week")
        return Layout.render(ctx, title: title, active: "success", .group(
            .p(.a(.href("/success"), .text("← " + ctx.t("Portfolio")))),
            .h1(.text(title)),
            .form(.method(.get), .action("/success/tasks"), .class("filters card"),
                  JourneyWeb.field("owner", ctx.t("Tasks of"), JourneyWeb.select("owner", [("all", ctx.t("everyone"))] + members.map { ($0.$user.id.uuidString.lowercased(), $0.user.name) },
                                                                               selected: owner?.uuidString.lowercased() ?? "all", id: "owner")),
                  .button(.type(.submit), .text(ctx.t("Show")))),
            .if(everyoneInstead, .p(.class("muted"), .text(ctx.t("You have no open tasks due this week; here is everyone's.")))),
            .div(.class("stats"),
                 .div(.class("stat"), .div(.class("l"), .text(ctx.t("Open, due within 7 days"))), .div(.class("n"), .text(ctx.lang.number(tasks.count - overdue)))),
                 .div(.class("stat"), .div(.class("l"), .text(ctx.t("Overdue"))), .div(.class("n bad"), .text(ctx.lang.number(overdue))))),
            tasks.isEmpty ? .p(.class("good"), .text(ctx.t("Nothing due this week."))) :
                .forEach(groups) { owner, list in
                    .div(.class("card"), .h2(.text(owner.flatMap { names[$0] } ?? ctx.t("No owner"))),
                         Layout.table(headers: [ctx.t("Due"), ctx.t("Account"), ctx.t("Task"), ctx.t("From"), ""], rows: list.map { t in
                             let late = t.dueOn < today.iso
                             return [.span(.class(late ? "bad nowrap" : "nowrap"), .text(ctx.lang.date(t.dueOn) + (late ? " · " + ctx.t("overdue") : ""))),
                                     .a(.href(SuccessPages.href(t.accountID) + "#tasks"), .text(accountNames[t.accountID] ?? "")),
                                     .group(.text(t.title), .unwrap(t.detail) { .p(.class("small muted"), .text($0)) }),
                                     .text(ctx.t("task." + TaskDTO(t, today: today).source)),
                                     .if(canWrite, .form(.method(.post), .action("/success/tasks/\(t.id!.uuidString.lowercased())/done"), .class("inline"), Layout.csrfField(ctx),
                                                         .input(.type(.hidden), .name("back"), .value(back)),
                                                         .button(.type(.submit), .class("small"), .text(ctx.t("Done")))))]
                         }))
                }))
    }

    static func taskDone(_ req: Request) async throws -> Response {
        let fields = try SurveyForms.fields(req)
        let scope = try req.scope
        let t = try await scope.find(CSTask.self, parameter: "id", of: req)
        try await TasksAPI.update(t, with: TaskInput(status: "done"), scope: scope, caller: try req.caller)
        let back = fields["back"].flatMap { $0.hasPrefix("/success/tasks") ? $0 : nil } ?? "/success/tasks"
        return req.redirect(to: back, redirectType: .normal)
    }

    // MARK: renewals and retention

    static func renewals(_ req: Request) async throws -> Response {
        let ctx = WebContext.make(req)
        let scope = try req.scope
        let given = try req.allQueryItems()
        let months = given["months"].flatMap(Int.init).map { min(max($0, 1), 36) } ?? 12
        let r = try await RenewalsAPI.renewals(months: months, scope: scope)
        let today = ctx.today
        let retention = try await RenewalsAPI.retention(from: today.adding(months: -12), to: today, scope: scope)
        func money(_ d: Decimal, _ c: String) -> String { ctx.lang.money(d.rounded(0), c) }
        func double(_ d: Decimal) -> Double { NSDecimalNumber(decimal: d).doubleValue }
        /// "2027-03" as the page writes months: 03.2027 in German.
        func month(_ m: String) -> String { ctx.lang == .de ? "\(m.suffix(2)).\(m.prefix(4))" : m }
        let title = ctx.t("Renewals and retention")
        let currencies: [Node<HTML.BodyContext>] = r.totals.map { total in
            let rows = r.months.filter { $0.currency == total.currency }
            let top = rows.map { double($0.high) }.max() ?? 1
            let currency = total.currency
            let bars = rows.map { m in
                IntervalBar(label: month(m.month), value: double(m.expected), low: double(m.low), high: double(m.high), n: m.contracts)
            }
            let labels = IntervalBarLabels(
                title: SuccessPages.fill(ctx.t("Expected renewing ARR per month ({c})"), ["c": currency]),
                description: ctx.t("Each bar is the ARR expected to renew in the month, with its 95 % interval; n is the number of contracts up for renewal."),
                axis: "ARR (\(currency))", noData: ctx.t("No renewals in this period"), hidden: "", intervalKey: ctx.t("95 % interval"),
                value: { [lang = ctx.lang] v in lang.number(Int(v.rounded())) }, nLabel: { "n=\($0)" },
                rowTitle: { [lang = ctx.lang] b in "\(b.label): \(b.value.map { lang.number(Int($0.rounded())) } ?? "–") \(currency), n=\(b.n)" })
            let table: [[Node<HTML.BodyContext>]] = rows.map { m in
                [.text(month(m.month)), .text(ctx.lang.number(m.contracts)), .text(money(m.arr, m.currency)),
                 .strong(.text(money(m.expected, m.currency))), .text(money(m.low, m.currency) + " – " + money(m.high, m.currency))]
            }
            return .div(.class("card chart-card"), .id("renewals-\(currency.lowercased())"),
                .h2(.text(SuccessPages.fill(ctx.t("Renewals in {c}"), ["c": currency]))),
                .p(.text(SuccessPages.fill(ctx.t("{n} contracts with {arr} ARR are up for renewal; {e} are expected to renew (95 % interval {l} – {h})."),
                                           ["n": ctx.lang.number(total.contracts), "arr": money(total.arr, currency), "e": money(total.expected, currency),
                                            "l": money(total.low, currency), "h": money(total.high, currency)]))),
                .div(.class("chart"), .raw(Charts.intervalBars(id: "renewals-chart-\(currency.lowercased())", rows: bars, scale: 0...max(top, 1), labels: labels))),
                .element(named: "details", nodes: [.element(named: "summary", text: ctx.t("The numbers as a table")),
                    Layout.table(headers: [ctx.t("Month"), ctx.t("Contracts (n)"), ctx.t("ARR up for renewal"), ctx.t("Expected to renew"), ctx.t("95 % interval")], rows: table)]))
        }
        let retentionRows: [[Node<HTML.BodyContext>]] = retention.map { x in
            [.text(x.currency), .text(ctx.lang.number(x.accounts)), .text(money(x.starting_arr, x.currency)), .text(money(x.expansion, x.currency)),
             .text(money(x.contraction, x.currency)), .text(money(x.churn, x.currency) + " (\(x.churned_accounts))"),
             .strong(.text(SuccessPages.percent(ctx, x.grr))), .strong(.text(SuccessPages.percent(ctx, x.nrr)))]
        }
        let rateRows: [[Node<HTML.BodyContext>]] = r.rates.map { b in
            [.text(b.band == "all" ? ctx.t("all scored") : ctx.t("health." + b.band)), .text(ctx.lang.number(b.accounts)), .text(ctx.lang.number(b.renewed)),
             .text(SuccessPages.percent(ctx, b.probability) + (b.accounts < 5 && b.band != "all" ? " (" + ctx.t("too few: overall rate") + ")" : ""))]
        }
        let soon = r.contracts.filter { c in DateOnly(iso: c.renewal_date).map { today.days(until: $0) <= 90 } ?? false }
            .sorted { ($0.probability, $0.renewal_date) < ($1.probability, $1.renewal_date) }.prefix(25)
        return Layout.render(ctx, title: title, active: "success", .group(
            .p(.a(.href("/success"), .text("← " + ctx.t("Portfolio")))),
            .h1(.text(title)),
            .form(.method(.get), .action("/success/renewals"), .class("filters card"),
                  JourneyWeb.field("months", ctx.t("Months ahead"), JourneyWeb.select("months", [3, 6, 12, 18, 24, 36].map { ("\($0)", "\($0)") }, selected: "\(months)", id: "months")),
                  .button(.type(.submit), .text(ctx.t("Show")))),
            r.totals.isEmpty ? .p(.text(ctx.t("No active contract renews in this period."))) : .group(.forEach(currencies) { $0 }),
            .div(.class("card"), .id("forecast-method"), .h2(.text(ctx.t("How the forecast is made"))),
                 .p(.text(ctx.t("Each contract renews with the renewal rate its account's health band had in the back-test of the last 24 months (health 90 days before each renewal or churn). The expected ARR is the sum of ARR × rate; the interval treats the contracts as independent (normal approximation of the sum)."))),
                 Layout.table(caption: ctx.t("Renewal rate per health band in the back-test"), headers: [ctx.t("Band"), ctx.t("Outcomes (n)"), ctx.t("Renewed"), ctx.t("Renewal rate")], rows: rateRows)),
            .div(.class("card"), .id("renewals-soon"), .h2(.text(ctx.t("Renewals in the next 90 days, least likely first"))),
                 soon.isEmpty ? .p(.class("muted"), .text(ctx.t("None."))) :
                    Layout.table(headers: [ctx.t("Account"), ctx.t("Product"), ctx.t("Renewal"), ctx.t("ARR"), ctx.t("Health"), ctx.t("Renewal rate")], rows: soon.map { c in
                        [.a(.href(SuccessPages.href(c.account_id)), .text(c.account_name)), .text(c.product), .text(ctx.lang.date(c.renewal_date)),
                         .text(money(c.arr, c.currency)), SuccessPages.bandBadge(ctx, c.health, c.band), .text(SuccessPages.percent(ctx, c.probability))]
                    })),
            .div(.class("card"), .id("retention"), .h2(.text(ctx.t("Revenue retention, last 12 months"))),
                 retention.isEmpty ? .p(.class("muted"), .text(ctx.t("No account had ARR a year ago."))) :
                    Layout.table(caption: SuccessPages.fill(ctx.t("Accounts with ARR on {from}, followed to {to}"), ["from": ctx.lang.date(today.adding(months: -12).iso), "to": ctx.lang.date(today.iso)]),
                                 headers: [ctx.t("Currency"), ctx.t("Accounts (n)"), ctx.t("Starting ARR"), ctx.t("Expansion"), ctx.t("Contraction"), ctx.t("Churn (accounts)"), "GRR", "NRR"],
                                 rows: retentionRows),
                 .p(.class("small muted"), .text(ctx.t("GRR = (starting ARR − contraction − churn) ÷ starting ARR; NRR = (starting ARR + expansion − contraction − churn) ÷ starting ARR. The cohort is the accounts with ARR on the first day; each account's changes are netted over the period, new accounts are left out."))))
        ))
    }

    // MARK: playbooks

    static func playbooks(_ req: Request) async throws -> Response {
        try await renderPlaybooks(req, form: [:], error: nil, notice: nil, status: .ok)
    }

    static func renderPlaybooks(_ req: Request, form: [String: String], error: AppError?, notice: String?, status: HTTPResponseStatus) async throws -> Response {
        let ctx = WebContext.make(req)
        let scope = try req.scope
        let list = try await scope.query(Playbook.self).sort(\.$name).all()
        var runs: [UUID: (all: Int, open: Int)] = [:]
        for r in list.isEmpty ? [] : try await scope.query(PlaybookRun.self).filter(\.$playbookID ~~ list.map { $0.id! }).all() {
            runs[r.playbookID, default: (0, 0)].all += 1
            if r.resolvedAt == nil { runs[r.playbookID, default: (0, 0)].open += 1 }
        }
        let canConfigure = ctx.caller?.role.can(.configureHealth) == true
        let title = ctx.t("Playbooks")
        func value(_ name: String, _ fallback: String = "") -> String { form[name] ?? fallback }
        let rows: [[Node<HTML.BodyContext>]] = list.map { p in
            let dto = PlaybookDTO(p)
            return [.strong(.text(p.name)), .text(dto.description),
                    .ul(.class("plain small"), .forEach(dto.tasks) { t in .li(.text(t.title + " · " + SuccessPages.fill(ctx.t("due after {d} days"), ["d": "\(t.due_in_days)"]))) }),
                    .text("\(runs[p.id!]?.all ?? 0) (\(runs[p.id!]?.open ?? 0) " + ctx.t("ongoing") + ")"),
                    .span(.class(p.active ? "badge good" : "badge"), .text(ctx.t(p.active ? "active" : "paused"))),
                    .if(canConfigure, .form(.method(.post), .action("/success/playbooks/\(p.id!.uuidString.lowercased())/toggle"), .class("inline"), Layout.csrfField(ctx),
                                            .button(.type(.submit), .class("small secondary"), .text(ctx.t(p.active ? "Pause" : "Activate")))))]
        }
        let kinds = Playbooks.triggerKinds.map { ($0, ctx.t("trigger." + $0)) }
        return Layout.render(ctx, title: title, status: status, active: "success", .group(
            .p(.a(.href("/success"), .text("← " + ctx.t("Portfolio")))),
            .h1(.text(title)),
            .p(.class("muted"), .text(ctx.t("A playbook turns a condition into tasks with owners and due dates, once per occurrence: the same risk signal, renewal or event never creates its tasks twice. A risk signal that goes away and comes back is a new occurrence. Active playbooks run every hour."))),
            JourneyWeb.errorBox(ctx, error),
            .unwrap(notice) { .p(.class("notice"), .text($0)) },
            list.isEmpty ? .p(.text(ctx.t("No playbook yet."))) :
                Layout.table(headers: [ctx.t("Playbook"), ctx.t("When"), ctx.t("Tasks"), ctx.t("Occurrences"), ctx.t("Status"), ""], rows: rows),
            .if(canConfigure && !list.isEmpty, .form(.method(.post), .action("/success/playbooks/sweep"), Layout.csrfField(ctx),
                                                     .button(.type(.submit), .class("secondary"), .text(ctx.t("Run active playbooks now"))))),
            .if(canConfigure, .div(.class("card"), .id("new-playbook"), .h2(.text(ctx.t("New playbook"))),
                .form(.method(.post), .action("/success/playbooks"), .class("spaced"), Layout.csrfField(ctx),
                      JourneyWeb.field("pb-name", ctx.t("Name"), .input(.type(.text), .name("name"), .id("pb-name"), .value(value("name")), .required(true), .class("wide"))),
                      .div(.class("filters"),
                           JourneyWeb.field("pb-kind", ctx.t("When"), JourneyWeb.select("trigger_kind", kinds, selected: value("trigger_kind", "risk_signal"), id: "pb-kind")),
                           JourneyWeb.field("pb-value", ctx.t("Which (signal, days or event kind)"), .input(.type(.text), .name("trigger_value"), .id("pb-value"), .value(value("trigger_value")))),
                           JourneyWeb.field("pb-segment", ctx.t("Only segment (optional)"), .input(.type(.text), .name("segment"), .id("pb-segment"), .value(value("segment"))))),
                      .p(.class("small muted"), .text(ctx.t("Risk signals") + ": " + RiskSignals.kinds.joined(separator: ", ") + ". " +
                                                     ctx.t("Events, e.g.: contract.churn, contract.contraction, feedback, success.meeting."))),
                      JourneyWeb.field("pb-tasks", ctx.t("Tasks, one per line: title | due after days (the account's owner does them)"),
                                       .textarea(.name("tasks"), .id("pb-tasks"), .class("wide"), .attribute(named: "rows", value: "4"), .text(value("tasks")))),
                      .button(.type(.submit), .text(ctx.t("Create and run")))))),
            .if(!canConfigure, .p(.class("muted small"), .text(ctx.t("Creating and changing playbooks needs the permission to configure the health model."))))
        ))
    }

    static func createPlaybook(_ req: Request) async throws -> Response {
        let fields = try SurveyForms.fields(req)
        let scope = try req.scope
        let ctx = WebContext.make(req)
        var templates: [PlaybookTaskTemplate] = []
        var v = RapportKit.Validator()
        for (i, line) in (fields["tasks"] ?? "").split(whereSeparator: \.isNewline).enumerated() {
            let parts = line.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let title = parts.first, !title.isEmpty else { continue }
            let days = parts.count > 1 ? Int(parts[1]) : 7
            if days == nil { v.fail("tasks", "line \(i + 1): '\(parts[1])' is not a number of days") }
            templates.append(PlaybookTaskTemplate(title: title, due_in_days: days ?? 7, owner: "account_owner"))
        }
        do {
            try v.finish()
            let p = try await Playbooks.create(PlaybookInput(name: fields["name"], trigger_kind: fields["trigger_kind"], trigger_value: fields["trigger_value"],
                                                             segment: fields["segment"], tasks: templates, active: true),
                                               scope: scope, caller: try req.caller)
            let s = try await Playbooks.sweep(scope: scope, only: [p])
            return try await renderPlaybooks(req, form: [:], error: nil,
                                             notice: SuccessPages.fill(ctx.t("Created and run: {o} occurrences, {t} tasks."), ["o": "\(s.occurrences)", "t": "\(s.tasks)"]), status: .ok)
        } catch {
            guard let e = AppError(shown: error) else { throw error }
            return try await renderPlaybooks(req, form: fields, error: e, notice: nil, status: e.status)
        }
    }

    static func sweep(_ req: Request) async throws -> Response {
        let ctx = WebContext.make(req)
        let s = try await Playbooks.sweep(scope: try req.scope)
        try await Audit.record("sweep", "playbooks", id: nil, by: try req.caller, on: req.db)
        return try await renderPlaybooks(req, form: [:], error: nil,
                                         notice: SuccessPages.fill(ctx.t("Run: {o} new occurrences, {t} tasks, {r} occurrences ended."),
                                                                   ["o": "\(s.occurrences)", "t": "\(s.tasks)", "r": "\(s.resolved)"]), status: .ok)
    }

    static func toggle(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let p = try await scope.find(Playbook.self, parameter: "id", of: req)
        try await Playbooks.change(p, PlaybookInput(active: !p.active), scope: scope, caller: try req.caller)
        return req.redirect(to: "/success/playbooks", redirectType: .normal)
    }
}
