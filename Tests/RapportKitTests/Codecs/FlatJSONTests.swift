import Foundation
import Testing
@testable import RapportKit

/// FlatJSON only ever accepts: what it reads must be what Foundation's JSON parser reads, and what it
/// is unsure of it must refuse (the server then falls back to the general decoder).
@Suite("FlatJSON reads flat batches as Foundation's parser does")
struct FlatJSONTests {
    /// The events as nested plain values, to compare with JSONSerialization's result.
    static func read(_ text: String) -> [String: Any]? {
        var top: [String: Any] = [:]
        var lists: [String: [[String: Any]]] = [:]
        var listName = ""
        func plain(_ v: FlatJSON.Value) -> Any {
            switch v { case .string(let s): s; case .int(let n): n; case .null: NSNull() }
        }
        let bytes = Array(text.utf8)
        let ok = bytes.withUnsafeBytes { body in
            FlatJSON.read(body) { e in
                switch e {
                case .list(let name): lists[name] = []; listName = name
                case .item(let name, let index): #expect(lists[name]?.count == index); lists[name]?.append([:])
                case .object(.top, let key): top[key] = [String: Any]()
                case .object(.item(let name, let index), let key): lists[name]![index][key] = [String: Any]()
                case .object(.object, _): Issue.record("an object two levels down was reported")
                case .field(.top, let key, let value): top[key] = plain(value)
                case .field(.item(let name, let index), let key, let value): lists[name]![index][key] = plain(value)
                case .field(.object(let outer, nil), let key, let value):
                    var o = top[outer] as! [String: Any]; o[key] = plain(value); top[outer] = o
                case .field(.object(let outer, let index?), let key, let value):
                    var o = lists[listName]![index][outer] as! [String: Any]; o[key] = plain(value); lists[listName]![index][outer] = o
                }
                return true
            }
        }
        guard ok else { return nil }
        for (name, items) in lists { top[name] = items }
        return top
    }

    static let accepted = [
        #"{"batch_id": "b-1", "events": [{"account_external_id": "A-1", "user": "u1", "feature": "reports", "count": 3, "time": "2026-11-23T14:05:00Z"}]}"#,
        #"  {"events":[],"batch_id":null}  "#,
        "{\n\t\"events\" : [ { } , {\"count\":-0}, {\"count\": 999999999999999999} ]\r\n}",
        #"{"user": "Zo\u00eb \"Z\" \\ \/ \b\f\n\r\t", "emoji": "\ud83d\ude00 und 😀", "äöü": "Grüße"}"#,
        #"{}"#,
        #"{"a": 0, "b": -12, "events": [{"x": null}]}"#,
        #"{"survey_id": "s", "answers": {"nps": 9, "text": "gut", "none": null}}"#,
        #"{"responses": [{"answers": {"nps": 3, "why": "zu \"teuer\""}, "x": 1}, {"answers": {}}, {"a": {"b": 1}, "c": {"d": "e"}}]}"#,
        #"{"o": {}, "p": { "q" : -7 }}"#,
    ]

    static let refused = [
        #"{"count": 1.5}"#, #"{"count": 1e3}"#, #"{"count": 1E3}"#, #"{"count": 01}"#, #"{"count": -}"#, #"{"count": 1234567890123456789}"#, #"{"count": 99999999999999999999999999}"#, #"{"o": {"n": -123456789012345678901234567890}}"#,
        #"{"ok": true}"#, #"{"ok": false}"#, #"{"nested": {"a": {"b": 1}}}"#, #"{"nested": {"a": [1]}}"#, #"{"events": [[1]]}"#, #"{"events": [1]}"#,
        #"{"events": [{"a": {"b": {}}}]}"#, #"{"events": [{"a": {"b": [1]}}]}"#, #"{"events": [{"a": {"b": true}}]}"#, #"{"o": {"a": 1,}}"#, #"{"o": {"a": 1}"#,
        #"{"a": "\ud83d"}"#, #"{"a": "\ude00"}"#, #"{"a": "\ud83dx"}"#, #"{"a": "\u0000"}"#, #"{"a": "\x"}"#, #"{"a": "\u12"}"#,
        "{\"a\": \"tab\there\"}", #"{"a": 1,}"#, #"{"a": 1 "b": 2}"#, #"{"a": 1} x"#, #"["a"]"#, #""#, #"{"a": nul}"#, #"{"a": "open"#,
        #"{"events": [{"a": 1},]}"#, #"{a: 1}"#,
    ]

    @Test("accepts plain batches and reads them as JSONSerialization does", arguments: accepted)
    func accepts(_ text: String) throws {
        let fast = try #require(Self.read(text))
        let reference = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! NSDictionary
        #expect(NSDictionary(dictionary: fast).isEqual(to: reference as! [AnyHashable: Any]))
    }

    @Test("refuses what it is not sure of", arguments: refused)
    func refuses(_ text: String) {
        #expect(Self.read(text) == nil)
    }

    @Test("refuses invalid UTF-8 in a string")
    func invalidUTF8() {
        let bytes: [UInt8] = Array(#"{"a": ""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(bytes.withUnsafeBytes { FlatJSON.read($0) { _ in true } } == false)
        #expect(Array(#"{"a": "ok"}"#.utf8).withUnsafeBytes { FlatJSON.read($0) { _ in true } })
    }

    @Test("stops where the visitor says so")
    func stops() {
        var seen = 0
        let ok = Array(#"{"events": [{"a": 1}, {"a": 2}, {"a": 3}]}"#.utf8).withUnsafeBytes { body in
            FlatJSON.read(body) { e in
                if case .field = e { seen += 1; return seen < 2 }
                return true
            }
        }
        #expect(!ok && seen == 2)
    }
}
