import Fluent
import Foundation
import RapportKit
import SQLKit
import Vapor

final class ChannelRow: TenantModel, @unchecked Sendable {
    static let schema = "channels"
    static let entityName = "channel"
    static var workspaceField: KeyPath<ChannelRow, FieldProperty<ChannelRow, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String
    @Field(key: "name_de") var nameDE: String
    @Field(key: "position") var position: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
}

final class Journey: TenantModel, Versioned, @unchecked Sendable {
    static let schema = "journeys"
    static let entityName = "journey"
    static var workspaceField: KeyPath<Journey, FieldProperty<Journey, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String
    @Field(key: "search_text") var searchText: String
    @OptionalField(key: "description") var description: String?
    @OptionalField(key: "parent_journey_id") var parentJourneyID: UUID?
    @OptionalField(key: "variant_of_id") var variantOfID: UUID?
    @OptionalField(key: "variant_channel") var variantChannel: String?
    @OptionalField(key: "segment") var segment: String?
    @OptionalField(key: "persona") var persona: String?
    @OptionalField(key: "owner_id") var ownerID: UUID?
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}
}

final class JourneyPhase: TenantModel, Versioned, @unchecked Sendable {
    static let schema = "journey_phases"
    static let entityName = "phase"
    static var workspaceField: KeyPath<JourneyPhase, FieldProperty<JourneyPhase, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "journey_id") var journeyID: UUID
    @Field(key: "position") var position: Int
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String
    @OptionalField(key: "description") var description: String?
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}
}

final class Touchpoint: TenantModel, Versioned, @unchecked Sendable {
    static let schema = "touchpoints"
    static let entityName = "touchpoint"
    static var workspaceField: KeyPath<Touchpoint, FieldProperty<Touchpoint, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @OptionalField(key: "external_id") var externalID: String?
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String
    @Field(key: "search_text") var searchText: String
    /// The many-valued fields as "|p:kfz|t:familien|cd:vertrieb|", folded: one LIKE filters them the
    /// same way on SQLite and PostgreSQL.
    @Field(key: "filter_text") var filterText: String
    @OptionalField(key: "description") var description: String?
    @OptionalField(key: "url") var url: String?
    @Field(key: "channel") var channel: String
    @OptionalField(key: "journey_id") var journeyID: UUID?
    @OptionalField(key: "direction") var direction: String?
    @Field(key: "products") var products: [String]
    @Field(key: "target_groups") var targetGroups: [String]
    @Field(key: "feedback_measured") var feedbackMeasured: Bool
    @OptionalField(key: "improvement_needs") var improvementNeeds: String?
    @Field(key: "sub_journey_ids") var subJourneyIDs: [String]
    @OptionalField(key: "responsible_department") var responsibleDepartment: String?
    @Field(key: "co_departments") var coDepartments: [String]
    @Field(key: "ownership") var ownership: String
    @Field(key: "controllable") var controllable: Bool
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    /// Phases chosen by the last `apply`, written by `afterSave` once the row exists.
    var pendingPhaseIDs: [UUID]?
    init() {}

    /// `%`, `_` and `\\` are LIKE wildcards or escapes (differently on SQLite and PostgreSQL): they are
    /// left out of the key on both the stored and the queried side, so a filter matches the same rows on both.
    static func filterKey(_ prefix: String, _ value: String) -> String {
        "|\(prefix):" + searchKey(value).filter { $0 != "%" && $0 != "_" && $0 != "\\" } + "|"
    }

    /// The `filter_text` of these many-valued fields (sub-journeys by lower-case id).
    static func filterText(products: [String], targetGroups: [String], coDepartments: [String], subJourneyIDs: [String]) -> String {
        "|" + (products.map { filterKey("p", $0) } + targetGroups.map { filterKey("t", $0) }
            + coDepartments.map { filterKey("cd", $0) } + subJourneyIDs.map { filterKey("s", $0) })
            .map { String($0.dropFirst()) }.joined()
    }

    func refreshDerived() {
        searchText = searchKey(name, slug, externalID)
        filterText = Self.filterText(products: products, targetGroups: targetGroups, coDepartments: coDepartments, subJourneyIDs: subJourneyIDs)
    }
}

final class TouchpointPhase: TenantModel, @unchecked Sendable {
    static let schema = "touchpoint_phases"
    static let entityName = "touchpoint phase"
    static var workspaceField: KeyPath<TouchpointPhase, FieldProperty<TouchpointPhase, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "touchpoint_id") var touchpointID: UUID
    @Field(key: "phase_id") var phaseID: UUID
    init() {}
    init(workspaceID: UUID, touchpointID: UUID, phaseID: UUID) {
        self.id = .timeOrdered(); self.workspaceID = workspaceID; self.touchpointID = touchpointID; self.phaseID = phaseID
    }
}

