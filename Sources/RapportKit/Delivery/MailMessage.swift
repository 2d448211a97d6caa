import Foundation

/// A mailbox as it appears in From, To and Reply-To: the address and, optionally, the name shown beside it.
public struct MailAddress: Sendable, Equatable {
    public var address: String
    public var name: String?

    public init(_ address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }
}

/// A header the caller adds on top of the ones `MailMessage` writes itself.
public struct MailHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A survey invitation (or any other mail) rendered as an RFC 5322 message that every transport can carry:
/// headers and bodies are 7-bit (non-ASCII goes into RFC 2047 encoded-words and quoted-printable), lines end
/// in CRLF and none is longer than 78 octets except a very long unsubscribe URL. Dot-stuffing belongs to SMTP,
/// not here.
public struct MailMessage: Sendable, Equatable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var replyTo: MailAddress?
    public var subject: String
    /// The text/plain part; always sent, since some people read mail without HTML.
    public var text: String
    /// The text/html part; when nil the message is a single text/plain part.
    public var html: String?
    public var date: Date
    /// Without the angle brackets, e.g. `4f1c…@surveys.example.com`.
    public var messageID: String
    /// When set, the message carries `List-Unsubscribe` and the one-click `List-Unsubscribe-Post` (RFC 8058)
    /// that large mailbox providers expect from bulk senders.
    public var unsubscribeURL: URL?
    /// Written after the standard headers. Names that this type writes itself (From, Subject, Content-Type, …)
    /// are skipped, so an extra header can neither duplicate them nor break the MIME structure.
    public var extraHeaders: [MailHeader]

    public init(
        from: MailAddress,
        to: [MailAddress],
        replyTo: MailAddress? = nil,
        subject: String,
        text: String,
        html: String? = nil,
        date: Date = Date(),
        messageIDDomain: String,
        unsubscribeURL: URL? = nil,
        extraHeaders: [MailHeader] = []
    ) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.date = date
        self.messageID = UUID().uuidString.lowercased() + "@" + messageIDDomain
        self.unsubscribeURL = unsubscribeURL
        self.extraHeaders = extraHeaders
    }

    /// True when an address itself (not just a display name) has non-ASCII characters, which only a server
    /// offering SMTPUTF8 (RFC 6531) may carry.
    public var requiresSMTPUTF8: Bool {
        ([from] + to + [replyTo].compactMap { $0 }).contains { !$0.address.utf8.allSatisfy { $0 < 0x80 } }
    }

    public func rendered() -> String {
        var headers: [String] = [
            HeaderField.addresses("From", [from]),
            // An empty To would be a syntax error; this group is the conventional way to say "Bcc only".
            to.isEmpty ? "To: undisclosed-recipients:;" : HeaderField.addresses("To", to),
        ]
        if let replyTo { headers.append(HeaderField.addresses("Reply-To", [replyTo])) }
        headers.append(HeaderField.unstructured("Subject", subject))
        headers.append("Date: " + Self.rfc5322Date(date))
        headers.append("Message-ID: <" + HeaderField.clean(messageID).replacingOccurrences(of: " ", with: "") + ">")
        if let unsubscribeURL {
            // A URL cannot be folded; one too long for the line goes on a continuation line of its own.
            let url = "<" + HeaderField.clean(unsubscribeURL.absoluteString).replacingOccurrences(of: " ", with: "%20") + ">"
            headers.append("List-Unsubscribe:" + (url.utf8.count > 900 ? "\r\n " : " ") + url)
            headers.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        }
        for header in extraHeaders {
            let name = String(decoding: header.name.utf8.filter { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") },
                              as: UTF8.self)
            guard !name.isEmpty, !Self.ownHeaders.contains(name.lowercased()) else { continue }
            headers.append(HeaderField.unstructured(name, header.value))
        }
        headers.append("MIME-Version: 1.0")

        var out = headers.joined(separator: "\r\n") + "\r\n"
        let plain = Self.part(type: "text/plain", content: text)
        guard let html else { return out + plain }

        // Quoted-printable output never contains "=_", so this boundary cannot occur inside a part.
        let boundary = "=_rapport_" + String(Self.fnv1a(messageID), radix: 16)
        out += "Content-Type: multipart/alternative; boundary=\"\(boundary)\"\r\n\r\n"
        out += "This is a multi-part message in MIME format.\r\n"
        out += "--\(boundary)\r\n" + plain + "\r\n"
        out += "--\(boundary)\r\n" + Self.part(type: "text/html", content: html) + "\r\n"
        out += "--\(boundary)--\r\n"
        return out
    }

    private static let ownHeaders: Set<String> = [
        "from", "to", "reply-to", "subject", "date", "message-id", "mime-version",
        "content-type", "content-transfer-encoding", "list-unsubscribe", "list-unsubscribe-post",
    ]

    /// The part's own headers, a blank line and its quoted-printable content, without a trailing line break
    /// (the one before the next boundary belongs to the boundary).
    private static func part(type: String, content: String) -> String {
        "Content-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + QuotedPrintable.encode(content)
    }

    /// RFC 5322 date in UTC, spelled out by hand so no locale can translate the day or month names.
    static func rfc5322Date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int?) -> String { let n = n ?? 0; return n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[(c.weekday ?? 1) - 1]), \(two(c.day)) \(months[(c.month ?? 1) - 1]) \(c.year ?? 1970) "
            + "\(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }

    private static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}

