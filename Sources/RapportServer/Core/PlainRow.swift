import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import RapportKit
import SQLKit

/// Result rows read column by column, for hot read paths with hundreds of rows. SQLKit's row decoder
/// walks a keyed container per row and both drivers' value decoders are generic: for a 500-account
/// portfolio that cost more than the queries. So on SQLite the query goes straight through SQLiteNIO's
/// connection and values come from `SQLiteData`; on PostgreSQL it goes straight through
/// PostgresNIO and the common column types are read from their binary form here (a third of a
/// portfolio view's CPU went to PostgresKit's decoding). Other types, and binds other than plain
/// values, keep the drivers' own conversions.
struct PlainRow {
    private enum Source {
        case lite(SQLiteRow)
        case pg(PostgresRandomAccessRow)
        case sql(any SQLRow)
    }
    private let source: Source

    static func all(_ db: any Database, _ query: SQLQueryString) async throws -> [PlainRow] {
        let sql = db as! any SQLDatabase
        var serializer = SQLSerializer(database: sql)
        query.serialize(to: &serializer)
        if let lite = db as? any SQLiteDatabase {
            let encoder = SQLiteDataEncoder()
            let binds = try serializer.binds.map { try SQLiteBulk.data($0, encoder) }
            // SQLiteNIO's query on a pooled database hands each row to the event loop as a task of its
            // own, waking the loop for it: thousands of hand-overs per portfolio view, a third of its
            // CPU. On the connection itself, the statement is stepped through in one job on SQLite's
            // thread pool and the rows come back in one piece.
            let sql = serializer.sql
            return try await lite.withConnection { try await $0.query(sql, binds) }.map { PlainRow(source: .lite($0)) }
        }
        if let postgres = db as? any PostgresDatabase, let binds = plainBindings(serializer.binds) {
            let statement = PostgresQuery(unsafeSQL: serializer.sql, binds: binds)
            let logger = db.logger
            let rows = try await postgres.withConnection { connection in
                connection.eventLoop.makeFutureWithTask { try await connection.query(statement, logger: logger).collect() }
            }.get()
            return rows.map { PlainRow(source: .pg($0.makeRandomAccess())) }
        }
        return try await sql.raw(query).all().map { PlainRow(source: .sql($0)) }
    }

    /// The binds as PostgresNIO sends them, when all are values PostgresKit would send the same way
    /// (it hands these types to PostgresNIO unchanged); nil otherwise.
    private static func plainBindings(_ values: [any Encodable & Sendable]) -> PostgresBindings? {
        var b = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case let v as UUID: b.append(v)
            case let v as String: b.append(v)
            case let v as Int: b.append(v)
            case let v as Int64: b.append(v)
            case let v as Double: b.append(v)
            case let v as Bool: b.append(v)
            case let v as Date: b.append(v)
            default: return nil
            }
        }
        return b
    }

    /// The PostgreSQL cell of `column` and its bytes, when it holds a value.
    private static func cell(_ row: PostgresRandomAccessRow, _ column: String) -> (PostgresCell, ByteBuffer)? {
        guard row.contains(column) else { return nil }
        let c = row[column]
        return c.bytes.map { (c, $0) }
    }

    private static func decoded<T: Decodable>(_ row: any SQLRow, _ column: String, _: T.Type) throws -> T? {
        guard try !row.decodeNil(column: column) else { return nil }
        return try row.decode(column: column, as: T.self)
    }

    func uuid(_ column: String) throws -> UUID? {
        switch source {
        case .pg(let row):
            guard let (c, bytes) = Self.cell(row, column) else { return nil }
            if c.dataType == .uuid, c.format == .binary, let u = Self.uuid16(bytes) { return u }
            return try c.decode(UUID.self)
        case .sql(let row): return try Self.decoded(row, column, UUID.self)
        case .lite(let row):
            switch row.column(column) {
            case .text(let s)?: return FastUUID.parse(s)
            case .blob(let b)?: return Self.uuid16(b)
            default: return nil
            }
        }
    }

    /// A UUID stored as its 16 bytes.
    private static func uuid16(_ b: ByteBuffer) -> UUID? {
        b.readableBytes == 16 ? b.withUnsafeReadableBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) } : nil
    }

    /// A column read straight from SQLite's value or from PostgreSQL's binary form (`fast`), else
    /// through the driver's decoder.
    private func value<T: SQLiteDataConvertible & PostgresDecodable & Decodable>(_ column: String, fast: (PostgresCell, inout ByteBuffer) -> T? = { _, _ in nil }) throws -> T? {
        switch source {
        case .pg(let row):
            guard var (c, bytes) = Self.cell(row, column) else { return nil }
            if c.format == .binary, let v = fast(c, &bytes) { return v }
            return try c.decode(T.self)
        case .sql(let row): return try Self.decoded(row, column, T.self)
        case .lite(let row):
            guard let value = row.column(column), value != .null else { return nil }
            return T(sqliteData: value)
        }
    }

    private static func integer(_ c: PostgresCell, _ b: inout ByteBuffer) -> Int? {
        switch c.dataType {
        case .int8: b.readInteger(as: Int64.self).map(Int.init)
        case .int4: b.readInteger(as: Int32.self).map(Int.init)
        case .int2: b.readInteger(as: Int16.self).map(Int.init)
        default: nil
        }
    }

    func text(_ column: String) throws -> String? {
        try value(column) { c, b in
            // (A user-defined type is read as text, as PostgresKit does for Fluent's enums.)
            [PostgresDataType.text, .varchar, .name, .bpchar].contains(c.dataType) || c.dataType.isUserDefined ? b.readString(length: b.readableBytes) : nil
        }
    }
    func int(_ column: String) throws -> Int? { try value(column, fast: Self.integer) }
    func int64(_ column: String) throws -> Int64? { try value(column) { c, b in Self.integer(c, &b).map(Int64.init) } }
    func double(_ column: String) throws -> Double? {
        try value(column) { c, b in
            switch c.dataType {
            case .float8: b.readInteger(as: UInt64.self).map(Double.init(bitPattern:))
            case .float4: b.readInteger(as: UInt32.self).map { Double(Float(bitPattern: $0)) }
            // A numeric (an AVG, a SUM) as PostgresKit converts it.
            case .numeric: PostgresData(type: .numeric, formatCode: .binary, value: b).numeric?.double
            default: nil
            }
        }
    }
    /// Timestamps travel as microseconds since 2000-01-01 UTC; counted from there as PostgresNIO
    /// counts (in seconds since 2001-01-01), so a date read here and written back is the same instant.
    func date(_ column: String) throws -> Date? {
        try value(column) { c, b in
            c.dataType == .timestamptz || c.dataType == .timestamp
                ? b.readInteger(as: Int64.self).map { Date(timeIntervalSinceReferenceDate: -31_622_400 + Double($0) / 1_000_000) } : nil
        }
    }
    func bool(_ column: String) throws -> Bool? {
        try value(column) { c, b in c.dataType == .bool ? b.readInteger(as: UInt8.self).flatMap { $0 <= 1 ? $0 == 1 : nil } : nil }
    }

    /// A column that must be there: a missing value is a broken query, named in the error.
    func required<T>(_ value: T?, _ column: String) throws -> T {
        guard let value else { throw PlainRowError(column: column) }
        return value
    }
}

struct PlainRowError: Error, CustomStringConvertible {
    let column: String
    var description: String { "the query returned no value for '\(column)'" }
}
