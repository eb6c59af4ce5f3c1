import ContactSyncTesting
import Kafka
import PlatformClient
import PlatformSandbox
import SyncCore
import Testing

@testable import SyncWorker

/// The workspace's budget against the sandbox's DRF throttle (a sliding window per scope).
@Suite(.serialized) struct WorkerBudgetTests {
    /// Interleaved updates of 60 entities: the worker paces below the window (no 429) and
    /// folds each entity's queued events into about one call.
    @Test func aBacklogIsPacedBelowTheWindowAndFolded() async throws {
        let h = try await WorkerHarness(partitions: 2, throttle: SandboxThrottle("20/s"))
        var events: [(key: String, json: String?)] = []
        for v in 1...5 {
            for n in 0..<60 {
                events.append(
                    event(
                        "customer.updated", id: "e\(n)-\(v)", entity: "cus_\(n)", version: v,
                        data: #""name": "N\#(n) v\#(v)""#))
            }
        }
        try await h.produce(events)
        let snapshot = try await h.runUntilCaughtUp(group: "g-paced", deadline: .seconds(90)) {
            $0.budgetContacts = RequestRate(requests: 20, per: .seconds(1))
            $0.budgetV2 = RequestRate(requests: 20, per: .seconds(1))
        }
        let stats = h.sandbox.stats()
        #expect(snapshot.caughtUp && snapshot.deadLetteredTotal == 0)
        #expect(stats.throttledTotal == 0, "paced below the window: no 429")
        #expect(snapshot.throttled == 0)
        let calls = stats.calls(scope: .contacts)
        #expect(calls >= 60 && calls <= 63, "about one call per entity, not per event: \(calls)")
        for n in 0..<60 { #expect(h.sandbox.state().contact(urn: "ext:cus_\(n)")?.name == "N\(n) v5") }
        await h.shutdown()
    }

    /// Another client spends the same budget: 429s pause the scope, spend no event's retry
    /// budget and dead-letter nothing; the worker settles below what is left.
    @Test func anotherClientSpendingTheBudgetCausesPausesNotDeadLetters() async throws {
        let h = try await WorkerHarness(partitions: 2, throttle: SandboxThrottle("20/s"))
        var events: [(key: String, json: String?)] = []
        for n in 0..<150 {
            events.append(
                event("customer.created", id: "c\(n)", entity: "cus_\(n)", version: 1, data: #""name": "N\#(n)""#))
        }
        try await h.produce(events)
        let other = PlatformClient(
            options: .init(baseURL: h.sandbox.baseURL, token: APIToken(WorkerHarness.token)), logger: h.logger)
        let spender = Task {
            // 10 reads a second on the contacts scope for as long as the worker runs.
            while !Task.isCancelled {
                _ = try? await other.contact(urn: URN(parsing: "ext:nobody"))
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        let snapshot = try await h.runUntilCaughtUp(group: "g-shared", deadline: .seconds(90)) {
            $0.budgetContacts = RequestRate(requests: 20, per: .seconds(1))
            $0.budgetV2 = RequestRate(requests: 20, per: .seconds(1))
        }
        spender.cancel()
        _ = await spender.result
        try await other.shutdown()
        #expect(snapshot.caughtUp)
        #expect(snapshot.throttled > 0, "the other client's spending met the worker")
        #expect(snapshot.deadLetteredTotal == 0, "a 429 is a pause, not a failure")
        #expect(h.sandbox.state().contacts.count == 150)
        await h.shutdown()
    }
}
