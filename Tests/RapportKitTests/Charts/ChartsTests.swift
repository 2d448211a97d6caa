import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import RapportKit

// MARK: - A tiny DOM from XMLParser, so every assertion reads the SVG the way a browser would.

private final class SVGNode {
    let name: String
    let attributes: [String: String]
    var children: [SVGNode] = []
    /// Direct character content only; a child `<title>` keeps its own.
    var text = ""

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    subscript(_ attribute: String) -> String? { attributes[attribute] }

    func double(_ attribute: String) -> Double? { attributes[attribute].flatMap(Double.init) }

    var descendants: [SVGNode] { children.flatMap { [$0] + $0.descendants } }

    func all(_ name: String) -> [SVGNode] { descendants.filter { $0.name == name } }

    func all(_ name: String, class cssClass: String) -> [SVGNode] {
        all(name).filter { ($0["class"] ?? "").split(separator: " ").contains(Substring(cssClass)) }
    }

    var title: String? { children.first { $0.name == "title" }?.text }
}

private final class SVGTreeBuilder: NSObject, XMLParserDelegate {
    var stack: [SVGNode] = []
    var root: SVGNode?
    var roots = 0
    var errors: [Error] = []

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        let node = SVGNode(name: name, attributes: attributes)
        stack.last?.children.append(node)
        if stack.isEmpty { root = node; roots += 1 }
        stack.append(node)
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.text += string
    }

    func parser(_ parser: XMLParser, parseErrorOccurred error: Error) {
        errors.append(error)
    }
}

private struct SVGParseError: Error, CustomStringConvertible {
    let description: String
}

private func parse(_ svg: String) throws -> SVGNode {
    let parser = XMLParser(data: Data(svg.utf8))
    let builder = SVGTreeBuilder()
    parser.delegate = builder
    // FoundationXML on Linux recovers from some errors (a mismatched end tag) and still returns true,
    // so a chart only counts as well-formed when no error was reported at all.
    let finished = parser.parse()
    guard finished, parser.parserError == nil, builder.errors.isEmpty, builder.roots == 1, builder.stack.isEmpty,
          let root = builder.root else {
        throw SVGParseError(description: "not well-formed: \(parser.parserError.map { "\($0)" } ?? "\(builder.errors)")\n\(svg)")
    }
    return root
}

// MARK: - Fixtures

private func matrixLabels(_ tweak: String = "") -> MatrixLabels {
    MatrixLabels(title: "Matrix\(tweak)", description: "Relevance against quality\(tweak)", xAxis: "Perceived quality\(tweak)",
                 yAxis: "Relevance\(tweak)", fixFirst: "Fix first\(tweak)", keepUp: "Keep up\(tweak)",
                 overServed: "Over-served\(tweak)", lowPriority: "Low priority\(tweak)", noData: "No data\(tweak)",
                 pointTitle: { "\($0.label): relevance \($0.relevance), quality \($0.quality), n=\($0.n)" })
}

private func lineLabels(_ tweak: String = "") -> LineLabels {
    LineLabels(title: "Emotion curve\(tweak)", description: "Quality per phase\(tweak)", yAxis: "Quality\(tweak)",
               noData: "No data\(tweak)", nLabel: { "n=\($0)" },
               pointTitle: { point in "\(point.label): \(point.value.map { "\($0)" } ?? "–") (\(point.note))" })
}

private let milestoneLabels = MilestoneLabels(title: "Maturity", description: "Milestones per journey",
                                              notStarted: "Not started", partly: "Partly", achieved: "Achieved", noData: "No journeys")

private func point(_ id: String, relevance: Double, quality: Double, n: Int = 3, label: String? = nil) -> MatrixPoint {
    MatrixPoint(id: id, label: label ?? id, relevance: relevance, quality: quality, n: n, href: "/touchpoints/\(id)")
}

private func curve(_ values: [Double?]) -> [CurvePoint] {
    values.enumerated().map { CurvePoint(label: "Phase \($0.offset + 1)", value: $0.element, n: $0.offset, note: "assessed quality") }
}

private let nasty = "Fish & \"Chips\" <b>"

/// Names the sample in test output instead of printing the whole SVG.
private struct ChartSample: Sendable, CustomTestStringConvertible {
    let name: String
    let svg: String
    var testDescription: String { name }
}

