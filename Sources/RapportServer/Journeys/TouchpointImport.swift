import Fluent
import Foundation
import RapportKit
import Vapor

extension Importer {
    /// Touchpoint registers are thousands of rows, not millions, and every row refers to journeys,
    /// phases and channels: so each row goes through the same `apply` as the API (same rules, same
    /// messages), upserting by external id, else by slug. One transaction: all or nothing, or the
    /// valid rows when the mode says so (a refused row has written nothing).
    func runTouchpoints(_ reader: CSVReader, columns: Columns, source: String) async throws -> ImportReport {
        let box = Unchecked((reader: reader, report: ImportReport(entity: entity, mode: mode)))
        let work = { @Sendable (db: any Database) async throws -> Void in
            let reader = box.value.reader
            var report = box.value.report
            defer { box.value.report = report }
            let scope = caller.scope(on: db)
            var seen = Set<String>()
            var slugsInFile: [String: Int] = [:]
            while true {
                let record: CSVRecord?
                do { record = try reader.next() }
                catch let e as CSVError { report.fatal = ImportIssue(line: e.line, column: nil, message: e.message); throw Abandon() }
                guard let record else { break }
                report.rowsRead += 1
                guard let row = validate(record, columns, &report, &seen) else { continue }
                if let slug = row.values.text("slug") {
                    if let first = slugsInFile[slug] {
                        report.refusedRows += 1
                        report.refuse(row.line, "slug", "'\(slug)' is already used by row \(first) of this file; each slug may appear once")
                        continue
                    }
                    slugsInFile[slug] = row.line
                }
                do {
                    var existing: Touchpoint?
                    if let ext = row.values.text("external_id") {
                        existing = try await scope.query(Touchpoint.self).filter(\.$externalID == ext).first()
                    }
                    // By slug only for rows without an external id, so a row never takes over a touchpoint
                    // that another system already knows by a different id.
                    if row.values.text("external_id") == nil, let slug = row.values.text("slug") {
                        existing = try await scope.query(Touchpoint.self).filter(\.$slug == slug).first()
                    }
                    let t = existing ?? TouchpointsAPI.makeNew(workspaceID: caller.workspaceID)
                    // Empty cells leave a stored field as it is, as for the customer import.
                    let values = row.values.filter { $0.value != .absent }
                    try await TouchpointsAPI.apply(values, objects: [:], to: t, isNew: existing == nil, scope: scope)
                    if existing == nil { t.version = 1; try await t.create(on: db); report.created += 1 }
                    else { t.version += 1; try await t.save(on: db); report.updated += 1 }
                    try await TouchpointsAPI.afterSave(t, scope: scope)
                } catch let e as AppError {
                    report.refusedRows += 1
                    let errors = e.fieldErrors.isEmpty ? [FieldError("touchpoint", e.detail)] : e.fieldErrors
                    for fe in errors { report.refuse(row.line, fe.field, fe.message) }
                    if mode == .allOrNothing && report.refusedRows >= ImportReport.issueLimit { break }
                }
                progress?(reader.bytesRead, reader.totalBytes, report.rowsRead)
            }
            try await finish(report, source: source, on: db)
        }
        try await commit(box, work)
        return box.value.report
    }
}
