import FluentSQLiteDriver
import Foundation
import SQLKit
import Fluent
import RapportKit

/// SQLite-only: multi-row INSERTs bound straight through SQLiteNIO. The generic SQLKit path encodes
/// every value through an Encoder and serialises the statement anew per batch, which cost more than
/// SQLite's own work in a million-row import. Values are converted exactly as the SQLite driver
/// converts them (each type's own `sqliteData`; the driver's encoder for anything else), so Fluent
/// reads the rows back unchanged. Called through `BulkInsert.run`, which keeps the SQLKit path for PostgreSQL.
enum SQLiteBulk {
    static func insert(_ db: any SQLiteDatabase, table: String, columns: [String], rows: [[any Encodable & Sendable]], suffix: String = "") async throws {
        let encoder = SQLiteDataEncoder()
        try await insert(db, table: table, columns: columns, count: rows.count, suffix: suffix) { i, binds in
            for value in rows[i] { binds.append(try data(value, encoder)) }
        }
    }

    /// `count` rows whose values `row(i, &binds)` appends, one statement per chunk of rows.
    /// `undoneWhole`: for callers whose transaction is undone whole when any row fails. SQLite then
    /// need not keep a statement journal (a copy of every page a statement changes, so that one failing
    /// a NOT NULL or foreign key check can be undone alone; a seventh of a large usage import): the
    /// statements are INSERT OR FAIL, and foreign keys are checked at commit. An upsert's DO UPDATE
    /// still takes a journal.
    static func insert(_ db: any SQLiteDatabase, table: String, columns: [String], count: Int, suffix: String = "", undoneWhole: Bool = false,
                       row: (Int, inout [SQLiteData]) throws -> Void) async throws {
        let perStatement = max(1, 30_000 / columns.count)
        if undoneWhole { _ = try await db.query("PRAGMA defer_foreign_keys = ON") }
        let head = (undoneWhole ? "INSERT OR FAIL INTO \"" : "INSERT INTO \"") + "\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ", ") + ") VALUES "
        let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        func statement(_ rows: Int) -> String { head + Array(repeating: tuple, count: rows).joined(separator: ",") + suffix }
        let full = count >= perStatement ? statement(perStatement) : ""
        var binds: [SQLiteData] = []
        binds.reserveCapacity(min(count, perStatement) * columns.count)
        var start = 0
        while start < count {
            let end = min(start + perStatement, count)
            binds.removeAll(keepingCapacity: true)
            for i in start..<end { try row(i, &binds) }
            _ = try await db.query(end - start == perStatement ? full : statement(end - start), binds)
            start = end
        }
    }

    /// Drops the table's plain (non-unique) secondary indexes and returns their definitions, so that
    /// a bulk load builds them once, sorted, at the end (`restoreSecondaryIndexes`) instead of taking
    /// a million random inserts into each. Both run in the caller's transaction: readers (WAL) keep the
    /// old indexes until it commits, and a failed import rolls the drop back.
    static func dropSecondaryIndexes(_ db: any SQLiteDatabase, table: String) async throws -> [String] {
        let rows = try await db.query("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'", [.text(table)])
        var definitions: [String] = []
        for r in rows {
            guard let name = r.column("name")?.string, let sql = r.column("sql")?.string else { continue }
            _ = try await db.query("DROP INDEX \"\(name)\"")
            definitions.append(sql)
        }
        return definitions
    }

    /// Builds the dropped indexes again. SQLite sorts an index's keys in runs sized by the page cache
    /// and, with helper threads, sorts and merges runs in parallel. Small runs sort in the CPU's caches:
    /// measured on the three contact indexes of a million-row import (2 cores), a 64 MB cache without
    /// helpers took 5.9 s and 138 MB, a 4 MB cache with 2 helpers 3.3 s and 21 MB. Leaves the cache at
    /// 4 MB; the caller sets it back.
    static func restoreSecondaryIndexes(_ db: any SQLiteDatabase, _ definitions: [String]) async throws {
        guard !definitions.isEmpty else { return }
        _ = try await db.query("PRAGMA cache_size = -4096")
        _ = try await db.query("PRAGMA threads = 2")
        for sql in definitions { _ = try await db.query(sql) }
        _ = try await db.query("PRAGMA threads = 0")
    }

    static func data(_ value: any Encodable & Sendable, _ encoder: SQLiteDataEncoder) throws -> SQLiteData {
        switch value {
        case let s as String: return .text(s)
        case let u as UUID: return .text(FastUUID.text(u))
        case let d as Date: return d.sqliteData!
        case let i as Int: return .integer(i)
        case let i as Int64: return .integer(Int(i))
        default: return try encoder.encode(value)
        }
    }
}
