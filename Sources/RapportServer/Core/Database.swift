import Fluent
import SQLKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Vapor

extension Application {
    /// Connects Fluent to the configured database. SQLite gets WAL (readers never block the writer),
    /// foreign keys and a busy timeout so that the writers of two event loops wait instead of failing.
    func useDatabase(_ database: Settings.Database, schema: String? = nil) throws {
        switch database {
        case .sqliteInMemory:
            databases.use(.sqlite(.memory, sqlLogLevel: .trace), as: .sqlite)
        case .sqlite(let path):
            let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
            if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            databases.use(.sqlite(.file(path), sqlLogLevel: .trace), as: .sqlite)
        case .postgres(let url):
            var config = try SQLPostgresConfiguration(url: url)
            config.searchPath = schema.map { [$0] }
            databases.use(.postgres(configuration: config, maxConnectionsPerEventLoop: 8, sqlLogLevel: .trace), as: .psql)
        }
    }

    /// Creates the configured PostgreSQL schema when it is missing, before migrations run in it.
    func preparePostgres(schema: String?) async throws {
        guard let schema, databases.configuration(for: .psql) != nil else { return }
        try await db.sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
    }

    /// Per-connection SQLite settings. The SQLite pool keeps one long-lived connection per event loop,
    /// so setting them once on each loop's connection covers them all.
    func prepareSQLite() async throws {
        guard databases.configuration(for: .sqlite) != nil, let sqlite = db(.sqlite) as? any SQLDatabase else { return }
        try await sqlite.raw("PRAGMA journal_mode = WAL").run()
        for conn in sqliteConnections() {
            try await conn.raw("PRAGMA busy_timeout = 10000").run()
            try await conn.raw("PRAGMA foreign_keys = ON").run()
            // 8 MB of pages per connection instead of SQLite's 2 MB: a portfolio of 500 accounts reads
            // their scores, contracts and names from more pages than the default holds, and re-read them
            // from the OS on every request. Two connections, so at most 12 MB more than the default.
            try await conn.raw("PRAGMA cache_size = -8000").run()
            // Pages read through a memory map instead of a read() into the page cache for each: with a
            // million contacts, an event batch's random look-ups and index inserts read thousands of
            // pages, and copying them in was a quarter of its time. The map covers the first 2 GB
            // (SQLite's compile-time SQLITE_MAX_MMAP_SIZE, to which a larger value is cut silently);
            // pages beyond are read as before. Writes still go through the WAL. The price: an I/O error
            // on a mapped page ends the process (SIGBUS) instead of failing the statement.
            try await conn.raw("PRAGMA mmap_size = 2147418112").run()
        }
    }

    /// The SQLite pool's connections, one per event loop (none on PostgreSQL): per-connection settings
    /// must reach each of them.
    private func sqliteConnections() -> [any SQLDatabase] {
        guard databases.configuration(for: .sqlite) != nil else { return [] }
        return eventLoopGroup.makeIterator().compactMap { databases.database(.sqlite, logger: logger, on: $0) as? any SQLDatabase }
    }

    /// Fresh planner statistics for SQLite tables that have grown or shrunk a lot since they were last
    /// analysed. With statistics from when a table was nearly empty, SQLite's planner chose to scan a
    /// workspace's 80,000 invitations instead of looking 40 of them up by id. `PRAGMA optimize`
    /// analyses only such tables, each from a sample of at most 2,000 rows per index, so it is cheap
    /// enough for the worker to run at start-up and every hour (`BackgroundLoop` in `configure`).
    /// Every connection runs it: a connection reads the statistics when it loads the schema, and another
    /// connection's ANALYZE does not make it load them again. PostgreSQL's autovacuum does this itself.
    func refreshSQLiteStatistics() async throws {
        for conn in sqliteConnections() {
            // 0x02: analyse the tables that need it; 0x10: with the 2,000-row limit; 0x10000: every
            // table, not only those this connection has used.
            try await conn.raw("PRAGMA optimize = 0x10012").run()
        }
    }
}

extension Database {
    /// SQLite: takes the write lock at the start of a transaction that reads before it writes. A
    /// deferred transaction that read first cannot later upgrade while another connection wrote
    /// meanwhile (SQLITE_BUSY_SNAPSHOT, which no busy timeout waits out); taking the lock first makes
    /// it wait its turn instead. PostgreSQL locks the rows it needs and skips this.
    func takeWriteLock(workspace: UUID?) async throws {
        guard isSQLite else { return }
        if let workspace {
            try await sql.raw("UPDATE workspaces SET slug = slug WHERE id = \(bind: workspace)").run()
        } else {
            try await sql.raw("UPDATE workspaces SET slug = slug WHERE id = (SELECT id FROM workspaces LIMIT 1)").run()
        }
    }

    /// A transaction that reads before it writes: on SQLite it takes the write lock first (see
    /// `takeWriteLock`), on PostgreSQL it is a plain transaction.
    func writeTransaction<T: Sendable>(workspace: UUID?, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await transaction { db in
            try await db.takeWriteLock(workspace: workspace)
            return try await body(db)
        }
    }

    var isSQLite: Bool { (self as? any SQLDatabase)?.dialect.name == "sqlite" }
    var sql: any SQLDatabase { self as! any SQLDatabase }
}

/// Lists of ids longer than `namedUpTo` are not named in a query: reading the whole workspace and
/// keeping what was asked for costs less than thousands of bound values, and SQLite refuses more than
/// 32,766 of them in one statement (a playbook sweep names every account).
enum IDList {
    static let namedUpTo = 2_000

    /// The ids to name in a query, or nil (the whole workspace) for a list too long to name.
    static func narrowed(_ ids: [UUID]) -> [UUID]? { ids.count > namedUpTo ? nil : ids }
}

/// The accounts a read covers: named ones, or everyone's that one person owns. A CSM's portfolio is
/// the second kind: the database finds the owner's accounts itself (index `(workspace_id, owner_id)`),
/// where naming 500 ids in each of its queries cost the serialising, parsing and binding of 3,500
/// values per view.
enum AccountSet: Sendable {
    case ids([UUID])
    case ownedBy(UUID, workspace: UUID)

    var isEmpty: Bool { if case .ids(let ids) = self { ids.isEmpty } else { false } }
}

extension SQLQueryString {
    /// ` AND account_id IN (…)` for a list of accounts, or nothing for all of them (nil).
    static func accounts(_ ids: [UUID]?, column: String = "account_id") -> SQLQueryString {
        accounts(ids.map(AccountSet.ids), column: column)
    }

    static func accounts(_ set: AccountSet?, column: String = "account_id") -> SQLQueryString {
        switch set {
        case nil: ""
        case .ids(let ids)?: " AND \(unsafeRaw: column) IN (\(binds: ids))"
        case .ownedBy(let owner, let workspace)?:
            " AND \(unsafeRaw: column) IN (SELECT id FROM accounts WHERE workspace_id = \(bind: workspace) AND owner_id = \(bind: owner))"
        }
    }

    /// `column IN (first, …, last)` for a run of days or weeks. The usage roll-ups are keyed by day
    /// (week) first, so one account's run of days is one seek per day, where a range would read every
    /// account's rows of those days. Integers only, so they are written into the statement.
    static func each(_ column: String, _ range: ClosedRange<Int>) -> SQLQueryString {
        "\(unsafeRaw: column) IN (\(unsafeRaw: range.map(String.init).joined(separator: ",")))"
    }
}
