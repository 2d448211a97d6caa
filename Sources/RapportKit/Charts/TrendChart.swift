/// One period of a trend series, e.g. the NPS of March 2026.
public struct TrendPoint: Sendable {
    /// The period as the page shows it, e.g. "2026-03" or "Mär 2026".
    public var label: String
    /// nil (or not finite) when the period has no value; the line breaks there.
    public var value: Double?
    /// The confidence interval; the band is drawn where both bounds are there.
    public var low: Double?
    public var high: Double?
    public var n: Int
    public var state: ChartPointState
    /// A statistically significant change against the previous point: a small ▲ or ▼ marks it, its
    /// direction taken from the nearest earlier point with a visible value.
    public var changed: Bool
    /// Drill-down link; only relative and http(s)/mailto URLs survive, hidden points never link.
    public var href: String?

    public init(label: String, value: Double?, low: Double? = nil, high: Double? = nil, n: Int,
                state: ChartPointState = .shown, changed: Bool = false, href: String? = nil) {
        self.label = label
        self.value = value
        self.low = low
        self.high = high
        self.n = n
        self.state = state
        self.changed = changed
        self.href = href
    }
}

/// One line of a trend chart. All series of a chart share the x labels, so the caller passes the same
/// periods in the same order to each (missing periods as points without a value).
public struct TrendSeries: Sendable {
    public var name: String
    public var points: [TrendPoint]

    public init(name: String, points: [TrendPoint]) {
        self.name = name
        self.points = points
    }
}

/// Every text of the trend chart and its small multiples, in the page's language.
public struct TrendLabels: Sendable {
    public var title: String
    public var description: String
    /// Shown above the y axis, e.g. "NPS (−100 to 100)".
    public var yAxis: String
    public var noData: String
    /// Key entries, shown only when the chart uses the feature; an empty text leaves the entry out.
    public var intervalKey: String
    public var bracketedKey: String
    public var hiddenKey: String
    public var changeKey: String
    /// The y-axis ticks as the page writes numbers (decimal comma); nil prints them with a dot.
    public var value: (@Sendable (Double) -> String)?
    /// Tooltip and link name of a point. It should put a bracketed point's value in brackets, as the
    /// value beside an interval bar is. With several series the chart puts "series name: " before it.
    public var pointTitle: @Sendable (TrendPoint) -> String
    /// Tooltip of the "–" where a point is hidden or has no value; nil uses `pointTitle`. Either gets
    /// the point without value and interval, so a hidden value cannot leak into a tooltip.
    public var gapTitle: (@Sendable (TrendPoint) -> String)?
    /// Accessible title of a ▲ (`up`) or ▼ change marker; nil gives "▲ " or "▼ " before `pointTitle`.
    public var changeTitle: (@Sendable (_ point: TrendPoint, _ up: Bool) -> String)?

    public init(
        title: String, description: String, yAxis: String, noData: String,
        intervalKey: String = "", bracketedKey: String = "", hiddenKey: String = "", changeKey: String = "",
        value: (@Sendable (Double) -> String)? = nil,
        pointTitle: @escaping @Sendable (TrendPoint) -> String,
        gapTitle: (@Sendable (TrendPoint) -> String)? = nil,
        changeTitle: (@Sendable (_ point: TrendPoint, _ up: Bool) -> String)? = nil
    ) {
        self.title = title
        self.description = description
        self.yAxis = yAxis
        self.noData = noData
        self.intervalKey = intervalKey
        self.bracketedKey = bracketedKey
        self.hiddenKey = hiddenKey
        self.changeKey = changeKey
        self.value = value
        self.pointTitle = pointTitle
        self.gapTitle = gapTitle
        self.changeTitle = changeTitle
    }

    /// The texts of one point as the chart shows them, "series: " first when the chart has several.
    func point(_ point: TrendPoint, series: String, prefixed: Bool) -> String {
        (prefixed ? "\(series): " : "") + pointTitle(point)
    }

