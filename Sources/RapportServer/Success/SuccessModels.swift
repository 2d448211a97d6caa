import Fluent
import Foundation
import RapportKit
import Vapor

/// A customer's goal as the customer sees it. `revision` counts resets (each keeps the old version in
/// `goal_versions`); agreements belong to one revision, so a reset needs agreeing again.
final class Goal: TenantModel, Versioned, @unchecked Sendable {
    static let schema = "goals"
    static let entityName = "goal"
    static var workspaceField: KeyPath<Goal, FieldProperty<Goal, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "account_id") var accountID: UUID
    @OptionalField(key: "parent_id") var parentID: UUID?
    @Field(key: "title") var title: String
    @OptionalField(key: "description") var description: String?
    @Field(key: "horizon") var horizon: String
    @Field(key: "level") var level: String
    @OptionalField(key: "vendor_owner_id") var vendorOwnerID: UUID?
    @OptionalField(key: "customer_owner_id") var customerOwnerID: UUID?
    @Field(key: "attainment") var attainment: String
    @Field(key: "revision") var revision: Int
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}
}

final class GoalVersion: TenantModel, @unchecked Sendable {
    static let schema = "goal_versions"
    static let entityName = "goal version"
    static var workspaceField: KeyPath<GoalVersion, FieldProperty<GoalVersion, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "goal_id") var goalID: UUID
    @Field(key: "revision") var revision: Int
    /// The goal and its KPIs as they were, as JSON.
    @Field(key: "snapshot") var snapshot: String
    @Field(key: "reason") var reason: String
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

final class GoalKPI: TenantModel, Versioned, @unchecked Sendable {
    static let schema = "goal_kpis"
    static let entityName = "KPI"
    static var workspaceField: KeyPath<GoalKPI, FieldProperty<GoalKPI, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "goal_id") var goalID: UUID
    @Field(key: "name") var name: String
    @Field(key: "unit") var unit: String
    @Field(key: "baseline") var baseline: Double
    @Field(key: "baseline_on") var baselineOn: String
    @Field(key: "target") var target: Double
    @Field(key: "deadline") var deadline: String
    @Field(key: "source") var source: String
    /// For usage: the feature counted; for surveys: the metric ("nps").
    @OptionalField(key: "source_ref") var sourceRef: String?
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}
}

final class KPIMeasurement: TenantModel, @unchecked Sendable {
    static let schema = "kpi_measurements"
    static let entityName = "KPI measurement"
    static var workspaceField: KeyPath<KPIMeasurement, FieldProperty<KPIMeasurement, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "kpi_id") var kpiID: UUID
    @Field(key: "measured_on") var measuredOn: String
    @Field(key: "value") var value: Double
    @Field(key: "source") var source: String
    @OptionalField(key: "note") var note: String?
    @Field(key: "recorded_by") var recordedBy: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

/// One side's ex-ante agreement ("this is what success looks like") or ex-post sign-off ("this goal
/// was reached") for one revision of a goal.
final class GoalAgreement: TenantModel, @unchecked Sendable {
    static let schema = "goal_agreements"
    static let entityName = "goal agreement"
    static var workspaceField: KeyPath<GoalAgreement, FieldProperty<GoalAgreement, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "goal_id") var goalID: UUID
    @Field(key: "revision") var revision: Int
    @Field(key: "stage") var stage: String
    @Field(key: "side") var side: String
    @OptionalField(key: "attainment") var attainment: String?
    @Field(key: "by_name") var byName: String
    @Field(key: "via") var via: String
    @OptionalField(key: "note") var note: String?
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

final class SuccessPlan: TenantModel, Versioned, @unchecked Sendable {
    static let schema = "success_plans"
    static let entityName = "success plan"
    static var workspaceField: KeyPath<SuccessPlan, FieldProperty<SuccessPlan, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "account_id") var accountID: UUID
    @Field(key: "title") var title: String
    @OptionalField(key: "vendor_owner_id") var vendorOwnerID: UUID?
    @OptionalField(key: "customer_owner_id") var customerOwnerID: UUID?
    /// JSON array of at most three texts.
    @Field(key: "priorities") var priorities: String
    @OptionalField(key: "budget_minor") var budgetMinor: Int64?
    @OptionalField(key: "currency") var currency: String?
    @OptionalField(key: "promised") var promised: String?
    @OptionalField(key: "realistic") var realistic: String?
    /// JSON: phase → {"planned": date, "actual": date}.
    @Field(key: "phases") var phases: String
    @Field(key: "visibility") var visibility: String
    /// SHA-256 of the share link's secret; nil when the plan is not shared.
    @OptionalField(key: "share_hash") var shareHash: String?
    @OptionalField(key: "shared_at") var sharedAt: Date?
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}
}

final class PlanMilestone: TenantModel, @unchecked Sendable {
    static let schema = "plan_milestones"
    static let entityName = "milestone"
    static var workspaceField: KeyPath<PlanMilestone, FieldProperty<PlanMilestone, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "plan_id") var planID: UUID
    @Field(key: "title") var title: String
    @Field(key: "phase") var phase: String
    @Field(key: "due_on") var dueOn: String
    @OptionalField(key: "done_on") var doneOn: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
}

final class HealthModelRow: TenantModel, @unchecked Sendable {
    static let schema = "health_models"
    static let entityName = "health model"
    static var workspaceField: KeyPath<HealthModelRow, FieldProperty<HealthModelRow, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    /// "" is the default model; any other value is the segment it applies to.
    @Field(key: "segment") var segment: String
    @Field(key: "model") var model: String
    @Field(key: "version") var version: Int
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}
}

final class HealthScoreRow: TenantModel, @unchecked Sendable {
    static let schema = "health_scores"
    static let entityName = "health score"
    static var workspaceField: KeyPath<HealthScoreRow, FieldProperty<HealthScoreRow, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "account_id") var accountID: UUID
    @Field(key: "computed_on") var computedOn: String
    @OptionalField(key: "score") var score: Double?
    @OptionalField(key: "band") var band: String?
    /// The `HealthScore` with every component's contribution, as JSON.
    @Field(key: "detail") var detail: String
    init() {}
}
