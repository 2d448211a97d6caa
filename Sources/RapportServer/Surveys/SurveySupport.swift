import Fluent
import Foundation
import RapportKit
import SQLKit
import Vapor

/// A workspace's survey settings row: made on first use, so every workspace (old or new) has one.
enum SurveySettingsStore {
    static func load(_ scope: Scope) async throws -> SurveySettingsRow {
        if let row = try await scope.query(SurveySettingsRow.self).first() { return row }
        // The defaults, unless another request wrote them at the same moment. (Catching the unique
        // violation instead would not do on PostgreSQL: inside a transaction, such as an event
        // batch's, the failed insert aborts the transaction.)
        try await BulkInsert.run(scope.db, table: SurveySettingsRow.schema, columns: ["id", "workspace_id", "link_secret", "contact_policy", "feedback_queues", "version"],
                                 rows: [[UUID.timeOrdered(), scope.workspaceID, randomToken(32), PlainJSON.encode(ContactPolicy()),
                                         PlainJSON.encode(FeedbackRouting.defaults), 1]], suffix: " ON CONFLICT (workspace_id) DO NOTHING")
        guard let row = try await scope.query(SurveySettingsRow.self).first() else { throw Abort(.internalServerError, reason: "survey settings could not be stored") }
        return row
    }

    static func policy(_ row: SurveySettingsRow) -> ContactPolicy {
        (try? PlainJSON.decode(ContactPolicy.self, from: Data(row.contactPolicy.utf8))) ?? ContactPolicy()
    }

    static func queues(_ row: SurveySettingsRow) -> [String: String] {
        (try? PlainJSON.decode([String: String].self, from: Data(row.feedbackQueues.utf8))) ?? FeedbackRouting.defaults
    }
}

/// Unguessable text for links and secrets: base64url without padding.
func randomToken(_ bytes: Int) -> String {
    var rng = SystemRandomNumberGenerator()
    return Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &rng) }).base64URL
}

extension Data {
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    init?(base64URL s: String) {
        var t = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while t.count % 4 != 0 { t += "=" }
        self.init(base64Encoded: t)
    }
}

/// Personal survey links carry the invitation's id and a signature over it with the workspace's
/// secret: nothing to look up for a forged link, nothing stored that could leak the link, and the
/// same link can be printed again for a reminder or a letter.
enum PersonalLink {
    static func token(invitationID: UUID, secret: String) -> String {
        let id = withUnsafeBytes(of: invitationID.uuid) { Data($0) }
        return "p" + id.base64URL + signature(id, secret: secret).base64URL
    }

    static func invitationID(in token: String) -> UUID? {
        guard token.count == 45, token.first == "p", let id = Data(base64URL: String(token.dropFirst().prefix(22))), id.count == 16 else { return nil }
        return id.withUnsafeBytes { raw in UUID(uuid: raw.loadUnaligned(as: uuid_t.self)) }
    }

    static func verify(_ token: String, secret: String) -> Bool {
        guard let id = invitationID(in: token) else { return false }
        let expected = Self.token(invitationID: id, secret: secret)
        // Constant time: a forger learns nothing from how long the comparison took.
        return expected.utf8.count == token.utf8.count && zip(expected.utf8, token.utf8).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func signature(_ id: Data, secret: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: id, using: SymmetricKey(data: Data(secret.utf8)))).prefix(16)
    }
}

/// Codes a customer types in from a letter: ten characters without look-alikes (no 0/O, 1/I/L),
/// shown in two groups of five.
enum ShortCode {
    static let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")

    static func make() -> String {
        var rng = SystemRandomNumberGenerator()
        return String((0..<10).map { _ in alphabet[Int(rng.next(upperBound: UInt64(alphabet.count)))] })
    }

    static func normalized(_ typed: String) -> String {
        String(typed.uppercased().filter { alphabet.contains($0) || $0 == "0" || $0 == "O" || $0 == "1" || $0 == "I" || $0 == "L" }
            .map { c -> Character in c == "0" || c == "O" ? "Q" : (c == "1" || c == "I" || c == "L" ? "J" : c) })
            .filter { alphabet.contains($0) }
    }

