import Fluent
import FluentSQLiteDriver
import Foundation
import SQLKit

/// Multi-row INSERTs in chunks that stay under both databases' bind-parameter limits. SQLite binds
/// straight through SQLiteNIO (`SQLiteBulk`); PostgreSQL goes through SQLKit.
enum BulkInsert {
    /// `suffix` follows the VALUES list of every statement, e.g. an ON CONFLICT clause.
    static func run(_ db: any Database, table: String, columns: [String], rows: [[any Encodable & Sendable]], suffix: String = "") async throws {
        guard !rows.isEmpty else { return }
        if let lite = db as? any SQLiteDatabase {
            return try await SQLiteBulk.insert(lite, table: table, columns: columns, rows: rows, suffix: suffix)
        }
        let perStatement = max(1, 30_000 / columns.count)
        var start = 0
        if !suffix.isEmpty {
            while start < rows.count {
                var q = SQLQueryString("INSERT INTO \(ident: table) (\(unsafeRaw: columns.map { "\"\($0)\"" }.joined(separator: ", "))) VALUES ")
                for (i, row) in rows[start..<min(start + perStatement, rows.count)].enumerated() {
                    q.appendLiteral(i == 0 ? "(" : ", (")
                    for (j, value) in row.enumerated() {
                        if j > 0 { q.appendLiteral(", ") }
                        q.appendInterpolation(bind: value)
                    }
                    q.appendLiteral(")")
                }
                q.appendLiteral(suffix)
                try await db.sql.raw(q).run()
                start += perStatement
            }
            return
        }
        while start < rows.count {
            let insert = db.sql.insert(into: table).columns(columns)
            for row in rows[start..<min(start + perStatement, rows.count)] { insert.values(row.map { SQLBind($0) }) }
            try await insert.run()
            start += perStatement
        }
    }
}
