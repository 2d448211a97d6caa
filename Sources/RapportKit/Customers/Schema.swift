import Foundation

/// What one field of an entity accepts. CSV import, the JSON API, HTML forms, the OpenAPI document and
/// the import documentation all read these specs, so a rule is stated once.
public struct FieldSpec: Sendable {
    public enum Kind: Sendable {
        case text(maxLength: Int)
        case email, phone, country, currency, language, date, decimal
        case integer(min: Int?, max: Int?)
        case choice([String])
        /// A comma-separated subset of the given values (CSV) or a JSON array.
        case list([String])
        /// The id of another record; the server checks it exists in the same workspace.
        case uuid
        /// yes/no; accepts true/false, yes/no, ja/nein, 1/0, x (as spreadsheets mark a box).
        case boolean
        /// Free texts, comma-separated (CSV) or a JSON array, each at most `maxLength`, at most `maxItems`.
        case tags(maxItems: Int, maxLength: Int)
    }
    public let name: String
    public let kind: Kind
    public let required: Bool
    public let summary: String

    public init(_ name: String, _ kind: Kind, required: Bool = false, _ summary: String) {
        self.name = name; self.kind = kind; self.required = required; self.summary = summary
    }
}

/// A validated value. `.absent` means the input left the field empty (which clears it on update).
public enum FieldValue: Sendable, Equatable {
    case text(String)
    case date(DateOnly)
    case decimal(Decimal)
    case integer(Int)
    case list([String])
    case boolean(Bool)
    case absent
}

public struct EntitySchema: Sendable {
    public let entity: String
    public let fields: [FieldSpec]
    public let names: [String]
    private let nameSet: Set<String>
    public init(entity: String, fields: [FieldSpec]) {
        self.entity = entity; self.fields = fields
        names = fields.map(\.name); nameSet = Set(names)
    }

    /// Validates loose text input (a CSV row, a form, a flattened JSON body). `input` holds only the
    /// fields the caller sent; with `partial` (an update) missing required fields are not reported.
    /// Unknown field names are errors, with a suggestion when one is close.
    public func validate(_ input: [String: String], partial: Bool = false, ignoring extra: Set<String> = []) -> Result<[String: FieldValue], ValidationFailure> {
        var unknown: [FieldError] = []
        for name in input.keys where !nameSet.contains(name) && !extra.contains(name) {
            if let near = suggestion(for: name, among: names) {
                unknown.append(FieldError(name, "is not a field of \(entity); did you mean '\(near)'?"))
            } else {
                unknown.append(FieldError(name, "is not a field of \(entity); known fields: \(names.joined(separator: ", "))"))
            }
        }
        let result = validate(cells: fields.map { input[$0.name] }, partial: partial)
        guard !unknown.isEmpty else { return result }
        var errors = unknown
        if case .failure(let f) = result { errors += f.errors }
        // Unknown names were met in dictionary order; report them in a stable one.
        return .failure(ValidationFailure(errors.sorted { a, b in
            let ia = names.firstIndex(of: a.field) ?? -1, ib = names.firstIndex(of: b.field) ?? -1
            return ia != ib ? ia < ib : a.field < b.field
        }))
    }

    /// The positional form, for bulk input whose columns were matched to fields once (a CSV file):
    /// `cells[i]` is the raw text for `fields[i]`, nil when the input does not have it.
    public func validate(cells: [String?], partial: Bool = false) -> Result<[String: FieldValue], ValidationFailure> {
        var v = Validator()
        var out: [String: FieldValue] = [:]
        out.reserveCapacity(fields.count)
        for (spec, raw) in zip(fields, cells) {
            guard let raw else {
                if spec.required && !partial { v.fail(spec.name, "is required and must not be empty") }
                continue
            }
            if let value = Self.check(spec, raw, &v) { out[spec.name] = value }
        }
        return v.errors.isEmpty ? .success(out) : .failure(ValidationFailure(v.errors))
    }

