/// One category of the interval bar chart, e.g. the NPS of a touchpoint.
public struct IntervalBar: Sendable {
    public var label: String
    /// nil (or not finite) when there is no value: no bar, "–" as the value.
    public var value: Double?
    /// The confidence interval, drawn as a whisker where both bounds are there.
    public var low: Double?
    public var high: Double?
    public var n: Int
    public var state: ChartPointState
    /// Drill-down link of the row; only relative and http(s)/mailto URLs survive, hidden rows never link.
    public var href: String?
    /// A short remark under the label, e.g. "new since March".
    public var note: String?

    public init(label: String, value: Double?, low: Double? = nil, high: Double? = nil, n: Int,
                state: ChartPointState = .shown, href: String? = nil, note: String? = nil) {
        self.label = label
        self.value = value
        self.low = low
        self.high = high
        self.n = n
        self.state = state
        self.href = href
        self.note = note
    }
}

/// Every text of the interval bar chart, in the page's language.
public struct IntervalBarLabels: Sendable {
    public var title: String
    public var description: String
    /// Under the value axis, e.g. "NPS (−100 to 100)".
    public var axis: String
    public var noData: String
    /// Drawn instead of a hidden row's bar, e.g. "too few answers".
    public var hidden: String
    /// Key entries, shown only when the chart uses the feature; an empty text leaves the entry out.
    public var intervalKey: String
    public var bracketedKey: String
    /// A value as the page writes it (decimal comma); also the axis ticks. nil: a dot, whole numbers on
    /// long scales like NPS, one decimal on short ones like 1–5. The chart adds the brackets.
    public var value: (@Sendable (Double) -> String)?
    /// Sample size beside the value.
    public var nLabel: @Sendable (Int) -> String
    /// Tooltip and link name of a row; a hidden row comes without value and interval, so they cannot leak.
    public var rowTitle: @Sendable (IntervalBar) -> String

    public init(
        title: String, description: String, axis: String, noData: String, hidden: String,
        intervalKey: String = "", bracketedKey: String = "",
        value: (@Sendable (Double) -> String)? = nil,
        nLabel: @escaping @Sendable (Int) -> String = { "n=\($0)" },
        rowTitle: @escaping @Sendable (IntervalBar) -> String
    ) {
        self.title = title
        self.description = description
        self.axis = axis
        self.noData = noData
        self.hidden = hidden
        self.intervalKey = intervalKey
        self.bracketedKey = bracketedKey
        self.value = value
        self.nLabel = nLabel
        self.rowTitle = rowTitle
    }
}

extension Charts {
    /// Geometry of the interval bars; tests derive expected coordinates from these.
    enum IntervalLayout {
        static let width = 640.0
        static let left = 12.0
        static let plotLeft = 236.0
        static let plotRight = 492.0
        /// Value (start) and n (end-anchored at `width - right`) beside the plot.
        static let valueX = 504.0
        static let right = 12.0
        static let top = 12.0
        static let rowHeight = 44.0
        static let barHeight = 18.0
        static let capHeight = 12.0
        static let fontSize = 16.0
        static let noteFontSize = 13.0
        static let maxLabelLength = 23
        static let maxNoteLength = 26
        /// A key text longer than this would not fit one legend row.
        static let maxKeyLength = 56
        /// The hidden row's text stays inside the plot.
        static let maxTooFewLength = 27
        /// Tick labels and the axis title under the rows.
        static let axisBand = 56.0
        static let legendRowHeight = 28.0
        static let targetTicks = 5
        static let barFill = "#2563eb"
        static let whiskerStroke = "#111827"

        static var plotWidth: Double { plotRight - plotLeft }

        static func rowTop(_ row: Int) -> Double { top + Double(row) * rowHeight }
        static func barY(_ row: Int) -> Double { rowTop(row) + (rowHeight - barHeight) / 2 }
        static func rowsBottom(_ rows: Int) -> Double { rowTop(max(rows, 1)) }
        static func legendTop(rows: Int) -> Double { rowsBottom(rows) + axisBand }

        static func height(rows: Int, legendRows: Int) -> Double {
            legendTop(rows: rows) + Double(legendRows) * legendRowHeight + 8
        }

        static func x(_ value: Double, in range: (lower: Double, upper: Double)) -> Double {
            let clamped = min(max(value, range.lower), range.upper)
            return plotLeft + (clamped - range.lower) / (range.upper - range.lower) * plotWidth
        }

        /// Bars grow from 0; on a scale without 0 (e.g. 1–5) from the end nearest to it.
        static func baseline(_ range: (lower: Double, upper: Double)) -> Double {
            min(max(0, range.lower), range.upper)
        }
    }

