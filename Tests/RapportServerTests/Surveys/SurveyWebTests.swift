import Fluent
import Foundation
import RapportKit
import Testing
import Vapor
import VaporTesting
@testable import RapportServer

@Suite("Survey pages")
struct SurveyWebTests {
    @Test("the editor builds a survey by forms: bad input is named and stores nothing, a published version is never edited", arguments: TestDB.all)
    func editor(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            let (ws, s) = try await fx.signedIn("editor", email: "cx@editor.example", role: .cxManager)
            let created = try await s.post("/surveys", form: ["name": "Filialbefragung", "kind": "transactional", "lang_de": "on", "lang_en": "on"])
            #expect(created.status == .seeOther)
            let page = created.headers.first(name: .location)!
            let q: [String: String] = ["type": "nps", "id": "nps", "page": "1", "required": "on", "text_de": "Wie wahrscheinlich …?", "text_en": "How likely …?"]
            #expect(try await s.post("\(page)/questions", form: q).status == .seeOther)

            // Bad input: a display condition on a later page, and an id already taken.
            let bad = try await s.post("\(page)/questions", form: ["type": "text", "id": "why", "page": "1", "text_de": "Warum?", "text_en": "Why?",
                                                                  "show_if_question": "nps", "show_if_max": "6"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("display logic needs its answer before page 1 is shown"))
            let taken = try await s.post("\(page)/questions", form: q)
            #expect(taken.status == .unprocessableEntity && taken.body.string.contains("already the id of another question"))
            let options = try await s.post("\(page)/questions", form: ["type": "single_choice", "id": "aspect", "page": "2", "text_de": "Was?", "text_en": "What?",
                                                                      "options": "speed Schnelligkeit Speed"])
            #expect(options.status == .unprocessableEntity && options.body.string.contains("needs the form id | Deutsch | English"))

            let survey = try await Survey.query(on: app.db).first()!
            #expect(try await SurveysAPI.latest(survey, scope: Scope(workspaceID: ws.id!, db: app.db))!.decoded().questions.map(\.id) == ["nps"])

            let editor = try await s.get(page)
            #expect(editor.status == .ok)
            #expect(editor.body.string.contains("class=\"phone\"") && editor.body.string.contains("Wie wahrscheinlich"))
            #expect(try await s.post("\(page)/publish", form: [:]).status == .seeOther)
            #expect(try await s.post("\(page)/questions", form: ["type": "csat", "id": "csat", "page": "1", "text_de": "Zufrieden?", "text_en": "Satisfied?"]).status == .seeOther)
            let versions = try await SurveyVersion.query(on: app.db).sort(\.$number).all()
            #expect(versions.count == 2 && versions[0].isPublished && !versions[1].isPublished)
            #expect(try versions[0].decoded().questions.count == 1 && versions[1].decoded().questions.count == 2)

            // A viewer may look but not edit.
            _ = try await fx.user(ws, email: "viewer@editor.example", role: .viewer)
            let viewer = try await WebSession.login(app, email: "viewer@editor.example", password: "correct horse battery")
            #expect(try await viewer.get(page).status == .ok)
            #expect(try await viewer.post("\(page)/questions", form: q).status == .forbidden)
            #expect(try await viewer.get("/feedback").status == .forbidden)
        }
    }
}
