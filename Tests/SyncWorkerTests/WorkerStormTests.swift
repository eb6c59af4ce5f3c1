import ContactSyncTesting
import Kafka
import PlatformSandbox
import SyncCore
import Testing

@testable import SyncWorker

/// A flaky platform (5xx on a share of every request, reads included, plus 429 bursts) never
/// dead-letters good work: calls are retried one by one, and while the platform is degraded
/// the waits do not spend events' retry budgets.
@Suite(.serialized) struct WorkerStormTests {
    @Test(arguments: [0.3, 0.5])
    func aStormDeadLettersNothingGood(failRate: Double) async throws {
        let h = try await WorkerHarness(partitions: 2, chaos: SandboxChaos(latencyMs: 5, failRate: failRate))
        var events: [(key: String, json: String?)] = []
        for n in 0..<120 {
            events.append(
                event(
                    "customer.created", id: "c\(n)", entity: "cus_\(n)", version: 1,
                    data: #""name": "N\#(n)", "groups": ["G\#(n % 3)"], "fields": {"plan": "p\#(n % 4)"}"#))
        }
        for n in 0..<120 where n % 3 == 0 {
            events.append(
                event("customer.updated", id: "u\(n)", entity: "cus_\(n)", version: 2, data: #""name": "N\#(n) v2""#))
        }
        events.append(("bad", "{not json"))
        try await h.produce(events)
        let bursts = Task {
            // 429 bursts: a tight token bucket every other second.
            while !Task.isCancelled {
                h.sandbox.setChaos(SandboxChaos(latencyMs: 5, failRate: failRate, ratePerSecond: 5))
                try? await Task.sleep(for: .milliseconds(500))
                h.sandbox.setChaos(SandboxChaos(latencyMs: 5, failRate: failRate))
                try? await Task.sleep(for: .milliseconds(1500))
            }
        }
        // A retry budget of 5 s would be gone in a few attempts of the old per-apply retries.
        let snapshot = try await h.runUntilCaughtUp(group: "g-storm-\(Int(failRate * 100))", deadline: .seconds(240)) {
            $0.retry = RetryPolicy(base: .milliseconds(20), cap: .milliseconds(500))
            $0.retry.maxElapsed = .seconds(5)
        }
        bursts.cancel()
        _ = await bursts.result
        let stats = h.sandbox.stats()
        #expect(stats.count(statuses: 500...599) > 40, "the storm met the work")
        #expect(snapshot.caughtUp)
        #expect(snapshot.deadLettered == ["malformed_json": 1], "only the bad input")
        let state = h.sandbox.state()
        #expect(state.contacts.count == 120)
        for n in 0..<120 {
            let contact = try #require(state.contact(urn: "ext:cus_\(n)"))
            #expect(contact.name == (n % 3 == 0 ? "N\(n) v2" : "N\(n)"))
            #expect(contact.groups == ["G\(n % 3)"])
            #expect(contact.fields["plan"] == "p\(n % 4)")
        }
        await h.shutdown()
    }
}
