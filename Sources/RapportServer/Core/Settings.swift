import Foundation
import RapportKit

/// Everything Rapport reads from its surroundings, read once at start-up. Every missing or malformed
/// value is named in the error, and start-up stops: a server that guesses its database is worse than
/// one that does not start.
public struct Settings: Sendable, Equatable {
    public enum Database: Sendable, Equatable {
        case sqlite(path: String)
        case sqliteInMemory
        case postgres(url: String)

        public var isSQLite: Bool { if case .postgres = self { false } else { true } }
    }

    public var database: Database = .sqlite(path: "data/rapport.sqlite")
    /// PostgreSQL schema to use instead of `public` (RAPPORT_DATABASE_SCHEMA); tests give each run its own.
    public var databaseSchema: String?
    public var host = "127.0.0.1"
    public var port = 8080
    /// The address people reach Rapport at, used in links and to decide whether cookies are `Secure`.
    public var baseURL: String?
    public var logLevel = "info"
    /// bcrypt work factor; tests lower it to stay fast.
    public var bcryptCost = 12
    /// Where survey e-mails go out (RAPPORT_SMTP_URL); without it they wait in the outbox.
    public var smtp: SMTPSettings?
    /// The sender when a workspace names none (RAPPORT_MAIL_FROM).
    public var mailFrom: String?
    /// Seconds between rounds of the survey worker when idle (RAPPORT_WORKER_INTERVAL, 2 by
    /// default when read from the environment); 0 turns it off, as in tests that drive it by hand.
    public var workerInterval: Double = 0
    /// The hour of the workspace's day (0–23, in its time zone) from which the worker computes every
    /// account's health for that day (RAPPORT_HEALTH_HOUR, 3 by default when read from the
    /// environment, `off` for never); nil turns it off, as in tests that drive it by hand.
    public var healthHour: Int?

    public init() {}

    public var secureCookies: Bool { baseURL?.lowercased().hasPrefix("https://") ?? false }

    public struct Problem: Error, CustomStringConvertible, Equatable {
        public let variable: String
        public let reason: String
        public var description: String { "\(variable): \(reason)" }
    }

