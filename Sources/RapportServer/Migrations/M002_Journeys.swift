import Foundation
import Fluent
import SQLKit

/// Journeys, their phases, the touchpoint registry with assessments and files, journey-map notes,
/// omnichannel maturity evidence, per-workspace channels and saved views. Timeline events learn to
/// point at a touchpoint and a phase, so later modules can record where something happened.
struct M002_Journeys: AsyncMigration {
    var name: String { "002_journeys" }

    func prepare(on db: any Database) async throws {
        try await db.schema("channels").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("slug", .string, .required)
            .field("name", .string, .required)
            .field("name_de", .string, .required)
            .field("position", .int, .required)
            .field("created_at", .datetime)
            .unique(on: "workspace_id", "slug")
            .create()
        try await db.schema("journeys").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("slug", .string, .required)
            .field("name", .string, .required)
            .field("search_text", .string, .required)
            .field("description", .string)
            .field("parent_journey_id", .uuid, .references("journeys", "id"))
            .field("variant_of_id", .uuid, .references("journeys", "id"))
            .field("variant_channel", .string)
            .field("segment", .string)
            .field("persona", .string)
            .field("owner_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("version", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "workspace_id", "slug")
            .create()
        try await db.schema("journey_phases").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("journey_id", .uuid, .required, .references("journeys", "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("slug", .string, .required)
            .field("name", .string, .required)
            .field("description", .string)
            .field("version", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "journey_id", "slug")
            .create()
        try await db.schema("touchpoints").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("external_id", .string)
            .field("slug", .string, .required)
            .field("name", .string, .required)
            .field("search_text", .string, .required)
            .field("filter_text", .string, .required)
            .field("description", .string)
            .field("url", .string)
            .field("channel", .string, .required)
            .field("journey_id", .uuid, .references("journeys", "id", onDelete: .setNull))
            .field("direction", .string)
            .field("products", .array(of: .string), .required)
            .field("target_groups", .array(of: .string), .required)
            .field("feedback_measured", .bool, .required)
            .field("improvement_needs", .string)
            .field("sub_journey_ids", .array(of: .string), .required)
            .field("responsible_department", .string)
            .field("co_departments", .array(of: .string), .required)
            .field("ownership", .string, .required)
            .field("controllable", .bool, .required)
            .field("version", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "workspace_id", "slug")
            .unique(on: "workspace_id", "external_id")
            .create()
        try await db.schema("touchpoint_phases").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("touchpoint_id", .uuid, .required, .references("touchpoints", "id", onDelete: .cascade))
            .field("phase_id", .uuid, .required, .references("journey_phases", "id", onDelete: .cascade))
            .unique(on: "touchpoint_id", "phase_id")
            .create()
        try await db.schema("touchpoint_assessments").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("touchpoint_id", .uuid, .required, .references("touchpoints", "id", onDelete: .cascade))
            .field("assessed_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("assessor", .string, .required)
            .field("assessed_at", .datetime, .required)
            .field("relevance", .int, .required)
            .field("quality", .int, .required)
            .field("sub_touchpoints", .array(of: .string), .required)
            .field("stakeholders", .array(of: .string), .required)
            .field("customer_jobs", .string)
            .field("expectations", .string)
            .field("emotions", .string)
            .field("note", .string)
            .create()
        try await db.schema("touchpoint_files").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("touchpoint_id", .uuid, .required, .references("touchpoints", "id", onDelete: .cascade))
            .field("filename", .string, .required)
            .field("kind", .string, .required)
            .field("size", .int, .required)
            .field("sha256", .string, .required)
            .field("data", .data, .required)
            .field("uploaded_by", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await db.schema("phase_notes").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("journey_id", .uuid, .required, .references("journeys", "id", onDelete: .cascade))
            .field("phase_id", .uuid, .required, .references("journey_phases", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("segment", .string)
            .field("text", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await db.schema("maturity_evidence").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("journey_id", .uuid, .required, .references("journeys", "id", onDelete: .cascade))
            .field("milestone", .string, .required)
            .field("level", .string, .required)
            .field("evidence", .string)
            .field("recorded_by", .string, .required)
            .field("recorded_at", .datetime, .required)
            .create()
        try await db.schema("saved_views").id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("page", .string, .required)
            .field("name", .string, .required)
            .field("query", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "workspace_id", "page", "name")
            .create()
        try await db.schema("timeline_events")
            .field("touchpoint_id", .uuid, .references("touchpoints", "id", onDelete: .setNull))
            .update()
        try await db.schema("timeline_events")
            .field("phase_id", .uuid, .references("journey_phases", "id", onDelete: .setNull))
            .update()

        let sql = db as! any SQLDatabase
        for statement in [
            "CREATE INDEX journeys_ws_search ON journeys (workspace_id, search_text, id)",
            "CREATE INDEX phases_journey ON journey_phases (journey_id, position)",
            "CREATE INDEX touchpoints_ws_search ON touchpoints (workspace_id, search_text, id)",
            "CREATE INDEX touchpoints_ws_journey ON touchpoints (workspace_id, journey_id)",
            "CREATE INDEX touchpoint_phases_phase ON touchpoint_phases (phase_id)",
            "CREATE INDEX assessments_touchpoint ON touchpoint_assessments (workspace_id, touchpoint_id, assessed_at)",
            "CREATE INDEX files_touchpoint ON touchpoint_files (touchpoint_id)",
            "CREATE INDEX phase_notes_journey ON phase_notes (journey_id)",
            "CREATE INDEX maturity_journey ON maturity_evidence (workspace_id, journey_id, recorded_at)",
            "CREATE INDEX timeline_touchpoint ON timeline_events (touchpoint_id)",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
        // Workspaces that exist already get the default channels; new ones get them when created.
        for row in try await sql.select().column("id").from("workspaces").all() {
            try await Channels.seedDefaults(workspaceID: try row.decode(column: "id", as: UUID.self), on: db)
        }
    }

    func revert(on db: any Database) async throws {
        try await db.schema("timeline_events").deleteField("phase_id").update()
        try await db.schema("timeline_events").deleteField("touchpoint_id").update()
        for table in ["saved_views", "maturity_evidence", "phase_notes", "touchpoint_files", "touchpoint_assessments",
                      "touchpoint_phases", "touchpoints", "journey_phases", "journeys", "channels"] {
            try await db.schema(table).delete()
        }
    }
}
