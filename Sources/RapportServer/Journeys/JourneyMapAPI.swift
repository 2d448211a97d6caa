import Fluent
import Foundation
import RapportKit
import Vapor

/// Everything the journey map shows, built once for the page and the API.
struct JourneyMapData: Content {
    struct Cell: Content { var phaseId: UUID; var channel: String; var touchpoints: [TouchpointRef] }
    struct TouchpointRef: Content { var id: UUID; var slug: String; var name: String; var quality: Double?; var relevance: Double?; var n: Int }
    struct Note: Content { var id: UUID; var phaseId: UUID; var kind: String; var segment: String?; var text: String; var createdBy: String }
    struct CurvePoint: Content {
        var phaseId: UUID
        var value: Double?
        var low: Double?
        var high: Double?
        /// Assessments (each assessor's latest per touchpoint) behind the value.
        var n: Int
        var assessedTouchpoints: Int
        var touchpoints: Int
        /// Where the value comes from: "measured_nps" (T-NPS of the phase's touchpoints, last twelve
        /// months) once answers exist, else "assessed_quality" (the team's 1–5 judgement).
        var source: String
        /// For measured values, the guardrail's verdict: shown, bracketed or hidden (value left out).
        var state: String?
    }
    var journey: JourneyDTO
    var channels: [String]
    var cells: [Cell]
    var unplaced: [TouchpointRef]
    var notes: [Note]
    var curve: [CurvePoint]
    var subJourneys: [Ref]
    var variants: [Ref]

    func touchpoints(phase: UUID, channel: String) -> [TouchpointRef] {
        cells.first { $0.phaseId == phase && $0.channel == channel }?.touchpoints ?? []
    }
}

