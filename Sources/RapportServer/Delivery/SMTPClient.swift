import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import RapportKit

/// Where and how invitations leave the building. Read once at start-up like every other setting.
public struct SMTPSettings: Sendable, Equatable {
    public enum Security: String, Sendable {
        /// Plain text: only sensible for a relay on the same machine.
        case none
        /// Plain connection upgraded with STARTTLS before anything else is said (port 587). Refuses to go on
        /// when the server does not offer it, since a stripped STARTTLS is how a downgrade attack looks.
        case startTLS = "starttls"
        /// TLS from the first byte (port 465).
        case tls
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// The name given in EHLO; a public relay may reject "localhost", so production sets the sending host's name.
    public var heloName: String
    /// Seconds to connect, and seconds the server may leave any single request unanswered.
    public var timeout: TimeInterval
    /// False only for tests against a self-signed certificate.
    public var verifyCertificates: Bool

    public init(
        host: String,
        port: Int? = nil,
        security: Security = .startTLS,
        username: String? = nil,
        password: String? = nil,
        heloName: String = "localhost",
        timeout: TimeInterval = 30,
        verifyCertificates: Bool = true
    ) {
        self.host = host
        self.port = port ?? {
            switch security {
            case .none: 25
            case .startTLS: 587
            case .tls: 465
            }
        }()
        self.security = security
        self.username = username
        self.password = password
        self.heloName = heloName
        self.timeout = timeout
        self.verifyCertificates = verifyCertificates
    }
}

/// Why a message was not handed over. The outbox retries `.transient` later and bounces on `.permanent`;
/// note that a permanent error before RCPT (a wrong password, say) is about our configuration, not about the
/// recipient.
public enum SMTPError: Error, CustomStringConvertible {
    /// A 4xx reply, a refused, reset or timed-out connection, a failed TLS handshake.
    case transient(code: Int?, message: String)
    /// A 5xx reply (550 unknown recipient, 535 bad credentials), or a message we refuse to send as given.
    case permanent(code: Int, message: String)

    public var isPermanent: Bool {
        if case .permanent = self { return true }
        return false
    }

    public var code: Int? {
        switch self {
        case .transient(let code, _): code
        case .permanent(let code, _): code
        }
    }

    public var description: String {
        switch self {
        case .transient(let code, let message): "SMTP temporary failure\(code.map { " \($0)" } ?? ""): \(message)"
        case .permanent(let code, let message): "SMTP permanent failure \(code): \(message)"
        }
    }

    /// A reply that was not the one the step needed: 5xx is final, anything else (4xx, or a code that makes
    /// no sense at this point) may go better next time.
    init(reply: SMTPReply, during step: String) {
        let message = "\(step): \(reply.code) \(reply.text)"
        self = (500...599).contains(reply.code)
            ? .permanent(code: reply.code, message: message)
            : .transient(code: reply.code, message: message)
    }
}

/// Sends one message per call over its own connection: invitations go out from a queue at a modest rate, so
/// pooling would buy little and cost a lot of state.
public struct SMTPClient: Sendable {
    public let settings: SMTPSettings
    private let eventLoopGroup: any EventLoopGroup
    private let tlsContext: Result<NIOSSLContext, any Error>?

    public init(settings: SMTPSettings, eventLoopGroup: any EventLoopGroup) {
        self.settings = settings
        self.eventLoopGroup = eventLoopGroup
        if settings.security == .none {
            tlsContext = nil
        } else {
            var configuration = TLSConfiguration.makeClientConfiguration()
            if !settings.verifyCertificates { configuration.certificateVerification = .none }
            tlsContext = Result { try NIOSSLContext(configuration: configuration) }
        }
    }

    /// All or nothing: if the server refuses any recipient, the transaction is abandoned before DATA and
    /// nothing is sent to anyone, so a retry cannot deliver twice.
    public func send(_ message: MailMessage, envelopeFrom: String, recipients: [String]) async throws(SMTPError) {
        try checkBeforeConnecting(envelopeFrom: envelopeFrom, recipients: recipients)
        let envelope = SMTPEnvelope(
            from: envelopeFrom,
            recipients: recipients,
            payload: Self.dataPayload(message.rendered()),
            needsSMTPUTF8: message.requiresSMTPUTF8 || ([envelopeFrom] + recipients).contains { !Self.isASCII($0) }
        )
        do {
            let channel = try await connect()
            try await channel.executeThenClose { inbound, outbound in
                var session = SMTPSession(settings: settings, replies: inbound.makeAsyncIterator(), outbound: outbound)
                do {
                    try await session.deliver(envelope)
                } catch let error as SMTPError where error.code != nil {
                    // The server is still listening: say goodbye before the channel is closed under it.
                    try? await outbound.write(.command("QUIT"))
                    throw error
                }
            }
        } catch {
            throw classify(error)
        }
    }

