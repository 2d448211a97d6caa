import Fluent
import Foundation
import RapportKit
import FluentSQLiteDriver
import SQLKit
import Vapor

/// Writes validated import rows in batches: one query finds which external ids exist, one multi-row
/// INSERT creates the new rows, and each existing row gets one UPDATE of the columns the file filled.
struct BatchWriter {
    let entity: ImportEntity
    let caller: Caller
    let db: any Database
    /// External id → id, for references between rows and files (accounts of contacts, parents).
    var accountIDs: [String: UUID] = [:]
    var ownerIDs: [String: UUID?] = [:]
    /// Parent links are set at the end, when every account of the file exists.
    var parentLinks: [(line: Int, child: UUID, parentExternalID: String?, parentID: UUID?)] = []

    init(entity: ImportEntity, caller: Caller, db: any Database) {
        self.entity = entity; self.caller = caller; self.db = db
    }

    private var sql: any SQLDatabase { db as! any SQLDatabase }
    private var ws: UUID { caller.workspaceID }

    /// Whether rows with external ids existed in the workspace when the import began. When none did,
    /// no row of the file can update one (the importer refuses an id repeated within the file), and
    /// the per-batch look-up is skipped.
    var upsertTargetsExist = true

    mutating func prepare() async throws {
        struct Row: Decodable { var one: Int }
        upsertTargetsExist = try await sql.select().column(SQLLiteral.numeric("1"), as: "one").from(entity.table)
            .where("workspace_id", .equal, SQLBind(ws)).where("external_id", .isNot, SQLLiteral.null).limit(1).first(decoding: Row.self) != nil
    }

    mutating func write(_ rows: [Importer.PendingRow], _ report: inout ImportReport) async throws {
        guard !rows.isEmpty else { return }
        let existing = upsertTargetsExist ? try await existingIDs(rows.compactMap { $0.values.text("external_id") }) : [:]
        if entity != .accounts { try await loadAccounts(rows) }
        if entity == .accounts { try await loadOwners(rows) }

        let now = Date()
        var inserts: [[any Encodable & Sendable]] = []
        for row in rows {
            let v = row.values
            var columns = row.columns
            do { try references(v, into: &columns) }
            catch let e as AppError {
                report.refusedRows += 1
                for f in e.fieldErrors { report.refuse(row.line, f.field, f.message) }
                continue
            }
            if let ext = v.text("external_id"), let found = existing[ext] {
                if found.erased { report.refusedRows += 1; report.refuse(row.line, "external_id", "belongs to a contact whose data was erased"); continue }
                let update = sql.update(entity.table)
                for (name, value) in columns { update.set(SQLIdentifier(name), to: SQLBind(value)) }
                update.set(SQLIdentifier("version"), to: SQLRaw("version + 1"))
                update.set(SQLIdentifier("updated_at"), to: SQLBind(now))
                try await update.where("id", .equal, SQLBind(found.id)).run()
                if entity == .accounts { noteParent(row, id: found.id) }
                report.updated += 1
            } else {
                let id = UUID.timeOrdered(at: now)
                let full = try defaults(columns, values: v)
                inserts.append([id, ws] + full.map(\.1) + [1, now, now])
                if entity == .accounts { noteParent(row, id: id); if let ext = v.text("external_id") { accountIDs[ext] = id } }
                report.created += 1
            }
        }
        guard !inserts.isEmpty else { return }
        let names = ["id", "workspace_id"] + insertColumns + ["version", "created_at", "updated_at"]
        try await BulkInsert.run(db, table: entity.table, columns: names, rows: inserts)
    }

    mutating func finish(_ report: inout ImportReport) async throws {
        for link in parentLinks {
            var parent = link.parentID
            if parent == nil, let ext = link.parentExternalID {
                if accountIDs[ext] == nil { accountIDs[ext] = try await lookupAccount(external: ext) }
                parent = accountIDs[ext]
            }
            guard let parent else {
                report.refuse(link.line, "parent_external_id", "no account with external id '\(link.parentExternalID ?? "")' in the file or the workspace; imported without a parent")
                continue
            }
            if try await wouldCycle(child: link.child, parent: parent) {
                report.refuse(link.line, "parent_external_id", "would make the account its own ancestor; imported without a parent")
                continue
            }
            try await sql.update("accounts").set("parent_id", to: SQLBind(parent)).where("id", .equal, SQLBind(link.child)).run()
        }
    }

    // MARK: columns per entity

