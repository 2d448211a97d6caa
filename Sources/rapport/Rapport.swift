import ArgumentParser
import Foundation
import RapportServer

@main
struct Rapport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rapport",
        abstract: "Rapport: customer experience and customer success, run yourself.",
        discussion: "The database comes from --database or RAPPORT_DATABASE_URL (sqlite:PATH or postgres://…; default sqlite:data/rapport.sqlite).",
        subcommands: [Serve.self, Migrate.self, Demo.self, WorkspaceCommand.self, UserCommand.self, TokenCommand.self, Import.self, Export.self, Backup.self, RollupsCommand.self, KPICommand.self, HealthCommand.self, ReportCommand.self, BenchCommand.self]
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
        abstract: "Import accounts, contacts, contracts, touchpoints, events, responses or usage from a CSV file (UTF-8; , ; or tab separated).",
        discussion: """
        Accounts, contacts, contracts and touchpoints upsert by external_id; by default nothing is written when any row is refused, --valid-rows imports the valid rows.
        Events (columns type, external_id, contact_external_id or account_external_id, touchpoint, occurred_at, any other column is an attribute) are decided by the trigger rules and the contact policy as if sent by the API.
        Responses (--survey; columns external_id, contact_external_id, submitted_at, language, channel, touchpoint, and one column per question id, matrix items as question.item) are checked against the survey's published version; a repeated external_id is skipped.
        Events and responses store every valid row. Exits 1 when a row is refused, naming each by its line in the file.
        Usage (columns account_external_id or account_id, user, feature, count, time) is one batch: all or nothing, and the same file counts once (--batch-id overrides its SHA-256).
        """)
    @OptionGroup var common: Common
    @Argument(help: "accounts, contacts, contracts, touchpoints, events, responses or usage") var entity: String
    @Argument(help: "The CSV file") var file: String
    @Option(help: "Workspace slug") var workspace: String
    @Flag(help: "Import the valid rows and report the refused ones (instead of all or nothing).") var validRows = false
    @Option(help: "Field delimiter if not detected from the header: , ; tab or |") var delimiter: String?
    @Option(help: "For responses: the survey's id or exact name") var survey: String?
    @Option(help: "For usage: the batch's id (default: the file's SHA-256)") var batchId: String?

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
            if entity == "usage" {
                let outcome = try await Operations.importUsage(try common.settings(), path: file, workspace: workspace, batchID: batchId) { bytes, total, rows in
                    bar.update(bytes: bytes, total: total, rows: rows)
                }
                bar.finish()
                print(outcome.summary)
                return
            }
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

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Load synthetic data for the benchmarks in Benchmarks/ (never on production data).",
                                                    subcommands: [Responses.self, Success.self])
    struct Success: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Generate accounts with seats and a year of daily usage in SQL, then time a health recompute.")
        @OptionGroup var common: Common
        @Option(help: "Workspace slug (created if missing)") var workspace = "bench-cs"
        @Option(help: "How many accounts") var accounts = 50_000
        @Option(help: "Days of usage up to today") var days = 365
        func validate() throws {
            if !(1...5_000_000).contains(accounts) { throw ValidationError("--accounts must be 1 to 5000000") }
            if !(1...3_650).contains(days) { throw ValidationError("--days must be 1 to 3650") }
        }
        func run() async throws {
            try await RapportCLI.run {
                let r = try await Operations.seedBenchSuccess(try common.settings(), workspace: workspace, accounts: accounts, days: days) { print($0) }
                print(String(format: "seeded in %.1f s; health of %d accounts recomputed in %.1f s", r.seconds, accounts, r.recompute))
            }
        }
    }
    struct Responses: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write synthetic answered surveys over many sources straight in SQL, then rebuild the roll-ups and time it.")
        @OptionGroup var common: Common
        @Option(help: "Workspace slug (its published surveys and touchpoints make the sources; the demo has them)") var workspace = "demo"
        @Option(help: "How many responses") var responses = 10_000_000
        @Option(help: "How many sources (survey × touchpoint × channel)") var sources = 200
        @Option(help: "Spread over this many months up to now") var months = 36
        func validate() throws {
            if responses < 1 { throw ValidationError("--responses must be at least 1") }
            if !(1...10_000).contains(sources) { throw ValidationError("--sources must be 1 to 10000") }
            if !(1...240).contains(months) { throw ValidationError("--months must be 1 to 240") }
        }
        func run() async throws {
            try await RapportCLI.run {
                let r = try await Operations.seedBenchResponses(try common.settings(), workspace: workspace, responses: responses, sources: sources, months: months) { line in
                    print(line)
                }
                print(String(format: "wrote %d responses in %.1f s; roll-ups rebuilt in %.1f s (%d cells)", responses, r.seconds, r.rebuild, r.cells))
            }
        }
    }
}

struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "health", abstract: "Customer health scores.", subcommands: [Recompute.self])
    struct Recompute: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Compute every account's health score for a day (default today) and store it with its components.")
        @OptionGroup var common: Common
        @Option(help: "Workspace slug") var workspace: String
        @Option(help: "The day, e.g. 2026-12-01 (default today)") var date: String?
        func run() async throws {
            try await RapportCLI.run { print(try await Operations.recomputeHealth(try common.settings(), workspace: workspace, on: date)) }
        }
    }
}

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report",
        abstract: "Render a dashboard as a printable report: PDF through headless Chromium where installed, or HTML.",
        discussion: """
            Example: rapport report --workspace demo --dashboard executive --filter from=2026-01 --filter market=DE --out report.pdf
            Chromium is looked up as RAPPORT_CHROMIUM, then chromium, chromium-browser, google-chrome on the PATH.
            """)
    @OptionGroup var common: Common
    @Option(help: "Workspace slug") var workspace: String
    @Option(help: "executive, journeys, accounts or unit") var dashboard = "executive"
    @Option(name: .customLong("filter"), help: "A dashboard filter as KEY=VALUE (from, to, market, segment, channel, journey, phase, touchpoint, survey, owner, unit); repeatable")
    var filters: [String] = []
    @Option(help: "de or en") var language = "de"
    @Option(help: "Where to write the report: a .pdf, or .html for the page itself") var out: String

    func validate() throws {
        for f in filters where !f.contains("=") { throw ValidationError("--filter '\(f)' is not KEY=VALUE") }
        if !["de", "en"].contains(language) { throw ValidationError("--language must be de or en, not '\(language)'") }
        if !out.hasSuffix(".pdf") && !out.hasSuffix(".html") { throw ValidationError("--out must end in .pdf or .html, not '\(out)'") }
    }

    func run() async throws {
        try await RapportCLI.run {
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
            let query = (["dashboard=" + dashboard] + filters.map { f in
                let (k, v) = (f.prefix { $0 != "=" }, f.drop { $0 != "=" }.dropFirst())
                return k + "=" + (String(v).addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
            }).joined(separator: "&")
            print("Rendering the \(dashboard) dashboard of '\(workspace)' …")
            let html = try await Operations.renderReport(try common.settings(), workspace: workspace, query: query, language: language)
            let target = URL(fileURLWithPath: out)
            if out.hasSuffix(".html") {
                try html.write(to: target, atomically: true, encoding: .utf8)
                print("Wrote \(out) (\(html.utf8.count / 1024) KB).")
                return
            }
            guard let chromium = Self.chromium() else {
                let fallback = target.deletingPathExtension().appendingPathExtension("html")
                try html.write(to: fallback, atomically: true, encoding: .utf8)
                throw ValidationError("no Chromium found (set RAPPORT_CHROMIUM or install chromium); wrote the report as \(fallback.path) to print from a browser")
            }
            let page = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-report-\(UUID().uuidString).html")
            try html.write(to: page, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: page) }
            try? FileManager.default.removeItem(at: target)
            print("Printing with \(chromium) …")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: chromium)
            process.arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--print-to-pdf=" + target.path, page.absoluteString]
            process.standardOutput = FileHandle.nullDevice
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            let log = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let size = (try? FileManager.default.attributesOfItem(atPath: target.path)[.size] as? Int) ?? nil
            guard process.terminationStatus == 0, let size, size > 0 else {
                throw ValidationError("Chromium did not write \(out) (exit \(process.terminationStatus)): " + String(decoding: log.suffix(600), as: UTF8.self))
            }
            print("Wrote \(out) (\(size / 1024) KB).")
        }
    }

    static func chromium() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let given = env["RAPPORT_CHROMIUM"], !given.isEmpty { return FileManager.default.isExecutableFile(atPath: given) ? given : nil }
        let path = (env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
            for dir in path where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") { return "\(dir)/\(name)" }
        }
        return nil
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
