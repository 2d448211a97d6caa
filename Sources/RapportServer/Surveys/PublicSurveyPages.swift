import Fluent
import Foundation
import Plot
import RapportKit
import Vapor

/// The pages customers see: mobile-first, no JavaScript, one form per page, answers kept page by
/// page, in the respondent's language. Nothing here needs a login; the link is the key.
enum PublicSurvey {
    static func register(_ app: Application) {
        app.get("assets", "survey.css") { _ -> Response in
            let r = Response(status: .ok, body: .init(string: SurveyAssets.css))
            r.headers.contentType = .init(type: "text", subType: "css", parameters: ["charset": "utf-8"])
            r.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
            return r
        }
        app.get("s", use: codeForm)
        app.on(.POST, "s", body: .collect(maxSize: "16kb"), use: enterCode)
        app.get("s", ":token", use: show)
        app.on(.POST, "s", ":token", body: .collect(maxSize: "256kb"), use: submit)
        app.get("s", ":token", "thanks", use: thanks)
        app.get("s", ":token", "qr.svg", use: qrSVG)
        app.get("s", ":token", "qr.png", use: qrPNG)
        app.get("u", ":token", use: unsubscribeForm)
        app.on(.POST, "u", ":token", body: .collect(maxSize: "16kb"), use: unsubscribe)
    }

    // MARK: words

    /// The public pages speak the survey's language; every text here exists in German and English.
    struct Words {
        let lang: String
        func callAsFunction(_ de: String, _ en: String) -> String { lang == "de" ? de : en }
    }

    // MARK: handlers

    static func show(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        let r: Respondent
        do { r = try await Respondent.resolve(token, req: req) } catch let c as Respondent.Closed { return closed(c, req: req) }
        let answers = r.answers
        let pages = r.visiblePages(answers)
        let requested = (try? req.query.get(Int.self, at: "page")).flatMap { pages.contains($0) ? $0 : nil }
        let page = requested ?? r.response.map { p in pages.contains(p.page) ? p.page : pages.first! } ?? pages.first ?? 1
        return render(r, page: page, answers: answers, errors: [:])
    }

    static func submit(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        var r: Respondent
        do { r = try await Respondent.resolve(token, req: req) } catch let c as Respondent.Closed { return closed(c, req: req, status: .conflict) }
        let form = (try? req.content.decode([String: String].self)) ?? [:]
        let many = (try? req.content.decode([String: [String]].self)) ?? [:]
        var answers = r.answers
        let pages = r.visiblePages(answers)
        guard let page = form["page"].flatMap(Int.init), (1...max(1, r.definition.pageCount)).contains(page) else {
            return render(r, page: pages.first ?? 1, answers: answers, errors: ["_": Words(lang: r.language)("Diese Seite gibt es nicht.", "This page does not exist.")], status: .unprocessableEntity)
        }
        let back = form["action"] == "back"
        // What this page asked, read from the form; an empty field clears an earlier answer.
        let asked = r.definition.questions(onPage: page, seed: r.seed, answers: answers)
        var errors: [String: String] = [:]
        for q in asked {
            answers[q.id] = nil
            switch parse(q, form: form, many: many) {
            case .none: break
            case .some(.success(let a)): answers[q.id] = a
            case .some(.failure(let problem)): errors[q.id] = problem.message
            }
        }
        // Display logic may now hide questions answered earlier: their answers go.
        for q in r.definition.questions where answers[q.id] != nil && !r.definition.isVisible(q, answers: answers) { answers[q.id] = nil }
        for e in r.definition.check(answers, complete: false) where errors[e.field.replacingOccurrences(of: "answers.", with: "")] == nil {
            let id = String(e.field.dropFirst("answers.".count).prefix { $0 != "." })
            errors[id] = Words(lang: r.language)("Bitte prüfen Sie diese Antwort", "Please check this answer") + " (" + e.message + ")"
        }
        if !back {
            for q in asked where q.required && answers[q.id] == nil && errors[q.id] == nil {
                errors[q.id] = Words(lang: r.language)("Bitte beantworten Sie diese Frage.", "Please answer this question.")
            }
        }
        if !errors.isEmpty && !back {
            return render(r, page: page, answers: answers, errors: errors, status: .unprocessableEntity)
        }
        for id in errors.keys { answers[id] = nil }
        let visible = r.visiblePages(answers, strict: true)
        if back {
            let previous = visible.last { $0 < page } ?? visible.first ?? 1
            _ = try await r.save(answers, page: previous, complete: false, req: req)
            return redirect(r, "/s/\(token)?page=\(previous)&lang=\(r.language)")
        }
        if let next = visible.first(where: { $0 > page }) {
            _ = try await r.save(answers, page: next, complete: false, req: req)
            return redirect(r, "/s/\(token)?page=\(next)&lang=\(r.language)")
        }
        let missing = r.definition.check(answers, complete: true)
        if let first = missing.first {
            // A required question on an earlier page is unanswered (e.g. a page was skipped by URL).
            let id = String(first.field.dropFirst("answers.".count).prefix { $0 != "." })
            let target = r.definition.question(id)?.page ?? page
            _ = try await r.save(answers, page: target, complete: false, req: req)
            return redirect(r, "/s/\(token)?page=\(target)&lang=\(r.language)")
        }
        _ = try await r.save(answers, page: page, complete: true, req: req)
        return redirect(r, "/s/\(token)/thanks?lang=\(r.language)")
    }

