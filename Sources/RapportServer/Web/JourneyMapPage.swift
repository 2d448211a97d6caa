import Fluent
import Foundation
import Plot
import RapportKit
import Vapor

/// The journey map: phases as columns, channels as rows, the touchpoints in the cells; below them what
/// customers expect and the planned positive surprises per phase and segment, and the emotion curve,
/// each value with where it comes from and how many judgements stand behind it.
enum JourneyMapPage {
    static func show(_ req: Request) async throws -> Response { try await render(req, error: nil) }

    static func render(_ req: Request, error: AppError?) async throws -> Response {
        let ctx = WebContext.make(req)
        let scope = try req.scope
        let journey = try await scope.find(Journey.self, parameter: "id", of: req)
        let channels = try await Channels.all(scope)
        var map = try await JourneyMap.build(journey, channels: channels, scope: scope)
        // Expectations and surprises for one segment: the ones for everybody plus that segment's.
        let segments = Array(Set(map.notes.compactMap(\.segment))).sorted()
        let segment = req.query[String.self, at: "segment"].flatMap { $0.isEmpty ? nil : $0 }
        if let segment { map.notes = map.notes.filter { $0.segment == nil || $0.segment == segment } }
        let maturity = try await MaturityAPI.summaries([journey], scope: scope)[0]
        let related = try await relatedJourneys(journey, scope: scope)
        let canWrite = ctx.caller?.role.can(.writeJourneys) == true
        let j = map.journey

        var facts: [Node<HTML.BodyContext>] = []
        if let d = j.description { facts.append(.p(.text(d))) }
        var badges: [Node<HTML.BodyContext>] = []
        if let s = j.segment { badges.append(.span(.class("badge"), .text(ctx.t("Segment") + ": " + s))) }
        if let p = j.persona { badges.append(.span(.class("badge"), .text(ctx.t("Persona") + ": " + p))) }
        if let c = j.variantChannel { badges.append(.span(.class("badge"), .text(ctx.t("Channel") + ": " + JourneyWeb.channelName(ctx, c, channels)))) }
        for r in related { badges.append(.a(.href(JourneyWeb.href("journeys", r.id)), .text(r.label))) }
        for s in map.subJourneys { badges.append(.a(.class("badge"), .href(JourneyWeb.href("journeys", s.id)), .text(ctx.t("Sub-journey") + ": " + s.name))) }
        for v in map.variants { badges.append(.a(.class("badge"), .href(JourneyWeb.href("journeys", v.id)), .text(ctx.t("Channel variant") + ": " + v.name))) }

        let content: Node<HTML.BodyContext> = .group(
            .p(.a(.href("/journeys"), .text("← " + ctx.t("Journeys")))),
            .h1(.text(j.name)),
            .group(facts), .p(.class("badges"), .group(badges)),
            JourneyWeb.errorBox(ctx, error),
            .if(!segments.isEmpty, .form(.method(.get), .action(JourneyWeb.href("journeys", j.id)), .class("filters"),
                JourneyWeb.field("segment", ctx.t("Expectations and surprises for"),
                                 JourneyWeb.select("segment", [("", ctx.t("All segments"))] + segments.map { ($0, $0) }, selected: segment ?? "")),
                .button(.type(.submit), .class("secondary"), .text(ctx.t("Show"))))),
            grid(ctx, map, channels, canWrite: canWrite),
            unplaced(ctx, map),
            curve(ctx, map),
            maturityCard(ctx, j, maturity, canWrite: canWrite),
            .if(canWrite, forms(ctx, map, channels)))
        return Layout.render(ctx, title: j.name, active: "journeys", content)
    }

    struct Related { let id: UUID; let label: String }

