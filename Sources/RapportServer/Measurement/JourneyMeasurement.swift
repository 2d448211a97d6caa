import Foundation
import RapportKit

/// Measured satisfaction along a journey: the T-NPS of each phase, from the roll-ups, with n, interval
/// and guardrail state. The journey map's emotion curve and the journey owner's dashboard read it.
enum JourneyMeasurement {
    /// The T-NPS per phase of `journey` in the period and filters given (the last twelve months by
    /// default); phases without answers are missing from the result.
    static func phaseNPS(journey: UUID, scope: Scope, filters: [String: String] = [:], guardrail: Guardrail? = nil,
                         dims: MeasurementDimensions? = nil) async throws -> [UUID: MetricGroup] {
        var query = filters
        query["metric"] = "nps"
        query["kind"] = "transactional"
        query["group_by"] = "phase"
        query["journey"] = journey.uuidString.lowercased()
        let request = try MetricRequest.parse(query, indices: [])
        var rail = guardrail
        if rail == nil { rail = try await MeasurementSettingsStore.load(scope).guardrail }
        let result = try await MetricEngine.run(request, scope: scope, guardrail: rail!, dims: dims)
        var out: [UUID: MetricGroup] = [:]
        for g in result.groups where g.n > 0 {
            if let id = g.key["phase"].flatMap(UUID.init(uuidString:)) { out[id] = g }
        }
        return out
    }
}
