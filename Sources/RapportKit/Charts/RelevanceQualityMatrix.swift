import Foundation

/// One item on the relevance/quality matrix, e.g. a touchpoint with its mean assessments.
public struct MatrixPoint: Sendable {
    public var id: String
    public var label: String
    /// Mean relevance on the 1–5 scale.
    public var relevance: Double
    /// Mean perceived quality on the 1–5 scale.
    public var quality: Double
    /// How many assessments stand behind the means; bigger samples draw bigger dots.
    public var n: Int
    public var href: String

    public init(id: String, label: String, relevance: Double, quality: Double, n: Int, href: String) {
        self.id = id
        self.label = label
        self.relevance = relevance
        self.quality = quality
        self.n = n
        self.href = href
    }
}

/// Every text of the matrix, in the page's language.
public struct MatrixLabels: Sendable {
    public var title: String
    public var description: String
    public var xAxis: String
    public var yAxis: String
    public var fixFirst: String
    public var keepUp: String
    public var overServed: String
    public var lowPriority: String
    public var noData: String
    /// Tooltip and accessible name of a point.
    public var pointTitle: @Sendable (MatrixPoint) -> String

    public init(
        title: String, description: String, xAxis: String, yAxis: String,
        fixFirst: String, keepUp: String, overServed: String, lowPriority: String, noData: String,
        pointTitle: @escaping @Sendable (MatrixPoint) -> String
    ) {
        self.title = title
        self.description = description
        self.xAxis = xAxis
        self.yAxis = yAxis
        self.fixFirst = fixFirst
        self.keepUp = keepUp
        self.overServed = overServed
        self.lowPriority = lowPriority
        self.noData = noData
        self.pointTitle = pointTitle
    }
}

/// Where an item falls on the relevance/quality matrix.
///
/// The split is the scale midpoint 3.0 on both axes, and 3.0 itself counts as *high*: a mean of
/// exactly "neutral" is not yet a problem, so it must not land in "fix first". Relevance ≥ 3 and
/// quality < 3 is `fixFirst`; both ≥ 3 is `keepUp`; relevance < 3 and quality ≥ 3 is `overServed`;
/// both < 3 is `lowPriority`. NaN compares as low. The chart colours its points with the same rule,
/// so the list next to a chart and the chart always agree.
public enum MatrixQuadrant: String, Sendable, CaseIterable {
    case fixFirst = "fix_first"
    case keepUp = "keep_up"
    case overServed = "over_served"
    case lowPriority = "low_priority"

    public static func of(relevance: Double, quality: Double) -> MatrixQuadrant {
        switch (relevance >= split, quality >= split) {
        case (true, false): .fixFirst
        case (true, true): .keepUp
        case (false, true): .overServed
        case (false, false): .lowPriority
        }
    }

    static let split = 3.0

    var cssClass: String {
        switch self {
        case .fixFirst: "q-fix"
        case .keepUp: "q-keep"
        case .overServed: "q-over"
        case .lowPriority: "q-low"
        }
    }

    var fallbackFill: String {
        switch self {
        case .fixFirst: "#fde8e8"
        case .keepUp: "#e3f6e8"
        case .overServed: "#fdf3dc"
        case .lowPriority: "#eef0f3"
        }
    }

    func label(_ labels: MatrixLabels) -> String {
        switch self {
        case .fixFirst: labels.fixFirst
        case .keepUp: labels.keepUp
        case .overServed: labels.overServed
        case .lowPriority: labels.lowPriority
        }
    }
}

extension Charts {
    /// Geometry of the matrix; tests derive expected coordinates from these.
    enum MatrixLayout {
        static let width = 560.0
        static let height = 500.0
        static let plotLeft = 72.0
        static let plotTop = 24.0
        static let plotWidth = 456.0
        static let plotHeight = 416.0
        static let scale = 1.0...5.0
        static let minRadius = 5.0
        static let maxRadius = 11.0
        /// Points closer than this on both axes (in scale units) would hide each other.
        static let nearby = 0.05

        static var plotRight: Double { plotLeft + plotWidth }
        static var plotBottom: Double { plotTop + plotHeight }