    static func relatedJourneys(_ j: Journey, scope: Scope) async throws -> [Related] {
        var out: [Related] = []
        if let p = j.parentJourneyID, let parent = try await scope.query(Journey.self).filter(\.$id == p).first() {
            out.append(Related(id: p, label: "↑ " + parent.name))
        }
        if let v = j.variantOfID, let base = try await scope.query(Journey.self).filter(\.$id == v).first() {
            out.append(Related(id: v, label: "↑ " + base.name))
        }
        return out
    }

    static func grid(_ ctx: WebContext, _ map: JourneyMapData, _ channels: [ChannelInfo], canWrite: Bool) -> Node<HTML.BodyContext> {
        let phases = map.journey.phases
        guard !phases.isEmpty else {
            return .div(.class("card"), .p(.class("muted"), .text(ctx.t("This journey has no phases yet. Add the first phase below."))))
        }
        let curveByPhase = Dictionary(uniqueKeysWithValues: map.curve.map { ($0.phaseId, $0) })
        func notes(_ phase: UUID, _ kind: PhaseNoteKind) -> Node<HTML.BodyContext> {
            let list = map.notes.filter { $0.phaseId == phase && $0.kind == kind.rawValue }
            if list.isEmpty { return .span(.class("muted"), .text("—")) }
            return .ul(.class("notes"), .forEach(list) { n in
                .li(.unwrap(n.segment) { .span(.class("badge"), .text($0)) }, .text(" " + n.text),
                    .if(canWrite, deleteButton(ctx, JourneyWeb.href("journeys", map.journey.id) + "/notes/" + n.id.uuidString.lowercased() + "/delete", label: ctx.t("Delete note") + ": " + n.text)))
            })
        }
        let header: Node<HTML.TableContext> = .thead(.tr(
            .th(.attribute(named: "scope", value: "col"), .text(ctx.t("Channel"))),
            .forEach(phases) { p in .th(.attribute(named: "scope", value: "col"), .span(.class("pos"), .text("\(p.position). ")), .text(p.name)) }))
        let channelRows: [Node<HTML.TableContext>] = map.channels.map { c in
            .tr(.th(.attribute(named: "scope", value: "row"), .text(JourneyWeb.channelName(ctx, c, channels))),
                .forEach(phases) { p in
                    let tps = map.touchpoints(phase: p.id, channel: c)
                    return .td(.forEach(tps) { t in
                        .div(.class("tp"), .a(.href(JourneyWeb.href("touchpoints", t.id)), .text(t.name)),
                             .if(t.quality != nil, .span(.class("badge q\(Int((t.quality ?? 0).rounded()))"),
                                                         .attribute(named: "title", value: ctx.t("Assessed quality") + ", n=\(t.n)"),
                                                         .text("Q " + JourneyWeb.decimal(ctx, t.quality ?? 0) + " · n=\(t.n)"))))
                    })
                })
        }
        let expectations: Node<HTML.TableContext> = .tr(.class("notes-row"), .th(.attribute(named: "scope", value: "row"), .text(ctx.t("Expectations"))),
                                                       .forEach(phases) { .td(notes($0.id, .expectation)) })
        let surprises: Node<HTML.TableContext> = .tr(.class("notes-row"), .th(.attribute(named: "scope", value: "row"), .text(ctx.t("Positive surprises"))),
                                                    .forEach(phases) { .td(notes($0.id, .positiveSurprise)) })
        let quality: Node<HTML.TableContext> = .tr(.class("curve-row"), .th(.attribute(named: "scope", value: "row"), .text(ctx.t("Assessed quality"))),
            .forEach(phases) { p in
                let c = curveByPhase[p.id]
                return .td(.text(JourneyWeb.score(ctx, c?.value, n: c?.n ?? 0)))
            })
        return .div(.class("table-wrap map"),
                    .table(.caption(.text(ctx.t("Journey map: phases × channels"))), header,
                           .tbody(.group(channelRows), expectations, surprises, quality)))
    }

