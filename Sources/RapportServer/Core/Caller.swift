import Fluent
import Foundation
import RapportKit
import Vapor

/// Who is calling, in which workspace, with which role: resolved once per request by the API's or the
/// web's authentication middleware, and the only source of the workspace every query is scoped to.
struct Caller: Sendable {
    enum Kind: Sendable, Equatable { case user(UUID), token(UUID), system }
    let kind: Kind
    let workspaceID: UUID
    let workspaceSlug: String
    let workspaceName: String
    let role: Role
    /// How the audit log names the caller, e.g. "user anna@example.org" or "token ci (…f3a9)".
    let label: String

    var userID: UUID? { if case .user(let id) = kind { id } else { nil } }

    func require(_ permission: Permission) throws {
        guard role.can(permission) else { throw AppError.forbidden(permission) }
    }

    static func system(_ workspace: Workspace) -> Caller {
        Caller(kind: .system, workspaceID: workspace.id!, workspaceSlug: workspace.slug, workspaceName: workspace.name, role: .owner, label: "system")
    }
}

private struct CallerKey: StorageKey { typealias Value = Caller }

extension Request {
    var caller: Caller {
        get throws {
            guard let c = storage[CallerKey.self] else { throw AppError.unauthenticated("Sign in or send a bearer token.") }
            return c
        }
    }
    var callerIfAny: Caller? { storage[CallerKey.self] }
    func setCaller(_ caller: Caller) { storage[CallerKey.self] = caller }
}

/// API tokens: `rpt_` and 40 random base62 characters, stored only as their SHA-256.
enum Tokens {
    static func generate() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var rng = SystemRandomNumberGenerator()
        return "rpt_" + String((0..<40).map { _ in alphabet[Int(rng.next(upperBound: UInt64(alphabet.count)))] })
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Creates a token and returns it in clear text: the only time it exists outside the caller's hands.
    static func create(workspace: Workspace, role: Role, name: String, createdBy: UUID?, on db: any Database) async throws -> (APIToken, String) {
        let clear = generate()
        let token = APIToken()
        token.$workspace.id = workspace.id!
        token.name = name
        token.role = role.rawValue
        token.tokenHash = hash(clear)
        token.hint = String(clear.suffix(4))
        token.createdBy = createdBy
        try await token.create(on: db)
        return (token, clear)
    }
}

/// Authenticates API requests by bearer token. Every `/api/v1` route except the OpenAPI document sits
/// behind it.
struct BearerAuthMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let bearer = req.headers.bearerAuthorization else {
            throw AppError.unauthenticated("Send an API token as 'Authorization: Bearer <token>'. Create one with `rapport token create` or under Settings → API tokens.")
        }
        // One round trip: the token with its workspace joined (this runs on every API request).
        guard let token = try await APIToken.query(on: req.db)
            .join(Workspace.self, on: \APIToken.$workspace.$id == \Workspace.$id)
            .filter(\.$tokenHash == Tokens.hash(bearer.token))
            .filter(\.$revokedAt == nil)
            .first(),
            let workspace = try? token.joined(Workspace.self),
            let role = Role(rawValue: token.role)
        else {
            throw AppError.unauthenticated("The token is unknown or has been revoked.")
        }
        // One write a minute at most, not one per request.
        if (token.lastUsedAt.map { Date().timeIntervalSince($0) > 60 } ?? true) {
            token.lastUsedAt = Date()
            try await token.save(on: req.db)
        }
        req.setCaller(Caller(kind: .token(token.id!), workspaceID: workspace.id!, workspaceSlug: workspace.slug,
                             workspaceName: workspace.name, role: role, label: "token \(token.name) (…\(token.hint))"))
        return try await next.respond(to: req)
    }
}
