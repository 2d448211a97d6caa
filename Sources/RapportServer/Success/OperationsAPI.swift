import Fluent
import Foundation
import RapportKit
import Vapor

// MARK: Tasks

struct TaskInput: Decodable, Sendable {
    var account_id: UUID?
    var title: String?
    var detail: Change<String>
    var owner_id: Change<UUID>
    var due_on: String?
    var status: String?

    enum CodingKeys: String, CodingKey { case account_id, title, detail, owner_id, due_on, status }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        account_id = try c.decodeIfPresent(UUID.self, forKey: .account_id)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        detail = try c.change(String.self, forKey: .detail)
        owner_id = try c.change(UUID.self, forKey: .owner_id)
        due_on = try c.decodeIfPresent(String.self, forKey: .due_on)
        status = try c.decodeIfPresent(String.self, forKey: .status)
    }
    init(account_id: UUID? = nil, title: String? = nil, detail: Change<String> = .keep, owner_id: Change<UUID> = .keep, due_on: String? = nil, status: String? = nil) {
        self.account_id = account_id; self.title = title; self.detail = detail; self.owner_id = owner_id; self.due_on = due_on; self.status = status
    }
}

struct TaskDTO: Content, Equatable {
    var id: UUID; var account_id: UUID; var title: String; var detail: String?; var owner_id: UUID?; var due_on: String
    var status: String; var overdue: Bool; var done_at: Date?; var done_by: String?
    /// manual, meeting or playbook.
    var source: String; var playbook_run_id: UUID?; var meeting_id: UUID?
    var created_by: String; var version: Int; var created_at: Date?
    init(_ t: CSTask, today: DateOnly) {
        id = t.id!; account_id = t.accountID; title = t.title; detail = t.detail; owner_id = t.ownerID; due_on = t.dueOn; status = t.status
        overdue = t.status == "open" && t.dueOn < today.iso; done_at = t.doneAt; done_by = t.doneBy
        source = t.playbookRunID != nil ? "playbook" : t.meetingID != nil ? "meeting" : "manual"
        playbook_run_id = t.playbookRunID; meeting_id = t.meetingID; created_by = t.createdBy; version = t.version; created_at = t.createdAt
    }
}

/// Work for someone at the vendor about one account, with an owner and a due date. Creating and
/// finishing a task lands on the account's timeline.
enum TasksAPI {
    static let statuses = ["open", "done", "cancelled"]

    static func apply(_ input: TaskInput, to t: CSTask, isNew: Bool, scope: Scope, caller: Caller) async throws {
        var v = RapportKit.Validator()
        if isNew {
            if let id = input.account_id {
                if try await scope.query(Account.self).filter(\.$id == id).first() == nil { v.fail("account_id", "there is no account with this id in your workspace") }
                else { t.accountID = id }
            } else { v.fail("account_id", "is required") }
        } else if let id = input.account_id, id != t.accountID { v.fail("account_id", "a task stays with its account") }
        if isNew || input.title != nil, let s = v.text("title", input.title, required: true, maxLength: 200) { t.title = s }
        if case .set(let d) = input.detail { t.detail = v.text("detail", d, maxLength: 4_000) }
        if case .set(let owner) = input.owner_id {
            if let owner, try await !Members.isMember(owner, scope: scope) { v.fail("owner_id", "is not a member of this workspace") } else { t.ownerID = owner }
        } else if isNew { t.ownerID = caller.userID }
        if isNew || input.due_on != nil {
            if let d = v.check("due_on", input.due_on ?? caller.today.adding(days: 7).iso, FieldCheck.date) { t.dueOn = d.iso }
        }
        if isNew || input.status != nil {
            let s = input.status ?? "open"
            if !statuses.contains(s) { v.fail("status", "'\(s)' is not one of open, done, cancelled") }
            else if s != t.status || isNew {
                if s == "done" { t.doneAt = Date(); t.doneBy = caller.label } else { t.doneAt = nil; t.doneBy = nil }
                t.status = s
            }
        }
        try v.finish()
    }

