import Fluent
import Foundation
import RapportKit
import Vapor

/// What the CLI needs from the server without touching its internals: boot an application on the
/// configured database, run one piece of work, shut down cleanly.
public enum Runtime {
    public static func withApp<T>(_ settings: Settings, migrate: Bool = true, _ body: (Application) async throws -> T) async throws -> T {
        let env = Environment(name: "production", arguments: ["rapport"])
        bootstrapLogging(settings)
        let app = try await Application.make(env)
        app.logger.logLevel = .warning
        do {
            try await configure(app, settings: settings)
            // One-shot commands print their result; routine log lines would drown it.
            if ProcessInfo.processInfo.environment["RAPPORT_LOG_LEVEL"] == nil { app.logger.logLevel = .warning }
            if migrate { try await app.autoMigrate() }
            let result = try await body(app)
            try await app.asyncShutdown()
            return result
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// Migrates, prepares the demo when asked, prints where to go, and serves until SIGINT/SIGTERM
    /// (Vapor drains open requests before it stops).
    public static func serve(_ settings: Settings, demo: Bool) async throws {
        let env = Environment(name: "production", arguments: ["rapport", "serve", "--hostname", settings.host, "--port", String(settings.port)])
        bootstrapLogging(settings)
        let app = try await Application.make(env)
        do {
            try await configure(app, settings: settings)
            try await app.autoMigrate()
            if demo {
                let (ws, created) = try await DemoSeeder.ensure(on: app.db, cost: settings.bcryptCost, refresh: false, logger: app.logger)
                if !created { app.logger.info("demo workspace '\(ws.slug)' exists; `rapport demo` refreshes it") }
            }
            let url = settings.baseURL ?? "http://\(settings.host == "0.0.0.0" ? "127.0.0.1" : settings.host):\(settings.port)"
            print("Rapport is running at \(url)")
            if demo { print("Demo login: \(DemoSeeder.loginEmail) / \(DemoSeeder.loginPassword)") }
            // stdout is block-buffered when it is a file or a pipe (a service log): show the lines now.
            fflush(nil)
            try await app.execute()
            try await app.asyncShutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    private static let logging = NSLock()
    nonisolated(unsafe) private static var loggingReady = false

    /// Logging can be set up once per process: plain lines by default, one JSON object per line with
    /// RAPPORT_LOG_FORMAT=json (for log collectors).
    static func bootstrapLogging(_ settings: Settings) {
        logging.withLock {
            guard !loggingReady else { return }
            loggingReady = true
            let level = Logger.Level(rawValue: settings.logLevel) ?? .info
            if ProcessInfo.processInfo.environment["RAPPORT_LOG_FORMAT"] == "json" {
                LoggingSystem.bootstrap { label in var h = JSONLogHandler(label: label); h.logLevel = level; return h }
            } else {
                LoggingSystem.bootstrap { label in var h = StreamLogHandler.standardError(label: label); h.logLevel = level; return h }
            }
        }
    }

    public static func message(for error: any Error) -> String {
        if let app = error as? AppError {
            return app.fieldErrors.isEmpty ? app.detail : app.fieldErrors.map(\.description).joined(separator: "; ")
        }
        if let p = error as? Settings.Problem { return p.description }
        if let c = error as? CSVError { return c.description }
        return String(describing: error)
    }
}

/// CLI-facing operations, each a plain function the tests call too.
public enum Operations {
    public static func migrate(_ settings: Settings) async throws {
        try await Runtime.withApp(settings) { _ in }
    }

    public static func demo(_ settings: Settings) async throws -> String {
        try await Runtime.withApp(settings) { app in
            let (ws, _) = try await DemoSeeder.ensure(on: app.db, cost: settings.bcryptCost, refresh: true)
            let accounts = try await Account.query(on: app.db).filter(\.$workspaceID == ws.id!).count()
            let contacts = try await Contact.query(on: app.db).filter(\.$workspaceID == ws.id!).count()
            return "Demo workspace '\(ws.slug)' ready: \(accounts) accounts, \(contacts) contacts. Login: \(DemoSeeder.loginEmail) / \(DemoSeeder.loginPassword)"
        }
    }

    public static func createToken(_ settings: Settings, workspace slug: String, role: String, name: String) async throws -> String {
        guard let role = Role(rawValue: role) else {
            throw AppError.invalid("role", "'\(role)' is not a role; use one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return try await Runtime.withApp(settings) { app in
            let ws = try await Workspaces.find(slug: slug, on: app.db)
            let (token, clear) = try await Tokens.create(workspace: ws, role: role, name: name, createdBy: nil, on: app.db)
            try await Audit.record("create", "api token", id: token.id, before: String?.none, after: "\(name) (\(role.rawValue)) via CLI", by: .system(ws), on: app.db)
            return clear
        }
    }

    public static func createWorkspace(_ settings: Settings, slug: String, name: String, timeZone: String) async throws {
        try await Runtime.withApp(settings) { app in _ = try await Workspaces.create(slug: slug, name: name, timeZone: timeZone, on: app.db) }
    }

    public static func createUser(_ settings: Settings, workspace slug: String, email: String, name: String, role: String, password: String) async throws {
        guard let role = Role(rawValue: role) else {
            throw AppError.invalid("role", "'\(role)' is not a role; use one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try await Runtime.withApp(settings) { app in
            let ws = try await Workspaces.find(slug: slug, on: app.db)
            _ = try await Users.add(email: email, name: name, password: password, role: role, workspaceID: ws.id!, grantedBy: .system(ws), cost: settings.bcryptCost, on: app.db)
        }
    }

    public static func resetPassword(_ settings: Settings, email: String, password: String) async throws {
        try await Runtime.withApp(settings) { app in try await Users.resetPassword(email: email, password: password, cost: settings.bcryptCost, on: app.db) }
    }

    public struct ImportOutcome: Sendable { public let summary: String; public let problems: [String]; public let ok: Bool }

    public static func importFile(_ settings: Settings, entity: String, path: String, workspace slug: String, validRowsOnly: Bool, delimiter: UInt8?,
                                  survey: String? = nil, progress: (@Sendable (Int, Int?, Int) -> Void)?) async throws -> ImportOutcome {
        if entity == "events" || entity == "responses" {
            return try await importSurveyData(settings, entity: entity, path: path, workspace: slug, delimiter: delimiter, survey: survey, progress: progress)
        }
        guard let entity = ImportEntity(rawValue: entity) else {
            throw AppError.invalid("entity", "'\(entity)' cannot be imported; use accounts, contacts, contracts, touchpoints, events or responses")
        }
        let reader = try CSVReader(path: path, delimiter: delimiter)
        return try await Runtime.withApp(settings) { app in
            let ws = try await Workspaces.find(slug: slug, on: app.db)
            var importer = Importer(entity: entity, mode: validRowsOnly ? .validRows : .allOrNothing, caller: .system(ws), db: app.db)
            importer.progress = progress
            let r = try await importer.run(reader, source: (path as NSString).lastPathComponent)
            var problems = (r.fatal.map { [$0.description] } ?? []) + r.issues.map(\.description)
            if r.moreIssues > 0 { problems.append("… and \(r.moreIssues) more problems") }
            let summary: String
            if r.fatal != nil { summary = "Nothing imported: the file could not be read." }
            else if !r.committed { summary = "Nothing imported: \(r.refusedRows) of \(r.rowsRead) rows were refused (all or nothing; --valid-rows imports the rest)." }
            else { summary = "\(r.rowsRead) rows read: \(r.created) created, \(r.updated) updated, \(r.refusedRows) refused." }
            return ImportOutcome(summary: summary, problems: problems, ok: r.ok)
        }
    }

    /// Events (each decided by the trigger rules and the contact policy, as if sent by the API) and
    /// historical responses. Every valid row is stored; refused rows are listed by line.
    static func importSurveyData(_ settings: Settings, entity: String, path: String, workspace slug: String, delimiter: UInt8?, survey: String?,
                                 progress: (@Sendable (Int, Int?, Int) -> Void)?) async throws -> ImportOutcome {
        let reader = try CSVReader(path: path, delimiter: delimiter)
        return try await Runtime.withApp(settings) { app in
            let ws = try await Workspaces.find(slug: slug, on: app.db)
            let scope = ws.scope(on: app.db)
            let r: SurveyImport.Report
            if entity == "events" {
                r = try await SurveyImport.events(reader, scope: scope, caller: .system(ws), progress: progress)
            } else {
                guard let survey else { throw AppError.invalid("survey", "name the survey the responses belong to: --survey ID or exact name") }
                var s: Survey? = nil
                if let id = UUID(uuidString: survey) { s = try await scope.query(Survey.self).filter(\.$id == id).first() }
                if s == nil { s = try await scope.query(Survey.self).filter(\.$name == survey).first() }
                guard let s else { throw AppError.invalid("survey", "no survey '\(survey)' in workspace \(slug)") }
                r = try await SurveyImport.responses(reader, survey: s, scope: scope, caller: .system(ws), progress: progress)
            }
            var summary = "\(r.rows) rows read: \(r.stored) stored, \(r.duplicates) already there, \(r.refused) refused."
            if !r.decisions.isEmpty {
                summary += " Decisions: " + r.decisions.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.replacingOccurrences(of: "_", with: " "))" }.joined(separator: ", ") + "."
            }
            return ImportOutcome(summary: summary, problems: r.problems + (r.refused > r.problems.count ? ["… and \(r.refused - r.problems.count) more refused rows"] : []), ok: r.refused == 0)
        }
    }

    /// Writes accounts.csv, contacts.csv and contracts.csv in the import format, so an export can be
    /// imported again (into this or another workspace).
    public static func export(_ settings: Settings, workspace slug: String, directory: String) async throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try await Runtime.withApp(settings) { app in
            let ws = try await Workspaces.find(slug: slug, on: app.db)
            return try await Exporter(workspaceID: ws.id!, db: app.db).writeAll(to: directory)
        }
    }

    /// An online, consistent copy of the SQLite database (VACUUM INTO) that can be opened directly.
    public static func backup(_ settings: Settings, to path: String) async throws {
        switch settings.database {
        case .postgres:
            throw AppError.badRequest("This Rapport runs on PostgreSQL: back it up with pg_dump (e.g. `pg_dump -Fc -f rapport.dump \"$RAPPORT_DATABASE_URL\"`) or your provider's snapshots.")
        case .sqliteInMemory:
            throw AppError.badRequest("An in-memory database cannot be backed up.")
        case .sqlite:
            guard !FileManager.default.fileExists(atPath: path) else { throw AppError.invalid("out", "\(path) exists already; choose a new file") }
            try await Runtime.withApp(settings, migrate: false) { app in
                try await app.db.sql.raw("VACUUM INTO \(bind: path)").run()
            }
        }
    }
}
