import Fluent
import FluentSQLiteDriver
import Foundation
import SQLKit

/// Multi-row INSERTs in chunks that stay under both databases' bind-parameter limits. SQLite binds
/// straight through SQLiteNIO (`SQLiteBulk`); PostgreSQL goes through SQLKit.
enum BulkInsert {
    static func run(_ db: any Database, table: String, columns: [String], rows: [[any Encodable & Sendable]]) async throws {
        guard !rows.isEmpty else { return }
        if let lite = db as? any SQLiteDatabase {
            return try await SQLiteBulk.insert(lite, table: table, columns: columns, rows: rows)
        }
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