enum JourneyMap {
    static func build(_ journey: Journey, channels workspaceChannels: [ChannelInfo], scope: Scope) async throws -> JourneyMapData {
        let dto = try await JourneysAPI.dto(journey, scope: scope)
        var onJourney = RegistryFilter()
        onJourney.journeyID = journey.id
        let touchpoints = try await TouchpointReads.records(onJourney, scope: scope)
        let ids = touchpoints.map(\.id)
        let links = try await TouchpointReads.links(ids, scope: scope)
        let byTP = Dictionary(grouping: try await TouchpointReads.scores(ids, scope: scope), by: \.touchpointId)
        var latestQualities: [String: [Int]] = [:]
        var summaries: [UUID: AssessmentSummary] = [:]
        for (tp, rows) in byTP {
            let scores = rows.map(\.score)
            latestQualities[tp.uuidString] = AssessmentSummary.latestPerAssessor(scores).map(\.quality)
            summaries[tp] = AssessmentSummary.of(scores)
        }
        func ref(_ t: TouchpointRecord) -> JourneyMapData.TouchpointRef {
            let s = summaries[t.id]
            return .init(id: t.id, slug: t.slug, name: t.name, quality: s?.quality, relevance: s?.relevance, n: s?.n ?? 0)
        }
        let used = Set(touchpoints.map(\.channel))
        let channels = workspaceChannels.map(\.slug).filter(used.contains) + used.subtracting(workspaceChannels.map(\.slug)).sorted()
        let phasesOf = Dictionary(grouping: links, by: \.touchpointId).mapValues { Set($0.map(\.phaseId)) }
        var cells: [JourneyMapData.Cell] = []
        var byPhase: [String: [String]] = [:]
        for p in dto.phases {
            let inPhase = touchpoints.filter { phasesOf[$0.id]?.contains(p.id) == true }
            byPhase[p.id.uuidString] = inPhase.map { $0.id.uuidString }
            for c in channels {
                let here = inPhase.filter { $0.channel == c }
                if !here.isEmpty { cells.append(.init(phaseId: p.id, channel: c, touchpoints: here.map(ref))) }
            }
        }
        let unplaced = touchpoints.filter { (phasesOf[$0.id] ?? []).isEmpty }.map(ref)
        let curve = EmotionCurve.fromAssessments(phases: dto.phases.map(\.id.uuidString), touchpointsByPhase: byPhase, latestQualities: latestQualities)
        let measured = try await JourneyMeasurement.phaseNPS(journey: journey.id!, scope: scope)
        let notes = try await scope.query(PhaseNote.self).filter(\.$journeyID == journey.id!).sort(\.$createdAt).all()
        let children = try await scope.query(Journey.self).group(.or) { $0.filter(\.$parentJourneyID == journey.id).filter(\.$variantOfID == journey.id) }
            .sort(\.$searchText).all()
        return JourneyMapData(
            journey: dto, channels: channels, cells: cells, unplaced: unplaced,
            notes: notes.map { .init(id: $0.id!, phaseId: $0.phaseID, kind: $0.kind, segment: $0.segment, text: $0.text, createdBy: $0.createdBy) },
            curve: measured.isEmpty ? zip(dto.phases, curve).map { phase, point in
                // The interval is cut to the 1–5 scale: a judgement cannot lie outside it.
                .init(phaseId: phase.id, value: point.estimate?.mean, low: point.estimate?.low.map { max(1, $0) }, high: point.estimate?.high.map { min(5, $0) },
                      n: point.estimate?.n ?? 0,
                      assessedTouchpoints: point.assessedTouchpoints, touchpoints: point.touchpoints, source: "assessed_quality")
            } : zip(dto.phases, curve).map { phase, point in
                let g = measured[phase.id]
                let visible = g?.state == "shown" || g?.state == "bracketed"
                return .init(phaseId: phase.id, value: visible ? g?.value : nil, low: visible ? g?.low : nil, high: visible ? g?.high : nil, n: g?.n ?? 0,
                             assessedTouchpoints: point.assessedTouchpoints, touchpoints: point.touchpoints, source: "measured_nps", state: g?.state ?? "no_data")
            },
            subJourneys: children.filter { $0.parentJourneyID == journey.id }.map { Ref(id: $0.id!, slug: $0.slug, name: $0.name) },
            variants: children.filter { $0.variantOfID == journey.id }.map { Ref(id: $0.id!, slug: $0.slug, name: $0.name) })
    }

    static func show(_ req: Request) async throws -> JourneyMapData {
        let scope = try req.scope
        return try await build(try await scope.find(Journey.self, parameter: "id", of: req), channels: try await Channels.all(scope), scope: scope)
    }

    static func register(_ api: APIBuilder) {
        api.on(APIRoute(method: .GET, path: "/journeys/{id}/map", summary: "The journey map: phases × channels, notes and the emotion curve with its n and source",
                        tag: "Journeys", permission: .readJourneys, response: .object("JourneyMap")), show)
        PhaseNotesAPI.register(api)
        MaturityAPI.register(api)
        ChannelsAPI.register(api)
    }
}

enum PhaseNotesAPI {
    static func list(_ req: Request) async throws -> Page<JourneyMapData.Note> {
        let scope = try req.scope
        let j = try await scope.find(Journey.self, parameter: "id", of: req)
        let notes = try await scope.query(PhaseNote.self).filter(\.$journeyID == j.id!).sort(\.$createdAt).all()
        return Page(items: notes.map { .init(id: $0.id!, phaseId: $0.phaseID, kind: $0.kind, segment: $0.segment, text: $0.text, createdBy: $0.createdBy) }, nextCursor: nil)
    }

    static func create(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let v = try JourneySchemas.phaseNote.validated(req).values
        let note = try await req.db.transaction { db in
            let scope = caller.scope(on: db)
            let j = try await scope.find(Journey.self, parameter: "id", of: req)
            return try await add(to: j, v, by: caller, scope: scope)
        }
        return try await JourneyMapData.Note(id: note.id!, phaseId: note.phaseID, kind: note.kind, segment: note.segment, text: note.text, createdBy: note.createdBy)
            .encodeResponse(status: .created, for: req)
    }

