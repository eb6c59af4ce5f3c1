import JSON
import Logging
import Testing

@testable import PlatformSandbox

/// Starting, controlling and stopping a sandbox.
@Suite struct SandboxLifecycleTests {
    @Test func aTakenPortIsReportedAndTheFirstSandboxKeepsServing() async throws {
        try await SandboxHarness.with { h async throws in
            let clash = SandboxOptions(port: h.sandbox.port, token: "other")
            await #expect(throws: SandboxStartError.self) {
                let second = try await Sandbox.start(clash, logger: Logger(label: "sandbox-clash"))
                await second.shutdown()
            }
            #expect(try await h.call(.GET, "/api/v2/groups.json").status == 200)
        }
    }

    @Test func baseURLNamesTheBoundPort() async throws {
        try await SandboxHarness.with { h in
            #expect(h.sandbox.port > 0)
            #expect(h.sandbox.baseURL == "http://127.0.0.1:\(h.sandbox.port)")
        }
    }

    @Test func chaosCanBeSwitchedOverHTTPByOtherProcesses() async throws {
        try await SandboxHarness.with { h in
            let set = try await h.call(
                .POST, "/_sandbox/chaos", json: ["failRate": 1, "ratePerSecond": 5], authorization: nil)
            #expect(set.status == 200)
            #expect(h.sandbox.chaos() == SandboxChaos(failRate: 1, ratePerSecond: 5))
            #expect((500...599).contains(try await h.call(.GET, "/api/v2/groups.json").status))
            let cleared = try await h.call(
                .POST, "/_sandbox/chaos", json: ["failRate": 0, "ratePerSecond": 0], authorization: nil)
            #expect(cleared["failRate"] == 0)
            #expect(h.sandbox.chaos() == .none)
            let read = try await h.call(.GET, "/_sandbox/chaos", authorization: nil)
            #expect(read["latencyMs"] == 0)
            let bad = try await h.call(.POST, "/_sandbox/chaos", rawBody: "[]", authorization: nil)
            #expect(bad.status == 400)
        }
    }
}