    private func checkBeforeConnecting(envelopeFrom: String, recipients: [String]) throws(SMTPError) {
        guard !recipients.isEmpty else { throw .permanent(code: 501, message: "no recipients; not sent") }
        // "<>" (the empty sender) is allowed: it is how bounces and auto-replies are sent.
        for address in (envelopeFrom.isEmpty ? [] : [envelopeFrom]) + recipients {
            guard Self.isPlausibleAddress(address) else {
                throw .permanent(code: 501, message: "\"\(address)\" is not a usable envelope address; not sent")
            }
        }
        guard !settings.heloName.isEmpty, settings.heloName.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw .permanent(code: 501, message: "the EHLO name \"\(settings.heloName)\" is not a host name")
        }
        let loopback = ["localhost", "127.0.0.1", "::1", "[::1]"].contains(settings.host.lowercased())
        if settings.username != nil, settings.security == .none, !loopback {
            throw .permanent(code: 530, message: "refusing to send the SMTP password to \(settings.host) unencrypted; "
                + "set the security to starttls or tls")
        }
    }

    private func connect() async throws -> NIOAsyncChannel<SMTPReply, SMTPRequest> {
        let tls = try tlsContext?.get()
        let implicitTLS = settings.security == .tls
        // SNI carries names only; for an address literal the certificate is checked against the address.
        let serverName = (try? SocketAddress(ipAddress: settings.host, port: 0)) == nil ? settings.host : nil
        let timeout = TimeAmount.nanoseconds(Int64(min(max(settings.timeout, 0.001), 86_400) * 1_000_000_000))
        return try await ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(timeout)
            .connect(host: settings.host, port: settings.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if implicitTLS, let tls {
                        try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    let upgrade: (() throws -> NIOSSLClientHandler)? = tls.map { context in
                        { try NIOSSLClientHandler(context: context, serverHostname: serverName) }
                    }
                    try pipeline.addHandler(SMTPWireHandler(replyTimeout: timeout, makeTLSHandler: upgrade))
                    return try NIOAsyncChannel<SMTPReply, SMTPRequest>(wrappingChannelSynchronously: channel)
                }
            }
    }

    private func classify(_ error: any Error) -> SMTPError {
        let server = "\(settings.host):\(settings.port)"
        switch error {
        case let error as SMTPError:
            return error
        case SMTPWireError.timedOut:
            return .transient(code: nil, message: "\(server) left a request unanswered for \(settings.timeout) s")
        case let error as SMTPWireError:
            return .transient(code: nil, message: "\(server): \(error)")
        case let error as NIOSSLError:
            return .transient(code: nil, message: "TLS with \(server) failed: \(error)")
        case is CancellationError:
            return .transient(code: nil, message: "cancelled while talking to \(server)")
        default:
            return .transient(code: nil, message: "connection to \(server) failed: \(error)")
        }
    }

    /// The DATA section: every line ends in CRLF (a bare CR or LF could be read as an end of data by one server
    /// and not by the next, which is how SMTP smuggling works), a leading dot is doubled, and ".\r\n" ends it.
    static func dataPayload(_ message: String) -> ByteBuffer {
        let cr: UInt8 = 0x0D, lf: UInt8 = 0x0A, dot = UInt8(ascii: ".")
        var out: [UInt8] = []
        out.reserveCapacity(message.utf8.count + 64)
        var atLineStart = true
        var afterCR = false
        for byte in message.utf8 {
            if byte == lf, afterCR {
                afterCR = false
                continue
            }
            afterCR = byte == cr
            if byte == cr || byte == lf {
                out += [cr, lf]
                atLineStart = true
                continue
            }
            if atLineStart, byte == dot { out.append(dot) }
            out.append(byte)
            atLineStart = false
        }
        if !atLineStart { out += [cr, lf] }
        out += [dot, cr, lf]
        return ByteBuffer(bytes: out)
    }

