import Foundation
import NIOCore
import Testing
@testable import RapportServer

/// The response API reads plain bodies without Codable; whatever it reads must equal what the general
/// decoder reads, and what it is not sure of it leaves to that decoder, which words the error.
@Suite("Response bodies: the plain reader agrees with the decoder")
struct ResponseBodyTests {
    static let singles = [
        #"{"survey_id": "8D2C4E7A-1B3F-4C5D-9E6F-0A1B2C3D4E5F", "survey_version": 2, "external_id": "x-1", "contact_id": "0a1b2c3d-4e5f-4a5b-8c7d-9e0f1a2b3c4d", "contact_external_id": "K-1", "account_external_id": "A-1", "touchpoint": "hotline", "channel": "email", "language": "de", "submitted_at": "2026-11-23T14:05:00Z", "answers": {"nps": 9, "ces": -0, "why": "Zo\u00eb \"Z\" \ud83d\ude00", "leer": ""}}"#,
        #"{"survey_id": "8d2c4e7a-1b3f-4c5d-9e6f-0a1b2c3d4e5f", "answers": {}, "extra": {"a": 1, "b": "c"}, "more": 5, "none": null}"#,
        #"{"answers": null, "channel": null, "submitted_at": null}"#,
        #"{"submitted_at": "2024-02-29T23:59:59Z", "answers": {"a": 0}}"#,
        #"{}"#,
    ]
    static let batches = [
        #"{"responses": [{"survey_id": "8D2C4E7A-1B3F-4C5D-9E6F-0A1B2C3D4E5F", "answers": {"nps": 10, "t": "gut"}}, {}, {"external_id": "e", "answers": {}, "x": {"y": 1}}], "note": {"a": 1}, "n": 3}"#,
        #"{"responses": []}"#,
    ]
    /// Bodies the plain reader must leave to the decoder.
    static let leftToDecoder = [
        #"{"answers": {"callback": true}}"#, #"{"answers": {"q": ["a", "b"]}}"#, #"{"answers": {"m": {"i": 3}}}"#, #"{"answers": {"nps": null}}"#,
        #"{"answers": {"nps": 9.5}}"#, #"{"answers": {"nps": 1, "nps": 2}}"#, #"{"answers": 5}"#, #"{"answers": {}, "answers": {}}"#,
        #"{"submitted_at": "2026-11-23T14:05:00+01:00"}"#, #"{"submitted_at": "2026-02-30T00:00:00Z"}"#, #"{"submitted_at": "2026-11-23"}"#, #"{"submitted_at": "1500-01-01T00:00:00Z"}"#,
        #"{"survey_id": "not-an-id"}"#, #"{"survey_id": 5}"#, #"{"survey_version": "2"}"#, #"{"channel": "a", "channel": "b"}"#,
        #"{"language": {"de": 1}}"#, #"{"a": "\u0000"}"#, #"[]"#, #"{"list": [1]}"#,
    ]
    static let batchesLeftToDecoder = [
        #"{}"#, #"{"responses": null}"#, #"{"responses": {"a": 1}}"#, #"{"responses": [], "responses": []}"#, #"{"other": [], "responses": []}"#,
        #"{"responses": [{"answers": {"ok": true}}]}"#, #"{"responses": [{"survey_version": 1.0}]}"#, #"{"responses": 7}"#,
    ]

    @Test("single responses read the same", arguments: singles)
    func single(_ text: String) throws {
        let fast = try #require(ResponseBody.one(ByteBuffer(string: text)))
        #expect(fast == (try PlainJSON.decode(ResponseInput.self, from: Data(text.utf8))))
    }

    @Test("batches read the same", arguments: batches)
    func batch(_ text: String) throws {
        let fast = try #require(ResponseBody.batch(ByteBuffer(string: text)))
        #expect(fast == (try PlainJSON.decode(ResponsesAPI.Batch.self, from: Data(text.utf8))).responses)
    }

    @Test("the rest is left to the decoder", arguments: leftToDecoder)
    func left(_ text: String) {
        #expect(ResponseBody.one(ByteBuffer(string: text)) == nil)
        #expect(ResponseBody.batch(ByteBuffer(string: #"{"responses": ["# + text + "]}")) == nil)
    }

    @Test("batches the decoder reads or refuses itself", arguments: batchesLeftToDecoder)
    func batchLeft(_ text: String) {
        #expect(ResponseBody.batch(ByteBuffer(string: text)) == nil)
    }
}
