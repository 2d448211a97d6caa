import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import RapportKit

// MARK: - A tiny DOM from XMLParser (as in ChartsTests.swift), so assertions read the SVG like a browser.

private final class Node {
    let name: String
    let attributes: [String: String]
    var children: [Node] = []
    var text = ""

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    subscript(_ attribute: String) -> String? { attributes[attribute] }

    func double(_ attribute: String) -> Double? { attributes[attribute].flatMap(Double.init) }

    var descendants: [Node] { children.flatMap { [$0] + $0.descendants } }

    func all(_ name: String) -> [Node] { descendants.filter { $0.name == name } }

    func all(_ name: String, class cssClass: String) -> [Node] {
        all(name).filter { $0.classes.contains(cssClass) }
    }

    /// Any element carrying the class.
    func any(class cssClass: String) -> [Node] { descendants.filter { $0.classes.contains(cssClass) } }

    var classes: [String] { (self["class"] ?? "").split(separator: " ").map(String.init) }

    var title: String? { children.first { $0.name == "title" }?.text }

    /// The viewBox's width and height.
    var size: (width: Double, height: Double) {
        let parts = (self["viewBox"] ?? "").split(separator: " ").compactMap { Double($0) }
        return parts.count == 4 ? (parts[2], parts[3]) : (0, 0)
    }
}

private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [Node] = []
    var root: Node?
    var roots = 0
    var errors: [Error] = []

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        let node = Node(name: name, attributes: attributes)
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

private struct ParseError: Error, CustomStringConvertible {
    let description: String
}

private func parse(_ svg: String) throws -> Node {
    let parser = XMLParser(data: Data(svg.utf8))
    let builder = TreeBuilder()
    parser.delegate = builder
    let finished = parser.parse()
    guard finished, parser.parserError == nil, builder.errors.isEmpty, builder.roots == 1, builder.stack.isEmpty,
          let root = builder.root else {
        throw ParseError(description: "not well-formed: \(parser.parserError.map { "\($0)" } ?? "\(builder.errors)")\n\(svg)")
    }
    return root
}

private func close(_ a: Double?, _ b: Double, _ tolerance: Double = 0.011) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tolerance
}

/// "x,y x,y …" of a polygon.
private func polygonPoints(_ node: Node) -> [(x: Double, y: Double)] {
    (node["points"] ?? "").split(separator: " ").map { pair in
        let xy = pair.split(separator: ",").compactMap { Double($0) }
        return (xy[0], xy[1])
    }
}

/// Numbers of a path's `d`, in order.
private func pathNumbers(_ node: Node) -> [Double] {
    (node["d"] ?? "").split(whereSeparator: { "MLZ ".contains($0) }).compactMap { Double($0) }
}

// MARK: - Fixtures

private let hostile = "<script>alert(1)</script> & \"Co\" 'x'"

private func fmt(_ value: Double) -> String { Charts.number(value) }

/// Brackets a bracketed value, as a page's tooltip closure does.
private func shown(_ value: Double?, _ state: ChartPointState) -> String {
    let text = value.map(fmt) ?? "–"
    return state == .bracketed ? "(\(text))" : text
}

private func trendLabels(_ tweak: String = "") -> TrendLabels {
    TrendLabels(title: "NPS per month\(tweak)", description: "Net Promoter Score per month\(tweak)", yAxis: "NPS\(tweak)",
                noData: "No answers yet\(tweak)", intervalKey: "95% interval\(tweak)", bracketedKey: "few answers\(tweak)",
                hiddenKey: "too few answers\(tweak)", changeKey: "significant change\(tweak)",
                value: fmt, pointTitle: { p in "\(p.label): \(shown(p.value, p.state)) (n=\(p.n))" },
                gapTitle: { p in "\(p.label): too few answers (n=\(p.n))" },
                changeTitle: { p, up in "\(p.label): significantly \(up ? "up" : "down")" })
}

private func intervalLabels(_ tweak: String = "") -> IntervalBarLabels {
    IntervalBarLabels(title: "NPS per touchpoint\(tweak)", description: "NPS with 95% interval\(tweak)", axis: "NPS\(tweak)",
                      noData: "No answers yet\(tweak)", hidden: "too few answers\(tweak)", intervalKey: "95% interval\(tweak)",
                      bracketedKey: "few answers\(tweak)", value: fmt, nLabel: { "n=\($0)" },
                      rowTitle: { r in "\(r.label): \(shown(r.value, r.state)) (n=\(r.n))" })
}

private func volumeLabels(_ tweak: String = "") -> VolumeLabels {
    VolumeLabels(title: "Responses\(tweak)", description: "Responses per month\(tweak)", yAxis: "Responses\(tweak)",
                 noData: "No responses yet\(tweak)", count: { "\($0)" }, barTitle: { "\($0.label): \($0.count) responses" })
}

private func months(_ count: Int) -> [String] {
    (0..<count).map { String(format: "%04d-%02d", 2024 + $0 / 12, $0 % 12 + 1) }
}

private func trend(_ values: [Double?], name: String = "All") -> TrendSeries {
    TrendSeries(name: name, points: zip(months(values.count), values).map { TrendPoint(label: $0, value: $1, n: 100) })
}

private func render(_ series: [TrendSeries], scale: ClosedRange<Double> = -100...100, labels: TrendLabels = trendLabels()) throws -> Node {
    try parse(Charts.trendChart(id: "t", series: series, scale: scale, labels: labels))
}

