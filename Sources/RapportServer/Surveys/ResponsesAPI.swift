import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import RapportKit
import SQLKit
import Vapor

/// A response from another system or from history: the API's single and batch forms and the CSV import.
struct ResponseInput: Codable, Sendable, Equatable {
    var surveyId: UUID?
    /// The version answered; the published one when absent.
    var surveyVersion: Int?
    var externalId: String?
    var contactId: UUID?
    var contactExternalId: String?
    var accountExternalId: String?
    var touchpoint: String?
    var channel: String?
    var language: String?
    var submittedAt: Date?
    var answers: [String: Answer]?

    enum CodingKeys: String, CodingKey {
        case answers, touchpoint, channel, language
        case surveyId = "survey_id", surveyVersion = "survey_version", externalId = "external_id", contactId = "contact_id"
        case contactExternalId = "contact_external_id", accountExternalId = "account_external_id", submittedAt = "submitted_at"
    }
}

struct ResponseDTO: Codable, Sendable {
    var id: UUID
    var surveyId: UUID
    var surveyVersion: Int
    var invitationId: UUID?
    var touchpointId: UUID?
    var channel: String?
    var contactId: UUID?
    var accountId: UUID?
    var language: String
    var source: String
    var status: String
    var answers: [String: Answer]
    var externalId: String?
    var startedAt: Date
    var submittedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, channel, language, source, status, answers
        case surveyId = "survey_id", surveyVersion = "survey_version", invitationId = "invitation_id", touchpointId = "touchpoint_id"
        case contactId = "contact_id", accountId = "account_id", externalId = "external_id", startedAt = "started_at", submittedAt = "submitted_at"
    }

    init(_ r: SurveyResponse) {
        id = r.id!; surveyId = r.surveyID; surveyVersion = r.surveyVersion; invitationId = r.invitationID; touchpointId = r.touchpointID
        channel = r.channel; contactId = r.contactID; accountId = r.accountID; language = r.language; source = r.source; status = r.status
        answers = r.decodedAnswers; externalId = r.externalID; startedAt = r.startedAt; submittedAt = r.submittedAt
    }

    init(_ r: ResponseRow, answers: [String: Answer]) {
        id = r.id; surveyId = r.surveyID; surveyVersion = r.surveyVersion; invitationId = nil; touchpointId = r.touchpointID
        channel = r.channel; contactId = r.contactID; accountId = r.accountID; language = r.language; source = r.source; status = r.status
        self.answers = answers; externalId = r.externalID; startedAt = r.startedAt; submittedAt = r.submittedAt
    }
}

struct ResponseOutcome: Codable, Sendable {
    var index: Int
    var status: String   // created, duplicate, rejected
    var id: UUID?
    var errors: [FieldError]?
    /// The stored response, for the single-item reply (not part of the batch reply).
    var stored: ResponseDTO?

    enum CodingKeys: String, CodingKey { case index, status, id, errors }
}

/// Stores responses that arrive complete. Every item is checked against the survey version it names
/// before anything is written; in a batch, the good items are stored together and each bad one is
/// reported with its fields. An item whose external id is already stored is a duplicate, not an error.
enum ResponseIntake {
    static let maxBatch = 10_000

    /// What a response needs of its survey, read without Fluent's reflection (this is the hot path).
    struct SurveyRef: Decodable, Sendable {
        var id: UUID
        var name: String
        var published_version: Int?
        var touchpoint_id: UUID?
        var publishedVersion: Int? { published_version }
        var touchpointID: UUID? { touchpoint_id }
    }

    struct Context: Sendable {
        var surveys: [UUID: SurveyRef] = [:]
        var versions: [SurveyVersionKey: SurveyDefinition] = [:]
        var contacts: [String: (UUID, UUID?)] = [:]          // by id text and by external id
        var accounts: [String: UUID] = [:]
        var touchpoints: [String: UUID] = [:]
        var existing: [String: UUID] = [:]                    // external id → response id
    }

