import Foundation
import Testing
import Vapor
import VaporTesting
@testable import RapportServer

/// A signed-in browser, without the browser: keeps the session cookie and the form token.
struct WebSession {
    let app: Application
    var cookie: String
    var csrf: String

    /// Opens the login page (which sets the cookie and the form token) and signs in.
    static func login(_ app: Application, email: String, password: String) async throws -> WebSession {
        var s = try await start(app)
        let r = try await s.post("/login", form: ["email": email, "password": password])
        #expect(r.status == .seeOther, "login answered \(r.status)")
        s.adoptCookie(r)
        // The session id changes at sign-in; the new session has a new form token.
        let page = try await s.get("/")
        s.csrf = try #require(Self.csrfToken(in: page.body.string))
        return s
    }

    static func start(_ app: Application) async throws -> WebSession {
        let page = try await app.testing().sendRequest(.GET, "/login")
        var s = WebSession(app: app, cookie: "", csrf: "")
        s.adoptCookie(page)
        s.csrf = try #require(csrfToken(in: page.body.string))
        return s
    }

    mutating func adoptCookie(_ r: TestingHTTPResponse) {
        if let set = r.headers.first(name: .setCookie), let value = set.split(separator: ";").first { cookie = String(value) }
    }

    static func csrfToken(in html: String) -> String? {
        guard let r = html.range(of: "name=\"csrf_token\" value=\"") else { return nil }
        return String(html[r.upperBound...].prefix { $0 != "\"" })
    }

    func get(_ path: String) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.GET, path, headers: ["Cookie": cookie, "Accept-Language": "en"])
    }

    func post(_ path: String, form: [String: String], csrf overrideToken: String? = nil) async throws -> TestingHTTPResponse {
        var fields = form
        fields["csrf_token"] = overrideToken ?? csrf
        let body = fields.map { "\($0.key.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
            .joined(separator: "&")
        return try await app.testing().sendRequest(.POST, path, headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "en"],
                                                   body: ByteBuffer(string: body))
    }
}
