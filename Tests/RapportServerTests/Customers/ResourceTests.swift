import Fluent
import Foundation
import RapportKit
import Testing
import Vapor
import VaporTesting
@testable import RapportServer

@Suite("Customer API")
struct ResourceTests {
    @Test("create, read, change with If-Match, refuse a stale change, delete", arguments: TestDB.all)
    func lifecycle(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            let token = try await fx.token(try await fx.workspace("life"))
            let created = try await fx.send(.POST, "/api/v1/accounts", token: token, json: ["name": "Hofmann Maschinenbau GmbH", "country": "de", "attributes": ["tier": "Gold"]])
            #expect(created.status == .created)
            #expect(created.headers.first(name: .eTag) == "\"v1\"")
            let account = try created.json()
            #expect(account["country"] as? String == "DE")
            #expect((account["attributes"] as? [String: String])?["tier"] == "Gold")

            let changed = try await fx.send(.PATCH, "/api/v1/accounts/\(account.id)", token: token, json: ["segment": "Enterprise"], headers: [("If-Match", "\"v1\"")])
            #expect(changed.status == .ok)
            #expect(changed.headers.first(name: .eTag) == "\"v2\"")
            #expect(try changed.json()["name"] as? String == "Hofmann Maschinenbau GmbH")

            let stale = try await fx.send(.PATCH, "/api/v1/accounts/\(account.id)", token: token, json: ["segment": "SMB"], headers: [("If-Match", "\"v1\"")])
            #expect(stale.status == .preconditionFailed)
            let now = try await fx.send(.GET, "/api/v1/accounts/\(account.id)", token: token)
            #expect(try now.json()["segment"] as? String == "Enterprise")

            #expect(try await fx.send(.DELETE, "/api/v1/accounts/\(account.id)", token: token).status == .noContent)
            #expect(try await fx.send(.GET, "/api/v1/accounts/\(account.id)", token: token).status == .notFound)
            let audit = try await AuditEntry.query(on: app.db).filter(\.$entityID == UUID(uuidString: account.id)!).sort(\.$at).all().map(\.action)
            #expect(audit == ["create", "update", "delete"])
        }
    }

    @Test("invalid input is refused with every field named, and nothing is written", arguments: TestDB.all)
    func validation(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            let token = try await fx.token(try await fx.workspace("valid"))
            let r = try await fx.send(.POST, "/api/v1/accounts", token: token, json: ["name": "", "country": "Germany", "coverage": "pooled"])
            #expect(r.status == .unprocessableEntity)
            #expect(r.headers.first(name: .contentType) == "application/problem+json")
            #expect(Set(try r.fieldNames()) == ["name", "country", "coverage"])
            #expect(try await fx.send(.GET, "/api/v1/accounts", token: token).items().isEmpty)

            let contract = try await fx.send(.POST, "/api/v1/contracts", token: token, json: ["product": "P", "start_date": "2026-02-30", "arr": "12,345", "currency": "EURO"])
            #expect(Set(try contract.fieldNames()).isSuperset(of: ["start_date", "currency"]))
            let notJSON = try await app.testing().sendRequest(.POST, "/api/v1/accounts", headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"], body: ByteBuffer(string: "{nope"))
            #expect(notJSON.status == .badRequest)
            let wrongType = try await fx.send(.POST, "/api/v1/accounts", token: token, json: ["name": ["nested": true]])
            #expect(try wrongType.fieldNames() == ["name"])
            // PostgreSQL cannot store a NUL byte: found by schemathesis as a 500, now a 422 naming the field.
            let nul = try await fx.send(.POST, "/api/v1/contacts", token: token, json: ["last_name": "L\u{0}", "first_name": "Jana"])
            #expect(try nul.status == .unprocessableEntity && nul.fieldNames() == ["last_name"])
            let attr = try await fx.send(.POST, "/api/v1/accounts", token: token, json: ["name": "A", "attributes": ["x": "a\u{0}b"]])
            #expect(try attr.fieldNames() == ["attributes.x"])
            let query = try await fx.send(.GET, "/api/v1/accounts?q=%5E%00&segment=%12", token: token)
            #expect(try query.status == .unprocessableEntity && Set(query.fieldNames()) == ["q", "segment"])
            let key = try await fx.send(.POST, "/api/v1/accounts", token: token, json: ["name": "K"], headers: [("Idempotency-Key", "a b")])
            #expect(try key.fieldNames() == ["Idempotency-Key"])
        }
    }

    @Test("cursor pagination visits every row once, in order", arguments: TestDB.all)
    func pagination(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            let token = try await fx.token(try await fx.workspace("pages"))
            let names = ["Zeta", "Äpfel AG", "Beta", "Gamma", "Delta", "Beta", "Omega"]
            for n in names { _ = try await fx.create("/api/v1/accounts", token: token, ["name": n]) }
            var seen: [String] = [], ids = Set<String>(), cursor: String?
            repeat {
                let r = try await fx.send(.GET, "/api/v1/accounts?limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token)
                let json = try r.json()
                for item in try r.items() { seen.append(item["name"] as! String); ids.insert(item.id) }
                cursor = json["next_cursor"] as? String
                #expect(json.keys.contains("next_cursor"))
            } while cursor != nil
            #expect(seen.count == names.count && ids.count == names.count)
            // Folded order: Äpfel sorts with the As.
            #expect(seen == ["Äpfel AG", "Beta", "Beta", "Delta", "Gamma", "Omega", "Zeta"])
            #expect(try await fx.send(.GET, "/api/v1/accounts?limit=0", token: token).status == .unprocessableEntity)
            #expect(try await fx.send(.GET, "/api/v1/accounts?sort=colour", token: token).status == .unprocessableEntity)
            #expect(try await fx.send(.GET, "/api/v1/accounts?cursor=garbage", token: token).status == .unprocessableEntity)
            let search = try await fx.send(.GET, "/api/v1/accounts?q=apfel", token: token).items()
            #expect(search.map { $0["name"] as? String } == ["Äpfel AG"])
        }
    }

    @Test("a retried POST with the same Idempotency-Key creates one record", arguments: TestDB.all)
    func idempotency(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            let token = try await fx.token(try await fx.workspace("idem"))
            let first = try await fx.send(.POST, "/api/v1/accounts", token: token, json: ["name": "Once"], headers: [("Idempotency-Key", "k-1")])
            let again = try await fx.send(.POST, "/api/v1/accounts", token: token, json: ["name": "Once"], headers: [("Idempotency-Key", "k-1")])
            #expect(first.status == .created && again.status == .created)
            #expect(try first.json().id == again.json().id)
            #expect(again.headers.first(name: "Idempotent-Replayed") == "true")
            let other = try await fx.send(.POST, "/api/v1/accounts", token: token, json: ["name": "Different"], headers: [("Idempotency-Key", "k-1")])
            #expect(other.status == .unprocessableEntity)
            #expect(try await fx.send(.GET, "/api/v1/accounts", token: token).items().count == 1)
        }
    }

    @Test("contacts, consents as a ledger, contracts and events reach the timeline", arguments: TestDB.all)
    func customerModel(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            let token = try await fx.token(try await fx.workspace("model"))
            let account = try await fx.create("/api/v1/accounts", token: token, ["name": "Alpenblick AG", "external_id": "A-1"])
            let contact = try await fx.create("/api/v1/contacts", token: token, ["name": "Anna Maria Huber", "account_external_id": "A-1",
                                                                                  "email": "Anna@Alpenblick.Example", "channel_preferences": ["email", "phone"]])
            #expect(contact["first_name"] as? String == "Anna Maria" && contact["last_name"] as? String == "Huber")
            #expect(contact["account_id"] as? String == (account["id"] as? String))
            _ = try await fx.create("/api/v1/contacts/\(contact.id)/consents", token: token, ["purpose": "survey", "channel": "email", "status": "granted", "source": "web form"])
            _ = try await fx.create("/api/v1/contacts/\(contact.id)/consents", token: token, ["purpose": "survey", "channel": "email", "status": "withdrawn", "source": "e-mail reply"])
            let ledger = try await fx.send(.GET, "/api/v1/contacts/\(contact.id)/consents", token: token).items()
            #expect(ledger.map { $0["status"] as? String } == ["withdrawn", "granted"])

            let contract = try await fx.create("/api/v1/contracts", token: token, ["account_external_id": "A-1", "product": "Cloud", "start_date": "01.01.2026",
                                                                                  "renewal_date": "2027-01-01", "arr": "12.000,50", "currency": "eur"])
            #expect(contract["arr"] as? Double == 12000.5)
            #expect(contract["start_date"] as? String == "2026-01-01")
            let churn = try await fx.send(.POST, "/api/v1/contracts/\(contract.id)/events", token: token, json: ["kind": "churn", "occurred_on": "2026-06-01", "arr_delta": -12000.5])
            #expect(try churn.fieldNames() == ["reason"])
            _ = try await fx.create("/api/v1/contracts/\(contract.id)/events", token: token, ["kind": "churn", "occurred_on": "2026-06-01", "arr_delta": -12000.5, "reason": "Budgetkürzung"])
            let timeline = try await fx.send(.GET, "/api/v1/accounts/\(account.id)/timeline", token: token).items()
            #expect(timeline.contains { ($0["kind"] as? String) == "contract.churn" && ($0["detail"] as? String) == "Budgetkürzung" })
            #expect(timeline.filter { ($0["kind"] as? String) == "consent" }.count == 2)
            let badDates = try await fx.send(.PATCH, "/api/v1/contracts/\(contract.id)", token: token, json: ["end_date": "2025-01-01"])
            #expect(try badDates.fieldNames() == ["end_date"])
        }
    }

    @Test("a person's data can be exported and erased; history stays anonymised", arguments: TestDB.all)
    func personalData(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            let token = try await fx.token(try await fx.workspace("gdpr"))
            let contact = try await fx.create("/api/v1/contacts", token: token, ["first_name": "Jonas", "last_name": "Berger", "email": "jonas@berger.example", "phone": "+49 89 1234567"])
            _ = try await fx.create("/api/v1/contacts/\(contact.id)/consents", token: token, ["purpose": "callback", "channel": "phone", "status": "granted", "source": "Anruf von Jonas Berger"])
            let export = try await fx.send(.GET, "/api/v1/contacts/\(contact.id)/personal-data", token: token).json()
            #expect((export["contact"] as? [String: Any])?["email"] as? String == "jonas@berger.example")
            #expect((export["consents"] as? [Any])?.count == 1)

            let erased = try await fx.send(.POST, "/api/v1/contacts/\(contact.id)/erase", token: token)
            #expect(erased.status == .ok)
            let after = try await fx.send(.GET, "/api/v1/contacts/\(contact.id)", token: token)
            let body = after.body.string
            #expect(!body.contains("Jonas") && !body.contains("berger.example") && !body.contains("1234567"))
            #expect(try after.json()["erased"] as? Bool == true)
            let consents = try await fx.send(.GET, "/api/v1/contacts/\(contact.id)/consents", token: token)
            #expect(try consents.items().count == 1 && !consents.body.string.contains("Jonas"))
            let audit = try await AuditEntry.query(on: app.db).all()
            #expect(audit.allSatisfy { ($0.before ?? "").contains("Jonas") == false && ($0.after ?? "").contains("Jonas") == false })
            #expect(try await fx.send(.PATCH, "/api/v1/contacts/\(contact.id)", token: token, json: ["first_name": "Again"]).status == .conflict)
        }
    }
}
