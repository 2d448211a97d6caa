import Fluent
import Foundation
import SQLKit

/// Operating the Customer Success portfolio: tasks, meetings, playbooks and the occurrences they
/// acted on (one row per playbook, account and occurrence, so nothing is created twice), and advocacy.
struct M006_SuccessOperations: AsyncMigration {
    var name: String { "006_success_operations" }

    func prepare(on db: any Database) async throws {
        try await db.schema("meetings").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("account_id", .uuid, .required, .references("accounts", "id", onDelete: .cascade))
            .field("held_on", .string, .required)
            .field("title", .string, .required)
            .field("attendees", .string)
            .field("notes", .string)
            .field("decisions", .string)
            .field("expectations_checked", .bool, .required)
            .field("created_by", .string, .required)
            .field("version", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await db.schema("playbooks").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("trigger_kind", .string, .required)
            .field("trigger_value", .string, .required)
            .field("segment", .string)
            .field("tasks", .string, .required)
            .field("active", .bool, .required)
            .field("next_run_at", .datetime, .required)
            .field("version", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await db.schema("playbook_runs").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("playbook_id", .uuid, .required, .references("playbooks", "id", onDelete: .cascade))
            .field("account_id", .uuid, .required, .references("accounts", "id", onDelete: .cascade))
            .field("occurrence", .string, .required)
            .field("detail", .string, .required)
            .field("created_at", .datetime, .required)
            .field("resolved_at", .datetime)
            .unique(on: "playbook_id", "account_id", "occurrence")
            .create()
        try await db.schema("cs_tasks").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("account_id", .uuid, .required, .references("accounts", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("detail", .string)
            .field("owner_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("due_on", .string, .required)
            .field("status", .string, .required)
            .field("done_at", .datetime)
            .field("done_by", .string)
            .field("playbook_run_id", .uuid, .references("playbook_runs", "id", onDelete: .setNull))
            .field("meeting_id", .uuid, .references("meetings", "id", onDelete: .setNull))
            .field("created_by", .string, .required)
            .field("version", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await db.schema("advocacy_items").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("account_id", .uuid, .required, .references("accounts", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .references("contacts", "id", onDelete: .setNull))
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("title", .string, .required)
            .field("detail", .string)
            .field("feedback_id", .uuid, .references("feedback", "id", onDelete: .setNull))
            .field("created_by", .string, .required)
            .field("version", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        let sql = db as! any SQLDatabase
        for statement in [
            "CREATE INDEX tasks_owner ON cs_tasks (workspace_id, owner_id, status, due_on)",
            "CREATE INDEX tasks_account ON cs_tasks (workspace_id, account_id, status)",
            "CREATE INDEX meetings_account ON meetings (workspace_id, account_id, held_on)",
            "CREATE INDEX playbook_runs_open ON playbook_runs (playbook_id, account_id, resolved_at)",
            "CREATE INDEX advocacy_kind ON advocacy_items (workspace_id, kind, status)",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    func revert(on db: any Database) async throws {
        for table in ["advocacy_items", "cs_tasks", "playbook_runs", "playbooks", "meetings"] { try await db.schema(table).delete() }
    }
}
