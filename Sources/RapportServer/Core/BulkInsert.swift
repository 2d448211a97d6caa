import Fluent
import Foundation
import SQLKit

/// Multi-row INSERTs in chunks that stay under both databases' bind-parameter limits.
enum BulkInsert {
    static func run(_ db: any Database, table: String, columns: [String], rows: [[any Encodable & Sendable]]) async throws {
        guard !rows.isEmpty else { return }
        let perStatement = max(1, 30_000 / columns.count)
        var start = 0
        while start < rows.count {
            let insert = db.sql.insert(into: table).columns(columns)
            for row in rows[start..<min(start + perStatement, rows.count)] { insert.values(row.map { SQLBind($0) }) }
            try await insert.run()
            start += perStatement
        }
    }
}
