import Fluent
import Foundation
import Plot
import RapportKit
import Vapor

/// The survey list and the new-survey form.
enum SurveysPage {
    static func show(_ req: Request) async throws -> Response { try await render(req, error: nil) }

    static func render(_ req: Request, error: AppError?) async throws -> Response {
        let ctx = WebContext.make(req)
        let scope = try req.scope
        let surveys = try await scope.query(Survey.self).sort(\.$name).all()
        let counts = try await responseCounts(scope)
        let touchpoints = try await scope.query(Touchpoint.self).sort(\.$name).all()
        let tpNames = Dictionary(uniqueKeysWithValues: touchpoints.map { ($0.id!, $0.name) })
        let canWrite = ctx.caller?.role.can(.writeSurveys) == true
        let rows: [[Node<HTML.BodyContext>]] = surveys.map { s in
            [.a(.href("/surveys/\(s.id!.uuidString.lowercased())"), .text(s.name)), .text(ctx.t("kind.\(s.kind)")),
             .span(.class(s.status == "published" ? "badge good" : "badge"), .text(ctx.t("status.\(s.status)"))),
             .text(s.publishedVersion.map { "v\($0)" } ?? "—") , .text(s.touchpointID.flatMap { tpNames[$0] } ?? "—"),
             .text(ctx.lang.number(counts[s.id!] ?? 0))]
        }
        let create: Node<HTML.BodyContext> = .if(canWrite, .div(.class("card"),
            .h2(.text(ctx.t("New survey"))),
            .form(.method(.post), .action("/surveys"), .class("filters"),
                  Layout.csrfField(ctx),
                  JourneyWeb.field("name", ctx.t("Name"), JourneyWeb.text("name", required: true)),
                  JourneyWeb.field("kind", ctx.t("Kind"), JourneyWeb.select("kind", SurveyKind.allCases.map { ($0.rawValue, ctx.t("kind.\($0.rawValue)")) }, selected: "transactional")),
                  JourneyWeb.field("touchpoint_id", ctx.t("Touchpoint"), JourneyWeb.select("touchpoint_id", [("", "—")] + touchpoints.map { ($0.id!.uuidString.lowercased(), $0.name) })),
                  .div(.label(.text(ctx.t("Languages"))),
                       .div(.class("radio"), .input(.type(.checkbox), .name("lang_de"), .id("lang_de"), .checked(true)), .label(.for("lang_de"), .text("Deutsch")),
                            .input(.type(.checkbox), .name("lang_en"), .id("lang_en"), .checked(true)), .label(.for("lang_en"), .text("English")))),
                  .button(.type(.submit), .text(ctx.t("Create survey"))))))
        let links: Node<HTML.BodyContext> = .p(.class("links"),
            .a(.href("/surveys/settings"), .text(ctx.t("Contact policy and sending"))), .text(" · "),
            .a(.href("/feedback"), .text(ctx.t("Feedback inbox"))), .text(" · "),
            .a(.href("/s"), .text(ctx.t("Code entry page for letters"))))
        let table: Node<HTML.BodyContext> = surveys.isEmpty ? .p(.class("muted"), .text(ctx.t("No surveys yet."))) :
            Layout.table(headers: [ctx.t("Survey"), ctx.t("Kind"), ctx.t("Status"), ctx.t("Published"), ctx.t("Touchpoint"), ctx.t("Responses")], rows: rows)
        return Layout.render(ctx, title: ctx.t("Surveys"), active: "surveys", .group(.h1(.text(ctx.t("Surveys"))), links, JourneyWeb.errorBox(ctx, error), table, create))
    }

    static func responseCounts(_ scope: Scope) async throws -> [UUID: Int] {
        struct Row: Decodable { var survey_id: UUID; var n: Int }
        let rows = try await scope.db.sql.raw("SELECT survey_id, COUNT(*) AS n FROM survey_responses WHERE workspace_id = \(bind: scope.workspaceID) AND status = 'complete' GROUP BY survey_id")
            .all(decoding: Row.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.survey_id, $0.n) })
    }

    static func create(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let f = try SurveyForms.fields(req)
        return try await JourneyWeb.submit(req, write: {
            let languages = ["de", "en"].filter { f["lang_\($0)"] == "on" }
            let name = f["name"]?.trimmingCharacters(in: .whitespaces) ?? ""
            let input = SurveyInput(name: name, kind: f["kind"], touchpointId: f["touchpoint_id"].flatMap(UUID.init(uuidString:)),
                                    definition: SurveysAPI.starter(name: name, languages: languages.isEmpty ? ["de"] : languages))
            let s = try await req.db.transaction { db in try await SurveysAPI.create(input, scope: caller.scope(on: db), caller: caller) }
            return "/surveys/\(s.id!.uuidString.lowercased())"
        }, page: { try await render(req, error: $0) })
    }
}