    static func add(to j: Journey, _ v: [String: FieldValue], by caller: Caller, scope: Scope) async throws -> PhaseNote {
        let phaseID = UUID(uuidString: v.text("phase_id")!)!
        guard let phase = try await scope.query(JourneyPhase.self).filter(\.$id == phaseID).first() else {
            throw AppError.invalid("phase_id", "no phase with id \(phaseID.uuidString.lowercased()) in this workspace")
        }
        guard phase.journeyID == j.id else { throw AppError.invalid("phase_id", "'\(phase.name)' is a phase of another journey, not of '\(j.name)'") }
        let n = PhaseNote()
        n.id = .timeOrdered(); n.workspaceID = scope.workspaceID; n.journeyID = j.id!; n.phaseID = phaseID
        n.kind = v.text("kind")!; n.segment = v.text("segment"); n.text = v.text("text")!
        n.createdBy = try await caller.displayName(on: scope.db)
        try await n.create(on: scope.db)
        try await Audit.record("create", "phase note", id: n.id, before: String?.none, after: n.text, by: caller, on: scope.db)
        return n
    }

    static func delete(_ req: Request) async throws -> HTTPStatus {
        let caller = try req.caller
        let noteID = req.parameters.get("note_id").flatMap(UUID.init(uuidString:))
        try await req.db.transaction { db in
            let scope = caller.scope(on: db)
            try await remove(noteID, of: try await scope.find(Journey.self, parameter: "id", of: req), scope: scope, by: caller)
        }
        return .noContent
    }

    static func remove(_ noteID: UUID?, of j: Journey, scope: Scope, by caller: Caller) async throws {
        guard let noteID, let n = try await scope.query(PhaseNote.self).filter(\.$journeyID == j.id!).filter(\.$id == noteID).first()
        else { throw AppError.notFound(entity: "phase note") }
        try await n.delete(on: scope.db)
        try await Audit.record("delete", "phase note", id: n.id, before: n.text, after: String?.none, by: caller, on: scope.db)
    }

    static func register(_ api: APIBuilder) {
        api.on(APIRoute(method: .GET, path: "/journeys/{id}/notes", summary: "Expectations and planned positive surprises per phase and segment", tag: "Journeys",
                        permission: .readJourneys, response: .list("PhaseNote")), list)
        api.on(APIRoute(method: .POST, path: "/journeys/{id}/notes", summary: "Add an expectation or a planned positive surprise to a phase", tag: "Journeys",
                        permission: .writeJourneys, requestSchema: "PhaseNoteInput", response: .object("PhaseNote"), successStatus: 201), create)
        api.on(APIRoute(method: .DELETE, path: "/journeys/{id}/notes/{note_id}", summary: "Delete a note", tag: "Journeys",
                        permission: .writeJourneys, response: .none, successStatus: 204), delete)
    }
}

struct MaturityEntryDTO: Content, Equatable {
    var milestone: String
    var level: String
    var evidence: String?
    var recordedBy: String
    var recordedAt: Date
}

struct MaturityDTO: Content, Equatable {
    var journeyId: UUID
    var journeySlug: String
    var journeyName: String
    var percent: Int
    var stage: Int
    /// The level in force per milestone, in milestone order (not_started when nothing was recorded).
    var milestones: [MaturityEntryDTO?]
    var levels: [String]
}

/// Omnichannel maturity: evidence is appended, never overwritten; the latest entry per milestone is in force.
enum MaturityAPI {
    static func current(_ rows: [MaturityEvidence]) -> [MaturityMilestone: MaturityEvidence] {
        var latest: [MaturityMilestone: MaturityEvidence] = [:]
        for r in rows {
            guard let m = MaturityMilestone(rawValue: r.milestone) else { continue }
            // Rows come in (recorded_at, id) order: a later row wins, also at the same instant.
            if let seen = latest[m], seen.recordedAt > r.recordedAt { continue }
            latest[m] = r
        }
        return latest
    }

