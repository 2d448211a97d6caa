import Fluent
import Foundation
import RapportKit
import Vapor

/// Every list answers `{"items": [...], "next_cursor": "…" | null}`.
struct Page<Item: Content>: Content {
    var items: [Item]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey { case items, nextCursor = "next_cursor" }
    // Encode next_cursor even when nil: clients test for null, not for a missing key.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(items, forKey: .items)
        try c.encode(nextCursor, forKey: .nextCursor)
    }
}

/// A sortable column: keyset pagination needs a non-null column and the id as tie-breaker.
struct SortKey: Sendable {
    enum Kind: Sendable { case text, date }
    let name: String
    let field: FieldKey
    let kind: Kind
}

/// Parsed `limit`, `cursor` and `sort` (`name` or `-name` for descending).
struct ListRequest {
    let limit: Int
    let sort: SortKey
    let descending: Bool
    let after: (value: String, id: UUID)?

    static let maxLimit = 500

    init(_ req: Request, sorts: [SortKey], defaultSort: String) throws {
        let limitText = req.query[String.self, at: "limit"]
        if let limitText {
            guard let l = Int(limitText), (1...Self.maxLimit).contains(l) else {
                throw AppError.invalid("limit", "'\(limitText)' must be a whole number from 1 to \(Self.maxLimit)")
            }
            limit = l
        } else { limit = 50 }
        let sortText = req.query[String.self, at: "sort"] ?? defaultSort
        descending = sortText.hasPrefix("-")
        let sortName = descending ? String(sortText.dropFirst()) : sortText
        guard let key = sorts.first(where: { $0.name == sortName }) else {
            throw AppError.invalid("sort", "'\(sortText)' is not a sort of this list; use one of \(sorts.map(\.name).joined(separator: ", ")) (prefix - for descending)")
        }
        sort = key
        if let cursor = req.query[String.self, at: "cursor"], !cursor.isEmpty {
            guard let decoded = Cursor.decode(cursor), decoded.sort == sortText else {
                throw AppError.invalid("cursor", "is not a cursor of this list and sort; pass next_cursor back unchanged")
            }
            after = (decoded.value, decoded.id)
        } else { after = nil }
    }

    /// Applies sort, the keyset condition and the limit (plus one, to know whether a next page exists).
    func apply<M: Model>(to query: QueryBuilder<M>) throws -> QueryBuilder<M> where M.IDValue == UUID {
        let direction: DatabaseQuery.Sort.Direction = descending ? .descending : .ascending
        if let after {
            let beyond: DatabaseQuery.Filter.Method = descending ? .lessThan : .greaterThan
            switch sort.kind {
            case .text: keyset(query, after.value, after.id, beyond)
            case .date:
                guard let t = Double(after.value) else { throw AppError.invalid("cursor", "is damaged; start again without it") }
                keyset(query, Date(timeIntervalSince1970: t), after.id, beyond)
            }
        }
        return query.sort(sort.field, direction).sort(.id, direction).limit(limit + 1)
    }

    /// (sort > v) OR (sort = v AND id > last id): the rows after the last one shown.
    private func keyset<M: Model, V: Codable & Sendable>(_ query: QueryBuilder<M>, _ value: V, _ id: UUID, _ beyond: DatabaseQuery.Filter.Method) {
        query.group(.or) { or in
            or.filter(sort.field, beyond, value)
            or.group(.and) { and in
                and.filter(sort.field, .equal, value)
                and.filter(.id, beyond, id)
            }
        }
    }

    /// Cuts the extra row and makes the cursor for the next page from the last row shown.
    func page<M: Model, Item: Content>(_ rows: [M], value: (M) -> String, map: ([M]) async throws -> [Item]) async throws -> Page<Item> where M.IDValue == UUID {
        let shown = Array(rows.prefix(limit))
        var next: String?
        if rows.count > limit, let last = shown.last, let id = last.id {
            next = Cursor(sort: (descending ? "-" : "") + sort.name, value: value(last), id: id).encoded
        }
        return Page(items: try await map(shown), nextCursor: next)
    }
}

struct Cursor: Codable {
    let sort: String
    let value: String
    let id: UUID

    var encoded: String {
        let data = try! JSONEncoder().encode(self)
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> Cursor? {
        var b64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard let data = Data(base64Encoded: b64) else { return nil }
        return try? JSONDecoder().decode(Cursor.self, from: data)
    }
}

extension Date {
    var cursorValue: String { String(timeIntervalSince1970) }
}