        static func x(quality: Double) -> Double {
            plotLeft + (clamp(quality) - scale.lowerBound) / (scale.upperBound - scale.lowerBound) * plotWidth
        }

        static func y(relevance: Double) -> Double {
            plotBottom - (clamp(relevance) - scale.lowerBound) / (scale.upperBound - scale.lowerBound) * plotHeight
        }

        static func clamp(_ value: Double) -> Double {
            min(max(value, scale.lowerBound), scale.upperBound)
        }

        /// Square root, so a dot for 100 assessments is not ten times one for 1: size hints at
        /// confidence without dominating the chart.
        static func radius(n: Int) -> Double {
            min(maxRadius, minRadius + Double(max(n, 0)).squareRoot())
        }
    }

    struct PlacedPoint {
        var point: MatrixPoint
        var quadrant: MatrixQuadrant
        var x: Double
        var y: Double
        var radius: Double
    }

    /// Points within `nearby` of a group's first point share a ring around it, each at its own angle,
    /// so identical means stay separately visible and clickable. The ring moves inwards where it would
    /// cross the plot edge, so nothing is drawn outside the axes.
    static func placeMatrixPoints(_ points: [MatrixPoint]) -> [PlacedPoint] {
        typealias L = MatrixLayout
        let valid = points.filter { $0.relevance.isFinite && $0.quality.isFinite }
        var groups: [(quality: Double, relevance: Double, members: [Int])] = []
        for (index, point) in valid.enumerated() {
            let q = L.clamp(point.quality), r = L.clamp(point.relevance)
            if let g = groups.firstIndex(where: { abs($0.quality - q) <= L.nearby && abs($0.relevance - r) <= L.nearby }) {
                groups[g].members.append(index)
            } else {
                groups.append((q, r, [index]))
            }
        }
        var placed: [(order: Int, PlacedPoint)] = []
        for group in groups {
            let count = group.members.count
            let largest = group.members.map { L.radius(n: valid[$0].n) }.max() ?? L.minRadius
            // Neighbours on the ring sit one diameter apart, up to a cap for very large groups.
            let ring = count < 2 ? 0 : min(min(L.plotWidth, L.plotHeight) / 5, (largest + 1.5) / sin(Double.pi / Double(count)))
            let cx = min(max(L.x(quality: group.quality), L.plotLeft + ring), L.plotRight - ring)
            let cy = min(max(L.y(relevance: group.relevance), L.plotTop + ring), L.plotBottom - ring)
            for (slot, index) in group.members.enumerated() {
                let angle = -Double.pi / 2 + 2 * Double.pi * Double(slot) / Double(count)
                let point = valid[index]
                placed.append((index, PlacedPoint(
                    point: point,
                    quadrant: .of(relevance: L.clamp(point.relevance), quality: L.clamp(point.quality)),
                    x: count < 2 ? cx : cx + ring * cos(angle),
                    y: count < 2 ? cy : cy + ring * sin(angle),
                    radius: L.radius(n: point.n))))
            }
        }
        // Big dots first so small ones stay on top and clickable; input order breaks ties.
        return placed.sorted { a, b in
            a.1.radius != b.1.radius ? a.1.radius > b.1.radius : a.order < b.order
        }.map(\.1)
    }

