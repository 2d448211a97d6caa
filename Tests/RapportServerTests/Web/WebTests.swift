import Fluent
import Foundation
import RapportKit
import Testing
import Vapor
import VaporTesting
@testable import RapportServer

@Suite("Web UI")
struct WebTests {
    @Test("sign in, browse accounts and the 360 page, sign out", arguments: TestDB.all)
    func browse(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            let ws = try await fx.workspace("web")
            _ = try await fx.user(ws, email: "csm@web.example", role: .csm)
            let token = try await fx.token(ws)
            let account = try await fx.create("/api/v1/accounts", token: token, ["name": "Seeblick Hotels AG", "segment": "Enterprise"])
            _ = try await fx.create("/api/v1/contacts", token: token, ["first_name": "Lea", "last_name": "Sommer", "account_id": account.id])
            _ = try await fx.create("/api/v1/contracts", token: token, ["account_id": account.id, "product": "Cloud Pro", "start_date": "2026-01-01", "renewal_date": "2027-01-01", "arr": 5000, "currency": "EUR"])

            #expect(try await app.testing().sendRequest(.GET, "/accounts").status == .seeOther)
            let s = try await WebSession.login(app, email: "csm@web.example", password: "correct horse battery")
            let list = try await s.get("/accounts?q=seeblick")
            #expect(list.status == .ok && list.body.string.contains("Seeblick Hotels AG"))
            let page = try await s.get("/accounts/\(account.id)")
            #expect(page.body.string.contains("Lea Sommer") && page.body.string.contains("Cloud Pro") && page.body.string.contains("2027-01-01"))
            #expect(page.headers.first(name: "Content-Security-Policy") != nil)
            // A CSM may not import? They may (data.import); but not read the audit log.
            #expect(try await s.get("/settings/audit").status == .forbidden)
            let home = try await s.get("/")
            #expect(home.status == .ok && home.body.string.contains("5,000 EUR"))
            let out = try await s.post("/logout", form: [:])
            #expect(out.status == .seeOther, "\(out.status) \(out.body.string.prefix(300))")
            #expect(try await s.get("/accounts").status == .seeOther)
        }
    }

    @Test("reading pages does not write the session; signing out still ends it", arguments: TestDB.all)
    func sessionWrites(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await Fixture(app: app).signedIn("sess", email: "viewer@sess.example", role: .viewer).session
            // Count every UPDATE of a session row from here on, with the database's own trigger.
            let sql = app.db.sql
            try await sql.raw("CREATE TABLE session_writes (n INTEGER)").run()
            if db == .sqlite {
                try await sql.raw("CREATE TRIGGER count_session_writes AFTER UPDATE ON _fluent_sessions BEGIN INSERT INTO session_writes VALUES (1); END").run()
            } else {
                try await sql.raw("CREATE FUNCTION count_session_write() RETURNS trigger AS $$ BEGIN INSERT INTO session_writes VALUES (1); RETURN NEW; END $$ LANGUAGE plpgsql").run()
                try await sql.raw("CREATE TRIGGER count_session_writes AFTER UPDATE ON _fluent_sessions FOR EACH ROW EXECUTE FUNCTION count_session_write()").run()
            }
            struct Count: Decodable { var n: Int }
            func writes() async throws -> Int { try await sql.raw("SELECT COUNT(*) AS n FROM session_writes").first(decoding: Count.self)?.n ?? -1 }
            for path in ["/", "/accounts", "/accounts?q=x", "/"] {
                #expect(try await s.get(path).status == .ok, "\(path)")
            }
            #expect(try await writes() == 0, "page views wrote the session")
            #expect(try await s.post("/logout", form: [:]).status == .seeOther)
            #expect(try await s.get("/accounts").status == .seeOther)
        }
    }

    @Test("forms without the session's token are refused", arguments: TestDB.all)
    func csrf(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let s = try await Fixture(app: app).signedIn("csrf", email: "admin@csrf.example", role: .admin).session
            let forged = try await s.post("/settings/tokens", form: ["token_name": "evil", "token_role": "admin"], csrf: "forged")
            #expect(forged.status == .forbidden)
            #expect(try await APIToken.query(on: app.db).count() == 0)
            let real = try await s.post("/settings/tokens", form: ["token_name": "ci", "token_role": "analyst"])
            #expect(real.status == .ok && real.body.string.contains("rpt_"))
            #expect(try await APIToken.query(on: app.db).count() == 1)
            // The new token works, and revoking it here refuses it at once, though this node had just checked it.
            let clear = try #require(real.body.string.firstMatch(of: /rpt_[A-Za-z0-9]{40}/)).output
            let fx = Fixture(app: app)
            #expect(try await fx.send(.GET, "/api/v1/accounts", token: String(clear)).status == .ok)
            let stored = try #require(try await APIToken.query(on: app.db).first())
            #expect(try await s.post("/settings/tokens/\(stored.id!.uuidString)/revoke", form: [:]).status == .seeOther)
            #expect(try await fx.send(.GET, "/api/v1/accounts", token: String(clear)).status == .unauthorized)
        }
    }

    @Test("admins add members and change roles; the last owner stays", arguments: TestDB.all)
    func members(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            let ws = try await fx.workspace("team")
            let owner = try await fx.user(ws, email: "owner@team.example", role: .owner)
            _ = try await fx.user(ws, email: "admin@team.example", role: .admin)
            let s = try await WebSession.login(app, email: "admin@team.example", password: "correct horse battery")
            let added = try await s.post("/settings/users", form: ["name": "Neu", "email": "neu@team.example", "password": "another long password", "role": "csm"])
            #expect(added.status == .ok && added.body.string.contains("neu@team.example"))
            let newcomer = try await User.query(on: app.db).filter(\.$email == "neu@team.example").first()!
            #expect(try await s.post("/settings/users/\(newcomer.id!.uuidString)/role", form: ["role": "analyst"]).status == .seeOther)
            #expect(try await Membership.query(on: app.db).filter(\.$user.$id == newcomer.id!).first()?.role == "analyst")
            // An admin cannot demote the owner, nor make anyone an owner.
            #expect(try await s.post("/settings/users/\(owner.id!.uuidString)/role", form: ["role": "viewer"]).status == .unprocessableEntity)
            #expect(try await s.post("/settings/users/\(newcomer.id!.uuidString)/role", form: ["role": "owner"]).status == .unprocessableEntity)
            #expect(try await s.post("/settings/users", form: ["name": "X", "email": "x@team.example", "password": "another long password", "role": "owner"]).status == .unprocessableEntity)
            let o = try await WebSession.login(app, email: "owner@team.example", password: "correct horse battery")
            #expect(try await o.post("/settings/users/\(owner.id!.uuidString)/role", form: ["role": "viewer"]).status == .unprocessableEntity)
        }
    }

    @Test("login is throttled after repeated failures, even with the right password", arguments: TestDB.all)
    func throttling(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            _ = try await fx.user(try await fx.workspace("thr"), email: "a@thr.example", role: .viewer)
            let s = try await WebSession.start(app)
            for _ in 0..<Login.maxFailures {
                #expect(try await s.post("/login", form: ["email": "a@thr.example", "password": "wrong password"]).status == .unauthorized)
            }
            let blocked = try await s.post("/login", form: ["email": "a@thr.example", "password": "correct horse battery"])
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.headers.first(name: .retryAfter) != nil)
        }
    }

    @Test("the UI speaks German when the browser or the user asks for it", arguments: TestDB.all)
    func german(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            _ = try await fx.user(try await fx.workspace("de"), email: "de@de.example", role: .owner)
            let login = try await app.testing().sendRequest(.GET, "/login", headers: ["Accept-Language": "de-DE,de;q=0.9,en;q=0.5"])
            #expect(login.body.string.contains("Anmelden") && login.body.string.contains("lang=\"de\""))
            let s = try await WebSession.login(app, email: "de@de.example", password: "correct horse battery")
            _ = try await s.post("/settings/language", form: ["locale": "de"])
            let home = try await s.get("/")   // the session sends Accept-Language: en; the user's choice wins
            #expect(home.body.string.contains("Anstehende Verlängerungen"))
            // Timeline entries written by the code in English read in German, too.
            let token = try await fx.token(try await Workspaces.find(slug: "de", on: app.db))
            let account = try await fx.create("/api/v1/accounts", token: token, ["name": "Zeitstrahl AG"])
            let contract = try await fx.create("/api/v1/contracts", token: token, ["account_id": account.id, "product": "Cloud", "start_date": "2026-01-01", "arr": 100, "currency": "EUR"])
            _ = try await fx.create("/api/v1/contracts/\(contract.id)/events", token: token, ["kind": "churn", "occurred_on": "2026-06-01", "arr_delta": -100, "reason": "Budget"])
            let page = try await s.get("/accounts/\(account.id)")
            #expect(page.body.string.contains("Cloud: Kündigung (-100 EUR)"))
        }
    }

    @Test("the import page reports each refused row", arguments: TestDB.all)
    func importPage(db: TestDB) async throws {
        try await withTestApp(db) { app in
            let fx = Fixture(app: app)
            _ = try await fx.user(try await fx.workspace("imp"), email: "cx@imp.example", role: .cxManager)
            let s = try await WebSession.login(app, email: "cx@imp.example", password: "correct horse battery")
            let csv = "external_id,name,email\nc1,Anna Muster,anna@example.org\nc2,Bad Row,not-an-email\n"
            func upload(csrf: String) async throws -> TestingHTTPResponse {
                let boundary = "----rapport"
                var body = ""
                for (k, v) in [("csrf_token", csrf), ("entity", "contacts"), ("mode", "all_or_nothing")] {
                    body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n"
                }
                body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"contacts.csv\"\r\nContent-Type: text/csv\r\n\r\n\(csv)\r\n--\(boundary)--\r\n"
                return try await app.testing().sendRequest(.POST, "/import", headers: ["Cookie": s.cookie, "Content-Type": "multipart/form-data; boundary=\(boundary)"], body: ByteBuffer(string: body))
            }
            #expect(try await upload(csrf: "forged").status == .forbidden)
            let r = try await upload(csrf: s.csrf)
            #expect(r.status == .unprocessableEntity)
            #expect(r.body.string.contains("not-an-email") && r.body.string.contains("<td>3</td>"))
            #expect(try await Contact.query(on: app.db).count() == 0)
        }
    }
}