    func gap(_ point: TrendPoint, series: String, prefixed: Bool) -> String {
        var blank = point
        (blank.value, blank.low, blank.high) = (nil, nil, nil)
        return (prefixed ? "\(series): " : "") + (gapTitle ?? pointTitle)(blank)
    }

    func change(_ point: TrendPoint, up: Bool, series: String, prefixed: Bool) -> String {
        (prefixed ? "\(series): " : "") + (changeTitle?(point, up) ?? "\(up ? "▲" : "▼") \(pointTitle(point))")
    }

    func tick(_ value: Double) -> String { self.value?(value) ?? Charts.number(value) }
}

extension Charts {
    /// Geometry of the trend chart, full size or compact (one panel of small multiples); tests derive
    /// expected coordinates from these.
    struct TrendLayout: Sendable {
        let width: Double
        let plotLeft: Double
        let plotTop: Double
        let plotHeight: Double
        let right: Double
        /// Ticks, x labels and legend; large enough to stay legible when a phone shrinks the chart.
        let fontSize: Double
        let targetTicks: Int
        let maxLabelLength: Int
        let markerRadius: Double
        let lineWidth: Double
        /// Room under the plot for the x labels.
        let labelBand: Double
        let bottom: Double
        /// Compact panels carry a heading instead of the y-axis title, and no legend.
        let compact: Bool

        static let regular = TrendLayout(width: 640, plotLeft: 60, plotTop: 44, plotHeight: 260, right: 20, fontSize: 16,
                                         targetTicks: 5, maxLabelLength: 12, markerRadius: 5.5, lineWidth: 2.5,
                                         labelBand: 32, bottom: 8, compact: false)
        static let compact = TrendLayout(width: 320, plotLeft: 48, plotTop: 40, plotHeight: 140, right: 14, fontSize: 14,
                                         targetTicks: 4, maxLabelLength: 10, markerRadius: 4, lineWidth: 2,
                                         labelBand: 28, bottom: 4, compact: true)

        static let legendLeft = 12.0
        static let legendRowHeight = 28.0
        static let legendGap = 18.0
        static let swatchWidth = 32.0
        static let maxLegendNameLength = 28
        /// A key text longer than this would not fit one legend row.
        static let maxKeyLength = 56
        static let maxHeadingLength = 30
        static let bandOpacity = 0.18
        /// Half the width of the band drawn for a lone point with an interval.
        static let loneBandHalfWidth = 5.0

        /// Six colours with at least 4.5:1 contrast on white, each paired with its own dash pattern and
        /// marker shape, so series stay apart for colour-blind readers and in grey print.
        static let colors = ["#1d4ed8", "#b45309", "#047857", "#be123c", "#6d28d9", "#374151"]
        static let dashes = ["", "10 5", "2.5 3.5", "14 4 3 4", "6 3 1.5 3 1.5 3", "5 3"]
        static func color(_ series: Int) -> String { colors[series % colors.count] }
        static func dash(_ series: Int) -> String { dashes[series % dashes.count] }
        /// 0 circle, 1 square, 2 diamond.
        static func shape(_ series: Int) -> Int { series % 3 }

        var plotWidth: Double { width - plotLeft - right }
        var plotRight: Double { width - right }
        var plotBottom: Double { plotTop + plotHeight }
        var legendTop: Double { plotBottom + labelBand + 4 }

        func height(legendRows: Int) -> Double {
            legendRows == 0 ? plotBottom + labelBand + bottom : legendTop + Double(legendRows) * Self.legendRowHeight + bottom
        }

        func slot(columns: Int) -> Double { plotWidth / Double(max(columns, 1)) }

        /// Columns share the plot evenly, each point in the middle of its share.
        func x(column: Int, of columns: Int) -> Double { plotLeft + slot(columns: columns) * (Double(column) + 0.5) }

        func y(_ value: Double, in range: (lower: Double, upper: Double)) -> Double {
            let clamped = min(max(value, range.lower), range.upper)
            return plotBottom - (clamped - range.lower) / (range.upper - range.lower) * plotHeight
        }
    }

