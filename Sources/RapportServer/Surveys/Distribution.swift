import Fluent
import Foundation
import RapportKit
import SQLKit
import Vapor

/// A customer event as the API, the CSV import and the tests send it.
struct EventInput: Codable, Sendable, Equatable {
    var type: String?
    var externalId: String?
    var contactId: UUID?
    var contactExternalId: String?
    var accountId: UUID?
    var accountExternalId: String?
    /// A touchpoint's slug, external id or id.
    var touchpoint: String?
    var occurredAt: Date?
    var attributes: [String: ScalarText]?

    enum CodingKeys: String, CodingKey {
        case type, touchpoint, attributes
        case externalId = "external_id", contactId = "contact_id", contactExternalId = "contact_external_id"
        case accountId = "account_id", accountExternalId = "account_external_id", occurredAt = "occurred_at"
    }
}

/// A JSON text, number or boolean, kept as text (event attributes are compared as text).
struct ScalarText: Codable, Sendable, Equatable {
    var text: String
    init(_ text: String) { self.text = text }
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { text = b ? "true" : "false" }
        else if let i = try? c.decode(Int.self) { text = String(i) }
        else if let d = try? c.decode(Double.self) { text = String(d) }
        else if let s = try? c.decode(String.self) { text = s }
        else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "an attribute is a text, a number or true/false") }
    }
    func encode(to encoder: any Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(text) }
}

struct DecisionDTO: Codable, Sendable {
    var contactId: UUID
    var surveyId: UUID?
    var triggerId: UUID?
    var invitationId: UUID?
    var channel: String
    var kind: String
    var invited: Bool
    var reason: String?
    var explanation: String
    var at: Date

    enum CodingKeys: String, CodingKey {
        case channel, kind, invited, reason, explanation, at
        case contactId = "contact_id", surveyId = "survey_id", triggerId = "trigger_id", invitationId = "invitation_id"
    }

    init(contactId: UUID, surveyId: UUID?, triggerId: UUID?, invitationId: UUID?, channel: String, kind: String, invited: Bool, reason: String?,
         explanation: String, at: Date) {
        self.contactId = contactId; self.surveyId = surveyId; self.triggerId = triggerId; self.invitationId = invitationId; self.channel = channel
        self.kind = kind; self.invited = invited; self.reason = reason; self.explanation = explanation; self.at = at
    }

    init(_ d: ContactDecision) {
        contactId = d.contactID; surveyId = d.surveyID; triggerId = d.triggerID; invitationId = d.invitationID; channel = d.channel
        kind = d.kind; invited = d.invited; reason = d.reason; explanation = d.explanation; at = d.at
    }
}

struct EventOutcome: Codable, Sendable {
    var index: Int
    var status: String            // accepted, duplicate, rejected
    var eventId: UUID?
    var decisions: [DecisionDTO]?
    var errors: [FieldError]?

    enum CodingKeys: String, CodingKey { case index, status, decisions, errors, eventId = "event_id" }

    /// The JSON `PlainJSON.encode(self)` writes (except that slashes are not escaped), written
    /// directly: a batch reply of 5,000 outcomes cost 0.18 s through `JSONEncoder`.
    func write(to j: inout JSONText) {
        j.raw("{")
        if let decisions {
            j.raw("\"decisions\":[")
            for (n, d) in decisions.enumerated() {
                if n > 0 { j.raw(",") }
                j.raw("{\"at\":"); j.date(d.at)
                j.raw(",\"channel\":"); j.string(d.channel)
                j.raw(",\"contact_id\":"); j.uuid(d.contactId)
                j.raw(",\"explanation\":"); j.string(d.explanation)
                if let v = d.invitationId { j.raw(",\"invitation_id\":"); j.uuid(v) }
                j.raw(",\"invited\":"); j.bool(d.invited)
                j.raw(",\"kind\":"); j.string(d.kind)
                if let v = d.reason { j.raw(",\"reason\":"); j.string(v) }
                if let v = d.surveyId { j.raw(",\"survey_id\":"); j.uuid(v) }
                if let v = d.triggerId { j.raw(",\"trigger_id\":"); j.uuid(v) }
                j.raw("}")
            }
            j.raw("],")
        }
        if let errors { j.raw("\"errors\":"); j.errors(errors); j.raw(",") }
        if let eventId { j.raw("\"event_id\":"); j.uuid(eventId); j.raw(",") }
        j.raw("\"index\":"); j.int(index)
        j.raw(",\"status\":"); j.string(status)
        j.raw("}")
    }
}

