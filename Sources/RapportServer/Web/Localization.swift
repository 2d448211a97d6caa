import Foundation
import Vapor

/// UI languages. English text is the key; German translations live in one table, and a test checks that
/// every key the pages use has one.
enum UILanguage: String, CaseIterable, Sendable {
    case en, de

    /// The user's choice, else the browser's first supported language, else English.
    static func resolve(user: String?, acceptLanguage: String?) -> UILanguage {
        if let u = user, let l = UILanguage(rawValue: u) { return l }
        for part in (acceptLanguage ?? "").split(separator: ",") {
            let code = part.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).prefix(2).lowercased()
            if let l = UILanguage(rawValue: code) { return l }
        }
        return .en
    }

    func t(_ key: String) -> String {
        self == .de ? (German.table[key] ?? key) : (English.labels[key] ?? key)
    }

    // Numbers, money and dates are written by hand: a NumberFormatter or DateFormatter per table cell
    // was measurable on every page view, and those classes are not safe to share across requests.
    private var groupSeparator: Character { self == .de ? "." : "," }
    private var decimalSeparator: String { self == .de ? "," : "." }

    private func grouped(_ digits: String) -> String {
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(groupSeparator) }
            out.append(c)
        }
        return out
    }

    func number(_ n: Int) -> String { (n < 0 ? "-" : "") + grouped(String(n.magnitude)) }

    /// Whole amounts without decimals, others with two (never one: "2.329.475,6" reads like an error).
    func money(_ amount: Decimal, _ currency: String) -> String { fixed(amount, decimals: amount == amount.rounded(0) ? 0 : 2) + " " + currency }

    /// `money(Decimal(minor) / 100, currency)` from minor units, without `Decimal` arithmetic (whose
    /// conversion back to an integer goes through text on Linux; a 500-row portfolio felt it).
    func money(minor: Int64, _ currency: String) -> String {
        let whole = number(Int(minor / 100))
        let cents = minor % 100
        guard cents != 0 else { return whole + " " + currency }
        let digits = String(cents.magnitude)
        return (minor < 0 && minor > -100 ? "-" : "") + whole + decimalSeparator + (digits.count == 1 ? "0" + digits : digits) + " " + currency
    }

    /// Large sums for a headline figure: 14,19 Mio. EUR / 14.19M EUR.
    func compactMoney(_ amount: Decimal, _ currency: String) -> String {
        guard abs(amount) >= 1_000_000 else { return money(amount.rounded(0), currency) }
        let millions = fixed(amount / 1_000_000, decimals: 2)
        return self == .de ? "\(millions) Mio. \(currency)" : "\(millions)M \(currency)"
    }

    private func fixed(_ value: Decimal, decimals: Int) -> String {
        let scaled = NSDecimalNumber(decimal: (value * Decimal(decimals == 0 ? 1 : 100)).rounded(0)).int64Value
        let whole = number(Int(scaled / (decimals == 0 ? 1 : 100)))
        guard decimals > 0 else { return whole }
        let sign = scaled < 0 && scaled > -100 ? "-" : ""
        return sign + whole + decimalSeparator + String(format: "%02lld", abs(scaled % 100))
    }

    func date(_ iso: String?) -> String {
        guard let iso, iso.count == 10 else { return iso ?? "—" }
        if self == .de {
            let p = iso.split(separator: "-")
            return "\(p[2]).\(p[1]).\(p[0])"
        }
        return iso
    }

    func dateTime(_ date: Date?, zone: TimeZone) -> String {
        guard let date else { return "—" }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return self == .de
            ? String(format: "%02d.%02d.%04d %02d:%02d", c.day!, c.month!, c.year!, c.hour!, c.minute!)
            : String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
    }
}

/// English names for the stored vocabulary values (high_touch → High-touch); other keys are English already.
enum English {
    static let labels = customers.merging(JourneyWords.english) { own, _ in own }.merging(SurveyWords.english) { own, _ in own }
        .merging(SuccessWords.english) { own, _ in own }.merging(SuccessOperationsWords.english) { own, _ in own }
    static let customers: [String: String] = [
        "high_touch": "High-touch", "pooled": "Pooled", "tech_touch": "Tech-touch", "business": "Business", "household": "Household",
        "micro": "Micro", "small": "Small", "medium": "Medium", "large": "Large", "enterprise": "Enterprise",
        "active": "active", "social_matching": "social matching", "email": "e-mail", "any": "any channel",
        "new": "new contract", "contraction": "contraction", "churn": "churn",
    ]
}