    static func insert(_ input: TaskInput, scope: Scope, caller: Caller, playbookRun: UUID? = nil, meeting: UUID? = nil, on db: (any Database)? = nil) async throws -> CSTask {
        let t = CSTask()
        t.id = .timeOrdered(); t.workspaceID = scope.workspaceID; t.version = 1; t.createdBy = caller.label; t.status = ""
        t.playbookRunID = playbookRun; t.meetingID = meeting
        try await apply(input, to: t, isNew: true, scope: scope, caller: caller)
        let write: @Sendable (any Database) async throws -> Void = { db in
            try await t.create(on: db)
            try await Timeline.record(workspaceID: t.workspaceID, accountID: t.accountID, contactID: nil, kind: "success.task",
                                      title: "Task: \(t.title) (due \(t.dueOn))", detail: t.detail, subjectType: "task", subjectID: t.id, on: db)
            try await Audit.record("create", "task", id: t.id, before: String?.none, after: PlainJSON.encode(TaskDTO(t, today: caller.today)), by: caller, on: db)
        }
        if let db { try await write(db) } else { try await scope.db.transaction(write) }
        return t
    }

    static func create(_ req: Request) async throws -> Response {
        let t = try await insert(try decodePlainBody(req, as: TaskInput.self), scope: try req.scope, caller: try req.caller)
        return PlainJSON.response(TaskDTO(t, today: try req.scope.today), status: .created).withETag(t.version)
    }

    static func show(_ req: Request) async throws -> Response {
        let t = try await req.scope.find(CSTask.self, parameter: "id", of: req)
        return PlainJSON.response(TaskDTO(t, today: try req.scope.today)).withETag(t.version)
    }

    static func update(_ req: Request) async throws -> Response {
        let scope = try req.scope, caller = try req.caller
        let t = try await scope.find(CSTask.self, parameter: "id", of: req)
        try Versioning.check(req, current: t.version)
        try await update(t, with: try decodePlainBody(req, as: TaskInput.self), scope: scope, caller: caller)
        return PlainJSON.response(TaskDTO(t, today: try req.scope.today)).withETag(t.version)
    }

    static func update(_ t: CSTask, with input: TaskInput, scope: Scope, caller: Caller) async throws {
        let before = PlainJSON.encode(TaskDTO(t, today: caller.today)), wasDone = t.status == "done"
        try await apply(input, to: t, isNew: false, scope: scope, caller: caller)
        try await scope.db.transaction { db in
            try await Versioning.claim(table: CSTask.schema, id: t.id!, version: t.version, on: db)
            t.version += 1
            try await t.save(on: db)
            if t.status == "done" && !wasDone {
                try await Timeline.record(workspaceID: t.workspaceID, accountID: t.accountID, contactID: nil, kind: "success.task_done",
                                          title: "Task done: \(t.title)", detail: nil, subjectType: "task", subjectID: t.id, on: db)
            }
            try await Audit.record("update", "task", id: t.id, before: before, after: PlainJSON.encode(TaskDTO(t, today: caller.today)), by: caller, on: db)
        }
    }

    static let sorts = [SortKey(name: "due_on", field: "due_on", kind: .text)]

    static func list(_ req: Request) async throws -> Page<TaskDTO> {
        let scope = try req.scope
        var f = Filters(req)
        let owner = f.uuid("owner_id"), account = f.uuid("account_id")
        let status = f.choice("status", statuses + ["all"]) ?? "open"
        let dueBefore = f.date("due_before")
        try f.finish()
        let q = scope.query(CSTask.self)
        if let owner { q.filter(\.$ownerID == owner) }
        if let account { q.filter(\.$accountID == account) }
        if status != "all" { q.filter(\.$status == status) }
        if let dueBefore { q.filter(\.$dueOn < dueBefore.iso) }
        let list = try ListRequest(req, sorts: sorts, defaultSort: "due_on")
        let rows = try await list.apply(to: q).all()
        let today = try req.scope.today
        return try await list.page(rows, value: { $0.dueOn }) { $0.map { TaskDTO($0, today: today) } }
    }