/// Header values: folding, encoded-words for non-ASCII, and removal of anything that could end a header early.
enum HeaderField {
    static let foldAt = 78

    /// A free-text header such as Subject: kept readable when it is plain ASCII, otherwise UTF-8 encoded-words.
    static func unstructured(_ name: String, _ value: String) -> String {
        let value = clean(value)
        let words = value.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let plain = value.utf8.allSatisfy { $0 < 0x80 } && !value.contains("=?") && words.allSatisfy { $0.utf8.count < 900 }
        return fold(name, plain ? words : encodedWords(value))
    }

    /// From, To, Reply-To: `Name <address>` per mailbox, comma-separated, folded between mailboxes and words.
    static func addresses(_ name: String, _ mailboxes: [MailAddress]) -> String {
        var words: [String] = []
        for (index, mailbox) in mailboxes.enumerated() {
            let address = clean(mailbox.address).replacingOccurrences(of: " ", with: "")
            let display = clean(mailbox.name ?? "").trimmingCharacters(in: .whitespaces)
            var mailboxWords = display.isEmpty ? [address] : phrase(display) + ["<" + address + ">"]
            if index < mailboxes.count - 1 { mailboxWords[mailboxWords.count - 1] += "," }
            words += mailboxWords
        }
        return fold(name, words)
    }

    /// A display name as atoms when it is made of them, as a quoted-string when it is ASCII with specials
    /// (`Müller, Anna` needs quoting for its comma), and as encoded-words when it is not ASCII.
    private static func phrase(_ name: String) -> [String] {
        guard name.utf8.allSatisfy({ $0 < 0x80 }), !name.contains("=?"), name.utf8.count < 900 else {
            return encodedWords(name)
        }
        let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~ ".utf8)
        if name.utf8.allSatisfy({ atext.contains($0) }) {
            return name.split(separator: " ").map(String.init)
        }
        let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return ["\"" + escaped + "\""]
    }

    /// `=?UTF-8?B?…?=` words of at most 39 octets each (52 base64 characters, 64 with the wrapping), split
    /// between Unicode scalars so that every word decodes on its own.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > 39 {
                words.append(encodedWord(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(encodedWord(chunk)) }
        return words
    }

    private static func encodedWord(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
    }

    /// Joins words with single spaces, starting a continuation line before a word that would pass `foldAt`.
    /// Never before an empty word (a run of spaces), since a line of only whitespace is not allowed.
    static func fold(_ name: String, _ words: [String]) -> String {
        var out = name + ":"
        var column = out.utf8.count
        for (index, word) in words.enumerated() {
            if index > 0, !word.isEmpty, column + 1 + word.utf8.count > foldAt {
                out += "\r\n "
                column = 1
            } else {
                out += " "
                column += 1
            }
            out += word
            column += word.utf8.count
        }
        return out
    }

    /// Control characters, CR and LF above all, become spaces: a value can never start a header of its own.
    static func clean(_ value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.map {
            $0.value < 0x20 || $0.value == 0x7F || (0x80...0x9F).contains($0.value)
                || $0 == "\u{2028}" || $0 == "\u{2029}" ? " " : $0
        }))
    }
}

/// RFC 2045 quoted-printable over UTF-8, with every line break written as CRLF.
enum QuotedPrintable {
    static func encode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        let from = Array("From ".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + text.utf8.count / 8)
        for (lineIndex, line) in lines(of: Array(text.utf8)).enumerated() {
            if lineIndex > 0 { out += [0x0D, 0x0A] }
            var column = 0
            for (i, byte) in line.enumerated() {
                let isLast = i == line.count - 1
                var literal = byte == 0x20 || byte == 0x09 ? !isLast : (33...126).contains(byte) && byte != UInt8(ascii: "=")
                // Some mail stores rewrite a line starting with "From " as ">From "; an escaped F avoids that.
                if column == 0, byte == UInt8(ascii: "F"), line.dropFirst(i).starts(with: from) { literal = false }
                let width = literal ? 1 : 3
                if column + width > 75 {
                    out += [UInt8(ascii: "="), 0x0D, 0x0A]
                    column = 0
                }
                if literal {
                    out.append(byte)
                } else {
                    out += [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                }
                column += width
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Splits on CRLF, lone CR and lone LF alike; a trailing break gives a trailing empty line.
    private static func lines(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var start = 0
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0D || bytes[i] == 0x0A {
                result.append(bytes[start..<i])
                i += bytes[i] == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A ? 2 : 1
                start = i
            } else {
                i += 1
            }
        }
        result.append(bytes[start..<bytes.count])
        return result
    }
}