    /// What one stretch of a batch becomes once checked: each item's fate, the rows to store and their
    /// timeline entries.
    struct Prepared: Sendable {
        var outcomes: [ResponseOutcome] = []
        var rows: [ResponseRow] = []
        var entries: [TimelineEvent] = []
    }

    /// Items checked and written a stretch at a time. While the database stores one stretch, the next
    /// is checked on another core (the two took about the same time in a batch of 10,000 on SQLite).
    static let stretch = 2_000

    static func receive(_ items: [ResponseInput], source: String, scope: Scope, caller: Caller, queue: GroupCommit? = nil) async throws -> [ResponseOutcome] {
        // A single response through the group commit skips the look-up of its external id: the unique
        // index catches a repeat, and the group commit answers it as a duplicate.
        let ctx = try await load(items, scope: scope, lookUpExisting: !(queue != nil && items.count == 1))
        let now = Date(), workspace = scope.workspaceID
        // Ids in the batch's order (one millisecond's ids are otherwise in random order): lists show a
        // batch as it was sent, and the primary key grows at its end.
        let ids = UUID.timeOrdered(count: items.count, at: now).sorted()
        // External ids seen earlier in the batch, so that a repeat within it is a duplicate; one stretch
        // after another, so each sees all before it.
        var seen: [String: UUID] = [:]
        let first = prepare(items, 0..<min(stretch, items.count), ids: ids, ctx: ctx, now: now, workspace: workspace, source: source, seen: &seen)
        if let queue, items.count == 1 {
            guard let row = first.rows.first else { return first.outcomes }
            // One response: committed together with whatever else arrives meanwhile.
            if case .duplicate(let id) = try await queue.commit(row, timeline: first.entries) {
                return [ResponseOutcome(index: 0, status: "duplicate", id: id)]
            }
            return first.outcomes
        }
        if first.rows.isEmpty && items.count <= stretch { return first.outcomes }   // nothing to store
        let known = seen
        return try await scope.db.transaction { db in
            var outcomes = first.outcomes, current = first, seen = known
            // The roll-up cells of all stretches, written once at the end: an import spread over many
            // days adds to each day's cells from every stretch.
            var cells: [Rollups.Key: ScoreCounts] = [:]
            var start = min(stretch, items.count)
            while true {
                let range = start..<min(start + stretch, items.count)
                let before = seen
                let next: Task<(Prepared, [String: UUID]), Never>? = range.isEmpty ? nil : Task.detached {
                    var seen = before
                    let p = prepare(items, range, ids: ids, ctx: ctx, now: now, workspace: workspace, source: source, seen: &seen)
                    return (p, seen)
                }
                do {
                    if !current.rows.isEmpty {
                        let stamped = try await ResponseWriter.insert(current.rows, on: db, undoneWhole: true, rollups: false)
                        try await SurveyRows.insert(current.entries, on: db)
                        if !Rollups.deferred { cells.merge(Rollups.cells(stamped), uniquingKeysWith: +) }
                    }
                } catch {
                    _ = await next?.value   // nothing keeps checking once the batch has failed
                    throw error
                }
                guard let next else { break }
                (current, seen) = await next.value
                outcomes += current.outcomes
                start = range.upperBound
            }
            try await Rollups.write(cells, on: db)
            return outcomes
        }
    }

