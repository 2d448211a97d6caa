import Foundation
import NIOCore
import NIOPosix
import RapportKit
import Testing
@testable import RapportServer

/// The client against a real SMTP server (aiosmtpd, run by scripts/smtp_sink.py), and against a scripted one
/// for the misbehaviours a real server will not show on request.
struct SMTPClientTests {
    static func invitation() -> MailMessage {
        MailMessage(
            from: MailAddress("umfragen@rapport.example", name: "Jürgen Größe"),
            to: [MailAddress("anna@example.org", name: "Anna Müller")],
            subject: "Wie zufrieden waren Sie mit Ihrem Besuch in Köln?",
            text: "Hallo Anna,\n.\n..zwei Punkte\nGrüße\n",
            html: "<p>Hallo Anna,</p>\n.\n<p>Grüße</p>\n",
            messageIDDomain: "rapport.example",
            unsubscribeURL: URL(string: "https://rapport.example/u/abc")
        )
    }

    static func client(_ port: Int, _ security: SMTPSettings.Security, host: String = "127.0.0.1",
                       username: String? = nil, password: String? = nil, verify: Bool = false,
                       timeout: TimeInterval = 10) -> SMTPClient {
        SMTPClient(
            settings: SMTPSettings(host: host, port: port, security: security, username: username, password: password,
                                   heloName: "test.rapport.example", timeout: timeout, verifyCertificates: verify),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton
        )
    }

    @Test func deliversPlainMessageToLocalServer() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let message = Self.invitation()

        try await Self.client(sink.port, .none).send(message, envelopeFrom: "bounce+42@rapport.example",
                                                     recipients: ["anna@example.org", "ben@example.org"])

