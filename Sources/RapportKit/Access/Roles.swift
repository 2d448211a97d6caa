/// The roles a member of a workspace (or an API token) can hold, from most to least powerful.
public enum Role: String, CaseIterable, Codable, Sendable, Comparable {
    case owner
    case admin
    case cxManager = "cx_manager"
    case csm
    case analyst
    case ambassador
    case viewer

    /// Rank used only to stop someone from handing out more power than they hold.
    private var rank: Int { Role.allCases.firstIndex(of: self)! }
    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank > rhs.rank }

    /// A role may grant another role (to a user or a token) only if it is at least as strong,
    /// and only an owner may make another owner.
    public func mayGrant(_ other: Role) -> Bool {
        if other == .owner { return self == .owner }
        return self >= other && can(.manageUsers)
    }

    public func can(_ permission: Permission) -> Bool {
        PermissionMatrix.roles(for: permission).contains(self)
    }
}

/// Everything a caller can be allowed to do. Routes name exactly one permission each.
public enum Permission: String, CaseIterable, Codable, Sendable {
    case readCustomers = "customers.read"
    case writeCustomers = "customers.write"
    case deleteCustomers = "customers.delete"
    case readJourneys = "journeys.read"
    case writeJourneys = "journeys.write"
    case assessTouchpoints = "touchpoints.assess"
    case readSurveys = "surveys.read"
    case writeSurveys = "surveys.write"
    case sendEvents = "events.write"
    case readResponses = "responses.read"
    case writeResponses = "responses.write"
    case readFeedback = "feedback.read"
    case writeFeedback = "feedback.write"
    case readMetrics = "metrics.read"
    case writeMeasurement = "measurement.write"
    case freezeKPIs = "kpis.freeze"
    case writeSuccess = "success.write"
    case configureHealth = "health.configure"
    case sendUsage = "usage.write"
    case importData = "data.import"
    case exportData = "data.export"
    case managePersonalData = "personal_data.manage"
    case readAudit = "audit.read"
    case manageUsers = "users.manage"
    case manageTokens = "tokens.manage"
    case manageWorkspace = "workspace.manage"

    public var summary: String {
        switch self {
        case .readCustomers: "See accounts, contacts, consents, contracts and timelines"
        case .writeCustomers: "Create and change accounts, contacts, consents, contracts and contract events"
        case .deleteCustomers: "Delete accounts, contacts and contracts"
        case .readJourneys: "See journeys, touchpoints, assessments, the journey map and maturity"
        case .writeJourneys: "Create and change journeys, phases, touchpoints, channels, map notes, maturity evidence and saved views"
        case .assessTouchpoints: "Assess touchpoints (relevance and quality, 1–5)"
        case .readSurveys: "See surveys, trigger rules, the contact policy, invitations, decisions and response rates"
        case .writeSurveys: "Build, publish and archive surveys; change trigger rules, the contact policy and feedback queues"
        case .sendEvents: "Send customer events that trigger survey invitations"
        case .readResponses: "Read survey responses with the contact and account they belong to"
        case .writeResponses: "Submit and import survey responses through the API"
        case .readFeedback: "Read the feedback inbox"
        case .writeFeedback: "Record unsolicited feedback and work the feedback inbox"
        case .readMetrics: "See CX metrics, dashboards, reports and KPI snapshots"
        case .writeMeasurement: "Change the sample-size guardrail and define indices"
        case .freezeKPIs: "Freeze bonus-relevant KPI snapshots"
        case .writeSuccess: "Work goals, KPIs, success plans, agreements, tasks, meetings and advocacy; share plans with the customer"
        case .configureHealth: "Configure the health score and playbooks; recompute health and sweep playbooks"
        case .sendUsage: "Send product usage events"
        case .importData: "Import CSV files"
        case .exportData: "Export workspace data"
        case .managePersonalData: "Export or erase everything about one person (GDPR)"
        case .readAudit: "Read the audit log"
        case .manageUsers: "Add users, change their roles, reset their access"
        case .manageTokens: "Create and revoke API tokens"
        case .manageWorkspace: "Change workspace settings"
        }
    }
}

/// The single permission matrix. Documentation (`docs/permissions.md`) is rendered from it and tests
/// walk it row by row, so the code, the docs and the enforcement cannot drift apart.
public enum PermissionMatrix {
    public static func roles(for permission: Permission) -> Set<Role> {
        switch permission {
        case .readCustomers: Set(Role.allCases)
        case .writeCustomers: [.owner, .admin, .cxManager, .csm]
        case .deleteCustomers: [.owner, .admin]
        case .readJourneys: Set(Role.allCases)
        case .writeJourneys: [.owner, .admin, .cxManager]
        case .assessTouchpoints: [.owner, .admin, .cxManager, .csm, .analyst, .ambassador]
        case .readSurveys: Set(Role.allCases)
        case .writeSurveys: [.owner, .admin, .cxManager]
        case .sendEvents: [.owner, .admin, .cxManager]
        case .readResponses: [.owner, .admin, .cxManager, .csm, .analyst, .ambassador]
        case .writeResponses: [.owner, .admin, .cxManager]
        case .readFeedback: [.owner, .admin, .cxManager, .csm, .analyst, .ambassador]
        case .writeFeedback: [.owner, .admin, .cxManager, .csm, .ambassador]
        case .readMetrics: Set(Role.allCases)
        case .writeMeasurement: [.owner, .admin, .cxManager]
        case .freezeKPIs: [.owner, .admin]
        case .writeSuccess: [.owner, .admin, .cxManager, .csm]
        case .configureHealth: [.owner, .admin, .cxManager]
        case .sendUsage: [.owner, .admin]
        case .importData: [.owner, .admin, .cxManager, .csm]
        case .exportData: [.owner, .admin, .analyst]
        case .managePersonalData: [.owner, .admin]
        case .readAudit: [.owner, .admin]
        case .manageUsers: [.owner, .admin]
        case .manageTokens: [.owner, .admin]
        case .manageWorkspace: [.owner]
        }
    }

    /// A Markdown table: permissions as rows, roles as columns.
    public static func markdown() -> String {
        var lines = ["| permission | what it allows | " + Role.allCases.map(\.rawValue).joined(separator: " | ") + " |"]
        lines.append("|---|---|" + Role.allCases.map { _ in "---" }.joined(separator: "|") + "|")
        for p in Permission.allCases {
            let cells = Role.allCases.map { $0.can(p) ? "✓" : "" }
            lines.append("| `\(p.rawValue)` | \(p.summary) | " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
