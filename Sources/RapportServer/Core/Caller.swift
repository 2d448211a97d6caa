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
    /// The workspace's time zone: what "today" means for its dates (due, held, measured, renewal).
    var zone: TimeZone = Workspaces.defaultZone

    var userID: UUID? { if case .user(let id) = kind { id } else { nil } }

    func require(_ permission: Permission) throws {
        guard role.can(permission) else { throw AppError.forbidden(permission) }
    }

    static func system(_ workspace: Workspace, label: String = "system") -> Caller {
        Caller(kind: .system, workspaceID: workspace.id!, workspaceSlug: workspace.slug, workspaceName: workspace.name, role: .owner, label: label,
               zone: workspace.zone)
    }

    /// The workspace's date now.
    var today: DateOnly { .today(in: zone) }
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
        var cached = TokenCallers.shared.get(hash)
        if cached == nil { cached = try await lookUp(hash, on: req.db) }
        guard let known = cached else {
            throw AppError.unauthenticated("The token is unknown or has been revoked.")
        }
        // One write a minute at most, not one per request; the first request past the minute claims it.
        if TokenCallers.shared.claimUse(hash, lastUsed: known.lastUsed) {
            try await req.db.sql.update("api_tokens").set("last_used_at", to: SQLBind(Date())).where("id", .equal, SQLBind(known.tokenID)).run()
        }
        req.setCaller(known.caller)
        return try await next.respond(to: req)
    }

    /// The token's caller from the database (one round trip, decoded without Fluent's reflection),
    /// remembered for the next requests; nil for an unknown or revoked token.
    private func lookUp(_ hash: String, on db: any Database) async throws -> TokenCallers.Entry? {
        struct Row: Decodable {
            var id: UUID; var name: String; var role: String; var hint: String; var last_used_at: Date?
            var workspace_id: UUID; var slug: String; var workspace_name: String; var time_zone: String
        }
        guard let token = try await db.sql.select()
            .column(SQLColumn("id", table: "api_tokens")).column(SQLColumn("name", table: "api_tokens")).column("role").column("hint")
            .column("last_used_at").column(SQLColumn("id", table: "workspaces"), as: "workspace_id").column("slug")
            .column(SQLColumn("name", table: "workspaces"), as: "workspace_name").column("time_zone")
            .from("api_tokens").join("workspaces", on: SQLColumn("workspace_id", table: "api_tokens"), .equal, SQLColumn("id", table: "workspaces"))
            .where("token_hash", .equal, SQLBind(hash)).where("revoked_at", .is, SQLLiteral.null)
            .first(decoding: Row.self),
            let role = Role(rawValue: token.role)
        else { return nil }
        let entry = TokenCallers.Entry(tokenID: token.id, lastUsed: token.last_used_at,
                                       caller: Caller(kind: .token(token.id), workspaceID: token.workspace_id, workspaceSlug: token.slug,
                                                      workspaceName: token.workspace_name, role: role, label: "token \(token.name) (…\(token.hint))",
                                                      zone: Workspaces.zone(token.time_zone)))
        TokenCallers.shared.put(hash, entry)
        return entry
    }
}

/// The callers of recently seen API tokens, kept two seconds (by the token's hash): a client sending
/// thousands of requests a second is looked up once per two seconds, not once per request (the
/// look-up's round trip to SQLite's thread pool held the single-response API at half its speed).
/// Revoking a token forgets it at once on this node, and a look-up that was under way meanwhile is not
/// kept; other nodes refuse the token within two seconds. Times are monotonic, so a clock set back
/// cannot stretch them.
final class TokenCallers: @unchecked Sendable {
    struct Entry: Sendable { var tokenID: UUID; var lastUsed: Date?; var caller: Caller }
    static let shared = TokenCallers()
    static let lifetime: Duration = .seconds(2)
    private var store: [String: (entry: Entry, until: ContinuousClock.Instant)] = [:]
    /// Tokens revoked on this node within the lifetime, so that a look-up begun before the revocation
    /// does not put them back.
    private var revoked: [UUID: ContinuousClock.Instant] = [:]
    private let lock = NSLock()

    func get(_ hash: String) -> Entry? {
        lock.withLock {
            guard let e = store[hash], e.until > .now else { return nil }
            return e.entry
        }
    }

    func put(_ hash: String, _ entry: Entry) {
        lock.withLock {
            guard revoked[entry.tokenID].map({ $0 < .now }) ?? true else { return }
            if store.count > 10_000 { store.removeAll() }
            store[hash] = (entry, .now + Self.lifetime)
        }
    }

    /// True for the one request that should record the token's use: none recorded yet, or more than a
    /// minute ago. It notes the use at once, so requests arriving meanwhile do not write it as well.
    func claimUse(_ hash: String, lastUsed: Date?) -> Bool {
        let now = Date()
        return lock.withLock {
            let seen = store[hash]?.entry.lastUsed ?? lastUsed
            guard seen.map({ now.timeIntervalSince($0) > 60 }) ?? true else { return false }
            store[hash]?.entry.lastUsed = now
            return true
        }
    }

    /// Forgets a revoked token on this node.
    func forget(token id: UUID) {
        lock.withLock {
            let now = ContinuousClock.now
            revoked = revoked.filter { $0.value > now }
            revoked[id] = now + Self.lifetime
            store = store.filter { $0.value.entry.tokenID != id }
        }
    }
}
