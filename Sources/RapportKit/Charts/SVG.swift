/// Server-rendered charts as standalone SVG strings.
///
/// The site runs under a strict Content-Security-Policy, so no chart carries a `style` attribute or a
/// `<style>` element: colours come from classes the site CSS styles, with presentation attributes
/// (`fill`, `stroke`, …) as a fallback so a chart still reads when the CSS is missing (feeds, e-mail,
/// a saved file). Every text comes in through a labels struct, so the same code serves English and
/// German pages. Output is deterministic: the same input gives the byte-identical string, which keeps
/// HTTP caching and snapshot tests honest.
public enum Charts {}

extension Charts {
    /// XML 1.0 forbids most C0 control characters even as character references, and one stray byte
    /// from an import would make the whole chart unparseable, so they are dropped instead of escaped.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Coordinates with at most two decimals and a dot, whatever the server locale, and no "-0".
    /// Callers skip non-finite values; this still never prints "nan" or "inf" if one slips through.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let hundredths = Int((min(max(value, -1e12), 1e12) * 100).rounded())
        if hundredths == 0 { return "0" }
        let sign = hundredths < 0 ? "-" : ""
        let whole = abs(hundredths) / 100, fraction = abs(hundredths) % 100
        if fraction == 0 { return "\(sign)\(whole)" }
        if fraction % 10 == 0 { return "\(sign)\(whole).\(fraction / 10)" }
        return "\(sign)\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// The prefix ends up in `id` and `aria-labelledby`, which must be XML names without spaces;
    /// anything else becomes "-" so a careless caller cannot break the markup or the references.
    static func elementID(_ prefix: String) -> String {
        var out = ""
        for scalar in prefix.unicodeScalars {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_": out.unicodeScalars.append(scalar)
            default: out += "-"
            }
        }
        if let first = out.unicodeScalars.first, ("a"..."z").contains(first) || ("A"..."Z").contains(first) || first == "_" {
            return out
        }
        return "c" + out
    }

    /// Hrefs are built by the app, but a `javascript:` or `data:` URL reaching a chart would be script
    /// injection behind a click, so only relative URLs and http(s)/mailto survive; nil means no link.
    static func safeHref(_ href: String) -> String? {
        // A path on this site in printable ASCII (every drill-down link) has nothing to trim or judge.
        if href.utf8.first == UInt8(ascii: "/"), href.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) { return href }
        let isSpace: (Character) -> Bool = { $0.isWhitespace || $0.unicodeScalars.allSatisfy { $0.value < 0x20 } }
        let trimmed = String(href.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
        guard !trimmed.isEmpty else { return nil }
        // Browsers ignore tabs and newlines inside a scheme ("java\tscript:"), so judge it without them.
        let squeezed = String(String.UnicodeScalarView(trimmed.unicodeScalars.filter { $0.value > 0x20 }))
        if let colon = squeezed.firstIndex(of: ":"),
           !squeezed[..<colon].contains(where: { "/?#".contains($0) }) {
            guard ["http", "https", "mailto"].contains(squeezed[..<colon].lowercased()) else { return nil }
        }
        return trimmed
    }

    /// Keeps long labels from running into their neighbours; the caller puts the full text in a `<title>`.
    static func truncated(_ text: String, to limit: Int) -> String {
        guard text.count > limit, limit > 1 else { return text }
        var head = String(text.prefix(limit - 1))
        while head.last?.isWhitespace == true { head.removeLast() }
        return head + "…"
    }

    /// Rough width of a text run; there is no font metrics on the server, and layout only needs to
    /// leave enough room, not to be exact.
    static func estimatedWidth(_ text: String, fontSize: Double) -> Double {
        Double(text.count) * fontSize * 0.6
    }

    /// The shared `<svg>` envelope: accessible name and description first, then the chart body.
    static func document(
        id: String, kind: String, width: Double, height: Double, title: String, description: String,
        body: (inout SVGWriter) -> Void
    ) -> String {
        let base = elementID(id)
        var svg = SVGWriter()
        svg.open("svg", [
            "xmlns": "http://www.w3.org/2000/svg",
            "xmlns:xlink": "http://www.w3.org/1999/xlink",
            "version": "1.1",
            "id": base,
            "viewBox": "0 0 \(number(width)) \(number(height))",
            "width": "100%",
            "preserveAspectRatio": "xMidYMid meet",
            "role": "img",
            "aria-labelledby": "\(base)-title \(base)-desc",
            "class": "chart \(kind)",
            "font-family": "sans-serif",
        ])
        svg.element("title", ["id": "\(base)-title"], text: title)
        svg.element("desc", ["id": "\(base)-desc"], text: description)
        body(&svg)
        svg.close("svg")
        return svg.markup
    }
}

/// Builds markup where every attribute value and text goes through `Charts.escape`, so no call site
/// can forget to escape user text.
struct SVGWriter {
    private(set) var markup = ""

    mutating func open(_ name: String, _ attributes: KeyValuePairs<String, String> = [:]) {
        markup += "<\(name)\(Self.render(attributes))>\n"
    }

    mutating func close(_ name: String) {
        markup += "</\(name)>\n"
    }

    /// `title` becomes the element's first child (a tooltip); `text` its escaped character content.
    mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String>, text: String? = nil, title: String? = nil) {
        markup += "<\(name)\(Self.render(attributes))"
        guard text != nil || title != nil else { markup += "/>\n"; return }
        markup += ">"
        if let title { markup += "<title>\(Charts.escape(title))</title>" }
        if let text { markup += Charts.escape(text) }
        markup += "</\(name)>\n"
    }

    /// Wraps `content` in a link when the href is safe, and draws it unlinked otherwise.
    mutating func link(_ href: String, label: String, content: (inout SVGWriter) -> Void) {
        guard let safe = Charts.safeHref(href) else { return content(&self) }
        // Both spellings: SVG 2 viewers read `href`, SVG 1.1 ones only `xlink:href`.
        open("a", ["href": safe, "xlink:href": safe, "aria-label": label])
        content(&self)
        close("a")
    }

    private static func render(_ attributes: KeyValuePairs<String, String>) -> String {
        attributes.map { " \($0.key)=\"\(Charts.escape($0.value))\"" }.joined()
    }
}