    /// A time series per line, e.g. NPS per month for up to six segments: confidence bands, filled
    /// markers for solid values, hollow ones for few answers, a "–" where answers are too few to show,
    /// ▲/▼ at significant changes, a zero line when the scale spans 0, and a key for what is used.
    /// `compact` draws the small panel of `smallMultiples` (no legend, fewer ticks).
    public static func trendChart(id: String, series: [TrendSeries], scale: ClosedRange<Double>, labels: TrendLabels,
                                  compact: Bool = false) -> String {
        let range = trendRange(scale, series: series)
        return renderTrend(id: id, series: series, range: range, labels: labels, layout: compact ? .compact : .regular,
                           title: labels.title, heading: compact ? labels.title : nil)
    }

    /// Small multiples: one compact trend chart per panel (e.g. NPS per journey), all on the same y
    /// scale so panels compare at a glance, in a `<div class="grid small-multiples" role="group">` that
    /// the site's `div.grid` reflows: two or three panels a row on a desktop, one on a phone. Panel ids
    /// are `id-1`, `id-2`, …; without panels the grid holds one compact frame with the no-data text.
    public static func smallMultiples(id: String, panels: [(title: String, series: TrendSeries)], scale: ClosedRange<Double>,
                                      labels: TrendLabels) -> String {
        let base = elementID(id)
        var html = "<div class=\"grid small-multiples\" id=\"\(base)\" role=\"group\" aria-label=\"\(escape(labels.title))\">\n"
        for svg in smallMultiplePanels(id: id, panels: panels, scale: scale, labels: labels) { html += svg }
        return html + "</div>\n"
    }

    /// The panels of `smallMultiples` one SVG each, for a page that lays them out itself.
    public static func smallMultiplePanels(id: String, panels: [(title: String, series: TrendSeries)], scale: ClosedRange<Double>,
                                           labels: TrendLabels) -> [String] {
        let range = trendRange(scale, series: panels.map(\.series))
        guard !panels.isEmpty else {
            return [renderTrend(id: "\(id)-1", series: [], range: range, labels: labels, layout: .compact, title: labels.title, heading: labels.title)]
        }
        return panels.enumerated().map { index, panel in
            renderTrend(id: "\(id)-\(index + 1)", series: [panel.series], range: range, labels: labels, layout: .compact,
                        title: panel.title, heading: panel.title)
        }
    }

    /// The scale as given; one that cannot be drawn falls back to the range of all values and bounds.
    static func trendRange(_ scale: ClosedRange<Double>, series: [TrendSeries]) -> (lower: Double, upper: Double) {
        let values = series.flatMap(\.points).filter { $0.state != .hidden }.flatMap { [$0.value, $0.low, $0.high] }
        return LineLayout.usableScale(scale, values: values.compactMap { Scales.finite($0) })
    }

    /// The value a point shows: none when hidden or not finite.
    static func visibleValue(_ point: TrendPoint) -> Double? {
        point.state == .hidden ? nil : Scales.finite(point.value)
    }

    static func visibleInterval(_ point: TrendPoint) -> (low: Double, high: Double)? {
        guard visibleValue(point) != nil, let low = Scales.finite(point.low), let high = Scales.finite(point.high) else { return nil }
        return (min(low, high), max(low, high))
    }

    /// Direction of a significant change: against the nearest earlier visible value; nil when there is
    /// none or the values are equal, since then an arrow would claim a direction nobody measured.
    static func changeDirection(_ points: [TrendPoint], at index: Int) -> Bool? {
        guard points[index].changed, let value = visibleValue(points[index]) else { return nil }
        guard let previous = points[..<index].reversed().lazy.compactMap({ visibleValue($0) }).first, previous != value else { return nil }
        return value > previous
    }

