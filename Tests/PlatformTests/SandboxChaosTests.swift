import JSON
import Testing

@testable import PlatformSandbox

/// Injected faults: 5xx at a seeded rate, throttling with Retry-After, outages and recovery.
@Suite struct SandboxChaosTests {
    @Test func failRateOneAnswersEveryAPIRequestWith5xx() async throws {
        try await SandboxHarness.with(chaos: SandboxChaos(failRate: 1)) { h in
            var seen: Set<Int> = []
            for _ in 0..<10 {
                let reply = try await h.call(.POST, "/api/v2/groups.json", json: ["name": "Devs"])
                #expect([500, 502, 503, 504].contains(reply.status))
                seen.insert(reply.status)
                // Like real deployments: a JSON 503, HTML pages from Django or the proxy otherwise.
                if reply.status == 503 {
                    #expect(reply.body == ["detail": "Service temporarily unavailable, try again later."])
                } else {
                    #expect(reply.headers["content-type"] == "text/html")
                    #expect(reply.body == nil)
                }
            }
            #expect(seen.count > 1)
            #expect(h.sandbox.state().groups.isEmpty)
            #expect(h.sandbox.stats().count(endpoint: "groups.json", statuses: 500...599) == 10)
        }
    }

    @Test func failuresFollowTheSeed() async throws {
        func statuses(seed: UInt64) async throws -> [Int] {
            try await SandboxHarness.with(chaos: SandboxChaos(failRate: 0.5), seed: seed) { h async throws in
                var seen: [Int] = []
                for _ in 0..<40 { seen.append(try await h.call(.GET, "/api/v2/fields.json").status) }
                return seen
            }
        }
        let first = try await statuses(seed: 7)
        let again = try await statuses(seed: 7)
        let other = try await statuses(seed: 8)
        #expect(first == again)
        #expect(first != other)
        #expect(first.contains(200))
        #expect(first.contains { (500...599).contains($0) })
    }

    @Test func anOutageThenRecovery() async throws {
        try await SandboxHarness.with { h async throws in
            h.sandbox.setChaos(SandboxChaos(failRate: 1))
            #expect((500...599).contains(try await h.call(.GET, "/api/v2/groups.json").status))
            h.sandbox.setChaos(.none)
            #expect(try await h.call(.GET, "/api/v2/groups.json").status == 200)
            let stats = h.sandbox.stats()
            #expect(stats.total == 2)
            #expect(stats.count(endpoint: "groups.json", method: "GET", status: 200) == 1)
        }
    }

    @Test func writesPastTheRateAre429WithRetryAfter() async throws {
        // One token per 100 s: the first write passes, the next is throttled for certain.
        try await SandboxHarness.with(chaos: SandboxChaos(ratePerSecond: 0.01)) { h async throws in
            #expect(try await h.call(.POST, "/api/v2/groups.json", json: ["name": "A"]).status == 201)
            let throttled = try await h.call(.POST, "/api/v2/groups.json", json: ["name": "B"])
            #expect(throttled.status == 429)
            let seconds = try #require(throttled.headers["retry-after"].flatMap { Int($0) })
            #expect((1...100).contains(seconds))
            #expect(
                throttled.body == [
                    "detail": .string("Request was throttled. Expected available in \(seconds) seconds.")
                ])
            // Reads are not throttled unless asked.
            #expect(try await h.call(.GET, "/api/v2/groups.json").status == 200)
            #expect(h.sandbox.state().groups.map(\.name) == ["A"])
        }
    }

    @Test func readsCanBeThrottledToo() async throws {
        try await SandboxHarness.with(chaos: SandboxChaos(ratePerSecond: 0.01, throttleReads: true)) { h async throws in
            #expect(try await h.call(.GET, "/api/v2/groups.json").status == 200)
            #expect(try await h.call(.GET, "/api/v2/groups.json").status == 429)
        }
    }

    @Test func latencyIsAppliedWithoutChangingAnswers() async throws {
        // No timing assertion: the delay's presence is configuration; the answers must not change.
        try await SandboxHarness.with(chaos: SandboxChaos(latencyMs: 30)) { h async throws in
            #expect(h.sandbox.chaos().latencyMs == 30)
            #expect(try await h.call(.POST, "/api/v2/groups.json", json: ["name": "Slow"]).status == 201)
            #expect(h.sandbox.stats().count(endpoint: "groups.json", method: "POST", status: 201) == 1)
        }
    }

    @Test func readOutsAreNeitherFaultedNorCounted() async throws {
        try await SandboxHarness.with(chaos: SandboxChaos(failRate: 1)) { h in
            let state = try await h.call(.GET, "/_sandbox/state", authorization: nil)
            #expect(state.status == 200)
            #expect(h.sandbox.stats().total == 0)
        }
    }
}
