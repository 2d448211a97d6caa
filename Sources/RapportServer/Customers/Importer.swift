import Fluent
import FluentSQLiteDriver
import Foundation
import RapportKit
import SQLKit
import Vapor

enum ImportEntity: String, CaseIterable, Codable, Sendable {
    case accounts, contacts, contracts, touchpoints

    var schema: EntitySchema {
        switch self {
        case .accounts: CustomerSchemas.account
        case .contacts: CustomerSchemas.contact
        case .contracts: CustomerSchemas.contract
        case .touchpoints: JourneySchemas.touchpoint
        }
    }
    var table: String { rawValue }
    /// What the records need besides the import permission.
    var writePermission: Permission { self == .touchpoints ? .writeJourneys : .writeCustomers }
}

enum ImportMode: String, CaseIterable, Codable, Sendable {
    /// Any refused row and nothing is written.
    case allOrNothing = "all_or_nothing"
    /// Valid rows are written; refused rows are reported.
    case validRows = "valid_rows"
}

struct ImportIssue: Codable, Sendable, Equatable {
    var line: Int?
    var column: String?
    var message: String
    var description: String {
        // Reader errors already say "Line N …".
        if message.hasPrefix("Line ") { return message }
        return (line.map { "row \($0)" } ?? "file") + (column.map { ", column '\($0)'" } ?? "") + ": " + message
    }
}

struct ImportReport: Codable, Sendable {
    var entity: ImportEntity
    var mode: ImportMode
    var rowsRead = 0
    var created = 0
    var updated = 0
    var refusedRows = 0
    /// Problems that stop the whole file (encoding, delimiter, quoting, header).
    var fatal: ImportIssue?
    var issues: [ImportIssue] = []
    var moreIssues = 0
    var committed = false

    static let issueLimit = 1000
    var ok: Bool { fatal == nil && refusedRows == 0 }

    /// Adds what a batch writer counted and found.
    mutating func absorb(_ other: ImportReport) {
        created += other.created
        updated += other.updated
        refusedRows += other.refusedRows
        for issue in other.issues { refuse(issue.line ?? 0, issue.column, issue.message) }
        moreIssues += other.moreIssues
    }

    mutating func refuse(_ line: Int, _ column: String?, _ message: String) {
        if issues.count < Self.issueLimit { issues.append(ImportIssue(line: line, column: column, message: message)) } else { moreIssues += 1 }
    }
}

/// Streams a CSV file into the customer model: reads it record by record (never whole), validates each
/// row against the same schema as the API, resolves references by external id, and writes in batches
/// with one multi-row INSERT each. Rows upsert by `external_id`; empty cells leave a field as it is.
struct Importer {
    let entity: ImportEntity
    let mode: ImportMode
    let caller: Caller
    let db: any Database
    var batchSize = 1000
    /// Asked once per file, not per row (the driver check is a dynamic cast).
    private let sqlite: Bool
    var progress: (@Sendable (_ bytesRead: Int, _ totalBytes: Int?, _ rows: Int) -> Void)? = nil

    init(entity: ImportEntity, mode: ImportMode, caller: Caller, db: any Database, batchSize: Int = 1000) {
        self.entity = entity; self.mode = mode; self.caller = caller; self.db = db; self.batchSize = batchSize
        sqlite = db.isSQLite
    }

    struct Abandon: Error {}
    /// File size above which an SQLite import rebuilds secondary indexes at the end (about 100,000 rows).
    static let deferIndexesAbove = 10_000_000

