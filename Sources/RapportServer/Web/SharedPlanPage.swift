import Fluent
import Foundation
import Plot
import RapportKit
import Vapor

/// The success plan as the customer sees it, through its secret link: no login, nothing beyond this
/// one plan (no notes, no other accounts, no internal fields), and one form per goal where the
/// customer's stakeholder confirms the goal before and its attainment after. A revoked, internal or
/// made-up link gets the same "not found" page.
enum SharedPlanPage {
    static func register(_ app: Application) {
        app.get("p", ":token", use: show)
        app.on(.POST, "p", ":token", "confirm", body: .collect(maxSize: "16kb"), use: confirm)
    }

    static func words(_ req: Request, account: Account?) -> PublicSurvey.Words {
        let accept = req.headers.first(name: .acceptLanguage)?.lowercased() ?? ""
        let country = account?.country ?? ""
        return PublicSurvey.Words(lang: ["DE", "AT", "CH", "LI"].contains(country) || accept.hasPrefix("de") ? "de" : "en")
    }

    static func notFound(_ req: Request) -> Response {
        let w = words(req, account: nil)
        return PublicSurvey.page(lang: w.lang, title: w("Link ungültig", "Link not valid"), status: .notFound, .div(.class("card"),
            .h1(.text(w("Dieser Link ist nicht (mehr) gültig", "This link is not valid (any more)"))),
            .p(.text(w("Bitte fragen Sie Ihre Ansprechperson nach einem neuen Link.", "Please ask your contact person for a new link.")))))
    }

    static func show(_ req: Request) async throws -> Response {
        guard let plan = try await PlansAPI.plan(forToken: req.parameters.get("token") ?? "", db: req.db) else { return notFound(req) }
        return try await render(req, plan: plan, message: req.query[String.self, at: "done"] == "1" ? "done" : nil, error: nil, status: .ok)
    }

