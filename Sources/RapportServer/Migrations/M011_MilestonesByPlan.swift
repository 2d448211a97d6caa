import Fluent
import SQLKit

/// Milestones found by their plan: the portfolio and the account view read them per plan, and deleting
/// a plan cascades to them; without this index each of those read the whole table.
struct M011_MilestonesByPlan: AsyncMigration {
    var name: String { "011_milestones_by_plan" }

    func prepare(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("CREATE INDEX plan_milestones_plan ON plan_milestones (plan_id, due_on)").run()
    }

    func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("DROP INDEX plan_milestones_plan").run()
    }
}
