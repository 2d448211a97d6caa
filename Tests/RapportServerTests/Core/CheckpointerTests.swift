import Foundation
import SQLKit
import Testing
import Vapor
@testable import RapportServer

@Suite("SQLite checkpoints")
struct CheckpointerTests {
    @Test("a running node copies SQLite's log back into the database file itself, outside the requests that wrote")
    func background() async throws {
        let dir = NSTemporaryDirectory() + "rapport-ckpt-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var settings = Settings()
        settings.database = .sqlite(path: dir + "/rapport.sqlite")
        settings.logLevel = "warning"
        let app = try await Application.make(.testing)
        do {
            try await configure(app, settings: settings)
            try await app.autoMigrate()
            try await app.asyncBoot()
            struct Pages: Decodable { var wal_autocheckpoint: Int }
            // The pool's connections leave the copying to the loop.
            for conn in app.sqliteConnections() {
                #expect(try await conn.raw("PRAGMA wal_autocheckpoint").first(decoding: Pages.self)?.wal_autocheckpoint == Checkpointer.ownCheckpointPages)
            }
            func size() throws -> Int { (try FileManager.default.attributesOfItem(atPath: dir + "/rapport.sqlite")[.size] as? Int) ?? 0 }
            try await app.db.sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").run()   // the migrations' pages
            let before = try size()
            // About 600 pages: below even SQLite's default limit of 1,000, so only the loop copies them
            // (in WAL mode the database file grows only when a checkpoint copies pages into it).
            try await app.db.sql.raw("CREATE TABLE scratch (x BLOB)").run()
            try await app.db.sql.raw("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) INSERT INTO scratch SELECT randomblob(100) FROM n").run()
            var grown = false
            for _ in 0..<50 where !grown {
                try await Task.sleep(for: .milliseconds(100))
                grown = try size() > before + 1_500_000
            }
            let after = try size()
            #expect(grown, "the database file stayed at \(after) bytes (\(before) before)")
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}
