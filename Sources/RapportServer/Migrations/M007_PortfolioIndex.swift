import Fluent
import SQLKit

/// A CSM's portfolio reads their accounts by owner, sorted by name: without this index every request
/// scanned all of the workspace's accounts.
struct M007_PortfolioIndex: AsyncMigration {
    var name: String { "007_portfolio_index" }

    func prepare(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("CREATE INDEX accounts_ws_owner ON accounts (workspace_id, owner_id, name)").run()
    }

    func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("DROP INDEX accounts_ws_owner").run()
    }
}
