/// One column of a line chart, e.g. a journey phase on the emotion curve.
public struct CurvePoint: Sendable {
    public var label: String
    /// nil when the column has no data; the line breaks there instead of inventing a value.
    public var value: Double?
    public var n: Int
    /// Where the value comes from, e.g. "assessed quality"; for the tooltip.
    public var note: String

    public init(label: String, value: Double?, n: Int, note: String) {
        self.label = label
        self.value = value
        self.n = n
        self.note = note
    }
}

/// Every text of the line chart, in the page's language.
public struct LineLabels: Sendable {
    public var title: String
    public var description: String
    public var yAxis: String
    public var noData: String
    /// Sample size under a column, e.g. "n=4".
    public var nLabel: @Sendable (Int) -> String
    /// Tooltip of a point (and of the gap marker of an empty column).
    public var pointTitle: @Sendable (CurvePoint) -> String

    public init(
        title: String, description: String, yAxis: String, noData: String,
        nLabel: @escaping @Sendable (Int) -> String, pointTitle: @escaping @Sendable (CurvePoint) -> String
    ) {
        self.title = title
        self.description = description
        self.yAxis = yAxis
        self.noData = noData
        self.nLabel = nLabel
        self.pointTitle = pointTitle
    }
}

extension Charts {
    /// Geometry of the line chart; tests derive expected coordinates from these.
    enum LineLayout {
        static let plotLeft = 64.0
        static let plotTop = 24.0
        static let plotHeight = 240.0
        static let right = 24.0
        static let bottom = 64.0
        /// Room per column for a label of `maxLabelLength` characters.
        static let columnWidth = 96.0
        /// A chart with one or two columns still gets a plot of sensible width.
        static let minColumns = 4
        static let maxLabelLength = 14
        static let pointRadius = 4.5

        static var height: Double { plotTop + plotHeight + bottom }
        static var plotBottom: Double { plotTop + plotHeight }

        static func plotWidth(columns: Int) -> Double { Double(max(columns, minColumns)) * columnWidth }
        static func width(columns: Int) -> Double { plotLeft + plotWidth(columns: columns) + right }

        /// Columns share the plot evenly, each point in the middle of its share.
        static func x(column: Int, of columns: Int) -> Double {
            plotLeft + plotWidth(columns: columns) / Double(max(columns, 1)) * (Double(column) + 0.5)
        }

        static func y(_ value: Double, in scale: (lower: Double, upper: Double)) -> Double {
            let clamped = min(max(value, scale.lower), scale.upper)
            return plotBottom - (clamped - scale.lower) / (scale.upper - scale.lower) * plotHeight
        }

        /// A scale with no span or infinite bounds cannot be drawn; fall back to the data's own range.
        static func usableScale(_ scale: ClosedRange<Double>, values: [Double]) -> (lower: Double, upper: Double) {
            var lower = scale.lowerBound, upper = scale.upperBound
            if !lower.isFinite || !upper.isFinite || !(upper - lower).isFinite {
                lower = values.min() ?? 0
                upper = values.max() ?? 1
            }
            if upper - lower <= 0 { (lower, upper) = (lower - 1, upper + 1) }
            return (lower, upper)
        }

        /// Whole numbers read best on short scales like 1–5; a long one like −100…100 gets five steps.
        static func ticks(_ scale: (lower: Double, upper: Double)) -> [Double] {
            let span = scale.upper - scale.lower
            if span <= 10 {
                let first = scale.lower.rounded(.up), last = scale.upper.rounded(.down)
                if last > first { return Array(stride(from: first, through: last, by: 1)) }
            }
            return (0...5).map { scale.lower + span * Double($0) / 5 }
        }
    }

