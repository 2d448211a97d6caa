import Foundation
import Testing
@testable import RapportKit

/// Day 0 is 2026-10-01, 09:00 UTC; every case counts in days from there.
private let utc = TimeZone(identifier: "UTC")!
private let start = DateOnly(year: 2026, month: 10, day: 1)!.date(in: utc) + 9 * 3_600
private func day(_ n: Double) -> Date { start + n * 86_400 }

private func invited(_ key: String, _ survey: String = "A", by channel: InvitationChannel = .email, on d: Double, answered: Bool = false) -> ContactTouch {
    ContactTouch(kind: .invitation, invitationKey: key, surveyID: survey, channel: channel, at: day(d), answered: answered)
}

private func reminded(_ key: String, on d: Double) -> ContactTouch {
    ContactTouch(kind: .reminder, invitationKey: key, surveyID: "A", channel: .email, at: day(d))
}

private let premium180 = ContactPolicy(overrides: [.init(match: .segment("Premium"), quietDays: 180)])
private let b2bThreeAYear = ContactPolicy(overrides: [.init(match: .segment("B2B"), maxInvitationsPerYear: 3)])
private let premiumAndGerman = ContactPolicy(overrides: [
    .init(match: .segment("Premium"), quietDays: 60, maxReminders: 3),
    .init(match: .attribute(key: "country", value: "DE"), quietDays: 90, maxReminders: 2),
])
private let premiumGermanContact = PolicyContact(segment: "Premium", attributes: ["country": "DE"])

struct PolicyCase: Sendable, CustomTestStringConvertible {
    enum Ask: Sendable {
        case invitation(key: String, survey: String, channel: InvitationChannel, day: Double, consent: Bool, rate: Double)
        case reminder(key: String, day: Double, consent: Bool)
    }

    let name: String
    var policy = ContactPolicy()
    var contact = PolicyContact()
    var history: [ContactTouch] = []
    let ask: Ask
    /// nil: the invitation or reminder goes out.
    let reason: SkipReason?
    var quietUntil: Double? = nil
    /// Fragments the explanation must contain.
    var says: [String] = []

    var testDescription: String { name }
}

private func invitation(_ key: String = "b", survey: String = "B", by channel: InvitationChannel = .email, day d: Double,
                        consent: Bool = true, rate: Double = 1) -> PolicyCase.Ask {
    .invitation(key: key, survey: survey, channel: channel, day: d, consent: consent, rate: rate)
}

private func reminder(_ key: String = "a", day d: Double, consent: Bool = true) -> PolicyCase.Ask {
    .reminder(key: key, day: d, consent: consent)
}

extension PolicyCase {
    static let all: [PolicyCase] = channels + overlaps + reminders + segments + attributes + yearly + order + sampling

    static let channels: [PolicyCase] = [
        .init(name: "an e-mail invitation blocks a webhook invitation 10 days later", history: [invited("a", on: 0)],
              ask: invitation(by: .webhook, day: 10), reason: .quietPeriod, quietUntil: 30,
              says: ["Skipped: last invited on 2026-10-01 (survey A by e-mail); the 30-day quiet period ends on 2026-10-31."]),
        .init(name: "an e-mail invitation blocks a phone invitation 29 days later", history: [invited("a", on: 0)],
              ask: invitation(by: .phone, day: 29), reason: .quietPeriod, quietUntil: 30),
        .init(name: "a letter blocks an e-mail", history: [invited("a", by: .letter, on: 0)],
              ask: invitation(day: 12), reason: .quietPeriod, quietUntil: 30, says: ["(survey A by letter)"]),
        .init(name: "a contact's first invitation goes out", ask: invitation(by: .phone, day: 0), reason: nil,
              says: ["Invite to survey B by phone: never invited before."]),
    ]

