import Fluent
import Foundation
import RapportKit
import Vapor

final class Workspace: Model, @unchecked Sendable {
    static let schema = "workspaces"
    @ID(key: .id) var id: UUID?
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String
    @Field(key: "time_zone") var timeZone: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
    init(slug: String, name: String, timeZone: String = "Europe/Berlin") {
        self.slug = slug; self.name = name; self.timeZone = timeZone
    }
    var zone: TimeZone { Workspaces.zone(timeZone) }
}

final class User: Model, @unchecked Sendable {
    static let schema = "users"
    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @Field(key: "password_hash") var passwordHash: String
    /// nil: follow the browser's Accept-Language.
    @OptionalField(key: "locale") var locale: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
    init(email: String, name: String, passwordHash: String) {
        self.email = email; self.name = name; self.passwordHash = passwordHash
    }
}

final class Membership: Model, @unchecked Sendable {
    static let schema = "memberships"
    @ID(key: .id) var id: UUID?
    @Parent(key: "workspace_id") var workspace: Workspace
    @Parent(key: "user_id") var user: User
    @Field(key: "role") var role: String
    /// An ambassador's unit, "market:DE" or "segment:Enterprise": the default filter of their dashboard.
    @OptionalField(key: "unit") var unit: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
    init(workspaceID: UUID, userID: UUID, role: Role) {
        self.$workspace.id = workspaceID; self.$user.id = userID; self.role = role.rawValue
    }
}

final class APIToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"
    @ID(key: .id) var id: UUID?
    @Parent(key: "workspace_id") var workspace: Workspace
    @Field(key: "name") var name: String
    @Field(key: "role") var role: String
    /// SHA-256 of the token: a stolen database does not yield usable tokens.
    @Field(key: "token_hash") var tokenHash: String
    /// The last four characters, so people can tell their tokens apart.
    @Field(key: "hint") var hint: String
    @OptionalField(key: "created_by") var createdBy: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    init() {}
}

final class LoginAttempt: Model, @unchecked Sendable {
    static let schema = "login_attempts"
    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "succeeded") var succeeded: Bool
    @Field(key: "at") var at: Date
    init() {}
    init(email: String, succeeded: Bool, at: Date = Date()) { self.email = email; self.succeeded = succeeded; self.at = at }
}
