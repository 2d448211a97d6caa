import Fluent
import Foundation
import RapportKit
import Vapor

/// Puts the demo journeys in through the same functions the API uses, so the demo obeys every rule
/// a user's own data does. Assessments come from three team members over two rounds, scattered
/// around each touchpoint's centre, so the matrix and the curve have honest n > 1.
enum DemoJourneySeeder {
    static func seed(_ ws: Workspace, assessors: [User], on db: any Database) async throws {
        let system = Caller.system(ws)
        let scope = ws.scope(on: db)
        try await Channels.seedDefaults(workspaceID: ws.id!, on: db)
        var ids: [String: UUID] = [:]
        var rng = DemoRandom(seed: 7)
        let now = Date()
        for demo in DemoJourneys.all {
            var fields: [String: String] = ["slug": demo.slug, "name": demo.name, "description": demo.description]
            if let s = demo.segment { fields["segment"] = s }
            if let p = demo.parentSlug { fields["parent_journey_id"] = ids[p]!.uuidString }
            if let v = demo.variantOf { fields["variant_of_id"] = ids[v]!.uuidString; fields["variant_channel"] = demo.variantChannel }
            let (journey, _) = try await JourneysAPI.insert(try JourneySchemas.journey.validate(fields).mapError(\.appError).get(), by: system, on: db)
            ids[demo.slug] = journey.id!
            var phases: [JourneyPhase] = []
            for name in demo.phases {
                phases.append(try await PhasesAPI.add(to: journey, values: ["name": .text(name)], scope: scope, by: system))
            }
            for t in demo.touchpoints {
                var f: [String: String] = ["name": t.name, "channel": t.channel, "journey": demo.slug, "direction": t.direction,
                                           "phases": t.phases.map { phases[$0].slug }.joined(separator: ","),
                                           "responsible_department": t.department, "co_departments": t.coDepartments.joined(separator: ","),
                                           "products": t.products.joined(separator: ","), "target_groups": t.targetGroups.joined(separator: ","),
                                           "feedback_measured": t.feedbackMeasured ? "yes" : "no", "ownership": t.ownership,
                                           "controllable": t.controllable ? "yes" : "no"]
                if let i = t.improvement { f["improvement_needs"] = i }
                let (tp, _) = try await TouchpointsAPI.insert(try JourneySchemas.touchpoint.validate(f).mapError(\.appError).get(), by: system, on: db)
                // Two rounds, 60 and 10 days ago; not everyone assesses every touchpoint.
                for (round, daysAgo) in [(0, 60.0), (1, 10.0)] {
                    for user in assessors where rng.next() % 4 != 0 {
                        let caller = Caller(kind: .user(user.id!), workspaceID: ws.id!, workspaceSlug: ws.slug, workspaceName: ws.name, role: .cxManager, label: "user \(user.email)", zone: ws.zone)
                        let drift = round == 1 && t.quality <= 2 ? 1 : 0   // the team fixed some pain points between the rounds
                        let v: [String: FieldValue] = ["relevance": .integer(clamp(t.relevance + jitter(&rng))),
                                                       "quality": .integer(clamp(t.quality + drift + jitter(&rng)))]
                        _ = try await Assessments.record(tp, v, at: now.addingTimeInterval(-daysAgo * 86400 + Double(rng.next() % 3600)), by: caller, scope: scope)
                    }
                }
            }
            for (phase, kind, segment, text) in demo.notes {
                var v: [String: FieldValue] = ["phase_id": .text(phases[phase].id!.uuidString), "kind": .text(kind), "text": .text(text)]
                if let segment { v["segment"] = .text(segment) }
                _ = try await PhaseNotesAPI.add(to: journey, v, by: system, scope: scope)
            }
            for (milestone, (level, evidence)) in zip(MaturityMilestone.allCases, demo.maturity) where level != "not_started" {
                var v: [String: FieldValue] = ["milestone": .text(milestone.rawValue), "level": .text(level)]
                if let evidence { v["evidence"] = .text(evidence) }
                _ = try await MaturityAPI.add(to: journey, v, at: now.addingTimeInterval(-Double(30 - milestone.number * 5) * 86400), by: system, scope: scope)
            }
        }
    }

    private static func clamp(_ v: Int) -> Int { min(5, max(1, v)) }
    private static func jitter(_ rng: inout DemoRandom) -> Int { [0, 0, 0, 1, -1][Int(rng.next() % 5)] }
}
