import Testing
@testable import RapportServer

@Suite("Table rows written as markup")
struct RowsHTMLTests {
    @Test("data is escaped in text and attributes; the markup itself is not")
    func escaping() {
        var rows = RowsHTML()
        rows.raw("<tr><td><a href=\"")
        rows.text("/accounts/x\" onclick=\"alert(1)")
        rows.raw("\">")
        rows.text("<script>alert('R&D')</script> Müller & Söhne")
        rows.raw("</a></td></tr>")
        #expect(rows.string == "<tr><td><a href=\"/accounts/x&quot; onclick=&quot;alert(1)\">&lt;script&gt;alert(&#39;R&amp;D&#39;)&lt;/script&gt; Müller &amp; Söhne</a></td></tr>")
        let node = Layout.table(caption: "Riskiest first", headers: ["Account"], body: rows).render()
        #expect(node.contains("<tbody><tr><td><a href=") && node.contains("<th scope=\"col\">Account</th>") && node.hasSuffix("</tbody></table></div>"))
    }
}