    /// A marker of the series' shape: filled with a white rim, or hollow (white inside) for few answers.
    static func trendMarker(_ svg: inout SVGWriter, series: Int, x: Double, y: Double, radius r: Double, hollow: Bool,
                            cssClass: String, title: String?) {
        let n = number
        let color = TrendLayout.color(series)
        let fill = hollow ? "#ffffff" : color, stroke = hollow ? color : "#ffffff", strokeWidth = hollow ? "2" : "1.5"
        switch TrendLayout.shape(series) {
        case 1:
            let side = r * 1.8
            svg.element("rect", ["class": cssClass, "x": n(x - side / 2), "y": n(y - side / 2), "width": n(side), "height": n(side),
                                 "fill": fill, "stroke": stroke, "stroke-width": strokeWidth], title: title)
        case 2:
            let d = r * 1.3
            svg.element("path", ["class": cssClass, "d": "M\(n(x)) \(n(y - d)) L\(n(x + d)) \(n(y)) L\(n(x)) \(n(y + d)) L\(n(x - d)) \(n(y)) Z",
                                 "fill": fill, "stroke": stroke, "stroke-width": strokeWidth], title: title)
        default:
            svg.element("circle", ["class": cssClass, "cx": n(x), "cy": n(y), "r": n(r),
                                   "fill": fill, "stroke": stroke, "stroke-width": strokeWidth], title: title)
        }
    }

    /// A small triangle pointing up or down, with its base at `baseY`.
    static func changeTriangle(x: Double, baseY: Double, up: Bool) -> String {
        let n = number
        let tip = up ? baseY - 7 : baseY + 7
        return "M\(n(x - 4.5)) \(n(baseY)) L\(n(x + 4.5)) \(n(baseY)) L\(n(x)) \(n(tip)) Z"
    }