/// One of each chart with every feature in use, for the checks that hold for all charts.
private let sampleCharts: [String] = [
    Charts.relevanceQualityMatrix(id: "m", points: [
        point("a", relevance: 4, quality: 2, n: 9, label: nasty), point("b", relevance: 4, quality: 2),
        point("c", relevance: 1.5, quality: 4.5, n: 0),
    ], labels: matrixLabels(nasty)),
    Charts.relevanceQualityMatrix(id: "m-empty", points: [], labels: matrixLabels()),
    Charts.lineChart(id: "l", points: curve([3, nil, 4.5, 2]) + [CurvePoint(label: nasty, value: 1, n: 2, note: nasty)],
                     scale: 1...5, labels: lineLabels(nasty)),
    Charts.lineChart(id: "l-empty", points: [], scale: -100...100, labels: lineLabels()),
    Charts.milestoneBars(id: "b", rows: [MilestoneRow(label: nasty, href: "/journeys/1?a=1&b=2", levels: [2, 1, 0, 2])],
                         milestones: ["Mapped", "Measured", nasty, "Improved"],
                         labels: MilestoneLabels(title: nasty, description: nasty, notStarted: "Not started",
                                                 partly: "Partly", achieved: "Achieved", noData: "None")),
    Charts.milestoneBars(id: "b-empty", rows: [], milestones: ["Mapped"], labels: milestoneLabels),
]

private let samples = zip(["matrix", "empty matrix", "line", "empty line", "milestones", "empty milestones"], sampleCharts)
    .map { ChartSample(name: $0, svg: $1) }

private func circles(_ root: SVGNode) -> [(x: Double, y: Double, r: Double, title: String)] {
    root.all("circle").map { ($0.double("cx")!, $0.double("cy")!, $0.double("r")!, $0.title ?? "") }
}

// MARK: - All charts

@Suite("Charts: markup every chart shares")
struct ChartMarkupTests {
    @Test("parses as XML, with the svg envelope, title and desc first", arguments: samples)
    fileprivate func envelope(_ sample: ChartSample) throws {
        let root = try parse(sample.svg)
        #expect(root.name == "svg")
        #expect(root["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(root["role"] == "img")
        #expect(root["width"] == "100%")
        #expect(root["preserveAspectRatio"] == "xMidYMid meet")
        #expect(root["viewBox"]?.hasPrefix("0 0 ") == true)
        #expect(root["class"]?.hasPrefix("chart ") == true)
        let prefix = try #require(root["id"])
        #expect(root.children.count >= 2)
        #expect(root.children[0].name == "title" && root.children[0]["id"] == "\(prefix)-title")
        #expect(root.children[1].name == "desc" && root.children[1]["id"] == "\(prefix)-desc")
        #expect(root["aria-labelledby"] == "\(prefix)-title \(prefix)-desc")
    }

    @Test("ids are unique and carry the prefix, also across charts on one page")
    func uniqueIDs() throws {
        var seen = Set<String>()
        for svg in sampleCharts {
            let root = try parse(svg)
            let prefix = try #require(root["id"])
            for id in ([root] + root.descendants).compactMap({ $0["id"] }) {
                #expect(id.hasPrefix(prefix))
                #expect(seen.insert(id).inserted, "duplicate id \(id)")
            }
        }
    }

    @Test("no style attribute or element, no nan or inf", arguments: samples)
    fileprivate func cspSafe(_ sample: ChartSample) throws {
        let root = try parse(sample.svg)
        for node in [root] + root.descendants {
            #expect(node.name != "style")
            #expect(node["style"] == nil)
        }
        #expect(!sample.svg.lowercased().contains("nan") && !sample.svg.lowercased().contains("inf"))
    }

