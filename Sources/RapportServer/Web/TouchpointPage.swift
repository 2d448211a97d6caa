import Fluent
import Foundation
import Plot
import RapportKit
import Vapor

/// One touchpoint: its registry fields (editable), its assessments over time with a form to add one,
/// and its screenshots and documents.
enum TouchpointPage {
    static func show(_ req: Request) async throws -> Response { try await render(req, error: nil) }

    static func render(_ req: Request, error: AppError?) async throws -> Response {
        let ctx = WebContext.make(req)
        let scope = try req.scope
        let t = try await TouchpointsAPI.dto(try await scope.find(Touchpoint.self, parameter: "id", of: req), scope: scope)
        let channels = try await Channels.all(scope)
        var journeyName: String?
        if let id = t.journeyId { journeyName = try await scope.find(Journey.self, id).name }
        let assessments = try await scope.query(TouchpointAssessment.self).filter(\.$touchpointID == t.id).sort(\.$assessedAt, .descending).all()
        let files = try await TouchpointFiles.metadata(of: t.id, scope: scope)
        let role = ctx.caller?.role
        let base = JourneyWeb.href("touchpoints", t.id)

        let yes = ctx.t("yes"), no = ctx.t("no")
        let facts: [(String, Node<HTML.BodyContext>)] = [
            (ctx.t("Slug"), .code(.text(t.slug))),
            (ctx.t("Channel"), .text(JourneyWeb.channelName(ctx, t.channel, channels))),
            (ctx.t("Journey"), t.journeyId.map { .a(.href(JourneyWeb.href("journeys", $0)), .text(journeyName ?? t.journeySlug ?? "")) } ?? .text("—")),
            (ctx.t("Phases"), .text(t.phases.map(\.name).joined(separator: ", ").ifEmpty("—"))),
            (ctx.t("Direction"), .text(t.direction.map { ctx.t($0) } ?? "—")),
            (ctx.t("Products"), .text(t.products.joined(separator: ", ").ifEmpty("—"))),
            (ctx.t("Target groups"), .text(t.targetGroups.joined(separator: ", ").ifEmpty("—"))),
            (ctx.t("Feedback measured"), .text(t.feedbackMeasured ? yes : no)),
            (ctx.t("Improvement needs"), .text(t.improvementNeeds ?? "—")),
            (ctx.t("Sub-journeys"), .text(t.subJourneys.map(\.name).joined(separator: ", ").ifEmpty("—"))),
            (ctx.t("Responsible department"), .text(t.responsibleDepartment ?? "—")),
            (ctx.t("Co-responsible departments"), .text(t.coDepartments.joined(separator: ", ").ifEmpty("—"))),
            (ctx.t("Ownership"), .text(ctx.t(t.ownership))),
            (ctx.t("Controllable"), .text(t.controllable ? yes : no)),
            ("URL", t.url.map { .a(.href($0), .attribute(named: "rel", value: "noopener noreferrer"), .text($0)) } ?? .text("—")),
            (ctx.t("External id"), .text(t.externalId ?? "—")),
        ]
        let summary: Node<HTML.BodyContext> = t.assessment.map { a in
            .div(.class("stats"),
                 .div(.class("stat"), .div(.class("n"), .text(JourneyWeb.decimal(ctx, a.relevance))), .div(.class("l"), .text(ctx.t("Relevance") + " (n=\(a.n))"))),
                 .div(.class("stat"), .div(.class("n"), .text(JourneyWeb.decimal(ctx, a.quality))), .div(.class("l"), .text(ctx.t("Quality") + " (n=\(a.n))"))),
                 .div(.class("stat"), .div(.class("n"), .text(ctx.t("quadrant." + a.quadrant))), .div(.class("l"), .text(ctx.t("Matrix quadrant")))))
        } ?? .p(.class("muted"), .text(ctx.t("Not assessed yet.")))
        let assessmentRows: [[Node<HTML.BodyContext>]] = assessments.map { a in
            [.text(ctx.lang.dateTime(a.assessedAt, zone: ctx.zone)), .text(a.assessor), .text("\(a.relevance)"), .text("\(a.quality)"),
             .text(a.customerJobs ?? "—"), .text(a.expectations ?? "—"), .text(a.emotions ?? "—"),
             .text((a.subTouchpoints + a.stakeholders.map { "👤 " + $0 }).joined(separator: ", ").ifEmpty("—"))]
        }
        let scoreOptions = (1...5).map { ("\($0)", "\($0)") }
        let assessForm: Node<HTML.BodyContext> = .if(role?.can(.assessTouchpoints) == true, .form(.method(.post), .action(base + "/assessments"), .class("filters"),
            Layout.csrfField(ctx),
            JourneyWeb.field("relevance", ctx.t("Relevance (1–5)"), JourneyWeb.select("relevance", scoreOptions, selected: "3")),
            JourneyWeb.field("quality", ctx.t("Quality (1–5)"), JourneyWeb.select("quality", scoreOptions, selected: "3")),
            JourneyWeb.field("customer_jobs", ctx.t("Customer jobs"), JourneyWeb.text("customer_jobs")),
            JourneyWeb.field("expectations", ctx.t("Expectations"), JourneyWeb.text("expectations")),
            JourneyWeb.field("emotions", ctx.t("Emotions"), JourneyWeb.text("emotions")),
            JourneyWeb.field("sub_touchpoints", ctx.t("Sub-touchpoints"), JourneyWeb.text("sub_touchpoints")),
            JourneyWeb.field("stakeholders", ctx.t("Stakeholders"), JourneyWeb.text("stakeholders")),
            .button(.type(.submit), .text(ctx.t("Save assessment")))))
        let fileItems: [Node<HTML.ListContext>] = files.map { f in
            let href = base + "/files/" + f.id!.uuidString.lowercased()
            let isImage = UploadKind(rawValue: f.kind)?.isImage == true
            return .li(.if(isImage, .a(.href(href), .img(.src(href), .alt(f.filename), .class("thumb")))),
                       .a(.href(href), .text(f.filename)), .span(.class("muted"), .text(" · \(ctx.lang.number(max(1, f.size / 1024))) KB · " + f.uploadedBy)),
                       .if(role?.can(.writeJourneys) == true, JourneyMapPage.deleteButton(ctx, href + "/delete", label: ctx.t("Delete file") + " " + f.filename)))
        }
        let uploadForm: Node<HTML.BodyContext> = .if(role?.can(.writeJourneys) == true, .form(.method(.post), .action(base + "/files"),
            .enctype(.multipartData), .class("filters"),
            Layout.csrfField(ctx),
            JourneyWeb.field("file", ctx.t("Screenshot or document") + " (PNG, JPEG, GIF, WebP, PDF, TXT, CSV, DOCX, XLSX, PPTX; ≤ 10 MB)",
                             .input(.type(.file), .name("file"), .id("file"), .required(true),
                                    .attribute(named: "accept", value: UploadCheck.allowedExtensions.map { "." + $0 }.joined(separator: ",")))),
            .button(.type(.submit), .class("secondary"), .text(ctx.t("Upload")))))
        let content: Node<HTML.BodyContext> = .group(
            .p(.a(.href("/touchpoints"), .text("← " + ctx.t("Touchpoint registry")))),
            .h1(.text(t.name)),
            .unwrap(t.description) { .p(.text($0)) },
            JourneyWeb.errorBox(ctx, error),
            .div(.class("grid"),
                 .div(.class("card"), .h2(.text(ctx.t("Registry fields"))),
                      .dl(.class("facts"), .forEach(facts) { .group(.dt(.text($0.0)), .dd($0.1)) })),
                 .div(.class("card"), .h2(.text(ctx.t("Assessment"))), summary, assessForm)),
            .h2(.text(ctx.t("Assessments over time"))),
            assessments.isEmpty ? .p(.class("muted"), .text(ctx.t("Nothing yet."))) :
                Layout.table(headers: [ctx.t("When"), ctx.t("Who"), ctx.t("Relevance"), ctx.t("Quality"), ctx.t("Customer jobs"),
                                       ctx.t("Expectations"), ctx.t("Emotions"), ctx.t("Sub-touchpoints and stakeholders")], rows: assessmentRows),
            .div(.class("card spaced"), .h2(.text(ctx.t("Screenshots and documents"))),
                 fileItems.isEmpty ? .p(.class("muted"), .text(ctx.t("Nothing yet."))) : .ul(.class("files"), .group(fileItems)), uploadForm),
            .if(role?.can(.writeJourneys) == true, editForm(ctx, t, channels)),
            .if(role?.can(.writeJourneys) == true, JourneyMapPage.deleteButton(ctx, base + "/delete", label: ctx.t("Delete touchpoint"), text: ctx.t("Delete touchpoint"))))
        return Layout.render(ctx, title: t.name, active: "journeys", content)
    }

