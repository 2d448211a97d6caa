import Fluent
import Foundation
import RapportKit
import Vapor

/// Builds the application from its settings: database, migrations, sessions, middleware and routes.
/// Tests call it with their own settings (an in-memory SQLite or a scratch PostgreSQL schema).
public func configure(_ app: Application, settings: Settings) async throws {
    app.storage[SettingsKey.self] = settings
    app.logger.logLevel = Logger.Level(rawValue: settings.logLevel) ?? .info
    app.http.server.configuration.hostname = settings.host
    app.http.server.configuration.port = settings.port
    app.routes.defaultMaxBodySize = "1mb"

    try app.useDatabase(settings.database, schema: settings.databaseSchema)
    app.migrations.add(Migrations.all)
    app.migrations.add(SessionRecord.migration)
    try await app.prepareSQLite()
    try await app.preparePostgres(schema: settings.databaseSchema)

    ContentConfiguration.global.use(encoder: JSONEncoder.rapport, for: .json)
    ContentConfiguration.global.use(decoder: JSONDecoder.rapport, for: .json)

    app.sessions.use { ChangedOnlySessions(stored: $0.fluent.sessions.driver()) }
    app.sessions.configuration.cookieName = "rapport_session"
    let secure = settings.secureCookies
    app.sessions.configuration.cookieFactory = { id in
        HTTPCookies.Value(string: id.string, expires: Date().addingTimeInterval(60 * 60 * 12), maxAge: 60 * 60 * 12,
                          path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }

    // Replace Vapor's default error middleware with ours, which speaks problem details and HTML.
    app.middleware = .init()
    app.middleware.use(RouteLoggingMiddleware(logLevel: .info))
    app.middleware.use(ErrorRenderingMiddleware(page: WebErrorPage.render))
    app.middleware.use(SecurityHeadersMiddleware())

    _ = app.groupCommit   // made once here, not raced for by the first requests
    try routes(app)
    if settings.workerInterval > 0 {
        app.lifecycle.use(BackgroundLoop("survey worker", every: settings.workerInterval) { try await SurveyWorker.tick($0) })
        if settings.healthHour != nil { app.lifecycle.use(BackgroundLoop("health schedule", every: 60) { try await HealthSchedule.runDue($0) }) }
        app.lifecycle.use(BackgroundLoop("planner statistics", every: 3_600) { try await $0.refreshSQLiteStatistics(); return 0 })
    }
}

struct SettingsKey: StorageKey { typealias Value = Settings }

extension Application {
    var settings: Settings { storage[SettingsKey.self] ?? Settings() }
}

func routes(_ app: Application) throws {
    app.get("health") { _ in ["status": "ok"] }
    app.get("ready") { req async throws -> Response in
        do {
            _ = try await req.db.sql.raw("SELECT 1 AS ok").first()
            return try await ["status": "ready"].encodeResponse(for: req)
        } catch {
            let r = try await ["status": "database unreachable"].encodeResponse(status: .serviceUnavailable, for: req)
            return r
        }
    }
    app.get("api", "v1", "openapi.json") { req async throws -> Response in
        let base = req.application.settings.baseURL ?? "http://\(req.headers.first(name: .host) ?? "127.0.0.1")"
        let data = try OpenAPIDocument.json(OpenAPIDocument.build(req.application.apiRegistry.routes, serverURL: base))
        return Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(data: data))
    }

    let protected = app.grouped("api", "v1").grouped(BearerAuthMiddleware(), IdempotencyMiddleware())
    let api = APIBuilder(routes: protected, registry: app.apiRegistry)
    AccountsAPI.register(api)
    ContactsAPI.register(api)
    JourneysAPI.register(api)
    JourneyMap.register(api)
    TouchpointsAPI.register(api)
    ContractsAPI.register(api)
    TimelineAPI.register(api)
    SurveysAPI.register(api)
    TriggersAPI.register(api)
    EventsAPI.register(api)
    ResponsesAPI.register(api)
    InvitationsAPI.register(api)
    FeedbackAPI.register(api)
    SurveySettingsAPI.register(api)
    MeasurementAPI.register(api)
    SuccessAPI.register(api)
    PublicSurvey.register(app)
    SharedPlanPage.register(app)

    try WebRoutes.register(app)
}

/// Headers every answer carries: no framing, no sniffing, no referrer leaks, a strict content policy
/// (the UI uses no scripts from elsewhere and no inline scripts).
struct SecurityHeadersMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let r = try await next.respond(to: req)
        r.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        r.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        r.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        if r.headers.contentType == .html {
            r.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
        }
        return r
    }
}