    static func register(_ api: APIBuilder) {
        let tag = "Customer Success"
        api.on(APIRoute(method: .GET, path: "/tasks", summary: "Tasks, soonest due first (default: open ones)", tag: tag, permission: .readCustomers,
                        response: .list("Task"), queryParameters: listParameters(sorts) + [
                            QueryParameter(name: "owner_id", type: "string", summary: "Whose tasks", format: "uuid"),
                            QueryParameter(name: "account_id", type: "string", summary: "One account's tasks", format: "uuid"),
                            QueryParameter(name: "status", type: "string", summary: "open (default), done, cancelled or all", enumValues: statuses + ["all"]),
                            QueryParameter(name: "due_before", type: "string", summary: "Only tasks due before this day", format: "date"),
                        ]), list)
        api.on(APIRoute(method: .POST, path: "/tasks", summary: "Create a task for an account (owner defaults to the caller, due date to a week from today)",
                        tag: tag, permission: .writeSuccess, requestSchema: "TaskInput", response: .object("Task"), successStatus: 201), create)
        api.on(APIRoute(method: .GET, path: "/tasks/{id}", summary: "Get a task", tag: tag, permission: .readCustomers, response: .object("Task"), conditional: true), show)
        api.on(APIRoute(method: .PATCH, path: "/tasks/{id}", summary: "Change a task, or mark it done or cancelled", tag: tag, permission: .writeSuccess,
                        requestSchema: "TaskInput", response: .object("Task"), conditional: true), update)
    }
}

// MARK: Meetings

struct NextStepInput: Decodable, Sendable { var title: String?; var owner_id: UUID?; var due_on: String? }

struct MeetingInput: Decodable, Sendable {
    var held_on: String?; var title: String?; var attendees: String?; var notes: String?; var decisions: String?
    var expectations_checked: Bool?
    /// Each next step becomes a task linked to the meeting.
    var next_steps: [NextStepInput]?
}

struct MeetingDTO: Content {
    var id: UUID; var account_id: UUID; var held_on: String; var title: String; var attendees: String?; var notes: String?
    var decisions: String?; var expectations_checked: Bool; var next_steps: [TaskDTO]; var created_by: String; var version: Int; var created_at: Date?
    init(_ m: Meeting, steps: [CSTask], today: DateOnly) {
        id = m.id!; account_id = m.accountID; held_on = m.heldOn; title = m.title; attendees = m.attendees; notes = m.notes; decisions = m.decisions
        expectations_checked = m.expectationsChecked; next_steps = steps.map { TaskDTO($0, today: today) }; created_by = m.createdBy; version = m.version; created_at = m.createdAt
    }
}

