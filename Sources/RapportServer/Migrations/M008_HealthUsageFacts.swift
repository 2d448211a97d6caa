import Fluent
import SQLKit

/// Each stored health score keeps the usage facts it was computed from (active users in the four weeks
/// up to its day and in the four before), so the portfolio's usage-drop signal reads one row per account
/// instead of recounting eight weeks of users for every account on every page view.
struct M008_HealthUsageFacts: AsyncMigration {
    var name: String { "008_health_usage_facts" }

    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("ALTER TABLE health_scores ADD COLUMN active_users INTEGER").run()
        try await sql.raw("ALTER TABLE health_scores ADD COLUMN previous_active_users INTEGER").run()
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("ALTER TABLE health_scores DROP COLUMN previous_active_users").run()
        try await sql.raw("ALTER TABLE health_scores DROP COLUMN active_users").run()
    }
}
