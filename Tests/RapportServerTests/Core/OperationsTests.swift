import Foundation
import SQLKit
import Testing
@testable import RapportServer

/// The CLI verbs are thin wrappers over `Operations`; these run them end to end on a SQLite file.
@Suite("CLI operations", .serialized)
struct OperationsTests {
    func scratch() throws -> (Settings, String) {
        let dir = NSTemporaryDirectory() + "rapport-ops-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var s = Settings()
        s.database = .sqlite(path: dir + "/rapport.sqlite")
        s.bcryptCost = 4
        return (s, dir)
    }

    @Test("workspace, user, token, import, export, re-import elsewhere, backup")
    func roundTrip() async throws {
        let (settings, dir) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await Operations.createWorkspace(settings, slug: "acme", name: "Acme", timeZone: "Europe/Vienna")
        try await Operations.createUser(settings, workspace: "acme", email: "ops@acme.example", name: "Ops", role: "admin", password: "long enough password")
        await #expect(throws: (any Error).self) { try await Operations.createUser(settings, workspace: "acme", email: "x@acme.example", name: "X", role: "boss", password: "long enough password") }
        let token = try await Operations.createToken(settings, workspace: "acme", role: "analyst", name: "ci")
        #expect(token.hasPrefix("rpt_") && token.count == 44)
        await #expect(throws: (any Error).self) { try await Operations.createToken(settings, workspace: "nope", role: "admin", name: "x") }

        try "external_id,name,country\nA1,Eins GmbH,DE\nA2,Zwei AG,CH\n".write(toFile: dir + "/a.csv", atomically: true, encoding: .utf8)
        try "external_id;account_external_id;name;email\nc1;A1;Anna Muster;anna@example.org\nc2;A2;Bad Row;not-an-email\n".write(toFile: dir + "/c.csv", atomically: true, encoding: .utf8)
        let accounts = try await Operations.importFile(settings, entity: "accounts", path: dir + "/a.csv", workspace: "acme", validRowsOnly: false, delimiter: nil, progress: nil)
        #expect(accounts.ok && accounts.summary.contains("2 created"))
        let strict = try await Operations.importFile(settings, entity: "contacts", path: dir + "/c.csv", workspace: "acme", validRowsOnly: false, delimiter: nil, progress: nil)
        #expect(!strict.ok && strict.problems == ["row 3, column 'email': 'not-an-email' is not an e-mail address: it has no '@'"])
        let lenient = try await Operations.importFile(settings, entity: "contacts", path: dir + "/c.csv", workspace: "acme", validRowsOnly: true, delimiter: nil, progress: nil)
        #expect(!lenient.ok && lenient.summary.contains("1 created"))

        try "external_id,name,channel,products,feedback_measured\nT1,Brief: Bestätigung,Brief,\"Kfz, Hausrat\",ja\n".write(toFile: dir + "/t.csv", atomically: true, encoding: .utf8)
        let touchpoints = try await Operations.importFile(settings, entity: "touchpoints", path: dir + "/t.csv", workspace: "acme", validRowsOnly: false, delimiter: nil, progress: nil)
        #expect(touchpoints.ok && touchpoints.summary.contains("1 created"))

        let files = try await Operations.export(settings, workspace: "acme", directory: dir + "/export")
        #expect(files.count == 4)
        try await Operations.createWorkspace(settings, slug: "copy", name: "Copy", timeZone: "Europe/Berlin")
        for entity in ["accounts", "contacts", "contracts", "touchpoints"] {
            let r = try await Operations.importFile(settings, entity: entity, path: dir + "/export/\(entity).csv", workspace: "copy", validRowsOnly: false, delimiter: nil, progress: nil)
            #expect(r.ok, "\(entity): \(r.problems)")
        }
        let copied = try String(contentsOfFile: dir + "/export/contacts.csv", encoding: .utf8)
        #expect(copied.contains("c1,,A1,Anna,Muster,anna@example.org"))
        let register = try String(contentsOfFile: dir + "/export/touchpoints.csv", encoding: .utf8)
        #expect(register.contains("T1,brief-bestaetigung,Brief: Bestätigung,,,letter,,,,\"Kfz, Hausrat\",,yes"))

        try await Operations.backup(settings, to: dir + "/backup.sqlite")
        #expect(FileManager.default.fileExists(atPath: dir + "/backup.sqlite"))
        await #expect(throws: (any Error).self) { try await Operations.backup(settings, to: dir + "/backup.sqlite") }
        var backup = settings
        backup.database = .sqlite(path: dir + "/backup.sqlite")
        let fromBackup = try await Operations.createToken(backup, workspace: "copy", role: "viewer", name: "restored")
        #expect(fromBackup.hasPrefix("rpt_"))
    }

