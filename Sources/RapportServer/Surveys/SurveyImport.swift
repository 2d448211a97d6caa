import Fluent
import Foundation
import RapportKit
import Vapor

/// CSV import of customer events and of historical responses (from other survey tools), through the
/// same checks as the API: each row becomes one item of a batch, and the report names every refused
/// row by its line in the file, with the column and the reason.
enum SurveyImport {
    static let batchSize = 5_000
    /// Responses are stored 10,000 to a transaction: each transaction adds to the roll-up cells of
    /// every day its rows fall on, and a history file spreads over many days.
    static let responseBatchSize = 10_000

    struct Report: Sendable {
        var rows = 0
        var stored = 0
        var duplicates = 0
        var problems: [String] = []
        var refused = 0
        /// Decisions of an event import: invited / skipped by reason.
        var decisions: [String: Int] = [:]

        /// Problems in file order (rows refused while reading come before those refused in a batch).
        func sorted() -> Report {
            var r = self
            func line(_ p: String) -> Int { Int(p.dropFirst(5).prefix { $0.isNumber }) ?? 0 }
            r.problems = problems.sorted { line($0) < line($1) }
            return r
        }
    }

    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    static let eventColumns: Set<String> = ["type", "external_id", "contact_id", "contact_external_id", "account_id", "account_external_id", "touchpoint", "occurred_at"]
    static let responseColumns: Set<String> = ["external_id", "contact_id", "contact_external_id", "account_external_id", "touchpoint", "channel",
                                               "language", "submitted_at", "survey_version"]

