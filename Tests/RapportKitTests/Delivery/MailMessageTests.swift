import Foundation
import Testing
import RapportKit

/// Every rendered message is read back by Python's `email` package, a decoder we did not write, so a test
/// passes only when a real mail client would see the same subject, names and bodies.
struct MailMessageTests {
    static func invitation() -> MailMessage {
        var message = MailMessage(
            from: MailAddress("umfragen@rapport.example", name: "Jürgen Größe – Kundenservice"),
            to: [MailAddress("anna@example.org", name: "Anna Müller")],
            replyTo: MailAddress("support@rapport.example", name: "Rapport Support"),
            subject: "Ihre Meinung zählt: Wie war Ihr Besuch in Köln?",
            text: "Hallo Anna,\n\nwie zufrieden waren Sie? Grüße 🙂\n",
            html: "<p>Hallo Anna,</p>\n<p>wie zufrieden waren Sie? <a href=\"https://rapport.example/s/abc\">Zur Umfrage</a></p>\n",
            date: Date(timeIntervalSince1970: 1_767_225_600),
            messageIDDomain: "rapport.example",
            unsubscribeURL: URL(string: "https://rapport.example/unsubscribe?t=xyz"),
            extraHeaders: [MailHeader("X-Rapport-Invitation", "inv-42")]
        )
        message.messageID = "fixed-id@rapport.example"
        return message
    }

    @Test func decodesSubjectNamesAndBothParts() throws {
        let parsed = try ParsedMail(Self.invitation().rendered())

        #expect(parsed.defects == [])
        #expect(parsed.subject == "Ihre Meinung zählt: Wie war Ihr Besuch in Köln?")
        #expect(parsed.from == [["Jürgen Größe – Kundenservice", "umfragen@rapport.example"]])
        #expect(parsed.to == [["Anna Müller", "anna@example.org"]])
        #expect(parsed.replyTo == [["Rapport Support", "support@rapport.example"]])
        #expect(parsed.contentType == "multipart/alternative")
        #expect(parsed.parts == ["text/plain", "text/html"])
        #expect(parsed.text == "Hallo Anna,\n\nwie zufrieden waren Sie? Grüße 🙂\n")
        #expect(parsed.html == "<p>Hallo Anna,</p>\n<p>wie zufrieden waren Sie? <a href=\"https://rapport.example/s/abc\">Zur Umfrage</a></p>\n")
    }

    @Test func writesDateMessageIDAndListHeaders() throws {
        let parsed = try ParsedMail(Self.invitation().rendered())

        #expect(parsed.header("Date") == "Thu, 01 Jan 2026 00:00:00 +0000")
        #expect(parsed.dateISO == "2026-01-01T00:00:00+00:00")
        #expect(parsed.header("Message-ID") == "<fixed-id@rapport.example>")
        #expect(parsed.header("List-Unsubscribe") == "<https://rapport.example/unsubscribe?t=xyz>")
        #expect(parsed.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
        #expect(parsed.header("X-Rapport-Invitation") == "inv-42")
        #expect(parsed.header("MIME-Version") == "1.0")
    }

    @Test func newMessagesGetUniqueIDsInTheGivenDomain() {
        let a = Self.plain(), b = Self.plain()
        #expect(a.messageID.hasSuffix("@rapport.example"))
        #expect(a.messageID != b.messageID)
    }

