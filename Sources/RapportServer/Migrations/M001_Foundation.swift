import Fluent
import SQLKit

/// Workspaces, people who log in, API tokens, the customer model, timeline, audit log and idempotency
/// keys. Append-only: later changes are new migrations, never edits of this one.
struct M001_Foundation: AsyncMigration {
    var name: String { "001_foundation" }

    func prepare(on db: any Database) async throws {
        try await db.schema("workspaces").id()
            .field("slug", .string, .required).unique(on: "slug")
            .field("name", .string, .required)
            .field("time_zone", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await db.schema("users").id()
            .field("email", .string, .required).unique(on: "email")
            .field("name", .string, .required)
            .field("password_hash", .string, .required)
            .field("locale", .string)
            .field("created_at", .datetime)
            .create()
        try await db.schema("memberships").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("role", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "workspace_id", "user_id")
            .create()
        try await db.schema("api_tokens").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("role", .string, .required)
            .field("token_hash", .string, .required).unique(on: "token_hash")
            .field("hint", .string, .required)
            .field("created_by", .uuid)
            .field("created_at", .datetime)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .create()
        try await db.schema("login_attempts").id()
            .field("email", .string, .required)
            .field("succeeded", .bool, .required)
            .field("at", .datetime, .required)
            .create()

        try await db.schema("accounts").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("external_id", .string)
            .field("name", .string, .required)
            .field("search_text", .string, .required)
            .field("kind", .string, .required)
            .field("parent_id", .uuid, .references("accounts", "id", onDelete: .setNull))
            .field("segment", .string)
            .field("industry", .string)
            .field("country", .string)
            .field("size", .string)
            .field("coverage_model", .string, .required)
            .field("owner_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("attributes", .dictionary(of: .string), .required)
            .field("version", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "workspace_id", "external_id")
            .create()
        try await db.schema("contacts").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("account_id", .uuid, .references("accounts", "id", onDelete: .setNull))
            .field("external_id", .string)
            .field("first_name", .string)
            .field("last_name", .string, .required)
            .field("search_text", .string, .required)
            .field("email", .string)
            .field("phone", .string)
            .field("role", .string)
            .field("stakeholder_side", .string, .required)
            .field("language", .string)
            .field("channel_preferences", .array(of: .string), .required)
            .field("erased_at", .datetime)
            .field("version", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "workspace_id", "external_id")
            .create()
        try await db.schema("consents").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("purpose", .string, .required)
            .field("channel", .string, .required)
            .field("status", .string, .required)
            .field("source", .string, .required)
            .field("recorded_at", .datetime, .required)
            .field("recorded_by", .string)
            .create()
        try await db.schema("contracts").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("account_id", .uuid, .required, .references("accounts", "id", onDelete: .cascade))
            .field("external_id", .string)
            .field("product", .string, .required)
            .field("start_date", .string, .required)
            .field("end_date", .string)
            .field("renewal_date", .string)
            .field("arr_minor", .int64, .required)
            .field("currency", .string, .required)
            .field("status", .string, .required)
            .field("version", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "workspace_id", "external_id")
            .create()
        try await db.schema("contract_events").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("contract_id", .uuid, .required, .references("contracts", "id", onDelete: .cascade))
            .field("account_id", .uuid, .required, .references("accounts", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("occurred_on", .string, .required)
            .field("arr_delta_minor", .int64, .required)
            .field("reason", .string)
            .field("created_at", .datetime)
            .create()
        try await db.schema("timeline_events").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("account_id", .uuid, .references("accounts", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .references("contacts", "id", onDelete: .cascade))
            .field("occurred_at", .datetime, .required)
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("detail", .string)
            .field("subject_type", .string)
            .field("subject_id", .uuid)
            .create()
        try await db.schema("audit_log").id()
            .field("workspace_id", .uuid, .references("workspaces", "id", onDelete: .cascade))
            .field("actor", .string, .required)
            .field("action", .string, .required)
            .field("entity_type", .string, .required)
            .field("entity_id", .uuid)
            .field("before", .string)
            .field("after", .string)
            .field("at", .datetime, .required)
            .create()
        try await db.schema("idempotency_keys").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("key", .string, .required)
            .field("fingerprint", .string, .required)
            .field("status_code", .int)
            .field("content_type", .string)
            .field("body", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "workspace_id", "key")
            .create()

        // The indexes every list, filter and timeline relies on. Plain CREATE INDEX reads the same on
        // SQLite and PostgreSQL.
        let sql = db as! any SQLDatabase
        for statement in [
            "CREATE INDEX accounts_ws_search ON accounts (workspace_id, search_text, id)",
            "CREATE INDEX accounts_ws_created ON accounts (workspace_id, created_at, id)",
            "CREATE INDEX accounts_parent ON accounts (parent_id)",
            "CREATE INDEX accounts_ws_segment ON accounts (workspace_id, segment)",
            "CREATE INDEX contacts_ws_last_name ON contacts (workspace_id, last_name, id)",
            "CREATE INDEX contacts_ws_account ON contacts (workspace_id, account_id, last_name, id)",
            "CREATE INDEX contacts_ws_email ON contacts (workspace_id, email)",
            "CREATE INDEX consents_contact ON consents (workspace_id, contact_id, recorded_at)",
            "CREATE INDEX contracts_ws_account ON contracts (workspace_id, account_id)",
            "CREATE INDEX contracts_ws_renewal ON contracts (workspace_id, renewal_date, id)",
            "CREATE INDEX contract_events_contract ON contract_events (workspace_id, contract_id, occurred_on)",
            "CREATE INDEX timeline_account ON timeline_events (workspace_id, account_id, occurred_at)",
            "CREATE INDEX timeline_contact ON timeline_events (workspace_id, contact_id, occurred_at)",
            "CREATE INDEX audit_ws_at ON audit_log (workspace_id, at)",
            "CREATE INDEX login_attempts_email_at ON login_attempts (email, at)",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    func revert(on db: any Database) async throws {
        for table in ["idempotency_keys", "audit_log", "timeline_events", "contract_events", "contracts", "consents",
                      "contacts", "accounts", "login_attempts", "api_tokens", "memberships", "users", "workspaces"] {
            try await db.schema(table).delete()
        }
    }
}

enum Migrations {
    /// The one list of migrations, in order.
    static let all: [any Migration] = [M001_Foundation(), M002_Journeys(), M003_Surveys(), M004_Measurement(), M005_Success(), M006_SuccessOperations(), M007_PortfolioIndex(), M008_HealthUsageFacts(), M009_UsageDayFirst(), M010_HealthRuns(), M011_MilestonesByPlan(), M012_UsageKeysPerBatch()]
}
