import JSON
import Testing

@testable import PlatformSandbox

/// Many callers at once: each write is atomic, so races end as the platform's would.
@Suite struct SandboxConcurrencyTests {
    @Test func concurrentUpsertsOfOneURNCreateOneContact() async throws {
        try await SandboxHarness.with { h in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        try await h.call(
                            .POST, "/api/v2/contacts.json?urn=ext%3Arace", json: ["name": .string("N\(index)")]
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.filter { $0 == 200 }.count == 19)
            #expect(h.sandbox.state().contacts.count == 1)
        }
    }

    @Test func concurrentCreatesOfOneGroupOrFieldLeaveOneAndSayMustBeUnique() async throws {
        try await SandboxHarness.with { h in
            async let groupReplies = Self.race(20) { index in
                try await h.call(
                    .POST, "/api/v2/groups.json", json: ["name": index.isMultiple(of: 2) ? "Leads" : "LEADS"])
            }
            async let fieldReplies = Self.race(20) { _ in
                try await h.call(.POST, "/api/v2/fields.json", json: ["name": "Lead score", "type": "number"])
            }
            for replies in try await [groupReplies, fieldReplies] {
                #expect(replies.filter { $0.status == 201 }.count == 1)
                let refused = replies.filter { $0.status == 400 }
                #expect(refused.count == 19)
                #expect(refused.allSatisfy { ($0["name"]?.messages ?? []) == ["This field must be unique."] })
            }
            #expect(h.sandbox.state().groups.count == 1)
            #expect(h.sandbox.state().fields.map(\.key) == ["lead_score"])
        }
    }

    static func race(
        _ count: Int, _ call: @escaping @Sendable (Int) async throws -> SandboxHarness.Reply
    ) async throws -> [SandboxHarness.Reply] {
        try await withThrowingTaskGroup(of: SandboxHarness.Reply.self) { group in
            for index in 0..<count { group.addTask { try await call(index) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }
}
