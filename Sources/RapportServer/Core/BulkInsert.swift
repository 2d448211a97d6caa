import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import RapportKit
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

    /// PostgreSQL: `count` rows whose values `row(i, &binds)` appends, bound straight through
    /// PostgresNIO in one statement per chunk. SQLKit's serialiser and PostgresKit's encoder took more
    /// of a response batch than PostgreSQL's own work; PostgresKit hands these types (UUID, String,
    /// Int, Date, nil) to PostgresNIO as they are, so the rows are stored the same.
    static func postgres(_ db: any Database, table: String, columns: [String], count: Int, row: (Int, inout PostgresBindings) -> Void) async throws {
        guard count > 0 else { return }
        let perStatement = max(1, 30_000 / columns.count)
        let head = "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ", ") + ") VALUES "
        func statement(_ rows: Int) -> String {
            var sql = head, n = 1
            for r in 0..<rows {
                sql += r == 0 ? "(" : ",("
                for c in 0..<columns.count { sql += (c == 0 ? "$" : ",$") + String(n); n += 1 }
                sql += ")"
            }
            return sql
        }
        let full = count >= perStatement ? statement(perStatement) : ""
        var start = 0
        while start < count {
            let end = min(start + perStatement, count)
            var binds = PostgresBindings(capacity: (end - start) * columns.count)
            for i in start..<end { row(i, &binds) }
            try await postgres(db, end - start == perStatement ? full : statement(end - start), binds)
            start = end
        }
    }
}

extension BulkInsert {
    /// PostgreSQL: one statement with these binds, straight through PostgresNIO on the database's
    /// connection (the transaction's, inside one).
    static func postgres(_ db: any Database, _ sql: String, _ binds: PostgresBindings) async throws {
        guard let pg = db as? any PostgresDatabase else { preconditionFailure("BulkInsert.postgres on \(type(of: db)), which is not PostgreSQL") }
        let query = PostgresQuery(unsafeSQL: sql, binds: binds), logger = db.logger
        try await pg.withConnection { connection in
            connection.eventLoop.makeFutureWithTask { _ = try await connection.query(query, logger: logger).collect() }
        }.get()
    }
}

/// One row's values, bound as the driver of the database at hand binds each type: on SQLite ids as
/// upper-case text, dates as seconds since 1970 and booleans as 0 or 1 (as the SQLite driver stores
/// them, so Fluent reads the rows back unchanged); on PostgreSQL through PostgresNIO's own encoding.
/// For writers of thousands of rows that keep them as plain structs instead of Fluent models.
struct BulkRow {
    fileprivate var lite: [SQLiteData] = []
    fileprivate var pg = PostgresBindings()
    fileprivate let isSQLite: Bool

    mutating func add(_ v: UUID?) {
        if isSQLite { lite.append(v.map { .text(FastUUID.text($0)) } ?? .null) } else if let v { pg.append(v) } else { pg.appendNull() }
    }
    mutating func add(_ v: String?) {
        if isSQLite { lite.append(v.map { .text($0) } ?? .null) } else if let v { pg.append(v) } else { pg.appendNull() }
    }
    mutating func add(_ v: Date?) {
        if isSQLite { lite.append(v.map { $0.sqliteData! } ?? .null) } else if let v { pg.append(v) } else { pg.appendNull() }
    }
    mutating func add(_ v: Int) {
        if isSQLite { lite.append(.integer(v)) } else { pg.append(v) }
    }
    mutating func add(_ v: Bool) {
        if isSQLite { lite.append(.integer(v ? 1 : 0)) } else { pg.append(v) }
    }
}

extension BulkInsert {
    /// `count` rows whose values `row(i, &values)` adds in the order of `columns`, in multi-row
    /// INSERTs on either database (`undoneWhole`: SQLite only, see `SQLiteBulk.insert`).
    static func rows(_ db: any Database, table: String, columns: [String], count: Int, undoneWhole: Bool = false,
                     row: (Int, inout BulkRow) -> Void) async throws {
        guard count > 0 else { return }
        var r = BulkRow(isSQLite: db is any SQLiteDatabase)
        if let lite = db as? any SQLiteDatabase {
            try await SQLiteBulk.insert(lite, table: table, columns: columns, count: count, undoneWhole: undoneWhole) { i, binds in
                swap(&r.lite, &binds); row(i, &r); swap(&r.lite, &binds)
            }
        } else {
            try await postgres(db, table: table, columns: columns, count: count) { i, binds in
                swap(&r.pg, &binds); row(i, &r); swap(&r.pg, &binds)
            }
        }
    }
}