    static func editForm(_ ctx: WebContext, _ t: TouchpointDTO, _ channels: [ChannelInfo]) -> Node<HTML.BodyContext> {
        let yesNo = [("true", ctx.t("yes")), ("false", ctx.t("no"))]
        return .details(.class("card"), .summary(.text(ctx.t("Edit registry fields"))),
            .form(.method(.post), .action(JourneyWeb.href("touchpoints", t.id)), .class("stack"),
                  Layout.csrfField(ctx), .input(.type(.hidden), .name("version"), .value("\(t.version)")),
                  JourneyWeb.field("e-name", ctx.t("Name"), .input(.type(.text), .name("name"), .id("e-name"), .value(t.name), .class("wide"), .required(true))),
                  JourneyWeb.field("e-description", ctx.t("Description"), .textarea(.name("description"), .id("e-description"), .text(t.description ?? ""))),
                  JourneyWeb.field("e-channel", ctx.t("Channel"), JourneyWeb.select("channel", channels.map { ($0.slug, ctx.lang == .de ? $0.nameDE : $0.name) }, selected: t.channel, id: "e-channel")),
                  JourneyWeb.field("e-phases", ctx.t("Phases (slugs, comma-separated)"), .input(.type(.text), .name("phases"), .id("e-phases"), .value(t.phases.map(\.slug).joined(separator: ", ")), .class("wide"))),
                  JourneyWeb.field("e-direction", ctx.t("Direction"), JourneyWeb.select("direction", [("", "—")] + TouchpointDirection.allowed.map { ($0, ctx.t($0)) }, selected: t.direction ?? "", id: "e-direction")),
                  JourneyWeb.field("e-products", ctx.t("Products"), .input(.type(.text), .name("products"), .id("e-products"), .value(t.products.joined(separator: ", ")), .class("wide"))),
                  JourneyWeb.field("e-target_groups", ctx.t("Target groups"), .input(.type(.text), .name("target_groups"), .id("e-target_groups"), .value(t.targetGroups.joined(separator: ", ")), .class("wide"))),
                  JourneyWeb.field("e-feedback", ctx.t("Feedback measured"), JourneyWeb.select("feedback_measured", yesNo, selected: t.feedbackMeasured ? "true" : "false", id: "e-feedback")),
                  JourneyWeb.field("e-improvement", ctx.t("Improvement needs"), .textarea(.name("improvement_needs"), .id("e-improvement"), .text(t.improvementNeeds ?? ""))),
                  JourneyWeb.field("e-dept", ctx.t("Responsible department"), .input(.type(.text), .name("responsible_department"), .id("e-dept"), .value(t.responsibleDepartment ?? ""))),
                  JourneyWeb.field("e-codepts", ctx.t("Co-responsible departments"), .input(.type(.text), .name("co_departments"), .id("e-codepts"), .value(t.coDepartments.joined(separator: ", ")), .class("wide"))),
                  JourneyWeb.field("e-ownership", ctx.t("Ownership"), JourneyWeb.select("ownership", TouchpointOwnership.allowed.map { ($0, ctx.t($0)) }, selected: t.ownership, id: "e-ownership")),
                  JourneyWeb.field("e-controllable", ctx.t("Controllable"), JourneyWeb.select("controllable", yesNo, selected: t.controllable ? "true" : "false", id: "e-controllable")),
                  JourneyWeb.field("e-url", "URL", .input(.type(.url), .name("url"), .id("e-url"), .value(t.url ?? ""), .class("wide"))),
                  .button(.type(.submit), .text(ctx.t("Save")))))
    }