    @Test("the same input gives byte-identical output")
    func deterministic() {
        let points = (0..<12).map { point("p\($0)", relevance: 3 + Double($0 % 3) * 0.01, quality: 4, n: $0) }
        #expect(Charts.relevanceQualityMatrix(id: "x", points: points, labels: matrixLabels())
            == Charts.relevanceQualityMatrix(id: "x", points: points, labels: matrixLabels()))
        #expect(Charts.lineChart(id: "x", points: curve([1, nil, 2.345]), scale: 1...5, labels: lineLabels())
            == Charts.lineChart(id: "x", points: curve([1, nil, 2.345]), scale: 1...5, labels: lineLabels()))
        let rows = [MilestoneRow(label: "J", href: "/j", levels: [0, 1, 2])]
        #expect(Charts.milestoneBars(id: "x", rows: rows, milestones: ["A", "B", "C"], labels: milestoneLabels)
            == Charts.milestoneBars(id: "x", rows: rows, milestones: ["A", "B", "C"], labels: milestoneLabels))
    }

    @Test("user text round-trips through the parser unchanged")
    func escaping() throws {
        let matrix = try parse(sampleCharts[0])
        #expect(matrix.children[0].text == "Matrix\(nasty)")
        #expect(matrix.all("text", class: "quadrant-label").contains { $0.text == "Fix first\(nasty)" })
        #expect(matrix.all("text", class: "axis-title").map(\.text) == ["Perceived quality\(nasty)", "Relevance\(nasty)"])
        #expect(circles(matrix).contains { $0.title.hasPrefix("\(nasty): ") })
        #expect(matrix.all("a").contains { $0["aria-label"]?.hasPrefix(nasty) == true })

        let line = try parse(sampleCharts[2])
        let label = try #require(line.all("text", class: "x-label").last)
        #expect(label.title == nasty)
        #expect(label.text == Charts.truncated(nasty, to: Charts.LineLayout.maxLabelLength))
        #expect(line.all("circle").last?.title == "\(nasty): 1.0 (\(nasty))")

        let bars = try parse(sampleCharts[4])
        #expect(bars.children[0].text == nasty && bars.children[1].text == nasty)
        #expect(bars.all("a").first?["href"] == "/journeys/1?a=1&b=2")
        #expect(bars.all("text", class: "row-label").first?.text == nasty)
        #expect(bars.all("rect", class: "cell")[2].title == "\(nasty): Not started")
    }

    @Test("the parser used here rejects what a browser would reject")
    func strictParser() {
        for broken in ["<svg><title>a <b></title></svg>", "<svg><a></svg>", "<svg/><svg/>", "<svg>&bogus;</svg>", "<svg>"] {
            #expect(throws: SVGParseError.self, "\(broken)") { try parse(broken) }
        }
        #expect(throws: Never.self) { try parse("<svg a=\"&amp;&quot;\"><title>&lt;b&gt; &apos;</title></svg>") }
    }

    @Test("control characters that XML forbids are dropped, so the chart still parses")
    func controlCharacters() throws {
        let root = try parse(Charts.lineChart(id: "c", points: curve([2]), scale: 1...5, labels: lineLabels("\u{0}\u{7}\u{1B}x")))
        #expect(root.children[0].text == "Emotion curvex")
    }

    @Test("links only for relative and http(s) targets")
    func hrefs() {
        #expect(Charts.safeHref("/touchpoints/1") == "/touchpoints/1")
        #expect(Charts.safeHref("https://example.org/a:b") == "https://example.org/a:b")
        #expect(Charts.safeHref("?page=2") == "?page=2")
        #expect(Charts.safeHref("journeys/x:y") == "journeys/x:y")
        #expect(Charts.safeHref(" JavaScript:alert(1)") == nil)
        #expect(Charts.safeHref("java\tscript:alert(1)") == nil)
        #expect(Charts.safeHref("data:text/html,x") == nil)
        #expect(Charts.safeHref("  ") == nil)
        let svg = Charts.relevanceQualityMatrix(id: "h", points: [MatrixPoint(id: "x", label: "x", relevance: 3, quality: 3, n: 1,
                                                                            href: "javascript:alert(1)")], labels: matrixLabels())
        #expect(!svg.contains("javascript") && svg.contains("<circle"))
    }

    @Test("numbers: dot decimal, at most two decimals, no -0, never nan")
    func numbers() {
        #expect(Charts.number(0.1 + 0.2) == "0.3")
        #expect(Charts.number(12) == "12")
        #expect(Charts.number(-1.5) == "-1.5")
        #expect(Charts.number(2.345678) == "2.35")
        #expect(Charts.number(0.05) == "0.05")
        #expect(Charts.number(-0.001) == "0")
        #expect(Charts.number(.nan) == "0" && Charts.number(.infinity) == "0")
    }

    @Test("id prefixes are made into XML names")
    func idPrefix() {
        #expect(Charts.elementID("journey-7_a") == "journey-7_a")
        #expect(Charts.elementID("my chart\"1") == "my-chart-1")
        #expect(Charts.elementID("7") == "c7")
        #expect(Charts.elementID("") == "c")
    }
}