    static func unplaced(_ ctx: WebContext, _ map: JourneyMapData) -> Node<HTML.BodyContext> {
        guard !map.unplaced.isEmpty else { return .empty }
        return .div(.class("card"), .h2(.text(ctx.t("Touchpoints without a phase"))),
                    .ul(.forEach(map.unplaced) { t in .li(.a(.href(JourneyWeb.href("touchpoints", t.id)), .text(t.name))) }))
    }

    static func curve(_ ctx: WebContext, _ map: JourneyMapData) -> Node<HTML.BodyContext> {
        let phases = map.journey.phases
        guard !phases.isEmpty else { return .empty }
        let measured = map.curve.first?.source == "measured_nps"
        let source = measured ? ctx.t("measured T-NPS") : ctx.t("assessed quality")
        let lang = ctx.lang
        let digits = measured ? 0 : 1
        func show(_ v: Double) -> String { JourneyWeb.decimal(ctx, v, digits: digits) }
        let points = zip(phases, map.curve).map { p, c in
            CurvePoint(label: p.name, value: c.value, n: c.n, note: c.state == "bracketed" ? source + ", " + ctx.t("few answers: read with care") : source)
        }
        let labels = LineLabels(
            title: ctx.t("Emotion curve"),
            description: measured
                ? ctx.t("T-NPS of each phase's touchpoints over the last twelve months, from −100 to 100; phases with too few answers are left out.")
                : ctx.t("Mean assessed quality per phase (1 = poor, 5 = excellent); each assessor's latest judgement per touchpoint counts once. Survey results replace it once they are connected."),
            yAxis: measured ? "T-NPS" : ctx.t("Quality (1–5)"), noData: measured ? ctx.t("No answers yet") : ctx.t("No assessments yet"),
            nLabel: { "n=\($0)" },
            pointTitle: { p in "\(p.label): " + (p.value.map { v in lang == .de ? String(format: "%.\(digits)f", v).replacingOccurrences(of: ".", with: ",") : String(format: "%.\(digits)f", v) } ?? "—") + " (n=\(p.n), \(p.note))" })
        let svg = Charts.lineChart(id: "curve", points: points, scale: measured ? -100...100 : 1...5, labels: labels)
        let rows: [[Node<HTML.BodyContext>]] = zip(phases, map.curve).map { p, c in
            let interval = c.low.flatMap { lo in c.high.map { hi in show(lo) + " – " + show(hi) } } ?? "—"
            var value = c.value.map(show) ?? (c.state == "hidden" ? ctx.t("too few answers") : "—")
            if c.state == "bracketed" { value = "(" + value + ")" }
            return [.text(p.name), .text(value), .text(interval), .text("\(c.n)"),
                    .text(measured ? "\(c.touchpoints)" : "\(c.assessedTouchpoints) / \(c.touchpoints)"), .text(source)]
        }
        return .div(.class("card"),
                    .h2(.text(ctx.t("Emotion curve"))),
                    .p(.class("muted"), .text(measured
                        ? ctx.t("Measured: what customers answered at this journey's touchpoints. Bracketed values rest on few answers.")
                        : ctx.t("Until survey results are connected, the curve shows the team's assessed quality, not measured customer satisfaction."))),
                    .div(.class("chart"), .raw(svg)),
                    Layout.table(caption: ctx.t("The numbers behind the curve"),
                                 headers: [ctx.t("Phase"), measured ? "T-NPS" : ctx.t("Mean"), ctx.t("95% interval"), measured ? ctx.t("Answers (n)") : ctx.t("Assessments (n)"),
                                           measured ? ctx.t("Touchpoints") : ctx.t("Touchpoints assessed"), ctx.t("Source")], rows: rows),
                    .if(measured, .p(.a(.href("/dashboards/journeys?journey=" + map.journey.id.uuidString.lowercased()), .text(ctx.t("Journey dashboard") + " →")))))
    }