    /// After every write the browser is sent on with a GET, so reloading never submits twice. An
    /// anonymous respondent gets a cookie that finds the half-finished response again.
    static func redirect(_ r: Respondent, _ to: String) -> Response {
        let res = Response(status: .seeOther)
        res.headers.replaceOrAdd(name: .location, value: to)
        if let link = r.anonymousLink, let resume = r.response?.resumeToken {
            res.cookies[Respondent.cookieName(link)] = r.response?.status == "complete"
                ? HTTPCookies.Value(string: "", maxAge: 0, path: "/s", isHTTPOnly: true, sameSite: .lax)
                : HTTPCookies.Value(string: resume, maxAge: 60 * 60 * 24 * 14, path: "/s", isHTTPOnly: true, sameSite: .lax)
        }
        return res
    }

    static func thanks(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        // The link is used up now; find the survey through the response to say thank you in its words.
        var text: String? = nil
        var title = "Rapport"
        var lang = (try? req.query.get(String.self, at: "lang")) ?? "de"
        if let id = PersonalLink.invitationID(in: token), let inv = try await Invitation.query(on: req.db).filter(\.$id == id).first(),
           let response = try await SurveyResponse.query(on: req.db).filter(\.$invitationID == inv.id!).first(),
           let v = try await SurveyVersion.query(on: req.db).filter(\.$surveyID == response.surveyID).filter(\.$number == response.surveyVersion).first(),
           let def = try? v.decoded() {
            lang = def.languages.contains(response.language) ? response.language : lang
            text = def.thanks?[lang]
            title = def.title[lang] ?? title
        } else if let link = try await SurveyLink.query(on: req.db).filter(\.$token == token).first(),
                  let survey = try await Survey.query(on: req.db).filter(\.$id == link.surveyID).first(),
                  let def = try await SurveysAPI.published(survey, on: req.db) {
            if !def.languages.contains(lang) { lang = def.languages.first ?? "de" }
            text = def.thanks?[lang]
            title = def.title[lang] ?? title
        }
        let w = Words(lang: lang)
        return page(lang: lang, title: title, .div(.class("done"),
            .h1(.text(w("Vielen Dank!", "Thank you!"))),
            .p(.text(text ?? w("Ihre Antworten sind gespeichert. Sie helfen uns, besser zu werden.", "Your answers are saved. They help us get better."))),
            .p(.class("muted"), .text(w("Sie können dieses Fenster jetzt schließen.", "You can close this window now.")))))
    }