// MARK: - Relevance/quality matrix

@Suite("Charts: relevance/quality matrix")
struct MatrixChartTests {
    typealias L = Charts.MatrixLayout

    private func centre(_ svg: String) throws -> (x: Double, y: Double) {
        let only = try #require(circles(try parse(svg)).first)
        return (only.x, only.y)
    }

    private func render(_ points: [MatrixPoint]) -> String {
        Charts.relevanceQualityMatrix(id: "m", points: points, labels: matrixLabels())
    }

    @Test("quadrants by the 3.0 split; 3.0 counts as high")
    func quadrants() {
        #expect(MatrixQuadrant.of(relevance: 3, quality: 3) == .keepUp)
        #expect(MatrixQuadrant.of(relevance: 3, quality: 2.99) == .fixFirst)
        #expect(MatrixQuadrant.of(relevance: 2.99, quality: 3) == .overServed)
        #expect(MatrixQuadrant.of(relevance: 2.99, quality: 2.99) == .lowPriority)
        #expect(MatrixQuadrant.of(relevance: 5, quality: 1) == .fixFirst)
        #expect(MatrixQuadrant.allCases.map(\.rawValue) == ["fix_first", "keep_up", "over_served", "low_priority"])
    }

    @Test("points are placed by quality (x) and relevance (y, high is up)")
    func placement() throws {
        let right = L.plotLeft + L.plotWidth, bottom = L.plotTop + L.plotHeight
        let topRight = try centre(render([point("a", relevance: 5, quality: 5)]))
        #expect(topRight.x == right && topRight.y == L.plotTop)
        let bottomLeft = try centre(render([point("a", relevance: 1, quality: 1)]))
        #expect(bottomLeft.x == L.plotLeft && bottomLeft.y == bottom)
        let inner = try centre(render([point("a", relevance: 4, quality: 2)]))
        #expect(abs(inner.x - (L.plotLeft + L.plotWidth / 4)) < 0.01)
        #expect(abs(inner.y - (L.plotTop + L.plotHeight / 4)) < 0.01)
    }

    @Test("the point's class and the quadrant backgrounds follow the same rule")
    func quadrantClasses() throws {
        let root = try parse(render([point("edge", relevance: 3, quality: 3), point("fix", relevance: 3, quality: 2.9)]))
        let classes = root.all("circle").compactMap { $0["class"] }
        #expect(classes.contains("point point-keep") && classes.contains("point point-fix"))
        let midX = L.plotLeft + L.plotWidth / 2, midY = L.plotTop + L.plotHeight / 2
        let fix = try #require(root.all("rect", class: "q-fix").first)
        #expect(fix.double("x") == L.plotLeft && fix.double("y") == L.plotTop && fix.double("width") == midX - L.plotLeft)
        let keep = try #require(root.all("rect", class: "q-keep").first)
        #expect(keep.double("x") == midX && keep.double("y") == L.plotTop)
        let over = try #require(root.all("rect", class: "q-over").first)
        #expect(over.double("x") == midX && over.double("y") == midY)
        let low = try #require(root.all("rect", class: "q-low").first)
        #expect(low.double("x") == L.plotLeft && low.double("y") == midY)
        let labels = root.all("text", class: "quadrant-label")
        let fixLabel = try #require(labels.first { $0.text == "Fix first" })
        #expect(fixLabel.double("x")! < midX && fixLabel.double("y")! < midY)
        let overLabel = try #require(labels.first { $0.text == "Over-served" })
        #expect(overLabel.double("x")! > midX && overLabel.double("y")! > midY)
    }

    @Test("each point is a link with a tooltip")
    func links() throws {
        let root = try parse(render([point("t1", relevance: 4, quality: 4)]))
        let link = try #require(root.all("a").first)
        #expect(link["href"] == "/touchpoints/t1" && link["xlink:href"] == "/touchpoints/t1")
        #expect(link.children.first?.name == "circle")
        #expect(link.children.first?.title == "t1: relevance 4.0, quality 4.0, n=3")
    }