    static func maturityCard(_ ctx: WebContext, _ j: JourneyDTO, _ m: MaturityDTO, canWrite: Bool) -> Node<HTML.BodyContext> {
        let rows: [[Node<HTML.BodyContext>]] = zip(MaturityMilestone.allCases, m.milestones).map { ms, e in
            [.text("\(ms.number). " + ctx.t(ms.rawValue)), .span(.class("badge lvl-\(MaturityLevel(rawValue: e?.level ?? "")?.points ?? 0)"), .text(ctx.t(e?.level ?? "not_started"))),
             .text(e?.evidence ?? "—"), .text(e.map { $0.recordedBy + ", " + ctx.lang.dateTime($0.recordedAt, zone: ctx.zone) } ?? "—")]
        }
        let form: Node<HTML.BodyContext> = .if(canWrite, .form(.method(.post), .action(JourneyWeb.href("journeys", j.id) + "/maturity"), .class("filters"),
            Layout.csrfField(ctx),
            JourneyWeb.field("milestone", ctx.t("Milestone"), JourneyWeb.select("milestone", MaturityMilestone.allCases.map { ($0.rawValue, "\($0.number). " + ctx.t($0.rawValue)) })),
            JourneyWeb.field("level", ctx.t("Level"), JourneyWeb.select("level", MaturityLevel.allCases.map { ($0.rawValue, ctx.t($0.rawValue)) }, selected: "achieved")),
            JourneyWeb.field("evidence", ctx.t("Evidence"), JourneyWeb.text("evidence", wide: true)),
            .button(.type(.submit), .class("secondary"), .text(ctx.t("Record")))))
        return .div(.class("card"), .id("maturity"),
                    .h2(.text(ctx.t("Omnichannel maturity")) , .text(" · \(m.percent) %")),
                    Layout.table(headers: [ctx.t("Milestone"), ctx.t("Level"), ctx.t("Evidence"), ctx.t("Recorded")], rows: rows), form)
    }

    static func forms(_ ctx: WebContext, _ map: JourneyMapData, _ channels: [ChannelInfo]) -> Node<HTML.BodyContext> {
        let base = JourneyWeb.href("journeys", map.journey.id)
        let phases = map.journey.phases
        let phaseOptions = phases.map { ($0.id.uuidString.lowercased(), "\($0.position). \($0.name)") }
        let addPhase: Node<HTML.BodyContext> = .div(.class("card"), .h2(.text(ctx.t("Phases"))),
            .ol(.class("phases"), .forEach(phases) { phaseItem(ctx, base, $0, count: phases.count) }),
            .form(.method(.post), .action(base + "/phases"), .class("filters"),
                  Layout.csrfField(ctx),
                  JourneyWeb.field("phase-name", ctx.t("New phase"), .input(.type(.text), .name("name"), .id("phase-name"), .required(true))),
                  JourneyWeb.field("phase-position", ctx.t("Position"), .input(.type(.number), .name("position"), .id("phase-position"),
                                                                               .attribute(named: "min", value: "1"), .attribute(named: "max", value: "\(phases.count + 1)"),
                                                                               .placeholder("\(phases.count + 1)"))),
                  .button(.type(.submit), .text(ctx.t("Add phase")))))
        let addTouchpoint: Node<HTML.BodyContext> = .div(.class("card"), .h2(.text(ctx.t("Add a touchpoint"))),
            .form(.method(.post), .action(base + "/touchpoints"), .class("filters"),
                  Layout.csrfField(ctx),
                  JourneyWeb.field("tp-name", ctx.t("Name"), .input(.type(.text), .name("name"), .id("tp-name"), .required(true),
                                                                    .placeholder(ctx.t("e.g. Letter: claim confirmation")))),
                  JourneyWeb.field("tp-channel", ctx.t("Channel"), JourneyWeb.select("channel", channels.map { ($0.slug, ctx.lang == .de ? $0.nameDE : $0.name) }, id: "tp-channel")),
                  JourneyWeb.field("tp-phase", ctx.t("Phase"), JourneyWeb.select("phases", [("", "—")] + phases.map { ($0.slug, "\($0.position). \($0.name)") }, id: "tp-phase")),
                  JourneyWeb.field("tp-direction", ctx.t("Direction"), JourneyWeb.select("direction", [("", "—")] + TouchpointDirection.allowed.map { ($0, ctx.t($0)) }, id: "tp-direction")),
                  .button(.type(.submit), .text(ctx.t("Add touchpoint")))))
        let addNote: Node<HTML.BodyContext> = .if(!phases.isEmpty, .div(.class("card"), .h2(.text(ctx.t("Expectations and positive surprises"))),
            .form(.method(.post), .action(base + "/notes"), .class("filters"),
                  Layout.csrfField(ctx),
                  JourneyWeb.field("note-phase", ctx.t("Phase"), JourneyWeb.select("phase_id", phaseOptions, id: "note-phase")),
                  JourneyWeb.field("note-kind", ctx.t("Kind"), JourneyWeb.select("kind", PhaseNoteKind.allCases.map { ($0.rawValue, ctx.t($0.rawValue)) }, id: "note-kind")),
                  JourneyWeb.field("note-segment", ctx.t("Segment (optional)"), .input(.type(.text), .name("segment"), .id("note-segment"))),
                  JourneyWeb.field("note-text", ctx.t("Text"), .input(.type(.text), .name("text"), .id("note-text"), .required(true), .class("wide"))),
                  .button(.type(.submit), .class("secondary"), .text(ctx.t("Add note"))))))
        return .group(.div(.class("grid"), addPhase, addTouchpoint, addNote), editJourney(ctx, map))
    }