    static func closed(_ c: Respondent.Closed, req: Request, status: HTTPResponseStatus? = nil) -> Response {
        let lang = c.language ?? (UILanguage.resolve(user: nil, acceptLanguage: req.headers.first(name: .acceptLanguage)) == .de ? "de" : "en")
        let w = Words(lang: lang)
        let (code, heading, text): (HTTPResponseStatus, String, String) = switch c {
        case .unknown: (.notFound, w("Link nicht gefunden", "Link not found"),
                        w("Dieser Link ist nicht gültig. Bitte prüfen Sie, ob er vollständig kopiert wurde, oder geben Sie den Code aus Ihrem Brief ein.",
                          "This link is not valid. Please check that it was copied completely, or type in the code from your letter."))
        case .expired: (.gone, w("Link abgelaufen", "Link expired"),
                        w("Diese Befragung ist für Sie leider nicht mehr geöffnet.", "This survey is no longer open for you."))
        case .archived: (.gone, w("Befragung beendet", "Survey closed"),
                         w("Diese Befragung ist beendet. Vielen Dank für Ihr Interesse.", "This survey has ended. Thank you for your interest."))
        case .answered: (.conflict, w("Bereits beantwortet", "Already answered"),
                         w("Mit diesem Link wurde schon geantwortet. Vielen Dank!", "This link has already been used to answer. Thank you!"))
        }
        return page(lang: lang, title: heading, status: status ?? code, .div(.class("done"),
            .h1(.text(heading)), .p(.text(text)),
            .if(c == Respondent.Closed.unknown, .p(.a(.href("/s"), .text(w("Code eingeben", "Enter a code")))))))
    }

    static func codeForm(_ req: Request) async throws -> Response {
        codePage(req, error: nil, status: .ok)
    }

    static func codePage(_ req: Request, error: String?, status: HTTPResponseStatus) -> Response {
        let lang = (try? req.query.get(String.self, at: "lang")) ?? (UILanguage.resolve(user: nil, acceptLanguage: req.headers.first(name: .acceptLanguage)) == .de ? "de" : "en")
        let w = Words(lang: lang)
        return page(lang: lang, title: w("Code eingeben", "Enter your code"), status: status, .div(
            .h1(.text(w("Zur Befragung", "To the survey"))),
            .p(.text(w("Geben Sie den Code aus Ihrem Brief ein, z. B. ABCDE-FGH23.", "Type in the code from your letter, e.g. ABCDE-FGH23."))),
            .form(.method(.post), .action("/s"),
                .input(.type(.hidden), .name("lang"), .value(lang)),
                .label(.for("code"), .text(w("Code", "Code"))),
                .input(.type(.text), .id("code"), .name("code"), .attribute(named: "autocomplete", value: "off"),
                       .attribute(named: "autocapitalize", value: "characters"), .attribute(named: "inputmode", value: "text"),
                       .attribute(named: "maxlength", value: "20"), .required(true),
                       .attribute(named: "aria-describedby", value: error == nil ? "" : "code-error"), .class("code")),
                .unwrap(error) { e in .p(.id("code-error"), .class("error"), .attribute(named: "role", value: "alert"), .text(e)) },
                .div(.class("actions"), .button(.type(.submit), .class("primary"), .text(w("Weiter", "Continue")))))))
    }

    static func enterCode(_ req: Request) async throws -> Response {
        let typed = (try? req.content.get(String.self, at: "code")) ?? ""
        let code = ShortCode.normalized(typed)
        let lang = (try? req.content.get(String.self, at: "lang")) ?? "de"
        let w = Words(lang: lang)
        guard code.count == 10, let inv = try await Invitation.query(on: req.db).filter(\.$shortCode == code).first() else {
            return codePage(req, error: w("Diesen Code kennen wir nicht. Bitte prüfen Sie die Schreibweise.", "We do not know this code. Please check how it is spelt."), status: .unprocessableEntity)
        }
        let settings = try await SurveySettingsStore.load(Scope(workspaceID: inv.workspaceID, db: req.db))
        return req.redirect(to: "/s/" + PersonalLink.token(invitationID: inv.id!, secret: settings.linkSecret), redirectType: .normal)
    }

