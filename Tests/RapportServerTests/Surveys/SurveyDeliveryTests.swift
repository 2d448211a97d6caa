import Fluent
import Foundation
import RapportKit
import Testing
import Vapor
import VaporTesting
@testable import RapportServer

/// The outbox against a real SMTP server process (scripts/smtp_sink.py): invitations, a bounce,
/// the reminder after N days, and the unsubscribe link.
@Suite("Survey e-mail delivery")
struct SurveyDeliveryTests {
    @Test("invitations and reminders arrive; a refused recipient is a bounce; unsubscribing stops the reminder", arguments: TestDB.all)
    func delivery(db: TestDB) async throws {
        let sink = try SMTPSink("--reject-pattern", "^bounce@")
        defer { sink.stop() }
        try await withTestApp(db, settings: {
            $0.smtp = SMTPSettings(host: "127.0.0.1", port: sink.port, security: .none)
            $0.mailFrom = "umfragen@rapport.example"
        }) { app in
            let s = try await SurveySetup.make(app, slug: "mail", policy: ["quiet_days": 30, "max_reminders": 1, "reminder_after_days": 5])
            try await s.contact("M-1", email: "anna@kunde.example", language: "de")
            try await s.contact("M-2", email: "bounce@kunde.example", language: "en")
            try await s.contact("M-3", email: "carl@kunde.example", language: "en")
            for c in ["M-1", "M-2", "M-3"] { _ = try await s.event(c) }
            try await SurveyWorker.tick(app)

            var mails = try sink.delivered()
            #expect(mails.map(\.envelope.rcpt_tos).sorted { $0[0] < $1[0] } == [["anna@kunde.example"], ["carl@kunde.example"]])
            let anna = try DecodedMail(mails.first { $0.envelope.rcpt_tos == ["anna@kunde.example"] }!.eml)
            #expect(anna.subject == "Ihre Meinung zählt: Ihr Kontakt mit dem Service")
            #expect(anna.text?.contains("Guten Tag Petra Schäfer M-1,") == true && anna.text?.contains("/s/p") == true)
            #expect(anna.listUnsubscribe?.contains("/u/p") == true)
            let carl = try DecodedMail(mails.first { $0.envelope.rcpt_tos == ["carl@kunde.example"] }!.eml)
            #expect(carl.subject == "Your opinion counts: Your contact with Service")

            let bounced = try await Invitation.query(on: app.db).filter(\.$status == "bounced").all()
            #expect(bounced.count == 1)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$status == "failed").first()?.lastError?.contains("550") == true)

            // Carl unsubscribes through the link in his e-mail; Anna does nothing.
            let unsubscribe = URL(string: String(carl.listUnsubscribe!.dropFirst().dropLast()))!.path
            let r = try await app.testing().sendRequest(.POST, unsubscribe, headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                                        body: ByteBuffer(string: "List-Unsubscribe=One-Click"))
            #expect(r.status == .ok)

            // Six days later: one reminder, to Anna only.
            let later = Date().addingTimeInterval(6 * 86_400)
            try await SurveyWorker.tick(app, now: later)
            try await SurveyWorker.tick(app, now: later)
            mails = try sink.delivered()
            #expect(mails.count == 3)
            let reminder = try DecodedMail(mails.last!.eml)
            #expect(mails.last?.envelope.rcpt_tos == ["anna@kunde.example"])
            #expect(reminder.subject == "Erinnerung: Ihr Kontakt mit dem Service")
            let skipped = try await ContactDecision.query(on: app.db).filter(\.$kind == "reminder").filter(\.$invited == false).all()
            #expect(skipped.isEmpty, "Carl's reminder was stopped by the unsubscribe, not decided")
            // And no second reminder, ever.
            try await SurveyWorker.tick(app, now: later.addingTimeInterval(30 * 86_400))
            #expect(try sink.delivered().count == 3)
        }
    }