    static let overlaps: [PolicyCase] = [
        .init(name: "survey B 10 days after survey A is blocked", history: [invited("a", on: 0)],
              ask: invitation(day: 10), reason: .quietPeriod, quietUntil: 30),
        .init(name: "survey B exactly 30 days after survey A is allowed", history: [invited("a", on: 0)],
              ask: invitation(day: 30), reason: nil, says: ["last invited on 2026-10-01 (survey A by e-mail)"]),
        .init(name: "one second before the end of the quiet period is still quiet", history: [invited("a", on: 0)],
              ask: invitation(day: 30 - 1.0 / 86_400), reason: .quietPeriod, quietUntil: 30),
        .init(name: "a reminder does not start a new quiet period", history: [invited("a", on: 0), reminded("a", on: 25)],
              ask: invitation(day: 30), reason: nil),
        .init(name: "the latest of several invitations counts, whatever the order of the history",
              history: [invited("b", "B", on: 20), invited("a", on: 10), invited("c", "C", on: -40)],
              ask: invitation("d", survey: "D", day: 35), reason: .quietPeriod, quietUntil: 50, says: ["2026-10-21 (survey B by e-mail)"]),
        .init(name: "an invitation already planned 10 days later blocks as well", history: [invited("b", on: 40)],
              ask: invitation("c", survey: "C", day: 30), reason: .quietPeriod, quietUntil: 70,
              says: ["an invitation is already planned for 2026-11-10"]),
        .init(name: "an invitation planned beyond the quiet period does not block", history: [invited("b", on: 70)],
              ask: invitation("c", survey: "C", day: 30), reason: nil),
    ]

    static let reminders: [PolicyCase] = [
        .init(name: "a reminder goes 5 days after the invitation", history: [invited("a", on: 0)],
              ask: reminder(day: 5), reason: nil,
              says: ["Remind: reminder 1 of at most 1 for survey A (invited by e-mail on 2026-10-01)."]),
        .init(name: "no reminder before 5 days", history: [invited("a", on: 0)],
              ask: reminder(day: 4.9), reason: .tooEarly, quietUntil: 5, says: ["is due on 2026-10-06"]),
        .init(name: "reminders are capped by max_reminders", history: [invited("a", on: 0), reminded("a", on: 5)],
              ask: reminder(day: 12), reason: .reminderLimit, says: ["1 already sent, and at most 1"]),
        .init(name: "the second of 3 reminders waits another 5 days", policy: ContactPolicy(maxReminders: 3),
              history: [reminded("a", on: 5), invited("a", on: 0)], ask: reminder(day: 9), reason: .tooEarly, quietUntil: 10),
        .init(name: "the second of 3 reminders goes on day 10", policy: ContactPolicy(maxReminders: 3),
              history: [reminded("a", on: 5), invited("a", on: 0)], ask: reminder(day: 10), reason: nil, says: ["reminder 2 of at most 3"]),
        .init(name: "no reminder after an answer", history: [invited("a", on: 0, answered: true)],
              ask: reminder(day: 5), reason: .answered),
        .init(name: "no reminder once consent is withdrawn", history: [invited("a", on: 0)],
              ask: reminder(day: 5, consent: false), reason: .noConsent),
        .init(name: "a newer invitation supersedes the reminder",
              history: [invited("a", on: 0), invited("b", "B", by: .webhook, on: 3)],
              ask: reminder(day: 5), reason: .quietPeriod, says: ["the newer invitation of 2026-10-04 (survey B by webhook) replaces it"]),
        .init(name: "an older invitation does not supersede the reminder", history: [invited("a", on: 0), invited("z", on: -40)],
              ask: reminder(day: 5), reason: nil),
        .init(name: "a superseded reminder is not reported as too early, since waiting will not help",
              history: [invited("a", on: 0), invited("b", "B", on: 2)], ask: reminder(day: 3), reason: .quietPeriod),
        .init(name: "an invitation recorded twice is reminded of from its first record",
              history: [invited("a", on: 3), invited("a", on: 0)], ask: reminder(day: 5), reason: nil),
        .init(name: "there is nothing to remind of without the invitation", history: [invited("b", on: 0)],
              ask: reminder(day: 5), reason: .unknownInvitation, says: ["no invitation a"]),
    ]

