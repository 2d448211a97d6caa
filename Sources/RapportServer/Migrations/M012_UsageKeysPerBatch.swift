import Fluent
import SQLKit

/// PostgreSQL: the usage roll-ups' workspace and account are checked once per batch instead of by a
/// foreign key per row. A foreign key looks up and share-locks the account for every row it inserts,
/// a third of the time a 2,000,000-event import spent in PostgreSQL (3.6 million roll-up rows). The
/// writer now share-locks the batch's accounts itself, once each (`UsageIngest.requireAccounts`), which
/// keeps them from being deleted until it commits, as the key did; deleting an account still removes
/// its usage, by a trigger in place of the key's cascade. SQLite keeps its keys and switches their
/// checks off for the batch's connection instead (`PRAGMA foreign_keys` is per connection there).
struct M012_UsageKeysPerBatch: AsyncMigration {
    var name: String { "012_usage_keys_per_batch" }

    func prepare(on db: any Database) async throws {
        guard !db.isSQLite else { return }
        try await db.transaction { db in
            let sql = db.sql
            for table in ["usage_daily", "usage_user_weeks"] {
                try await sql.raw("ALTER TABLE \(unsafeRaw: table) DROP CONSTRAINT IF EXISTS \(unsafeRaw: table)_workspace_id_fkey, DROP CONSTRAINT IF EXISTS \(unsafeRaw: table)_account_id_fkey").run()
            }
            // Once per statement, with every deleted account at hand: deleting a workspace removes its
            // accounts in one statement, whose usage then goes in one join instead of a scan per account.
            // The function keeps the schema it was made in, as a key would, whatever the deleting
            // session's search path.
            try await sql.raw("""
                CREATE FUNCTION usage_forget_accounts() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
                BEGIN
                  DELETE FROM usage_daily u USING gone g WHERE u.workspace_id = g.workspace_id AND u.account_id = g.id;
                  DELETE FROM usage_user_weeks u USING gone g WHERE u.workspace_id = g.workspace_id AND u.account_id = g.id;
                  RETURN NULL;
                END $$
                """).run()
            try await sql.raw("CREATE TRIGGER usage_forget_accounts AFTER DELETE ON accounts REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION usage_forget_accounts()").run()
        }
    }

    func revert(on db: any Database) async throws {
        guard !db.isSQLite else { return }
        try await db.transaction { db in
            let sql = db.sql
            try await sql.raw("DROP TRIGGER usage_forget_accounts ON accounts").run()
            try await sql.raw("DROP FUNCTION usage_forget_accounts()").run()
            for table in ["usage_daily", "usage_user_weeks"] {
                try await sql.raw("""
                    ALTER TABLE \(unsafeRaw: table)
                      ADD CONSTRAINT \(unsafeRaw: table)_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
                      ADD CONSTRAINT \(unsafeRaw: table)_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE
                    """).run()
            }
        }
    }
}