final class TouchpointAssessment: TenantModel, @unchecked Sendable {
    static let schema = "touchpoint_assessments"
    static let entityName = "assessment"
    static var workspaceField: KeyPath<TouchpointAssessment, FieldProperty<TouchpointAssessment, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "touchpoint_id") var touchpointID: UUID
    @OptionalField(key: "assessed_by") var assessedBy: UUID?
    @Field(key: "assessor") var assessor: String
    @Field(key: "assessed_at") var assessedAt: Date
    @Field(key: "relevance") var relevance: Int
    @Field(key: "quality") var quality: Int
    @Field(key: "sub_touchpoints") var subTouchpoints: [String]
    @Field(key: "stakeholders") var stakeholders: [String]
    @OptionalField(key: "customer_jobs") var customerJobs: String?
    @OptionalField(key: "expectations") var expectations: String?
    @OptionalField(key: "emotions") var emotions: String?
    @OptionalField(key: "note") var note: String?
    init() {}

    var score: AssessmentScore {
        AssessmentScore(assessor: assessedBy?.uuidString ?? assessor, at: assessedAt, relevance: relevance, quality: quality)
    }
}

final class TouchpointFile: TenantModel, @unchecked Sendable {
    static let schema = "touchpoint_files"
    static let entityName = "file"
    static var workspaceField: KeyPath<TouchpointFile, FieldProperty<TouchpointFile, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "touchpoint_id") var touchpointID: UUID
    @Field(key: "filename") var filename: String
    @Field(key: "kind") var kind: String
    @Field(key: "size") var size: Int
    @Field(key: "sha256") var sha256: String
    @Field(key: "data") var data: Data
    @Field(key: "uploaded_by") var uploadedBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
}

final class PhaseNote: TenantModel, @unchecked Sendable {
    static let schema = "phase_notes"
    static let entityName = "phase note"
    static var workspaceField: KeyPath<PhaseNote, FieldProperty<PhaseNote, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "journey_id") var journeyID: UUID
    @Field(key: "phase_id") var phaseID: UUID
    @Field(key: "kind") var kind: String
    @OptionalField(key: "segment") var segment: String?
    @Field(key: "text") var text: String
    @Field(key: "created_by") var createdBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
}

final class MaturityEvidence: TenantModel, @unchecked Sendable {
    static let schema = "maturity_evidence"
    static let entityName = "maturity evidence"
    static var workspaceField: KeyPath<MaturityEvidence, FieldProperty<MaturityEvidence, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "journey_id") var journeyID: UUID
    @Field(key: "milestone") var milestone: String
    @Field(key: "level") var level: String
    @OptionalField(key: "evidence") var evidence: String?
    @Field(key: "recorded_by") var recordedBy: String
    @Field(key: "recorded_at") var recordedAt: Date
    init() {}
}

final class SavedView: TenantModel, @unchecked Sendable {
    static let schema = "saved_views"
    static let entityName = "saved view"
    static var workspaceField: KeyPath<SavedView, FieldProperty<SavedView, UUID>> { \.$workspaceID }
    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "page") var page: String
    @Field(key: "name") var name: String
    @Field(key: "query") var query: String
    @Field(key: "created_by") var createdBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
}

struct ChannelInfo: Decodable, Sendable {
    var id: UUID
    var slug: String
    var name: String
    var nameDE: String
    var position: Int
    enum CodingKeys: String, CodingKey { case id, slug, name, position, nameDE = "name_de" }
    init(_ c: ChannelRow) { id = c.id!; slug = c.slug; name = c.name; nameDE = c.nameDE; position = c.position }
}

/// The channel list of a workspace.
enum Channels {
    static func seedDefaults(workspaceID: UUID, on db: any Database) async throws {
        guard try await ChannelRow.query(on: db).filter(\.$workspaceID == workspaceID).count() == 0 else { return }
        for (i, c) in DefaultChannels.all.enumerated() {
            let row = ChannelRow()
            row.id = .timeOrdered(); row.workspaceID = workspaceID
            row.slug = c.slug; row.name = c.en; row.nameDE = c.de; row.position = i + 1
            try await row.create(on: db)
        }
    }

    /// Every page and every touchpoint write reads the list: through SQLKit, not Fluent's per-row reflection.
    static func all(_ scope: Scope) async throws -> [ChannelInfo] {
        try await scope.db.sql.select().columns(["id", "slug", "name", "name_de", "position"].map { SQLColumn($0) }).from(ChannelRow.schema)
            .where("workspace_id", .equal, SQLBind(scope.workspaceID)).orderBy("position").orderBy("slug").all(decoding: ChannelInfo.self)
    }

    /// The channel slug for a text (slug or name in either language, any case), or a 422 naming the
    /// field, the value and the known channels.
    static func resolve(_ text: String, field: String, among channels: [ChannelInfo]) throws -> String {
        let key = searchKey(text)
        if let c = channels.first(where: { $0.slug == text.lowercased() || searchKey($0.name) == key || searchKey($0.nameDE) == key }) {
            return c.slug
        }
        let known = channels.map(\.slug)
        let near = suggestion(for: text.lowercased(), among: known).map { " Did you mean '\($0)'?" } ?? ""
        throw AppError.invalid(field, "'\(text)' is not a channel of this workspace.\(near) Known channels: \(known.joined(separator: ", ")) (add channels under Journeys → Channels)")
    }
}