    static let segments: [PolicyCase] = [
        .init(name: "segment Premium is quiet for 180 days", policy: premium180, contact: .init(segment: "Premium"),
              history: [invited("a", on: 0)], ask: invitation(day: 100), reason: .quietPeriod, quietUntil: 180,
              says: ["the 180-day quiet period for segment Premium ends on 2027-03-30"]),
        .init(name: "segment Premium is invited again on day 180", policy: premium180, contact: .init(segment: "Premium"),
              history: [invited("a", on: 0)], ask: invitation(day: 180), reason: nil),
        .init(name: "other segments keep the workspace's 30 days", policy: premium180, contact: .init(segment: "Standard"),
              history: [invited("a", on: 0)], ask: invitation(day: 100), reason: nil),
        .init(name: "segment names match whatever their case and spaces", policy: premium180, contact: .init(segment: " premium "),
              history: [invited("a", on: 0)], ask: invitation(day: 100), reason: .quietPeriod, quietUntil: 180),
        .init(name: "of two matching overrides the longer quiet period wins", policy: premiumAndGerman, contact: premiumGermanContact,
              history: [invited("a", on: 0)], ask: invitation(day: 80), reason: .quietPeriod, quietUntil: 90,
              says: ["the 90-day quiet period for country = DE"]),
        .init(name: "of two matching overrides the fewer reminders win", policy: premiumAndGerman, contact: premiumGermanContact,
              history: [invited("a", on: 0), reminded("a", on: 5), reminded("a", on: 10)], ask: reminder(day: 20),
              reason: .reminderLimit, says: ["2 already sent, and at most 2 for country = DE"]),
        .init(name: "a segment can switch reminders off",
              policy: ContactPolicy(overrides: [.init(match: .segment("Premium"), maxReminders: 0)]), contact: .init(segment: "Premium"),
              history: [invited("a", on: 0)], ask: reminder(day: 6), reason: .reminderLimit, says: ["reminders are off for segment Premium"]),
        .init(name: "an override may also loosen the quiet period",
              policy: ContactPolicy(overrides: [.init(match: .segment("Test"), quietDays: 7)]), contact: .init(segment: "Test"),
              history: [invited("a", on: 0)], ask: invitation(day: 7), reason: nil),
    ]

    static let attributes: [PolicyCase] = [
        .init(name: "attribute language = de is quiet for 60 days",
              policy: ContactPolicy(overrides: [.init(match: .attribute(key: "language", value: "de"), quietDays: 60)]),
              contact: .init(attributes: ["language": "de"]), history: [invited("a", on: 0)], ask: invitation(day: 45),
              reason: .quietPeriod, quietUntil: 60, says: ["the 60-day quiet period for language = de ends on 2026-11-30"]),
        .init(name: "another attribute value does not match",
              policy: ContactPolicy(overrides: [.init(match: .attribute(key: "language", value: "de"), quietDays: 60)]),
              contact: .init(attributes: ["language": "fr"]), history: [invited("a", on: 0)], ask: invitation(day: 45), reason: nil),
        .init(name: "attribute keys and values match whatever their case",
              policy: ContactPolicy(overrides: [.init(match: .attribute(key: "language", value: "de"), quietDays: 60)]),
              contact: .init(attributes: ["Language": "DE"]), history: [invited("a", on: 0)], ask: invitation(day: 45),
              reason: .quietPeriod, quietUntil: 60),
        .init(name: "a segment override does not match an attribute of the same name",
              policy: premium180, contact: .init(attributes: ["segment": "Premium"]), history: [invited("a", on: 0)],
              ask: invitation(day: 45), reason: nil),
    ]