    /// Checks `items[range]` and turns the good ones into rows.
    static func prepare(_ items: [ResponseInput], _ range: Range<Int>, ids: [UUID], ctx: Context, now: Date, workspace: UUID, source: String,
                        seen: inout [String: UUID]) -> Prepared {
        var p = Prepared()
        var counted: [SurveyVersionKey: [(metric: String, question: String, item: String?, scaleMax: Int)]] = [:]
        p.outcomes.reserveCapacity(range.count)
        p.rows.reserveCapacity(range.count)
        for i in range {
            let item = items[i]
            if let x = item.externalId, let id = ctx.existing[x] ?? seen[x] {
                p.outcomes.append(ResponseOutcome(index: i, status: "duplicate", id: id)); continue
            }
            switch check(item, ctx: ctx, now: now, id: ids[i], workspace: workspace, source: source) {
            case .failure(let f): p.outcomes.append(ResponseOutcome(index: i, status: "rejected", errors: f.errors))
            case .success(var r):
                let answers = item.answers ?? [:]
                let key = SurveyVersionKey(survey: r.surveyID, number: r.surveyVersion)
                let definition = ctx.versions[key]
                if let definition {
                    if counted[key] == nil { counted[key] = definition.countedQuestions() }
                    r.scores = definition.rollupScores(answers, counted: counted[key]!)
                }
                if let x = item.externalId { seen[x] = r.id }
                p.outcomes.append(ResponseOutcome(index: i, status: "created", id: r.id, stored: items.count == 1 ? ResponseDTO(r, answers: answers) : nil))
                if r.contactID != nil || r.accountID != nil {
                    // The answers as received, so the timeline need not decode them again.
                    p.entries.append(Timeline.event(workspaceID: r.workspaceID, accountID: r.accountID, contactID: r.contactID, kind: "survey_response",
                                                    title: "Answered " + (ctx.surveys[r.surveyID]?.name ?? "a survey"),
                                                    detail: definition.map { Responses.summary(answers, $0) }, at: r.submittedAt ?? now,
                                                    subjectType: "response", subjectID: r.id, touchpointID: r.touchpointID))
                }
                p.rows.append(r)
            }
        }
        return p
    }

    static func check(_ item: ResponseInput, ctx: Context, now: Date, id: UUID, workspace: UUID, source: String) -> Result<ResponseRow, ValidationFailure> {
        var v = RapportKit.Validator()
        guard let sid = item.surveyId, let survey = ctx.surveys[sid] else {
            v.fail("survey_id", item.surveyId == nil ? "is required" : "there is no survey with this id in your workspace")
            return .failure(ValidationFailure(v.errors))
        }
        let number = item.surveyVersion ?? survey.publishedVersion
        guard let number, let def = ctx.versions[SurveyVersionKey(survey: sid, number: number)] else {
            v.fail("survey_version", item.surveyVersion.map { "survey '\(survey.name)' has no published version \($0)" } ?? "survey '\(survey.name)' has no published version yet")
            return .failure(ValidationFailure(v.errors))
        }
        if let x = item.externalId, x.isEmpty || x.count > 200 { v.fail("external_id", "must be 1 to 200 characters") }
        var contact: (UUID, UUID?)? = nil
        if let id = item.contactId {
            contact = ctx.contacts[id.uuidString.lowercased()]
            if contact == nil { v.fail("contact_id", "there is no contact with this id in your workspace") }
        } else if let x = item.contactExternalId {
            contact = ctx.contacts["x:" + x]
            if contact == nil { v.fail("contact_external_id", "no contact with external id '\(x)' in this workspace") }
        }
        var account = contact?.1
        if let x = item.accountExternalId {
            if let a = ctx.accounts[x] { account = account ?? a } else { v.fail("account_external_id", "no account with external id '\(x)' in this workspace") }
        }
        var touchpoint: UUID? = survey.touchpointID
        if let t = item.touchpoint {
            if let id = ctx.touchpoints[t.lowercased()] ?? ctx.touchpoints[t] { touchpoint = id } else { v.fail("touchpoint", "no touchpoint '\(t)' (slug, external id or id) in this workspace") }
        }
        if let c = item.channel, c.count > 40 || c.isEmpty { v.fail("channel", "must be 1 to 40 characters") }
        let language = item.language ?? def.languages.first ?? "de"
        if !def.languages.contains(language) { v.fail("language", "'\(language)' is not among the survey's languages (\(def.languages.joined(separator: ", ")))") }
        let at = item.submittedAt ?? now
        if at > now.addingTimeInterval(300) { v.fail("submitted_at", "\(at.ISO8601Format()) is in the future") }
        let answers = item.answers ?? [:]
        if answers.isEmpty { v.fail("answers", "a response needs at least one answer") }
        for e in def.check(answers, complete: true) { v.fail(e.field, e.message) }
        if !v.errors.isEmpty { return .failure(ValidationFailure(v.errors)) }
        return .success(ResponseRow(id: id, workspaceID: workspace, surveyID: sid, surveyVersion: number, touchpointID: touchpoint, channel: item.channel,
                                    contactID: contact?.0, accountID: account, language: language, source: source, status: "complete",
                                    answers: Answer.json(answers), page: def.pageCount, externalID: item.externalId, startedAt: at, submittedAt: at))
    }

