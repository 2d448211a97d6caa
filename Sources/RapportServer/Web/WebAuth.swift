import Fluent
import Foundation
import RapportKit
import Vapor

/// What every page needs: who is looking, in which language, and the form token.
struct WebContext {
    let req: Request
    let caller: Caller?
    let userName: String?
    let lang: UILanguage
    let userLocale: String?
    let csrf: String
    let zone: TimeZone

    func t(_ key: String) -> String { lang.t(key) }
    /// The workspace's date now.
    var today: DateOnly { .today(in: zone) }

    static func make(_ req: Request) -> WebContext {
        let user = req.storage[WebUserKey.self]
        return WebContext(req: req, caller: req.callerIfAny, userName: user?.name,
                          lang: UILanguage.resolve(user: user?.locale, acceptLanguage: req.headers.first(name: .acceptLanguage)),
                          userLocale: user?.locale, csrf: DashboardPages.printing ? "" : CSRF.token(req), zone: req.callerIfAny?.zone ?? TimeZone(identifier: "UTC")!)
    }
}

struct WebUserKey: StorageKey { typealias Value = User }

/// Signs web requests in from the server-side session; anyone else goes to the login page.
struct SessionAuthMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let uid = req.session.data["uid"].flatMap(UUID.init(uuidString:)),
              let wsID = req.session.data["ws"].flatMap(UUID.init(uuidString:)),
              // One round trip for membership, user and workspace: this runs on every page view.
              let membership = try await Membership.query(on: req.db)
                .join(User.self, on: \Membership.$user.$id == \User.$id)
                .join(Workspace.self, on: \Membership.$workspace.$id == \Workspace.$id)
                .filter(\.$user.$id == uid).filter(\.$workspace.$id == wsID).first(),
              let user = try? membership.joined(User.self), let ws = try? membership.joined(Workspace.self),
              let role = Role(rawValue: membership.role)
        else {
            let next = req.url.path == "/" ? "" : "?next=" + (req.url.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            return req.redirect(to: "/login" + next)
        }
        req.setCaller(Caller(kind: .user(uid), workspaceID: wsID, workspaceSlug: ws.slug, workspaceName: ws.name, role: role,
                             label: "user \(user.email)", zone: ws.zone))
        req.storage[WebUserKey.self] = user
        return try await next.respond(to: req)
    }
}

/// Synchronizer-token CSRF protection: every form carries the session's token, every web POST must
/// send it back. (Cookies are also SameSite=Lax; this covers what that does not.)
enum CSRF {
    /// Compares in constant time, so the token cannot be guessed byte by byte.
    static func verify(_ req: Request, sent: String?) throws {
        guard let expected = req.session.data["csrf"], let sent, sent.utf8.count == expected.utf8.count,
              zip(sent.utf8, expected.utf8).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0
        else { throw Abort(.forbidden, reason: "The form expired. Please try again.") }
    }

    static func token(_ req: Request) -> String {
        if let t = req.session.data["csrf"] { return t }
        let t = [UInt8].random(count: 24).base64String()
        req.session.data["csrf"] = t
        return t
    }
}

struct CSRFMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard req.method == .POST else { return try await next.respond(to: req) }
        // The two upload routes stream their body to disk: their handlers check the token with
        // `CSRF.verify` once the form has arrived, before they change anything. Every other form is read
        // here first — by route, never by content type, so no body shape can skip the check.
        if !Self.isStreamedUpload(req.url.path) {
            if req.body.data == nil { _ = try await req.body.collect(max: 2 * 1_048_576).get() }
            try CSRF.verify(req, sent: (try? req.content.get(String.self, at: "csrf_token")) ?? req.headers.first(name: "X-CSRF-Token"))
        }
        return try await next.respond(to: req)
    }

    static func isStreamedUpload(_ path: String) -> Bool {
        let parts = path.split(separator: "/")
        return path == "/import" || (parts.count == 3 && parts[0] == "touchpoints" && parts[2] == "files")
    }
}

/// Password login with throttling: after `maxFailures` failed attempts for one e-mail within the window,
/// further attempts are refused until the window has passed, whatever the password. Kept in the
/// database, so it holds across several nodes.
enum Login {
    static let maxFailures = 5
    static let window: TimeInterval = 15 * 60

    enum Outcome { case success(User, Membership), wrong, throttled(retryAfter: Int) }

    static func attempt(email rawEmail: String, password: String, on db: any Database) async throws -> Outcome {
        let email = rawEmail.trimmed.lowercased()
        // Nobody's login contains control characters, and PostgreSQL could not even record the attempt.
        guard controlCharacterProblem(email) == nil, email.count <= 254 else { return .wrong }
        let since = Date().addingTimeInterval(-window)
        let failures = try await LoginAttempt.query(on: db).filter(\.$email == email).filter(\.$at >= since)
            .filter(\.$succeeded == false).sort(\.$at).all()
        if failures.count >= maxFailures, let first = failures.first {
            return .throttled(retryAfter: max(1, Int(first.at.addingTimeInterval(window).timeIntervalSinceNow.rounded(.up))))
        }
        let user = try await User.query(on: db).filter(\.$email == email).first()
        // Verify against a dummy hash when the user is unknown, so timing does not reveal who exists.
        let hash = user?.passwordHash ?? "$2b$12$C6UzMDM.H6dfI/f/IKcEeO5Zs4B8ZrjA4qbJ7vZb4q6pV5bK1Fh8i"
        let ok = (try? Bcrypt.verify(password, created: hash)) ?? false
        try await LoginAttempt(email: email, succeeded: ok && user != nil).create(on: db)
        guard ok, let user,
              let membership = try await Membership.query(on: db).filter(\.$user.$id == user.id!).with(\.$workspace).sort(\.$createdAt).first()
        else { return .wrong }
        return .success(user, membership)
    }

    static func hashPassword(_ password: String) throws -> String {
        guard password.count >= 10 else { throw AppError.invalid("password", "must have at least 10 characters") }
        return try Bcrypt.hash(password, cost: 12)
    }
}