/// Meetings with the customer: notes, decisions, whether expectations were checked against what was
/// promised, and next steps that become tasks. Each meeting lands on the account's timeline.
enum MeetingsAPI {
    static func record(_ input: MeetingInput, account: Account, scope: Scope, caller: Caller) async throws -> (Meeting, [CSTask]) {
        var v = RapportKit.Validator()
        let m = Meeting()
        m.id = .timeOrdered(); m.workspaceID = scope.workspaceID; m.accountID = account.id!; m.version = 1; m.createdBy = caller.label
        if let d = v.check("held_on", input.held_on ?? caller.today.iso, FieldCheck.date) {
            if d > caller.today { v.fail("held_on", "\(d.iso) is in the future; record a meeting once it has taken place") } else { m.heldOn = d.iso }
        }
        if let t = v.text("title", input.title, required: true, maxLength: 200) { m.title = t }
        m.attendees = v.text("attendees", input.attendees, maxLength: 1_000)
        m.notes = v.text("notes", input.notes, maxLength: 20_000)
        m.decisions = v.text("decisions", input.decisions, maxLength: 4_000)
        m.expectationsChecked = input.expectations_checked ?? false
        let steps = input.next_steps ?? []
        if steps.count > 20 { v.fail("next_steps", "at most 20 next steps per meeting, not \(steps.count)") }
        for (i, s) in steps.enumerated() {
            if (s.title ?? "").trimmed.isEmpty { v.fail("next_steps[\(i)].title", "is required") }
            if let d = s.due_on, DateOnly(iso: d) == nil { v.fail("next_steps[\(i)].due_on", "'\(d)' is not a date (YYYY-MM-DD)") }
            if let o = s.owner_id, try await !Members.isMember(o, scope: scope) { v.fail("next_steps[\(i)].owner_id", "is not a member of this workspace") }
        }
        try v.finish()
        return try await scope.db.transaction { db in
            try await m.create(on: db)
            var tasks: [CSTask] = []
            for s in steps {
                tasks.append(try await TasksAPI.insert(TaskInput(account_id: account.id, title: s.title, owner_id: s.owner_id.map { .set($0) } ?? .keep,
                                                                 due_on: s.due_on ?? DateOnly(iso: m.heldOn)!.adding(days: 14).iso),
                                                       scope: scope.with(db), caller: caller, meeting: m.id, on: db))
            }
            let detail = [m.decisions.map { "Decisions: " + $0 }, m.expectationsChecked ? "Expectations checked" : nil,
                          tasks.isEmpty ? nil : "Next steps: " + tasks.map(\.title).joined(separator: "; ")].compactMap { $0 }.joined(separator: "\n")
            try await Timeline.record(workspaceID: m.workspaceID, accountID: m.accountID, contactID: nil, kind: "success.meeting",
                                      title: "Meeting: \(m.title)", detail: detail.isEmpty ? nil : detail, at: DateOnly(iso: m.heldOn)!.date(in: scope.zone).addingTimeInterval(12 * 3600),
                                      subjectType: "meeting", subjectID: m.id, on: db)
            try await Audit.record("create", "meeting", id: m.id, before: String?.none, after: PlainJSON.encode(MeetingDTO(m, steps: tasks, today: caller.today)), by: caller, on: db)
            return (m, tasks)
        }
    }

    static func create(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let a = try await scope.find(Account.self, parameter: "id", of: req)
        let (m, steps) = try await record(try decodePlainBody(req, as: MeetingInput.self), account: a, scope: scope, caller: try req.caller)
        return PlainJSON.response(MeetingDTO(m, steps: steps, today: try req.scope.today), status: .created)
    }

    static func meetings(account: UUID, scope: Scope, limit: Int = 50) async throws -> [MeetingDTO] {
        let rows = try await scope.query(Meeting.self).filter(\.$accountID == account).sort(\.$heldOn, .descending).sort(\.$id, .descending).limit(limit).all()
        let steps = rows.isEmpty ? [] : try await scope.query(CSTask.self).filter(\.$meetingID ~~ rows.map { $0.id! }).sort(\.$dueOn).all()
        let byMeeting = Dictionary(grouping: steps) { $0.meetingID! }
        return rows.map { MeetingDTO($0, steps: byMeeting[$0.id!] ?? [], today: scope.today) }
    }

    static func list(_ req: Request) async throws -> Response {
        let scope = try req.scope
        let a = try await scope.find(Account.self, parameter: "id", of: req)
        return PlainJSON.response(PlainPage(items: try await meetings(account: a.id!, scope: scope, limit: 500), nextCursor: nil))
    }

    static func register(_ api: APIBuilder) {
        let tag = "Customer Success"
        api.on(APIRoute(method: .GET, path: "/accounts/{id}/meetings", summary: "The account's meetings, newest first, each with its next steps",
                        tag: tag, permission: .readCustomers, response: .list("Meeting")), list)
        api.on(APIRoute(method: .POST, path: "/accounts/{id}/meetings", summary: "Record a meeting; each next step becomes a task",
                        tag: tag, permission: .writeSuccess, requestSchema: "MeetingInput", response: .object("Meeting"), successStatus: 201), create)
    }
}

// MARK: Advocacy

struct AdvocacyInput: Decodable, Sendable {
    var account_id: UUID?; var contact_id: UUID?; var kind: String?; var status: String?; var title: String?; var detail: String?
    /// Product feedback only: idea (default) or bug, as the feedback inbox routes them.
    var feedback_type: String?
}