    static func display(_ code: String) -> String { code.count == 10 ? code.prefix(5) + "-" + code.suffix(5) : code }
}

/// Consent is a ledger per purpose and channel; the latest record for the channel (or for "any")
/// decides. Survey invitations need the purpose "survey".
enum SurveyConsent {
    /// Which consent channel an invitation channel needs. A webhook hands the invitation to the
    /// company's own system, which may use any channel, so any granted survey consent is enough.
    static func consentChannels(for channel: InvitationChannel) -> Set<String>? {
        switch channel {
        case .email: ["email", "any"]
        case .phone: ["phone", "any"]
        case .letter: ["letter", "any"]
        case .webhook: nil
        }
    }

    static func granted(_ consents: [ConsentRecord], channel: InvitationChannel) -> Bool {
        let relevant = consents.filter { $0.purpose == ConsentPurpose.survey.rawValue }
        if let channels = consentChannels(for: channel) {
            return relevant.filter { channels.contains($0.channel) }.max { $0.recordedAt < $1.recordedAt }?.status == "granted"
        }
        // Latest record per channel; any channel granted.
        let latest = Dictionary(grouping: relevant, by: \.channel).compactMapValues { $0.max { $0.recordedAt < $1.recordedAt } }
        if latest["any"]?.status == "withdrawn" { return false }
        return latest.values.contains { $0.status == "granted" }
    }
}

/// Types of unsolicited feedback and the queue each goes to by default (seed 002: ideas to product
/// management, the rest to service).
enum FeedbackRouting {
    static let types = ["complaint", "bug", "idea", "question", "praise"]
    static let defaults: [String: String] = ["complaint": "service", "bug": "service", "idea": "product", "question": "service", "praise": "service"]
}

/// Reads a JSON body without the API's key conversion and turns decoding errors into field errors.
func decodePlainBody<T: Decodable>(_ req: Request, as type: T.Type) throws -> T {
    guard let buffer = req.body.data, buffer.readableBytes > 0 else { throw AppError.badRequest("Send a JSON body.") }
    let data = Data(buffer.readableBytesView)
    // No text anywhere in Rapport holds a NUL character, and PostgreSQL cannot even compare one.
    if data.contains(0) || data.range(of: Data("\\u0000".utf8)) != nil {
        throw AppError.validation([FieldError("body", "contains a NUL character (\\u0000), which no text may hold")])
    }
    do {
        return try PlainJSON.decode(T.self, from: data)
    } catch let e as DecodingError {
        throw AppError.validation([FieldError(decodingError: e)])
    } catch {
        throw AppError.badRequest("The body is not JSON: \(error.localizedDescription)")
    }
}

extension FieldError {
    init(decodingError e: DecodingError) {
        func path(_ p: [any CodingKey]) -> String {
            p.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch e {
        case .keyNotFound(let key, let ctx): self.init(path(ctx.codingPath + [key]), "is required")
        case .typeMismatch(let t, let ctx): self.init(path(ctx.codingPath).isEmpty ? "body" : path(ctx.codingPath), "has the wrong type; expected \(Self.typeName(t))")
        case .valueNotFound(let t, let ctx): self.init(path(ctx.codingPath), "must not be null; expected \(Self.typeName(t))")
        case .dataCorrupted(let ctx):
            let p = path(ctx.codingPath)
            self.init(p.isEmpty ? "body" : p, ctx.underlyingError == nil ? ctx.debugDescription : "is not valid JSON")
        @unknown default: self.init("body", "cannot be read")
        }
    }

    private static func typeName(_ t: Any.Type) -> String {
        let name = String(describing: t)
        switch name {
        case "String": return "a text"
        case "Int", "Double": return "a number"
        case "Bool": return "true or false"
        default: return name.hasPrefix("Array") ? "a list" : name.hasPrefix("Dictionary") ? "an object" : "an object (\(name))"
        }
    }
}

extension Request {
    /// A query parameter that is compared with stored text: refused with a field error when it holds
    /// control characters (PostgreSQL cannot compare a NUL).
    func textQuery(_ name: String) throws -> String? {
        guard let v = query[String.self, at: name] else { return nil }
        if let problem = controlCharacterProblem(v) { throw AppError.invalid(name, problem) }
        return v
    }
}
