import Foundation

/// Why one value was rejected, phrased for the person who typed it, e.g.
/// "'not-an-email' is not an e-mail address: it has no '@'".
public struct FieldProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Checks for imported and typed-in values. Each takes loose text and returns either the value in
/// its one stored spelling or a reason that names the value and, where it helps, the expected form.
public enum FieldCheck {
    private static let emailForbidden = Set("<>()[]\\,;:\"".unicodeScalars)

    public static func email(_ s: String) -> Result<String, FieldProblem> {
        if let fast = FastPath.email(s) { return .success(fast) }
        let t = s.trimmed
        func no(_ why: String) -> Result<String, FieldProblem> { .failure(FieldProblem("'\(t)' is not an e-mail address: \(why)")) }
        if t.isEmpty { return no("it is empty") }
        if t.count > 254 { return no("it is \(t.count) characters long, but at most 254 are allowed") }
        if t.unicodeScalars.contains(where: { $0.properties.isWhitespace }) { return no("it contains a space") }
        let parts = t.split(separator: "@", omittingEmptySubsequences: false)
        if parts.count == 1 { return no("it has no '@'") }
        if parts.count > 2 { return no("it has more than one '@'") }
        let local = parts[0], domain = parts[1]
        if local.isEmpty { return no("nothing comes before the '@'") }
        if domain.isEmpty { return no("nothing comes after the '@'") }
        if local.utf8.count > 64 { return no("the part before the '@' is longer than 64 characters") }
        // Quoted local parts and IP-address domains are legal but never seen in real customer data;
        // rejecting their characters catches the usual copy-paste accidents like "Name <a@b.de>".
        if let bad = t.unicodeScalars.first(where: { emailForbidden.contains($0) || $0.value < 0x20 }) {
            return no("it contains '\(bad)'")
        }
        if local.hasPrefix(".") || local.hasSuffix(".") || local.contains("..") {
            return no("the part before the '@' starts or ends with a dot or has two dots in a row")
        }
        if !domain.contains(".") { return no("the domain '\(domain)' has no dot, as in example.com") }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        if labels.contains(where: \.isEmpty) { return no("the domain '\(domain)' has an empty part (a dot at the start or end, or two dots in a row)") }
        if labels.contains(where: { $0.hasPrefix("-") || $0.hasSuffix("-") || $0.contains(where: { !$0.isLetter && !$0.isNumber && $0 != "-" }) }) {
            return no("the domain '\(domain)' may only contain letters, digits, hyphens and dots")
        }
        if let top = labels.last, top.count < 2 || (top.contains(where: \.isNumber) && !top.lowercased().hasPrefix("xn--")) {
            return no("'.\(top)' is not a top-level domain")
        }
        return .success("\(local)@\(domain.lowercased())")
    }

    public static func countryCode(_ s: String) -> Result<String, FieldProblem> {
        let t = s.trimmed, code = t.uppercased()
        if ISOCodes.countries.contains(code) { return .success(code) }
        let hint = "use a two-letter ISO code such as DE, AT, CH"
        // The two codes people most often write instead of the ISO one come from EU usage.
        let usual = ["UK": "GB for the United Kingdom", "EL": "GR for Greece"]
        if let better = usual[code] { return .failure(FieldProblem("'\(t)' is not an ISO country code — use \(better)")) }
        let kind = code.count == 2 ? "a known country code" : "a country code"
        return .failure(FieldProblem("'\(t)' is not \(kind) — \(hint)"))
    }

    public static func currencyCode(_ s: String) -> Result<String, FieldProblem> {
        let t = s.trimmed, code = t.uppercased()
        if ISOCodes.currencies.contains(code) { return .success(code) }
        let symbols = ["€": "EUR", "£": "GBP", "¥": "JPY", "FR.": "CHF", "SFR": "CHF"]
        if let better = symbols[code] { return .failure(FieldProblem("'\(t)' is not a currency code — use \(better)")) }
        let kind = code.count == 3 ? "a known currency code" : "a currency code"
        return .failure(FieldProblem("'\(t)' is not \(kind) — use a three-letter ISO 4217 code such as EUR, CHF, USD"))
    }

