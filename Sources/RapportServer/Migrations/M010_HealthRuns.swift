import Fluent
import SQLKit

/// One row per workspace and day on which every account's health was computed: by the daily schedule
/// (the row is the claim, so nodes sharing a database compute a day once) or by hand.
struct M010_HealthRuns: AsyncMigration {
    var name: String { "010_health_runs" }

    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let sqlite = sql.dialect.name == "sqlite"
        try await sql.raw("""
            CREATE TABLE health_runs (
              workspace_id \(unsafeRaw: sqlite ? "BLOB" : "UUID") NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
              computed_on TEXT NOT NULL, origin TEXT NOT NULL, claimed_by TEXT NOT NULL,
              started_at DOUBLE PRECISION NOT NULL, finished_at DOUBLE PRECISION,
              accounts INTEGER, seconds DOUBLE PRECISION, error TEXT,
              PRIMARY KEY (workspace_id, computed_on))\(unsafeRaw: sqlite ? " WITHOUT ROWID" : "")
            """).run()
    }

    func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("DROP TABLE health_runs").run()
    }
}