    /// Reads the `RAPPORT_*` variables. Flags given on the command line override them afterwards.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws(Problem) -> Settings {
        var s = Settings()
        s.workerInterval = 2
        s.healthHour = 3
        if let url = env["RAPPORT_DATABASE_URL"] { s.database = try parseDatabase(url, variable: "RAPPORT_DATABASE_URL") }
        if let schema = env["RAPPORT_DATABASE_SCHEMA"] {
            guard schema.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
                throw Problem(variable: "RAPPORT_DATABASE_SCHEMA", reason: "'\(schema)' must be a lower-case SQL name such as rapport")
            }
            s.databaseSchema = schema
        }
        if let host = env["RAPPORT_HOST"] {
            guard !host.isEmpty else { throw Problem(variable: "RAPPORT_HOST", reason: "is empty") }
            s.host = host
        }
        if let port = env["RAPPORT_PORT"] { s.port = try parsePort(port, variable: "RAPPORT_PORT") }
        if let base = env["RAPPORT_BASE_URL"] {
            guard let url = URL(string: base), let scheme = url.scheme, ["http", "https"].contains(scheme.lowercased()), url.host != nil else {
                throw Problem(variable: "RAPPORT_BASE_URL", reason: "'\(base)' is not an http(s) URL such as https://rapport.example.com")
            }
            s.baseURL = base.hasSuffix("/") ? String(base.dropLast()) : base
        }
        if let cost = env["RAPPORT_BCRYPT_COST"] {
            guard let c = Int(cost), (4...31).contains(c) else { throw Problem(variable: "RAPPORT_BCRYPT_COST", reason: "'\(cost)' is not a whole number from 4 to 31") }
            s.bcryptCost = c
        }
        if let smtp = env["RAPPORT_SMTP_URL"] { s.smtp = try parseSMTP(smtp, variable: "RAPPORT_SMTP_URL") }
        if let from = env["RAPPORT_MAIL_FROM"] {
            guard case .success(let address) = FieldCheck.email(from) else {
                throw Problem(variable: "RAPPORT_MAIL_FROM", reason: "'\(from)' is not an e-mail address such as surveys@example.com")
            }
            s.mailFrom = address
        }
        if let w = env["RAPPORT_WORKER_INTERVAL"] {
            guard let seconds = Double(w), seconds >= 0, seconds <= 3_600 else {
                throw Problem(variable: "RAPPORT_WORKER_INTERVAL", reason: "'\(w)' is not a number of seconds from 0 (off) to 3600")
            }
            s.workerInterval = seconds
        }
        if let h = env["RAPPORT_HEALTH_HOUR"] {
            if h.lowercased() == "off" { s.healthHour = nil } else {
                guard let hour = Int(h), (0...23).contains(hour) else {
                    throw Problem(variable: "RAPPORT_HEALTH_HOUR", reason: "'\(h)' is not an hour from 0 to 23, or off")
                }
                s.healthHour = hour
            }
        }
        if let level = env["RAPPORT_LOG_LEVEL"] {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            guard levels.contains(level.lowercased()) else {
                throw Problem(variable: "RAPPORT_LOG_LEVEL", reason: "'\(level)' is not one of \(levels.joined(separator: ", "))")
            }
            s.logLevel = level.lowercased()
        }
        return s
    }

    public static func parseDatabase(_ text: String, variable: String) throws(Problem) -> Database {
        if text == "sqlite::memory:" || text == "sqlite:memory" { return .sqliteInMemory }
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw Problem(variable: variable, reason: "'sqlite:' needs a file path, e.g. sqlite:data/rapport.sqlite") }
            return .sqlite(path: path)
        }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            guard let url = URL(string: text), url.host != nil, url.path.count > 1 else {
                throw Problem(variable: variable, reason: "'\(redact(text))' must look like postgres://USER:PASSWORD@HOST:5432/DATABASE")
            }
            return .postgres(url: text)
        }
        throw Problem(variable: variable, reason: "'\(redact(text))' must start with sqlite: or postgres://")
    }

    public static func parsePort(_ text: String, variable: String) throws(Problem) -> Int {
        guard let p = Int(text), (1...65535).contains(p) else {
            throw Problem(variable: variable, reason: "'\(text)' is not a port number between 1 and 65535")
        }
        return p
    }

    /// `smtp://USER:PASSWORD@HOST:587` (STARTTLS; plain only to 127.0.0.1 or localhost),
    /// `smtps://HOST:465` (TLS from the start), optional `?security=none|starttls|tls` and
    /// `?verify=false` (accept a self-signed certificate, for tests).
    public static func parseSMTP(_ text: String, variable: String) throws(Problem) -> SMTPSettings {
        guard let c = URLComponents(string: text), let scheme = c.scheme?.lowercased(), ["smtp", "smtps"].contains(scheme),
              let host = c.host, !host.isEmpty else {
            throw Problem(variable: variable, reason: "'\(redact(text))' must look like smtp://USER:PASSWORD@HOST:587 or smtps://HOST:465")
        }
        let local = host == "127.0.0.1" || host == "localhost" || host == "::1"
        var security: SMTPSettings.Security = scheme == "smtps" ? .tls : (local ? .none : .startTLS)
        var verify = true
        for item in c.queryItems ?? [] {
            switch (item.name, item.value ?? "") {
            case ("security", let v):
                guard let s = SMTPSettings.Security(rawValue: v) else { throw Problem(variable: variable, reason: "security '\(v)' is not one of none, starttls, tls") }
                security = s
            case ("verify", let v): verify = v != "false"
            default: throw Problem(variable: variable, reason: "unknown option '\(item.name)'; use security or verify")
            }
        }
        let port = c.port ?? (security == .tls ? 465 : local ? 25 : 587)
        return SMTPSettings(host: host, port: port, security: security, username: c.user?.removingPercentEncoding,
                            password: c.password?.removingPercentEncoding, heloName: "rapport.local", timeout: 30, verifyCertificates: verify)
    }

    /// Never print a database password into a log or an error.
    static func redact(_ url: String) -> String {
        guard let at = url.firstIndex(of: "@"), let scheme = url.range(of: "://") else { return url }
        let userInfo = url[scheme.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return url.replacingCharacters(in: url.index(after: colon)..<at, with: "***")
    }
}
