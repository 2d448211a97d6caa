import Fluent
import Foundation
import RapportKit
import SQLKit
import Vapor

/// Background work of the voice of the customer, on every node: deliver due outbox messages, decide
/// due reminders, run due batch rules. Everything is claimed through the database first, so nodes
/// sharing one PostgreSQL never do the same piece twice.
enum SurveyWorker {
    static let node = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"

    /// One round of everything that is due; returns how many pieces of work were done.
    @discardableResult
    static func tick(_ app: Application, now: Date = Date()) async throws -> Int {
        var done = 0
        done += try await BatchRules.runDue(app, now: now)
        done += try await Reminders.decideDue(app, now: now)
        done += try await Playbooks.runDue(app, now: now)
        let claimed = try await Outbox.claim(node: node, limit: 20, now: now, db: app.db)
        // A few at a time: an SMTP server is slow, and one failure must not hold up the others.
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = claimed[...]
            for _ in 0..<min(4, pending.count) {
                let id = pending.removeFirst()
                group.addTask { try await Outbox.deliver(id, node: node, app: app) }
            }
            while try await group.next() != nil {
                if let id = pending.popFirst() { group.addTask { try await Outbox.deliver(id, node: node, app: app) } }
            }
        }
        return done + claimed.count
    }
}

/// One reminder after N days if unanswered, decided by the contact policy like every invitation.
enum Reminders {
    static func decideDue(_ app: Application, now: Date) async throws -> Int {
        let sql = app.db as! any SQLDatabase
        struct Row: Decodable { var id: UUID }
        let due = try await sql.select().column("id").from(Invitation.schema)
            .where("reminder_due_at", .lessThanOrEqual, SQLBind(now)).where("answered_at", .is, SQLLiteral.null)
            .limit(200).all(decoding: Row.self)
        var done = 0
        for row in due {
            // The claim: whoever clears the due date decides this reminder.
            let claimed = try await sql.update(Invitation.schema).set("reminder_due_at", to: SQLLiteral.null)
                .where("id", .equal, SQLBind(row.id)).where("reminder_due_at", .isNot, SQLLiteral.null)
                .returning("id").all()
            guard !claimed.isEmpty else { continue }
            try await app.db.writeTransaction(workspace: nil) { db in
                try await decide(row.id, now: now, db: db)
            }
            done += 1
        }
        return done
    }

    static func decide(_ id: UUID, now: Date, db: any Database) async throws {
        guard let inv = try await Invitation.query(on: db).filter(\.$id == id).first() else { return }
        let scope = Scope(workspaceID: inv.workspaceID, db: db)
        let policy = SurveySettingsStore.policy(try await SurveySettingsStore.load(scope))
        let ledger = try await ContactLedger.load([inv.contactID], scope: scope)
        guard let person = ledger.people[inv.contactID], !person.erased, let survey = try await scope.query(Survey.self).filter(\.$id == inv.surveyID).first() else { return }
        let channel = InvitationChannel(rawValue: inv.channel) ?? .email
        let verdict = policy.decideReminder(for: inv.occurrenceKey, at: now, hasConsent: SurveyConsent.granted(person.consents, channel: channel),
                                            contact: person.policyContact, history: person.history)
        if !verdict.invite, verdict.reason == .tooEarly, let next = verdict.quietUntil {
            inv.reminderDueAt = next   // not yet: look again then, nothing to record
            try await inv.save(on: db)
            return
        }
        let d = ContactDecision()
        d.workspaceID = inv.workspaceID
        d.contactID = inv.contactID
        d.surveyID = inv.surveyID
        d.triggerID = inv.triggerID
        d.invitationID = inv.id
        d.occurrenceKey = inv.occurrenceKey
        d.channel = inv.channel
        d.kind = "reminder"
        d.invited = verdict.invite
        d.reason = verdict.reason?.rawValue
        d.explanation = verdict.explanation
        d.at = now
        try await d.create(on: db)
        if verdict.invite {
            inv.remindersSent += 1
            let maxReminders = policy.effective(for: person.policyContact).maxReminders
            inv.reminderDueAt = inv.remindersSent < maxReminders ? now.addingTimeInterval(TimeInterval(policy.reminderAfterDays) * 86_400) : nil
            try await inv.save(on: db)
            if channel == .email || channel == .webhook { try await Outbox.message(for: inv, kind: "reminder", at: now).create(on: db) }
        }
        try await Timeline.record(workspaceID: inv.workspaceID, accountID: inv.accountID, contactID: inv.contactID,
                                  kind: verdict.invite ? "survey_reminder_planned" : "survey_reminder_skipped",
                                  title: verdict.invite ? "Reminder for \(survey.name) planned" : "No reminder for \(survey.name): \(verdict.reason?.rawValue.replacingOccurrences(of: "_", with: " ") ?? "")",
                                  detail: verdict.explanation, at: now, subjectType: "invitation", subjectID: inv.id, touchpointID: inv.touchpointID, on: db)
    }
}

/// Batch rules: every N days, everyone who had an event of the rule's type since the last run gets
/// one decision (e.g. weekly: everyone who finished a sub-journey), under the same contact policy.
enum BatchRules {
    static func runDue(_ app: Application, now: Date) async throws -> Int {
        let due = try await TriggerRule.query(on: app.db).filter(\.$kind == "batch").filter(\.$active == true).filter(\.$nextRunAt <= now).limit(20).all()
        var done = 0
        for rule in due {
            guard let every = rule.everyDays, let scheduled = rule.nextRunAt else { continue }
            let sql = app.db as! any SQLDatabase
            // The claim: move the next run on, only if nobody else did.
            var next = scheduled
            while next <= now { next = next.addingTimeInterval(TimeInterval(every) * 86_400) }
            let claimed = try await sql.update(TriggerRule.schema).set("next_run_at", to: SQLBind(next))
                .where("id", .equal, SQLBind(rule.id!)).where("next_run_at", .lessThanOrEqual, SQLBind(now)).returning("id").all()
            guard !claimed.isEmpty else { continue }
            let from = scheduled.addingTimeInterval(-TimeInterval(every) * 86_400)
            try await app.db.writeTransaction(workspace: rule.workspaceID) { db in
                try await run(rule, from: from, to: now, period: scheduled, db: db)
            }
            done += 1
        }
        return done
    }

    static func run(_ rule: TriggerRule, from: Date, to: Date, period: Date, db: any Database) async throws {
        let scope = Scope(workspaceID: rule.workspaceID, db: db)
        guard let trigger = try await Distribution.activeTriggers(scope: scope, kind: "batch")[rule.eventType]?.first(where: { $0.rule.id == rule.id }) else { return }
        let events = try await scope.query(CustomerEvent.self).filter(\.$type == rule.eventType)
            .filter(\.$occurredAt >= from).filter(\.$occurredAt < to).sort(\.$occurredAt).all()
        let policy = SurveySettingsStore.policy(try await SurveySettingsStore.load(scope))
        var seen = Set<UUID>()
        var pairs: [Distribution.Pair] = []
        let periodKey = ISO8601DateFormatter().string(from: period)
        for e in events {
            guard let c = e.contactID, seen.insert(c).inserted else { continue }
            pairs.append(Distribution.Pair(index: pairs.count, trigger: trigger, contactID: c,
                                           occurrence: "\(rule.id!.uuidString.lowercased()):batch:\(periodKey):\(c.uuidString.lowercased())",
                                           sendAt: to, touchpointID: e.touchpointID, eventID: e.id))
        }
        _ = try await Distribution.decide(pairs, policy: policy, scope: scope, now: to)
    }
}
