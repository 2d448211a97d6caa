import Fluent
import Foundation
import RapportKit
import Vapor

/// The web UI's routes. Every signed-in route names the permission it needs, like the API's.
enum WebRoutes {
    static func register(_ app: Application) throws {
        app.get("assets", "app.css") { _ -> Response in
            let r = Response(status: .ok, body: .init(string: Assets.css))
            r.headers.contentType = .init(type: "text", subType: "css", parameters: ["charset": "utf-8"])
            r.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
            return r
        }
        let web = app.grouped(app.sessions.middleware, CSRFMiddleware())
        web.get("login", use: LoginPage.show)
        web.post("login", use: LoginPage.submit)
        web.post("logout", use: LoginPage.logout)

        let signedIn = web.grouped(SessionAuthMiddleware())
        func page(_ method: HTTPMethod, _ path: [PathComponent], _ permission: Permission, body: HTTPBodyStreamStrategy = .collect,
                  _ handler: @escaping @Sendable (Request) async throws -> Response) {
            signedIn.on(method, path, body: body) { req in
                try req.caller.require(permission)
                return try await handler(req)
            }
        }
        page(.GET, [], .readCustomers, HomePage.show)
        page(.GET, ["accounts"], .readCustomers, AccountsPage.show)
        page(.GET, ["accounts", ":id"], .readCustomers, AccountPage.show)
        page(.GET, ["contacts", ":id"], .readCustomers, ContactPage.show)
        page(.POST, ["contacts", ":id", "consents"], .writeCustomers, ContactPage.recordConsent)
        page(.GET, ["contacts", ":id", "personal-data"], .managePersonalData, ContactPage.exportPersonalData)
        page(.POST, ["contacts", ":id", "erase"], .managePersonalData, ContactPage.erase)
        page(.GET, ["import"], .importData, ImportPage.show)
        page(.POST, ["import"], .importData, body: .stream, ImportPage.submit)
        page(.GET, ["import", "template", ":entity"], .importData, ImportPage.template)
        page(.GET, ["journeys"], .readJourneys, JourneysPage.show)
        page(.POST, ["journeys"], .writeJourneys, JourneysPage.create)
        page(.POST, ["journeys", "channels"], .writeJourneys, JourneysPage.addChannel)
        page(.GET, ["journeys", ":id"], .readJourneys, JourneyMapPage.show)
        page(.POST, ["journeys", ":id"], .writeJourneys, JourneyMapPage.updateJourney)
        page(.POST, ["journeys", ":id", "delete"], .writeJourneys, JourneyMapPage.deleteJourney)
        page(.POST, ["journeys", ":id", "phases", ":phase_id"], .writeJourneys, JourneyMapPage.updatePhase)
        page(.POST, ["journeys", ":id", "phases", ":phase_id", "delete"], .writeJourneys, JourneyMapPage.deletePhase)
        page(.POST, ["journeys", ":id", "notes", ":note_id", "delete"], .writeJourneys, JourneyMapPage.deleteNote)
        page(.POST, ["touchpoints", ":id", "delete"], .writeJourneys, TouchpointPage.delete)
        page(.POST, ["touchpoints", ":id", "files", ":file_id", "delete"], .writeJourneys, TouchpointPage.deleteFile)
        page(.POST, ["journeys", ":id", "phases"], .writeJourneys, JourneyMapPage.addPhase)
        page(.POST, ["journeys", ":id", "phases", ":phase_id", "move"], .writeJourneys, JourneyMapPage.movePhase)
        page(.POST, ["journeys", ":id", "touchpoints"], .writeJourneys, JourneyMapPage.addTouchpoint)
        page(.POST, ["journeys", ":id", "notes"], .writeJourneys, JourneyMapPage.addNote)
        page(.POST, ["journeys", ":id", "maturity"], .writeJourneys, JourneyMapPage.recordMaturity)
        page(.GET, ["touchpoints"], .readJourneys, TouchpointRegistryPage.show)
        page(.GET, ["touchpoints", "export.csv"], .readJourneys, TouchpointRegistryPage.export)
        page(.POST, ["touchpoints", "views"], .writeJourneys, TouchpointRegistryPage.saveView)
        page(.POST, ["touchpoints", "views", ":id", "delete"], .writeJourneys, TouchpointRegistryPage.deleteView)
        page(.GET, ["touchpoints", "matrix"], .readJourneys, MatrixPage.show)
        page(.GET, ["touchpoints", ":id"], .readJourneys, TouchpointPage.show)
        page(.POST, ["touchpoints", ":id"], .writeJourneys, TouchpointPage.update)
        page(.POST, ["touchpoints", ":id", "assessments"], .assessTouchpoints, TouchpointPage.assess)
        page(.POST, ["touchpoints", ":id", "files"], .writeJourneys, body: .stream, TouchpointPage.upload)
        page(.GET, ["touchpoints", ":id", "files", ":file_id"], .readJourneys, TouchpointPage.file)
        page(.GET, ["maturity"], .readJourneys, MaturityPage.show)
        page(.GET, ["surveys"], .readSurveys, SurveysPage.show)
        page(.POST, ["surveys"], .writeSurveys, SurveysPage.create)
        page(.GET, ["surveys", "settings"], .readSurveys, SurveySettingsPage.show)
        page(.POST, ["surveys", "settings"], .writeSurveys, SurveySettingsPage.save)
        page(.GET, ["surveys", ":id"], .readSurveys, SurveyEditorPage.show)
        page(.POST, ["surveys", ":id", "questions"], .writeSurveys, SurveyEditorPage.addQuestion)
        page(.POST, ["surveys", ":id", "questions", ":qid"], .writeSurveys, SurveyEditorPage.updateQuestion)
        page(.POST, ["surveys", ":id", "questions", ":qid", "delete"], .writeSurveys, SurveyEditorPage.deleteQuestion)
        page(.POST, ["surveys", ":id", "questions", ":qid", "move"], .writeSurveys, SurveyEditorPage.moveQuestion)
        page(.POST, ["surveys", ":id", "texts"], .writeSurveys, SurveyEditorPage.saveTexts)
        page(.POST, ["surveys", ":id", "json"], .writeSurveys, SurveyEditorPage.saveJSON)
        page(.POST, ["surveys", ":id", "publish"], .writeSurveys, SurveyEditorPage.publish)
        page(.POST, ["surveys", ":id", "archive"], .writeSurveys) { try await SurveyEditorPage.archive($0, archived: true) }
        page(.POST, ["surveys", ":id", "restore"], .writeSurveys) { try await SurveyEditorPage.archive($0, archived: false) }
        page(.POST, ["surveys", ":id", "triggers"], .writeSurveys, SurveyEditorPage.addTrigger)
        page(.POST, ["surveys", ":id", "links"], .writeSurveys, SurveyEditorPage.addLink)
        page(.POST, ["triggers", ":id", "toggle"], .writeSurveys, SurveyEditorPage.toggleTrigger)
        page(.GET, ["surveys", ":id", "responses"], .readResponses, SurveyResponsesPage.show)
        page(.GET, ["surveys", ":id", "letters"], .writeSurveys, LettersPage.show)
        page(.GET, ["dashboards"], .readMetrics, DashboardPages.executive)
        page(.GET, ["dashboards", "data.csv"], .readMetrics, DashboardPages.csv)
        page(.GET, ["dashboards", "journeys"], .readMetrics, DashboardPages.journeyOwner)
        page(.GET, ["dashboards", "accounts"], .readMetrics, DashboardPages.accounts)
        page(.GET, ["dashboards", "unit"], .readMetrics, DashboardPages.unit)
        page(.GET, ["dashboards", "report"], .readMetrics, DashboardPages.report)
        page(.GET, ["dashboards", "settings"], .readMetrics, MeasurementSettingsPage.show)
        page(.POST, ["dashboards", "settings", "guardrail"], .writeMeasurement, MeasurementSettingsPage.saveGuardrail)
        page(.POST, ["dashboards", "settings", "indices"], .writeMeasurement, MeasurementSettingsPage.addIndex)
        page(.POST, ["dashboards", "settings", "indices", ":id", "delete"], .writeMeasurement, MeasurementSettingsPage.deleteIndex)
        page(.GET, ["dashboards", "responses"], .readResponses, DashboardPages.responses)
        page(.GET, ["dashboards", "kpis"], .readMetrics, DashboardPages.kpis)
        page(.POST, ["dashboards", "kpis"], .freezeKPIs, DashboardPages.freeze)
        page(.GET, ["feedback"], .readFeedback, FeedbackPage.show)
        page(.POST, ["feedback"], .writeFeedback, FeedbackPage.create)
        page(.POST, ["feedback", ":id", "status"], .writeFeedback, FeedbackPage.setStatus)
        page(.GET, ["settings"], .readCustomers, SettingsPage.show)
        page(.POST, ["settings", "language"], .readCustomers, SettingsPage.setLanguage)
        page(.POST, ["settings", "users"], .manageUsers, SettingsPage.addUser)
        page(.POST, ["settings", "users", ":id", "role"], .manageUsers, SettingsPage.changeRole)
        page(.POST, ["settings", "users", ":id", "unit"], .manageUsers, SettingsPage.changeUnit)
        page(.POST, ["settings", "tokens"], .manageTokens, SettingsPage.createToken)
        page(.POST, ["settings", "tokens", ":id", "revoke"], .manageTokens, SettingsPage.revokeToken)
        page(.GET, ["settings", "audit"], .readAudit, AuditPage.show)
    }
}
