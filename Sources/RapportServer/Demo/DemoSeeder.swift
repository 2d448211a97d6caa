import Fluent
import Foundation
import RapportKit
import Vapor

/// The demo workspace a newcomer clicks through: a software vendor with its DACH and international
/// customers. Generated deterministically by RapportKit's `DemoDataset`, written in bulk here.
enum DemoSeeder {
    static let slug = "demo"
    static let name = "Nordlicht Software GmbH (Demo)"
    static let loginEmail = "demo@rapport.example"
    static let loginPassword = "rapport-demo"
    static let csms: [(String, String)] = [
        ("Julia Brandt", "julia.brandt@rapport.example"), ("Lukas Meier", "lukas.meier@rapport.example"),
        ("Sophie Keller", "sophie.keller@rapport.example"), ("Daniel Wagner", "daniel.wagner@rapport.example"),
        ("Emma Schuster", "emma.schuster@rapport.example"), ("Oliver Grant", "oliver.grant@rapport.example"),
    ]

    /// Creates the demo workspace, or replaces it with a fresh one when `refresh` is set.
    @discardableResult
    static func ensure(on db: any Database, cost: Int, refresh: Bool, today: DateOnly = DateOnly.today(in: Workspaces.defaultZone), logger: Logger? = nil) async throws -> (workspace: Workspace, created: Bool) {
        if let existing = try await Workspace.query(on: db).filter(\.$slug == slug).first() {
            if !refresh { return (existing, false) }
            try await existing.delete(on: db)
        }
        let start = Date()
        let ws = try await db.transaction { db in try await seed(on: db, cost: cost, today: today) }
        logger?.info("demo workspace '\(slug)' ready in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        return (ws, true)
    }

    private static func seed(on db: any Database, cost: Int, today: DateOnly) async throws -> Workspace {
        let ws = Workspace(slug: slug, name: name)
        try await ws.create(on: db)
        let wsID = ws.id!
        // One hash for every demo user: bcrypt is slow on purpose, and they share the demo password.
        let hash = try Bcrypt.hash(loginPassword, cost: cost)
        var owners: [UUID] = []
        var team: [User] = []
        var login: User?
        for (i, person) in ([("Demo Admin", loginEmail)] + csms).enumerated() {
            let user = try await User.query(on: db).filter(\.$email == person.1).first() ?? User(email: person.1, name: person.0, passwordHash: hash)
            if user.id == nil { try await user.create(on: db) }
            try await Membership(workspaceID: wsID, userID: user.id!, role: i == 0 ? .owner : .csm).create(on: db)
            if i > 0 { owners.append(user.id!) } else { login = user }
            if i > 0 && team.count < 3 { team.append(user) }
        }

        let data = DemoDataset.generate(seed: 42, today: DemoDay(year: today.year, month: today.month, day: today.day))
        let now = Date()
        var accountIDs: [String: UUID] = [:]
        for a in data.accounts { accountIDs[a.key] = UUID() }
        try await BulkInsert.run(db, table: "accounts", columns: ["id", "workspace_id", "external_id", "name", "search_text", "kind", "parent_id", "segment",
                                                                  "industry", "country", "size", "coverage_model", "owner_id", "attributes", "version", "created_at", "updated_at"],
                                 rows: data.accounts.map { a in
            [accountIDs[a.key]!, wsID, a.key, a.name, searchKey(a.name, a.key), a.kind, a.parentKey.flatMap { accountIDs[$0] }, a.segment,
             a.industry, a.country, a.size, a.coverageModel, a.ownerIndex.map { owners[$0 % owners.count] }, a.attributes, 1, now, now]
        })

        var contactIDs: [String: UUID] = [:]
        var contactAccount: [String: UUID] = [:]
        for c in data.contacts { contactIDs[c.key] = UUID(); contactAccount[c.key] = accountIDs[c.accountKey] }
        try await BulkInsert.run(db, table: "contacts", columns: ["id", "workspace_id", "account_id", "external_id", "first_name", "last_name", "search_text",
                                                                  "email", "phone", "role", "stakeholder_side", "language", "channel_preferences", "version", "created_at", "updated_at"],
                                 rows: data.contacts.map { c in
            [contactIDs[c.key]!, wsID, accountIDs[c.accountKey], c.key, c.firstName, c.lastName, searchKey(c.firstName, c.lastName, c.email, c.key),
             c.email, c.phone, c.role, c.stakeholderSide, c.language, c.channelPreferences, 1, now, now]
        })

        var consentRows: [[any Encodable & Sendable]] = []
        var timelineRows: [[any Encodable & Sendable]] = []
        for k in data.consents {
            let id = UUID()
            let status = k.granted ? "granted" : "withdrawn"
            consentRows.append([id, wsID, contactIDs[k.contactKey]!, k.purpose, k.channel, status, k.source, k.recordedAt, "demo"])
            timelineRows.append([UUID(), wsID, contactAccount[k.contactKey], contactIDs[k.contactKey], k.recordedAt, "consent",
                                 ConsentsAPI.timelineTitle(purpose: k.purpose, channel: k.channel, status: status), k.source, "consent", id])
        }
        try await BulkInsert.run(db, table: "consents", columns: ["id", "workspace_id", "contact_id", "purpose", "channel", "status", "source", "recorded_at", "recorded_by"], rows: consentRows)

        var contractIDs: [String: UUID] = [:]
        var contractInfo: [String: DemoContract] = [:]
        for c in data.contracts { contractIDs[c.key] = UUID(); contractInfo[c.key] = c }
        try await BulkInsert.run(db, table: "contracts", columns: ["id", "workspace_id", "account_id", "external_id", "product", "start_date", "end_date",
                                                                   "renewal_date", "arr_minor", "currency", "status", "version", "created_at", "updated_at"],
                                 rows: data.contracts.map { c in
            [contractIDs[c.key]!, wsID, accountIDs[c.accountKey]!, c.key, c.product, c.startDate.iso, c.endDate?.iso, c.renewalDate?.iso,
             c.arrMinor, c.currency, c.status, 1, now, now]
        })

        var eventRows: [[any Encodable & Sendable]] = []
        let utc = TimeZone(identifier: "UTC")!
        for e in data.contractEvents {
            let contract = contractInfo[e.contractKey]!
            let id = UUID()
            let day = DateOnly(iso: e.occurredOn.iso)!
            eventRows.append([id, wsID, contractIDs[e.contractKey]!, accountIDs[contract.accountKey]!, e.kind, e.occurredOn.iso, e.arrDeltaMinor, e.reason, now])
            let title = ContractEventsAPI.timelineTitle(product: contract.product, kind: e.kind, deltaMinor: e.arrDeltaMinor, currency: contract.currency)
            timelineRows.append([UUID(), wsID, accountIDs[contract.accountKey], UUID?.none, day.date(in: utc).addingTimeInterval(12 * 3600),
                                 "contract.\(e.kind)", title, e.reason, "contract", contractIDs[e.contractKey]])
        }
        try await BulkInsert.run(db, table: "contract_events", columns: ["id", "workspace_id", "contract_id", "account_id", "kind", "occurred_on", "arr_delta_minor", "reason", "created_at"], rows: eventRows)
        try await BulkInsert.run(db, table: "timeline_events", columns: ["id", "workspace_id", "account_id", "contact_id", "occurred_at", "kind", "title", "detail", "subject_type", "subject_id"], rows: timelineRows)
        try await DemoJourneySeeder.seed(ws, assessors: team, on: db)
        try await DemoSurveySeeder.seed(ws, on: db)
        try await DemoSuccessSeeder.seed(ws, login: login!, today: today, on: db)
        try await Audit.record("create", "demo workspace", id: wsID, before: String?.none,
                               after: "\(data.accounts.count) accounts, \(data.contacts.count) contacts, \(data.contracts.count) contracts",
                               by: Caller.system(ws), on: db)
        return ws
    }
}
