import Plot

/// The few elements Plot spells differently from HTML (an `<option>` with text, `<legend>`), so views
/// read like the HTML they produce.
extension Node where Context == HTML.SelectContext {
    static func choice(_ value: String, _ label: String, selected: Bool = false) -> Node {
        .element(named: "option", nodes: [
            .attribute(named: "value", value: value, ignoreIfValueIsEmpty: false),
            .if(selected, .attribute(named: "selected", value: "selected")),
            .text(label),
        ])
    }
}

extension Node where Context == HTML.FormContext {
    static func legend(_ text: String) -> Node { .element(named: "legend", nodes: [Node<HTML.BodyContext>.text(text)]) }
}