    static func phaseItem(_ ctx: WebContext, _ base: String, _ p: PhaseDTO, count: Int) -> Node<HTML.ListContext> {
        let action = base + "/phases/" + p.id.uuidString.lowercased()
        let key = p.id.uuidString.lowercased()
        let name: Node<HTML.FormContext> = JourneyWeb.field("rename-" + key, ctx.t("Name"),
                                                            .input(.type(.text), .name("name"), .id("rename-" + key), .value(p.name), .required(true)))
        let slug: Node<HTML.FormContext> = JourneyWeb.field("slug-" + key, ctx.t("Slug"), .input(.type(.text), .name("slug"), .id("slug-" + key), .value(p.slug)))
        let version: Node<HTML.FormContext> = .input(.type(.hidden), .name("version"), .value("\(p.version)"))
        let rename: Node<HTML.DetailsContext> = .form(.method(.post), .action(action), .class("filters"), Layout.csrfField(ctx), version, name, slug,
                                                      .button(.type(.submit), .class("secondary"), .text(ctx.t("Save"))))
        let remove: Node<HTML.DetailsContext> = .form(.method(.post), .action(action + "/delete"), .class("inline"), Layout.csrfField(ctx),
                                                      .button(.type(.submit), .class("danger small"), .text(ctx.t("Delete phase"))))
        return .li(.text(p.name + " "),
                   .if(p.position > 1, moveButton(ctx, base, p, "up", "↑")),
                   .if(p.position < count, moveButton(ctx, base, p, "down", "↓")),
                   .details(.class("inline-edit"), .summary(.text(ctx.t("Edit"))), rename, remove))
    }