    @Test("nearby points get distinct positions close to their value, inside the plot")
    func nearby() throws {
        for (r, q) in [(4.0, 4.0), (5.0, 5.0), (1.0, 1.0), (5.0, 1.0)] {
            let cluster = (0..<5).map { point("p\($0)", relevance: r + Double($0) * 0.01, quality: q - Double($0) * 0.01, n: $0 * 4) }
            let drawn = circles(try parse(render(cluster + [point("far", relevance: 2, quality: 2)])))
            let group = drawn.filter { $0.title.hasPrefix("p") }
            #expect(group.count == 5)
            for (i, a) in group.enumerated() {
                for b in group[(i + 1)...] { #expect(hypot(a.x - b.x, a.y - b.y) > 8) }
                #expect(hypot(a.x - L.x(quality: q), a.y - L.y(relevance: r)) < 60)
                #expect(a.x >= L.plotLeft && a.x <= L.plotLeft + L.plotWidth)
                #expect(a.y >= L.plotTop && a.y <= L.plotTop + L.plotHeight)
            }
        }
        // Far enough apart (more than 0.05) stays exactly where the values say.
        let apart = circles(try parse(render([point("a", relevance: 4, quality: 4), point("b", relevance: 4, quality: 4.1)])))
        #expect(Set(apart.map(\.x)) == [L.x(quality: 4), L.x(quality: 4.1)])
    }

    @Test("values outside 1…5 are clamped to the plot area")
    func clamping() throws {
        let high = try centre(render([point("a", relevance: 9, quality: 7)]))
        #expect(high.x == L.plotLeft + L.plotWidth && high.y == L.plotTop)
        let low = try centre(render([point("a", relevance: -3, quality: 0)]))
        #expect(low.x == L.plotLeft && low.y == L.plotTop + L.plotHeight)
    }

    @Test("radius grows with n, within bounds")
    func radius() throws {
        let drawn = circles(try parse(render([0, 1, 9, 10_000, -5].enumerated().map {
            point("p\($0.offset)", relevance: 1 + Double($0.offset), quality: 3, n: $0.element)
        })))
        let byID = Dictionary(uniqueKeysWithValues: drawn.map { (String($0.title.prefix(2)), $0.r) })
        #expect(byID["p0"] == L.minRadius && byID["p4"] == L.minRadius)
        #expect(byID["p1"]! > byID["p0"]! && byID["p2"]! > byID["p1"]!)
        #expect(byID["p3"] == L.maxRadius)
    }

    @Test("no points: axes, gridlines and the no-data text")
    func empty() throws {
        let root = try parse(render([]))
        #expect(root.all("circle").isEmpty)
        #expect(root.all("line", class: "grid").count == 10)
        #expect(root.all("text", class: "tick").map(\.text).sorted() == ["1", "1", "2", "2", "3", "3", "4", "4", "5", "5"])
        let noData = try #require(root.all("text", class: "no-data").first)
        #expect(noData.text == "No data" && noData["text-anchor"] == "middle")
        #expect(noData.double("x") == L.plotLeft + L.plotWidth / 2)
    }

    @Test("non-finite means are skipped")
    func nonFinite() throws {
        let svg = render([point("nan", relevance: .nan, quality: 3), point("inf", relevance: 3, quality: .infinity),
                          point("ok", relevance: 3, quality: 3)])
        #expect(circles(try parse(svg)).map { String($0.title.prefix(2)) } == ["ok"])
        #expect(try parse(render([point("nan", relevance: .nan, quality: .nan)])).all("text", class: "no-data").count == 1)
    }
}

// MARK: - Line chart

@Suite("Charts: line chart")
struct LineChartTests {
    typealias L = Charts.LineLayout

    private func render(_ values: [Double?], scale: ClosedRange<Double> = 1...5) throws -> SVGNode {
        try parse(Charts.lineChart(id: "l", points: curve(values), scale: scale, labels: lineLabels()))
    }

    private func moveCount(_ root: SVGNode) -> Int {
        root.all("path", class: "curve").reduce(0) { $0 + ($1["d"] ?? "").filter { $0 == "M" }.count }
    }

