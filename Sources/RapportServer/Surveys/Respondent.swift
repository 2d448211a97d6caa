import Fluent
import Foundation
import RapportKit
import Vapor

/// Who is answering through a public link, and which survey version they answer. Personal links
/// belong to one invitation (and can complete one response); anonymous links belong to a survey and
/// touchpoint, and a cookie finds a half-finished response again.
struct Respondent {
    enum Link { case personal(Invitation), anonymous(SurveyLink) }
    var token: String
    var link: Link
    var survey: Survey
    var version: Int
    var definition: SurveyDefinition
    var response: SurveyResponse?
    var language: String
    var workspaceID: UUID

    var invitation: Invitation? { if case .personal(let i) = link { i } else { nil } }
    var anonymousLink: SurveyLink? { if case .anonymous(let l) = link { l } else { nil } }
    var seed: String { response?.id?.uuidString ?? token }

    static func cookieName(_ link: SurveyLink) -> String { "rapport_r_" + link.id!.uuidString.prefix(8).lowercased() }

    /// Why a link does not open a survey, said to the person holding it.
    /// The language is the invitation's where one is known, so the customer reads it in theirs.
    enum Closed: Error, Equatable {
        case unknown, expired(language: String?), archived(language: String?), answered(language: String?)

        var language: String? {
            switch self {
            case .unknown: nil
            case .expired(let l), .archived(let l), .answered(let l): l
            }
        }
    }

    static func resolve(_ token: String, req: Request) async throws -> Respondent {
        let db = req.db
        guard token.count <= 64 else { throw Closed.unknown }
        if token.hasPrefix("p") {
            guard let id = PersonalLink.invitationID(in: token),
                  let inv = try await Invitation.query(on: db).filter(\.$id == id).first() else { throw Closed.unknown }
            let scope = Scope(workspaceID: inv.workspaceID, db: db)
            let settings = try await SurveySettingsStore.load(scope)
            guard PersonalLink.verify(token, secret: settings.linkSecret) else { throw Closed.unknown }
            let survey = try await scope.find(Survey.self, inv.surveyID)
            let response = try await SurveyResponse.query(on: db).filter(\.$invitationID == inv.id!).first()
            if response?.status == "complete" || inv.answeredAt != nil { throw Closed.answered(language: inv.language) }
            if inv.expiresAt < Date() { throw Closed.expired(language: inv.language) }
            if survey.status == "archived" { throw Closed.archived(language: inv.language) }
            let number = response?.surveyVersion ?? survey.publishedVersion
            guard let number, let v = try await SurveyVersion.query(on: db).filter(\.$surveyID == survey.id!).filter(\.$number == number).first()
            else { throw Closed.archived(language: inv.language) }
            let def = try v.decoded()
            let lang = chosenLanguage(req, def, fallback: response?.language ?? inv.language)
            return Respondent(token: token, link: .personal(inv), survey: survey, version: number, definition: def, response: response, language: lang, workspaceID: inv.workspaceID)
        }
        guard token.hasPrefix("a"), let link = try await SurveyLink.query(on: db).filter(\.$token == token).first(), link.active else { throw Closed.unknown }
        let scope = Scope(workspaceID: link.workspaceID, db: db)
        let survey = try await scope.find(Survey.self, link.surveyID)
        if survey.status == "archived" { throw Closed.archived(language: nil) }
        var response: SurveyResponse?
        if let resume = req.cookies[cookieName(link)]?.string, !resume.isEmpty {
            response = try await SurveyResponse.query(on: db).filter(\.$resumeToken == resume).filter(\.$linkID == link.id!).filter(\.$status == "partial").first()
        }
        let number = response?.surveyVersion ?? survey.publishedVersion
        guard let number, let v = try await SurveyVersion.query(on: db).filter(\.$surveyID == survey.id!).filter(\.$number == number).first()
        else { throw Closed.archived(language: nil) }
        let def = try v.decoded()
        let lang = chosenLanguage(req, def, fallback: response?.language)
        return Respondent(token: token, link: .anonymous(link), survey: survey, version: number, definition: def, response: response, language: lang, workspaceID: link.workspaceID)
    }

