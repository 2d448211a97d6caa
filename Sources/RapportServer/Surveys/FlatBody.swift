import Foundation
import NIOCore
import RapportKit

/// One item of a plain body: known keys with plain values, and objects of plain values one level down.
/// Each answer is false for what the item is not sure of, which leaves the body to the decoder.
protocol FlatBodyItem {
    associatedtype Input
    init()
    var input: Input { get }
    /// The bits of the keys already read (each key may come once).
    var seen: Int { get set }
    /// An object under `key` begins.
    mutating func open(_ key: String) -> Bool
    /// The bit of a known key in `seen`; nil for keys the decoder ignores.
    static func bit(_ key: String) -> Int?
    /// A known key's value, not null, read for the first time.
    mutating func set(_ bit: Int, _ value: FlatJSON.Value) -> Bool
    /// A value inside the object under `outer`.
    mutating func inner(_ outer: String, _ key: String, _ value: FlatJSON.Value) -> Bool
}

extension FlatBodyItem {
    /// Marks a key's bit as read; false when it was read before (a repeated key).
    mutating func once(_ bit: Int) -> Bool {
        guard seen & bit == 0 else { return false }
        seen |= bit
        return true
    }

    /// A value of the item itself: unknown keys are ignored and null is absent, as by the decoder; a
    /// repeated key leaves the body to it.
    mutating func take(_ key: String, _ value: FlatJSON.Value) -> Bool {
        guard let bit = Self.bit(key) else { return true }
        guard once(bit) else { return false }
        if case .null = value { return true }
        return set(bit, value)
    }
}

/// Reads a body that is one item, or a batch `{"<list>": [items]}`, with `FlatJSON`.
enum FlatBody {
    static func one<Item: FlatBodyItem>(_: Item.Type, _ body: ByteBuffer) -> Item.Input? {
        var item = Item()
        let read = body.withUnsafeReadableBytes { bytes in
            FlatJSON.read(bytes) { e in
                switch e {
                case .list, .item: return false
                case .object(_, let key): return item.open(key)
                case .field(.top, let key, let value): return item.take(key, value)
                case .field(.object(let outer, nil), let key, let value): return item.inner(outer, key, value)
                case .field: return false
                }
            }
        }
        return read ? item.input : nil
    }

    /// A date in the one form read here, "2026-11-23T14:05:00Z"; nil for anything else. Before 1583
    /// Foundation's calendar is Julian; those dates are left to it.
    static func utcDate(_ s: String) -> Date? {
        guard s.utf8.count == 20, s.prefix(4) >= "1583", let seconds = UsageIngest.utcSeconds(s) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// nil also when the list is missing.
    static func batch<Item: FlatBodyItem>(_: Item.Type, list: String, _ body: ByteBuffer) -> [Item.Input]? {
        var items: [Item.Input] = [], item = Item(), inItem = false, listed = false
        let read = body.withUnsafeReadableBytes { bytes in
            FlatJSON.read(bytes) { e in
                switch e {
                case .list(let name):
                    guard name == list, !listed else { return false }
                    listed = true
                case .item:
                    if inItem { items.append(item.input) }
                    item = Item(); inItem = true
                case .object(.top, let key): return key != list   // another key's object is ignored, as by the decoder
                case .object(.item, let key): return item.open(key)
                case .object: return false
                case .field(.top, let key, _): return key != list  // the list as null or a scalar is the decoder's error to word
                case .field(.item, let key, let value): return item.take(key, value)
                case .field(.object(let outer, _?), let key, let value): return item.inner(outer, key, value)
                case .field(.object(_, nil), _, _): return true            // inside another top-level object
                }
                return true
            }
        }
        guard read, listed else { return nil }
        if inItem { items.append(item.input) }
        return items
    }
}