        let delivered = try sink.delivered()
        try #require(delivered.count == 1)
        #expect(delivered[0].envelope.mail_from == "bounce+42@rapport.example")
        #expect(delivered[0].envelope.rcpt_tos == ["anna@example.org", "ben@example.org"])
        #expect(delivered[0].envelope.mail_options.contains { $0.hasPrefix("SIZE=") })
        #expect(delivered[0].envelope.tls == false)
        let mail = try DecodedMail(delivered[0].eml)
        #expect(mail.subject == message.subject)
        #expect(mail.from == ["Jürgen Größe", "umfragen@rapport.example"])
        #expect(mail.text == message.text, "lines of a single dot survive dot-stuffing")
        #expect(mail.html == message.html)
        #expect(mail.messageID == "<\(message.messageID)>")
        #expect(mail.listUnsubscribe == "<https://rapport.example/u/abc>")
        #expect(mail.defects == [])
    }

    @Test func upgradesWithStartTLSThenAuthenticates() async throws {
        let sink = try SMTPSink("--starttls", "--auth", "rapport:s3cret")
        defer { sink.stop() }

        try await Self.client(sink.port, .startTLS, username: "rapport", password: "s3cret")
            .send(Self.invitation(), envelopeFrom: "bounce@rapport.example", recipients: ["anna@example.org"])

        let delivered = try sink.delivered()
        try #require(delivered.count == 1)
        #expect(delivered[0].envelope.tls)
        #expect(delivered[0].envelope.auth_login == "rapport")
        let mail = try DecodedMail(delivered[0].eml)
        #expect(mail.subject == Self.invitation().subject)
        #expect(mail.text == Self.invitation().text)
    }

    @Test func fallsBackToAuthLogin() async throws {
        let sink = try SMTPSink("--starttls", "--auth", "rapport:s3cret", "--auth-mechanism", "LOGIN")
        defer { sink.stop() }

        try await Self.client(sink.port, .startTLS, username: "rapport", password: "s3cret")
            .send(Self.invitation(), envelopeFrom: "bounce@rapport.example", recipients: ["anna@example.org"])

        #expect(try sink.delivered().map(\.envelope.auth_login) == ["rapport"])
    }

    @Test func speaksImplicitTLS() async throws {
        let sink = try SMTPSink("--tls", "--auth", "rapport:s3cret")
        defer { sink.stop() }

        try await Self.client(sink.port, .tls, username: "rapport", password: "s3cret")
            .send(Self.invitation(), envelopeFrom: "bounce@rapport.example", recipients: ["anna@example.org"])

        let delivered = try sink.delivered()
        #expect(delivered.map(\.envelope.tls) == [true])
        #expect(delivered.map(\.envelope.auth_login) == ["rapport"])
    }

    @Test func authenticatesWithoutTLSOnlyOnLoopback() async throws {
        let sink = try SMTPSink("--auth", "rapport:s3cret")
        defer { sink.stop() }

        try await Self.client(sink.port, .none, username: "rapport", password: "s3cret")
            .send(Self.invitation(), envelopeFrom: "bounce@rapport.example", recipients: ["anna@example.org"])
        #expect(try sink.delivered().map(\.envelope.auth_login) == ["rapport"])

        // Same machine, but not a name we trust as local: the password must not go out in plain text.
        let error = await Self.failure {
            try await Self.client(sink.port, .none, host: "127.0.0.2", username: "rapport", password: "s3cret")
                .send(Self.invitation(), envelopeFrom: "bounce@rapport.example", recipients: ["anna@example.org"])
        }
        #expect(error?.isPermanent == true)
        #expect(error?.code == 530)
        #expect(try sink.delivered().count == 1)
    }

    @Test func rejectedRecipientIsPermanentAndStopsTheWholeMessage() async throws {
        let sink = try SMTPSink("--reject-pattern", "^nobody@")
        defer { sink.stop() }

        let error = await Self.failure {
            try await Self.client(sink.port, .none).send(Self.invitation(), envelopeFrom: "bounce@rapport.example",
                                                         recipients: ["anna@example.org", "nobody@example.org"])
        }

        #expect(error?.isPermanent == true)
        #expect(error?.code == 550)
        #expect(error.map { "\($0)" }?.contains("RCPT TO:<nobody@example.org>: 550 5.1.1 no such user") == true)
        #expect(try sink.delivered().isEmpty)
    }

    @Test func wrongPasswordIsAPermanentAuthError() async throws {
        let sink = try SMTPSink("--starttls", "--auth", "rapport:s3cret")
        defer { sink.stop() }

        let error = await Self.failure {
            try await Self.client(sink.port, .startTLS, username: "rapport", password: "wrong")
                .send(Self.invitation(), envelopeFrom: "bounce@rapport.example", recipients: ["anna@example.org"])
        }

        #expect(error?.isPermanent == true)
        #expect(error?.code == 535)
        #expect(try sink.delivered().isEmpty)
    }

    @Test func selfSignedCertificateIsRefusedUnlessVerificationIsOff() async throws {
        let sink = try SMTPSink("--starttls")
        defer { sink.stop() }

        let error = await Self.failure {
            try await Self.client(sink.port, .startTLS, verify: true)
                .send(Self.invitation(), envelopeFrom: "bounce@rapport.example", recipients: ["anna@example.org"])
        }

        #expect(error?.isPermanent == false)
        #expect(error.map { "\($0)" }?.contains("TLS") == true)
        #expect(try sink.delivered().isEmpty)
    }

    @Test func missingStartTLSIsNotSilentlySkipped() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }

        let error = await Self.failure {
            try await Self.client(sink.port, .startTLS)
                .send(Self.invitation(), envelopeFrom: "bounce@rapport.example", recipients: ["anna@example.org"])
        }

        #expect(error?.isPermanent == false)
        #expect(error.map { "\($0)" }?.contains("STARTTLS") == true)
        #expect(try sink.delivered().isEmpty)
    }

    @Test func nonASCIIAddressNeedsSMTPUTF8() async throws {
        let sink = try SMTPSink()  // aiosmtpd does not offer SMTPUTF8 unless asked to
        defer { sink.stop() }

        let error = await Self.failure {
            try await Self.client(sink.port, .none)
                .send(Self.invitation(), envelopeFrom: "bounce@rapport.example", recipients: ["jürgen@example.org"])
        }

        #expect(error?.code == 553)
        #expect(try sink.delivered().isEmpty)
    }

    @Test func closedPortIsTransient() async throws {
        let server = try await ScriptedServer.start(greeting: nil) { _ in nil }
        let port = server.port
        try await server.stop()

        let error = await Self.failure {
            try await Self.client(port, .none)
                .send(Self.invitation(), envelopeFrom: "bounce@rapport.example", recipients: ["anna@example.org"])
        }

        guard case .transient(let code, _)? = error else {
            Issue.record("expected .transient, got \(String(describing: error))")
            return
        }
        #expect(code == nil)
    }

    @Test func silentServerTimesOut() async throws {
        let server = try await ScriptedServer.start(greeting: nil) { _ in nil }
        let started = ContinuousClock.now

        let error = await Self.failure {
            try await Self.client(server.port, .none, timeout: 0.5)
                .send(Self.invitation(), envelopeFrom: "bounce@rapport.example", recipients: ["anna@example.org"])
        }
        // Measured before stopping the server, whose shutdown is not the client's business. The bound
        // proves the client gives up instead of hanging; it is wide because on two cores the other
        // tests running in parallel can keep the timed-out task waiting for a thread for seconds.
        let waited = ContinuousClock.now - started
        try await server.stop()

        #expect(error?.isPermanent == false)
        #expect(error.map { "\($0)" }?.contains("unanswered") == true)
        #expect(waited < .seconds(30))
    }

    @Test func repliesInjectedBeforeTheTLSHandshakeAreRefused() async throws {
        let server = try await ScriptedServer.start(greeting: "220 scripted ESMTP") { line in
            if line.hasPrefix("EHLO") { return "250-scripted\r\n250-SIZE 1000000\r\n250 STARTTLS" }
            // A man in the middle appends a fake EHLO answer to the real 220, hoping it is read after TLS.
            if line == "STARTTLS" { return "220 go ahead\r\n250-fake\r\n250 AUTH PLAIN" }
            return "502 not scripted"
        }

        let error = await Self.failure {
            try await Self.client(server.port, .startTLS)
                .send(Self.invitation(), envelopeFrom: "bounce@rapport.example", recipients: ["anna@example.org"])
        }
        try await server.stop()

        #expect(error?.isPermanent == false)
        #expect(error.map { "\($0)" }?.contains("after accepting STARTTLS") == true)
    }

    @Test func readsMultiLineRepliesAndFallsBackToHELO() async throws {
        let log = CommandLog()
        let server = try await ScriptedServer.start(greeting: "220-first line\r\n220 scripted") { line in
            log.append(line)
            switch line {
            case _ where line.hasPrefix("EHLO"): return "502 5.5.1 what is EHLO"
            case _ where line.hasPrefix("HELO"): return "250 hello"
            case _ where line.hasPrefix("MAIL FROM"), _ where line.hasPrefix("RCPT TO"): return "250-fine\r\n250 ok"
            case "DATA": return "354 go on"
            case ".": return "250-queued\r\n250 as 1"
            case "QUIT": return "221 bye"
            default: return nil
            }
        }

        try await Self.client(server.port, .none)
            .send(Self.invitation(), envelopeFrom: "bounce@rapport.example", recipients: ["anna@example.org"])
        try await server.stop()

        let commands = log.lines.filter { $0.hasPrefix("EHLO") || $0.hasPrefix("HELO") || $0.hasPrefix("MAIL") }
        #expect(commands == ["EHLO test.rapport.example", "HELO test.rapport.example", "MAIL FROM:<bounce@rapport.example>"])
        #expect(log.lines.contains("QUIT"))
        #expect(log.lines.contains(".."), "a line of a single dot is sent doubled")
    }

    @Test func payloadIsDotStuffedWithCRLFOnly() {
        let payload = SMTPClient.dataPayload("a\n.b\r\n..c\rd\r\n.")
        #expect(String(buffer: payload) == "a\r\n..b\r\n...c\r\nd\r\n..\r\n.\r\n")
        #expect(String(buffer: SMTPClient.dataPayload("x\r\n")) == "x\r\n.\r\n")
        #expect(String(buffer: SMTPClient.dataPayload("")) == ".\r\n")
    }

    static func failure(_ body: () async throws -> Void) async -> SMTPError? {
        do {
            try await body()
            Issue.record("expected an SMTPError, but the message was sent")
        } catch let error as SMTPError {
            return error
        } catch {
            Issue.record("expected an SMTPError, got \(error)")
        }
        return nil
    }
}