    private static func isASCII(_ text: String) -> Bool { text.utf8.allSatisfy { $0 < 0x80 } }

    /// Enough to keep a command line intact (no spaces, brackets or line breaks); whether the mailbox exists
    /// is for the server to say.
    private static func isPlausibleAddress(_ address: String) -> Bool {
        address.utf8.count <= 320 && address.contains("@")
            && address.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && $0 != "<" && $0 != ">" }
    }
}

struct SMTPEnvelope {
    var from: String
    var recipients: [String]
    var payload: ByteBuffer
    var needsSMTPUTF8: Bool
}

/// One SMTP conversation, one command at a time (no PIPELINING: a handful of round trips per invitation).
struct SMTPSession {
    let settings: SMTPSettings
    var replies: NIOAsyncChannelInboundStream<SMTPReply>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<SMTPRequest>

    mutating func deliver(_ envelope: SMTPEnvelope) async throws {
        _ = try await reply(during: "greeting", expecting: 220...220)
        let credentials = settings.username.map { ($0, settings.password ?? "") }
        var extensions = try await hello(heloFallback: settings.security != .startTLS && credentials == nil
                                            && !envelope.needsSMTPUTF8)
        if settings.security == .startTLS {
            guard extensions["STARTTLS"] != nil else {
                throw SMTPError.transient(code: nil, message: "\(settings.host) does not offer STARTTLS; not sending without it")
            }
            try await write(.startTLS)
            _ = try await reply(during: "STARTTLS", expecting: 220...220)
            // What was said before TLS counts for nothing (RFC 3207): ask again over the encrypted channel.
            extensions = try await hello(heloFallback: false)
        }
        if let credentials {
            try await authenticate(username: credentials.0, password: credentials.1, offered: extensions["AUTH"] ?? "")
        }

        var parameters = ""
        if let limit = extensions["SIZE"].flatMap({ Int($0) }), limit > 0 {
            guard envelope.payload.readableBytes <= limit else {
                throw SMTPError.permanent(code: 552, message: "the message has \(envelope.payload.readableBytes) bytes, "
                    + "\(settings.host) takes at most \(limit); not sent")
            }
            parameters += " SIZE=\(envelope.payload.readableBytes)"
        }
        // Our own headers and bodies are 7-bit, so BODY=8BITMIME is only needed along with SMTPUTF8, when an
        // address itself is not ASCII.
        if envelope.needsSMTPUTF8 {
            guard extensions["SMTPUTF8"] != nil else {
                throw SMTPError.permanent(code: 553, message: "a non-ASCII address needs SMTPUTF8, which \(settings.host) "
                    + "does not offer; not sent")
            }
            parameters += " SMTPUTF8" + (extensions["8BITMIME"] != nil ? " BODY=8BITMIME" : "")
        }
        _ = try await command("MAIL FROM:<\(envelope.from)>\(parameters)", step: "MAIL FROM", expecting: 200...299)

        for recipient in envelope.recipients {
            try await write(.command("RCPT TO:<\(recipient)>"))
            let answer = try await reply(during: "RCPT TO:<\(recipient)>", expecting: 100...599)
            if (200...299).contains(answer.code) { continue }
            // RFC 5321 4.5.3.1.10: "552 too much mail" at RCPT is a full mailbox, which may empty.
            if answer.code == 552 {
                throw SMTPError.transient(code: 552, message: "RCPT TO:<\(recipient)>: \(answer.code) \(answer.text)")
            }
            throw SMTPError(reply: answer, during: "RCPT TO:<\(recipient)>")
        }

        _ = try await command("DATA", step: "DATA", expecting: 354...354)
        try await write(.payload(envelope.payload))
        _ = try await reply(during: "end of DATA", expecting: 200...299)

        // The message is accepted: nothing after this point may turn into an error and a second delivery.
        _ = try? await command("QUIT", step: "QUIT", expecting: 200...299)
    }

