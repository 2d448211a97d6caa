import Fluent
import Foundation
import RapportKit
import Vapor

/// The one way to reach tenant-owned rows: every query starts here, already filtered to the caller's
/// workspace, so a route cannot forget the filter.
struct Scope: Sendable {
    let workspaceID: UUID
    let db: any Database
    /// The workspace's time zone: the caller's (`Caller.scope`) or the workspace's (`Workspace.scope`);
    /// a scope built from an id alone gets the default, so work that reads dates builds it from either.
    var zone: TimeZone = Workspaces.defaultZone

    /// The workspace's date now.
    var today: DateOnly { .today(in: zone) }

    func query<M: TenantModel>(_ type: M.Type) -> QueryBuilder<M> {
        M.query(on: db).filter(M.workspaceField == workspaceID)
    }

    /// The row with this id in the caller's workspace, or a 404 that does not reveal whether the id
    /// exists elsewhere.
    func find<M: TenantModel>(_ type: M.Type, _ id: UUID?) async throws -> M {
        guard let id, let row = try await query(M.self).filter(\._$id == id).first() else {
            throw AppError.notFound(entity: M.entityName)
        }
        return row
    }

    func find<M: TenantModel>(_ type: M.Type, parameter: String, of req: Request) async throws -> M {
        try await find(M.self, req.parameters.get(parameter).flatMap(UUID.init(uuidString:)))
    }

    func with(_ db: any Database) -> Scope { Scope(workspaceID: workspaceID, db: db, zone: zone) }
}

extension Caller {
    /// The caller's workspace on this database (a transaction's, for instance).
    func scope(on db: any Database) -> Scope { Scope(workspaceID: workspaceID, db: db, zone: zone) }
}

extension Workspace {
    func scope(on db: any Database) -> Scope { Scope(workspaceID: id!, db: db, zone: zone) }
}

extension Request {
    var scope: Scope { get throws { try caller.scope(on: db) } }
}