    /// Relevance (up) against perceived quality (right) on 1–5 axes, split into four quadrants at 3.0.
    /// Each point links to its item and carries `labels.pointTitle` as tooltip.
    public static func relevanceQualityMatrix(id: String, points: [MatrixPoint], labels: MatrixLabels) -> String {
        typealias L = MatrixLayout
        let n = number
        return document(id: id, kind: "chart-matrix", width: L.width, height: L.height,
                        title: labels.title, description: labels.description) { svg in
            let midX = L.x(quality: MatrixQuadrant.split), midY = L.y(relevance: MatrixQuadrant.split)
            let areas: [(MatrixQuadrant, x: Double, y: Double, w: Double, h: Double)] = [
                (.fixFirst, L.plotLeft, L.plotTop, midX - L.plotLeft, midY - L.plotTop),
                (.keepUp, midX, L.plotTop, L.plotRight - midX, midY - L.plotTop),
                (.overServed, midX, midY, L.plotRight - midX, L.plotBottom - midY),
                (.lowPriority, L.plotLeft, midY, midX - L.plotLeft, L.plotBottom - midY),
            ]
            for area in areas {
                svg.element("rect", ["class": "quadrant \(area.0.cssClass)", "x": n(area.x), "y": n(area.y),
                                     "width": n(area.w), "height": n(area.h), "fill": area.0.fallbackFill])
            }
            for tick in 1...5 {
                let value = Double(tick), x = L.x(quality: value), y = L.y(relevance: value)
                svg.element("line", ["class": "grid", "x1": n(x), "y1": n(L.plotTop), "x2": n(x), "y2": n(L.plotBottom),
                                     "stroke": "#d0d5dd", "stroke-width": "1"])
                svg.element("line", ["class": "grid", "x1": n(L.plotLeft), "y1": n(y), "x2": n(L.plotRight), "y2": n(y),
                                     "stroke": "#d0d5dd", "stroke-width": "1"])
                svg.element("text", ["class": "tick", "x": n(x), "y": n(L.plotBottom + 18), "text-anchor": "middle",
                                     "font-size": "12", "fill": "#4b5563"], text: "\(tick)")
                svg.element("text", ["class": "tick", "x": n(L.plotLeft - 10), "y": n(y + 4), "text-anchor": "end",
                                     "font-size": "12", "fill": "#4b5563"], text: "\(tick)")
            }
            svg.element("line", ["class": "split", "x1": n(midX), "y1": n(L.plotTop), "x2": n(midX), "y2": n(L.plotBottom),
                                 "stroke": "#6b7280", "stroke-width": "1.5"])
            svg.element("line", ["class": "split", "x1": n(L.plotLeft), "y1": n(midY), "x2": n(L.plotRight), "y2": n(midY),
                                 "stroke": "#6b7280", "stroke-width": "1.5"])
            let corners: [(MatrixQuadrant, x: Double, y: Double, anchor: String)] = [
                (.fixFirst, L.plotLeft + 8, L.plotTop + 18, "start"),
                (.keepUp, L.plotRight - 8, L.plotTop + 18, "end"),
                (.overServed, L.plotRight - 8, L.plotBottom - 10, "end"),
                (.lowPriority, L.plotLeft + 8, L.plotBottom - 10, "start"),
            ]
            for corner in corners {
                svg.element("text", ["class": "quadrant-label \(corner.0.cssClass)-label", "x": n(corner.x), "y": n(corner.y),
                                     "text-anchor": corner.anchor, "font-size": "13", "font-weight": "bold", "fill": "#374151"],
                            text: corner.0.label(labels))
            }
            svg.element("text", ["class": "axis-title", "x": n(L.plotLeft + L.plotWidth / 2), "y": n(L.plotBottom + 44),
                                 "text-anchor": "middle", "font-size": "13", "fill": "#111827"], text: labels.xAxis)
            let yTitleX = 22.0, yTitleY = L.plotTop + L.plotHeight / 2
            svg.element("text", ["class": "axis-title", "x": n(yTitleX), "y": n(yTitleY), "text-anchor": "middle",
                                 "transform": "rotate(-90 \(n(yTitleX)) \(n(yTitleY)))", "font-size": "13", "fill": "#111827"],
                        text: labels.yAxis)

            let placed = placeMatrixPoints(points)
            if placed.isEmpty {
                svg.element("text", ["class": "no-data", "x": n(L.plotLeft + L.plotWidth / 2), "y": n(L.plotTop + L.plotHeight / 2 + 5),
                                     "text-anchor": "middle", "font-size": "14", "fill": "#4b5563"], text: labels.noData)
            }
            for item in placed {
                let tooltip = labels.pointTitle(item.point)
                svg.link(item.point.href, label: tooltip) { svg in
                    svg.element("circle", ["class": "point point-\(item.quadrant.cssClass.dropFirst(2))",
                                           "cx": n(item.x), "cy": n(item.y), "r": n(item.radius),
                                           "fill": "#2563eb", "fill-opacity": "0.85", "stroke": "#ffffff", "stroke-width": "1.5"],
                                title: tooltip)
                }
            }
        }
    }
}