/// Turns customer events into invitation decisions: each active trigger rule for the event's type
/// whose conditions hold asks the workspace's contact policy, for each contact the event names, and
/// the answer — invited or skipped, with its reason — is recorded and shown in the contact's timeline.
enum Distribution {
    /// An event type: a lower-case letter, then up to 63 lower-case letters, digits and `_ . : -`.
    /// (Checked by hand: a `Regex` literal is parsed again on every use, 7 % of an event batch.)
    static func isEventType(_ s: String) -> Bool {
        var n = 0
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): break
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "-"): if n == 0 { return false }
            default: return false
            }
            n += 1
        }
        return n >= 1 && n <= 64
    }
    static let maxBatch = 10_000

    /// A resolved, checked event ready to be stored.
    struct Checked {
        var index: Int
        var input: EventInput
        var type: String
        var contactIDs: [UUID]
        var accountID: UUID?
        var touchpointID: UUID?
        var occurredAt: Date
        var attributes: [String: String]
    }

    /// Checks every event of a batch; the good ones are decided and stored together, each bad one is
    /// reported with its fields and stores nothing.
    static func receive(_ inputs: [EventInput], scope: Scope, caller: Caller, now: Date = Date()) async throws -> [EventOutcome] {
        var outcomes: [EventOutcome?] = Array(repeating: nil, count: inputs.count)
        let lookup = try await Lookup.load(inputs, scope: scope)
        var good: [Checked] = []
        for (i, input) in inputs.enumerated() {
            switch check(input, index: i, lookup: lookup, now: now) {
            case .success(let c): good.append(c)
            case .failure(let f): outcomes[i] = EventOutcome(index: i, status: "rejected", errors: f.errors)
            }
        }
        if !good.isEmpty {
            let good = good
            let decided = try await scope.db.writeTransaction(workspace: scope.workspaceID) { db in
                return try await decide(good, scope: scope.with(db), lookup: lookup, caller: caller, now: now)
            }
            for o in decided { outcomes[o.index] = o }
        }
        return outcomes.map { $0! }
    }

    static func check(_ e: EventInput, index: Int, lookup: Lookup, now: Date) -> Result<Checked, ValidationFailure> {
        var v = RapportKit.Validator()
        let type = v.text("type", e.type, required: true, maxLength: 64)
        if let type, !isEventType(type) {
            v.fail("type", "'\(type)' is not an event type: lower-case letters, digits and _ . : -, starting with a letter (e.g. service_contact_closed)")
        }
        if let x = e.externalId, x.isEmpty || x.count > 200 { v.fail("external_id", "must be 1 to 200 characters") }
        var contacts: [UUID] = []
        var account: UUID? = nil
        if let id = e.contactId {
            if let c = lookup.contactsByID[id] { contacts = [id]; account = c.accountID } else { v.fail("contact_id", "there is no contact with this id in your workspace") }
        } else if let x = e.contactExternalId {
            if let c = lookup.contactsByExternal[x] { contacts = [c.id]; account = c.accountID } else { v.fail("contact_external_id", "no contact with external id '\(x)' in this workspace") }
        }
        if let id = e.accountId {
            if lookup.accountsByID[id] != nil { account = account ?? id } else { v.fail("account_id", "there is no account with this id in your workspace") }
        } else if let x = e.accountExternalId {
            if let a = lookup.accountsByExternal[x] { account = account ?? a } else { v.fail("account_external_id", "no account with external id '\(x)' in this workspace") }
        }
        if e.contactId == nil && e.contactExternalId == nil && e.accountId == nil && e.accountExternalId == nil {
            v.fail("contact_external_id", "name the contact (contact_external_id or contact_id) or the account (account_external_id or account_id) the event happened to")
        }
        if contacts.isEmpty, let account, e.contactId == nil && e.contactExternalId == nil {
            // An event about an account reaches its customer-side people.
            contacts = lookup.contactsOfAccount[account] ?? []
        }
        var touchpoint: UUID? = nil
        if let t = e.touchpoint {
            if let id = lookup.touchpoints[t.lowercased()] ?? lookup.touchpoints[t] { touchpoint = id } else { v.fail("touchpoint", "no touchpoint '\(t)' (slug, external id or id) in this workspace") }
        }
        let at = e.occurredAt ?? now
        if at > now.addingTimeInterval(300) { v.fail("occurred_at", "\(at.ISO8601Format()) is in the future; send events when they have happened") }
        var attributes: [String: String] = [:]
        for (k, value) in e.attributes ?? [:] {
            if k.count > 64 || value.text.count > 500 { v.fail("attributes.\(k)", "names are at most 64 and values at most 500 characters"); continue }
            attributes[k] = value.text
        }
        if attributes.count > 50 { v.fail("attributes", "at most 50 attributes") }
        if !v.errors.isEmpty { return .failure(ValidationFailure(v.errors)) }
        return .success(Checked(index: index, input: e, type: type!, contactIDs: contacts, accountID: account, touchpointID: touchpoint, occurredAt: at, attributes: attributes))
    }

    /// Everything a batch refers to, read in a few queries instead of one per event.
    struct Lookup {
        struct ContactInfo { var id: UUID; var accountID: UUID? }
        var contactsByID: [UUID: ContactInfo] = [:]
        var contactsByExternal: [String: ContactInfo] = [:]
        var accountsByID: [UUID: UUID] = [:]
        var accountsByExternal: [String: UUID] = [:]
        var contactsOfAccount: [UUID: [UUID]] = [:]
        var touchpoints: [String: UUID] = [:]

        static func load(_ inputs: [EventInput], scope: Scope) async throws -> Lookup {
            var l = try await load(contactIDs: Set(inputs.compactMap(\.contactId)), contactExternalIDs: Set(inputs.compactMap(\.contactExternalId)),
                                   accountIDs: Set(inputs.compactMap(\.accountId)), accountExternalIDs: Set(inputs.compactMap(\.accountExternalId)),
                                   touchpoints: inputs.contains { $0.touchpoint != nil }, scope: scope)
            // Account-only events reach the account's customer-side contacts.
            let accountOnly = Set(inputs.filter { $0.contactId == nil && $0.contactExternalId == nil }.compactMap { $0.accountId ?? $0.accountExternalId.flatMap { l.accountsByExternal[$0] } })
            for chunk in Array(accountOnly).chunked(500) {
                for r in try await rows(scope, "contacts", ["id", "account_id", "external_id"], "account_id", chunk, as: CRow.self,
                                        extra: { $0.where("stakeholder_side", .equal, SQLBind("customer")).where("erased_at", .is, SQLLiteral.null) }) {
                    l.contactsOfAccount[r.account_id!, default: []].append(r.id)
                }
            }
            return l
        }

        struct CRow: Decodable { var id: UUID; var account_id: UUID?; var external_id: String? }

        /// The workspace's contacts whose `column` is one of `values`, read column by column (thousands per batch).
        static func contacts(_ scope: Scope, _ column: String, _ values: [any Encodable & Sendable]) async throws -> [CRow] {
            try await PlainRow.all(scope.db, """
                SELECT id, account_id, external_id FROM contacts WHERE workspace_id = \(bind: scope.workspaceID) AND \(ident: column) IN (\(binds: values))
                """).map { r in CRow(id: try r.required(r.uuid("id"), "id"), account_id: try r.uuid("account_id"), external_id: try r.text("external_id")) }
        }
        struct ARow: Decodable { var id: UUID; var external_id: String? }

        /// The workspace's rows of `table` whose `column` is one of `values`.
        static func rows<R: Decodable, V: Encodable & Sendable>(_ scope: Scope, _ table: String, _ columns: [String], _ column: String, _ values: [V], as: R.Type,
                                                               extra: (SQLSelectBuilder) -> SQLSelectBuilder = { $0 }) async throws -> [R] {
            let sql = scope.db as! any SQLDatabase
            let q = sql.select().columns(columns.map { SQLIdentifier($0) }).from(table)
                .where("workspace_id", .equal, SQLBind(scope.workspaceID)).where(SQLIdentifier(column), .in, SQLBind.group(values))
            return try await extra(q).all(decoding: R.self)
        }

        /// Contacts and accounts by id and external id, and (when asked) every touchpoint by slug,
        /// external id and id: what a batch of events or responses refers to, in a few queries.
        static func load(contactIDs: Set<UUID>, contactExternalIDs: Set<String>, accountIDs: Set<UUID>, accountExternalIDs: Set<String>,
                         touchpoints: Bool, scope: Scope) async throws -> Lookup {
            var l = Lookup()
            for chunk in Array(contactIDs).chunked(500) {
                for r in try await contacts(scope, "id", chunk) { l.contactsByID[r.id] = ContactInfo(id: r.id, accountID: r.account_id) }
            }
            for chunk in Array(contactExternalIDs).chunked(500) {
                for r in try await contacts(scope, "external_id", chunk) { l.contactsByExternal[r.external_id!] = ContactInfo(id: r.id, accountID: r.account_id) }
            }
            for chunk in Array(accountIDs).chunked(500) {
                for r in try await rows(scope, "accounts", ["id", "external_id"], "id", chunk, as: ARow.self) { l.accountsByID[r.id] = r.id }
            }
            for chunk in Array(accountExternalIDs).chunked(500) {
                for r in try await rows(scope, "accounts", ["id", "external_id"], "external_id", chunk, as: ARow.self) { l.accountsByExternal[r.external_id!] = r.id }
            }
            if touchpoints {
                struct TRow: Decodable { var id: UUID; var slug: String; var external_id: String? }
                let sql = scope.db as! any SQLDatabase
                for r in try await sql.select().columns("id", "slug", "external_id").from("touchpoints")
                    .where("workspace_id", .equal, SQLBind(scope.workspaceID)).all(decoding: TRow.self) {
                    l.touchpoints[r.slug] = r.id
                    l.touchpoints[r.id.uuidString.lowercased()] = r.id
                    if let x = r.external_id { l.touchpoints[x] = r.id }
                }
            }
            return l
        }
    }

    /// A trigger rule as the decisions need it, with its survey.
    struct ActiveTrigger {
        var rule: TriggerRule
        var survey: Survey
        var languages: [String]
        var conditions: [String: String]
        var channel: InvitationChannel
    }

    static func activeTriggers(scope: Scope, kind: String = "event") async throws -> [String: [ActiveTrigger]] {
        let rules = try await scope.query(TriggerRule.self).filter(\.$active == true).filter(\.$kind == kind).all()
        guard !rules.isEmpty else { return [:] }
        let surveys = try await scope.query(Survey.self).filter(\.$id ~~ Set(rules.map(\.surveyID))).filter(\.$status == "published").all()
        var out: [String: [ActiveTrigger]] = [:]
        for r in rules {
            guard let s = surveys.first(where: { $0.id == r.surveyID }), let def = try await SurveysAPI.published(s, on: scope.db),
                  let channel = InvitationChannel(rawValue: r.channel) else { continue }
            let conditions = (try? PlainJSON.decode([String: String].self, from: Data(r.conditions.utf8))) ?? [:]
            out[r.eventType, default: []].append(ActiveTrigger(rule: r, survey: s, languages: def.languages, conditions: conditions, channel: channel))
        }
        return out
    }

    /// Conditions are attribute = value pairs; "touchpoint" compares with the event's touchpoint slug or id.
    static func matches(_ t: ActiveTrigger, _ e: Checked) -> Bool {
        t.conditions.allSatisfy { key, value in
            if key == "touchpoint" { return e.input.touchpoint == value || e.touchpointID?.uuidString.lowercased() == value.lowercased() }
            return e.attributes[key]?.lowercased() == value.lowercased()
        }
    }

    static func decide(_ events: [Checked], scope: Scope, lookup: Lookup, caller: Caller, now: Date) async throws -> [EventOutcome] {
        let sql = scope.db as! any SQLDatabase
        let settings = try await SurveySettingsStore.load(scope)
        let policy = SurveySettingsStore.policy(settings)
        let triggers = try await activeTriggers(scope: scope)

        // On PostgreSQL, the people first, in id order: each event's insert takes a share lock on its
        // contact (the foreign key), so two requests about the same person that both inserted before
        // locking the person for the policy (`ContactLedger.load`) waited for each other: a deadlock,
        // and one of them failed. (On SQLite the transaction already holds the one write lock.)
        if !scope.db.isSQLite {
            for chunk in Set(events.flatMap(\.contactIDs)).sorted().chunked(500) {
                _ = try await sql.raw("SELECT id FROM contacts WHERE id IN (\(binds: chunk)) ORDER BY id FOR UPDATE").all()
            }
        }
        // Events first: this write takes SQLite's write lock, so everything read below stays true
        // until commit. An event whose external id was seen before is not stored twice.
        var outcomes: [EventOutcome] = []
        var eventIDs: [Int: UUID] = [:]
        let externals = events.compactMap(\.input.externalId)
        var known: [String: UUID] = [:]
        for chunk in externals.chunked(500) {
            struct Row: Decodable { var id: UUID; var external_id: String }
            for r in try await sql.select().columns("id", "external_id").from("customer_events")
                .where("workspace_id", .equal, SQLBind(scope.workspaceID)).where("external_id", .in, SQLBind.group(chunk)).all(decoding: Row.self) {
                known[r.external_id] = r.id
            }
        }
        var fresh: [Checked] = []
        for e in events {
            if let x = e.input.externalId, let id = known[x] {
                outcomes.append(EventOutcome(index: e.index, status: "duplicate", eventId: id, decisions: []))
                continue
            }
            let id = UUID.timeOrdered()
            if let x = e.input.externalId { known[x] = id }   // a repeat inside the same batch
            eventIDs[e.index] = id
            fresh.append(e)
        }
        // Rows are written in the order of their contacts (decided in the order sent): each table's
        // contact index, and the contact check of each foreign key, is then walked forward once instead
        // of jumping to a random page for every row.
        let keyed: [(contact: UUID, event: Checked)] = fresh.map { ($0.contactIDs.first ?? .zero, $0) }
        let stored = keyed.sorted { a, b in a.contact != b.contact ? a.contact < b.contact : a.event.index < b.event.index }.map(\.event)
        try await BulkInsert.rows(scope.db, table: CustomerEvent.schema, columns: ["id", "workspace_id", "type", "external_id", "contact_id", "account_id",
                                                                                "touchpoint_id", "occurred_at", "received_at", "attributes"], count: stored.count) { i, r in
            let e = stored[i]
            r.add(eventIDs[e.index]); r.add(scope.workspaceID); r.add(e.type); r.add(e.input.externalId); r.add(e.contactIDs.count == 1 ? e.contactIDs[0] : nil)
            r.add(e.accountID); r.add(e.touchpointID); r.add(e.occurredAt); r.add(now); r.add(PlainJSON.encode(e.attributes))
        }

        // The pairs to decide, then everything the policy needs about those contacts.
        var pairs: [Pair] = []
        for e in fresh {
            for t in triggers[e.type] ?? [] where matches(t, e) {
                let occurrence = "\(t.rule.id!.uuidString.lowercased()):\(e.input.externalId.map { "x:" + $0 } ?? eventIDs[e.index]!.uuidString.lowercased())"
                for c in e.contactIDs {
                    // An event about an account reaches each of its people: one occurrence per person
                    // (an invitation's occurrence is unique in the workspace).
                    pairs.append(Pair(index: e.index, trigger: t, contactID: c,
                                      occurrence: e.contactIDs.count == 1 ? occurrence : occurrence + ":c:" + c.uuidString.lowercased(),
                                      sendAt: max(now, e.occurredAt.addingTimeInterval(TimeInterval(t.rule.delayMinutes * 60))),
                                      touchpointID: e.touchpointID, eventID: eventIDs[e.index]))
                }
            }
        }
        let byEvent = try await decide(pairs, policy: policy, scope: scope, now: now)
        for e in fresh {
            outcomes.append(EventOutcome(index: e.index, status: "accepted", eventId: eventIDs[e.index], decisions: byEvent[e.index] ?? []))
        }
        return outcomes
    }

    /// One question to the contact policy: may this trigger invite this person for this occurrence?
    struct Pair {
        var index: Int
        var trigger: ActiveTrigger
        var contactID: UUID
        var occurrence: String
        var sendAt: Date
        var touchpointID: UUID?
        var eventID: UUID?
    }

    /// Decides every pair in order (a person invited by the first pair is in the quiet period for the
    /// next), and writes decisions, invitations, outbox messages and timeline entries. Returns the
    /// decisions by the pairs' index.
    static func decide(_ pairs: [Pair], policy: ContactPolicy, scope: Scope, now: Date) async throws -> [Int: [DecisionDTO]] {
        var ledger = try await ContactLedger.load(Array(Set(pairs.map(\.contactID))), scope: scope)
        // Plain rows, not Fluent models: thousands per batch, and building, reading and freeing models
        // cost more than the policy itself.
        struct InvitationRow { var id: UUID; var pair: Int; var accountID: UUID?; var touchpointID: UUID?; var shortCode: String; var language: String }
        struct DecisionRow { var id: UUID; var pair: Int; var decision: DecisionDTO }
        struct TimelineRow { var id: UUID; var accountID: UUID?; var pair: Int; var invited: Bool; var title: String; var detail: String }
        var decisions: [DecisionRow] = []
        var invitations: [InvitationRow] = []
        var timeline: [TimelineRow] = []
        var byIndex: [Int: [DecisionDTO]] = [:]
        for (n, p) in pairs.enumerated() {
            let t = p.trigger
            guard let person = ledger.people[p.contactID], person.erased == false else { continue }
            let request = InvitationRequest(occurrenceKey: p.occurrence, surveyID: "'\(t.survey.name)'", channel: t.channel, at: p.sendAt,
                                            hasConsent: SurveyConsent.granted(person.consents, channel: t.channel) && person.reachable(by: t.channel),
                                            samplingRate: t.rule.samplingRate)
            var verdict = policy.decideInvitation(request, contact: person.policyContact, history: person.history)
            if !verdict.invite, verdict.reason == .noConsent, SurveyConsent.granted(person.consents, channel: t.channel) {
                verdict.explanation = "Skipped: the contact has no \(t.channel == .email ? "e-mail address" : t.channel == .phone ? "phone number" : "address") for this channel."
            }
            var invitationID: UUID? = nil
            if verdict.invite {
                let id = UUID.timeOrdered()
                invitationID = id
                invitations.append(InvitationRow(id: id, pair: n, accountID: person.accountID, touchpointID: p.touchpointID ?? t.survey.touchpointID,
                                                 shortCode: ShortCode.make(),
                                                 language: person.language.flatMap { t.languages.contains($0) ? $0 : nil } ?? t.languages.first ?? "de"))
                ledger.people[p.contactID]?.history.append(ContactTouch(kind: .invitation, invitationKey: p.occurrence, surveyID: request.surveyID, channel: t.channel, at: p.sendAt))
            }
            let d = DecisionDTO(contactId: p.contactID, surveyId: t.survey.id, triggerId: t.rule.id, invitationId: invitationID, channel: t.channel.rawValue,
                                kind: "invitation", invited: verdict.invite, reason: verdict.reason?.rawValue, explanation: verdict.explanation, at: p.sendAt)
            decisions.append(DecisionRow(id: .timeOrdered(), pair: n, decision: d))
            byIndex[p.index, default: []].append(d)
            timeline.append(TimelineRow(id: .timeOrdered(), accountID: person.accountID, pair: n, invited: verdict.invite,
                                        title: verdict.invite ? "Invitation to \(t.survey.name) planned (\(t.channel.rawValue))"
                                                              : "Not invited to \(t.survey.name): \(verdict.reason?.rawValue.replacingOccurrences(of: "_", with: " ") ?? "")",
                                        detail: verdict.explanation))
        }
        // Written in the order of their contacts (see `decide(_ events:)`), a person's rows in the order decided.
        func inContactOrder<R>(_ rows: [R], _ pair: KeyPath<R, Int>) -> [R] {
            rows.sorted { a, b in
                let x = pairs[a[keyPath: pair]].contactID, y = pairs[b[keyPath: pair]].contactID
                return x != y ? x < y : a[keyPath: pair] < b[keyPath: pair]
            }
        }
        invitations = inContactOrder(invitations, \.pair)
        decisions = inContactOrder(decisions, \.pair)
        timeline = inContactOrder(timeline, \.pair)
        // Invitations before the decisions and messages that point at them.
        let ws = scope.workspaceID, created = Date()
        try await BulkInsert.rows(scope.db, table: Invitation.schema, columns: ["id", "workspace_id", "survey_id", "contact_id", "account_id", "touchpoint_id", "trigger_id",
                                                                             "event_id", "channel", "occurrence_key", "short_code", "language", "status", "scheduled_at",
                                                                             "reminders_sent", "expires_at", "created_at"], count: invitations.count) { i, r in
            let inv = invitations[i], p = pairs[inv.pair]
            r.add(inv.id); r.add(ws); r.add(p.trigger.survey.id); r.add(p.contactID); r.add(inv.accountID); r.add(inv.touchpointID); r.add(p.trigger.rule.id)
            r.add(p.eventID); r.add(p.trigger.channel.rawValue); r.add(p.occurrence); r.add(inv.shortCode); r.add(inv.language); r.add("scheduled")
            r.add(p.sendAt); r.add(0); r.add(p.sendAt.addingTimeInterval(Invitations.validity)); r.add(created)
        }
        try await BulkInsert.rows(scope.db, table: ContactDecision.schema, columns: ["id", "workspace_id", "contact_id", "survey_id", "trigger_id", "invitation_id",
                                                                                  "occurrence_key", "channel", "kind", "invited", "reason", "explanation", "at"],
                                  count: decisions.count) { i, r in
            let d = decisions[i].decision
            r.add(decisions[i].id); r.add(ws); r.add(d.contactId); r.add(d.surveyId); r.add(d.triggerId); r.add(d.invitationId)
            r.add(pairs[decisions[i].pair].occurrence); r.add(d.channel); r.add(d.kind); r.add(d.invited); r.add(d.reason); r.add(d.explanation); r.add(d.at)
        }
        let messages = invitations.filter { [.email, .webhook].contains(pairs[$0.pair].trigger.channel) }
        try await BulkInsert.rows(scope.db, table: OutboxMessage.schema, columns: ["id", "workspace_id", "invitation_id", "kind", "payload", "status", "attempts",
                                                                                "next_attempt_at", "created_at"], count: messages.count) { i, r in
            r.add(UUID.timeOrdered()); r.add(ws); r.add(messages[i].id); r.add("invitation"); r.add("{}"); r.add("pending"); r.add(0)
            r.add(pairs[messages[i].pair].sendAt); r.add(created)
        }
        try await BulkInsert.rows(scope.db, table: TimelineEvent.schema, columns: ["id", "workspace_id", "account_id", "contact_id", "occurred_at", "kind", "title", "detail",
                                                                                "subject_type", "subject_id", "touchpoint_id"], count: timeline.count) { i, r in
            let e = timeline[i], p = pairs[e.pair]
            r.add(e.id); r.add(ws); r.add(e.accountID); r.add(p.contactID); r.add(now); r.add(e.invited ? "survey_invited" : "survey_skipped"); r.add(e.title)
            r.add(e.detail); r.add("survey"); r.add(p.trigger.survey.id); r.add(p.touchpointID)
        }
        return byIndex
    }
}