struct AdvocacyDTO: Content {
    var id: UUID; var account_id: UUID; var contact_id: UUID?; var kind: String; var status: String; var title: String; var detail: String?
    var feedback_id: UUID?; var feedback_queue: String?; var created_by: String; var version: Int; var created_at: Date?; var updated_at: Date?
    init(_ a: AdvocacyItem, queue: String? = nil) {
        id = a.id!; account_id = a.accountID; contact_id = a.contactID; kind = a.kind; status = a.status; title = a.title; detail = a.detail
        feedback_id = a.feedbackID; feedback_queue = queue; created_by = a.createdBy; version = a.version; created_at = a.createdAt; updated_at = a.updatedAt
    }
}

/// What happy customers give back: references, case studies, and product feedback, which goes to the
/// feedback inbox queue product management works (the queue the workspace routes ideas or bugs to).
enum AdvocacyAPI {
    static let statuses: [String: [String]] = [
        "reference": ["candidate", "agreed", "active", "retired"],
        "case_study": ["idea", "in_progress", "approved", "published"],
        "product_feedback": ["sent", "acknowledged", "planned", "declined", "shipped"],
    ]
    static let kinds = ["reference", "case_study", "product_feedback"]

    static func record(_ input: AdvocacyInput, scope: Scope, caller: Caller) async throws -> (AdvocacyItem, String?) {
        var v = RapportKit.Validator()
        let a = AdvocacyItem()
        a.id = .timeOrdered(); a.workspaceID = scope.workspaceID; a.version = 1; a.createdBy = caller.label
        if let id = input.account_id {
            if try await scope.query(Account.self).filter(\.$id == id).first() == nil { v.fail("account_id", "there is no account with this id in your workspace") } else { a.accountID = id }
        } else { v.fail("account_id", "is required") }
        let kind = input.kind ?? ""
        if let allowed = statuses[kind] {
            a.kind = kind
            let s = input.status ?? allowed[0]
            if allowed.contains(s) { a.status = s } else { v.fail("status", "'\(s)' is not a status of a \(kind): \(allowed.joined(separator: ", "))") }
        } else { v.fail("kind", "'\(kind)' is not one of \(kinds.joined(separator: ", "))") }
        if let t = v.text("title", input.title, required: true, maxLength: 200) { a.title = t }
        a.detail = v.text("detail", input.detail, maxLength: 4_000)
        if let c = input.contact_id {
            let contact = try await scope.query(Contact.self).filter(\.$id == c).first()
            if contact == nil { v.fail("contact_id", "there is no contact with this id in your workspace") }
            else if input.account_id != nil, contact?.accountID != input.account_id { v.fail("contact_id", "the contact works for another account") }
            else { a.contactID = c }
        }
        let feedbackType = input.feedback_type ?? "idea"
        if kind == "product_feedback" && !["idea", "bug"].contains(feedbackType) { v.fail("feedback_type", "'\(feedbackType)' is not one of idea, bug") }
        if kind != "product_feedback" && input.feedback_type != nil { v.fail("feedback_type", "only product feedback has a feedback type") }
        try v.finish()
        let item = a
        let queue: String? = try await scope.db.transaction { db in
            var queue: String? = nil
            if kind == "product_feedback" {
                let f = FeedbackItem()
                f.id = .timeOrdered(); f.workspaceID = scope.workspaceID; f.type = feedbackType
                f.text = item.title + (item.detail.map { "\n\n" + $0 } ?? "")
                f.queue = SurveySettingsStore.queues(try await SurveySettingsStore.load(scope.with(db)))[feedbackType] ?? FeedbackRouting.defaults[feedbackType] ?? "product"
                f.status = "open"; f.contactID = item.contactID; f.accountID = item.accountID; f.source = "customer_success"
                f.recordedBy = caller.label; f.createdAt = Date()
                try await f.create(on: db)
                item.feedbackID = f.id; queue = f.queue
            }
            try await item.create(on: db)
            let what = ["reference": "Reference", "case_study": "Case study", "product_feedback": "Product feedback"][kind]!
            try await Timeline.record(workspaceID: item.workspaceID, accountID: item.accountID, contactID: item.contactID, kind: "success.advocacy",
                                      title: "\(what): \(item.title)" + (queue.map { " → \($0)" } ?? ""), detail: item.detail, subjectType: "advocacy", subjectID: item.id, on: db)
            try await Audit.record("create", "advocacy item", id: item.id, before: String?.none, after: PlainJSON.encode(AdvocacyDTO(item, queue: queue)), by: caller, on: db)
            return queue
        }
        return (item, queue)
    }