    /// ?lang= wins (the language switch), then what the response or invitation already uses, then the browser.
    static func chosenLanguage(_ req: Request, _ def: SurveyDefinition, fallback: String?) -> String {
        if let l = (try? req.query.get(String.self, at: "lang")) ?? (try? req.content.get(String.self, at: "lang")), def.languages.contains(l) { return l }
        if let f = fallback, def.languages.contains(f) { return f }
        return def.language(contact: nil, acceptLanguage: req.headers.first(name: .acceptLanguage))
    }

    var answers: [String: Answer] { response?.decodedAnswers ?? [:] }

    /// Pages that have, or may still have, a question to show: a question whose condition depends
    /// on an answer not given yet counts, so the progress bar does not jump from "1 of 1" to "2 of 2".
    /// `strict` counts only what the answers so far show: where to go next, once the pages with the
    /// deciding answers are behind the respondent.
    func visiblePages(_ answers: [String: Answer], strict: Bool = false) -> [Int] {
        (1...max(1, definition.pageCount)).filter { p in
            definition.questions.contains { q in
                q.page == p && ((!strict && q.showIf.map { answers[$0.question] == nil } ?? false) || definition.isVisible(q, answers: answers))
            }
        }
    }

    /// Saves what a page brought: answers replace the page's earlier ones, answers that display
    /// logic now hides are dropped, and the response remembers where the person is.
    mutating func save(_ answers: [String: Answer], page: Int, complete: Bool, req: Request) async throws -> SurveyResponse {
        let db = req.db
        let now = Date()
        let r: SurveyResponse
        if let existing = response { r = existing } else {
            r = SurveyResponse()
            r.id = .timeOrdered()
            r.workspaceID = workspaceID
            r.surveyID = survey.id!
            r.surveyVersion = version
            r.source = "web"
            r.startedAt = now
            switch link {
            case .personal(let inv):
                r.invitationID = inv.id
                r.contactID = inv.contactID
                r.accountID = inv.accountID
                r.touchpointID = inv.touchpointID
                r.channel = inv.channel
            case .anonymous(let l):
                r.linkID = l.id
                r.touchpointID = l.touchpointID ?? survey.touchpointID
                r.channel = l.channel
                r.resumeToken = randomToken(24)
            }
        }
        let wasComplete = r.$status.value == "complete"
        r.language = language
        r.answers = Answer.json(answers)
        r.page = page
        if complete {
            r.status = "complete"
            r.submittedAt = now
        } else {
            r.status = "partial"
        }
        let survey = self.survey
        let invitation = invitation
        let definition = definition
        try await db.transaction { db in
            // Two tabs may finish the same response at once: only the one that moves it to complete counts it.
            var counts = complete && !wasComplete
            if counts && r.$id.exists {
                let moved = try await db.sql.raw("UPDATE survey_responses SET status = 'complete' WHERE id = \(bind: r.id!) AND status <> 'complete' RETURNING id").all()
                counts = !moved.isEmpty
            }
            if complete { try await Rollups.stamp(r, on: db) }
            if r.$id.exists { try await r.update(on: db) } else { try await r.create(on: db) }
            guard complete else { return }
            if counts { try await Rollups.add([ResponseRow(r, scores: definition.rollupScores(answers))], on: db) }
            if let inv = invitation {
                // Only one completion per personal link, even from two tabs at once.
                try await Invitation.query(on: db).filter(\.$id == inv.id!).filter(\.$answeredAt == nil)
                    .set(\.$answeredAt, to: now).set(\.$status, to: "answered").set(\.$reminderDueAt, to: nil).update()
            }
            try await Timeline.record(workspaceID: r.workspaceID, accountID: r.accountID, contactID: r.contactID, kind: "survey_response",
                                      title: "Answered \(survey.name)", detail: Responses.summary(answers, definition), at: now,
                                      subjectType: "response", subjectID: r.id, touchpointID: r.touchpointID, on: db)
        }
        response = r
        return r
    }
}

enum Responses {
    /// One line for a timeline: the headline scores of a response.
    static func summary(_ answers: [String: Answer], _ def: SurveyDefinition) -> String {
        def.questions.compactMap { q -> String? in
            guard let a = answers[q.id] else { return nil }
            switch (q.type, a) {
            case (.nps, .number(let n)): return "NPS \(n)"
            case (.csat, .number(let n)): return "CSAT \(n)"
            case (.ces, .number(let n)): return "CES \(n)"
            case (.callback, .flag(true)): return "callback wanted"
            default: return nil
            }
        }.joined(separator: " · ")
    }
}