/// One survey: its questions with a phone-width preview, publishing, trigger rules, links, rates
/// and the latest responses.
enum SurveyEditorPage {
    static func href(_ s: Survey) -> String { "/surveys/\(s.id!.uuidString.lowercased())" }

    static func show(_ req: Request) async throws -> Response { try await render(req, error: nil) }

    static func render(_ req: Request, error: AppError?) async throws -> Response {
        let ctx = WebContext.make(req)
        let scope = try req.scope
        let s = try await scope.find(Survey.self, parameter: "id", of: req)
        guard let latest = try await SurveysAPI.latest(s, scope: scope) else { throw AppError.notFound(entity: "survey version") }
        let def = try latest.decoded()
        let problems = def.problems()
        let canWrite = ctx.caller?.role.can(.writeSurveys) == true
        let editable = canWrite && s.status != "archived"
        let base = href(s)
        let triggers = try await scope.query(TriggerRule.self).filter(\.$surveyID == s.id!).sort(\.$name).all()
        let links = try await scope.query(SurveyLink.self).filter(\.$surveyID == s.id!).sort(\.$id).all()
        let rates = try await InvitationsAPI.rates(s, scope: scope)
        let previewLang = (try? req.query.get(String.self, at: "lang")).flatMap { def.languages.contains($0) ? $0 : nil } ?? def.languages.first ?? "de"
        let previewPage = (try? req.query.get(Int.self, at: "page")).flatMap { (1...max(1, def.pageCount)).contains($0) ? $0 : nil } ?? 1

        let status: Node<HTML.BodyContext> = .div(.class("card"),
            .p(.span(.class(s.status == "published" ? "badge good" : "badge"), .text(ctx.t("status.\(s.status)"))), .text(" · "),
               .text(ctx.t("kind.\(s.kind)")), .text(" · "),
               .text(ctx.t("Editing version") + " \(latest.number)"),
               .text(s.publishedVersion.map { " · " + ctx.t("invitations use version") + " \($0)" } ?? "")),
            .if(latest.isPublished, .p(.class("muted"), .text(ctx.t("This version is published and cannot change: your next edit starts a new version.")))),
            problems.isEmpty ? .p(.class("good"), .text(ctx.t("Complete in every language."))) :
                .div(.p(.strong(.text(ctx.t("Before publishing:")))), .ul(.forEach(problems.prefix(12)) { .li(.text("\($0.field): \($0.message)")) })),
            .if(editable && !latest.isPublished, .form(.method(.post), .action("\(base)/publish"), .class("inline"), Layout.csrfField(ctx),
                                                      .input(.type(.hidden), .name("version"), .value(String(s.version))),
                                                      .button(.type(.submit), .text(ctx.t("Publish version") + " \(latest.number)")))),
            .text(" "),
            .a(.class("button secondary"), .href("/api/v1/surveys/\(s.id!.uuidString.lowercased())/export"), .text(ctx.t("Export JSON"))),
            .text(" "),
            .a(.href("\(base)/responses"), .text(ctx.t("Responses"))), .text(" · "),
            .a(.href("\(base)/letters"), .text(ctx.t("Letters with QR code"))),
            .if(canWrite, .form(.method(.post), .action("\(base)/\(s.status == "archived" ? "restore" : "archive")"), .class("inline"), Layout.csrfField(ctx),
                                .text(" "), .button(.type(.submit), .class("secondary"), .text(ctx.t(s.status == "archived" ? "Restore" : "Archive"))))))

        let questionList: Node<HTML.BodyContext> = .div(.class("card"),
            .h2(.text(ctx.t("Questions"))),
            def.questions.isEmpty ? .p(.class("muted"), .text(ctx.t("No questions yet. Add the first one below."))) :
                .ol(.class("questions"), .forEach(def.questions) { q in .li(questionItem(ctx, q, def: def, base: base, version: s.version, editable: editable)) }),
            .if(editable, PublicSurvey.el("details", [], [.element(named: "summary", text: ctx.t("Add a question")),
                                                          questionForm(ctx, nil, def: def, action: "\(base)/questions", version: s.version)])))

        let texts: Node<HTML.BodyContext> = .if(editable, .div(.class("card"),
            .h2(.text(ctx.t("Title and texts"))),
            .form(.method(.post), .action("\(base)/texts"), .class("stack"), Layout.csrfField(ctx),
                  .input(.type(.hidden), .name("version"), .value(String(s.version))),
                  .forEach(def.languages) { l in
                      .group(
                        JourneyWeb.field("title_\(l)", ctx.t("Title") + " (\(SurveyForms.languageName(l)))", JourneyWeb.text("title_\(l)", value: def.title[l] ?? "", wide: true)),
                        JourneyWeb.field("intro_\(l)", ctx.t("Introduction") + " (\(SurveyForms.languageName(l)))", JourneyWeb.text("intro_\(l)", value: def.intro?[l] ?? "", wide: true)),
                        JourneyWeb.field("thanks_\(l)", ctx.t("Thank-you text") + " (\(SurveyForms.languageName(l)))", JourneyWeb.text("thanks_\(l)", value: def.thanks?[l] ?? "", wide: true)))
                  },
                  .div(.class("radio"), .input(.type(.checkbox), .name("randomize_questions"), .id("randomize_questions"), .checked(def.randomizeQuestions)),
                       .label(.for("randomize_questions"), .text(ctx.t("Shuffle the questions of each page for every respondent")))),
                  .button(.type(.submit), .text(ctx.t("Save texts"))))))

        let preview: Node<HTML.BodyContext> = .div(.class("card"),
            .h2(.text(ctx.t("Preview on a phone"))),
            .p(.forEach(def.languages) { l in .a(.href("\(base)?lang=\(l)&page=\(previewPage)#preview"), .text(SurveyForms.languageName(l) + " ")) },
               .forEach(Array(1...max(1, def.pageCount))) { p in .a(.href("\(base)?lang=\(previewLang)&page=\(p)#preview"), .text(ctx.t("Page") + " \(p) ")) }),
            .div(.class("phone"), .id("preview"), .attribute(named: "aria-label", value: ctx.t("Preview on a phone")),
                 .div(.class("survey-page"),
                      .h1(.text(def.title[previewLang] ?? "")),
                      .forEach(def.questions.filter { $0.page == previewPage }) { q in
                          PublicSurvey.questionNode(q, r: previewRespondent(s, def: def, lang: previewLang), answer: nil, error: nil)
                      },
                      .div(.class("actions"), PublicSurvey.el("button", [("type", "button"), ("class", "primary")], [.text(previewPage == def.pageCount ? (previewLang == "de" ? "Absenden" : "Submit") : (previewLang == "de" ? "Weiter" : "Next"))])))))

        let json: Node<HTML.BodyContext> = .if(editable, .div(.class("card"),
            .details(.summary(.text(ctx.t("Edit as JSON (import)"))),
                     .form(.method(.post), .action("\(base)/json"), .class("stack"), Layout.csrfField(ctx),
                           .input(.type(.hidden), .name("version"), .value(String(s.version))),
                           .textarea(.name("definition"), .attribute(named: "rows", value: "16"), .class("wide code"), .attribute(named: "aria-label", value: "JSON"),
                                     .text(prettyJSON(def))),
                           .button(.type(.submit), .text(ctx.t("Save JSON")))))))

        let triggerRows: [[Node<HTML.BodyContext>]] = triggers.map { t in triggerRow(ctx, t, canWrite: canWrite) }
        let triggerCard: Node<HTML.BodyContext> = .div(.class("card"),
            .h2(.text(ctx.t("Trigger rules"))),
            triggers.isEmpty ? .p(.class("muted"), .text(ctx.t("No rule invites to this survey yet."))) :
                Layout.table(headers: [ctx.t("Name"), ctx.t("Event type"), ctx.t("Conditions"), ctx.t("Channel"), ctx.t("Delay"), ctx.t("Sample"), ctx.t("Runs"), ""], rows: triggerRows),
            .if(canWrite && s.status == "published", .form(.method(.post), .action("\(base)/triggers"), .class("filters"), Layout.csrfField(ctx),
                JourneyWeb.field("t-name", ctx.t("Name"), .input(.type(.text), .name("name"), .id("t-name"), .required(true))),
                JourneyWeb.field("t-event", ctx.t("Event type"), .input(.type(.text), .name("event_type"), .id("t-event"), .required(true), .placeholder("service_contact_closed"))),
                JourneyWeb.field("t-conditions", ctx.t("Conditions (name=value, …)"), .input(.type(.text), .name("conditions"), .id("t-conditions"))),
                JourneyWeb.field("t-channel", ctx.t("Channel"), JourneyWeb.select("channel", InvitationChannel.allCases.map { ($0.rawValue, ctx.t("channel.\($0.rawValue)")) }, id: "t-channel")),
                JourneyWeb.field("t-delay", ctx.t("Delay in minutes"), .input(.type(.number), .name("delay_minutes"), .id("t-delay"), .value("0"))),
                JourneyWeb.field("t-rate", ctx.t("Sample (%)"), .input(.type(.number), .name("sampling_percent"), .id("t-rate"), .value("100"))),
                JourneyWeb.field("t-kind", ctx.t("Runs"), JourneyWeb.select("kind", [("event", ctx.t("per event")), ("batch", ctx.t("as a batch every N days"))], id: "t-kind")),
                JourneyWeb.field("t-every", ctx.t("N days (batch)"), .input(.type(.number), .name("every_days"), .id("t-every"), .placeholder("7"))),
                .button(.type(.submit), .text(ctx.t("Add rule"))))),
            .if(s.status != "published", .p(.class("muted"), .text(ctx.t("Publish the survey to wire it to events.")))))

        let base2 = PublicURL.base(req.application)
        let linkCard: Node<HTML.BodyContext> = .div(.class("card"),
            .h2(.text(ctx.t("Anonymous links"))),
            .ul(.forEach(links) { l in .li(.code(.text(base2 + "/s/" + l.token)), .text(l.channel.map { " (\($0))" } ?? "")) }),
            .if(canWrite && s.status == "published", .form(.method(.post), .action("\(base)/links"), .class("filters"), Layout.csrfField(ctx),
                JourneyWeb.field("l-channel", ctx.t("Channel or place (optional)"), .input(.type(.text), .name("channel"), .id("l-channel"), .placeholder("website"))),
                .button(.type(.submit), .class("secondary"), .text(ctx.t("Make a link"))))))

        let rateRows: [[Node<HTML.BodyContext>]] = rates.map { r in
            [.text(r.triggerId.flatMap { id in triggers.first { $0.id == id }?.name } ?? "—"), .text(ctx.t("channel.\(r.channel)")),
             .text(ctx.lang.number(r.invited)), .text(ctx.lang.number(r.delivered)), .text(ctx.lang.number(r.bounced)), .text(ctx.lang.number(r.answered)),
             .text(r.rate.map { "\(JourneyWeb.decimal(ctx, $0 * 100)) % [\(JourneyWeb.decimal(ctx, (r.low ?? 0) * 100))–\(JourneyWeb.decimal(ctx, (r.high ?? 0) * 100))] (n=\(r.delivered))" } ?? "—")]
        }
        let rateCard: Node<HTML.BodyContext> = .div(.class("card"),
            .h2(.text(ctx.t("Response rates"))),
            rates.isEmpty ? .p(.class("muted"), .text(ctx.t("No invitations yet."))) :
                Layout.table(headers: [ctx.t("Rule"), ctx.t("Channel"), ctx.t("Invited"), ctx.t("Delivered"), ctx.t("Bounced"), ctx.t("Answered"), ctx.t("Rate (95% interval)")], rows: rateRows),
            .p(.a(.href("/api/v1/invitations/export?channel=phone&survey_id=\(s.id!.uuidString.lowercased())"), .text(ctx.t("Phone list (CSV)"))), .text(" · "),
               .a(.href("/api/v1/invitations/export?channel=letter&survey_id=\(s.id!.uuidString.lowercased())"), .text(ctx.t("Letter list (CSV)")))))

        return Layout.render(ctx, title: s.name, active: "surveys", .group(
            .p(.a(.href("/surveys"), .text("← " + ctx.t("Surveys")))),
            .h1(.text(s.name)),
            JourneyWeb.errorBox(ctx, error),
            status,
            .div(.class("editor"), .div(questionList, texts, json), preview),
            triggerCard, linkCard, rateCard))
    }