    /// The columns a new row gets, in insert order (after id and workspace_id).
    private var insertColumns: [String] {
        switch entity {
        case .accounts: ["external_id", "name", "search_text", "kind", "segment", "industry", "country", "size", "coverage_model", "owner_id", "attributes"]
        case .contacts: ["external_id", "account_id", "first_name", "last_name", "search_text", "email", "phone", "role", "stakeholder_side", "language", "channel_preferences"]
        case .contracts: ["external_id", "account_id", "product", "start_date", "end_date", "renewal_date", "arr_minor", "currency", "status", "seats"]
        case .touchpoints: []   // imported row by row (`Importer.runTouchpoints`)
        }
    }

    /// The columns a row fills from its own cells (for an update: only these change, with
    /// `references`). Computed while the row is validated, so the writer's path only adds what needs
    /// the database: owners and accounts.
    static func columns(_ entity: ImportEntity, _ v: [String: FieldValue], attributes: [String: String]?, sqlite: Bool) throws -> [(String, any Encodable & Sendable)] {
        var c: [(String, any Encodable & Sendable)] = []
        c.reserveCapacity(12)
        func text(_ name: String) { if let t = v.text(name) { c.append((name, t)) } }
        func date(_ name: String) { if let d = v.date(name) { c.append((name, d.iso)) } }
        switch entity {
        case .accounts:
            for n in ["external_id", "name", "kind", "segment", "industry", "country", "size", "coverage_model"] { text(n) }
            if let name = v.text("name") { c.append(("search_text", searchKey(name, v.text("external_id")))) }
            if let attributes { c.append(("attributes", json(attributes, sqlite: sqlite))) }
        case .contacts:
            for n in ["external_id", "first_name", "last_name", "email", "phone", "role", "stakeholder_side", "language"] { text(n) }
            if let l = v.list("channel_preferences") { c.append(("channel_preferences", json(l, sqlite: sqlite))) }
            c.append(("search_text", searchKey(v.text("first_name"), v.text("last_name"), v.text("email"), v.text("external_id"))))
        case .contracts:
            for n in ["external_id", "product", "currency", "status"] { text(n) }
            for n in ["start_date", "end_date", "renewal_date"] { date(n) }
            if let arr = v.decimal("arr") { c.append(("arr_minor", try Money.minor(arr, field: "arr"))) }
            if let seats = v.integer("seats") { c.append(("seats", seats)) }
        case .touchpoints:
            break
        }
        return c
    }

    /// The columns that refer to other records: an account's owner, a contact's or contract's account.
    private func references(_ v: [String: FieldValue], into c: inout [(String, any Encodable & Sendable)]) throws {
        switch entity {
        case .accounts:
            if let email = v.text("owner_email") {
                guard let owner = ownerIDs[email] ?? nil else { throw AppError.invalid("owner_email", "'\(email)' is not a member of this workspace") }
                c.append(("owner_id", owner))
            }
        case .contacts:
            if let account = try accountReference(v) { c.append(("account_id", account)) }
        case .contracts:
            guard let account = try accountReference(v) else { throw AppError.invalid("account_external_id", "is required: every contract belongs to an account") }
            c.append(("account_id", account))
        case .touchpoints:
            break
        }
    }

    /// Fills what a new row needs but the file left empty, in `insertColumns` order.
    private func defaults(_ given: [(String, any Encodable & Sendable)], values v: [String: FieldValue]) throws -> [(String, any Encodable & Sendable)] {
        // A dozen short names: a linear look-up costs less than hashing them into a dictionary per row.
        return insertColumns.map { name in
            if let value = given.first(where: { $0.0 == name })?.1 { return (name, value) }
            let fallback: any Encodable & Sendable = switch name {
            case "kind": AccountKind.business.rawValue
            case "coverage_model": CoverageModel.techTouch.rawValue
            case "attributes": Self.json([String: String](), sqlite: sqlite)
            case "stakeholder_side": StakeholderSide.customer.rawValue
            case "channel_preferences": Self.json([String](), sqlite: sqlite)
            case "status": ContractStatus.active.rawValue
            case "owner_id", "account_id": UUID?.none
            case "seats": Int?.none
            default: String?.none
            }
            return (name, fallback)
        }
    }

    /// Lists and maps as the database stores them. SQLite keeps JSON text, which the driver would
    /// otherwise produce with a fresh JSONEncoder for every value of every row; PostgreSQL takes the
    /// native array and jsonb values.
    private static func json(_ list: [String], sqlite: Bool) -> any Encodable & Sendable {
        guard sqlite else { return list }
        return "[" + list.map(jsonString).joined(separator: ",") + "]"
    }