    /// EHLO, and HELO for a server from before ESMTP when nothing that needs ESMTP was asked for.
    /// Returns the extensions by keyword, e.g. ["AUTH": "PLAIN LOGIN", "SIZE": "35882577", "STARTTLS": ""].
    private mutating func hello(heloFallback: Bool) async throws -> [String: String] {
        try await write(.command("EHLO \(settings.heloName)"))
        let answer = try await reply(during: "EHLO", expecting: 100...599)
        guard (200...299).contains(answer.code) else {
            guard heloFallback, (500...502).contains(answer.code) else { throw SMTPError(reply: answer, during: "EHLO") }
            _ = try await command("HELO \(settings.heloName)", step: "HELO", expecting: 200...299)
            return [:]
        }
        var extensions: [String: String] = [:]
        for line in answer.lines.dropFirst() {
            // Some old servers still write "AUTH=LOGIN".
            let parts = line.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "=" })
            guard let keyword = parts.first?.uppercased() else { continue }
            let value = parts.count > 1 ? String(parts[1]) : ""
            extensions[keyword] = [extensions[keyword], value].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        }
        return extensions
    }

    private mutating func authenticate(username: String, password: String, offered: String) async throws {
        let mechanisms = Set(offered.uppercased().split(separator: " ").map(String.init))
        let base64 = { (text: String) in Data(text.utf8).base64EncodedString() }
        if mechanisms.contains("PLAIN") {
            let token = base64("\0\(username)\0\(password)")
            try await write(.command("AUTH PLAIN \(token)"))
            var answer = try await reply(during: "AUTH PLAIN", expecting: 100...599)
            if answer.code == 334 {  // a server that wants the initial response on a line of its own
                try await write(.command(token))
                answer = try await reply(during: "AUTH PLAIN", expecting: 100...599)
            }
            guard answer.code == 235 else { throw SMTPError(reply: answer, during: "AUTH PLAIN") }
        } else if mechanisms.contains("LOGIN") {
            _ = try await command("AUTH LOGIN", step: "AUTH LOGIN", expecting: 334...334)
            _ = try await command(base64(username), step: "AUTH LOGIN (user name)", expecting: 334...334)
            _ = try await command(base64(password), step: "AUTH LOGIN (password)", expecting: 235...235)
        } else {
            throw SMTPError.permanent(code: 504, message: "\(settings.host) offers neither AUTH PLAIN nor LOGIN "
                + "(offers: \(offered.isEmpty ? "no AUTH at all" : offered))")
        }
    }

    /// A write fails once the channel is closed; the reason it closed (a TLS failure, a timeout) is what
    /// the caller needs, and it waits at the end of the inbound stream.
    private mutating func write(_ request: SMTPRequest) async throws {
        do {
            try await outbound.write(request)
        } catch {
            while try await replies.next() != nil {}
            throw error
        }
    }

    /// `step` names the command in errors, so a password never ends up in a log.
    private mutating func command(_ line: String, step: String, expecting codes: ClosedRange<Int>) async throws -> SMTPReply {
        try await write(.command(line))
        return try await reply(during: step, expecting: codes)
    }

    private mutating func reply(during step: String, expecting codes: ClosedRange<Int>) async throws -> SMTPReply {
        guard let answer = try await replies.next() else {
            throw SMTPError.transient(code: nil, message: "\(step): \(settings.host) closed the connection")
        }
        guard codes.contains(answer.code) else { throw SMTPError(reply: answer, during: step) }
        return answer
    }
}

/// A complete reply, the lines of a multi-line one (`250-…`, `250 …`) gathered.
struct SMTPReply: Sendable {
    var code: Int
    var lines: [String]
    var text: String { lines.joined(separator: " / ") }
}

enum SMTPRequest: Sendable {
    /// One command line; the CRLF is added on the way out.
    case command(String)
    /// STARTTLS: the wire handler switches to TLS the moment the 220 for it arrives.
    case startTLS
    /// The dot-stuffed message ending in ".\r\n".
    case payload(ByteBuffer)
}

enum SMTPWireError: Error, CustomStringConvertible {
    case timedOut
    case malformedReply(String)
    case dataAfterStartTLS

    var description: String {
        switch self {
        case .timedOut: "timed out waiting for a reply"
        case .malformedReply(let line): "not an SMTP reply: \(line.prefix(200))"
        case .dataAfterStartTLS: "the server sent more after accepting STARTTLS (a possible injection); closed"
        }
    }
}