    static func load(_ items: [ResponseInput], scope: Scope, lookUpExisting: Bool = true) async throws -> Context {
        var ctx = Context()
        let surveyIDs = Set(items.compactMap(\.surveyId))
        if !surveyIDs.isEmpty {
            for id in surveyIDs { if let s = SurveyRefs.shared.get(id, workspace: scope.workspaceID) { ctx.surveys[id] = s } }
            let unknown = surveyIDs.filter { ctx.surveys[$0] == nil }
            if !unknown.isEmpty {
                for s in try await Distribution.Lookup.rows(scope, "surveys", ["id", "name", "published_version", "touchpoint_id"], "id", Array(unknown), as: SurveyRef.self) {
                    ctx.surveys[s.id] = s
                    SurveyRefs.shared.put(s, workspace: scope.workspaceID)
                }
            }
            // The versions asked for: published ones never change, so they come from the cache when they can.
            var wanted = Set<SurveyVersionKey>()
            for item in items { if let id = item.surveyId, let s = ctx.surveys[id], let n = item.surveyVersion ?? s.publishedVersion { wanted.insert(SurveyVersionKey(survey: id, number: n)) } }
            var missing = false
            for key in wanted { if let d = PublishedDefinitions.shared.get(key) { ctx.versions[key] = d } else { missing = true } }
            if missing {
                for v in try await scope.query(SurveyVersion.self).filter(\.$surveyID ~~ Set(ctx.surveys.keys)).filter(\.$publishedAt != nil).all() {
                    let key = SurveyVersionKey(survey: v.surveyID, number: v.number)
                    if let d = try? v.decoded() { ctx.versions[key] = d; PublishedDefinitions.shared.put(key, d) }
                }
            }
        }
        let refs = try await Distribution.Lookup.load(contactIDs: Set(items.compactMap(\.contactId)), contactExternalIDs: Set(items.compactMap(\.contactExternalId)),
                                                      accountIDs: [], accountExternalIDs: Set(items.compactMap(\.accountExternalId)),
                                                      touchpoints: items.contains { $0.touchpoint != nil }, scope: scope)
        for (id, c) in refs.contactsByID { ctx.contacts[id.uuidString.lowercased()] = (c.id, c.accountID) }
        for (x, c) in refs.contactsByExternal { ctx.contacts["x:" + x] = (c.id, c.accountID) }
        ctx.accounts = refs.accountsByExternal
        ctx.touchpoints = refs.touchpoints
        let sql = scope.db as! any SQLDatabase
        struct XRow: Decodable { var id: UUID; var external_id: String }
        for chunk in Array(Set(items.compactMap(\.externalId))).chunked(500) where lookUpExisting {
            for r in try await sql.select().columns("id", "external_id").from("survey_responses").where("workspace_id", .equal, SQLBind(scope.workspaceID))
                .where("external_id", .in, SQLBind.group(chunk)).all(decoding: XRow.self) { ctx.existing[r.external_id] = r.id }
        }
        return ctx
    }
}

/// A response on its way into the database, as a plain value: a Fluent model cost a cast on every
/// field read and write, a fifth of a batch of 10,000. `scores` are what it adds to the roll-ups.
struct ResponseRow: Sendable {
    var id: UUID
    var workspaceID: UUID
    var surveyID: UUID
    var surveyVersion: Int
    var touchpointID: UUID?
    var channel: String?
    var contactID: UUID?
    var accountID: UUID?
    var language: String
    var source: String
    var status: String
    var answers: String
    var page: Int
    var externalID: String?
    var startedAt: Date
    var submittedAt: Date?
    var segment: String? = nil
    var market: String? = nil
    var scores: [RollupScore] = []
}

