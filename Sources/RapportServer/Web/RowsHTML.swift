import Plot

/// Table rows for long lists written straight into a byte buffer. Plot builds a node tree and renders it
/// through a generic renderer, which for a portfolio of 500 accounts cost more than reading them from the
/// database; the rows of such a table are plain markup, so they are written here — every piece of data
/// escaped for text and attribute positions alike — and inserted as one raw node
/// (`Layout.table(caption:headers:body:)`).
struct RowsHTML {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// Markup the caller wrote: tags and attribute names, never data.
    mutating func raw(_ markup: StaticString) {
        markup.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Text content or an attribute value, escaped (`&`, `<`, `>`, `"`, `'`).
    mutating func text(_ s: String) {
        for b in s.utf8 {
            switch b {
            case 0x26: bytes.append(contentsOf: [0x26, 0x61, 0x6D, 0x70, 0x3B])          // &amp;
            case 0x3C: bytes.append(contentsOf: [0x26, 0x6C, 0x74, 0x3B])                // &lt;
            case 0x3E: bytes.append(contentsOf: [0x26, 0x67, 0x74, 0x3B])                // &gt;
            case 0x22: bytes.append(contentsOf: [0x26, 0x71, 0x75, 0x6F, 0x74, 0x3B])    // &quot;
            case 0x27: bytes.append(contentsOf: [0x26, 0x23, 0x33, 0x39, 0x3B])          // &#39;
            default: bytes.append(b)
            }
        }
    }

    /// `<tag class="cls">text</tag>`
    mutating func element(_ open: StaticString, _ text: String, _ close: StaticString) {
        raw(open); self.text(text); raw(close)
    }

    /// `<span class="cls">text</span>`, both escaped.
    mutating func span(class cls: String, _ text: String) {
        raw("<span class=\""); self.text(cls); raw("\">"); self.text(text); raw("</span>")
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }
}

extension Layout {
    /// `table(caption:headers:rows:)` with a body written by `RowsHTML` (one `<tr>` per row).
    static func table(caption: String? = nil, headers: [String], body: RowsHTML) -> Node<HTML.BodyContext> {
        .div(.class("table-wrap"),
             .table(
                .unwrap(caption) { .caption(.text($0)) },
                .thead(.tr(.forEach(headers) { .th(.attribute(named: "scope", value: "col"), .text($0)) })),
                .raw("<tbody>" + body.string + "</tbody>")
             ))
    }
}
