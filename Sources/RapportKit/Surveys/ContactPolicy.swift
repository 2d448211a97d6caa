import Foundation

/// How often one person may be asked for feedback. A workspace has one policy for all its surveys
/// and channels, because the person who gets three surveys in a week does not care that they came
/// from three journeys: every invitation counts against the same quiet period, and reminders are
/// limited per invitation. The rules are pure functions of the policy, the contact and the contact's
/// history, so that the scheduler, the preview and the timeline give the same answer and the same
/// sentence.

public enum InvitationChannel: String, Codable, Sendable, CaseIterable {
    case email, webhook, phone, letter

    /// As it reads after "survey X": "by e-mail".
    var phrase: String {
        switch self {
        case .email: "by e-mail"
        case .webhook: "by webhook"
        case .phone: "by phone"
        case .letter: "by letter"
        }
    }
}

public struct ContactPolicy: Codable, Sendable, Equatable {
    public static let quietDaysRange = 1...730
    public static let maxRemindersRange = 0...3
    public static let reminderAfterDaysRange = 1...60
    /// At least one, or the override is a ban, which belongs in the survey's audience, not here.
    public static let maxInvitationsPerYearRange = 1...365

    /// Days between two invitations of the same person, whatever the survey or channel.
    public var quietDays: Int
    /// Reminders per invitation.
    public var maxReminders: Int
    /// Days from the invitation to the first reminder, and between reminders.
    public var reminderAfterDays: Int
    /// Other limits for a segment or a contact attribute, stricter or looser than the ones above.
    public var overrides: [Override]

    public init(quietDays: Int = 30, maxReminders: Int = 1, reminderAfterDays: Int = 5, overrides: [Override] = []) {
        self.quietDays = quietDays; self.maxReminders = maxReminders
        self.reminderAfterDays = reminderAfterDays; self.overrides = overrides
    }

    /// Limits for the contacts that `match` selects; a nil field keeps the workspace's value.
    public struct Override: Codable, Sendable, Equatable {
        public var match: Match
        public var quietDays: Int?
        public var maxInvitationsPerYear: Int?
        public var maxReminders: Int?

        public init(match: Match, quietDays: Int? = nil, maxInvitationsPerYear: Int? = nil, maxReminders: Int? = nil) {
            self.match = match; self.quietDays = quietDays
            self.maxInvitationsPerYear = maxInvitationsPerYear; self.maxReminders = maxReminders
        }

        enum CodingKeys: String, CodingKey {
            case match
            case quietDays = "quiet_days", maxInvitationsPerYear = "max_invitations_per_year", maxReminders = "max_reminders"
        }
    }

    /// Which contacts an override is for. Matching ignores case and surrounding spaces: a protective
    /// rule must not stop working because an import wrote "premium" where the policy says "Premium".
    public enum Match: Codable, Sendable, Equatable {
        case segment(String)
        case attribute(key: String, value: String)

        func matches(_ contact: PolicyContact) -> Bool {
            switch self {
            case .segment(let name):
                return contact.segment.map { fold($0) == fold(name) } ?? false
            case .attribute(let key, let value):
                // Asked for every decision of an event batch: the match's own key and value are folded
                // once per call instead of once per attribute of the contact.
                guard !contact.attributes.isEmpty else { return false }
                let key = fold(key), value = fold(value)
                return contact.attributes.contains { fold($0.key) == key && fold($0.value) == value }
            }
        }

        /// Two matches with the same identity select the same contacts.
        var identity: String {
            switch self {
            case .segment(let name): "segment\u{0}" + fold(name)
            case .attribute(let key, let value): "attribute\u{0}" + fold(key) + "\u{0}" + fold(value)
            }
        }

        /// As it reads after "the 180-day quiet period for".
        var phrase: String {
            switch self {
            case .segment(let name): "segment \(name)"
            case .attribute(let key, let value): "\(key) = \(value)"
            }
        }

