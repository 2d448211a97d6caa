import Foundation
import NIOCore
import RapportKit

/// Event bodies read without Codable when they have the plain shape `FlatJSON` reads: ids and texts,
/// dates as "2026-11-23T14:05:00Z", attributes that are texts and whole numbers. `JSONDecoder` was a
/// tenth of an event batch. Anything else (attributes that are true/false or fractions, another date
/// form, a repeated key, a value of the wrong type) makes these answer nil, and `decodePlainBody`
/// reads the body instead and words the error. Both read the same body to the same value (`EventBodyTests`).
enum EventBody {
    /// `POST /events`: one event as the whole body.
    static func one(_ body: ByteBuffer) -> EventInput? { FlatBody.one(Item.self, body) }

    /// `POST /events/batch`: `{"events": [...]}`; nil also when the list is missing.
    static func batch(_ body: ByteBuffer) -> [EventInput]? { FlatBody.batch(Item.self, list: "events", body) }

    private struct Item: FlatBodyItem {
        var input = EventInput()
        var seen = 0

        mutating func open(_ key: String) -> Bool {
            guard key == "attributes" else { return Self.bit(key) == nil }   // an unknown key's object is ignored
            guard once(1 << 8) else { return false }
            input.attributes = [:]
            return true
        }

        mutating func inner(_ outer: String, _ key: String, _ value: FlatJSON.Value) -> Bool {
            guard outer == "attributes" else { return true }
            guard input.attributes?[key] == nil else { return false }   // a repeated attribute
            switch value {
            case .int(let n): input.attributes![key] = ScalarText(String(n))
            case .string(let s): input.attributes![key] = ScalarText(s)
            case .null: return false
            }
            return true
        }

        /// The bit of a known key in `seen`; nil for keys the decoder ignores.
        static func bit(_ key: String) -> Int? {
            switch key {
            case "type": 1
            case "external_id": 2
            case "contact_id": 4
            case "contact_external_id": 8
            case "account_id": 16
            case "account_external_id": 32
            case "touchpoint": 64
            case "occurred_at": 128
            case "attributes": 1 << 8
            default: nil
            }
        }

        mutating func set(_ bit: Int, _ value: FlatJSON.Value) -> Bool {
            switch (bit, value) {
            case (1, .string(let s)): input.type = s
            case (2, .string(let s)): input.externalId = s
            case (4, .string(let s)): guard let id = FastUUID.parse(s) else { return false }; input.contactId = id
            case (8, .string(let s)): input.contactExternalId = s
            case (16, .string(let s)): guard let id = FastUUID.parse(s) else { return false }; input.accountId = id
            case (32, .string(let s)): input.accountExternalId = s
            case (64, .string(let s)): input.touchpoint = s
            case (128, .string(let s)):
                guard let date = FlatBody.utcDate(s) else { return false }
                input.occurredAt = date
            default: return false
            }
            return true
        }
    }
}