private func markers(_ root: Node) -> [Node] { root.any(class: "marker") }

private func moveCount(_ root: Node) -> Int {
    root.all("path", class: "line").reduce(0) { $0 + ($1["d"] ?? "").filter { $0 == "M" }.count }
}

/// Relative luminance and contrast ratio as WCAG 2 defines them.
private func contrastOnWhite(_ hex: String) -> Double {
    let digits = Array(hex.dropFirst())
    let channels = stride(from: 0, to: 6, by: 2).map { i -> Double in
        let c = Double(Int(String(digits[i...i + 1]), radix: 16)!) / 255
        return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
    }
    let luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    return 1.05 / (luminance + 0.05)
}

private struct Sample: Sendable, CustomTestStringConvertible {
    let name: String
    let svg: String
    var testDescription: String { name }
}

private let fullTrend: [TrendSeries] = [
    TrendSeries(name: hostile, points: [
        TrendPoint(label: "2026-01", value: 20, low: 10, high: 30, n: 120, href: "/nps?m=1&seg=a"),
        TrendPoint(label: hostile, value: 40, low: 25, high: 55, n: 20, state: .bracketed, changed: true, href: "javascript:alert(1)"),
        TrendPoint(label: "2026-03", value: 77, n: 4, state: .hidden, href: "/nps?m=3"),
        TrendPoint(label: "2026-04", value: -10, low: -20, high: 0, n: 90, changed: true),
    ]),
    TrendSeries(name: "Stores", points: [
        TrendPoint(label: "2026-01", value: nil, n: 0), TrendPoint(label: hostile, value: 5, n: 50),
        TrendPoint(label: "2026-03", value: 8, n: 60), TrendPoint(label: "2026-04", value: 12, n: 70),
    ]),
]

private let fullBars: [IntervalBar] = [
    IntervalBar(label: hostile, value: 40, low: 30, high: 50, n: 200, href: "/tp/1?a=1&b=2", note: hostile),
    IntervalBar(label: "Hotline", value: -30, low: -45, high: -15, n: 25, state: .bracketed, href: "data:text/html,x"),
    IntervalBar(label: "Delivery", value: 12, n: 3, state: .hidden, href: "/tp/3"),
]

private let samples: [Sample] = [
    Sample(name: "trend", svg: Charts.trendChart(id: "trend", series: fullTrend, scale: -100...100, labels: trendLabels(hostile))),
    Sample(name: "compact trend", svg: Charts.trendChart(id: "trend-c", series: fullTrend, scale: -100...100, labels: trendLabels(), compact: true)),
    Sample(name: "empty trend", svg: Charts.trendChart(id: "trend-e", series: [], scale: -100...100, labels: trendLabels())),
    Sample(name: "small multiples", svg: Charts.smallMultiplePanels(id: "sm", panels: [(title: hostile, series: fullTrend[0]), (title: "B", series: fullTrend[1])],
                                                                    scale: -100...100, labels: trendLabels())[0]),
    Sample(name: "empty small multiples", svg: Charts.smallMultiplePanels(id: "sm-e", panels: [], scale: 1...5, labels: trendLabels())[0]),
    Sample(name: "interval bars", svg: Charts.intervalBars(id: "bars", rows: fullBars, scale: -100...100, labels: intervalLabels(hostile))),
    Sample(name: "empty interval bars", svg: Charts.intervalBars(id: "bars-e", rows: [], scale: -100...100, labels: intervalLabels())),
    Sample(name: "volume", svg: Charts.volumeBars(id: "vol", bars: [VolumeBar(label: hostile, count: 12, href: "/r?m=1&x=2"),
                                                                    VolumeBar(label: "2026-02", count: 30)], labels: volumeLabels(hostile))),
    Sample(name: "empty volume", svg: Charts.volumeBars(id: "vol-e", bars: [], labels: volumeLabels())),
]

// MARK: - All dashboard charts

@Suite("Dashboard charts: markup every chart shares")
struct DashboardMarkupTests {
    @Test("parses as XML, with the svg envelope, role, title and desc first", arguments: samples)
    fileprivate func envelope(_ sample: Sample) throws {
        let root = try parse(sample.svg)
        #expect(root.name == "svg")
        #expect(root["role"] == "img")
        #expect(root["width"] == "100%")
        #expect(root["viewBox"]?.hasPrefix("0 0 ") == true)
        #expect(root["class"]?.hasPrefix("chart ") == true)
        let prefix = try #require(root["id"])
        #expect(root.children[0].name == "title" && root.children[0]["id"] == "\(prefix)-title" && !root.children[0].text.isEmpty)
        #expect(root.children[1].name == "desc" && root.children[1]["id"] == "\(prefix)-desc" && !root.children[1].text.isEmpty)
        #expect(root["aria-labelledby"] == "\(prefix)-title \(prefix)-desc")
    }

    @Test("no script, style, event handler, nan or inf; ids unique and prefixed", arguments: samples)
    fileprivate func safeMarkup(_ sample: Sample) throws {
        let root = try parse(sample.svg)
        let prefix = try #require(root["id"])
        var seen = Set<String>()
        for node in [root] + root.descendants {
            #expect(!["script", "style", "foreignObject"].contains(node.name))
            #expect(node["style"] == nil)
            #expect(!node.attributes.keys.contains { $0.lowercased().hasPrefix("on") })
            if let id = node["id"] {
                #expect(id.hasPrefix(prefix))
                #expect(seen.insert(id).inserted, "duplicate id \(id)")
            }
            for href in [node["href"], node["xlink:href"]].compactMap({ $0 }) {
                #expect(href.hasPrefix("/"), "unsafe link \(href)")
            }
        }
        #expect(!sample.svg.lowercased().contains("nan") && !sample.svg.lowercased().contains("inf"))
    }

