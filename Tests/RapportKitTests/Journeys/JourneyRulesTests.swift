import Foundation
import Testing
@testable import RapportKit

@Suite("Journey rules")
struct JourneyRulesTests {
    @Test("slugs are plain ASCII made from German and English names")
    func slugs() {
        #expect(JourneyRules.slug(from: "Schadenmeldung über Telefon") == "schadenmeldung-ueber-telefon")
        #expect(JourneyRules.slug(from: "  Onboarding → Renewal!! ") == "onboarding-renewal")
        #expect(JourneyRules.slug(from: "Straße") == "strasse")
        #expect(JourneyRules.slug(from: "???") == "untitled")
        #expect(JourneyRules.slug(from: String(repeating: "a", count: 90)).count == 60)
        #expect(JourneyRules.slugProblem("claim-report_2") == nil)
        #expect(JourneyRules.slugProblem("Claim Report")?.contains("claim-report") == true)
        #expect(JourneyRules.slugProblem("-x") != nil)
    }

    @Test("only http and https addresses are links")
    func urls() {
        #expect(JourneyRules.urlProblem("https://www.vorsorge.example/schaden") == nil)
        #expect(JourneyRules.urlProblem("javascript:alert(1)") != nil)
        #expect(JourneyRules.urlProblem("www.example.com") != nil)
        #expect(JourneyRules.urlProblem("ftp://example.com") != nil)
    }

    @Test("phase positions never leave a gap")
    func positions() {
        #expect(JourneyRules.insertPositionProblem(4, phaseCount: 3) == nil)
        #expect(JourneyRules.insertPositionProblem(1, phaseCount: 0) == nil)
        #expect(JourneyRules.insertPositionProblem(6, phaseCount: 3)?.contains("gap") == true)
        #expect(JourneyRules.insertPositionProblem(0, phaseCount: 3) != nil)
        #expect(JourneyRules.movePositionProblem(3, phaseCount: 3) == nil)
        #expect(JourneyRules.movePositionProblem(4, phaseCount: 3) != nil)
        #expect(JourneyRules.orderProblems([2, 1, 3]).isEmpty)
        let problems = JourneyRules.orderProblems([1, 1, 4])
        #expect(problems.contains { $0.contains("position 1 is given 2 times") })
        #expect(problems.contains { $0.contains("2, 3 are missing") })
        #expect(problems.contains { $0.contains("position 4 is outside") })
    }

    @Test("sub-journey loops are found, including a journey as its own parent")
    func cycles() {
        let parents = ["b": "a", "c": "b"]
        #expect(JourneyRules.wouldCycle(node: "a", parent: "c", parentOf: { parents[$0] }))
        #expect(JourneyRules.wouldCycle(node: "a", parent: "a", parentOf: { parents[$0] }))
        #expect(!JourneyRules.wouldCycle(node: "d", parent: "c", parentOf: { parents[$0] }))
        #expect(!JourneyRules.wouldCycle(node: "a", parent: nil, parentOf: { parents[$0] }))
    }