    static func triggerRow(_ ctx: WebContext, _ t: TriggerRule, canWrite: Bool) -> [Node<HTML.BodyContext>] {
        let conditions = (try? PlainJSON.decode([String: String].self, from: Data(t.conditions.utf8))) ?? [:]
        let conditionText = conditions.map { "\($0.key) = \($0.value)" }.sorted().joined(separator: ", ")
        let delay = t.delayMinutes == 0 ? ctx.t("at once") : "\(t.delayMinutes) min"
        let sample = "\(Int((t.samplingRate * 100).rounded())) %"
        let runs = t.kind == "batch" ? ctx.t("every") + " \(t.everyDays ?? 7) " + ctx.t("days") : ctx.t("per event")
        let toggle: Node<HTML.BodyContext> = .if(canWrite, .form(.method(.post), .action("/triggers/\(t.id!.uuidString.lowercased())/toggle"), .class("inline"),
                                                                Layout.csrfField(ctx), .button(.type(.submit), .class("secondary"), .text(ctx.t(t.active ? "Pause" : "Activate")))))
        return [.text(t.name), .code(.text(t.eventType)), .text(conditionText), .text(ctx.t("channel.\(t.channel)")), .text(delay), .text(sample), .text(runs), toggle]
    }

    static func previewRespondent(_ s: Survey, def: SurveyDefinition, lang: String) -> Respondent {
        let link = SurveyLink()
        link.id = UUID()
        return Respondent(token: "preview", link: .anonymous(link), survey: s, version: s.latestVersion, definition: def, response: nil, language: lang, workspaceID: s.workspaceID)
    }