/// scripts/smtp_sink.py as a child process, killed by `stop()`, with the messages it accepted.
final class SMTPSink {
    struct Envelope: Decodable {
        var mail_from: String
        var rcpt_tos: [String]
        var mail_options: [String]
        var tls: Bool
        var auth_login: String?
    }

    let port: Int
    private let process = Process()
    private let root: URL
    private var messages: URL { root.appendingPathComponent("messages") }

    init(_ options: String...) throws {
        let repository = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        root = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let errorLog = root.appendingPathComponent("stderr.log")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)

        let stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repository.appendingPathComponent("scripts/smtp_sink.py").path,
                             "--port", "0", "--dir", root.appendingPathComponent("messages").path] + options
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: errorLog)
        try process.run()

        // If the sink neither says READY nor dies within 20 s, kill it so the read below ends.
        let process = self.process
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 20, execute: watchdog)
        defer { watchdog.cancel() }

        var output = Data()
        while !output.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            output += chunk
        }
        let line = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard line.hasPrefix("READY "), let port = Int(line.dropFirst(6)) else {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            let errors = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: root)
            if errors.contains("aiosmtpd") {
                throw SinkError("the SMTP tests need aiosmtpd: python3 -m pip install aiosmtpd (scripts/test installs it)\n" + errors)
            }
            throw SinkError("scripts/smtp_sink.py did not start (said \"\(line)\"):\n" + errors)
        }
        self.port = port
    }

    func stop() {
        process.terminate()
        // SIGTERM should do; SIGKILL if it does not, so a stuck sink cannot hang the test run.
        let deadline = Date() + 5
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: root)
    }

    /// Accepted messages in order. The sink writes a message's .json last, so each one listed is complete.
    func delivered() throws -> [(envelope: Envelope, eml: Data)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: messages.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { name in
            let stem = messages.appendingPathComponent(String(name.dropLast(5)))
            let envelope = try JSONDecoder().decode(Envelope.self, from: Data(contentsOf: stem.appendingPathExtension("json")))
            return (envelope, try Data(contentsOf: stem.appendingPathExtension("eml")))
        }
    }
}