/// What the contact policy needs about each person: consents, segment and attributes, and every
/// invitation and reminder they were sent (with whether it was answered).
struct ContactLedger {
    struct Person {
        var accountID: UUID?
        var language: String?
        var email: String?
        var phone: String?
        var erased: Bool
        var policyContact: PolicyContact
        var consents: [ConsentRecord]
        var history: [ContactTouch]

        func reachable(by channel: InvitationChannel) -> Bool {
            switch channel {
            case .email: email != nil
            case .phone: phone != nil
            case .letter, .webhook: true
            }
        }
    }
    var people: [UUID: Person] = [:]

    static func load(_ ids: [UUID], scope: Scope) async throws -> ContactLedger {
        var l = ContactLedger()
        guard !ids.isEmpty else { return l }
        let sql = scope.db as! any SQLDatabase
        // Read column by column (`PlainRow`): this runs for every contact of every event batch, and
        // SQLKit's row decoder cost more than the queries.
        struct ContactRow {
            var id: UUID; var account_id: UUID?; var role: String?; var language: String?; var stakeholder_side: String
            var email: String?; var phone: String?; var erased: Bool
        }
        struct AccountRow: Decodable {
            var id: UUID; var segment: String?; var attributes: [String: String]; var coverage_model: String; var industry: String?; var country: String?
        }
        struct TouchRow {
            var contact_id: UUID; var kind: String; var occurrence_key: String; var survey_id: UUID?; var channel: String; var at: Date; var answered: Bool
        }
        struct NameRow: Decodable { var id: UUID; var name: String }
        let surveyNames = Dictionary(uniqueKeysWithValues: try await sql.select().columns("id", "name").from(Survey.schema)
            .where("workspace_id", .equal, SQLBind(scope.workspaceID)).all(decoding: NameRow.self).map { ($0.id, "'\($0.name)'") })
        for chunk in ids.sorted().chunked(500) {   // locked in one order by every node (see below)
            if sql.dialect.name == "postgresql" {
                // Two nodes deciding for the same person at once would both see a free quiet period.
                // (SQLite has one writer at a time, and the caller has already written.)
                _ = try await sql.raw("SELECT id FROM contacts WHERE id IN (\(binds: chunk)) ORDER BY id FOR UPDATE").all()
            }
            let contacts = try await PlainRow.all(scope.db, """
                SELECT id, account_id, role, language, stakeholder_side, email, phone, erased_at IS NOT NULL AS erased FROM contacts
                WHERE workspace_id = \(bind: scope.workspaceID) AND id IN (\(binds: chunk))
                """).map { r in
                ContactRow(id: try r.required(r.uuid("id"), "id"), account_id: try r.uuid("account_id"), role: try r.text("role"), language: try r.text("language"),
                           stakeholder_side: try r.required(r.text("stakeholder_side"), "stakeholder_side"), email: try r.text("email"), phone: try r.text("phone"),
                           erased: try r.bool("erased") ?? false)
            }
            let accountIDs = Array(Set(contacts.compactMap(\.account_id)))
            var accountByID: [UUID: AccountRow] = [:]
            for part in accountIDs.chunked(500) {
                for a in try await Distribution.Lookup.rows(scope, "accounts", ["id", "segment", "attributes", "coverage_model", "industry", "country"], "id", part, as: AccountRow.self) {
                    accountByID[a.id] = a
                }
            }
            let consents = Dictionary(grouping: try await ConsentRecord.of(chunk, scope: scope), by: \.contactID)
            // Whether each invitation was answered comes with it, joined by the invitation's key. (A
            // separate look-up of invitations by id and workspace let SQLite's planner, with statistics
            // from before the workspace had many invitations, scan the workspace's invitations for every
            // batch: 2.2 of 4 s per 5,000 events.)
            let touches = try await PlainRow.all(scope.db, """
                SELECT d.contact_id, d.kind, d.occurrence_key, d.survey_id, d.channel, d.at, i.answered_at IS NOT NULL AS answered
                FROM contact_decisions d LEFT JOIN invitations i ON i.id = d.invitation_id AND i.workspace_id = d.workspace_id
                WHERE d.workspace_id = \(bind: scope.workspaceID) AND d.contact_id IN (\(binds: chunk)) AND d.invited = \(bind: true)
                """).map { r in
                TouchRow(contact_id: try r.required(r.uuid("contact_id"), "contact_id"), kind: try r.required(r.text("kind"), "kind"),
                         occurrence_key: try r.required(r.text("occurrence_key"), "occurrence_key"), survey_id: try r.uuid("survey_id"),
                         channel: try r.required(r.text("channel"), "channel"), at: try r.required(r.date("at"), "at"), answered: try r.bool("answered") ?? false)
            }
            let touchesBy = Dictionary(grouping: touches, by: \.contact_id)
            for c in contacts {
                let a = c.account_id.flatMap { accountByID[$0] }
                var attributes = a?.attributes ?? [:]
                if let r = c.role { attributes["role"] = r }
                if let lang = c.language { attributes["language"] = lang }
                attributes["stakeholder_side"] = c.stakeholder_side
                if let cov = a?.coverage_model { attributes["coverage_model"] = cov }
                if let industry = a?.industry { attributes["industry"] = industry }
                if let country = a?.country { attributes["country"] = country }
                let history = (touchesBy[c.id] ?? []).map { d in
                    ContactTouch(kind: d.kind == "reminder" ? .reminder : .invitation, invitationKey: d.occurrence_key, surveyID: d.survey_id.flatMap { surveyNames[$0] } ?? "(deleted)",
                                 channel: InvitationChannel(rawValue: d.channel) ?? .email, at: d.at, answered: d.answered)
                }
                l.people[c.id] = Person(accountID: c.account_id, language: c.language?.lowercased().prefix(2).description, email: c.email, phone: c.phone,
                                        erased: c.erased, policyContact: PolicyContact(segment: a?.segment, attributes: attributes),
                                        consents: consents[c.id] ?? [], history: history)
            }
        }
        return l
    }
}

