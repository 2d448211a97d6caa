import Fluent
import Foundation
import Plot
import RapportKit
import Vapor

enum ImportPage {
    struct Model {
        var entity: ImportEntity = .accounts
        var mode: ImportMode = .allOrNothing
        var report: ImportReport?
        var fileName: String?
        var error: String?
    }

    static func show(_ req: Request) async throws -> Response {
        let ctx = WebContext.make(req)
        let entity = req.query[String.self, at: "entity"].flatMap(ImportEntity.init(rawValue:)) ?? .accounts
        return Layout.render(ctx, title: ctx.t("Import"), active: "import", view(ctx, Model(entity: entity)))
    }

    /// Larger files belong to `rapport import`, which also shows progress.
    static let maxUploadBytes = 512 * 1_048_576

    /// The upload streams to a temporary file (`MultipartUpload`) and is read from there in chunks, like
    /// the CLI reads its file: neither the upload nor the import holds the whole file in memory.
    static func submit(_ req: Request) async throws -> Response {
        let upload = try await MultipartUpload.receive(req, fileField: "file", maxFileBytes: maxUploadBytes, tooLargeHint: "; import it with `rapport import` instead")
        defer { upload.removeFile() }
        // This route streams its body, so the CSRF middleware could not read the token; check it here,
        // before anything is written.
        try CSRF.verify(req, sent: upload.fields["csrf_token"])
        let ctx = WebContext.make(req)
        var m = Model(entity: ImportEntity(rawValue: upload.fields["entity"] ?? "") ?? .accounts, mode: ImportMode(rawValue: upload.fields["mode"] ?? "") ?? .allOrNothing)
        // Importing writes the records: the caller needs the right to write them, not only to import.
        try req.caller.require(m.entity.writePermission)
        guard let path = upload.filePath, upload.fileBytes > 0 else {
            m.error = "Choose a CSV file to import."
            return Layout.render(ctx, title: ctx.t("Import"), status: .unprocessableEntity, active: "import", view(ctx, m))
        }
        m.fileName = upload.fileName
        do {
            let reader = try CSVReader(path: path)
            m.report = try await Importer(entity: m.entity, mode: m.mode, caller: try req.caller, db: req.db).run(reader, source: upload.fileName ?? "upload.csv")
        } catch let e as CSVError {
            var report = ImportReport(entity: m.entity, mode: m.mode)
            report.fatal = ImportIssue(line: e.line, column: nil, message: e.message)
            m.report = report
        }
        let status: HTTPResponseStatus = (m.report?.ok ?? false) ? .ok : .unprocessableEntity
        return Layout.render(ctx, title: ctx.t("Import"), status: status, active: "import", view(ctx, m))
    }

    /// A header-only CSV with every column, so people start from the right names.
    static func template(_ req: Request) async throws -> Response {
        guard let entity = req.parameters.get("entity").flatMap(ImportEntity.init(rawValue:)) else { throw AppError.notFound(entity: "template") }
        let r = Response(status: .ok, body: .init(string: CSVWriter().line(entity.schema.names)))
        r.headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        r.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(entity.rawValue)-template.csv\"")
        return r
    }

    static func view(_ ctx: WebContext, _ m: Model) -> Node<HTML.BodyContext> {
        .group(
            .h1(.text(ctx.t("Import a CSV file"))),
            .unwrap(m.error) { .div(.class("alert"), .attribute(named: "role", value: "alert"), .text($0)) },
            .unwrap(m.report) { report(ctx, $0, fileName: m.fileName) },
            .form(.method(.post), .action("/import"), .enctype(.multipartData), .class("card stack"),
                Layout.csrfField(ctx),
                .div(.label(.for("entity"), .text(ctx.t("What to import"))),
                     .select(.attribute(named: "name", value: "entity"), .id("entity"), .forEach(ImportEntity.allCases.filter { ctx.caller?.role.can($0.writePermission) == true }) { e in
                         .choice(e.rawValue, ctx.t(e.rawValue.capitalized), selected: e == m.entity) })),
                .div(.label(.for("file"), .text(ctx.t("File"))),
                     .input(.type(.file), .name("file"), .id("file"), .attribute(named: "accept", value: ".csv,text/csv"), .required(true))),
                .fieldset(.legend(ctx.t("If a row is invalid")),
                    .forEach([(ImportMode.allOrNothing, "Import nothing (all or nothing)"), (.validRows, "Import the valid rows and report the rest")]) { mode in
                        .div(.class("radio"), .input(.type(.radio), .name("mode"), .id("mode-\(mode.0.rawValue)"), .value(mode.0.rawValue), .checked(mode.0 == m.mode)),
                             .text(" "), .element(named: "label", nodes: [.attribute(named: "for", value: "mode-\(mode.0.rawValue)"), .text(ctx.t(mode.1))]))
                    }),
                .button(.type(.submit), .id("start-import"), .text(ctx.t("Start import")))
            ),
            .h2(.text(ctx.t("Columns"))),
            .div(.class("grid"), .forEach(ImportEntity.allCases.filter { ctx.caller?.role.can($0.writePermission) == true }) { e in
                .section(.class("card"),
                    .h2(.text(ctx.t(e.rawValue.capitalized))),
                    .p(.a(.href("/import/template/\(e.rawValue)"), .text(ctx.t("Download a template")))),
                    .ul(.forEach(e.schema.fields) { f in
                        .li(.code(.text(f.name)), .if(f.required, .strong(.text(" (\(ctx.t("required")))"))), .span(.class("muted"), .text(" — " + f.summary)))
                    }))
            })
        )
    }

    static func report(_ ctx: WebContext, _ r: ImportReport, fileName: String?) -> Node<HTML.BodyContext> {
        .section(.class("card"), .id("import-report"), .attribute(named: "aria-live", value: "polite"),
            .h2(.text(fileName ?? ctx.t("Import"))),
            .unwrap(r.fatal) { f in .div(.class("alert"), .attribute(named: "role", value: "alert"),
                .strong(.text(ctx.t("The file could not be read") + ": ")), .text(f.description)) },
            .if(r.fatal == nil, .div(.class("stats"),
                HomePage.stat(ctx.lang.number(r.rowsRead), ctx.t("Rows read"), nil),
                HomePage.stat(ctx.lang.number(r.created), ctx.t("Created"), nil),
                HomePage.stat(ctx.lang.number(r.updated), ctx.t("Updated"), nil),
                HomePage.stat(ctx.lang.number(r.refusedRows), ctx.t("Refused"), nil))),
            .if(r.fatal == nil && !r.committed && r.refusedRows > 0, .div(.class("alert"), .attribute(named: "role", value: "alert"),
                .text(ctx.t("Nothing was imported because some rows are invalid. Fix them and import the file again.")))),
            .if(!r.issues.isEmpty, Layout.table(headers: [ctx.t("Row"), ctx.t("Column"), ctx.t("Problem")], rows: r.issues.map { i in
                [.text(i.line.map(String.init) ?? "—"), .text(i.column ?? "—"), .text(i.message)]
            })),
            .if(r.moreIssues > 0, .p(.class("muted"), .text("… +\(r.moreIssues)")))
        )
    }
}