    private static func check(_ spec: FieldSpec, _ raw: String, _ v: inout Validator) -> FieldValue? {
        let trimmed = raw.trimmed
        if trimmed.isEmpty {
            if spec.required { v.fail(spec.name, "is required and must not be empty"); return nil }
            return .absent
        }
        let n = spec.name
        switch spec.kind {
        case .text(let max): return v.text(n, trimmed, maxLength: max).map(FieldValue.text)
        case .uuid:
            guard UUID(uuidString: trimmed) != nil else { v.fail(n, "'\(trimmed)' is not an id (a UUID such as 6F9619FF-8B86-D011-B42D-00C04FC964FF)"); return nil }
            return .text(trimmed.lowercased())
        case .email: return v.check(n, trimmed, FieldCheck.email).map(FieldValue.text)
        case .phone: return v.check(n, trimmed, FieldCheck.phone).map(FieldValue.text)
        case .country: return v.check(n, trimmed, FieldCheck.countryCode).map(FieldValue.text)
        case .currency: return v.check(n, trimmed, FieldCheck.currencyCode).map(FieldValue.text)
        case .language: return v.check(n, trimmed, FieldCheck.languageCode).map(FieldValue.text)
        case .date: return v.check(n, trimmed, FieldCheck.date).map(FieldValue.date)
        case .decimal: return v.check(n, trimmed, FieldCheck.decimal).map(FieldValue.decimal)
        case .integer(let min, let max): return v.check(n, trimmed) { FieldCheck.integer($0, min: min, max: max) }.map(FieldValue.integer)
        case .choice(let allowed): return v.check(n, trimmed) { FieldCheck.oneOf($0, allowed) }.map(FieldValue.text)
        case .list(let allowed):
            var items: [String] = []
            for part in trimmed.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "|" }) {
                let item = part.trimmed
                if item.isEmpty { continue }
                switch FieldCheck.oneOf(item, allowed) {
                case .success(let s): if !items.contains(s) { items.append(s) }
                case .failure(let p): v.fail(n, p.reason); return nil
                }
            }
            return .list(items)
        case .boolean:
            switch trimmed.lowercased() {
            case "true", "yes", "ja", "1", "x", "y", "j", "on": return .boolean(true)
            case "false", "no", "nein", "0", "n", "off": return .boolean(false)
            default: v.fail(n, "'\(trimmed)' is not yes or no (use true/false, yes/no, ja/nein or 1/0)"); return nil
            }
        case .tags(let maxItems, let maxLength):
            var items: [String] = []
            for part in trimmed.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "|" }) {
                let item = part.trimmed
                if item.isEmpty || items.contains(item) { continue }
                guard v.text(n, item, maxLength: maxLength) != nil else { return nil }
                items.append(item)
            }
            guard items.count <= maxItems else { v.fail(n, "has \(items.count) entries; at most \(maxItems) are allowed"); return nil }
            return .list(items)
        }
    }
}

extension Dictionary where Key == String, Value == FieldValue {
    /// The text of a field; nil when absent or not sent.
    public func text(_ name: String) -> String? { if case .text(let s)? = self[name] { s } else { nil } }
    public func date(_ name: String) -> DateOnly? { if case .date(let d)? = self[name] { d } else { nil } }
    public func decimal(_ name: String) -> Decimal? { if case .decimal(let d)? = self[name] { d } else { nil } }
    public func integer(_ name: String) -> Int? { if case .integer(let i)? = self[name] { i } else { nil } }
    public func list(_ name: String) -> [String]? { if case .list(let l)? = self[name] { l } else { nil } }
    public func boolean(_ name: String) -> Bool? { if case .boolean(let b)? = self[name] { b } else { nil } }
    /// Whether the input said anything about the field (a value or an explicit empty).
    public func mentions(_ name: String) -> Bool { self[name] != nil }
}

/// The schemas of the customer model, in the order a CSV template lists their columns.
public enum CustomerSchemas {
    public static let account = EntitySchema(entity: "account", fields: [
        FieldSpec("external_id", .text(maxLength: 100), "Your system's id; import upserts by it"),
        FieldSpec("name", .text(maxLength: 200), required: true, "Company or household name"),
        FieldSpec("kind", .choice(AccountKind.allowed), "business (default) or household"),
        FieldSpec("parent_id", .uuid, "Parent account's id"),
        FieldSpec("parent_external_id", .text(maxLength: 100), "Parent account's external id (instead of parent_id)"),
        FieldSpec("segment", .text(maxLength: 100), "e.g. Enterprise, Mid-Market, SMB, Consumer"),
        FieldSpec("industry", .text(maxLength: 100), "Industry"),
        FieldSpec("country", .country, "ISO 3166-1 alpha-2 code, e.g. DE"),
        FieldSpec("size", .choice(AccountSize.allowed), "Size band"),
        FieldSpec("coverage_model", .choice(CoverageModel.allowed), "high_touch, pooled or tech_touch (default)"),
        FieldSpec("owner_email", .email, "E-mail of the owning user (e.g. the CSM), a member of this workspace"),
    ])

    public static let contact = EntitySchema(entity: "contact", fields: [
        FieldSpec("external_id", .text(maxLength: 100), "Your system's id; import upserts by it"),
        FieldSpec("account_id", .uuid, "The account's id"),
        FieldSpec("account_external_id", .text(maxLength: 100), "The account's external id (instead of account_id)"),
        FieldSpec("first_name", .text(maxLength: 100), "First name"),
        FieldSpec("last_name", .text(maxLength: 100), "Last name (required unless name is given)"),
        FieldSpec("name", .text(maxLength: 200), "Full name, split into first and last name when those are not given"),
        FieldSpec("email", .email, "E-mail address"),
        FieldSpec("phone", .phone, "Phone number"),
        FieldSpec("role", .text(maxLength: 120), "Job role, e.g. Head of Customer Service"),
        FieldSpec("stakeholder_side", .choice(StakeholderSide.allowed), "customer (default) or vendor"),
        FieldSpec("language", .language, "ISO 639-1 code, e.g. de"),
        FieldSpec("channel_preferences", .list(Channel.allowed), "Preferred channels, comma-separated"),
    ])

