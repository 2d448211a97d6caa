import Foundation
import Testing
@testable import RapportKit

@Suite("Roles and permissions")
struct PermissionTests {
    @Test("the matrix, row by row")
    func matrix() {
        let expected: [Permission: Set<Role>] = [
            .readCustomers: Set(Role.allCases),
            .writeCustomers: [.owner, .admin, .cxManager, .csm],
            .deleteCustomers: [.owner, .admin],
            .readJourneys: Set(Role.allCases),
            .writeJourneys: [.owner, .admin, .cxManager],
            .assessTouchpoints: [.owner, .admin, .cxManager, .csm, .analyst, .ambassador],
            .readSurveys: Set(Role.allCases),
            .writeSurveys: [.owner, .admin, .cxManager],
            .sendEvents: [.owner, .admin, .cxManager],
            .readResponses: [.owner, .admin, .cxManager, .csm, .analyst, .ambassador],
            .writeResponses: [.owner, .admin, .cxManager],
            .readFeedback: [.owner, .admin, .cxManager, .csm, .analyst, .ambassador],
            .writeFeedback: [.owner, .admin, .cxManager, .csm, .ambassador],
            .readMetrics: Set(Role.allCases),
            .writeMeasurement: [.owner, .admin, .cxManager],
            .freezeKPIs: [.owner, .admin],
            .writeSuccess: [.owner, .admin, .cxManager, .csm],
            .configureHealth: [.owner, .admin, .cxManager],
            .sendUsage: [.owner, .admin],
            .importData: [.owner, .admin, .cxManager, .csm],
            .exportData: [.owner, .admin, .analyst],
            .managePersonalData: [.owner, .admin],
            .readAudit: [.owner, .admin],
            .manageUsers: [.owner, .admin],
            .manageTokens: [.owner, .admin],
            .manageWorkspace: [.owner],
        ]
        #expect(Set(expected.keys) == Set(Permission.allCases))
        for (permission, roles) in expected {
            for role in Role.allCases { #expect(role.can(permission) == roles.contains(role), "\(role) \(permission)") }
        }
    }

    @Test("nobody hands out more than they hold; only owners make owners")
    func granting() {
        #expect(Role.owner.mayGrant(.owner))
        #expect(!Role.admin.mayGrant(.owner))
        #expect(Role.admin.mayGrant(.admin) && Role.admin.mayGrant(.viewer))
        #expect(!Role.csm.mayGrant(.viewer))
    }

    /// docs/permissions.md is rendered from the matrix; run with RAPPORT_WRITE_DOCS=1 to rewrite it.
    @Test("docs/permissions.md matches the matrix in code")
    func documentation() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../docs/permissions.md").standardized.path
        let header = "# Roles and permissions\n\nGenerated from `PermissionMatrix` in `Sources/RapportKit/Access/Roles.swift`; a test keeps the two equal.\nThe API and the web UI enforce it in one place each: every route names the permission it needs.\n\n"
        let expected = header + PermissionMatrix.markdown()
        if ProcessInfo.processInfo.environment["RAPPORT_WRITE_DOCS"] == "1" { try expected.write(toFile: path, atomically: true, encoding: .utf8) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == expected)
    }
}