    // MARK: writes

    static func update(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let id = req.parameters.get("id").flatMap(UUID.init(uuidString:))
        let body = try InputBody.decode(req)
        return try await JourneyWeb.submit(req, redirect: JourneyWeb.href("touchpoints", id ?? UUID()), write: {
            var fields = body.fields
            let version = fields.removeValue(forKey: "version").flatMap(Int.init)
            // A form sends every field: an empty one clears it, which `validate` turns into .absent.
            let values = try JourneySchemas.touchpoint.validate(fields, partial: true).mapError(\.appError).get()
            _ = try await TouchpointsAPI.change(id, values, by: caller, on: req.db, check: JourneyWeb.openedAt(version, "touchpoint"))
        }, page: { try await render(req, error: $0) })
    }

    static func assess(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let body = try InputBody.decode(req)
        let id = req.parameters.get("id").flatMap(UUID.init(uuidString:))
        return try await JourneyWeb.submit(req, redirect: JourneyWeb.href("touchpoints", id ?? UUID()), write: {
            let values = try JourneySchemas.assessment.validate(body.fields.filter { !$0.value.trimmed.isEmpty }).mapError(\.appError).get()
            try await req.db.transaction { db in
                let scope = caller.scope(on: db)
                _ = try await Assessments.record(try await scope.find(Touchpoint.self, id), values, by: caller, scope: scope)
            }
        }, page: { try await render(req, error: $0) })
    }