extension ResponseRow {
    /// A response of the public pages, for the roll-ups.
    init(_ r: SurveyResponse, scores: [RollupScore]) {
        self.init(id: r.id!, workspaceID: r.workspaceID, surveyID: r.surveyID, surveyVersion: r.surveyVersion, touchpointID: r.touchpointID,
                  channel: r.channel, contactID: r.contactID, accountID: r.accountID, language: r.language, source: r.source, status: r.status,
                  answers: r.answers, page: r.page, externalID: r.externalID, startedAt: r.startedAt, submittedAt: r.submittedAt,
                  segment: r.segment, market: r.market, scores: scores)
    }
}

/// Multi-row inserts of responses, below both databases' bind limits, with their roll-ups in the
/// same transaction.
enum ResponseWriter {
    static let columns = ["id", "workspace_id", "survey_id", "survey_version", "touchpoint_id", "channel", "contact_id", "account_id",
                          "language", "source", "status", "answers", "page", "external_id", "started_at", "submitted_at", "segment", "market"]

    /// `undoneWhole`: the caller's transaction is undone whole when any statement fails (see `SQLiteBulk`).
    /// `rollups`: false when the caller adds the rows' cells itself (`Rollups.cells`); the rows come
    /// back with their segment and market for that.
    @discardableResult
    static func insert(_ responses: [ResponseRow], on db: any Database, undoneWhole: Bool = false, rollups: Bool = true) async throws -> [ResponseRow] {
        var rows = responses
        try await Rollups.stamp(&rows, on: db)
        let stamped = rows
        try await BulkInsert.rows(db, table: SurveyResponse.schema, columns: columns, count: rows.count, undoneWhole: undoneWhole) { i, b in
            let r = stamped[i]
            b.add(r.id); b.add(r.workspaceID); b.add(r.surveyID); b.add(r.surveyVersion); b.add(r.touchpointID); b.add(r.channel)
            b.add(r.contactID); b.add(r.accountID); b.add(r.language); b.add(r.source); b.add(r.status); b.add(r.answers)
            b.add(r.page); b.add(r.externalID); b.add(r.startedAt); b.add(r.submittedAt); b.add(r.segment); b.add(r.market)
        }
        if rollups && !Rollups.deferred { try await Rollups.add(rows, on: db) }
        return rows
    }
}

enum ResponsesAPI {
    struct Batch: Codable { var responses: [ResponseInput] }
    struct BatchReply: Codable {
        var items: [ResponseOutcome]
        var created: Int
        var duplicates: Int
        var rejected: Int
        init(_ items: [ResponseOutcome]) {
            self.items = items
            created = items.count { $0.status == "created" }
            duplicates = items.count { $0.status == "duplicate" }
            rejected = items.count { $0.status == "rejected" }
        }

        /// The JSON `PlainJSON.response(self)` writes (slashes unescaped), written directly (10,000 items per batch).
        func response() -> Response {
            JSONText.batchReply("created", created, duplicates: duplicates, rejected: rejected, items: items, bytesPerItem: 80) { item, j in
                j.raw("{")
                if let errors = item.errors { j.raw("\"errors\":"); j.errors(errors); j.raw(",") }
                if let id = item.id { j.raw("\"id\":"); j.uuid(id); j.raw(",") }
                j.raw("\"index\":"); j.int(item.index)
                j.raw(",\"status\":"); j.string(item.status); j.raw("}")
            }
        }
    }

    static func one(_ req: Request) async throws -> Response {
        let input = try req.body.data.flatMap(ResponseBody.one) ?? decodePlainBody(req, as: ResponseInput.self)
        let o = try await ResponseIntake.receive([input], source: "api", scope: try req.scope, caller: try req.caller, queue: req.application.groupCommit)[0]
        if let errors = o.errors { throw AppError.validation(errors) }
        if let stored = o.stored { return PlainJSON.response(stored, status: .created) }
        let r = try await req.scope.find(SurveyResponse.self, o.id)
        return PlainJSON.response(ResponseDTO(r), status: .created)   // a repeat gets the stored response, as an Idempotency-Key replay would
    }