    public static func languageCode(_ s: String) -> Result<String, FieldProblem> {
        if let fast = FastPath.languageCode(s) { return .success(fast) }
        let t = s.trimmed
        // Locale tags ("de-DE", "de_AT", "zh-Hant-TW") name the language first; the rest is dropped.
        let parts = t.lowercased().split(separator: "-", omittingEmptySubsequences: false).flatMap { $0.split(separator: "_", omittingEmptySubsequences: false) }
        let wellFormed = parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
        if wellFormed, let first = parts.first {
            let code = ISOCodes.retiredLanguages[String(first)] ?? String(first)
            if ISOCodes.languages.contains(code) { return .success(code) }
        }
        return .failure(FieldProblem("'\(t)' is not a language code — use a two-letter ISO 639-1 code such as de, en, fr"))
    }

    public static func date(_ s: String) -> Result<DateOnly, FieldProblem> {
        let t = s.trimmed
        let expected = "use YYYY-MM-DD (e.g. 2026-11-22) or DD.MM.YYYY (e.g. 22.11.2026)"
        let iso = t.split(separator: "-", omittingEmptySubsequences: false)
        let german = t.split(separator: ".", omittingEmptySubsequences: false)
        let parts: (year: Substring, month: Substring, day: Substring)
        if iso.count == 3, iso[0].count == 4, iso[1].count == 2, iso[2].count == 2 {
            parts = (iso[0], iso[1], iso[2])
        } else if german.count == 3, german[2].count == 4, (1...2).contains(german[0].count), (1...2).contains(german[1].count) {
            parts = (german[2], german[1], german[0])
        } else {
            return .failure(FieldProblem("'\(t)' is not a date — \(expected)"))
        }
        guard let year = digits(parts.year), let month = digits(parts.month), let day = digits(parts.day) else {
            return .failure(FieldProblem("'\(t)' is not a date — \(expected)"))
        }
        if let date = DateOnly(year: year, month: month, day: day) { return .success(date) }
        if year < 1 { return .failure(FieldProblem("'\(t)' is not a valid date: there is no year 0 — \(expected)")) }
        guard (1...12).contains(month) else {
            return .failure(FieldProblem("'\(t)' is not a valid date: there is no month \(month) — \(expected)"))
        }
        let name = DateOnly.monthNames[month - 1]
        return .failure(FieldProblem("'\(t)' is not a valid date: \(name) \(year) has \(DateOnly.days(inMonth: month, of: year)) days — \(expected)"))
    }

