import Foundation

/// What one answer adds to the roll-ups: the metric it feeds, the question (matrix items as
/// "matrix.item"), the top of its scale and the value given.
public struct RollupScore: Sendable, Hashable {
    /// nps, csat and ces for the first question of that type in a survey (the survey's headline figure);
    /// item for every other scale question (Likert, matrix items, competitor NPS, a second NPS).
    public var metric: String
    public var question: String
    public var scaleMax: Int
    public var value: Int

    public init(metric: String, question: String, scaleMax: Int, value: Int) {
        self.metric = metric
        self.question = question
        self.scaleMax = scaleMax
        self.value = value
    }

    /// The metrics a roll-up row can carry; `responses` counts answered surveys (response volume).
    public static let metrics = ["nps", "csat", "ces", "item", "responses"]
}

extension SurveyDefinition {
    /// The questions roll-ups count, in order: matrix items as "matrix.item". The first NPS, CSAT and CES
    /// question is the survey's headline metric; the rest are items, so one response never counts twice.
    public func countedQuestions() -> [(metric: String, question: String, item: String?, scaleMax: Int)] {
        let headline = Set([QuestionType.nps, .csat, .ces].compactMap { type in questions.first { $0.type == type }?.id })
        var out: [(metric: String, question: String, item: String?, scaleMax: Int)] = []
        for q in questions {
            guard let range = q.range else { continue }
            if q.type == .matrix {
                for item in q.items ?? [] { out.append(("item", q.id, item.id, range.upperBound)) }
            } else {
                out.append((headline.contains(q.id) ? q.type.rawValue : "item", q.id, nil, range.upperBound))
            }
        }
        return out
    }

    /// The scale answers of a response as roll-ups count them.
    public func rollupScores(_ answers: [String: Answer]) -> [RollupScore] {
        rollupScores(answers, counted: countedQuestions())
    }

    /// The same with the counted questions worked out once for many responses.
    public func rollupScores(_ answers: [String: Answer], counted: [(metric: String, question: String, item: String?, scaleMax: Int)]) -> [RollupScore] {
        counted.compactMap { c in
            let value: Int?
            switch answers[c.question] {
            case .grid(let grid)?: value = c.item.flatMap { grid[$0] }
            case .number(let n)? where c.item == nil: value = n
            default: value = nil
            }
            guard let v = value, v <= c.scaleMax, v >= (c.scaleMax == 10 ? 0 : 1) else { return nil }
            return RollupScore(metric: c.metric, question: c.item.map { c.question + "." + $0 } ?? c.question, scaleMax: c.scaleMax, value: v)
        }
    }
}

/// Calendar keys of roll-ups: days as yyyymmdd and months as yyyymm, in UTC.
public enum RollupCalendar {
    private static let utc: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    public static func day(_ date: Date) -> Int {
        let c = utc.dateComponents([.year, .month, .day], from: date)
        return c.year! * 10_000 + c.month! * 100 + c.day!
    }

    public static func month(_ date: Date) -> Int { day(date) / 100 }

    public static func month(ofDay day: Int) -> Int { day / 100 }

    /// The first moment of a yyyymmdd day, nil if it is no date.
    public static func start(ofDay day: Int) -> Date? {
        let y = day / 10_000, m = day / 100 % 100, d = day % 100
        guard (1...12).contains(m), (1...31).contains(d),
              let date = utc.date(from: DateComponents(year: y, month: m, day: d)), RollupCalendar.day(date) == day else { return nil }
        return date
    }

    /// Months from `from` to `to` (yyyymm), both included.
    public static func months(from: Int, to: Int) -> [Int] {
        guard from <= to else { return [] }
        var out: [Int] = []
        var m = from
        while m <= to {
            out.append(m)
            m = m % 100 == 12 ? (m / 100 + 1) * 100 + 1 : m + 1
        }
        return out
    }

    /// The month `count` months before (negative: after) the given one.
    public static func month(_ month: Int, minus count: Int) -> Int {
        let index = (month / 100) * 12 + (month % 100 - 1) - count
        return (index / 12) * 100 + index % 12 + 1
    }

    /// The last day (yyyymmdd) of a month.
    public static func lastDay(ofMonth month: Int) -> Int {
        let first = start(ofDay: month * 100 + 1)!
        let next = utc.date(byAdding: .month, value: 1, to: first)!
        return day(next.addingTimeInterval(-1))
    }

    /// "2026-03" for 202603, "2026-03-15" for 20260315.
    public static func label(month: Int) -> String {
        padded(month / 100, 4) + "-" + padded(month % 100, 2)
    }

    public static func label(day: Int) -> String {
        padded(day / 10_000, 4) + "-" + padded(day / 100 % 100, 2) + "-" + padded(day % 100, 2)
    }

    /// Zero-padded digits without String(format:), which dashboards call thousands of times a page.
    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Reads "2026-03" (a month) or "2026-03-15" (a day) as a day range; nil if malformed.
    public static func parse(_ text: String, end: Bool) -> Int? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts[0].count == 4, parts.dropFirst().allSatisfy({ $0.count == 2 }),
              let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m), y >= 1900, y <= 2200 else { return nil }
        if parts.count == 2 {
            let month = y * 100 + m
            return end ? lastDay(ofMonth: month) : month * 100 + 1
        }
        guard let d = Int(parts[2]) else { return nil }
        let day = y * 10_000 + m * 100 + d
        return start(ofDay: day) == nil ? nil : day
    }
}
