import FluentSQLiteDriver
import Foundation
import SQLKit

/// SQLite-only: multi-row INSERTs bound straight through SQLiteNIO. The generic SQLKit path encodes
/// every value through an Encoder and serialises the statement anew per batch, which cost more than
/// SQLite's own work in a million-row import. Values are converted exactly as the SQLite driver
/// converts them (each type's own `sqliteData`; the driver's encoder for anything else), so Fluent
/// reads the rows back unchanged. PostgreSQL keeps the SQLKit path (`BatchWriter.write`).
enum SQLiteBulk {
    static func insert(_ db: any SQLiteDatabase, table: String, columns: [String], rows: [[any Encodable & Sendable]]) async throws {
        let perStatement = max(1, 30_000 / columns.count)
        let encoder = SQLiteDataEncoder()
        let head = "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ", ") + ") VALUES "
        let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + perStatement, rows.count)]
            var binds: [SQLiteData] = []
            binds.reserveCapacity(chunk.count * columns.count)
            for row in chunk { for value in row { binds.append(try data(value, encoder)) } }
            let sql = head + Array(repeating: tuple, count: chunk.count).joined(separator: ",")
            _ = try await db.query(sql, binds)
            start += perStatement
        }
    }

    private static func data(_ value: any Encodable & Sendable, _ encoder: SQLiteDataEncoder) throws -> SQLiteData {
        switch value {
        case let s as String: return .text(s)
        case let u as UUID: return .text(u.uuidString)
        case let d as Date: return d.sqliteData!
        case let i as Int: return .integer(i)
        case let i as Int64: return .integer(Int(i))
        default: return try encoder.encode(value)
        }
    }
}