    static let yearly: [PolicyCase] = [
        .init(name: "three invitations in 365 days reach a limit of 3", policy: b2bThreeAYear, contact: .init(segment: "B2B"),
              history: [invited("a", on: 0), invited("b", on: 100), invited("c", on: 200)], ask: invitation("d", day: 300),
              reason: .limit, quietUntil: 365,
              says: ["invited 3 times in the 365 days before", "the limit for segment B2B is 3 a year", "possible on 2027-10-01"]),
        .init(name: "the oldest invitation leaves the window after 365 days", policy: b2bThreeAYear, contact: .init(segment: "B2B"),
              history: [invited("c", on: 200), invited("a", on: 0), invited("b", on: 100)], ask: invitation("d", day: 365),
              reason: nil, says: ["invitation 3 of at most 3 in 365 days"]),
        .init(name: "four invitations against a limit of 3 wait for two to leave the window", policy: b2bThreeAYear,
              contact: .init(segment: "B2B"),
              history: [invited("a", on: 0), invited("b", on: 50), invited("c", on: 100), invited("d", on: 200)],
              ask: invitation("e", day: 300), reason: .limit, quietUntil: 415),
        .init(name: "contacts outside the segment have no yearly limit", policy: b2bThreeAYear,
              history: [invited("a", on: 0), invited("b", on: 100), invited("c", on: 200)], ask: invitation("d", day: 300), reason: nil),
    ]

    static let order: [PolicyCase] = [
        .init(name: "the same occurrence never invites twice, even after the quiet period", history: [invited("evt-1/trg-2", on: 0)],
              ask: invitation("evt-1/trg-2", survey: "A", day: 100), reason: .duplicate,
              says: ["this occurrence already led to an invitation on 2026-10-01 (survey A by e-mail)"]),
        .init(name: "a duplicate is reported before missing consent", history: [invited("b", on: 0)],
              ask: invitation(day: 5, consent: false), reason: .duplicate),
        .init(name: "missing consent is reported before the quiet period", history: [invited("a", on: 0)],
              ask: invitation(day: 5, consent: false), reason: .noConsent),
        .init(name: "the quiet period is reported before the yearly limit", policy: b2bThreeAYear, contact: .init(segment: "B2B"),
              history: [invited("a", on: 0), invited("b", on: 100), invited("c", on: 200)], ask: invitation("d", day: 210),
              reason: .quietPeriod, quietUntil: 230),
        .init(name: "the yearly limit is reported before sampling", policy: b2bThreeAYear, contact: .init(segment: "B2B"),
              history: [invited("a", on: 0), invited("b", on: 100), invited("c", on: 200)], ask: invitation("d", day: 300, rate: 0),
              reason: .limit, quietUntil: 365),
    ]

    static let sampling: [PolicyCase] = [
        .init(name: "sampling rate 0 never invites", ask: invitation(day: 0, rate: 0), reason: .sampledOut, says: ["the 0% sample of survey B"]),
        .init(name: "sampling rate 1 always invites", ask: invitation(day: 0, rate: 1), reason: nil),
    ]
}

@Suite("Contact policy")
struct ContactPolicyTests {
    private func decide(_ c: PolicyCase, history: [ContactTouch]) -> PolicyDecision {
        switch c.ask {
        case let .invitation(key, survey, channel, d, consent, rate):
            let request = InvitationRequest(occurrenceKey: key, surveyID: survey, channel: channel, at: day(d), hasConsent: consent, samplingRate: rate)
            return c.policy.decideInvitation(request, contact: c.contact, history: history)
        case let .reminder(key, d, consent):
            return c.policy.decideReminder(for: key, at: day(d), hasConsent: consent, contact: c.contact, history: history)
        }
    }

    @Test("decisions", arguments: PolicyCase.all)
    func decision(_ c: PolicyCase) {
        let decision = decide(c, history: c.history)
        #expect(decision.reason == c.reason)
        #expect(decision.invite == (c.reason == nil))
        #expect(decision.quietUntil == c.quietUntil.map(day))
        for fragment in c.says {
            #expect(decision.explanation.contains(fragment), "\(decision.explanation)")
        }
        #expect(decide(c, history: c.history.reversed()) == decision, "the order of the history must not matter")
    }

