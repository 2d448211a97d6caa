import Foundation
import Testing
import Vapor
import VaporTesting
@testable import RapportServer

@Suite("OpenAPI and settings")
struct OpenAPITests {
    @Test("the OpenAPI document covers every registered API route and nothing else")
    func coversRoutes() async throws {
        try await withTestApp(.sqlite) { app in
            let r = try await app.testing().sendRequest(.GET, "/api/v1/openapi.json")
            #expect(r.status == .ok)
            let doc = try r.json()
            #expect(doc["openapi"] as? String == "3.1.0")
            let paths = try #require(doc["paths"] as? [String: [String: Any]])
            var documented = Set<String>()
            for (path, ops) in paths { for method in ops.keys { documented.insert(method.uppercased() + " " + path) } }
            let registered = Set(app.routes.all.filter { $0.path.first?.description == "api" }.compactMap { route -> String? in
                let path = "/" + route.path.map { c -> String in if case .parameter(let name) = c { "{\(name)}" } else { c.description } }.joined(separator: "/")
                return path == "/api/v1/openapi.json" ? nil : route.method.rawValue + " " + path
            })
            #expect(!registered.isEmpty)
            #expect(documented == registered)
        }
    }

    @Test("settings name the malformed variable")
    func settings() throws {
        #expect(throws: Settings.Problem.self) { try Settings.fromEnvironment(["RAPPORT_DATABASE_URL": "mysql://x"]) }
        do { _ = try Settings.fromEnvironment(["RAPPORT_PORT": "eighty"]); Issue.record("accepted a bad port") }
        catch { #expect(error.variable == "RAPPORT_PORT") }
        do { _ = try Settings.fromEnvironment(["RAPPORT_DATABASE_URL": "postgres://u:secret@/"]); Issue.record("accepted a bad URL") }
        catch { #expect(error.variable == "RAPPORT_DATABASE_URL" && !error.reason.contains("secret")) }
        let s = try Settings.fromEnvironment(["RAPPORT_DATABASE_URL": "sqlite:/tmp/x.sqlite", "RAPPORT_PORT": "9000", "RAPPORT_BASE_URL": "https://cx.example.com/"])
        #expect(s.database == .sqlite(path: "/tmp/x.sqlite") && s.port == 9000 && s.secureCookies && s.baseURL == "https://cx.example.com")
        let defaults = try Settings.fromEnvironment([:])
        #expect(defaults.database == .sqlite(path: "data/rapport.sqlite") && defaults.healthHour == 3)
        #expect(try Settings.fromEnvironment(["RAPPORT_HEALTH_HOUR": "off"]).healthHour == nil)
        #expect(try Settings.fromEnvironment(["RAPPORT_HEALTH_HOUR": "0"]).healthHour == 0)
        do { _ = try Settings.fromEnvironment(["RAPPORT_HEALTH_HOUR": "24"]); Issue.record("accepted hour 24") }
        catch { #expect(error.variable == "RAPPORT_HEALTH_HOUR" && error.reason.contains("from 0 to 23")) }
    }

    @Test("health and readiness answer without a token")
    func health() async throws {
        try await withTestApp(.sqlite) { app in
            let health = try await app.testing().sendRequest(.GET, "/health")
            let ready = try await app.testing().sendRequest(.GET, "/ready")
            #expect(health.status == .ok && ready.body.string.contains("ready"))
        }
    }
}
