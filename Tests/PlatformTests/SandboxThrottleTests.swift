import JSON
import Testing

@testable import PlatformSandbox

/// The platform's budget: DRF's sliding window per scope. Counted, never timed: a window of a
/// few seconds lets every call of a test land inside it, however slow the machine.
@Suite struct SandboxThrottleTests {
    @Test(arguments: SandboxFlavor.allCases)
    func theContactsScopeAllowsNThenAnswers429(flavor: SandboxFlavor) async throws {
        try await SandboxHarness.with(flavor: flavor, throttle: SandboxThrottle(contacts: "3/m")) { h in
            var statuses: [Int] = []
            // GETs count too, as DRF counts every request of the scope.
            statuses.append(try await h.call(.GET, "/api/v2/contacts.json").status)
            statuses.append(try await h.call(.POST, "/api/v2/contacts.json", json: ["urns": ["ext:1"]]).status)
            statuses.append(try await h.call(.DELETE, "/api/v2/contacts.json?urn=ext:1").status)
            let refused = try await h.call(.POST, "/api/v2/contacts.json", json: ["urns": ["ext:2"]])
            #expect(statuses == [200, 201, 204])
            #expect(refused.status == 429)
            let wait = Int(refused.headers["retry-after"] ?? "") ?? -1
            #expect((1...60).contains(wait))
            #expect(
                refused.body == [
                    "detail": .string(
                        "Request was throttled. Expected available in \(wait) second\(wait == 1 ? "" : "s").")
                ])
            // The other scope has its own (here unlimited) budget.
            #expect(try await h.call(.GET, "/api/v2/fields.json").status == 200)
            let stats = h.sandbox.stats()
            #expect(stats.calls(scope: .contacts) == 4)
            #expect(stats.throttled(scope: .contacts) == 1)
            #expect(stats.calls(scope: .v2) == 1)
            #expect(stats.throttled(scope: .v2) == 0)
        }
    }

    @Test func theV2ScopeCoversFieldsGroupsAndContactActions() async throws {
        try await SandboxHarness.with(throttle: SandboxThrottle(v2: "2/h")) { h in
            #expect(try await h.call(.GET, "/api/v2/fields.json").status == 200)
            #expect(try await h.call(.GET, "/api/v2/groups.json").status == 200)
            let actions = try await h.call(
                .POST, "/api/v2/contact_actions.json", json: ["contacts": ["ext:1"], "action": "block"])
            #expect(actions.status == 429)
            #expect((3000...3600).contains(Int(actions.headers["retry-after"] ?? "") ?? -1))
            // contacts.json is unlimited here.
            #expect(try await h.call(.GET, "/api/v2/contacts.json").status == 200)
        }
    }

    @Test func aThrottledRequestIsNotCounted() async throws {
        try await SandboxHarness.with(throttle: SandboxThrottle(contacts: "2/m")) { h in
            var ok = 0
            var refused = 0
            for _ in 0..<10 {
                switch try await h.call(.GET, "/api/v2/contacts.json").status {
                case 200: ok += 1
                case 429: refused += 1
                default: break
                }
            }
            #expect(ok == 2)
            #expect(refused == 8)
            // Raising the rate at run time: the 8 refusals took nothing, so 3 more fit in 5/m.
            try h.sandbox.setThrottle(SandboxThrottle(contacts: "5/m"))
            var more: [Int] = []
            for _ in 0..<4 { more.append(try await h.call(.GET, "/api/v2/contacts.json").status) }
            #expect(more == [200, 200, 200, 429])
        }
    }

    @Test func theAdminAPIChangesTheBudget() async throws {
        try await SandboxHarness.with { h in
            let set = try await h.call(.POST, "/_sandbox/throttle", json: ["contacts": "1/h"], authorization: nil)
            #expect(set.status == 200)
            #expect(set.body == ["contacts": "1/h"])
            #expect(try await h.call(.GET, "/api/v2/contacts.json").status == 200)
            #expect(try await h.call(.GET, "/api/v2/contacts.json").status == 429)
            let bad = try await h.call(.POST, "/_sandbox/throttle", json: ["v2": "fast"], authorization: nil)
            #expect(bad.status == 400)
            _ = try await h.call(.POST, "/_sandbox/throttle", json: ["contacts": nil], authorization: nil)
            #expect(try await h.call(.GET, "/api/v2/contacts.json").status == 200)
            #expect(h.sandbox.throttle() == .unlimited)
        }
    }

    @Test func ratesParseAsDRFDoes() {
        #expect(SandboxThrottle.parse("3600/hour").map { [$0.requests, $0.seconds] } == [3600, 3600])
        #expect(SandboxThrottle.parse("3600/h").map { [$0.requests, $0.seconds] } == [3600, 3600])
        #expect(SandboxThrottle.parse("20/s").map { [$0.requests, $0.seconds] } == [20, 1])
        #expect(SandboxThrottle.parse("1200/m").map { [$0.requests, $0.seconds] } == [1200, 60])
        #expect(SandboxThrottle.parse("10/d").map { [$0.requests, $0.seconds] } == [10, 86_400])
        #expect(SandboxThrottle.parse("0/s") == nil)
        #expect(SandboxThrottle.parse("fast") == nil)
        #expect(SandboxThrottle.parse("5/w") == nil)
        #expect(SandboxThrottle.platformDefault(.textit) == SandboxThrottle(contacts: "3600/hour", v2: "3600/hour"))
        #expect(SandboxThrottle.platformDefault(.weni) == SandboxThrottle("2500/hour"))
    }

    @Test func theWindowSlides() {
        var windows = ThrottleWindows(settings: SandboxThrottle(contacts: "2/s"))
        let start = ContinuousClock.now
        #expect(windows.admit(.contacts, now: start) == nil)
        #expect(windows.admit(.contacts, now: start + .milliseconds(400)) == nil)
        #expect(windows.admit(.contacts, now: start + .milliseconds(500)) == 1)
        // The first request leaves the window at 1 s: one more fits, the next waits for the second.
        #expect(windows.admit(.contacts, now: start + .milliseconds(1000)) == nil)
        #expect(windows.admit(.contacts, now: start + .milliseconds(1100)) == 1)
        #expect(windows.admit(.v2, now: start) == nil)
    }
}