    @Test("the timeline sentence names the last invitation and the end of the quiet period")
    func sentence() {
        let request = InvitationRequest(occurrenceKey: "evt-9", surveyID: "X", channel: .webhook, at: day(40), hasConsent: true)
        let decision = ContactPolicy().decideInvitation(request, contact: PolicyContact(), history: [invited("evt-1", "X", on: 29)])
        #expect(decision.explanation == "Skipped: last invited on 2026-10-30 (survey X by e-mail); the 30-day quiet period ends on 2026-11-29.")
    }

    @Test("several matching overrides give the most protective value of each field")
    func effective() {
        let policy = ContactPolicy(quietDays: 30, maxReminders: 2, overrides: [
            .init(match: .segment("Premium"), quietDays: 180, maxInvitationsPerYear: 4),
            .init(match: .attribute(key: "country", value: "DE"), quietDays: 60, maxInvitationsPerYear: 2, maxReminders: 3),
            .init(match: .attribute(key: "channel", value: "phone"), maxReminders: 1),
        ])
        let both = policy.effective(for: PolicyContact(segment: "Premium", attributes: ["country": "DE"]))
        #expect(both.quietDays == 180 && both.maxReminders == 3 && both.maxInvitationsPerYear == 2)
        let all = policy.effective(for: PolicyContact(segment: "Premium", attributes: ["country": "DE", "channel": "phone"]))
        #expect(all.quietDays == 180 && all.maxReminders == 1 && all.maxInvitationsPerYear == 2)
        let none = policy.effective(for: PolicyContact(segment: "Standard"))
        #expect(none.quietDays == 30 && none.maxReminders == 2 && none.maxInvitationsPerYear == nil)
    }

    @Test("a sampling rate of 0.3 invites 30 % of 10,000 occurrences, give or take 2 points")
    func samplingShare() {
        for rate in [0.1, 0.3, 0.5] {
            let invited = (0..<10_000).count { i in
                let request = InvitationRequest(occurrenceKey: "event-\(i)/trigger-7", surveyID: "A", channel: .email, at: start,
                                                hasConsent: true, samplingRate: rate)
                return ContactPolicy().decideInvitation(request, contact: PolicyContact(), history: []).invite
            }
            #expect(abs(Double(invited) / 10_000 - rate) <= 0.02, "rate \(rate): \(invited) of 10,000")
        }
    }

    @Test("the same key always gets the same draw, on every machine and release")
    func samplingStable() {
        #expect(samplingDraw("event-17/trigger-3") == samplingDraw("event-17/trigger-3"))
        #expect(samplingDraw("event-17/trigger-3") != samplingDraw("event-17/trigger-4"))
        // Pinned, and computed apart from this code (Python, FNV-1a 64 + MurmurHash3 fmix64, top 53
        // bits): if these change, every running survey's sample is drawn anew.
        #expect(samplingDraw("") == 0.93676944839044)
        #expect(samplingDraw("event-17/trigger-3") == 0.7074436396454109)
        let draws = (0..<1_000).map { samplingDraw("k\($0)") }
        #expect(draws.allSatisfy { (0..<1).contains($0) })
    }