    static func batch(_ req: Request) async throws -> Response {
        let input = try req.body.data.flatMap(ResponseBody.batch).map(Batch.init) ?? decodePlainBody(req, as: Batch.self)
        guard !input.responses.isEmpty else { throw AppError.invalid("responses", "send at least one response") }
        guard input.responses.count <= ResponseIntake.maxBatch else {
            throw AppError.invalid("responses", "\(input.responses.count) responses in one batch; at most \(ResponseIntake.maxBatch)")
        }
        return BatchReply(try await ResponseIntake.receive(input.responses, source: "api", scope: try req.scope, caller: try req.caller)).response()
    }

    static func list(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let q = scope.query(SurveyResponse.self).sort(\.$id, .descending)
        if let s = req.query[String.self, at: "survey_id"] {
            guard let id = UUID(uuidString: s) else { throw AppError.invalid("survey_id", "'\(s)' is not an id") }
            q.filter(\.$surveyID == id)
        }
        if let s = req.query[String.self, at: "contact_id"] {
            guard let id = UUID(uuidString: s) else { throw AppError.invalid("contact_id", "'\(s)' is not an id") }
            q.filter(\.$contactID == id)
        }
        if let s = req.query[String.self, at: "status"] {
            guard ["partial", "complete"].contains(s) else { throw AppError.invalid("status", "'\(s)' is not one of partial, complete") }
            q.filter(\.$status == s)
        }
        var limit = 50
        if let l = req.query[String.self, at: "limit"] {
            guard let n = Int(l), (1...500).contains(n) else { throw AppError.invalid("limit", "'\(l)' must be a whole number from 1 to 500") }
            limit = n
        }
        if let c = req.query[String.self, at: "cursor"], !c.isEmpty {
            guard let id = UUID(uuidString: c) else { throw AppError.invalid("cursor", "is not a cursor of this list; pass next_cursor back unchanged") }
            q.filter(\.$id < id)
        }
        let rows = try await q.limit(limit + 1).all()
        let more = rows.count > limit
        let page = Array(rows.prefix(limit))
        return PlainJSON.response(PlainPage(items: page.map { ResponseDTO($0) }, nextCursor: more ? page.last?.id?.uuidString : nil))
    }

    static func show(_ req: Request) async throws -> Response {
        PlainJSON.response(ResponseDTO(try await req.scope.find(SurveyResponse.self, parameter: "id", of: req)))
    }

    static func register(_ api: APIBuilder) {
        let tag = "Responses"
        api.on(APIRoute(method: .GET, path: "/responses", summary: "List responses, newest first", tag: tag, permission: .readResponses, response: .list("Response"),
                        queryParameters: [
                            QueryParameter(name: "survey_id", type: "string", summary: "Responses to this survey", format: "uuid"),
                            QueryParameter(name: "contact_id", type: "string", summary: "Responses of this contact", format: "uuid"),
                            QueryParameter(name: "status", type: "string", summary: "partial or complete", enumValues: ["partial", "complete"]),
                            QueryParameter(name: "limit", type: "integer", summary: "Page size, 1–500", minimum: 1, maximum: 500),
                            QueryParameter(name: "cursor", type: "string", summary: "next_cursor of the previous page"),
                        ]), list)
        api.on(APIRoute(method: .GET, path: "/responses/{id}", summary: "Get a response", tag: tag, permission: .readResponses, response: .object("Response")), show)
        api.on(APIRoute(method: .POST, path: "/responses", summary: "Submit a complete response", tag: tag, permission: .writeResponses,
                        requestSchema: "ResponseInput", response: .object("Response"), successStatus: 201), one)
        api.on(APIRoute(method: .POST, path: "/responses/batch", summary: "Submit up to 10,000 responses; each item's fate is listed in order",
                        tag: tag, permission: .writeResponses, requestSchema: "ResponseBatch", response: .object("ResponseBatchReply"), maxBody: "32mb"), batch)
    }
}

/// Published survey versions, decoded once per process. A published version never changes (a change
/// makes the next version), so nodes can keep them without ever asking whether they are stale.
/// One version of one survey, as the key of the definitions a batch or the cache holds (a text key
/// cost a formatted UUID per look-up).
struct SurveyVersionKey: Hashable, Sendable { var survey: UUID; var number: Int }

