import ArgumentParser
import Foundation
import RapportServer

@main
struct Rapport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rapport",
        abstract: "Rapport: customer experience and customer success, run yourself.",
        discussion: "The database comes from --database or RAPPORT_DATABASE_URL (sqlite:PATH or postgres://…; default sqlite:data/rapport.sqlite).",
        subcommands: [Serve.self, Migrate.self, Demo.self, WorkspaceCommand.self, UserCommand.self, TokenCommand.self, Import.self, Export.self, Backup.self, RollupsCommand.self, KPICommand.self]
    )
}

/// Options every command shares.
struct Common: ParsableArguments {
    @Option(help: "Database URL (overrides RAPPORT_DATABASE_URL): sqlite:PATH or postgres://USER:PASS@HOST/DB")
    var database: String?

    func settings() throws -> Settings {
        var s = try Settings.fromEnvironment()
        if let database { s.database = try Settings.parseDatabase(database, variable: "--database") }
        return s
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the web server (migrates the database first).")
    @OptionGroup var common: Common
    @Option(help: "Address to listen on (default 127.0.0.1, or RAPPORT_HOST).") var host: String?
    @Option(help: "Port to listen on (default 8080, or RAPPORT_PORT).") var port: Int?
    @Flag(help: "Create the demo workspace (slug 'demo') if it is missing, and print its login.") var demo = false

    func run() async throws {
        try await RapportCLI.run {
            var s = try common.settings()
            if let host { s.host = host }
            if let port { s.port = try Settings.parsePort(String(port), variable: "--port") }
            try await Runtime.serve(s, demo: demo)
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Bring the database schema up to date.")
    @OptionGroup var common: Common
    func run() async throws {
        try await RapportCLI.run { try await Operations.migrate(try common.settings()); print("Database is up to date.") }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create the demo workspace, or refresh it to its original state.")
    @OptionGroup var common: Common
    func run() async throws {
        try await RapportCLI.run { print(try await Operations.demo(try common.settings())) }
    }
}

struct WorkspaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "workspace", abstract: "Manage workspaces.", subcommands: [Create.self])
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a workspace.")
        @OptionGroup var common: Common
        @Option(help: "Short name used in commands, e.g. acme") var slug: String
        @Option(help: "Display name") var name: String
        @Option(help: "Time zone for dates shown") var timeZone = "Europe/Berlin"
        func run() async throws {
            try await RapportCLI.run {
                try await Operations.createWorkspace(try common.settings(), slug: slug, name: name, timeZone: timeZone)
                print("Workspace '\(slug)' created.")
            }
        }
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage users.", subcommands: [Create.self, ResetPassword.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user to a workspace (prints a generated password unless --password or RAPPORT_PASSWORD is given).")
        @OptionGroup var common: Common
        @Option(help: "Workspace slug") var workspace: String
        @Option(help: "E-mail address (the login)") var email: String
        @Option(help: "Display name") var name: String
        @Option(help: "owner, admin, cx_manager, csm, analyst, ambassador or viewer") var role: String
        @Option(help: "Password (at least 10 characters); prefer RAPPORT_PASSWORD, which stays out of the shell history") var password: String?
        func run() async throws {
            try await RapportCLI.run {
                let (pw, generated) = RapportCLI.password(password)
                try await Operations.createUser(try common.settings(), workspace: workspace, email: email, name: name, role: role, password: pw)
                print("User \(email) added to '\(workspace)' as \(role)." + (generated ? " Password: \(pw)" : ""))
            }
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reset-password", abstract: "Set a new password (prints a generated one unless --password or RAPPORT_PASSWORD is given).")
        @OptionGroup var common: Common
        @Option(help: "E-mail address of the user") var email: String
        @Option(help: "New password (at least 10 characters)") var password: String?
        func run() async throws {
            try await RapportCLI.run {
                let (pw, generated) = RapportCLI.password(password)
                try await Operations.resetPassword(try common.settings(), email: email, password: pw)
                print("Password of \(email) reset." + (generated ? " New password: \(pw)" : ""))
            }
        }
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Manage API tokens.", subcommands: [Create.self])
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API token and print it (only the token, on stdout; it is stored hashed and shown once).")
        @OptionGroup var common: Common
        @Option(help: "Workspace slug") var workspace: String
        @Option(help: "owner, admin, cx_manager, csm, analyst, ambassador or viewer") var role: String
        @Option(help: "A name that says what the token is for") var name = "cli"
        func run() async throws {
            try await RapportCLI.run { print(try await Operations.createToken(try common.settings(), workspace: workspace, role: role, name: name)) }
        }
    }
}

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import accounts, contacts, contracts, touchpoints, events or responses from a CSV file (UTF-8; , ; or tab separated).",
        discussion: """
        Accounts, contacts, contracts and touchpoints upsert by external_id; by default nothing is written when any row is refused, --valid-rows imports the valid rows.
        Events (columns type, external_id, contact_external_id or account_external_id, touchpoint, occurred_at, any other column is an attribute) are decided by the trigger rules and the contact policy as if sent by the API.
        Responses (--survey; columns external_id, contact_external_id, submitted_at, language, channel, touchpoint, and one column per question id, matrix items as question.item) are checked against the survey's published version; a repeated external_id is skipped.
        Events and responses store every valid row. Exits 1 when a row is refused, naming each by its line in the file.
        """)
    @OptionGroup var common: Common
    @Argument(help: "accounts, contacts, contracts, touchpoints, events or responses") var entity: String
    @Argument(help: "The CSV file") var file: String
    @Option(help: "Workspace slug") var workspace: String
    @Flag(help: "Import the valid rows and report the refused ones (instead of all or nothing).") var validRows = false
    @Option(help: "Field delimiter if not detected from the header: , ; tab or |") var delimiter: String?
    @Option(help: "For responses: the survey's id or exact name") var survey: String?

    func run() async throws {
        try await RapportCLI.run {
            let delim: UInt8?
            switch delimiter {
            case nil: delim = nil
            case "tab", "\\t", "\t": delim = 9
            case let d? where d.utf8.count == 1: delim = d.utf8.first
            case let d?: throw ValidationError("--delimiter '\(d)' must be one character or 'tab'")
            }
            let bar = ProgressBar()
            let outcome = try await Operations.importFile(try common.settings(), entity: entity, path: file, workspace: workspace,
                                                          validRowsOnly: validRows, delimiter: delim, survey: survey) { bytes, total, rows in bar.update(bytes: bytes, total: total, rows: rows) }
            bar.finish()
            for p in outcome.problems { FileHandle.standardError.write(Data((p + "\n").utf8)) }
            print(outcome.summary)
            if !outcome.ok { throw ExitCode.failure }
        }
    }
}

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Export a workspace's accounts, contacts and contracts as CSV files in the import format.")
    @OptionGroup var common: Common
    @Option(help: "Workspace slug") var workspace: String
    @Option(help: "Directory to write the files to") var out = "export"
    func run() async throws {
        try await RapportCLI.run {
            for line in try await Operations.export(try common.settings(), workspace: workspace, directory: out) { print(line) }
        }
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a consistent copy of the SQLite database while Rapport runs (for PostgreSQL, use pg_dump).")
    @OptionGroup var common: Common
    @Option(help: "The backup file to create") var out: String
    func run() async throws {
        try await RapportCLI.run { try await Operations.backup(try common.settings(), to: out); print("Backup written to \(out).") }
    }
}

