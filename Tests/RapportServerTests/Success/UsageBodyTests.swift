import Foundation
import NIOCore
import Testing
@testable import RapportServer

/// The batch API reads plain bodies without Codable; whatever it reads must equal what the general
/// decoder reads, and what it refuses goes to that decoder, which words the error.
@Suite("Usage batch bodies: the plain reader agrees with the decoder")
struct UsageBodyTests {
    static let bodies = [
        #"{"batch_id": "b-1", "events": [{"account_external_id": "A-1", "user": "u1", "feature": "reports", "count": 3, "time": "2026-11-23T14:05:00Z"}]}"#,
        #"{"batch_id": "b-2", "events": [{"account_id": "8D2C4E7A-1B3F-4C5D-9E6F-0A1B2C3D4E5F", "user": "Zo\u00eb", "feature": "Berichte \ud83d\ude00", "time": "2026-11-23"}, {}]}"#,
        #"{"events": [], "batch_id": null, "ignored": 5, "also": "x"}"#,
        #"{"batch_id": "b-3"}"#,
        #"{"batch_id": "b-4", "events": null}"#,
        #"{"events": [{"count": null, "user": null, "extra": 7, "feature": "a\"b"}]}"#,
        #"{}"#,
    ]
    /// Bodies the plain reader must leave to the decoder (and the decoder's verdict is kept).
    static let leftToDecoder = [
        #"{"events": [{"account_id": "not-a-uuid"}]}"#, #"{"events": [{"count": "3"}]}"#, #"{"events": [{"count": 2.0}]}"#,
        #"{"batch_id": 7}"#, #"{"events": [{"user": "a", "user": "b"}]}"#, #"{"events": [], "events": []}"#, #"{"events": {"a": 1}}"#,
        #"{"events": [{"time": "x", "nested": {"a": 1}}]}"#, #"{"batch_id": "\u0000"}"#, #"[]"#, #"{"events": [{"ok": true}]}"#,
    ]

    static func plain(_ text: String) -> UsageBatchInput? {
        UsageBatchInput.plain(ByteBuffer(string: text))
    }

    @Test("plain bodies read the same", arguments: bodies)
    func same(_ text: String) throws {
        let fast = try #require(Self.plain(text))
        #expect(fast == (try PlainJSON.decode(UsageBatchInput.self, from: Data(text.utf8))))
    }

    @Test("the rest is left to the decoder", arguments: leftToDecoder)
    func left(_ text: String) {
        #expect(Self.plain(text) == nil)
    }
}

@Suite("Usage folding")
struct UsageFoldTests {
    @Test("roll-up rows come in the stored key order: day, then account id as stored text, then feature")
    func keyOrder() throws {
        let workspace = UUID()
        var fold = UsageIngest.Fold(workspace: workspace)
        let accounts = (0..<500).map { _ in UUID() }
        for (i, a) in accounts.enumerated() {
            try fold.add(.init(account: a, user: "u\(i % 7)", feature: ["b", "a", "c"][i % 3], count: 1, day: 20_000 + i % 3))
        }
        let rows = fold.sorted()
        #expect(rows.accounts == accounts.sorted { $0.uuidString < $1.uuidString })
        let keys = rows.daily.map { (UsageIngest.Fold.Sorted.day($0.key), rows.accounts[UsageIngest.Fold.Sorted.account($0.key)].uuidString,
                                     rows.features[UsageIngest.Fold.Sorted.feature($0.key)]) }
        #expect(keys.count == 500 && zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 })
    }
}