    @Test("the policy is stored as snake_case JSON, with defaults for what it leaves out")
    func json() throws {
        let text = """
        {"quiet_days": 45, "overrides": [
          {"match": {"segment": "Premium"}, "quiet_days": 180},
          {"match": {"attribute": {"key": "country", "value": "DE"}}, "max_invitations_per_year": 4, "max_reminders": 0}]}
        """
        let policy = try JSONDecoder().decode(ContactPolicy.self, from: Data(text.utf8))
        #expect(policy == ContactPolicy(quietDays: 45, maxReminders: 1, reminderAfterDays: 5, overrides: [
            .init(match: .segment("Premium"), quietDays: 180),
            .init(match: .attribute(key: "country", value: "DE"), maxInvitationsPerYear: 4, maxReminders: 0),
        ]))
        #expect(try JSONDecoder().decode(ContactPolicy.self, from: Data(JSONEncoder().encode(policy))) == policy)
        let encoded = String(decoding: try JSONEncoder().encode(ContactPolicy.Match.attribute(key: "country", value: "DE")), as: UTF8.self)
        #expect(encoded.contains("\"attribute\"") && encoded.contains("\"key\"") && !encoded.contains("_0"))
        #expect(try JSONDecoder().decode(ContactPolicy.self, from: Data("{}".utf8)) == ContactPolicy())
        for bad in ["{}", "{\"segment\": \"A\", \"attribute\": {\"key\": \"k\", \"value\": \"v\"}}", "{\"segment\": 3}"] {
            #expect(throws: DecodingError.self, "\(bad)") { try JSONDecoder().decode(ContactPolicy.Match.self, from: Data(bad.utf8)) }
        }
    }
}

struct ProblemCase: Sendable, CustomTestStringConvertible {
    let name: String
    let policy: ContactPolicy
    let fields: [String]
    var testDescription: String { name }

    static let all: [ProblemCase] = [
        .init(name: "the defaults are valid", policy: ContactPolicy(), fields: []),
        .init(name: "the edges of every range are valid",
              policy: ContactPolicy(quietDays: 730, maxReminders: 3, reminderAfterDays: 60, overrides: [
                  .init(match: .segment("A"), quietDays: 1, maxInvitationsPerYear: 365, maxReminders: 0),
              ]), fields: []),
        .init(name: "a quiet period of 0 days", policy: ContactPolicy(quietDays: 0), fields: ["quiet_days"]),
        .init(name: "every field of the workspace out of range",
              policy: ContactPolicy(quietDays: 731, maxReminders: 4, reminderAfterDays: 0),
              fields: ["quiet_days", "max_reminders", "reminder_after_days"]),
        .init(name: "every field of an override out of range",
              policy: ContactPolicy(overrides: [
                  .init(match: .segment("A"), quietDays: 30),
                  .init(match: .segment("B"), quietDays: 1_000, maxInvitationsPerYear: 0, maxReminders: -1),
              ]),
              fields: ["overrides[1].quiet_days", "overrides[1].max_invitations_per_year", "overrides[1].max_reminders"]),
        .init(name: "an override without a segment name", policy: ContactPolicy(overrides: [.init(match: .segment("  "), quietDays: 60)]),
              fields: ["overrides[0].match.segment"]),
        .init(name: "an attribute match without key and value",
              policy: ContactPolicy(overrides: [.init(match: .attribute(key: "", value: ""), quietDays: 60)]),
              fields: ["overrides[0].match.attribute.key", "overrides[0].match.attribute.value"]),
        .init(name: "an override that sets no limit", policy: ContactPolicy(overrides: [.init(match: .segment("A"))]),
              fields: ["overrides[0]"]),
        .init(name: "two overrides for the same contacts",
              policy: ContactPolicy(overrides: [
                  .init(match: .segment("Premium"), quietDays: 60), .init(match: .segment("A"), quietDays: 60),
                  .init(match: .segment("premium "), maxReminders: 0),
              ]), fields: ["overrides[2].match"]),
    ]
}

@Suite("Contact policy validation")
struct ContactPolicyProblemTests {
    @Test("problems name their field", arguments: ProblemCase.all)
    func problems(_ c: ProblemCase) {
        let problems = c.policy.problems()
        #expect(problems.map(\.field) == c.fields)
        #expect(problems.allSatisfy { !$0.message.isEmpty })
    }

    @Test("a range problem says what is allowed")
    func message() {
        #expect(ContactPolicy(quietDays: 0).problems().first?.message == "is 0; use a whole number from 1 to 730")
        #expect(ContactPolicy(overrides: [.init(match: .segment("A"), quietDays: 60), .init(match: .segment("a"), quietDays: 90)])
            .problems().first?.message == "selects the same contacts as overrides[0]; put both limits into one override")
    }
}
