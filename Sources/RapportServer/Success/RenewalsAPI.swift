import Fluent
import Foundation
import RapportKit
import Vapor

struct RenewalRateDTO: Codable, Sendable { var band: String; var accounts: Int; var renewed: Int; var probability: Double }

struct RenewalContractDTO: Codable, Sendable {
    var contract_id: UUID; var account_id: UUID; var account_name: String; var product: String; var renewal_date: String
    var arr: Decimal; var currency: String; var band: String?; var health: Double?; var probability: Double
}

struct RenewalMonthDTO: Codable, Sendable {
    var month: String; var currency: String; var contracts: Int; var arr: Decimal; var expected: Decimal; var low: Decimal; var high: Decimal
}

struct RenewalsDTO: Codable, Sendable {
    var from: String; var to: String; var months: [RenewalMonthDTO]; var totals: [RenewalMonthDTO]
    /// Where each contract's renewal probability comes from: the renewal rate of its health band in the back-test.
    var rates: [RenewalRateDTO]; var method: String; var contracts: [RenewalContractDTO]
}

struct RetentionDTO: Codable, Sendable {
    var currency: String; var from: String; var to: String; var accounts: Int; var starting_arr: Decimal; var expansion: Decimal
    var contraction: Decimal; var churn: Decimal; var churned_accounts: Int; var grr: Double?; var nrr: Double?
    init(_ r: RetentionPeriod) {
        currency = r.currency; from = r.from.iso; to = r.to.iso; accounts = r.accounts; starting_arr = Money.amount(r.startingMinor)
        expansion = Money.amount(r.expansionMinor); contraction = Money.amount(r.contractionMinor); churn = Money.amount(r.churnMinor)
        churned_accounts = r.churnedAccounts; grr = r.grr; nrr = r.nrr
    }
}

/// Renewals: the pipeline by month, the ARR expected to renew with its interval, and GRR / NRR for any
/// period. A contract's renewal probability is the renewal rate its account's health band had in the
/// back-test of the last two years; accounts without a score take the overall rate.
enum RenewalsAPI {
    static func renewals(months: Int, scope: Scope, today given: DateOnly? = nil) async throws -> RenewalsDTO {
        let today = given ?? scope.today
        let to = today.adding(months: months)
        let contracts = try await scope.query(Contract.self).filter(\.$status == "active")
            .filter(\.$renewalDate >= today.iso).filter(\.$renewalDate < to.iso).sort(\.$renewalDate).all()
        let accountIDs = Array(Set(contracts.map(\.accountID)))
        let accounts = accountIDs.isEmpty ? [] : try await scope.query(Account.self).filter(\.$id ~~ accountIDs).all()
        let names = Dictionary(uniqueKeysWithValues: accounts.map { ($0.id!, $0.name) })
        let health = accountIDs.isEmpty ? [:] : try await HealthEngine.latest(scope: scope, accounts: accountIDs)
        let test = try await HealthEngine.backTest(from: today.adding(months: -24), to: today, leadDays: 90, model: nil, scope: scope)
        // Renewal rate per band; a band with fewer than 5 outcomes borrows the overall rate.
        let overall = test.result.n > 0 ? Double(test.result.n - test.result.churned) / Double(test.result.n) : 0.9
        var rates: [String: Double] = [:]
        var rateRows: [RenewalRateDTO] = []
        for b in test.result.bands {
            let p = b.accounts >= 5 ? Double(b.accounts - b.churned) / Double(b.accounts) : overall
            rates[b.band.rawValue] = p
            rateRows.append(RenewalRateDTO(band: b.band.rawValue, accounts: b.accounts, renewed: b.accounts - b.churned, probability: p))
        }
        rateRows.append(RenewalRateDTO(band: "all", accounts: test.result.n, renewed: test.result.n - test.result.churned, probability: overall))
        let rows = contracts.map { c -> RenewalContractDTO in
            let h = health[c.accountID]
            return RenewalContractDTO(contract_id: c.id!, account_id: c.accountID, account_name: names[c.accountID] ?? "", product: c.product,
                                      renewal_date: c.renewalDate ?? "", arr: Money.amount(c.arrMinor), currency: c.currency, band: h?.band, health: h?.score,
                                      probability: h?.band.flatMap { rates[$0] } ?? overall)
        }
        func forecast(_ key: String, _ group: [RenewalContractDTO]) -> RenewalMonthDTO {
            let f = RenewalForecasting.forecast(group.map { RenewalCandidate(arr: NSDecimalNumber(decimal: $0.arr).doubleValue, renewProbability: $0.probability) })
            func money(_ x: Double) -> Decimal { Money.amount(Int64((x * 100).rounded())) }
            return RenewalMonthDTO(month: key, currency: group[0].currency, contracts: f.contracts, arr: group.reduce(0) { $0 + $1.arr },
                                   expected: money(f.expected), low: money(f.low), high: money(f.high))
        }
        let byMonth = Dictionary(grouping: rows) { "\($0.renewal_date.prefix(7))|\($0.currency)" }
        let monthRows = byMonth.map { forecast(String($0.key.prefix(7)), $0.value) }.sorted { ($0.month, $0.currency) < ($1.month, $1.currency) }
        let totals = Dictionary(grouping: rows, by: \.currency).map { forecast("all", $0.value) }.sorted { $0.arr > $1.arr }
        return RenewalsDTO(from: today.iso, to: to.adding(days: -1).iso, months: monthRows, totals: totals, rates: rateRows,
                           method: "Each contract renews independently with its health band's renewal rate; normal interval of the sum (95 %)",
                           contracts: rows)
    }