    @Test("hostile labels come out as text, never as markup")
    func escaping() throws {
        let trend = try parse(samples[0].svg)
        #expect(trend.children[0].text == "NPS per month\(hostile)")
        #expect(trend.all("text", class: "legend-label").contains { $0.title == hostile })
        #expect(trend.any(class: "column").contains { $0.title == hostile })
        #expect(markers(trend).contains { $0.title == "\(hostile): \(hostile): (40) (n=20)" })
        #expect(samples[0].svg.contains("&lt;script&gt;") && !samples[0].svg.contains("<script"))
        let bars = try parse(samples[5].svg)
        #expect(bars.all("text", class: "row-label").first?.title == hostile)
        #expect(bars.all("text", class: "row-note").first?.title == hostile)
        #expect(!samples[5].svg.contains("<script"))
        let volume = try parse(samples[7].svg)
        #expect(volume.all("rect", class: "bar").first?.title == "\(hostile): 12 responses")
        #expect(!samples[7].svg.contains("<script"))
        let panel = try parse(samples[3].svg)
        #expect(panel.children[0].text == hostile && panel.all("text", class: "heading").first?.title == hostile)
    }

    @Test("the same input gives byte-identical output")
    func deterministic() {
        #expect(Charts.trendChart(id: "x", series: fullTrend, scale: -100...100, labels: trendLabels())
            == Charts.trendChart(id: "x", series: fullTrend, scale: -100...100, labels: trendLabels()))
        #expect(Charts.intervalBars(id: "x", rows: fullBars, scale: -100...100, labels: intervalLabels())
            == Charts.intervalBars(id: "x", rows: fullBars, scale: -100...100, labels: intervalLabels()))
    }

    @Test("colours reach WCAG AA (4.5:1) on white and series differ in colour and dash")
    func colours() {
        let fills = Charts.TrendLayout.colors + [Charts.IntervalLayout.barFill, Charts.IntervalLayout.whiskerStroke,
                                                 Charts.VolumeLayout.barFill, "#4b5563", "#374151", "#111827", "#6b7280"]
        for colour in fills { #expect(contrastOnWhite(colour) >= 4.5, "\(colour): \(contrastOnWhite(colour))") }
        #expect(Set(Charts.TrendLayout.colors).count == 6 && Set(Charts.TrendLayout.dashes).count == 6)
        #expect(abs(contrastOnWhite("#767676") - 4.54) < 0.01)
    }

    @Test("nice steps are 1, 2 or 5 times a power of ten; ticks include 0 when the scale spans it")
    func niceTicks() {
        typealias S = Charts.Scales
        #expect([0.8, 40, 20, 3, 0.07, 0, -1, .nan].map(S.niceStep) == [1, 50, 20, 5, 0.1, 1, 1, 1])
        #expect(S.ticks((-100, 100), target: 5) == [-100, -50, 0, 50, 100])
        #expect(S.ticks((1, 5), target: 5) == [1, 2, 3, 4, 5])
        #expect(S.ticks((0, 100), target: 5) == [0, 20, 40, 60, 80, 100])
        #expect(S.ticks((0.2, 0.7), target: 5) == [0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
        #expect(S.ticks((-30, 70), target: 4).contains(0))
        #expect(S.countTicks(max: 0) == [0, 1])
        #expect(S.countTicks(max: 7) == [0, 2, 4, 6, 8])
        #expect(S.countTicks(max: 1718) == [0, 500, 1000, 1500, 2000])
        #expect(S.countTicks(max: 3) == [0, 1, 2, 3])
    }
}

// MARK: - Trend chart

@Suite("Dashboard charts: trend")
struct TrendChartTests {
    let L = Charts.TrendLayout.regular

