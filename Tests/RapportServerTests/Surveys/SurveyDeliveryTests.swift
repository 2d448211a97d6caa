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
}
