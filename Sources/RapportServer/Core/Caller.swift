import Fluent
import SQLKit
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

    static func system(_ workspace: Workspace, label: String = "system") -> Caller {
        Caller(kind: .system, workspaceID: workspace.id!, workspaceSlug: workspace.slug, workspaceName: workspace.name, role: .owner, label: label)
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
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in SHA256.hash(data: Data(token.utf8)) { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
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
        let hash = Tokens.hash(bearer.token)
        var known = TokenCallers.shared.get(hash)
        if known == nil {
            // One round trip, decoded without Fluent's reflection.
            struct Row: Decodable {
                var id: UUID; var name: String; var role: String; var hint: String; var last_used_at: Date?
                var workspace_id: UUID; var slug: String; var workspace_name: String
            }
            guard let token = try await req.db.sql.select()
                .column(SQLColumn("id", table: "api_tokens")).column(SQLColumn("name", table: "api_tokens")).column("role").column("hint")
                .column("last_used_at").column(SQLColumn("id", table: "workspaces"), as: "workspace_id").column("slug")
                .column(SQLColumn("name", table: "workspaces"), as: "workspace_name")
                .from("api_tokens").join("workspaces", on: SQLColumn("workspace_id", table: "api_tokens"), .equal, SQLColumn("id", table: "workspaces"))
                .where("token_hash", .equal, SQLBind(hash)).where("revoked_at", .is, SQLLiteral.null)
                .first(decoding: Row.self),
                let role = Role(rawValue: token.role)
            else {
                throw AppError.unauthenticated("The token is unknown or has been revoked.")
            }
            let caller = Caller(kind: .token(token.id), workspaceID: token.workspace_id, workspaceSlug: token.slug,
                                workspaceName: token.workspace_name, role: role, label: "token \(token.name) (…\(token.hint))")
            known = (caller, token.last_used_at)
            TokenCallers.shared.put(hash, caller: caller, lastUsed: token.last_used_at)
        }
        guard let (caller, lastUsed) = known, case .token(let id) = caller.kind else { throw AppError.unauthenticated("The token is unknown or has been revoked.") }
        // One write a minute at most, not one per request.
        if (lastUsed.map { Date().timeIntervalSince($0) > 60 } ?? true) {
            let now = Date()
            try await req.db.sql.update("api_tokens").set("last_used_at", to: SQLBind(now)).where("id", .equal, SQLBind(id)).run()
            TokenCallers.shared.used(hash, at: now)
        }
        req.setCaller(caller)
        return try await next.respond(to: req)
    }
}

/// The callers of recently seen API tokens, kept two seconds (by the token's hash): a client sending
/// thousands of requests a second is looked up once per two seconds, not once per request (the
/// look-up was a fifth of a single-response request's CPU). Revoking a token forgets it at once on
/// this node; other nodes refuse it within two seconds.
final class TokenCallers: @unchecked Sendable {
    static let shared = TokenCallers()
    static let lifetime: TimeInterval = 2
    private var store: [String: (caller: Caller, lastUsed: Date?, until: Date)] = [:]
    private let lock = NSLock()

    func get(_ hash: String) -> (Caller, Date?)? {
        lock.withLock {
            guard let e = store[hash], e.until > Date() else { return nil }
            return (e.caller, e.lastUsed)
        }
    }

    func put(_ hash: String, caller: Caller, lastUsed: Date?) {
        lock.withLock {
            if store.count > 10_000 { store.removeAll() }
            store[hash] = (caller, lastUsed, Date().addingTimeInterval(Self.lifetime))
        }
    }

    func used(_ hash: String, at date: Date) { lock.withLock { store[hash]?.lastUsed = date } }

    /// Forgets a revoked token on this node.
    func forget(token id: UUID) {
        lock.withLock { store = store.filter { $0.value.caller.kind != .token(id) } }
    }
}
