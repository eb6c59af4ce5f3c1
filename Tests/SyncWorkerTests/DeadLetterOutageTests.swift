import ContactSyncTesting
import Kafka
import PlatformSandbox
import SyncCore
import Testing

@testable import SyncWorker

@Suite(.serialized) struct DeadLetterOutageTests {
    /// While the dead-letter topic cannot be written, the bad record stays pending: no offset
    /// past it is committed, and readiness says why. Once writes succeed, everything completes.
    @Test func anUnwritableDeadLetterTopicHoldsTheCommitBack() async throws {
        let h = try await WorkerHarness(partitions: 1)
        try await h.produce([
            ("bad", "{not json"),
            event("customer.created", id: "g1", entity: "cus_g1", version: 1, data: #""name": "after""#),
        ])
        // Every produce request now times out for a while, longer than message.timeout.ms: the
        // dead letter for offset 0 cannot be written yet (a transient failure; permanent ones,
        // such as authorization, follow dead_letter.on_refused: PoisonPillTests).
        // The outage lasts until the dead letter met it (a count of failed requests could all be
        // spent by the good record's versions write first), then ends.
        h.cluster.pushRequestErrors(
            apiKey: .produce, errors: Array(repeating: KafkaErrorCode.requestTimedOut, count: 100_000))
        let worker = h.worker(
            try h.configuration(group: "g-dlq-down", untilCaughtUp: false) { $0.kafka["message.timeout.ms"] = "300" })
        let run = Task { try await worker.run() }
        let admin = try KafkaAdmin(
            properties: ["bootstrap.servers": h.cluster.bootstrapServers], groupID: "g-dlq-down", logger: h.logger)
        var committedPastFailure = false
        let ending = Task {
            try await eventually("a dead-letter write met the outage", within: .seconds(60)) {
                worker.status.snapshot.deadLetterWriteFailures > 0
            }
            h.cluster.clearRequestErrors(apiKey: .produce)
        }
        let settled = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < settled {
            let lag = try await admin.lag(topics: [h.topic])
            if worker.status.snapshot.deadLetteredTotal == 0, (lag.first?.committed ?? 0) > 0 {
                committedPastFailure = true
            }
            if lag.allSatisfy({ $0.lag == 0 }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await ending.value
        // Counted, not sampled: a spell of a few hundred milliseconds falls between a busy loop's looks.
        #expect(worker.status.snapshot.deadLetterWriteFailures > 0, "a dead-letter write failed and was tried again")
        #expect(!committedPastFailure, "nothing past the undelivered dead letter was committed")
        #expect(try await admin.lag(topics: [h.topic]).map(\.lag) == [0], "then everything completed")
        #expect(worker.status.snapshot.deadLetteredTotal == 1)
        #expect(worker.status.snapshot.deadLetterHealthy)
        #expect(h.sandbox.state().contact(urn: "ext:cus_g1")?.name == "after")
        #expect(try await h.deadLetters().count == 1)
        worker.stop()
        try await run.value
        await admin.close()
        await h.shutdown()
    }
}