struct SinkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// What Python's `email` package makes of a delivered .eml file.
struct DecodedMail: Decodable {
    var subject: String?
    var from: [String]
    var messageID: String?
    var listUnsubscribe: String?
    var text: String?
    var html: String?
    var defects: [String]

    static let script = """
    import email, email.policy, json, sys
    msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
    sender = msg["From"].addresses[0]
    def body(kind):
        part = msg.get_body(preferencelist=(kind,))
        return None if part is None else part.get_content().replace('\\r\\n', '\\n')
    print(json.dumps({
        "subject": msg["Subject"], "from": [sender.display_name, sender.addr_spec],
        "messageID": msg["Message-ID"], "listUnsubscribe": msg["List-Unsubscribe"],
        "text": body("plain"), "html": body("html"),
        "defects": [type(d).__name__ for p in msg.walk() for d in p.defects],
    }))
    """

    init(_ eml: Data) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Python reads all of its input before it writes anything, so writing first cannot deadlock.
        stdin.fileHandleForWriting.write(eml)
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SinkError("python3 could not read the delivered message: " + String(decoding: err, as: UTF8.self))
        }
        self = try JSONDecoder().decode(DecodedMail.self, from: out)
    }
}

/// A loopback server that answers each command line from a script: for silence, injected bytes and the like.
private struct ScriptedServer {
    let channel: any NIOCore.Channel
    var port: Int { channel.localAddress!.port! }

    static func start(greeting: String?, answer: @escaping @Sendable (String) -> String?) async throws -> ScriptedServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(ScriptedSMTPHandler(greeting: greeting, answer: answer))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ScriptedServer(channel: channel)
    }

    func stop() async throws {
        try await channel.close()
    }
}

private final class ScriptedSMTPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let greeting: String?
    let answer: @Sendable (String) -> String?
    private var pending = ""

    init(greeting: String?, answer: @escaping @Sendable (String) -> String?) {
        self.greeting = greeting
        self.answer = answer
    }

    func channelActive(context: ChannelHandlerContext) {
        if let greeting { say(greeting, context) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending += String(buffer: unwrapInboundIn(data))
        while let end = pending.range(of: "\r\n") {
            let line = String(pending[..<end.lowerBound])
            pending.removeSubrange(..<end.upperBound)
            if let reply = answer(line) { say(reply, context) }
        }
    }

    private func say(_ text: String, _ context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text + "\r\n")), promise: nil)
    }
}

/// Lines a scripted server received, read by the test afterwards.
private final class CommandLog: @unchecked Sendable {  // every access holds the lock
    private let lock = NSLock()
    private var storage: [String] = []
    var lines: [String] { lock.withLock { storage } }
    func append(_ line: String) { lock.withLock { storage.append(line) } }
}