    public static let contract = EntitySchema(entity: "contract", fields: [
        FieldSpec("external_id", .text(maxLength: 100), "Your system's id; import upserts by it"),
        FieldSpec("account_id", .uuid, "The account's id (this or account_external_id is required)"),
        FieldSpec("account_external_id", .text(maxLength: 100), "The account's external id (instead of account_id)"),
        FieldSpec("product", .text(maxLength: 200), required: true, "Product or plan"),
        FieldSpec("start_date", .date, required: true, "YYYY-MM-DD or DD.MM.YYYY"),
        FieldSpec("end_date", .date, "YYYY-MM-DD or DD.MM.YYYY"),
        FieldSpec("renewal_date", .date, "YYYY-MM-DD or DD.MM.YYYY"),
        FieldSpec("arr", .decimal, required: true, "Annual recurring revenue, e.g. 12000.00 or 12.000,00"),
        FieldSpec("currency", .currency, required: true, "ISO 4217 code, e.g. EUR"),
        FieldSpec("status", .choice(ContractStatus.allowed), "pending, active (default), expired, cancelled, churned"),
        FieldSpec("seats", .integer(min: 0, max: 10_000_000), "Licensed users, for licence utilisation in the health score"),
    ])

    public static let contractEvent = EntitySchema(entity: "contract event", fields: [
        FieldSpec("kind", .choice(ContractEventKind.allowed), required: true, "new, renewal, expansion, contraction or churn"),
        FieldSpec("occurred_on", .date, required: true, "YYYY-MM-DD or DD.MM.YYYY"),
        FieldSpec("arr_delta", .decimal, "Change of ARR (negative for contraction and churn)"),
        FieldSpec("reason", .text(maxLength: 500), "Why; required for churn and contraction"),
    ])

    public static let consent = EntitySchema(entity: "consent", fields: [
        FieldSpec("purpose", .choice(ConsentPurpose.allowed), required: true, "survey, callback, marketing or social_matching"),
        FieldSpec("channel", .choice(ConsentChannel.allowed), required: true, "email, phone, sms, letter or any"),
        FieldSpec("status", .choice(["granted", "withdrawn"]), required: true, "granted or withdrawn"),
        FieldSpec("source", .text(maxLength: 200), required: true, "Where the consent was given, e.g. web form"),
    ])

    /// A contact needs a last name; a full `name` (as many CRM exports have it) supplies one: the last
    /// word becomes the last name, the rest the first name. `creating` says whether a last name must result.
    public static func normalizeContact(_ values: inout [String: FieldValue], creating: Bool) -> [FieldError] {
        if let full = values.text("name") {
            let words = full.split(separator: " ").map(String.init)
            if values.text("last_name") == nil, let last = words.last { values["last_name"] = .text(last) }
            if values.text("first_name") == nil, words.count > 1 { values["first_name"] = .text(words.dropLast().joined(separator: " ")) }
        }
        values["name"] = nil
        if creating && values.text("last_name") == nil { return [FieldError("last_name", "is required (or give the full name in 'name')")] }
        return []
    }

    /// Cross-field rules that a single field spec cannot state.
    public static func contractRules(_ values: [String: FieldValue]) -> [FieldError] {
        var errors: [FieldError] = []
        if let start = values.date("start_date"), let end = values.date("end_date"), end < start {
            errors.append(FieldError("end_date", "\(end.iso) is before start_date \(start.iso)"))
        }
        if let start = values.date("start_date"), let renewal = values.date("renewal_date"), renewal < start {
            errors.append(FieldError("renewal_date", "\(renewal.iso) is before start_date \(start.iso)"))
        }
        if let arr = values.decimal("arr"), arr < 0 {
            errors.append(FieldError("arr", "must not be negative"))
        }
        return errors
    }

    public static func contractEventRules(_ values: [String: FieldValue]) -> [FieldError] {
        guard let kind = values.text("kind").flatMap(ContractEventKind.init(rawValue:)) else { return [] }
        var errors: [FieldError] = []
        if kind.needsReason && values.text("reason") == nil {
            errors.append(FieldError("reason", "is required for a \(kind.rawValue) event"))
        }
        if let delta = values.decimal("arr_delta") {
            if (kind == .churn || kind == .contraction) && delta > 0 {
                errors.append(FieldError("arr_delta", "must not be positive for a \(kind.rawValue) event"))
            }
            if (kind == .new || kind == .expansion) && delta < 0 {
                errors.append(FieldError("arr_delta", "must not be negative for a \(kind.rawValue) event"))
            }
        }
        return errors
    }
}