    static func render(_ req: Request, plan: SuccessPlan, message: String?, error: String?, status: HTTPResponseStatus) async throws -> Response {
        let scope = Scope(workspaceID: plan.workspaceID, db: req.db)
        let account = try await scope.find(Account.self, plan.accountID)
        let w = words(req, account: account)
        let book = try await GoalBook.load(scope: scope, accounts: [plan.accountID])
        let milestones = try await PlansAPI.milestones(plan, scope: scope)
        let dto = PlansAPI.dto(plan, milestones: milestones)
        let owners = try await Members.names(Set([plan.vendorOwnerID].compactMap { $0 } + book.goals.compactMap(\.vendorOwnerID)), on: req.db)
        let contactIDs = Set([plan.customerOwnerID].compactMap { $0 } + book.goals.compactMap(\.customerOwnerID))
        let contacts = contactIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await scope.query(Contact.self).filter(\.$id ~~ contactIDs).all()
            .map { ($0.id!, [$0.firstName, $0.lastName].compactMap { $0 }.joined(separator: " ")) })
        let token = req.parameters.get("token") ?? ""
        let de = w.lang == "de"
        func date(_ iso: String?) -> String {
            guard let iso, let d = DateOnly(iso: iso) else { return "–" }
            return de ? String(format: "%02d.%02d.%04d", d.day, d.month, d.year) : d.iso
        }
        func number(_ v: Double) -> String {
            let r = (v * 100).rounded() / 100
            let text = r == r.rounded() ? String(Int(r)) : String(r)
            return de ? text.replacingOccurrences(of: ".", with: ",") : text
        }
        func phase(_ p: String) -> String { ["activation": w("Aktivierung", "Activation"), "adoption": w("Nutzung", "Adoption"), "optimization": w("Optimierung", "Optimization")][p] ?? p }
        func attainment(_ a: String) -> String {
            ["open": w("offen", "open"), "none": w("nicht erreicht", "not reached"), "partly": w("teilweise erreicht", "partly reached"), "fully": w("erreicht", "reached")][a] ?? a
        }
        let goals = book.tree(of: plan.accountID)
        let title = w("Erfolgsplan", "Success plan") + ": " + plan.title
        return PublicSurvey.page(lang: w.lang, title: title, status: status, .div(.class("card"),
            .h1(.text(title)),
            .p(.text(account.name)),
            .unwrap(message) { _ in .p(.class("notice"), .attribute(named: "role", value: "status"), .text(w("Danke, Ihre Bestätigung ist gespeichert.", "Thank you, your confirmation is saved."))) },
            .unwrap(error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .p(.text(w("Verantwortlich", "Owners") + ": " + (plan.vendorOwnerID.flatMap { owners[$0] } ?? "—") + " / " + (plan.customerOwnerID.flatMap { contacts[$0] } ?? "—"))),
            .if(!dto.priorities.isEmpty, .group(.h2(.text(w("Die drei wichtigsten Prioritäten", "Top 3 priorities"))), .ol(.forEach(dto.priorities) { .li(.text($0)) }))),
            .h2(.text(w("Phasen", "Phases"))),
            .ul(.forEach(SuccessPhase.allCases) { p in
                .li(.text(phase(p.rawValue) + ": " + w("geplant", "planned") + " " + date(dto.phases[p.rawValue]?.planned)
                          + (dto.phases[p.rawValue]?.actual.map { ", " + w("erreicht", "reached") + " " + date($0) } ?? "")))
            }),
            .if(!milestones.isEmpty, .group(.h2(.text(w("Meilensteine", "Milestones"))), .ul(.forEach(milestones) { m in
                .li(.text(m.title + " — " + date(m.dueOn) + (m.doneOn.map { " ✓ " + date($0) } ?? "")))
            }))),
            .h2(.text(w("Ihre Ziele", "Your goals"))),
            goals.isEmpty ? .p(.text(w("Noch keine Ziele.", "No goals yet."))) : .div(.forEach(goals) { item in
                let g = item.goal
                let gid = g.id!.uuidString.lowercased()
                let agreed = book.agreement(g, .exAnte, .customer)
                let signed = book.agreement(g, .exPost, .customer)
                let attained = ["partly", "fully"].contains(g.attainment)
                let kpis = book.kpiDTOs(g)
                return .div(.class("goal"), .id("goal-" + gid),
                    .h3(.text(String(repeating: "↳ ", count: item.depth) + g.title)),
                    .unwrap(g.description) { .p(.text($0)) },
                    .p(.text(w("Stand", "Status") + ": " + attainment(g.attainment))),
                    .if(!kpis.isEmpty, .ul(.forEach(kpis) { k in
                        .li(.text(k.name + ": " + w("von", "from") + " " + number(k.baseline) + " " + w("auf", "to") + " " + number(k.target) + " " + k.unit + " " + w("bis", "by") + " " + date(k.deadline)
                                  + (k.current.map { "; " + w("zuletzt", "latest") + " " + number($0) + " " + k.unit + " (" + date(k.measured_on) + ")" } ?? "")))
                    })),
                    .p(.text(agreed.map { "✓ " + w("Von Ihnen bestätigt", "Confirmed by you") + ": " + $0.byName } ?? "")),
                    .if(attained, .p(.text(signed.map { "✓ " + w("Erreichung bestätigt", "Attainment confirmed") + ": " + $0.byName } ?? ""))),
                    .if(agreed == nil || (attained && signed == nil), .form(.method(.post), .action("/p/\(token)/confirm"),
                        .input(.type(.hidden), .name("goal_id"), .value(gid)),
                        .input(.type(.hidden), .name("stage"), .value(agreed == nil ? "ex_ante" : "ex_post")),
                        .label(.for("name-" + gid), .text(w("Ihr Name", "Your name"))),
                        .input(.type(.text), .name("name"), .id("name-" + gid), .attribute(named: "required", value: "required"), .attribute(named: "autocomplete", value: "name")),
                        .button(.type(.submit), .text(agreed == nil ? w("Dieses Ziel so bestätigen", "Confirm this goal as stated") : w("Erreichung bestätigen", "Confirm it was reached"))))))
            })))
    }

    static func confirm(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        guard let plan = try await PlansAPI.plan(forToken: token, db: req.db) else { return notFound(req) }
        let fields = try SurveyForms.fields(req)
        let scope = Scope(workspaceID: plan.workspaceID, db: req.db)
        // Only goals of this plan's account can be confirmed through its link.
        guard let id = fields["goal_id"].flatMap(UUID.init(uuidString:)), let goal = try await scope.query(Goal.self).filter(\.$id == id).first(),
              goal.accountID == plan.accountID else { return notFound(req) }
        let w = words(req, account: nil)
        let name = (fields["name"] ?? "").trimmed
        guard !name.isEmpty, name.count <= 200, controlCharacterProblem(name) == nil else {
            return try await render(req, plan: plan, message: nil, error: w("Bitte geben Sie Ihren Namen an.", "Please give your name."), status: .unprocessableEntity)
        }
        let stage: AgreementStage = fields["stage"] == "ex_post" ? .exPost : .exAnte
        let workspace = try await Workspace.find(plan.workspaceID, on: req.db)!
        do {
            try await GoalsAPI.record(goal: goal, stage: stage, side: .customer, by: name, via: "shared_link", note: nil,
                                      caller: Caller(kind: .system, workspaceID: workspace.id!, workspaceSlug: workspace.slug, workspaceName: workspace.name,
                                                     role: .viewer, label: "customer via share link (\(name))", zone: workspace.zone), on: req.db)
        } catch {
            guard let e = AppError(shown: error) else { throw error }
            return try await render(req, plan: plan, message: nil, error: e.fieldErrors.first?.message ?? e.detail, status: e.status)
        }
        return req.redirect(to: "/p/\(token)?done=1#goal-\(id.uuidString.lowercased())", redirectType: .normal)
    }
}