    private static func json(_ map: [String: String], sqlite: Bool) -> any Encodable & Sendable {
        guard sqlite else { return map }
        return "{" + map.sorted { $0.key < $1.key }.map { jsonString($0.key) + ":" + jsonString($0.value) }.joined(separator: ",") + "}"
    }

    private static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private var sqlite: Bool { db.isSQLite }

    private func accountReference(_ v: [String: FieldValue]) throws -> UUID? {
        if let id = v.text("account_id") {
            guard let uuid = UUID(uuidString: id), accountIDs.values.contains(uuid) || knownAccountIDs.contains(uuid) else {
                throw AppError.invalid("account_id", "no account with id \(id) in this workspace")
            }
            return uuid
        }
        if let ext = v.text("account_external_id") {
            guard let id = accountIDs[ext] else { throw AppError.invalid("account_external_id", "no account with external id '\(ext)' in this workspace") }
            return id
        }
        return nil
    }

    private var knownAccountIDs: Set<UUID> = []

    private mutating func noteParent(_ row: Importer.PendingRow, id: UUID) {
        let byID = row.values.text("parent_id").flatMap(UUID.init(uuidString:))
        let byExt = row.values.text("parent_external_id")
        if byID != nil || byExt != nil { parentLinks.append((row.line, id, byExt, byID)) }
    }

    // MARK: lookups

    private func existingIDs(_ externalIDs: [String]) async throws -> [String: (id: UUID, erased: Bool)] {
        guard !externalIDs.isEmpty else { return [:] }
        struct Row: Decodable { var id: UUID; var external_id: String; var erased_at: Date? }
        let select = sql.select().column("id").column("external_id").from(entity.table)
        if entity == .contacts { select.column("erased_at") }
        let rows = try await select.where("workspace_id", .equal, SQLBind(ws)).where("external_id", .in, SQLBind.group(externalIDs)).all(decoding: Row.self)
        return Dictionary(rows.map { ($0.external_id, (id: $0.id, erased: $0.erased_at != nil)) }, uniquingKeysWith: { a, _ in a })
    }

    private mutating func loadAccounts(_ rows: [Importer.PendingRow]) async throws {
        let wanted = Set(rows.compactMap { $0.values.text("account_external_id") }).filter { accountIDs[$0] == nil }
        if !wanted.isEmpty {
            struct Row: Decodable { var id: UUID; var external_id: String }
            for r in try await sql.select().column("id").column("external_id").from("accounts").where("workspace_id", .equal, SQLBind(ws))
                .where("external_id", .in, SQLBind.group(Array(wanted))).all(decoding: Row.self) { accountIDs[r.external_id] = r.id }
        }
        let ids = Set(rows.compactMap { $0.values.text("account_id").flatMap(UUID.init(uuidString:)) }).subtracting(knownAccountIDs)
        if !ids.isEmpty {
            struct Row: Decodable { var id: UUID }
            for r in try await sql.select().column("id").from("accounts").where("workspace_id", .equal, SQLBind(ws))
                .where("id", .in, SQLBind.group(Array(ids))).all(decoding: Row.self) { knownAccountIDs.insert(r.id) }
        }
    }

    private mutating func loadOwners(_ rows: [Importer.PendingRow]) async throws {
        for email in Set(rows.compactMap { $0.values.text("owner_email") }) where ownerIDs[email] == nil {
            ownerIDs[email] = try? await Members.userID(email: email, field: "owner_email", scope: Scope(workspaceID: ws, db: db))
        }
    }

    private func lookupAccount(external: String) async throws -> UUID? {
        struct Row: Decodable { var id: UUID }
        return try await sql.select().column("id").from("accounts").where("workspace_id", .equal, SQLBind(ws))
            .where("external_id", .equal, SQLBind(external)).first(decoding: Row.self)?.id
    }

    private func wouldCycle(child: UUID, parent: UUID) async throws -> Bool {
        struct Row: Decodable { var parent_id: UUID? }
        var node: UUID? = parent
        for _ in 0..<50 {
            guard let current = node else { return false }
            if current == child { return true }
            node = try await sql.select().column("parent_id").from("accounts").where("id", .equal, SQLBind(current)).first(decoding: Row.self)?.parent_id
        }
        return true
    }
}
