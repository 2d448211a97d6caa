/// One period of the volume chart, e.g. the responses received in March 2026.
public struct VolumeBar: Sendable {
    public var label: String
    /// Negative counts are drawn as 0.
    public var count: Int
    /// Drill-down link; only relative and http(s)/mailto URLs survive.
    public var href: String?

    public init(label: String, count: Int, href: String? = nil) {
        self.label = label
        self.count = count
        self.href = href
    }
}

/// Every text of the volume chart, in the page's language.
public struct VolumeLabels: Sendable {
    public var title: String
    public var description: String
    /// Above the y axis, e.g. "Responses".
    public var yAxis: String
    public var noData: String
    /// A count as the page writes it (thousands separator), for ticks and the counts above the bars;
    /// nil writes plain digits.
    public var count: (@Sendable (Int) -> String)?
    /// Tooltip and link name of a bar; nil gives "label: count".
    public var barTitle: (@Sendable (VolumeBar) -> String)?

    public init(title: String, description: String, yAxis: String, noData: String,
                count: (@Sendable (Int) -> String)? = nil, barTitle: (@Sendable (VolumeBar) -> String)? = nil) {
        self.title = title
        self.description = description
        self.yAxis = yAxis
        self.noData = noData
        self.count = count
        self.barTitle = barTitle
    }

    func countText(_ count: Int) -> String { self.count?(count) ?? String(count) }

    func title(_ bar: VolumeBar) -> String { barTitle?(bar) ?? "\(bar.label): \(countText(max(bar.count, 0)))" }
}

extension Charts {
    /// Geometry of the volume chart; tests derive expected coordinates from these.
    enum VolumeLayout {
        static let width = 640.0
        static let plotLeft = 72.0
        static let plotTop = 44.0
        static let plotHeight = 220.0
        static let right = 16.0
        static let labelBand = 32.0
        static let bottom = 8.0
        static let fontSize = 16.0
        static let countFontSize = 13.0
        static let maxLabelLength = 12
        /// The share of a column the bar fills.
        static let barShare = 0.7
        static let barFill = "#2563eb"

        static var plotWidth: Double { width - plotLeft - right }
        static var plotRight: Double { width - right }
        static var plotBottom: Double { plotTop + plotHeight }
        static var height: Double { plotBottom + labelBand + bottom }

        static func slot(columns: Int) -> Double { plotWidth / Double(max(columns, 1)) }
        static func x(column: Int, of columns: Int) -> Double { plotLeft + slot(columns: columns) * (Double(column) + 0.5) }
        static func barWidth(columns: Int) -> Double { slot(columns: columns) * barShare }

        static func y(_ count: Int, top: Int) -> Double {
            plotBottom - Double(min(max(count, 0), top)) / Double(max(top, 1)) * plotHeight
        }
    }

    /// Vertical bars of counts per period, e.g. responses per month: the y axis starts at 0 and steps
    /// 1-2-5; every bar names its count on hover, and above the bar where there is room.
    public static func volumeBars(id: String, bars: [VolumeBar], labels: VolumeLabels) -> String {
        typealias L = VolumeLayout
        let n = number
        let columns = bars.count
        let slot = L.slot(columns: columns)
        return document(id: id, kind: "chart-volume", width: L.width, height: L.height,
                        title: labels.title, description: labels.description) { svg in
            svg.element("text", ["class": "axis-title", "x": "12", "y": "24", "font-size": n(L.fontSize), "fill": "#111827"],
                        text: labels.yAxis)
            svg.element("line", ["class": "axis", "x1": n(L.plotLeft), "y1": n(L.plotTop), "x2": n(L.plotLeft), "y2": n(L.plotBottom),
                                 "stroke": "#6b7280", "stroke-width": "1"])
            guard columns > 0 else {
                // No ticks either: a lone "0" would read as a measured zero.
                svg.element("line", ["class": "axis", "x1": n(L.plotLeft), "y1": n(L.plotBottom), "x2": n(L.plotRight), "y2": n(L.plotBottom),
                                     "stroke": "#6b7280", "stroke-width": "1"])
                noDataLabel(&svg, text: labels.noData, x: L.plotLeft + L.plotWidth / 2, y: L.plotTop + L.plotHeight / 2 + 5,
                            fontSize: L.fontSize + 1)
                return
            }
            let ticks = Scales.countTicks(max: bars.map(\.count).max() ?? 0)
            let top = ticks.last ?? 1
            for tick in ticks {
                let y = L.y(tick, top: top)
                svg.element("line", ["class": "grid", "x1": n(L.plotLeft), "y1": n(y), "x2": n(L.plotRight), "y2": n(y),
                                     "stroke": "#e5e7eb", "stroke-width": "1", "pointer-events": "none"])
                svg.element("text", ["class": "tick", "x": n(L.plotLeft - 8), "y": n(y + L.fontSize * 0.35), "text-anchor": "end",
                                     "font-size": n(L.fontSize), "fill": "#4b5563"], text: labels.countText(tick))
            }

            let countTexts = bars.map { labels.countText(max($0.count, 0)) }
            let countsFit = countTexts.allSatisfy { estimatedWidth($0, fontSize: L.countFontSize) + 4 <= slot }
            for (column, bar) in bars.enumerated() {
                let tooltip = labels.title(bar)
                let x = L.x(column: column, of: columns), y = L.y(bar.count, top: top)
                // The whole column answers the hover, so even a bar of 0 or 1 has its tooltip.
                svg.element("rect", ["class": "column", "x": n(L.plotLeft + slot * Double(column)), "y": n(L.plotTop),
                                     "width": n(slot), "height": n(L.plotHeight), "fill": "#ffffff", "fill-opacity": "0"],
                            title: tooltip)
                let draw: (inout SVGWriter) -> Void = { svg in
                    svg.element("rect", ["class": "bar", "x": n(x - L.barWidth(columns: columns) / 2), "y": n(y),
                                         "width": n(L.barWidth(columns: columns)), "height": n(L.plotBottom - y), "fill": L.barFill],
                                title: tooltip)
                }
                if let href = bar.href {
                    svg.link(href, label: tooltip, content: draw)
                } else {
                    draw(&svg)
                }
                if countsFit {
                    svg.element("text", ["class": "count", "x": n(x), "y": n(y - 5), "text-anchor": "middle",
                                         "font-size": n(L.countFontSize), "fill": "#111827"], text: countTexts[column])
                }
            }
            svg.element("line", ["class": "axis", "x1": n(L.plotLeft), "y1": n(L.plotBottom), "x2": n(L.plotRight), "y2": n(L.plotBottom),
                                 "stroke": "#6b7280", "stroke-width": "1"])

            let shortLabels = bars.map { truncated($0.label, to: L.maxLabelLength) }
            let widest = shortLabels.map { estimatedWidth($0, fontSize: L.fontSize) }.max() ?? 0
            let step = Scales.labelStep(count: columns, slot: slot, widest: widest)
            for (column, label) in shortLabels.enumerated() where Scales.showsLabel(column, count: columns, step: step) {
                let half = estimatedWidth(label, fontSize: L.fontSize) / 2
                let x = min(max(L.x(column: column, of: columns), half + 2), L.width - half - 2)
                svg.element("text", ["class": "x-label", "x": n(x), "y": n(L.plotBottom + L.fontSize + 8), "text-anchor": "middle",
                                     "font-size": n(L.fontSize), "fill": "#111827"],
                            text: label, title: label == bars[column].label ? nil : bars[column].label)
            }
        }
    }
}