    /// Accepts both the German and the English way of writing numbers, so the separators decide:
    /// with both present the last one is the decimal mark; a lone separator followed by exactly three
    /// digits could be either and is refused rather than guessed.
    public static func decimal(_ s: String) -> Result<Decimal, FieldProblem> {
        let t = s.trimmed
        let example = "write it like 1234.50 or 1234,50, with thousands separators like 1,234.50 or 1.234,50"
        func no(_ why: String) -> Result<Decimal, FieldProblem> { .failure(FieldProblem("'\(t)' \(why) — \(example)")) }
        let negative = t.hasPrefix("-")
        let body = negative ? t.dropFirst() : Substring(t)
        guard let first = body.first, let last = body.last, first.isASCII, first.isNumber, last.isASCII, last.isNumber,
              body.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == ",") }) else {
            return no("is not a number")
        }
        let dots = body.filter { $0 == "." }.count, commas = body.filter { $0 == "," }.count
        var whole = body, fraction: Substring = "", grouping: Character?
        if dots > 0 && commas > 0 {
            let mark: Character = body.lastIndex(of: ".")! > body.lastIndex(of: ",")! ? "." : ","
            guard body.filter({ $0 == mark }).count == 1 else { return no("mixes up its decimal and thousands separators") }
            let split = body.split(separator: mark)
            (whole, fraction, grouping) = (split[0], split[1], mark == "." ? "," : ".")
        } else if dots + commas > 1 {
            grouping = dots > 0 ? "." : ","
        } else if dots + commas == 1 {
            let split = body.split(separator: dots > 0 ? "." : ",")
            if split[1].count == 3 && split[0].count <= 3 && split[0].first != "0" {
                let sign = negative ? "-" : "", asWhole = "\(sign)\(split[0])\(split[1])"
                return .failure(FieldProblem("'\(t)' is ambiguous: it could mean \(asWhole) or \(sign)\(split[0]).\(split[1]) — write whole numbers without a thousands separator (\(asWhole)), or use both separators (1.234,50 or 1,234.50)"))
            }
            (whole, fraction) = (split[0], split[1])
        }
        if let grouping {
            let groups = whole.split(separator: grouping, omittingEmptySubsequences: false)
            guard (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }) else {
                return no("has its thousands separators in the wrong places")
            }
            whole = Substring(groups.joined())
        }
        if whole.count + fraction.count > 38 { return no("has more digits than can be stored (38)") }
        let plain = (negative ? "-" : "") + whole + (fraction.isEmpty ? "" : "." + fraction)
        guard let value = Decimal(string: plain, locale: Locale(identifier: "en_US_POSIX")) else { return no("is not a number") }
        return .success(value)
    }

    public static func integer(_ s: String, min: Int? = nil, max: Int? = nil) -> Result<Int, FieldProblem> {
        let t = s.trimmed
        let unsigned = t.hasPrefix("-") || t.hasPrefix("+") ? t.dropFirst() : Substring(t)
        guard !unsigned.isEmpty, unsigned.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return .failure(FieldProblem("'\(t)' is not a whole number — write digits only, like 42"))
        }
        guard let value = Int(t) else { return .failure(FieldProblem("'\(t)' is too large to be stored as a whole number")) }
        if let min, value < min { return .failure(FieldProblem("'\(t)' is less than the minimum of \(min)")) }
        if let max, value > max { return .failure(FieldProblem("'\(t)' is more than the maximum of \(max)")) }
        return .success(value)
    }

    public static func oneOf(_ s: String, _ allowed: [String]) -> Result<String, FieldProblem> {
        let t = s.trimmed
        let lower = t.lowercased()
        if let match = allowed.first(where: { $0.lowercased() == lower }) { return .success(match) }
        let list = allowed.joined(separator: ", ")
        if let near = suggestion(for: t, among: allowed) {
            return .failure(FieldProblem("'\(t)' is not one of the allowed values (\(list)) — did you mean '\(near)'?"))
        }
        return .failure(FieldProblem("'\(t)' is not one of the allowed values: \(list)"))
    }

    public static func phone(_ s: String) -> Result<String, FieldProblem> {
        if FastPath.phone(s) { return .success(s) }
        let t = s.trimmed
        let allowed = Set("0123456789 +-/()")
        if let bad = t.first(where: { !allowed.contains($0) }) {
            return .failure(FieldProblem("'\(t)' is not a phone number: it contains '\(bad)', but only digits, spaces and + - / ( ) are allowed"))
        }
        if t.dropFirst().contains("+") {
            return .failure(FieldProblem("'\(t)' is not a phone number: '+' may only stand at the start, as in +49 30 1234567"))
        }
        let digitCount = t.filter(\.isNumber).count
        if digitCount < 6 {
            return .failure(FieldProblem("'\(t)' is not a phone number: it has \(digitCount) digits, but at least 6 are needed"))
        }
        return .success(t)
    }

    private static func digits(_ s: Substring) -> Int? {
        s.allSatisfy({ $0.isASCII && $0.isNumber }) ? Int(s) : nil
    }
}