    /// Horizontal bars per category, e.g. NPS per touchpoint: bars grow from 0 (negative values to the
    /// left of the zero line), whiskers show the interval, value and n stand beside the plot. Few
    /// answers draw a hatched bar and the value in brackets; too few draw a text instead of a bar.
    public static func intervalBars(id: String, rows: [IntervalBar], scale: ClosedRange<Double>, labels: IntervalBarLabels) -> String {
        typealias L = IntervalLayout
        let n = number
        let base = elementID(id)
        let hatchID = "\(base)-hatch"
        let visible: (IntervalBar) -> Double? = { $0.state == .hidden ? nil : Scales.finite($0.value) }
        let interval: (IntervalBar) -> (low: Double, high: Double)? = { row in
            guard visible(row) != nil, let low = Scales.finite(row.low), let high = Scales.finite(row.high) else { return nil }
            return (min(low, high), max(low, high))
        }
        let range = LineLayout.usableScale(scale, values: rows.filter { $0.state != .hidden }
            .flatMap { [$0.value, $0.low, $0.high] }.compactMap { Scales.finite($0) })
        let baseline = L.baseline(range)
        let usesHatch = rows.contains { visible($0) != nil && $0.state == .bracketed }
        let usesWhisker = rows.contains { interval($0) != nil }

        var keys: [LegendItem] = []
        if usesWhisker && !labels.intervalKey.isEmpty {
            let text = truncated(labels.intervalKey, to: L.maxKeyLength)
            keys.append(LegendItem(width: 30 + estimatedWidth(text, fontSize: L.fontSize) + 18) { svg, x, baseline in
                let mid = baseline - L.fontSize * 0.35
                svg.element("line", ["class": "legend-whisker", "x1": n(x), "y1": n(mid), "x2": n(x + 22), "y2": n(mid),
                                     "stroke": L.whiskerStroke, "stroke-width": "1.5"])
                for cap in [x, x + 22] {
                    svg.element("line", ["class": "legend-whisker", "x1": n(cap), "y1": n(mid - 6), "x2": n(cap), "y2": n(mid + 6),
                                         "stroke": L.whiskerStroke, "stroke-width": "1.5"])
                }
                svg.element("text", ["class": "legend-label key", "x": n(x + 30), "y": n(baseline), "font-size": n(L.fontSize),
                                     "fill": "#374151"], text: text, title: text == labels.intervalKey ? nil : labels.intervalKey)
            })
        }
        if usesHatch && !labels.bracketedKey.isEmpty {
            let text = truncated(labels.bracketedKey, to: L.maxKeyLength)
            keys.append(LegendItem(width: 30 + estimatedWidth(text, fontSize: L.fontSize) + 18) { svg, x, baseline in
                svg.element("rect", ["class": "legend-hatch", "x": n(x), "y": n(baseline - L.fontSize * 0.35 - 7), "width": "22", "height": "14",
                                     "fill": "url(#\(hatchID))", "stroke": L.barFill, "stroke-width": "1.5"])
                svg.element("text", ["class": "legend-label key", "x": n(x + 30), "y": n(baseline), "font-size": n(L.fontSize),
                                     "fill": "#374151"], text: text, title: text == labels.bracketedKey ? nil : labels.bracketedKey)
            })
        }
        let legend = legendRows(keys, maxWidth: L.width - 2 * L.left)
        let tooFew = truncated(labels.hidden, to: L.maxTooFewLength)
        let format: (Double) -> String = { value in
            labels.value?(value) ?? number(range.upper - range.lower > 20 ? value.rounded() : (value * 10).rounded() / 10)
        }
        let count = rows.count
        let rowsBottom = L.rowsBottom(count)

        return document(id: id, kind: "chart-interval-bars", width: L.width, height: L.height(rows: count, legendRows: legend.count),
                        title: labels.title, description: labels.description) { svg in
            if usesHatch {
                svg.open("defs")
                svg.open("pattern", ["id": hatchID, "width": "6", "height": "6", "patternUnits": "userSpaceOnUse",
                                     "patternTransform": "rotate(45)"])
                svg.element("rect", ["width": "6", "height": "6", "fill": "#ffffff"])
                svg.element("line", ["x1": "0", "y1": "0", "x2": "0", "y2": "6", "stroke": L.barFill, "stroke-width": "2.5"])
                svg.close("pattern")
                svg.close("defs")
            }
            for tick in Scales.ticks(range, target: L.targetTicks) {
                let x = L.x(tick, in: range)
                svg.element("line", ["class": "grid", "x1": n(x), "y1": n(L.top), "x2": n(x), "y2": n(rowsBottom),
                                     "stroke": "#e5e7eb", "stroke-width": "1"])
                svg.element("text", ["class": "tick", "x": n(x), "y": n(rowsBottom + 20), "text-anchor": "middle",
                                     "font-size": n(L.fontSize - 1), "fill": "#4b5563"], text: labels.value?(tick) ?? number(tick))
            }
            svg.element("line", ["class": "axis", "x1": n(L.plotLeft), "y1": n(rowsBottom), "x2": n(L.plotRight), "y2": n(rowsBottom),
                                 "stroke": "#6b7280", "stroke-width": "1"])
            svg.element("text", ["class": "axis-title", "x": n(L.plotLeft + L.plotWidth / 2), "y": n(rowsBottom + 46),
                                 "text-anchor": "middle", "font-size": n(L.fontSize), "fill": "#111827"], text: labels.axis)
            let baseX = L.x(baseline, in: range)
            svg.element("line", ["class": baseline == 0 ? "zero" : "baseline", "x1": n(baseX), "y1": n(L.top), "x2": n(baseX),
                                 "y2": n(rowsBottom), "stroke": "#374151", "stroke-width": "1.5"])

            guard count > 0 else {
                noDataLabel(&svg, text: labels.noData, x: L.plotLeft + L.plotWidth / 2, y: L.rowTop(0) + L.rowHeight / 2 + 5,
                            fontSize: L.fontSize + 1)
                return
            }

            for (index, row) in rows.enumerated() {
                let top = L.rowTop(index), mid = top + L.rowHeight / 2
                let value = visible(row)
                let valueText = value.map { row.state == .bracketed ? "(\(format($0)))" : format($0) } ?? "–"
                var titled = row
                if row.state == .hidden { (titled.value, titled.low, titled.high) = (nil, nil, nil) }
                let tooltip = labels.rowTitle(titled)
                let draw: (inout SVGWriter) -> Void = { svg in
                    svg.open("g", ["class": "row row-\(row.state.rawValue)"])
                    let label = truncated(row.label, to: L.maxLabelLength)
                    let note = row.note.flatMap { $0.isEmpty ? nil : $0 }
                    svg.element("text", ["class": "row-label", "x": n(L.left), "y": n(note == nil ? mid + 5 : mid - 2),
                                         "font-size": n(L.fontSize), "fill": row.href.flatMap(safeHref) != nil && value != nil ? "#1d4ed8" : "#111827"],
                                text: label, title: row.label)
                    if let note {
                        svg.element("text", ["class": "row-note", "x": n(L.left), "y": n(mid + 15), "font-size": n(L.noteFontSize),
                                             "fill": "#4b5563"], text: truncated(note, to: L.maxNoteLength), title: note)
                    }
                    if let value {
                        let x = L.x(value, in: range)
                        let barLeft = min(x, baseX), width = abs(x - baseX)
                        if row.state == .bracketed {
                            svg.element("rect", ["class": "bar bar-bracketed", "x": n(barLeft), "y": n(L.barY(index)), "width": n(width),
                                                 "height": n(L.barHeight), "fill": "url(#\(hatchID))", "stroke": L.barFill,
                                                 "stroke-width": "1.5"], title: tooltip)
                        } else {
                            svg.element("rect", ["class": "bar", "x": n(barLeft), "y": n(L.barY(index)), "width": n(width),
                                                 "height": n(L.barHeight), "fill": L.barFill], title: tooltip)
                        }
                        if let interval = interval(row) {
                            let lowX = L.x(interval.low, in: range), highX = L.x(interval.high, in: range)
                            // A white halo under the dark whisker keeps it visible on the bar and off it.
                            for (stroke, width, cssClass) in [("#ffffff", "4", "whisker-halo"), (L.whiskerStroke, "1.5", "whisker")] {
                                let half = L.capHeight / 2
                                let d = "M\(n(lowX)) \(n(mid)) L\(n(highX)) \(n(mid)) M\(n(lowX)) \(n(mid - half)) L\(n(lowX)) \(n(mid + half))"
                                    + " M\(n(highX)) \(n(mid - half)) L\(n(highX)) \(n(mid + half))"
                                svg.element("path", ["class": cssClass, "d": d, "fill": "none", "stroke": stroke, "stroke-width": width,
                                                     "pointer-events": "none"])
                            }
                        }
                    } else if row.state == .hidden {
                        // On white, so the zero line it may cross does not strike the text through.
                        svg.element("rect", ["class": "too-few-backing", "x": n(L.plotLeft + 2), "y": n(mid - 11),
                                             "width": n(estimatedWidth(tooFew, fontSize: L.fontSize - 1) + 8), "height": "22",
                                             "fill": "#ffffff"])
                        svg.element("text", ["class": "too-few", "x": n(L.plotLeft + 6), "y": n(mid + 5), "font-size": n(L.fontSize - 1),
                                             "font-style": "italic", "fill": "#4b5563"], text: tooFew, title: tooltip)
                    }
                    svg.close("g")
                }
                if value != nil, let href = row.href {
                    svg.link(href, label: tooltip, content: draw)
                } else {
                    draw(&svg)
                }
                svg.element("text", ["class": "value", "x": n(L.valueX), "y": n(mid + 5), "font-size": n(L.fontSize),
                                     "font-weight": "bold", "fill": "#111827"], text: valueText)
                svg.element("text", ["class": "n-label", "x": n(L.width - L.right), "y": n(mid + 5), "text-anchor": "end",
                                     "font-size": n(L.fontSize - 1), "fill": "#4b5563"], text: labels.nLabel(row.n))
            }
            drawLegend(legend, into: &svg, left: L.left, top: L.legendTop(rows: count), rowHeight: L.legendRowHeight)
        }
    }
}