    static func create(_ req: Request) async throws -> Response {
        let (a, queue) = try await record(try decodePlainBody(req, as: AdvocacyInput.self), scope: try req.scope, caller: try req.caller)
        return PlainJSON.response(AdvocacyDTO(a, queue: queue), status: .created).withETag(a.version)
    }

    struct StatusInput: Decodable, Sendable { var status: String? }

    static func update(_ req: Request) async throws -> Response {
        let scope = try req.scope, caller = try req.caller
        let a = try await scope.find(AdvocacyItem.self, parameter: "id", of: req)
        try Versioning.check(req, current: a.version)
        let input = try decodePlainBody(req, as: StatusInput.self)
        try await setStatus(a, input.status, scope: scope, caller: caller)
        return PlainJSON.response(AdvocacyDTO(a)).withETag(a.version)
    }

    static func setStatus(_ a: AdvocacyItem, _ status: String?, scope: Scope, caller: Caller) async throws {
        let allowed = statuses[a.kind] ?? []
        guard let status, allowed.contains(status) else {
            throw AppError.invalid("status", "'\(status ?? "")' is not a status of a \(a.kind): \(allowed.joined(separator: ", "))")
        }
        let before = PlainJSON.encode(AdvocacyDTO(a))
        try await scope.db.transaction { db in
            try await Versioning.claim(table: AdvocacyItem.schema, id: a.id!, version: a.version, on: db)
            a.status = status; a.version += 1
            try await a.save(on: db)
            try await Audit.record("update", "advocacy item", id: a.id, before: before, after: PlainJSON.encode(AdvocacyDTO(a)), by: caller, on: db)
        }
    }

    static func list(_ req: Request) async throws -> Response {
        let scope = try req.scope
        var f = Filters(req)
        let account = f.uuid("account_id"), kind = f.choice("kind", kinds)
        try f.finish()
        let q = scope.query(AdvocacyItem.self).sort(\.$createdAt, .descending).limit(1_000)
        if let account { q.filter(\.$accountID == account) }
        if let kind { q.filter(\.$kind == kind) }
        return PlainJSON.response(PlainPage(items: try await q.all().map { AdvocacyDTO($0) }, nextCursor: nil))
    }

    static func register(_ api: APIBuilder) {
        let tag = "Customer Success"
        api.on(APIRoute(method: .GET, path: "/advocacy", summary: "References, case studies and product feedback, newest first", tag: tag,
                        permission: .readCustomers, response: .list("Advocacy"), queryParameters: [
                            QueryParameter(name: "account_id", type: "string", summary: "One account's", format: "uuid"),
                            QueryParameter(name: "kind", type: "string", summary: "reference, case_study or product_feedback", enumValues: kinds),
                        ]), list)
        api.on(APIRoute(method: .POST, path: "/advocacy", summary: "Record a reference, a case study, or product feedback (sent to the feedback inbox's product queue)",
                        tag: tag, permission: .writeSuccess, requestSchema: "AdvocacyInput", response: .object("Advocacy"), successStatus: 201), create)
        api.on(APIRoute(method: .PATCH, path: "/advocacy/{id}", summary: "Move an advocacy item to another status", tag: tag, permission: .writeSuccess,
                        requestSchema: "AdvocacyStatusInput", response: .object("Advocacy"), conditional: true), update)
    }
}