        private enum Key: String, CodingKey { case segment, attribute }
        private struct Attribute: Codable { var key: String; var value: String }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            switch (try c.decodeIfPresent(String.self, forKey: .segment), try c.decodeIfPresent(Attribute.self, forKey: .attribute)) {
            case (let name?, nil): self = .segment(name)
            case (nil, let a?): self = .attribute(key: a.key, value: a.value)
            default:
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                    "a match is either {\"segment\": \"Premium\"} or {\"attribute\": {\"key\": \"country\", \"value\": \"DE\"}}"))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            switch self {
            case .segment(let name): try c.encode(name, forKey: .segment)
            case .attribute(let key, let value): try c.encode(Attribute(key: key, value: value), forKey: .attribute)
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case overrides
        case quietDays = "quiet_days", maxReminders = "max_reminders", reminderAfterDays = "reminder_after_days"
    }

    /// A stored policy may predate a field; what it does not say keeps the default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let standard = ContactPolicy()
        quietDays = try c.decodeIfPresent(Int.self, forKey: .quietDays) ?? standard.quietDays
        maxReminders = try c.decodeIfPresent(Int.self, forKey: .maxReminders) ?? standard.maxReminders
        reminderAfterDays = try c.decodeIfPresent(Int.self, forKey: .reminderAfterDays) ?? standard.reminderAfterDays
        overrides = try c.decodeIfPresent([Override].self, forKey: .overrides) ?? []
    }

    /// Everything that keeps the policy from being saved, each with its place in the JSON.
    public func problems() -> [FieldError] {
        var problems: [FieldError] = []
        func fail(_ field: String, _ message: String) { problems.append(FieldError(field, message)) }
        func within(_ field: String, _ value: Int?, _ range: ClosedRange<Int>) {
            guard let value, !range.contains(value) else { return }
            fail(field, "is \(value); use a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        within("quiet_days", quietDays, Self.quietDaysRange)
        within("max_reminders", maxReminders, Self.maxRemindersRange)
        within("reminder_after_days", reminderAfterDays, Self.reminderAfterDaysRange)
        var firstWith: [String: Int] = [:]
        for (i, o) in overrides.enumerated() {
            let field = "overrides[\(i)]"
            switch o.match {
            case .segment(let name):
                if fold(name).isEmpty { fail("\(field).match.segment", "name the segment, e.g. \"Premium\"") }
            case .attribute(let key, let value):
                if fold(key).isEmpty { fail("\(field).match.attribute.key", "name the contact attribute, e.g. \"country\"") }
                if fold(value).isEmpty { fail("\(field).match.attribute.value", "give the value to match, e.g. \"DE\"") }
            }
            if o.quietDays == nil && o.maxInvitationsPerYear == nil && o.maxReminders == nil {
                fail(field, "sets no limit: give quiet_days, max_invitations_per_year or max_reminders")
            }
            within("\(field).quiet_days", o.quietDays, Self.quietDaysRange)
            within("\(field).max_invitations_per_year", o.maxInvitationsPerYear, Self.maxInvitationsPerYearRange)
            within("\(field).max_reminders", o.maxReminders, Self.maxRemindersRange)
            // Both would apply, the stricter value of each field winning; one override says that plainly.
            if let j = firstWith[o.match.identity] {
                fail("\(field).match", "selects the same contacts as overrides[\(j)]; put both limits into one override")
            } else {
                firstWith[o.match.identity] = i
            }
        }
        return problems
    }
}

/// What the policy needs to know about a contact: the segment of its account and its attributes.
public struct PolicyContact: Codable, Sendable, Equatable {
    public var segment: String?
    public var attributes: [String: String]

    public init(segment: String? = nil, attributes: [String: String] = [:]) {
        self.segment = segment; self.attributes = attributes
    }
}

/// One invitation or reminder that went to the contact.
public struct ContactTouch: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case invitation, reminder }

    public var kind: Kind
    /// The invitation's occurrence key; a reminder carries the key of the invitation it reminds of.
    public var invitationKey: String
    public var surveyID: String
    public var channel: InvitationChannel
    public var at: Date
    /// Whether the survey of this invitation has been answered.
    public var answered: Bool

    public init(kind: Kind, invitationKey: String, surveyID: String, channel: InvitationChannel, at: Date, answered: Bool = false) {
        self.kind = kind; self.invitationKey = invitationKey; self.surveyID = surveyID
        self.channel = channel; self.at = at; self.answered = answered
    }

    enum CodingKeys: String, CodingKey {
        case kind, channel, at, answered
        case invitationKey = "invitation_key", surveyID = "survey_id"
    }
}

