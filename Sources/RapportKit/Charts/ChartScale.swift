import Foundation

/// How far a measured value may be shown; the caller decides it from its sample-size rules, the chart
/// only draws it, so every chart on a page applies the same thresholds.
public enum ChartPointState: String, Sendable, CaseIterable {
    /// Enough answers: drawn normally.
    case shown
    /// Few answers: drawn, but hollow or hatched and with the value in brackets, so it reads as indicative.
    case bracketed
    /// Too few answers to show at all: no marker, bar or value, and no link to the answers behind it.
    case hidden
}

extension Charts {
    /// Scale and axis helpers shared by the dashboard charts (trend, interval bars, volume bars).
    enum Scales {
        /// 1, 2 or 5 times a power of ten: the smallest such step of at least `raw`.
        static func niceStep(_ raw: Double) -> Double {
            guard raw.isFinite, raw > 0 else { return 1 }
            let power = pow10(Int((log10(raw)).rounded(.down)))
            for factor in [1.0, 2, 5, 10] where factor * power >= raw * (1 - 1e-9) {
                return factor * power
            }
            return 10 * power
        }

        /// Multiples of a nice step inside the range, about `target` intervals; 0 is one of them
        /// whenever the range spans it. Rounded to the step's decimals so 0.1 × 3 prints as 0.3.
        static func ticks(_ range: (lower: Double, upper: Double), target: Int) -> [Double] {
            let step = niceStep((range.upper - range.lower) / Double(max(target, 1)))
            let first = Int((range.lower / step - 1e-9).rounded(.up)), last = Int((range.upper / step + 1e-9).rounded(.down))
            guard first <= last, last - first <= 1000 else { return [range.lower, range.upper] }
            let decimals = max(0, -Int(log10(step).rounded(.down)))
            let unit = pow10(decimals)
            return (first...last).map { ((Double($0) * step * unit).rounded() / unit) + 0 }
        }

        /// Count axes start at 0 and step in whole numbers; an all-zero axis still gets a 0–1 frame.
        static func countTicks(max maximum: Int) -> [Int] {
            let step = max(1, Int(niceStep(Double(max(maximum, 0)) / 5)))
            let top = max(step, Int((Double(max(maximum, 0)) / Double(step)).rounded(.up)) * step)
            return Array(stride(from: 0, through: top, by: step))
        }

        /// Only finite values count; NaN or infinity from a broken import becomes "no value".
        static func finite(_ value: Double?) -> Double? {
            value.flatMap { $0.isFinite ? $0 : nil }
        }

        /// Every `step`-th label is shown so neighbours do not overlap; counting back from the last,
        /// because the latest period is the one a reader looks for.
        static func labelStep(count: Int, slot: Double, widest: Double, gap: Double = 16) -> Int {
            guard count > 1, slot > 0 else { return 1 }
            return max(1, Int(((widest + gap) / slot).rounded(.up)))
        }

        static func showsLabel(_ index: Int, count: Int, step: Int) -> Bool {
            (count - 1 - index) % max(step, 1) == 0
        }

        private static func pow10(_ exponent: Int) -> Double {
            var out = 1.0
            for _ in 0..<abs(exponent) { out *= 10 }
            return exponent < 0 ? 1 / out : out
        }
    }

    /// One entry of a chart key: its width for wrapping, and how to draw it at a left/baseline position.
    struct LegendItem {
        var width: Double
        var draw: (inout SVGWriter, _ x: Double, _ baseline: Double) -> Void
    }

    /// Lays legend items out left to right, wrapping into rows that fit `maxWidth`; returns the rows.
    static func legendRows(_ items: [LegendItem], maxWidth: Double) -> [[LegendItem]] {
        var rows: [[LegendItem]] = []
        var used = 0.0
        for item in items {
            if rows.isEmpty || (used + item.width > maxWidth && !rows[rows.count - 1].isEmpty) {
                rows.append([])
                used = 0
            }
            rows[rows.count - 1].append(item)
            used += item.width
        }
        return rows
    }

    static func drawLegend(_ rows: [[LegendItem]], into svg: inout SVGWriter, left: Double, top: Double, rowHeight: Double) {
        for (index, row) in rows.enumerated() {
            var x = left
            let baseline = top + Double(index) * rowHeight + rowHeight / 2 + 5
            for item in row {
                item.draw(&svg, x, baseline)
                x += item.width
            }
        }
    }
}

extension Charts {
    /// The no-data text, centred on white so a zero line or grid line behind it does not strike it through.
    static func noDataLabel(_ svg: inout SVGWriter, text: String, x: Double, y: Double, fontSize: Double) {
        let n = number
        let width = estimatedWidth(text, fontSize: fontSize) + 16
        svg.element("rect", ["class": "no-data-backing", "x": n(x - width / 2), "y": n(y - fontSize - 2), "width": n(width),
                             "height": n(fontSize + 10), "fill": "#ffffff"])
        svg.element("text", ["class": "no-data", "x": n(x), "y": n(y), "text-anchor": "middle", "font-size": n(fontSize),
                             "fill": "#4b5563"], text: text)
    }
}