    static func editJourney(_ ctx: WebContext, _ map: JourneyMapData) -> Node<HTML.BodyContext> {
        let j = map.journey
        let base = JourneyWeb.href("journeys", j.id)
        return .details(.class("card"), .summary(.text(ctx.t("Edit journey"))),
            .form(.method(.post), .action(base), .class("stack"),
                  Layout.csrfField(ctx), .input(.type(.hidden), .name("version"), .value("\(j.version)")),
                  JourneyWeb.field("j-name", ctx.t("Name"), .input(.type(.text), .name("name"), .id("j-name"), .value(j.name), .class("wide"), .required(true))),
                  JourneyWeb.field("j-slug", ctx.t("Slug"), .input(.type(.text), .name("slug"), .id("j-slug"), .value(j.slug))),
                  JourneyWeb.field("j-description", ctx.t("Description"), .textarea(.name("description"), .id("j-description"), .text(j.description ?? ""))),
                  JourneyWeb.field("j-segment", ctx.t("Segment"), .input(.type(.text), .name("segment"), .id("j-segment"), .value(j.segment ?? ""))),
                  JourneyWeb.field("j-persona", ctx.t("Persona"), .input(.type(.text), .name("persona"), .id("j-persona"), .value(j.persona ?? ""))),
                  .button(.type(.submit), .text(ctx.t("Save")))),
            .form(.method(.post), .action(base + "/delete"), .class("spaced"), Layout.csrfField(ctx),
                  .button(.type(.submit), .class("danger small"), .text(ctx.t("Delete journey")))))
    }

    static func deleteButton(_ ctx: WebContext, _ action: String, label: String, text: String = "×") -> Node<HTML.BodyContext> {
        .form(.method(.post), .action(action), .class("inline"), Layout.csrfField(ctx),
              .button(.type(.submit), .class(text == "×" ? "link-dark" : "danger small"), .attribute(named: "aria-label", value: label), .text(text)))
    }

    static func moveButton(_ ctx: WebContext, _ base: String, _ p: PhaseDTO, _ direction: String, _ symbol: String) -> Node<HTML.BodyContext> {
        .form(.method(.post), .action(base + "/phases/" + p.id.uuidString.lowercased() + "/move"), .class("inline"),
              Layout.csrfField(ctx), .input(.type(.hidden), .name("direction"), .value(direction)),
              .button(.type(.submit), .class("secondary small"), .attribute(named: "aria-label", value: ctx.t(direction == "up" ? "Move earlier" : "Move later") + ": " + p.name), .text(symbol)))
    }

    // MARK: writes

    static func formValues(_ req: Request, _ schema: EntitySchema) throws -> [String: FieldValue] {
        let body = try InputBody.decode(req)
        return try schema.validate(body.fields.filter { !$0.value.trimmed.isEmpty }).mapError(\.appError).get()
    }

    static func inJourney(_ req: Request, _ body: @escaping @Sendable (Journey, Scope, Caller) async throws -> Void) async throws -> Response {
        let caller = try req.caller
        let id = req.parameters.get("id").flatMap(UUID.init(uuidString:))
        return try await JourneyWeb.submit(req, redirect: JourneyWeb.href("journeys", id ?? UUID()), write: {
            try await req.db.transaction { db in
                let scope = caller.scope(on: db)
                try await body(try await scope.find(Journey.self, id), scope, caller)
            }
        }, page: { try await render(req, error: $0) })
    }

    static func addPhase(_ req: Request) async throws -> Response {
        let values: [String: FieldValue]
        do { values = try formValues(req, JourneySchemas.phase) } catch let e as AppError { return try await failed(req, e) }
        return try await inJourney(req) { j, scope, caller in _ = try await PhasesAPI.add(to: j, values: values, scope: scope, by: caller) }
    }

    static func movePhase(_ req: Request) async throws -> Response {
        let body = try InputBody.decode(req)
        let phaseID = req.parameters.get("phase_id").flatMap(UUID.init(uuidString:))
        let step = body.fields["direction"] == "up" ? -1 : 1
        return try await inJourney(req) { j, scope, caller in
            let all = try await PhasesAPI.phases(of: j.id!, scope: scope)
            guard let p = all.first(where: { $0.id == phaseID }) else { throw AppError.notFound(entity: "phase") }
            let target = p.position + step
            guard (1...all.count).contains(target) else { return }   // the first cannot move earlier, the last not later
            _ = try await PhasesAPI.change(phaseID, of: j, ["position": .integer(target)], scope: scope, by: caller) { _ in }
        }
    }

