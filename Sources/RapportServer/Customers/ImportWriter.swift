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
        let names = Self.insertColumns(entity)
        let fallbacks = self.fallbacks
        var ids = UUID.timeOrdered(count: rows.count, at: now)[...]
        var inserts: [[any Encodable & Sendable]] = []
        inserts.reserveCapacity(rows.count)
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
                for (name, value) in zip(names, columns) { if let value { update.set(SQLIdentifier(name), to: SQLBind(value)) } }
                update.set(SQLIdentifier("version"), to: SQLRaw("version + 1"))
                update.set(SQLIdentifier("updated_at"), to: SQLBind(now))
                try await update.where("id", .equal, SQLBind(found.id)).run()
                if entity == .accounts { noteParent(row, id: found.id) }
                report.updated += 1
            } else {
                let id = ids.popFirst()!
                var insert: [any Encodable & Sendable] = [id, ws]
                insert.reserveCapacity(names.count + 5)
                for (value, fallback) in zip(columns, fallbacks) { insert.append(value ?? fallback) }
                insert.append(1); insert.append(now); insert.append(now)
                inserts.append(insert)
                if entity == .accounts { noteParent(row, id: id); if let ext = v.text("external_id") { accountIDs[ext] = id } }
                report.created += 1
            }
        }
        guard !inserts.isEmpty else { return }
        try await BulkInsert.run(db, table: entity.table, columns: ["id", "workspace_id"] + names + ["version", "created_at", "updated_at"], rows: inserts)
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
    static func insertColumns(_ entity: ImportEntity) -> [String] {
        switch entity {
        case .accounts: accountColumns
        case .contacts: contactColumns
        case .contracts: contractColumns
        case .touchpoints: []   // imported row by row (`Importer.runTouchpoints`)
        }
    }
    private static let accountColumns = ["external_id", "name", "search_text", "kind", "segment", "industry", "country", "size", "coverage_model", "owner_id", "attributes"]
    private static let contactColumns = ["external_id", "account_id", "first_name", "last_name", "search_text", "email", "phone", "role", "stakeholder_side", "language", "channel_preferences"]
    private static let contractColumns = ["external_id", "account_id", "product", "start_date", "end_date", "renewal_date", "arr_minor", "currency", "status", "seats"]
    /// Where `references` puts the owner (accounts) or the account (contacts, contracts).
    private static let ownerSlot = accountColumns.firstIndex(of: "owner_id")!
    private static let contactAccountSlot = contactColumns.firstIndex(of: "account_id")!
    private static let contractAccountSlot = contractColumns.firstIndex(of: "account_id")!

    /// What a row stores from its own cells, one slot per `insertColumns` (nil: the file left it
    /// empty; an update leaves such a column alone, an insert takes its default). Computed while the
    /// row is validated, so the writer's path only adds what needs the database: owners and accounts.
    static func columns(_ entity: ImportEntity, _ v: [String: FieldValue], attributes: [String: String]?, sqlite: Bool) throws -> [(any Encodable & Sendable)?] {
        try insertColumns(entity).map { name -> (any Encodable & Sendable)? in
            switch name {
            case "owner_id", "account_id": return nil   // `references`
            case "search_text" where entity == .accounts: return v.text("name").map { searchKey($0, v.text("external_id")) }
            case "search_text": return searchKey(v.text("first_name"), v.text("last_name"), v.text("email"), v.text("external_id"))
            case "attributes": return attributes.map { json($0, sqlite: sqlite) }
            case "channel_preferences": return v.list(name).map { json($0, sqlite: sqlite) }
            case "start_date", "end_date", "renewal_date": return v.date(name)?.iso
            case "arr_minor": return try v.decimal("arr").map { try Money.minor($0, field: "arr") }
            case "seats": return v.integer(name)
            default: return v.text(name)
            }
        }
    }

    /// The columns that refer to other records: an account's owner, a contact's or contract's account.
    private func references(_ v: [String: FieldValue], into c: inout [(any Encodable & Sendable)?]) throws {
        switch entity {
        case .accounts:
            if let email = v.text("owner_email") {
                guard let owner = ownerIDs[email] ?? nil else { throw AppError.invalid("owner_email", "'\(email)' is not a member of this workspace") }
                c[Self.ownerSlot] = owner
            }
        case .contacts:
            if let account = try accountReference(v) { c[Self.contactAccountSlot] = account }
        case .contracts:
            guard let account = try accountReference(v) else { throw AppError.invalid("account_external_id", "is required: every contract belongs to an account") }
            c[Self.contractAccountSlot] = account
        case .touchpoints:
            break
        }
    }

    /// What a new row gets where the file left a column empty, per `insertColumns`.
    private var fallbacks: [any Encodable & Sendable] {
        Self.insertColumns(entity).map { name -> any Encodable & Sendable in
            switch name {
            case "kind": AccountKind.business.rawValue
            case "coverage_model": CoverageModel.techTouch.rawValue
            case "attributes": Self.json([String: String](), sqlite: sqlite)
            case "stakeholder_side": StakeholderSide.customer.rawValue
            case "channel_preferences": Self.json([String](), sqlite: sqlite)
            case "status": ContractStatus.active.rawValue
            case "owner_id", "account_id": UUID?.none
            case "seats", "arr_minor": Int?.none
            default: String?.none
            }
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