    @Test("webhooks carry a signature the receiver can check; a refusing receiver is not retried forever", arguments: TestDB.all)
    func webhook(db: TestDB) async throws {
        let secret = "webhook-secret-0123456789"
        let sink = try ProcessSink(script: "webhook_sink.py", "--secret", secret)
        defer { sink.stop() }
        try await withTestApp(db) { app in
            let s = try await SurveySetup.make(app, slug: "hook", channel: "webhook")
            let settings = try await s.fx.send(.PUT, "/api/v1/survey-settings", token: s.token, json: [
                "contact_policy": ["quiet_days": 30], "feedback_queues": [:], "webhook_url": "http://127.0.0.1:\(sink.port)/rapport", "webhook_secret": secret])
            #expect(try settings.status == .ok && settings.json()["webhook_secret_set"] as? Bool == true && settings.json()["webhook_secret"] == nil)
            try await s.contact("W-1", email: nil, language: "de")
            _ = try await s.event("W-1")
            try await SurveyWorker.tick(app)
            let received = try sink.files()
            #expect(received.count == 1)
            let hook = try JSONSerialization.jsonObject(with: received[0]) as? [String: Any] ?? [:]
            #expect(hook["valid"] as? Bool == true, "the receiver's own HMAC check must accept Rapport's signature")
            let body = hook["body"] as? [String: Any] ?? [:]
            #expect(body["type"] as? String == "survey.invitation" && (body["link"] as? String)?.contains("/s/p") == true)
            #expect(try await Invitation.query(on: app.db).first()?.status == "sent")
            let short = try await s.fx.send(.PUT, "/api/v1/survey-settings", token: s.token, json: [
                "contact_policy": ["quiet_days": 30], "feedback_queues": [:], "webhook_secret": "short"])
            #expect(try short.fieldNames() == ["webhook_secret"])
        }
    }

    @Test("phone and letter campaigns: due invitations as CSV once, letters with a QR code", arguments: TestDB.all)
    func campaigns(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SurveySetup.make(app, slug: "letters", channel: "letter")
            try await s.contact("L-1", language: "de", channel: "letter")
            _ = try await s.event("L-1")
            let csv = try await s.fx.send(.GET, "/api/v1/invitations/export?channel=letter", token: s.token)
            #expect(csv.status == .ok)
            let lines = csv.body.string.split(separator: "\r\n")
            #expect(lines.count == 2 && lines[1].contains("/s/p") && lines[1].contains("L-1"))
            let again = try await s.fx.send(.GET, "/api/v1/invitations/export?channel=letter", token: s.token)
            #expect(again.body.string.split(separator: "\r\n").count == 1, "exported invitations are not exported twice")
            #expect(try await Invitation.query(on: app.db).first()?.status == "exported")
            #expect(try await s.fx.send(.GET, "/api/v1/invitations/export?channel=email", token: s.token).status == .unprocessableEntity)
        }
    }

    @Test("a weekly batch rule decides once per contact for the events of its period", arguments: TestDB.all)
    func batchRule(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await SurveySetup.make(app, slug: "weekly")
            try await s.contact("B-1")
            try await s.contact("B-2")
            let rule = try await s.fx.create("/api/v1/triggers", token: s.token, ["name": "Weekly", "kind": "batch", "event_type": "journey_completed",
                                                                                 "survey_id": s.survey.id, "channel": "email", "every_days": 7])
            #expect(rule["every_days"] as? Int == 7 && rule["next_run_at"] is String)
            for (c, n) in [("B-1", 1), ("B-1", 2), ("B-2", 3)] {
                _ = try await s.fx.create("/api/v1/events", token: s.token, ["type": "journey_completed", "contact_external_id": c, "external_id": "j-\(n)"])
            }
            #expect(try await Invitation.query(on: app.db).count() == 0, "a batch rule does not invite per event")
            let nextWeek = Date().addingTimeInterval(7 * 86_400 + 60)
            #expect(try await BatchRules.runDue(app, now: nextWeek) == 1)
            #expect(try await BatchRules.runDue(app, now: nextWeek) == 0, "the run is claimed once")
            let decisions = try await ContactDecision.query(on: app.db).all()
            #expect(decisions.count == 2 && decisions.allSatisfy(\.invited))
        }
    }
}

/// A helper script from scripts/ run as a real process that prints "READY <port>" and writes one file
/// per request into its directory.
final class ProcessSink {
    let port: Int
    private let process = Process()
    private let dir: URL

    init(script: String, _ options: String...) throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("sink-\(UUID().uuidString)")
        let out = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repository.appendingPathComponent("scripts/\(script)").path, "--port", "0", "--dir", dir.path] + options
        process.standardOutput = out
        try process.run()
        var data = Data()
        while !data.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            data += chunk
        }
        let line = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard line.hasPrefix("READY "), let port = Int(line.dropFirst(6)) else { process.terminate(); throw SinkError("\(script) did not start: \(line)") }
        self.port = port
    }

    func files() throws -> [Data] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
            .map { try Data(contentsOf: dir.appendingPathComponent($0)) }
    }

    func stop() {
        process.terminate()
        let deadline = Date() + 5
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: dir)
    }
}
