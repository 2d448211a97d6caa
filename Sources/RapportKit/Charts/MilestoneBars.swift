/// One journey on the milestone chart.
public struct MilestoneRow: Sendable {
    public var label: String
    public var href: String
    /// One entry per milestone, in order: 0 = not started, 1 = partly, 2 = achieved.
    /// Missing entries count as not started; values outside 0…2 are clamped.
    public var levels: [Int]

    public init(label: String, href: String, levels: [Int]) {
        self.label = label
        self.href = href
        self.levels = levels
    }
}

/// Every text of the milestone chart, in the page's language.
public struct MilestoneLabels: Sendable {
    public var title: String
    public var description: String
    public var notStarted: String
    public var partly: String
    public var achieved: String
    public var noData: String

    public init(title: String, description: String, notStarted: String, partly: String, achieved: String, noData: String) {
        self.title = title
        self.description = description
        self.notStarted = notStarted
        self.partly = partly
        self.achieved = achieved
        self.noData = noData
    }
}

extension Charts {
    /// Geometry of the milestone chart; tests derive expected sizes from these.
    enum MilestoneLayout {
        static let left = 16.0
        static let labelWidth = 208.0
        static let cellWidth = 96.0
        static let cellHeight = 22.0
        static let rowHeight = 32.0
        static let headerHeight = 40.0
        static let legendHeight = 44.0
        static let right = 16.0
        static let maxRowLabelLength = 27
        static let maxHeaderLength = 14
        static let legendSwatch = 14.0
        static let legendFontSize = 12.0

        static var gridLeft: Double { left + labelWidth }

        static func height(rows: Int) -> Double { headerHeight + Double(max(rows, 1)) * rowHeight + legendHeight }

        static func cellX(_ milestone: Int) -> Double { gridLeft + Double(milestone) * cellWidth + 3 }
        static func rowTop(_ row: Int) -> Double { headerHeight + Double(row) * rowHeight }

        /// Fill fallbacks per level: grey, amber, green.
        static let fills = ["#e5e7eb", "#f59e0b", "#16a34a"]
        /// Colour alone fails colour-blind readers, so partly and achieved also carry a glyph.
        static let marks = ["", "½", "✓"]
        /// Dark on amber, white on green: both keep a readable contrast.
        static let markFills = ["#111827", "#111827", "#ffffff"]
    }

    /// How far each journey has come through ordered maturity milestones: one row per journey
    /// (linking to it), one cell per milestone coloured by level, and a legend below.
    public static func milestoneBars(id: String, rows: [MilestoneRow], milestones: [String], labels: MilestoneLabels) -> String {
        typealias L = MilestoneLayout
        let n = number
        let levelNames = [labels.notStarted, labels.partly, labels.achieved]
        let legendWidths = levelNames.map { L.legendSwatch + 6 + estimatedWidth($0, fontSize: L.legendFontSize) + 20 }
        let width = max(L.gridLeft + Double(max(milestones.count, 1)) * L.cellWidth + L.right,
                        L.left + legendWidths.reduce(0, +) + L.right)
        let height = L.height(rows: rows.count)
        return document(id: id, kind: "chart-milestones", width: width, height: height,
                        title: labels.title, description: labels.description) { svg in
            for (column, name) in milestones.enumerated() {
                svg.element("text", ["class": "milestone-header", "x": n(L.cellX(column) + (L.cellWidth - 6) / 2),
                                     "y": n(L.headerHeight - 14), "text-anchor": "middle", "font-size": "12",
                                     "font-weight": "bold", "fill": "#111827"],
                            text: truncated(name, to: L.maxHeaderLength), title: name)
            }
            if rows.isEmpty {
                svg.element("text", ["class": "no-data", "x": n(width / 2), "y": n(L.rowTop(0) + L.rowHeight / 2 + 5),
                                     "text-anchor": "middle", "font-size": "14", "fill": "#4b5563"], text: labels.noData)
            }
            for (index, row) in rows.enumerated() {
                let top = L.rowTop(index)
                svg.link(row.href, label: row.label) { svg in
                    svg.element("text", ["class": "row-label", "x": n(L.left), "y": n(top + L.rowHeight / 2 + 4),
                                         "font-size": "12", "fill": "#1d4ed8"],
                                text: truncated(row.label, to: L.maxRowLabelLength), title: row.label)
                }
                for (column, milestone) in milestones.enumerated() {
                    let level = min(max(column < row.levels.count ? row.levels[column] : 0, 0), 2)
                    let cellTop = top + (L.rowHeight - L.cellHeight) / 2
                    svg.element("rect", ["class": "cell lvl-\(level)", "x": n(L.cellX(column)), "y": n(cellTop),
                                         "width": n(L.cellWidth - 6), "height": n(L.cellHeight), "rx": "3",
                                         "fill": L.fills[level]],
                                title: "\(milestone): \(levelNames[level])")
                    if !L.marks[level].isEmpty {
                        svg.element("text", ["class": "lvl-mark", "x": n(L.cellX(column) + (L.cellWidth - 6) / 2),
                                             "y": n(cellTop + L.cellHeight / 2 + 5), "text-anchor": "middle",
                                             "font-size": "13", "fill": L.markFills[level]], text: L.marks[level])
                    }
                }
            }
            var x = L.left
            let legendTop = height - L.legendHeight + 16
            for level in 0...2 {
                svg.element("rect", ["class": "legend-swatch lvl-\(level)", "x": n(x), "y": n(legendTop),
                                     "width": n(L.legendSwatch), "height": n(L.legendSwatch), "rx": "3", "fill": L.fills[level]])
                svg.element("text", ["class": "legend-label", "x": n(x + L.legendSwatch + 6), "y": n(legendTop + 11),
                                     "font-size": n(L.legendFontSize), "fill": "#374151"], text: levelNames[level])
                x += legendWidths[level]
            }
        }
    }
}