struct RollupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rollups", abstract: "Rebuild or check the metric roll-ups the dashboards read.",
                                                    subcommands: [Rebuild.self, Check.self])
    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recount the roll-ups from the raw responses (all workspaces, or one).")
        @OptionGroup var common: Common
        @Option(help: "Workspace slug (default: every workspace)") var workspace: String?
        func run() async throws {
            try await RapportCLI.run { print(try await Operations.rebuildRollups(try common.settings(), workspace: workspace)) }
        }
    }
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Prove the roll-ups equal a recount from the raw responses; exits 1 on any difference.")
        @OptionGroup var common: Common
        @Option(help: "Workspace slug") var workspace: String
        func run() async throws {
            try await RapportCLI.run {
                let (ok, lines) = try await Operations.checkRollups(try common.settings(), workspace: workspace)
                for line in lines { print(line) }
                if !ok { throw ExitCode.failure }
            }
        }
    }
}

struct KPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kpi", abstract: "Audit-proof KPI snapshots.", subcommands: [Verify.self])
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recompute every KPI snapshot from the raw responses and check the hash chain; exits 1 if any is broken.")
        @OptionGroup var common: Common
        @Option(help: "Workspace slug (default: every workspace)") var workspace: String?
        func run() async throws {
            try await RapportCLI.run {
                let (ok, lines) = try await Operations.verifyKPIs(try common.settings(), workspace: workspace)
                for line in lines { print(line) }
                if !ok { throw ExitCode.failure }
            }
        }
    }
}

enum RapportCLI {
    static func run(_ body: () async throws -> Void) async throws {
        do { try await body() }
        catch let e as ExitCode { throw e }
        catch let e as ValidationError { throw e }
        catch {
            FileHandle.standardError.write(Data(("error: " + Runtime.message(for: error) + "\n").utf8))
            throw ExitCode.failure
        }
    }

    static func password(_ given: String?) -> (String, Bool) {
        if let given { return (given, false) }
        if let env = ProcessInfo.processInfo.environment["RAPPORT_PASSWORD"], !env.isEmpty { return (env, false) }
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return (String((0..<16).map { _ in alphabet.randomElement()! }), true)
    }
}

/// A progress line on stderr: redrawn in place on a terminal, a line per 10 % elsewhere (CI logs).
final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private var last = Date.distantPast
    private var lastTenth = -1
    private let tty = isatty(STDERR_FILENO) == 1

    func update(bytes: Int, total: Int?, rows: Int) {
        lock.withLock {
            let fraction = total.map { $0 > 0 ? Double(bytes) / Double($0) : 1 } ?? 0
            if tty {
                guard Date().timeIntervalSince(last) > 0.1 else { return }
                last = Date()
                let width = 30, filled = Int(fraction * Double(width))
                let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
                FileHandle.standardError.write(Data("\r\(bar) \(Int(fraction * 100))%  \(rows) rows".utf8))
            } else {
                let tenth = Int(fraction * 10)
                guard tenth > lastTenth else { return }
                lastTenth = tenth
                FileHandle.standardError.write(Data("\(tenth * 10)% (\(rows) rows)\n".utf8))
            }
        }
    }

    func finish() { if tty { FileHandle.standardError.write(Data("\n".utf8)) } }
}