    @Test("each assessor counts once, with the latest judgement")
    func summary() throws {
        let t0 = Date(timeIntervalSince1970: 0)
        let s = try #require(AssessmentSummary.of([
            AssessmentScore(assessor: "anna", at: t0, relevance: 5, quality: 1),
            AssessmentScore(assessor: "anna", at: t0 + 86400, relevance: 4, quality: 2),
            AssessmentScore(assessor: "ben", at: t0 + 10, relevance: 2, quality: 4),
        ]))
        #expect(s.n == 2 && s.total == 3)
        #expect(s.relevance == 3 && s.quality == 3)
        #expect(s.relevanceRange == 2...4 && s.qualityRange == 2...4)
        #expect(s.lastAssessedAt == t0 + 86400)
        #expect(AssessmentSummary.of([]) == nil)
    }

    @Test("the emotion curve says how many assessments and touchpoints stand behind each phase")
    func curve() {
        let points = EmotionCurve.fromAssessments(
            phases: ["report", "assess", "pay"],
            touchpointsByPhase: ["report": ["t1", "t2"], "assess": ["t3"]],
            latestQualities: ["t1": [4, 5], "t2": [3]])
        #expect(points.map(\.phase) == ["report", "assess", "pay"])
        #expect(points[0].estimate?.n == 3 && points[0].estimate?.mean == 4)
        #expect(points[0].assessedTouchpoints == 2 && points[0].touchpoints == 2)
        #expect(points[1].estimate == nil && points[1].touchpoints == 1)
        #expect(points[2].estimate == nil && points[2].touchpoints == 0)
    }

    @Test("maturity counts milestones in order")
    func maturity() {
        var p = MaturityProgress(levels: [:])
        #expect(p.percent == 0 && p.stage == 0)
        p = MaturityProgress(levels: [.journeyPerChannelKnown: .achieved, .targetGroupsKnown: .partly, .relevantTouchpointsLinked: .achieved])
        #expect(p.percent == 62 && p.stage == 1)
        p = MaturityProgress(levels: Dictionary(uniqueKeysWithValues: MaturityMilestone.allCases.map { ($0, .achieved) }))
        #expect(p.percent == 100 && p.stage == 4)
        #expect(MaturityMilestone.relevantTouchpointsLinked.number == 4)
    }

    @Test("grouping by a many-valued field puts a row in each of its groups")
    func grouping() {
        let rows = [("a", ["Kfz", "Hausrat"]), ("b", ["hausrat"]), ("c", []), ("d", ["Ärzte"])]
        let groups = groupRows(rows, none: "(none)") { $0.1 }
        #expect(groups.map(\.key) == ["Ärzte", "hausrat", "Hausrat", "Kfz", "(none)"] || groups.map(\.key) == ["Ärzte", "Hausrat", "hausrat", "Kfz", "(none)"])
        #expect(groups.first { $0.key == "Kfz" }?.rows.map(\.0) == ["a"])
        #expect(groups.last?.rows.map(\.0) == ["c"])
    }

    @Test("touchpoint fields: booleans, tags and scores are checked")
    func schema() {
        guard case .failure(let f) = JourneySchemas.touchpoint.validate(["name": "Brief: Eingangsbestätigung", "channel": "letter",
                                                                         "feedback_measured": "vielleicht", "products": Array(repeating: "p", count: 31).enumerated().map { "p\($0.offset)" }.joined(separator: ",")]) else {
            Issue.record("accepted bad input"); return
        }
        #expect(Set(f.errors.map(\.field)) == ["feedback_measured", "products"])
        let ok = try? JourneySchemas.touchpoint.validate(["name": "x", "channel": "letter", "feedback_measured": "Ja", "controllable": "0", "products": "Kfz; Hausrat, Kfz"]).get()
        #expect(ok?.boolean("feedback_measured") == true && ok?.boolean("controllable") == false)
        #expect(ok?.list("products") == ["Kfz", "Hausrat"])
        guard case .failure(let a) = JourneySchemas.assessment.validate(["relevance": "6", "quality": "0"]) else { Issue.record("accepted 6"); return }
        #expect(a.errors.map(\.field) == ["relevance", "quality"])
    }
}

@Suite("Uploads")
struct UploadCheckTests {
    let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
    let pdf = Array("%PDF-1.7\n%âãÏÓ".utf8)

    @Test("the bytes must match the name and the declared type")
    func mislabelled() throws {
        #expect(try UploadCheck.check(filename: "shot.png", declaredType: "image/png", size: 100, head: png).get() == .png)
        #expect(try UploadCheck.check(filename: "Brief.PDF", declaredType: nil, size: 100, head: pdf).get() == .pdf)
        guard case .failure(let p) = UploadCheck.check(filename: "shot.png", declaredType: "image/png", size: 100, head: pdf) else { Issue.record("took a PDF as PNG"); return }
        #expect(p.reason.contains("its content is a PDF document"))
        guard case .failure(let q) = UploadCheck.check(filename: "shot.png", declaredType: "application/pdf", size: 100, head: png) else { Issue.record("took a false type"); return }
        #expect(q.reason.contains("sent as application/pdf"))
    }

