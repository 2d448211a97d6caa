import Foundation
import NIOCore
import Testing
@testable import RapportServer

/// The events API reads plain bodies without Codable; whatever it reads must equal what the general
/// decoder reads, and what it is not sure of it leaves to that decoder, which words the error.
@Suite("Event bodies: the plain reader agrees with the decoder")
struct EventBodyTests {
    static let singles = [
        #"{"type": "case_closed", "external_id": "ev-1", "contact_id": "0a1b2c3d-4e5f-4a5b-8c7d-9e0f1a2b3c4d", "contact_external_id": "K-1", "account_id": "8D2C4E7A-1B3F-4C5D-9E6F-0A1B2C3D4E5F", "account_external_id": "A-1", "touchpoint": "hotline", "occurred_at": "2026-11-23T14:05:00Z", "attributes": {"channel": "phone", "agents": 3, "minus": -12, "note": "Zo\u00eb \"Z\" \ud83d\ude00", "empty": ""}}"#,
        #"{"type": "order_delivered", "attributes": {}, "extra": {"a": 1, "b": "c"}, "more": 5, "none": null}"#,
        #"{"attributes": null, "touchpoint": null, "occurred_at": null}"#,
        #"{"occurred_at": "2024-02-29T23:59:59Z"}"#,
        #"{}"#,
    ]
    static let batches = [
        #"{"events": [{"type": "case_closed", "contact_external_id": "c1", "attributes": {"channel": "phone"}}, {}, {"external_id": "e", "attributes": {}, "x": {"y": 1}}], "note": {"a": 1}, "n": 3}"#,
        #"{"events": []}"#,
    ]
    /// Bodies the plain reader must leave to the decoder.
    static let leftToDecoder = [
        #"{"attributes": {"vip": true}}"#, #"{"attributes": {"score": 9.5}}"#, #"{"attributes": {"a": null}}"#, #"{"attributes": {"a": ["x"]}}"#,
        #"{"attributes": {"a": {"b": 1}}}"#, #"{"attributes": {"a": 1, "a": 2}}"#, #"{"attributes": 5}"#, #"{"attributes": {}, "attributes": {}}"#,
        #"{"occurred_at": "2026-11-23T14:05:00+01:00"}"#, #"{"occurred_at": "2026-02-30T00:00:00Z"}"#, #"{"occurred_at": "2026-11-23"}"#,
        #"{"occurred_at": "1500-01-01T00:00:00Z"}"#, #"{"contact_id": "not-an-id"}"#, #"{"account_id": 5}"#, #"{"type": 7}"#,
        #"{"type": "a", "type": "b"}"#, #"{"touchpoint": {"slug": "x"}}"#, #"[]"#, #"{"list": [1]}"#,
    ]
    static let batchesLeftToDecoder = [
        #"{}"#, #"{"events": null}"#, #"{"events": {"a": 1}}"#, #"{"events": [], "events": []}"#, #"{"other": [], "events": []}"#,
        #"{"events": [{"attributes": {"ok": true}}]}"#, #"{"events": 7}"#,
    ]

    @Test("single events read the same", arguments: singles)
    func single(_ text: String) throws {
        let fast = try #require(EventBody.one(ByteBuffer(string: text)))
        #expect(fast == (try PlainJSON.decode(EventInput.self, from: Data(text.utf8))))
    }

    @Test("batches read the same", arguments: batches)
    func batch(_ text: String) throws {
        let fast = try #require(EventBody.batch(ByteBuffer(string: text)))
        #expect(fast == (try PlainJSON.decode(EventsAPI.Batch.self, from: Data(text.utf8))).events)
    }

    @Test("the rest is left to the decoder", arguments: leftToDecoder)
    func left(_ text: String) {
        #expect(EventBody.one(ByteBuffer(string: text)) == nil)
        #expect(EventBody.batch(ByteBuffer(string: #"{"events": ["# + text + "]}")) == nil)
    }

    @Test("batches the decoder reads or refuses itself", arguments: batchesLeftToDecoder)
    func batchLeft(_ text: String) {
        #expect(EventBody.batch(ByteBuffer(string: text)) == nil)
    }
}