    static func entry(_ r: MaturityEvidence) -> MaturityEntryDTO {
        MaturityEntryDTO(milestone: r.milestone, level: r.level, evidence: r.evidence, recordedBy: r.recordedBy, recordedAt: r.recordedAt)
    }

    static func summaries(_ journeys: [Journey], scope: Scope) async throws -> [MaturityDTO] {
        let ids = journeys.compactMap(\.id)
        let rows = ids.isEmpty ? [] : try await scope.query(MaturityEvidence.self).filter(\.$journeyID ~~ ids).sort(\.$recordedAt).sort(\.$id).all()
        let byJourney = Dictionary(grouping: rows, by: \.journeyID)
        return journeys.map { j in
            let now = current(byJourney[j.id!] ?? [])
            let progress = MaturityProgress(levels: now.compactMapValues { MaturityLevel(rawValue: $0.level) })
            return MaturityDTO(journeyId: j.id!, journeySlug: j.slug, journeyName: j.name, percent: progress.percent, stage: progress.stage,
                               milestones: MaturityMilestone.allCases.map { now[$0].map(entry) },
                               levels: MaturityMilestone.allCases.map { progress.level($0).rawValue })
        }
    }

    static func overview(_ req: Request) async throws -> Page<MaturityDTO> {
        let scope = try req.scope
        let journeys = try await scope.query(Journey.self).filter(\.$variantOfID == nil).sort(\.$searchText).all()
        return Page(items: try await summaries(journeys, scope: scope), nextCursor: nil)
    }

    static func show(_ req: Request) async throws -> MaturityDTO {
        let scope = try req.scope
        return try await summaries([try await scope.find(Journey.self, parameter: "id", of: req)], scope: scope)[0]
    }

    static func history(_ req: Request) async throws -> Page<MaturityEntryDTO> {
        let scope = try req.scope
        let j = try await scope.find(Journey.self, parameter: "id", of: req)
        let rows = try await scope.query(MaturityEvidence.self).filter(\.$journeyID == j.id!).sort(\.$recordedAt, .descending).all()
        return Page(items: rows.map(entry), nextCursor: nil)
    }

    static func record(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let v = try JourneySchemas.maturity.validated(req).values
        let dto = try await req.db.transaction { db in
            let scope = caller.scope(on: db)
            let j = try await scope.find(Journey.self, parameter: "id", of: req)
            return entry(try await add(to: j, v, by: caller, scope: scope))
        }
        return try await dto.encodeResponse(status: .created, for: req)
    }

    static func add(to j: Journey, _ v: [String: FieldValue], at: Date = Date(), by caller: Caller, scope: Scope) async throws -> MaturityEvidence {
        let level = v.text("level")!
        if level != MaturityLevel.notStarted.rawValue && v.text("evidence") == nil {
            throw AppError.invalid("evidence", "is required for '\(level)': say what shows the milestone is reached, so the next person can check it")
        }
        let e = MaturityEvidence()
        e.id = .timeOrdered(); e.workspaceID = scope.workspaceID; e.journeyID = j.id!
        e.milestone = v.text("milestone")!; e.level = level; e.evidence = v.text("evidence")
        e.recordedBy = try await caller.displayName(on: scope.db); e.recordedAt = at
        try await e.create(on: scope.db)
        try await Audit.record("create", "maturity evidence", id: e.id, before: MaturityEntryDTO?.none, after: entry(e), by: caller, on: scope.db)
        return e
    }

