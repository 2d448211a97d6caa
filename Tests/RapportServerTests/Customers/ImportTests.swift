import Fluent
import Foundation
import RapportKit
import Testing
import Vapor
@testable import RapportServer

@Suite("CSV import")
struct ImportTests {
    func run(_ app: Application, _ ws: Workspace, _ entity: ImportEntity, _ csv: String, mode: ImportMode = .allOrNothing) async throws -> ImportReport {
        try await runBytes(app, ws, entity, Data(csv.utf8), mode: mode)
    }

    func runBytes(_ app: Application, _ ws: Workspace, _ entity: ImportEntity, _ data: Data, mode: ImportMode = .allOrNothing) async throws -> ImportReport {
        let path = NSTemporaryDirectory() + "import-test-\(UUID().uuidString).csv"
        try data.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await Importer(entity: entity, mode: mode, caller: .system(ws), db: app.db, batchSize: 2).run(try CSVReader(path: path), source: "test.csv")
    }

    @Test("all or nothing: one bad row, nothing written, the row named by its line", arguments: TestDB.all)
    func allOrNothing(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let ws = try await Fixture(app: app).workspace("imp")
            let r = try await run(app, ws, .contacts, "external_id,name,email\nc1,Anna Muster,anna@example.org\nc2,Bad Row,not-an-email\nc3,Carl Cey,carl@example.org\n")
            #expect(!r.committed && r.refusedRows == 1 && r.created == 0)
            #expect(r.issues == [ImportIssue(line: 3, column: "email", message: r.issues.first?.message ?? "")])
            #expect(try await Contact.query(on: app.db).count() == 0)
        }
    }

    @Test("valid rows: the good ones land, the bad ones are reported; a second run upserts", arguments: TestDB.all)
    func validRowsAndUpsert(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let ws = try await Fixture(app: app).workspace("imp")
            let accounts = try await run(app, ws, .accounts, "external_id;name;country;coverage_model;attr.region\nA1;Müller GmbH;de;pooled;Süd\nA2;Kind AG;AT;high_touch;Ost\n")
            #expect(accounts.created == 2 && accounts.committed)
            let first = try await run(app, ws, .contacts, "external_id,account_external_id,first_name,last_name,email\nc1,A1,Anna,Muster,anna@example.org\nc2,A9,Bad,Ref,b@example.org\nc3,A2,Carl,Cey,carl@example.org\n", mode: .validRows)
            #expect(first.committed && first.created == 2 && first.refusedRows == 1)
            #expect(first.issues.first?.line == 3 && first.issues.first?.column == "account_external_id")
            let second = try await run(app, ws, .contacts, "external_id,last_name,email\nc1,Musterfrau,anna@example.org\nc4,Neu,\n")
            #expect(second.updated == 1 && second.created == 1)
            let anna = try await Contact.query(on: app.db).filter(\.$externalID == "c1").first()
            #expect(anna?.lastName == "Musterfrau" && anna?.firstName == "Anna" && anna?.version == 2)
            #expect(anna?.accountID != nil)
            let a1 = try await Account.query(on: app.db).filter(\.$externalID == "A1").first()
            #expect(a1?.attributes == ["region": "Süd"] && a1?.country == "DE")
        }
    }

    @Test("each kind of broken file gets its own clear message", arguments: TestDB.all)
    func brokenFiles(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let ws = try await Fixture(app: app).workspace("imp")
            let unknown = try await run(app, ws, .contacts, "external_id,last_name,e-mail\nc1,X,x@example.org\n")
            #expect(unknown.fatal?.message.contains("did you mean 'email'") == true)
            let missing = try await run(app, ws, .contracts, "external_id,product\nk1,P\n")
            #expect(missing.fatal?.message.contains("start_date") == true)
            var latin1 = Data("external_id,last_name\nc1,".utf8); latin1.append(contentsOf: [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72, 0x0A])
            let encoding = try await runBytes(app, ws, .contacts, latin1)
            #expect(encoding.fatal?.line == 2 && encoding.fatal?.message.contains("UTF-8") == true)
            let quoting = try await run(app, ws, .contacts, "external_id,last_name\nc1,\"Open quote\nc2,Fine\n")
            #expect(quoting.fatal?.line == 2)
            let duplicates = try await run(app, ws, .contacts, "external_id,last_name\nc1,A\nc1,B\n")
            #expect(duplicates.issues.first?.line == 3 && duplicates.issues.first?.column == "external_id")
            let fields = try await run(app, ws, .contacts, "external_id,last_name\nc1,A,extra\n")
            #expect(fields.issues.first?.message.contains("has 3 fields") == true)
            #expect(try await Contact.query(on: app.db).count() == 0)
        }
    }

    @Test("contracts import resolves accounts and checks dates and money", arguments: TestDB.all)
    func contracts(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let ws = try await Fixture(app: app).workspace("imp")
            _ = try await run(app, ws, .accounts, "external_id,name\nA1,Eins\n")
            let r = try await run(app, ws, .contracts, "external_id,account_external_id,product,start_date,renewal_date,arr,currency\nk1,A1,Cloud,2026-01-01,01.01.2027,\"1.234,56\",EUR\nk2,A1,Support,2026-05-01,2026-04-01,100.5,EUR\n", mode: .validRows)
            #expect(r.created == 1 && r.refusedRows == 1)
            #expect(r.issues.map { $0.column ?? "" } == ["renewal_date"])
            #expect(r.issues.first?.line == 3)
            let k1 = try await Contract.query(on: app.db).filter(\.$externalID == "k1").first()
            #expect(k1?.arrMinor == 123_456 && k1?.renewalDate == "2027-01-01")
        }
    }
}