    static func qrSVG(_ req: Request) async throws -> Response {
        let (url, lang) = try await personalURL(req)
        let code = try QRCode(url, correction: QRCode.Correction.medium)
        let r = Response(status: .ok, body: .init(string: code.svg(title: Words(lang: lang)("QR-Code zur Befragung", "QR code to the survey"))))
        r.headers.contentType = .init(type: "image", subType: "svg+xml")
        return r
    }

    static func qrPNG(_ req: Request) async throws -> Response {
        let (url, _) = try await personalURL(req)
        let code = try QRCode(url, correction: QRCode.Correction.medium)
        let r = Response(status: .ok, body: .init(data: Data(code.png(scale: 8))))
        r.headers.contentType = HTTPMediaType.png
        return r
    }

    /// The full link a QR code carries. Only a valid personal token gets one.
    static func personalURL(_ req: Request) async throws -> (String, String) {
        let token = req.parameters.get("token") ?? ""
        guard let id = PersonalLink.invitationID(in: token), let inv = try await Invitation.query(on: req.db).filter(\.$id == id).first() else {
            throw AppError.notFound(entity: "survey link")
        }
        let settings = try await SurveySettingsStore.load(Scope(workspaceID: inv.workspaceID, db: req.db))
        guard PersonalLink.verify(token, secret: settings.linkSecret) else { throw AppError.notFound(entity: "survey link") }
        return (PublicURL.base(req.application) + "/s/" + token, inv.language)
    }

    // MARK: unsubscribe

    static func unsubscribeForm(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        guard let inv = try await Unsubscribe.invitation(token, db: req.db) else { return closed(Respondent.Closed.unknown, req: req) }
        let w = Words(lang: inv.language)
        return page(lang: inv.language, title: w("Abmelden", "Unsubscribe"), .div(
            .h1(.text(w("Keine Befragungen mehr per E-Mail?", "No more surveys by e-mail?"))),
            .p(.text(w("Wir fragen Sie dann nicht mehr per E-Mail nach Ihrer Meinung. Sie können das jederzeit wieder ändern.",
                       "We will then no longer ask for your opinion by e-mail. You can change this again at any time."))),
            .form(.method(.post), .action("/u/\(token)"),
                  .div(.class("actions"), .button(.type(.submit), .class("primary"), .text(w("Abmelden", "Unsubscribe")))))))
    }

    /// Also the target of one-click unsubscribe (RFC 8058): a POST with List-Unsubscribe=One-Click.
    static func unsubscribe(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        guard let inv = try await Unsubscribe.invitation(token, db: req.db) else { return closed(Respondent.Closed.unknown, req: req) }
        try await Unsubscribe.withdraw(inv, db: req.db)
        let w = Words(lang: inv.language)
        return page(lang: inv.language, title: w("Abgemeldet", "Unsubscribed"), .div(.class("done"),
            .h1(.text(w("Sie sind abgemeldet", "You are unsubscribed"))),
            .p(.text(w("Sie erhalten keine Befragungen mehr per E-Mail.", "You will no longer receive surveys by e-mail.")))))
    }

    // MARK: rendering