    static func upload(_ req: Request) async throws -> Response {
        let caller = try req.caller
        let id = req.parameters.get("id").flatMap(UUID.init(uuidString:))
        let upload = try await MultipartUpload.receive(req, fileField: "file", maxFileBytes: UploadCheck.maxBytes + 1)
        defer { upload.removeFile() }
        try CSRF.verify(req, sent: upload.fields["csrf_token"])
        return try await JourneyWeb.submit(req, redirect: JourneyWeb.href("touchpoints", id ?? UUID()), write: {
            guard let path = upload.filePath, let name = upload.fileName, !name.isEmpty else { throw AppError.invalid("file", "choose a file to upload") }
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            try await req.db.transaction { db in
                let scope = caller.scope(on: db)
                _ = try await TouchpointFiles.store(try await scope.find(Touchpoint.self, id), filename: name, declaredType: upload.fileType,
                                                    bytes: bytes, by: caller, scope: scope)
            }
        }, page: { try await render(req, error: $0) })
    }

    static func file(_ req: Request) async throws -> Response { try await TouchpointFiles.download(req) }

    static func deleteFile(_ req: Request) async throws -> Response {
        let id = req.parameters.get("id") ?? ""
        _ = try await TouchpointFiles.delete(req)
        return req.redirect(to: "/touchpoints/" + id, redirectType: .normal)
    }

    static func delete(_ req: Request) async throws -> Response {
        try await TouchpointsAPI.remove(req.parameters.get("id").flatMap(UUID.init(uuidString:)), by: try req.caller, on: req.db)
        return req.redirect(to: "/touchpoints", redirectType: .normal)
    }
}

/// The relevance × quality matrix of seed 002 ("Phönix"), with the numbers beside it.
enum MatrixPage {
    static func show(_ req: Request) async throws -> Response {
        let ctx = WebContext.make(req)
        let scope = try req.scope
        let journeys = try await scope.query(Journey.self).sort(\.$searchText).all()
        var filter = RegistryFilter()
        let selected = req.query[String.self, at: "journey"] ?? ""
        if !selected.isEmpty {
            guard let j = journeys.first(where: { $0.slug == selected }) else { throw AppError.invalid("journey", "no journey with slug '\(selected)'") }
            filter.journeyID = j.id
        }
        let rows = try await TouchpointReads.records(filter, scope: scope)
        let summaries = try await Assessments.summaries(of: rows.map(\.id), scope: scope)
        let assessed = rows.compactMap { t in summaries[t.id].map { (t, $0) } }
        let lang = ctx.lang
        let points = assessed.map { t, s in
            MatrixPoint(id: t.slug, label: t.name, relevance: s.relevance, quality: s.quality, n: s.n, href: JourneyWeb.href("touchpoints", t.id))
        }
        let fmt: @Sendable (Double) -> String = { v in lang == .de ? String(format: "%.1f", v).replacingOccurrences(of: ".", with: ",") : String(format: "%.1f", v) }
        let relevanceWord = ctx.t("relevance"), qualityWord = ctx.t("quality")
        let labels = MatrixLabels(
            title: ctx.t("Relevance × quality"),
            description: ctx.t("Each touchpoint by its mean assessed relevance (up) and perceived quality (right), 1 to 5; each assessor's latest judgement counts once."),
            xAxis: ctx.t("Perceived quality"), yAxis: ctx.t("Relevance"),
            fixFirst: ctx.t("quadrant.fix_first"), keepUp: ctx.t("quadrant.keep_up"), overServed: ctx.t("quadrant.over_served"), lowPriority: ctx.t("quadrant.low_priority"),
            noData: ctx.t("No assessments yet"),
            pointTitle: { p in "\(p.label): \(relevanceWord) \(fmt(p.relevance)), \(qualityWord) \(fmt(p.quality)) (n=\(p.n))" })
        let svg = Charts.relevanceQualityMatrix(id: "matrix", points: points, labels: labels)
        let tableRows: [[Node<HTML.BodyContext>]] = assessed.sorted { a, b in
            (MatrixQuadrant.allCases.firstIndex(of: .of(relevance: a.1.relevance, quality: a.1.quality))!, b.1.relevance) < (MatrixQuadrant.allCases.firstIndex(of: .of(relevance: b.1.relevance, quality: b.1.quality))!, a.1.relevance)
        }.map { t, s in
            [.a(.href(JourneyWeb.href("touchpoints", t.id)), .text(t.name)), .text(JourneyWeb.decimal(ctx, s.relevance)), .text("\(s.relevanceRange.lowerBound)–\(s.relevanceRange.upperBound)"),
             .text(JourneyWeb.decimal(ctx, s.quality)), .text("\(s.qualityRange.lowerBound)–\(s.qualityRange.upperBound)"), .text("\(s.n)"),
             .text(ctx.t("quadrant." + MatrixQuadrant.of(relevance: s.relevance, quality: s.quality).rawValue))]
        }
        let journeyOptions = [("", ctx.t("All journeys"))] + journeys.map { ($0.slug, $0.name) }
        let content: Node<HTML.BodyContext> = .group(
            .p(.a(.href("/journeys"), .text("← " + ctx.t("Journeys")))),
            .h1(.text(ctx.t("Relevance × quality"))),
            .form(.method(.get), .action("/touchpoints/matrix"), .class("filters"),
                  JourneyWeb.field("journey", ctx.t("Journey"), JourneyWeb.select("journey", journeyOptions, selected: selected)),
                  .button(.type(.submit), .text(ctx.t("Show")))),
            .p(.class("muted"), .text("\(assessed.count) " + ctx.t("of") + " \(rows.count) " + ctx.t("touchpoints are assessed."))),
            .div(.class("matrix-layout"),
                 .div(.class("chart"), .raw(svg)),
                 .div(tableRows.isEmpty ? .p(.class("muted"), .text(ctx.t("No assessments yet"))) :
                        Layout.table(caption: ctx.t("The numbers behind the chart"),
                                     headers: [ctx.t("Touchpoint"), ctx.t("Relevance"), ctx.t("range"), ctx.t("Quality"), ctx.t("range"), "n", ctx.t("Quadrant")], rows: tableRows))))
        return Layout.render(ctx, title: ctx.t("Relevance × quality"), active: "journeys", content)
    }
}

