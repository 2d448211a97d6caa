import Foundation
import NIOCore
import RapportKit

/// Response bodies read without Codable when they have the plain shape `FlatJSON` reads: answers that
/// are numbers and texts, dates as "2026-11-23T14:05:00Z". `JSONDecoder` took a quarter of a batch of
/// 10,000 responses. Anything else (choices, true/false, a matrix, another date form, a repeated key,
/// a value of the wrong type) makes these answer nil, and `decodePlainBody` reads the body instead and
/// words the error. Both read the same body to the same value (`ResponseBodyTests`).
enum ResponseBody {
    /// `POST /responses`: one response as the whole body.
    static func one(_ body: ByteBuffer) -> ResponseInput? { FlatBody.one(Item.self, body) }

    /// `POST /responses/batch`: `{"responses": [...]}`; nil also when the list is missing.
    static func batch(_ body: ByteBuffer) -> [ResponseInput]? { FlatBody.batch(Item.self, list: "responses", body) }

    /// One response being read: each known key at most once, with the type the decoder would accept.
    private struct Item: FlatBodyItem {
        var input = ResponseInput()
        var seen = 0

        /// An object under `key`: the answers, or an unknown key's object (ignored).
        mutating func open(_ key: String) -> Bool {
            guard key == "answers" else { return Self.bit(key) == nil }
            guard once(1 << 10) else { return false }
            input.answers = [:]
            return true
        }

        mutating func inner(_ outer: String, _ key: String, _ value: FlatJSON.Value) -> Bool {
            guard outer == "answers" else { return true }
            guard input.answers?[key] == nil else { return false }   // a repeated question id
            switch value {
            case .int(let n): input.answers![key] = .number(n)
            case .string(let s): input.answers![key] = .text(s)
            case .null: return false
            }
            return true
        }

        /// The bit of a known key in `seen`; nil for keys the decoder ignores.
        static func bit(_ key: String) -> Int? {
            switch key {
            case "survey_id": 1
            case "survey_version": 2
            case "external_id": 4
            case "contact_id": 8
            case "contact_external_id": 16
            case "account_external_id": 32
            case "touchpoint": 64
            case "channel": 128
            case "language": 256
            case "submitted_at": 512
            case "answers": 1 << 10
            default: nil
            }
        }

        mutating func set(_ bit: Int, _ value: FlatJSON.Value) -> Bool {
            switch (bit, value) {
            case (1, .string(let s)): guard let id = FastUUID.parse(s) else { return false }; input.surveyId = id
            case (2, .int(let n)): input.surveyVersion = n
            case (4, .string(let s)): input.externalId = s
            case (8, .string(let s)): guard let id = FastUUID.parse(s) else { return false }; input.contactId = id
            case (16, .string(let s)): input.contactExternalId = s
            case (32, .string(let s)): input.accountExternalId = s
            case (64, .string(let s)): input.touchpoint = s
            case (128, .string(let s)): input.channel = s
            case (256, .string(let s)): input.language = s
            case (512, .string(let s)):
                guard let date = FlatBody.utcDate(s) else { return false }
                input.submittedAt = date
            default: return false
            }
            return true
        }
    }
}