    @Test("a missing value breaks the line and shows a dash")
    func gaps() throws {
        let broken = try render([1, 2, nil, 4, 5])
        #expect(moveCount(broken) == 2)
        #expect(broken.all("circle").count == 4)
        let dash = try #require(broken.all("text", class: "gap").first)
        #expect(dash.text == "–" && dash.double("x") == L.x(column: 2, of: 5))
        #expect(dash.title == "Phase 3: – (assessed quality)")

        #expect(moveCount(try render([1, 2, 3])) == 1)
        #expect(moveCount(try render([nil, 2, nil, 4, nil])) == 0)
        #expect(moveCount(try render([nil, 2, 3, nil, nil, 4, 5, nil, 1])) == 2)
        #expect(try render([nil, nil]).all("path").isEmpty)
    }

    @Test("points sit at their column centre and value")
    func placement() throws {
        let root = try render([5, 1, 3])
        let drawn = circles(root)
        let bottom = L.plotTop + L.plotHeight
        #expect(drawn.map(\.x) == (0..<3).map { L.plotLeft + L.plotWidth(columns: 3) / 3 * (Double($0) + 0.5) })
        #expect(drawn.map(\.y) == [L.plotTop, bottom, L.plotTop + L.plotHeight / 2])
        #expect(drawn.map(\.title) == ["Phase 1: 5.0 (assessed quality)", "Phase 2: 1.0 (assessed quality)", "Phase 3: 3.0 (assessed quality)"])
        let outside = circles(try render([9, -4]))
        #expect(outside.map(\.y) == [L.plotTop, bottom])
    }

    @Test("dashed reference line at the scale midpoint; ticks at integers on short scales, five steps on long ones")
    func scaleAndTicks() throws {
        let short = try render([3])
        let mid = try #require(short.all("line", class: "midline").first)
        #expect(mid["stroke-dasharray"] != nil && mid.double("y1") == L.plotTop + L.plotHeight / 2)
        #expect(short.all("text", class: "tick").map(\.text) == ["1", "2", "3", "4", "5"])

        let nps = try render([40], scale: -100...100)
        #expect(nps.all("text", class: "tick").map(\.text) == ["-100", "-60", "-20", "20", "60", "100"])
        #expect(nps.all("line", class: "midline").first?.double("y1") == L.plotTop + L.plotHeight / 2)
        #expect(circles(nps).first?.y == L.plotTop + L.plotHeight * 0.3)

        #expect(try render([0.5], scale: 0...1).all("text", class: "tick").map(\.text) == ["0", "1"])
        #expect(try render([0.3], scale: 0.2...0.7).all("text", class: "tick").count == 6)
    }

    @Test("no columns: axes and the no-data text")
    func noColumns() throws {
        let root = try render([])
        #expect(root.all("circle").isEmpty && root.all("path").isEmpty)
        #expect(root.all("text", class: "no-data").first?.text == "No data")
        #expect(root.all("line", class: "axis").count == 2)
    }

    @Test("one column: a single centred point, its label and n, no line")
    func oneColumn() throws {
        let root = try render([4])
        #expect(root.all("path").isEmpty)
        let only = try #require(circles(root).first)
        #expect(only.x == L.plotLeft + L.plotWidth(columns: 1) / 2)
        #expect(root.all("text", class: "x-label").map(\.text) == ["Phase 1"])
        #expect(root.all("text", class: "n-label").map(\.text) == ["n=0"])
        #expect(root.all("text", class: "no-data").isEmpty)
    }

    @Test("long labels are shortened with an ellipsis, the full text kept in a title")
    func truncation() throws {
        let long = "Onboarding call with the customer success team"
        let root = try parse(Charts.lineChart(id: "l", points: [CurvePoint(label: long, value: 3, n: 1, note: ""),
                                                                  CurvePoint(label: "Short", value: 4, n: 2, note: "")],
                                              scale: 1...5, labels: lineLabels()))
        let labels = root.all("text", class: "x-label")
        #expect(labels[0].text == "Onboarding ca…" && labels[0].text.count == L.maxLabelLength)
        #expect(labels[0].title == long)
        #expect(labels[1].text == "Short")
        #expect(Charts.truncated("Kundenbetreuung", to: 14) == "Kundenbetreuu…")
        #expect(Charts.truncated("Ab cdefghijklmnop", to: 4) == "Ab…")
    }