    static func ledger(scope: Scope) async throws -> [LedgerContract] {
        let contracts = try await scope.query(Contract.self).all()
        let events = try await scope.query(ContractEvent.self).all()
        let byContract = Dictionary(grouping: events, by: \.contractID)
        return contracts.map { c in
            LedgerContract(account: c.accountID, currency: c.currency, arrMinor: c.arrMinor, start: DateOnly(iso: c.startDate),
                           end: c.endDate.flatMap(DateOnly.init(iso:)), churned: c.status == "churned",
                           changes: (byContract[c.id!] ?? []).compactMap { e in DateOnly(iso: e.occurredOn).map { .init(kind: e.kind, on: $0, deltaMinor: e.arrDeltaMinor) } })
        }
    }

    static func retention(from: DateOnly, to: DateOnly, scope: Scope) async throws -> [RetentionDTO] {
        Retention.period(try await ledger(scope: scope), from: from, to: to).map(RetentionDTO.init)
    }

    static func renewalsRoute(_ req: Request) async throws -> Response {
        var months = 12
        if let m = req.query[String.self, at: "months"] {
            guard let n = Int(m), (1...36).contains(n) else { throw AppError.invalid("months", "'\(m)' is not a number of months from 1 to 36") }
            months = n
        }
        return PlainJSON.response(try await renewals(months: months, scope: try req.scope))
    }

    static func period(_ req: Request) throws -> (DateOnly, DateOnly) {
        var f = Filters(req)
        let today = try req.scope.today
        let to = f.date("to") ?? today
        let from = f.date("from") ?? to.adding(months: -12)
        try f.finish()
        if from >= to { throw AppError.invalid("from", "\(from.iso) must be before to (\(to.iso))") }
        if to > today { throw AppError.invalid("to", "\(to.iso) is in the future; retention is measured on what has happened") }
        return (from, to)
    }

    static func retentionRoute(_ req: Request) async throws -> Response {
        let (from, to) = try period(req)
        return PlainJSON.response(PlainPage(items: try await retention(from: from, to: to, scope: try req.scope), nextCursor: nil))
    }

    static func register(_ api: APIBuilder) {
        let tag = "Customer Success"
        api.on(APIRoute(method: .GET, path: "/renewals", summary: "Renewal pipeline by month and the ARR expected to renew, with a 95 % interval",
                        tag: tag, permission: .readCustomers, response: .object("Renewals"), queryParameters: [
                            QueryParameter(name: "months", type: "integer", summary: "How many months ahead (default 12)", minimum: 1, maximum: 36),
                        ]), renewalsRoute)
        api.on(APIRoute(method: .GET, path: "/retention", summary: "Gross and net revenue retention (GRR, NRR) per currency for a period",
                        tag: tag, permission: .readCustomers, response: .list("Retention"), queryParameters: [
                            QueryParameter(name: "from", type: "string", summary: "Start of the period (default a year before to)", format: "date"),
                            QueryParameter(name: "to", type: "string", summary: "End of the period (default today)", format: "date"),
                        ]), retentionRoute)
    }
}