    /// A line across evenly spaced columns, e.g. the emotion curve of a journey. Columns without a
    /// value show a "–" and break the line: drawing across a gap would suggest data nobody measured.
    public static func lineChart(id: String, points: [CurvePoint], scale: ClosedRange<Double>, labels: LineLabels) -> String {
        typealias L = LineLayout
        let n = number
        let count = points.count
        let values = points.map { point in point.value.flatMap { $0.isFinite ? $0 : nil } }
        let range = L.usableScale(scale, values: values.compactMap { $0 })
        let plotWidth = L.plotWidth(columns: count)
        return document(id: id, kind: "chart-line", width: L.width(columns: count), height: L.height,
                        title: labels.title, description: labels.description) { svg in
            for tick in L.ticks(range) {
                let y = L.y(tick, in: range)
                svg.element("line", ["class": "grid", "x1": n(L.plotLeft), "y1": n(y), "x2": n(L.plotLeft + plotWidth), "y2": n(y),
                                     "stroke": "#e5e7eb", "stroke-width": "1"])
                svg.element("text", ["class": "tick", "x": n(L.plotLeft - 8), "y": n(y + 4), "text-anchor": "end",
                                     "font-size": "12", "fill": "#4b5563"], text: n(tick))
            }
            svg.element("line", ["class": "axis", "x1": n(L.plotLeft), "y1": n(L.plotTop), "x2": n(L.plotLeft), "y2": n(L.plotBottom),
                                 "stroke": "#6b7280", "stroke-width": "1"])
            svg.element("line", ["class": "axis", "x1": n(L.plotLeft), "y1": n(L.plotBottom), "x2": n(L.plotLeft + plotWidth),
                                 "y2": n(L.plotBottom), "stroke": "#6b7280", "stroke-width": "1"])
            let midY = L.y((range.lower + range.upper) / 2, in: range)
            svg.element("line", ["class": "midline", "x1": n(L.plotLeft), "y1": n(midY), "x2": n(L.plotLeft + plotWidth), "y2": n(midY),
                                 "stroke": "#9ca3af", "stroke-width": "1", "stroke-dasharray": "4 4"])
            let yTitleX = 18.0, yTitleY = L.plotTop + L.plotHeight / 2
            svg.element("text", ["class": "axis-title", "x": n(yTitleX), "y": n(yTitleY), "text-anchor": "middle",
                                 "transform": "rotate(-90 \(n(yTitleX)) \(n(yTitleY)))", "font-size": "13", "fill": "#111827"],
                        text: labels.yAxis)
            guard count > 0 else {
                svg.element("text", ["class": "no-data", "x": n(L.plotLeft + plotWidth / 2), "y": n(L.plotTop + L.plotHeight / 2 + 5),
                                     "text-anchor": "middle", "font-size": "14", "fill": "#4b5563"], text: labels.noData)
                return
            }

            for (column, point) in points.enumerated() {
                let x = L.x(column: column, of: count)
                svg.element("text", ["class": "x-label", "x": n(x), "y": n(L.plotBottom + 20), "text-anchor": "middle",
                                     "font-size": "12", "fill": "#111827"],
                            text: truncated(point.label, to: L.maxLabelLength), title: point.label)
                svg.element("text", ["class": "n-label", "x": n(x), "y": n(L.plotBottom + 38), "text-anchor": "middle",
                                     "font-size": "11", "fill": "#6b7280"], text: labels.nLabel(point.n))
            }

            // One subpath per run of consecutive values; a lone value has no line, only its dot.
            var runs: [[(x: Double, y: Double)]] = [[]]
            for (column, value) in values.enumerated() {
                if let value {
                    runs[runs.count - 1].append((L.x(column: column, of: count), L.y(value, in: range)))
                } else if !runs[runs.count - 1].isEmpty {
                    runs.append([])
                }
            }
            let path = runs.filter { $0.count > 1 }.map { run in
                run.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(n($0.element.x)) \(n($0.element.y))" }.joined(separator: " ")
            }.joined(separator: " ")
            if !path.isEmpty {
                svg.element("path", ["class": "curve", "d": path, "fill": "none", "stroke": "#2563eb", "stroke-width": "2.5",
                                     "stroke-linejoin": "round", "stroke-linecap": "round"])
            }

            for (column, point) in points.enumerated() {
                let x = L.x(column: column, of: count)
                if let value = values[column] {
                    svg.element("circle", ["class": "point", "cx": n(x), "cy": n(L.y(value, in: range)), "r": n(L.pointRadius),
                                           "fill": "#2563eb", "stroke": "#ffffff", "stroke-width": "1.5"],
                                title: labels.pointTitle(point))
                } else {
                    // Just above the axis: on the dashed midline the dash would vanish.
                    svg.element("text", ["class": "gap", "x": n(x), "y": n(L.plotBottom - 8), "text-anchor": "middle",
                                         "font-size": "18", "fill": "#6b7280"],
                                text: "–", title: labels.pointTitle(point))
                }
            }
        }
    }
}