    func run(_ csv: CSVReader, source: String) async throws -> ImportReport {
        // The transaction closure is @Sendable; the reader and the report are used by this one task only.
        let box = Unchecked((reader: csv, report: ImportReport(entity: entity, mode: mode)))
        let columns: Columns
        do { columns = try Columns(header: csv.header, entity: entity) }
        catch let issue as ImportIssue { box.value.report.fatal = issue; return box.value.report }
        if entity == .touchpoints { return try await runTouchpoints(csv, columns: columns, source: source) }

        let work = { @Sendable (db: any Database) async throws -> Void in
            let reader = box.value.reader
            var report = box.value.report
            defer { box.value.report = report }
            // A bulk write touches more pages than SQLite's default 2 MB cache holds; spilling them
            // mid-transaction costs more than the rows themselves. 64 MB for this connection while
            // the import runs, then back to what the connection had.
            struct CacheSize: Decodable { var cache_size: Int }
            let cacheBefore = db.isSQLite ? try await db.sql.raw("PRAGMA cache_size").first(decoding: CacheSize.self)?.cache_size : nil
            if db.isSQLite { try await db.sql.raw("PRAGMA cache_size = -65536").run() }
            // While one batch is written (SQLite works on its own thread), the next one is read and
            // validated: on two cores that hides most of either behind the other.
            var writer = BatchWriter(entity: entity, caller: caller, db: db)
            try await writer.prepare()
            var pending: Task<(BatchWriter, ImportReport), any Error>?
            func collect() async throws {
                guard let p = pending else { return }
                pending = nil
                let (w, written) = try await p.value
                writer = w
                report.absorb(written)
            }
            func flush(_ rows: [PendingRow]) async throws {
                try await collect()
                let w = writer, fresh = ImportReport(entity: entity, mode: mode)
                pending = Task {
                    var w = w, written = fresh
                    try await w.write(rows, &written)
                    return (w, written)
                }
            }
            var batch: [PendingRow] = []
            var seen = Set<String>()
            // Large files into SQLite: build the secondary indexes once at the end instead of row by row.
            let deferIndexes = (reader.totalBytes ?? 0) > Self.deferIndexesAbove ? db as? any SQLiteDatabase : nil
            var deferred: [String] = []
            if let lite = deferIndexes { deferred = try await SQLiteBulk.dropSecondaryIndexes(lite, table: entity.table) }
            do {
                while true {
                    let record: CSVRecord?
                    do { record = try reader.next() }
                    catch let e as CSVError { report.fatal = ImportIssue(line: e.line, column: nil, message: e.message); throw Abandon() }
                    guard let record else { break }
                    report.rowsRead += 1
                    if let row = validate(record, columns, &report, &seen) { batch.append(row) }
                    if batch.count >= batchSize {
                        try await flush(batch)
                        batch.removeAll(keepingCapacity: true)
                        progress?(reader.bytesRead, reader.totalBytes, report.rowsRead)
                    }
                }
                try await flush(batch)
                try await collect()
                if let lite = deferIndexes { try await SQLiteBulk.restoreSecondaryIndexes(lite, deferred) }
            } catch {
                _ = try? await pending?.value   // never leave a write running on a transaction being rolled back
                throw error
            }
            try await writer.finish(&report)
            if let cacheBefore { try await db.sql.raw("PRAGMA cache_size = \(unsafeRaw: String(cacheBefore))").run() }
            progress?(reader.bytesRead, reader.totalBytes, report.rowsRead)
            try await finish(report, source: source, on: db)
        }
        try await commit(box, work)
        // Fresh statistics after a large load, so the planner picks the right index straight away.
        if box.value.report.committed && box.value.report.created > 10_000 {
            try? await db.sql.raw(db.isSQLite ? "PRAGMA optimize" : SQLQueryString("ANALYZE \(unsafeRaw: entity.table)")).run()
        }
        return box.value.report
    }

    /// The end of a file, inside its transaction: abandon it when all-or-nothing met a refused row,
    /// otherwise one audit entry that sums the import up.
    func finish(_ report: ImportReport, source: String, on db: any Database) async throws {
        if mode == .allOrNothing && report.refusedRows > 0 { throw Abandon() }
        try await Audit.record("import", entity.rawValue, id: nil, before: ImportSummary?.none,
                               after: ImportSummary(source: source, rows: report.rowsRead, created: report.created, updated: report.updated, refused: report.refusedRows),
                               by: caller, on: db)
    }

    /// One transaction for all-or-nothing; otherwise also one, so a crash mid-file leaves no half
    /// batch — valid rows of a completed run are all there or none are.
    func commit(_ box: Unchecked<(reader: CSVReader, report: ImportReport)>, _ work: @escaping @Sendable (any Database) async throws -> Void) async throws {
        do {
            // The writer reads (existing ids, settings) before it writes.
            try await db.writeTransaction(workspace: caller.workspaceID, work)
            box.value.report.committed = true
        } catch is Abandon {
            box.value.report.committed = false
            if mode == .allOrNothing || box.value.report.fatal != nil { box.value.report.created = 0; box.value.report.updated = 0 }
        }
    }

    struct ImportSummary: Encodable { var source: String; var rows: Int; var created: Int; var updated: Int; var refused: Int }

    /// Header names, matched to the schema; `attr.NAME` columns carry custom attributes of accounts.
    struct Columns {
        /// File column → position of its field in the entity's schema.
        var fields: [(index: Int, field: Int)] = []
        var attributes: [(index: Int, name: String)] = []
        var count: Int
        let schemaCount: Int

