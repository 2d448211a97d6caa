import Foundation
import RapportKit
import Vapor

/// A JSON value, decoded without losing what the client sent.
enum JSONValue: Decodable, Sendable {
    case string(String), number(Decimal), bool(Bool), null
    case array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let d = try? c.decode(Decimal.self) { self = .number(d) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    /// The text form of a scalar, or of an array of scalars (joined by commas); nil for anything else.
    var text: String? {
        switch self {
        case .string(let s): s
        case .number(let d): NSDecimalNumber(decimal: d).stringValue
        case .bool(let b): b ? "true" : "false"
        case .null: ""
        case .array(let items):
            items.allSatisfy { if case .string = $0 { true } else { false } } ? items.compactMap(\.text).joined(separator: ",") : nil
        case .object: nil
        }
    }
}

/// One decoding path for JSON bodies and HTML forms: both become the loose field → text map that
/// `EntitySchema.validate` checks, so the API, the web UI and CSV import apply the same rules.
struct InputBody {
    var fields: [String: String] = [:]
    /// Objects are kept aside for the fields that take one (an account's `attributes`).
    var objects: [String: [String: JSONValue]] = [:]

    static func decode(_ req: Request, objectFields: Set<String> = []) throws -> InputBody {
        if req.headers.contentType == .urlEncodedForm {
            let form = try req.content.decode([String: String].self)
            return InputBody(fields: form.filter { $0.key != "csrf_token" })
        }
        guard let buffer = req.body.data, buffer.readableBytes > 0 else {
            throw AppError.badRequest("The body is empty; send a JSON object.")
        }
        guard req.headers.contentType == nil || req.headers.contentType == .json || req.headers.contentType?.subType == "merge-patch+json" else {
            throw AppError.badRequest("Send the body as application/json.")
        }
        let value: JSONValue
        do { value = try JSONDecoder().decode(JSONValue.self, from: buffer) }
        catch { throw AppError.badRequest("The body is not valid JSON.") }
        guard case .object(let object) = value else { throw AppError.badRequest("The body must be a JSON object.") }
        var body = InputBody()
        var errors: [FieldError] = []
        for (key, v) in object {
            if objectFields.contains(key) {
                switch v {
                case .object(let o): body.objects[key] = o
                case .null: body.objects[key] = [:]
                default: errors.append(FieldError(key, "must be an object of names to texts"))
                }
            } else if let text = v.text {
                body.fields[key] = text
            } else {
                errors.append(FieldError(key, "must be a text, a number, a boolean, null or a list of texts"))
            }
        }
        if !errors.isEmpty { throw AppError.validation(errors.sorted { $0.field < $1.field }) }
        return body
    }
}

extension EntitySchema {
    /// The request's body (JSON or form), checked against this schema; a 422 naming every bad field otherwise.
    func validated(_ req: Request, partial: Bool = false, objectFields: Set<String> = []) throws -> (values: [String: FieldValue], body: InputBody) {
        let body = try InputBody.decode(req, objectFields: objectFields)
        switch validate(body.fields, partial: partial, ignoring: objectFields) {
        case .success(let v): return (v, body)
        case .failure(let f): throw f.appError
        }
    }
}
