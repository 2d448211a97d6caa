import Fluent
import Foundation
import SQLKit
import Vapor

/// Optimistic concurrency: the ETag is the row's version; a write that names an older version in
/// If-Match is refused instead of silently overwriting someone else's change.
enum Versioning {
    static func etag(_ version: Int) -> String { "\"v\(version)\"" }

    /// Checks If-Match against the version the caller loaded. Absent If-Match means "last write wins",
    /// which the API documents.
    static func check(_ req: Request, current version: Int) throws {
        try check(req.headers.first(name: .ifMatch), current: version)
    }

    static func check(_ ifMatch: String?, current version: Int) throws {
        guard let ifMatch else { return }
        let tags = ifMatch.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "W/", with: "") }
        guard tags.contains("*") || tags.contains(etag(version)) else {
            throw AppError.preconditionFailed("Someone changed this record since you loaded it (now at version \(version)). Load it again and re-apply your change.")
        }
    }

    /// Moves the row from `version` to `version + 1` only if nobody else did first. Inside a transaction
    /// on PostgreSQL this also locks the row until commit, so two writers cannot both pass.
    static func claim(table: String, id: UUID, version: Int, on db: any Database) async throws {
        let rows = try await db.sql.update(table)
            .set("version", to: SQLBind(version + 1))
            .where("id", .equal, SQLBind(id))
            .where("version", .equal, SQLBind(version))
            .returning("id")
            .all()
        if rows.isEmpty {
            throw AppError.preconditionFailed("Someone changed this record at the same moment. Load it again and re-apply your change.")
        }
    }
}

extension Response {
    func withETag(_ version: Int) -> Response {
        headers.replaceOrAdd(name: .eTag, value: Versioning.etag(version))
        return self
    }
}
