import Fluent
import Foundation
import SQLKit

/// Customer Success: goals as the customer sees them (a tree, versioned on every reset), their KPIs and
/// measured values, agreements per side, one success plan per account with its milestones and share
/// link, usage roll-ups, the health model and every computed health score.
struct M005_Success: AsyncMigration {
    var name: String { "005_success" }

    func prepare(on db: any Database) async throws {
        try await db.schema("contracts").field("seats", .int).update()

        try await db.schema("goals").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("account_id", .uuid, .required, .references("accounts", "id", onDelete: .cascade))
            .field("parent_id", .uuid)
            .field("title", .string, .required)
            .field("description", .string)
            .field("horizon", .string, .required)
            .field("level", .string, .required)
            .field("vendor_owner_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("customer_owner_id", .uuid, .references("contacts", "id", onDelete: .setNull))
            .field("attainment", .string, .required)
            .field("revision", .int, .required)
            .field("version", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await db.schema("goal_versions").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("goal_id", .uuid, .required, .references("goals", "id", onDelete: .cascade))
            .field("revision", .int, .required)
            .field("snapshot", .string, .required)
            .field("reason", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "goal_id", "revision")
            .create()
        try await db.schema("goal_kpis").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("goal_id", .uuid, .required, .references("goals", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("unit", .string, .required)
            .field("baseline", .double, .required)
            .field("baseline_on", .string, .required)
            .field("target", .double, .required)
            .field("deadline", .string, .required)
            .field("source", .string, .required)
            .field("source_ref", .string)
            .field("version", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await db.schema("kpi_measurements").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("kpi_id", .uuid, .required, .references("goal_kpis", "id", onDelete: .cascade))
            .field("measured_on", .string, .required)
            .field("value", .double, .required)
            .field("source", .string, .required)
            .field("note", .string)
            .field("recorded_by", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await db.schema("goal_agreements").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("goal_id", .uuid, .required, .references("goals", "id", onDelete: .cascade))
            .field("revision", .int, .required)
            .field("stage", .string, .required)
            .field("side", .string, .required)
            .field("attainment", .string)
            .field("by_name", .string, .required)
            .field("via", .string, .required)
            .field("note", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "goal_id", "revision", "stage", "side")
            .create()
        try await db.schema("success_plans").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("account_id", .uuid, .required, .references("accounts", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("vendor_owner_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("customer_owner_id", .uuid, .references("contacts", "id", onDelete: .setNull))
            .field("priorities", .string, .required)
            .field("budget_minor", .int64)
            .field("currency", .string)
            .field("promised", .string)
            .field("realistic", .string)
            .field("phases", .string, .required)
            .field("visibility", .string, .required)
            .field("share_hash", .string)
            .field("shared_at", .datetime)
            .field("version", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "account_id")
            .unique(on: "share_hash")
            .create()
        try await db.schema("plan_milestones").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("plan_id", .uuid, .required, .references("success_plans", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("phase", .string, .required)
            .field("due_on", .string, .required)
            .field("done_on", .string)
            .field("created_at", .datetime)
            .create()

        let sql = db as! any SQLDatabase
        let uuid = sql.dialect.name == "sqlite" ? "BLOB" : "UUID"
        let withoutRowID = sql.dialect.name == "sqlite" ? " WITHOUT ROWID" : ""
        // Usage as daily counts per account and feature, and who was active in which week (days and
        // weeks counted from 1970-01-01), so active users over any run of weeks are exact.
        for statement in [
            """
            CREATE TABLE usage_daily (
              workspace_id \(uuid) NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
              account_id \(uuid) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
              day INTEGER NOT NULL, feature TEXT NOT NULL, events BIGINT NOT NULL,
              PRIMARY KEY (workspace_id, account_id, day, feature))\(withoutRowID)
            """,
            """
            CREATE TABLE usage_user_weeks (
              workspace_id \(uuid) NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
              account_id \(uuid) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
              week INTEGER NOT NULL, user_key TEXT NOT NULL,
              PRIMARY KEY (workspace_id, account_id, week, user_key))\(withoutRowID)
            """,
            """
            CREATE TABLE usage_batches (
              workspace_id \(uuid) NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
              batch_id TEXT NOT NULL, events INTEGER NOT NULL, received_at DOUBLE PRECISION NOT NULL,
              PRIMARY KEY (workspace_id, batch_id))\(withoutRowID)
            """,
            "CREATE INDEX usage_daily_day ON usage_daily (workspace_id, day)",
            "CREATE INDEX usage_weeks_week ON usage_user_weeks (workspace_id, week)",
            "CREATE INDEX goals_account ON goals (workspace_id, account_id)",
            "CREATE INDEX kpis_goal ON goal_kpis (goal_id)",
            "CREATE INDEX measurements_kpi ON kpi_measurements (kpi_id, measured_on)",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }

        try await db.schema("health_models").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("segment", .string, .required)
            .field("model", .string, .required)
            .field("version", .int, .required)
            .field("updated_at", .datetime)
            .unique(on: "workspace_id", "segment")
            .create()
        try await db.schema("health_scores").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("account_id", .uuid, .required, .references("accounts", "id", onDelete: .cascade))
            .field("computed_on", .string, .required)
            .field("score", .double)
            .field("band", .string)
            .field("detail", .string, .required)
            .unique(on: "account_id", "computed_on")
            .create()
        try await sql.raw("CREATE INDEX health_day ON health_scores (workspace_id, computed_on)").run()
    }

    func revert(on db: any Database) async throws {
        for table in ["health_scores", "health_models", "usage_batches", "usage_user_weeks", "usage_daily", "plan_milestones",
                      "success_plans", "goal_agreements", "kpi_measurements", "goal_kpis", "goal_versions", "goals"] {
            try await db.schema(table).delete()
        }
        try await db.schema("contracts").deleteField("seats").update()
    }
}
