import Fluent
import Foundation
import RapportKit
import Vapor

/// Writes a workspace's customer data as CSV in the import format, page by page (never the whole
/// table in memory). References are written as external ids where there are any, so the files import
/// into another workspace too.
struct Exporter {
    let workspaceID: UUID
    let db: any Database
    let pageSize = 2000

    func writeAll(to directory: String) async throws -> [String] {
        let scope = Scope(workspaceID: workspaceID, db: db)
        // Accounts are few next to contacts: their id → external id map serves the other two files.
        var accountExternal: [UUID: String] = [:]
        var attributeNames = Set<String>()
        var ownerIDs = Set<UUID>()
        try await pages(scope.query(Account.self)) {
            for a in $0 {
                if let e = a.externalID { accountExternal[a.id!] = e }
                attributeNames.formUnion(a.attributes.keys)
                if let o = a.ownerID { ownerIDs.insert(o) }
            }
        }
        // Only the people this workspace's accounts name, not every user of the installation.
        let owners = ownerIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await User.query(on: db).filter(\.$id ~~ ownerIDs).all().map { ($0.id!, $0.email) })
        let attrs = attributeNames.sorted()
        var lines: [String] = []

        func ref(_ id: UUID?) -> (String, String) {
            guard let id else { return ("", "") }
            return accountExternal[id].map { ("", $0) } ?? (id.uuidString.lowercased(), "")
        }

        lines.append(try await file(directory + "/accounts.csv", header: CustomerSchemas.account.names + attrs.map { "attr." + $0 }, query: scope.query(Account.self)) { a in
            let parent = ref(a.parentID)
            return [a.externalID ?? "", a.name, a.kind, parent.0, parent.1, a.segment ?? "", a.industry ?? "", a.country ?? "", a.size ?? "",
                    a.coverageModel, a.ownerID.flatMap { owners[$0] } ?? ""] + attrs.map { a.attributes[$0] ?? "" }
        })
        lines.append(try await file(directory + "/contacts.csv", header: CustomerSchemas.contact.names.filter { $0 != "name" }, query: scope.query(Contact.self).filter(\.$erasedAt == nil)) { c in
            let account = ref(c.accountID)
            return [c.externalID ?? "", account.0, account.1, c.firstName ?? "", c.lastName, c.email ?? "", c.phone ?? "", c.role ?? "",
                    c.stakeholderSide, c.language ?? "", c.channelPreferences.joined(separator: ",")]
        })
        lines.append(try await file(directory + "/contracts.csv", header: CustomerSchemas.contract.names, query: scope.query(Contract.self)) { c in
            let account = ref(c.accountID)
            return [c.externalID ?? "", account.0, account.1, c.product, c.startDate, c.endDate ?? "", c.renewalDate ?? "",
                    "\(Money.amount(c.arrMinor))", c.currency, c.status, c.seats.map(String.init) ?? ""]
        })
        // The touchpoint register is thousands of rows, and each row names its journey and phases.
        let touchpoints = try await TouchpointsAPI.dtos(records: try await TouchpointReads.records(scope: scope), scope: scope)
        try TouchpointCSV.text(touchpoints).write(toFile: directory + "/touchpoints.csv", atomically: true, encoding: .utf8)
        lines.append(directory + "/touchpoints.csv: \(touchpoints.count) rows")
        return lines
    }

    private func pages<M: TenantModel>(_ query: QueryBuilder<M>, _ body: ([M]) async throws -> Void) async throws {
        var after: UUID?
        while true {
            let q = query.copy().sort(\._$id).limit(pageSize)
            if let after { q.filter(\._$id > after) }
            let rows = try await q.all()
            if rows.isEmpty { return }
            try await body(rows)
            after = rows.last?.id
        }
    }

    private func file<M: TenantModel>(_ path: String, header: [String], query: QueryBuilder<M>, row: @escaping (M) -> [String]) async throws -> String {
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw AppError.badRequest("Cannot write \(path).") }
        defer { try? handle.close() }
        let writer = CSVWriter()
        handle.write(Data(writer.line(header).utf8))
        var count = 0
        try await pages(query) { rows in
            var chunk = ""
            for r in rows { chunk += writer.line(row(r)) }
            handle.write(Data(chunk.utf8))
            count += rows.count
        }
        return "\(path): \(count) rows"
    }
}