    /// "2026-11-23T14:05:00Z", the shape exports use most, read without a parser: parsing took a tenth
    /// of a large usage import. Anything else (other offsets, fractions, bad values) returns nil.
    static func utc(_ t: String) -> Date? {
        let b = Array(t.utf8)
        guard b.count == 20, b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[19] == UInt8(ascii: "Z"),
              let day = DateOnly(iso: String(decoding: b[0..<10], as: UTF8.self)) else { return nil }
        var parts: [Int] = []
        for at in [11, 14, 17] {
            guard (0x30...0x39).contains(b[at]), (0x30...0x39).contains(b[at + 1]) else { return nil }
            parts.append(Int(b[at] - 0x30) * 10 + Int(b[at + 1] - 0x30))
        }
        guard parts[0] < 24, parts[1] < 60, parts[2] < 60 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(day.dayNumber * 86_400 + parts[0] * 3_600 + parts[1] * 60 + parts[2]))
    }

    /// Dates as other tools write them: ISO 8601 with or without time and zone, or German dd.MM.yyyy [HH:mm].
    static func date(_ text: String) -> Date? {
        let t = text.trimmed
        // The common shapes without a formatter (making one per row would cost more than the row).
        if let d = DateOnly(iso: t) { return d.date(in: berlin) }
        if t.count == 10, t.dropFirst(2).first == ".", let d = DateOnly(iso: "\(t.suffix(4))-\(t.dropFirst(3).prefix(2))-\(t.prefix(2))") { return d.date(in: berlin) }
        if let d = utc(t) { return d }
        if let d = try? Date(t, strategy: .iso8601) { return d }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "Europe/Berlin")
        for pattern in ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd", "dd.MM.yyyy HH:mm", "dd.MM.yyyy"] {
            f.dateFormat = pattern
            if let d = f.date(from: t) { return d }
        }
        return nil
    }

    static func events(_ reader: CSVReader, scope: Scope, caller: Caller, progress: (@Sendable (Int, Int?, Int) -> Void)? = nil) async throws -> Report {
        var report = Report()
        let header = reader.header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard header.contains("type") else { throw AppError.invalid("file", "the header needs a 'type' column (and contact_external_id or account_external_id)") }
        var batch: [(Int, EventInput)] = []
        func flush() async throws {
            guard !batch.isEmpty else { return }
            let outcomes = try await Distribution.receive(batch.map(\.1), scope: scope, caller: caller)
            for (o, (line, _)) in zip(outcomes, batch) {
                switch o.status {
                case "accepted": report.stored += 1
                case "duplicate": report.duplicates += 1
                default:
                    report.refused += 1
                    if report.problems.count < 200 { report.problems.append("line \(line): " + (o.errors ?? []).map(\.description).joined(separator: "; ")) }
                }
                for d in o.decisions ?? [] { report.decisions[d.invited ? "invited" : (d.reason ?? "skipped"), default: 0] += 1 }
            }
            batch.removeAll(keepingCapacity: true)
        }
        while let record = try reader.next() {
            report.rows += 1
            var e = EventInput()
            var attributes: [String: ScalarText] = [:]
            var problem: String?
            for (name, raw) in zip(header, record.fields) {
                let value = raw.trimmed   // Foundation's trimming went through NSString: an eighth of an import
                if value.isEmpty { continue }
                switch name {
                case "type": e.type = value
                case "external_id": e.externalId = value
                case "contact_id": if let id = UUID(uuidString: value) { e.contactId = id } else { problem = "contact_id: '\(value)' is not an id" }
                case "contact_external_id": e.contactExternalId = value
                case "account_id": if let id = UUID(uuidString: value) { e.accountId = id } else { problem = "account_id: '\(value)' is not an id" }
                case "account_external_id": e.accountExternalId = value
                case "touchpoint": e.touchpoint = value
                case "occurred_at": if let d = date(value) { e.occurredAt = d } else { problem = "occurred_at: '\(value)' is not a date such as 2026-11-23T14:05:00Z or 23.11.2026 14:05" }
                default: attributes[name.hasPrefix("attr.") ? String(name.dropFirst(5)) : name] = ScalarText(value)
                }
            }
            e.attributes = attributes.isEmpty ? nil : attributes
            if let problem {
                report.refused += 1
                if report.problems.count < 200 { report.problems.append("line \(record.line): \(problem)") }
                continue
            }
            batch.append((record.line, e))
            if batch.count >= batchSize {
                try await flush()
                progress?(reader.bytesRead, reader.totalBytes, report.rows)
            }
        }
        try await flush()
        progress?(reader.bytesRead, reader.totalBytes, report.rows)
        return report.sorted()
    }

    static func responses(_ reader: CSVReader, survey: Survey, scope: Scope, caller: Caller, batchSize: Int = responseBatchSize,
                          progress: (@Sendable (Int, Int?, Int) -> Void)? = nil) async throws -> Report {
        guard let def = try await SurveysAPI.published(survey, on: scope.db) else {
            throw AppError.conflict("Survey '\(survey.name)' has no published version; publish it before importing its history.")
        }
        let header = reader.header.map { $0.trimmingCharacters(in: .whitespaces) }
        // Every column must be a response field, a question, or question.item of a matrix.
        for name in header where !responseColumns.contains(name.lowercased()) {
            let qid = String(name.split(separator: ".").first ?? "")
            guard let q = def.question(qid) else {
                throw AppError.invalid("file", "column '\(name)' is neither a response field (\(responseColumns.sorted().joined(separator: ", "))) nor a question of '\(survey.name)' (\(def.questions.map(\.id).joined(separator: ", ")))")
            }
            if name.contains(".") != (q.type == .matrix) {
                throw AppError.invalid("file", q.type == .matrix ? "column '\(name)': the matrix '\(qid)' takes one column per item, e.g. \(qid).\(q.items?.first?.id ?? "item")" : "column '\(name)': '\(qid)' is not a matrix")
            }
        }
        var report = Report()
        var batch: [(Int, ResponseInput)] = []
        // A batch is stored while the next is read from the file (on another core): reading took about
        // a third of an import. Batches are stored one after another, each in its own transaction.
        var storing: (task: Task<[ResponseOutcome], any Error>, lines: [Int])? = nil
        func settle() async throws {
            guard let (task, lines) = storing else { return }
            storing = nil
            for (o, line) in zip(try await task.value, lines) {
                switch o.status {
                case "created": report.stored += 1
                case "duplicate": report.duplicates += 1
                default:
                    report.refused += 1
                    if report.problems.count < 200 { report.problems.append("line \(line): " + (o.errors ?? []).map(\.description).joined(separator: "; ")) }
                }
            }
        }
        func flush() async throws {
            guard !batch.isEmpty else { return }
            try await settle()
            let inputs = batch.map(\.1)
            storing = (Task { try await ResponseIntake.receive(inputs, source: "import", scope: scope, caller: caller) }, batch.map(\.0))
            batch.removeAll(keepingCapacity: true)
        }
        do {
            while let record = try reader.next() {
                report.rows += 1
                var r = ResponseInput(surveyId: survey.id)
                var answers: [String: Answer] = [:]
                var problems: [String] = []
                for (name, raw) in zip(header, record.fields) {
                    let value = raw.trimmed   // Foundation's trimming went through NSString: an eighth of an import
                    if value.isEmpty { continue }
                    switch name.lowercased() {
                    case "external_id": r.externalId = value
                    case "contact_id": if let id = UUID(uuidString: value) { r.contactId = id } else { problems.append("contact_id: '\(value)' is not an id") }
                    case "contact_external_id": r.contactExternalId = value
                    case "account_external_id": r.accountExternalId = value
                    case "touchpoint": r.touchpoint = value
                    case "channel": r.channel = value
                    case "language": r.language = value.lowercased()
                    case "submitted_at": if let d = date(value) { r.submittedAt = d } else { problems.append("submitted_at: '\(value)' is not a date") }
                    case "survey_version": if let n = Int(value) { r.surveyVersion = n } else { problems.append("survey_version: '\(value)' is not a number") }
                    default:
                        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
                        let q = def.question(parts[0])!
                        switch cell(value, q) {
                        case .success(let a):
                            if parts.count == 2, case .number(let n) = a {
                                var grid: [String: Int] = [:]
                                if case .grid(let g)? = answers[q.id] { grid = g }
                                grid[parts[1]] = n
                                answers[q.id] = .grid(grid)
                            } else { answers[q.id] = a }
                        case .failure(let p): problems.append("\(name): \(p.message)")
                        }
                    }
                }
                r.answers = answers
                if !problems.isEmpty {
                    report.refused += 1
                    if report.problems.count < 200 { report.problems.append("line \(record.line): " + problems.joined(separator: "; ")) }
                    continue
                }
                batch.append((record.line, r))
                if batch.count >= batchSize {
                    try await flush()
                    progress?(reader.bytesRead, reader.totalBytes, report.rows)
                }
            }
        } catch {
            // The batch being stored is finished first (as it was before the file failed), so that
            // nothing is still writing when the caller gives up.
            if let (task, _) = storing { _ = try? await task.value }
            throw error
        }
        try await flush()
        try await settle()
        progress?(reader.bytesRead, reader.totalBytes, report.rows)
        return report.sorted()
    }

    /// One cell as the answer its question takes.
    static func cell(_ value: String, _ q: Question) -> Result<Answer, FormProblem> {
        switch q.type {
        case .nps, .competitorNPS, .csat, .ces, .likert, .matrix:
            guard let n = Int(value) else { return .failure(FormProblem(message: "'\(value)' is not a whole number")) }
            return .success(.number(n))
        case .singleChoice, .text: return .success(.text(value))
        case .multipleChoice:
            return .success(.choices(value.split(whereSeparator: { $0 == ";" || $0 == "|" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }))
        case .callback:
            switch value.lowercased() {
            case "yes", "ja", "true", "1", "y", "j": return .success(.flag(true))
            case "no", "nein", "false", "0", "n": return .success(.flag(false))
            default: return .failure(FormProblem(message: "'\(value)' is not yes or no"))
            }
        }
    }
}