        init(header: [String], entity: ImportEntity) throws {
            count = header.count
            let names = entity.schema.names
            schemaCount = names.count
            var unknown: [String] = []
            for (i, raw) in header.enumerated() {
                let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
                if let field = names.firstIndex(of: name) { fields.append((i, field)) }
                else if entity == .accounts, name.hasPrefix("attr."), name.count > 5 { attributes.append((i, String(raw.trimmingCharacters(in: .whitespaces).dropFirst(5)))) }
                else { unknown.append(raw) }
            }
            if !unknown.isEmpty {
                let parts = unknown.map { u in suggestion(for: u, among: names).map { "'\(u)' (did you mean '\($0)'?)" } ?? "'\(u)'" }
                throw ImportIssue(line: 1, column: nil, message: "unknown column\(unknown.count > 1 ? "s" : "") \(parts.joined(separator: ", ")); the \(entity.rawValue) columns are: \(names.joined(separator: ", "))" + (entity == .accounts ? ", and attr.NAME for custom attributes" : ""))
            }
            let present = Set(fields.map { names[$0.field] })
            var missing = entity.schema.fields.filter { $0.required && !present.contains($0.name) }.map(\.name)
            if entity == .contacts && !present.contains("last_name") && !present.contains("name") { missing.append("last_name (or name)") }
            if entity == .contracts && !present.contains("account_id") && !present.contains("account_external_id") { missing.append("account_external_id (or account_id)") }
            if !missing.isEmpty {
                throw ImportIssue(line: 1, column: nil, message: "required column\(missing.count > 1 ? "s" : "") missing: \(missing.joined(separator: ", "))")
            }
        }
    }

    struct PendingRow {
        var line: Int
        var values: [String: FieldValue]
        var attributes: [String: String]?
        /// What the row stores from its own cells, one slot per column (`BatchWriter.columns`).
        var columns: [(any Encodable & Sendable)?]
    }

    /// Whether a cell is empty after trimming, without building the trimmed text for the usual cell
    /// that starts with a printable character.
    private func isBlank(_ cell: String) -> Bool {
        guard let first = cell.utf8.first else { return true }
        return first > 0x20 && first < 0x7F ? false : cell.trimmed.isEmpty
    }

    func validate(_ record: CSVRecord, _ columns: Columns, _ report: inout ImportReport, _ seen: inout Set<String>) -> PendingRow? {
        guard record.fields.count == columns.count else {
            report.refusedRows += 1
            report.refuse(record.line, nil, "has \(record.fields.count) fields but the header has \(columns.count); check the quoting and the delimiter of this row")
            return nil
        }
        var cells = [String?](repeating: nil, count: columns.schemaCount)
        for (i, field) in columns.fields where !isBlank(record.fields[i]) { cells[field] = record.fields[i] }
        var errors: [FieldError]
        var values: [String: FieldValue] = [:]
        switch entity.schema.validate(cells: cells) {
        case .success(let v): values = v; errors = []
        case .failure(let f): errors = f.errors
        }
        if errors.isEmpty && entity == .contracts { errors = CustomerSchemas.contractRules(values) }
        if errors.isEmpty && entity == .contacts { errors = CustomerSchemas.normalizeContact(&values, creating: true) }
        if let ext = values.text("external_id") {
            if !seen.insert(ext).inserted { errors.append(FieldError("external_id", "'\(ext)' appears more than once in the file; each external id may appear once")) }
        }
        var attributes: [String: String]?
        if !columns.attributes.isEmpty {
            var a: [String: String] = [:]
            for (i, name) in columns.attributes where !record.fields[i].isEmpty { a[name] = record.fields[i] }
            attributes = a
        }
        var stored: [(any Encodable & Sendable)?] = []
        if errors.isEmpty {
            do { stored = try BatchWriter.columns(entity, values, attributes: attributes, sqlite: sqlite) }
            catch let e as AppError { errors = e.fieldErrors }
            catch { errors = [FieldError("", "\(error)")] }
        }
        guard errors.isEmpty else {
            report.refusedRows += 1
            for e in errors { report.refuse(record.line, e.field, e.message) }
            return nil
        }
        return PendingRow(line: record.line, values: values, attributes: attributes, columns: stored)
    }
}

extension ImportIssue: Error {}

/// A value handed across a @Sendable boundary that only one task uses at a time.
final class Unchecked<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
