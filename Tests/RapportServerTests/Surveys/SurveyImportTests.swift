import Fluent
import Foundation
import RapportKit
import Testing
import Vapor
import VaporTesting
@testable import RapportServer

@Suite("Survey CSV import")
struct SurveyImportTests {
    static func file(_ text: String) throws -> CSVReader {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try CSVReader(path: path)
    }

    @Test("UTC timestamps are read without a parser exactly as Foundation's ISO 8601 parser reads them")
    func utcTimestamps() throws {
        for t in ["2026-11-23T14:05:00Z", "2024-02-29T23:59:59Z", "1999-12-31T00:00:00Z", "2026-03-29T01:30:00Z"] {
            #expect(SurveyImport.utc(t) == (try Date(t, strategy: .iso8601)), "\(t)")
            #expect(SurveyImport.date(t) == (try Date(t, strategy: .iso8601)), "\(t)")
        }
        for bad in ["2026-11-23T24:00:00Z", "2026-02-30T10:00:00Z", "2026-11-23T14:60:00Z", "2026-11-23T14:05:0aZ", "2026-11-23 14:05:00Z", "2026-11-23T14:05:00+01:00"] {
            #expect(SurveyImport.utc(bad) == nil, "\(bad)")
        }
        // Other shapes still go through the parser.
        #expect(SurveyImport.date("2026-11-23T15:05:00+01:00") == SurveyImport.utc("2026-11-23T14:05:00Z"))
    }

    @Test("events from a file are decided like API events; bad rows are named by line", arguments: TestDB.all)
    func events(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SurveySetup.make(app, slug: "csv-events")
            try await s.contact("C-1")
            try await s.contact("C-2", consent: false)
            let ws = try await Workspaces.find(slug: "csv-events", on: app.db)
            let reader = try Self.file("""
                type,external_id,contact_external_id,occurred_at,claim_type
                service_contact_closed,e-1,C-1,2026-11-20T10:00:00Z,Kfz
                service_contact_closed,e-2,C-2,20.11.2026 11:00,Hausrat
                service_contact_closed,e-3,C-404,2026-11-20,Kfz
                service_contact_closed,e-4,C-1,gestern,Kfz
                service_contact_closed,e-1,C-1,2026-11-20T10:00:00Z,Kfz
                """)
            let r = try await SurveyImport.events(reader, scope: Scope(workspaceID: ws.id!, db: app.db), caller: .system(ws))
            #expect(r.rows == 5 && r.stored == 2 && r.duplicates == 1 && r.refused == 2)
            #expect(r.problems == ["line 4: contact_external_id: no contact with external id 'C-404' in this workspace",
                                   "line 5: occurred_at: 'gestern' is not a date such as 2026-11-23T14:05:00Z or 23.11.2026 14:05"])
            #expect(r.decisions == ["invited": 1, "no_consent": 1])
            let stored = try await CustomerEvent.query(on: app.db).filter(\.$externalID == "e-2").first()
            #expect(stored?.attributes == "{\"claim_type\":\"Hausrat\"}")
        }
    }

    @Test("historical responses: columns are questions, cells are checked, repeats are skipped", arguments: TestDB.all)
    func responses(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SurveySetup.make(app, slug: "csv-resp")
            try await s.contact("H-1")
            let ws = try await Workspaces.find(slug: "csv-resp", on: app.db)
            let scope = Scope(workspaceID: ws.id!, db: app.db)
            let survey = try await scope.find(Survey.self, UUID(uuidString: s.survey.id))
            let bad = try Self.file("external_id,nps,colour\nx,1,blue\n")
            await #expect(throws: AppError.self) { try await SurveyImport.responses(bad, survey: survey, scope: scope, caller: .system(ws)) }

            let reader = try Self.file("""
                external_id;contact_external_id;submitted_at;language;nps;disappointed;delighted;aspect
                old-1;H-1;2025-03-01;de;4;Zu langsam;;speed
                old-2;;2025-03-02;en;10;;Great;friendliness
                old-3;;2025-03-03;de;elf;;;
                old-4;;2025-03-04;de;9;Nichts;;
                old-1;H-1;2025-03-01;de;4;Zu langsam;;speed
                """)
            let r = try await SurveyImport.responses(reader, survey: survey, scope: scope, caller: .system(ws))
            #expect(r.rows == 5 && r.stored == 2 && r.duplicates == 1 && r.refused == 2)
            #expect(r.problems.first == "line 4: nps: 'elf' is not a whole number")
            #expect(r.problems.last?.hasPrefix("line 5: answers.disappointed: is not asked here") == true)
            let old = try await SurveyResponse.query(on: app.db).filter(\.$externalID == "old-1").first()
            #expect(old?.source == "import" && old?.decodedAnswers["aspect"] == .text("speed") && old?.contactID != nil)

            // Small batches, so that one is stored while the next is read: repeats across batches and of
            // the earlier import, a refusal in the middle batch, problems named by line.
            let more = try Self.file("""
                external_id,nps,delighted
                new-1,9,Gut
                new-2,10,Sehr gut
                new-3,elf,
                old-2,10,
                new-1,9,Gut
                new-4,8,Okay
                """)
            let m = try await SurveyImport.responses(more, survey: survey, scope: scope, caller: .system(ws), batchSize: 2)
            #expect(m.rows == 6 && m.stored == 3 && m.duplicates == 2 && m.refused == 1, "\(m)")
            #expect(m.problems == ["line 4: nps: 'elf' is not a whole number"])
            #expect(try await SurveyResponse.query(on: app.db).count() == 5)

            // A file that breaks after two batches: both are stored, then the error reaches the caller.
            let broken = try Self.file("external_id,nps\nb-1,9\nb-2,9\nb-3,9\nb-4,9\nb-5,\"9\n")
            await #expect(throws: (any Error).self) { try await SurveyImport.responses(broken, survey: survey, scope: scope, caller: .system(ws), batchSize: 2) }
            #expect(try await SurveyResponse.query(on: app.db).filter(\.$externalID ~~ ["b-1", "b-2", "b-3", "b-4"]).count() == 4)
        }
    }
}