/// Bytes to replies, requests to bytes, the STARTTLS switch, and the reply timeout, all on the event loop.
final class SMTPWireHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = SMTPReply
    typealias OutboundIn = SMTPRequest
    typealias OutboundOut = ByteBuffer

    private let replyTimeout: TimeAmount
    private let makeTLSHandler: (() throws -> NIOSSLClientHandler)?
    private var received = ByteBuffer()
    private var replyCode: Int?
    private var replyLines: [String] = []
    private var startTLSPending = false
    private var deadline: Scheduled<Void>?

    init(replyTimeout: TimeAmount, makeTLSHandler: (() throws -> NIOSSLClientHandler)?) {
        self.replyTimeout = replyTimeout
        self.makeTLSHandler = makeTLSHandler
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armDeadline(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func channelActive(context: ChannelHandlerContext) {
        armDeadline(context)  // for the greeting (and, with implicit TLS, the handshake before it)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        do {
            while let line = try nextLine() {
                guard let reply = try collect(line) else { continue }
                deadline?.cancel()
                deadline = nil
                if startTLSPending {
                    startTLSPending = false
                    if reply.code == 220, let makeTLSHandler {
                        // Anything already here arrived in plain text after the server agreed to TLS, so an
                        // attacker may have put it there; treating it as a reply would be CVE-2011-0411.
                        guard received.readableBytes == 0 else { throw SMTPWireError.dataAfterStartTLS }
                        // Added before the reply travels on, so no later byte can pass without TLS.
                        try context.pipeline.syncOperations.addHandler(makeTLSHandler(), position: .first)
                        // The read-complete of this read now starts at the TLS handler, which keeps it while
                        // it handshakes; the async side hands on buffered replies only when it sees one.
                        context.fireChannelRead(wrapInboundOut(reply))
                        context.fireChannelReadComplete()
                        continue
                    }
                }
                context.fireChannelRead(wrapInboundOut(reply))
            }
            received.discardReadBytes()
        } catch {
            context.fireErrorCaught(error)
            context.close(promise: nil)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let bytes: ByteBuffer
        switch unwrapOutboundIn(data) {
        case .command(let line):
            bytes = context.channel.allocator.buffer(string: line + "\r\n")
        case .startTLS:
            startTLSPending = true
            bytes = context.channel.allocator.buffer(string: "STARTTLS\r\n")
        case .payload(let payload):
            bytes = payload
        }
        // The clock runs from the request and starts again once it is all written, so a large message on a
        // slow link is not cut off while it is still being sent.
        armDeadline(context)
        let written = promise ?? context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenSuccess { [weak self] _ in
            guard let self, self.deadline != nil else { return }
            self.armDeadline(context)
        }
        context.write(wrapOutboundOut(bytes), promise: written)
    }

    private func armDeadline(_ context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: replyTimeout) { [weak self] in
            self?.deadline = nil
            context.fireErrorCaught(SMTPWireError.timedOut)
            context.close(promise: nil)
        }
    }

    private func nextLine() throws -> String? {
        let view = received.readableBytesView
        guard let newline = view.firstIndex(of: 0x0A) else {
            // RFC 5321 allows 512 octets a reply line; a server sending far more is broken or hostile.
            if view.count > 4096 { throw SMTPWireError.malformedReply("a line of more than 4096 bytes") }
            return nil
        }
        var line = received.readString(length: view.distance(from: view.startIndex, to: newline)) ?? ""
        received.moveReaderIndex(forwardBy: 1)
        if line.hasSuffix("\r") { line.removeLast() }
        return line
    }

    /// Adds a line to the reply being read; returns the reply once its last line (`code SP text`) is in.
    private func collect(_ line: String) throws -> SMTPReply? {
        let bytes = Array(line.utf8)
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ (0x30...0x39).contains($0) }),
              let code = Int(line.prefix(3)), (200...599).contains(code),
              replyCode == nil || replyCode == code,
              bytes.count == 3 || bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-"),
              replyLines.count < 200
        else { throw SMTPWireError.malformedReply(line) }
        replyCode = code
        replyLines.append(bytes.count > 4 ? String(line.dropFirst(4)) : "")
        if bytes.count > 3, bytes[3] == UInt8(ascii: "-") { return nil }
        defer { replyCode = nil; replyLines = [] }
        return SMTPReply(code: code, lines: replyLines)
    }
}