    static func addTouchpoint(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let id = req.parameters.get("id").flatMap(UUID.init(uuidString:))
        let body = try InputBody.decode(req)
        return try await JourneyWeb.submit(req, redirect: JourneyWeb.href("journeys", id ?? UUID()), write: {
            var fields = body.fields.filter { !$0.value.trimmed.isEmpty }
            fields["journey_id"] = id?.uuidString
            let values = try JourneySchemas.touchpoint.validate(fields).mapError(\.appError).get()
            _ = try await TouchpointsAPI.insert(values, by: caller, on: req.db)
        }, page: { try await render(req, error: $0) })
    }

    static func addNote(_ req: Request) async throws -> Response {
        let values: [String: FieldValue]
        do { values = try formValues(req, JourneySchemas.phaseNote) } catch let e as AppError { return try await failed(req, e) }
        return try await inJourney(req) { j, scope, caller in _ = try await PhaseNotesAPI.add(to: j, values, by: caller, scope: scope) }
    }

    static func recordMaturity(_ req: Request) async throws -> Response {
        let values: [String: FieldValue]
        do { values = try formValues(req, JourneySchemas.maturity) } catch let e as AppError { return try await failed(req, e) }
        return try await inJourney(req) { j, scope, caller in _ = try await MaturityAPI.add(to: j, values, by: caller, scope: scope) }
    }

    static func updateJourney(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let id = req.parameters.get("id").flatMap(UUID.init(uuidString:))
        let body = try InputBody.decode(req)
        return try await JourneyWeb.submit(req, redirect: JourneyWeb.href("journeys", id ?? UUID()), write: {
            var fields = body.fields
            let version = fields.removeValue(forKey: "version").flatMap(Int.init)
            let values = try JourneySchemas.journey.validate(fields, partial: true).mapError(\.appError).get()
            _ = try await JourneysAPI.change(id, values, by: caller, on: req.db, check: JourneyWeb.openedAt(version, "journey"))
        }, page: { try await render(req, error: $0) })
    }

    static func deleteJourney(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let id = req.parameters.get("id").flatMap(UUID.init(uuidString:))
        return try await JourneyWeb.submit(req, redirect: "/journeys", write: {
            try await JourneysAPI.remove(id, by: caller, on: req.db, guardDelete: JourneysAPI.guardDelete)
        }, page: { try await render(req, error: $0) })
    }

    static func updatePhase(_ req: Request) async throws -> Response {
        let body = try InputBody.decode(req)
        let phaseID = req.parameters.get("phase_id").flatMap(UUID.init(uuidString:))
        let version = body.fields["version"].flatMap(Int.init)
        let fields = body.fields.filter { $0.key != "version" && !$0.value.trimmed.isEmpty }
        return try await inJourney(req) { j, scope, caller in
            let values = try JourneySchemas.phase.validate(fields, partial: true).mapError(\.appError).get()
            _ = try await PhasesAPI.change(phaseID, of: j, values, scope: scope, by: caller, check: JourneyWeb.openedAt(version, "phase"))
        }
    }

    static func deletePhase(_ req: Request) async throws -> Response {
        let phaseID = req.parameters.get("phase_id").flatMap(UUID.init(uuidString:))
        return try await inJourney(req) { j, scope, caller in try await PhasesAPI.remove(phaseID, of: j, scope: scope, by: caller) { _ in } }
    }

    static func deleteNote(_ req: Request) async throws -> Response {
        let noteID = req.parameters.get("note_id").flatMap(UUID.init(uuidString:))
        return try await inJourney(req) { j, scope, caller in try await PhaseNotesAPI.remove(noteID, of: j, scope: scope, by: caller) }
    }

    static func failed(_ req: Request, _ e: AppError) async throws -> Response {
        let r = try await render(req, error: e)
        r.status = e.status
        return r
    }
}