    static func prettyJSON(_ def: SurveyDefinition) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? e.encode(def)) ?? Data(), as: UTF8.self)
    }

    static func questionItem(_ ctx: WebContext, _ q: Question, def: SurveyDefinition, base: String, version: Int, editable: Bool) -> Node<HTML.BodyContext> {
        let lang = ctx.lang == .de ? "de" : "en"
        let text = q.text[lang] ?? q.text[def.languages.first ?? ""] ?? q.id
        let qbase = "\(base)/questions/\(q.id)"
        let edit = PublicSurvey.el("details", [], [.element(named: "summary", text: ctx.t("Edit")), questionForm(ctx, q, def: def, action: qbase, version: version)])
        return .group(
            .p(.strong(.text(text)), .text(" "), .span(.class("badge"), .text(ctx.t("qtype.\(q.type.rawValue)"))),
               .text(" · " + ctx.t("Page") + " \(q.page)"), .if(q.required, .text(" · " + ctx.t("required"))),
               .unwrap(q.driver) { .text(" · " + ctx.t("driver") + ": " + $0) },
               .unwrap(q.showIf) { .text(" · " + ctx.t("shown when") + " " + $0.summary) }),
            .if(editable, .div(
                edit,
                .form(.method(.post), .action("\(qbase)/move"), .class("inline"), Layout.csrfField(ctx), .input(.type(.hidden), .name("version"), .value(String(version))),
                      .button(.type(.submit), .name("direction"), .value("up"), .class("secondary"), .text("↑"), .attribute(named: "aria-label", value: ctx.t("Move up"))),
                      .button(.type(.submit), .name("direction"), .value("down"), .class("secondary"), .text("↓"), .attribute(named: "aria-label", value: ctx.t("Move down")))),
                .form(.method(.post), .action("\(qbase)/delete"), .class("inline"), Layout.csrfField(ctx), .input(.type(.hidden), .name("version"), .value(String(version))),
                      .button(.type(.submit), .class("secondary"), .text(ctx.t("Remove")))))))
    }

    static func questionForm(_ ctx: WebContext, _ q: Question?, def: SurveyDefinition, action: String, version: Int) -> Node<HTML.BodyContext> {
        let prefix = q.map { "e-\($0.id)-" } ?? "new-"
        func id(_ name: String) -> String { prefix + name }
        return .form(.method(.post), .action(action), .class("filters question-form"), Layout.csrfField(ctx),
            .input(.type(.hidden), .name("version"), .value(String(version))),
            JourneyWeb.field(id("type"), ctx.t("Type"), JourneyWeb.select("type", QuestionType.allCases.map { ($0.rawValue, ctx.t("qtype.\($0.rawValue)")) }, selected: q?.type.rawValue ?? "nps", id: id("type"))),
            JourneyWeb.field(id("id"), ctx.t("Id"), .input(.type(.text), .name("id"), .id(id("id")), .value(q?.id ?? ""), .required(true), .placeholder("nps"))),
            JourneyWeb.field(id("page"), ctx.t("Page"), .input(.type(.number), .name("page"), .id(id("page")), .value(String(q?.page ?? max(1, def.pageCount))))),
            .div(.class("radio"), .input(.type(.checkbox), .name("required"), .id(id("required")), .checked(q?.required ?? false)), .label(.for(id("required")), .text(ctx.t("required")))),
            .forEach(def.languages) { l in
                JourneyWeb.field(id("text_\(l)"), ctx.t("Question") + " (\(SurveyForms.languageName(l)))",
                                 .input(.type(.text), .name("text_\(l)"), .id(id("text_\(l)")), .value(q?.text[l] ?? ""), .class("wide")))
            },
            JourneyWeb.field(id("scale"), ctx.t("Scale points (CES, Likert, matrix)"), .input(.type(.number), .name("scale"), .id(id("scale")), .value(q?.scale.map(String.init) ?? ""))),
            JourneyWeb.field(id("driver"), ctx.t("Driver group"), .input(.type(.text), .name("driver"), .id(id("driver")), .value(q?.driver ?? ""), .placeholder("service"))),
            JourneyWeb.field(id("options"), ctx.t("Options: id | Deutsch | English per line"),
                             .textarea(.name("options"), .id(id("options")), .attribute(named: "rows", value: "3"), .text(SurveyForms.itemsText(q?.options, languages: def.languages)))),
            JourneyWeb.field(id("items"), ctx.t("Matrix items: id | Deutsch | English per line"),
                             .textarea(.name("items"), .id(id("items")), .attribute(named: "rows", value: "3"), .text(SurveyForms.itemsText(q?.items, languages: def.languages)))),
            JourneyWeb.field(id("purpose"), ctx.t("Free text about"), JourneyWeb.select("purpose", [("", "—"), ("delighted", ctx.t("what delighted")), ("disappointed", ctx.t("what disappointed"))], selected: q?.purpose ?? "", id: id("purpose"))),
            JourneyWeb.field(id("competitor"), ctx.t("Competitor (competitor NPS)"), .input(.type(.text), .name("competitor"), .id(id("competitor")), .value(q?.competitor ?? ""))),
            JourneyWeb.field(id("show_if_question"), ctx.t("Show only when question"), .input(.type(.text), .name("show_if_question"), .id(id("show_if_question")), .value(q?.showIf?.question ?? ""), .placeholder("nps"))),
            JourneyWeb.field(id("show_if_min"), ctx.t("is at least"), .input(.type(.number), .name("show_if_min"), .id(id("show_if_min")), .value(q?.showIf?.min.map(String.init) ?? ""))),
            JourneyWeb.field(id("show_if_max"), ctx.t("is at most"), .input(.type(.number), .name("show_if_max"), .id(id("show_if_max")), .value(q?.showIf?.max.map(String.init) ?? ""))),
            JourneyWeb.field(id("show_if_any"), ctx.t("or is one of (option ids)"), .input(.type(.text), .name("show_if_any"), .id(id("show_if_any")), .value(q?.showIf?.anyOf?.joined(separator: ", ") ?? ""))),
            .div(.class("radio"), .input(.type(.checkbox), .name("randomize_options"), .id(id("randomize_options")), .checked(q?.randomizeOptions ?? false)),
                 .label(.for(id("randomize_options")), .text(ctx.t("shuffle options")))),
            .button(.type(.submit), .text(ctx.t(q == nil ? "Add question" : "Save question"))))
    }

    // MARK: writes

    static func redirectBack(_ req: Request, _ s: Survey) -> String { href(s) }

    static func addQuestion(_ req: Request) async throws -> Response {
        let f = try SurveyForms.fields(req)
        return try await JourneyWeb.submit(req, write: {
            let s = try await SurveyForms.edit(req) { def in
                let q = try SurveyForms.question(f, languages: def.languages)
                if def.question(q.id) != nil { throw AppError.invalid("id", "'\(q.id)' is already the id of another question") }
                def.questions.append(q)
            }
            return href(s)
        }, page: { try await render(req, error: $0) })
    }

    static func updateQuestion(_ req: Request) async throws -> Response {
        let f = try SurveyForms.fields(req)
        let qid = req.parameters.get("qid") ?? ""
        return try await JourneyWeb.submit(req, write: {
            let s = try await SurveyForms.edit(req) { def in
                guard let i = def.questions.firstIndex(where: { $0.id == qid }) else { throw AppError.notFound(entity: "question") }
                let q = try SurveyForms.question(f, languages: def.languages)
                if q.id != qid, def.question(q.id) != nil { throw AppError.invalid("id", "'\(q.id)' is already the id of another question") }
                def.questions[i] = q
                // Display logic that pointed at the old id follows the rename.
                if q.id != qid { for j in def.questions.indices where def.questions[j].showIf?.question == qid { def.questions[j].showIf?.question = q.id } }
            }
            return href(s)
        }, page: { try await render(req, error: $0) })
    }

    static func deleteQuestion(_ req: Request) async throws -> Response {
        let qid = req.parameters.get("qid") ?? ""
        return try await JourneyWeb.submit(req, write: {
            let s = try await SurveyForms.edit(req) { def in
                if let dependent = def.questions.first(where: { $0.showIf?.question == qid }) {
                    throw AppError.conflict("'\(dependent.id)' is shown depending on '\(qid)'; change its display logic first.")
                }
                def.questions.removeAll { $0.id == qid }
            }
            return href(s)
        }, page: { try await render(req, error: $0) })
    }

    static func moveQuestion(_ req: Request) async throws -> Response {
        let qid = req.parameters.get("qid") ?? ""
        let up = (try? req.content.get(String.self, at: "direction")) == "up"
        return try await JourneyWeb.submit(req, write: {
            let s = try await SurveyForms.edit(req) { def in
                guard let i = def.questions.firstIndex(where: { $0.id == qid }) else { throw AppError.notFound(entity: "question") }
                let j = up ? i - 1 : i + 1
                guard def.questions.indices.contains(j) else { return }
                def.questions.swapAt(i, j)
            }
            return href(s)
        }, page: { try await render(req, error: $0) })
    }

    static func saveTexts(_ req: Request) async throws -> Response {
        let f = try SurveyForms.fields(req)
        return try await JourneyWeb.submit(req, write: {
            let s = try await SurveyForms.edit(req) { def in
                var title: LocalizedText = [:], intro: LocalizedText = [:], thanks: LocalizedText = [:]
                for l in def.languages {
                    if let t = f["title_\(l)"]?.trimmingCharacters(in: .whitespaces), !t.isEmpty { title[l] = t }
                    if let t = f["intro_\(l)"]?.trimmingCharacters(in: .whitespaces), !t.isEmpty { intro[l] = t }
                    if let t = f["thanks_\(l)"]?.trimmingCharacters(in: .whitespaces), !t.isEmpty { thanks[l] = t }
                }
                def.title = title
                def.intro = intro.isEmpty ? nil : intro
                def.thanks = thanks.isEmpty ? nil : thanks
                def.randomizeQuestions = f["randomize_questions"] == "on"
            }
            return href(s)
        }, page: { try await render(req, error: $0) })
    }

    static func saveJSON(_ req: Request) async throws -> Response {
        let text = (try? req.content.get(String.self, at: "definition")) ?? ""
        return try await JourneyWeb.submit(req, write: {
            let s = try await SurveyForms.edit(req) { def in
                do { def = try PlainJSON.decode(SurveyDefinition.self, from: Data(text.utf8)) }
                catch let e as DecodingError { throw AppError.validation([FieldError(decodingError: e)]) }
                catch { throw AppError.invalid("definition", "is not JSON") }
            }
            return href(s)
        }, page: { try await render(req, error: $0) })
    }

    static func publish(_ req: Request) async throws -> Response {
        let caller = try req.caller
        return try await JourneyWeb.submit(req, write: {
            let scope = try req.scope
            let s = try await scope.find(Survey.self, parameter: "id", of: req)
            try JourneyWeb.openedAt(try? req.content.get(Int.self, at: "version"), "survey")(s.version)
            try await req.db.transaction { db in try await SurveysAPI.publish(s, scope: scope.with(db), caller: caller) }
            return href(s)
        }, page: { try await render(req, error: $0) })
    }

    static func archive(_ req: Request, archived: Bool) async throws -> Response {
        _ = try await SurveysAPI.setArchived(req, archived: archived)
        return req.redirect(to: "/surveys/\(req.parameters.get("id") ?? "")", redirectType: .normal)
    }

    static func addTrigger(_ req: Request) async throws -> Response {
        let f = try SurveyForms.fields(req)
        let caller = try req.caller
        return try await JourneyWeb.submit(req, write: {
            let scope = try req.scope
            let s = try await scope.find(Survey.self, parameter: "id", of: req)
            var conditions: [String: String] = [:]
            for part in (f["conditions"] ?? "").split(separator: ",") {
                let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard kv.count == 2, !kv[0].isEmpty else { throw AppError.invalid("conditions", "'\(part)' is not name=value") }
                conditions[kv[0]] = kv[1]
            }
            func int(_ k: String) throws -> Int? {
                guard let t = f[k]?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return nil }
                guard let n = Int(t) else { throw AppError.invalid(k, "'\(t)' is not a whole number") }
                return n
            }
            let rate = try int("sampling_percent").map { Double($0) / 100 }
            let input = TriggerInput(name: f["name"], kind: f["kind"], eventType: f["event_type"]?.trimmingCharacters(in: .whitespaces), conditions: conditions,
                                     surveyId: s.id, channel: f["channel"], delayMinutes: try int("delay_minutes"), samplingRate: rate,
                                     everyDays: f["kind"] == "batch" ? try int("every_days") : nil, active: true)
            let t = TriggerRule()
            t.id = .timeOrdered()
            t.workspaceID = scope.workspaceID
            t.version = 1
            try await TriggersAPI.apply(input, to: t, isNew: true, scope: scope)
            try await req.db.transaction { db in
                try await t.create(on: db)
                try await Audit.record("create", "trigger_rule", id: t.id, before: String?.none, after: PlainJSON.encode(TriggerDTO(t)), by: caller, on: db)
            }
            return href(s)
        }, page: { try await render(req, error: $0) })
    }

    static func toggleTrigger(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let caller = try req.caller
        let t = try await scope.find(TriggerRule.self, parameter: "id", of: req)
        let survey = try await scope.find(Survey.self, t.surveyID)
        try await TriggersAPI.apply(TriggerInput(active: !t.active), to: t, isNew: false, scope: scope)
        try await req.db.transaction { db in
            try await Versioning.claim(table: TriggerRule.schema, id: t.id!, version: t.version, on: db)
            t.version += 1
            try await t.save(on: db)
            try await Audit.record(t.active ? "activate" : "pause", "trigger_rule", id: t.id, by: caller, on: db)
        }
        return req.redirect(to: href(survey), redirectType: .normal)
    }

    static func addLink(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let caller = try req.caller
        let s = try await scope.find(Survey.self, parameter: "id", of: req)
        let channel = (try? req.content.get(String.self, at: "channel"))?.trimmingCharacters(in: .whitespaces)
        let link = SurveyLink()
        link.id = .timeOrdered()
        link.workspaceID = scope.workspaceID
        link.surveyID = s.id!
        link.touchpointID = s.touchpointID
        link.channel = channel?.isEmpty == false ? String(channel!.prefix(40)) : nil
        link.token = "a" + randomToken(18)
        link.active = true
        try await req.db.transaction { db in
            try await link.create(on: db)
            try await Audit.record("create", "survey_link", id: link.id, by: caller, on: db)
        }
        return req.redirect(to: href(s), redirectType: .normal)
    }
}