public struct InvitationRequest: Codable, Sendable, Equatable {
    /// What caused the invitation, e.g. event id + trigger id; the same occurrence never invites twice.
    public var occurrenceKey: String
    public var surveyID: String
    public var channel: InvitationChannel
    public var at: Date
    public var hasConsent: Bool
    /// The share of occurrences that get an invitation, 0...1; a value outside counts as the nearer
    /// end, and NaN as 0, so a broken setting never invites more people than intended.
    public var samplingRate: Double

    public init(occurrenceKey: String, surveyID: String, channel: InvitationChannel, at: Date, hasConsent: Bool, samplingRate: Double = 1) {
        self.occurrenceKey = occurrenceKey; self.surveyID = surveyID; self.channel = channel
        self.at = at; self.hasConsent = hasConsent; self.samplingRate = samplingRate
    }

    enum CodingKeys: String, CodingKey {
        case channel, at
        case occurrenceKey = "occurrence_key", surveyID = "survey_id", hasConsent = "has_consent", samplingRate = "sampling_rate"
    }
}

public enum SkipReason: String, Codable, Sendable {
    case duplicate
    case noConsent = "no_consent"
    case quietPeriod = "quiet_period"
    case limit
    case sampledOut = "sampled_out"
    case answered
    case reminderLimit = "reminder_limit"
    case tooEarly = "too_early"
    /// A reminder was asked for an invitation that is not in the contact's history.
    case unknownInvitation = "unknown_invitation"
}

public struct PolicyDecision: Codable, Sendable, Equatable {
    public var invite: Bool
    public var reason: SkipReason?
    /// One English sentence for the contact's timeline, with the dates that decided.
    public var explanation: String
    /// When waiting alone could change the answer (quiet period, yearly limit, a reminder not yet
    /// due): the first moment it can.
    public var quietUntil: Date?

    public init(invite: Bool, reason: SkipReason?, explanation: String, quietUntil: Date? = nil) {
        self.invite = invite; self.reason = reason; self.explanation = explanation; self.quietUntil = quietUntil
    }

    enum CodingKeys: String, CodingKey { case invite, reason, explanation, quietUntil = "quiet_until" }

    static func go(_ explanation: String) -> Self { Self(invite: true, reason: nil, explanation: explanation) }

    static func skip(_ reason: SkipReason, _ explanation: String, until: Date? = nil) -> Self {
        Self(invite: false, reason: reason, explanation: explanation, quietUntil: until)
    }
}

private let oneDay: TimeInterval = 86_400
private let oneYear: TimeInterval = 365 * oneDay
private let utc = TimeZone(identifier: "UTC")!

public extension ContactPolicy {
    /// The limits for one contact. Where several overrides set a field, the most protective value
    /// wins (longest quiet period, fewest reminders, lowest yearly maximum); where none does, the
    /// workspace's value holds, so an override may also loosen a limit.
    func effective(for contact: PolicyContact) -> (quietDays: Int, maxReminders: Int, maxInvitationsPerYear: Int?) {
        let l = limits(for: contact)
        return (l.quietDays, l.maxReminders, l.maxInvitationsPerYear)
    }

