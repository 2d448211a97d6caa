import Fluent
import Foundation
import SQLKit

/// Measurement: the account's segment and market on each response (as they were when it was
/// answered, so roll-ups and a recount agree), incremental roll-ups of answer counts, the workspace's
/// guardrail and indices, frozen KPI snapshots, and an ambassador's unit.
struct M004_Measurement: AsyncMigration {
    var name: String { "004_measurement" }

    func prepare(on db: any Database) async throws {
        try await db.schema("survey_responses").field("segment", .string).update()
        try await db.schema("survey_responses").field("market", .string).update()
        try await db.schema("memberships").field("unit", .string).update()

        // Counts of answers per value 0…10 for every source (survey × touchpoint × channel), day or
        // month, segment and market, metric and question. Two levels: the full keys, and segment =
        // market = '*' so that views over everyone read one row per source and period.
        let sql = db as! any SQLDatabase
        let counts = (0...10).map { "c\($0) INTEGER NOT NULL" }.joined(separator: ", ")
        try await sql.raw(SQLQueryString("""
            CREATE TABLE metric_rollups (
              workspace_id \(unsafeRaw: sql.dialect.name == "sqlite" ? "BLOB" : "UUID") NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
              grain TEXT NOT NULL,
              period INTEGER NOT NULL,
              segment TEXT NOT NULL,
              market TEXT NOT NULL,
              metric TEXT NOT NULL,
              survey_id \(unsafeRaw: sql.dialect.name == "sqlite" ? "BLOB" : "UUID") NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
              touchpoint \(unsafeRaw: sql.dialect.name == "sqlite" ? "BLOB" : "UUID") NOT NULL,
              channel TEXT NOT NULL,
              question TEXT NOT NULL,
              scale_max INTEGER NOT NULL,
              n INTEGER NOT NULL,
              \(unsafeRaw: counts),
              PRIMARY KEY (workspace_id, grain, segment, market, metric, period, survey_id, touchpoint, channel, question, scale_max)
            )\(unsafeRaw: sql.dialect.name == "sqlite" ? " WITHOUT ROWID" : "")
            """)).run()
        try await sql.raw("CREATE INDEX rollups_survey ON metric_rollups (survey_id)").run()

        try await db.schema("measurement_settings").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("show_at", .int, .required)
            .field("bracket_at", .int, .required)
            .field("version", .int, .required)
            .field("updated_at", .datetime)
            .unique(on: "workspace_id")
            .create()
        try await db.schema("metric_indices").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("key", .string, .required)
            .field("name", .string, .required)
            .field("formula", .string, .required)
            .field("target", .double)
            .field("description", .string)
            .field("version", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "workspace_id", "key")
            .create()
        try await db.schema("kpi_snapshots").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("seq", .int, .required)
            .field("name", .string, .required)
            .field("spec", .string, .required)
            .field("value", .double)
            .field("n", .int, .required)
            .field("low", .double)
            .field("high", .double)
            .field("inputs_digest", .string, .required)
            .field("method_version", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime, .required)
            .field("prev_hash", .string, .required)
            .field("hash", .string, .required)
            .unique(on: "workspace_id", "seq")
            .create()
        try await sql.raw("CREATE INDEX responses_rollup ON survey_responses (workspace_id, status, submitted_at)").run()
    }

    func revert(on db: any Database) async throws {
        for table in ["kpi_snapshots", "metric_indices", "measurement_settings", "metric_rollups"] {
            try await db.schema(table).delete()
        }
        try await db.schema("memberships").deleteField("unit").update()
        try await db.schema("survey_responses").deleteField("market").update()
        try await db.schema("survey_responses").deleteField("segment").update()
    }
}