    @Test("password reset lifts a lock-out; PostgreSQL backups point to pg_dump")
    func resetAndBackupAdvice() async throws {
        let (settings, dir) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await Operations.createWorkspace(settings, slug: "acme", name: "Acme", timeZone: "Europe/Berlin")
        try await Operations.createUser(settings, workspace: "acme", email: "a@acme.example", name: "A", role: "viewer", password: "first password!")
        await #expect(throws: (any Error).self) { try await Operations.resetPassword(settings, email: "a@acme.example", password: "short") }
        try await Operations.resetPassword(settings, email: "a@acme.example", password: "second password!")
        var pg = settings
        pg.database = .postgres(url: "postgres://u:p@127.0.0.1:1/x")
        do { try await Operations.backup(pg, to: dir + "/x"); Issue.record("backup of PostgreSQL did not refuse") }
        catch { #expect(Runtime.message(for: error).contains("pg_dump")) }
    }

    @Test("SQLite's planner statistics follow a table that outgrew them")
    func plannerStatistics() async throws {
        try await withTestApp(.sqlite) { app in
            let sql = app.db.sql
            try await sql.raw("CREATE TABLE stats_probe (id INTEGER PRIMARY KEY, k TEXT)").run()
            try await sql.raw("CREATE INDEX stats_probe_k ON stats_probe (k)").run()
            try await sql.raw("INSERT INTO stats_probe (k) VALUES ('a'), ('b'), ('c')").run()
            try await sql.raw("ANALYZE stats_probe").run()
            try await sql.raw("""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000) INSERT INTO stats_probe (k) SELECT 'k' || i FROM n
                """).run()
            struct Stat: Decodable { var stat: String }
            func rows() async throws -> Int {
                let stat = try await sql.raw("SELECT stat FROM sqlite_stat1 WHERE tbl = 'stats_probe' AND idx = 'stats_probe_k'").first(decoding: Stat.self)?.stat
                return Int(stat?.split(separator: " ").first ?? "") ?? -1
            }
            #expect(try await rows() == 3)
            try await app.refreshSQLiteStatistics()
            #expect(try await rows() > 10_000)
        }
    }

    /// `rapport bench success` seeds in SQL written per dialect, then `rapport import usage` adds to
    /// what it seeded; run on a SQLite file and, when the test command provides one, on PostgreSQL.
    @Test("bench seeding, usage import and health recompute", arguments: TestDB.all)
    func benchSuccess(_ db: TestDB) async throws {
        var (settings, dir) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        if db == .postgres {
            settings.database = .postgres(url: TestDB.postgresURL!)
            settings.databaseSchema = "t_bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        }
        let (seeded, recompute) = try await Operations.seedBenchSuccess(settings, workspace: "bench-cs", accounts: 30, days: 20) { _ in }
        #expect(seeded >= 0 && recompute >= 0)
        let counts = try await Runtime.withApp(settings) { app -> (Int, Int, Int) in
            struct N: Decodable { var n: Int }
            func n(_ table: String) async throws -> Int { try await app.db.sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first(decoding: N.self)!.n }
            return (try await n("usage_daily"), try await n("usage_user_weeks"), try await n("health_scores"))
        }
        #expect(counts.0 >= 30 * 20 && counts.0 <= 30 * 20 * 2, "one or two features a day per account")
        #expect(counts.1 > 0 && counts.2 == 30)
        try "account_external_id,user,feature,count,time\nBENCH-1,anna,claims,2,2026-01-05T10:00:00Z\nBENCH-2,ben,reports,1,2026-01-05\n"
            .write(toFile: dir + "/usage.csv", atomically: true, encoding: .utf8)
        let outcome = try await Operations.importUsage(settings, path: dir + "/usage.csv", workspace: "bench-cs", batchID: nil, progress: nil)
        #expect(outcome.ok && outcome.summary.hasPrefix("2 usage events stored for 2 accounts on 1 days"), "\(outcome.summary)")
        await #expect(throws: (any Error).self) { try await Operations.importUsage(settings, path: dir + "/usage.csv", workspace: "bench-cs", batchID: nil, progress: nil) }
        if let schema = settings.databaseSchema {
            try await Runtime.withApp(settings, migrate: false) { app in try await app.db.sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
        }
    }
}
