import Fluent
import Foundation
import RapportKit
import Vapor

/// Adding people and workspaces: used by the CLI, the settings page and the demo.
enum Users {
    /// Adds a user to a workspace (creating the user when the e-mail is new).
    static func add(email rawEmail: String, name rawName: String, password: String?, role: Role, workspaceID: UUID,
                    grantedBy: Caller?, cost: Int, on db: any Database) async throws -> User {
        var v = Validator()
        let email = v.check("email", rawEmail, required: true, FieldCheck.email)?.lowercased()
        let name = v.text("name", rawName, required: true, maxLength: 120)
        if let grantedBy, !grantedBy.role.mayGrant(role) {
            v.fail("role", grantedBy.role == .admin && role == .owner ? "only an owner can make someone an owner" : "you cannot grant a role stronger than your own")
        }
        if let password, password.count < 10 { v.fail("password", "must have at least 10 characters") }
        if !v.errors.isEmpty { throw AppError.validation(v.errors) }
        return try await db.transaction { db in
            let user: User
            if let existing = try await User.query(on: db).filter(\.$email == email!).first() {
                user = existing
            } else {
                guard let password else { throw AppError.invalid("password", "is required for a new user") }
                user = User(email: email!, name: name!, passwordHash: try Bcrypt.hash(password, cost: cost))
                try await user.create(on: db)
            }
            if try await Membership.query(on: db).filter(\.$workspace.$id == workspaceID).filter(\.$user.$id == user.id!).first() != nil {
                throw AppError.conflict("\(email!) is already a member of this workspace.")
            }
            try await Membership(workspaceID: workspaceID, userID: user.id!, role: role).create(on: db)
            if let grantedBy {
                try await Audit.record("add_member", "user", id: user.id, before: String?.none, after: "\(email!) as \(role.rawValue)", by: grantedBy, on: db)
            }
            return user
        }
    }

    /// Changes a member's role. Nobody changes their own role (no locking oneself out), nobody hands
    /// out or takes away more than they hold, and a workspace always keeps an owner.
    static func changeRole(userID: UUID, to role: Role, workspaceID: UUID, by caller: Caller, on db: any Database) async throws {
        try await db.transaction { db in
            guard let m = try await Membership.query(on: db).filter(\.$workspace.$id == workspaceID).filter(\.$user.$id == userID).with(\.$user).first(),
                  let current = Role(rawValue: m.role) else { throw AppError.notFound(entity: "member") }
            if caller.userID == userID { throw AppError.invalid("role", "you cannot change your own role; ask another admin") }
            if !caller.role.mayGrant(role) || !caller.role.mayGrant(current) {
                throw AppError.invalid("role", "changing \(current.rawValue) to \(role.rawValue) needs a stronger role than yours")
            }
            if current == .owner && role != .owner {
                let owners = try await Membership.query(on: db).filter(\.$workspace.$id == workspaceID).filter(\.$role == Role.owner.rawValue).count()
                if owners <= 1 { throw AppError.invalid("role", "the workspace needs at least one owner") }
            }
            let before = m.role
            m.role = role.rawValue
            try await m.save(on: db)
            try await Audit.record("change_role", "user", id: userID, before: "\(m.user.email) as \(before)", after: "\(m.user.email) as \(role.rawValue)", by: caller, on: db)
        }
    }

    static func resetPassword(email: String, password: String, cost: Int, on db: any Database) async throws {
        guard password.count >= 10 else { throw AppError.invalid("password", "must have at least 10 characters") }
        guard let user = try await User.query(on: db).filter(\.$email == email.lowercased()).first() else {
            throw AppError.invalid("email", "no user with e-mail \(email)")
        }
        user.passwordHash = try Bcrypt.hash(password, cost: cost)
        try await user.save(on: db)
        // A reset ends the lock-out, too.
        try await LoginAttempt.query(on: db).filter(\.$email == user.email).delete()
    }
}

enum Workspaces {
    /// A workspace's zone when none is known (and a new workspace's, unless another is given).
    static let defaultZone = TimeZone(identifier: "Europe/Berlin")!
    static func zone(_ identifier: String?) -> TimeZone { identifier.flatMap(TimeZone.init(identifier:)) ?? defaultZone }

    static func find(slug: String, on db: any Database) async throws -> Workspace {
        guard let ws = try await Workspace.query(on: db).filter(\.$slug == slug).first() else {
            let known = try await Workspace.query(on: db).all().map(\.slug)
            throw AppError.invalid("workspace", "no workspace '\(slug)'" + (known.isEmpty ? "; create one with `rapport demo` or `rapport workspace create`" : "; known: \(known.joined(separator: ", "))"))
        }
        return ws
    }

    static func create(slug: String, name: String, timeZone: String = "Europe/Berlin", on db: any Database) async throws -> Workspace {
        var v = Validator()
        if slug.range(of: "^[a-z0-9][a-z0-9-]{1,39}$", options: .regularExpression) == nil {
            v.fail("slug", "'\(slug)' must be 2 to 40 lower-case letters, digits or dashes")
        }
        _ = v.text("name", name, required: true, maxLength: 120)
        if TimeZone(identifier: timeZone) == nil { v.fail("time_zone", "'\(timeZone)' is not a time zone such as Europe/Berlin") }
        if !v.errors.isEmpty { throw AppError.validation(v.errors) }
        if try await Workspace.query(on: db).filter(\.$slug == slug).first() != nil { throw AppError.conflict("A workspace '\(slug)' exists already.") }
        let ws = Workspace(slug: slug, name: name, timeZone: timeZone)
        try await db.transaction { db in
            try await ws.create(on: db)
            try await Channels.seedDefaults(workspaceID: ws.id!, on: db)
        }
        return ws
    }
}