    static func page(lang: String, title: String, status: HTTPResponseStatus = .ok, _ content: Node<HTML.BodyContext>) -> Response {
        let html = HTML(
            .lang(lang == "de" ? .german : .english),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .meta(.name("robots"), .content("noindex")),
                .title(title),
                .link(.rel(.stylesheet), .href("/assets/survey.css"))
            ),
            .body(.class("survey-page"), .main(.id("main"), content))
        )
        let r = Response(status: status, body: .init(string: html.render()))
        r.headers.contentType = .html
        r.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return r
    }

    static func render(_ r: Respondent, page: Int, answers: [String: Answer], errors: [String: String], status: HTTPResponseStatus = .ok) -> Response {
        let w = Words(lang: r.language)
        let d = r.definition
        let pages = r.visiblePages(answers)
        let position = (pages.firstIndex(of: page) ?? 0) + 1
        let questions = d.questions(onPage: page, seed: r.seed, answers: answers)
        let title = d.title[r.language] ?? d.title.values.first ?? ""
        let isLast = pages.last == page
        let others = d.languages.filter { $0 != r.language }
        let content: Node<HTML.BodyContext> = .group(
            .header(.class("survey-head"),
                .h1(.text(title)),
                .if(!others.isEmpty, .nav(.class("langs"), .attribute(named: "aria-label", value: w("Sprache", "Language")),
                    .forEach(others) { l in .a(.href("/s/\(r.token)?page=\(page)&lang=\(l)"), .attribute(named: "hreflang", value: l), .attribute(named: "lang", value: l),
                                                 .text(l == "de" ? "Deutsch" : l == "en" ? "English" : l.uppercased())) }))),
            .if(position == 1, .unwrap(d.intro?[r.language]) { .p(.class("intro"), .text($0)) }),
            .div(.class("progress"),
                 .element(named: "progress", nodes: [.attribute(named: "max", value: String(pages.count)), .attribute(named: "value", value: String(position)),
                                                      .attribute(named: "aria-label", value: w("Fortschritt", "Progress"))]),
                 .span(.text(w("Seite \(position) von \(pages.count)", "Page \(position) of \(pages.count)")))),
            .if(!errors.isEmpty, .div(.class("error-summary"), .attribute(named: "role", value: "alert"), .attribute(named: "tabindex", value: "-1"),
                .p(.text(w("Bitte prüfen Sie die markierten Fragen.", "Please check the marked questions."))),
                .ul(.forEach(questions.filter { errors[$0.id] != nil }) { q in .li(.a(.href("#q-\(q.id)"), .text(q.text[r.language] ?? q.id))) }),
                .unwrap(errors["_"]) { .p(.text($0)) })),
            el("form", [("method", "post"), ("action", "/s/\(r.token)"), ("novalidate", "novalidate")],
               [el("input", [("type", "hidden"), ("name", "page"), ("value", String(page))]),
                el("input", [("type", "hidden"), ("name", "lang"), ("value", r.language)])]
               + questions.map { q in questionNode(q, r: r, answer: answers[q.id], error: errors[q.id]) }
               + [el("div", [("class", "actions")], [
                   position > 1 ? el("button", [("type", "submit"), ("name", "action"), ("value", "back"), ("class", "secondary")], [.text(w("Zurück", "Back"))]) : .empty,
                   el("button", [("type", "submit"), ("name", "action"), ("value", "next"), ("class", "primary")], [.text(isLast ? w("Absenden", "Submit") : w("Weiter", "Next"))]),
               ])])
        )
        return self.page(lang: r.language, title: "\(title) – \(w("Seite", "Page")) \(position)", status: status, content)
    }

    /// An element with attributes and children, without Plot's per-element contexts (a label holding
    /// an input and a span, a fieldset in a form): the markup reads as the HTML it makes.
    static func el(_ name: String, _ attributes: [(String, String)] = [], _ children: [Node<HTML.BodyContext>] = []) -> Node<HTML.BodyContext> {
        .element(named: name, nodes: attributes.filter { !$0.1.isEmpty }.map { Node<HTML.BodyContext>.attribute(named: $0.0, value: $0.1) } + children)
    }

    static func radio(_ name: String, _ value: String, checked: Bool, type: String = "radio", label: String, labelClass: String) -> Node<HTML.BodyContext> {
        var attributes = [("type", type), ("name", name), ("value", value)]
        if checked { attributes.append(("checked", "checked")) }
        return el("label", [("class", labelClass)], [el("input", attributes), el("span", [], [.text(label)])])
    }

    static func questionNode(_ q: Question, r: Respondent, answer: Answer?, error: String?) -> Node<HTML.BodyContext> {
        let lang = r.language
        let w = Words(lang: lang)
        let text = q.text[lang] ?? q.text.values.first ?? q.id
        let errorID = "e-\(q.id)"
        let described = error == nil ? "" : errorID
        let errorNode: Node<HTML.BodyContext> = .unwrap(error) { .p(.id(errorID), .class("error"), .text($0)) }
        let requiredMark: Node<HTML.BodyContext> = q.required ? el("span", [("class", "req"), ("aria-hidden", "true")], [.text(" *")]) : .empty
        let low = q.lowLabel?[lang] ?? defaultLow(q, w)
        let high = q.highLabel?[lang] ?? defaultHigh(q, w)

        func scale(_ name: String, _ range: ClosedRange<Int>, selected: Int?, legend: String, level: String, id: String) -> Node<HTML.BodyContext> {
            let points: [Node<HTML.BodyContext>] = range.map { n in radio(name, String(n), checked: selected == n, label: String(n), labelClass: "point") }
            return el("fieldset", [("class", "q scale s\(range.count) \(level)"), ("id", id), ("aria-describedby", described)], [
                el("legend", [], [.text(legend), requiredMark]),
                el("div", [("class", "points")], points),
                el("div", [("class", "anchors")], [el("span", [], [.text(low)]), el("span", [], [.text(high)])]),
                errorNode,
            ])
        }

        switch q.type {
        case .nps, .competitorNPS, .csat, .ces, .likert:
            return scale("q_\(q.id)", q.range!, selected: answer?.number, legend: text, level: "q", id: "q-\(q.id)")
        case .matrix:
            let grid: [String: Int]
            if case .grid(let g)? = answer { grid = g } else { grid = [:] }
            let rows: [Node<HTML.BodyContext>] = (q.items ?? []).map { item in
                scale("q_\(q.id)__\(item.id)", q.range!, selected: grid[item.id], legend: item.text[lang] ?? item.id, level: "item", id: "q-\(q.id)-\(item.id)")
            }
            return el("div", [("class", "q matrix"), ("id", "q-\(q.id)")], [el("p", [("class", "matrix-title")], [.text(text), requiredMark])] + rows + [errorNode])
        case .singleChoice, .multipleChoice:
            let multi = q.type == .multipleChoice
            var chosen = Set<String>()
            if case .text(let t)? = answer { chosen = [t] }
            if case .choices(let c)? = answer { chosen = Set(c) }
            let options: [Node<HTML.BodyContext>] = r.definition.options(of: q, seed: r.seed).map { o in
                radio(multi ? "q_\(q.id)[]" : "q_\(q.id)", o.id, checked: chosen.contains(o.id), type: multi ? "checkbox" : "radio",
                      label: o.text[lang] ?? o.id, labelClass: "option")
            }
            let hint: [Node<HTML.BodyContext>] = multi ? [el("p", [("class", "hint")], [.text(w("Mehrere Antworten möglich", "Choose all that apply"))])] : []
            return el("fieldset", [("class", "q choice"), ("id", "q-\(q.id)"), ("aria-describedby", described)],
                      [el("legend", [], [.text(text), requiredMark])] + hint + options + [errorNode])
        case .text:
            var value = ""
            if case .text(let t)? = answer { value = t }
            return el("div", [("class", "q text"), ("id", "q-\(q.id)")], [
                el("label", [("for", "f-\(q.id)")], [.text(text), requiredMark]),
                el("textarea", [("id", "f-\(q.id)"), ("name", "q_\(q.id)"), ("rows", "4"), ("maxlength", String(SurveyLimits.textLength)),
                                ("aria-describedby", described)], [.text(value)]),
                errorNode,
            ])
        case .callback:
            var chosen: Bool? = nil
            if case .flag(let b)? = answer { chosen = b }
            return el("fieldset", [("class", "q choice"), ("id", "q-\(q.id)"), ("aria-describedby", described)], [
                el("legend", [], [.text(text), requiredMark]),
                radio("q_\(q.id)", "yes", checked: chosen == true, label: w("Ja, bitte rufen Sie mich an", "Yes, please call me"), labelClass: "option"),
                radio("q_\(q.id)", "no", checked: chosen == false, label: w("Nein, danke", "No, thank you"), labelClass: "option"),
                errorNode,
            ])
        }
    }

    static func defaultLow(_ q: Question, _ w: Words) -> String {
        switch q.type {
        case .nps, .competitorNPS: w("0 = äußerst unwahrscheinlich", "0 = not at all likely")
        case .csat: w("1 = sehr unzufrieden", "1 = very dissatisfied")
        case .ces: w("1 = sehr schwierig", "1 = very difficult")
        default: w("1 = stimme gar nicht zu", "1 = strongly disagree")
        }
    }

    static func defaultHigh(_ q: Question, _ w: Words) -> String {
        let top = String(q.range?.upperBound ?? 10)
        return switch q.type {
        case .nps, .competitorNPS: w("10 = äußerst wahrscheinlich", "10 = extremely likely")
        case .csat: w("5 = sehr zufrieden", "5 = very satisfied")
        case .ces: w("\(top) = sehr einfach", "\(top) = very easy")
        default: w("\(top) = stimme voll zu", "\(top) = strongly agree")
        }
    }

    /// The answer a form gives for a question: nil when left empty, a message when it cannot be read.
    static func parse(_ q: Question, form: [String: String], many: [String: [String]]) -> Result<Answer, FormProblem>? {
        let name = "q_\(q.id)"
        switch q.type {
        case .nps, .competitorNPS, .csat, .ces, .likert:
            guard let raw = form[name], !raw.isEmpty else { return nil }
            guard let n = Int(raw) else { return .failure(FormProblem(message: "'\(raw)' is not a number")) }
            return .success(.number(n))
        case .matrix:
            var grid: [String: Int] = [:]
            for item in q.items ?? [] { if let raw = form["\(name)__\(item.id)"], let n = Int(raw) { grid[item.id] = n } }
            return grid.isEmpty ? nil : .success(.grid(grid))
        case .singleChoice:
            guard let raw = form[name], !raw.isEmpty else { return nil }
            return .success(.text(raw))
        case .multipleChoice:
            let chosen = many[name] ?? many["\(name)[]"] ?? []
            return chosen.isEmpty ? nil : .success(.choices(chosen))
        case .text:
            let t = (form[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            return t.isEmpty ? nil : .success(.text(t))
        case .callback:
            guard let raw = form[name] else { return nil }
            return .success(.flag(raw == "yes"))
        }
    }
}

struct FormProblem: Error { var message: String }

/// Where people reach this installation: the configured base URL, else the address it listens on.
enum PublicURL {
    static func base(_ app: Application) -> String {
        if let b = app.settings.baseURL { return b }
        let s = app.settings
        return "http://\(s.host == "0.0.0.0" ? "127.0.0.1" : s.host):\(s.port)"
    }
}

enum Unsubscribe {
    static func invitation(_ token: String, db: any Database) async throws -> Invitation? {
        guard let id = PersonalLink.invitationID(in: token), let inv = try await Invitation.query(on: db).filter(\.$id == id).first() else { return nil }
        let settings = try await SurveySettingsStore.load(Scope(workspaceID: inv.workspaceID, db: db))
        return PersonalLink.verify(token, secret: settings.linkSecret) ? inv : nil
    }

    /// Withdraws the survey consent for e-mail (the ledger keeps the grant and the withdrawal) and
    /// stops the reminders of this invitation.
    static func withdraw(_ inv: Invitation, db: any Database) async throws {
        try await db.transaction { db in
            let c = Consent()
            c.workspaceID = inv.workspaceID
            c.contactID = inv.contactID
            c.purpose = ConsentPurpose.survey.rawValue
            c.channel = "email"
            c.status = "withdrawn"
            c.source = "unsubscribe link"
            c.recordedAt = Date()
            c.recordedBy = "the contact"
            try await c.create(on: db)
            try await Invitation.query(on: db).filter(\.$id == inv.id!).set(\.$reminderDueAt, to: nil).update()
            try await Timeline.record(workspaceID: inv.workspaceID, accountID: inv.accountID, contactID: inv.contactID, kind: "consent",
                                      title: "Unsubscribed from surveys by e-mail", detail: "Through the link in a survey e-mail.", on: db)
        }
    }
}
