import Fluent
import Foundation
import RapportKit
import Testing
import Vapor
import VaporTesting
@testable import RapportServer

/// The databases a server test runs on: SQLite always; PostgreSQL when RAPPORT_TEST_POSTGRES_URL names
/// one (the test command starts a real server and sets it). Each test gets its own in-memory SQLite
/// database or its own PostgreSQL schema, so tests run in parallel without seeing each other.
enum TestDB: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    static var postgresURL: String? { ProcessInfo.processInfo.environment["RAPPORT_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 } }
    static var all: [TestDB] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }
    var testDescription: String { rawValue }
}

func withTestApp(_ db: TestDB, settings adjust: (inout Settings) -> Void = { _ in }, _ body: (Application) async throws -> Void) async throws {
    let app = try await Application.make(.testing)
    var settings = Settings()
    settings.bcryptCost = 4
    settings.logLevel = "warning"   // one line per request would bury the test results
    adjust(&settings)
    let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
    switch db {
    case .sqlite: settings.database = .sqliteInMemory
    case .postgres:
        settings.database = .postgres(url: TestDB.postgresURL!)
        settings.databaseSchema = schema
    }
    do {
        try await configure(app, settings: settings)
        try await app.autoMigrate()
        try await body(app)
    } catch {
        try? await dropSchema(app, db, schema)
        try? await app.asyncShutdown()
        throw error
    }
    try await dropSchema(app, db, schema)
    try await app.asyncShutdown()
}

private func dropSchema(_ app: Application, _ db: TestDB, _ schema: String) async throws {
    guard db == .postgres else { return }
    try await app.db.sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
}

/// Small builders for what most tests need: a workspace, a user, a token, and JSON requests.
struct Fixture {
    let app: Application

    func workspace(_ slug: String) async throws -> Workspace {
        try await Workspaces.create(slug: slug, name: slug.capitalized + " GmbH", on: app.db)
    }

    func token(_ ws: Workspace, _ role: Role = .owner) async throws -> String {
        try await Tokens.create(workspace: ws, role: role, name: "test-\(role.rawValue)", createdBy: nil, on: app.db).1
    }

    func user(_ ws: Workspace, email: String, role: Role, password: String = "correct horse battery") async throws -> User {
        try await Users.add(email: email, name: "Test User", password: password, role: role, workspaceID: ws.id!, grantedBy: nil, cost: 4, on: app.db)
    }

    /// A new workspace with one member, signed in through the login page: the opening of most web tests.
    func signedIn(_ slug: String, email: String, role: Role) async throws -> (ws: Workspace, session: WebSession) {
        let ws = try await workspace(slug)
        _ = try await user(ws, email: email, role: role)
        return (ws, try await WebSession.login(app, email: email, password: "correct horse battery"))
    }

    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, token: String?, json: [String: Any]? = nil, headers: [(String, String)] = []) async throws -> TestingHTTPResponse {
        var h = HTTPHeaders()
        if let token { h.add(name: .authorization, value: "Bearer \(token)") }
        for (k, v) in headers { h.add(name: k, value: v) }
        var body: ByteBuffer?
        if let json {
            h.contentType = .json
            body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
        }
        return try await app.testing().sendRequest(method, path, headers: h, body: body)
    }

    /// Sends raw bytes (an exported file, a form).
    func send(_ method: HTTPMethod, _ path: String, token: String?, headers: [(String, String)], body: ByteBuffer) async throws -> TestingHTTPResponse {
        var h = HTTPHeaders()
        if let token { h.add(name: .authorization, value: "Bearer \(token)") }
        for (k, v) in headers { h.add(name: k, value: v) }
        return try await app.testing().sendRequest(method, path, headers: h, body: body)
    }

    /// Creates through the API and returns the new record's JSON.
    func create(_ path: String, token: String, _ json: [String: Any]) async throws -> [String: Any] {
        let r = try await send(.POST, path, token: token, json: json)
        #expect(r.status == .created, "POST \(path) answered \(r.status): \(r.body.string)")
        return try r.json()
    }
}

extension TestingHTTPResponse {
    func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
    }
    func items() throws -> [[String: Any]] { (try json()["items"] as? [[String: Any]]) ?? [] }
    func fieldNames() throws -> [String] { ((try json()["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String } }
}

extension Dictionary where Key == String, Value == Any {
    var id: String { (self["id"] as? String ?? "").lowercased() }
}

extension DateOnly {
    /// Today in the test workspaces' time zone (Europe/Berlin): what the server calls today. UTC's
    /// date differs between 22:00 and midnight UTC.
    static var workspaceToday: DateOnly { .today(in: Workspaces.defaultZone) }
}
