import Foundation

/// The words of a survey invitation and its reminder, in German and English: short, personal, with
/// the link, the code for typing it in, and how to stop further invitations.
public enum InvitationMail {
    public struct Content: Sendable, Equatable {
        public var language: String
        public var contactName: String
        public var surveyTitle: String
        public var intro: String?
        public var link: String
        public var code: String
        public var unsubscribe: String
        public var reminder: Bool
        public var senderName: String?

        public init(language: String, contactName: String, surveyTitle: String, intro: String?, link: String, code: String,
                    unsubscribe: String, reminder: Bool, senderName: String?) {
            self.language = language; self.contactName = contactName; self.surveyTitle = surveyTitle; self.intro = intro
            self.link = link; self.code = code; self.unsubscribe = unsubscribe; self.reminder = reminder; self.senderName = senderName
        }

        var de: Bool { language == "de" }
    }

    public static func subject(_ c: Content) -> String {
        switch (c.de, c.reminder) {
        case (true, false): "Ihre Meinung zählt: \(c.surveyTitle)"
        case (true, true): "Erinnerung: \(c.surveyTitle)"
        case (false, false): "Your opinion counts: \(c.surveyTitle)"
        case (false, true): "Reminder: \(c.surveyTitle)"
        }
    }

    static func lines(_ c: Content) -> (greeting: String, body: [String], button: String, codeLine: String, stop: String, signature: String) {
        let name = c.contactName.trimmingCharacters(in: .whitespaces)
        if c.de {
            return (name.isEmpty ? "Guten Tag," : "Guten Tag \(name),",
                    c.reminder ? ["vor einigen Tagen haben wir Sie um Ihre Meinung gebeten. Falls Sie noch zwei Minuten Zeit haben, freuen wir uns über Ihre Antwort."]
                               : [c.intro ?? "wir möchten gern wissen, wie zufrieden Sie mit uns sind. Die Befragung dauert etwa zwei Minuten."],
                    "Zur Befragung", "Oder geben Sie auf \(codeHost(c)) den Code \(c.code) ein.",
                    "Sie möchten keine Befragungen mehr per E-Mail? Abmelden: \(c.unsubscribe)",
                    "Vielen Dank!\n\(c.senderName ?? "Ihr Kundenservice")")
        }
        return (name.isEmpty ? "Hello," : "Hello \(name),",
                c.reminder ? ["a few days ago we asked for your opinion. If you have two minutes, we would be glad to hear from you."]
                           : [c.intro ?? "we would like to know how satisfied you are with us. The survey takes about two minutes."],
                "Take the survey", "Or go to \(codeHost(c)) and type in the code \(c.code).",
                "No more surveys by e-mail? Unsubscribe: \(c.unsubscribe)",
                "Thank you!\n\(c.senderName ?? "Your customer service")")
    }

    /// Where the code is typed in: the survey address without the personal part.
    static func codeHost(_ c: Content) -> String {
        guard let r = c.link.range(of: "/s/") else { return c.link }
        return String(c.link[..<r.lowerBound]) + "/s"
    }

    public static func text(_ c: Content) -> String {
        let l = lines(c)
        return ([l.greeting, ""] + l.body + ["", "\(l.button): \(c.link)", "", l.codeLine, "", l.signature, "", "--", l.stop]).joined(separator: "\n")
    }

    public static func html(_ c: Content) -> String {
        let l = lines(c)
        let esc = Charts.escape
        let stopText = c.de ? "Keine Befragungen mehr per E-Mail? Hier abmelden." : "No more surveys by e-mail? Unsubscribe here."
        return """
        <!doctype html><html lang="\(esc(c.language))"><head><meta charset="utf-8"><title>\(esc(subject(c)))</title></head>
        <body style="font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1a1f2b">
        <p>\(esc(l.greeting))</p>
        \(l.body.map { "<p>\(esc($0))</p>" }.joined())
        <p><a href="\(esc(c.link))" style="display:inline-block;background:#0b5cad;color:#ffffff;padding:12px 22px;border-radius:6px;text-decoration:none;font-weight:bold">\(esc(l.button))</a></p>
        <p>\(esc(l.codeLine))</p>
        <p>\(esc(l.signature).replacingOccurrences(of: "\n", with: "<br>"))</p>
        <p style="font-size:13px;color:#4f5a6b"><a href="\(esc(c.unsubscribe))" style="color:#4f5a6b">\(esc(stopText))</a></p>
        </body></html>
        """
    }
}