/// A calendar day without time or zone (a contract start, a birthday), proleptic Gregorian,
/// years 1...9999. Stored and encoded as "YYYY-MM-DD", so it never shifts with a time zone.
public struct DateOnly: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int, month: Int, day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...Self.days(inMonth: month, of: year)).contains(day) else { return nil }
        self.init(unchecked: year, month, day)
    }

    private init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public init?(iso: String) {
        let b = Array(iso.utf8)
        let digitsAt = [0, 1, 2, 3, 5, 6, 8, 9]
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              digitsAt.allSatisfy({ (0x30...0x39).contains(b[$0]) }) else { return nil }
        func number(_ r: Range<Int>) -> Int { r.reduce(0) { $0 * 10 + Int(b[$1] - 0x30) } }
        self.init(year: number(0..<4), month: number(5..<7), day: number(8..<10))
    }

    public var iso: String {
        func padded(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: Swift.max(0, width - s.count)) + s
        }
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
    }

    public var description: String { iso }

    public func adding(days: Int) -> DateOnly { DateOnly(dayNumber: dayNumber + days) }

    /// Jan 31 plus one month is Feb 28 (or 29): billing and renewal dates stay in the intended month.
    public func adding(months: Int) -> DateOnly {
        let total = year * 12 + (month - 1) + months
        let y = total >= 0 ? total / 12 : (total - 11) / 12
        let m = total - y * 12 + 1
        return DateOnly(unchecked: y, m, Swift.min(day, Self.days(inMonth: m, of: y)))
    }

    public func days(until other: DateOnly) -> Int { other.dayNumber - dayNumber }

    public static func today(in timeZone: TimeZone = .init(identifier: "UTC")!) -> DateOnly {
        DateOnly(Date(), in: timeZone)
    }

    public init(_ date: Date, in timeZone: TimeZone) {
        let local = date.timeIntervalSince1970 + TimeInterval(timeZone.secondsFromGMT(for: date))
        self.init(dayNumber: Int((local / 86_400).rounded(.down)))
    }

    /// The first instant of this day in the zone. The zone's offset at local midnight may differ
    /// from its offset at UTC midnight, and where a clock change skips midnight the day starts at
    /// the first instant that exists, so both offsets are tried and the earliest fitting one wins.
    public func date(in timeZone: TimeZone) -> Date {
        let utcMidnight = Date(timeIntervalSince1970: TimeInterval(dayNumber) * 86_400)
        let before = TimeInterval(timeZone.secondsFromGMT(for: utcMidnight))
        let after = TimeInterval(timeZone.secondsFromGMT(for: utcMidnight.addingTimeInterval(-before)))
        let candidates = [utcMidnight.addingTimeInterval(-before), utcMidnight.addingTimeInterval(-after)]
        return candidates.filter { DateOnly($0, in: timeZone) == self }.min() ?? candidates[1]
    }

    public static func < (a: DateOnly, b: DateOnly) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = DateOnly(iso: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a date in the form YYYY-MM-DD")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July",
                             "August", "September", "October", "November", "December"]

    static func days(inMonth month: Int, of year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (negative before); usage roll-ups store days this way. Counting from
    /// March makes the leap day the last day of the counting year, and 400 Gregorian years (an era)
    /// are always 146,097 days.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public init(dayNumber: Int) {
        let shifted = dayNumber + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchMonth = (5 * dayOfYear + 2) / 153
        let month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9
        let day = dayOfYear - (153 * marchMonth + 2) / 5 + 1
        self.init(unchecked: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// The closest known name to a mistyped one ("e-mail" → "email"), ignoring case: within two edits,
/// or one name being the start or end of the other ("mail" → "email", "phone_number" → "phone").
public func suggestion(for unknown: String, among known: [String]) -> String? {
    let target = Array(unknown.lowercased())
    guard !target.isEmpty else { return nil }
    var best: (name: String, distance: Int)?
    for name in known {
        let candidate = Array(name.lowercased())
        let distance = editDistance(target, candidate)
        let (short, long) = target.count <= candidate.count ? (target, candidate) : (candidate, target)
        let affix = short.count >= 3 && (long.starts(with: short) || long.reversed().starts(with: short.reversed()))
        // A distance equal to the whole length means nothing in common ("xy" vs "id").
        guard (distance <= 2 && distance < target.count) || affix else { continue }
        if best == nil || distance < best!.distance { best = (name, distance) }
    }
    return best?.name
}

/// Levenshtein distance, keeping one row of the table at a time.
private func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    var current = previous
    for i in 1...a.count {
        current[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// Code lists as of 2025. Kept as text so they are easy to compare with the published lists.
enum ISOCodes {
    /// ISO 3166-1 alpha-2: all 249 officially assigned codes.
    static let countries = codes("""
        AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
        BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
        EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
        HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
        LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
        NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
        SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
        TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
        """)

    /// ISO 4217 active codes, including funds and precious metals. Left out: HRK, ZWL and ANG
    /// (replaced by EUR, ZWG and XCG), and XTS/XXX, which mean "testing" and "no currency".
    static let currencies = codes("""
        AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN
        BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR
        FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES
        KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR
        MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF
        SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD
        TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR
        XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG
        """)

    /// ISO 639-1: all 183 two-letter language codes.
    static let languages = codes("""
        aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de
        dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia
        id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo
        lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl
        ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk
        tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
        """)

    /// Withdrawn codes that Java and older systems still write.
    static let retiredLanguages = ["iw": "he", "in": "id", "ji": "yi"]

    private static func codes(_ text: String) -> Set<String> {
        Set(text.split(whereSeparator: \.isWhitespace).map(String.init))
    }
}