    /// Whether an occurrence may invite the contact. The checks run in a fixed order (duplicate,
    /// consent, quiet period, yearly limit, sampling), so the reason is always the first that applies.
    /// The history may be in any order; it is read once.
    func decideInvitation(_ request: InvitationRequest, contact: PolicyContact, history: [ContactTouch]) -> PolicyDecision {
        let limits = limits(for: contact)
        let quiet = TimeInterval(limits.quietDays) * oneDay
        var sameOccurrence: ContactTouch?
        var blocking: ContactTouch?
        var previous: ContactTouch?
        var lastYear: [Date] = []
        for touch in history where touch.kind == .invitation {
            if touch.invitationKey == request.occurrenceKey, sameOccurrence.map({ touch.at < $0.at }) ?? true {
                sameOccurrence = touch
            }
            let gap = request.at.timeIntervalSince(touch.at)
            // Both directions: an invitation already planned for next week keeps the person just
            // as busy as one sent last week.
            if abs(gap) < quiet, blocking.map({ touch.at > $0.at }) ?? true { blocking = touch }
            if gap >= 0 {
                if previous.map({ touch.at > $0.at }) ?? true { previous = touch }
                if gap < oneYear && limits.maxInvitationsPerYear != nil { lastYear.append(touch.at) }
            }
        }

        if let sameOccurrence {
            return .skip(.duplicate, "Skipped: this occurrence already led to an invitation on \(ymd(sameOccurrence.at))"
                + " (\(describe(sameOccurrence))).")
        }
        guard request.hasConsent else {
            return .skip(.noConsent, "Skipped: the contact has not consented to feedback invitations.")
        }
        if let blocking {
            let until = blocking.at + quiet
            let when = blocking.at <= request.at ? "last invited on" : "an invitation is already planned for"
            return .skip(.quietPeriod, "Skipped: \(when) \(ymd(blocking.at)) (\(describe(blocking))); the \(limits.quietDays)-day"
                + " quiet period\(whose(limits.quietSource)) ends on \(ymd(until)).", until: until)
        }
        if let perYear = limits.maxInvitationsPerYear, lastYear.count >= perYear {
            // Invitations fall out of the window oldest first; the next one may go when enough have.
            // The window holds at most the year's invitations, so sorting it costs next to nothing.
            lastYear.sort()
            let until = lastYear[lastYear.count - perYear] + oneYear
            let times = lastYear.count == 1 ? "once" : "\(lastYear.count) times"
            return .skip(.limit, "Skipped: invited \(times) in the 365 days before \(ymd(request.at)), and the limit\(whose(limits.perYearSource))"
                + " is \(perYear) a year; the next invitation is possible on \(ymd(until)).", until: until)
        }
        let rate = request.samplingRate.isNaN ? 0 : min(max(request.samplingRate, 0), 1)
        let draw = samplingDraw(request.occurrenceKey)
        if draw >= rate {
            return .skip(.sampledOut, "Skipped: not drawn for the \(percent(rate)) sample of survey \(request.surveyID)"
                + " (draw \(String(format: "%.3f", draw))).")
        }
        let since = previous.map { "last invited on \(ymd($0.at)) (\(describe($0)))" } ?? "never invited before"
        let count = limits.maxInvitationsPerYear.map { "; invitation \(lastYear.count + 1) of at most \($0) in 365 days" } ?? ""
        return .go("Invite to survey \(request.surveyID) \(request.channel.phrase): \(since)\(count).")
    }