/// One consent record, as the contact policy reads it.
struct ConsentRecord: Sendable {
    var contactID: UUID
    var purpose: String
    var channel: String
    var status: String
    var recordedAt: Date

    static func of(_ contact: UUID, scope: Scope) async throws -> [ConsentRecord] { try await of([contact], scope: scope) }

    /// The consent records of these contacts (at most a few thousand ids).
    static func of(_ contacts: [UUID], scope: Scope) async throws -> [ConsentRecord] {
        try await PlainRow.all(scope.db, """
            SELECT contact_id, purpose, channel, status, recorded_at FROM consents
            WHERE workspace_id = \(bind: scope.workspaceID) AND contact_id IN (\(binds: contacts))
            """).map { r in
            ConsentRecord(contactID: try r.required(r.uuid("contact_id"), "contact_id"), purpose: try r.required(r.text("purpose"), "purpose"),
                          channel: try r.required(r.text("channel"), "channel"), status: try r.required(r.text("status"), "status"),
                          recordedAt: try r.required(r.date("recorded_at"), "recorded_at"))
        }
    }
}

enum Invitations {
    /// How long a personal link stays valid.
    static let validity: TimeInterval = 60 * 86_400
}

extension Array {
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}

extension Array where Element: Model {
    /// Multi-row inserts that stay below SQLite's and PostgreSQL's bind limits.
    func createInChunks(on db: any Database) async throws {
        for chunk in chunked(1_000) { try await chunk.create(on: db) }
    }
}

/// Timeline entries written many at once (response batches and imports), through `BulkInsert` rather
/// than Fluent's per-model encoding.
enum SurveyRows {
    static func insert(_ rows: [TimelineEvent], on db: any Database) async throws {
        try await BulkInsert.run(db, table: "timeline_events", columns: ["id", "workspace_id", "account_id", "contact_id", "occurred_at", "kind", "title", "detail",
                                                                       "subject_type", "subject_id", "touchpoint_id"], rows: rows.map { e in
            [e.id ?? UUID(), e.workspaceID, e.accountID, e.contactID, e.occurredAt, e.kind, e.title, e.detail, e.subjectType, e.subjectID, e.touchpointID] as [any Encodable & Sendable]
        })
    }
}