    static func register(_ api: APIBuilder) {
        let tag = "Maturity"
        api.on(APIRoute(method: .GET, path: "/maturity", summary: "Omnichannel maturity of every journey", tag: tag,
                        permission: .readJourneys, response: .list("Maturity")), overview)
        api.on(APIRoute(method: .GET, path: "/journeys/{id}/maturity", summary: "A journey's omnichannel maturity", tag: tag,
                        permission: .readJourneys, response: .object("Maturity")), show)
        api.on(APIRoute(method: .GET, path: "/journeys/{id}/maturity/history", summary: "All maturity evidence of a journey, newest first", tag: tag,
                        permission: .readJourneys, response: .list("MaturityEntry")), history)
        api.on(APIRoute(method: .POST, path: "/journeys/{id}/maturity", summary: "Record a milestone's level with its evidence", tag: tag,
                        permission: .writeJourneys, requestSchema: "MaturityInput", response: .object("MaturityEntry"), successStatus: 201), record)
    }
}

struct ChannelDTO: Content, Equatable { var id: UUID; var slug: String; var name: String; var nameDe: String; var position: Int }

enum ChannelsAPI {
    static func list(_ req: Request) async throws -> Page<ChannelDTO> {
        Page(items: try await Channels.all(try req.scope).map(dto), nextCursor: nil)
    }

    static func dto(_ c: ChannelInfo) -> ChannelDTO { ChannelDTO(id: c.id, slug: c.slug, name: c.name, nameDe: c.nameDE, position: c.position) }

    static func create(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let v = try JourneySchemas.channel.validated(req).values
        let c = try await req.db.transaction { db in try await add(v, by: caller, scope: caller.scope(on: db)) }
        return try await dto(ChannelInfo(c)).encodeResponse(status: .created, for: req)
    }

    static func add(_ v: [String: FieldValue], by caller: Caller, scope: Scope) async throws -> ChannelRow {
        let existing = try await Channels.all(scope)
        let name = v.text("name")!
        if existing.contains(where: { searchKey($0.name) == searchKey(name) }) { throw AppError.invalid("name", "a channel '\(name)' exists already") }
        let c = ChannelRow()
        c.id = .timeOrdered(); c.workspaceID = scope.workspaceID
        c.slug = try await Slugs.choose(given: v.text("slug"), name: name) { s in existing.contains { $0.slug == s } }
        c.name = name; c.nameDE = v.text("name_de") ?? name; c.position = (existing.map(\.position).max() ?? 0) + 1
        try await c.create(on: scope.db)
        try await Audit.record("create", "channel", id: c.id, before: ChannelDTO?.none, after: dto(ChannelInfo(c)), by: caller, on: scope.db)
        return c
    }

    static func delete(_ req: Request) async throws -> HTTPStatus {
        let caller = try req.caller
        try await req.db.transaction { db in
            let scope = caller.scope(on: db)
            let c = try await scope.find(ChannelRow.self, parameter: "id", of: req)
            let used = try await scope.query(Touchpoint.self).filter(\.$channel == c.slug).count()
                + scope.query(Journey.self).filter(\.$variantChannel == c.slug).count()
            if used > 0 { throw AppError.conflict("The channel '\(c.slug)' is used by \(used) touchpoints or journeys; change them first.") }
            try await c.delete(on: db)
            try await Audit.record("delete", "channel", id: c.id, before: dto(ChannelInfo(c)), after: ChannelDTO?.none, by: caller, on: db)
        }
        return .noContent
    }

    static func register(_ api: APIBuilder) {
        api.on(APIRoute(method: .GET, path: "/channels", summary: "The workspace's channels", tag: "Channels", permission: .readJourneys, response: .list("Channel")), list)
        api.on(APIRoute(method: .POST, path: "/channels", summary: "Add a channel", tag: "Channels", permission: .writeJourneys,
                        requestSchema: "ChannelInput", response: .object("Channel"), successStatus: 201), create)
        api.on(APIRoute(method: .DELETE, path: "/channels/{id}", summary: "Delete an unused channel", tag: "Channels", permission: .writeJourneys,
                        response: .none, successStatus: 204), delete)
    }
}
