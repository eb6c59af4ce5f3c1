import ContactSyncTesting
import Kafka
import PlatformSandbox
import SyncCore
import Testing

@testable import SyncWorker

/// Outages and rebalances: nothing is lost, nothing good is dead-lettered.
@Suite(.serialized) struct WorkerFailureTests {
    func events(_ count: Int, prefix: String, versions: Int = 1) -> [(key: String, json: String?)] {
        var events: [(key: String, json: String?)] = []
        for v in 1...versions {
            for n in 0..<count {
                events.append(
                    event(
                        "customer.updated", id: "\(prefix)\(n)-v\(v)", entity: "\(prefix)\(n)", version: v,
                        data: #""name": "\#(prefix)\#(n) v\#(v)""#))
            }
        }
        return events
    }

    func waitUntil(_ deadline: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        let end = ContinuousClock.now + deadline
        while try await !condition() {
            guard ContinuousClock.now < end else {
                Issue.record("condition not met within \(deadline)")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func aBrokerOutageMidRunLosesNothing() async throws {
        let h = try await WorkerHarness(partitions: 2, chaos: SandboxChaos(latencyMs: 10))
        try await h.produce(events(60, prefix: "out"))
        let run = await h.start(try h.configuration(group: "g-outage"), deadline: .seconds(90))
        let worker = run.worker
        try await waitUntil { worker.status.snapshot.applied >= 5 }
        try h.cluster.setBrokerDown(1)
        try await Task.sleep(for: .seconds(4))  // the outage itself, not a wait for a result
        try h.cluster.setBrokerUp(1)
        try await run.finished()
        let snapshot = worker.status.snapshot
        #expect(snapshot.caughtUp)
        #expect(snapshot.deadLetteredTotal == 0)
        #expect(h.sandbox.state().contacts.count == 60)
        await h.shutdown()
    }

    @Test func aPlatformOutagePausesInsteadOfDeadLettering() async throws {
        let h = try await WorkerHarness(partitions: 1, chaos: SandboxChaos(failRate: 1))
        try await h.produce(events(30, prefix: "down"))
        var configuration = try h.configuration(group: "g-down")
        configuration.retry = RetryPolicy(maxAttempts: 3, base: .milliseconds(5), cap: .milliseconds(20))
        configuration.outageThreshold = 2  // below the 3 attempts: recognised before any event spends its budget
        let run = await h.start(configuration, deadline: .seconds(90))
        let worker = run.worker
        try await waitUntil { !worker.status.snapshot.platformAvailable }
        #expect(worker.status.snapshot.notReadyReason?.contains("platform unavailable") == true)
        h.sandbox.setChaos(.none)
        try await run.finished()
        let snapshot = worker.status.snapshot
        #expect(snapshot.platformAvailable)
        #expect(snapshot.caughtUp)
        // A small budget, yet nothing dead-lettered: an outage does not spend it.
        #expect(snapshot.deadLetteredTotal == 0)
        #expect(try await h.deadLetters().isEmpty, "the dead-letter topic holds nothing")
        let state = h.sandbox.state()
        #expect(state.contacts.count == 30)
        for n in 0..<30 { #expect(state.contact(urn: "ext:down\(n)")?.name == "down\(n) v1") }
        await h.shutdown()
    }

    /// A paused member still polls: a second instance joining during a platform outage gets
    /// its partitions now, not after max.poll.interval.ms; nothing is lost either way.
    @Test func aRebalanceDuringAnOutageIsServed() async throws {
        let h = try await WorkerHarness(partitions: 4, chaos: SandboxChaos(failRate: 1))
        try await h.produce(events(40, prefix: "po"))
        func configuration() throws -> WorkerConfiguration {
            try h.configuration(group: "g-paused", untilCaughtUp: false) {
                $0.outageThreshold = 3
                $0.drainDeadline = .seconds(2)
            }
        }
        let a = h.worker(try configuration())
        let runA = Task { try await a.run() }
        try await waitUntil { a.status.snapshot.paused }
        let b = h.worker(try configuration())
        let runB = Task { try await b.run() }
        // Without polling while paused, A would hold every partition until max.poll.interval.ms.
        try await waitUntil(.seconds(30)) {
            b.status.snapshot.assignedPartitions > 0
                && a.status.snapshot.assignedPartitions + b.status.snapshot.assignedPartitions == 4
        }
        #expect(b.status.snapshot.assignedPartitions > 0, "the paused member gave partitions up")
        #expect(a.status.snapshot.assignedPartitions > 0, "and kept its share")
        h.sandbox.setChaos(.none)
        try await waitUntil(.seconds(60)) { h.sandbox.state().contacts.count == 40 }
        a.stop()
        b.stop()
        try await runA.value
        try await runB.value
        #expect(h.sandbox.state().contacts.count == 40)
        #expect(a.status.snapshot.deadLetteredTotal + b.status.snapshot.deadLetteredTotal == 0)
        await h.shutdown()
    }

    @Test func aRefusedTokenNeverDeadLetters() async throws {
        let h = try await WorkerHarness(partitions: 1, chaos: SandboxChaos(rejectAllTokens: true))
        try await h.produce(events(10, prefix: "tok"))
        let run = await h.start(try h.configuration(group: "g-token"), deadline: .seconds(90))
        let worker = run.worker
        try await waitUntil { !worker.status.snapshot.platformAvailable }
        h.sandbox.setChaos(.none)  // the token is rotated
        try await run.finished()
        #expect(worker.status.snapshot.deadLetteredTotal == 0)
        #expect(h.sandbox.state().contacts.count == 10)
        await h.shutdown()
    }

    @Test func aRebalanceBetweenTwoInstancesLosesNothing() async throws {
        // 400 calls of 100 ms, two at a time: about 20 s of work, so the second member's join
        // (several seconds on the mock cluster) comes mid-run; at 40 ms the first instance
        // sometimes finished alone (1 run in 5).
        let h = try await WorkerHarness(partitions: 4, chaos: SandboxChaos(latencyMs: 100))
        try await h.produce(events(400, prefix: "rb"))
        func configuration() throws -> WorkerConfiguration {
            // Slow enough that the second member joins mid-run.
            try h.configuration(group: "g-rb", untilCaughtUp: false) { $0.maxInFlight = 2 }
        }
        let a = h.worker(try configuration())
        let runA = Task { try await a.run() }
        try await waitUntil { a.status.snapshot.applied >= 10 }
        let b = h.worker(try configuration())
        let runB = Task { try await b.run() }
        try await waitUntil(.seconds(120)) { h.sandbox.state().contacts.count == 400 }
        try await waitUntil { a.status.snapshot.recordsIn + b.status.snapshot.recordsIn >= 400 }
        #expect(b.status.snapshot.recordsIn > 0, "the second instance took partitions")
        a.stop()
        b.stop()
        try await runA.value
        try await runB.value
        let contacts = h.sandbox.state().contacts
        #expect(contacts.count == 400, "no duplicate contacts")
        #expect(Set(contacts.compactMap { $0.urns.first }).count == 400)
        #expect(a.status.snapshot.deadLetteredTotal + b.status.snapshot.deadLetteredTotal == 0)
        await h.shutdown()
    }
}