/// Omnichannel maturity over all journeys (seed 002's four milestones).
enum MaturityPage {
    static func show(_ req: Request) async throws -> Response {
        let ctx = WebContext.make(req)
        let scope = try req.scope
        let journeys = try await scope.query(Journey.self).filter(\.$variantOfID == nil).sort(\.$searchText).all()
        let all = try await MaturityAPI.summaries(journeys, scope: scope)
        let rows = all.map { m in
            MilestoneRow(label: m.journeyName, href: JourneyWeb.href("journeys", m.journeyId) + "#maturity",
                         levels: m.levels.map { MaturityLevel(rawValue: $0)?.points ?? 0 })
        }
        let svg = Charts.milestoneBars(id: "maturity", rows: rows, milestones: MaturityMilestone.allCases.map { "\($0.number). " + ctx.t("short." + $0.rawValue) },
                                       labels: MilestoneLabels(title: ctx.t("Omnichannel maturity"), description: ctx.t("Each journey's level on the four milestones, in the order a company reaches them."),
                                                               notStarted: ctx.t("not_started"), partly: ctx.t("partly"), achieved: ctx.t("achieved"), noData: ctx.t("No journeys yet.")))
        let reached = MaturityMilestone.allCases.map { ms in all.filter { $0.levels[ms.number - 1] == MaturityLevel.achieved.rawValue }.count }
        let tableRows: [[Node<HTML.BodyContext>]] = all.map { m in
            [.a(.href(JourneyWeb.href("journeys", m.journeyId) + "#maturity"), .text(m.journeyName))]
                + m.levels.map { .text(ctx.t($0)) } + [.text("\(m.percent) %"), .text("\(m.stage) / 4")]
        }
        let content: Node<HTML.BodyContext> = .group(
            .p(.a(.href("/journeys"), .text("← " + ctx.t("Journeys")))),
            .h1(.text(ctx.t("Omnichannel maturity"))),
            .div(.class("stats"), .forEach(MaturityMilestone.allCases) { ms in
                .div(.class("stat"), .div(.class("n"), .text("\(reached[ms.number - 1]) / \(all.count)")), .div(.class("l"), .text("\(ms.number). " + ctx.t(ms.rawValue))))
            }),
            .div(.class("chart"), .raw(svg)),
            Layout.table(caption: ctx.t("The numbers behind the chart"),
                         headers: [ctx.t("Journey")] + MaturityMilestone.allCases.map { "\($0.number). " + ctx.t("short." + $0.rawValue) } + [ctx.t("Progress"), ctx.t("Stage")],
                         rows: tableRows))
        return Layout.render(ctx, title: ctx.t("Omnichannel maturity"), active: "journeys", content)
    }
}