    @Test("points sit at their column centre and value; a zero line when the scale spans 0")
    func placement() throws {
        let root = try render([trend([50, -50, 0, 100])])
        let drawn = markers(root)
        #expect(drawn.map { $0.double("cx")! } == (0..<4).map { L.x(column: $0, of: 4) })
        #expect(drawn.map { $0.double("cy")! } == [L.plotTop + L.plotHeight * 0.25, L.plotTop + L.plotHeight * 0.75,
                                                     L.plotTop + L.plotHeight / 2, L.plotTop])
        #expect(drawn.allSatisfy { $0.classes.contains("filled") && $0["fill"] == Charts.TrendLayout.colors[0] })
        #expect(drawn[0].title == "2024-01: 50 (n=100)")
        let zero = try #require(root.all("line", class: "zero").first)
        #expect(zero.double("y1") == L.plotTop + L.plotHeight / 2 && zero.double("y2") == zero.double("y1"))
        #expect(zero.double("x1") == L.plotLeft && zero.double("x2") == L.plotLeft + L.plotWidth)
        #expect(root.all("text", class: "tick").map(\.text) == ["-100", "-50", "0", "50", "100"])
        #expect(moveCount(root) == 1)

        #expect(try render([trend([3, 4])], scale: 1...5).all("line", class: "zero").isEmpty)
        #expect(try render([trend([30, 40])], scale: 0...100).all("line", class: "zero").isEmpty)
        let clamped = markers(try render([trend([250, -400])]))
        #expect(clamped.map { $0.double("cy")! } == [L.plotTop, L.plotBottom])
    }

    @Test("the interval is a translucent band per run of consecutive points with intervals")
    func bands() throws {
        let points = [
            TrendPoint(label: "a", value: 10, low: 0, high: 20, n: 50),
            TrendPoint(label: "b", value: 30, low: 20, high: 40, n: 50),
            TrendPoint(label: "c", value: 30, n: 50),
            TrendPoint(label: "d", value: 50, low: 40, high: 60, n: 50),
            TrendPoint(label: "e", value: 50, low: 70, high: 30, n: 50, state: .hidden),
        ]
        let root = try render([TrendSeries(name: "S", points: points)])
        let bands = root.all("polygon", class: "band")
        #expect(bands.count == 2)
        #expect(bands.allSatisfy { $0["fill-opacity"] == "0.18" && $0["pointer-events"] == "none" })
        let y: (Double) -> Double = { L.y($0, in: (-100, 100)) }
        let x0 = L.x(column: 0, of: 5), x1 = L.x(column: 1, of: 5), x3 = L.x(column: 3, of: 5)
        let first = polygonPoints(bands[0])
        let expected = [(x0, y(20)), (x1, y(40)), (x1, y(20)), (x0, y(0))]
        #expect(first.count == 4)
        for (got, want) in zip(first, expected) { #expect(close(got.x, want.0) && close(got.y, want.1)) }
        // A lone point with an interval gets a narrow band of its own.
        let lone = polygonPoints(bands[1])
        let w = Charts.TrendLayout.loneBandHalfWidth
        let loneXs: [Double] = [x3 - w, x3 + w, x3 + w, x3 - w]
        #expect(lone.count == 4 && zip(lone, loneXs).allSatisfy { close($0.x, $1) })
        #expect(close(lone[0].y, y(60)) && close(lone[2].y, y(40)))
        // Swapped bounds are put in order; a band drawn, the key explains it.
        #expect(root.all("text", class: "legend-label").contains { $0.text == "95% interval" })
        #expect(try render([trend([1, 2])]).all("text", class: "legend-label").allSatisfy { $0.text != "95% interval" })
    }

    @Test("hidden: no marker, no line through it, no value anywhere, a gap dash with its reason")
    func hidden() throws {
        var series = trend([10, 20, 30, 40])
        series.points[2] = TrendPoint(label: "2024-03", value: 77.5, low: 60, high: 90, n: 4, state: .hidden, changed: true, href: "/m/3")
        let svg = Charts.trendChart(id: "t", series: [series], scale: -100...100, labels: trendLabels())
        let root = try parse(svg)
        #expect(markers(root).count == 3)
        #expect(!markers(root).contains { close($0.double("cx"), L.x(column: 2, of: 4)) })
        #expect(moveCount(root) == 1) // 10–20; 40 stands alone
        let gap = try #require(root.all("text", class: "gap").first)
        #expect(gap.text == "–" && close(gap.double("x"), L.x(column: 2, of: 4)) && gap.double("y")! < L.plotBottom)
        #expect(gap.title == "2024-03: too few answers (n=4)")
        #expect(!svg.contains("77.5") && root.all("a").isEmpty && root.any(class: "change").isEmpty)
        #expect(root.all("polygon").isEmpty)
        #expect(root.all("text", class: "legend-label").contains { $0.text == "too few answers" })
    }

    @Test("bracketed: hollow marker, value in brackets in its tooltip, still on the line")
    func bracketed() throws {
        var series = trend([10, 20, 30])
        series.points[1].state = .bracketed
        series.points[1].n = 12
        let root = try render([series])
        let drawn = markers(root)
        #expect(drawn.map { $0.classes.contains("hollow") } == [false, true, false])
        #expect(drawn[1]["fill"] == "#ffffff" && drawn[1]["stroke"] == Charts.TrendLayout.colors[0])
        #expect(drawn[1].title == "2024-02: (20) (n=12)")
        #expect(drawn[0].title == "2024-01: 10 (n=100)")
        #expect(moveCount(root) == 1)
        #expect(root.all("circle", class: "legend-hollow").count == 1)
    }

    @Test("significant changes get ▲ or ▼ against the last visible value, with a title")
    func changes() throws {
        let points = [
            TrendPoint(label: "a", value: 10, n: 50, changed: true), // nothing before: no direction
            TrendPoint(label: "b", value: 30, n: 50, changed: true),
            TrendPoint(label: "c", value: 90, n: 3, state: .hidden),
            TrendPoint(label: "d", value: 20, n: 50, changed: true), // against b (30), not the hidden 90
            TrendPoint(label: "e", value: 20, n: 50, changed: true), // equal: no direction
        ]
        let root = try render([TrendSeries(name: "S", points: points)])
        let changes = root.all("path", class: "change")
        #expect(changes.map { $0.classes.contains("change-up") } == [true, false])
        #expect(changes.map(\.title) == ["b: significantly up", "d: significantly down"])
        // ▲ above its point, ▼ below.
        let up = pathNumbers(changes[0]), down = pathNumbers(changes[1])
        #expect(up.enumerated().filter { $0.offset % 2 == 1 }.allSatisfy { $0.element < L.y(30, in: (-100, 100)) })
        #expect(down.enumerated().filter { $0.offset % 2 == 1 }.allSatisfy { $0.element > L.y(20, in: (-100, 100)) })
        #expect(close(up[0] + 4.5, L.x(column: 1, of: 5)))
        // At the top edge the ▲ moves below its point but still points up.
        let top = try render([TrendSeries(name: "S", points: [TrendPoint(label: "a", value: 0, n: 9), TrendPoint(label: "b", value: 100, n: 9, changed: true)])])
        let edge = try #require(top.all("path", class: "change-up").first)
        #expect(pathNumbers(edge)[1] > L.plotTop)
        #expect(top.all("text", class: "legend-label").contains { $0.text == "significant change" })
    }

    @Test("points link only to safe hrefs, with the tooltip as accessible name")
    func links() throws {
        let root = try parse(samples[0].svg)
        let links = root.all("a")
        #expect(links.map { $0["href"] } == ["/nps?m=1&seg=a"])
        #expect(links[0]["xlink:href"] == "/nps?m=1&seg=a" && links[0]["aria-label"] == "\(hostile): 2026-01: 20 (n=120)")
        #expect(links[0].children.first.map { $0.classes.contains("marker") } == true)
        // The javascript: point is drawn, just not linked.
        #expect(markers(root).filter { $0.classes.contains("s0") }.count == 3)
    }

    @Test("several series: own colour, dash and marker shape, named in the legend")
    func severalSeries() throws {
        let series: [TrendSeries] = (0..<6).map { (index: Int) -> TrendSeries in
            let base = Double(index * 10)
            return trend([base, base + 5], name: "S\(index)")
        }
        let root = try render(series)
        let lines = root.all("path", class: "line")
        #expect(Set(lines.compactMap { $0["stroke"] }).count == 6)
        #expect(lines[0]["stroke-dasharray"] == nil && Set(lines.dropFirst().compactMap { $0["stroke-dasharray"] }).count == 5)
        #expect(Set(markers(root).map(\.name)) == ["circle", "rect", "path"])
        let names: [String] = (0..<6).map { "S\($0)" }
        #expect(root.all("text", class: "legend-label").map { $0.text } == names)
        let legendLines = root.all("line", class: "legend-line")
        #expect(legendLines.map { $0["stroke-dasharray"] ?? "" } == Charts.TrendLayout.dashes)
        // The legend wraps inside the chart and the chart grows to hold it.
        let size = root.size
        for label in root.all("text", class: "legend-label") {
            #expect(label.double("x")! + Charts.estimatedWidth(label.text, fontSize: L.fontSize) <= size.width)
            #expect(label.double("y")! <= size.height)
        }
        #expect(size.width == L.width && size.height > L.plotBottom + L.labelBand)
    }

    @Test("36 months: x labels thinned to every k-th, the latest shown, none overlapping, all in titles")
    func thinning() throws {
        let labels = months(36)
        let root = try render([trend((0..<36).map { Double($0) })])
        let shown = root.all("text", class: "x-label")
        #expect(shown.count >= 4 && shown.count <= 9)
        #expect(shown.last?.text == "2026-12")
        let xs = shown.map { $0.double("x")! }
        for (a, b) in zip(xs, xs.dropFirst()) { #expect(b - a >= Charts.estimatedWidth("2026-12", fontSize: L.fontSize)) }
        let step = Charts.Scales.labelStep(count: 36, slot: L.slot(columns: 36), widest: Charts.estimatedWidth("2026-12", fontSize: L.fontSize))
        #expect(step > 1 && shown.map(\.text) == labels.enumerated().filter { (35 - $0.offset) % step == 0 }.map(\.element))
        #expect(shown.allSatisfy { $0.double("x")! - Charts.estimatedWidth($0.text, fontSize: L.fontSize) / 2 >= 0 })
        #expect(shown.allSatisfy { $0.double("x")! + Charts.estimatedWidth($0.text, fontSize: L.fontSize) / 2 <= L.width })
        #expect(root.all("rect", class: "column").map(\.title) == labels)
        // Few columns keep every label.
        #expect(try render([trend([1, 2, 3, 4])]).all("text", class: "x-label").count == 4)
    }

    @Test("no data: the frame and the no-data text, never zeros")
    func noData() throws {
        for series in [[], [TrendSeries(name: "S", points: [])]] {
            let root = try render(series)
            #expect(root.all("text", class: "no-data").first?.text == "No answers yet")
            #expect(markers(root).isEmpty && root.all("path").isEmpty && root.all("polygon").isEmpty)
            #expect(root.all("line", class: "axis").count == 2)
        }
        var hidden = trend([5, 6])
        hidden.points = hidden.points.map { var p = $0; p.state = .hidden; return p }
        let allHidden = try render([hidden])
        #expect(allHidden.all("text", class: "no-data").count == 1 && allHidden.all("text", class: "gap").count == 2)
        #expect(markers(allHidden).isEmpty)
        #expect(markers(try render([trend([.nan, .infinity, 3])])).count == 1)
    }

    @Test("small multiples: one compact SVG per panel on one shared y scale, in a reflowing grid")
    func smallMultiples() throws {
        let C = Charts.TrendLayout.compact
        let panels = [(title: "North", series: trend([10, 20])), (title: "South", series: trend([20, 80]))]
        let grid = try parse(Charts.smallMultiples(id: "sm", panels: panels, scale: -100...100, labels: trendLabels(hostile)))
        #expect(grid.name == "div" && grid["class"] == "grid small-multiples" && grid["role"] == "group")
        #expect(grid["id"] == "sm" && grid["aria-label"] == "NPS per month\(hostile)")
        #expect(grid.children.map(\.name) == ["svg", "svg"])
        let roots = grid.children
        #expect(roots.map { $0["id"] } == ["sm-1", "sm-2"])
        #expect(roots.allSatisfy { $0["role"] == "img" && $0["width"] == "100%" })
        #expect(roots.map { $0.children[0].text } == ["North", "South"])
        #expect(roots.map { $0.all("text", class: "heading").first?.text } == ["North", "South"])
        #expect(roots.allSatisfy { $0.size.width == C.width && $0.all("text", class: "legend-label").isEmpty })
        #expect(markers(roots[0])[1].double("cy") == markers(roots[1])[0].double("cy"))
        #expect(markers(roots[0])[1].double("cy") == C.y(20, in: (-100, 100)))
        #expect(markers(roots[0])[0].title == "2024-01: 10 (n=100)")
        // A scale that cannot be drawn falls back to the range of all panels together.
        let shared = try Charts.smallMultiplePanels(id: "sm", panels: panels, scale: -Double.infinity...Double.infinity,
                                                    labels: trendLabels()).map(parse)
        #expect(markers(shared[0])[0].double("cy") == C.plotBottom && markers(shared[1])[1].double("cy") == C.plotTop)
        let empty = try parse(Charts.smallMultiples(id: "none", panels: [], scale: -100...100, labels: trendLabels()))
        #expect(empty.children.count == 1)
        #expect(empty.children.first?.all("text", class: "no-data").first?.text == "No answers yet")
        // The compact flag draws the same panel through trendChart.
        let compact = try parse(Charts.trendChart(id: "c", series: [trend([1])], scale: -100...100, labels: trendLabels(), compact: true))
        #expect(compact.size.width == C.width && compact["class"] == "chart chart-trend chart-trend-compact")
    }

    @Test("with only pointTitle given: gaps and changes fall back to it, never showing a hidden value")
    func minimalLabels() throws {
        let labels = TrendLabels(title: "T", description: "D", yAxis: "NPS", noData: "None",
                                 pointTitle: { p in "\(p.label): \(p.value.map { String(format: "%.0f", $0) } ?? "–"), n=\(p.n)" })
        let points = [TrendPoint(label: "a", value: 10, low: 0, high: 20, n: 50),
                      TrendPoint(label: "b", value: 77.7, low: 61.3, high: 93.9, n: 4, state: .hidden),
                      TrendPoint(label: "c", value: 30, n: 50, changed: true)]
        let root = try parse(Charts.trendChart(id: "m", series: [TrendSeries(name: "S", points: points)], scale: -100...100, labels: labels))
        #expect(root.all("text", class: "gap").first?.title == "b: –, n=4")
        #expect(root.all("path", class: "change").first?.title == "▲ c: 30, n=50")
        let texts = ([root] + root.descendants).map(\.text) + root.all("a").compactMap { $0["aria-label"] }
        #expect(!texts.contains { text in ["77", "78", "61", "93", "94"].contains { text.contains($0) } })
        #expect(markers(root).count == 2 && root.all("polygon").count == 1)
        #expect(root.all("text", class: "tick").map(\.text) == ["-100", "-50", "0", "50", "100"])
        // Empty key texts leave the key out; the series stays in the legend.
        #expect(root.all("text", class: "legend-label").map(\.text) == ["S"])
        // Two series: "name: " goes before every tooltip.
        let two = try parse(Charts.trendChart(id: "m", series: [TrendSeries(name: "S", points: points), TrendSeries(name: "R", points: points)],
                                              scale: -100...100, labels: labels))
        #expect(two.all("text", class: "gap").map(\.title) == ["S: b: –, n=4", "R: b: –, n=4"])
        #expect(markers(two).first?.title == "S: a: 10, n=50")
        #expect(two.all("path", class: "change").last?.title == "R: ▲ c: 30, n=50")
    }
}

// MARK: - Interval bars

@Suite("Dashboard charts: interval bars")
struct IntervalBarsTests {
    typealias L = Charts.IntervalLayout
    let range = (lower: -100.0, upper: 100.0)

    private func render(_ rows: [IntervalBar], scale: ClosedRange<Double> = -100...100) throws -> Node {
        try parse(Charts.intervalBars(id: "b", rows: rows, scale: scale, labels: intervalLabels()))
    }

    @Test("bars grow from the zero line: right for positive, left for negative")
    func bars() throws {
        let root = try render([IntervalBar(label: "A", value: 50, n: 10), IntervalBar(label: "B", value: -50, n: 20)])
        let zeroX = L.plotLeft + L.plotWidth / 2
        let zero = try #require(root.all("line", class: "zero").first)
        #expect(zero.double("x1") == zeroX && zero.double("x2") == zeroX && zero.double("y1") == L.top && zero.double("y2") == L.rowTop(2))
        let drawn = root.all("rect", class: "bar")
        #expect(drawn.count == 2)
        #expect(drawn[0].double("x") == zeroX && drawn[0].double("width") == L.plotWidth / 4)
        #expect(drawn[0].double("y") == L.barY(0) && drawn[0].double("height") == L.barHeight)
        #expect(drawn[1].double("x") == L.plotLeft + L.plotWidth / 4 && drawn[1].double("width") == L.plotWidth / 4)
        #expect(drawn[1].double("y") == L.barY(1) && drawn[0]["fill"] == L.barFill)
        #expect(drawn[0].title == "A: 50 (n=10)")
        #expect(root.all("text", class: "value").map(\.text) == ["50", "-50"])
        #expect(root.all("text", class: "n-label").map(\.text) == ["n=10", "n=20"])
        #expect(root.all("text", class: "value").allSatisfy { $0.double("x") == L.valueX })
        #expect(root.all("text", class: "tick").map(\.text) == ["-100", "-50", "0", "50", "100"])
    }

    @Test("whiskers span the interval with caps, bounds in order and clamped to the scale")
    func whiskers() throws {
        let root = try render([IntervalBar(label: "A", value: 20, low: 40, high: 0, n: 10),
                               IntervalBar(label: "B", value: 90, low: 70, high: 130, n: 10),
                               IntervalBar(label: "C", value: 10, low: nil, high: 30, n: 10)])
        let whiskers = root.all("path", class: "whisker")
        #expect(whiskers.count == 2)
        let mid = L.rowTop(0) + L.rowHeight / 2, half = L.capHeight / 2
        let a = pathNumbers(whiskers[0])
        let lowX = L.x(0, in: range), highX = L.x(40, in: range)
        let expected = [lowX, mid, highX, mid, lowX, mid - half, lowX, mid + half, highX, mid - half, highX, mid + half]
        #expect(a.count == expected.count && zip(a, expected).allSatisfy { close($0, $1) })
        #expect(pathNumbers(whiskers[1])[2] == L.plotRight)
        #expect(root.all("path", class: "whisker-halo").count == 2)
        #expect(root.all("text", class: "legend-label").map(\.text) == ["95% interval"])
    }

    @Test("bracketed rows: hatched bar, value in brackets; hidden rows: the text instead of a bar, no link")
    func states() throws {
        let root = try parse(samples[5].svg)
        let prefix = try #require(root["id"])
        let pattern = try #require(root.all("pattern").first)
        #expect(pattern["id"] == "\(prefix)-hatch")
        let hatched = try #require(root.all("rect", class: "bar-bracketed").first)
        #expect(hatched["fill"] == "url(#\(prefix)-hatch)" && hatched["stroke"] == L.barFill)
        #expect(hatched.title == "Hotline: (-30) (n=25)")
        #expect(root.all("rect", class: "bar").count == 2)
        #expect(root.all("text", class: "value").map(\.text) == ["40", "(-30)", "–"])
        let tooFew = try #require(root.all("text", class: "too-few").first)
        #expect(tooFew.text == Charts.truncated("too few answers\(hostile)", to: L.maxTooFewLength) && tooFew.title == "Delivery: – (n=3)")
        #expect(tooFew.text.count == L.maxTooFewLength && tooFew.text.hasPrefix("too few answers<script>"))
        #expect(close(tooFew.double("y"), L.rowTop(2) + L.rowHeight / 2 + 5))
        #expect(!samples[5].svg.contains(">12<") && root.all("text", class: "n-label").last?.text == "n=3")
        // Only the first row links: the data: URL is dropped, the hidden row never links.
        #expect(root.all("a").map { $0["href"] } == ["/tp/1?a=1&b=2"])
        #expect(root.all("g", class: "row").map(\.classes) == [["row", "row-shown"], ["row", "row-bracketed"], ["row", "row-hidden"]])
        #expect(root.all("text", class: "legend-label").map(\.text) == ["95% interval\(hostile)", "few answers\(hostile)"])
    }

    @Test("height grows with the rows; long labels are shortened, the full text in a title; notes below")
    func rows() throws {
        let long = "Appointment booking through the customer portal"
        let heights = try [1, 3, 8].map { count in
            try render((0..<count).map { IntervalBar(label: "R\($0)", value: Double($0), n: 40) }).size.height
        }
        #expect(heights == [1, 3, 8].map { L.height(rows: $0, legendRows: 0) })
        #expect(heights[0] < heights[1] && heights[1] < heights[2])
        let root = try render([IntervalBar(label: long, value: 5, n: 40, note: "new since March")])
        let label = try #require(root.all("text", class: "row-label").first)
        #expect(label.text.count == L.maxLabelLength && label.text.hasSuffix("…") && label.title == long)
        #expect(label.double("x")! + Charts.estimatedWidth(label.text, fontSize: L.fontSize) <= L.plotLeft)
        let note = try #require(root.all("text", class: "row-note").first)
        #expect(note.text == "new since March" && note.double("y")! > label.double("y")!)
        #expect(note.double("y")! < L.rowTop(1))
    }

    @Test("a scale without 0 starts the bars at its lower end")
    func baseline() throws {
        let root = try render([IntervalBar(label: "A", value: 4, low: 3.5, high: 4.5, n: 40)], scale: 1...5)
        #expect(root.all("line", class: "zero").isEmpty)
        #expect(root.all("line", class: "baseline").first?.double("x1") == L.plotLeft)
        let bar = try #require(root.all("rect", class: "bar").first)
        #expect(bar.double("x") == L.plotLeft && bar.double("width") == L.plotWidth * 0.75)
        #expect(root.all("text", class: "tick").map(\.text) == ["1", "2", "3", "4", "5"])
    }

    @Test("without a value formatter: whole numbers on NPS, one decimal on 1–5, brackets from the chart")
    func defaultFormat() throws {
        let plain = IntervalBarLabels(title: "T", description: "D", axis: "NPS", noData: "None", hidden: "too few",
                                      rowTitle: { r in "\(r.label): \(r.value.map { "\($0)" } ?? "–")" })
        let nps = try parse(Charts.intervalBars(id: "d", rows: [IntervalBar(label: "A", value: 42.857, n: 40),
                                                                 IntervalBar(label: "B", value: -7.5, n: 12, state: .bracketed),
                                                                 IntervalBar(label: "C", value: 13, n: 2, state: .hidden)],
                                                scale: -100...100, labels: plain))
        #expect(nps.all("text", class: "value").map(\.text) == ["43", "(-8)", "–"])
        #expect(nps.all("text", class: "n-label").map(\.text) == ["n=40", "n=12", "n=2"])
        #expect(nps.all("text", class: "too-few").first?.title == "C: –")
        #expect(nps.all("text", class: "legend-label").isEmpty)
        let csat = try parse(Charts.intervalBars(id: "d", rows: [IntervalBar(label: "A", value: 4.26, n: 40)], scale: 1...5, labels: plain))
        #expect(csat.all("text", class: "value").map(\.text) == ["4.3"])
    }

    @Test("no rows: the frame and the no-data text, no bars and no zeros as values")
    func noData() throws {
        let root = try render([])
        #expect(root.all("text", class: "no-data").first?.text == "No answers yet")
        #expect(root.all("rect", class: "bar").isEmpty && root.all("text", class: "value").isEmpty)
        #expect(root.all("line", class: "axis").count == 1 && root.all("line", class: "zero").count == 1)
        let noValue = try render([IntervalBar(label: "A", value: .nan, n: 0)])
        #expect(noValue.all("rect", class: "bar").isEmpty && noValue.all("text", class: "value").first?.text == "–")
    }
}

// MARK: - Volume bars

@Suite("Dashboard charts: volume bars")
struct VolumeBarsTests {
    typealias L = Charts.VolumeLayout

    private func render(_ counts: [Int], hrefs: [String?] = []) throws -> Node {
        let bars = zip(months(counts.count), counts).enumerated().map { index, pair in
            VolumeBar(label: pair.0, count: pair.1, href: index < hrefs.count ? hrefs[index] : nil)
        }
        return try parse(Charts.volumeBars(id: "v", bars: bars, labels: volumeLabels()))
    }

    @Test("the y axis starts at 0 and steps 1-2-5; bar heights follow the counts")
    func bars() throws {
        let root = try render([1718, 500, 0, -3])
        #expect(root.all("text", class: "tick").map(\.text) == ["0", "500", "1000", "1500", "2000"])
        let ticks = root.all("line", class: "grid").map { $0.double("y1")! }
        #expect(ticks.first == L.plotBottom && ticks.last == L.plotTop)
        let drawn = root.all("rect", class: "bar")
        #expect(drawn.count == 4)
        let width = L.barWidth(columns: 4)
        #expect(drawn.map { $0.double("width")! }.allSatisfy { close($0, width) })
        #expect(close(drawn[1].double("x"), L.x(column: 1, of: 4) - width / 2))
        #expect(close(drawn[1].double("height"), L.plotHeight / 4) && close(drawn[1].double("y"), L.plotBottom - L.plotHeight / 4))
        #expect(drawn[2].double("height") == 0 && drawn[3].double("height") == 0)
        #expect(drawn.map(\.title) == ["2024-01: 1718 responses", "2024-02: 500 responses", "2024-03: 0 responses", "2024-04: -3 responses"])
        #expect(root.all("rect", class: "column").map(\.title) == drawn.map(\.title))
        #expect(root.all("text", class: "count").map(\.text) == ["1718", "500", "0", "0"])
        #expect(try render([3, 1]).all("text", class: "tick").map(\.text) == ["0", "1", "2", "3"])
    }

    @Test("36 months: labels thinned with the latest shown; counts left to the tooltips")
    func thinning() throws {
        let root = try render((0..<36).map { 800 + $0 * 10 })
        let shown = root.all("text", class: "x-label")
        #expect(shown.count > 3 && shown.count < 10 && shown.last?.text == "2026-12")
        #expect(root.all("text", class: "count").isEmpty)
        #expect(root.all("rect", class: "column").count == 36)
    }

    @Test("without count and title closures: plain digits and \"label: count\"")
    func defaultLabels() throws {
        let plain = VolumeLabels(title: "T", description: "D", yAxis: "Responses", noData: "None")
        let root = try parse(Charts.volumeBars(id: "v", bars: [VolumeBar(label: "2026-01", count: 1234), VolumeBar(label: "2026-02", count: -2)],
                                               labels: plain))
        #expect(root.all("rect", class: "bar").map(\.title) == ["2026-01: 1234", "2026-02: 0"])
        #expect(root.all("text", class: "tick").map(\.text) == ["0", "500", "1000", "1500"])
    }

    @Test("bars link only to safe hrefs")
    func links() throws {
        let root = try render([5, 6, 7], hrefs: ["/r?m=1", "javascript:alert(1)", nil])
        #expect(root.all("a").map { $0["href"] } == ["/r?m=1"])
        #expect(root.all("a").first?["aria-label"] == "2024-01: 5 responses")
        #expect(root.all("rect", class: "bar").count == 3)
    }

    @Test("no bars: the frame and the no-data text, without a 0 tick")
    func noData() throws {
        let root = try render([])
        #expect(root.all("text", class: "no-data").first?.text == "No responses yet")
        #expect(root.all("text", class: "tick").isEmpty && root.all("rect", class: "bar").isEmpty)
        #expect(root.all("line", class: "axis").count == 2)
        #expect(root.size.width == L.width && root.size.height == L.height)
    }
}