    @Test("non-finite values count as gaps; a non-finite scale falls back to the data")
    func nonFinite() throws {
        let root = try render([2, .nan, 3, .infinity, 4])
        #expect(root.all("circle").count == 3 && root.all("text", class: "gap").count == 2)
        #expect(moveCount(root) == 0)
        let flat = try render([2, 2], scale: 3...3)
        #expect(circles(flat).allSatisfy { $0.y.isFinite })
        let unbounded = Charts.lineChart(id: "u", points: curve([1, 5]), scale: -Double.infinity...Double.infinity, labels: lineLabels())
        #expect(circles(try parse(unbounded)).map(\.y) == [L.plotTop + L.plotHeight, L.plotTop])
        #expect(!unbounded.contains("nan") && !unbounded.contains("inf"))
    }
}

// MARK: - Milestone bars

@Suite("Charts: milestone bars")
struct MilestoneChartTests {
    typealias L = Charts.MilestoneLayout
    private let milestones = ["Mapped", "Measured", "Owned", "Improved"]

    private func render(_ rows: [MilestoneRow]) throws -> SVGNode {
        try parse(Charts.milestoneBars(id: "b", rows: rows, milestones: milestones, labels: milestoneLabels))
    }

    @Test("one cell per journey and milestone, classed and titled by level")
    func cells() throws {
        let root = try render([MilestoneRow(label: "Onboarding", href: "/j/1", levels: [2, 1, 0, 0]),
                               MilestoneRow(label: "Renewal", href: "/j/2", levels: [2, 2, 1, 0])])
        let cells = root.all("rect", class: "cell")
        #expect(cells.count == 8)
        #expect(cells.map { $0["class"]! } == ["cell lvl-2", "cell lvl-1", "cell lvl-0", "cell lvl-0",
                                                "cell lvl-2", "cell lvl-2", "cell lvl-1", "cell lvl-0"])
        #expect(cells[1].title == "Measured: Partly" && cells[2].title == "Owned: Not started")
        #expect(cells.map { $0["fill"]! }.prefix(3) == ["#16a34a", "#f59e0b", "#e5e7eb"])
        #expect(cells[4].double("y")! > cells[0].double("y")!)
        #expect(cells[1].double("x") == L.cellX(1))
        #expect(root.all("text", class: "milestone-header").map(\.text) == milestones)
        let links = root.all("a")
        #expect(links.map { $0["href"] } == ["/j/1", "/j/2"])
        #expect(links.first?.children.first?.text == "Onboarding")
    }

    @Test("a legend with the three levels below the rows")
    func legend() throws {
        let root = try render([MilestoneRow(label: "J", href: "/j", levels: [1])])
        let swatches = root.all("rect", class: "legend-swatch")
        #expect(swatches.map { $0["class"]! } == ["legend-swatch lvl-0", "legend-swatch lvl-1", "legend-swatch lvl-2"])
        #expect(root.all("text", class: "legend-label").map(\.text) == ["Not started", "Partly", "Achieved"])
        let lowestCell = root.all("rect", class: "cell").map { $0.double("y")! + $0.double("height")! }.max()!
        #expect(swatches.allSatisfy { $0.double("y")! > lowestCell })
    }

    @Test("height grows with the rows")
    func height() throws {
        let rows = (0..<6).map { MilestoneRow(label: "J\($0)", href: "", levels: []) }
        let heights = try [1, 3, 6].map { count in
            try #require(try render(Array(rows.prefix(count)))["viewBox"]?.split(separator: " ").last.flatMap { Double($0) })
        }
        #expect(heights == [1, 3, 6].map { L.height(rows: $0) })
        #expect(heights[0] < heights[1] && heights[1] < heights[2])
    }

    @Test("short or out-of-range levels are padded and clamped; no link without an href")
    func robustLevels() throws {
        let root = try render([MilestoneRow(label: "J", href: "", levels: [7, -1])])
        #expect(root.all("rect", class: "cell").map { $0["class"]! } == ["cell lvl-2", "cell lvl-0", "cell lvl-0", "cell lvl-0"])
        #expect(root.all("a").isEmpty && root.all("text", class: "row-label").first?.text == "J")
    }

    @Test("no journeys: header, legend and the no-data text")
    func empty() throws {
        let root = try render([])
        #expect(root.all("rect", class: "cell").isEmpty)
        #expect(root.all("text", class: "no-data").first?.text == "No journeys")
        #expect(root.all("rect", class: "legend-swatch").count == 3)
    }
}