    static func renderTrend(id: String, series: [TrendSeries], range: (lower: Double, upper: Double), labels: TrendLabels,
                            layout L: TrendLayout, title: String, heading: String?) -> String {
        let n = number
        let columns = series.map(\.points.count).max() ?? 0
        let slot = L.slot(columns: columns)
        let columnLabels = (0..<columns).map { column in series.first { $0.points.count > column }?.points[column].label ?? "" }
        let anyValue = series.contains { $0.points.contains { visibleValue($0) != nil } }
        let prefixed = series.count > 1

        // Which key entries the chart needs, known before the height is.
        var usesBand = false, usesBracketed = false, usesGap = false, usesChange = false
        for line in series {
            for (index, point) in line.points.enumerated() {
                if visibleValue(point) == nil { usesGap = true; continue }
                if point.state == .bracketed { usesBracketed = true }
                if visibleInterval(point) != nil { usesBand = true }
                if changeDirection(line.points, at: index) != nil { usesChange = true }
            }
        }
        var legendItems: [LegendItem] = []
        if !L.compact && anyValue {
            legendItems = trendLegend(series: series, labels: labels, layout: L, band: usesBand, bracketed: usesBracketed,
                                      gap: usesGap, change: usesChange)
        }
        let legend = legendRows(legendItems, maxWidth: L.width - 2 * TrendLayout.legendLeft)
        let height = L.height(legendRows: legend.count)

        return document(id: id, kind: L.compact ? "chart-trend chart-trend-compact" : "chart-trend", width: L.width, height: height,
                        title: title, description: labels.description) { svg in
            if let heading {
                svg.element("text", ["class": "heading", "x": n(TrendLayout.legendLeft), "y": n(24), "font-size": n(L.fontSize + 2),
                                     "font-weight": "bold", "fill": "#111827"],
                            text: truncated(heading, to: TrendLayout.maxHeadingLength), title: heading)
            } else {
                svg.element("text", ["class": "axis-title", "x": n(TrendLayout.legendLeft), "y": n(24), "font-size": n(L.fontSize),
                                     "fill": "#111827"], text: labels.yAxis)
            }
            // Transparent columns under everything: hovering anywhere in a column names its period,
            // also where the x label was thinned out.
            for (column, label) in columnLabels.enumerated() {
                svg.element("rect", ["class": "column", "x": n(L.plotLeft + slot * Double(column)), "y": n(L.plotTop),
                                     "width": n(slot), "height": n(L.plotHeight), "fill": "#ffffff", "fill-opacity": "0"],
                            title: label)
            }
            for tick in Scales.ticks(range, target: L.targetTicks) {
                let y = L.y(tick, in: range)
                svg.element("line", ["class": "grid", "x1": n(L.plotLeft), "y1": n(y), "x2": n(L.plotRight), "y2": n(y),
                                     "stroke": "#e5e7eb", "stroke-width": "1", "pointer-events": "none"])
                svg.element("text", ["class": "tick", "x": n(L.plotLeft - 8), "y": n(y + L.fontSize * 0.35), "text-anchor": "end",
                                     "font-size": n(L.fontSize), "fill": "#4b5563"], text: labels.tick(tick))
            }
            svg.element("line", ["class": "axis", "x1": n(L.plotLeft), "y1": n(L.plotTop), "x2": n(L.plotLeft), "y2": n(L.plotBottom),
                                 "stroke": "#6b7280", "stroke-width": "1"])
            svg.element("line", ["class": "axis", "x1": n(L.plotLeft), "y1": n(L.plotBottom), "x2": n(L.plotRight), "y2": n(L.plotBottom),
                                 "stroke": "#6b7280", "stroke-width": "1"])
            if range.lower < 0 && range.upper > 0 {
                let zero = L.y(0, in: range)
                svg.element("line", ["class": "zero", "x1": n(L.plotLeft), "y1": n(zero), "x2": n(L.plotRight), "y2": n(zero),
                                     "stroke": "#374151", "stroke-width": "1.5", "pointer-events": "none"])
            }

            // x labels, thinned so they never overlap; the full text stays in the column's title.
            let shortLabels = columnLabels.map { truncated($0, to: L.maxLabelLength) }
            let widest = shortLabels.map { estimatedWidth($0, fontSize: L.fontSize) }.max() ?? 0
            let step = Scales.labelStep(count: columns, slot: slot, widest: widest)
            for (column, label) in shortLabels.enumerated() where Scales.showsLabel(column, count: columns, step: step) {
                let half = estimatedWidth(label, fontSize: L.fontSize) / 2
                let x = min(max(L.x(column: column, of: columns), half + 2), L.width - half - 2)
                svg.element("text", ["class": "x-label", "x": n(x), "y": n(L.plotBottom + L.fontSize + 8), "text-anchor": "middle",
                                     "font-size": n(L.fontSize), "fill": "#111827"],
                            text: label, title: label == columnLabels[column] ? nil : columnLabels[column])
            }

            guard anyValue else {
                noDataLabel(&svg, text: labels.noData, x: L.plotLeft + L.plotWidth / 2, y: L.plotTop + L.plotHeight / 2 + 5,
                            fontSize: L.fontSize + 1)
                drawGaps(&svg, series: series, labels: labels, layout: L, columns: columns)
                return
            }

            // Confidence bands: one polygon per run of consecutive points with an interval.
            for (index, line) in series.enumerated() {
                var runs: [[(x: Double, low: Double, high: Double)]] = [[]]
                for (column, point) in line.points.enumerated() {
                    if let interval = visibleInterval(point) {
                        runs[runs.count - 1].append((L.x(column: column, of: columns), L.y(interval.low, in: range), L.y(interval.high, in: range)))
                    } else if !runs[runs.count - 1].isEmpty {
                        runs.append([])
                    }
                }
                for run in runs where !run.isEmpty {
                    var outline: [(Double, Double)]
                    if run.count == 1 {
                        let only = run[0], w = TrendLayout.loneBandHalfWidth
                        outline = [(only.x - w, only.high), (only.x + w, only.high), (only.x + w, only.low), (only.x - w, only.low)]
                    } else {
                        outline = run.map { ($0.x, $0.high) } + run.reversed().map { ($0.x, $0.low) }
                    }
                    svg.element("polygon", ["class": "band s\(index)", "points": outline.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " "),
                                            "fill": TrendLayout.color(index), "fill-opacity": n(TrendLayout.bandOpacity),
                                            "pointer-events": "none"])
                }
            }

            // Lines: one subpath per run of visible values; hidden points and gaps break them.
            for (index, line) in series.enumerated() {
                var runs: [[(x: Double, y: Double)]] = [[]]
                for (column, point) in line.points.enumerated() {
                    if let value = visibleValue(point) {
                        runs[runs.count - 1].append((L.x(column: column, of: columns), L.y(value, in: range)))
                    } else if !runs[runs.count - 1].isEmpty {
                        runs.append([])
                    }
                }
                let path = runs.filter { $0.count > 1 }.map { run in
                    run.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(n($0.element.x)) \(n($0.element.y))" }.joined(separator: " ")
                }.joined(separator: " ")
                guard !path.isEmpty else { continue }
                let dash = TrendLayout.dash(index)
                if dash.isEmpty {
                    svg.element("path", ["class": "line s\(index)", "d": path, "fill": "none", "stroke": TrendLayout.color(index),
                                         "stroke-width": n(L.lineWidth), "stroke-linejoin": "round", "pointer-events": "none"])
                } else {
                    svg.element("path", ["class": "line s\(index)", "d": path, "fill": "none", "stroke": TrendLayout.color(index),
                                         "stroke-width": n(L.lineWidth), "stroke-linejoin": "round", "stroke-dasharray": dash,
                                         "pointer-events": "none"])
                }
            }

            // Markers on top, each with its tooltip, linked where the caller gave a safe href.
            for (index, line) in series.enumerated() {
                for (column, point) in line.points.enumerated() {
                    guard let value = visibleValue(point) else { continue }
                    let tooltip = labels.point(point, series: line.name, prefixed: prefixed)
                    let hollow = point.state == .bracketed
                    let draw: (inout SVGWriter) -> Void = { svg in
                        trendMarker(&svg, series: index, x: L.x(column: column, of: columns), y: L.y(value, in: range),
                                    radius: L.markerRadius, hollow: hollow,
                                    cssClass: "point marker \(hollow ? "hollow" : "filled") s\(index)", title: tooltip)
                    }
                    if let href = point.href {
                        svg.link(href, label: tooltip, content: draw)
                    } else {
                        draw(&svg)
                    }
                }
            }

            // Significant changes: ▲ above a rise, ▼ below a fall; flipped to the other side at the plot edge.
            for (index, line) in series.enumerated() {
                for column in line.points.indices {
                    guard let up = changeDirection(line.points, at: column), let value = visibleValue(line.points[column]) else { continue }
                    let x = L.x(column: column, of: columns), y = L.y(value, in: range)
                    let gap = L.markerRadius + 3
                    var above = up
                    if up && y - gap - 7 < L.plotTop - 12 { above = false }
                    if !up && y + gap + 7 > L.plotBottom + 2 { above = true }
                    // The triangle fills the 7 units between `top` and `top + 7`; ▲ has its base below, ▼ above.
                    let top = above ? y - gap - 7 : y + gap
                    let d = changeTriangle(x: x, baseY: up ? top + 7 : top, up: up)
                    svg.element("path", ["class": "change \(up ? "change-up" : "change-down") s\(index)", "d": d,
                                         "fill": TrendLayout.color(index)],
                                title: labels.change(line.points[column], up: up, series: line.name, prefixed: prefixed))
                }
            }

            drawGaps(&svg, series: series, labels: labels, layout: L, columns: columns)
            drawLegend(legend, into: &svg, left: TrendLayout.legendLeft, top: L.legendTop, rowHeight: TrendLayout.legendRowHeight)
        }
    }

    /// A "–" just above the axis wherever a point is hidden or has no value, stacked when several
    /// series miss the same period, each with its series' colour and a tooltip saying why.
    static func drawGaps(_ svg: inout SVGWriter, series: [TrendSeries], labels: TrendLabels, layout L: TrendLayout, columns: Int) {
        let n = number
        var stacked = [Int](repeating: 0, count: columns)
        for (index, line) in series.enumerated() {
            for (column, point) in line.points.enumerated() where visibleValue(point) == nil {
                let y = L.plotBottom - 8 - Double(stacked[column]) * (L.fontSize + 2)
                stacked[column] += 1
                svg.element("text", ["class": "gap s\(index)", "x": n(L.x(column: column, of: columns)), "y": n(y), "text-anchor": "middle",
                                     "font-size": n(L.fontSize + 8), "font-weight": "bold", "fill": TrendLayout.color(index)],
                            text: "–", title: labels.gap(point, series: line.name, prefixed: series.count > 1))
            }
        }
    }

    /// Series (line, dash and marker as drawn) and the key entries for the features in use.
    static func trendLegend(series: [TrendSeries], labels: TrendLabels, layout L: TrendLayout,
                            band: Bool, bracketed: Bool, gap: Bool, change: Bool) -> [LegendItem] {
        let n = number
        let font = L.fontSize, swatch = TrendLayout.swatchWidth, gapWidth = TrendLayout.legendGap
        var items: [LegendItem] = []
        for (index, line) in series.enumerated() {
            let name = truncated(line.name, to: TrendLayout.maxLegendNameLength)
            items.append(LegendItem(width: swatch + 8 + estimatedWidth(name, fontSize: font) + gapWidth) { svg, x, baseline in
                let mid = baseline - font * 0.35
                let dash = TrendLayout.dash(index)
                if dash.isEmpty {
                    svg.element("line", ["class": "legend-line s\(index)", "x1": n(x), "y1": n(mid), "x2": n(x + swatch), "y2": n(mid),
                                         "stroke": TrendLayout.color(index), "stroke-width": n(L.lineWidth)])
                } else {
                    svg.element("line", ["class": "legend-line s\(index)", "x1": n(x), "y1": n(mid), "x2": n(x + swatch), "y2": n(mid),
                                         "stroke": TrendLayout.color(index), "stroke-width": n(L.lineWidth), "stroke-dasharray": dash])
                }
                trendMarker(&svg, series: index, x: x + swatch / 2, y: mid, radius: L.markerRadius, hollow: false,
                            cssClass: "legend-marker s\(index)", title: nil)
                svg.element("text", ["class": "legend-label", "x": n(x + swatch + 8), "y": n(baseline), "font-size": n(font),
                                     "fill": "#111827"], text: name, title: name == line.name ? nil : line.name)
            })
        }
        func key(_ text: String, sample: @escaping (inout SVGWriter, Double, Double) -> Void) {
            guard !text.isEmpty else { return }
            let shown = truncated(text, to: TrendLayout.maxKeyLength)
            items.append(LegendItem(width: 24 + 6 + estimatedWidth(shown, fontSize: font) + gapWidth) { svg, x, baseline in
                sample(&svg, x, baseline - font * 0.35)
                svg.element("text", ["class": "legend-label key", "x": n(x + 30), "y": n(baseline), "font-size": n(font),
                                     "fill": "#374151"], text: shown, title: shown == text ? nil : text)
            })
        }
        if band {
            key(labels.intervalKey) { svg, x, mid in
                svg.element("rect", ["class": "legend-band", "x": n(x), "y": n(mid - 7), "width": "24", "height": "14",
                                     "fill": "#4b5563", "fill-opacity": n(TrendLayout.bandOpacity)])
            }
        }
        if bracketed {
            key(labels.bracketedKey) { svg, x, mid in
                svg.element("circle", ["class": "legend-hollow", "cx": n(x + 12), "cy": n(mid), "r": n(L.markerRadius),
                                       "fill": "#ffffff", "stroke": "#4b5563", "stroke-width": "2"])
            }
        }
        if change {
            key(labels.changeKey) { svg, x, mid in
                svg.element("path", ["class": "legend-change", "d": changeTriangle(x: x + 6, baseY: mid + 3.5, up: true), "fill": "#4b5563"])
                svg.element("path", ["class": "legend-change", "d": changeTriangle(x: x + 18, baseY: mid - 3.5, up: false), "fill": "#4b5563"])
            }
        }
        if gap {
            key(labels.hiddenKey) { svg, x, mid in
                svg.element("text", ["class": "legend-gap", "x": n(x + 12), "y": n(mid + 6), "text-anchor": "middle",
                                     "font-size": n(font + 8), "font-weight": "bold", "fill": "#4b5563"], text: "–")
            }
        }
        return items
    }
}