final class PublishedDefinitions: @unchecked Sendable {
    static let shared = PublishedDefinitions()
    private var store: [SurveyVersionKey: SurveyDefinition] = [:]
    private let lock = NSLock()

    func get(_ key: SurveyVersionKey) -> SurveyDefinition? { lock.withLock { store[key] } }

    func put(_ key: SurveyVersionKey, _ d: SurveyDefinition) {
        lock.withLock {
            if store.count > 2_000 { store.removeAll() }
            store[key] = d
        }
    }
}

/// Group commit for single responses. A commit costs an fsync (SQLite in WAL mode with full
/// synchronisation manages about 2,800 a second on these disks); responses that arrive while one is
/// being written wait for the next, which writes them all in one transaction. Every caller hears back
/// only after its own response is durable. If a shared transaction fails (two requests with the same
/// external id at once), each is written on its own, so one bad item cannot fail the others.
actor GroupCommit {
    enum Result: Sendable { case stored, duplicate(UUID) }
    private struct Pending {
        var row: ResponseRow
        var timeline: [TimelineEvent]
        var done: CheckedContinuation<Result, any Error>
    }
    private let db: any Database
    private var pending: [Pending] = []
    private var writing = false

    init(db: any Database) { self.db = db }

    func commit(_ row: ResponseRow, timeline: [TimelineEvent]) async throws -> Result {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Result, any Error>) in
            pending.append(Pending(row: row, timeline: timeline, done: done))
            if !writing {
                writing = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = pending
            pending.removeAll()
            let rows = batch.map(\.row), timeline = batch.flatMap(\.timeline)
            do {
                try await db.transaction { db in
                    try await ResponseWriter.insert(rows, on: db)
                    try await SurveyRows.insert(timeline, on: db)
                }
                for p in batch { p.done.resume(returning: .stored) }
            } catch {
                for p in batch { await alone(p) }
            }
        }
        writing = false
    }

    private func alone(_ p: Pending) async {
        let row = p.row, timeline = p.timeline
        do {
            try await db.transaction { db in
                try await ResponseWriter.insert([row], on: db)
                try await SurveyRows.insert(timeline, on: db)
            }
            p.done.resume(returning: .stored)
        } catch {
            if let x = row.externalID, let e = error as? any DatabaseError, e.isConstraintFailure,
               let existing = try? await SurveyResponse.query(on: db).filter(\.$workspaceID == row.workspaceID).filter(\.$externalID == x).first() {
                p.done.resume(returning: .duplicate(existing.id!))
            } else {
                p.done.resume(throwing: error)
            }
        }
    }
}

extension Application {
    private struct GroupCommitKey: StorageKey { typealias Value = GroupCommit }
    var groupCommit: GroupCommit {
        if let q = storage[GroupCommitKey.self] { return q }
        let q = GroupCommit(db: db)
        storage[GroupCommitKey.self] = q
        return q
    }
}

/// Surveys as responses need them (name, published version, touchpoint), kept two seconds: a burst of
/// single responses reads the survey once, and a newly published version is used within two seconds.
final class SurveyRefs: @unchecked Sendable {
    static let shared = SurveyRefs()
    private var store: [UUID: (ref: ResponseIntake.SurveyRef, workspace: UUID, until: Date)] = [:]
    private let lock = NSLock()

    func get(_ id: UUID, workspace: UUID) -> ResponseIntake.SurveyRef? {
        lock.withLock {
            guard let e = store[id], e.workspace == workspace, e.until > Date() else { return nil }
            return e.ref
        }
    }

    /// This node forgets at once when it changes a survey; other nodes within two seconds.
    func forget(_ id: UUID) { _ = lock.withLock { store.removeValue(forKey: id) } }

    func put(_ ref: ResponseIntake.SurveyRef, workspace: UUID) {
        lock.withLock {
            if store.count > 5_000 { store.removeAll() }
            store[ref.id] = (ref, workspace, Date().addingTimeInterval(2))
        }
    }
}