enum German {
    static let table = customers.merging(JourneyWords.german) { own, _ in own }.merging(SurveyWords.german) { own, _ in own }.merging(MeasurementWords.german) { own, _ in own }
        .merging(SuccessWords.german) { own, _ in own }.merging(SuccessOperationsWords.german) { own, _ in own }
    static let customers: [String: String] = [
        "Accounts": "Accounts", "Contacts": "Kontakte", "Contracts": "Verträge", "Import": "Import", "Settings": "Einstellungen",
        "Home": "Start", "Sign in": "Anmelden", "Sign out": "Abmelden", "E-mail": "E-Mail", "Password": "Passwort",
        "Search": "Suchen", "Name": "Name", "Segment": "Segment", "Industry": "Branche", "Country": "Land", "Coverage": "Betreuungsmodell",
        "Owner": "Verantwortlich", "Next page": "Nächste Seite", "First page": "Erste Seite", "Filter": "Filtern", "All": "Alle",
        "Sort": "Sortierung", "Name A–Z": "Name A–Z", "Name Z–A": "Name Z–A", "Newest first": "Neueste zuerst",
        "No accounts match.": "Keine Accounts gefunden.", "Timeline": "Zeitstrahl", "Renewals": "Verlängerungen",
        "Renewal": "Verlängerung", "Product": "Produkt", "Start": "Beginn", "End": "Ende", "ARR": "ARR", "Status": "Status",
        "Role": "Rolle", "Language": "Sprache", "Phone": "Telefon", "Channels": "Kanäle", "Consents": "Einwilligungen",
        "Purpose": "Zweck", "Channel": "Kanal", "Source": "Quelle", "Recorded": "Erfasst", "Granted": "Erteilt", "Withdrawn": "Widerrufen",
        "Record consent": "Einwilligung erfassen", "Grant": "Erteilen", "Withdraw": "Widerrufen", "Save": "Speichern",
        "Upcoming renewals": "Anstehende Verlängerungen", "Active contracts": "Aktive Verträge", "Nothing yet.": "Noch nichts.",
        "Parent account": "Übergeordneter Account", "Child accounts": "Untergeordnete Accounts", "Attributes": "Merkmale",
        "Import a CSV file": "CSV-Datei importieren", "What to import": "Was importieren", "File": "Datei",
        "If a row is invalid": "Wenn eine Zeile fehlerhaft ist", "Import nothing (all or nothing)": "Nichts importieren (alles oder nichts)",
        "Import the valid rows and report the rest": "Gültige Zeilen importieren, den Rest melden",
        "Start import": "Import starten", "Rows read": "Gelesene Zeilen", "Created": "Neu angelegt", "Updated": "Aktualisiert",
        "Refused": "Abgelehnt", "Row": "Zeile", "Column": "Spalte", "Problem": "Problem",
        "Nothing was imported because some rows are invalid. Fix them and import the file again.": "Es wurde nichts importiert, weil einige Zeilen fehlerhaft sind. Korrigieren Sie sie und importieren Sie die Datei erneut.",
        "The file could not be read": "Die Datei konnte nicht gelesen werden", "Columns": "Spalten", "required": "Pflicht",
        "Users": "Benutzer", "API tokens": "API-Tokens", "Audit log": "Audit-Protokoll", "Add user": "Benutzer hinzufügen",
        "Create token": "Token erstellen", "Revoke": "Widerrufen", "Revoked": "Widerrufen", "Last used": "Zuletzt benutzt",
        "Copy this token now. It will not be shown again.": "Kopieren Sie dieses Token jetzt. Es wird nicht erneut angezeigt.",
        "When": "Wann", "Who": "Wer", "Action": "Aktion", "Record": "Datensatz", "Before": "Vorher", "After": "Nachher",
        "Permissions": "Berechtigungen", "Interface language": "Sprache der Oberfläche", "Browser default": "Wie der Browser",
        "Export personal data": "Personendaten exportieren", "Erase personal data": "Personendaten löschen",
        "This removes name, e-mail, phone and role for good. History stays, anonymised.": "Entfernt Name, E-Mail, Telefon und Rolle endgültig. Die Historie bleibt anonymisiert erhalten.",
        "Erased": "Gelöscht", "Welcome": "Willkommen", "accounts": "Accounts", "contacts": "Kontakte", "contracts": "Verträge",
        "in the next 90 days": "in den nächsten 90 Tagen", "Account": "Account", "Contact": "Kontakt", "Contract": "Vertrag",
        "Back to accounts": "Zurück zu den Accounts", "Page not found": "Seite nicht gefunden", "Not allowed": "Nicht erlaubt",
        "Something went wrong": "Etwas ist schiefgelaufen", "Wrong e-mail or password.": "E-Mail oder Passwort falsch.",
        "Demo login": "Demo-Zugang", "Kind": "Art", "Size": "Größe", "Stakeholder side": "Seite", "External id": "Externe ID",
        "Download a template": "Vorlage herunterladen", "Members of": "Mitglieder von", "Token name": "Name des Tokens",
        "Customer 360": "Kunde 360°", "events": "Ereignisse", "Older entries": "Ältere Einträge", "Skip to content": "Zum Inhalt springen",
        "Current consents": "Aktuelle Einwilligungen", "Consent history": "Verlauf der Einwilligungen", "Show": "Anzeigen",
        "high_touch": "High-Touch", "pooled": "Pooled", "tech_touch": "Tech-Touch", "business": "Unternehmen", "household": "Haushalt",
        "active": "aktiv", "pending": "ausstehend", "expired": "abgelaufen", "cancelled": "gekündigt", "churned": "abgewandert",
        "customer": "Kunde", "vendor": "Anbieter", "micro": "Kleinst", "small": "Klein", "medium": "Mittel", "large": "Groß", "enterprise": "Konzern",
        "No upcoming renewal.": "Keine anstehende Verlängerung.",
        "new": "Neuabschluss", "renewal": "Verlängerung", "expansion": "Erweiterung", "contraction": "Reduzierung", "churn": "Kündigung", "granted": "erteilt", "withdrawn": "widerrufen",
        "survey": "Befragung", "callback": "Rückruf", "marketing": "Marketing", "social_matching": "Social Matching",
        "email": "E-Mail", "phone": "Telefon", "sms": "SMS", "letter": "Brief", "portal": "Portal", "any": "alle",
        "Too many attempts": "Zu viele Versuche", "active contracts": "aktive Verträge", "Too many failed attempts. Try again later.": "Zu viele Fehlversuche. Bitte später erneut versuchen.",
        "The form expired. Please try again.": "Das Formular ist abgelaufen. Bitte erneut versuchen.",
        "Your session ended. Please sign in again.": "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.",
    ]
}

extension Decimal {
    func rounded(_ scale: Int) -> Decimal {
        var input = self, result = Decimal()
        NSDecimalRound(&result, &input, scale, .plain)
        return result
    }
}