    @Test func isSevenBitWithCRLFAndShortLines() throws {
        var message = Self.invitation()
        message.text = String(repeating: "Zufriedenheit ", count: 40) + "\n" + String(repeating: "ä", count: 700)
        message.html = "<p>" + String(repeating: "x", count: 3000) + "</p>"
        let bytes = Array(message.rendered().utf8)

        #expect(bytes.allSatisfy { $0 < 0x80 })
        let lines = message.rendered().components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { !$0.contains("\r") && !$0.contains("\n") }, "no bare CR or LF")
        #expect(lines.map(\.utf8.count).max()! <= 78)
        #expect(message.rendered().hasSuffix("\r\n"))
        let parsed = try ParsedMail(message.rendered())
        #expect(parsed.text == message.text)
        #expect(parsed.html == message.html)
    }

    @Test func keepsAwkwardBodiesExact() throws {
        var message = Self.plain()
        message.text = "trailing spaces   \nand a tab\t\nFrom here on\n.\n.. dots\n= sign =3D\r\nwindows line\rold mac\n\n"
            + String(repeating: "é", count: 40) + "🎉\n"
        let parsed = try ParsedMail(message.rendered())

        #expect(parsed.defects == [])
        #expect(parsed.contentType == "text/plain")
        let expected = message.text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        #expect(parsed.text == expected)
        #expect(!message.rendered().contains("\r\nFrom "), "a body line starting with From is escaped")
    }

    @Test func longNonASCIISubjectFoldsIntoEncodedWords() throws {
        var message = Self.plain()
        message.subject = String(repeating: "Überraschung für Sie – ", count: 8) + "日本語 🎉"
        let rendered = message.rendered()
        let parsed = try ParsedMail(rendered)

        #expect(parsed.subject == message.subject)
        #expect(rendered.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
    }

    @Test func longASCIISubjectStaysReadable() throws {
        var message = Self.plain()
        message.subject = "Please tell us how we did on your recent visit, it takes about two minutes and helps a lot"
        let rendered = message.rendered()

        #expect(rendered.contains("Subject: Please tell us"))
        #expect(try ParsedMail(rendered).subject == message.subject)
    }

    @Test func headerValuesCannotInjectHeaders() throws {
        var message = Self.plain()
        message.subject = "Hello\r\nBcc: victim@example.net"
        message.to = [MailAddress("anna@example.org", name: "Anna\nX-Evil: 1")]
        message.extraHeaders = [MailHeader("X-Note", "a\r\n\r\nbody")]
        let parsed = try ParsedMail(message.rendered())

        #expect(parsed.header("Bcc") == nil)
        #expect(parsed.header("X-Evil") == nil)
        #expect(parsed.subject == "Hello  Bcc: victim@example.net")
        #expect(parsed.header("X-Note") == "a    body")
        #expect(parsed.text == message.text)
    }

    @Test func asciiNamesWithSpecialsAreQuoted() throws {
        var message = Self.plain()
        message.to = [
            MailAddress("john@example.org", name: "Doe, John"),
            MailAddress("q@example.org", name: "Say \"Hi\" \\o/"),
            MailAddress("plain@example.org"),
            MailAddress("eve@example.org", name: "=?UTF-8?B?ZXZpbA==?="),
        ]
        let rendered = message.rendered()
        let parsed = try ParsedMail(rendered)

        #expect(rendered.contains("\"Doe, John\" <john@example.org>"))
        #expect(parsed.to == [
            ["Doe, John", "john@example.org"],
            ["Say \"Hi\" \\o/", "q@example.org"],
            ["", "plain@example.org"],
            ["=?UTF-8?B?ZXZpbA==?=", "eve@example.org"],
        ])
    }

    @Test func extraHeadersCannotReplaceOwnHeaders() throws {
        var message = Self.plain()
        message.extraHeaders = [MailHeader("Subject", "other"), MailHeader("content-type", "text/evil"),
                                MailHeader("X-Campaign", "Frühjahr")]
        let parsed = try ParsedMail(message.rendered())

        #expect(parsed.subject == message.subject)
        #expect(parsed.contentType == "text/plain")
        #expect(parsed.header("X-Campaign") == "Frühjahr")
        #expect(parsed.headers.filter { $0[0].lowercased() == "subject" }.count == 1)
    }

    @Test func emptyToBecomesUndisclosedRecipients() throws {
        var message = Self.plain()
        message.to = []
        let parsed = try ParsedMail(message.rendered())

        #expect(parsed.defects == [])
        #expect(parsed.to == [])
        #expect(parsed.header("To") == "undisclosed-recipients:;")
    }

    @Test func addressesNeedSMTPUTF8OnlyWhenTheAddressItselfIsNotASCII() {
        #expect(!Self.invitation().requiresSMTPUTF8)
        var message = Self.plain()
        message.to = [MailAddress("jürgen@example.org")]
        #expect(message.requiresSMTPUTF8)
    }

    static func plain() -> MailMessage {
        MailMessage(from: MailAddress("noreply@rapport.example"), to: [MailAddress("anna@example.org")],
                    subject: "Quick question", text: "Hi!\n", messageIDDomain: "rapport.example")
    }
}

/// What Python's `email` package (policy.default) makes of a message.
private struct ParsedMail: Decodable {
    var subject: String?
    var from: [[String]]?
    var to: [[String]]?
    var replyTo: [[String]]?
    var dateISO: String?
    var contentType: String
    var parts: [String]
    var text: String?
    var html: String?
    var headers: [[String]]
    var defects: [String]

    func header(_ name: String) -> String? {
        headers.first { $0[0].lowercased() == name.lowercased() }?[1]
    }

    static let script = """
    import email, email.policy, json, sys
    msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
    def addresses(name):
        value = msg[name]
        return None if value is None else [[a.display_name, a.addr_spec] for a in value.addresses]
    def body(kind):
        part = msg.get_body(preferencelist=(kind,))
        return None if part is None else part.get_content().replace('\\r\\n', '\\n')
    print(json.dumps({
        "subject": msg["Subject"], "from": addresses("From"), "to": addresses("To"),
        "replyTo": addresses("Reply-To"),
        "dateISO": msg["Date"].datetime.isoformat() if msg["Date"] else None,
        "contentType": msg.get_content_type(),
        "parts": [p.get_content_type() for p in msg.walk() if not p.is_multipart()],
        "text": body("plain"), "html": body("html"),
        "headers": [[k, str(v)] for k, v in msg.items()],
        "defects": [type(d).__name__ for p in msg.walk() for d in p.defects],
    }))
    """

    init(_ rendered: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Python reads all of its input before it writes anything, so writing first cannot deadlock.
        stdin.fileHandleForWriting.write(Data(rendered.utf8))
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PythonFailed(message: "python3's email package could not read the message: "
                + String(decoding: err, as: UTF8.self))
        }
        self = try JSONDecoder().decode(ParsedMail.self, from: out)
    }
}

private struct PythonFailed: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