    /// Whether the next reminder of an invitation may go out at `at`. Reasons that waiting cannot
    /// change (answered, consent, limit, a newer invitation) come before "too early", so that
    /// `quietUntil` never promises a reminder that will not be allowed.
    func decideReminder(for invitationKey: String, at: Date, hasConsent: Bool, contact: PolicyContact,
                        history: [ContactTouch]) -> PolicyDecision {
        let limits = limits(for: contact)
        var invitation: ContactTouch?
        var newest: ContactTouch?
        var sent = 0
        var answered = false
        for touch in history {
            if touch.invitationKey == invitationKey {
                answered = answered || touch.answered
                switch touch.kind {
                case .invitation: if invitation.map({ touch.at < $0.at }) ?? true { invitation = touch }
                case .reminder: sent += 1
                }
            } else if touch.kind == .invitation, newest.map({ touch.at > $0.at }) ?? true {
                newest = touch
            }
        }

        guard let invitation else {
            return .skip(.unknownInvitation, "No reminder: the contact's history has no invitation \(invitationKey) to remind of.")
        }
        let survey = "survey \(invitation.surveyID) (invited \(invitation.channel.phrase) on \(ymd(invitation.at)))"
        if answered {
            return .skip(.answered, "No reminder: \(survey) has been answered.")
        }
        guard hasConsent else {
            return .skip(.noConsent, "No reminder for \(survey): the contact no longer consents to feedback invitations.")
        }
        if sent >= limits.maxReminders {
            let source = whose(limits.remindersSource)
            let rule = limits.maxReminders == 0 ? "reminders are off\(source)" : "at most \(limits.maxReminders)\(source)"
            return .skip(.reminderLimit, "No reminder for \(survey): \(sent) already sent, and \(rule).")
        }
        if let newest, newest.at > invitation.at {
            return .skip(.quietPeriod, "No reminder for \(survey): the newer invitation of \(ymd(newest.at)) (\(describe(newest))) replaces it.")
        }
        let due = invitation.at + TimeInterval(reminderAfterDays * (sent + 1)) * oneDay
        if at < due {
            return .skip(.tooEarly, "Not yet: reminder \(sent + 1) for \(survey) is due on \(ymd(due)).", until: due)
        }
        return .go("Remind: reminder \(sent + 1) of at most \(limits.maxReminders) for \(survey).")
    }
}

/// The limits for one contact with the override that set each, for the explanations.
private struct Limits {
    var quietDays: Int, quietSource: ContactPolicy.Match?
    var maxReminders: Int, remindersSource: ContactPolicy.Match?
    var maxInvitationsPerYear: Int?, perYearSource: ContactPolicy.Match?
}

private extension ContactPolicy {
    func limits(for contact: PolicyContact) -> Limits {
        var l = Limits(quietDays: quietDays, quietSource: nil, maxReminders: maxReminders, remindersSource: nil,
                       maxInvitationsPerYear: nil, perYearSource: nil)
        for o in overrides where o.match.matches(contact) {
            if let q = o.quietDays, l.quietSource == nil || q > l.quietDays { l.quietDays = q; l.quietSource = o.match }
            if let r = o.maxReminders, l.remindersSource == nil || r < l.maxReminders { l.maxReminders = r; l.remindersSource = o.match }
            if let y = o.maxInvitationsPerYear, y < l.maxInvitationsPerYear ?? .max { l.maxInvitationsPerYear = y; l.perYearSource = o.match }
        }
        return l
    }
}

/// A number in [0, 1) that is the same for the same key on every machine, run and release, so a
/// sampled-out occurrence stays sampled out when it is evaluated again. Swift's own hashing is
/// seeded per process and cannot be used. This function must never change: changing it would
/// re-draw every running survey's sample.
public func samplingDraw(_ key: String) -> Double {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in key.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
    // FNV-1a alone reaches the top bits with a change in the last byte only through carries, and
    // keys like "event-17/trigger" differ just there; the MurmurHash3 finaliser spreads them out.
    h ^= h >> 33; h &*= 0xff51_afd7_ed55_8ccd
    h ^= h >> 33; h &*= 0xc4ce_b9fe_1a85_ec53
    h ^= h >> 33
    return Double(h >> 11) / 9_007_199_254_740_992  // the top 53 bits over 2^53
}

private func fold(_ s: String) -> String { s.trimmed.lowercased() }

private func ymd(_ date: Date) -> String { DateOnly(date, in: utc).iso }

private func describe(_ touch: ContactTouch) -> String { "survey \(touch.surveyID) \(touch.channel.phrase)" }

/// " for segment Premium" when an override set the limit, else nothing.
private func whose(_ source: ContactPolicy.Match?) -> String { source.map { " for " + $0.phrase } ?? "" }

/// 0.3 → "30%", 0.125 → "12.5%".
private func percent(_ rate: Double) -> String { String(format: "%g%%", (rate * 1_000).rounded() / 10) }