    @Test("script-carrying and unknown types, empty and oversized files are refused")
    func refused() throws {
        #expect((try? UploadCheck.check(filename: "x.svg", declaredType: "image/svg+xml", size: 10, head: Array("<svg/>".utf8)).get()) == nil)
        #expect((try? UploadCheck.check(filename: "x.txt", declaredType: "text/plain", size: 10, head: Array("<html><script>".utf8)).get()) == nil)
        #expect((try? UploadCheck.check(filename: "x.txt", declaredType: "text/plain", size: 3, head: [0x41, 0, 0x42]).get()) == nil)
        #expect((try? UploadCheck.check(filename: "x.png", declaredType: nil, size: 0, head: []).get()) == nil)
        guard case .failure(let big) = UploadCheck.check(filename: "x.png", declaredType: nil, size: 11 * 1024 * 1024, head: png) else { Issue.record("took 11 MB"); return }
        #expect(big.reason.contains("11.0 MB") && big.reason.contains("10.0 MB"))
        #expect(try UploadCheck.check(filename: "notes.txt", declaredType: "text/plain", size: 12, head: Array("Grüße, Team".utf8)).get() == .text)
        #expect(try UploadCheck.check(filename: "Vorlage.docx", declaredType: nil, size: 12, head: [0x50, 0x4B, 3, 4, 0, 0]).get() == .docx)
    }
}

@Suite("Mean with confidence interval")
struct MeanEstimateTests {
    @Test("t quantiles and intervals agree with scipy")
    func againstScipy() throws {
        let samples: [[Double]] = [[4, 5, 3], [1, 2, 2, 3, 5, 4, 4, 3, 2, 1, 5, 5], (0..<45).map { Double($0 % 5 + 1) }, [3, 3]]
        let ours = samples.map { MeanEstimate.of($0)! }
        let script = """
        import json, sys
        from scipy import stats
        import numpy as np
        out = []
        for s in json.load(sys.stdin):
            a = np.array(s, dtype=float)
            lo, hi = stats.t.interval(0.95, len(a) - 1, loc=a.mean(), scale=stats.sem(a)) if a.std() > 0 else (a.mean(), a.mean())
            out.append([float(a.mean()), float(lo), float(hi)])
        out.append([float(stats.t.ppf(0.975, df)) for df in (1, 2, 10, 30, 31, 44, 100, 1000)])
        print(json.dumps(out))
        """
        let reference = try runPython(script, input: JSONSerialization.data(withJSONObject: samples))
        for (i, r) in reference.dropLast().enumerated() {
            #expect(abs(ours[i].mean - r[0]) < 1e-9)
            #expect(abs(ours[i].low! - r[1]) < 1e-3, "sample \(i) low")
            #expect(abs(ours[i].high! - r[2]) < 1e-3, "sample \(i) high")
        }
        for (df, q) in zip([1, 2, 10, 30, 31, 44, 100, 1000], reference.last!) {
            #expect(abs(MeanEstimate.tQuantile975(df: df) - q) < 2e-4, "df \(df)")
        }
        #expect(MeanEstimate.of([4])?.low == nil)
    }
}

/// Runs a reference computation in Python (scipy comes with `scripts/test`); the reply is JSON.
func runPython<Reply: Decodable>(_ script: String, input: Data, as: Reply.Type = [[Double]].self) throws -> Reply {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", script]
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    p.standardInput = stdin; p.standardOutput = stdout; p.standardError = stderr
    try p.run()
    stdin.fileHandleForWriting.write(input)
    try stdin.fileHandleForWriting.close()
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    let err = stderr.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else {
        throw ReferenceError(message: "python3 with scipy is needed for the reference check (scripts/test installs it): " + String(decoding: err, as: UTF8.self))
    }
    return try JSONDecoder().decode(Reply.self, from: out)
}

struct ReferenceError: Error, CustomStringConvertible { let message: String; var description: String { message } }
