import JSON
import Testing

@testable import PlatformSandbox

/// A multi-workspace platform: a token opens one workspace, with its own contacts, faults,
/// throttle and tally; the first workspace's API (`state()`, `stats()`, `setChaos`) stays as it was.
@Suite struct SandboxWorkspacesTests {
    static let second = SandboxWorkspace(name: "globex", token: "globex-token", throttle: SandboxThrottle("2/m"))

    @Test func eachTokenOpensItsOwnWorkspace() async throws {
        try await SandboxHarness.with(workspaces: [Self.second]) { h in
            let body: JSON = ["urns": ["ext:42"], "name": "Ana"]
            let first = try await h.call(.POST, "/api/v2/contacts.json", json: body)
            let other = try await h.call(
                .POST, "/api/v2/contacts.json", json: ["urns": ["ext:42"], "name": "Bo"],
                authorization: "Token globex-token")
            #expect(first.status == 201 && other.status == 201, "the same URN is free in each workspace")
            #expect(h.sandbox.state().contacts.map(\.name) == ["Ana"])
            #expect(h.sandbox.state(workspace: "globex").contacts.map(\.name) == ["Bo"])
            #expect(h.sandbox.stats().total == 1 && h.sandbox.stats(workspace: "globex").total == 1)
            let wrong = try await h.call(.GET, "/api/v2/contacts.json", authorization: "Token nobody")
            #expect(wrong.status == 401)
        }
    }

    @Test func faultsAndThrottlesArePerWorkspace() async throws {
        try await SandboxHarness.with(workspaces: [Self.second]) { h in
            h.sandbox.setChaos(SandboxChaos(failRate: 1), workspace: "globex")
            let down = try await h.call(.GET, "/api/v2/fields.json", authorization: "Token globex-token")
            #expect(down.status >= 500)
            let up = try await h.call(.GET, "/api/v2/fields.json")
            #expect(up.status == 200, "the first workspace is not down")
            h.sandbox.setChaos(.none, workspace: "globex")
            var statuses: [Int] = []
            for _ in 0..<3 {
                statuses.append(
                    try await h.call(.GET, "/api/v2/fields.json", authorization: "Token globex-token").status)
            }
            #expect(statuses == [200, 200, 429], "globex's own 2/m")
            #expect(try await h.call(.GET, "/api/v2/fields.json").status == 200, "the first is unthrottled")
        }
    }

    /// Other processes (the chaos scenarios' judges, a person with curl) read and switch each
    /// workspace over `/_sandbox/…?workspace=NAME`; without it, the first as before.
    @Test func theAdminEndpointsNameTheirWorkspace() async throws {
        try await SandboxHarness.with(workspaces: [Self.second]) { h in
            _ = try await h.call(
                .POST, "/api/v2/contacts.json", json: ["urns": ["ext:7"], "name": "Bo"],
                authorization: "Token globex-token")
            let state = try await SandboxReadOutTests.fetch(
                SandboxState.self, from: h, path: "/_sandbox/state?workspace=globex")
            #expect(state == h.sandbox.state(workspace: "globex") && state.contacts.map(\.name) == ["Bo"])
            let first = try await SandboxReadOutTests.fetch(SandboxState.self, from: h, path: "/_sandbox/state")
            #expect(first.contacts.isEmpty)
            let stats = try await SandboxReadOutTests.fetch(
                SandboxStats.self, from: h, path: "/_sandbox/stats?workspace=globex")
            #expect(stats.total == 1)
            let throttle = try await h.call(
                .POST, "/_sandbox/throttle?workspace=globex", json: ["contacts": "5/m"], authorization: nil)
            #expect(throttle.status == 200)
            let set = try await SandboxReadOutTests.fetch(
                SandboxThrottle.self, from: h, path: "/_sandbox/throttle?workspace=globex")
            #expect(set.contacts == "5/m")
            #expect(h.sandbox.throttle().contacts == nil, "the first workspace's throttle untouched")
            let unknown = try await h.call(.GET, "/_sandbox/state?workspace=nobody", authorization: nil)
            #expect(unknown.status == 404)
        }
    }

    @Test func aTokenSharedByTwoWorkspacesIsRefusedAtStart() async {
        await #expect(throws: SandboxStartError.self) {
            try await SandboxHarness.with(workspaces: [SandboxWorkspace(name: "x", token: SandboxHarness.token)]) { _ in
            }
        }
    }
}
